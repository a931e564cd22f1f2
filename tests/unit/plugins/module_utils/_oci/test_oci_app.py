import json

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.app import AppManager, AppSpec, definition_ops, view
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import (
    DOMAIN_URL,
    FakeDomain,
    converged_app,
    scim_error,
)


def manager(domain, check_mode=False, secret="keep", warnings=None, adopt=False, **spec):
    spec.setdefault("display_name", "aws-sts-oidc")
    return AppManager(domain, AppSpec(**spec), (warnings if warnings is not None else []).append, secret=secret,
                      check_mode=check_mode, adopt=adopt)


def writes(domain):
    return [call[0] for call in domain.writes]


def no_secret_in(result, domain):
    """Neither the diff nor the app view carries any secret the domain knows."""
    shown = json.dumps([result.get("diff"), result.get("app")])
    return not any(secret in shown for secret in domain.secrets.values())


# -- the spec ------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, option, words", [
    ({"display_name": ""}, "display_name", "non-empty"),
    ({"display_name": " padded "}, "display_name", "spaces"),
    ({"display_name": "tab\tname"}, "display_name", "control"),
    ({"audience": ""}, "audience", "single value"),
    ({"audience": "sts.amazon.com sts.amazonaws.com"}, "audience", "exactly one value"),
    ({"audience": "sts.amazon.com,sts.amazonaws.com"}, "audience", "exactly one value"),
    ({"audience": '["a","b"]'}, "audience", "exactly one value"),
    ({"audience": "a" * 256}, "audience", "255"),
    ({"scopes": []}, "scopes", "at least one scope"),
    ({"scopes": [{"value": ""}]}, "scopes", "non-empty value"),
    ({"scopes": [{"description": "no value"}]}, "scopes", "non-empty value"),
    ({"scopes": [{"value": "/a /b"}]}, "scopes", "spaces"),
    ({"scopes": [{"value": "/", "description": "x"}, {"value": "/"}]}, "scopes", "listed twice"),
    ({"client_id": "has-dash"}, "client_id", "letters, digits and underscores"),
    ({"client_id": ""}, "client_id", "letters, digits and underscores"),
    ({"access_token_expiry": 0}, "access_token_expiry", "between 60 (one minute) and 31536000 (one year)"),
    ({"access_token_expiry": -60}, "access_token_expiry", "between 60"),
    ({"access_token_expiry": 59}, "access_token_expiry", "between 60"),
    ({"access_token_expiry": 31536001}, "access_token_expiry", "31536000 (one year)"),
])
def test_spec_refuses_bad_values_naming_the_option(params, option, words):
    params.setdefault("display_name", "aws-sts-oidc")
    with pytest.raises(OptionError) as caught:
        AppSpec(**params)
    assert caught.value.option == option
    assert option in caught.value.msg and words in caught.value.msg


def test_spec_defaults_and_fully_qualified_scopes():
    spec = AppSpec("aws-sts-oidc")
    assert spec.audience == "sts.amazon.com"
    assert spec.scopes == [{"value": "/", "description": "all"}]
    assert spec.fq_scopes == ["sts.amazon.com/"]
    spec = AppSpec("x", audience="aud", scopes=[{"value": "/write"}, {"value": "/read", "description": "r"}])
    assert spec.fq_scopes == ["aud/write", "aud/read"]
    assert spec.view()["allowed_scopes"] == ["aud/read", "aud/write"]


def test_spec_view_keeps_what_the_user_leaves_unset():
    current = view(converged_app(description="kept", accessTokenExpiry=900,
                                 scopes=[{"value": "/", "description": "described before"}]))
    desired = AppSpec("aws-sts-oidc", scopes=[{"value": "/", "description": None}]).view(current)
    assert desired["description"] == "kept"
    assert desired["access_token_expiry"] == 900
    assert desired["scopes"] == [{"value": "/", "description": "described before"}]
    assert desired["client_id"] == "client_1"
    assert AppSpec("aws-sts-oidc", description="").view(current)["description"] is None


