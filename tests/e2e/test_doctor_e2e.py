"""End to end: the doctor (issue 16 §4). A federation made by hand with exactly the published procedure (the oci SDK's
signer and boto3 alone, `oci_aws_sandbox.procedure`) is reported right at every step; each broken variant the
sandbox can produce is reported wrong at its own step, with the fix; nothing is ever written (the sandbox's write
counters stay at 0), in check mode or not; the client secret is in no output."""

import json
import os
import subprocess
import sys

import pytest

from e2e.exchange_support import Federation, ansible_env, run_named_module

MODULE = "oci_aws_federation_check"


def check(sandbox, home, federation, secret=True, check_mode=False, **changes):
    args = dict(domain_url=sandbox.domain_url, client_id=federation.client_id, role_arn=federation.role_arn)
    if secret:
        args["client_secret"] = federation.client_secret
    args.update(changes)
    args = dict((k, v) for k, v in args.items() if v is not None)
    sandbox.reset_counters()
    failed, result, output = run_named_module(sandbox, home, MODULE, args, check=check_mode)
    assert not failed, output
    assert sandbox.writes() == 0, sandbox.counters()
    assert federation.client_secret not in output
    return result


def test_a_federation_made_by_hand_is_right_at_every_step(fresh_sandbox, home):
    # Check mode does the same (the playbook's tests below run it with --check).
    federation = Federation(fresh_sandbox).build(app=dict(display_name="aws-sts-oidc"))
    result = check(fresh_sandbox, home, federation, client_id=None, display_name="aws-sts-oidc")
    assert result["ok"] is True and result["broken_step"] is None and result["wrong_steps"] == []
    assert [s["status"] for s in result["steps"]] == ["right"] * 7, result["summary"]
    assert result["changed"] is False
    assert result["app"]["client_id"] == federation.client_id and result["role"]["arn"] == federation.role_arn
    assert "STS returned credentials for %s" % federation.assumed_role_arn("oci-aws-federation-check") in \
        result["steps"][6]["note"]
    for secret_part in ("AccessKeyId", "SecretAccessKey", "SessionToken", "ASIA"):
        assert secret_part not in json.dumps(result)


def test_without_the_secret_steps_six_and_seven_are_not_checked(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build()
    result = check(fresh_sandbox, home, federation, secret=False)
    assert [s["status"] for s in result["steps"]] == ["right"] * 5 + ["not_checked"] * 2
    assert "give client_secret" in result["steps"][5]["note"]
    assert fresh_sandbox.counters()["oci"]["summary"].get("token", 0) == 0


# Each breakpoint the sandbox produces (tests/e2e/test_exchange_e2e.py, sandbox/tests/test_manual_procedure.py):
# (id, Federation kwargs, build kwargs, check options, the step the report must name, a part of its problem).
BREAKPOINTS = [
    ("issuer_not_changed", {}, dict(issuer=False), {}, "3", "the service default"),
    ("signing_keys_not_public", {}, dict(public_keys=False), {}, "4", "signing keys are not public"),
    ("resource_server_missing", {}, dict(app=dict(resource_server=False)), dict(audience="sts.amazon.com"), "2",
     "not a resource server"),
    ("client_credentials_grant_missing", {}, dict(app=dict(client_grant=False)), {}, "2", "client credentials grant"),
    ("app_not_activated", {}, dict(app=dict(activate=False)), {}, "2", "not activated"),
    ("app_audience_not_the_one_aws_expects", dict(audience="sts.amazonaws.com"), dict(
        client_ids=["sts.amazon.com"], condition_audience="sts.amazon.com"), dict(audience="sts.amazon.com"), "2",
     "primary audience is 'sts.amazonaws.com'"),
    ("audience_array", {}, dict(app=dict(secondary_audiences=["https://other.example.com"])), {}, "2",
     "secondary audiences"),
    ("audience_not_a_client_id_of_the_provider", {}, dict(client_ids=["sts.amazonaws.com"]), {}, "5",
     "not a client ID of the IAM OIDC provider"),
    ("trust_policy_audience_wrong", {}, dict(condition_audience="sts.amazonaws.com"), {}, "5", ":aud requires"),
    ("trust_policy_sub_mismatch", {}, dict(condition_sub="another-client"), {}, "5", ":sub requires another-client"),
    ("provider_and_role_missing", {}, dict(role=False), {}, "5", "has no IAM OIDC provider"),
    ("duration_above_the_role_maximum", {}, {}, dict(duration_seconds=7200), "5", "maximum session duration"),
    # Seen only by the token request: the domain says invalid_client, which the exchange names step 2 (the secret).
    ("wrong_secret", {}, {}, dict(client_secret="not-the-secret-0123456789"), "2", "refused client_id"),
]


@pytest.mark.parametrize("name, federation_kwargs, build, options, step, problem", BREAKPOINTS,
                         ids=[b[0] for b in BREAKPOINTS])
def test_each_breakpoint_is_reported_at_its_step(fresh_sandbox, home, name, federation_kwargs, build, options, step,
                                                 problem):
    federation = Federation(fresh_sandbox, **federation_kwargs).build(**build)
    result = check(fresh_sandbox, home, federation, **options)
    assert result["ok"] is False and result["broken_step"] == step, result["summary"]
    entry = result["steps"][int(step) - 1]
    assert entry["status"] == "wrong" and any(problem in f["problem"] for f in entry["findings"]), entry
    assert all(f["fix"] for f in entry["findings"])
    # The steps before the broken one are right (each breakpoint is one step done wrong).
    assert [s["status"] for s in result["steps"][:int(step) - 1]] == ["right"] * (int(step) - 1), result["summary"]


# -- the playbook multicloud.oci_aws.check ---------------------------------------------------------

def run_check_playbook(sandbox, home, federation, *args, **extra_env):
    env = ansible_env(sandbox, home, **dict(dict(OCI_DOMAIN_URL=sandbox.domain_url, OCI_AWS_ROLE_ARN=federation.role_arn,
                                                 OCI_AWS_CLIENT_SECRET=federation.client_secret), **extra_env))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "multicloud.oci_aws.check",
               "-e", "oci_aws_check_client_id=%s" % federation.client_id] + list(args)
    sandbox.reset_counters()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert sandbox.writes() == 0, sandbox.counters()
    assert federation.client_secret not in done.stdout + done.stderr
    return done


