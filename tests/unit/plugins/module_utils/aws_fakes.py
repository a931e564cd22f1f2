"""IAM for the AWS manager tests: moto in-process (its real IAM rules and validation), behind the
collection's own `AwsClient`, recording every call so that a test can say exactly which requests a
run made. moto lacks the two client-ID calls; they are answered here on moto's own provider object.
"""

import contextlib
import datetime
import http.server
import ipaddress
import json
import os
import ssl
import threading
from unittest import mock

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsClient, AwsConnection
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Retrier

ACCOUNT = DEFAULT_ACCOUNT_ID
ISSUER = "https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com"
PROVIDER_ID = ISSUER[len("https://"):]
PROVIDER_ARN = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, PROVIDER_ID)
READ_PREFIXES = ("get_", "list_")


def no_wait_retrier(**kwargs):
    return Retrier(sleep=lambda seconds: None, uniform=lambda low, high: high, **kwargs)


class RecordingClient(AwsClient):
    """An AwsClient that records the operations it sends (with their parameters)."""

    def __init__(self, client, retrier=None):
        super().__init__(client, retrier or no_wait_retrier())
        self.calls = []

    def call(self, operation, eventual=(), **params):
        self.calls.append((operation, params))
        handler = getattr(self, "_moto_lacks_" + operation, None)
        if handler is not None:
            return handler(**params)
        return super().call(operation, eventual=eventual, **params)

    @property
    def operations(self):
        return [operation for operation, _params in self.calls]

    @property
    def writes(self):
        return [operation for operation in self.operations if not operation.startswith(READ_PREFIXES)]

    def reset(self):
        self.calls = []

    # IAM documents both calls as idempotent.
    def _moto_lacks_add_client_id_to_open_id_connect_provider(self, OpenIDConnectProviderArn, ClientID):
        provider = _provider(OpenIDConnectProviderArn)
        if ClientID not in provider.client_id_list:
            provider.client_id_list = provider.client_id_list + [ClientID]
        return {}

    def _moto_lacks_remove_client_id_from_open_id_connect_provider(self, OpenIDConnectProviderArn, ClientID):
        provider = _provider(OpenIDConnectProviderArn)
        provider.client_id_list = [c for c in provider.client_id_list if c != ClientID]
        return {}


def _provider(arn):
    return iam_backends[ACCOUNT]["global"].open_id_providers[arn]


def clean_aws_environment():
    """os.environ without the AWS settings of the machine (profiles, endpoints): tests set their own."""
    return mock.patch.dict(os.environ, dict((k, v) for k, v in os.environ.items() if not k.startswith("AWS_")),
                           clear=True)


@contextlib.contextmanager
def moto_iam():
    """A fresh moto account; yields (iam, sts) RecordingClients."""
    with clean_aws_environment(), mock_aws():
        connection = AwsConnection(region="us-east-1", access_key="AKIAFAKEFAKEFAKE", secret_key="fake-secret")
        yield (RecordingClient(connection.client("iam").client), RecordingClient(connection.client("sts").client))


def raw_iam():
    """A plain boto3 IAM client on the current moto account, to arrange state behind the managers' back."""
    return boto3.client("iam", region_name="us-east-1", aws_access_key_id="AKIAFAKEFAKEFAKE",
                        aws_secret_access_key="fake-secret")


class TlsServer:
    """An HTTPS server on 127.0.0.1 with its own CA, presenting leaf + CA like the sandbox.

    It answers GET of the OpenID discovery document (``jwks_uri`` on the same host), 404 to other
    GETs, and an IAM ``NoSuchEntity`` error (404) to every POST.
    """

    def __init__(self, directory):
        self.ca_path = os.path.join(directory, "ca.pem")
        chain_path = os.path.join(directory, "chain.pem")
        key_path = os.path.join(directory, "key.pem")
        self.ca_der = _make_pki(self.ca_path, chain_path, key_path)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain_path, key_path)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                if self.path == "/.well-known/openid-configuration":
                    body = json.dumps({"issuer": server.url, "jwks_uri": server.url + "/jwks"}).encode()
                    self.send_response(200)
                else:
                    body = b"{}"
                    self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = (b"<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>not here"
                        b"</Message></Error><RequestId>tls-test</RequestId></ErrorResponse>")
                self.send_response(404)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = "https://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _make_pki(ca_path, chain_path, key_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    with open(ca_path, "wb") as handle:
        handle.write(ca.public_bytes(pem))
    with open(chain_path, "wb") as handle:
        handle.write(leaf.public_bytes(pem) + ca.public_bytes(pem))
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca.public_bytes(serialization.Encoding.DER)
