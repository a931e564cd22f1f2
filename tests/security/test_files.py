"""Threats to the files the collection writes on hosts and on the controller (threat model: files).

The attacker is another local user (uid 65534 here, "nobody"): they can write where the modes let
them, and they own what they planted. The module's own code path is driven through its manager
(``_assume.Assume``, with the exchange replaced by a fake that records whether it was called), the
runner as the AWS CLI runs it (a subprocess), and one playbook in check and diff mode.
"""

import datetime
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_no_secret
from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.assume import Assume
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process import runner_bundle
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import Credentials
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import UnsafePath
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import check_trusted, make_private_dirs
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import (
    CLIENT_ID,
    CLIENT_SECRET,
    DOMAIN_URL,
    ROLE_ARN,
    SECRET_KEY,
    SESSION_TOKEN,
)

OTHER_UID = 65534
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="planting a directory of another user needs root (os.chown)")
CREDENTIALS = Credentials("ASIAEXAMPLEEXAMPLE01", SECRET_KEY, SESSION_TOKEN,
                          datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc), "arn:aws:sts::1:assumed-role/r/s")
PLANTED_SECRET = "planted-secret-access-key-0123456789"
PLANTED_TOKEN = "planted-session-token-0123456789"


def _mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def _tree(root):
    """Every path under ``root`` with its mode: what a refused run must leave as it was."""
    found = {}
    for directory, dirs, files in os.walk(str(root)):
        for name in dirs + files:
            path = os.path.join(directory, name)
            found[path] = _mode(path)
    return found


class FakeExchange:
    """Stands for the exchange (tests/e2e make the real one): records whether a request would have been made."""

    def __init__(self):
        self.calls = 0
        self.region = "eu-west-1"

    def run(self):
        self.calls += 1
        return CREDENTIALS


def assume(home, **params):
    """The module's manager with the module's parameters (paths under ``home``), the exchange faked."""
    defaults = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, role_arn=ROLE_ARN,
                    aws_shared_credentials_file=str(home / ".aws" / "credentials"),
                    aws_config_file=str(home / ".aws" / "config"),
                    credential_process_dir=str(home / ".aws" / "multicloud.oci_aws"))
    defaults.update(params)
    manager = Assume.from_params(defaults)
    manager.exchange = FakeExchange()
    return manager


# -- threat 4: parents that others can write ---------------------------------------------------------

def test_parents_created_under_umask_0000_are_private(tmp_path):
    """Threat 4: missing parents made world-writable let another user swap the directory."""
    target = tmp_path / "a" / "b" / "c"
    old = os.umask(0)
    try:
        created = make_private_dirs(str(target), "credential_process_dir")
    finally:
        os.umask(old)
    assert created == [str(tmp_path / "a"), str(tmp_path / "a" / "b"), str(target)]
    assert [_mode(p) for p in created] == [0o700, 0o700, 0o700]


def test_module_under_umask_0000_makes_every_missing_parent_0700(tmp_path):
    """Threat 4: under umask 0000 the module (credential_process_profile and credentials_profile) used to create
    the parents of credential_process_dir 0777, so another user could rename the directory and plant a runner."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    process_dir = home / "deep" / "er" / "proc"
    manager = assume(home, credentials_profile="oci-static", credential_process_profile="oci-process",
                     credential_process_dir=str(process_dir))
    old = os.umask(0)
    try:
        result = manager.run(check_mode=False, diff=False, python=sys.executable)
    finally:
        os.umask(old)
    assert result["changed"]
    made = [home / "deep", home / "deep" / "er", process_dir, home / ".aws"]
    assert {str(p): _mode(p) for p in made} == {str(p): 0o700 for p in made}
    files = [process_dir / "credential_process.pyz", process_dir / "oci-process.json", home / ".aws" / "config",
             home / ".aws" / "credentials"]
    assert {str(p): _mode(p) for p in files} == {str(p): 0o600 for p in files}


@pytest.mark.parametrize("open_mode", [0o777, 0o775, 0o757], ids=oct)
def test_a_parent_others_can_write_is_refused_before_any_request_and_nothing_is_written(tmp_path, open_mode):
    """Threat 4: a group- or world-writable, not sticky parent of credential_process_dir (or of the AWS files):
    another user could rename what the module makes there. Refused naming the option and the fix; no request,
    nothing written, in check mode too."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    shared = home / "shared"
    shared.mkdir()
    shared.chmod(open_mode)
    cases = [
        ("credential_process_dir", dict(credential_process_profile="p", credential_process_dir=str(shared / "proc"))),
        ("aws_config_file", dict(credential_process_profile="p", aws_config_file=str(shared / "config"))),
        ("aws_shared_credentials_file", dict(credentials_profile="s",
                                             aws_shared_credentials_file=str(shared / "credentials"))),
    ]
    before = _tree(home)
    for option, params in cases:
        for check_mode in (True, False):
            manager = assume(home, **params)
            with pytest.raises(UnsafePath) as refused:
                manager.run(check_mode=check_mode, diff=True, python=sys.executable)
            assert option in refused.value.msg and "chmod go-w %s" % shared in refused.value.msg
            assert manager.exchange.calls == 0
            assert _tree(home) == before


