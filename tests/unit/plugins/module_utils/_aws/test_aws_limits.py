"""Issue 13 §2 and §4: IAM's quotas and validation refused before any write (naming the option, the limit and, for
subjects, how many fit), ``oaud`` refused for a generic provider, ``OpenIdIdpCommunicationError`` explained, and a
provider created without thumbprints read back so that the result says what IAM stores.

The federation runs against moto (which enforces none of these quotas) with every request recorded: a refusal must
come with ``iam.writes == []``.
"""

import json

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import caller_account
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.federation import Federation, FederationSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.plan import Plan
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import (
    TRUST_POLICY_SIZE, policy_size, web_identity_trust_policy
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import Provider, ProviderManager, ProviderSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import RoleManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import Breakpoint, OptionError, RetriesExhausted, ServiceError
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import (
    ISSUER,
    PROVIDER_ARN,
    PROVIDER_ID,
    moto_iam,
    raw_iam,
)

# OCI client IDs are 32 hex digits.
SUBJECTS = ["%032x" % (0xC11E47 * (n + 1)) for n in range(60)]


def params(**changes):
    values = {"state": "present", "issuer_url": ISSUER, "audience": "sts.amazon.com", "role_name": "oci-role",
              "subjects": ["client-1"]}
    values.update(changes)
    return dict((k, v) for k, v in values.items() if v is not None)


class Run:
    def __init__(self, iam, sts):
        self.iam, self.sts = iam, sts

    def __call__(self, **changes):
        self.iam.reset()
        federation = Federation(ProviderManager(self.iam, False), RoleManager(self.iam, False),
                                account=lambda: caller_account(self.sts))
        return federation.run(FederationSpec.from_params(params(**changes)))


@pytest.fixture
def run():
    with moto_iam() as (iam, sts):
        yield Run(iam, sts)


def size_for(subjects):
    return policy_size(web_identity_trust_policy(PROVIDER_ARN, PROVIDER_ID, "sts.amazon.com", subjects))


# -- trust policy size --------------------------------------------------------------------------------------------

def test_sixty_subjects_are_refused_saying_how_many_fit(run):
    with pytest.raises(OptionError) as error:
        run(subjects=SUBJECTS)
    fit = max(n for n in range(1, 61) if size_for(sorted(SUBJECTS)[:n]) <= TRUST_POLICY_SIZE)
    assert error.value.option == "subjects"
    assert "%d of these subjects fit" % fit in error.value.msg
    assert "quota of 2048" in error.value.msg and "trust_policy_size_limit" in error.value.msg
    assert 0 < fit < 60 and size_for(sorted(SUBJECTS)[:fit + 1]) > TRUST_POLICY_SIZE
    assert run.iam.writes == []


def test_a_raised_quota_lets_them_through(run):
    assert size_for(SUBJECTS) > TRUST_POLICY_SIZE  # moto stores what real IAM refuses by default
    result = run(subjects=SUBJECTS, trust_policy_size_limit=4096)
    assert result["changed"] and "create_role" in run.iam.writes


def test_whitespace_is_not_counted(run):
    subjects = sorted(SUBJECTS)[:20]
    document = web_identity_trust_policy(PROVIDER_ARN, PROVIDER_ID, "sts.amazon.com", subjects)
    assert policy_size(document) <= TRUST_POLICY_SIZE < len(json.dumps(document, indent=8))
    assert run(subjects=None, trust_policy=json.dumps(document, indent=8))["changed"]


def test_a_given_trust_policy_above_the_quota_is_refused(run):
    document = web_identity_trust_policy(PROVIDER_ARN, PROVIDER_ID, "sts.amazon.com", SUBJECTS)
    with pytest.raises(OptionError) as error:
        run(subjects=None, trust_policy=json.dumps(document))
    assert error.value.option == "trust_policy"
    assert "%d characters without whitespace" % policy_size(document) in error.value.msg
    assert run.iam.writes == []


@pytest.mark.parametrize("limit", [1024, 2047, 8193, True])
def test_the_size_limit_is_a_quota_iam_can_have(limit):
    with pytest.raises(OptionError) as error:
        FederationSpec.from_params(params(trust_policy_size_limit=limit))
    assert error.value.option == "trust_policy_size_limit"


# -- managed policies per role ------------------------------------------------------------------------------------

def customer_policies(count):
    iam = raw_iam()
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
                                                                   "Resource": "*"}]})
    return [iam.create_policy(PolicyName="p%02d" % n, PolicyDocument=document)["Policy"]["Arn"] for n in range(count)]


