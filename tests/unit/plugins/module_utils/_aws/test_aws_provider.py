import hashlib

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import Provider, ProviderManager, ProviderSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.thumbprints import issuer_thumbprints, top_certificate_thumbprint
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import parse_https_url
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import (
    ACCOUNT,
    ISSUER,
    PROVIDER_ARN,
    PROVIDER_ID,
    TlsServer,
    moto_iam,
    raw_iam,
)

MARK = {"managed-by": "multicloud.oci_aws"}
MARK_TAG = [{"Key": "managed-by", "Value": "multicloud.oci_aws"}]
T1, T2, T3 = "a" * 40, "B" * 40, "0123456789abcdef0123456789abcdef01234567"


def spec(**params):
    base = {"issuer_url": ISSUER, "audience": "sts.amazon.com"}
    base.update(params)
    return ProviderSpec.from_params(base)


def existing(client_ids=("sts.amazon.com",), thumbprints=(), tags=None, marked=True):
    """A provider as IAM has it; ``marked``: created by the collection (its tag managed-by=multicloud.oci_aws)."""
    return Provider(PROVIDER_ARN, ISSUER, client_ids, thumbprints, dict(MARK if marked else {}, **(tags or {})))


def operations(plan):
    return [(call.operation, call.params.get("ClientID")) for call in plan.calls]


# -- options -------------------------------------------------------------------------------------------

def test_spec_keeps_the_issuer_exactly_and_derives_the_provider_id():
    made = spec(issuer_url="https://127.0.0.1:8443")
    assert (made.url, made.provider_id) == ("https://127.0.0.1:8443", "127.0.0.1:8443")
    assert made.arn("aws", ACCOUNT) == "arn:aws:iam::%s:oidc-provider/127.0.0.1:8443" % ACCOUNT
    assert spec(issuer_url="https://issuer.example.com/tenant/").provider_id == "issuer.example.com/tenant/"


@pytest.mark.parametrize("params, option, words", [
    ({"issuer_url": "http://idcs-1.identity.oraclecloud.com"}, "issuer_url", "https://"),
    ({"issuer_url": ISSUER + "?x=1"}, "issuer_url", "query"),
    ({"issuer_url": ISSUER + "#frag"}, "issuer_url", "fragment"),
    ({"issuer_url": ISSUER + "/"}, "issuer_url", "ends with a slash"),
    ({"audience": "sts.amazon.com,other"}, "audience", "one value"),
    ({"audience": "['sts.amazon.com', 'other']"}, "audience", "one value"),
    ({"audience": "sts.amazon.com other"}, "audience", "one value"),
    ({"audience": ""}, "audience", "one value"),
    ({"client_ids": ["other"]}, "client_ids", "do not include the audience"),
    ({"client_ids": []}, "client_ids", "1 to 100"),
    ({"client_ids": ["sts.amazon.com"] + ["c%d" % i for i in range(100)]}, "client_ids", "1 to 100"),
    ({"client_ids": ["sts.amazon.com", "x" * 256]}, "client_ids", "255"),
    ({"thumbprints": ["abc"]}, "thumbprints", "40 hex"),
    ({"thumbprints": ["g" * 40]}, "thumbprints", "'gggg"),
    ({"thumbprints": []}, "thumbprints", "1 to 5"),
    ({"thumbprints": ["%040x" % i for i in range(6)]}, "thumbprints", "1 to 5"),
    ({"provider_tags": {"aws:x": "y"}}, "provider_tags", "aws:"),
])
def test_bad_provider_options(params, option, words):
    with pytest.raises(OptionError) as info:
        spec(**params)
    assert info.value.option == option
    assert words in info.value.msg


def test_thumbprints_are_lower_case_and_deduplicated():
    assert spec(thumbprints=[T2, T2.lower(), T1]).thumbprints == [T1, T2.lower()]


def test_client_ids_are_sorted_and_deduplicated():
    assert spec(client_ids=["z", "sts.amazon.com", "z"]).client_ids == ["sts.amazon.com", "z"]


# -- plans (no AWS) -------------------------------------------------------------------------------------

def test_create_plan_sends_only_what_is_given():
    plan = ProviderManager(None, False).plan(spec(), None, PROVIDER_ARN)
    [call] = plan.calls
    assert call.operation == "create_open_id_connect_provider"
    assert call.params == {"Url": ISSUER, "ClientIDList": ["sts.amazon.com"], "Tags": MARK_TAG}
    assert plan.after.describe() == {"arn": PROVIDER_ARN, "url": ISSUER, "client_ids": ["sts.amazon.com"],
                                     "thumbprints": [], "tags": MARK}


