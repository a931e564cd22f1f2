"""The files the module writes: AWS profiles edited in place, private and atomic, diffs without
secrets, and the self-contained credential_process runner."""

import datetime
import errno
import io
import json
import os
import shlex
import stat
import subprocess
import sys
import zipfile

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.aws_files import (
    FileChange, check_profile, credentials_change, is_secret_key, masked_section, masked_text, private_directory, section_values, set_section,
    shadowing_credentials
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process import (
    ProcessProfile, _masked_settings, check_own_files, load_settings, main, runner_archive, runner_bundle
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import version1
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import Credentials
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import UnsafePath
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import (
    CLIENT_ID,
    CLIENT_SECRET,
    DOMAIN_URL,
    ROLE_ARN,
    SECRET_KEY,
    SESSION_TOKEN,
)

CREDENTIALS = Credentials("ASIAEXAMPLEEXAMPLE01", SECRET_KEY, SESSION_TOKEN,
                          datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc), "arn:aws:sts::1:assumed-role/r/s")
USER_FILE = """\
# my profiles
[default]
region = eu-west-1
s3 =
    max_concurrent_requests = 20
    addressing_style = path

[other]
aws_access_key_id = AKIAOTHER
aws_secret_access_key = other-secret
"""


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# -- INI sections ----------------------------------------------------------------------------------

def test_a_new_section_goes_at_the_end_and_everything_else_is_kept():
    after = set_section(USER_FILE, "ci", (("a", "1"), ("b", "2")))
    assert after == USER_FILE + "\n[ci]\na = 1\nb = 2\n"
    assert set_section("", "ci", (("a", "1"),)) == "[ci]\na = 1\n"


def test_keys_are_replaced_in_place_with_their_continuation_lines():
    after = set_section(USER_FILE, "default", (("s3", "none"), ("output", "json")))
    assert after == USER_FILE.replace("s3 =\n    max_concurrent_requests = 20\n    addressing_style = path\n",
                                      "s3 = none\noutput = json\n")
    assert set_section(after, "default", (("s3", "none"), ("output", "json"))) == after


def test_sections_are_matched_exactly():
    text = "[profile ci]\na=1\n[ci]\na = 2\n"
    assert set_section(text, "ci", (("a", "3"),)) == "[profile ci]\na=1\n[ci]\na = 3\n"
    assert section_values(text, "profile ci") == {"a": "1"}
    assert section_values(text, "missing") is None


def test_masked_sections_never_show_secret_values():
    before = set_section("", "ci", (("aws_access_key_id", "A1"), ("aws_secret_access_key", "S1"))).encode()
    after = set_section("", "ci", (("aws_access_key_id", "A2"), ("aws_secret_access_key", "S2"))).encode()
    keys = ("aws_secret_access_key",)
    # aws_access_key_id is hidden too (issue 11 item 2: every secret-like key; it used to be shown)
    assert masked_section(after, "ci", keys, before) == ("[ci]\naws_access_key_id = <hidden, changed>\n"
                                                         "aws_secret_access_key = <hidden, changed>\n")
    assert masked_section(after, "ci", keys, after).endswith("= <hidden>\n")
    assert masked_section(after, "other", keys) == ""


@pytest.mark.parametrize("name", ["", "has space", "a]b", "x" * 129, None])
def test_profile_names_are_checked(name):
    with pytest.raises(OptionError):
        check_profile(name, "credentials_profile")


# -- private files ---------------------------------------------------------------------------------

def test_files_are_0600_in_0700_directories_and_written_only_when_different(tmp_path):
    path = tmp_path / "new" / "dir" / "file"
    change = FileChange(str(path), b"one\n")
    assert change.changed and change.apply(check_mode=True)
    assert not path.parent.exists()
    assert change.apply(check_mode=False)
    assert path.read_bytes() == b"one\n" and mode(path) == 0o600 and mode(path.parent) == 0o700
    again = FileChange(str(path), b"one\n")
    assert not again.changed and not again.apply(check_mode=False)


def test_an_open_file_of_ours_is_tightened_and_its_existing_directory_keeps_its_mode(tmp_path):
    # Issue 11 item 5: the directory used to be made 0700 too; a directory the collection did not create keeps its mode.
    path = tmp_path / "aws" / "credentials"
    path.parent.mkdir(mode=0o755)
    path.parent.chmod(0o755)
    path.write_bytes(b"same\n")
    path.chmod(0o644)
    change = FileChange(str(path), b"same\n")
    assert change.changed and "(mode 0644)" in change.diff()["before"]
    assert change.apply(check_mode=False)
    assert mode(path) == 0o600 and mode(path.parent) == 0o755
    assert not private_directory(str(path.parent), check_mode=False)
    assert mode(path.parent) == 0o755 and change.warnings == []


def test_a_symbolic_link_is_written_through(tmp_path):
    target = tmp_path / "real"
    target.write_bytes(b"old\n")
    target.chmod(0o600)
    link = tmp_path / "link"
    link.symlink_to(target)
    FileChange(str(link), b"new\n").apply(check_mode=False)
    assert link.is_symlink() and target.read_bytes() == b"new\n"


def test_a_directory_in_the_way_is_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OciAwsError):
        private_directory(str(tmp_path / "file"), check_mode=False)