@needs_root
def test_a_parent_owned_by_another_user_is_refused_and_nothing_is_written(tmp_path):
    """Threat 4: a directory on the path that belongs to another user (even 0755): they can replace what is in it."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    theirs = home / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(str(theirs), OTHER_UID, OTHER_UID)
    before = _tree(home)
    for params in (dict(credential_process_profile="p", credential_process_dir=str(theirs / "a" / "proc")),
                   dict(credentials_profile="s", aws_shared_credentials_file=str(theirs / "credentials"))):
        manager = assume(home, **params)
        with pytest.raises(UnsafePath) as refused:
            manager.run(check_mode=False, diff=False, python=sys.executable)
        assert "belongs to another user (uid %d)" % OTHER_UID in refused.value.msg
        assert "belongs to you or to root" in refused.value.msg and manager.exchange.calls == 0
        assert _tree(home) == before


@needs_root
def test_a_directory_planted_by_another_user_meanwhile_is_not_used(tmp_path, monkeypatch):
    """Threat 4: another user makes the missing directory between the check and the mkdir (a race): refused."""
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    target = sticky / "cache"
    real_mkdir = os.mkdir

    def racing_mkdir(path, mode=0o777, **kwargs):
        if path == str(target) and not os.path.exists(path):
            real_mkdir(path, 0o700)
            os.chown(path, OTHER_UID, OTHER_UID)
        return real_mkdir(path, mode, **kwargs)

    monkeypatch.setattr(os, "mkdir", racing_mkdir)
    with pytest.raises(UnsafePath) as refused:
        make_private_dirs(str(target / "entries"), "the credential cache")
    assert "belongs to another user" in refused.value.msg and not (target / "entries").exists()


def _write_settings(directory, options):
    path = directory / "ci.json"
    path.write_text(json.dumps({"version": 1, "options": options}))
    path.chmod(0o600)
    return path


def _run_runner(runner, settings):
    return subprocess.run([sys.executable, str(runner), "--settings", str(settings)], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, PYTHONPATH=""), check=False)


@pytest.mark.parametrize("attack", ["settings dir 0777", "settings dir 0770", "settings dir of another user",
                                    "settings file of another user", "runner dir 0777", "runner dir of another user",
                                    "runner file 0666"])
def test_the_runner_refuses_files_another_user_could_have_replaced(tmp_path, attack):
    """Threat 4: the runner (run by the AWS CLI as the victim) must not read settings, nor keep running from a
    runner, that another user could have replaced: exit 1, a message on stderr naming the file, no traceback,
    nothing on stdout (the AWS CLI would read it as credentials)."""
    if "another user" in attack and not ROOT:
        pytest.skip("needs root (os.chown)")
    home = tmp_path / "home"
    settings_dir, runner_dir = home / "settings", home / "runner"
    for directory in (home, settings_dir, runner_dir):
        directory.mkdir(mode=0o700)
    runner = runner_dir / "credential_process.pyz"
    runner.write_bytes(runner_bundle())
    runner.chmod(0o600)
    # domain_url is refused by the exchange before any request: a run that gets past the checks says so.
    settings = _write_settings(settings_dir, dict(domain_url="http://insecure.example.com", client_id=CLIENT_ID,
                                                  client_secret=CLIENT_SECRET, role_arn=ROLE_ARN))
    control = _run_runner(runner, settings)
    assert control.returncode == 1 and "domain_url must start with https://" in control.stderr

    where, change = attack.split(" ", 1)[0], attack.split(" ", 2)[2]
    target = {"settings": {"dir": settings_dir, "file": settings}, "runner": {"dir": runner_dir, "file": runner}}[
        where][attack.split(" ")[1]]
    if change == "of another user":
        os.chown(str(target), OTHER_UID, OTHER_UID)
    else:
        target.chmod(int(change, 8))
    done = _run_runner(runner, settings)
    assert done.returncode == 1 and done.stdout == ""
    what = "the settings file" if where == "settings" else "the credential_process runner"
    assert done.stderr.startswith("multicloud.oci_aws credential_process: refusing to use %s" % what), done.stderr
    assert str(target) in done.stderr and "oci_aws_assume again" in done.stderr
    assert "Traceback" not in done.stderr and "domain_url" not in done.stderr
    assert_no_secret(done.stderr, {"client secret": CLIENT_SECRET})


# -- threat 5: existing directories chmod-ed ---------------------------------------------------------

def test_sticky_world_writable_parent_is_accepted_and_keeps_its_mode(tmp_path):
    """Threat 5: a 1777 directory such as /tmp is used as it is, never chmod-ed."""
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    make_private_dirs(str(sticky / "cache"), "the credential cache")
    assert _mode(sticky) == 0o1777
    check_trusted(str(sticky / "cache"), "the credential cache")


def test_a_credentials_file_directly_in_a_1777_directory_leaves_it_1777(tmp_path):
    """Threat 5: aws_shared_credentials_file (and the config file, and credential_process_dir) directly in an
    existing 1777 directory used to make it 0700 and drop the sticky bit; as root with /tmp, that is /tmp."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    real_tmp = tempfile.gettempdir()
    assert _mode(real_tmp) == 0o1777
    name = os.path.join(real_tmp, "h2-test-%s" % uuid.uuid4().hex)
    try:
        # All three directly in a 1777 directory of the test's own; in the real /tmp, the two AWS files (and a
        # credential_process_dir of the test's own, so that nothing of ours is left directly in /tmp).
        for directory, prefix, process_dir in ((str(sticky), str(sticky / "x"), str(sticky)),
                                               (real_tmp, name, name + "-proc")):
            manager = assume(home, credentials_profile="s", aws_shared_credentials_file=prefix + "-credentials",
                             credential_process_profile="p", aws_config_file=prefix + "-config",
                             credential_process_dir=process_dir)
            assert manager.run(check_mode=False, diff=False, python=sys.executable)["changed"]
            assert _mode(directory) == 0o1777
            assert _mode(prefix + "-credentials") == 0o600 and _mode(prefix + "-config") == 0o600
    finally:
        for suffix in ("-credentials", "-config"):
            if os.path.exists(name + suffix):
                os.unlink(name + suffix)
        shutil.rmtree(name + "-proc", ignore_errors=True)
    assert _mode(real_tmp) == 0o1777


