import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.names import (
    check_path, check_policy_arn, check_policy_name, check_role_name, check_session_duration
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.tags import check_tags, desired_tags, tag_changes, tag_list, tags_dict
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError


@pytest.mark.parametrize("name", ["r", "oci-federated_role.1+=,@", "x" * 64])
def test_valid_role_names(name):
    assert check_role_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 65, "has space", "slash/role", "colon:role", "é"])
def test_invalid_role_names(name):
    with pytest.raises(OptionError) as info:
        check_role_name(name)
    assert info.value.option == "role_name"


@pytest.mark.parametrize("path", ["/", "/a/", "/division/team-1/", "/" + "a" * 510 + "/"])
def test_valid_paths(path):
    assert check_path(path) == path


@pytest.mark.parametrize("path", ["", "a/", "/a", "//x y/", "/" + "a" * 511 + "/", "/é/"])
def test_invalid_paths(path):
    with pytest.raises(OptionError) as info:
        check_path(path)
    assert info.value.option == "path"


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::123456789012:policy/team/reports-read",
    "arn:aws-us-gov:iam::123456789012:policy/x",
])
def test_valid_policy_arns(arn):
    assert check_policy_arn(arn, "managed_policy_arns") == arn


@pytest.mark.parametrize("arn", [
    "ReadOnlyAccess",
    "arn:aws:iam::aws:role/ReadOnlyAccess",
    "arn:aws:iam::12345:policy/x",
    "arn:aws:s3:::bucket",
    "arn:aws:iam::123456789012:policy/",
    "arn:aws:iam::123456789012:policy/has space",
])
def test_malformed_policy_arns(arn):
    with pytest.raises(OptionError) as info:
        check_policy_arn(arn, "managed_policy_arns")
    assert info.value.option == "managed_policy_arns"
    assert "arn:aws:iam::aws:policy/" in info.value.msg


def test_policy_names():
    assert check_policy_name("read-s3", "inline_policies.read-s3") == "read-s3"
    with pytest.raises(OptionError) as info:
        check_policy_name("read s3", "inline_policies.read s3")
    assert info.value.option == "inline_policies.read s3"


@pytest.mark.parametrize("seconds, valid", [(3599, False), (3600, True), (43200, True), (43201, False), (0, False)])
def test_session_duration_bounds(seconds, valid):
    if valid:
        assert check_session_duration(seconds) == seconds
    else:
        with pytest.raises(OptionError) as info:
            check_session_duration(seconds)
        assert info.value.option == "max_session_duration"
        assert "3600" in info.value.msg and "43200" in info.value.msg


def test_tags_numbers_become_strings():
    assert check_tags({"owner": "platform", "cost centre": 42, "ratio": 1.5, "empty": ""}, "tags") == {
        "owner": "platform", "cost centre": "42", "ratio": "1.5", "empty": ""}


@pytest.mark.parametrize("tags, words", [
    ({"aws:reserved": "x"}, "aws:"),
    ({"": "x"}, "tag key"),
    ({"k" * 129: "x"}, "tag key"),
    ({"k": "v" * 257}, "256"),
    ({"k": "bad<value>"}, "value"),
    ({"k": True}, "quote"),
    ({"k": ["a"]}, "string"),
    ({"k%d" % i: "v" for i in range(51)}, "at most 50"),
])
def test_invalid_tags(tags, words):
    with pytest.raises(OptionError) as info:
        check_tags(tags, "provider_tags")
    assert info.value.option == "provider_tags"
    assert words in info.value.msg


def test_tag_list_round_trip():
    assert tag_list({"b": "2", "a": "1"}) == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    assert tags_dict(tag_list({"b": "2", "a": "1"})) == {"a": "1", "b": "2"}
    assert tags_dict(None) == {}


@pytest.mark.parametrize("current, wanted, purge, expected", [
    ({"a": "1"}, None, True, {"a": "1"}),
    ({"a": "1"}, {}, True, {}),
    ({"a": "1"}, {}, False, {"a": "1"}),
    ({"a": "1", "b": "2"}, {"b": "3"}, True, {"b": "3"}),
    ({"a": "1", "b": "2"}, {"b": "3"}, False, {"a": "1", "b": "3"}),
])
def test_desired_tags(current, wanted, purge, expected):
    assert desired_tags(current, wanted, purge) == expected


def test_tag_changes():
    assert tag_changes({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "x", "d": "4"}) == (
        {"b": "x", "d": "4"}, ["c"])
    assert tag_changes({"a": "1"}, {"a": "1"}) == ({}, [])