def test_the_credentials_profile_keeps_other_profiles_and_hides_secrets_in_the_diff(tmp_path):
    path = tmp_path / "credentials"
    path.write_text(USER_FILE)
    change = credentials_change(str(path), "oci", CREDENTIALS)
    change.apply(check_mode=False)
    text = path.read_text()
    assert text.startswith(USER_FILE)
    assert section_values(text, "oci") == {
        "aws_access_key_id": "ASIAEXAMPLEEXAMPLE01", "aws_secret_access_key": SECRET_KEY,
        "aws_session_token": SESSION_TOKEN, "x_security_token_expires": "2030-01-01T00:00:00Z"}
    diff = change.diff()
    assert diff["before"] == "(mode 0644)\n" and "aws_session_token = <hidden, changed>" in diff["after"]
    assert SECRET_KEY not in repr(diff) and SESSION_TOKEN not in repr(diff) and "other-secret" not in repr(diff)
    renewed = Credentials("ASIANEW", "new-secret", "new-token", CREDENTIALS.expiration, "arn")
    diff = credentials_change(str(path), "oci", renewed).diff()
    assert "aws_secret_access_key = <hidden, changed>" in diff["after"] and "new-secret" not in repr(diff)


def test_keys_in_the_credentials_file_shadow_a_credential_process(tmp_path):
    path = tmp_path / "credentials"
    path.write_text(USER_FILE)
    assert "botocore uses them before" in shadowing_credentials(str(path), "other")
    assert shadowing_credentials(str(path), "oci") is None
    assert shadowing_credentials(str(tmp_path / "missing"), "oci") is None


# -- credential_process ----------------------------------------------------------------------------

OPTIONS = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, role_arn=ROLE_ARN,
               audience="sts.amazon.com", duration_seconds=3600, validate_certs=True, access_key="AKIA",
               secret_key="do-not-keep", cert_bundle="relative/ca.pem")


def test_a_process_profile_keeps_the_options_it_needs_privately(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    profile = ProcessProfile("ci/deploy", str(tmp_path / "config"), str(tmp_path / "proc"))
    settings, runner, config = profile.changes(OptionAdapter.from_dict(OPTIONS), "eu-west-1", "/usr/bin/python3")
    assert settings.path == str(tmp_path / "proc" / "ci%2Fdeploy.json")
    kept = json.loads(settings.after)
    assert kept["version"] == 1
    assert kept["options"] == dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                   role_arn=ROLE_ARN, audience="sts.amazon.com", duration_seconds=3600,
                                   validate_certs=True, region="eu-west-1", cert_bundle=str(tmp_path / "relative/ca.pem"))
    assert CLIENT_SECRET not in settings.diff()["after"] and "<hidden>" in settings.diff()["after"]
    assert config.after.decode() == "[profile ci/deploy]\ncredential_process = /usr/bin/python3 %s --settings %s\n" % (
        runner.path, settings.path)
    assert "sha256" in runner.diff()["after"]
    for change in (settings, runner, config):
        change.apply(check_mode=False)
        assert mode(change.path) == 0o600
    assert mode(tmp_path / "proc") == 0o700
    assert not any(c.changed for c in profile.changes(OptionAdapter.from_dict(OPTIONS), "eu-west-1", "/usr/bin/python3"))


def test_paths_with_spaces_are_quoted_for_botocore(tmp_path):
    profile = ProcessProfile("ci", str(tmp_path / "config"), str(tmp_path / "my dir"))
    expected = ["/opt/py thon", str(tmp_path / "my dir" / "credential_process.pyz"), "--settings",
                str(tmp_path / "my dir" / "ci.json")]
    assert shlex.split(profile.command("/opt/py thon")) == expected


