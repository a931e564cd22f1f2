"""Threats of hostile values: line injection into the AWS files and the credential_process command
line, and values that reach a service or a URL parser unchecked (threat model: input).

Every test starts from the hostile value given where a user gives it (the module's arguments, the
lookup's options, the credential_process settings) and asserts the outcome: an OptionError (or a
module failure) naming the option, the AWS files byte-identical, no directory made, and no
connection attempted: the network is cut below the exchange, so that a value that slipped through
would be seen trying to reach the identity domain or STS.
"""

import configparser
import io
import json
import socket

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process import main as runner_main
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import connect
from ansible_collections.multicloud.oci_aws.plugins.modules import oci_aws_assume
from ansible_collections.multicloud.oci_aws.plugins.plugin_utils._lookup import lookup_credentials

DOMAIN_URL = "https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com"
ROLE_ARN = "arn:aws:iam::123456789012:role/oci-reporting"
CLIENT_ID = "6a0e2f6d3c1b4f0f9d2f7d0e8c6b5a41"
CLIENT_SECRET = "idcscs-0f6c1d2e-injection-secret-9a8b"
CONFIG = "[default]\nregion = eu-west-1\n\n[profile keep]\nregion = us-east-1\n"
CREDENTIALS = "[keep]\naws_access_key_id = AKIAKEEP\naws_secret_access_key = keep-secret-value-123\n"


@pytest.fixture
def network(monkeypatch):
    """Every connection or name look-up attempted, refused: the list proves that nothing was sent."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] if len(args) > 1 else args)
        raise OSError("network cut by the test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home with both AWS files holding other profiles, the files' bytes kept to compare."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "OCI_ANSIBLE_CERT_BUNDLE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    aws = tmp_path / ".aws"
    aws.mkdir(mode=0o700)
    (aws / "config").write_text(CONFIG)
    (aws / "credentials").write_text(CREDENTIALS)
    for path in (aws / "config", aws / "credentials"):
        path.chmod(0o600)
    return tmp_path


def aws_files(home):
    return dict((name, (home / ".aws" / name).read_bytes()) for name in ("config", "credentials"))


def run_module(capsys, **args):
    """oci_aws_assume as Ansible runs it: arguments in, JSON out."""
    module_args = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, role_arn=ROLE_ARN,
                       region="eu-west-1")
    module_args.update(args)
    with patch_module_args(module_args), pytest.raises(SystemExit):
        oci_aws_assume.main()
    out = capsys.readouterr().out
    assert CLIENT_SECRET not in out
    return json.loads(out)


def assert_refused(result, option):
    assert result.get("failed") is True, result
    assert result.get("option") == option, result
    assert option in result["msg"]
    assert not result.get("changed")


@pytest.mark.parametrize("option, value", [
    ("credential_process_profile", "evil\n"),
    ("credentials_profile", "static\n"),
    ("credential_process_profile", "evil]\n[profile injected"),
    ("credentials_profile", "static\r\n"),
])
def test_profile_names_with_a_line_break_are_refused_and_both_files_kept(home, network, capsys, option, value):
    """Threat 6: a profile name ending in a newline breaks both AWS files (every profile in them) while the
    module says changed; with a bracket it adds sections."""
    before = aws_files(home)
    result = run_module(capsys, **{option: value})
    assert_refused(result, option)
    assert aws_files(home) == before
    assert sorted(p.name for p in (home / ".aws").iterdir()) == ["config", "credentials"]
    assert network == []


@pytest.mark.parametrize("tail", [
    "]\n[profile injected]\ncredential_process = /bin/sh -c id\n#",
    "x\rcredential_process = /bin/sh",
    "x\u2028[profile injected]",
    "x\x00y",
])
def test_a_credential_process_dir_that_would_add_lines_is_refused(home, network, capsys, tail):
    """Threat 6: credential_process_dir goes into the credential_process line; a line break in it ends the line
    and starts sections of the attacker's choosing in the AWS config file."""
    before = aws_files(home)
    directory = str(home / "cp") + tail
    result = run_module(capsys, credential_process_profile="oci", credential_process_dir=directory)
    assert_refused(result, "credential_process_dir")
    assert aws_files(home) == before
    assert not any(p.name.startswith("cp") for p in home.iterdir())
    parser = configparser.RawConfigParser()
    parser.read_string(before["config"].decode())
    assert parser.sections() == ["default", "profile keep"]
    assert network == []


