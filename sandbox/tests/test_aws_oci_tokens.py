"""The STS gate with real tokens from the emulated OCI identity domain (the flow the collection
automates), set up with `oci_aws_sandbox.procedure.ManualProcedure`. The rule-by-rule coverage with a
controllable issuer is in test_aws_sts_gate.py."""

import pytest
from botocore.exceptions import ClientError

NO_VERIFICATION_KEY = (
    "Couldn't retrieve verification key from your identity provider,  "
    "please reference AssumeRoleWithWebIdentity documentation for requirements"
)


@pytest.fixture
def procedure(steps_1_to_4):
    return steps_1_to_4


def test_oci_token_answer_names_the_client_the_audience_and_the_provider(procedure):
    procedure.create_provider_and_role(condition_sub=procedure.app["client_id"])
    answer = procedure.assume(procedure.token())
    assert answer["SubjectFromWebIdentityToken"] == procedure.app["client_id"]
    assert answer["Audience"] == "sts.amazon.com"
    assert answer["Provider"] == procedure.provider_arn
    assert procedure.provider_arn.endswith(":oidc-provider/" + procedure.domain_url[len("https://"):])


def test_signing_key_access_switch_takes_effect_at_once(procedure):
    procedure.create_provider_and_role()
    token = procedure.token()
    assert procedure.assume(token)["Credentials"]["AccessKeyId"]

    procedure.make_signing_keys_public(False)
    with pytest.raises(ClientError) as caught:
        procedure.assume(token)
    assert caught.value.response["Error"] == {
        "Type": "Sender", "Code": "InvalidIdentityToken", "Message": NO_VERIFICATION_KEY}

    procedure.make_signing_keys_public(True)
    assert procedure.assume(token)["Credentials"]["AccessKeyId"]