def test_view_normalises_order_and_absent_attributes():
    app = converged_app(allowedGrants=["urn:ietf:params:oauth:grant-type:jwt-bearer", "client_credentials"],
                        scopes=[{"value": "/b"}, {"value": "/a", "description": ""}], description="")
    del app["allowedScopes"]
    shown = view(app)
    assert shown["allowed_grants"] == ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert shown["scopes"] == [{"value": "/a", "description": None}, {"value": "/b", "description": None}]
    assert shown["allowed_scopes"] == [] and shown["secondary_audiences"] == []
    assert shown["description"] is None


def test_definition_ops_replace_what_differs_and_remove_what_is_emptied():
    current = view(converged_app(audience="old", secondaryAudiences=["extra"], description="d"))
    desired = dict(current, audience="sts.amazon.com", secondary_audiences=[], description=None)
    assert definition_ops(current, desired) == [
        {"op": "remove", "path": "description"},
        {"op": "replace", "path": "audience", "value": "sts.amazon.com"},
        {"op": "remove", "path": "secondaryAudiences"},
    ]
    assert definition_ops(current, current) == []


def test_scopes_are_sent_in_the_api_form():
    current = view(converged_app())
    desired = dict(current, scopes=[{"value": "/", "description": "all"}, {"value": "/read", "description": None}])
    assert definition_ops(current, desired) == [{"op": "replace", "path": "scopes", "value": [
        {"value": "/", "description": "all", "requiresConsent": False},
        {"value": "/read", "requiresConsent": False}]}]


# -- create -------------------------------------------------------------------------------------

def test_create_from_nothing_inactive_then_allowed_then_activated():
    domain = FakeDomain()
    result = manager(domain, description="for AWS").present()
    assert writes(domain) == ["create_app", "patch_app", "set_app_active"]
    body = domain.writes[0][1]
    assert body["active"] is False and "allowedScopes" not in body
    assert body["basedOnTemplate"] == {"value": "CustomWebAppTemplateId"}
    assert body["schemas"] == ["urn:ietf:params:scim:schemas:oracle:idcs:App"]
    assert (body["clientType"], body["isOAuthResource"], body["isOAuthClient"]) == ("confidential", True, True)
    assert body["audience"] == "sts.amazon.com" and body["allowedGrants"] == ["client_credentials"]
    assert body["scopes"] == [{"value": "/", "description": "all", "requiresConsent": False}]
    assert "name" not in body and "secondaryAudiences" not in body and "accessTokenExpiry" not in body
    app_id = result["id"]
    assert domain.writes[1] == ("patch_app", app_id, [{"op": "replace", "path": "allowedScopes",
                                                       "value": [{"fqs": "sts.amazon.com/"}]}])
    assert domain.writes[2] == ("set_app_active", app_id, True)
    assert result["changed"] is True
    assert result["client_secret"] == domain.secrets[app_id]
    assert result["client_id"] == domain.apps[app_id]["name"]
    assert result["app"]["active"] is True and result["app"]["allowed_scopes"] == ["sts.amazon.com/"]
    assert result["diff"]["before"] == {} and result["diff"]["after"] == result["app"]
    assert (result["audience"], result["scope"]) == ("sts.amazon.com", "sts.amazon.com/")
    assert result["token_endpoint"] == DOMAIN_URL + "/oauth2/v1/token"
    assert result["issuer"] == DOMAIN_URL
    assert no_secret_in(result, domain)


def test_create_with_fixed_client_id_and_expiry():
    domain = FakeDomain()
    result = manager(domain, client_id="aws_sts", access_token_expiry=900).present()
    body = domain.writes[0][1]
    assert body["name"] == "aws_sts" and body["accessTokenExpiry"] == 900
    assert result["client_id"] == "aws_sts" and result["app"]["access_token_expiry"] == 900