def test_create_plan_with_everything():
    plan = ProviderManager(None, False).plan(
        spec(client_ids=["sts.amazon.com", "other"], thumbprints=[T1], provider_tags={"b": "2", "a": "1"}),
        None, PROVIDER_ARN)
    assert plan.calls[0].params == {"Url": ISSUER, "ClientIDList": ["other", "sts.amazon.com"], "ThumbprintList": [T1],
                                    "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}] + MARK_TAG}


def test_nothing_to_do():
    current = existing(client_ids=["sts.amazon.com", "other"], thumbprints=[T1], tags={"a": "1"})
    plan = ProviderManager(None, False).plan(spec(thumbprints=[T1.upper()], provider_tags={"a": "1"}), current,
                                             PROVIDER_ARN)
    assert not plan.changed
    assert plan.after.describe() == current.describe()


def test_audience_alone_is_added_and_other_client_ids_kept():
    plan = ProviderManager(None, False).plan(spec(audience="new.aud"), existing(client_ids=["sts.amazon.com"]),
                                             PROVIDER_ARN)
    assert operations(plan) == [("add_client_id_to_open_id_connect_provider", "new.aud")]
    assert plan.after.client_ids == ["new.aud", "sts.amazon.com"]


def test_exact_client_ids_are_added_before_others_are_removed():
    plan = ProviderManager(None, False).plan(spec(client_ids=["sts.amazon.com", "b"]),
                                             existing(client_ids=["a", "c"]), PROVIDER_ARN)
    assert operations(plan) == [
        ("add_client_id_to_open_id_connect_provider", "b"),
        ("add_client_id_to_open_id_connect_provider", "sts.amazon.com"),
        ("remove_client_id_from_open_id_connect_provider", "a"),
        ("remove_client_id_from_open_id_connect_provider", "c"),
    ]
    assert all(call.params["OpenIDConnectProviderArn"] == PROVIDER_ARN for call in plan.calls)


def test_thumbprints_replace_the_list_and_are_left_alone_when_not_given():
    manager = ProviderManager(None, False)
    plan = manager.plan(spec(thumbprints=[T3, T1]), existing(thumbprints=[T1, T2]), PROVIDER_ARN)
    assert [(c.operation, c.params["ThumbprintList"]) for c in plan.calls] == [
        ("update_open_id_connect_provider_thumbprint", sorted([T1, T3]))]
    assert not manager.plan(spec(), existing(thumbprints=[T1, T2]), PROVIDER_ARN).changed


@pytest.mark.parametrize("tags, purge, calls", [
    (None, True, []),
    ({"a": "1", "b": "2"}, True, []),
    ({"a": "1"}, True, [("untag_open_id_connect_provider", ["b"])]),
    ({"a": "2"}, True, [("tag_open_id_connect_provider", [{"Key": "a", "Value": "2"}]),
                        ("untag_open_id_connect_provider", ["b"])]),
    ({}, True, [("untag_open_id_connect_provider", ["a", "b"])]),
    ({}, False, []),
    ({"c": "3"}, False, [("tag_open_id_connect_provider", [{"Key": "c", "Value": "3"}])]),
])
def test_provider_tags(tags, purge, calls):
    plan = ProviderManager(None, False).plan(spec(provider_tags=tags, purge_provider_tags=purge),
                                             existing(tags={"a": "1", "b": "2"}), PROVIDER_ARN)
    assert [(c.operation, c.params.get("Tags", c.params.get("TagKeys"))) for c in plan.calls] == calls


def test_delete_plan():
    manager = ProviderManager(None, False)
    assert [c.operation for c in manager.plan_delete(existing()).calls] == ["delete_open_id_connect_provider"]
    assert not manager.plan_delete(None).changed


# -- against IAM (moto) -----------------------------------------------------------------------------------

def test_create_find_and_converge_in_place():
    with moto_iam() as (iam, _sts):
        manager = ProviderManager(iam, check_mode=False)
        assert manager.find(PROVIDER_ID) is None
        created = manager.apply(manager.plan(spec(provider_tags={"a": "1"}), None, PROVIDER_ARN))
        assert created.arn == PROVIDER_ARN

        found = manager.find(PROVIDER_ID, account=("aws", ACCOUNT))
        assert found.describe() == created.describe()
        assert manager.find(PROVIDER_ID).describe() == created.describe()

        iam.reset()
        wanted = spec(client_ids=["sts.amazon.com", "second"], thumbprints=[T1])
        after = manager.apply(manager.plan(wanted, found, found.arn))
        assert iam.writes == ["add_client_id_to_open_id_connect_provider",
                              "update_open_id_connect_provider_thumbprint"]
        assert manager.find(PROVIDER_ID).describe() == after.describe()
        assert after.client_ids == ["second", "sts.amazon.com"]

        iam.reset()
        again = manager.find(PROVIDER_ID, account=("aws", ACCOUNT))
        assert not manager.plan(wanted, again, again.arn).changed
        assert iam.writes == []


def test_check_mode_makes_no_request_and_predicts_the_result():
    with moto_iam() as (iam, _sts):
        manager = ProviderManager(iam, check_mode=True)
        predicted = manager.apply(manager.plan(spec(), None, PROVIDER_ARN))
        assert predicted.arn == PROVIDER_ARN
        assert iam.calls == []
        assert manager.find(PROVIDER_ID) is None


def test_a_provider_made_elsewhere_meanwhile_is_converged_not_duplicated():
    with moto_iam() as (iam, _sts):
        manager = ProviderManager(iam, check_mode=False)
        stale_plan = manager.plan(spec(client_ids=["sts.amazon.com", "b"]), None, PROVIDER_ARN)
        # A concurrent run of the collection made it (so it carries the mark).
        raw_iam().create_open_id_connect_provider(Url=ISSUER, ClientIDList=["sts.amazon.com"], Tags=MARK_TAG)
        after = manager.apply(stale_plan, replan=lambda: manager.plan(
            spec(client_ids=["sts.amazon.com", "b"]), manager.find(PROVIDER_ID), PROVIDER_ARN))
        assert after.client_ids == ["b", "sts.amazon.com"]
        assert iam.writes == ["create_open_id_connect_provider", "add_client_id_to_open_id_connect_provider"]
        assert len(raw_iam().list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 1


def test_delete():
    with moto_iam() as (iam, _sts):
        manager = ProviderManager(iam, check_mode=False)
        manager.apply(manager.plan(spec(), None, PROVIDER_ARN))
        manager.apply(manager.plan_delete(manager.find(PROVIDER_ID)))
        assert manager.find(PROVIDER_ID) is None


# -- thumbprints from the issuer's TLS chain ------------------------------------------------------------------

@pytest.fixture
def issuer(tmp_path):
    server = TlsServer(str(tmp_path))
    yield server
    server.close()


def test_thumbprint_is_the_sha1_of_the_last_certificate_presented(issuer):
    expected = hashlib.sha1(issuer.ca_der).hexdigest()
    assert top_certificate_thumbprint("127.0.0.1", issuer.port, issuer.ca_path) == expected
    assert issuer_thumbprints(parse_https_url(issuer.url, "issuer_url", allow_path=True), issuer.ca_path) == [expected]


def test_thumbprints_need_a_verified_connection(issuer):
    with pytest.raises(OciAwsError) as info:
        top_certificate_thumbprint("127.0.0.1", issuer.port)
    assert "issuer_ca_bundle" in info.value.msg


def test_thumbprints_need_the_discovery_document(issuer):
    with pytest.raises(OciAwsError) as info:
        issuer_thumbprints(parse_https_url(issuer.url + "/nowhere", "issuer_url", allow_path=True), issuer.ca_path)
    assert "/nowhere/.well-known/openid-configuration" in info.value.msg
    assert "thumbprints" in info.value.msg


# -- ownership and purge_client_ids ----------------------------------------------------------------------------

def test_a_provider_without_the_mark_is_refused_listing_what_would_change():
    with pytest.raises(OptionError) as info:
        ProviderManager(None, False).plan(spec(client_ids=["sts.amazon.com"]),
                                          existing(client_ids=["sts.amazon.com", "extra"], marked=False), PROVIDER_ARN)
    assert info.value.option == "adopt"
    assert "IAM OIDC provider" in info.value.msg and "client_ids" in info.value.msg and "adopt: true" in info.value.msg
    assert "one provider per issuer" in info.value.msg


def test_adopt_tags_the_provider():
    warned = []
    plan = ProviderManager(None, False, warn=warned.append).plan(spec(adopt=True), existing(marked=False), PROVIDER_ARN)
    assert [(c.operation, c.params.get("Tags")) for c in plan.calls] == [("tag_open_id_connect_provider", MARK_TAG)]
    assert warned


def test_delete_of_a_provider_without_the_mark_is_refused_unless_adopt():
    with pytest.raises(OptionError) as info:
        ProviderManager(None, False).plan_delete(existing(marked=False))
    assert info.value.option == "adopt"
    assert ProviderManager(None, False).plan_delete(existing(marked=False), adopt=True).calls


def test_provider_tags_cannot_set_the_mark_key():
    with pytest.raises(OptionError) as info:
        spec(provider_tags={"managed-by": "someone"})
    assert info.value.option == "provider_tags"


@pytest.mark.parametrize("purge, expected, removed", [
    (True, ["sts.amazon.com"], ["extra"]),
    (False, ["extra", "sts.amazon.com"], []),
])
def test_purge_client_ids(purge, expected, removed):
    plan = ProviderManager(None, False).plan(spec(client_ids=["sts.amazon.com"], purge_client_ids=purge),
                                             existing(client_ids=["sts.amazon.com", "extra"]), PROVIDER_ARN)
    assert plan.after.client_ids == expected
    assert [c for op, c in operations(plan) if op == "remove_client_id_from_open_id_connect_provider"] == removed
    assert plan.before.describe()["client_ids"] == ["extra", "sts.amazon.com"]
