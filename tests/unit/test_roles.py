"""The roles and playbooks as issue 12 (sections 2 and 6) wants them, read from their YAML.

- one ansible-core floor: the roles' meta/main.yml min_ansible_version is meta/runtime.yml's requires_ansible;
- on the audience path one role default (oci_oidc_provider_audience), equal to the module option's default; the
  AWS role's own default, for its use alone, is the same value (the federation passes the app's instead);
- the federation's verification reads no variable of the other roles, its teardown opens no OCI connection,
  and no assert repeats what oci_aws_assume guarantees;
- the state of each role, a role argument, picks its tasks with static imports (tags reach them);
- no program source run by a playbook or role task is a Jinja template (data goes in argv or environment).
"""

import glob
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = os.path.join(ROOT, "roles")
FEDERATION = os.path.join(ROLES, "oci_aws_federation", "tasks")
OTHER_ROLES = re.compile(r"\b(oci_oidc_provider|aws_oidc_trust)_\w+")


def load(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def tasks(data):
    """Every task of a task list, blocks, rescue and always included, depth first."""
    for task in data or []:
        yield task
        for key in ("block", "rescue", "always"):
            yield from tasks(task.get(key))


def role_names():
    return sorted(os.path.basename(path) for path in glob.glob(os.path.join(ROLES, "*")) if os.path.isdir(path))


def test_the_roles_require_the_ansible_core_that_the_collection_requires():
    floor = re.match(r">=\s*(\d+\.\d+)", load("meta", "runtime.yml")["requires_ansible"]).group(1)
    versions = dict((name, str(load("roles", name, "meta", "main.yml")["galaxy_info"]["min_ansible_version"]))
                    for name in role_names())
    assert versions == dict((name, floor) for name in versions)


def test_the_audience_has_one_role_default_equal_to_the_module_default():
    defaults, documented = {}, {}
    for name in role_names():
        for key, value in (load("roles", name, "defaults", "main.yml") or {}).items():
            if "audience" in key and value not in (None, ""):
                defaults[key] = value
        for entry in load("roles", name, "meta", "argument_specs.yml")["argument_specs"].values():
            for key, spec in entry["options"].items():
                if "audience" in key and spec.get("default") is not None:
                    documented[key] = spec["default"]
    # The modules' audience is documented once, by the multicloud.oci_aws.audience fragment.
    source = open(os.path.join(ROOT, "plugins", "doc_fragments", "audience.py")).read()
    module_doc = yaml.safe_load(re.search(r'DOCUMENTATION = r?"""(.*?)"""', source, re.S).group(1))
    module_default = module_doc["options"]["audience"]["default"]
    # The federation path has one role default; aws_oidc_trust's is for the role used alone, and the provider's
    # purge of client IDs needs it (security issue, item 13).
    assert defaults == {"oci_oidc_provider_audience": module_default, "aws_oidc_trust_audience": module_default}
    assert documented == defaults


def test_the_verification_reads_no_variable_of_the_other_roles():
    with open(os.path.join(FEDERATION, "verify_role.yml")) as handle:
        text = handle.read()
    # What its templates and conditions read (a message may still name an option of theirs as advice).
    expressions = re.findall(r"\{\{(.*?)\}\}", text, re.S) + [
        str(task.get("when", "")) for task in tasks(yaml.safe_load(text))]
    assert sorted(set(m.group(0) for e in expressions for m in OTHER_ROLES.finditer(e))) == []


def test_the_verification_asserts_nothing_that_the_module_guarantees():
    actions = [key for task in tasks(load("roles", "oci_aws_federation", "tasks", "verify_role.yml")) for key in task]
    assert "ansible.builtin.assert" not in actions and "assert" not in actions


def test_the_teardown_opens_no_oci_connection_of_its_own():
    found = []
    for task in tasks(load("roles", "oci_aws_federation", "tasks", "absent.yml")):
        modules = [key for key in task if key.startswith("multicloud.oci_aws.oci_")]
        connection = [m.group(0) for m in re.finditer(r"oci_oidc_provider_(auth_type|config_\w+|cert_bundle)",
                                                      yaml.safe_dump(task))]
        found += modules + connection
    assert found == []


def test_the_state_picks_its_tasks_by_static_import():
    dynamic = []
    for name in role_names():
        for task in tasks(load("roles", name, "tasks", "main.yml")):
            when = task.get("when") or ""
            if "ansible.builtin.include_tasks" in task and "_state" in str(when):
                dynamic.append((name, task["name"]))
    assert dynamic == []


def test_no_program_source_is_a_template():
    templated = []
    files = glob.glob(os.path.join(ROOT, "playbooks", "*.yml")) + glob.glob(os.path.join(ROLES, "*", "tasks", "*.yml"))
    for path in files:
        data = load(path)
        plays = data if path.startswith(os.path.join(ROOT, "playbooks")) else [{"tasks": data}]
        for play in plays:
            for task in tasks(play.get("tasks")):
                argv = (task.get("ansible.builtin.command") or {}).get("argv") if isinstance(
                    task.get("ansible.builtin.command"), dict) else None
                if argv and "-c" in argv:
                    source = argv[argv.index("-c") + 1]
                    if "{{" in source or "{%" in source:
                        templated.append((os.path.relpath(path, ROOT), task["name"]))
    assert templated == []


def module_options(name):
    source = open(os.path.join(ROOT, "plugins", "modules", name + ".py")).read()
    return yaml.safe_load(re.search(r'DOCUMENTATION = r?"""(.*?)"""', source, re.S).group(1))["options"]


def test_aws_oidc_trust_exposes_every_quota_option_of_aws_oidc_role():
    # The quotas (options named *_limit) of aws_oidc_role: each one a role default with the module's default, an
    # argument spec entry with that default, passed to the module by the role's tasks, and named in its README.
    quotas = dict((key, spec["default"]) for key, spec in module_options("aws_oidc_role").items() if key.endswith("_limit"))
    assert {"trust_policy_size_limit", "managed_policies_limit"} <= set(quotas)
    defaults = load("roles", "aws_oidc_trust", "defaults", "main.yml")
    documented = load("roles", "aws_oidc_trust", "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    main = load("roles", "aws_oidc_trust", "tasks", "main.yml")
    passed = dict(main[1]["module_defaults"]["multicloud.oci_aws.aws_oidc_role"])
    with open(os.path.join(ROLES, "aws_oidc_trust", "README.md")) as handle:
        readme = handle.read()
    for key, default in quotas.items():
        variable = "aws_oidc_trust_" + key
        assert defaults.get(variable) == default, variable
        assert documented.get(variable, {}).get("default") == default, variable
        assert documented[variable]["type"] == "int"
        assert passed.get(key) == "{{ %s }}" % variable, key
        assert variable in readme, variable
