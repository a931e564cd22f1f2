# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The options of the exchange, named once for the module, the lookup and credential_process:
the lists (``OPTIONS``, ``SECRET_OPTIONS``...), the module argspec (``exchange_argument_spec``) and
the :class:`OptionAdapter` that reads them from any mapping.
"""

from __future__ import annotations

from ansible.module_utils.common.parameters import env_fallback
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import CONNECTION_OPTIONS, aws_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import DEFAULT_AUDIENCE
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import DEFAULT_TIMEOUT, TIMEOUT_OPTION


DEFAULT_SESSION_NAME = "ansible-oci-aws"
DEFAULT_DURATION = 3600

# Private-key client authentication (client_auth.py), the alternative to client_secret.
KEY_OPTIONS = ("client_private_key_file", "client_certificate_file", "client_certificate_alias")
TOKEN_OPTIONS = ("domain_url", "token_url", "client_id", "client_secret", "scope", "token", "token_file",
                 "cert_bundle") + KEY_OPTIONS
CHECK_OPTIONS = ("audience", "issuer")
STS_OPTIONS = ("role_arn", "role_session_name", "duration_seconds", "policy", "policy_arns")
# Every option of the exchange, as the module and the lookup name them.
OPTIONS = TOKEN_OPTIONS + CHECK_OPTIONS + STS_OPTIONS + CONNECTION_OPTIONS + (TIMEOUT_OPTION,)
SECRET_OPTIONS = ("client_secret", "token", "secret_key", "session_token")


def exchange_argument_spec():
    """The exchange's options for a module (documented by the ``multicloud.oci_aws.exchange`` fragment)."""
    spec = dict(
        domain_url=dict(type="str", no_log=False),
        token_url=dict(type="str", no_log=False),
        client_id=dict(type="str", no_log=False),
        client_secret=dict(type="str", no_log=True),
        scope=dict(type="str"),
        token=dict(type="str", no_log=True),
        token_file=dict(type="path", no_log=False),
        cert_bundle=dict(type="path", fallback=(env_fallback, ["OCI_ANSIBLE_CERT_BUNDLE"])),
        client_private_key_file=dict(type="path", no_log=False),
        client_certificate_file=dict(type="path", no_log=False),
        client_certificate_alias=dict(type="str", no_log=False),
        audience=dict(type="str", default=DEFAULT_AUDIENCE),
        issuer=dict(type="str"),
        role_arn=dict(type="str", required=True),
        role_session_name=dict(type="str", default=DEFAULT_SESSION_NAME),
        duration_seconds=dict(type="int", default=DEFAULT_DURATION),
        policy=dict(type="json"),
        policy_arns=dict(type="list", elements="str"),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    )
    spec.update(aws_argument_spec())
    return spec


class OptionAdapter:
    """One way to read options, whoever holds them: ``get(name)`` gives the value, None meaning not set."""

    def __init__(self, getter):
        self._getter = getter

    @classmethod
    def from_dict(cls, options):
        """From a module's ``params``, a lookup's options read with ``get_option``, or a settings file."""
        return cls(options.get)

    def get(self, name, default=None):
        value = self._getter(name)
        return default if value is None else value

    def as_dict(self, names=OPTIONS):
        return dict((name, self.get(name)) for name in names)


def _text(options, name):
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise OptionError(name, "%s must be a non-empty string" % name)
    return value


def _integer(options, name, default):
    value = options.get(name, default)
    if isinstance(value, bool):
        raise OptionError(name, "%s must be a number of seconds, got %r" % (name, value))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise OptionError(name, "%s must be a number of seconds, got %r" % (name, value))