def test_rerun_changes_nothing_and_writes_nothing_and_returns_no_secret():
    domain = FakeDomain()
    manager(domain, description="d", access_token_expiry=900).present()
    domain.calls = []
    result = manager(domain, description="d", access_token_expiry=900).present()
    assert result["changed"] is False
    assert domain.writes == []
    assert [call[0] for call in domain.calls] == ["find_apps"]
    assert "client_secret" not in result
    assert result["diff"]["before"] == result["diff"]["after"] == result["app"]


def test_check_mode_create_predicts_and_writes_nothing():
    domain = FakeDomain()
    predicted = manager(domain, check_mode=True).present()
    assert predicted["changed"] is True and domain.writes == []
    assert predicted["id"] is None and predicted["client_id"] is None
    assert "client_secret" not in predicted
    applied = manager(domain).present()
    assert dict(predicted["app"], client_id=None) == dict(applied["app"], client_id=None)
    assert manager(domain, check_mode=True).present()["changed"] is False


def test_search_is_one_filtered_query_with_the_name_quoted():
    domain = FakeDomain()
    manager(domain, display_name='odd "name"').present()
    assert domain.calls[0] == ("find_apps", 'displayName eq "odd \\"name\\""')


@pytest.mark.parametrize("name, sent", [
    ("café-oidc", 'displayName eq "café-oidc"'),
    ("アプリ", 'displayName eq "アプリ"'),
    ("back\\slash", 'displayName eq "back\\\\slash"'),
])
def test_the_filter_sends_utf8_as_it_is_without_json_escapes(name, sent):
    # issue 14 §3: json.dumps wrote \u00e9, which a service taking escapes literally never matches
    domain = FakeDomain()
    manager(domain, display_name=name).present()
    assert domain.calls[0] == ("find_apps", sent)
    assert "\\u" not in domain.calls[0][1]


# -- drift ----------------------------------------------------------------------------------------

DRIFTS = [
    ("audience", {"audience": "other.example"}, ["patch_app"], [{"op": "replace", "path": "audience",
                                                                 "value": "sts.amazon.com"}]),
    ("scopes", {"scopes": [{"value": "/read", "description": "r"}]}, ["patch_app"],
     [{"op": "replace", "path": "scopes", "value": [{"value": "/", "description": "all", "requiresConsent": False}]}]),
    ("grants", {"allowedGrants": ["client_credentials", "authorization_code"]}, ["patch_app"],
     [{"op": "replace", "path": "allowedGrants", "value": ["client_credentials"]}]),
    ("no grants", {"allowedGrants": []}, ["patch_app"],
     [{"op": "replace", "path": "allowedGrants", "value": ["client_credentials"]}]),
    ("client flag", {"isOAuthClient": False}, ["patch_app"],
     [{"op": "replace", "path": "isOAuthClient", "value": True}]),
    ("resource flag", {"isOAuthResource": False}, ["patch_app"],
     [{"op": "replace", "path": "isOAuthResource", "value": True}]),
    ("client type", {"clientType": "public"}, ["patch_app"],
     [{"op": "replace", "path": "clientType", "value": "confidential"}]),
    ("allowed scopes", {"allowedScopes": [{"fqs": "sts.amazon.com/"}, {"fqs": "other/"}]}, ["patch_app"],
     [{"op": "replace", "path": "allowedScopes", "value": [{"fqs": "sts.amazon.com/"}]}]),
    ("no allowed scopes", {"allowedScopes": []}, ["patch_app"],
     [{"op": "replace", "path": "allowedScopes", "value": [{"fqs": "sts.amazon.com/"}]}]),
    ("inactive", {"active": False}, ["set_app_active"], None),
]


@pytest.mark.parametrize("changes, expected_writes, ops", [d[1:] for d in DRIFTS], ids=[d[0] for d in DRIFTS])
def test_drift_is_repaired_and_predicted_in_check_mode(changes, expected_writes, ops):
    domain = FakeDomain([converged_app(**changes)])
    predicted = manager(domain, check_mode=True).present()
    assert predicted["changed"] is True and domain.writes == []
    result = manager(domain).present()
    assert result["changed"] is True
    assert writes(domain) == expected_writes
    if ops is not None:
        assert domain.writes[0][2] == ops
    else:
        assert domain.writes[0] == ("set_app_active", "app-1", True)
    assert predicted["app"] == result["app"] == view(converged_app())
    assert result["diff"]["before"] == view(converged_app(**changes))
    assert "client_secret" not in result
    domain.calls = []
    assert manager(domain).present()["changed"] is False and domain.writes == []


