# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Where the lookup's ``sts:AssumeRoleWithWebIdentity`` call goes, worked out as botocore works it
out, without importing botocore (a cache hit must stay well under a millisecond).

The lookup's STS client is made by ``module_utils/_aws/connection.AwsConnection.client("sts", unsigned=True)``:
``region`` and ``endpoint_url`` as given, everything else from botocore's configuration chain —
the environment, then the profile (``profile``, else ``AWS_DEFAULT_PROFILE`` / ``AWS_PROFILE``,
else ``default``) of the shared config file and credentials file. :func:`resolve` reads the same
sources in the same order and returns what botocore's endpoint resolver is given (region, FIPS,
dual-stack, a configured endpoint URL; STS always regional, as ``AwsConnection`` forces it) with the endpoint and partition it
leads to. The cache key is built from that answer, so two option sets that send the call to
different places never share a cache entry. ``tests/unit/plugins/module_utils/test_sts_endpoint.py``
compares it with the installed botocore.
"""

from __future__ import annotations

import os
import re

try:
    import configparser
except ImportError:  # pragma: no cover - Python 2
    import ConfigParser as configparser  # pylint: disable=import-error

# (name, region pattern, DNS suffix, dual-stack DNS suffix), from botocore's partitions.json.
PARTITIONS = (
    ("aws", r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", "amazonaws.com", "api.aws"),
    ("aws-cn", r"^cn\-\w+\-\d+$", "amazonaws.com.cn", "api.amazonwebservices.com.cn"),
    ("aws-us-gov", r"^us\-gov\-\w+\-\d+$", "amazonaws.com", "api.aws"),
    ("aws-iso", r"^us\-iso\-\w+\-\d+$", "c2s.ic.gov", "api.aws.ic.gov"),
    ("aws-iso-b", r"^us\-isob\-\w+\-\d+$", "sc2s.sgov.gov", "api.aws.scloud"),
    ("aws-iso-e", r"^eu\-isoe\-\w+\-\d+$", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
    ("aws-iso-f", r"^us\-isof\-\w+\-\d+$", "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
    ("aws-eusc", r"^eusc\-(de)\-\w+\-\d+$", "amazonaws.eu", "api.amazonwebservices.eu"),
)
# The partitions' global pseudo-regions.
GLOBAL_REGIONS = {"aws-global": "aws", "aws-cn-global": "aws-cn", "aws-us-gov-global": "aws-us-gov",
                  "aws-iso-global": "aws-iso", "aws-iso-b-global": "aws-iso-b", "aws-iso-e-global": "aws-iso-e",
                  "aws-iso-f-global": "aws-iso-f"}


def _true(value):
    """botocore's ``ensure_boolean`` for configuration strings."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.lower() == "true"


_PARSED = {}


def _read_ini(path):
    """The sections of an AWS shared file as dicts, or {} when it is missing or unreadable.

    A file is parsed again only when it changed (a missing file costs one ``stat``).
    """
    path = os.path.expanduser(path)
    try:
        info = os.stat(path)
    except OSError:
        return {}
    version = (info.st_ino, info.st_size, info.st_mtime_ns)
    known = _PARSED.get(path)
    if known is not None and known[0] == version:
        return known[1]
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return {}
    sections = dict((name, dict(parser.items(name))) for name in parser.sections())
    _PARSED[path] = (version, sections)
    return sections


def _profiles(environ):
    """botocore's profile map: ``[profile x]`` / ``[default]`` of the config file, merged with the credentials file."""
    profiles = {}
    for section, values in _read_ini(environ.get("AWS_CONFIG_FILE") or "~/.aws/config").items():
        parts = section.split(None, 1)
        if len(parts) == 2 and parts[0] == "profile":
            profiles[parts[1].strip().strip('"')] = values
        elif section == "default":
            profiles.setdefault("default", values)
    for section, values in _read_ini(environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials").items():
        profiles.setdefault(section, {}).update(values)
    return profiles


def _services_endpoint(environ, profile):
    """The ``endpoint_url`` of ``sts`` in the profile's ``services`` section, or None."""
    name = profile.get("services")
    if not name:
        return None
    section = _read_ini(environ.get("AWS_CONFIG_FILE") or "~/.aws/config").get("services " + name, {})
    nested = section.get("sts") or ""
    for line in nested.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "endpoint_url":
            return value.strip()
    return None


def _partition(region):
    if region in GLOBAL_REGIONS:
        name = GLOBAL_REGIONS[region]
        for partition, _pattern, dns, dual in PARTITIONS:
            if partition == name:
                return partition, dns, dual
    # re.match compiles (and caches) only the patterns tried, not all of them at import: a cache hit of the lookup
    # in a fresh worker tries one or two.
    for partition, pattern, dns, dual in PARTITIONS:
        if re.match(pattern, region):
            return partition, dns, dual
    return PARTITIONS[0][0], PARTITIONS[0][2], PARTITIONS[0][3]


def resolve(options, environ=None):
    """What the lookup's STS call uses: a dict of ``endpoint``, ``region``, ``partition`` and the inputs behind them.

    ``options`` holds the lookup's ``profile``, ``region`` and ``endpoint_url`` (None when not set).
    """
    environ = os.environ if environ is None else environ
    profile_name = options.get("profile") or environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE") or "default"
    profile = _profiles(environ).get(profile_name, {})

    def setting(env_name, config_name):
        value = environ.get(env_name)
        return profile.get(config_name) if value is None else value

    region = options.get("region") or setting("AWS_DEFAULT_REGION", "region") or None
    fips = _true(setting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"))
    dualstack = _true(setting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
    # AwsConnection sets sts_regional_endpoints=regional over the environment and the profile.
    regional = "regional"
    if region and (region.startswith("fips-") or region.endswith("-fips")):
        region, fips = region.replace("fips-", "").replace("-fips", ""), True
    configured = options.get("endpoint_url") or None
    if configured is None and not _true(setting("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")):
        configured = (environ.get("AWS_ENDPOINT_URL_STS") or environ.get("AWS_ENDPOINT_URL")
                      or _services_endpoint(environ, profile) or profile.get("endpoint_url") or None)
    if not region and not configured:
        region = "aws-global"  # botocore's default for STS when no region is set
    partition, dns, dual = _partition(region or "aws-global")
    if configured:
        endpoint = configured
    else:
        host = "sts-fips" if fips and partition != "aws-us-gov" or fips and dualstack else "sts"
        if region in GLOBAL_REGIONS and not fips and not dualstack:
            endpoint = "https://sts.%s" % dns
        else:
            endpoint = "https://%s.%s.%s" % (host, region, dual if dualstack else dns)
    return {"endpoint": endpoint, "region": region, "partition": partition, "fips": fips, "dualstack": dualstack,
            "sts_regional_endpoints": regional, "configured_endpoint": configured}
