"""Fidelity of the emulated identity domain's OAuth side, seen with plain `requests`: the token
endpoint (client_credentials), the access token's header and claims, JWKS and discovery.

Admin set-up goes through signed requests (`oci.signer.Signer`, the SDK's signer) on the SCIM API.
"""

import base64
import hashlib
import time

import jwt
import oci
import pytest
import requests

APP_URN = "urn:ietf:params:scim:schemas:oracle:idcs:App"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
STATUS_URN = "urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger"
REGENERATOR_URN = "urn:ietf:params:scim:schemas:oracle:idcs:AppClientSecretRegenerator"
DEFAULT_ISSUER = "https://identity.oraclecloud.com/"


class Domain:
    """The sandbox's identity domain, driven over HTTP."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.url = sandbox.domain_url
        config = oci.config.from_file(sandbox.env["OCI_CONFIG_FILE"], sandbox.env["OCI_CONFIG_PROFILE"])
        self.signer = oci.signer.Signer.from_config(config)

    def call(self, method, path, body=None, signed=True, expect=(200, 201, 204)):
        response = requests.request(method, self.url + path, json=body, auth=self.signer if signed else None,
                                    verify=self.sandbox.ca_bundle, timeout=10)
        assert response.status_code in expect, response.text
        return response.json() if response.content else None

    def create_app(self, display_name="aws-sts-oidc", **attributes):
        body = {
            "schemas": [APP_URN], "displayName": display_name,
            "basedOnTemplate": {"value": "CustomWebAppTemplateId"}, "clientType": "confidential",
            "isOAuthResource": True, "audience": "sts.amazon.com", "scopes": [{"value": "/", "description": "all"}],
            "isOAuthClient": True, "allowedGrants": ["client_credentials"], "active": True,
        }
        body.update(attributes)
        return self.call("POST", "/admin/v1/Apps", {k: v for k, v in body.items() if v is not None})

    def patch_app(self, app_id, *operations):
        return self.call("PATCH", "/admin/v1/Apps/" + app_id, patch(*operations))

    def patch_settings(self, *operations):
        return self.call("PATCH", "/admin/v1/Settings/Settings", patch(*operations))

    def token(self, client_id, secret, scope="sts.amazon.com/", style="basic", **form):
        form = {"grant_type": "client_credentials", "scope": scope, **form}
        auth = None
        if style == "basic":
            auth = (client_id, secret)
        else:
            form.update(client_id=client_id, client_secret=secret)
        return requests.post(self.url + "/oauth2/v1/token", data={k: v for k, v in form.items() if v is not None},
                             auth=auth, verify=self.sandbox.ca_bundle, timeout=10)

    def publish_signing_key(self):
        """Settings `signingCertPublicAccess` on: JWKS readable without a signature (step 4)."""
        self.patch_settings(("replace", "signingCertPublicAccess", True))

    def jwks(self):
        return requests.get(self.url + "/admin/v1/SigningCert/jwk", verify=self.sandbox.ca_bundle, timeout=10)

    def discovery(self):
        response = requests.get(self.url + "/.well-known/openid-configuration", verify=self.sandbox.ca_bundle, timeout=10)
        assert response.status_code == 200
        return response.json()


def patch(*operations):
    return {"schemas": [PATCH_URN], "Operations": [dict(zip(("op", "path", "value"), op)) for op in operations]}


@pytest.fixture
def domain(fresh_sandbox):
    return Domain(fresh_sandbox)


@pytest.fixture
def sts(domain):
    """The blog's app, created then given its own scope by PATCH, and the signing key made public:
    (app, client id, secret)."""
    app = domain.create_app()
    domain.patch_app(app["id"], ("add", "allowedScopes", [{"fqs": "sts.amazon.com/"}]))
    domain.publish_signing_key()
    return app, app["name"], app["clientSecret"]


def access_token(domain, client_id, secret, **kwargs):
    response = domain.token(client_id, secret, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def decode(domain, token, issuer=DEFAULT_ISSUER, audience="sts.amazon.com"):
    """Verify `token` against the domain's JWKS, fetched anonymously."""
    keys = jwt.PyJWKSet.from_dict(domain.jwks().json())
    key = next(k for k in keys.keys if k.key_id == jwt.get_unverified_header(token)["kid"])
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer,
                      options={"verify_iat": False, "verify_exp": False})


# -- token requests ------------------------------------------------------------------------------

@pytest.mark.parametrize("style", ["basic", "post"])
def test_token_with_each_client_authentication(domain, sts, style):
    _app, client_id, secret = sts
    response = domain.token(client_id, secret, style=style)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["opc-request-id"]