def test_secondary_audiences_are_removed_with_a_warning():
    domain = FakeDomain([converged_app(secondaryAudiences=["other.example"])])
    warnings = []
    predicted = manager(domain, check_mode=True, warnings=warnings).present()
    assert predicted["changed"] is True and domain.writes == []
    assert len(warnings) == 1 and "would remove" in warnings[0] and "other.example" in warnings[0]
    warnings = []
    result = manager(domain, warnings=warnings).present()
    assert domain.writes == [("patch_app", "app-1", [{"op": "remove", "path": "secondaryAudiences"}])]
    assert len(warnings) == 1 and "removed the secondary audiences other.example" in warnings[0]
    assert "array" in warnings[0] and "STS" in warnings[0]
    assert result["app"]["secondary_audiences"] == []
    warnings = []
    assert manager(domain, warnings=warnings).present()["changed"] is False and warnings == []


def test_several_drifts_take_one_patch_op_then_activate():
    # issue 14 §3: the definition and the allowed scopes in ONE PatchOp (two left allowedScopes naming a
    # scope that no longer existed between them, which a service may refuse)
    domain = FakeDomain([converged_app(audience="old", allowedGrants=[], allowedScopes=[{"fqs": "old/"}],
                                       active=False)])
    manager(domain).present()
    assert writes(domain) == ["patch_app", "set_app_active"]
    assert [op["path"] for op in domain.writes[0][2]] == ["audience", "allowedGrants", "allowedScopes"]
    assert domain.writes[0][2][-1]["value"] == [{"fqs": "sts.amazon.com/"}]


def test_a_new_audience_and_scope_change_allowed_scopes_in_the_same_patch_op():
    domain = FakeDomain([converged_app()])
    manager(domain, audience="sts.amazonaws.com", scopes=[{"value": "/read"}]).present()
    assert writes(domain) == ["patch_app"]
    operations = domain.writes[0][2]
    assert [op["path"] for op in operations] == ["audience", "scopes", "allowedScopes"]
    assert operations[-1]["value"] == [{"fqs": "sts.amazonaws.com/read"}]


def test_description_and_expiry_left_alone_unless_given():
    domain = FakeDomain([converged_app(description="theirs", accessTokenExpiry=7200)])
    assert manager(domain).present()["changed"] is False
    result = manager(domain, description="ours", access_token_expiry=900).present()
    assert domain.writes[0][2] == [{"op": "replace", "path": "description", "value": "ours"},
                                   {"op": "replace", "path": "accessTokenExpiry", "value": 900}]
    assert result["app"]["description"] == "ours" and result["app"]["access_token_expiry"] == 900
    manager(domain, description="").present()
    assert domain.writes[-1][2] == [{"op": "remove", "path": "description"}]


def test_inactive_wanted_deactivates():
    domain = FakeDomain([converged_app()])
    result = manager(domain, active=False).present()
    assert domain.writes == [("set_app_active", "app-1", False)]
    assert result["app"]["active"] is False
    assert manager(domain, active=False).present()["changed"] is False


def test_half_made_app_is_completed():
    """A run cut off after the create left an inactive app without allowed scopes."""
    domain = FakeDomain([converged_app(active=False, allowedScopes=[])])
    result = manager(domain).present()
    assert writes(domain) == ["patch_app", "set_app_active"]
    assert result["changed"] is True and result["app"] == view(converged_app())
    assert "client_secret" not in result


# -- concurrency, identity ---------------------------------------------------------------------------

