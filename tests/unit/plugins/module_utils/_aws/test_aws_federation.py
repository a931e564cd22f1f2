import json

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import caller_account
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import web_identity_trust_policy
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import RoleManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.federation import Federation, FederationSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, OptionError
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import (
    ACCOUNT,
    ISSUER,
    PROVIDER_ARN,
    PROVIDER_ID,
    moto_iam,
    raw_iam,
)

ROLE_ARN = "arn:aws:iam::%s:role/oci-role" % ACCOUNT
TRUST = web_identity_trust_policy(PROVIDER_ARN, PROVIDER_ID, "sts.amazon.com", ["client-1"])


def params(**changes):
    values = {"state": "present", "issuer_url": ISSUER, "audience": "sts.amazon.com", "role_name": "oci-role",
              "subjects": ["client-1"]}
    values.update(changes)
    return dict((k, v) for k, v in values.items() if v is not None)


def spec(**changes):
    return FederationSpec.from_params(params(**changes))


class Run:
    """The federation against moto, as the module wires it, with every request recorded."""

    def __init__(self, iam, sts, thumbprints=None):
        self.iam, self.sts = iam, sts
        self.thumbprints = thumbprints

    def __call__(self, check_mode=False, **changes):
        self.iam.reset()
        self.sts.reset()
        federation = Federation(ProviderManager(self.iam, check_mode), RoleManager(self.iam, check_mode),
                                account=lambda: caller_account(self.sts), thumbprints=self.thumbprints)
        return federation.run(spec(**changes))


@pytest.fixture
def run():
    with moto_iam() as (iam, sts):
        yield Run(iam, sts)


# -- options ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, option, words", [
    ({"subjects": None}, "subjects", "subjects is required"),
    ({"subjects": [""]}, "subjects", "without blanks"),
    ({"allow_any_subject": True}, "allow_any_subject", "conflicts with subjects"),
    ({"trust_policy": json.dumps(TRUST)}, "subjects", "conflicts with trust_policy"),
    ({"trust_policy": json.dumps(TRUST), "subjects": None, "conditions": {"StringLike": {"amr": "x"}}}, "conditions",
     "conflicts with trust_policy"),
    ({"trust_policy": json.dumps(TRUST), "subjects": None, "allow_any_subject": True}, "allow_any_subject",
     "conflicts with trust_policy"),
    ({"trust_policy": "{\"Statement\": [", "subjects": None}, "trust_policy", "not valid JSON"),
    ({"trust_policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}), "subjects": None}, "trust_policy", "no Principal"),
    ({"trust_policy": json.dumps(TRUST).replace(PROVIDER_ID, PROVIDER_ID + "/"), "subjects": None}, "trust_policy",
     "character for character"),
    ({"conditions": {"StringEquals": {"aud": "x"}}}, "conditions", "audience"),
    ({"role_name": None, "subjects": None, "description": "x"}, "description", "set role_name"),
    ({"role_name": None, "subjects": ["c"]}, "subjects", "set role_name"),
    ({"role_name": None, "subjects": None, "allow_any_subject": True}, "allow_any_subject", "set role_name"),
    ({"role_name": "bad/name", "state": "absent"}, "role_name", "valid IAM role name"),
    ({"thumbprints": ["a" * 40], "thumbprints_from_issuer": True}, "thumbprints_from_issuer", "not both"),
    ({"state": "absent", "role_name": None, "subjects": None, "delete_provider": "never"}, "delete_provider",
     "if_unused or always"),
])
def test_bad_combinations(changes, option, words):
    with pytest.raises(OptionError) as info:
        spec(**changes)
    assert info.value.option == option
    assert words in info.value.msg


def test_warnings_for_a_port_and_an_unused_ca_bundle():
    made = spec(issuer_url="https://127.0.0.1:8443", issuer_ca_bundle="/ca.pem")
    assert any("port" in w and "https://127.0.0.1:8443" in w for w in made.warnings)
    assert any("issuer_ca_bundle" in w for w in made.warnings)
    assert spec().warnings == []


def test_absent_needs_no_role_options():
    made = spec(state="absent", subjects=None)
    assert (made.role, made.trust, made.role_name) == (None, None, "oci-role")


# -- present ---------------------------------------------------------------------------------------------------------

