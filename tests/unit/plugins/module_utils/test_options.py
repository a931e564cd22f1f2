"""module_utils/_options: one definition of the exchange's and the AWS connection's options, and everything derived
from it: the module argspecs, the lookup's DOCUMENTATION (compared as ansible-doc shows it), the credential_process
settings, the audience's one default; amazon.aws's connection names and aliases accepted as they are."""

import json
import os
import subprocess
import sys

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import (
    CONNECTION, OWN_CONFIG, AwsConnection, aws_argument_spec
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.assume import assume_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process import (
    ProcessProfile, load_settings
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import (
    EXCHANGE, LOOKUP_OPTIONS, OPTIONS, PROCESS_OPTIONS, exchange_argument_spec
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._options import Option, OptionAdapter, argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import DEFAULT_AUDIENCE
from ansible_collections.multicloud.oci_aws.plugins.plugin_utils._lookup import CACHE_OPTIONS
from conftest import COLLECTIONS_BASE, ROOT

BIN = os.path.dirname(sys.executable)
MODULES = ("multicloud.oci_aws.oci_aws_assume", "multicloud.oci_aws.aws_oidc_role", "multicloud.oci_aws.oci_oidc_app")
LOOKUP = "multicloud.oci_aws.oci_aws_creds"

# amazon.aws's connection options, names and aliases, as its doc fragments `common.py` (MODULES) and `region.py`
# declare them and `module_utils/modules.py: aws_argument_spec` builds them (ansible-collections/amazon.aws at
# 59c5d27936c40b2d435b3c84db9796516e0e15e0, June 2026): name -> (type, aliases).
AMAZON_AWS = {
    "access_key": ("str", ["aws_access_key_id", "aws_access_key"]),
    "secret_key": ("str", ["aws_secret_access_key", "aws_secret_key"]),
    "session_token": ("str", ["aws_session_token"]),
    "profile": ("str", ["aws_profile"]),
    "endpoint_url": ("str", ["aws_endpoint_url"]),
    "aws_ca_bundle": ("path", []),
    "validate_certs": ("bool", []),
    "aws_config": ("dict", []),
    "debug_botocore_endpoint_logs": ("bool", []),
    "region": ("str", ["aws_region"]),
}
# One connection dictionary, as users write it for module_defaults: group/amazon.aws.aws, with amazon.aws's names.
CONNECTION_DICT = yaml.safe_load("""
aws_access_key_id: AKIAIOSFODNN7EXAMPLE
aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
aws_session_token: session-token
aws_region: eu-west-1
aws_endpoint_url: https://sts.eu-west-1.amazonaws.com
aws_ca_bundle: /etc/ssl/certs/ca-certificates.crt
validate_certs: true
aws_config:
  max_pool_connections: 4
  use_fips_endpoint: false
debug_botocore_endpoint_logs: true
""")


@pytest.fixture(scope="module")
def docs():
    """What ansible-doc shows of the modules and the lookup (fragments merged)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE, ANSIBLE_NOCOLOR="1")
    found = {}
    for args in (list(MODULES), ["-t", "lookup", LOOKUP]):
        out = subprocess.run([os.path.join(BIN, "ansible-doc"), "--json"] + args, env=env, capture_output=True,
                             text=True, check=True, timeout=120).stdout
        found.update((name, value["doc"]) for name, value in json.loads(out).items())
    return found


def _as_documented(option, plugin):
    """What the documentation of ``option`` must say: a plugin has no ``json`` type, it takes ``raw``."""
    kind = "raw" if plugin and option.type == "json" else option.type
    return dict(type=kind, default=option.default, aliases=sorted(option.aliases), elements=option.elements)


def _documented(entry):
    return dict(type=entry.get("type", "str"), default=entry.get("default"), aliases=sorted(entry.get("aliases", [])),
                elements=entry.get("elements"))


def test_the_lookup_documents_exactly_the_definition(docs):
    options = docs[LOOKUP]["options"]
    assert set(options) - {"_terms"} == set(LOOKUP_OPTIONS) | set(CACHE_OPTIONS)
    for option in EXCHANGE:
        if option.lookup:
            assert _documented(options[option.name]) == _as_documented(option, plugin=True), option.name
            if option.no_log:
                assert "ini" not in options[option.name], "a secret read from ansible.cfg: %s" % option.name


def test_the_modules_document_and_take_exactly_the_definition(docs):
    for module, spec in (("multicloud.oci_aws.oci_aws_assume", assume_argument_spec()),
                         ("multicloud.oci_aws.aws_oidc_role", aws_argument_spec())):
        options = docs[module]["options"]
        for option in EXCHANGE if module.endswith("assume") else CONNECTION:
            assert spec[option.name] == option.argspec()
            assert _documented(options[option.name]) == _as_documented(option, plugin=False), (module, option.name)
    assert exchange_argument_spec() == argument_spec(EXCHANGE)
    assert set(assume_argument_spec()) - set(OPTIONS) == {
        "credentials_profile", "aws_shared_credentials_file", "credential_process_profile", "aws_config_file",
        "credential_process_dir", "credential_process_cache_dir", "verify_caller_identity", "wait_for_propagation",
        "propagation_timeout"}


def test_the_runner_keeps_and_takes_exactly_the_process_options(tmp_path):
    every = dict((option.name, "/abs/%s" % option.name) for option in EXCHANGE)
    every.update(token=None, duration_seconds=3600)
    profile = ProcessProfile("p", str(tmp_path / "config"), str(tmp_path / "dir"))
    settings = profile.changes(OptionAdapter.from_dict(every), "eu-west-1", "/usr/bin/python3")[0]
    kept = json.loads(settings.after.decode())["options"]
    assert set(kept) == set(PROCESS_OPTIONS)
    assert {"token", "profile", "access_key", "secret_key", "session_token"}.isdisjoint(PROCESS_OPTIONS)
    path = tmp_path / "s.json"
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"version": 1, "options": dict(every, token="a.b.c")}, handle)
    assert set(load_settings(str(path))) == set(PROCESS_OPTIONS)


def test_an_option_names_its_part_of_the_cache_key():
    with pytest.raises(ValueError):
        Option("x", key="somewhere")
    assert Option("x", type="int", default=3, aliases=("y",), env=("X",)).argspec()["aliases"] == ["y"]


def test_the_adapter_reads_a_module_a_plugin_and_a_dict():
    class Module:
        params = {"audience": "a", "role_arn": None}

    class Plugin:
        option_definitions = {"audience": {}}

        def get_option(self, name):
            return {"audience": "b"}[name]

    assert OptionAdapter.from_ansible_module(Module()).as_dict(("audience", "role_arn")) == {"audience": "a", "role_arn": None}
    assert OptionAdapter.from_ansible_plugin(Plugin()).as_dict(("audience", "token")) == {"audience": "b", "token": None}
    assert OptionAdapter.from_dict({}).get("timeout", 60) == 60


# -- the one audience ------------------------------------------------------------------------------------------

def test_the_audience_is_documented_once_with_the_validators_default(docs):
    fragment = os.path.join(ROOT, "plugins", "doc_fragments", "audience.py")
    for name in MODULES + (LOOKUP,):
        assert docs[name]["options"]["audience"]["default"] == DEFAULT_AUDIENCE
    for directory in ("modules", "doc_fragments", "lookup"):
        for name in os.listdir(os.path.join(ROOT, "plugins", directory)):
            path = os.path.join(ROOT, "plugins", directory, name)
            if name.endswith(".py") and path != fragment:
                with open(path) as handle:
                    text = handle.read()
                documentation = text.split('DOCUMENTATION = r"""', 1)[-1].split('"""', 1)[0] if "DOCUMENTATION" in text else ""
                assert DEFAULT_AUDIENCE not in documentation, "%s repeats the audience default" % path
    from ansible_collections.multicloud.oci_aws.plugins.modules import aws_oidc_role

    assert aws_oidc_role.argument_spec()["audience"]["default"] == exchange_argument_spec()["audience"]["default"] == DEFAULT_AUDIENCE


# -- amazon.aws parity -----------------------------------------------------------------------------------------

def test_every_amazon_aws_connection_name_and_alias_is_ours():
    spec = aws_argument_spec()
    for name, (kind, aliases) in AMAZON_AWS.items():
        assert spec[name]["type"] == kind, name
        assert set(aliases) <= set(spec[name].get("aliases", [])), name


@pytest.mark.parametrize("spec", [aws_argument_spec, assume_argument_spec], ids=["aws_oidc_role", "oci_aws_assume"])
def test_one_amazon_aws_connection_dict_is_accepted(spec):
    params = dict(CONNECTION_DICT, role_arn="arn:aws:iam::123456789012:role/r") if spec is assume_argument_spec else dict(
        CONNECTION_DICT)
    result = ArgumentSpecValidator(spec()).validate(params)
    assert result.error_messages == []
    validated = result.validated_parameters
    assert (validated["access_key"], validated["region"], validated["aws_config"]["max_pool_connections"]) == (
        "AKIAIOSFODNN7EXAMPLE", "eu-west-1", 4)
    connection = AwsConnection.from_options(validated)
    assert connection.aws_config == {"max_pool_connections": 4, "use_fips_endpoint": False}


# -- aws_config ------------------------------------------------------------------------------------------------

def test_aws_config_reaches_botocore_bounded_by_the_collection():
    proxies = {"https": "http://user:proxy-password@proxy.example:3128"}
    connection = AwsConnection.from_options(dict(region="eu-west-1", aws_config=dict(
        proxies=proxies, connect_timeout=3, user_agent_extra="mine", max_pool_connections=2)))
    config = connection.client("sts", unsigned=True).client.meta.config
    assert (config.proxies, config.connect_timeout, config.max_pool_connections) == (proxies, 3, 2)
    assert config.user_agent_extra.startswith("mine ") and "multicloud.oci_aws" in config.user_agent_extra
    assert config.retries["total_max_attempts"] == 1


@pytest.mark.parametrize("config, part", [
    ({"retries": {"max_attempts": 10}}, "cannot set retries"),
    ({"signature_version": "v4"}, "cannot set signature_version"),
    ({"proxy": "http://user:proxy-password@p:1"}, "does not know: proxy"),
    ("proxies", "must be a dictionary"),
])
def test_bad_aws_config_is_refused_before_any_request_without_its_values(config, part):
    with pytest.raises(OptionError) as caught:
        AwsConnection.from_options(dict(aws_config=config))
    assert caught.value.option == "aws_config" and part in caught.value.msg
    assert "proxy-password" not in caught.value.msg
    assert set(OWN_CONFIG) == {"retries", "signature_version"}


def test_the_connection_records_each_call_by_name_only():
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsClient
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Retrier

    connection = AwsConnection(region="eu-west-1")
    client = connection.client("sts", unsigned=True)
    client.client.get_caller_identity = lambda **params: {"Arn": "arn:aws:sts::1:x", "Account": "1"}
    client.call("get_caller_identity")
    client.call("get_caller_identity")
    assert connection.resource_actions == ["sts:GetCallerIdentity"]
    assert isinstance(client, AwsClient) and isinstance(connection.retrier, Retrier)


def test_a_plain_http_endpoint_url_is_refused_before_any_request():
    """``parse_https_url(allow_http=)`` let endpoint_url be http://, which would send the web identity token in clear."""
    with pytest.raises(OptionError) as caught:
        AwsConnection.from_options(dict(endpoint_url="http://sts.example.com"))
    assert caught.value.option == "endpoint_url" and "must start with https://" in caught.value.msg
