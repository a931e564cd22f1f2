"""The action plugin controller_private_dir: the StrictModes-like checks of module_utils/_paths and the 0700
mkdir, in the controller process, with check mode, `changed` and the details a role words its message from."""

import json
import os
import stat
import subprocess
import sys
import types

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
from conftest import COLLECTIONS_BASE

try:  # ansible-core 2.19 and later: importing the controller's code marks the process as the controller
    from ansible.module_utils import _internal
except ImportError:  # ansible-core 2.16 and 2.17
    _internal = None
if not hasattr(_internal, "is_controller"):  # 2.18 has the package, not the flag
    _internal = None

OPTION = "oci_oidc_provider_secret_file"


@pytest.fixture(autouse=True)
def plugin():
    """The action plugin's module, imported here, not at collection: the mark that its import sets (warnings go to
    the display, not into module results) is put back after each test, for the module tests run in this process."""
    was_controller = _internal.is_controller if _internal else None
    from ansible_collections.multicloud.oci_aws.plugins.action import controller_private_dir

    yield controller_private_dir
    if _internal:
        _internal.is_controller = was_controller


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def run(args, check_mode=False):
    """The plugin's result, as the task executor would get it (no connection is used)."""
    task = types.SimpleNamespace(args=dict(args), async_val=0, check_mode=check_mode,
                                 action="multicloud.oci_aws.controller_private_dir")
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir=None))
    from ansible_collections.multicloud.oci_aws.plugins.action.controller_private_dir import ActionModule

    return ActionModule(task, connection, play_context=None, loader=None, templar=None).run(task_vars={})


