"""Fidelity of the emulated identity domain as the official `oci` SDK sees it.

The client is `oci.identity_domains.IdentityDomainsClient` changed in nothing but its endpoint, its
config file and its CA bundle. The CA is set the way the `oracle.oci` collection sets its
`cert_bundle` (`client.base_client.session.verify = <path>`); that setting only takes effect when
neither REQUESTS_CA_BUNDLE nor CURL_CA_BUNDLE is set in the environment (see
`test_requests_ca_bundle_overrides_session_verify`), so the fixture clears them.
"""

import concurrent.futures
import json
import re

import oci
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oci.identity_domains import IdentityDomainsClient
from oci.identity_domains import models

APP_URN = "urn:ietf:params:scim:schemas:oracle:idcs:App"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SETTINGS_URN = "urn:ietf:params:scim:schemas:oracle:idcs:Settings"
REGENERATOR_URN = "urn:ietf:params:scim:schemas:oracle:idcs:AppClientSecretRegenerator"
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def oci_config(sandbox):
    return oci.config.from_file(sandbox.env["OCI_CONFIG_FILE"], sandbox.env["OCI_CONFIG_PROFILE"])


def make_client(sandbox, config=None):
    client = IdentityDomainsClient(config or oci_config(sandbox), service_endpoint=sandbox.domain_url)
    client.base_client.session.verify = sandbox.ca_bundle
    return client