def test_first_run_creates_the_provider_and_a_least_privilege_role(run):
    result = run(description="OCI job", inline_policies={"read": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}})
    assert result["changed"]
    assert (result["provider_arn"], result["role_arn"]) == (PROVIDER_ARN, ROLE_ARN)
    assert result["trust_policy"] == TRUST
    assert raw_iam().get_role(RoleName="oci-role")["Role"]["AssumeRolePolicyDocument"] == TRUST
    assert run.iam.writes == ["create_open_id_connect_provider", "create_role", "put_role_policy"]
    assert run.sts.operations == ["get_caller_identity"]
    assert result["diff"]["before"] == {}
    assert set(result["diff"]["after"]) == {"provider", "role"}


def test_repeat_run_makes_no_write_and_one_read_per_object(run):
    run()
    result = run()
    assert not result["changed"]
    assert run.iam.operations == ["get_role", "get_open_id_connect_provider"]
    assert run.sts.operations == []
    assert result["diff"]["before"] == result["diff"]["after"]


def test_check_mode_predicts_the_first_run_exactly(run):
    predicted = run(check_mode=True, description="x", tags={"a": "b"})
    assert predicted["changed"]
    assert run.iam.writes == []
    made = run(description="x", tags={"a": "b"})
    for key in ("provider_arn", "role_arn", "trust_policy", "provider", "role"):
        assert predicted[key] == made[key], key
    assert run(check_mode=True, description="x", tags={"a": "b"})["changed"] is False
    assert run.iam.writes == []


def test_changes_converge_in_place_and_the_diff_shows_them(run):
    run(max_session_duration=7200)
    result = run(subjects=["client-1", "client-2"], client_ids=["sts.amazon.com", "second"], description="new")
    assert result["changed"]
    assert run.iam.writes == ["add_client_id_to_open_id_connect_provider", "update_role", "update_assume_role_policy"]
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert before["provider"]["client_ids"] == ["sts.amazon.com"]
    assert after["provider"]["client_ids"] == ["second", "sts.amazon.com"]
    assert after["role"]["max_session_duration"] == 7200
    sub = PROVIDER_ID + ":sub"
    assert before["role"]["trust_policy"]["Statement"][0]["Condition"]["StringEquals"][sub] == "client-1"
    assert after["role"]["trust_policy"]["Statement"][0]["Condition"]["StringEquals"][sub] == ["client-1", "client-2"]
    assert not run(subjects=["client-2", "client-1"], client_ids=["second", "sts.amazon.com"])["changed"]


def test_given_trust_policy_is_used_as_it_is(run):
    document = json.loads(json.dumps(TRUST))
    document["Statement"][0]["Condition"]["StringLike"] = {PROVIDER_ID + ":sub": "client-*"}
    result = run(subjects=None, trust_policy=json.dumps(document))
    assert result["trust_policy"]["Statement"][0]["Condition"]["StringLike"] == {PROVIDER_ID + ":sub": "client-*"}
    assert not run(subjects=None, trust_policy=json.dumps(document, indent=2, sort_keys=True))["changed"]


def test_given_trust_policy_for_another_account_fails_before_any_change(run):
    other = json.dumps(TRUST).replace(ACCOUNT, "210987654321")
    with pytest.raises(OptionError) as info:
        run(subjects=None, trust_policy=other)
    assert info.value.option == "trust_policy"
    assert run.iam.writes == []


def test_moving_the_role_fails_before_any_change(run):
    run()
    with pytest.raises(OptionError):
        run(path="/elsewhere/", client_ids=["sts.amazon.com", "x"])
    assert run.iam.writes == []


def test_thumbprints_from_issuer(run):
    seen = []

    def thumbprints(issuer, ca_bundle):
        seen.append((issuer.url, ca_bundle))
        return ["c" * 40]

    run.thumbprints = thumbprints
    result = run(thumbprints_from_issuer=True, issuer_ca_bundle="/ca.pem")
    assert result["provider"]["thumbprints"] == ["c" * 40]
    assert seen == [(ISSUER, "/ca.pem")]
    assert not run(thumbprints_from_issuer=True, issuer_ca_bundle="/ca.pem")["changed"]


def test_provider_alone(run):
    result = run(role_name=None, subjects=None, provider_tags={"owner": "me"})
    assert result["changed"] and "role_arn" not in result and "role" not in result
    assert run.iam.writes == ["create_open_id_connect_provider"]
    assert not run(role_name=None, subjects=None, provider_tags={"owner": "me"})["changed"]
    # The provider read by its ARN, the account from STS: one IAM read, no listing of the account's providers.
    assert run.iam.operations == ["get_open_id_connect_provider"]
    assert run.sts.operations == ["get_caller_identity"]


POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def test_a_new_role_learns_the_account_once_without_listing_providers(run):
    run(role_name=None, subjects=None)
    run(role_name="second", subjects=["client-2"])
    assert "list_open_id_connect_providers" not in run.iam.operations
    assert run.sts.operations == ["get_caller_identity"]


def test_provider_arn_reads_only_the_role_and_its_policies_on_a_converged_run(run):
    provider = run(role_name=None, subjects=None)["provider_arn"]
    first = run(provider_arn=provider, inline_policies={"read": POLICY})
    assert first["changed"] and first["provider_arn"] == provider and first["role_arn"] == ROLE_ARN
    # The provider is read once, before the create that names it (it must exist); never changed.
    assert run.iam.operations.count("get_open_id_connect_provider") == 1
    assert run.iam.writes == ["create_role", "put_role_policy"]
    assert first["trust_policy"] == TRUST and "provider" not in first
    again = run(provider_arn=provider, inline_policies={"read": POLICY})
    assert not again["changed"]
    assert run.iam.operations == ["get_role", "list_role_policies", "get_role_policy"]
    assert run.sts.operations == []
    assert again["diff"]["before"] == again["diff"]["after"] and set(again["diff"]["after"]) == {"role"}


def test_provider_arn_in_check_mode_reads_no_provider_and_writes_nothing(run):
    provider = run(check_mode=True, role_name=None, subjects=None)["provider_arn"]
    result = run(check_mode=True, provider_arn=provider)
    assert result["changed"] and result["role_arn"] == ROLE_ARN
    assert run.iam.operations == ["get_role"] and run.iam.writes == []


def test_provider_arn_of_no_provider_fails_before_any_change(run):
    with pytest.raises(OptionError) as info:
        run(provider_arn=PROVIDER_ARN)
    assert info.value.option == "provider_arn" and "names no IAM OIDC provider" in info.value.msg
    assert run.iam.writes == []


