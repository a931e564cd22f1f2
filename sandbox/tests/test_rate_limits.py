"""The rate-limit switches (``sts_rate_limit``, ``token_rate_limit``): requests above the rate are refused the way
the real services throttle, and the counters record when each limited request came (sandbox/README.md)."""

import ssl
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from aws_support import aws_client


def _assume(sts):
    try:
        sts.assume_role_with_web_identity(RoleArn="arn:aws:iam::123456789012:role/none", RoleSessionName="session",
                                          WebIdentityToken="not.a.token")
    except ClientError as exc:
        return exc.response
    raise AssertionError("a garbage token was accepted")


def test_sts_rate_limit_answers_as_real_sts_throttles(fresh_sandbox):
    fresh_sandbox.configure(aws={"sts_rate_limit": {"per_second": 0.5, "burst": 2}})
    sts = aws_client(fresh_sandbox, "sts")
    answers = [_assume(sts) for _ in range(5)]
    # The burst goes through to the gate (which refuses the garbage token); the rest is throttled.
    assert [a["Error"]["Code"] for a in answers[:2]] == ["InvalidIdentityToken"] * 2
    for answer in answers[2:]:
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert answer["Error"] == {"Type": "Sender", "Code": "Throttling", "Message": "Rate exceeded"}
        assert "retry-after" not in answer["ResponseMetadata"]["HTTPHeaders"]
    limited = fresh_sandbox.counters()["aws"]["rate_limited"]
    assert (limited["admitted"], limited["throttled"]) == (2, 3)
    assert [ok for _t, ok in limited["events"]] == [True, True, False, False, False]
    times = [t for t, _ok in limited["events"]]
    assert times == sorted(times) and times[0] == 0
    # Off again: nothing is throttled.
    fresh_sandbox.configure(aws={"sts_rate_limit": None})
    assert _assume(sts)["Error"]["Code"] == "InvalidIdentityToken"


def test_sts_rate_limit_refills(fresh_sandbox):
    fresh_sandbox.configure(aws={"sts_rate_limit": {"per_second": 20, "burst": 1}})
    sts = aws_client(fresh_sandbox, "sts")
    assert _assume(sts)["Error"]["Code"] == "InvalidIdentityToken"
    import time
    time.sleep(0.2)
    assert _assume(sts)["Error"]["Code"] == "InvalidIdentityToken"


def test_token_rate_limit_answers_429(fresh_sandbox):
    fresh_sandbox.configure(oci={"token_rate_limit": {"per_second": 0.1, "burst": 1, "retry_after": 3}})
    context = ssl.create_default_context(cafile=fresh_sandbox.ca_bundle)
    statuses = []
    for _ in range(3):
        request = urllib.request.Request(fresh_sandbox.domain_url + "/oauth2/v1/token", method="POST",
                                         data=b"grant_type=client_credentials&scope=x",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            urllib.request.urlopen(request, context=context, timeout=10)
        except urllib.error.HTTPError as exc:
            statuses.append((exc.code, exc.headers.get("Retry-After")))
    assert statuses[0][0] == 401  # admitted: no client credentials
    assert statuses[1:] == [(429, "3"), (429, "3")]
    assert fresh_sandbox.counters()["oci"]["rate_limited"]["throttled"] == 2


@pytest.mark.parametrize("bad", [{"per_second": 0}, {"per_second": 1, "burst": 0}, {"rate": 1}, 5])
def test_rate_limit_refuses_bad_values(fresh_sandbox, bad):
    with pytest.raises(Exception) as info:
        fresh_sandbox.configure(aws={"sts_rate_limit": bad})
    assert "400" in str(info.value) or "per_second" in str(info.value)