@pytest.fixture
def client(fresh_sandbox, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    return make_client(fresh_sandbox)


def sts_app(display_name="aws-sts-oidc", **changes):
    """The A-Team blog's app (resource server and client in one), without allowedScopes."""
    values = dict(
        schemas=[APP_URN], display_name=display_name, description="OIDC IdP for AWS STS",
        based_on_template=models.AppBasedOnTemplate(value="CustomWebAppTemplateId"),
        client_type="confidential", is_o_auth_resource=True, audience="sts.amazon.com",
        scopes=[models.AppScopes(value="/", description="all", requires_consent=False)],
        is_o_auth_client=True, allowed_grants=["client_credentials"], active=True,
    )
    values.update(changes)
    return models.App(**values)


def patch(*operations):
    return {"schemas": [PATCH_URN], "Operations": [dict(zip(("op", "path", "value"), op)) for op in operations]}


def service_error(call, *args, **kwargs):
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        call(*args, **kwargs)
    error = caught.value
    assert error.request_id, "every answer carries opc-request-id"
    return error


def detail(error):
    return error.args[0]["detail"]


# -- create, read --------------------------------------------------------------------------------

def test_create_returns_server_generated_attributes(client, fresh_sandbox):
    response = client.create_app(app=sts_app())
    app = response.data
    assert response.status == 201
    assert response.headers["Location"] == "%s/admin/v1/Apps/%s" % (fresh_sandbox.domain_url, app.id)
    assert response.headers["opc-request-id"]
    assert HEX32.match(app.name), "the client id is generated"
    assert app.client_secret, "a confidential app gets a secret, returned by create"
    assert app.ocid.startswith("ocid1.domainapp.")
    assert app.meta.resource_type == "App" and app.meta.location == response.headers["Location"]
    assert app.meta.created and app.meta.version
    assert app.scopes[0].fqs == "sts.amazon.com/", "fqs is the audience followed by the value"
    assert app.based_on_template.value == "CustomWebAppTemplateId"
    assert app.active is True


def test_create_ignores_read_only_attributes(client):
    app = client.create_app(app=sts_app(id="chosen", client_secret="mine")).data
    assert app.id != "chosen"
    assert app.client_secret != "mine"


def test_reads_return_the_client_secret_unless_switched_off(client, fresh_sandbox):
    # SDK App model: clientSecret "returned: default" (issue 14 §2: the default is now that answer)
    created = client.create_app(app=sts_app()).data
    assert client.get_app(created.id).data.client_secret == created.client_secret
    assert client.list_apps().data.resources[0].client_secret == created.client_secret
    fresh_sandbox.configure(oci={"get_returns_client_secret": False})
    assert client.get_app(created.id).data.client_secret is None
    assert client.list_apps().data.resources[0].client_secret is None


@pytest.mark.parametrize("missing", ["display_name", "based_on_template", "schemas"])
def test_create_requires_its_required_attributes(client, missing):
    error = service_error(client.create_app, app=sts_app(**{missing: None}))
    assert error.status == 400
    assert "Missing required attribute(s)" in detail(error)


def test_create_naming_its_own_scope_is_refused_by_default(client, fresh_sandbox):
    own = [models.AppAllowedScopes(fqs="sts.amazon.com/")]
    error = service_error(client.create_app, app=sts_app(allowed_scopes=own))
    assert error.status == 400
    assert "sts.amazon.com/" in detail(error)
    assert client.list_apps().data.total_results == 0

    fresh_sandbox.configure(oci={"create_allows_own_allowed_scope": True})
    app = client.create_app(app=sts_app(allowed_scopes=own)).data
    assert app.allowed_scopes[0].id_of_defining_app == app.id


def test_allowed_scopes_must_name_a_scope_of_an_oauth_resource(client):
    resource = client.create_app(app=sts_app("resource", is_o_auth_client=False, allowed_grants=None)).data
    error = service_error(client.create_app, app=sts_app(
        "client", is_o_auth_resource=False, audience=None, scopes=None,
        allowed_scopes=[models.AppAllowedScopes(fqs="sts.amazon.com/other")]))
    assert error.status == 400
    app = client.create_app(app=sts_app(
        "client", is_o_auth_resource=False, audience=None, scopes=None,
        allowed_scopes=[models.AppAllowedScopes(fqs="sts.amazon.com/")])).data
    assert app.allowed_scopes[0].id_of_defining_app == resource.id


def test_display_name_and_name_are_unique(client):
    first = client.create_app(app=sts_app(name="aws_sts_client")).data
    error = service_error(client.create_app, app=sts_app(display_name="AWS-STS-OIDC", audience="other"))
    assert error.status == 409, "displayName is unique, whatever its case"
    assert "displayName" in detail(error)
    error = service_error(client.create_app, app=sts_app("another", name=first.name, audience="other"))
    assert error.status == 409
    error = service_error(client.create_app, app=sts_app("third", name="not-a-client-id!", audience="other"))
    assert error.status == 400


def test_retry_token_switch(client, fresh_sandbox):
    first = client.create_app(app=sts_app(), opc_retry_token="token-1").data
    assert service_error(client.create_app, app=sts_app(), opc_retry_token="token-1").status == 409, \
        "by default a retried create is a new create: the displayName is taken"

    fresh_sandbox.configure(oci={"create_honours_retry_token": True})
    second = client.create_app(app=sts_app("second", audience="aud2"), opc_retry_token="token-2")
    replayed = client.create_app(app=sts_app("second", audience="aud2"), opc_retry_token="token-2")
    assert replayed.status == 201 and replayed.data.id == second.data.id != first.id
    assert replayed.data.client_secret == second.data.client_secret
    conflict = service_error(client.create_app, app=sts_app("third", audience="aud3"), opc_retry_token="token-2")
    assert conflict.status == 409 and "retry token" in detail(conflict)


def test_concurrent_creates_of_one_name_make_one_app(fresh_sandbox, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)

    def create(index):
        try:
            return make_client(fresh_sandbox).create_app(app=sts_app(audience="aud%d" % index)).status
        except oci.exceptions.ServiceError as error:
            return error.status

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(create, range(8)))
    assert statuses == [201] + [409] * 7
    assert make_client(fresh_sandbox).list_apps().data.total_results == 1


# -- list, search --------------------------------------------------------------------------------