def test_missing_directories_are_made_0700_at_every_level_whatever_the_umask(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    old = os.umask(0)
    try:
        result = run(dict(path=str(target), option=OPTION))
    finally:
        os.umask(old)
    assert result == dict(changed=True, path=str(target),
                          created=[str(tmp_path / "a"), str(tmp_path / "a" / "b"), str(target)])
    assert [mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", target)] == [0o700, 0o700, 0o700]
    again = run(dict(path=str(target), option=OPTION))
    assert again == dict(changed=False, path=str(target), created=[])


def test_check_mode_checks_and_creates_nothing(tmp_path):
    target = tmp_path / "a" / "b"
    result = run(dict(path=str(target), option=OPTION), check_mode=True)
    assert result["changed"] is True and result["created"] == [str(tmp_path / "a"), str(target)]
    assert not (tmp_path / "a").exists()
    shared = tmp_path / "open"
    shared.mkdir()
    shared.chmod(0o777)
    refused = run(dict(path=str(shared / "store"), option=OPTION), check_mode=True)
    assert refused["failed"] is True and not (shared / "store").exists()


def test_existing_directories_keep_their_mode_and_nothing_changes(tmp_path):
    existing = tmp_path / "existing"
    existing.mkdir()
    existing.chmod(0o755)
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    assert run(dict(path=str(existing), option=OPTION)) == dict(changed=False, path=str(existing), created=[])
    assert run(dict(path=str(sticky), option=OPTION)) == dict(changed=False, path=str(sticky), created=[])
    assert mode(existing) == 0o755 and mode(sticky) == 0o1777
    made = run(dict(path=str(sticky / "store"), option=OPTION))
    assert made["created"] == [str(sticky / "store")] and mode(sticky) == 0o1777 and mode(sticky / "store") == 0o700


def test_a_parent_others_can_write_is_refused_with_the_option_the_directory_and_the_fix(tmp_path):
    shared = tmp_path / "open"
    shared.mkdir()
    shared.chmod(0o777)
    result = run(dict(path=str(shared / "store"), option=OPTION))
    assert result == dict(
        failed=True, changed=False, path=str(shared / "store"), component=str(shared),
        why="is writable by others (mode 0777) and not sticky",
        fix="remove that write permission (chmod go-w %s) or choose another path" % shared,
        msg="refusing to use %s %s: %s is writable by others (mode 0777) and not sticky; remove that write "
            "permission (chmod go-w %s) or choose another path" % (OPTION, shared / "store", shared, shared))
    assert mode(shared) == 0o777 and not (shared / "store").exists()


def test_a_group_writable_directory_on_a_linked_path_is_refused_where_the_link_leads(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    real.chmod(0o775)
    (tmp_path / "link").symlink_to(real)
    result = run(dict(path=str(tmp_path / "link" / "store"), option=OPTION))
    assert result["failed"] is True and result["component"] == str(real)
    assert result["why"] == "is writable by its group (mode 0775) and not sticky"
    assert not (real / "store").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (os.chown)")
def test_a_directory_of_another_user_is_refused_even_0755(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    theirs.chmod(0o755)
    os.chown(str(theirs), 65534, 65534)
    result = run(dict(path=str(theirs / "store"), option=OPTION))
    assert result["failed"] is True and result["why"] == "belongs to another user (uid 65534)"
    assert "use a path whose every directory belongs to you or to root" in result["msg"]
    assert not (theirs / "store").exists()


def test_a_directory_someone_else_made_meanwhile_is_refused_before_use(tmp_path, monkeypatch):
    real_mkdir = os.mkdir

    def raced(path, dir_mode=0o777):
        if path == str(tmp_path / "store"):
            real_mkdir(path, 0o777)  # the other user's directory, open to all, made between the check and the mkdir
            os.chmod(path, 0o777)
            raise FileExistsError(17, "File exists")
        return real_mkdir(path, dir_mode)

    monkeypatch.setattr(_paths.os, "mkdir", raced)
    result = run(dict(path=str(tmp_path / "store" / "deeper"), option=OPTION))
    assert result["failed"] is True and result["component"] == str(tmp_path / "store")
    assert result["why"] == "is writable by others (mode 0777) and not sticky"
    assert not (tmp_path / "store" / "deeper").exists()


def test_a_directory_that_cannot_be_made_fails_naming_it(tmp_path, monkeypatch):
    def denied(path, dir_mode=0o777):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_paths.os, "mkdir", denied)
    result = run(dict(path=str(tmp_path / "store"), option=OPTION))
    assert result == dict(failed=True, changed=False, path=str(tmp_path / "store"),
                          msg="cannot create %s %s: Permission denied" % (OPTION, tmp_path / "store"))


def test_the_path_is_expanded_and_made_absolute(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert run(dict(path="~/store"))["created"] == [str(tmp_path / "store")]
    monkeypatch.chdir(tmp_path)
    assert run(dict(path="relative"))["path"] == str(tmp_path / "relative")


def test_options_are_checked():
    from ansible.errors import AnsibleActionFail

    with pytest.raises(AnsibleActionFail, match="Invalid options"):
        run(dict(path="/tmp", mode="0755"))
    with pytest.raises(AnsibleActionFail, match="path"):
        run(dict(option=OPTION))


def test_the_argument_spec_is_the_documented_one(plugin):
    import yaml

    from ansible_collections.multicloud.oci_aws.plugins.modules import controller_private_dir as doc

    options = yaml.safe_load(doc.DOCUMENTATION)["options"]
    spec = plugin.ARGUMENT_SPEC
    assert sorted(options) == sorted(spec)
    for name, option in options.items():
        assert option["type"] == spec[name]["type"]
        assert option.get("required", False) == spec[name].get("required", False)
        assert option.get("default") == spec[name].get("default")


def test_ansible_runs_it_by_its_fqcn_in_check_mode_and_not(tmp_path):
    """One ad-hoc run each way, as a playbook task runs it: check mode makes nothing, a run makes the directory."""
    target = tmp_path / "a" / "b"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    command = [ansible, "localhost", "-m", "multicloud.oci_aws.controller_private_dir", "-a",
               json.dumps(dict(path=str(target), option=OPTION))]
    results = []
    for extra in (["--check"], []):
        done = subprocess.run(command + extra, env=env, capture_output=True, text=True, check=False, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith("localhost | CHANGED => "), done.stdout  # the minimal callback of ad-hoc runs
        results.append(json.loads(done.stdout.split("=>", 1)[1]))
        if extra:
            assert not (tmp_path / "a").exists()
    assert [r["changed"] for r in results] == [True, True]
    assert results[0]["created"] == results[1]["created"] == [str(tmp_path / "a"), str(target)]
    assert mode(target) == 0o700
