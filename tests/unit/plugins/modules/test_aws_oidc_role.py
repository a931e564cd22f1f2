"""The module as Ansible runs it (arguments in, JSON out), against moto, with every AWS request recorded."""

import json
from unittest import mock

import pytest
from moto import mock_aws

from ansible_compat import patch_module_args

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection
from ansible_collections.multicloud.oci_aws.plugins.modules import aws_oidc_role
from ansible_collections.multicloud.oci_aws.tests.unit.plugins.module_utils.aws_fakes import (
    ACCOUNT,
    ISSUER,
    PROVIDER_ID,
    RecordingClient,
    clean_aws_environment,
    no_wait_retrier,
)

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CONNECTION = {"region": "us-east-1", "aws_access_key_id": "AKIAEXAMPLEEXAMPLE01", "aws_secret_access_key": SECRET}
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


class Aws:
    """moto for the test, and the clients the module made, recorded."""

    def __init__(self):
        self.clients = []

    def client(self, connection, service, unsigned=False):
        made = RecordingClient(self.real_client(connection, service, unsigned).client, no_wait_retrier())
        self.clients.append(made)
        return made

    @property
    def calls(self):
        return [operation for client in self.clients for operation in client.operations]

    @property
    def writes(self):
        return [operation for client in self.clients for operation in client.writes]


@pytest.fixture
def aws():
    recorder = Aws()
    recorder.real_client = AwsConnection.client
    with clean_aws_environment(), mock_aws(), mock.patch.object(
            AwsConnection, "client", lambda self, service, unsigned=False: recorder.client(self, service, unsigned)):
        yield recorder


def run(capsys, check_mode=False, diff=False, **args):
    module_args = dict(CONNECTION, issuer_url=ISSUER, role_name="oci-role", subjects=["client-1"])
    module_args.update(args)
    module_args = dict((k, v) for k, v in module_args.items() if v is not None)
    module_args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(module_args), pytest.raises(SystemExit):
        aws_oidc_role.main()
    out = capsys.readouterr().out
    assert SECRET not in out
    return json.loads(out)


def test_check_apply_check_apply(aws, capsys):
    results = [run(capsys, check_mode=check, max_session_duration=7200, inline_policies={"read": READ})
               for check in (True, False, True, False)]
    assert [r["changed"] for r in results] == [True, True, False, False]
    assert all(not r.get("failed") for r in results)
    assert results[0]["role_arn"] == results[1]["role_arn"] == "arn:aws:iam::%s:role/oci-role" % ACCOUNT
    assert results[1]["role"]["max_session_duration"] == 7200
    assert results[3]["trust_policy"]["Statement"][0]["Condition"]["StringEquals"] == {
        PROVIDER_ID + ":aud": "sts.amazon.com", PROVIDER_ID + ":sub": "client-1"}
    assert aws.writes == ["create_open_id_connect_provider", "create_role", "put_role_policy"]


def test_diff_only_in_diff_mode(aws, capsys):
    assert "diff" not in run(capsys)
    result = run(capsys, diff=True, description="now described")
    assert result["diff"]["before"]["role"]["description"] is None
    assert result["diff"]["after"]["role"]["description"] == "now described"


def test_absent(aws, capsys):
    run(capsys)
    result = run(capsys, state="absent", subjects=None)
    assert result["changed"] and result["provider_trusted_by"] == []
    assert aws.writes[-2:] == ["delete_role", "delete_open_id_connect_provider"]
    assert not run(capsys, state="absent", subjects=None)["changed"]


def test_port_warning(aws, capsys):
    result = run(capsys, issuer_url="https://127.0.0.1:8443")
    # ansible-core 2.19 returns warnings as structured summaries; their text is what matters.
    assert "issuer_url https://127.0.0.1:8443 has a port" in json.dumps(result["warnings"])
    assert result["provider_arn"].endswith(":oidc-provider/127.0.0.1:8443")


SLASHED_ARN = "arn:aws:iam::%s:oidc-provider/%s/" % (ACCOUNT, PROVIDER_ID)
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                                                 "Principal": {"Federated": SLASHED_ARN}}]}

