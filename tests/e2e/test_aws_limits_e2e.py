"""Issue 13 §4, §5 and §6 end to end against the sandbox.

- Partitions: the provider and roles made by the collection in ``aws``, ``aws-us-gov`` and ``aws-cn`` (the sandbox
  answers a signed IAM call by the partition of its SigV4 region, the unsigned exchange by the partition of its
  ``RoleArn``); the exchange works in each, and its AccessDenied diagnosis names the provider of the role's partition.
- Thumbprints, in the gate mode where STS does not trust the sandbox CA (``sts_trusts_sandbox_ca: false``): the
  exchange works with the thumbprint IAM derived at creation and with ``thumbprints_from_issuer``, and fails with a
  diagnosis naming the thumbprints with a wrong one.
- credential_process: a boto3 client of the profile reads its credentials on every call; five calls make one exchange.
"""

import json
import socket

import boto3
import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection, caller_account
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.federation import Federation, FederationSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import RoleManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import Exchange
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import PropagationWait
from e2e.exchange_support import Federation as Procedure, ansible_env, run_module, run_named_module

PARTITIONS = [("aws", "us-east-1"), ("aws-us-gov", "us-gov-west-1"), ("aws-cn", "cn-north-1")]


@pytest.fixture
def domain(fresh_sandbox, monkeypatch):
    """Steps 1 to 4 by the manual procedure; the sandbox's client settings in this process's environment."""
    for name, value in fresh_sandbox.client_env().items():
        monkeypatch.setenv(name, value)
    return Procedure(fresh_sandbox).build(role=False)


def federate(sandbox, region, role_name, subjects):
    """Step 5 by the collection's own managers, as aws_oidc_role wires them, in the partition of ``region``."""
    connection = AwsConnection(region=region, endpoint_url=sandbox.aws_endpoint, aws_ca_bundle=sandbox.ca_bundle)
    iam = connection.client("iam")
    federation = Federation(ProviderManager(iam, False), RoleManager(iam, False),
                            account=lambda: caller_account(connection.client("sts")), propagation=PropagationWait(60))
    return federation.run(FederationSpec.from_params(dict(
        state="present", issuer_url=sandbox.domain_url, audience="sts.amazon.com", role_name=role_name,
        subjects=subjects)))


def exchange(sandbox, domain, role_arn, region):
    options = dict(domain_url=sandbox.domain_url, client_id=domain.client_id, client_secret=domain.client_secret,
                   role_arn=role_arn, region=region, cert_bundle=sandbox.ca_bundle, aws_ca_bundle=sandbox.ca_bundle,
                   endpoint_url=sandbox.aws_endpoint)
    # Step 5 was just done (aws_oidc_trust's fact aws_oidc_trust_changed): under IAM propagation (the e2e profile's
    # iam_propagation_seconds) STS sees it only later, so the exchange waits as oci_aws_assume wait_for_propagation does.
    spec = ExchangeSpec.from_options(OptionAdapter.from_dict(options))
    return Exchange(spec, propagation=PropagationWait(60, deadline=spec.deadline)).run()


@pytest.mark.parametrize("partition, region", PARTITIONS)
def test_each_partition_federates_and_explains_access_denied_with_its_own_arns(domain, fresh_sandbox, partition, region):
    made = federate(fresh_sandbox, region, "oci-partition", [domain.client_id])
    prefix = "arn:%s:iam::%s:" % (partition, fresh_sandbox.account_id)
    assert made["provider_arn"].startswith(prefix + "oidc-provider/") and made["role_arn"] == prefix + "role/oci-partition"
    credentials = exchange(fresh_sandbox, domain, made["role_arn"], region)
    assert credentials.assumed_role_arn == "arn:%s:sts::%s:assumed-role/oci-partition/ansible-oci-aws" % (
        partition, fresh_sandbox.account_id)

    other = federate(fresh_sandbox, region, "oci-partition-other", ["another-client"])
    with pytest.raises(Breakpoint) as refused:
        exchange(fresh_sandbox, domain, other["role_arn"], region)
    msg = refused.value.msg
    assert refused.value.details["error_code"] == "AccessDenied"
    # The diagnosis read the role (iam:GetRole in the partition) and compared it with the right provider ARN.
    assert '"Federated": "%s"' % made["provider_arn"] in msg
    assert "No statement federates" not in msg
    assert ":sub requires another-client but the token's sub is '%s'" % domain.client_id in msg


# -- thumbprints when STS does not trust the issuer's CA ------------------------------------------------------------

def role_args(sandbox, domain, **changes):
    args = dict(issuer_url=sandbox.domain_url, role_name="oci-thumbprints", subjects=[domain.client_id])
    args.update(changes)
    return args


def assume_args(sandbox, domain):
    return dict(domain_url=sandbox.domain_url, client_id=domain.client_id, client_secret=domain.client_secret,
                role_arn="arn:aws:iam::%s:role/oci-thumbprints" % sandbox.account_id)


