import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import NEW_ENTITY, NEW_PRINCIPAL
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import web_identity_trust_policy
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import Role, RoleManager, RoleSpec, role_arn
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import (
    ACCOUNT,
    PROVIDER_ARN,
    PROVIDER_ID,
    moto_iam,
    raw_iam,
)

ARN = role_arn("aws", ACCOUNT, "/", "oci-role")
TRUST = web_identity_trust_policy(PROVIDER_ARN, PROVIDER_ID, "sts.amazon.com", ["client-1"])
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
WRITE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}
POLICY_A = "arn:aws:iam::%s:policy/a" % ACCOUNT
POLICY_B = "arn:aws:iam::%s:policy/b" % ACCOUNT


def spec(**params):
    base = {"role_name": "oci-role"}
    base.update(params)
    return RoleSpec.from_params(base)


MARK = {"managed-by": "multicloud.oci_aws"}
MARK_TAG = [{"Key": "managed-by", "Value": "multicloud.oci_aws"}]


def current(marked=True, **fields):
    """A role as IAM has it; ``marked``: created by the collection (its tag managed-by=multicloud.oci_aws)."""
    values = dict(name="oci-role", arn=ARN, path="/", description="d", max_session_duration=7200, trust_policy=TRUST,
                  permissions_boundary=None, tags={}, managed_policy_arns=[], inline_policies={})
    values.update(fields)
    values["tags"] = dict(MARK if marked else {}, **values["tags"])
    return Role(**values)


def calls(plan):
    return [(call.operation, call.params) for call in plan.calls]


def plan(wanted, before, trust=None, new_provider=False):
    return RoleManager(None, False).plan(wanted, trust or TRUST, before, ARN, new_provider=new_provider)


# -- options -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, option, words", [
    ({"role_name": "bad name"}, "role_name", "valid IAM role name"),
    ({"role_name": "x" * 65}, "role_name", "1 to 64"),
    ({"path": "no-slashes"}, "path", "starts and ends with /"),
    ({"max_session_duration": 900}, "max_session_duration", "3600"),
    ({"max_session_duration": 86400}, "max_session_duration", "43200"),
    ({"description": "x" * 1001}, "description", "1000"),
    ({"permissions_boundary": "AdministratorAccess"}, "permissions_boundary", "managed policy ARN"),
    ({"managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"]}, "managed_policy_arns",
     "'ReadOnlyAccess' is not a managed policy ARN"),
    ({"inline_policies": {"read": "{not json"}}, "inline_policies.read", "not valid JSON"),
    ({"inline_policies": {"read": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}}},
     "inline_policies.read", "no Resource"),
    ({"inline_policies": {"bad name": READ}}, "inline_policies.bad name", "policy name"),
    ({"tags": {"aws:owner": "x"}}, "tags", "aws:"),
])
def test_bad_role_options(params, option, words):
    with pytest.raises(OptionError) as info:
        spec(**params)
    assert info.value.option == option
    assert words in info.value.msg


def test_spec_values():
    made = spec(path="/team/", managed_policy_arns=[POLICY_B, POLICY_A, POLICY_B], inline_policies={"read": json.dumps(READ)},
                permissions_boundary="", tags={"n": 1})
    assert made.managed_policy_arns == [POLICY_A, POLICY_B]
    assert made.inline_policies == {"read": READ}
    assert made.permissions_boundary == ""
    assert made.tags == {"n": "1"}
    assert spec().path is None and spec().max_session_duration is None


# -- plans (no AWS) ---------------------------------------------------------------------------------------------

def test_create_plan():
    made = plan(spec(description="d", inline_policies={"read": READ}, managed_policy_arns=[POLICY_A], tags={"t": "v"},
                     permissions_boundary=POLICY_B), None, new_provider=True)
    assert [c.operation for c in made.calls] == ["create_role", "attach_role_policy", "put_role_policy"]
    create = made.calls[0]
    assert create.params == {
        "RoleName": "oci-role", "Path": "/", "AssumeRolePolicyDocument": json.dumps(TRUST, sort_keys=True,
                                                                                    separators=(",", ":")),
        "MaxSessionDuration": 3600, "Description": "d", "PermissionsBoundary": POLICY_B,
        "Tags": MARK_TAG + [{"Key": "t", "Value": "v"}]}
    assert create.eventual == NEW_PRINCIPAL
    assert made.calls[1].eventual == made.calls[2].eventual == NEW_ENTITY
    assert made.after.arn == ARN and made.after.max_session_duration == 3600


