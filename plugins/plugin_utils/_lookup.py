# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The lookup's side of the exchange, on the controller: the cross-process cache
(``module_utils/_credential_cache``, keyed by ``module_utils/_credential_key`` as the credential_process
runner's is), and the exchange itself (``module_utils/_exchange``) on a miss.

A cache hit imports only this module, ``_credential_cache`` (with ``_paths`` and ``_errors``), ``_credential_key``
and ``_sts_endpoint``: Ansible compiles every collection module from source in every forked worker (every host and
task), so the option definitions, their validators, the exchange, botocore, boto3 and oci are imported only on a
miss or an error (tests/unit/plugins/lookup/test_oci_aws_creds_load.py lists what a hit may import).
"""

from __future__ import annotations

from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache import (
    DEFAULT_MARGIN,
    CacheUnusable,
    CredentialCache,
    lock_waits,
)
# The key rules, shared with the credential_process runner (``module_utils/_credential_key``).
from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_key import (  # noqa: F401 pylint: disable=unused-import
    DIGEST_OPTIONS, FILE_DIGEST_OPTIONS, KEY_FORMAT, NOT_IN_KEY, ROLE_OPTIONS, STS_OPTIONS, TOKEN_OPTIONS, credentials_key,
)

# The lookup's own options (its DOCUMENTATION), besides the exchange's.
CACHE_OPTIONS = ("cache", "cache_dir", "cache_refresh_margin")
# The exchange's deadline (option ``timeout``) and its throttling allowance (``throttling_timeout``) also bound how
# long a fork waits for another fork's exchange.
LOCK_WAIT_OPTION = "timeout"
THROTTLING_OPTION = "throttling_timeout"
# The private-key client authentication options (``_exchange/options.KEY_OPTIONS``, equal by a unit test).
CLIENT_KEY_OPTIONS = ("client_private_key_file", "client_certificate_file", "client_certificate_alias")


def _option_error(option, msg):
    """The :class:`OptionError` of ``option``: ``_errors`` is imported for an error only."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError

    return OptionError(option, msg)


def plugin_options(plugin):
    """Every option of the lookup ``plugin`` (its options set), by name: the exchange's and the cache's.

    Those are the options the plugin documents but ``_terms`` (tests/unit/plugins/module_utils/test_options.py keeps
    them equal to ``_exchange/options.LOOKUP_OPTIONS`` and :data:`CACHE_OPTIONS`); an option not set is None.
    """
    return dict((name, plugin.get_option(name)) for name in plugin.option_definitions if name != "_terms")


# The token sources, each with the options that belong to it only.
TOKEN_SOURCES = {"client_id": ("client_id", "client_secret") + CLIENT_KEY_OPTIONS, "token": ("token",),
                 "token_file": ("token_file",)}


def token_source_of_the_call(options, direct):
    """``options`` with the token source that the call gives (``direct``: its keyword arguments) winning over the
    others' defaults from variables or the environment, as a term wins over ``role_arn``: ``token_file=`` in the call
    is not refused because ``oci_aws_client_id`` or ``OCI_AWS_CLIENT_ID`` is set. Two sources in the same call
    still conflict (the exchange's check names them)."""
    chosen = [name for name in TOKEN_SOURCES if direct.get(name) is not None]
    if not chosen:
        return options
    for name, owned in TOKEN_SOURCES.items():
        if name not in chosen:
            for option in owned:
                if direct.get(option) is None:
                    options[option] = None
    return options


def roles_to_assume(terms, direct, role_arn):
    """The roles one call of the lookup assumes, in order.

    ``terms`` are the call's terms, ``direct`` the keyword arguments of the call, ``role_arn`` the
    option's value from wherever it came (the call, a variable, the environment). A term wins over a
    default from a variable or the environment; only a term and ``role_arn=`` in the same call conflict.
    """
    roles = list(terms or [])
    if roles:
        if direct.get("role_arn"):
            raise _option_error("role_arn", "give the role as a term or as role_arn in the call, not both")
        return roles
    if not role_arn:
        raise _option_error("role_arn", "role_arn is required: give the role's ARN as a term or as role_arn "
                                        "(or the variable oci_aws_role_arn, or OCI_AWS_ROLE_ARN)")
    return [role_arn]


def _exchange(options, warn, announce=None):
    """``(credentials as a dict, expires_at)`` from a new exchange: only a miss comes here (and loads the
    exchange). ``announce``: the credential cache's, when this process holds the key's lock."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import exchange_from_options

    return exchange_from_options(options, warn, announce)


def _check_cache_dir(value):
    """``_validate.check_path_text`` of the option ``cache_dir``, imported only when the path may fail it: a
    printable string without white space around it passes it (``str.isprintable`` is false for every control
    character, line or paragraph separator, bidirectional override and surrogate that it refuses; a unit test
    checks every such character)."""
    if isinstance(value, str) and value and value.isprintable() and value == value.strip():
        return
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_path_text

    check_path_text(value, "cache_dir")


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
        raise _option_error("cache_refresh_margin", "cache_refresh_margin must be a number of seconds from 0 to less than "
                                                    "duration_seconds (%s): got %r" % (duration, margin))
    if options.get("cache_dir"):
        _check_cache_dir(options.get("cache_dir"))
    try:
        cache = CredentialCache(options.get("cache_dir") or None, margin=margin, warn=warn,
                                **lock_waits(options.get(LOCK_WAIT_OPTION), options.get(THROTTLING_OPTION)))
    except (CacheUnusable, OSError) as exc:
        warn("the credential cache is not used (%s): every evaluation makes a new exchange" % exc)
        return _exchange(options, warn)[0]
    value, _hit = cache.get(credentials_key(options), lambda announce: _exchange(options, warn, announce))
    return value
