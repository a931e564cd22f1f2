"""Retries under throttling (issue 17 §2): full jitter, Retry-After, a bound that ends in a typed error naming the
throttling and the fix; the exchange's allowance for throttling (``throttling_timeout``), apart from its ``timeout``;
and what classifies as throttling (AWS codes, HTTP 429)."""

import random
import statistics

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache import DEFAULT_LOCK_WAIT, lock_waits
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import DeadlineExceeded, OptionError, RetriesExhausted, Throttled
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import (
    DEFAULT_THROTTLING_TIMEOUT, THROTTLED_BASE_DELAY, THROTTLED_MAX_ATTEMPTS, THROTTLED_MAX_DELAY, Deadline, Retrier,
    Transient, check_throttling_timeout, deadline_from
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import transient_failure
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.clock_fakes import FakeTime


class Refused(Exception):
    def __init__(self, throttled, retry_after=None):
        super().__init__("refused")
        self.throttled = throttled
        self.retry_after = retry_after


def classify(exc):
    if isinstance(exc, Refused):
        return Transient("Throttling (HTTP 400)" if exc.throttled else "HTTP 503", exc.retry_after, exc.throttled)
    return None


def always(exc):
    def func():
        raise exc
    return func


def test_throttled_waits_are_full_jitter_bounded_by_the_ceiling():
    """Waits spread over the whole [0, ceiling] of each attempt (full jitter), so that hosts refused together do not
    retry together; throttling has its own base (botocore's throttling_base_scale, 1 s, whatever the fault base) and
    caps the ceiling at THROTTLED_MAX_DELAY."""
    assert (THROTTLED_BASE_DELAY, THROTTLED_MAX_DELAY) == (1.0, 4.0)
    retrier = Retrier(base_delay=0.5, max_delay=20, uniform=random.Random(7).uniform)
    for attempt in (1, 2, 3, 5, 8, 15):
        ceiling = min(THROTTLED_MAX_DELAY, THROTTLED_BASE_DELAY * 2 ** (attempt - 1))
        waits = [retrier.delay(attempt, throttled=True) for _attempt in range(2000)]
        assert 0 <= min(waits) and max(waits) <= ceiling
        # Uniform over [0, ceiling]: mean c/2, standard deviation c/sqrt(12), both ends reached.
        assert statistics.mean(waits) == pytest.approx(ceiling / 2, rel=0.08)
        assert statistics.pstdev(waits) == pytest.approx(ceiling / 12 ** 0.5, rel=0.08)
        assert min(waits) < 0.05 * ceiling and max(waits) > 0.95 * ceiling
    # A fault (not throttling) keeps its own base and the longer max_delay.
    assert max(retrier.delay(1) for _attempt in range(500)) <= 0.5
    assert max(retrier.delay(10) for _attempt in range(500)) > THROTTLED_MAX_DELAY


def test_retry_after_is_a_floor_of_each_throttled_wait():
    fake = FakeTime()
    answers = [Refused(True, retry_after=3), Refused(True, retry_after=5), "ok"]

    def func():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    retrier = Retrier(sleep=fake.sleep, monotonic=fake.monotonic, uniform=lambda a, b: a)
    assert retrier.call(func, classify, "AWS sts:AssumeRoleWithWebIdentity") == "ok"
    assert fake.sleeps == [3, 5]


def test_throttling_is_retried_longer_than_a_fault():
    fake = FakeTime()
    calls = []

    def count(exc):
        def func():
            calls.append(1)
            raise exc
        return func

    retrier = Retrier(sleep=fake.sleep, monotonic=fake.monotonic, max_elapsed=10 ** 6)
    with pytest.raises(RetriesExhausted) as fault:
        retrier.call(count(Refused(False)), classify, "x")
    assert len(calls) == 6 and not isinstance(fault.value, Throttled)
    del calls[:]
    with pytest.raises(Throttled) as info:
        retrier.call(count(Refused(True)), classify, "AWS sts:AssumeRoleWithWebIdentity")
    assert len(calls) == THROTTLED_MAX_ATTEMPTS
    message = info.value.msg
    assert "kept throttling" in message and "Throttling (HTTP 400)" in message
    assert "%d attempts" % THROTTLED_MAX_ATTEMPTS in message
    assert "forks, serial" in message and "oci_aws_creds" in message
    assert info.value.details["attempts"] == THROTTLED_MAX_ATTEMPTS


def test_throttling_until_the_deadline_names_the_timeout_option():
    fake = FakeTime()
    deadline = Deadline(30, monotonic=fake.monotonic)
    retrier = Retrier(sleep=fake.sleep, monotonic=fake.monotonic, uniform=lambda a, b: b, deadline=deadline)
    with pytest.raises(Throttled) as info:
        retrier.call(always(Refused(True)), classify, "AWS sts:AssumeRoleWithWebIdentity")
    # A Throttled is what callers of DeadlineExceeded/RetriesExhausted already catch, but says why.
    assert isinstance(info.value, RetriesExhausted) and not isinstance(info.value, DeadlineExceeded)
    assert "the timeout option (30 s)" in info.value.msg and "raise timeout" in info.value.msg
    assert sum(fake.sleeps) < 30


def _answers(*answers):
    """A func that raises each exception of ``answers`` in turn and returns the first other value."""
    answers = list(answers)

    def func():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
    return func


def test_throttled_time_does_not_use_the_timeout():
    """With an allowance (the exchange's throttling_timeout), throttled attempts and their waits are credited to the
    deadline: 50 throttled answers, 195 s of waits at the ceiling, succeed within a 60 s timeout, which is left whole."""
    fake = FakeTime()
    deadline = Deadline(60, monotonic=fake.monotonic, throttling=300)
    retrier = Retrier(sleep=fake.sleep, monotonic=fake.monotonic, uniform=lambda a, b: b, deadline=deadline)
    assert retrier.call(_answers(*([Refused(True)] * 50 + ["ok"])), classify, "AWS sts:AssumeRoleWithWebIdentity") == "ok"
    assert sum(fake.sleeps) == 1 + 2 + 4 * 48 and len(fake.sleeps) == 50
    assert deadline.throttled_for == 195 and deadline.remaining() == 60
    # No attempt bound within the allowance: THROTTLED_MAX_ATTEMPTS is for callers without one.
    assert 50 > THROTTLED_MAX_ATTEMPTS


def test_the_throttling_allowance_ends_in_throttled_naming_its_option():
    fake = FakeTime()
    deadline = Deadline(60, monotonic=fake.monotonic, throttling=30)
    retrier = Retrier(sleep=fake.sleep, monotonic=fake.monotonic, uniform=lambda a, b: b, deadline=deadline)
    with pytest.raises(Throttled) as info:
        retrier.call(always(Refused(True)), classify, "AWS sts:AssumeRoleWithWebIdentity")
    # 1 + 2 + 4 x 6 = 27 s waited; the next 4 s wait would pass the 30 s allowance, so the retries end there.
    assert fake.sleeps == [1, 2] + [4] * 6
    message = info.value.msg
    assert "until the throttling_timeout option (30 s of throttling) ended the retries" in message
    assert "raise throttling_timeout" in message and "forks / rate" in message and "forks, serial" in message
    assert info.value.details["attempts"] == 9
    # The timeout itself was not used.
    assert deadline.remaining() == 60


def test_a_fault_after_throttling_gets_its_whole_budget():
    """Faults are counted and timed apart from throttling: after 195 s of throttling, a 503 still gets its 6 attempts,
    its waits start from the fault base (0.5 s), and max_elapsed (120 s) does not count the throttled time."""
    fake = FakeTime()
    deadline = Deadline(60, monotonic=fake.monotonic, throttling=300)
    retrier = Retrier(sleep=fake.sleep, monotonic=fake.monotonic, uniform=lambda a, b: b, deadline=deadline)
    with pytest.raises(RetriesExhausted) as info:
        retrier.call(_answers(*([Refused(True)] * 50 + [Refused(False)] * 10)), classify, "x")
    assert not isinstance(info.value, (Throttled, DeadlineExceeded))
    assert fake.sleeps[50:] == [0.5, 1, 2, 4, 8]
    assert info.value.details["attempts"] == 56


def test_the_timeout_still_ends_a_hung_endpoint_between_throttled_answers():
    """The allowance covers throttled answers only: faults' waits use the timeout, and exhaust it."""
    fake = FakeTime()
    deadline = Deadline(10, monotonic=fake.monotonic, throttling=300)
    retrier = Retrier(sleep=fake.sleep, monotonic=fake.monotonic, uniform=lambda a, b: b, deadline=deadline,
                      max_delay=20, max_attempts=None)
    with pytest.raises(DeadlineExceeded) as info:
        retrier.call(_answers(*([Refused(True)] * 5 + [Refused(False)] * 10)), classify, "x")
    assert "the timeout option" in info.value.msg
    assert sum(fake.sleeps[5:]) < 10


def test_a_caller_that_bounds_its_attempts_stays_short_within_an_allowance():
    # The diagnostic iam:GetRole after a refusal (max_attempts 2) must not wait out minutes of throttling.
    fake = FakeTime()
    deadline = Deadline(60, monotonic=fake.monotonic, throttling=300)
    retrier = Retrier(max_attempts=2, sleep=fake.sleep, monotonic=fake.monotonic, deadline=deadline)
    with pytest.raises(Throttled):
        retrier.call(always(Refused(True)), classify, "AWS iam:GetRole")
    assert len(fake.sleeps) == 1


def test_throttling_timeout_option():
    assert deadline_from({}, throttling=True).throttling == DEFAULT_THROTTLING_TIMEOUT == 300
    assert deadline_from({"timeout": 5, "throttling_timeout": 0}, throttling=True).throttling == 0
    assert deadline_from({"throttling_timeout": 900}, throttling=True).throttling == 900
    # Callers other than the exchange (the IAM modules) have no allowance: throttling counts toward their timeout.
    assert deadline_from({"throttling_timeout": 900}).throttling == 0
    for bad in (-1, True, "300", 86401):
        with pytest.raises(OptionError) as info:
            check_throttling_timeout(bad)
        assert info.value.option == "throttling_timeout" and "from 0" in str(info.value)


def test_a_fork_waits_for_another_forks_exchange_its_timeout_and_its_throttling_allowance_when_announced():
    assert lock_waits(60, 300) == {"lock_wait": 60, "lock_allowance": 300}
    assert lock_waits(60, None) == {"lock_wait": 60, "lock_allowance": DEFAULT_THROTTLING_TIMEOUT}
    assert lock_waits(60, 0) == {"lock_wait": 60, "lock_allowance": 0}
    assert lock_waits(None, 300) == {"lock_wait": DEFAULT_LOCK_WAIT, "lock_allowance": 300}
    assert lock_waits(True, -1) == {"lock_wait": DEFAULT_LOCK_WAIT, "lock_allowance": DEFAULT_THROTTLING_TIMEOUT}


def test_a_deadline_announces_its_end_when_watched_and_whenever_throttling_or_a_wait_moves_it():
    clock = [100.0]
    deadline = Deadline(60, monotonic=lambda: clock[0], throttling=300)
    heard = []
    clock[0] = 110.0
    deadline.watch(heard.append)
    deadline.throttled(4.0)
    clock[0] = 150.0
    deadline.extend(30, "propagation_timeout")
    assert heard == [50.0, 54.0, 44.0]


def _client_error(code, status, headers=None):
    from botocore.exceptions import ClientError
    return ClientError({"Error": {"Code": code, "Message": "Rate exceeded"},
                        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers or {}}},
                       "AssumeRoleWithWebIdentity")


def test_aws_throttling_answers_classify_as_throttled():
    # Real STS: HTTP 400, code Throttling, no Retry-After (sandbox/README.md: sts_rate_limit).
    transient = transient_failure(_client_error("Throttling", 400))
    assert transient.throttled and transient.retry_after is None
    assert transient_failure(_client_error("", 429, {"retry-after": "2"})).throttled
    assert transient_failure(_client_error("", 429, {"retry-after": "2"})).retry_after == 2
    assert not transient_failure(_client_error("ServiceUnavailable", 503)).throttled