def test_an_existing_directory_open_to_others_keeps_its_mode_with_a_warning(tmp_path):
    """Threat 5: an existing credential_process_dir of mode 0755 used to be chmod-ed 0700; it keeps its mode (its
    files are 0600), the run warns with the command that closes it, and ~/.aws (0755 as the AWS CLI makes it)
    keeps its mode without a warning."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / ".aws").mkdir(mode=0o755)
    (home / ".aws").chmod(0o755)
    process_dir = home / ".aws" / "multicloud.oci_aws"
    process_dir.mkdir()
    process_dir.chmod(0o755)
    manager = assume(home, credentials_profile="s", credential_process_profile="p")
    manager.run(check_mode=False, diff=False, python=sys.executable)
    assert _mode(home / ".aws") == 0o755 and _mode(process_dir) == 0o755
    assert [w for w in manager.warnings if "open to others" in w] == [
        "credential_process_dir %s is open to others (mode 0755): its files are 0600, but others can list their "
        "names; run chmod 0700 %s (the collection does not change the mode of a directory it did not create)"
        % (process_dir, process_dir)]


# -- threat 2: secrets already in a file, shown by --diff ----------------------------------------------

def _plant_secrets(home):
    aws = home / ".aws"
    aws.mkdir(mode=0o700)
    (aws / "config").write_text("[profile oci-process]\naws_access_key_id = AKIAPLANTEDEXAMPLE01\n"
                                "aws_secret_access_key = %s\naws_session_token = %s\nregion = eu-west-1\n"
                                % (PLANTED_SECRET, PLANTED_TOKEN))
    (aws / "credentials").write_text("[oci-static]\naws_access_key_id = AKIAPLANTEDEXAMPLE02\n"
                                     "aws_secret_access_key = %s-2\naws_session_token = %s-2\n"
                                     % (PLANTED_SECRET, PLANTED_TOKEN))
    for name in ("config", "credentials"):
        (aws / name).chmod(0o600)
    return {"planted secret key": PLANTED_SECRET, "planted session token": PLANTED_TOKEN,
            "planted access key id": "AKIAPLANTEDEXAMPLE01", "client secret": CLIENT_SECRET,
            "new secret key": SECRET_KEY, "new session token": SESSION_TOKEN}


def test_diff_never_shows_a_secret_already_in_a_profile(tmp_path):
    """Threat 2: --diff on credential_process_profile showed an aws_secret_access_key already in that profile.
    The module's manager in check and diff mode: no secret of the files, old or new, in the diff; nothing written."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    secrets = _plant_secrets(home)
    before = {p: open(p, "rb").read() for p in (str(home / ".aws" / "config"), str(home / ".aws" / "credentials"))}
    manager = assume(home, credentials_profile="oci-static", credential_process_profile="oci-process")
    result = manager.run(check_mode=True, diff=True, python=sys.executable)
    shown = json.dumps(result["diff"])
    assert result["changed"] and "<hidden>" in shown and "region = eu-west-1" in shown
    assert_no_secret(shown, secrets, "the diff")
    assert {p: open(p, "rb").read() for p in before} == before
    assert not (home / ".aws" / "multicloud.oci_aws").exists()


