# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

What every part of the collection shares: the typed errors that library code raises (turned
into ``fail_json`` or ``AnsibleLookupError`` at exactly one boundary), and bounded retries with
jittered exponential backoff that honour ``Retry-After``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import random
import socket
import threading
import time
import urllib.parse as _urlparse
import urllib.request as _urlrequest

# The option that bounds each exchange and each module call, and its documented defaults.
TIMEOUT_OPTION = "timeout"
DEFAULT_TIMEOUT = 60


class OciAwsError(Exception):
    """An error to report to the user as it is: ``msg`` is complete and actionable.

    ``details`` holds structured facts that modules return beside ``msg`` (for example
    ``status``, ``request_id``, ``error_code``, ``endpoint``, ``attempts``, ``option``). Neither
    may ever contain a secret.
    """

    def __init__(self, msg, **details):
        super(OciAwsError, self).__init__(msg)
        self.msg = msg
        self.details = dict((k, v) for k, v in details.items() if v is not None)


class OptionError(OciAwsError):
    """Bad input, found before any change: the message names the option and the fix."""

    def __init__(self, option, msg, **details):
        super(OptionError, self).__init__(msg, option=option, **details)
        self.option = option


class ServiceError(OciAwsError):
    """A cloud service refused a request; carries its status, error code and request id."""


class RetriesExhausted(ServiceError):
    """A transient failure lasted longer than the retry budget."""


class DeadlineExceeded(RetriesExhausted):
    """The call (its attempts and waits together) did not end within the ``timeout`` option."""


