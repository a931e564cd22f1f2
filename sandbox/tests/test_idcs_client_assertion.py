"""Fidelity of the token endpoint's client assertions (Oracle "Client/User JWT Assertion", "Using JWT
Client Assertion"; see `idcs/client_assertion.py`): assertions are signed by PyJWT, a JOSE library
the sandbox does not use to verify them; certificates are made with `cryptography`.
"""

import base64
import datetime
import hashlib
import time
import uuid

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from test_idcs_oauth import Domain

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REFUSED = (401, {"error": "invalid_client", "error_description": "Client authentication failed."})


def make_pair(bits=2048, days=30, start=-1, key=None):
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now + datetime.timedelta(days=start))
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    return key, cert


def der_b64(cert):
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def x5t(cert):
    digest = hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).digest()  # noqa: S324 - x5t is SHA-1
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Client:
    def __init__(self, domain, app, key, cert, alias="key1"):
        self.domain, self.app, self.key, self.cert, self.alias = domain, app, key, cert, alias

    def assertion(self, headers=None, key=None, algorithm="RS256", **claims):
        now = int(time.time())
        body = {"iss": self.app["name"], "sub": self.app["name"], "aud": [self.domain.url], "iat": now,
                "exp": now + 120, "jti": str(uuid.uuid4())}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        header = {"kid": self.alias} if headers is None else headers
        return jwt.encode(body, key if key is not None else self.key, algorithm=algorithm, headers=header)

    def token(self, assertion=None, **form):
        data = {"grant_type": "client_credentials", "scope": "sts.amazon.com/", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion if assertion is not None else self.assertion()}
        data.update(form)
        return requests.post(self.domain.url + "/oauth2/v1/token", data={k: v for k, v in data.items() if v is not None},
                             verify=self.domain.sandbox.ca_bundle, timeout=10)


def refused(response):
    return (response.status_code, response.json()) == REFUSED


@pytest.fixture
def domain(fresh_sandbox):
    return Domain(fresh_sandbox)


@pytest.fixture
def client(domain):
    key, cert = make_pair()
    app = domain.create_app(clientType="trusted", certificates=[{"certAlias": "key1", "x509Base64Certificate": der_b64(cert)}])
    domain.patch_app(app["id"], ("add", "allowedScopes", [{"fqs": "sts.amazon.com/"}]))
    return Client(domain, app, key, cert)


def test_certificate_sub_attributes_computed_by_the_service(domain, client):
    entry = domain.call("GET", "/admin/v1/Apps/" + client.app["id"])["certificates"][0]
    assert entry["certAlias"] == "key1"
    assert entry["x5t"] == x5t(client.cert)
    assert entry["sha1Thumbprint"] == hashlib.sha1(client.cert.public_bytes(serialization.Encoding.DER)).hexdigest()  # noqa: S324
    assert entry["kid"] == "key1"


def test_assertion_by_kid_and_by_x5t_gets_a_token(client):
    for header in ({"kid": "key1"}, {"x5t": x5t(client.cert)}, {"kid": "KEY1", "x5t": x5t(client.cert)}):
        response = client.token(client.assertion(headers=header))
        assert response.status_code == 200, (header, response.text)
        claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
        assert claims["sub"] == client.app["name"]


@pytest.mark.parametrize("case", ["wrong_kid", "wrong_x5t", "no_kid_or_x5t", "kid_and_x5t_disagree", "other_key",
                                  "iss_not_sub", "unknown_client", "client_id_differs"])
def test_assertion_identity_refused(client, case):
    other_key, other_cert = make_pair()
    assertion = {
        "wrong_kid": lambda: client.assertion(headers={"kid": "key2"}),
        "wrong_x5t": lambda: client.assertion(headers={"x5t": x5t(other_cert)}),
        "no_kid_or_x5t": lambda: client.assertion(headers={}),
        "kid_and_x5t_disagree": lambda: client.assertion(headers={"kid": "key1", "x5t": x5t(other_cert)}),
        "other_key": lambda: client.assertion(key=other_key),
        "iss_not_sub": lambda: client.assertion(sub="someone"),
        "unknown_client": lambda: client.assertion(iss="nobody", sub="nobody"),
        "client_id_differs": lambda: client.assertion(),
    }[case]()
    form = {"client_id": "another"} if case == "client_id_differs" else {}
    assert refused(client.token(assertion, **form))


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_symmetric_and_unsigned_assertions_refused(client, algorithm):
    key = "secret-shared-by-nobody" if algorithm == "HS256" else None
    token = jwt.encode({"iss": client.app["name"], "sub": client.app["name"], "aud": [client.domain.url],
                        "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": "x"},
                       key, algorithm=algorithm, headers={"kid": "key1"})
    assert refused(client.token(token))


