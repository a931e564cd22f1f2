"""The module as Ansible runs it (arguments in, JSON out), with the exchange replaced: what it returns,
what it writes, check mode, diff, and that its output never holds the client secret."""

import datetime
import json
import os
import stat

import pytest

from ansible_compat import patch_module_args

from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import assume as _assume
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import Credentials
from ansible_collections.multicloud.oci_aws.plugins.modules import oci_aws_assume
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import (
    CLIENT_ID,
    CLIENT_SECRET,
    DOMAIN_URL,
    ROLE_ARN,
    SECRET_KEY,
    SESSION_TOKEN,
)

EXPIRATION = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


class FakeExchange:
    """Stands for the exchange: counts runs, gives new credentials each time (as STS does)."""

    runs = []

    def __init__(self, spec, read_role="connection", propagation=None):
        self.spec = spec
        self.propagation = propagation
        self.region = "eu-west-1"

    def run(self):
        FakeExchange.runs.append(self.spec)
        n = len(FakeExchange.runs)
        return Credentials("ASIAEXAMPLE%09d" % n, "%s-%d" % (SECRET_KEY, n), "%s-%d" % (SESSION_TOKEN, n), EXPIRATION,
                           "arn:aws:sts::123456789012:assumed-role/oci-reporting/ansible-oci-aws")


@pytest.fixture(autouse=True)
def fake_exchange(monkeypatch, tmp_path):
    FakeExchange.runs = []
    monkeypatch.setattr(_assume, "Exchange", FakeExchange)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "OCI_ANSIBLE_CERT_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    return FakeExchange


def run(capsys, check_mode=False, diff=False, **args):
    module_args = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, role_arn=ROLE_ARN)
    module_args.update(args)
    module_args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(module_args), pytest.raises(SystemExit):
        oci_aws_assume.main()
    out = capsys.readouterr().out
    assert CLIENT_SECRET not in out
    return json.loads(out)


def test_an_exchange_alone_changes_nothing_and_returns_every_form(capsys):
    result = run(capsys)
    assert not result["changed"] and "diff" not in result
    assert result["access_key"] == "ASIAEXAMPLE000000001"
    assert result["secret_key"] == SECRET_KEY + "-1" and result["session_token"] == SESSION_TOKEN + "-1"
    assert result["expiration"] == "2030-01-01T00:00:00Z"
    assert result["environment"] == {"AWS_ACCESS_KEY_ID": "ASIAEXAMPLE000000001", "AWS_SECRET_ACCESS_KEY": SECRET_KEY + "-1",
                                     "AWS_SESSION_TOKEN": SESSION_TOKEN + "-1"}
    assert "credentials_file" not in result and "credential_process" not in result


def test_check_mode_makes_the_exchange_but_writes_nothing(capsys, tmp_path):
    result = run(capsys, check_mode=True, diff=True, credentials_profile="oci")
    assert result["changed"] and len(FakeExchange.runs) == 1
    assert result["credentials_file"] == {"path": str(tmp_path / ".aws" / "credentials"), "profile": "oci"}
    assert not (tmp_path / ".aws").exists()
    assert SECRET_KEY not in json.dumps(result["diff"])


def test_a_credentials_profile_is_written_privately_and_changes_every_run(capsys, tmp_path):
    results = [run(capsys, diff=True, credentials_profile="oci") for _run in range(2)]
    assert [r["changed"] for r in results] == [True, True]
    path = tmp_path / ".aws" / "credentials"
    assert "aws_secret_access_key = %s-2" % SECRET_KEY in path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    diff = json.dumps([r["diff"] for r in results])
    assert "<hidden, changed>" in diff and SECRET_KEY not in diff and SESSION_TOKEN not in diff


def test_a_credential_process_profile_converges(capsys, tmp_path):
    config = tmp_path / "cfg" / "config"
    first = run(capsys, diff=True, credential_process_profile="oci", aws_config_file=str(config))
    second = run(capsys, diff=True, credential_process_profile="oci", aws_config_file=str(config))
    assert first["changed"] and not second["changed"] and second["diff"] == []
    process = second["credential_process"]
    assert process["config_file"] == str(config) and process["profile"] == "oci"
    assert process["settings_file"] == str(tmp_path / ".aws" / "multicloud.oci_aws" / "oci.json")
    assert "[profile oci]\ncredential_process = " in config.read_text()
    assert json.loads((tmp_path / ".aws" / "multicloud.oci_aws" / "oci.json").read_text())["options"]["region"] == "eu-west-1"
    changed = run(capsys, diff=True, credential_process_profile="oci", aws_config_file=str(config), client_secret="rotated")
    assert changed["changed"] and [d["before_header"] for d in changed["diff"]] == [process["settings_file"]]
    assert '"client_secret": "<hidden, changed>"' in changed["diff"][0]["after"] and "rotated" not in json.dumps(changed)


@pytest.mark.parametrize("args, option", [
    (dict(role_arn="oci-reporting"), "role_arn"),
    (dict(duration_seconds=60), "duration_seconds"),
    (dict(credentials_profile="a b"), "credentials_profile"),
    (dict(credentials_profile="same", credential_process_profile="same"), "credential_process_profile"),
    (dict(client_id=None, client_secret=None, token="a.b.c", credential_process_profile="p"), "token"),
    (dict(domain_url="http://idcs.example.com"), "domain_url"),
])
def test_bad_input_fails_before_the_exchange_naming_the_option(capsys, args, option):
    result = run(capsys, **args)
    assert result["failed"] and result["option"] == option and option in result["msg"]
    assert FakeExchange.runs == []


def test_a_breakpoint_is_reported_with_its_step(capsys, monkeypatch):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint

    def refuse(self):
        raise Breakpoint("4", "keys not public", error_code="InvalidIdentityToken")

    monkeypatch.setattr(FakeExchange, "run", refuse)
    result = run(capsys)
    assert result["failed"] and result["step"] == "4" and result["error_code"] == "InvalidIdentityToken"
    assert result["msg"] == "keys not public [step 4 of the procedure]"