def test_nothing_to_do_when_everything_matches():
    before = current(tags={"t": "v"}, managed_policy_arns=[POLICY_A], inline_policies={"read": READ},
                     permissions_boundary=POLICY_B)
    assert not plan(spec(description="d", max_session_duration=7200, tags={"t": "v"}, managed_policy_arns=[POLICY_A],
                         inline_policies={"read": READ}, permissions_boundary=POLICY_B), before).changed


def test_none_leaves_everything_alone():
    before = current(tags={"t": "v"}, managed_policy_arns=None, inline_policies=None, permissions_boundary=POLICY_B)
    made = plan(spec(), before)
    assert not made.changed
    assert made.after.describe() == before.describe()


def test_reordered_trust_policy_is_no_change():
    stored = json.loads(json.dumps(TRUST))
    stored["Statement"][0]["Action"] = ["sts:AssumeRoleWithWebIdentity"]
    stored["Statement"][0]["Condition"]["StringEquals"] = dict(reversed(list(
        stored["Statement"][0]["Condition"]["StringEquals"].items())))
    made = plan(spec(), current(trust_policy=stored))
    assert not made.changed
    assert made.after.trust_policy is stored


def test_trust_policy_change():
    other = web_identity_trust_policy(PROVIDER_ARN, PROVIDER_ID, "sts.amazon.com", ["client-2"])
    made = plan(spec(), current(), trust=other, new_provider=True)
    assert [c.operation for c in made.calls] == ["update_assume_role_policy"]
    assert json.loads(made.calls[0].params["PolicyDocument"]) == other
    assert made.calls[0].eventual == NEW_PRINCIPAL


@pytest.mark.parametrize("wanted, params", [
    ({"description": "new"}, {"RoleName": "oci-role", "Description": "new", "MaxSessionDuration": 7200}),
    ({"max_session_duration": 3600}, {"RoleName": "oci-role", "Description": "d", "MaxSessionDuration": 3600}),
    ({"description": "new", "max_session_duration": 43200},
     {"RoleName": "oci-role", "Description": "new", "MaxSessionDuration": 43200}),
])
def test_update_role_always_sends_both_attributes(wanted, params):
    assert calls(plan(spec(**wanted), current())) == [("update_role", params)]


def test_update_role_without_any_description():
    made = plan(spec(max_session_duration=3600), current(description=None))
    assert calls(made) == [("update_role", {"RoleName": "oci-role", "MaxSessionDuration": 3600})]


@pytest.mark.parametrize("before, wanted, expected", [
    (None, POLICY_A, [("put_role_permissions_boundary", {"RoleName": "oci-role", "PermissionsBoundary": POLICY_A})]),
    (POLICY_B, POLICY_A, [("put_role_permissions_boundary", {"RoleName": "oci-role", "PermissionsBoundary": POLICY_A})]),
    (POLICY_A, "", [("delete_role_permissions_boundary", {"RoleName": "oci-role"})]),
    (None, "", []),
    (POLICY_A, None, []),
])
def test_permissions_boundary(before, wanted, expected):
    assert calls(plan(spec(permissions_boundary=wanted), current(permissions_boundary=before))) == expected


@pytest.mark.parametrize("purge, expected, attached", [
    (True, [("attach_role_policy", POLICY_B), ("detach_role_policy", POLICY_A)], [POLICY_B]),
    (False, [("attach_role_policy", POLICY_B)], [POLICY_A, POLICY_B]),
])
def test_managed_policies(purge, expected, attached):
    made = plan(spec(managed_policy_arns=[POLICY_B], purge_managed_policies=purge), current(managed_policy_arns=[POLICY_A]))
    assert [(c.operation, c.params["PolicyArn"]) for c in made.calls] == expected
    assert made.after.managed_policy_arns == attached


@pytest.mark.parametrize("purge, expected", [
    (True, [("put_role_policy", "read"), ("put_role_policy", "write"), ("delete_role_policy", "old")]),
    (False, [("put_role_policy", "read"), ("put_role_policy", "write")]),
])
def test_inline_policies(purge, expected):
    before = current(inline_policies={"read": WRITE, "old": READ, "same": READ})
    made = plan(spec(inline_policies={"read": READ, "write": WRITE, "same": READ}, purge_inline_policies=purge), before)
    assert [(c.operation, c.params["PolicyName"]) for c in made.calls] == expected


def test_tags_on_a_role():
    made = plan(spec(tags={"a": "2", "c": "3"}), current(tags={"a": "1", "b": "2"}))
    assert calls(made) == [
        ("tag_role", {"RoleName": "oci-role", "Tags": [{"Key": "a", "Value": "2"}, {"Key": "c", "Value": "3"}]}),
        ("untag_role", {"RoleName": "oci-role", "TagKeys": ["b"]}),
    ]


