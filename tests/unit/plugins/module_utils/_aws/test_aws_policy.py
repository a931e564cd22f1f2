import json

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import (
    canonical, check_identity_policy, check_provider_arn, check_trust_policy, check_trusts_provider, federated_principals, normalize_conditions,
    oidc_provider_id, parse_document, policies_equal, sorted_document, to_json, web_identity_trust_policy
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError

PID = "idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com"
ARN = "arn:aws:iam::123456789012:oidc-provider/" + PID


def trust(**condition):
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": ARN},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition or {"StringEquals": {PID + ":aud": "sts.amazon.com", PID + ":sub": "client-1"}},
        }],
    }


def stmt(**fields):
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    statement.update(fields)
    return {"Version": "2012-10-17", "Statement": [statement]}


# -- comparison: documents IAM considers equal ----------------------------------------------------

EQUAL = [
    ("key order", {"Version": "2012-10-17", "Statement": []}, {"Statement": [], "Version": "2012-10-17"}),
    ("statement order",
     {"Version": "2012-10-17", "Statement": [{"Sid": "a", "Effect": "Allow"}, {"Sid": "b", "Effect": "Deny"}]},
     {"Version": "2012-10-17", "Statement": [{"Sid": "b", "Effect": "Deny"}, {"Sid": "a", "Effect": "Allow"}]}),
    ("action order", stmt(Action=["s3:GetObject", "s3:PutObject"]), stmt(Action=["s3:PutObject", "s3:GetObject"])),
    ("one-item list equals scalar", stmt(Action=["s3:GetObject"]), stmt(Action="s3:GetObject")),
    ("statement object equals one-item list",
     {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "x:y", "Resource": "*"}},
     {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "x:y", "Resource": "*"}]}),
    ("duplicates in a list", stmt(Action=["s3:GetObject", "s3:GetObject"]), stmt(Action="s3:GetObject")),
    ("bool equals its string", stmt(Condition={"Bool": {"aws:SecureTransport": True}}),
     stmt(Condition={"Bool": {"aws:SecureTransport": "true"}})),
    ("false equals its string", stmt(Condition={"Bool": {"aws:SecureTransport": False}}),
     stmt(Condition={"Bool": {"aws:SecureTransport": "false"}})),
    ("int equals its string", stmt(Condition={"NumericLessThan": {"s3:max-keys": 10}}),
     stmt(Condition={"NumericLessThan": {"s3:max-keys": "10"}})),
    ("principal star", stmt(Principal="*"), stmt(Principal={"AWS": "*"})),
    ("principal star in a list", stmt(Principal="*"), stmt(Principal={"AWS": ["*"]})),
    ("not-principal star", stmt(NotPrincipal="*"), stmt(NotPrincipal={"AWS": "*"})),
    ("root ARN equals account", stmt(Principal={"AWS": "arn:aws:iam::123456789012:root"}),
     stmt(Principal={"AWS": "123456789012"})),
    ("root ARN in another partition", stmt(Principal={"AWS": ["arn:aws-cn:iam::123456789012:root"]}),
     stmt(Principal={"AWS": "123456789012"})),
    ("missing version is 2008-10-17", {"Statement": []}, {"Version": "2008-10-17", "Statement": []}),
    ("JSON text equals dict", json.dumps(trust()), trust()),
    ("JSON text with other spacing", json.dumps(trust(), indent=4, sort_keys=True), json.dumps(trust())),
    ("condition values reordered",
     trust(StringEquals={PID + ":aud": "sts.amazon.com", PID + ":sub": ["b", "a"]}),
     trust(StringEquals={PID + ":sub": ["a", "b"], PID + ":aud": "sts.amazon.com"})),
    ("condition operators reordered",
     trust(StringEquals={PID + ":aud": "x"}, StringLike={PID + ":sub": "c*"}),
     trust(StringLike={PID + ":sub": "c*"}, StringEquals={PID + ":aud": "x"})),
    ("federated one-item list", trust(), {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": [ARN]}, "Action": ["sts:AssumeRoleWithWebIdentity"],
            "Condition": {"StringEquals": {PID + ":aud": ["sts.amazon.com"], PID + ":sub": ["client-1"]}},
        }],
    }),
    ("nested lists are sets too", stmt(Resource=[["a", "b"], ["c"]]), stmt(Resource=["c", ["b", "a"]])),
    ("identical", trust(), trust()),
]


