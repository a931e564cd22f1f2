# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The HTTPS client of the collection's own requests (the token endpoint): TLS always, no redirect
followed, every answer bounded in size and time; and the errors for a TLS certificate that does not verify.
"""

from __future__ import annotations

import socket
import ssl
import time
import urllib.error as urllib_error
import urllib.request as urllib_request

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError, ServiceError, host_of, reason_of
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import readable_file


TOKEN_TIMEOUT = 15
# An answer of the token endpoint is a few kilobytes; more is not a token answer, and is not read.
MAX_ANSWER_BYTES = 1024 * 1024
_READ_CHUNK = 16384


def ssl_context(cert_bundle):
    if cert_bundle:
        return ssl.create_default_context(cafile=cert_bundle)
    return ssl.create_default_context()


class _NoRedirect(urllib_request.HTTPRedirectHandler):
    """Never follow a redirect: the client's credentials must not travel to another URL."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class AnswerTooLarge(Exception):
    """An answer longer than :data:`MAX_ANSWER_BYTES`; it is not read further."""

    def __init__(self, size, status=None):
        super().__init__(size)
        self.status = status


class AnswerTimeout(socket.timeout):
    """An answer that did not arrive whole within the attempt's time (a trickle)."""


def read_bounded(response, ends, limit=MAX_ANSWER_BYTES, monotonic=time.monotonic):
    """The body of ``response``, read chunk by chunk until ``ends`` (a ``monotonic`` time) at most.

    Socket timeouts bound each read, not the whole answer: an endpoint that trickles a byte every
    few seconds is cut here at ``ends``. More than ``limit`` bytes raise :class:`AnswerTooLarge`.
    """
    read = getattr(response, "read1", None) or response.read
    chunks, size = [], 0
    while True:
        if monotonic() >= ends:
            raise AnswerTimeout("the answer did not arrive in time")
        chunk = read(_READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise AnswerTooLarge(size, getattr(response, "status", None) or getattr(response, "code", None))
        chunks.append(chunk)


def https_post(url, body, headers, cert_bundle=None, timeout=TOKEN_TIMEOUT):
    """POST ``body`` to ``url``; return ``(status, headers, body)`` for every HTTP answer.

    ``timeout`` bounds each socket operation and the whole answer (connect, headers, body).
    Connection failures raise ``OSError`` (or ``urllib`` ``URLError``) for the caller to classify.
    """
    ends = time.monotonic() + timeout
    opener = urllib_request.build_opener(urllib_request.HTTPSHandler(context=ssl_context(cert_bundle)), _NoRedirect())
    request = urllib_request.Request(url, data=body, headers=headers)
    try:
        response = opener.open(request, timeout=timeout)
    except urllib_error.HTTPError as exc:
        try:
            return exc.code, exc.headers, read_bounded(exc, ends)
        finally:
            exc.close()
    try:
        return response.status, response.headers, read_bounded(response, ends)
    finally:
        response.close()


def tls_failure(exc):
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, ssl.SSLCertVerificationError) or isinstance(exc, ssl.SSLCertVerificationError)


def tls_refusal(url, option, bundle, bundle_option, exc=None):
    """The error for a TLS certificate of ``url`` that did not verify (``bundle`` given in ``bundle_option`` or None)."""
    reason = getattr(reason_of(exc), "verify_message", None) if exc is not None else None
    why = " (%s)" % reason if reason else ""
    if bundle:
        return ServiceError(
            "%s: its TLS certificate did not verify with the CA bundle given in %s (%s)%s: give in %s the bundle of "
            "the CA that signs the certificate of %s, or check %s" % (
                url, bundle_option, bundle, why, bundle_option, host_of(url), option), endpoint=url)
    return ServiceError(
        "%s: its TLS certificate could not be verified with the system's CA certificates%s; if %s is reached through "
        "a private CA, set %s to that CA's PEM bundle" % (url, why, host_of(url), bundle_option), endpoint=url)


def check_ca_bundle(path, option="cert_bundle"):
    """``path`` once it is known to hold CA certificates that TLS can use, else :class:`OptionError`."""
    readable_file(path, option, "a PEM bundle of the CA certificates to trust for the identity domain")
    try:
        ssl_context(path)
    except ssl.SSLError as exc:
        raise OptionError(option, "%s %s holds no usable CA certificate (%s): give the path of a PEM file of "
                                  "CA certificates (-----BEGIN CERTIFICATE-----)" % (option, path, exc.reason or exc))
    return path