def test_a_token_string_cannot_back_a_process():
    with pytest.raises(OptionError) as info:
        ProcessProfile.check_options(OptionAdapter.from_dict({"token": "x.y.z"}))
    assert info.value.option == "token"


def test_the_runner_is_deterministic_and_carries_the_exchange():
    first, second = runner_bundle(), runner_bundle()
    assert first == second
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    for needed in ("__main__.py", "ansible/__init__.py", "ansible/module_utils/basic.py",
                   "ansible_collections/multicloud/oci_aws/plugins/module_utils/_exchange/sts.py",
                   "ansible_collections/multicloud/oci_aws/plugins/module_utils/_exchange/credential_process.py",
                   "ansible_collections/multicloud/oci_aws/plugins/module_utils/__init__.py"):
        assert needed in names
    assert not any("__pycache__" in name for name in names)


def write_settings(path, options, file_mode=0o600):
    path.write_text(json.dumps({"version": 1, "options": options}))
    path.chmod(file_mode)
    return str(path)


def test_settings_must_be_private_and_ours(tmp_path):
    # Only the options a credential_process takes (the one definition's PROCESS_OPTIONS) reach the exchange.
    assert load_settings(write_settings(tmp_path / "ok.json", {"a": 1, "domain_url": "u", "token": "t"})) == {
        "domain_url": "u"}
    for path, why in ((write_settings(tmp_path / "open.json", {}, 0o644), "mode 0600"),
                      (str(tmp_path / "missing.json"), "cannot open"),
                      (write_settings(tmp_path / "v2.json", {}), None)):
        if why is None:
            (tmp_path / "v2.json").write_text('{"version": 2, "options": {}}')
            why = "version 1"
        with pytest.raises(OciAwsError) as info:
            load_settings(path)
        assert why in info.value.msg


def test_the_runner_explains_failures_on_stderr_and_exits_1(tmp_path):
    runner = tmp_path / "runner.pyz"
    runner.write_bytes(runner_bundle())
    settings = write_settings(tmp_path / "s.json", dict(OPTIONS, domain_url="http://insecure.example.com"))
    done = subprocess.run([sys.executable, str(runner), "--settings", settings], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, PYTHONPATH=""), check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert "credential_process: domain_url must start with https://" in done.stderr
    assert CLIENT_SECRET not in done.stderr


def test_main_prints_version_1_json(tmp_path, monkeypatch):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import sts as _exchange

    made = []

    class FakeExchange:
        def __init__(self, spec, read_role="connection", **_options):
            made.append(read_role)

        def run(self):
            return CREDENTIALS

    monkeypatch.setattr(_exchange, "Exchange", FakeExchange)
    out, err = io.StringIO(), io.StringIO()
    settings = write_settings(tmp_path / "s.json", dict((k, v) for k, v in OPTIONS.items() if k != "cert_bundle"))
    assert main(["--settings", settings], out, err) == 0
    assert json.loads(out.getvalue()) == version1(CREDENTIALS) == {
        "Version": 1, "AccessKeyId": "ASIAEXAMPLEEXAMPLE01", "SecretAccessKey": SECRET_KEY,
        "SessionToken": SESSION_TOKEN, "Expiration": "2030-01-01T00:00:00Z"}
    assert made == [None] and err.getvalue() == ""


# -- issue 11: one path mechanism, masked diffs, the runner's own check ----------------------------

@pytest.mark.parametrize("name, secret", [
    ("aws_secret_access_key", True), ("aws_session_token", True), ("aws_access_key_id", True),
    ("aws_security_token", True), ("client_secret", True), ("Password", True), ("sso_private_key", True),
    ("x_security_token_expires", False), ("token_file", False), ("token_url", False),
    ("web_identity_token_file", False), ("region", False), ("credential_process", False), ("role_arn", False),
])
def test_secret_like_keys_are_recognised_by_their_names(name, secret):
    assert is_secret_key(name) is secret


