"""What the sandbox's AWS fidelity tests share: boto3 clients of the sandbox, the test issuer's IAM provider and
role (:class:`Federation`), trust policies, and :func:`refused` for an AWS error. The fixtures are in conftest.py."""

import datetime
import hashlib
import json
import socket

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CLIENT_ID = "sts.amazon.com"
SUBJECT = "sandbox-client"
ROLE = "oci-federated"
NO_VERIFICATION_KEY = (
    "Couldn't retrieve verification key from your identity provider,  "
    "please reference AssumeRoleWithWebIdentity documentation for requirements"
)
INVALID_TOKEN = (
    "The web identity token that was passed could not be validated by AWS. "
    "Get a new identity token from the identity provider and then retry the request."
)
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"


def aws_client(sandbox, service, **config):
    """A boto3 client of the sandbox (dummy keys; retries off so that each call is one request)."""
    return boto3.client(
        service,
        endpoint_url=sandbox.aws_endpoint,
        verify=sandbox.ca_bundle,
        region_name="us-east-1",
        aws_access_key_id="AKIASANDBOXTEST00000",
        aws_secret_access_key="sandbox-test-secret",
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


def sandbox_now(sandbox) -> float:
    return sandbox.call("GET", "/clock")["now"]


def trust_policy(provider_arn, prefix, conditions=None, *extra_statements):
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if conditions is None:
        conditions = {"StringEquals": {prefix + ":aud": CLIENT_ID, prefix + ":sub": SUBJECT}}
    if conditions:
        statement["Condition"] = conditions
    return json.dumps({"Version": "2012-10-17", "Statement": [statement, *extra_statements]})


class Federation:
    """An IAM OIDC provider for the test issuer and a role that trusts it."""

    def __init__(self, sandbox, issuer):
        self.sandbox = sandbox
        self.issuer = issuer
        self.iam = aws_client(sandbox, "iam")
        self.sts = aws_client(sandbox, "sts")
        self.provider_arn = self.iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=[CLIENT_ID])[
            "OpenIDConnectProviderArn"
        ]
        self.prefix = issuer.url[len("https://"):]
        self.role_arn = self.create_role(ROLE, trust_policy(self.provider_arn, self.prefix))

    def create_role(self, name, policy, **kwargs):
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy, **kwargs)["Role"]["Arn"]

    def token(self, **overrides):
        return self.issuer.mint(**{"now": sandbox_now(self.sandbox), **overrides})

    def assume(self, token=None, role_arn=None, session="oci-session", **kwargs):
        return self.sts.assume_role_with_web_identity(
            RoleArn=role_arn or self.role_arn,
            RoleSessionName=session,
            WebIdentityToken=token if token is not None else self.token(),
            **kwargs,
        )


def refused(call, code, message=None, status=400):
    """Run `call`, expect an AWS error; return its message."""
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    assert (error["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status), error
    if message is not None:
        assert error["Message"] == message
    return error["Message"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- success ---------------------------------------------------------------------------------------


def self_signed(tmp_path):
    """A self-signed certificate for 127.0.0.1 and its key, as files in `tmp_path`: `(cert, key, SHA-1 thumbprint)`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path), hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest()  # noqa: S324