def test_thumbprints_prove_the_issuer_when_sts_does_not_trust_its_ca(domain, fresh_sandbox, home):
    fresh_sandbox.configure(aws={"sts_trusts_sandbox_ca": False})
    env = ansible_env(fresh_sandbox, home)

    # Created without thumbprints: IAM derives the issuer's top CA thumbprint; the result and the next run agree.
    failed, created, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", role_args(fresh_sandbox, domain))
    assert not failed, output
    derived = created["provider"]["thumbprints"]
    assert len(derived) == 1 and len(derived[0]) == 40
    failed, again, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", role_args(fresh_sandbox, domain))
    assert not failed and not again["changed"] and again["provider"]["thumbprints"] == derived, output
    failed, result = run_module(env, assume_args(fresh_sandbox, domain))
    assert not failed, result

    # A wrong thumbprint: STS cannot verify the issuer, and the diagnosis names the thumbprints.
    failed, wrong, output = run_named_module(fresh_sandbox, home, "aws_oidc_role",
                                             role_args(fresh_sandbox, domain, thumbprints=["0" * 40]))
    assert not failed and wrong["changed"], output
    failed, result = run_module(env, assume_args(fresh_sandbox, domain))
    assert failed and result.get("step") == "5", result
    assert "thumbprint" in result["msg"] and "thumbprints_from_issuer: true" in result["msg"]

    # thumbprints_from_issuer: computed from the issuer's chain, the exchange works again.
    failed, fixed, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", role_args(
        fresh_sandbox, domain, thumbprints_from_issuer=True, issuer_ca_bundle=fresh_sandbox.ca_bundle))
    assert not failed and fixed["changed"] and fixed["provider"]["thumbprints"] == derived, output
    failed, result = run_module(env, assume_args(fresh_sandbox, domain))
    assert not failed, result


# -- credential_process and botocore's refresh window ---------------------------------------------------------------

def test_five_credential_reads_make_one_exchange(domain, fresh_sandbox, home, monkeypatch):
    env = ansible_env(fresh_sandbox, home)
    made = federate(fresh_sandbox, "us-east-1", "oci-process", [domain.client_id])
    options = dict(domain_url=fresh_sandbox.domain_url, client_id=domain.client_id,
                   client_secret=domain.client_secret, role_arn=made["role_arn"], credential_process_profile="oci")

    # 900 s (STS's minimum) would be refreshed by botocore at once: refused before any request or file.
    failed, refused = run_module(env, dict(options, duration_seconds=900))
    assert failed and "duration_seconds" in refused["msg"] and "900 seconds left" in refused["msg"]
    assert not (home / ".aws" / "config").exists()

    failed, result = run_module(env, options)
    assert not failed and result["changed"], result
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    fresh_sandbox.reset_counters()
    assert five_reads(fresh_sandbox) == (1, 5)

    # Why 900 s is refused: the same profile with the settings file set to 900 s by hand refreshes on every read.
    settings_file = home / ".aws" / "multicloud.oci_aws" / "oci.json"
    settings = json.loads(settings_file.read_text())
    settings["options"]["duration_seconds"] = 900
    settings_file.write_text(json.dumps(settings))
    exchanges, calls = five_reads(fresh_sandbox)
    assert calls == 5 and exchanges >= 5  # measured: 6 (one as the client is made, then one per call)


def five_reads(sandbox):
    """``(exchanges, calls)`` of a boto3 client of the profile ``oci`` that makes five calls (each signs: one read)."""
    sandbox.reset_counters()
    sts = boto3.session.Session(profile_name="oci").client(
        "sts", endpoint_url=sandbox.aws_endpoint, verify=sandbox.ca_bundle, region_name="us-east-1")
    arns = set(sts.get_caller_identity()["Arn"] for _call in range(5))
    assert arns == {"arn:aws:sts::%s:assumed-role/oci-process/ansible-oci-aws" % sandbox.account_id}
    endpoints = sandbox.counters()["aws"]["endpoints"]
    return endpoints.get("sts:AssumeRoleWithWebIdentity", 0), endpoints.get("sts:GetCallerIdentity", 0)


def test_an_issuer_iam_cannot_reach_is_explained_and_nothing_is_made(fresh_sandbox, home):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = "https://127.0.0.1:%d" % probe.getsockname()[1]
    failed, result, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", dict(
        issuer_url=url, role_name="oci-unreachable", subjects=["client-1"]))
    assert failed and result.get("step") == "3", output
    assert "OpenIdIdpCommunicationError" in result["msg"] and "/.well-known/openid-configuration" in result["msg"]
    assert "thumbprints_from_issuer" in result["msg"]
    endpoints = fresh_sandbox.counters()["aws"]["endpoints"]
    assert endpoints.get("iam:CreateOpenIDConnectProvider") == 1 and "iam:CreateRole" not in endpoints
