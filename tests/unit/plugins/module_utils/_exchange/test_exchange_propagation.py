"""The wait for IAM's propagation (issue 13 section 1), with a fake clock: PropagationWait's bounds and backoff, which
refusals of STS the exchange waits out (_exchange.propagation) and which fail at once; and STS's "Token too old"."""

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint, OptionError, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Deadline, PropagationWait, check_propagation_timeout
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils._exchange.test_exchange_sts import (  # pylint: disable=unused-import
    Clock, TRUST, environment, spec_for,  # noqa: F401  # pylint: disable=unused-import
)
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.clock_fakes import FakeTime
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import (
    CLIENT_ID, DOMAIN_URL, PROVIDER_ID, ROLE_ARN, TokenEndpoint, make_token, sts_client, sts_error, sts_success,
    token_answer,
)

NO_PROVIDER = "No OpenIDConnect provider found in your account for %s" % DOMAIN_URL
DENIED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
OWN_TRUST = {"Version": "2012-10-17", "Statement": [dict(TRUST["Statement"][0], Condition={"StringEquals": {
    PROVIDER_ID + ":aud": "sts.amazon.com", PROVIDER_ID + ":sub": CLIENT_ID}})]}


class Refused(Exception):
    pass


def wait(seconds=120, clock=None, **kwargs):
    clock = clock or FakeTime()
    return PropagationWait(seconds, sleep=clock.sleep, monotonic=clock.monotonic, uniform=lambda low, high: high,
                           **kwargs), clock


def failing(times, then="done"):
    state = {"calls": 0}

    def func():
        state["calls"] += 1
        if state["calls"] <= times:
            raise Refused("not yet")
        return then
    return func, state


def test_waits_grow_with_jitter_and_stop_at_the_bound():
    waiter, clock = wait(20)
    func, state = failing(100)
    with pytest.raises(Refused):
        waiter.call(func, lambda exc: "lag")
    # ceilings 0.5, 1, 2, 4, 4...; the last wait is cut to end at the bound, then one last attempt.
    assert clock.sleeps[:6] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert sum(clock.sleeps) == pytest.approx(20)
    assert waiter.exhausted and waiter.retries == len(clock.sleeps) and state["calls"] == waiter.retries + 1
    assert waiter.summary() == {"retries": waiter.retries, "waited": 20.0}


def test_jitter_is_the_upper_half_of_each_ceiling():
    seen = []
    waiter = PropagationWait(60, sleep=lambda s: None, monotonic=lambda: 0.0,
                             uniform=lambda low, high: seen.append((low, high)) or low)
    func, _state = failing(3)
    assert waiter.call(func, lambda exc: "lag") == "done"
    assert seen == [(0.25, 0.5), (0.5, 1.0), (1.0, 2.0)]


def test_an_error_that_propagation_does_not_explain_is_raised_at_once():
    waiter, clock = wait()
    func, state = failing(5)
    with pytest.raises(Refused):
        waiter.call(func, lambda exc: None)
    assert clock.sleeps == [] and state["calls"] == 1 and not waiter.exhausted


def test_no_wait_goes_past_the_deadline():
    clock = FakeTime()
    deadline = Deadline(3, monotonic=clock.monotonic)
    waiter, _clock = wait(120, clock=clock, deadline=deadline)
    func, _state = failing(100)
    with pytest.raises(Refused):
        waiter.call(func, lambda exc: "lag")
    assert sum(clock.sleeps) < 3 and waiter.exhausted


def test_until_polls_a_probe():
    waiter, clock = wait(30)
    answers = iter([False, False, True])
    assert waiter.until(lambda: next(answers))
    assert clock.sleeps == [0.5, 1.0]
    waiter, clock = wait(5)
    assert not waiter.until(lambda: False) and waiter.exhausted and sum(clock.sleeps) == pytest.approx(5)


@pytest.mark.parametrize("value", [-1, 3601, True, "x"])
def test_propagation_timeout_is_checked(value):
    with pytest.raises(OptionError) as info:
        check_propagation_timeout(value)
    assert info.value.option == "propagation_timeout"


# -- the exchange ----------------------------------------------------------------------------------------------------

def exchange(spec, read_role=None, seconds=120):
    waiter, clock = wait(seconds)
    return Exchange(spec, read_role=read_role, clock=Clock(), propagation=waiter), clock


def token_spec(endpoint=None):
    return spec_for(endpoint)


def role(document):
    return {"RoleName": "oci-reporting", "Arn": ROLE_ARN, "AssumeRolePolicyDocument": document, "MaxSessionDuration": 3600}


