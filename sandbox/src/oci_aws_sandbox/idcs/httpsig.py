"""Verification of OCI API request signatures, as the official SDK makes them.

OCI signs requests with draft-cavage HTTP signatures (oci 2.189.0, `oci/signer.py`):

    Authorization: Signature algorithm="rsa-sha256",headers="date (request-target) host[ content-length
        content-type x-content-sha256]",keyId="<tenancy>/<user>/<fingerprint>",signature="<b64>",version="1"

- the signing string is one `name: value` line per listed header, joined by `\\n`, with
  `(request-target): <method in lower case> <path and query as sent>`;
- GET, HEAD and DELETE sign `date (request-target) host`; POST, PUT and PATCH must also sign
  `content-length content-type x-content-sha256`, where `x-content-sha256` is the base64 SHA-256 of
  the body (OCI "Request Signatures" doc: these headers are required for requests with a body);
- the key is RSA, PKCS#1 v1.5 with SHA-256;
- OCI refuses a `date` more than 5 minutes away from its clock (same doc).

`verify` raises `SignatureError` (answered as 401) on any failure.
"""

import base64
import email.utils
import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

MAX_CLOCK_SKEW = 300
GENERIC_HEADERS = ("date", "(request-target)", "host")
BODY_HEADERS = ("content-length", "content-type", "x-content-sha256")
BODY_METHODS = ("POST", "PUT", "PATCH")
_PARAMETER = re.compile(r'\s*(\w+)="([^"]*)"\s*(?:,|$)')


class SignatureError(Exception):
    """The request is not signed, or not signed as OCI requires."""


def parse_authorization(value):
    """The parameters of a `Signature ...` Authorization header."""
    scheme, _space, rest = (value or "").strip().partition(" ")
    if scheme.lower() != "signature":
        raise SignatureError("The request is not signed: an OCI request signature is required.")
    parameters = {}
    position = 0
    while position < len(rest):
        match = _PARAMETER.match(rest, position)
        if match is None:
            raise SignatureError("The Authorization header is malformed.")
        parameters[match.group(1)] = match.group(2)
        position = match.end()
    return parameters


def verify(method, target, headers, body, api_keys, now):
    """Check the signature of one request and return the key id that signed it.

    `target` is the request target as sent (path and query, still percent-encoded); `headers` a
    case-insensitive mapping; `api_keys` maps key ids to RSA public keys; `now` is the current time.
    """
    parameters = parse_authorization(headers.get("authorization"))
    for name in ("keyId", "signature", "algorithm", "headers"):
        if not parameters.get(name):
            raise SignatureError("The signature has no %s parameter." % name)
    if parameters["algorithm"].lower() != "rsa-sha256":
        raise SignatureError("Unsupported signature algorithm %s." % parameters["algorithm"])
    if parameters.get("version", "1") != "1":
        raise SignatureError("Unsupported signature version %s." % parameters["version"])
    signed = parameters["headers"].lower().split()
    required = GENERIC_HEADERS + (BODY_HEADERS if method.upper() in BODY_METHODS else ())
    missing = [name for name in required if name not in signed]
    if missing:
        raise SignatureError("The signature must cover the headers: %s." % " ".join(missing))
    public_key = api_keys.get(parameters["keyId"])
    if public_key is None:
        raise SignatureError("The key %s is not known." % parameters["keyId"])

    lines = []
    for name in signed:
        if name == "(request-target)":
            lines.append("(request-target): %s %s" % (method.lower(), target))
            continue
        value = headers.get(name)
        if value is None:
            raise SignatureError("The signed header %s is missing from the request." % name)
        lines.append("%s: %s" % (name, value))
    try:
        signature = base64.b64decode(parameters["signature"], validate=True)
        public_key.verify(signature, "\n".join(lines).encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise SignatureError("The request signature does not verify.") from None

    try:
        sent = email.utils.parsedate_to_datetime(headers.get("date")).timestamp()
    except (TypeError, ValueError):
        raise SignatureError("The date header is not a valid HTTP date.") from None
    if abs(now - sent) > MAX_CLOCK_SKEW:
        raise SignatureError("The date header is more than 5 minutes away from the service's clock.")

    if "x-content-sha256" in signed:
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
        if headers.get("x-content-sha256") != digest:
            raise SignatureError("The x-content-sha256 header does not match the body.")
    if "content-length" in signed and headers.get("content-length") != str(len(body)):
        raise SignatureError("The content-length header does not match the body.")
    return parameters["keyId"]