def test_a_role_cannot_move_to_another_path():
    with pytest.raises(OptionError) as info:
        plan(spec(path="/other/"), current())
    assert info.value.option == "path"
    assert "set path to /" in info.value.msg


def test_describe_sorts_policies_and_omits_what_was_not_read():
    shown = current(managed_policy_arns=None, inline_policies=None).describe()
    assert "managed_policy_arns" not in shown and "inline_policies" not in shown
    assert list(shown["trust_policy"]) == ["Statement", "Version"]


# -- against IAM (moto) -------------------------------------------------------------------------------------------

def converge(manager, wanted):
    before = manager.find(wanted.name, managed=wanted.managed_policy_arns is not None,
                          inline=wanted.inline_policies is not None)
    return manager.apply(manager.plan(wanted, TRUST, before, ARN))


def test_role_lifecycle_and_idempotence():
    with moto_iam() as (iam, _sts):
        manager = RoleManager(iam, check_mode=False)
        wanted = spec(description="first", max_session_duration=7200, inline_policies={"read": READ}, tags={"t": "v"})
        created = converge(manager, wanted)
        assert created.arn == ARN

        iam.reset()
        found = manager.find("oci-role", inline=True)
        assert not manager.plan(wanted, TRUST, found, ARN).changed
        assert iam.writes == []
        assert iam.operations == ["get_role", "list_role_policies", "get_role_policy"]

        # A description-only change keeps the maximum session duration (moto resets it when omitted).
        converge(manager, spec(description="second"))
        role = raw_iam().get_role(RoleName="oci-role")["Role"]
        assert (role["Description"], role["MaxSessionDuration"]) == ("second", 7200)


def test_check_mode_makes_no_write():
    with moto_iam() as (iam, _sts):
        manager = RoleManager(iam, check_mode=True)
        predicted = converge(manager, spec(description="x"))
        assert predicted.arn == ARN
        assert iam.writes == []
        assert manager.find("oci-role") is None


def test_a_role_made_elsewhere_meanwhile_is_converged_not_duplicated():
    with moto_iam() as (iam, _sts):
        manager = RoleManager(iam, check_mode=False)
        wanted = spec(description="mine")
        stale = manager.plan(wanted, TRUST, None, ARN)
        # A concurrent run of the collection made it (so it carries the mark).
        raw_iam().create_role(RoleName="oci-role", AssumeRolePolicyDocument=json.dumps(TRUST), Description="theirs",
                              Tags=MARK_TAG)
        after = manager.apply(stale, replan=lambda: manager.plan(wanted, TRUST, manager.find("oci-role"), ARN))
        assert after.description == "mine"
        assert raw_iam().get_role(RoleName="oci-role")["Role"]["Description"] == "mine"


def test_delete_removes_what_iam_requires_first():
    with moto_iam() as (iam, _sts):
        manager = RoleManager(iam, check_mode=False)
        converge(manager, spec(inline_policies={"read": READ}))
        raw = raw_iam()
        policy_arn = raw.create_policy(PolicyName="a", PolicyDocument=json.dumps(READ))["Policy"]["Arn"]
        raw.attach_role_policy(RoleName="oci-role", PolicyArn=policy_arn)
        raw.create_instance_profile(InstanceProfileName="ip")
        raw.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="oci-role")

        iam.reset()
        manager.apply(manager.plan_delete(manager.find("oci-role", managed=True, inline=True)))
        assert iam.writes == ["remove_role_from_instance_profile", "detach_role_policy", "delete_role_policy",
                              "delete_role"]
        assert manager.find("oci-role") is None


def test_trusting_roles_reads_the_trust_policies_of_listed_roles():
    with moto_iam() as (iam, _sts):
        raw = raw_iam()
        for name, document in (("a", TRUST), ("b", TRUST), ("c", web_identity_trust_policy(
                PROVIDER_ARN + "/other", PROVIDER_ID + "/other", "x", ["y"]))):
            raw.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document))
        manager = RoleManager(iam, check_mode=False)
        assert manager.trusting_roles(PROVIDER_ARN) == ["a", "b"]
        assert manager.trusting_roles(PROVIDER_ARN, exclude="a") == ["b"]
        assert iam.operations == ["list_roles", "list_roles"]


# -- ownership: the mark and adopt; managed policies attached by hand -------------------------------------------