class MalformedAnswer(ServiceError):
    """An answer that is not what the API documents: it is named, never shown.

    The message names the endpoint, the HTTP status and what was wrong (``what``: "not XML", "no
    Credentials element"); no byte of the answer ever enters it, since a cut-off or garbled answer
    may hold the very credentials it was meant to deliver.
    """

    def __init__(self, endpoint, what, status=None, **details):
        super(MalformedAnswer, self).__init__(
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
        super(Unexpected, self).__init__(
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


class Deadline(object):
    """The end of the time one exchange or one module call may take, ``seconds`` from its creation.

    Every attempt's socket timeout is ``timeout(per_attempt)``: at most what is left. ``option``
    names where the value came from, for messages.
    """

    def __init__(self, seconds, option=TIMEOUT_OPTION, monotonic=time.monotonic):
        self.seconds = seconds
        self.option = option
        self._monotonic = monotonic
        self.ends = monotonic() + seconds

    def remaining(self):
        return max(0.0, self.ends - self._monotonic())

    def expired(self):
        return self.remaining() <= 0

    def timeout(self, per_attempt, endpoint="the call"):
        """``min(per_attempt, remaining)``; :class:`DeadlineExceeded` when nothing remains."""
        left = self.remaining()
        if left <= 0:
            raise self.exceeded(endpoint)
        return min(per_attempt, left) if per_attempt else left

    def exceeded(self, endpoint, last_error=None, attempts=None):
        return DeadlineExceeded(
            "%s did not answer within %s seconds (the %s option)%s: the endpoint may be hung, trickling its answer "
            "or unreachable from here; check it, or raise %s" % (
                endpoint, _seconds(self.seconds), self.option,
                "; last answer %s after %d attempt%s" % (last_error, attempts, "" if attempts == 1 else "s")
                if last_error else "", self.option),
            endpoint=endpoint, attempts=attempts, last_error=last_error, timeout=self.seconds)


def _seconds(value):
    return ("%d" % value) if float(value).is_integer() else ("%.1f" % value)


def check_timeout(value, option=TIMEOUT_OPTION):
    """``value`` as a positive number of seconds, else :class:`OptionError`."""
    if isinstance(value, bool):
        raise OptionError(option, "%s must be a number of seconds greater than 0: got %r" % (option, value))
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise OptionError(option, "%s must be a number of seconds greater than 0: got %r" % (option, value))
    if not 0 < seconds <= 86400:
        raise OptionError(option, "%s must be a number of seconds greater than 0 (at most 86400): got %r" % (option, value))
    return seconds


def deadline_from(options, default=DEFAULT_TIMEOUT):
    """A :class:`Deadline` from the ``timeout`` option of a mapping (module params, lookup options)."""
    value = options.get(TIMEOUT_OPTION)
    return Deadline(check_timeout(default if value is None else value))


def _within(func, seconds):
    """``func()`` in a helper thread, waited for at most ``seconds``; ``(True, value)`` or ``(False, None)``.

    Socket timeouts bound each read, not a whole answer that trickles in a byte at a time: this
    bounds the attempt itself. An attempt still running at the deadline is abandoned (a daemon
    thread, which ends with the process or its connection).
    """
    outcome = {}

    def run():
        try:
            outcome["value"] = func()
        except BaseException as exc:  # pylint: disable=broad-except
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="multicloud.oci_aws attempt")
    worker.daemon = True
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        return False, None
    if "error" in outcome:
        raise outcome["error"]
    return True, outcome.get("value")


class Transient(object):
    """What a classifier returns for a retryable failure: a description and the server's hint."""

    def __init__(self, description, retry_after=None):
        self.description = description
        self.retry_after = retry_after


def parse_retry_after(value):
    """Seconds from a ``Retry-After`` header value (delta-seconds only), or None."""
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class Retrier(object):
    """Bounded retries with full-jitter exponential backoff.

    Attempt ``n`` (from 1) failing transiently waits ``uniform(0, min(max_delay, base_delay * 2**(n-1)))``,
    or the server's ``Retry-After`` when that is longer (capped at ``max_delay``). It gives up after
    ``max_attempts`` attempts or when the next wait would end past ``max_elapsed`` seconds from
    the first attempt, and then raises :class:`RetriesExhausted` naming the endpoint, the last
    answer and the number of attempts.
    """

    def __init__(self, max_attempts=6, base_delay=0.5, max_delay=20.0, max_elapsed=120.0,
                 sleep=time.sleep, monotonic=time.monotonic, uniform=random.uniform, deadline=None):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_elapsed = max_elapsed
        self._sleep = sleep
        self._monotonic = monotonic
        self._uniform = uniform
        self.deadline = deadline

    def attempt_timeout(self, per_attempt, endpoint="the call"):
        """The socket timeout of one attempt: ``per_attempt``, or what is left of the deadline when less."""
        if self.deadline is None:
            return per_attempt
        return self.deadline.timeout(per_attempt, endpoint)

    def delay(self, attempt, retry_after=None):
        """The wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        wait = self._uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait

    def call(self, func, classify, endpoint, on_retry=None, url=None):
        """Run ``func()``; retry while ``classify(exc)`` returns a :class:`Transient`.

        ``endpoint`` names what is being called, for the final error. ``on_retry(attempt,
        transient, wait)`` is called before each wait (for logging or refreshing state). With a
        :attr:`deadline`, each attempt is cut when it is reached and no wait goes past it: the
        error is then :class:`DeadlineExceeded`. ``url``, when given, is named in the final error
        beside ``endpoint`` (the URL that was tried).
        """
        label = endpoint if url is None else "%s at %s" % (endpoint, url)
        started = self._monotonic()
        attempt = 0
        deadline = self.deadline
        last = None
        while True:
            attempt += 1
            try:
                if deadline is None:
                    return func()
                left = deadline.remaining()
                if left <= 0:
                    raise deadline.exceeded(label, last, attempt - 1 or None)
                done, value = _within(func, left)
                if not done:
                    raise deadline.exceeded(label, last, attempt)
                return value
            except DeadlineExceeded:
                raise
            except Exception as exc:  # pylint: disable=broad-except
                transient = classify(exc)
                if transient is None:
                    raise
                last = transient.description
                elapsed = self._monotonic() - started
                wait = self.delay(attempt, transient.retry_after)
                if deadline is not None and wait >= deadline.remaining():
                    raise deadline.exceeded(label, last, attempt)
                if attempt >= self.max_attempts or elapsed + wait > self.max_elapsed:
                    raise RetriesExhausted(
                        "%s is not answering normally: last answer %s after %d attempt%s in %.1f s; "
                        "the service may be down or throttling, try again later"
                        % (label, transient.description, attempt, "" if attempt == 1 else "s", elapsed),
                        endpoint=endpoint, url=url, attempts=attempt, last_error=transient.description,
                    )
                if on_retry is not None:
                    on_retry(attempt, transient, wait)
                self._sleep(wait)


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