def test_audience_strict_by_default_lenient_by_switch(client, fresh_sandbox):
    url = client.domain.url
    assert client.token(client.assertion(aud=url)).status_code == 200, "a string aud"
    assert client.token(client.assertion(aud=["https://elsewhere.example", url])).status_code == 200, "one of several"
    for aud in (url + "/", "https://identity.oraclecloud.com/", url + "/oauth2/v1/token"):
        assert refused(client.token(client.assertion(aud=aud))), aud
    fresh_sandbox.configure(oci={"client_assertion_audience_lenient": True})
    for aud in (url + "/", "https://identity.oraclecloud.com/", "https://identity.oraclecloud.com"):
        assert client.token(client.assertion(aud=aud)).status_code == 200, aud
    assert refused(client.token(client.assertion(aud=url + "/oauth2/v1/token")))


def test_lifetime_and_skew(client, fresh_sandbox):
    now = int(time.time())
    assert refused(client.token(client.assertion(exp=now - 1, iat=now - 100)))
    assert refused(client.token(client.assertion(iat=now + 30, exp=now + 90))), "issued in the future"
    assert refused(client.token(client.assertion(exp=None)))
    assert refused(client.token(client.assertion(iat=None)))
    fresh_sandbox.configure(oci={"client_assertion_clock_skew_seconds": 60})
    assert client.token(client.assertion(iat=now + 30, exp=now + 90)).status_code == 200
    fresh_sandbox.shift_clock(600)
    assert refused(client.token(client.assertion())), "the service's clock is ahead: the assertion has expired"


def test_jti_reuse_refused_and_jti_required(client, fresh_sandbox):
    assertion = client.assertion()
    assert client.token(assertion).status_code == 200
    assert refused(client.token(assertion)), "replayed"
    assert refused(client.token(client.assertion(jti=None)))
    fresh_sandbox.configure(oci={"client_assertion_requires_jti": False})
    assert client.token(client.assertion(jti=None)).status_code == 200


def test_confidential_client_refused_unless_switch(domain, client, fresh_sandbox):
    domain.patch_app(client.app["id"], ("replace", "clientType", "confidential"))
    assert refused(client.token())
    fresh_sandbox.configure(oci={"client_assertion_requires_trusted_client": False})
    assert client.token().status_code == 200


def test_removed_and_expired_certificates_refused(domain, client):
    new_key, new_cert = make_pair()
    domain.patch_app(client.app["id"], ("add", "certificates", [{"certAlias": "key2", "x509Base64Certificate": der_b64(new_cert)}]))
    rotated = Client(domain, client.app, new_key, new_cert, alias="key2")
    assert client.token().status_code == 200 and rotated.token().status_code == 200, "both during a rotation"
    domain.patch_app(client.app["id"], ("remove", 'certificates[certAlias eq "key1"]'))
    assert refused(client.token()), "the removed certificate"
    assert rotated.token().status_code == 200
    old_key, old_cert = make_pair(days=-1, start=-10)
    domain.patch_app(client.app["id"], ("add", "certificates", [{"certAlias": "old", "x509Base64Certificate": der_b64(old_cert)}]))
    assert refused(Client(domain, client.app, old_key, old_cert, alias="old").token()), "expired"


def test_certificates_checked_on_write(domain, client):
    _key, cert = make_pair()
    path = "/admin/v1/Apps/" + client.app["id"]
    patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}

    def add(entries):
        return domain.call("PATCH", path, dict(patch, Operations=[{"op": "add", "path": "certificates", "value": entries}]),
                           expect=(200, 400))

    assert add([{"certAlias": "KEY1", "x509Base64Certificate": der_b64(cert)}])["status"] == "400", "alias used"
    assert add([{"certAlias": "bad", "x509Base64Certificate": "bm90IGEgY2VydA=="}])["status"] == "400"
    _small, small = make_pair(bits=1024)
    assert add([{"certAlias": "small", "x509Base64Certificate": der_b64(small)}])["status"] == "400"
    _ec, ec_cert = make_pair(key=ec.generate_private_key(ec.SECP256R1()))
    assert add([{"certAlias": "ec", "x509Base64Certificate": der_b64(ec_cert)}])["status"] == "400"
    body = dict(patch, Operations=[{"op": "add", "path": "certificates",
                                    "value": [{"certAlias": "k3", "x509Base64Certificate": der_b64(cert), "x5t": "forged"}]}])
    assert domain.call("PATCH", path, body, expect=(400,))["scimType"] == "mutability"


def test_secret_and_assertion_together_refused(client):
    response = client.token(client_secret=client.app["clientSecret"], client_id=client.app["name"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    response = requests.post(client.domain.url + "/oauth2/v1/token", auth=(client.app["name"], client.app["clientSecret"]),
                             data={"grant_type": "client_credentials", "scope": "sts.amazon.com/",
                                   "client_assertion_type": ASSERTION_TYPE, "client_assertion": client.assertion()},
                             verify=client.domain.sandbox.ca_bundle, timeout=10)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_date_header_follows_the_domains_clock(client, fresh_sandbox):
    from email.utils import parsedate_to_datetime
    fresh_sandbox.shift_clock(600)
    response = client.token()
    assert refused(response), "the assertion expired by the domain's clock"
    offset = parsedate_to_datetime(response.headers["Date"]).timestamp() - time.time()
    assert 590 <= offset <= 610