@pytest.mark.parametrize("mode", [[], ["--check"]], ids=["run", "check_mode"])
def test_the_check_playbook_reports_every_step_and_writes_nothing(fresh_sandbox, home, mode):
    federation = Federation(fresh_sandbox).build(issuer=False)
    done = run_check_playbook(fresh_sandbox, home, federation, *mode)
    assert done.returncode != 0
    output = done.stdout
    assert "step 1 right" in output and "step 2 right" in output
    # A fresh domain shows the default issuer, or none (the sandbox's settings_issuer_absent_until_set, pessimistic).
    assert ("step 3 wrong: [3] the domain's issuer is https://identity.oraclecloud.com/" in output
            or "step 3 wrong: [3] the domain's issuer is not set (the service's default, https://identity.oraclecloud.com" in output)
    assert "step 3 is wrong: fix it first" in output


def test_the_check_playbook_passes_on_a_federation_made_by_hand(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build()
    done = run_check_playbook(fresh_sandbox, home, federation)
    assert done.returncode == 0, done.stdout[-3000:]
    assert all("step %d right" % n in done.stdout for n in range(1, 8)), done.stdout
    # Without the secret: no token request, steps 6 and 7 not checked, and the play still passes.
    done = run_check_playbook(fresh_sandbox, home, federation, OCI_AWS_CLIENT_SECRET="")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "step 5 right" in done.stdout and "step 6 not checked" in done.stdout
    assert fresh_sandbox.counters()["oci"]["summary"].get("token", 0) == 0


# -- the _info modules ------------------------------------------------------------------------------

def test_the_info_modules_return_a_hand_made_federation_as_it_is(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build(public_keys=False)
    fresh_sandbox.reset_counters()
    failed, apps, output = run_named_module(fresh_sandbox, home, "oci_oidc_app_info",
                                            dict(domain_url=fresh_sandbox.domain_url, client_id=federation.client_id))
    assert not failed, output
    app, = apps["apps"]
    assert (app["client_id"], app["audience"], app["allowed_grants"], app["active"]) == (
        federation.client_id, "sts.amazon.com", ["client_credentials"], True)
    assert federation.client_secret not in output
    failed, settings, output = run_named_module(fresh_sandbox, home, "oci_token_policy_info",
                                                dict(domain_url=fresh_sandbox.domain_url), check=True)
    assert not failed, output
    assert (settings["issuer"], settings["signing_cert_public_access"]) == (fresh_sandbox.domain_url, False)
    failed, aws, output = run_named_module(fresh_sandbox, home, "aws_oidc_role_info", dict(
        issuer_url=fresh_sandbox.domain_url, role_name=federation.procedure.role_name))
    assert not failed, output
    assert aws["provider"]["client_ids"] == ["sts.amazon.com"] and aws["role"]["arn"] == federation.role_arn
    statement, = aws["role"]["trust_policy"]["Statement"]
    assert statement["Principal"]["Federated"] == aws["provider"]["arn"]
    assert fresh_sandbox.writes() == 0 and not any(r["changed"] for r in (apps, settings, aws))
