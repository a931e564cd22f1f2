"""The module as Ansible runs it (arguments in, JSON out): the real OCI config and signer set-up, and the
identity domain replaced by the in-memory fake, with every call recorded."""

import json

import oci
import pytest

from ansible_compat import patch_module_args

from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.auth import PROFILE_OPTIONS
from ansible_collections.multicloud.oci_aws.plugins.modules import oci_oidc_app
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import (
    DOMAIN_URL,
    FakeConnect,
    clean_oci_environment,
    fresh_module_warnings,
    converged_app,
    no_request,
    scim_error,
    write_oci_config,
)


@pytest.fixture
def cloud(tmp_path, monkeypatch):
    clean_oci_environment(monkeypatch)
    fresh_module_warnings(monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path))
    recorder = FakeConnect(write_oci_config(tmp_path))
    monkeypatch.setattr(oci_oidc_app, "connect", recorder.connect)
    monkeypatch.setattr(oci.base_client.BaseClient, "call_api", no_request)
    return recorder


NO_PROFILE_OPTIONS = dict((option, None) for option, _key, _env, _secret in PROFILE_OPTIONS)


def run(cloud, capsys, check_mode=False, diff=False, **args):
    module_args = dict(domain_url=DOMAIN_URL, config_file_location=cloud.config, display_name="aws-sts-oidc")
    module_args.update(args)
    module_args = dict((k, v) for k, v in module_args.items() if v is not None)
    module_args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(module_args), pytest.raises(SystemExit):
        oci_oidc_app.main()
    return json.loads(capsys.readouterr().out)


def writes(cloud):
    return [call[0] for call in cloud.domain.writes]


def test_check_apply_check_apply(cloud, capsys):
    results = [run(cloud, capsys, check_mode=check, description="for AWS") for check in (True, False, True, False)]
    assert [r["changed"] for r in results] == [True, True, False, False]
    assert all(not r.get("failed") for r in results)
    assert writes(cloud) == ["create_app", "patch_app", "set_app_active"]
    created = results[1]
    app_id = created["id"]
    assert created["client_secret"] == cloud.domain.secrets[app_id]
    assert all("client_secret" not in r for r in (results[0], results[2], results[3]))
    assert results[3]["id"] == app_id and results[3]["client_id"] == created["client_id"]
    assert results[3]["scope"] == "sts.amazon.com/" and results[3]["audience"] == "sts.amazon.com"
    assert results[3]["issuer"] == DOMAIN_URL and results[3]["token_endpoint"] == DOMAIN_URL + "/oauth2/v1/token"
    assert results[3]["app"]["active"] is True and results[3]["app"]["description"] == "for AWS"
    # The oracle.oci options that override the profile (api_user, region...) are all unset here.
    assert cloud.connected[0] == dict(NO_PROFILE_OPTIONS, domain_url=DOMAIN_URL, auth_type="api_key", cert_bundle=None,
                                      auth_purpose=None, config_file_location=cloud.config,
                                      config_profile_name="DEFAULT", timeout=120)


def test_diff_only_in_diff_mode_and_never_a_secret(cloud, capsys):
    created = run(cloud, capsys, diff=True)
    assert created["diff"]["before"] == {} and created["diff"]["after"]["active"] is True
    assert created["client_secret"] not in json.dumps(created["diff"])
    assert "diff" not in run(cloud, capsys)
    changed = run(cloud, capsys, diff=True, secret="regenerate", audience="sts.amazonaws.com")
    assert changed["diff"]["before"]["audience"] == "sts.amazon.com"
    assert changed["diff"]["after"]["audience"] == "sts.amazonaws.com"
    assert changed["client_secret"] not in json.dumps(changed["diff"])
    assert created["client_secret"] not in json.dumps(changed)


def test_secondary_audiences_removed_with_a_warning(cloud, capsys):
    cloud.domain.apps["app-1"] = converged_app(secondaryAudiences=["extra.example"])
    result = run(cloud, capsys)
    assert result["changed"] and result["app"]["secondary_audiences"] == []
    assert "removed the secondary audiences extra.example" in json.dumps(result["warnings"])


def test_absent(cloud, capsys):
    run(cloud, capsys)
    result = run(cloud, capsys, state="absent")
    assert result["changed"] and result["app"] == {}
    assert writes(cloud)[-2:] == ["set_app_active", "delete_app"]
    assert not run(cloud, capsys, state="absent")["changed"]


