"""The Automation Platform / AWX credential type (extensions/aap/credential_type.yml, issue 16 item 5).

Its injectors are rendered as the controller renders them (AWX's credential injection, ``awx_plugins.interfaces``'s
``_injectors``: a ``jinja2.sandbox.ImmutableSandboxedEnvironment``, each ``env`` template rendered with a namespace of
the credential's inputs that have a value, a missing input rendering as an empty string), and the lookup runs
against the sandbox from exactly that environment, with only the sandbox's endpoint and CA added.
"""

import os

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from conftest import ROOT
from exchange_support import LOOKUP, ansible_env, run_playbook

CREDENTIAL_TYPE = os.path.join(ROOT, "extensions", "aap", "credential_type.yml")
# What the sandbox's client settings set for the exchange; the credential must bring these itself.
FROM_THE_CREDENTIAL = ("OCI_DOMAIN_URL", "OCI_AWS_CLIENT_ID", "OCI_AWS_CLIENT_SECRET")


def credential_type():
    with open(CREDENTIAL_TYPE) as handle:
        return yaml.safe_load(handle)


def render_env(definition, inputs):
    """The environment the controller injects for a credential of ``definition`` holding ``inputs``."""
    namespace = dict((name, value) for name, value in inputs.items() if value)
    for field in definition["inputs"]["fields"]:
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in definition["injectors"].get("env", {}).items())


def lookup_env_sources():
    """Option name -> the environment variables the lookup reads it from (its documentation)."""
    from ansible_collections.multicloud.oci_aws.plugins.doc_fragments.exchange import ModuleDocFragment

    options = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
    return dict((name, [source["name"] for source in spec.get("env") or ()]) for name, spec in options.items())


def test_each_input_is_injected_where_the_lookup_reads_that_option():
    definition = credential_type()
    sources = lookup_env_sources()
    fields = dict((field["id"], field) for field in definition["inputs"]["fields"])
    assert set(definition["inputs"]["required"]) == set(fields) == {"domain_url", "client_id", "client_secret"}
    injected = definition["injectors"]["env"]
    assert sorted(injected.values()) == sorted("{{ %s }}" % name for name in fields)
    for variable, template in injected.items():
        option = template.strip("{} ")
        assert variable in sources[option], "%s is not where the lookup reads %s (%s)" % (variable, option, sources[option])
    # The secret is masked by the controller and never goes to extra_vars, which every task can read as a variable.
    assert fields["client_secret"].get("secret") is True
    assert not any(field.get("secret") for name, field in fields.items() if name != "client_secret")
    assert "extra_vars" not in definition["injectors"] and "file" not in definition["injectors"]


def test_rendering_keeps_the_values_as_they_are():
    env = render_env(credential_type(), dict(domain_url="https://idcs-x.identity.oraclecloud.com", client_id="c-1",
                                             client_secret="s3cr{e}t %s {{ 7*7 }}"))
    assert env == {"OCI_DOMAIN_URL": "https://idcs-x.identity.oraclecloud.com", "OCI_AWS_CLIENT_ID": "c-1",
                   "OCI_AWS_CLIENT_SECRET": "s3cr{e}t %s {{ 7*7 }}"}


@pytest.mark.parametrize("term", [True, False])
def test_the_lookup_runs_from_the_injected_environment(federation, fresh_sandbox, home, tmp_path, term):
    env = ansible_env(fresh_sandbox, home)
    for name in FROM_THE_CREDENTIAL:
        env.pop(name, None)
    env.update(render_env(credential_type(), dict(domain_url=fresh_sandbox.domain_url, client_id=federation.client_id,
                                                  client_secret=federation.client_secret)))
    call = ("'%s'" % federation.role_arn) if term else ("role_arn='%s'" % federation.role_arn)
    done = run_playbook(env, tmp_path, """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "assumed {{ lookup('%s', %s).assumed_role_arn }}"
""" % (LOOKUP, call))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "assumed arn:aws:sts::%s:assumed-role/" % fresh_sandbox.account_id in done.stdout
    assert federation.client_secret not in done.stdout + done.stderr


def test_the_guide_shows_the_shipped_definition():
    """extensions/ is not in the built collection: the guide shows the whole definition, and it is the file's."""
    with open(os.path.join(ROOT, "docs", "docsite", "rst", "aap_guide.rst")) as handle:
        guide = handle.read()
    block = guide.split("The whole definition", 1)[1].split(".. code-block:: yaml\n\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if line.strip() and not line.startswith("    "):
            break
        lines.append(line[4:])
    shown = yaml.safe_load("\n".join(lines))
    definition = credential_type()
    for field in definition["inputs"]["fields"]:
        field.pop("help_text", None)
    assert shown == {"inputs": definition["inputs"], "injectors": definition["injectors"]}
