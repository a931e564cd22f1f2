# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The SHA-1 thumbprints of an issuer's TLS chain, as IAM wants them for an OIDC provider.
"""

from __future__ import annotations

import hashlib
import json
import socket
import ssl

from ansible.module_utils.urls import open_url
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import parse_https_url


def issuer_thumbprints(issuer, ca_bundle=None, timeout=10):
    """The thumbprints AWS documents for ``issuer`` (an ``HttpsUrl``), as IAM wants them.

    AWS: read ``jwks_uri`` from the issuer's discovery document, open a TLS connection to its
    host, and take the SHA-1 of the last certificate the server presents (the top intermediate
    CA). The discovery host is included when it differs. TLS is verified (``ca_bundle`` or the
    system's CAs), so that a forged chain cannot become a trusted thumbprint.
    """
    discovery_url = issuer.url.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = open_url(discovery_url, ca_path=ca_bundle, timeout=timeout, validate_certs=True)
        discovery = json.loads(response.read())
        jwks = parse_https_url(discovery["jwks_uri"], "jwks_uri", allow_path=True)
    except (OptionError, KeyError, TypeError, ValueError, OSError) as exc:
        raise OciAwsError(
            "thumbprints_from_issuer: could not read jwks_uri from %s (%s); check issuer_url and issuer_ca_bundle, "
            "or give thumbprints" % (discovery_url, getattr(exc, "msg", None) or exc),
            endpoint=discovery_url,
        )
    hosts = []
    for url in (issuer, jwks):
        address = (url.host, url.port or 443)
        if address not in hosts:
            hosts.append(address)
    return sorted(set(top_certificate_thumbprint(host, port, ca_bundle, timeout) for host, port in hosts))


def top_certificate_thumbprint(host, port, ca_bundle=None, timeout=10):
    """SHA-1 (hex) of the last certificate of the chain that ``host:port`` presents."""
    context = ssl.create_default_context(cafile=ca_bundle)
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                chain = _presented_chain(tls)
    except OSError as exc:
        raise OciAwsError("thumbprints_from_issuer: TLS connection to %s:%d failed (%s); check issuer_ca_bundle, or "
                          "give thumbprints" % (host, port, exc), endpoint="%s:%d" % (host, port))
    return hashlib.sha1(chain[-1]).hexdigest()


def _presented_chain(tls):
    """The certificates the server sent, leaf first, as DER."""
    if hasattr(tls, "get_unverified_chain"):  # Python 3.13+
        return [_der(cert) for cert in tls.get_unverified_chain()]
    sslobj = getattr(tls, "_sslobj", None)
    if hasattr(sslobj, "get_unverified_chain"):  # Python 3.10 to 3.12
        return [_der(cert) for cert in sslobj.get_unverified_chain()]
    raise OciAwsError("thumbprints_from_issuer needs Python 3.10 or later on the host that runs the module "
                      "(it reads the certificate chain the issuer presents); give thumbprints instead")


def _der(cert):
    # Python 3.13 gives DER bytes; earlier versions certificate objects that export PEM.
    return cert if isinstance(cert, bytes) else ssl.PEM_cert_to_DER_cert(cert.public_bytes())