@pytest.mark.parametrize("left, right", [c[1:] for c in EQUAL], ids=[c[0] for c in EQUAL])
def test_equal_documents(left, right):
    assert policies_equal(left, right)
    assert policies_equal(right, left)
    assert hash(canonical(left)) == hash(canonical(right))


# -- comparison: documents that differ -------------------------------------------------------------

DIFFERENT = [
    ("another audience", trust(StringEquals={PID + ":aud": "sts.amazon.com"}),
     trust(StringEquals={PID + ":aud": "sts.amazonaws.com"})),
    ("sub added", trust(StringEquals={PID + ":aud": "a"}), trust(StringEquals={PID + ":aud": "a", PID + ":sub": "c"})),
    ("another subject in the list", trust(StringEquals={PID + ":sub": ["a", "b"]}),
     trust(StringEquals={PID + ":sub": ["a", "c"]})),
    ("list is not its first item", stmt(Action=["s3:GetObject", "s3:PutObject"]), stmt(Action="s3:GetObject")),
    ("explicit 2012 version vs none", {"Version": "2012-10-17", "Statement": []}, {"Statement": []}),
    ("effect", stmt(Effect="Allow"), stmt(Effect="Deny")),
    ("operator", trust(StringEquals={PID + ":aud": "a"}), trust(StringLike={PID + ":aud": "a"})),
    ("key case (values compare exactly)", stmt(Action="s3:GetObject"), stmt(Action="s3:getobject")),
    ("trailing slash in the provider", trust(StringEquals={PID + ":aud": "a"}),
     trust(StringEquals={PID + "/:aud": "a"})),
    ("principal type", stmt(Principal={"AWS": "*"}), stmt(Principal={"Federated": "*"})),
    ("root of another account", stmt(Principal={"AWS": "arn:aws:iam::123456789012:root"}),
     stmt(Principal={"AWS": "210987654321"})),
    ("user ARN is not the account", stmt(Principal={"AWS": "arn:aws:iam::123456789012:user/x"}),
     stmt(Principal={"AWS": "123456789012"})),
    ("string true vs other text", stmt(Condition={"Bool": {"k": True}}), stmt(Condition={"Bool": {"k": "yes"}})),
    ("empty list vs missing key", stmt(Condition={}), stmt()),
    ("unparseable text vs document", "not json", trust()),
    ("None vs document", None, trust()),
    ("extra statement", trust(), {"Version": "2012-10-17", "Statement": trust()["Statement"] + stmt()["Statement"]}),
]


@pytest.mark.parametrize("left, right", [c[1:] for c in DIFFERENT], ids=[c[0] for c in DIFFERENT])
def test_different_documents(left, right):
    assert not policies_equal(left, right)
    assert not policies_equal(right, left)


def test_unparseable_text_equals_itself_only():
    assert policies_equal("not%20json", "not%20json")
    assert not policies_equal("not%20json", "not json")


def test_comparison_does_not_modify_the_documents():
    document = {"Statement": [{"Principal": "*", "Action": ["b", "a"]}]}
    before = json.dumps(document)
    policies_equal(document, trust())
    assert json.dumps(document) == before


# -- stable form for diffs and return values ---------------------------------------------------------

def test_sorted_document_orders_keys_and_lists_without_changing_meaning():
    document = {"Version": "2012-10-17", "Statement": [
        {"Sid": "b", "Effect": "Allow", "Action": ["s3:Put", "s3:Get"], "Resource": "*"},
        {"Sid": "a", "Effect": "Deny", "Action": "s3:Delete", "Resource": "*"},
    ]}
    shown = sorted_document(document)
    assert list(shown) == ["Statement", "Version"]
    assert [s["Sid"] for s in shown["Statement"]] == ["a", "b"]
    assert shown["Statement"][1]["Action"] == ["s3:Get", "s3:Put"]
    assert list(shown["Statement"][1]) == ["Action", "Effect", "Resource", "Sid"]
    assert policies_equal(shown, document)
    assert sorted_document(shown) == shown


def test_sorted_document_is_the_same_for_equal_documents_written_differently():
    first = sorted_document(json.loads(json.dumps(trust(StringEquals={PID + ":sub": ["b", "a"]}))))
    second = sorted_document(trust(StringEquals={PID + ":sub": ["a", "b"]}))
    assert json.dumps(first) == json.dumps(second)