def test_eleven_managed_policies_are_refused(run):
    arns = customer_policies(11)
    with pytest.raises(OptionError) as error:
        run(managed_policy_arns=arns)
    assert error.value.option == "managed_policy_arns"
    assert "11 managed policies" in error.value.msg and "at most 10" in error.value.msg
    assert run.iam.writes == []
    assert run(managed_policy_arns=arns, managed_policies_limit=20)["changed"]


def test_policies_kept_without_purge_count_too(run):
    arns = customer_policies(11)
    run(managed_policy_arns=arns[:8])
    with pytest.raises(OptionError) as error:
        run(managed_policy_arns=arns[8:], purge_managed_policies=False)
    assert "11 managed policies (8 of them already attached and kept" in error.value.msg
    assert run.iam.writes == []


# -- client IDs, thumbprints, session duration, URL ---------------------------------------------------------------

def test_client_ids_kept_by_a_merge_above_100_are_refused(run):
    many = ["client-%03d" % n for n in range(99)]
    run(role_name=None, subjects=None, client_ids=["sts.amazon.com"] + many)
    with pytest.raises(OptionError) as error:
        run(role_name=None, subjects=None, client_ids=["sts.amazon.com", "new-1"], purge_client_ids=False)
    assert error.value.option == "client_ids" and "101 client IDs" in error.value.msg and "at most 100" in error.value.msg
    assert run.iam.writes == []


@pytest.mark.parametrize("changes, option, words", [
    ({"client_ids": ["sts.amazon.com"] + ["c%d" % n for n in range(100)]}, "client_ids", "1 to 100"),
    ({"client_ids": []}, "client_ids", "1 to 100"),
    ({"thumbprints": ["%040x" % n for n in range(6)]}, "thumbprints", "1 to 5"),
    ({"max_session_duration": 50000}, "max_session_duration", "between 3600"),
    ({"max_session_duration": 3599}, "max_session_duration", "between 3600"),
    ({"issuer_url": ISSUER + "?tenant=x"}, "issuer_url", "query"),
    ({"issuer_url": ISSUER + "#x"}, "issuer_url", "fragment"),
    ({"issuer_url": ISSUER + "/" + "p" * 200}, "issuer_url", "at most 255"),
])
def test_other_iam_limits_are_refused_before_any_request(changes, option, words):
    with pytest.raises(OptionError) as error:
        FederationSpec.from_params(params(**changes))
    assert error.value.option == option and words in error.value.msg


# -- oaud -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["oaud", PROVIDER_ID + ":oaud"])
def test_oaud_is_refused_in_conditions(key):
    with pytest.raises(OptionError) as error:
        FederationSpec.from_params(params(conditions={"StringEquals": {key: "x"}}))
    assert error.value.option == "conditions" and "Google only" in error.value.msg


def test_oaud_is_refused_in_a_given_trust_policy():
    document = web_identity_trust_policy(PROVIDER_ARN, PROVIDER_ID, "sts.amazon.com", ["c"],
                                         {"StringEquals": {PROVIDER_ID + ":oaud": "x"}})
    with pytest.raises(OptionError) as error:
        FederationSpec.from_params(params(subjects=None, trust_policy=json.dumps(document)))
    assert error.value.option == "trust_policy" and "Google only" in error.value.msg


