"""Private-key client authentication (client_auth.py) and the key files (client_key.py).

Assertions are verified with PyJWT, a JOSE library the collection does not use.
"""

import base64
import datetime
import hashlib
import json
import os

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint, OptionError, UnsafePath
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_auth import (
    ASSERTION_TYPE, PrivateKeyAuth, SecretAuth, key_refusal,
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_key import ClientKey
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.token import ClientCredentials
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import (
    CLIENT_ID, DOMAIN_URL, NOW, TOKEN_URL, TokenEndpoint, oauth_error, token_answer,
)

ROLE = "arn:aws:iam::123456789012:role/r"


def pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def certificate_of(key, days=30, start=-1):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "t")])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now + datetime.timedelta(days=start))
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))


def write(path, data, mode=0o600):
    path.write_bytes(data)
    os.chmod(path, mode)
    return str(path)


@pytest.fixture
def pair(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate_of(key)
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o700)
    return (key, cert, write(directory / "k.pem", pem_key(key)),
            write(directory / "c.pem", cert.public_bytes(serialization.Encoding.PEM), 0o644))


def test_the_assertion_is_what_oracle_documents(pair):
    key, cert, key_file, cert_file = pair
    auth = PrivateKeyAuth(CLIENT_ID, key_file, DOMAIN_URL, certificate_path=cert_file, alias="key1", clock=lambda: NOW)
    form, headers = {}, {}
    auth.apply(form, headers)
    assert form["client_assertion_type"] == ASSERTION_TYPE and "Authorization" not in headers
    header = jwt.get_unverified_header(form["client_assertion"])
    der = cert.public_bytes(serialization.Encoding.DER)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": "key1",
                      "x5t": base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()}
    claims = jwt.decode(form["client_assertion"], key.public_key(), algorithms=["RS256"], audience=DOMAIN_URL,
                        options={"verify_exp": False, "verify_iat": False})
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"] == [DOMAIN_URL, DOMAIN_URL + "/", "https://identity.oraclecloud.com/"]
    assert claims["exp"] - NOW == 60 and claims["iat"] <= NOW
    auth.apply(form, headers)
    assert jwt.decode(form["client_assertion"], options={"verify_signature": False})["jti"] != claims["jti"], "new jti"


def test_each_attempt_signs_a_new_assertion_and_no_secret_is_sent(pair):
    _key, _cert, key_file, _cert_file = pair
    endpoint = TokenEndpoint((503, {}, b""), token_answer())
    from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import no_wait_retrier
    source = ClientCredentials(TOKEN_URL, CLIENT_ID, None, "s", "sts.amazon.com", post=endpoint, retrier=no_wait_retrier(),
                               client_auth=PrivateKeyAuth(CLIENT_ID, key_file, DOMAIN_URL, alias="key1"))
    source.current(NOW)
    bodies = [r["body"] for r in endpoint.requests]
    assert len(bodies) == 2 and bodies[0] != bodies[1]
    assert all("Authorization" not in r["headers"] for r in endpoint.requests)
    assert all(b"client_secret" not in b and b"grant_type=client_credentials" in b for b in bodies)