def test_to_json_is_compact_and_sorted():
    assert to_json({"b": 1, "a": [2]}) == '{"a":[2],"b":1}'


# -- the generated trust policy ------------------------------------------------------------------------

def test_generated_trust_policy_for_one_subject():
    assert web_identity_trust_policy(ARN, PID, "sts.amazon.com", ["client-1"]) == trust()


def test_generated_trust_policy_for_several_subjects_is_sorted_and_deduplicated():
    policy = web_identity_trust_policy(ARN, PID, "sts.amazon.com", ["c2", "c1", "c2"])
    assert policy["Statement"][0]["Condition"]["StringEquals"][PID + ":sub"] == ["c1", "c2"]


def test_generated_trust_policy_without_subjects_checks_the_audience_only():
    policy = web_identity_trust_policy(ARN, PID, "sts.amazon.com")
    assert policy["Statement"][0]["Condition"] == {"StringEquals": {PID + ":aud": "sts.amazon.com"}}


def test_generated_trust_policy_merges_extra_conditions():
    extra = {"StringLike": {PID + ":amr": "client*"}, "StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    policy = web_identity_trust_policy(ARN, PID, "aud", ["c"], extra)
    assert policy["Statement"][0]["Condition"] == {
        "StringEquals": {PID + ":aud": "aud", PID + ":sub": "c", "aws:RequestedRegion": "eu-west-1"},
        "StringLike": {PID + ":amr": "client*"},
    }
    check_trust_policy(policy, "x")


def test_generated_trust_policy_with_a_port_and_a_path():
    provider_id = "127.0.0.1:8443/tenant"
    policy = web_identity_trust_policy("arn:aws:iam::1:oidc-provider/" + provider_id, provider_id, "a", ["c"])
    assert set(policy["Statement"][0]["Condition"]["StringEquals"]) == {provider_id + ":aud", provider_id + ":sub"}


# -- extra conditions ------------------------------------------------------------------------------------

RESERVED = {PID + ":aud": "audience", PID + ":sub": "subjects"}


def test_short_condition_keys_are_claims_of_the_provider():
    assert normalize_conditions({"StringLike": {"amr": ["a", True, 3]}, "Bool": {"aws:SecureTransport": True}},
                                PID, RESERVED) == {
        "StringLike": {PID + ":amr": ["a", "true", "3"]},
        "Bool": {"aws:SecureTransport": "true"},
    }


@pytest.mark.parametrize("conditions, words", [
    (["StringEquals"], "mapping"),
    ({"StringEquals": "x"}, "operator"),
    ({"not an operator": {"k": "v"}}, "operator"),
    ({"StringEquals": {}}, "operator"),
    ({"StringEquals": {"aud": "other"}}, "audience"),
    ({"StringEquals": {PID + ":sub": "other"}}, "subjects"),
    ({"StringLike": {"amr": []}}, "value"),
    ({"StringLike": {"amr": {"a": 1}}}, "value"),
])
def test_bad_conditions(conditions, words):
    with pytest.raises(OptionError) as info:
        normalize_conditions(conditions, PID, RESERVED)
    assert info.value.option == "conditions"
    assert words in info.value.msg


def test_other_operators_on_reserved_keys_are_allowed():
    assert normalize_conditions({"StringLike": {"sub": "client-*"}}, PID, RESERVED) == {
        "StringLike": {PID + ":sub": "client-*"}}


# -- checks of given documents -------------------------------------------------------------------------------

def test_parse_document_accepts_text_and_mappings_and_copies():
    document = trust()
    parsed = parse_document(document, "trust_policy")
    parsed["Statement"][0]["Effect"] = "Deny"
    assert document["Statement"][0]["Effect"] == "Allow"
    assert parse_document(json.dumps(document), "trust_policy") == document


@pytest.mark.parametrize("value, words", [
    ("{not json", "not valid JSON"),
    ('["a list"]', "JSON object"),
    (42, "JSON object"),
])
def test_parse_document_refuses(value, words):
    with pytest.raises(OptionError) as info:
        parse_document(value, "trust_policy")
    assert info.value.option == "trust_policy"
    assert words in info.value.msg


@pytest.mark.parametrize("document, words", [
    ({"Statement": trust()["Statement"]}, "Version"),
    ({"Version": "2008-10-17", "Statement": trust()["Statement"]}, "Version"),
    ({"Version": "2012-10-17"}, "no Statement"),
    ({"Version": "2012-10-17", "Statement": []}, "non-empty"),
    ({"Version": "2012-10-17", "Statement": ["x"]}, "objects"),
    (stmt(Effect="Permit"), "Effect"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*"}]}, "no Action"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}, "no Principal"),
    (stmt(Principal="*", Action="sts:AssumeRole"), "Resource"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]},
     "s3:GetObject"),
])
def test_not_a_trust_policy(document, words):
    with pytest.raises(OptionError) as info:
        check_trust_policy(document, "trust_policy")
    assert info.value.option == "trust_policy"
    assert words in info.value.msg