BAD_INPUT = [
    ("http issuer", {"issuer_url": "http://" + PROVIDER_ID}, "issuer_url", "https://"),
    ("issuer with query", {"issuer_url": ISSUER + "?tenant=1"}, "issuer_url", "query"),
    ("issuer with fragment", {"issuer_url": ISSUER + "#x"}, "issuer_url", "fragment"),
    ("issuer with trailing slash", {"issuer_url": ISSUER + "/"}, "issuer_url", "slash"),
    ("audience with several values", {"audience": "sts.amazon.com,sts.amazonaws.com"}, "audience", "one value"),
    ("audience as a list", {"audience": ["sts.amazon.com", "other"]}, "audience", "one value"),
    ("trust policy not JSON", {"subjects": None, "trust_policy": "{'Version': "}, "trust_policy", "not valid JSON"),
    ("not a trust policy", {"subjects": None, "trust_policy": READ}, "trust_policy", "Principal"),
    ("trust policy for host/", {"subjects": None, "trust_policy": TRUST}, "trust_policy", "character for character"),
    ("malformed policy ARN", {"managed_policy_arns": ["arn:aws:iam:policy/ReadOnly"]}, "managed_policy_arns",
     "not a managed policy ARN"),
    ("malformed boundary ARN", {"permissions_boundary": "PowerUser"}, "permissions_boundary", "managed policy ARN"),
    ("duration too short", {"max_session_duration": 900}, "max_session_duration", "between 3600"),
    ("duration too long", {"max_session_duration": 43201}, "max_session_duration", "43200"),
    ("invalid role name", {"role_name": "oci role"}, "role_name", "not a valid IAM role name"),
    ("invalid path", {"path": "team"}, "path", "starts and ends with /"),
    ("subjects and trust policy", {"trust_policy": READ}, "subjects", "conflicts with trust_policy"),
    ("no subject", {"subjects": None}, "subjects", "allow_any_subject"),
    ("subjects and any subject", {"allow_any_subject": True}, "allow_any_subject", "conflicts with subjects"),
    ("role option without role", {"role_name": None, "subjects": None, "tags": {"a": "b"}}, "tags", "role_name"),
    ("client IDs without the audience", {"client_ids": ["sts.amazonaws.com"]}, "client_ids", "audience"),
    ("malformed thumbprint", {"thumbprints": ["AA:BB"]}, "thumbprints", "40 hex"),
    ("thumbprints twice", {"thumbprints": ["a" * 40], "thumbprints_from_issuer": True}, "thumbprints_from_issuer",
     "not both"),
    ("inline policy not JSON", {"inline_policies": {"read": "{"}}, "inline_policies.read", "not valid JSON"),
    ("inline policy without Version", {"inline_policies": {"read": {"Statement": READ["Statement"]}}},
     "inline_policies.read", "2012-10-17"),
    ("reserved tag key", {"tags": {"aws:team": "x"}}, "tags", "aws:"),
    ("condition on the audience", {"conditions": {"StringEquals": {"aud": "x"}}}, "conditions", "audience"),
    ("profile and keys", {"profile": "admin"}, "profile", "cannot be combined"),
]


@pytest.mark.parametrize("args, option, words", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_fails_before_any_request(aws, capsys, args, option, words):
    result = run(capsys, **args)
    assert result["failed"]
    assert result["option"] == option
    assert option.split(".")[0] in result["msg"]
    assert words in result["msg"]
    assert aws.calls == []


def test_moving_an_existing_role_fails_before_any_change(aws, capsys):
    run(capsys)
    aws.clients = []
    result = run(capsys, path="/other/", description="changed")
    assert result["failed"] and result["option"] == "path"
    assert aws.writes == [] and aws.calls == ["get_role", "get_open_id_connect_provider"]


def test_service_errors_carry_code_status_and_request_id(aws, capsys):
    run(capsys)
    with mock.patch.object(RecordingClient, "call", side_effect=_denied):
        result = run(capsys, description="x")
    assert result["failed"]
    assert (result["error_code"], result["status"], result["request_id"]) == ("AccessDenied", 403, "req-403")
    assert result["endpoint"] == "iam:GetRole"


def _denied(operation, eventual=(), **params):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import ServiceError
    raise ServiceError("AWS iam:GetRole failed: AccessDenied: no", endpoint="iam:GetRole", error_code="AccessDenied",
                       status=403, request_id="req-403")