def test_a_role_without_the_mark_is_refused_listing_what_would_change():
    before = current(marked=False, inline_policies={"theirs": READ})
    with pytest.raises(OptionError) as info:
        plan(spec(inline_policies={}, description="mine"), before)
    assert info.value.option == "adopt"
    assert "IAM role %s" % ARN in info.value.msg and "adopt: true" in info.value.msg
    assert "description: \"d\" -> \"mine\"" in info.value.msg and "inline_policies" in info.value.msg
    assert info.value.details["diff"]["before"]["inline_policies"] == {"theirs": READ}


def test_a_role_without_the_mark_is_refused_even_when_nothing_else_differs():
    with pytest.raises(OptionError) as info:
        plan(spec(), current(marked=False))
    assert "nothing but the mark" in info.value.msg


def test_adopt_tags_the_role_and_converges_it():
    warned = []
    made = RoleManager(None, False, warn=warned.append).plan(spec(description="mine", adopt=True), TRUST,
                                                             current(marked=False), ARN)
    assert ("tag_role", {"RoleName": "oci-role", "Tags": MARK_TAG}) in calls(made)
    assert made.after.tags == MARK
    assert [w for w in warned if "adopt is set" in w]


def test_the_mark_survives_purge_tags_and_its_key_is_reserved():
    made = plan(spec(tags={"t": "v"}, purge_tags=True), current(tags={"old": "x"}))
    assert calls(made) == [("tag_role", {"RoleName": "oci-role", "Tags": [{"Key": "t", "Value": "v"}]}),
                           ("untag_role", {"RoleName": "oci-role", "TagKeys": ["old"]})]
    with pytest.raises(OptionError) as info:
        spec(tags={"Managed-By": "me"})
    assert info.value.option == "tags" and "reserved" in info.value.msg


def test_delete_of_a_role_without_the_mark_is_refused_unless_adopt():
    manager = RoleManager(None, False)
    with pytest.raises(OptionError) as info:
        manager.plan_delete(current(marked=False))
    assert info.value.option == "adopt" and "delete" in info.value.msg


def test_a_managed_policy_attached_by_hand_is_detached_and_shown():
    admin = "arn:aws:iam::%s:policy/hand-admin" % ACCOUNT
    made = plan(spec(managed_policy_arns=[]), current(managed_policy_arns=[admin]))
    assert calls(made) == [("detach_role_policy", {"RoleName": "oci-role", "PolicyArn": admin})]
    assert made.before.describe()["managed_policy_arns"] == [admin]
    assert made.after.describe()["managed_policy_arns"] == []


def test_a_role_made_meanwhile_by_someone_else_is_refused_not_converged():
    with moto_iam() as (iam, _sts):
        manager = RoleManager(iam, check_mode=False)
        wanted = spec(description="mine")
        stale = manager.plan(wanted, TRUST, None, ARN)
        raw_iam().create_role(RoleName="oci-role", AssumeRolePolicyDocument=json.dumps(TRUST), Description="theirs")
        with pytest.raises(OptionError) as info:
            manager.apply(stale, replan=lambda: manager.plan(wanted, TRUST, manager.find("oci-role"), ARN))
        assert info.value.option == "adopt"
        assert raw_iam().get_role(RoleName="oci-role")["Role"]["Description"] == "theirs"


_TAG_TEXT = "abcXYZ019 _.:/=+-@"


@given(current_tags=st.dictionaries(st.text(_TAG_TEXT, min_size=1, max_size=8).filter(lambda k: k.lower() != "managed-by"
                                                                                      and not k.lower().startswith("aws:")),
                                    st.text(_TAG_TEXT, max_size=8), max_size=4),
       wanted=st.one_of(st.none(), st.dictionaries(st.text(_TAG_TEXT, min_size=1, max_size=8).filter(
           lambda k: k.lower() != "managed-by" and not k.lower().startswith("aws:")), st.text(_TAG_TEXT, max_size=8),
           max_size=4)),
       purge=st.booleans())
def test_no_tags_and_purge_setting_ever_removes_the_mark(current_tags, wanted, purge):
    made = plan(spec(tags=wanted, purge_tags=purge), current(tags=current_tags))
    assert made.after.tags["managed-by"] == "multicloud.oci_aws"
    for call in made.calls:
        assert "managed-by" not in call.params.get("TagKeys", [])


@given(key=st.sampled_from(["managed-by", "Managed-By", "MANAGED-BY", "managed-By"]), value=st.text(_TAG_TEXT, max_size=8))
def test_the_mark_key_is_refused_in_any_case(key, value):
    with pytest.raises(OptionError) as info:
        spec(tags={key: value})
    assert info.value.option == "tags"
