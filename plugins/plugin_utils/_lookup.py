# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The lookup's side of the exchange, on the controller: the cache key, the cross-process cache
(``_credential_cache``), and the exchange itself (``module_utils/_exchange``) on a miss.

Only the standard library and the cache are imported here: a cache hit never loads the
exchange, botocore, boto3 or oci.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

from ansible_collections.multicloud.oci_aws.plugins.module_utils._common import OptionError
from ansible_collections.multicloud.oci_aws.plugins.plugin_utils._credential_cache import (
    DEFAULT_MARGIN,
    CacheUnusable,
    CredentialCache,
    cache_key,
)

KEY_FORMAT = 1
# Options that change the credentials STS gives (or whether the exchange succeeds): all of them
# are in the key; secrets only as digests. Options not listed cannot change the credentials: the
# CA bundles and TLS settings, and the AWS profile, which only reads the role after a refusal.
KEY_OPTIONS = (
    "domain_url", "token_url", "client_id", "scope", "audience", "issuer",
    "role_arn", "role_session_name", "duration_seconds", "policy", "policy_arns", "region", "endpoint_url",
)
DIGEST_OPTIONS = ("client_secret", "token")
NOT_IN_KEY = ("cert_bundle", "aws_ca_bundle", "validate_certs", "profile", "token_file", "timeout")
# botocore picks the STS endpoint from these when endpoint_url is not given.
KEY_ENVIRONMENT = ("AWS_ENDPOINT_URL_STS", "AWS_STS_REGIONAL_ENDPOINTS")


def _digest(value):
    if value is None:
        return None
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _file_digest(path):
    """The digest of what the token file holds now (a new token there means a new key), or None."""
    try:
        with open(path, "rb") as handle:
            return _digest(handle.read().strip())
    except (IOError, OSError):
        return None


def credentials_key(options):
    """The cache key for ``options`` (a dict of the lookup's option values, ``role_arn`` resolved)."""
    parts = {"format": KEY_FORMAT}
    for name in KEY_OPTIONS:
        parts[name] = options.get(name)
    for name in DIGEST_OPTIONS:
        parts[name + "_sha256"] = _digest(options.get(name))
    token_file = options.get("token_file")
    parts["token_file_sha256"] = _file_digest(token_file) if token_file else None
    for name in KEY_ENVIRONMENT:
        parts["env:" + name] = os.environ.get(name)
    return cache_key(parts)


def _exchange(options, warn):
    """``(credentials as a dict, expires_at)`` from a new exchange: only a miss comes here."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange import (  # pylint: disable=import-outside-toplevel
        Exchange,
        ExchangeSpec,
        OptionAdapter,
    )

    spec = ExchangeSpec.from_options(OptionAdapter.from_dict(options))
    for warning in spec.warnings:
        warn(warning)
    credentials = Exchange(spec).run()
    return credentials.as_dict(), credentials.expires_at


def lookup_credentials(options, warn):
    """The credentials for ``options``: from the cache when it has them, else from an exchange.

    ``options`` holds every option of the lookup by name (``cache``, ``cache_dir`` and
    ``cache_refresh_margin`` included); ``warn(text)`` shows a warning.
    """
    if not options.get("cache", True):
        return _exchange(options, warn)[0]
    margin = options.get("cache_refresh_margin")
    margin = DEFAULT_MARGIN if margin is None else margin
    duration = options.get("duration_seconds") or 3600
    if not isinstance(margin, int) or isinstance(margin, bool) or not 0 <= margin < duration:
        raise OptionError("cache_refresh_margin", "cache_refresh_margin must be a number of seconds from 0 to less than "
                                                  "duration_seconds (%s): got %r" % (duration, margin))
    try:
        cache = CredentialCache(options.get("cache_dir") or None, margin=margin)
    except (CacheUnusable, OSError) as exc:
        warn("the credential cache is not used (%s): every evaluation makes a new exchange" % exc)
        return _exchange(options, warn)[0]
    value, _hit = cache.get(credentials_key(options), lambda: _exchange(options, warn))
    return value
