"""The STS endpoint the lookup's cache key is built from is the one botocore calls.

Each example writes a shared config and credentials file and an environment, then compares
``_sts_endpoint.resolve`` with the STS client ``AwsConnection`` makes for the lookup (unsigned, as
the exchange makes it): same endpoint URL, same region.
"""

import os

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws import connection as _aws
from ansible_collections.multicloud.oci_aws.plugins.module_utils._sts_endpoint import resolve

REGIONS = st.sampled_from([
    None, "us-east-1", "eu-west-1", "ap-east-1", "eu-central-2", "cn-north-1", "us-gov-west-1", "us-iso-east-1",
    "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", "xx-foo-1", "aws-global",
    "fips-us-east-1", "us-west-2-fips", "il-central-1",
])
URLS = st.sampled_from([None, "https://a.example.com", "https://b.example.com:8443", "http://127.0.0.1:4566"])
BOOLS = st.sampled_from([None, "true", "false", "TRUE", "yes"])
STS_MODES = st.sampled_from([None, "regional", "legacy"])
PROFILES = st.sampled_from([None, "dev", "prod"])

PROFILE_SETTINGS = st.fixed_dictionaries({}, optional={
    "region": REGIONS.filter(bool), "endpoint_url": URLS.filter(bool), "use_fips_endpoint": BOOLS.filter(bool),
    "use_dualstack_endpoint": BOOLS.filter(bool), "sts_regional_endpoints": STS_MODES.filter(bool),
    "ignore_configured_endpoint_urls": BOOLS.filter(bool), "services": st.just("svc"),
})
ENVIRONMENT = st.fixed_dictionaries({}, optional={
    "AWS_DEFAULT_REGION": REGIONS.map(lambda v: v or ""), "AWS_ENDPOINT_URL": URLS.map(lambda v: v or ""),
    "AWS_ENDPOINT_URL_STS": URLS.map(lambda v: v or ""), "AWS_USE_FIPS_ENDPOINT": BOOLS.filter(bool),
    "AWS_USE_DUALSTACK_ENDPOINT": BOOLS.filter(bool), "AWS_STS_REGIONAL_ENDPOINTS": STS_MODES.filter(bool),
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": BOOLS.filter(bool), "AWS_PROFILE": PROFILES.filter(bool),
    "AWS_DEFAULT_PROFILE": PROFILES.filter(bool),
})
CONFIGS = st.fixed_dictionaries({"default": PROFILE_SETTINGS, "dev": PROFILE_SETTINGS, "prod": PROFILE_SETTINGS})


def write_config(directory, profiles, services_url, credentials_region):
    lines = []
    for name, values in profiles.items():
        lines.append("[default]" if name == "default" else "[profile %s]" % name)
        lines.extend("%s = %s" % item for item in sorted(values.items()))
    if services_url:
        lines.extend(["[services svc]", "sts =", "  endpoint_url = %s" % services_url])
    config = os.path.join(directory, "config")
    with open(config, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    credentials = os.path.join(directory, "credentials")
    with open(credentials, "w") as handle:
        handle.write("[prod]\n" + ("region = %s\n" % credentials_region if credentials_region else ""))
    return config, credentials


def botocore_sts(options):
    del _aws._UNSIGNED_SESSION[:]  # the per-process session caches the config files it read
    client = _aws.AwsConnection(profile=options.get("profile"), region=options.get("region"),
                                endpoint_url=options.get("endpoint_url")).client("sts", unsigned=True).client
    # The endpoint of the call itself, from botocore's endpoint rule set (client.meta.endpoint_url is the legacy guess).
    operation = client.meta.service_model.operation_model("AssumeRoleWithWebIdentity")
    params = {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s", "WebIdentityToken": "t"}
    endpoint = client._ruleset_resolver.construct_endpoint(operation, params, {})  # pylint: disable=protected-access
    # botocore keeps an empty AWS_DEFAULT_REGION as "": with a configured endpoint the unsigned call does not use it.
    return endpoint.url, client.meta.region_name or None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile=PROFILES, region=REGIONS, endpoint_url=URLS, environment=ENVIRONMENT, profiles=CONFIGS,
       services_url=URLS, credentials_region=REGIONS)
def test_resolve_agrees_with_botocore(tmp_path, monkeypatch, profile, region, endpoint_url, environment, profiles,
                                      services_url, credentials_region):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config, credentials = write_config(str(tmp_path), profiles, services_url, credentials_region)
    environment = dict(environment, AWS_CONFIG_FILE=config, AWS_SHARED_CREDENTIALS_FILE=credentials)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    options = {"profile": profile, "region": region, "endpoint_url": endpoint_url}
    resolved = resolve(options)
    try:
        called = botocore_sts(options)
    except Exception:  # pylint: disable=broad-except
        assume(False)  # botocore refuses the configuration: the lookup fails, nothing is cached
    assert (resolved["endpoint"], resolved["region"]) == called


@pytest.mark.parametrize("region, partition", [
    ("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov"), ("us-isob-east-1", "aws-iso-b"),
    (None, "aws"),
])
def test_partition(region, partition):
    environ = {"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    assert resolve({"region": region}, environ)["partition"] == partition