@pytest.fixture
def three_apps(client):
    names = ["aws-sts-dev", "aws-sts-prod", "gcp-wif"]
    for index, name in enumerate(names):
        client.create_app(app=sts_app(name, audience="aud%d" % index, description="app %d" % index))
    return names


@pytest.mark.parametrize("scim_filter, expected", [
    ('displayName eq "aws-sts-dev"', {"aws-sts-dev"}),
    ('DISPLAYNAME EQ "AWS-STS-DEV"', {"aws-sts-dev"}),
    ('displayName sw "aws-"', {"aws-sts-dev", "aws-sts-prod"}),
    ('displayName co "prod" or displayName co "gcp"', {"aws-sts-prod", "gcp-wif"}),
    ('displayName sw "aws" and not (displayName ew "dev")', {"aws-sts-prod"}),
    # audience is not idcsSearchable (SDK): description stands in for it (test_idcs_behaviours.py)
    ('(displayName eq "gcp-wif" or displayName eq "aws-sts-dev") and description eq "app 2"', {"gcp-wif"}),
    ('scopes[value eq "/"] and description eq "app 1"', {"aws-sts-prod"}),
    ('displayName eq "nothing"', set()),
])
def test_list_apps_filters(client, three_apps, scim_filter, expected):
    found = client.list_apps(filter=scim_filter).data
    assert {app.display_name for app in found.resources} == expected
    assert found.total_results == len(expected)
    assert found.schemas == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]


def test_list_apps_filter_by_name(client, three_apps):
    app = client.list_apps(filter='displayName eq "gcp-wif"').data.resources[0]
    assert [a.id for a in client.list_apps(filter='name eq "%s"' % app.name).data.resources] == [app.id]


def test_list_apps_pages_and_projects(client, three_apps):
    page = client.list_apps(sort_by="displayName", start_index=2, count=1, attributes="description").data
    assert (page.total_results, page.start_index, page.items_per_page) == (3, 2, 1)
    only = page.resources[0]
    assert only.display_name == "aws-sts-prod" and only.description == "app 1" and only.id
    assert only.audience is None, "attributes limits the answer to those named and the returned:always ones"
    assert client.list_apps().data.items_per_page == 50
    assert client.list_apps(count=5000).data.items_per_page == 1000


def test_invalid_filter_is_400(client):
    error = service_error(client.list_apps, filter='displayName eq')
    assert error.status == 400
    assert "filter" in detail(error).lower()


def test_search_apps(client, three_apps):
    request = models.AppSearchRequest(schemas=[SEARCH_URN], filter='displayName sw "aws"',
                                      attributes=["displayName", "scopes.fqs"], sort_by="displayName",
                                      sort_order="DESCENDING")
    found = client.search_apps(app_search_request=request).data
    assert [a.display_name for a in found.resources] == ["aws-sts-prod", "aws-sts-dev"]
    assert found.resources[0].scopes[0].fqs == "aud1/"
    assert found.resources[0].scopes[0].value is None


def test_attribute_sets(client):
    created = client.create_app(app=sts_app()).data
    default = client.get_app(created.id).data
    assert default.scopes[0].read_only is None, "scopes.readOnly is returned on request only"
    requested = client.get_app(created.id, attributes="scopes.readOnly").data
    assert (requested.scopes[0].read_only, requested.scopes[0].value) == (False, None)
    always = client.get_app(created.id, attribute_sets=["always"]).data
    assert always.display_name == "aws-sts-oidc" and always.description is None


# -- PATCH ---------------------------------------------------------------------------------------

def test_patch_with_sdk_models_sends_uppercase_ops(client):
    app = client.create_app(app=sts_app()).data
    operations = [
        models.Operations(op="ADD", path="allowedScopes", value=[{"fqs": "sts.amazon.com/"}]),
        models.Operations(op="REPLACE", path="active", value=False),
    ]
    patched = client.patch_app(app.id, patch_op=models.PatchOp(schemas=[PATCH_URN], operations=operations)).data
    assert patched.active is False
    assert [(s.fqs, s.id_of_defining_app) for s in patched.allowed_scopes] == [("sts.amazon.com/", app.id)]
    assert patched.meta.version != app.meta.version