@pytest.mark.parametrize("defect, option", [
    ("group_readable", "client_private_key_file"),
    ("ec_key", "client_private_key_file"),
    ("short_key", "client_private_key_file"),
    ("not_a_key", "client_private_key_file"),
    ("other_certificate", "client_certificate_file"),
    ("neither_alias_nor_certificate", "client_certificate_alias"),
])
def test_bad_keys_are_refused_naming_the_option(pair, tmp_path, defect, option):
    _key, _cert, key_file, _cert_file = pair
    kwargs = dict(alias="key1")
    if defect == "group_readable":
        os.chmod(key_file, 0o640)
    elif defect == "ec_key":
        write(tmp_path / "keys" / "k.pem", pem_key(ec.generate_private_key(ec.SECP256R1())))
    elif defect == "short_key":
        write(tmp_path / "keys" / "k.pem", pem_key(rsa.generate_private_key(public_exponent=65537, key_size=1024)))
    elif defect == "not_a_key":
        write(tmp_path / "keys" / "k.pem", b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    elif defect == "other_certificate":
        other = certificate_of(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        kwargs = dict(certificate_path=write(tmp_path / "keys" / "c.pem", other.public_bytes(serialization.Encoding.PEM)))
    else:
        kwargs = {}
    with pytest.raises(OptionError) as info:
        PrivateKeyAuth(CLIENT_ID, key_file, DOMAIN_URL, **kwargs)
    assert info.value.option == option
    assert "PRIVATE KEY" not in info.value.msg


def test_a_key_in_a_directory_others_may_write_is_refused(pair, tmp_path):
    _key, _cert, key_file, _c = pair
    os.chmod(tmp_path / "keys", 0o777)
    with pytest.raises(UnsafePath):
        PrivateKeyAuth(CLIENT_ID, key_file, DOMAIN_URL, alias="key1")


def test_an_expired_certificate_fails_before_any_request(pair, tmp_path):
    key, _cert, key_file, _c = pair
    old = write(tmp_path / "keys" / "old.pem", certificate_of(key, days=-1, start=-30).public_bytes(serialization.Encoding.PEM))
    endpoint = TokenEndpoint(token_answer())
    source = ClientCredentials(TOKEN_URL, CLIENT_ID, None, "s", "sts.amazon.com", post=endpoint,
                               client_auth=PrivateKeyAuth(CLIENT_ID, key_file, DOMAIN_URL, certificate_path=old))
    with pytest.raises(Breakpoint) as info:
        source.current(NOW)
    assert "expired since" in info.value.msg and "oci_client_key" in info.value.msg and not endpoint.requests


def test_invalid_client_in_key_mode_names_the_certificate_and_the_fixes(pair):
    _key, _cert, key_file, cert_file = pair
    auth = PrivateKeyAuth(CLIENT_ID, key_file, DOMAIN_URL, certificate_path=cert_file, alias="key1")
    endpoint = TokenEndpoint(oauth_error(401, "invalid_client", "Client authentication failed."))
    source = ClientCredentials(TOKEN_URL, CLIENT_ID, None, "s", "sts.amazon.com", post=endpoint, client_auth=auth)
    with pytest.raises(Breakpoint) as info:
        source.current(NOW)
    msg = info.value.msg
    assert "alias (kid) key1" in msg and auth.x5t in msg
    for fix in ("registered on the app", "client_certificates", "expired", "trusted", "domain_url"):
        assert fix in msg
    assert "client_secret" not in msg, "no advice of the secret mode"


def test_clock_skew_is_named_from_the_domains_date_header(pair):
    _key, _cert, key_file, _c = pair
    auth = PrivateKeyAuth(CLIENT_ID, key_file, DOMAIN_URL, alias="key1")
    date = datetime.datetime.fromtimestamp(NOW + 600, datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    error = key_refusal(auth, "invalid_client", {"Date": date}, NOW)
    assert "600 s ahead of this host's" in error.msg and "NTP" in error.msg and error.details["clock_offset"] == 600
    assert "ahead" not in key_refusal(auth, "invalid_client", {"Date": date}, NOW + 590).msg


def test_secret_auth_is_unchanged():
    headers = {}
    SecretAuth("id", "a+b").apply({}, headers)
    assert base64.b64decode(headers["Authorization"].split()[1]) == b"id:a%2Bb"


def options(**given):
    base = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, role_arn=ROLE)
    base.update(given)
    return OptionAdapter.from_dict(base)


def test_spec_builds_key_mode_and_refuses_mixtures(pair):
    _key, _cert, key_file, cert_file = pair
    spec = ExchangeSpec.from_options(options(client_private_key_file=key_file, client_certificate_file=cert_file))
    assert spec.token_source.client_auth.mode == "private_key"
    assert spec.token_source.client_auth.audiences[0] == DOMAIN_URL
    for given, option in ((dict(client_private_key_file=key_file, client_secret="s"), "client_private_key_file"),
                          (dict(client_certificate_alias="a"), "client_private_key_file")):
        with pytest.raises(OptionError) as info:
            ExchangeSpec.from_options(options(**given))
        assert info.value.option == option


# -- the key files (oci_client_key) ------------------------------------------------------------

def test_client_key_makes_one_private_file_and_returns_only_public_values(tmp_path):
    keys = ClientKey(str(tmp_path / "a" / "keys"), "web1")
    changed, result = keys.run()
    assert changed
    path = result["private_key_file"]
    assert os.stat(path).st_mode & 0o777 == 0o600 and os.stat(os.path.dirname(path)).st_mode & 0o777 == 0o700
    assert "PRIVATE KEY" not in json.dumps(result)
    current = result["current"]
    assert current["alias"] == "web1-" + current["sha1_thumbprint"][:12]
    auth = PrivateKeyAuth(CLIENT_ID, path, DOMAIN_URL)  # the certificate is found in the key file
    assert auth.x5t == current["x5t"]
    assert keys.run() == (False, result), "idempotent"


def test_client_key_rotation_stages(tmp_path):
    now = [NOW]
    keys = ClientKey(str(tmp_path / "keys"), "web1", max_key_age=30)
    keys.now = now[0]
    _changed, first = keys.run()
    keys.now = NOW + 31 * 86400
    changed, due = keys.run()
    assert changed and [p["role"] for p in due["certificates"]] == ["current", "next"]
    assert due["current"]["x5t"] == first["current"]["x5t"], "the current key stays in use until promote"
    changed, promoted = keys.run("promote")
    assert changed and promoted["current"]["x5t"] == due["certificates"][1]["x5t"]
    assert [p["role"] for p in promoted["certificates"]] == ["current", "previous"]
    changed, pruned = keys.run("prune")
    assert changed and [p["role"] for p in pruned["certificates"]] == ["current"]
    assert keys.run("promote")[0] is False and keys.run("prune")[0] is False


@pytest.mark.parametrize("defect", ["short", "ec", "mismatch", "expired"])
def test_client_key_refuses_bad_existing_files_before_any_change(tmp_path, defect):
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o700)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = {"short": rsa.generate_private_key(public_exponent=65537, key_size=1024),
           "ec": ec.generate_private_key(ec.SECP256R1())}.get(defect, rsa_key)
    cert_key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if defect == "mismatch" else key
    days, start = (-1, -30) if defect == "expired" else (30, -1)
    data = pem_key(key) + (certificate_of(cert_key, days, start).public_bytes(serialization.Encoding.PEM)
                           if defect != "ec" else b"")
    write(directory / "web1.pem", data)
    with pytest.raises(OptionError) as info:
        ClientKey(str(directory), "web1").run()
    assert info.value.option == "path"
    assert sorted(os.listdir(directory)) == ["web1.pem"], "nothing made"


def test_client_key_refuses_short_key_size(tmp_path):
    with pytest.raises(OptionError) as info:
        ClientKey(str(tmp_path), key_size=1024)
    assert info.value.option == "key_size"


def test_a_key_promoted_between_reads_never_mixes_the_old_key_with_the_new_certificate(tmp_path, monkeypatch):
    """Regression: the key file was opened once for the key and again for its certificate, so a promote (a rename)
    in between gave the old key with the new certificate, and the exchange failed (found by the site.yml rotation
    e2e test). Here the file is replaced by another pair after each of its opens: what is read must be one pair."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import client_auth

    keys = ClientKey(str(tmp_path / "keys"), "web1", max_key_age=30, now=NOW)
    _c, first = keys.run()
    keys.now = NOW + 31 * 86400
    keys.run()  # the next pair, beside the current one
    _c, third = ClientKey(str(tmp_path / "other"), "web1").run()
    path = first["private_key_file"]
    upcoming = [keys.file("next"), third["private_key_file"]]
    real_open = open

    def open_then_promote(name, *args, **kwargs):
        handle = real_open(name, *args, **kwargs)
        if name == path and upcoming:
            os.rename(upcoming.pop(0), path)  # a promote lands just after this open
        return handle

    monkeypatch.setattr(client_auth, "open", open_then_promote, raising=False)
    auth = PrivateKeyAuth(CLIENT_ID, path, DOMAIN_URL)
    assert same_pair(auth)


def same_pair(auth):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_auth import same_key
    return same_key(auth._key, auth.certificate)  # pylint: disable=protected-access
