# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The options of the exchange, defined once (``_options.Option``) for the module, the lookup and
credential_process: ``OPTIONS`` (every one, the AWS connection's included), from which the module
argspec (``exchange_argument_spec``), the lookup's cache-key groups (``plugin_utils/_lookup.py``) and
the settings a credential_process keeps (``PROCESS_OPTIONS``) are derived. Read them from any holder
with ``OptionAdapter`` (re-exported here from ``_options``).
"""

from __future__ import annotations

import typing as t

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.options import CONNECTION
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import DEFAULT_AUDIENCE
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._options import Option, argument_spec, names
from ansible_collections.multicloud.oci_aws.plugins.module_utils._options import OptionAdapter  # noqa: F401 pylint: disable=unused-import
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import (
    DEFAULT_THROTTLING_TIMEOUT, DEFAULT_TIMEOUT, THROTTLING_OPTION, TIMEOUT_OPTION
)


DEFAULT_SESSION_NAME = "ansible-oci-aws"
DEFAULT_DURATION = 3600

# Where the token comes from and what it must carry. ``token`` cannot be renewed: a credential_process,
# which runs again and again, does not keep it.
TOKEN = (
    Option("domain_url", no_log=False, key="token"),
    Option("token_url", no_log=False, key="token"),
    Option("client_id", no_log=False, key="token"),
    Option("client_secret", no_log=True, key="digest"),
    Option("scope", key="token"),
    Option("token", no_log=True, key="digest", process=False),
    Option("token_file", type="path", no_log=False, key="file_digest"),
    Option("cert_bundle", type="path", env=("OCI_ANSIBLE_CERT_BUNDLE",)),
    # Private-key client authentication (client_auth.py), the alternative to client_secret: the paths and
    # the alias only; the key stays in its file on this host.
    Option("client_private_key_file", type="path", no_log=False, key="token"),
    Option("client_certificate_file", type="path", no_log=False, key="token"),
    Option("client_certificate_alias", no_log=False, key="token"),
)
KEY_OPTIONS = ("client_private_key_file", "client_certificate_file", "client_certificate_alias")
CHECK = (
    Option("audience", default=DEFAULT_AUDIENCE, key="token"),
    Option("issuer", key="token"),
)
# The AssumeRoleWithWebIdentity parameters. The lookup takes the role as a term too, so only the module requires it.
STS = (
    Option("role_arn", required=True, key="session"),
    Option("role_session_name", default=DEFAULT_SESSION_NAME, key="session"),
    Option("duration_seconds", type="int", default=DEFAULT_DURATION, key="session"),
    Option("policy", type="json", key="session"),
    Option("policy_arns", type="list", elements="str", key="session"),
)
# The exchange's deadline and its separate allowance for waiting out throttling; to the lookup, also how long a
# fork waits for another fork's exchange (both together).
TIMEOUT = (Option(TIMEOUT_OPTION, type="int", default=DEFAULT_TIMEOUT),
           Option(THROTTLING_OPTION, type="int", default=DEFAULT_THROTTLING_TIMEOUT))

# Every option of the exchange, as the module and the lookup name them.
EXCHANGE = TOKEN + CHECK + STS + CONNECTION + TIMEOUT
OPTIONS = names(EXCHANGE)
SECRET_OPTIONS = names(EXCHANGE, no_log=True)
# What the lookup takes, and what a credential_process's settings file keeps.
LOOKUP_OPTIONS = names(EXCHANGE, lookup=True)
PROCESS_OPTIONS = names(EXCHANGE, process=True)
PROCESS_PATH_OPTIONS = names(EXCHANGE, process=True, type="path")


def exchange_argument_spec() -> dict[str, dict[str, t.Any]]:
    """The exchange's options for a module (documented by the ``multicloud.oci_aws.exchange`` and ``aws`` fragments)."""
    return argument_spec(EXCHANGE)


def _text(options: OptionAdapter, name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise OptionError(name, "%s must be a non-empty string" % name)
    return value


def _integer(options: OptionAdapter, name: str, default: int) -> int:
    value = options.get(name, default)
    if isinstance(value, bool):
        raise OptionError(name, "%s must be a number of seconds, got %r" % (name, value))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise OptionError(name, "%s must be a number of seconds, got %r" % (name, value))