def test_trust_policy_actions_are_case_insensitive():
    document = trust()
    document["Statement"][0]["Action"] = ["STS:AssumeRoleWithWebIdentity", "sts:TagSession"]
    check_trust_policy(document, "trust_policy")


@pytest.mark.parametrize("document, words", [
    (stmt(Principal="*"), "Principal"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}, "no Resource"),
])
def test_not_a_permissions_policy(document, words):
    with pytest.raises(OptionError) as info:
        check_identity_policy(document, "inline_policies.read")
    assert info.value.option == "inline_policies.read"
    assert words in info.value.msg


def test_permissions_policy_with_not_resource_is_accepted():
    check_identity_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::x"}]}, "inline_policies.x")


# -- the provider a given trust policy names -------------------------------------------------------------------

def test_federated_principals_of_allow_statements_only():
    document = trust()
    document["Statement"].append({"Effect": "Deny", "Principal": {"Federated": "other"}, "Action": "sts:*"})
    document["Statement"].append({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})
    assert federated_principals(document) == {ARN}


def test_oidc_provider_id():
    assert oidc_provider_id(ARN) == ("aws", "123456789012", PID)
    assert oidc_provider_id("arn:aws-us-gov:iam::123456789012:oidc-provider/h:8443/p/") == (
        "aws-us-gov", "123456789012", "h:8443/p/")
    assert oidc_provider_id("arn:aws:iam::123456789012:saml-provider/x") is None


def test_trust_policy_must_name_the_provider_exactly():
    check_trusts_provider(trust(), PID, "trust_policy")
    with pytest.raises(OptionError) as info:
        check_trusts_provider(trust(), PID + "/", "trust_policy")
    assert "trailing slash" in info.value.msg and PID + "/" in info.value.msg


@pytest.mark.parametrize("key", [PID + "/:aud", "127.0.0.1:8443:sub", "{{ provider_id }}:sub"])
def test_trust_policy_conditions_must_name_the_provider(key):
    document = trust(StringEquals={PID + ":aud": "sts.amazon.com", key: "client-1"})
    with pytest.raises(OptionError) as info:
        check_trusts_provider(document, PID, "trust_policy")
    assert key in info.value.msg and PID + ":" + key.rpartition(":")[2] in info.value.msg


def test_trust_policy_conditions_on_other_keys_and_well_known_providers_are_accepted():
    document = trust(StringEquals={PID + ":aud": "a", "aws:RequestedRegion": "eu-west-1"},
                     StringLike={"sts:RoleSessionName": "x*"})
    document["Statement"].append({"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
                                  "Action": "sts:AssumeRoleWithWebIdentity",
                                  "Condition": {"StringEquals": {"accounts.google.com:aud": "g"}}})
    check_trusts_provider(document, PID, "trust_policy")


def test_trust_policy_without_any_provider():
    document = stmt(Principal={"AWS": "123456789012"}, Action="sts:AssumeRole")
    del document["Statement"][0]["Resource"]
    with pytest.raises(OptionError) as info:
        check_trusts_provider(document, PID, "trust_policy")
    assert "oidc-provider/" + PID in info.value.msg


def test_trust_policy_must_name_the_providers_account():
    check_provider_arn(trust(), ARN, "trust_policy")
    with pytest.raises(OptionError) as info:
        check_provider_arn(trust(), ARN.replace("123456789012", "210987654321"), "trust_policy")
    assert "210987654321" in info.value.msg