def test_conflict_on_create_finds_the_app_and_converges_it_without_a_secret():
    """The create's answer was lost and its retry got 409: the app exists, half made."""
    domain = FakeDomain()
    domain.before("create_app", lambda: domain.apps.update({"app-9": converged_app(
        id="app-9", name="client_9", active=False, allowedScopes=[])}))
    warnings = []
    result = manager(domain, warnings=warnings).present()
    assert writes(domain) == ["create_app", "patch_app", "set_app_active"]
    assert domain.writes[1][1] == domain.writes[2][1] == "app-9"
    assert result["changed"] is True and result["id"] == "app-9" and result["client_id"] == "client_9"
    assert "client_secret" not in result
    assert len(warnings) == 1 and "already existed" in warnings[0] and "secret=regenerate" in warnings[0]
    assert result["app"] == view(converged_app(id="app-9", name="client_9"))


def test_conflict_on_create_with_another_client_id_is_refused():
    domain = FakeDomain()
    domain.before("create_app", lambda: domain.apps.update({"app-9": converged_app(id="app-9", name="theirs")}))
    with pytest.raises(OptionError) as caught:
        manager(domain, client_id="ours").present()
    assert caught.value.option == "client_id"
    assert writes(domain) == ["create_app"]


def test_conflict_on_create_without_the_app_is_reported():
    domain = FakeDomain()
    domain.fail_next("create_app", scim_error(409, "An App with name ours already exists."))
    with pytest.raises(ServiceError) as caught:
        manager(domain, client_id="ours").present()
    assert caught.value.details["status"] == 409


def test_other_create_errors_are_raised():
    domain = FakeDomain()
    domain.fail_next("create_app", scim_error(400, "bad"))
    with pytest.raises(ServiceError):
        manager(domain).present()
    assert [call[0] for call in domain.calls] == ["find_apps", "create_app"]


def test_client_id_change_is_refused_before_any_write():
    domain = FakeDomain([converged_app(audience="drifted")])
    with pytest.raises(OptionError) as caught:
        manager(domain, client_id="another_id").present()
    assert caught.value.option == "client_id"
    assert "client_1" in caught.value.msg and "another_id" in caught.value.msg
    assert "cannot change" in caught.value.msg
    assert domain.writes == []
    assert manager(domain, client_id="client_1", check_mode=True).present()["changed"] is True


def test_a_client_id_differing_only_in_case_is_the_same_app_with_a_warning():
    # name is caseExact false and unique server-wide (SDK): the domain sees one app
    domain = FakeDomain([converged_app()])
    existing = domain.apps["app-1"]["name"]
    warnings = []
    result = manager(domain, client_id=existing.swapcase(), warnings=warnings).present()
    assert result["changed"] is False and domain.writes == [] and result["client_id"] == existing
    assert len(warnings) == 1 and "only regardless of case" in warnings[0] and existing in warnings[0]


def test_two_apps_with_the_display_name_are_refused():
    domain = FakeDomain([converged_app(), converged_app(id="app-2", name="client_2", displayName="AWS-STS-OIDC")])
    for state in ("present", "absent"):
        with pytest.raises(OptionError) as caught:
            getattr(manager(domain), state)()
        assert caught.value.option == "display_name"
        assert "2 apps" in caught.value.msg and "app-1, app-2" in caught.value.msg
    assert domain.writes == []


# -- secret -------------------------------------------------------------------------------------------------

def test_secret_regenerate_issues_a_new_secret_on_every_run():
    domain = FakeDomain([converged_app()])
    old = domain.secrets["app-1"]
    predicted = manager(domain, secret="regenerate", check_mode=True).present()
    assert predicted["changed"] is True and "client_secret" not in predicted and domain.writes == []
    first = manager(domain, secret="regenerate").present()
    second = manager(domain, secret="regenerate").present()
    assert writes(domain) == ["regenerate_secret", "regenerate_secret"]
    assert first["changed"] and second["changed"]
    assert first["client_secret"] != second["client_secret"] != old
    assert second["client_secret"] == domain.secrets["app-1"]
    assert no_secret_in(first, domain) and no_secret_in(second, domain)
    assert manager(domain).present()["changed"] is False


