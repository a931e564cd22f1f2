"""The domain's OAuth side: `/oauth2/v1/token` (client_credentials), the signing key as a JWK, and
the OpenID discovery document.

Sources:
- request and response: Oracle "Client Credentials Grant Type" (CCGT) and "Access Token" docs;
  client authentication `client_secret_basic` or `client_secret_post` (RFC 6749 section 2.3.1; both
  advertised in the domain's discovery document); errors per RFC 6749 section 5.2;
- token header `x5t#S256`, `x5t`, `kid` = `SIGNING_KEY`, `alg` = RS256, and claims, from decoded
  live IDCS tokens (reference note section 3): `iss` is the Settings issuer, `aud` the resource
  app's primary audience plus its secondary audiences (a string when there is one, an array
  otherwise: Oracle "Token Validation" doc), `scope` the bare scope values, `sub` = `client_id` =
  the client app's `name`, `client_guid` its id, `tenant_iss` the domain URL with its port;
- JWKS (`/admin/v1/SigningCert/jwk`): `kid` SIGNING_KEY, `kty`, `e`, `n`, `x5t`, `x5t#S256`, `x5c`
  (the certificate chain, standard base64), `key_ops` and `alg`, and no `use`, in the order of live
  domains' answers: `key_ops` is ["sig", "encrypt"] as in the newer of the two public samples (an Oracle
  A-Team tutorial of 2020, which also tells API Gateway users to replace `key_ops` by `"use": "sig"`; a
  2018 sample shows ["encrypt", "sign"]). Neither holds "verify", so a library that honours `key_ops`
  (jwcrypto) finds no key to verify with; STS does not (the published procedure works);
- discovery: the fields of a real domain's document (micronaut-security test fixture).
"""

import base64
import binascii
import json
import secrets
import urllib.parse
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from .errors import OAuthError
from .settings import DEFAULT_ISSUER

