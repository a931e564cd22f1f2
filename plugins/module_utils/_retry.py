# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Bounded retries and time budgets: :class:`Retrier` (jittered exponential backoff that honours
``Retry-After``), :data:`TRANSIENT_STATUS` (the one set of HTTP statuses every client retries),
and :class:`Deadline`, the ``timeout`` option that bounds each exchange and each module call, with the
exchange's separate allowance for waiting out throttling (option ``throttling_timeout``);
:class:`PropagationWait`, the bounded wait for an IAM change made by this run to reach STS and IAM's
readers (option ``propagation_timeout``).
"""

from __future__ import annotations

import random
import threading
import time

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import DeadlineExceeded, OptionError, RetriesExhausted, Throttled

# The HTTP statuses that mean "try again later" to every client of the collection (OCI, IAM/STS, the token endpoint).
TRANSIENT_STATUS = frozenset((429, 500, 502, 503, 504))
# The option that bounds each exchange and each module call, and its documented defaults.
TIMEOUT_OPTION = "timeout"
DEFAULT_TIMEOUT = 60
# Throttling (AWS Throttling, HTTP 429) is not a fault: the service is healthy and admits requests at a rate, and a
# host refused now is served once the hosts ahead of it are. STS answers with no Retry-After and keeps no queue, so a
# throttled host polls: full jitter, uniform(0, min(THROTTLED_MAX_DELAY, THROTTLED_BASE_DELAY * 2**(n-1))) after its
# n-th throttled answer. The base is botocore's for throttling (standard mode, retries/standard.py:
# throttling_base_scale 1 s); the cap is not botocore's 20 s, because against a rate with no queue every wait past
# the moment a request would be admitted leaves the rate unused: the fleet's wall time is about
# N / rate x (1 + rate / calls a second), and a 20 s cap makes 20 forks poll at about 2 calls a second, 1.5x N / rate
# at 2.5 calls a second, where 4 s gives about 1.2x for 6 requests a host (bench/throttle.py, measurement 7).
# Which host is served next is then random, so a host's wait is about exponential with mean forks / rate (Little's
# law): 8 s at forks 20 and 2.5 calls a second, 1 host in 300 past 60 s. So the exchange's waits for throttling do not
# count toward its timeout (a bound for hung or failing endpoints) but toward THROTTLING_OPTION, whose default covers
# mean waits up to about 25 s (forks / rate) for 300 hosts: 300 s is 12 means, exp(-12) x 300 hosts < 0.2 % that one
# fails. Callers with no throttling allowance (the IAM modules) keep THROTTLED_MAX_ATTEMPTS within their timeout.
# botocore's own retries are off (total_max_attempts 1, _aws.connection), so attempts never multiply: one attempt
# here is one request.
DEFAULT_MAX_ATTEMPTS = 6
THROTTLED_MAX_ATTEMPTS = 40
THROTTLED_BASE_DELAY = 1.0
THROTTLED_MAX_DELAY = 4.0
THROTTLING_OPTION = "throttling_timeout"
DEFAULT_THROTTLING_TIMEOUT = 300
# The bound of every wait for IAM propagation, and its default: IAM documents no figure ("Changes that I make are
# not always immediately visible", IAM User Guide, troubleshoot_general.html#troubleshoot_general_eventual-consistency);
# public threads measure seconds to half a minute (hashicorp/terraform-provider-aws#6566: "10-30 seconds"), rarely a
# minute (DataDog/stratus-red-team#358), and terraform-provider-aws bounds its IAM waits at 2 minutes
# (internal/service/iam/wait.go: propagationTimeout), which is the default here.
PROPAGATION_OPTION = "propagation_timeout"
DEFAULT_PROPAGATION_TIMEOUT = 120


class Deadline:
    """The end of the time one exchange or one module call may take, ``seconds`` from its creation.

    Every attempt's socket timeout is ``timeout(per_attempt)``: at most what is left. ``option``
    names where the value came from, for messages. ``throttling`` (seconds, option ``throttling_timeout``)
    is the time that throttled attempts and the waits after them may take without counting toward
    ``seconds``: :meth:`throttled` moves the end later by what they took, until ``throttling`` is spent.
    0 (the default) gives no allowance: throttling then counts toward ``seconds`` like any failure.
    """

    def __init__(self, seconds, option=TIMEOUT_OPTION, monotonic=time.monotonic, throttling=0):
        self.seconds = seconds
        self.option = option
        self._monotonic = monotonic
        self.ends = monotonic() + seconds
        self.throttling = throttling
        self.throttled_for = 0.0
        self._watchers = []

    def watch(self, announce):
        """Call ``announce(seconds_left)`` now and whenever the end moves (the credential cache's lock holder
        tells the processes waiting for it when its exchange ends: ``_credential_miss.announcer``)."""
        self._watchers.append(announce)
        announce(self.remaining())

    def _moved(self):
        left = self.remaining()
        for announce in self._watchers:
            announce(left)

    def throttling_left(self):
        """Seconds of the throttling allowance not spent yet."""
        return max(0.0, self.throttling - self.throttled_for)

    def throttled(self, seconds):
        """Credit ``seconds`` spent on throttled attempts and their waits: the end moves that much later."""
        self.throttled_for += seconds
        self.ends += seconds
        self._moved()

    def remaining(self):
        return max(0.0, self.ends - self._monotonic())

    def expired(self):
        return self.remaining() <= 0

    def extend(self, seconds, option):
        """Move the end ``seconds`` later, for a wait that ``option`` allows on top (``propagation_timeout``)."""
        self.ends += seconds
        self.seconds += seconds
        self.option = "%s plus %s" % (self.option, option)
        self._moved()

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


def check_throttling_timeout(value):
    """``throttling_timeout`` as seconds from 0 (throttling counts toward ``timeout``) to 86400, else
    :class:`OptionError`; None is the default."""
    if value is None:
        return DEFAULT_THROTTLING_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 86400:
        raise OptionError(THROTTLING_OPTION, "%s must be a number of seconds from 0 (throttling counts toward timeout) "
                                             "to 86400: got %r" % (THROTTLING_OPTION, value))
    return value


def deadline_from(options, default=DEFAULT_TIMEOUT, throttling=False):
    """A :class:`Deadline` from the ``timeout`` option of a mapping (module params, lookup options); with
    ``throttling``, its allowance for throttling from the ``throttling_timeout`` option (an exchange's)."""
    value = options.get(TIMEOUT_OPTION)
    allowance = check_throttling_timeout(options.get(THROTTLING_OPTION)) if throttling else 0
    return Deadline(check_timeout(default if value is None else value), throttling=allowance)


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


class Transient:
    """What a classifier returns for a retryable failure: a description and the server's hint."""

    def __init__(self, description, retry_after=None, throttled=False):
        self.description = description
        self.retry_after = retry_after
        # The service refused for rate (AWS Throttling, HTTP 429), not for a fault of its own.
        self.throttled = throttled


def parse_retry_after(value):
    """Seconds from a ``Retry-After`` header value (delta-seconds only), or None."""
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class Retrier:
    """Bounded retries with full-jitter exponential backoff.

    Attempt ``n`` (from 1) failing transiently waits ``uniform(0, min(max_delay, base_delay * 2**(n-1)))``,
    or the server's ``Retry-After`` when that is longer (capped at ``max_delay``); while the service
    throttles, ``uniform(0, min(THROTTLED_MAX_DELAY, THROTTLED_BASE_DELAY * 2**(n-1)))``, counting the
    throttled answers only. With a deadline that has a throttling allowance, throttled attempts and their
    waits are credited to it (they do not use ``timeout``) and bounded by it alone; otherwise by
    ``throttled_attempts`` within the deadline. The final error is then :class:`Throttled`, naming the bound and
    the fix. It gives up after
    ``max_attempts`` attempts or when the next wait would end past ``max_elapsed`` seconds from
    the first attempt, and then raises :class:`RetriesExhausted` naming the endpoint, the last
    answer and the number of attempts.
    """

    def __init__(self, max_attempts=None, base_delay=0.5, max_delay=20.0, max_elapsed=120.0,
                 sleep=time.sleep, monotonic=time.monotonic, uniform=random.uniform, deadline=None,
                 throttled_attempts=None):
        if max_attempts is not None and max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        # By default 6 attempts for a fault and THROTTLED_MAX_ATTEMPTS for throttling; a caller that sets
        # max_attempts (a diagnostic read that must stay short) bounds both, unless it sets throttled_attempts.
        self.max_attempts = DEFAULT_MAX_ATTEMPTS if max_attempts is None else max_attempts
        self.throttled_attempts = throttled_attempts or (
            max(DEFAULT_MAX_ATTEMPTS, THROTTLED_MAX_ATTEMPTS) if max_attempts is None else max_attempts)
        # Whether the caller bounded the attempts: then they bound throttling even within a throttling allowance.
        self._bounded = max_attempts is not None or throttled_attempts is not None
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

    def delay(self, attempt, retry_after=None, throttled=False):
        """The wait after failed attempt number ``attempt`` (1-based; for throttling, the number of throttled answers):
        full jitter, ``uniform(0, ceiling)``, so that hosts refused at the same moment do not come back at the same
        moment; never less than ``Retry-After``."""
        if throttled:
            ceiling = min(self.max_delay, THROTTLED_MAX_DELAY, THROTTLED_BASE_DELAY * (2 ** (attempt - 1)))
        else:
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
        throttled_answers = 0
        throttled_time = 0.0
        deadline = self.deadline
        allowance = deadline is not None and deadline.throttling > 0
        last = None
        while True:
            attempt += 1
            began = self._monotonic()
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
                now = self._monotonic()
                elapsed = now - started
                if transient.throttled:
                    throttled_answers += 1
                    wait = self.delay(throttled_answers, transient.retry_after, throttled=True)
                    if allowance:
                        # Throttling has its own allowance: this attempt and the wait after it do not use timeout.
                        spent = (now - began) + wait
                        if spent > deadline.throttling_left() or (self._bounded and attempt >= self.throttled_attempts):
                            deadline.throttled(min(now - began, deadline.throttling_left()))
                            raise throttled(label, transient, attempt, elapsed, deadline, endpoint=endpoint, url=url)
                        deadline.throttled(spent)
                        throttled_time += spent
                    elif (attempt >= self.throttled_attempts or elapsed + wait > self.max_elapsed
                          or (deadline is not None and wait >= deadline.remaining())):
                        raise throttled(label, transient, attempt, elapsed, deadline, endpoint=endpoint, url=url)
                else:
                    # Faults are counted apart from throttled answers, and their time without what throttling took.
                    faults = attempt - throttled_answers
                    wait = self.delay(faults, transient.retry_after)
                    if deadline is not None and wait >= deadline.remaining():
                        raise deadline.exceeded(label, last, attempt)
                    if faults >= self.max_attempts or elapsed - throttled_time + wait > self.max_elapsed:
                        raise RetriesExhausted(
                            "%s is not answering normally: last answer %s after %d attempt%s in %.1f s; "
                            "the service may be down or throttling, try again later"
                            % (label, transient.description, attempt, "" if attempt == 1 else "s", elapsed),
                            endpoint=endpoint, url=url, attempts=attempt, last_error=transient.description,
                        )
                if on_retry is not None:
                    on_retry(attempt, transient, wait)
                self._sleep(wait)


def throttled(label, transient, attempts, elapsed, deadline=None, **details):
    """The :class:`Throttled` error: what throttled, for how long, what ended the retries, and the fix."""
    if deadline is not None and deadline.throttling > 0:
        bound, option = "the %s option (%s s of throttling)" % (THROTTLING_OPTION, _seconds(deadline.throttling)), \
            THROTTLING_OPTION
    elif deadline is not None:
        bound, option = "the %s option (%s s)" % (deadline.option, _seconds(deadline.seconds)), deadline.option
    else:
        bound, option = "the retry bound", "timeout"
    return Throttled(
        "%s kept throttling the requests: last answer %s after %d attempt%s in %.1f s, until %s ended the retries. "
        "More exchanges arrive at once than the service's rate for this account allows (each host waits about forks / "
        "rate seconds, and some several times that): raise %s, run fewer hosts at a time (forks, serial, throttle), or "
        "share one exchange among hosts (the oci_aws_creds lookup's cache, or oci_aws_assume with run_once)" % (
            label, transient.description, attempts, "" if attempts == 1 else "s", elapsed, bound, option),
        attempts=attempts, last_error=transient.description, timeout=deadline.seconds if deadline is not None else None,
        **details)


class PropagationWait:
    """The bounded wait for an IAM change made by this run to become visible (to STS, to IAM reads).

    :meth:`call` runs ``func()`` again while ``explains(exc)`` says that propagation explains its
    failure; :meth:`until` polls ``probe()`` until it is true. Waits grow exponentially with jitter
    (attempt ``n`` waits ``uniform(c/2, c)`` with ``c = min(max_delay, base_delay * 2**(n-1))``: half
    of each wait is jitter, and none is near zero, since a change takes seconds to propagate; the 4 s cap
    keeps the overshoot past the moment the change shows under 4 s, for one cheap read more). No
    wait goes past ``seconds`` after the first attempt, nor past the ``deadline``: the last attempt
    is made at the bound. ``retries`` and ``waited`` say what was spent; ``exhausted`` that the
    bound was reached without success.
    """

    def __init__(self, seconds=DEFAULT_PROPAGATION_TIMEOUT, base_delay=0.5, max_delay=4.0, sleep=time.sleep,
                 monotonic=time.monotonic, uniform=random.uniform, deadline=None):
        self.seconds = seconds
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._monotonic = monotonic
        self._uniform = uniform
        self.deadline = deadline
        self.retries = 0
        self.waited = 0.0
        self.exhausted = False
        self.reasons = []

    def delay(self, attempt):
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self._uniform(ceiling / 2.0, ceiling)

    def _next_wait(self, started, attempt):
        """The wait before the next attempt, or None when the bound (or the deadline) is reached."""
        left = self.seconds - (self._monotonic() - started)
        if left <= 0:
            return None
        wait = min(self.delay(attempt), left)
        if self.deadline is not None and wait >= self.deadline.remaining():
            return None
        return wait

    def _wait(self, wait, reason):
        self.retries += 1
        self.waited += wait
        if reason not in self.reasons:
            self.reasons.append(reason)
        self._sleep(wait)

    def call(self, func, explains):
        """``func()``; while it raises an exception that ``explains(exc)`` describes (a true string), wait and call
        again. At the bound the last exception is raised as it is (the caller diagnoses it) with ``exhausted`` set."""
        started = self._monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return func()
            except Exception as exc:  # pylint: disable=broad-except
                reason = explains(exc)
                if not reason:
                    raise
                wait = self._next_wait(started, attempt)
                if wait is None:
                    self.exhausted = True
                    raise
                self._wait(wait, reason)

    def until(self, probe, reason="not visible yet"):
        """Whether ``probe()`` became true within the bound (polled with the same waits)."""
        started = self._monotonic()
        attempt = 0
        while True:
            attempt += 1
            if probe():
                return True
            wait = self._next_wait(started, attempt)
            if wait is None:
                self.exhausted = True
                return False
            self._wait(wait, reason)

    def summary(self):
        """``{retries, waited}`` for a module's result."""
        return {"retries": self.retries, "waited": round(self.waited, 1)}


def check_propagation_timeout(value):
    """``propagation_timeout`` as seconds from 0 (no wait) to 3600, else :class:`OptionError`."""
    if value is None:
        return DEFAULT_PROPAGATION_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3600:
        raise OptionError(PROPAGATION_OPTION, "%s must be a number of seconds from 0 (no wait) to 3600: got %r"
                          % (PROPAGATION_OPTION, value))
    return value
