"""Issue 13 §5: the endpoints the collection's clients resolve, by botocore's own endpoint resolution (no network).

STS is always called at its regional endpoint, whatever botocore's default (before 1.40 it was ``legacy``: 16
regions sent to the global ``sts.amazonaws.com``; ``AWS_STS_REGIONAL_ENDPOINTS=legacy`` gives that default on any
version), and a missing region is refused with the option and the environment variables that set it. The lookup's
cache key (``_sts_endpoint.resolve``) derives the same endpoint.
"""

import os

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws import connection as _aws
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._sts_endpoint import resolve

PARTITIONS = [
    ("eu-central-1", "aws", "https://sts.eu-central-1.amazonaws.com", "https://iam.amazonaws.com"),
    ("us-gov-west-1", "aws-us-gov", "https://sts.us-gov-west-1.amazonaws.com", "https://iam.us-gov.amazonaws.com"),
    ("cn-north-1", "aws-cn", "https://sts.cn-north-1.amazonaws.com.cn", "https://iam.cn-north-1.amazonaws.com.cn"),
]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    del _aws._UNSIGNED_SESSION[:]  # the per-process session caches the configuration it read
    yield monkeypatch
    del _aws._UNSIGNED_SESSION[:]


def call_endpoint(client, operation, params):
    """The URL botocore's endpoint rule set gives for one call (client.meta.endpoint_url is only a first guess)."""
    model = client.meta.service_model.operation_model(operation)
    return client._ruleset_resolver.construct_endpoint(model, params, {}).url  # pylint: disable=protected-access


WEB_IDENTITY = {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s", "WebIdentityToken": "t"}


@pytest.mark.parametrize("legacy", [False, True], ids=["default", "sts_regional_endpoints=legacy"])
@pytest.mark.parametrize("region, partition, sts_url, iam_url", PARTITIONS)
def test_sts_is_regional_and_iam_is_the_partitions(clean_env, legacy, region, partition, sts_url, iam_url):
    if legacy:
        clean_env.setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy")  # botocore's default before 1.40
    connection = _aws.AwsConnection(region=region, access_key="AKIAEXAMPLE", secret_key="example-secret")
    sts = connection.client("sts", unsigned=True)
    assert call_endpoint(sts.client, "AssumeRoleWithWebIdentity", WEB_IDENTITY) == sts_url
    signed = connection.client("sts")
    assert call_endpoint(signed.client, "GetCallerIdentity", {}) == sts_url
    iam = connection.client("iam")
    assert call_endpoint(iam.client, "GetRole", {"RoleName": "r"}) == iam_url
    # The lookup's cache key is built from the same endpoint.
    key = resolve({"region": region})
    assert (key["endpoint"], key["partition"]) == (sts_url, partition)


def test_legacy_in_the_profile_is_overridden_too(clean_env, tmp_path):
    (tmp_path / "config").write_text("[default]\nregion = us-east-1\nsts_regional_endpoints = legacy\n")
    sts = _aws.AwsConnection().client("sts", unsigned=True)
    assert call_endpoint(sts.client, "AssumeRoleWithWebIdentity", WEB_IDENTITY) == "https://sts.us-east-1.amazonaws.com"
    assert resolve({})["endpoint"] == "https://sts.us-east-1.amazonaws.com"


@pytest.mark.parametrize("service, unsigned", [("sts", True), ("sts", False), ("iam", False)])
def test_a_missing_region_is_refused_with_the_fix(clean_env, service, unsigned):
    connection = _aws.AwsConnection(access_key="AKIAEXAMPLE", secret_key="example-secret")
    with pytest.raises(OptionError) as error:
        connection.client(service, unsigned=unsigned)
    assert error.value.option == "region"
    for fix in ("region", "AWS_REGION", "AWS_DEFAULT_REGION", "GovCloud", "China"):
        assert fix in error.value.msg


def test_the_global_pseudo_region_is_refused(clean_env):
    with pytest.raises(OptionError) as error:
        _aws.AwsConnection(region="aws-global").client("sts", unsigned=True)
    assert error.value.option == "region" and "regional endpoint" in error.value.msg