def test_patch_with_plain_dicts_lowercase_ops_and_value_filters(client):
    app = client.create_app(app=sts_app()).data
    patched = client.patch_app(app.id, patch_op=patch(
        ("replace", "DisplayName", "renamed"),
        ("add", "scopes", [{"value": "read"}]),
        ("replace", 'scopes[value eq "/"].description', "everything"),
        ("add", "secondaryAudiences", ["aud2"]),
        ("add", "allowedGrants", ["client_credentials", "refresh_token"]),
    )).data
    assert patched.display_name == "renamed"
    assert {(s.value, s.fqs, s.description) for s in patched.scopes} == {
        ("/", "sts.amazon.com/", "everything"), ("read", "sts.amazon.comread", None)}
    assert patched.secondary_audiences == ["aud2"]
    assert patched.allowed_grants == ["client_credentials", "refresh_token"]

    patched = client.patch_app(app.id, patch_op=patch(
        ("remove", 'scopes[value eq "read"]'),
        ("remove", "secondaryAudiences"),
        ("replace", "audience", "sts.amazonaws.com"),
        ("replace", None, {"description": "no path"}),
    )).data
    assert [(s.value, s.fqs) for s in patched.scopes] == [("/", "sts.amazonaws.com/")]
    assert patched.secondary_audiences is None and patched.description == "no path"


def test_patch_remove_by_value(client):
    app = client.create_app(app=sts_app()).data
    client.patch_app(app.id, patch_op=patch(("add", "allowedScopes", [{"fqs": "sts.amazon.com/"}])))
    patched = client.patch_app(app.id, patch_op=patch(("remove", "allowedScopes", [{"fqs": "sts.amazon.com/"}]))).data
    assert patched.allowed_scopes == []


@pytest.mark.parametrize("path, value, word", [
    ("clientSecret", "mine", "read-only"),
    ("id", "other", "read-only"),
    ('scopes[value eq "/"].fqs', "x", "read-only"),
    ("scopes", [{"value": "/", "fqs": "x"}], "read-only"),
    ("name", "another_client_id", "immutable"),
    ("basedOnTemplate", {"value": "CustomBrowserMobileTemplateId"}, "immutable"),
])
def test_patch_refuses_read_only_and_set_immutable_attributes(client, path, value, word):
    app = client.create_app(app=sts_app()).data
    error = service_error(client.patch_app, app.id, patch_op=patch(("replace", path, value)))
    assert error.status == 400
    assert word in detail(error)


@pytest.mark.parametrize("operation", [
    ("replace", 'scopes[value eq "missing"].description', "x"),
    ("remove", None, None),
    ("frobnicate", "description", "x"),
    ("replace", "noSuchAttribute", "x"),
    ("replace", "active", "yes"),
    ("replace", "clientType", "secretive"),
])
def test_patch_refuses_invalid_operations(client, operation):
    app = client.create_app(app=sts_app()).data
    error = service_error(client.patch_app, app.id, patch_op=patch(operation))
    assert error.status == 400


def test_stale_if_match_is_412(client):
    app = client.create_app(app=sts_app()).data
    client.patch_app(app.id, patch_op=patch(("replace", "description", "changed")))
    error = service_error(client.patch_app, app.id, patch_op=patch(("replace", "description", "again")),
                          if_match=app.meta.version)
    assert error.status == 412


# -- PUT -----------------------------------------------------------------------------------------

READ_ONLY_OR_SET = ("id", "ocid", "meta", "name", "clientSecret", "domainOcid", "meterAsOPCService", "isAliasApp",
                    "basedOnTemplate")