def test_provider_arn_still_refuses_a_role_without_the_mark(run):
    provider = run(role_name=None, subjects=None)["provider_arn"]
    raw_iam().create_role(RoleName="oci-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    with pytest.raises(OciAwsError):
        run(provider_arn=provider, description="x")
    assert run.iam.writes == []


@pytest.mark.parametrize("changes, option", [
    ({"provider_arn": PROVIDER_ARN.replace(PROVIDER_ID, "other.example.com")}, "provider_arn"),
    ({"provider_arn": "arn:aws:iam::%s:role/x" % ACCOUNT}, "provider_arn"),
    ({"provider_arn": PROVIDER_ARN, "role_name": None, "subjects": None}, "provider_arn"),
    ({"provider_arn": PROVIDER_ARN, "state": "absent", "subjects": None}, "provider_arn"),
    ({"provider_arn": PROVIDER_ARN, "client_ids": ["sts.amazon.com"]}, "client_ids"),
    ({"provider_arn": PROVIDER_ARN, "thumbprints_from_issuer": True}, "thumbprints_from_issuer"),
    ({"provider_arn": PROVIDER_ARN, "provider_tags": {"a": "b"}}, "provider_tags"),
])
def test_provider_arn_checked_before_any_request(changes, option):
    with pytest.raises(OptionError) as info:
        spec(**changes)
    assert info.value.option == option


def test_inline_policies_without_purge_read_only_the_named_ones(run):
    run(provider_arn=None, inline_policies={"read": POLICY, "by-hand": POLICY})
    result = run(inline_policies={"read": POLICY, "missing": POLICY}, purge_inline_policies=False)
    assert result["changed"]
    # No listing: one GetRolePolicy per name given (a missing one is created), the policy not named is kept.
    reads = [op for op in run.iam.operations if "role_polic" in op and op != "put_role_policy"]
    assert reads == ["get_role_policy", "get_role_policy"]
    assert run.iam.writes == ["put_role_policy"]
    assert sorted(raw_iam().list_role_policies(RoleName="oci-role")["PolicyNames"]) == ["by-hand", "missing", "read"]
    assert set(result["role"]["inline_policies"]) == {"read", "missing"}
    assert not run(inline_policies={"read": POLICY, "missing": POLICY}, purge_inline_policies=False)["changed"]
    assert "list_role_policies" not in run.iam.operations


def test_inline_policies_with_purge_list_and_delete_the_others(run):
    run(inline_policies={"read": POLICY, "by-hand": POLICY})
    result = run(inline_policies={"read": POLICY})
    assert result["changed"] and run.iam.writes == ["delete_role_policy"]
    assert "list_role_policies" in run.iam.operations


# -- absent and the shared provider --------------------------------------------------------------------------------------

def test_removing_one_of_two_roles_keeps_the_shared_provider(run):
    run()
    run(role_name="other-role", subjects=["client-2"])
    result = run(state="absent", subjects=None)
    assert result["changed"]
    assert result["provider_trusted_by"] == ["other-role"]
    assert "delete_open_id_connect_provider" not in run.iam.writes
    assert result["diff"]["after"] == {"provider": result["diff"]["before"]["provider"]}

    result = run(state="absent", role_name="other-role", subjects=None)
    assert result["provider_trusted_by"] == []
    assert run.iam.writes[-1] == "delete_open_id_connect_provider"
    assert result["diff"]["after"] == {}
    assert not run(state="absent", role_name="other-role", subjects=None)["changed"]


def test_absent_in_check_mode_changes_nothing(run):
    run()
    result = run(check_mode=True, state="absent", subjects=None)
    assert result["changed"] and result["provider_trusted_by"] == []
    assert run.iam.writes == []
    assert raw_iam().get_role(RoleName="oci-role")


@pytest.mark.parametrize("delete_provider, provider_left", [("never", True), ("always", False)])
def test_delete_provider_never_and_always(run, delete_provider, provider_left):
    run()
    run(role_name="other-role", subjects=["client-2"])
    result = run(state="absent", subjects=None, delete_provider=delete_provider)
    assert "provider_trusted_by" not in result
    assert "list_roles" not in run.iam.operations
    providers = raw_iam().list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert bool(providers) == provider_left


def test_provider_alone_absent_checks_every_role(run):
    run()
    result = run(state="absent", role_name=None, subjects=None)
    assert not result["changed"] and result["provider_trusted_by"] == ["oci-role"]
    assert run(state="absent", role_name=None, subjects=None, delete_provider="always")["changed"]
    assert raw_iam().list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


# -- ownership: every check before any change ------------------------------------------------------------------

def test_absent_refuses_a_provider_without_the_mark_before_deleting_the_role(run):
    run()
    raw_iam().untag_open_id_connect_provider(OpenIDConnectProviderArn=PROVIDER_ARN, TagKeys=["managed-by"])
    with pytest.raises(OptionError) as info:
        run(state="absent", subjects=None)
    assert info.value.option == "adopt" and "IAM OIDC provider" in info.value.msg
    assert run.iam.writes == [], "the role was deleted before the provider was refused"
    assert raw_iam().get_role(RoleName="oci-role")
    assert run(state="absent", subjects=None, adopt=True)["changed"]
    assert raw_iam().list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_present_refuses_a_role_without_the_mark_before_changing_the_provider(run):
    run()
    raw_iam().untag_role(RoleName="oci-role", TagKeys=["managed-by"])
    with pytest.raises(OptionError) as info:
        run(client_ids=["sts.amazon.com", "new"])
    assert info.value.option == "adopt" and "IAM role" in info.value.msg
    assert run.iam.writes == []


# -- permission changes (issue 13, section 1: STS and the services see them late, and no read tells when) -------------

LIST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}


def test_permissions_changed_says_whether_the_role_s_permissions_changed(run):
    read_only = raw_iam().create_policy(PolicyName="read-only", PolicyDocument=json.dumps(LIST))["Policy"]["Arn"]
    first = run(managed_policy_arns=[read_only], inline_policies={"list": LIST})
    assert first["changed"] and first["permissions_changed"]
    assert not run(managed_policy_arns=[read_only], inline_policies={"list": LIST})["permissions_changed"]
    # a trust change alone is not a permission change (the exchange waits for it; the services do not use it)
    trust_only = run(managed_policy_arns=[read_only], inline_policies={"list": LIST}, subjects=["client-2"])
    assert trust_only["changed"] and not trust_only["permissions_changed"]
    assert run.iam.writes == ["update_assume_role_policy"]
    # each kind of permission write, and its prediction in check mode
    assert run(check_mode=True, managed_policy_arns=[], inline_policies={"list": LIST}, subjects=["client-2"])[
        "permissions_changed"]
    assert run.iam.writes == []
    assert run(managed_policy_arns=[], inline_policies={"list": LIST}, subjects=["client-2"])["permissions_changed"]
    assert run(managed_policy_arns=[], inline_policies={}, subjects=["client-2"])["permissions_changed"]
    # a role created without permission policies: nothing for the services to propagate
    assert not run(role_name="oci-bare")["permissions_changed"]
    assert run(state="absent", subjects=None)["permissions_changed"] is False
