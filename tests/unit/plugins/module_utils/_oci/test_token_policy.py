import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.token_policy import TokenPolicyManager, check_issuer
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.oci_fakes import DOMAIN_URL, FakeDomain

DEFAULT_ISSUER = "https://identity.oraclecloud.com/"


# -- check_issuer ------------------------------------------------------------------------------------

@pytest.mark.parametrize("domain_url", [DOMAIN_URL, DOMAIN_URL + "/", DOMAIN_URL.replace(".com", ".com:443"),
                                        DOMAIN_URL.replace(".com", ".com:443") + "/", DOMAIN_URL.replace("idcs", "IDCS")])
def test_default_issuer_is_the_domain_origin(domain_url):
    assert check_issuer(None, domain_url) == (DOMAIN_URL, [])


def test_explicit_issuer_equal_to_the_domain_has_no_warning():
    assert check_issuer(DOMAIN_URL, DOMAIN_URL + ":443/") == (DOMAIN_URL, [])


def test_non_default_port_is_kept_with_a_warning():
    issuer, warnings = check_issuer(None, "https://127.0.0.1:8443")
    assert issuer == "https://127.0.0.1:8443"
    assert len(warnings) == 1 and "issuer https://127.0.0.1:8443 has a port" in warnings[0]


def test_issuer_other_than_the_domain_is_warned_about():
    issuer, warnings = check_issuer("https://issuer.example.com", DOMAIN_URL)
    assert issuer == "https://issuer.example.com"
    assert len(warnings) == 1 and "is not the domain URL" in warnings[0] and "openid-configuration" in warnings[0]


@pytest.mark.parametrize("issuer, words", [
    ("http://" + DOMAIN_URL[len("https://"):], "https://"),
    (DOMAIN_URL + "/", "must not end with '/'"),
    (DOMAIN_URL + "/oauth2", "no path"),
    (DOMAIN_URL + "/oauth2/", "must not end with '/'"),
    (DOMAIN_URL.replace("idcs", "IDCS"), "lower-case host"),
    (DOMAIN_URL + ":443", "no :443"),
    (DOMAIN_URL + "?x=1", "query"),
    ("https://user@" + DOMAIN_URL[len("https://"):], "user information"),
    ("", "URL such as"),
    ("idcs-0123.identity.oraclecloud.com", "https://"),
])
def test_bad_issuer_is_refused_naming_the_option(issuer, words):
    with pytest.raises(OptionError) as caught:
        check_issuer(issuer, DOMAIN_URL)
    assert caught.value.option == "issuer"
    assert "issuer" in caught.value.msg and words in caught.value.msg


def test_bad_domain_url_is_refused_naming_it():
    with pytest.raises(OptionError) as caught:
        check_issuer(None, "http://idcs-1.identity.oraclecloud.com")
    assert caught.value.option == "domain_url"


# -- TokenPolicyManager ------------------------------------------------------------------------------

def apply(domain, issuer=DOMAIN_URL, public=True, check_mode=False):
    return TokenPolicyManager(domain, issuer, public, check_mode=check_mode).apply()


def test_fresh_domain_is_patched_with_both_attributes_only():
    domain = FakeDomain()
    result = apply(domain)
    assert domain.writes == [("patch_settings", [
        {"op": "replace", "path": "issuer", "value": DOMAIN_URL},
        {"op": "replace", "path": "signingCertPublicAccess", "value": True}])]
    assert result == dict(
        changed=True, issuer=DOMAIN_URL, previous_issuer=DEFAULT_ISSUER, signing_cert_public_access=True,
        diff=dict(before=dict(issuer=DEFAULT_ISSUER, signing_cert_public_access=False),
                  after=dict(issuer=DOMAIN_URL, signing_cert_public_access=True)))
    # Only the two managed attributes are read, and the result comes from a read after the write.
    assert [call for call in domain.calls if call[0] == "get_settings"] == [
        ("get_settings", ("issuer", "signingCertPublicAccess"))] * 2


def test_only_the_differing_attribute_is_patched():
    domain = FakeDomain(settings={"issuer": DOMAIN_URL, "signingCertPublicAccess": False, "csrAccess": "readWrite"})
    result = apply(domain)
    assert domain.writes == [("patch_settings", [{"op": "replace", "path": "signingCertPublicAccess", "value": True}])]
    assert result["previous_issuer"] == result["issuer"] == DOMAIN_URL
    assert domain.settings["csrAccess"] == "readWrite"


def test_rerun_is_unchanged_with_no_write():
    domain = FakeDomain()
    apply(domain)
    domain.calls = []
    result = apply(domain)
    assert result["changed"] is False and domain.writes == []
    assert [call[0] for call in domain.calls] == ["get_settings"]
    assert result["previous_issuer"] == DOMAIN_URL
    assert result["diff"]["before"] == result["diff"]["after"]


def test_check_mode_predicts_and_writes_nothing():
    domain = FakeDomain()
    predicted = apply(domain, check_mode=True)
    assert domain.writes == []
    applied = apply(domain)
    assert predicted == applied
    assert apply(domain, check_mode=True)["changed"] is False


def test_issuer_absent_until_set_is_reported_as_null():
    domain = FakeDomain(settings={"signingCertPublicAccess": True})
    result = apply(domain)
    assert result["previous_issuer"] is None and result["issuer"] == DOMAIN_URL
    assert domain.writes == [("patch_settings", [{"op": "replace", "path": "issuer", "value": DOMAIN_URL}])]


def test_public_access_can_be_turned_off():
    domain = FakeDomain(settings={"issuer": DOMAIN_URL, "signingCertPublicAccess": True})
    result = apply(domain, public=False)
    assert result["changed"] and result["signing_cert_public_access"] is False
    assert domain.settings["signingCertPublicAccess"] is False


def test_issuer_default_restores_the_service_default_and_says_what_it_breaks():
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.token_policy import check_issuer

    issuer, warnings = check_issuer("default", "https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com")
    assert issuer == "https://identity.oraclecloud.com/"
    assert len(warnings) == 1 and "no longer accepts" in warnings[0]