def test_access_token_header_and_claims(domain, sts, fresh_sandbox):
    app, client_id, secret = sts
    before = int(time.time())
    token = access_token(domain, client_id, secret)
    header = jwt.get_unverified_header(token)
    assert set(header) == {"alg", "kid", "x5t", "x5t#S256"}
    assert (header["alg"], header["kid"]) == ("RS256", "SIGNING_KEY")
    claims = decode(domain, token)
    certificate = base64.b64decode(domain.jwks().json()["keys"][0]["x5c"][0])
    thumbprint = base64.urlsafe_b64encode(hashlib.sha1(certificate).digest()).rstrip(b"=").decode()  # noqa: S324 - x5t
    assert header["x5t"] == thumbprint
    assert claims["iss"] == DEFAULT_ISSUER
    assert claims["aud"] == "sts.amazon.com", "one audience: a string"
    assert (claims["sub"], claims["client_id"], claims["sub_type"]) == (client_id, client_id, "client")
    assert (claims["client_name"], claims["client_guid"]) == ("aws-sts-oidc", app["id"])
    assert claims["scope"] == "/", "scope holds the bare scope value"
    assert claims["tok_type"] == "AT"
    assert claims["tenant"] == fresh_sandbox.env["OCI_DOMAIN_ID"]
    assert claims["domain_id"].startswith("ocid1.domain.")
    assert claims["tenant_iss"] == fresh_sandbox.domain_url, "the domain URL, with its port"
    assert claims["exp"] - claims["iat"] == 3600 and abs(claims["iat"] - before) < 60
    assert claims["jti"] != decode(domain, access_token(domain, client_id, secret))["jti"]


def test_bare_scope_value_switch(domain, sts, fresh_sandbox):
    _app, client_id, secret = sts
    assert domain.token(client_id, secret, scope="/").status_code == 200
    fresh_sandbox.configure(oci={"token_accepts_bare_scope": False})
    refused = domain.token(client_id, secret, scope="/")
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_scope")
    assert domain.token(client_id, secret, scope="sts.amazon.com/").status_code == 200


def test_access_token_expiry_comes_from_the_client_app(domain, sts):
    app, client_id, secret = sts
    domain.patch_app(app["id"], ("replace", "accessTokenExpiry", 900))
    response = domain.token(client_id, secret)
    assert response.json()["expires_in"] == 900
    claims = decode(domain, response.json()["access_token"])
    assert claims["exp"] - claims["iat"] == 900


def test_clock_shift_moves_iat_and_exp(domain, sts, fresh_sandbox):
    _app, client_id, secret = sts
    fresh_sandbox.shift_clock(7200)
    claims = decode(domain, access_token(domain, client_id, secret))
    assert abs(claims["iat"] - (time.time() + 7200)) < 60
    assert claims["exp"] == claims["iat"] + 3600


def test_issuer_change_is_reflected_in_iss_and_discovery(domain, sts, fresh_sandbox):
    _app, client_id, secret = sts
    assert domain.discovery()["issuer"] == DEFAULT_ISSUER
    issuer = "https://%s.identity.oraclecloud.com" % fresh_sandbox.env["OCI_DOMAIN_ID"]
    domain.patch_settings(("replace", "issuer", issuer))
    assert decode(domain, access_token(domain, client_id, secret), issuer=issuer)["iss"] == issuer
    assert domain.discovery()["issuer"] == issuer

    fresh_sandbox.configure(oci={"discovery_issuer_follows_settings": False})
    assert domain.discovery()["issuer"] == DEFAULT_ISSUER


def test_secondary_audiences_make_aud_an_array(domain, sts):
    app, client_id, secret = sts
    domain.patch_app(app["id"], ("add", "secondaryAudiences", ["https://other.example"]))
    claims = decode(domain, access_token(domain, client_id, secret), audience="https://other.example")
    assert claims["aud"] == ["sts.amazon.com", "https://other.example"]


def test_separate_resource_and_client_apps(domain):
    resource = domain.create_app("resource", isOAuthClient=False, allowedGrants=None, audience="https://api.example")
    client = domain.create_app("client", isOAuthResource=False, audience=None, scopes=None,
                               allowedScopes=[{"fqs": "https://api.example/"}])
    domain.publish_signing_key()
    token = access_token(domain, client["name"], client["clientSecret"], scope="https://api.example/")
    claims = decode(domain, token, audience="https://api.example")
    assert (claims["aud"], claims["sub"], claims["resource_app_id"]) == ("https://api.example", client["name"], resource["id"])
    assert domain.token(resource["name"], resource["clientSecret"]).json()["error"] == "invalid_client"


def test_regenerated_secret_replaces_the_old_one_at_once(domain, sts):
    app, client_id, secret = sts
    regenerated = domain.call("POST", "/admin/v1/AppClientSecretRegenerator?attributeSets=all",
                              {"schemas": [REGENERATOR_URN], "appId": app["id"]})
    new_secret = regenerated["clientSecret"]
    assert new_secret != secret
    old = domain.token(client_id, secret)
    assert (old.status_code, old.json()["error"]) == (401, "invalid_client")
    assert domain.token(client_id, new_secret).status_code == 200


