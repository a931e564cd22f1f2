"""OIDC libraries that we did not write validate the sandbox's tokens through discovery and JWKS."""

import json
import ssl

import jwt
import pytest
import requests
from jwcrypto import jwk
from jwcrypto import jwt as jwc_jwt


@pytest.fixture
def configured(steps_1_to_4):
    return steps_1_to_4


def discovery(sandbox):
    response = requests.get(sandbox.domain_url + "/.well-known/openid-configuration", verify=sandbox.ca_bundle, timeout=10)
    response.raise_for_status()
    return response.json()


def test_pyjwt_validates_through_discovery_and_jwks(configured, fresh_sandbox):
    token = configured.token()
    meta = discovery(fresh_sandbox)
    assert meta["issuer"] == fresh_sandbox.domain_url
    client = jwt.PyJWKClient(meta["jwks_uri"], ssl_context=ssl.create_default_context(cafile=fresh_sandbox.ca_bundle))
    key = client.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token, key.key, algorithms=meta["id_token_signing_alg_values_supported"], audience=configured.audience,
        issuer=meta["issuer"], options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    assert claims["sub"] == configured.app["client_id"]
    assert claims["aud"] == "sts.amazon.com"


def test_jwcrypto_validates_through_discovery_and_jwks_once_key_ops_is_replaced(configured, fresh_sandbox):
    """The domain's keys carry key_ops without "verify" (a live domain's JWKS): jwcrypto, which honours key_ops,
    finds no key until key_ops is replaced by "use": "sig", as Oracle's A-Team tells API Gateway users to do."""
    token = configured.token()
    meta = discovery(fresh_sandbox)
    keys = requests.get(meta["jwks_uri"], verify=fresh_sandbox.ca_bundle, timeout=10)
    keys.raise_for_status()
    with pytest.raises(jwc_jwt.JWTMissingKey):
        jwc_jwt.JWT(jwt=token, key=jwk.JWKSet.from_json(keys.text), check_claims={"exp": None})
    published = keys.json()
    for key in published["keys"]:
        assert "use" not in key and "verify" not in key.pop("key_ops")
        key["use"] = "sig"
    keyset = jwk.JWKSet.from_json(json.dumps(published))
    checked = jwc_jwt.JWT(
        jwt=token, key=keyset,
        check_claims={"iss": fresh_sandbox.domain_url, "aud": configured.audience, "exp": None},
    )
    claims = json.loads(checked.claims)
    assert claims["iss"] == fresh_sandbox.domain_url
    assert claims["sub_type"] == "client"


def test_a_tampered_token_is_refused(configured, fresh_sandbox):
    token = configured.token()
    header, payload, signature = token.split(".")
    forged = jwt.utils.base64url_encode(json.dumps(dict(
        json.loads(jwt.utils.base64url_decode(payload)), sub="someone-else")).encode()).decode()
    meta = discovery(fresh_sandbox)
    client = jwt.PyJWKClient(meta["jwks_uri"], ssl_context=ssl.create_default_context(cafile=fresh_sandbox.ca_bundle))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(".".join([header, forged, signature]), client.get_signing_key_from_jwt(token).key,
                   algorithms=["RS256"], audience=configured.audience)
