# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

What every part of the collection shares: the typed errors that library code raises (turned
into ``fail_json`` or ``AnsibleLookupError`` at exactly one boundary), and bounded retries with
jittered exponential backoff that honour ``Retry-After``.
"""

from __future__ import annotations

import contextlib
import socket
import urllib.parse as _urlparse


class OciAwsError(Exception):
    """An error to report to the user as it is: ``msg`` is complete and actionable.

    ``details`` holds structured facts that modules return beside ``msg`` (for example
    ``status``, ``request_id``, ``error_code``, ``endpoint``, ``attempts``, ``option``). Neither
    may ever contain a secret.
    """

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = dict((k, v) for k, v in details.items() if v is not None)


class OptionError(OciAwsError):
    """Bad input, found before any change: the message names the option and the fix."""

    def __init__(self, option, msg, **details):
        super().__init__(msg, option=option, **details)
        self.option = option


class ServiceError(OciAwsError):
    """A cloud service refused a request; carries its status, error code and request id."""


class RetriesExhausted(ServiceError):
    """A transient failure lasted longer than the retry budget."""


class Throttled(RetriesExhausted):
    """The service kept refusing for rate (AWS ``Throttling``, HTTP 429) until the retry bound or the ``timeout``
    option was reached: the message names the throttling, the bound and the fix."""


class DeadlineExceeded(RetriesExhausted):
    """The call (its attempts and waits together) did not end within the ``timeout`` option."""


class MalformedAnswer(ServiceError):
    """An answer that is not what the API documents: it is named, never shown.

    The message names the endpoint, the HTTP status and what was wrong (``what``: "not XML", "no
    Credentials element"); no byte of the answer ever enters it, since a cut-off or garbled answer
    may hold the very credentials it was meant to deliver.
    """

    def __init__(self, endpoint, what, status=None, **details):
        super().__init__(
            "%s answered%s with something that is not what its API documents: %s (the answer is not shown: it may "
            "hold credentials); a proxy or a misbehaving service may be in the way, try again later"
            % (endpoint, " HTTP %s" % status if status is not None else "", what),
            endpoint=endpoint, status=status, error_code="MalformedAnswer", **details)
        self.what = what


class Unreachable(OptionError):
    """A host that does not resolve or refuses connections: a configuration error, never retried."""


class Unexpected(OciAwsError):
    """An exception that library code did not expect, reported by its type and step only.

    Its text is never shown: the text of an exception raised while handling an answer may quote it.
    """

    def __init__(self, exc, where):
        super().__init__(
            "unexpected %s during %s (its text is not shown: it may quote a service's answer); run again, and "
            "report it to the multicloud.oci_aws maintainers if it persists" % (type(exc).__name__, where),
            error_code="Unexpected", exception_type=type(exc).__name__)


def reason_of(exc):
    reason = getattr(exc, "reason", None)
    return reason if isinstance(reason, BaseException) else exc


def configuration_failure(exc):
    """``"does not resolve"`` or ``"refused the connection"`` when ``exc`` says so, else None.

    Both are configuration errors (a wrong host or port, nothing listening): never retried.
    """
    seen = set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, socket.gaierror):
            return "does not resolve"
        if isinstance(exc, ConnectionRefusedError):
            return "refused the connection"
        exc = reason_of(exc) if reason_of(exc) is not exc else (exc.__cause__ or exc.__context__)
    return None


def host_of(url):
    return _urlparse.urlsplit(url).hostname or url


def _proxy_note(url):
    # Imported here, not at load: urllib.request brings http.client and ssl (about 7 ms), which a cache hit of
    # the lookup never needs (tests/unit/plugins/lookup/test_oci_aws_creds_load.py).
    import urllib.request as _urlrequest  # pylint: disable=import-outside-toplevel

    proxy = _urlrequest.getproxies().get(_urlparse.urlsplit(url).scheme or "https")
    return " (through the proxy set in the environment, https_proxy)" if proxy else ""


def unreachable(url, option, why):
    """The :class:`Unreachable` error for ``url`` (given by ``option``) whose host ``why``."""
    fix = ("check the host name in %s" % option if why == "does not resolve"
           else "check the host and port in %s, and that the service listens there" % option)
    return Unreachable(option, "%s: the host %s %s%s: %s (this is not retried)"
                       % (url, host_of(url), why, _proxy_note(url), fix), endpoint=url)


def typed(exc, where):
    """``exc`` if it is one of ours, else an :class:`Unexpected` naming its type and ``where``."""
    return exc if isinstance(exc, OciAwsError) else Unexpected(exc, where)


def fail_from(module, exc, where="the module"):
    """The one module boundary: report an error with ``fail_json``.

    An :class:`OciAwsError` is reported as it is; anything else as an :class:`Unexpected` naming
    its type and ``where`` only (no text, no traceback: either may quote a service's answer).
    """
    exc = typed(exc, where)
    module.fail_json(msg=exc.msg, **exc.details)


@contextlib.contextmanager
def module_boundary(module, where):
    """``with module_boundary(module, "oci_oidc_app"):`` around a module's work: every exception
    becomes one ``fail_json`` (``exit_json`` and ``fail_json`` exit with ``SystemExit``, which passes)."""
    try:
        yield
    except Exception as exc:  # pylint: disable=broad-except
        fail_from(module, exc, where)


FIX_APP = "run multicloud.oci_aws.oci_oidc_app"
FIX_POLICY = "run multicloud.oci_aws.oci_token_policy"
FIX_AWS = "run multicloud.oci_aws.aws_oidc_role"


class Breakpoint(OciAwsError):
    """A step of the federation is missing or wrong; the message names the step and the fix.

    ``step`` is the step of the manual procedure (``"2.1"``, ``"3"``, ...), returned beside the message.
    """

    def __init__(self, step, msg, **details):
        super().__init__("%s [step %s of the procedure]" % (msg, step), step=step, **details)
        self.step = step


class UnsafePath(OciAwsError):
    """A path that another local user could replace or read; the message names the part and the fix."""
