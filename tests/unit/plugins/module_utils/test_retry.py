import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError, RetriesExhausted
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Retrier, Transient, parse_retry_after
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.clock_fakes import FakeTime


class Boom(Exception):
    def __init__(self, status, retry_after=None):
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


def classify(exc):
    if isinstance(exc, Boom) and exc.status in (429, 500, 503):
        return Transient("HTTP %d" % exc.status, exc.retry_after)
    return None


def make(fake, **kw):
    return Retrier(sleep=fake.sleep, monotonic=fake.monotonic, uniform=lambda a, b: b, **kw)


def test_succeeds_after_transient_failures():
    fake = FakeTime()
    answers = [Boom(503), Boom(429), "ok"]

    def func():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert make(fake, base_delay=1, max_delay=10).call(func, classify, "GET /x") == "ok"
    assert fake.sleeps == [1, 2]


def test_non_transient_error_is_raised_at_once():
    fake = FakeTime()

    def func():
        raise Boom(400)

    with pytest.raises(Boom):
        make(fake).call(func, classify, "GET /x")
    assert fake.sleeps == []


def test_retry_after_is_honoured_and_capped():
    fake = FakeTime()
    answers = [Boom(429, retry_after=7), Boom(429, retry_after=3600), "ok"]

    def func():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    make(fake, base_delay=0.5, max_delay=20, max_elapsed=1000).call(func, classify, "GET /x")
    assert fake.sleeps == [7, 20]


def test_gives_up_after_max_attempts_naming_endpoint_status_and_attempts():
    fake = FakeTime()
    calls = []

    def func():
        calls.append(1)
        raise Boom(503)

    with pytest.raises(RetriesExhausted) as info:
        make(fake, max_attempts=4, base_delay=0.1).call(func, classify, "POST https://x/admin/v1/Apps")
    assert len(calls) == 4
    assert "POST https://x/admin/v1/Apps" in info.value.msg
    assert "HTTP 503" in info.value.msg
    assert "4 attempts" in info.value.msg
    assert info.value.details["attempts"] == 4


def test_gives_up_when_time_budget_would_be_exceeded():
    fake = FakeTime()
    calls = []

    def func():
        calls.append(1)
        raise Boom(500)

    with pytest.raises(RetriesExhausted):
        make(fake, max_attempts=100, base_delay=4, max_delay=4, max_elapsed=10).call(func, classify, "x")
    # waits of 4 s: after attempts 1 and 2 (8 s); a third wait would end at 12 s > 10 s.
    assert len(calls) == 3
    assert sum(fake.sleeps) <= 10


def test_full_jitter_stays_within_the_exponential_ceiling():
    retrier = Retrier(base_delay=1, max_delay=8)
    for attempt in range(1, 8):
        for _sample in range(50):
            assert 0 <= retrier.delay(attempt) <= min(8, 2 ** (attempt - 1))


@pytest.mark.parametrize("value, expected", [("3", 3.0), (" 1.5 ", 1.5), (None, None), ("soon", None), ("-1", None)])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_option_error_names_the_option():
    err = OptionError("audience", "audience must be one value")
    assert err.option == "audience"
    assert err.details == {"option": "audience"}
