"""Fidelity of the identity domain's behaviours of issue 14 §2-§3, each switch both ways where it has one:
stale allowedScopes, filter literals (UTF-8 and JSON escapes), case-insensitive names, searchable
attributes, accessTokenExpiry's range, admin roles, regenerating an inactive app's secret, Oracle's
error extension, the issuer's propagation delay, and the profiles."""

import urllib.parse

import pytest
import requests

from oci_aws_sandbox import handle as sandbox_handle
from oci_aws_sandbox import profiles

from test_idcs_oauth import DEFAULT_ISSUER, REGENERATOR_URN, STATUS_URN, Domain, access_token, patch

IDCS_ERROR_URN = "urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error"


@pytest.fixture
def domain(fresh_sandbox):
    return Domain(fresh_sandbox)


def search(domain, scim_filter, expect=(200,)):
    response = requests.get(domain.url + "/admin/v1/Apps?" + urllib.parse.urlencode({"filter": scim_filter}),
                            auth=domain.signer, verify=domain.sandbox.ca_bundle, timeout=10)
    assert response.status_code in expect, response.text
    return response


def names(response):
    return sorted(app["displayName"] for app in response.json()["Resources"])


def failing(domain, method, path, body, status):
    response = requests.request(method, domain.url + path, json=body, auth=domain.signer,
                                verify=domain.sandbox.ca_bundle, timeout=10)
    assert response.status_code == status, response.text
    return response.json()


def allowed_app(domain, **attributes):
    app = domain.create_app(**attributes)
    domain.patch_app(app["id"], ("add", "allowedScopes", [{"fqs": "sts.amazon.com/"}]))
    return app


# -- stale allowedScopes ----------------------------------------------------------------------------

def test_an_audience_change_apart_from_allowed_scopes_is_refused(domain, fresh_sandbox):
    app = allowed_app(domain)
    body = failing(domain, "PATCH", "/admin/v1/Apps/" + app["id"], patch(("replace", "audience", "sts.amazonaws.com")), 400)
    assert "allowedScopes" in body["detail"] and "sts.amazon.com/" in body["detail"]
    # Even a write that does not touch the scopes, on an app that already holds a stale one (other answer).
    fresh_sandbox.configure(oci={"refuse_stale_allowed_scopes": False})
    domain.patch_app(app["id"], ("replace", "audience", "sts.amazonaws.com"))
    fresh_sandbox.configure(oci={"refuse_stale_allowed_scopes": True})
    failing(domain, "PATCH", "/admin/v1/Apps/" + app["id"], patch(("replace", "description", "x")), 400)


def test_one_patch_op_changing_audience_and_allowed_scopes_is_accepted(domain):
    app = allowed_app(domain)
    domain.patch_app(app["id"], ("replace", "audience", "sts.amazonaws.com"),
                     ("replace", "allowedScopes", [{"fqs": "sts.amazonaws.com/"}]))
    got = domain.call("GET", "/admin/v1/Apps/" + app["id"])
    assert [s["fqs"] for s in got["allowedScopes"]] == ["sts.amazonaws.com/"]


# -- filters ----------------------------------------------------------------------------------------

def test_filters_take_utf8_as_sent_and_json_escapes_literally(domain, fresh_sandbox):
    domain.create_app("café-oidc", audience="a1")
    assert names(search(domain, 'displayName eq "café-oidc"')) == ["café-oidc"]
    assert names(search(domain, 'displayName eq "caf\\u00e9-oidc"')) == []  # six characters, not é
    fresh_sandbox.configure(oci={"filter_decodes_json_escapes": True})
    assert names(search(domain, 'displayName eq "caf\\u00e9-oidc"')) == ["café-oidc"]


def test_display_name_and_name_are_case_insensitive_in_searches_and_uniqueness(domain):
    app = domain.create_app("AWS-STS-OIDC", audience="a1", name="Client_One")
    assert names(search(domain, 'displayName eq "aws-sts-oidc"')) == ["AWS-STS-OIDC"]
    assert names(search(domain, 'name eq "client_one"')) == ["AWS-STS-OIDC"]
    body = failing(domain, "POST", "/admin/v1/Apps", {
        "schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:App"], "displayName": "aws-sts-oidc",
        "basedOnTemplate": {"value": "CustomWebAppTemplateId"}}, 409)
    assert body["scimType"] == "uniqueness"
    body = failing(domain, "POST", "/admin/v1/Apps", {
        "schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:App"], "displayName": "other", "name": "CLIENT_ONE",
        "basedOnTemplate": {"value": "CustomWebAppTemplateId"}}, 409)
    assert "name" in body["detail"] and app["name"] == "Client_One"


@pytest.mark.parametrize("scim_filter, attribute", [
    ('audience eq "sts.amazon.com"', "audience"),
    ('displayName eq "x" and clientType eq "confidential"', "clientType"),
    ('accessTokenExpiry gt 60', "accessTokenExpiry"),
])
def test_filters_on_attributes_that_are_not_searchable_are_refused(domain, scim_filter, attribute):
    domain.create_app()
    body = search(domain, scim_filter, expect=(400,)).json()
    assert body["scimType"] == "invalidFilter" and attribute in body["detail"] and body["status"] == "400"
    assert body[IDCS_ERROR_URN]["messageId"]
    # the searchable ones the collection uses answer
    assert names(search(domain, 'displayName eq "aws-sts-oidc"')) == ["aws-sts-oidc"]


