"""End to end against the identity domain as it really behaves (issue 14 §2-§3): the collection's modules and its
exchange under the harder answers of the sandbox.

- A non-ASCII display name is found again by the filter (sent as UTF-8, no JSON escapes): the second run writes
  nothing.
- A new audience and scope reach the app in ONE PatchOp, which a domain refusing stale allowedScopes accepts.
- A Security Administrator's key activates the app through PATCH active (AppStatusChanger is refused to it); an
  Application Administrator's key is told which role Settings needs.
- secret=regenerate on an app kept inactive is refused before any write; with a deactivation, the new secret is
  issued first.
- access_token_expiry outside 60 s - 1 year is refused up front.
- Discovery keeping the default issuer while STS requires it to match: the diagnosis names discovery, not step 3.
- A new issuer that takes a while to reach the tokens: the diagnosis does not say step 3 was skipped.
"""

import pytest

from e2e.exchange_support import Federation, ansible_env, run_module
from e2e.test_oci_modules_e2e import APP, Admin, run, token, writes


def test_a_non_ascii_display_name_stays_idempotent(fresh_sandbox, tmp_path):
    sandbox = fresh_sandbox
    # the domain takes \\uXXXX in a filter literally (the default): only UTF-8 as is finds the app again
    assert sandbox.call("GET", "/config")["oci"]["filter_decodes_json_escapes"] is False
    name = "Fédération OCI→AWS é"
    failed, made, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": name})
    assert not failed and made["changed"], output
    sandbox.reset_counters()
    for check in (True, False):
        failed, again, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": name}, check=check)
        assert not failed and not again["changed"] and again["id"] == made["id"], output
    assert writes(sandbox) == 0
    assert [app["displayName"] for app in Admin(sandbox).apps()] == [name]


def test_a_new_audience_and_scope_are_one_patch_op(fresh_sandbox, tmp_path):
    sandbox = fresh_sandbox
    assert sandbox.call("GET", "/config")["oci"]["refuse_stale_allowed_scopes"] is True
    failed, made, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert not failed, output
    sandbox.reset_counters()
    args = {"display_name": APP, "audience": "sts.amazonaws.com", "scopes": [{"value": "/read"}]}
    failed, moved, output = run(sandbox, tmp_path, "oci_oidc_app", args)
    assert not failed and moved["changed"], output
    assert sandbox.counters()["oci"]["endpoints"]["PATCH /admin/v1/Apps/{id}"] == 1
    assert moved["scope"] == "sts.amazonaws.com/read" and moved["app"]["allowed_scopes"] == ["sts.amazonaws.com/read"]
    status, claims, _header = token(sandbox, made["client_id"], made["client_secret"], moved["scope"])
    assert status == 200 and claims["aud"] == "sts.amazonaws.com"


def test_a_security_administrator_activates_through_patch(fresh_sandbox, tmp_path):
    sandbox = fresh_sandbox
    sandbox.configure(oci={"api_key_role": "Security Administrator"})
    failed, policy, output = run(sandbox, tmp_path, "oci_token_policy", {})
    assert not failed and policy["changed"], output
    failed, made, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert not failed and made["changed"] and made["app"]["active"] is True, output
    endpoints = sandbox.counters()["oci"]["endpoints"]
    assert endpoints["PUT /admin/v1/AppStatusChanger/{id}"] == 1  # refused (403), then PATCH active
    assert token(sandbox, made["client_id"], made["client_secret"])[0] == 200
    failed, removed, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP, "state": "absent"})
    assert not failed and removed["changed"] and Admin(sandbox).apps() == [], output


def test_an_application_administrator_is_told_the_role_settings_need(fresh_sandbox, tmp_path):
    sandbox = fresh_sandbox
    sandbox.configure(oci={"api_key_role": "Application Administrator"})
    failed, result, output = run(sandbox, tmp_path, "oci_token_policy", {})
    assert failed and "HTTP 403" in result["msg"], output
    assert "Security Administrator" in result["msg"] and "Identity Domain Administrator" in result["msg"]
    assert "Application Administrator" not in result["msg"]
    failed, made, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert not failed and made["app"]["active"] is True, output


def test_secret_regenerate_is_ordered_so_the_app_is_active(fresh_sandbox, tmp_path):
    sandbox = fresh_sandbox
    assert sandbox.call("GET", "/config")["oci"]["regenerate_requires_active"] is True
    failed, made, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP})
    assert not failed, output
    failed, rotated, output = run(sandbox, tmp_path, "oci_oidc_app",
                                  {"display_name": APP, "secret": "regenerate", "active": False})
    assert not failed and rotated["changed"] and rotated["app"]["active"] is False, output
    assert rotated["client_secret"] != made["client_secret"]
    sandbox.reset_counters()
    failed, refused, output = run(sandbox, tmp_path, "oci_oidc_app",
                                  {"display_name": APP, "secret": "regenerate", "active": False})
    assert failed and refused["option"] == "secret" and "active: true" in refused["msg"], output
    assert writes(sandbox) == 0


@pytest.mark.parametrize("expiry", [59, 31536001])
def test_access_token_expiry_outside_the_range_is_refused_up_front(fresh_sandbox, tmp_path, expiry):
    sandbox = fresh_sandbox
    sandbox.reset_counters()
    failed, result, output = run(sandbox, tmp_path, "oci_oidc_app", {"display_name": APP, "access_token_expiry": expiry})
    assert failed and result["option"] == "access_token_expiry" and "31536000" in result["msg"], output
    assert sandbox.counters()["oci"]["total"] == 0


def test_discovery_with_the_default_issuer_where_sts_requires_a_match_is_diagnosed_as_discovery(fresh_sandbox, home):
    sandbox = fresh_sandbox
    # the pessimistic combination (sandbox/README.md): together these make any federation impossible
    sandbox.configure(oci={"discovery_issuer_follows_settings": False}, aws={"discovery_issuer_must_match": True})
    federation = Federation(sandbox).build()
    failed, result = run_module(ansible_env(sandbox, home), federation.options())
    assert failed, result
    assert result["step"] != "3" and "[step 3" not in result["msg"]
    assert "discovery document" in result["msg"] and "/.well-known/openid-configuration" in result["msg"]
    assert "names the issuer \"https://identity.oraclecloud.com/\", not the token's iss %s" % sandbox.domain_url in result["msg"]
    assert federation.client_secret not in str(result)


def test_an_issuer_still_propagating_is_not_called_unchanged(fresh_sandbox, home):
    sandbox = fresh_sandbox
    sandbox.configure(oci={"issuer_propagation_seconds": 600})
    federation = Federation(sandbox).build()
    failed, result = run_module(ansible_env(sandbox, home), federation.options())
    assert failed and result["step"] == "3", result
    assert "not taken effect yet" in result["msg"] and "was not changed" not in result["msg"]
    sandbox.shift_clock(601)
    failed, result = run_module(ansible_env(sandbox, home), federation.options())
    assert not failed and result["access_key"].startswith("ASIA"), result
