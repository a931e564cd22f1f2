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

import random
import time


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
                 sleep=time.sleep, monotonic=time.monotonic, uniform=random.uniform):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_elapsed = max_elapsed
        self._sleep = sleep
        self._monotonic = monotonic
        self._uniform = uniform

    def delay(self, attempt, retry_after=None):
        """The wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        wait = self._uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait

    def call(self, func, classify, endpoint, on_retry=None):
        """Run ``func()``; retry while ``classify(exc)`` returns a :class:`Transient`.

        ``endpoint`` names what is being called, for the final error. ``on_retry(attempt,
        transient, wait)`` is called before each wait (for logging or refreshing state).
        """
        started = self._monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return func()
            except Exception as exc:  # pylint: disable=broad-except
                transient = classify(exc)
                if transient is None:
                    raise
                elapsed = self._monotonic() - started
                wait = self.delay(attempt, transient.retry_after)
                if attempt >= self.max_attempts or elapsed + wait > self.max_elapsed:
                    raise RetriesExhausted(
                        "%s is not answering normally: last answer %s after %d attempt%s in %.1f s; "
                        "the service may be down or throttling, try again later"
                        % (endpoint, transient.description, attempt, "" if attempt == 1 else "s", elapsed),
                        endpoint=endpoint, attempts=attempt, last_error=transient.description,
                    )
                if on_retry is not None:
                    on_retry(attempt, transient, wait)
                self._sleep(wait)


def fail_from(module, exc):
    """The one module boundary: report an :class:`OciAwsError` with ``fail_json``."""
    module.fail_json(msg=exc.msg, **exc.details)