# -- accessTokenExpiry --------------------------------------------------------------------------------

@pytest.mark.parametrize("expiry, status", [(59, 400), (60, 201), (31536000, 201), (31536001, 400)])
def test_access_token_expiry_range(domain, expiry, status):
    body = failing(domain, "POST", "/admin/v1/Apps", {
        "schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:App"], "displayName": "e%d" % expiry,
        "basedOnTemplate": {"value": "CustomWebAppTemplateId"}, "accessTokenExpiry": expiry}, status)
    if status == 400:
        assert "accessTokenExpiry" in body["detail"] and "60" in body["detail"] and "31536000" in body["detail"]


# -- roles ----------------------------------------------------------------------------------------------

def test_application_administrator_gets_403_on_settings_only(domain, fresh_sandbox):
    fresh_sandbox.configure(oci={"api_key_role": "Application Administrator"})
    body = failing(domain, "GET", "/admin/v1/Settings/Settings", None, 403)
    assert body["status"] == "403" and body[IDCS_ERROR_URN]["messageId"]
    failing(domain, "PATCH", "/admin/v1/Settings/Settings", patch(("replace", "issuer", "https://x.example")), 403)
    app = domain.create_app(active=False)
    domain.call("PUT", "/admin/v1/AppStatusChanger/" + app["id"], {"schemas": [STATUS_URN], "active": True})


def test_security_administrator_gets_403_on_app_status_changer_and_may_patch_active(domain, fresh_sandbox):
    fresh_sandbox.configure(oci={"api_key_role": "Security Administrator"})
    app = domain.create_app(active=False)
    failing(domain, "PUT", "/admin/v1/AppStatusChanger/" + app["id"], {"schemas": [STATUS_URN], "active": True}, 403)
    domain.patch_app(app["id"], ("replace", "active", True))
    assert domain.call("GET", "/admin/v1/Apps/" + app["id"])["active"] is True
    domain.call("GET", "/admin/v1/Settings/Settings")


# -- regenerating the secret of an inactive app ---------------------------------------------------------

def test_regenerating_the_secret_of_an_inactive_app(domain, fresh_sandbox):
    app = domain.create_app(active=False)
    body = failing(domain, "POST", "/admin/v1/AppClientSecretRegenerator",
                   {"schemas": [REGENERATOR_URN], "appId": app["id"]}, 400)
    assert "inactive" in body["detail"] and body[IDCS_ERROR_URN]["messageId"]
    fresh_sandbox.configure(oci={"regenerate_requires_active": False})
    answer = domain.call("POST", "/admin/v1/AppClientSecretRegenerator", {"schemas": [REGENERATOR_URN], "appId": app["id"]})
    assert answer["clientSecret"] != app["clientSecret"]


# -- error bodies ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "/admin/v1/Apps/no-such-app", None, 404),
    ("POST", "/admin/v1/Apps", {"schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:App"]}, 400),
    ("PATCH", "/admin/v1/Settings/Settings", {"schemas": ["x"]}, 400),
])
def test_every_scim_error_carries_oracles_extension(domain, method, path, body, status):
    answer = failing(domain, method, path, body, status)
    assert answer["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error", IDCS_ERROR_URN]
    assert answer["status"] == str(status) and answer["detail"]
    assert isinstance(answer[IDCS_ERROR_URN]["messageId"], str) and answer[IDCS_ERROR_URN]["messageId"].startswith("error.")


# -- the issuer's propagation delay -------------------------------------------------------------------

def test_an_issuer_change_takes_effect_after_the_delay(domain, fresh_sandbox):
    fresh_sandbox.configure(oci={"issuer_propagation_seconds": 30})
    app = allowed_app(domain)
    domain.publish_signing_key()
    issuer = fresh_sandbox.domain_url
    domain.patch_settings(("replace", "issuer", issuer))
    assert domain.call("GET", "/admin/v1/Settings/Settings")["issuer"] == issuer  # shown at once
    token = access_token(domain, app["name"], app["clientSecret"])
    import jwt
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == DEFAULT_ISSUER
    assert domain.discovery()["issuer"] == DEFAULT_ISSUER
    fresh_sandbox.shift_clock(31)
    token = access_token(domain, app["name"], app["clientSecret"])
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == issuer
    assert domain.discovery()["issuer"] == issuer


# -- profiles ---------------------------------------------------------------------------------------------

def test_the_pessimistic_profile_names_only_known_switches_and_survives_resets(tmp_path):
    started = sandbox_handle.start(str(tmp_path / "sb"), profile="pessimistic")
    try:
        expected = profiles.get("pessimistic")
        for state in (started.call("GET", "/config"), (started.reset(), started.call("GET", "/config"))[1]):
            for cloud in ("oci", "aws"):
                assert {k: state[cloud][k] for k in expected[cloud]} == expected[cloud]
        assert started.call("GET", "/health")["profile"] == "pessimistic"
    finally:
        started.stop()
    with pytest.raises(ValueError, match="known: default, pessimistic"):
        profiles.get("lenient")
