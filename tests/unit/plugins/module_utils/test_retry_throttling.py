"""Retries under throttling (issue 17 §2): full jitter, Retry-After, a bound that ends in a typed error naming the
throttling and the fix; and what classifies as throttling (AWS codes, HTTP 429)."""

import random
import statistics

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import DeadlineExceeded, RetriesExhausted, Throttled
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import (
    THROTTLED_MAX_ATTEMPTS, THROTTLED_MAX_DELAY, Deadline, Retrier, Transient
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
    retry together; throttling caps the ceiling at THROTTLED_MAX_DELAY."""
    retrier = Retrier(base_delay=0.5, max_delay=20, uniform=random.Random(7).uniform)
    for attempt in (1, 3, 5, 8, 15):
        ceiling = min(THROTTLED_MAX_DELAY, 0.5 * 2 ** (attempt - 1))
        waits = [retrier.delay(attempt, throttled=True) for _attempt in range(2000)]
        assert 0 <= min(waits) and max(waits) <= ceiling
        # Uniform over [0, ceiling]: mean c/2, standard deviation c/sqrt(12), both ends reached.
        assert statistics.mean(waits) == pytest.approx(ceiling / 2, rel=0.08)
        assert statistics.pstdev(waits) == pytest.approx(ceiling / 12 ** 0.5, rel=0.08)
        assert min(waits) < 0.05 * ceiling and max(waits) > 0.95 * ceiling
    # A fault (not throttling) keeps the longer max_delay.
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