def writable_copy(client, app):
    """What a PUT built from a GET may carry: no readOnly attributes, no immutable ones already set."""
    body = client.base_client.sanitize_for_serialization(app)
    for key in READ_ONLY_OR_SET:
        body.pop(key, None)
    for scope in body.get("scopes", []):
        scope.pop("fqs", None)
    for allowed in body.get("allowedScopes", []):
        allowed.pop("idOfDefiningApp", None)
    return body


def test_put_replaces_the_whole_app(client):
    app = client.create_app(app=sts_app()).data
    body = writable_copy(client, client.get_app(app.id).data)
    del body["description"]
    body["displayName"] = "replaced"
    replaced = client.put_app(app.id, app=body).data
    assert replaced.display_name == "replaced"
    assert replaced.description is None, "an attribute missing from a PUT is removed"
    assert replaced.name == app.name and replaced.based_on_template.value == "CustomWebAppTemplateId"
    assert replaced.scopes[0].fqs == "sts.amazon.com/"


@pytest.mark.parametrize("extra", [{"id": "x"}, {"clientSecret": "x"}, {"name": "x"},
                                   {"basedOnTemplate": {"value": "CustomWebAppTemplateId"}},
                                   {"meta": {"version": "1"}}])
def test_put_refuses_read_only_and_set_immutable_attributes(client, extra):
    app = client.create_app(app=sts_app()).data
    body = {**writable_copy(client, client.get_app(app.id).data), **extra}
    error = service_error(client.put_app, app.id, app=body)
    assert error.status == 400
    assert re.search("read-only|immutable", detail(error))


# -- activation, deletion, secret ----------------------------------------------------------------

def test_status_changer_and_delete(client):
    app = client.create_app(app=sts_app()).data
    for force in (False, True):
        error = service_error(client.delete_app, app.id, force_delete=force)
        assert error.status == 400, "an active app cannot be deleted, even with forceDelete"
        assert "active" in detail(error)

    changer = models.AppStatusChanger(schemas=["urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger"], active=False)
    changed = client.put_app_status_changer(app.id, app_status_changer=changer)
    assert changed.status == 200 and changed.data.active is False and changed.data.id == app.id
    assert client.get_app(app.id).data.active is False

    deleted = client.delete_app(app.id, force_delete=True)
    assert deleted.status == 204 and deleted.data is None
    assert service_error(client.get_app, app.id).status == 404
    assert service_error(client.put_app_status_changer, "nope", app_status_changer=changer).status == 404


def test_delete_of_a_referenced_resource_app_needs_force(client):
    resource = client.create_app(app=sts_app("resource", is_o_auth_client=False, allowed_grants=None, active=False)).data
    consumer = client.create_app(app=sts_app("client", is_o_auth_resource=False, audience=None, scopes=None,
                                             allowed_scopes=[models.AppAllowedScopes(fqs="sts.amazon.com/")])).data
    assert service_error(client.delete_app, resource.id).status == 409
    client.delete_app(resource.id, force_delete=True)
    assert client.get_app(consumer.id).data.allowed_scopes == []


def test_regenerate_secret_through_call_api(client, fresh_sandbox):
    app = client.create_app(app=sts_app()).data
    response = client.base_client.call_api(
        resource_path="/admin/v1/AppClientSecretRegenerator", method="POST",
        query_params={"attributeSets": "all"},
        header_params={"accept": "application/json, application/scim+json", "content-type": "application/json"},
        body={"schemas": [REGENERATOR_URN], "appId": app.id}, response_type="object")
    assert response.status == 201
    assert response.data["appId"] == app.id
    assert response.data["clientSecret"] and response.data["clientSecret"] != app.client_secret
    fresh_sandbox.configure(oci={"get_returns_client_secret": True})
    assert client.get_app(app.id).data.client_secret == response.data["clientSecret"]


# -- Settings ------------------------------------------------------------------------------------

