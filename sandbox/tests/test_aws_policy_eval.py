"""Unit tests of the trust-policy evaluation behind the sandbox's STS gate (`oci_aws_sandbox.policy_eval`),
against the IAM User Guide rules quoted in its docstring. No sandbox needed."""

import json

import pytest

from oci_aws_sandbox.policy_eval import ALLOW, DENY, IMPLICIT_DENY, RequestContext, UnsupportedPolicy, condition_matches, evaluate

PROVIDER = "arn:aws:iam::123456789012:oidc-provider/idcs.example"
ACTION = "sts:AssumeRoleWithWebIdentity"


def context(**keys):
    defaults = {"idcs.example:aud": "sts.amazon.com", "idcs.example:sub": "client-1",
                "idcs.example:oaud": ["sts.amazon.com"], "idcs.example:amr": None}
    defaults.update(keys)
    return RequestContext(action=ACTION, principal_type="Federated", principal=PROVIDER, keys=defaults)


def statement(effect="Allow", principal=None, action=ACTION, condition=None, **extra):
    result = {"Effect": effect, "Principal": principal or {"Federated": PROVIDER}, "Action": action, **extra}
    if condition:
        result["Condition"] = condition
    return result


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# -- statements ------------------------------------------------------------------------------------

def test_matching_allow_allows_and_nothing_matching_is_an_implicit_deny():
    assert evaluate(policy(statement()), context()) == ALLOW
    assert evaluate(policy(statement(action="sts:AssumeRole")), context()) == IMPLICIT_DENY
    assert evaluate(policy(), context()) == IMPLICIT_DENY


def test_explicit_deny_overrides_allow_in_any_order():
    for order in ((statement(), statement("Deny")), (statement("Deny"), statement())):
        assert evaluate(policy(*order), context()) == DENY


def test_single_statement_object_and_parsed_document_are_accepted():
    assert evaluate({"Version": "2012-10-17", "Statement": statement()}, context()) == ALLOW


@pytest.mark.parametrize("principal, expected", [
    ("*", ALLOW),
    ({"AWS": "*"}, ALLOW),
    ({"Federated": [PROVIDER + "-other", PROVIDER]}, ALLOW),
    ({"Federated": PROVIDER + "-other"}, IMPLICIT_DENY),
    ({"AWS": "arn:aws:iam::123456789012:root"}, IMPLICIT_DENY),
])
def test_principal(principal, expected):
    assert evaluate(policy(statement(principal=principal)), context()) == expected


def test_not_principal_matches_everyone_else():
    deny_others = {"Effect": "Deny", "NotPrincipal": {"Federated": PROVIDER}, "Action": "*"}
    assert evaluate(policy(statement(principal="*"), deny_others), context()) == ALLOW
    other = RequestContext(action=ACTION, principal_type="Federated", principal=PROVIDER + "-other")
    assert evaluate(policy(statement(principal="*"), deny_others), other) == DENY


@pytest.mark.parametrize("action, expected", [
    ("sts:*", ALLOW), ("STS:assumerolewithwebidentity", ALLOW), ("sts:AssumeRole*", ALLOW),
    ("sts:AssumeRoleWith???????????", ALLOW), ("sts:AssumeRole", IMPLICIT_DENY), (["s3:*", ACTION], ALLOW),
])
def test_action_wildcards_and_case(action, expected):
    assert evaluate(policy(statement(action=action)), context()) == expected


def test_not_action():
    allow_all_but_saml = {"Effect": "Allow", "Principal": "*", "NotAction": "sts:AssumeRoleWithSAML"}
    assert evaluate(policy(allow_all_but_saml), context()) == ALLOW
    only_web = {"Effect": "Allow", "Principal": "*", "NotAction": "sts:AssumeRoleWith*"}
    assert evaluate(policy(only_web), context()) == IMPLICIT_DENY


# -- conditions ------------------------------------------------------------------------------------

def test_values_of_one_key_are_ored_keys_and_operators_are_anded():
    condition = {"StringEquals": {"idcs.example:aud": ["other", "sts.amazon.com"], "idcs.example:sub": "client-1"},
                 "StringLike": {"idcs.example:sub": "client-*"}}
    assert evaluate(policy(statement(condition=condition)), context()) == ALLOW
    assert evaluate(policy(statement(condition=condition)), context(**{"idcs.example:sub": "client-2"})) == IMPLICIT_DENY


def test_condition_key_names_are_case_insensitive_values_are_not():
    assert condition_matches("StringEquals", ["client-1"], "client-1")
    condition = {"StringEquals": {"IDCS.EXAMPLE:SUB": "client-1"}}
    assert evaluate(policy(statement(condition=condition)), context()) == ALLOW
    assert not condition_matches("StringEquals", ["Client-1"], "client-1")
    assert condition_matches("StringEqualsIgnoreCase", ["Client-1"], "client-1")
    assert not condition_matches("StringNotEqualsIgnoreCase", ["Client-1"], "client-1")


