"""Step 5 under IAM's eventual consistency (issue 13 section 1), against moto with reads that lag behind writes and a
fake clock: a create that IAM answers EntityAlreadyExists for an object its reads do not show yet is read as present
once they show it (and reported unchanged), and a run that changed something returns once the reads show it."""

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import caller_account
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.federation import Federation
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import RoleManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import PropagationWait
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils._aws.test_aws_federation import spec
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import moto_iam, raw_iam
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.clock_fakes import FakeTime

LAGGING = {"get_role": "NoSuchEntity", "get_open_id_connect_provider": "NoSuchEntity"}


def lag(iam, reads):
    """The next ``reads`` GetRole / GetOpenIDConnectProvider (and provider listings) see nothing, as IAM's readers do
    for a moment after a write."""
    call = iam.call
    left = {"reads": reads}

    def lagging(operation, eventual=(), **params):
        if left["reads"] > 0 and (operation in LAGGING or operation == "list_open_id_connect_providers"):
            left["reads"] -= 1
            iam.calls.append((operation, params))
            if operation == "list_open_id_connect_providers":
                return {"OpenIDConnectProviderList": []}
            raise ServiceError("AWS iam:%s failed: NoSuchEntity" % operation, error_code="NoSuchEntity")
        return call(operation, eventual=eventual, **params)

    iam.call = lagging
    return left


def federation(iam, sts, clock=None, seconds=60, wait=True, warnings=None):
    propagation = None
    if clock is not None:
        propagation = PropagationWait(seconds, sleep=clock.sleep, monotonic=clock.monotonic, uniform=lambda low, high: high)
    return Federation(ProviderManager(iam, False), RoleManager(iam, False), account=lambda: caller_account(sts),
                      propagation=propagation, wait=wait, warn=(warnings.append if warnings is not None else None))


@pytest.fixture
def clients():
    with moto_iam() as made:
        yield made


def test_a_second_run_that_cannot_see_the_first_yet_reads_its_objects_as_present(clients):
    iam, sts = clients
    assert federation(iam, sts).run(spec())["changed"]
    clock = FakeTime()
    iam.reset()
    lag(iam, 4)  # the first reads of the second run (find, then the re-reads after EntityAlreadyExists) see nothing
    again = federation(iam, sts, clock=clock).run(spec())
    assert not again["changed"], "what the first run made is present, not a change"
    assert again["diff"]["before"] == again["diff"]["after"]
    assert clock.sleeps, "it waited for the reads to show the objects"
    # Its only writes are the two creates that IAM refused (EntityAlreadyExists): nothing was written twice.
    assert iam.writes == ["create_open_id_connect_provider", "create_role"]
    assert len(raw_iam().list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 1


def test_without_a_wait_an_object_iam_does_not_show_yet_is_a_clear_error(clients):
    iam, sts = clients
    federation(iam, sts).run(spec())
    lag(iam, 10)
    with pytest.raises(ServiceError) as info:
        federation(iam, sts).run(spec())
    assert "EntityAlreadyExists" in info.value.msg and "propagation_timeout" in info.value.msg


def test_a_run_that_changed_something_returns_once_the_reads_show_it(clients):
    iam, sts = clients
    clock = FakeTime()
    federation(iam, sts).run(spec())
    iam.reset()
    # The update is made; then the next three GetRole answers lag (NoSuchEntity stands for the old state).
    left = lag(iam, 0)
    manager_apply = RoleManager.apply

    def apply_then_lag(self, plan, replan=None):
        after = manager_apply(self, plan, replan)
        left["reads"] = 3
        return after

    RoleManager.apply = apply_then_lag
    try:
        result = federation(iam, sts, clock=clock).run(spec(description="changed"))
    finally:
        RoleManager.apply = manager_apply
    assert result["changed"]
    assert len(clock.sleeps) == 3 and left["reads"] == 0


def test_at_the_bound_the_run_warns_and_returns(clients):
    iam, sts = clients
    clock = FakeTime()
    warnings = []
    left = lag(iam, 0)
    provider_apply = ProviderManager.apply

    def apply_then_lag(self, plan, replan=None):
        after = provider_apply(self, plan, replan)
        left["reads"] = 1000
        return after

    ProviderManager.apply = apply_then_lag
    try:
        result = federation(iam, sts, clock=clock, seconds=10, warnings=warnings).run(spec(role_name=None, subjects=None))
    finally:
        ProviderManager.apply = provider_apply
    assert result["changed"] and sum(clock.sleeps) == pytest.approx(10)
    assert any("do not show the change to the IAM OIDC provider" in w and "propagation_timeout" in w for w in warnings)


def test_nothing_changed_nothing_waited(clients):
    iam, sts = clients
    federation(iam, sts).run(spec())
    clock = FakeTime()
    assert not federation(iam, sts, clock=clock).run(spec())["changed"]
    assert clock.sleeps == []
