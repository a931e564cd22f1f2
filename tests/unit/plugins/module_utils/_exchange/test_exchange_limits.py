"""Issue 13 §2, §5, §6 and the corrections on the exchange's side: session policy limits, the AccessDenied diagnosis
in every partition, one issuer normaliser for ``issuer`` and ``issuer_url``, credential_process durations that
botocore would refresh at once, and messages that state no undocumented STS behaviour as fact."""

import json
import os

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import web_identity_trust_policy
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint, OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process import (
    MIN_PROCESS_DURATION, ProcessProfile
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_audience
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import (
    clean_aws_environment,
    no_wait_retrier,
)
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.exchange_fakes import (
    ACCOUNT,
    CLIENT_ID,
    CLIENT_SECRET,
    DOMAIN_URL,
    NOW,
    PROVIDER_ID,
    TokenEndpoint,
    sts_client,
    sts_error,
    token_answer,
)


@pytest.fixture(autouse=True)
def environment(tmp_path):
    with clean_aws_environment():
        os.environ.update(AWS_CONFIG_FILE=str(tmp_path / "config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "creds"),
                          AWS_EC2_METADATA_DISABLED="true")
        yield


def options(**changes):
    base = dict(domain_url=DOMAIN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                role_arn="arn:aws:iam::%s:role/oci-reporting" % ACCOUNT, region="us-east-1")
    base.update(changes)
    return OptionAdapter.from_dict(dict((k, v) for k, v in base.items() if v is not None))


def spec_for(**changes):
    return ExchangeSpec.from_options(options(**changes), retrier=no_wait_retrier(max_attempts=4),
                                     post=TokenEndpoint(token_answer()))


# -- partitions -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("partition", ["aws", "aws-us-gov", "aws-cn"])
def test_access_denied_names_the_provider_of_the_roles_partition(partition):
    role_arn = "arn:%s:iam::%s:role/oci-reporting" % (partition, ACCOUNT)
    provider_arn = "arn:%s:iam::%s:oidc-provider/%s" % (partition, ACCOUNT, PROVIDER_ID)
    trust = web_identity_trust_policy(provider_arn, PROVIDER_ID, "sts.amazon.com", ["another-client"])
    sts, stubber = sts_client()
    sts_error(stubber, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    exchange = Exchange(spec_for(role_arn=role_arn), clock=lambda: NOW,
                        read_role=lambda name: {"RoleName": name, "AssumeRolePolicyDocument": trust})
    with pytest.raises(Breakpoint) as info:
        exchange.run(sts)
    msg = info.value.msg
    assert "No statement federates" not in msg
    assert "StringEquals %s:sub requires another-client but the token's sub is '%s'" % (PROVIDER_ID, CLIENT_ID) in msg
    assert '"Federated": "%s"' % provider_arn in msg


@pytest.mark.parametrize("partition", ["aws-us-gov", "aws-cn"])
def test_access_denied_without_iam_access_names_the_partitions_provider(partition):
    sts, stubber = sts_client()
    sts_error(stubber, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    exchange = Exchange(spec_for(role_arn="arn:%s:iam::%s:role/oci-reporting" % (partition, ACCOUNT)),
                        clock=lambda: NOW, read_role=None)
    with pytest.raises(Breakpoint) as info:
        exchange.run(sts)
    assert '"Federated": "arn:%s:iam::%s:oidc-provider/%s"' % (partition, ACCOUNT, PROVIDER_ID) in info.value.msg


# -- session policy limits ----------------------------------------------------------------------------------------

def test_session_policy_limits_are_refused_before_any_request():
    big = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                   "Resource": ["arn:aws:s3:::bucket-%04d/*" % n for n in range(100)]}]}
    with pytest.raises(OptionError) as error:
        spec_for(policy=json.dumps(big))
    assert error.value.option == "policy" and "at most 2048" in error.value.msg
    with pytest.raises(OptionError) as error:
        spec_for(policy_arns=["arn:aws:iam::aws:policy/P%d" % n for n in range(11)])
    assert error.value.option == "policy_arns" and "at most 10" in error.value.msg
    with pytest.raises(OptionError) as error:
        spec_for(policy="not json")
    assert error.value.option == "policy" and "not valid JSON" in error.value.msg


# -- one issuer normaliser ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, normal", [
    ("https://IDCS-ABC.Identity.OracleCloud.com", "https://idcs-abc.identity.oraclecloud.com"),
    ("HTTPS://idcs-abc.identity.oraclecloud.com:443", "https://idcs-abc.identity.oraclecloud.com"),
    ("https://Issuer.Example.com/Tenant/ABC", "https://issuer.example.com/Tenant/ABC"),
])
def test_issuer_and_issuer_url_are_normalised_alike(given, normal):
    assert spec_for(issuer=given).expectations.issuer == normal
    assert ProviderSpec.from_params({"issuer_url": given, "audience": "sts.amazon.com"}).url == normal


# -- credential_process and botocore's refresh window ---------------------------------------------------------------

@pytest.mark.parametrize("duration", [900, 1000, MIN_PROCESS_DURATION - 1])
def test_credential_process_durations_botocore_refreshes_at_once_are_refused(duration):
    with pytest.raises(OptionError) as error:
        ProcessProfile.check_options(OptionAdapter.from_dict({"duration_seconds": duration}))
    msg = error.value.msg
    assert error.value.option == "duration_seconds"
    assert "refreshes credentials that have less than 900 seconds left" in msg
    assert "at least %d" % MIN_PROCESS_DURATION in msg
    assert ("every credential read would run the exchange again" in msg) == (duration <= 900)


@pytest.mark.parametrize("duration", [None, MIN_PROCESS_DURATION, 3600])
def test_credential_process_durations_with_reuse_are_taken(duration):
    ProcessProfile.check_options(OptionAdapter.from_dict({} if duration is None else {"duration_seconds": duration}))


# -- corrections ------------------------------------------------------------------------------------------------------

def test_the_multi_valued_audience_refusal_states_no_sts_behaviour_as_fact():
    with pytest.raises(OptionError) as error:
        check_audience("a,b")
    assert "STS rejects" not in error.value.msg and "not document" in error.value.msg