def test_settings_read_patch_and_put(client, fresh_sandbox):
    settings = client.get_setting("Settings").data
    assert settings.issuer == "https://identity.oraclecloud.com/"
    assert settings.signing_cert_public_access is False
    assert settings.prev_issuer is None
    assert client.list_settings().data.total_results == 1

    issuer = "https://%s.identity.oraclecloud.com" % fresh_sandbox.env["OCI_DOMAIN_ID"]
    patched = client.patch_setting("Settings", patch_op=models.PatchOp(schemas=[PATCH_URN], operations=[
        models.Operations(op="REPLACE", path="issuer", value=issuer),
        models.Operations(op="REPLACE", path="SigningCertPublicAccess", value=True),
    ])).data
    assert (patched.issuer, patched.signing_cert_public_access) == (issuer, True)
    assert patched.prev_issuer is None, "prevIssuer is returned on request only"
    assert client.get_setting("Settings", attributes="prevIssuer").data.prev_issuer == "https://identity.oraclecloud.com/"

    error = service_error(client.put_setting, "Settings", setting={"schemas": [SETTINGS_URN], "issuer": issuer})
    assert error.status == 400 and "csrAccess" in detail(error)
    replaced = client.put_setting("Settings", setting=models.Setting(schemas=[SETTINGS_URN], csr_access="none")).data
    assert replaced.issuer == "https://identity.oraclecloud.com/", "PUT resets what it does not carry"
    assert replaced.signing_cert_public_access is False
    assert service_error(client.get_setting, "Other").status == 404


def test_settings_issuer_absent_until_set_switch(client, fresh_sandbox):
    fresh_sandbox.configure(oci={"settings_issuer_absent_until_set": True})
    assert client.get_setting("Settings").data.issuer is None
    client.patch_setting("Settings", patch_op=patch(("replace", "issuer", "https://example.test")))
    assert client.get_setting("Settings").data.issuer == "https://example.test"


# -- request signatures --------------------------------------------------------------------------

def test_unsigned_request_is_401(fresh_sandbox):
    response = requests.get(fresh_sandbox.domain_url + "/admin/v1/Apps", verify=fresh_sandbox.ca_bundle, timeout=10)
    assert response.status_code == 401
    assert response.headers["opc-request-id"]
    body = response.json()
    # every error carries Oracle's extension (issue 14 §3)
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error",
                               "urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error"]
    assert body["status"] == "401"


def test_request_signed_with_another_key_is_401(fresh_sandbox, tmp_path, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    other = tmp_path / "other.pem"
    other.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    config = dict(oci_config(fresh_sandbox), key_file=str(other))
    error = service_error(make_client(fresh_sandbox, config).list_apps)
    assert error.status == 401
    assert "signature" in detail(error)


def test_request_with_a_stale_date_is_401(client, fresh_sandbox):
    client.list_apps()
    fresh_sandbox.shift_clock(301)
    error = service_error(client.list_apps)
    assert error.status == 401
    assert "date" in detail(error)


def test_body_not_matching_x_content_sha256_is_401(fresh_sandbox):
    signer = oci.signer.Signer.from_config(oci_config(fresh_sandbox))
    body = json.dumps({"schemas": [APP_URN], "displayName": "x", "basedOnTemplate": {"value": "CustomWebAppTemplateId"}})
    prepared = requests.Request("POST", fresh_sandbox.domain_url + "/admin/v1/Apps", data=body,
                                headers={"content-type": "application/json"}, auth=signer).prepare()
    prepared.body = body.replace('"x"', '"y"')
    response = requests.Session().send(prepared, verify=fresh_sandbox.ca_bundle, timeout=10)
    assert response.status_code == 401
    assert "x-content-sha256" in response.json()["detail"]


def test_requests_ca_bundle_overrides_session_verify(fresh_sandbox, monkeypatch):
    """The SDK's vendored requests prefers REQUESTS_CA_BUNDLE to `session.verify` (trust_env)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    with pytest.raises(oci.exceptions.RequestException):
        make_client(fresh_sandbox).list_apps()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", fresh_sandbox.ca_bundle)
    assert make_client(fresh_sandbox).list_apps().status == 200
