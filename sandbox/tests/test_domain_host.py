"""`--domain-host`, `--domain-alias` and `--oci-port`: a domain URL of the real shape, and a certificate naming it.

Whether the name resolves is the caller's part; here the TLS handshake is made to 127.0.0.1 with the name as
SNI and the name checked, as a client that resolved it would. The whole run under that name is
tests/e2e/test_real_shape.py of the collection (in namespaces of its own).
"""

import socket
import ssl

import pytest
from cryptography import x509

from oci_aws_sandbox import __main__ as cli
from oci_aws_sandbox import handle as sandbox_handle
from oci_aws_sandbox.pki import ensure_keys
from oci_aws_sandbox.server import check_domain_host, url_of

ID = "idcs-0123456789abcdef0123456789abcdef"
HOST = ID + ".identity.oraclecloud.com"
REGIONAL = ID + ".us-ashburn-idcs-1.secure.identity.oraclecloud.com"


def names(keys):
    return set(keys.server_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
               .get_values_for_type(x509.DNSName))


def test_the_url_has_no_port_on_443_only():
    assert url_of(HOST, 443) == "https://" + HOST
    assert url_of(HOST, 8443) == "https://%s:8443" % HOST


@pytest.mark.parametrize("bad", ["127.0.0.1", "localhost", "bad_host.example.com", "", "a..b", "x" * 254 + ".com"])
def test_a_domain_host_is_a_dns_name_of_two_labels_at_least(bad):
    with pytest.raises(ValueError):
        check_domain_host(bad)
    with pytest.raises(SystemExit):
        cli.main(["up", "--dir", "/nonexistent", "--domain-host", bad])


def test_a_kept_certificate_is_issued_again_for_a_new_name_with_the_same_ca(tmp_path):
    first = ensure_keys(str(tmp_path))
    assert names(first) == {"localhost"}
    second = ensure_keys(str(tmp_path), [HOST.upper()])
    assert names(second) == {"localhost", HOST}
    assert second.ca_cert == first.ca_cert and second.server_cert != first.server_cert
    again = ensure_keys(str(tmp_path), [HOST])
    assert again.server_cert == second.server_cert  # nothing new to name: kept
    assert ensure_keys(str(tmp_path)).server_cert == second.server_cert


def test_the_domain_is_served_under_its_name_with_its_id(tmp_path):
    sandbox = sandbox_handle.start(str(tmp_path / "sb"), domain_host=HOST, domain_aliases=[REGIONAL])
    try:
        port = int(sandbox.domain_url.rsplit(":", 1)[1])
        assert sandbox.domain_url == "https://%s:%d" % (HOST, port)
        assert sandbox.env["OCI_DOMAIN_ID"] == ID
        context = ssl.create_default_context(cafile=sandbox.ca_bundle)
        for name in (HOST, REGIONAL):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname=name) as tls:
                    assert tls.version() is not None
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with pytest.raises(ssl.SSLCertVerificationError):
                context.wrap_socket(raw, server_hostname="idcs-other.identity.oraclecloud.com")
    finally:
        sandbox.stop()
