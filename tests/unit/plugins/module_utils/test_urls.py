import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import (
    issuer_for_domain,
    parse_https_url,
    port_warning,
)

DOMAIN = "https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com"


@pytest.mark.parametrize(
    "value, expected",
    [
        (DOMAIN, DOMAIN),
        (DOMAIN + "/", DOMAIN),
        (DOMAIN + ":443", DOMAIN),
        (DOMAIN + ":443/", DOMAIN),
        (DOMAIN.upper().replace("HTTPS", "https"), DOMAIN),
        ("HTTPS://idcs-x.identity.oraclecloud.com", "https://idcs-x.identity.oraclecloud.com"),
        ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
        ("https://localhost:8443/", "https://localhost:8443"),
    ],
)
def test_issuer_for_domain_normalises(value, expected):
    assert issuer_for_domain(value) == expected


@pytest.mark.parametrize(
    "value, words",
    [
        ("http://idcs-x.identity.oraclecloud.com", "https://"),
        ("idcs-x.identity.oraclecloud.com", "https://"),
        ("ftp://idcs-x.identity.oraclecloud.com", "https://"),
        ("https://user:pw@idcs-x.identity.oraclecloud.com", "user information"),
        ("https://idcs-x.identity.oraclecloud.com/admin/v1", "without a path"),
        ("https://idcs-x.identity.oraclecloud.com?x=1", "query"),
        ("https://idcs-x.identity.oraclecloud.com#frag", "fragment"),
        ("https://", "host"),
        ("https://bad_host.example.com", "host"),
        ("https://idcs-x.identity.oraclecloud.com:99999", "not a valid URL"),
        (" https://idcs-x.identity.oraclecloud.com", "whitespace"),
        ("", "must be a URL"),
        (None, "must be a URL"),
    ],
)
def test_bad_domain_urls_name_the_option_and_the_fix(value, words):
    with pytest.raises(OptionError) as info:
        issuer_for_domain(value)
    assert info.value.option == "domain_url"
    assert "domain_url" in info.value.msg
    assert words in info.value.msg


def test_path_is_kept_exactly_when_allowed():
    url = parse_https_url("https://issuer.example.com/tenant/", "issuer_url", allow_path=True)
    assert url.url == "https://issuer.example.com/tenant/"
    assert url.provider_id == "issuer.example.com/tenant/"


def test_provider_id_keeps_a_non_default_port_and_warns():
    url = parse_https_url("https://127.0.0.1:8443", "issuer_url")
    assert url.provider_id == "127.0.0.1:8443"
    assert "port" in port_warning(url, "issuer_url")
    assert port_warning(parse_https_url(DOMAIN, "issuer_url"), "issuer_url") is None
