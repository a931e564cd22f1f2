# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The key of the cross-process credential cache (``_credential_cache``), one rule for every front
door that uses it: the lookup on the controller and the credential_process runner on the host that
runs the AWS CLI or an SDK.

The key is built from what the credentials depend on, not from option names: where the STS call
goes (``_sts_endpoint.resolve``: endpoint, region and partition as botocore works them out from
these options, the environment and the profile), which role session is asked for, and who asks
(the token's source; secrets and tokens only as SHA-256 digests). Each option's part is its
``key`` in the one definition (``_exchange/options.py``, ``_aws/options.py``); those not in the
key only choose which CAs are trusted and how long to wait, so they cannot change the credentials
an exchange that succeeds returns.

Only the standard library, the cache's file naming and ``_sts_endpoint`` are imported: a cache hit compiles
neither the options' definition nor the exchange, botocore, boto3 or oci (Ansible compiles every collection module
from source in every forked worker, so each module a hit imports costs every host and task).
"""

from __future__ import annotations

import hashlib
import json

from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache import cache_key
from ansible_collections.multicloud.oci_aws.plugins.module_utils._sts_endpoint import resolve as resolve_sts

KEY_FORMAT = 2
# Each lookup option by its part of the key: ``key`` of its definition (``_exchange/options.py``,
# ``_aws/options.py``), kept here as literals so that a hit does not build the definitions.
# tests/unit/plugins/module_utils/test_credential_key.py keeps them equal to the definitions (its failing
# assertion prints the tuples to paste).
STS_OPTIONS = ("profile", "region", "endpoint_url")
ROLE_OPTIONS = ("role_arn", "role_session_name", "duration_seconds", "policy", "policy_arns")
TOKEN_OPTIONS = ("domain_url", "token_url", "client_id", "scope", "client_private_key_file", "client_certificate_file",
                 "client_certificate_alias", "audience", "issuer")
DIGEST_OPTIONS = ("client_secret", "token", "aws_config")
FILE_DIGEST_OPTIONS = ("token_file",)
NOT_IN_KEY = ("cert_bundle", "aws_ca_bundle", "validate_certs", "timeout", "throttling_timeout")


def _digest(value):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, default=str)
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _file_digest(path):
    """The digest of what the token file holds now (a new token there means a new key), or None."""
    try:
        with open(path, "rb") as handle:
            return _digest(handle.read().strip())
    except OSError:
        return None


def credentials_key(options, environ=None):
    """The cache key for ``options`` (a dict of the exchange's option values by name, ``role_arn`` resolved)."""
    parts = {
        "format": KEY_FORMAT,
        "sts": resolve_sts(dict((name, options.get(name)) for name in STS_OPTIONS), environ),
        "session": dict((name, options.get(name)) for name in ROLE_OPTIONS),
        "token_source": dict((name, options.get(name)) for name in TOKEN_OPTIONS),
    }
    for name in DIGEST_OPTIONS:
        parts["token_source"][name + "_sha256"] = _digest(options.get(name))
    for name in FILE_DIGEST_OPTIONS:
        path = options.get(name)
        parts["token_source"][name + "_sha256"] = _file_digest(path) if path else None
    return cache_key(parts)