@pytest.mark.parametrize("pattern, value, expected", [
    ("repo:*", "repo:org/x:ref", True),
    ("client-?", "client-1", True),
    ("client-?", "client-10", False),
    ("a.b", "axb", False),
    ("[ab]", "a", False),
    ("[ab]", "[ab]", True),
    ("*", "", True),
])
def test_string_like_knows_only_star_and_question_mark(pattern, value, expected):
    assert condition_matches("StringLike", [pattern], value) is expected
    assert condition_matches("StringNotLike", [pattern], value) is not expected


def test_negated_operator_needs_the_value_to_match_none_of_the_listed_values():
    assert condition_matches("StringNotEquals", ["a", "b"], "c")
    assert not condition_matches("StringNotEquals", ["a", "b"], "b")


def test_missing_key_fails_positive_operators_and_satisfies_negated_ones():
    assert not condition_matches("StringEquals", ["x"], None)
    assert not condition_matches("StringLike", ["*"], None)
    assert condition_matches("StringNotEquals", ["x"], None)
    assert condition_matches("StringNotLike", ["x"], None)


def test_if_exists_is_true_for_a_missing_key_and_checks_a_present_one():
    assert condition_matches("StringEqualsIfExists", ["x"], None)
    assert condition_matches("StringEqualsIfExists", ["x"], "x")
    assert not condition_matches("StringEqualsIfExists", ["x"], "y")


def test_null_tests_presence():
    assert condition_matches("Null", ["true"], None)
    assert condition_matches("Null", ["true"], [])
    assert not condition_matches("Null", ["true"], "x")
    assert condition_matches("Null", ["false"], "x")
    assert not condition_matches("Null", ["false"], None)


def test_boolean_and_number_policy_values_compare_as_iam_writes_them():
    condition = {"StringEquals": {"idcs.example:sub": True, "idcs.example:aud": 42}}
    ctx = context(**{"idcs.example:sub": "true", "idcs.example:aud": "42"})
    assert evaluate(policy(statement(condition=condition)), ctx) == ALLOW


def test_for_any_value_needs_one_request_value_and_fails_on_missing_or_empty():
    assert condition_matches("ForAnyValue:StringEquals", ["mfa"], ["pwd", "mfa"])
    assert not condition_matches("ForAnyValue:StringEquals", ["mfa"], ["pwd"])
    assert not condition_matches("ForAnyValue:StringEquals", ["mfa"], None)
    assert not condition_matches("ForAnyValue:StringEquals", ["mfa"], [])
    assert condition_matches("ForAnyValue:StringNotEquals", ["pwd"], ["pwd", "mfa"])
    assert not condition_matches("ForAnyValue:StringNotEquals", ["pwd"], ["pwd"])


def test_for_all_values_needs_every_request_value_and_holds_on_missing_or_empty():
    assert condition_matches("ForAllValues:StringLike", ["sts.*", "idcs-*"], ["sts.amazon.com", "idcs-1"])
    assert not condition_matches("ForAllValues:StringLike", ["sts.*"], ["sts.amazon.com", "idcs-1"])
    assert condition_matches("ForAllValues:StringEquals", ["x"], None)
    assert condition_matches("ForAllValues:StringEquals", ["x"], [])
    assert condition_matches("forallvalues:stringnotequals", ["pwd"], ["mfa", "otp"])
    assert not condition_matches("ForAllValues:StringNotEquals", ["pwd"], ["mfa", "pwd"])


def test_set_operator_on_a_single_valued_key_treats_it_as_one_value():
    assert condition_matches("ForAnyValue:StringEquals", ["a"], "a")
    assert not condition_matches("ForAllValues:StringEquals", ["a"], "b")


def test_multivalued_key_without_set_operator():
    assert condition_matches("StringEquals", ["mfa"], ["pwd", "mfa"])
    assert not condition_matches("StringNotEquals", ["mfa"], ["pwd", "mfa"])
    assert condition_matches("StringNotEquals", ["otp"], ["pwd", "mfa"])


def test_arn_operators():
    assert condition_matches("ArnLike", ["arn:aws:iam::*:oidc-provider/idcs.*"], PROVIDER)
    assert condition_matches("ArnEquals", [PROVIDER], PROVIDER)
    assert condition_matches("ArnNotLike", ["arn:aws:iam::*:saml-provider/*"], PROVIDER)


# -- what the evaluator refuses to guess -----------------------------------------------------------

@pytest.mark.parametrize("document", [
    "not json",
    json.dumps({"Version": "2012-10-17"}),
    json.dumps({"Statement": [statement(effect="Maybe")]}),
    json.dumps({"Statement": [{"Effect": "Allow", "Action": ACTION}]}),
    json.dumps({"Statement": [statement(condition={"NumericLessThan": {"idcs.example:exp": "1"}})]}),
    json.dumps({"Statement": [statement(condition={"ForSomeValues:StringEquals": {"idcs.example:sub": "x"}})]}),
])
def test_unsupported_documents_raise(document):
    with pytest.raises(UnsupportedPolicy):
        evaluate(document, context())
