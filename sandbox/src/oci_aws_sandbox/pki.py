"""Key material of the sandbox: its CA and TLS certificate, the domain's token signing key, and the
OCI API key that the generated OCI config file names.

Everything is created once per state directory and kept there (private keys 0600), so that a
restarted sandbox and the clients configured from `.sandbox/env` agree.
"""

import base64
import datetime
import hashlib
import ipaddress
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOSTNAMES = ("localhost",)
ADDRESSES = ("127.0.0.1",)


def _write(path, data: bytes, mode=0o644):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_or_make_key(path):
    if os.path.exists(path):
        with open(path, "rb") as handle:
            return serialization.load_pem_private_key(handle.read(), password=None)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write(path, _key_pem(key), 0o600)
    return key


def _name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "multicloud.oci_aws sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def oci_fingerprint(public_key) -> str:
    """The OCI API key fingerprint: MD5 of the DER SubjectPublicKeyInfo, colon separated."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der).hexdigest()  # noqa: S324 - the OCI fingerprint format is MD5
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


@dataclass
class SandboxKeys:
    """Paths and loaded key objects of one sandbox state directory."""

    directory: str
    ca_cert_path: str
    server_cert_path: str
    server_key_path: str
    ca_cert: x509.Certificate
    server_cert: x509.Certificate
    signing_key: rsa.RSAPrivateKey
    signing_cert: x509.Certificate
    api_key: rsa.RSAPrivateKey
    api_key_path: str

    @property
    def signing_cert_der(self) -> bytes:
        return self.signing_cert.public_bytes(serialization.Encoding.DER)

    @property
    def signing_x5t(self) -> str:
        """Base64url SHA-1 thumbprint of the signing certificate (JWT header and JWKS `x5t`)."""
        return b64url(hashlib.sha1(self.signing_cert_der).digest())  # noqa: S324 - x5t is SHA-1 by definition

    @property
    def signing_x5t_s256(self) -> str:
        return b64url(hashlib.sha256(self.signing_cert_der).digest())

    @property
    def api_key_fingerprint(self) -> str:
        return oci_fingerprint(self.api_key.public_key())


def _cert_names(cert):
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return set(san.get_values_for_type(x509.DNSName))


def ensure_keys(directory: str, hostnames=()) -> SandboxKeys:
    """Create (first time) or load the sandbox key material under `directory`.

    The TLS certificate names `localhost`, 127.0.0.1 and every name of `hostnames` (lower-cased): a
    kept certificate that lacks one of them is issued again, with the same key and CA, so clients
    that trust `ca.pem` keep trusting the sandbox.
    """
    directory = os.path.abspath(directory)
    wanted = list(HOSTNAMES) + sorted(set(h.lower() for h in hostnames) - set(HOSTNAMES))
    pki_dir = os.path.join(directory, "pki")
    os.makedirs(pki_dir, mode=0o700, exist_ok=True)
    ca_key = _load_or_make_key(os.path.join(pki_dir, "ca-key.pem"))
    ca_cert_path = os.path.join(directory, "ca.pem")
    if os.path.exists(ca_cert_path):
        with open(ca_cert_path, "rb") as handle:
            ca_cert = x509.load_pem_x509_certificate(handle.read())
    else:
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(_name("multicloud.oci_aws sandbox CA"))
            .issuer_name(_name("multicloud.oci_aws sandbox CA"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(days=1))
            .not_valid_after(_now() + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        _write(ca_cert_path, ca_cert.public_bytes(serialization.Encoding.PEM))

    server_key_path = os.path.join(pki_dir, "server-key.pem")
    server_key = _load_or_make_key(server_key_path)
    server_cert_path = os.path.join(pki_dir, "server.pem")
    server_cert = None
    if os.path.exists(server_cert_path):
        with open(server_cert_path, "rb") as handle:
            server_cert = x509.load_pem_x509_certificate(handle.read())
        if not set(wanted) <= _cert_names(server_cert):
            server_cert = None
    if server_cert is None:
        names = [x509.DNSName(h) for h in wanted] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ADDRESSES]
        server_cert = (
            x509.CertificateBuilder()
            .subject_name(_name("localhost"))
            .issuer_name(ca_cert.subject)
            .public_key(server_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(days=1))
            .not_valid_after(_now() + datetime.timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        # The chain file is what the TLS server presents: leaf first, then the CA.
        _write(
            server_cert_path,
            server_cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM),
        )

    signing_key = _load_or_make_key(os.path.join(pki_dir, "token-signing-key.pem"))
    signing_cert_path = os.path.join(pki_dir, "token-signing.pem")
    if os.path.exists(signing_cert_path):
        with open(signing_cert_path, "rb") as handle:
            signing_cert = x509.load_pem_x509_certificate(handle.read())
    else:
        signing_cert = (
            x509.CertificateBuilder()
            .subject_name(_name("SIGNING_KEY"))
            .issuer_name(ca_cert.subject)
            .public_key(signing_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(days=1))
            .not_valid_after(_now() + datetime.timedelta(days=3650))
            .sign(ca_key, hashes.SHA256())
        )
        _write(signing_cert_path, signing_cert.public_bytes(serialization.Encoding.PEM))

    api_key_path = os.path.join(directory, "oci", "api_key.pem")
    api_key = _load_or_make_key(api_key_path)
    return SandboxKeys(
        directory=directory,
        ca_cert_path=ca_cert_path,
        server_cert_path=server_cert_path,
        server_key_path=server_key_path,
        ca_cert=ca_cert,
        server_cert=server_cert,
        signing_key=signing_key,
        signing_cert=signing_cert,
        api_key=api_key,
        api_key_path=api_key_path,
    )