# -- the mechanism, for every tree -----------------------------------------------------------------

ME = 1000
OWNERS = {"me": ME, "root": 0, "other": OTHER_UID}
MODES = [0o700, 0o711, 0o750, 0o755, 0o770, 0o775, 0o757, 0o777, 0o1777, 0o1770, 0o1755, 0o2775, 0o2755, 0o600, 0o620]


def _trusted(owner, mode, is_dir):
    return owner in ("me", "root") and (not mode & 0o022 or (is_dir and bool(mode & 0o1000)))


@needs_root
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chain=st.lists(st.tuples(st.sampled_from(sorted(OWNERS)), st.sampled_from(MODES)), min_size=1, max_size=4),
       last_is_file=st.booleans(), missing_tail=st.integers(min_value=0, max_value=2),
       link=st.one_of(st.none(), st.tuples(st.integers(min_value=0, max_value=3), st.sampled_from(sorted(OWNERS)))))
def test_check_trusted_accepts_a_path_iff_every_component_is_trusted(tmp_path, chain, last_is_file, missing_tail, link):
    """Threat 4 (the mechanism): for random trees of owners and modes, with or without a symbolic link on the way,
    check_trusted accepts a path exactly when every existing component (each directory, the file, the link's own
    owner, and the directory the link leads to) belongs to the user or root and is closed to others' writes unless
    it is a sticky directory; the missing tail does not matter; a refusal names an untrusted component."""
    base = tempfile.mkdtemp(dir=str(tmp_path))
    try:
        current, bad = base, []
        link_at = None if link is None or link[0] >= len(chain) or (last_is_file and link[0] == len(chain) - 1) \
            else link[0]
        for index, (owner, mode) in enumerate(chain):
            current = os.path.join(current, "c%d" % index)
            is_dir = not (last_is_file and index == len(chain) - 1)
            made = current
            if index == link_at:  # c<index> is a link to a directory elsewhere, which has the owner and mode drawn
                made = os.path.join(base, "target")
                os.symlink(made, current)
                os.lchown(current, OWNERS[link[1]], OWNERS[link[1]])
                if link[1] == "other":
                    bad.append(current)
            if is_dir:
                os.mkdir(made)
            else:
                open(made, "w").close()
            os.chmod(made, mode)
            os.chown(made, OWNERS[owner], OWNERS[owner])
            if not _trusted(owner, mode, is_dir):
                bad.append(made)
        path = os.path.join(current, *(["missing"] * missing_tail)) if missing_tail else current
        if last_is_file and missing_tail:
            bad.append(current)  # a file where a directory would have to be
        with mock.patch.object(_paths.os, "geteuid", return_value=ME):
            try:
                check_trusted(path, "the test path")
                accepted, message = True, ""
            except UnsafePath as exc:
                accepted, message = False, exc.msg
        assert accepted is (not bad), (chain, last_is_file, missing_tail, link, message)
        if not accepted:
            assert any(" %s " % component in message for component in bad), (message, bad)
    finally:
        shutil.rmtree(base)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(existing=st.lists(st.sampled_from([0o700, 0o755, 0o711, 0o1777, 0o750]), min_size=0, max_size=2),
       depth=st.integers(min_value=1, max_value=3), umask=st.sampled_from([0o000, 0o002, 0o022, 0o077, 0o277]))