def test_secret_regenerate_on_create_returns_the_created_secret_only():
    domain = FakeDomain()
    result = manager(domain, secret="regenerate").present()
    assert "regenerate_secret" not in writes(domain)
    assert result["client_secret"] == domain.secrets[result["id"]]


def test_secret_regenerate_with_drift_converges_too():
    # activated first: a service may refuse a new secret for an inactive app (the fake does)
    domain = FakeDomain([converged_app(active=False)])
    result = manager(domain, secret="regenerate").present()
    assert writes(domain) == ["set_app_active", "regenerate_secret"]
    assert result["app"]["active"] is True and result["client_secret"] == domain.secrets["app-1"]


def test_secret_regenerate_with_deactivation_regenerates_before_deactivating():
    domain = FakeDomain([converged_app()])
    result = manager(domain, secret="regenerate", active=False).present()
    assert writes(domain) == ["regenerate_secret", "set_app_active"]
    assert result["app"]["active"] is False and result["client_secret"] == domain.secrets["app-1"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_secret_regenerate_of_an_app_kept_inactive_is_refused_before_any_write(check_mode):
    domain = FakeDomain([converged_app(active=False, description="drift")])
    with pytest.raises(OptionError) as caught:
        manager(domain, secret="regenerate", active=False, description="new", check_mode=check_mode).present()
    assert caught.value.option == "secret" and "active: true" in caught.value.msg
    assert domain.writes == []


# -- absent -------------------------------------------------------------------------------------------------

def test_absent_deactivates_then_deletes():
    domain = FakeDomain([converged_app()])
    predicted = manager(domain, check_mode=True).absent()
    assert predicted["changed"] is True and domain.writes == []
    result = manager(domain).absent()
    assert domain.writes == [("set_app_active", "app-1", False), ("delete_app", "app-1")]
    assert result["changed"] is True and result["id"] == "app-1" and result["client_id"] == "client_1"
    assert result["app"] == {} and result["diff"]["before"] == view(converged_app())
    assert predicted["diff"] == result["diff"]
    assert domain.apps == {}
    domain.calls = []
    again = manager(domain).absent()
    assert again["changed"] is False and again["id"] is None and domain.writes == []


def test_absent_inactive_app_is_deleted_at_once():
    domain = FakeDomain([converged_app(active=False)])
    manager(domain).absent()
    assert domain.writes == [("delete_app", "app-1")]


def test_absent_tolerates_a_delete_that_finds_nothing():
    domain = FakeDomain([converged_app()])
    domain.fail_next("delete_app", scim_error(404, "Resource app-1 of type App not found."))
    assert manager(domain).absent()["changed"] is True


def test_absent_reports_other_delete_errors():
    domain = FakeDomain([converged_app(active=False)])
    domain.fail_next("delete_app", scim_error(403, "not allowed"))
    with pytest.raises(ServiceError):
        manager(domain).absent()


def test_absent_with_another_client_id_is_refused():
    domain = FakeDomain([converged_app()])
    with pytest.raises(OptionError) as caught:
        manager(domain, client_id="someone_else").absent()
    assert caught.value.option == "client_id" and domain.writes == []


def test_a_create_that_fails_half_way_says_changed_and_how_to_complete():
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.app import AppManager, AppSpec
    from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import FakeDomain, scim_error

    domain = FakeDomain()
    domain.fail_next("set_app_active", scim_error(500, "Internal error."))
    with pytest.raises(ServiceError) as raised:
        AppManager(domain, AppSpec("aws-sts-oidc"), warn=lambda msg: None).present()
    assert raised.value.details["changed"] is True and raised.value.details["id"] in domain.apps
    assert "run the task again" in raised.value.msg and "secret=regenerate" in raised.value.msg


# -- ownership: the mark, adopt, case-only name matches -----------------------------------------------

def hand_made(**changes):
    """An app someone made in the console: no mark, other grants, mixed-case name."""
    app = converged_app(displayName="AWS-Sts-OIDC", allowedGrants=["authorization_code", "client_credentials"],
                        audience="https://web.example.com", redirectUris=["https://web.example.com/cb"])
    app.pop("tags")
    app.update(changes)
    return app


def test_create_marks_the_app():
    domain = FakeDomain()
    result = manager(domain).present()
    assert domain.writes[0][1]["tags"] == [{"key": "managed-by", "value": "multicloud.oci_aws"}]
    assert result["app"]["tags"] == [{"key": "managed-by", "value": "multicloud.oci_aws"}]


@pytest.mark.parametrize("check_mode", [False, True])
def test_an_app_without_the_mark_is_refused_before_any_write(check_mode):
    domain = FakeDomain([hand_made()])
    warnings = []
    with pytest.raises(OptionError) as caught:
        manager(domain, check_mode=check_mode, warnings=warnings, display_name="aws-sts-oidc").present()
    assert caught.value.option == "adopt"
    assert "adopt: true" in caught.value.msg and "authorization_code" in caught.value.msg
    assert "https://web.example.com" in caught.value.msg
    assert caught.value.details["diff"]["before"]["allowed_grants"] == ["authorization_code", "client_credentials"]
    assert caught.value.details["diff"]["after"]["allowed_grants"] == ["client_credentials"]
    assert writes(domain) == []
    assert domain.apps["app-1"] == hand_made()


def test_state_absent_refuses_an_app_without_the_mark():
    domain = FakeDomain([hand_made()])
    with pytest.raises(OptionError) as caught:
        manager(domain).absent()
    assert caught.value.option == "adopt" and "delete" in caught.value.msg
    assert writes(domain) == []


def test_adopt_marks_and_converges_keeping_the_other_tags_and_the_name():
    domain = FakeDomain([hand_made(tags=[{"key": "owner", "value": "web"}])])
    warnings = []
    result = manager(domain, warnings=warnings, adopt=True, display_name="aws-sts-oidc").present()
    assert result["changed"]
    app = domain.apps["app-1"]
    assert app["tags"] == [{"key": "owner", "value": "web"}, {"key": "managed-by", "value": "multicloud.oci_aws"}]
    assert app["displayName"] == "AWS-Sts-OIDC"
    assert app["allowedGrants"] == ["client_credentials"]
    assert [w for w in warnings if "adopt is set" in w]
    assert [w for w in warnings if "only regardless of case" in w]
    assert not manager(domain).present()["changed"], "once marked, no adopt needed and nothing to do"


def test_adopt_in_check_mode_writes_nothing_and_predicts_the_mark():
    domain = FakeDomain([hand_made()])
    result = manager(domain, check_mode=True, adopt=True).present()
    assert result["changed"] and writes(domain) == []
    assert {"key": "managed-by", "value": "multicloud.oci_aws"} in result["diff"]["after"]["tags"]


def test_adopt_with_state_absent_deletes():
    domain = FakeDomain([hand_made()])
    manager(domain, adopt=True).absent()
    assert writes(domain) == ["set_app_active", "delete_app"]


def test_mark_is_compared_regardless_of_case_as_the_service_does():
    domain = FakeDomain([converged_app(tags=[{"key": "Managed-By", "value": "MultiCloud.OCI_AWS"}])])
    assert not manager(domain).present()["changed"]


def test_a_case_only_match_of_a_managed_app_is_reported_and_not_renamed():
    domain = FakeDomain([converged_app(displayName="AWS-STS-OIDC")])
    warnings = []
    result = manager(domain, warnings=warnings, display_name="aws-sts-oidc").present()
    assert not result["changed"] and writes(domain) == []
    assert len([w for w in warnings if "only regardless of case" in w and "'AWS-STS-OIDC'" in w]) == 1


def test_a_foreign_app_found_after_a_create_conflict_is_refused():
    domain = FakeDomain()
    domain.before("create_app", lambda: domain.apps.update({"app-9": hand_made(id="app-9", displayName="aws-sts-oidc")}))
    with pytest.raises(OptionError) as caught:
        manager(domain).present()
    assert caught.value.option == "adopt"
    assert writes(domain) == ["create_app"]