KEY_ID = "SIGNING_KEY"
DEFAULT_ACCESS_TOKEN_EXPIRY = 3600
CLIENT_CREDENTIALS = "client_credentials"
# Grants the sandbox knows but cannot honour (it has no users, codes or refresh tokens): the
# parameters each needs; a request carrying them presents a grant that cannot be valid here.
OTHER_GRANTS = {
    "authorization_code": ("code",),
    "refresh_token": ("refresh_token",),
    "password": ("username", "password"),
    "urn:ietf:params:oauth:grant-type:jwt-bearer": ("assertion",),
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(number):
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def sign_jwt(header, claims, private_key):
    """A compact RS256 JWS of `claims` with exactly `header` (no `typ`, as IDCS sends it)."""
    signing_input = "%s.%s" % (
        b64url(json.dumps(header, separators=(",", ":")).encode()),
        b64url(json.dumps(claims, separators=(",", ":")).encode()),
    )
    signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


def signing_jwks(keys):
    """The `{"keys": [...]}` document of `/admin/v1/SigningCert/jwk`."""
    numbers = keys.signing_key.public_key().public_numbers()
    chain = [keys.signing_cert_der, keys.ca_cert.public_bytes(serialization.Encoding.DER)]
    return {"keys": [{
        "kty": "RSA",
        "x5t#S256": keys.signing_x5t_s256,
        "e": _b64url_uint(numbers.e),
        "x5t": keys.signing_x5t,
        "kid": KEY_ID,
        "x5c": [base64.b64encode(der).decode("ascii") for der in chain],
        "key_ops": ["sig", "encrypt"],
        "alg": "RS256",
        "n": _b64url_uint(numbers.n),
    }]}


def discovery_document(base_url, issuer):
    oauth = base_url + "/oauth2/v1/"
    return {
        "issuer": issuer,
        "authorization_endpoint": oauth + "authorize",
        "token_endpoint": oauth + "token",
        "userinfo_endpoint": oauth + "userinfo",
        "revocation_endpoint": oauth + "revoke",
        "introspection_endpoint": oauth + "introspect",
        "end_session_endpoint": oauth + "userlogout",
        "jwks_uri": base_url + "/admin/v1/SigningCert/jwk",
        "scopes_supported": ["openid", "profile", "offline_access", "email", "address", "phone", "groups",
                             "get_groups", "approles", "get_approles"],
        "response_types_supported": ["code", "token", "id_token", "code token", "code id_token", "token id_token",
                                     "code token id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["aud", "exp", "iat", "iss", "jti", "sub"],
        "grant_types_supported": ["client_credentials", "password", "refresh_token", "authorization_code",
                                  "urn:ietf:params:oauth:grant-type:jwt-bearer", "implicit",
                                  "urn:ietf:params:oauth:grant-type:device_code"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "client_secret_post"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "userinfo_signing_alg_values_supported": ["none"],
        "ui_locales_supported": ["en"],
        "claims_parameter_supported": False,
        "http_logout_supported": True,
        "logout_session_supported": True,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_request_uri_registration": False,
    }


def _invalid_client():
    return OAuthError(401, "invalid_client", "Client authentication failed.")


def client_credentials(form, authorization):
    """(client_id, client_secret) from HTTP Basic or from the form, never both (RFC 6749 2.3)."""
    basic = None
    if authorization and authorization.split(" ", 1)[0].lower() == "basic":
        try:
            decoded = base64.b64decode(authorization.split(" ", 1)[1].strip(), validate=True).decode("utf-8")
        except (IndexError, binascii.Error, UnicodeDecodeError):
            raise _invalid_client() from None
        user, sep, password = decoded.partition(":")
        if not sep:
            raise _invalid_client()
        basic = (urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password))
    posted = (form.get("client_id"), form.get("client_secret"))
    if basic and posted[1] is not None:
        raise OAuthError(400, "invalid_request", "The client must use only one authentication method.")
    if basic:
        return basic
    if posted[0] and posted[1] is not None:
        return posted
    raise _invalid_client()


class TokenIssuer:
    """Answers `/oauth2/v1/token` for one domain (called under the domain's lock)."""

    def __init__(self, domain):
        self.domain = domain

    def issue(self, form, authorization):
        """The token response for a form-encoded request, or an `OAuthError`."""
        if form.get("client_assertion") is not None or form.get("client_assertion_type") is not None:
            if authorization:
                raise OAuthError(400, "invalid_request", "The client must use only one authentication method.")
            client = self.domain.assertions.authenticate(form)  # client_assertion.py
        else:
            client_id, secret = client_credentials(form, authorization)
            client = self.domain.apps.by_client_id(client_id)
            known = client.get("clientSecret", "") if client else ""
            if not known or not secrets.compare_digest(known.encode(), secret.encode()):
                raise _invalid_client()
        if not client.get("active") or not client.get("isOAuthClient"):
            raise _invalid_client()
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError(400, "invalid_request", "The grant_type parameter is missing.")
        if grant_type != CLIENT_CREDENTIALS and grant_type not in OTHER_GRANTS:
            raise OAuthError(400, "unsupported_grant_type", "The grant type %s is not supported." % grant_type)
        if grant_type not in (client.get("allowedGrants") or []):
            raise OAuthError(400, "unauthorized_client",
                             "The client is not authorized to use the grant type %s." % grant_type)
        if grant_type != CLIENT_CREDENTIALS:
            missing = [p for p in OTHER_GRANTS[grant_type] if not form.get(p)]
            if missing:
                raise OAuthError(400, "invalid_request", "The parameter %s is missing." % missing[0])
            raise OAuthError(400, "invalid_grant", "The provided authorization grant is invalid.")
        granted = self.resolve_scopes(client, form.get("scope") or "")
        return self._token(client, granted)

    def resolve_scopes(self, client, requested):
        """[(resource app, scope value)] for the space-separated `requested` scopes.

        A scope is granted when it is the fqs of one of the client's `allowedScopes` and an active
        OAuth resource app still defines it. The bare scope value (`/`, as the A-Team blog sends)
        is accepted too when the `token_accepts_bare_scope` option is on and exactly one allowed
        scope has that value.
        """
        definitions = self.domain.apps.scope_definitions()
        allowed = {}
        for entry in client.get("allowedScopes") or []:
            for owner, value in definitions.get(entry["fqs"], []):
                if owner.get("isOAuthResource") and owner.get("active"):
                    allowed[entry["fqs"]] = (owner, value)
        tokens = requested.split()
        if not tokens:
            raise OAuthError(400, "invalid_scope", "The scope parameter is missing.")
        granted = []
        for token in tokens:
            match = allowed.get(token)
            if match is None and self.domain.options["token_accepts_bare_scope"]:
                bare = [pair for pair in allowed.values() if pair[1] == token]
                match = bare[0] if len(bare) == 1 else None
            if match is None:
                raise OAuthError(400, "invalid_scope", "The requested scope %s is invalid, unknown or not allowed." % token)
            granted.append(match)
        return granted

    def _token(self, client, granted):
        audiences = []
        for owner, _value in granted:
            for audience in [owner["audience"]] + list(owner.get("secondaryAudiences") or []):
                if audience not in audiences:
                    audiences.append(audience)
        domain = self.domain
        issued_at = int(domain.clock.now())
        expiry = client.get("accessTokenExpiry") or DEFAULT_ACCESS_TOKEN_EXPIRY
        claims = {
            "sub": client["name"],
            "iss": domain.settings.issuer,
            "tok_type": "AT",
            "client_id": client["name"],
            "aud": audiences[0] if len(audiences) == 1 else audiences,
            "sub_type": "client",
            "scope": " ".join(dict.fromkeys(value for _owner, value in granted)),
            "client_tenantname": domain.domain_id,
            "exp": issued_at + expiry,
            "iat": issued_at,
            "client_guid": client["id"],
            "client_name": client["displayName"],
            "client_ocid": client["ocid"],
            "tenant": domain.domain_id,
            "jti": str(uuid.uuid4()),
            "gtp": "cc",
            "domain_id": domain.domain_ocid,
            "resource_app_id": granted[0][0]["id"],
            "tenant_iss": domain.tenant_iss,
        }
        header = {"x5t#S256": domain.keys.signing_x5t_s256, "x5t": domain.keys.signing_x5t, "kid": KEY_ID,
                  "alg": "RS256"}
        return {
            "access_token": sign_jwt(header, claims, domain.keys.signing_key),
            "token_type": "Bearer",
            "expires_in": expiry,
        }


def discovery_issuer(domain):
    """Discovery's `issuer`: the Settings issuer, or (option off) always the default one."""
    if domain.options["discovery_issuer_follows_settings"]:
        return domain.settings.issuer
    return DEFAULT_ISSUER