# -- errors --------------------------------------------------------------------------------------

def deactivate(domain, app):
    domain.call("PUT", "/admin/v1/AppStatusChanger/" + app["id"], {"schemas": [STATUS_URN], "active": False})


ERROR_CASES = {
    # case: (set-up on the domain, token request changes, status, error)
    "unknown client": (None, {"client_id": "0" * 32}, 401, "invalid_client"),
    "wrong secret": (None, {"secret": "not-the-secret"}, 401, "invalid_client"),
    "inactive app": (deactivate, {}, 401, "invalid_client"),
    "not an OAuth client": (lambda d, a: d.patch_app(a["id"], ("replace", "isOAuthClient", False)), {}, 401,
                            "invalid_client"),
    "two client authentications": (None, {"client_secret": "x"}, 400, "invalid_request"),
    "no grant_type": (None, {"grant_type": None}, 400, "invalid_request"),
    "unknown grant_type": (None, {"grant_type": "magic"}, 400, "unsupported_grant_type"),
    "grant not allowed": (None, {"grant_type": "password", "username": "u", "password": "p"}, 400,
                          "unauthorized_client"),
    "grant allowed but not valid": (
        lambda d, a: d.patch_app(a["id"], ("add", "allowedGrants", ["refresh_token"])),
        {"grant_type": "refresh_token", "refresh_token": "made-up"}, 400, "invalid_grant"),
    "no scope": (None, {"scope": None}, 400, "invalid_scope"),
    "scope not allowed": (None, {"scope": "sts.amazon.com/other"}, 400, "invalid_scope"),
    "resource server switched off": (lambda d, a: d.patch_app(a["id"], ("replace", "isOAuthResource", False)), {},
                                     400, "invalid_scope"),
    "scope removed": (lambda d, a: d.patch_app(a["id"], ("remove", 'scopes[value eq "/"]')), {}, 400,
                      "invalid_scope"),
    "audience changed": (lambda d, a: d.patch_app(a["id"], ("replace", "audience", "sts.amazonaws.com")), {}, 400,
                         "invalid_scope"),
}


# Cases whose setup leaves the app's allowedScopes naming a scope nobody defines: a write the domain
# refuses by default (refuse_stale_allowed_scopes, test_idcs_behaviours.py); the token endpoint is
# tested under the switch's other answer.
STALE_SCOPE_CASES = ("audience changed", "resource server switched off", "scope removed")


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_token_errors(domain, sts, case, fresh_sandbox):
    setup, changes, status, error = ERROR_CASES[case]
    app, client_id, secret = sts
    if case in STALE_SCOPE_CASES:
        fresh_sandbox.configure(oci={"refuse_stale_allowed_scopes": False})
    if setup:
        setup(domain, app)
    changes = dict(changes)
    client_id = changes.pop("client_id", client_id)
    secret = changes.pop("secret", secret)
    style = "basic" if "client_secret" in changes else "post"
    response = domain.token(client_id, secret, style=style, **changes)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["error_description"]


def test_token_request_must_be_form_encoded(domain, sts):
    _app, client_id, secret = sts
    response = requests.post(domain.url + "/oauth2/v1/token", json={"grant_type": "client_credentials"},
                             auth=(client_id, secret), verify=domain.sandbox.ca_bundle, timeout=10)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


# -- JWKS, discovery -----------------------------------------------------------------------------

def test_jwks_needs_authentication_until_made_public(domain, fresh_sandbox):
    anonymous = domain.jwks()
    assert anonymous.status_code == 401
    assert anonymous.json()["status"] == "401"
    signed = domain.call("GET", "/admin/v1/SigningCert/jwk")
    domain.publish_signing_key()
    public = domain.jwks()
    assert public.status_code == 200 and public.json() == signed
    key = public.json()["keys"][0]
    # Oracle's SigningCert answer: key_ops, no use (issue 14 §3)
    assert {"kid", "kty", "e", "n", "x5t", "x5t#S256", "x5c", "key_ops", "alg"} <= set(key) and "use" not in key
    assert key["key_ops"] == ["sig", "encrypt"]
    assert (key["kid"], key["kty"], key["alg"], key["e"]) == ("SIGNING_KEY", "RSA", "RS256", "AQAB")
    certificate = base64.b64decode(key["x5c"][0])
    assert key["x5t#S256"] == base64.urlsafe_b64encode(hashlib.sha256(certificate).digest()).rstrip(b"=").decode()


def test_discovery_document(domain, fresh_sandbox):
    document = domain.discovery()
    base = fresh_sandbox.domain_url
    assert document["jwks_uri"] == base + "/admin/v1/SigningCert/jwk"
    assert document["token_endpoint"] == base + "/oauth2/v1/token"
    assert "client_credentials" in document["grant_types_supported"]
    assert {"client_secret_basic", "client_secret_post"} <= set(document["token_endpoint_auth_methods_supported"])
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["subject_types_supported"] == ["public"]
