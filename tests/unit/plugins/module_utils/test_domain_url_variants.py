"""Every way of writing one identity domain's URL gives one issuer, in each place that derives it.

The issuer AWS registers (the IAM OIDC provider URL, from oci_oidc_app's ``issuer``), the issuer step 3 writes
into the domain's Settings (so the ``iss`` of its tokens) and the issuer the exchange checks a token against all
come from ``_urls.domain_issuer_origin``. Variants (Oracle's API and discovery documents): ``:443`` and upper-case
letters (the console and API show both), the Regional URL of the home or a replica region
(``idcs-<id>.<region>-idcs-<n>.secure.identity.oraclecloud.com``), and the issuer all domains share by default.
"""

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.token_policy import check_issuer
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import (
    issuer_for_domain,
    parse_domain_url,
    parse_https_url,
)

ID = "idcs-0123456789abcdef0123456789abcdef"
DOMAIN = "https://%s.identity.oraclecloud.com" % ID
ROLE = "arn:aws:iam::123456789012:role/oci-reporting"


def exchange_spec(domain_url, **extra):
    options = dict(domain_url=domain_url, client_id="0123abcd", client_secret="not-a-secret", role_arn=ROLE)
    options.update(extra)
    return ExchangeSpec.from_options(OptionAdapter.from_dict(options))


def issuers(domain_url):
    """The issuer of each place: oci_oidc_app's result (what AWS registers), step 3's Settings value, the exchange."""
    step3, _warnings = check_issuer(None, domain_url)
    return {issuer_for_domain(domain_url), step3, exchange_spec(domain_url).expectations.issuer}


@pytest.mark.parametrize("variant", [
    DOMAIN,
    DOMAIN + "/",
    DOMAIN + ":443",                                 # as the console, GetDomain and tenant_iss write it
    DOMAIN + ":443/",
    DOMAIN.upper().replace("HTTPS://", "https://"),  # host names are case-insensitive; issuers are not
    "HTTPS://%s.Identity.OracleCloud.com:443" % ID.upper(),
])
def test_port_443_and_case_are_normalised_to_one_issuer_without_a_warning(variant):
    assert issuers(variant) == {DOMAIN}
    assert exchange_spec(variant).warnings == []
    assert check_issuer(None, variant)[1] == []


@pytest.mark.parametrize("region", ["us-ashburn-idcs-1", "eu-madrid-idcs-1", "ap-sydney-idcs-1", "eu-frankfurt-idcs-2"])
@pytest.mark.parametrize("suffix", ["", ":443", "/", ":443/"])
def test_a_regional_url_gives_the_region_agnostic_issuer(region, suffix):
    # The Regional URL (home or replica region) serves the same domain, whose issuer is domain-wide: every
    # region's URL must give the same issuer, and a failover to a replica region must not change it.
    regional = "https://%s.%s.secure.identity.oraclecloud.com" % (ID, region)
    assert issuers(regional + suffix) == {DOMAIN}
    assert issuers(regional.upper().replace("HTTPS://", "https://") + suffix) == {DOMAIN}


def test_a_regional_url_is_still_where_the_api_and_the_token_are_asked():
    regional = "https://%s.us-ashburn-idcs-1.secure.identity.oraclecloud.com" % ID
    assert parse_domain_url(regional + ":443").origin == regional
    assert exchange_spec(regional).token_source.token_url == regional + "/oauth2/v1/token"


@pytest.mark.parametrize("variant", [
    "https://identity.oraclecloud.com",
    "https://identity.oraclecloud.com/",
    "https://Identity.OracleCloud.com:443",
])
def test_the_shared_default_issuer_is_refused_as_a_domain_url(variant):
    for derive in (issuer_for_domain, parse_domain_url, lambda url: check_issuer(None, url), exchange_spec):
        with pytest.raises(OptionError) as caught:
            derive(variant)
        assert caught.value.option == "domain_url"
        assert "domain_url https://identity.oraclecloud.com is the issuer that every identity domain shares" in (
            caught.value.msg)
        assert "https://idcs-<32 hex>.identity.oraclecloud.com" in caught.value.msg  # the fix


def test_the_shared_issuer_is_refused_even_when_an_issuer_is_given():
    with pytest.raises(OptionError) as caught:
        exchange_spec("https://identity.oraclecloud.com", issuer=DOMAIN)
    assert caught.value.option == "domain_url"


@pytest.mark.parametrize("value, expected", [
    # Not a real domain's shape: kept as written (no guess at what a private endpoint means).
    ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
    ("https://idcs.example.com", "https://idcs.example.com"),
    ("https://%s.us-ashburn-idcs-1.secure.identity.oraclecloud.com:8443" % ID,
     "https://%s.identity.oraclecloud.com:8443" % ID),
    ("https://idcs-short.us-ashburn-idcs-1.secure.identity.oraclecloud.com",
     "https://idcs-short.us-ashburn-idcs-1.secure.identity.oraclecloud.com"),
    ("https://%s.secure.identity.oraclecloud.com" % ID, "https://%s.secure.identity.oraclecloud.com" % ID),
    ("https://sub.identity.oraclecloud.com.example", "https://sub.identity.oraclecloud.com.example"),
])
def test_other_hosts_are_kept(value, expected):
    assert issuer_for_domain(value) == expected


def test_the_port_warning_names_only_a_real_port():
    spec = exchange_spec("https://127.0.0.1:8443")
    assert spec.expectations.issuer == "https://127.0.0.1:8443"
    assert [w for w in spec.warnings if "has a port" in w]
    assert parse_https_url(DOMAIN + ":443", "domain_url").port is None