def no_such_role(_name):
    raise ServiceError("AWS iam:GetRole failed: NoSuchEntity", error_code="NoSuchEntity")


def test_a_new_provider_is_waited_for_then_the_exchange_succeeds():
    sts, stubber = sts_client()
    sts_error(stubber, "InvalidIdentityToken", NO_PROVIDER)
    sts_error(stubber, "InvalidIdentityToken", NO_PROVIDER)
    sts_success(stubber)
    run, clock = exchange(token_spec())
    assert run.run(sts).assumed_role_arn
    assert run.propagation.retries == 2 and clock.sleeps == [0.5, 1.0]
    assert run.propagation.reasons == ["STS does not know the new IAM OIDC provider yet"]


def test_without_the_wait_a_new_provider_fails_at_once():
    sts, stubber = sts_client()
    sts_error(stubber, "InvalidIdentityToken", NO_PROVIDER)
    with pytest.raises(Breakpoint) as info:
        Exchange(token_spec(), read_role=None, clock=Clock()).run(sts)
    assert info.value.step == "5" and "still refused" not in info.value.msg


def test_access_denied_is_waited_for_while_the_role_is_not_visible_or_admits_the_token():
    reads = iter([no_such_role, lambda name: role(OWN_TRUST)])
    sts, stubber = sts_client()
    sts_error(stubber, "AccessDenied", DENIED, status=403)
    sts_error(stubber, "AccessDenied", DENIED, status=403)
    sts_success(stubber)
    run, clock = exchange(token_spec(), read_role=lambda name: next(reads)(name))  # pylint: disable=unnecessary-lambda
    assert run.run(sts).assumed_role_arn
    assert run.propagation.reasons == ["IAM does not show the role yet", "STS does not apply the role's trust policy yet"]


def test_a_visible_role_whose_trust_names_another_client_fails_at_once():
    sts, stubber = sts_client()
    sts_error(stubber, "AccessDenied", DENIED, status=403)
    run, clock = exchange(token_spec(), read_role=lambda name: role(TRUST))
    with pytest.raises(Breakpoint) as info:
        run.run(sts)
    assert clock.sleeps == [] and run.propagation.retries == 0
    assert info.value.step == "5" and "another-client" in info.value.msg and "still refused" not in info.value.msg


def test_a_refusal_that_lasts_past_the_bound_is_diagnosed_and_says_it_waited():
    sts, stubber = sts_client()
    for _attempt in range(12):
        sts_error(stubber, "InvalidIdentityToken", NO_PROVIDER)
    run, clock = exchange(token_spec(), seconds=10)
    with pytest.raises(Breakpoint) as info:
        run.run(sts)
    assert info.value.step == "5" and "no IAM OIDC provider" in info.value.msg
    assert "still refused after 10 s of waiting for IAM to propagate" in info.value.msg
    assert "propagation_timeout 10 s" in info.value.msg and sum(clock.sleeps) == pytest.approx(10)


def test_other_refusals_are_not_waited_for():
    sts, stubber = sts_client()
    sts_error(stubber, "InvalidIdentityToken", "Missing a required claim: sub")
    run, clock = exchange(token_spec())
    with pytest.raises(Breakpoint):
        run.run(sts)
    assert clock.sleeps == []


# -- STS's token age ------------------------------------------------------------------------------------------------

def test_a_token_that_ages_while_waiting_is_renewed_again():
    endpoint = TokenEndpoint(token_answer())
    sts, stubber = sts_client()
    sts_error(stubber, "ExpiredTokenException", "Token too old: 5")
    sts_error(stubber, "InvalidIdentityToken", NO_PROVIDER)
    sts_error(stubber, "ExpiredTokenException", "Token too old: 9")
    sts_success(stubber)
    run, _clock = exchange(token_spec(endpoint))
    assert run.run(sts).assumed_role_arn
    assert len(endpoint.requests) == 3


def test_a_given_token_sts_calls_too_old_says_too_old_not_expired():
    sts, stubber = sts_client()
    sts_error(stubber, "ExpiredTokenException", "Token too old: 441398")
    spec = spec_for(client_id=None, client_secret=None, token=make_token(iat=Clock().now - 441398))
    with pytest.raises(Breakpoint) as info:
        Exchange(spec, read_role=None, clock=Clock()).run(sts)
    assert info.value.step == "6" and "too old" in info.value.msg and "441398 s before" in info.value.msg
    assert "expired" not in info.value.msg.replace("ExpiredTokenException", "")