def test_make_private_dirs_creates_0700_at_every_level_and_keeps_existing_modes(tmp_path, existing, depth, umask):
    """Threat 4 and 5 (the mechanism): whatever the umask, every directory made is 0700, and every directory that
    was there keeps its mode."""
    base = tempfile.mkdtemp(dir=str(tmp_path))
    try:
        current = base
        for index, mode in enumerate(existing):
            current = os.path.join(current, "e%d" % index)
            os.mkdir(current)
            os.chmod(current, mode)
        kept = _tree(base)
        target = os.path.join(current, *["n%d" % i for i in range(depth)])
        old = os.umask(umask)
        try:
            created = make_private_dirs(target, "the test path")
        finally:
            os.umask(old)
        assert len(created) == depth and created[-1] == target
        assert [_mode(p) for p in created] == [0o700] * depth
        assert dict((p, _mode(p)) for p in kept) == kept
    finally:
        shutil.rmtree(base)


PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Both profiles, in check and diff mode, over files that already hold secrets
      %(module)s:
        domain_url: "%(domain_url)s"
        client_id: "%(client_id)s"
        client_secret: "{{ lookup('env', 'TEST_CLIENT_SECRET') }}"
        role_arn: "%(role_arn)s"
        credentials_profile: oci-static
        credential_process_profile: oci-process
"""


def test_diff_of_a_playbook_run_never_shows_a_secret_already_in_a_profile(fresh_sandbox, tmp_path):
    """Threat 2: ansible-playbook --check --diff -v (as users run it, the real exchange against the sandbox) with
    secrets planted in both profiles: none of them, and none of the new credentials, is printed; nothing written."""
    from e2e.exchange_support import MODULE, Federation, ansible_env, run_playbook  # pylint: disable=import-outside-toplevel

    federation = Federation(fresh_sandbox).build()
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    secrets = _plant_secrets(home)
    secrets["client secret"] = federation.client_secret
    before = _tree(home)
    contents = dict((name, (home / ".aws" / name).read_bytes()) for name in ("config", "credentials"))
    env = ansible_env(fresh_sandbox, home, TEST_CLIENT_SECRET=federation.client_secret)
    playbook = PLAYBOOK % dict(module=MODULE, domain_url=fresh_sandbox.domain_url, client_id=federation.client_id,
                               role_arn=federation.role_arn)
    done = run_playbook(env, tmp_path, playbook, "--check", "--diff", "-v")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "aws_secret_access_key = <hidden>" in output and "credential_process = " in output
    assert_no_secret(output, secrets, "the playbook's output")
    assert dict((name, (home / ".aws" / name).read_bytes()) for name in contents) == contents
    assert dict((p, m) for p, m in _tree(home).items() if "/.ansible" not in p) == before
