"""The module as Ansible runs it (arguments in, JSON out): the real OCI config and signer set-up, and the
identity domain's Settings replaced by the in-memory fake, with every call recorded."""

import json

import oci
import pytest

from ansible_compat import patch_module_args

from ansible_collections.multicloud.oci_aws.plugins.modules import oci_token_policy
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import (
    DOMAIN_URL,
    FakeConnect,
    clean_oci_environment,
    fresh_module_warnings,
    no_request,
    write_oci_config,
)

DEFAULT_ISSUER = "https://identity.oraclecloud.com/"


@pytest.fixture
def cloud(tmp_path, monkeypatch):
    clean_oci_environment(monkeypatch)
    fresh_module_warnings(monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path))
    recorder = FakeConnect(write_oci_config(tmp_path))
    monkeypatch.setattr(oci_token_policy, "connect", recorder.connect)
    monkeypatch.setattr(oci.base_client.BaseClient, "call_api", no_request)
    return recorder


def run(cloud, capsys, check_mode=False, diff=False, **args):
    module_args = dict(domain_url=DOMAIN_URL, config_file_location=cloud.config)
    module_args.update(args)
    module_args = dict((k, v) for k, v in module_args.items() if v is not None)
    module_args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(module_args), pytest.raises(SystemExit):
        oci_token_policy.main()
    return json.loads(capsys.readouterr().out)


def test_check_apply_check_apply(cloud, capsys):
    results = [run(cloud, capsys, check_mode=check) for check in (True, False, True, False)]
    assert [r["changed"] for r in results] == [True, True, False, False]
    assert [call[0] for call in cloud.domain.writes] == ["patch_settings"]
    assert cloud.domain.settings == {"issuer": DOMAIN_URL, "signingCertPublicAccess": True}
    for result in results:
        assert result["issuer"] == DOMAIN_URL and result["signing_cert_public_access"] is True
    assert [r["previous_issuer"] for r in results] == [DEFAULT_ISSUER, DEFAULT_ISSUER, DOMAIN_URL, DOMAIN_URL]
    assert all("diff" not in r for r in results)
    assert [r.get("warnings") for r in results] == [None] * 4


def test_default_port_and_trailing_slash_are_dropped_from_the_issuer(cloud, capsys):
    result = run(cloud, capsys, domain_url=DOMAIN_URL + ":443/")
    assert result["issuer"] == DOMAIN_URL == cloud.domain.settings["issuer"]


def test_non_default_port_is_kept_with_a_warning(cloud, capsys):
    result = run(cloud, capsys, domain_url="https://127.0.0.1:8443")
    assert result["issuer"] == "https://127.0.0.1:8443"
    assert "issuer https://127.0.0.1:8443 has a port" in json.dumps(result["warnings"])


def test_diff_mode(cloud, capsys):
    result = run(cloud, capsys, diff=True, check_mode=True, signing_cert_public_access=False)
    assert result["diff"] == {"before": {"issuer": DEFAULT_ISSUER, "signing_cert_public_access": False},
                              "after": {"issuer": DOMAIN_URL, "signing_cert_public_access": False}}
    assert cloud.domain.writes == []


BAD_INPUT = [
    ("http issuer", {"issuer": DOMAIN_URL.replace("https", "http")}, "issuer", "https://"),
    ("issuer with trailing slash", {"issuer": DOMAIN_URL + "/"}, "issuer", "must not end with '/'"),
    ("issuer with a path", {"issuer": DOMAIN_URL + "/oauth2"}, "issuer", "no path"),
    ("issuer with upper case", {"issuer": DOMAIN_URL.replace("idcs", "IDCS")}, "issuer", "lower-case host"),
    ("issuer with :443", {"issuer": DOMAIN_URL + ":443"}, "issuer", "no :443"),
    ("issuer with a query", {"issuer": DOMAIN_URL + "?a=b"}, "issuer", "query"),
    ("http domain URL", {"domain_url": DOMAIN_URL.replace("https", "http")}, "domain_url", "https://"),
    ("domain URL with a path", {"domain_url": DOMAIN_URL + "/admin"}, "domain_url", "without a path"),
    ("domain URL with a fragment", {"domain_url": DOMAIN_URL + "#top"}, "domain_url", "fragment"),
    ("missing config file", {"config_file_location": "/nonexistent/config"}, "config_file_location", "does not exist"),
    ("unknown profile", {"config_profile_name": "NOPE"}, "config_profile_name", "DEFAULT"),
    ("missing cert bundle", {"cert_bundle": "/nonexistent/ca.pem"}, "cert_bundle", "does not exist"),
    ("resource principal outside OCI", {"auth_type": "resource_principal"}, "auth_type",
     "OCI_RESOURCE_PRINCIPAL_VERSION"),
]


@pytest.mark.parametrize("args, option, words", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_fails_before_any_request(cloud, capsys, args, option, words):
    result = run(cloud, capsys, **args)
    assert result["failed"]
    assert result["option"] == option
    assert option in result["msg"] and words in result["msg"]
    assert cloud.domain.calls == [] and cloud.connected == []


def test_missing_key_file_fails_before_any_request(cloud, capsys, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    config = write_oci_config(other, key_file=str(other / "gone.pem"))
    result = run(cloud, capsys, config_file_location=config)
    assert result["failed"] and result["option"] == "config_file_location" and "key_file" in result["msg"]
    assert cloud.domain.calls == []