def test_service_error_is_reported_with_its_details(cloud, capsys):
    error = scim_error(403, "Not authorized")
    error.details["request_id"] = "req-403"
    cloud.domain.fail_next("find_apps", error)
    result = run(cloud, capsys)
    assert result["failed"] and result["msg"] == "HTTP 403: Not authorized"
    assert (result["status"], result["request_id"]) == (403, "req-403")


BAD_INPUT = [
    ("domain URL not a URL", {"domain_url": "idcs-0123.identity.oraclecloud.com"}, "domain_url", "https://"),
    ("http domain URL", {"domain_url": DOMAIN_URL.replace("https", "http")}, "domain_url", "https://"),
    ("domain URL with a path", {"domain_url": DOMAIN_URL + "/ui/v1/adminconsole"}, "domain_url", "without a path"),
    ("domain URL with a query", {"domain_url": DOMAIN_URL + "?x=1"}, "domain_url", "query"),
    ("domain URL with user info", {"domain_url": DOMAIN_URL.replace("https://", "https://admin:pw@")}, "domain_url",
     "user information"),
    ("domain URL with a bad port", {"domain_url": DOMAIN_URL + ":99999"}, "domain_url", "not a valid URL"),
    ("empty display name", {"display_name": ""}, "display_name", "non-empty"),
    ("audience with a space", {"audience": "sts.amazon.com other"}, "audience", "exactly one value"),
    ("audience with a comma", {"audience": "sts.amazon.com,other"}, "audience", "exactly one value"),
    ("no scopes", {"scopes": []}, "scopes", "at least one scope"),
    ("empty scope value", {"scopes": [{"value": ""}]}, "scopes", "non-empty value"),
    ("scope with a space", {"scopes": [{"value": "/a /b"}]}, "scopes", "spaces"),
    ("duplicate scope", {"scopes": [{"value": "/"}, {"value": "/", "description": "again"}]}, "scopes", "twice"),
    ("bad client id", {"client_id": "my-client"}, "client_id", "letters, digits and underscores"),
    ("zero token expiry", {"access_token_expiry": 0}, "access_token_expiry", "between 60"),
    ("negative token expiry", {"access_token_expiry": -1}, "access_token_expiry", "between 60"),
    ("missing config file", {"config_file_location": "/nonexistent/oci/config"}, "config_file_location",
     "does not exist"),
    ("unknown profile", {"config_profile_name": "NOPE"}, "config_profile_name", "DEFAULT"),
    ("missing cert bundle", {"cert_bundle": "/nonexistent/ca.pem"}, "cert_bundle", "does not exist"),
    ("security token without a session", {"auth_type": "security_token"}, "auth_type", "security_token_file"),
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


def test_unknown_profile_from_the_environment(cloud, capsys, monkeypatch):
    monkeypatch.setenv("OCI_CONFIG_PROFILE", "FROM_ENV")
    result = run(cloud, capsys)
    assert result["failed"] and result["option"] == "config_profile_name" and "FROM_ENV" in result["msg"]
    assert cloud.domain.calls == []


def test_missing_default_config_file(cloud, capsys):
    result = run(cloud, capsys, config_file_location=None)
    assert result["failed"] and result["option"] == "config_file_location"
    assert cloud.domain.calls == []


def test_unreadable_config_file(cloud, capsys, monkeypatch):
    monkeypatch.setattr(_paths.os, "access", lambda path, mode: path != cloud.config)
    result = run(cloud, capsys)
    assert result["failed"] and result["option"] == "config_file_location" and "cannot be read" in result["msg"]
    assert cloud.domain.calls == []


def test_display_name_matching_two_apps_fails_before_any_change(cloud, capsys):
    cloud.domain.apps["app-1"] = converged_app()
    cloud.domain.apps["app-2"] = converged_app(id="app-2", name="client_2", displayName="AWS-STS-OIDC")
    result = run(cloud, capsys)
    assert result["failed"] and result["option"] == "display_name" and "2 apps" in result["msg"]
    assert cloud.domain.writes == []


def test_client_id_change_fails_before_any_change(cloud, capsys):
    cloud.domain.apps["app-1"] = converged_app(audience="drifted")
    result = run(cloud, capsys, client_id="another_client")
    assert result["failed"] and result["option"] == "client_id" and "cannot change" in result["msg"]
    assert cloud.domain.writes == []
