"""The app's certificates (certificates.py) and their hooks in the app manager."""

import base64
import datetime
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.app import AppManager, AppSpec, view
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.certificates import CertificateSpec, certificate_ops
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import FakeDomain, converged_app


def certificate(bits=2048, days=30, start=-1, curve=False):
    key = ec.generate_private_key(ec.SECP256R1()) if curve else rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "t")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(7)
            .not_valid_before(now + datetime.timedelta(days=start)).not_valid_after(now + datetime.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def b64(pem):
    return base64.b64encode(x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)).decode()


def test_ops_add_new_keep_listed_and_remove_unlisted():
    _k1, one = certificate()
    _k2, two = certificate()
    app = {"certificates": [{"certAlias": "old", "x509Base64Certificate": b64(one)}]}
    spec = CertificateSpec([dict(alias="old", certificate=one), dict(alias="new", x509_base64=b64(two))])
    assert certificate_ops(app, spec) == [dict(op="add", path="certificates",
                                               value=[dict(certAlias="new", x509Base64Certificate=b64(two))])]
    spec = CertificateSpec([dict(alias="new", certificate=two)])
    ops = certificate_ops(app, spec)
    assert ops[-1] == dict(op="remove", path='certificates[certAlias eq "old"]')
    assert certificate_ops(app, CertificateSpec([dict(alias="new", certificate=two)], purge=False))[-1]["op"] == "add"
    assert certificate_ops(app, CertificateSpec([dict(alias="OLD", certificate=one)])) == [], "aliases regardless of case"
    assert certificate_ops(app, None) == []


@pytest.mark.parametrize("case, words", [
    ("short", "at least 2048"), ("ec", "RSA"), ("expired", "expired on"), ("garbage", "not a PEM"),
    ("twice", "given twice"), ("same_cert", "already given"), ("private_key", "holds a private key"), ("no_alias", "alias"),
])
def test_bad_certificates_are_refused_naming_the_option(case, words):
    key, good = certificate()
    entries = {
        "short": [dict(alias="a", certificate=certificate(bits=1024)[1])],
        "ec": [dict(alias="a", certificate=certificate(curve=True)[1])],
        "expired": [dict(alias="a", certificate=certificate(days=-1, start=-10)[1])],
        "garbage": [dict(alias="a", certificate="not a certificate")],
        "twice": [dict(alias="a", certificate=good), dict(alias="A", certificate=certificate()[1])],
        "same_cert": [dict(alias="a", certificate=good), dict(alias="b", certificate=good)],
        "private_key": [dict(alias="a", certificate=good, key=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())],
        "no_alias": [dict(certificate=good)],
    }[case]
    with pytest.raises(OptionError) as info:
        CertificateSpec(entries)
    assert info.value.option == "client_certificates" and words in info.value.msg
    assert "PRIVATE KEY" not in info.value.msg and "BEGIN" not in info.value.msg


def test_an_alias_the_app_has_with_another_certificate_is_refused_before_any_change():
    _k, one = certificate()
    _k2, two = certificate()
    domain = FakeDomain([converged_app(clientType="trusted",
                                       certificates=[{"certAlias": "host1", "x509Base64Certificate": b64(one)}])])
    spec = AppSpec("aws-sts-oidc", client_auth="private_key", client_certificates=[dict(alias="host1", certificate=two)])
    with pytest.raises(OptionError) as info:
        AppManager(domain, spec, [].append).present()
    assert "already used on the app" in info.value.msg and not domain.writes


def test_key_mode_makes_a_trusted_client_returns_no_secret_and_is_idempotent():
    _k, one = certificate()
    domain = FakeDomain()
    spec = AppSpec("aws-sts-oidc", client_auth="private_key", client_certificates=[dict(alias="host1", certificate=one)])
    result = AppManager(domain, spec, [].append).present()
    assert "client_secret" not in result
    assert result["app"]["client_type"] == "trusted"
    assert [c["alias"] for c in result["app"]["certificates"]] == ["host1"]
    shown = json.dumps(result)
    assert "BEGIN" not in shown and b64(one) not in shown, "aliases and thumbprints only"
    again = AppManager(domain, spec, [].append).present()
    assert not again["changed"]


def test_key_mode_refuses_regenerate_and_discard_hides_the_new_secret():
    domain = FakeDomain([converged_app(clientType="trusted")])
    spec = AppSpec("aws-sts-oidc", client_auth="private_key")
    with pytest.raises(OptionError) as info:
        AppManager(domain, spec, [].append, secret="regenerate")
    assert info.value.option == "secret"
    before = dict(domain.secrets)
    result = AppManager(domain, spec, [].append, secret="discard").present()
    assert "client_secret" not in result and domain.secrets != before, "the old secret no longer works"


def test_certificates_need_key_mode():
    _k, one = certificate()
    with pytest.raises(OptionError) as info:
        AppSpec("aws-sts-oidc", client_certificates=[dict(alias="a", certificate=one)])
    assert info.value.option == "client_certificates"
    assert view(converged_app())["certificates"] == []
