"""oci_aws_assume's verify_caller_identity: GetCallerIdentity with the new credentials, checked against the role."""

import datetime

import pytest
from botocore.stub import Stubber

from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.assume import Assume, assume_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import Credentials
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import no_wait_retrier
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import ACCOUNT

SESSION_ARN = "arn:aws:sts::%s:assumed-role/oci-reporting/ansible-oci-aws" % ACCOUNT


def credentials(arn=SESSION_ARN):
    return Credentials("ASIAEXAMPLE", "secret-example", "session-example",
                       datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc), arn)


def signed_sts():
    client = AwsConnection(region="us-east-1", access_key="ASIAEXAMPLE", secret_key="secret-example",
                           session_token="session-example", retrier=no_wait_retrier()).client("sts")
    stubber = Stubber(client.client)
    stubber.activate()
    return client, stubber


def answer(stubber, arn):
    stubber.add_response("get_caller_identity", {"Arn": arn, "Account": ACCOUNT, "UserId": "AROAEXAMPLE:ansible-oci-aws"})


def test_the_option_is_off_by_default():
    assert assume_argument_spec()["verify_caller_identity"] == dict(type="bool", default=False)


def test_the_caller_is_the_role_session():
    sts, stubber = signed_sts()
    answer(stubber, SESSION_ARN)
    identity = Assume.caller_identity(Assume.__new__(Assume), credentials(), sts=sts)
    assert identity == dict(arn=SESSION_ARN, account=ACCOUNT, user_id="AROAEXAMPLE:ansible-oci-aws")
    stubber.assert_no_pending_responses()


def test_another_caller_is_step_7_and_holds_no_secret():
    sts, stubber = signed_sts()
    answer(stubber, "arn:aws:sts::%s:assumed-role/other/x" % ACCOUNT)
    with pytest.raises(Breakpoint) as raised:
        Assume.caller_identity(Assume.__new__(Assume), credentials(), sts=sts)
    assert raised.value.step == "7" and "region" in raised.value.msg
    assert "secret-example" not in raised.value.msg and "session-example" not in raised.value.msg
