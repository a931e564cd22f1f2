# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The identity domain's OpenID discovery document as AWS reads it (anonymously, at
``<iss>/.well-known/openid-configuration``), for diagnoses only: when STS cannot retrieve the
verification key, the cause may be the discovery document rather than the signing keys. Whether an
identity domain's discovery ``issuer`` follows a custom Settings issuer, and whether STS insists on
it matching ``iss``, are both open questions (reference note section 8), so the collection checks it
when STS refuses instead of assuming either answer.
"""

from __future__ import annotations

import json
import time
import urllib.request as urllib_request

from ansible_collections.multicloud.oci_aws.plugins.module_utils._http import ssl_context, read_bounded

DISCOVERY_PATH = "/.well-known/openid-configuration"
TIMEOUT = 5  # AWS gives an identity provider 5 seconds
MAX_BYTES = 256 * 1024


class _NoRedirect(urllib_request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def discovery_url(issuer):
    return issuer.rstrip("/") + DISCOVERY_PATH


def read_discovery(issuer, cert_bundle=None, timeout=TIMEOUT):
    """The discovery document of ``issuer`` (a dict), or None when it cannot be read (no diagnosis then)."""
    if not isinstance(issuer, str) or not issuer.startswith("https://"):
        return None
    opener = urllib_request.build_opener(urllib_request.HTTPSHandler(context=ssl_context(cert_bundle)), _NoRedirect())
    try:
        response = opener.open(urllib_request.Request(discovery_url(issuer), headers={"Accept": "application/json"}),
                               timeout=timeout)
        try:
            if response.status != 200:
                return None
            document = json.loads(read_bounded(response, time.monotonic() + timeout, MAX_BYTES).decode("utf-8"))
        finally:
            response.close()
    except Exception:  # pylint: disable=broad-except
        return None  # unreadable: the caller keeps its other diagnosis
    return document if isinstance(document, dict) else None


def issuer_mismatch(iss, cert_bundle=None, timeout=TIMEOUT):
    """The text explaining that ``iss``'s discovery document names another issuer, or None when it does
    not (or cannot be read)."""
    document = read_discovery(iss, cert_bundle, timeout)
    if document is None or document.get("issuer") == iss:
        return None
    return (
        "the identity domain's discovery document %s names the issuer %s, not the token's iss %s: AWS reads the "
        "signing keys through that document and refuses it when its issuer differs from iss. The domain's issuer is "
        "set (the token carries it, so step 3 is done), but the domain's discovery document does not follow it; no "
        "option of this collection changes the discovery document: check it with curl %s, and raise it with Oracle "
        "support if it persists"
        % (discovery_url(iss), json.dumps(document.get("issuer")), iss, discovery_url(iss)))