def test_a_credential_process_dir_with_spaces_and_quotes_stays_one_command(home, monkeypatch, capsys):
    """Threat 6 (the accepted side): spaces and quotes in credential_process_dir are quoted the way botocore
    splits the command (shlex.split after the INI parser), so the config file gains exactly one profile."""
    import shlex

    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import assume as _assume
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import Credentials

    class FakeExchange:
        region = "eu-west-1"

        def __init__(self, spec, read_role="connection", **_options):
            pass

        def run(self):
            import datetime
            return Credentials("ASIAFAKEFAKEFAKE0001", "fake-secret-key-value", "fake-session-token-value",
                               datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
                               "arn:aws:sts::123456789012:assumed-role/oci-reporting/x")

    monkeypatch.setattr(_assume, "Exchange", FakeExchange)
    directory = str(home / "my dir's \"oci\" $(id) ;#")
    result = run_module(capsys, credential_process_profile="oci", credential_process_dir=directory)
    assert result["changed"], result
    parser = configparser.RawConfigParser()
    parser.read_string((home / ".aws" / "config").read_text())
    assert parser.sections() == ["default", "profile keep", "profile oci"]
    command = shlex.split(parser.get("profile oci", "credential_process"))
    assert command[1:] == [directory + "/credential_process.pyz", "--settings", directory + "/oci.json"]


@pytest.mark.parametrize("option, value", [
    ("role_arn", ROLE_ARN + "\n"),
    ("role_session_name", "ansible-oci-aws\n"),
    ("audience", "sts.amazon.com\n"),
    ("client_id", CLIENT_ID + "\n"),
    ("scope", "sts.amazon.com/\n"),
    ("region", "eu-west-1\n"),
])
def test_values_with_a_trailing_newline_are_refused_before_any_request(home, network, capsys, tmp_path, option, value):
    """Threat 6: Python's $ matches before a trailing newline, so role_arn, role_session_name and audience with one
    went to STS and the token endpoint; refused now by the module, the lookup and the credential_process runner."""
    result = run_module(capsys, **{option: value})
    assert_refused(result, option)

    options = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, role_arn=ROLE_ARN,
                   region="eu-west-1", cache=False)
    options[option] = value
    with pytest.raises(OptionError) as caught:
        lookup_credentials(options, warn=lambda text: None)
    assert caught.value.option == option and option in caught.value.msg

    settings = tmp_path / "settings.json"
    kept = dict((k, v) for k, v in options.items() if k != "cache")
    settings.write_text(json.dumps({"version": 1, "options": kept}))
    settings.chmod(0o600)
    out, err = io.StringIO(), io.StringIO()
    assert runner_main(["--settings", str(settings)], out, err) == 1
    assert out.getvalue() == "" and option in err.getvalue() and "Traceback" not in err.getvalue()
    assert CLIENT_SECRET not in err.getvalue()
    assert network == []


HOSTILE_HOSTS = [
    ("https://\u0661\u0662\u0667.\u0660.\u0660.\u0661", "printable ASCII"),
    ("https://999.1.1.1", "not an IPv4 address"),
    ("https://256.256.256.256:8443", "not an IPv4 address"),
    ("https://127.1", "not an IPv4 address"),
    ("https://example.com.", "trailing dot"),
    ("https://[::1%25lo]", "IPv6"),
    ("https://exa\u200bmple.com", "printable ASCII"),
    ("https://" + "a." * 1500 + "com", "2048"),
]


@pytest.mark.parametrize("url, words", HOSTILE_HOSTS)
def test_hostile_hosts_are_refused_with_an_option_error_and_no_crash(network, url, words):
    """Threat 15: https://١٢٧.٠.٠.١ (non-ASCII digits) passed the URL check and then crashed; 999.1.1.1 was taken
    for an IPv4 address. Every place a URL is given refuses them, naming the option, before any connection."""
    exchange = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, role_arn=ROLE_ARN)
    for option, build in (
            ("domain_url", lambda: ExchangeSpec.from_options(OptionAdapter.from_dict(dict(exchange, domain_url=url)))),
            ("token_url", lambda: ExchangeSpec.from_options(OptionAdapter.from_dict(dict(exchange, token_url=url)))),
            ("issuer", lambda: ExchangeSpec.from_options(OptionAdapter.from_dict(dict(exchange, issuer=url)))),
            ("endpoint_url", lambda: ExchangeSpec.from_options(OptionAdapter.from_dict(dict(exchange, endpoint_url=url)))),
            ("issuer_url", lambda: ProviderSpec.from_params(dict(issuer_url=url, audience="sts.amazon.com"))),
            ("domain_url", lambda: connect(url)),
    ):
        with pytest.raises(OptionError) as caught:
            build()
        assert caught.value.option == option, (option, caught.value.msg)
        assert option in caught.value.msg and words in caught.value.msg
        assert len(caught.value.msg) < 600
    assert network == []