@pytest.mark.parametrize("key", ["azp", "amr"])
def test_azp_and_amr_stay_allowed(key):
    assert FederationSpec.from_params(params(conditions={"StringLike": {key: "*"}})).trust is not None


# -- thumbprints IAM derives ----------------------------------------------------------------------------------------

class ScriptedIam:
    """An IAM client whose create answers or fails as told, and whose get returns what IAM stored."""

    def __init__(self, create_error=None, stored=None):
        self.create_error = create_error
        self.stored = stored
        self.calls = []

    def call(self, operation, eventual=(), **params):
        self.calls.append(operation)
        if operation == "create_open_id_connect_provider":
            if self.create_error:
                raise self.create_error
            return {"OpenIDConnectProviderArn": PROVIDER_ARN}
        if operation == "get_open_id_connect_provider":
            return {"Url": PROVIDER_ID, "ClientIDList": ["sts.amazon.com"], "ThumbprintList": self.stored}
        raise AssertionError(operation)


def create_plan():
    spec = ProviderSpec.from_params({"issuer_url": ISSUER, "audience": "sts.amazon.com"})
    return ProviderManager(None, False).plan(spec, None, PROVIDER_ARN)


def test_a_created_provider_shows_the_thumbprint_iam_derived():
    iam = ScriptedIam(stored=["A" * 40])
    after = ProviderManager(iam, False).apply(create_plan())
    assert after.thumbprints == ["a" * 40]
    assert iam.calls == ["create_open_id_connect_provider", "get_open_id_connect_provider"]


def test_given_thumbprints_are_not_read_back():
    iam = ScriptedIam(stored=["b" * 40])
    spec = ProviderSpec.from_params({"issuer_url": ISSUER, "audience": "sts.amazon.com", "thumbprints": ["c" * 40]})
    after = ProviderManager(iam, False).apply(ProviderManager(None, False).plan(spec, None, PROVIDER_ARN))
    assert after.thumbprints == ["c" * 40] and iam.calls == ["create_open_id_connect_provider"]


def test_openid_idp_communication_error_is_explained():
    refusal = ServiceError("AWS iam:CreateOpenIDConnectProvider failed: OpenIdIdpCommunicationError: The request "
                           "failed because IAM cannot connect to the OpenID Connect identity provider URL.",
                           error_code="OpenIdIdpCommunicationError", status=400, request_id="r-1")
    with pytest.raises(Breakpoint) as error:
        ProviderManager(ScriptedIam(create_error=refusal), False).apply(create_plan())
    msg = error.value.msg
    assert error.value.details["error_code"] == "OpenIdIdpCommunicationError"
    for words in (ISSUER + "/.well-known/openid-configuration", "from the internet", "thumbprints_from_issuer",
                  "OpenIdIdpCommunicationError"):
        assert words in msg


def test_check_mode_reads_nothing_back():
    iam = ScriptedIam(stored=["a" * 40])
    assert ProviderManager(iam, True).apply(create_plan()).thumbprints == [] and iam.calls == []


def test_an_update_is_not_read_back():
    current = Provider(PROVIDER_ARN, ISSUER, ["sts.amazon.com"], [], {})
    iam = ScriptedIam()
    ProviderManager(iam, False).apply(Plan(current, current, []))
    assert iam.calls == []


def test_a_provider_not_visible_yet_keeps_the_prediction():
    class Lagging(ScriptedIam):
        def call(self, operation, eventual=(), **params):
            if operation == "get_open_id_connect_provider":
                self.calls.append(operation)
                assert eventual, "the read-back retries while IAM propagates the new provider"
                raise RetriesExhausted("AWS iam:GetOpenIDConnectProvider: NoSuchEntity after 6 attempts")
            return super().call(operation, eventual=eventual, **params)

    iam = Lagging()
    after = ProviderManager(iam, False).apply(create_plan())
    assert after.thumbprints == [] and after.arn == PROVIDER_ARN
    assert iam.calls == ["create_open_id_connect_provider", "get_open_id_connect_provider"]