def test_the_config_diff_hides_secrets_already_in_the_profile(tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile ci]\naws_secret_access_key = planted-secret-value\naws_session_token = planted-token\n"
                      "region = eu-west-1\n[default]\naws_secret_access_key = other-secret-value\n")
    config.chmod(0o600)
    profile = ProcessProfile("ci", str(config), str(tmp_path / "proc"))
    changes = profile.changes(OptionAdapter.from_dict(OPTIONS), "eu-west-1", "/usr/bin/python3")
    diff = repr([change.diff() for change in changes])
    for value in ("planted-secret-value", "planted-token", "other-secret-value", CLIENT_SECRET):
        assert value not in diff
    assert "aws_secret_access_key = <hidden>" in changes[2].diff()["after"] and "region = eu-west-1" in diff


def test_the_default_diff_of_a_file_hides_secret_like_keys():
    before = b"[a]\nclient_secret = s3cr3t-old\nregion = x\ns3 =\n    private_key = nested-secret\n"
    after = b"[a]\nclient_secret = s3cr3t-new\nregion = y\n"
    assert masked_text(after, before) == "[a]\nclient_secret = <hidden, changed>\nregion = y\n"
    assert "nested-secret" not in masked_text(before) and "s3cr3t" not in masked_text(before)


def test_settings_diffs_hide_every_secret_like_option():
    before = json.dumps({"version": 1, "options": {"client_secret": "old-secret-1", "role_arn": "a"}}).encode()
    after = json.dumps({"version": 1, "options": {"client_secret": "old-secret-1", "role_arn": "b",
                                                  "private_key": "pem-value-1", "token_file": "/t"}}).encode()
    shown = _masked_settings(after, before)
    assert json.loads(shown) == {"client_secret": "<hidden>", "private_key": "<hidden, changed>", "role_arn": "b",
                                 "token_file": "/t"}


def test_an_untrusted_directory_is_refused_before_the_file_is_read(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(UnsafePath) as info:
        FileChange(str(shared / "credentials"), b"x", what="aws_shared_credentials_file")
    assert "aws_shared_credentials_file" in info.value.msg and "chmod go-w %s" % shared in info.value.msg


def test_a_link_into_an_untrusted_directory_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (tmp_path / "aws").mkdir()
    (tmp_path / "aws" / "credentials").symlink_to(shared / "credentials")
    with pytest.raises(UnsafePath):
        FileChange(str(tmp_path / "aws" / "credentials"), b"x")


def test_a_directory_of_ours_open_to_others_gives_a_warning_and_keeps_its_mode(tmp_path):
    proc = tmp_path / "proc"
    proc.mkdir()
    proc.chmod(0o755)
    profile = ProcessProfile("ci", str(tmp_path / "config"), str(proc))
    settings, runner, config = profile.changes(OptionAdapter.from_dict(OPTIONS), "eu-west-1", "/usr/bin/python3")
    assert len(settings.warnings) == 1 and "chmod 0700 %s" % proc in settings.warnings[0]
    assert runner.warnings == [] and config.warnings == []
    for change in (settings, runner, config):
        change.apply(check_mode=False)
    assert mode(proc) == 0o755 and mode(settings.path) == 0o600


def test_a_failed_write_is_an_error_naming_the_option(tmp_path, monkeypatch):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import aws_files as _aws_files

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_aws_files, "atomic_write", full)
    with pytest.raises(OciAwsError) as info:
        FileChange(str(tmp_path / "config"), b"x", what="aws_config_file").apply(check_mode=False)
    assert "cannot write aws_config_file" in info.value.msg and "No space left" in info.value.msg


def test_one_atomic_write_for_the_module_and_the_cache():
    from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import aws_files as _aws_files

    assert _aws_files.atomic_write is _paths.atomic_write


def test_the_runner_knows_its_own_archive(tmp_path):
    runner = tmp_path / "runner.pyz"
    runner.write_bytes(runner_bundle())
    program = "import sys; sys.path.insert(0, sys.argv[1]); from %s import runner_archive; print(runner_archive())" % (
        "ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process")
    done = subprocess.run([sys.executable, "-c", program, str(runner)], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=""), check=False)
    assert done.stdout.strip() == str(runner), done.stderr
    assert runner_archive() is None  # loaded from files here: nothing of its own to check


def test_check_own_files_names_the_file_and_the_fix(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    settings = write_settings(shared / "ci.json", {})
    check_own_files(settings)
    shared.chmod(0o770)
    with pytest.raises(UnsafePath) as info:
        check_own_files(settings)
    assert "the settings file" in info.value.msg and "writable by its group" in info.value.msg
    assert "run multicloud.oci_aws.oci_aws_assume again" in info.value.msg
