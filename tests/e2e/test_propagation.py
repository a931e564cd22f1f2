"""IAM's eventual consistency and STS's token time rules, survived (issue 13, sections 1 and 3).

The sandbox's switches (sandbox/README.md): `iam_propagation_seconds` N makes STS and IAM's reads see a write only
N seconds after it; `max_token_age_seconds` refuses tokens by their iat ("Token too old"); `clock_skew_seconds` is 0
by default (no leeway after exp).

- A fresh site.yml under N = 8 ends green with every role verified; the same run with a role whose trust names
  another client fails at its verification at once, not after the propagation bound.
- aws_oidc_role's second run right after its first (create, then update) changes nothing: the first returned only
  once IAM's reads showed its change.
- oci_aws_assume waits for a provider and role made a moment ago only when told (wait_for_propagation), and says
  what it waited; untold, the same refusal fails at once with its diagnosis.
- Token age: the client-credentials grant gets a new token when STS calls the one in use too old, and succeeds; a
  token_file token that STS calls too old fails with a message that says so, not "expired".
"""

import os
import textwrap
import time

import yaml

from e2e.exchange_support import Federation, run_named_module
from e2e.site_support import Site, recap

ROLES = ["oci-reporting", "oci-deployer"]
S3_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"],
                                                   "Resource": "*"}]}
TIMER = textwrap.dedent('''
    """Test-only callback: write each task's name and its seconds (start to end) to TASK_TIMES."""
    import json
    import os
    import time

    from ansible.plugins.callback import CallbackBase


    class CallbackModule(CallbackBase):
        CALLBACK_VERSION = 2.0
        CALLBACK_TYPE = "aggregate"
        CALLBACK_NAME = "task_times"
        CALLBACK_NEEDS_ENABLED = True

        def v2_playbook_on_task_start(self, task, is_conditional):
            self.started = (task.get_name(), time.time())

        def _done(self, result, status):
            name, started = self.started
            with open(os.environ["TASK_TIMES"], "a") as log:
                log.write(json.dumps([name, status, time.time() - started]) + "\\n")

        def v2_runner_on_ok(self, result):
            self._done(result, "ok")

        def v2_runner_on_failed(self, result, ignore_errors=False):
            self._done(result, "failed")
''')


def site_with_roles(sandbox, tmp_path, name, roles, **variables):
    site = Site(sandbox, tmp_path, name)
    values = site.variables()
    values["aws_oidc_trust_roles"] = roles
    values.update(variables)
    with open(site.vars_file, "w") as handle:
        yaml.safe_dump(values, handle)
    return site


def test_fresh_site_under_propagation_ends_green_with_every_role_verified(fresh_sandbox, tmp_path):
    fresh_sandbox.configure(aws={"iam_propagation_seconds": 8})
    site = site_with_roles(fresh_sandbox, tmp_path, "n8", [
        dict(name=name, max_session_duration=3600, inline_policies=dict(read=S3_READ)) for name in ROLES])
    started = time.monotonic()
    done = site.run()
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    for name in ROLES:
        assert "%s: assumed-role ARN arn:aws:sts::%s:assumed-role/%s/" % (name, fresh_sandbox.account_id, name) \
            in done.stdout, done.stdout[-3000:]
    # Every change of step 5 waited for IAM: the run cannot be shorter than one propagation delay per changed object
    # that the next one depends on (the provider, then each role).
    assert seconds > 8, seconds


def test_site_with_a_trust_for_another_client_fails_fast_under_propagation(fresh_sandbox, tmp_path):
    fresh_sandbox.configure(aws={"iam_propagation_seconds": 8})
    callbacks = tmp_path / "callbacks"
    callbacks.mkdir()
    (callbacks / "task_times.py").write_text(TIMER)
    times = str(tmp_path / "times.log")
    # The bound is 300 s: a verification that waited for propagation would take that long.
    site = site_with_roles(fresh_sandbox, tmp_path, "other", [dict(name="oci-reporting", subjects=["another-client"])],
                           oci_aws_federation_propagation_timeout=300)
    done = site.run(env=site.env(ANSIBLE_CALLBACK_PLUGINS=str(callbacks), ANSIBLE_CALLBACKS_ENABLED="task_times",
                                 TASK_TIMES=times))
    assert done.returncode != 0
    assert recap(done)["failed"] == 1
    assert "Verification of role oci-reporting failed at step 5" in done.stdout, done.stdout[-3000:]
    assert "'another-client'" in done.stdout or "another-client" in done.stdout
    assert "still refused after" not in done.stdout, "it waited for propagation"
    with open(times) as handle:
        entries = [yaml.safe_load(line) for line in handle]
    verification = [seconds for name, status, seconds in entries if "Get credentials through" in name]
    assert verification and verification[0] < 30, entries  # well under the 300 s bound


def role_args(sandbox, **changes):
    args = dict(issuer_url=sandbox.domain_url, role_name="oci-federated", subjects=["client-1"],
                max_session_duration=3600, inline_policies={"read": S3_READ}, aws_ca_bundle=sandbox.ca_bundle)
    args.update(changes)
    return args


def test_aws_oidc_role_second_run_under_propagation_changes_nothing(fresh_sandbox, tmp_path):
    fresh_sandbox.configure(aws={"iam_propagation_seconds": 5})
    home = tmp_path / "home"
    home.mkdir()
    for step, changes in (("create", {}), ("update", {"max_session_duration": 7200, "subjects": ["client-2"]})):
        failed, first, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", role_args(fresh_sandbox, **changes))
        assert not failed and first["changed"], output
        assert first["propagation"]["retries"] >= 1, first  # IAM's reads lagged, and the module waited for them
        fresh_sandbox.reset_counters()
        failed, again, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", role_args(fresh_sandbox, **changes))
        assert not failed and not again["changed"], (step, output)
        assert fresh_sandbox.writes("aws") == 0, step
        assert "propagation" not in again


def test_without_the_wait_the_next_run_sees_nothing_and_repeats_no_create(fresh_sandbox, tmp_path):
    """A run right after a create that did not wait: IAM says EntityAlreadyExists for what its reads do not show
    yet; the module reads it as present once they show it, instead of failing."""
    fresh_sandbox.configure(aws={"iam_propagation_seconds": 6})
    home = tmp_path / "home"
    home.mkdir()
    failed, first, output = run_named_module(fresh_sandbox, home, "aws_oidc_role",
                                             role_args(fresh_sandbox, wait_for_propagation=False))
    assert not failed and first["changed"] and "propagation" not in first, output
    failed, again, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", role_args(fresh_sandbox))
    assert not failed, output
    assert not again["changed"], again
    assert again["role_arn"] == first["role_arn"] and again["provider_arn"] == first["provider_arn"]


def assume_args(made, **changes):
    args = dict(made.options(), cert_bundle=made.sandbox.ca_bundle, aws_ca_bundle=made.sandbox.ca_bundle)
    args.update(changes)
    return args


def test_the_exchange_waits_for_a_new_provider_and_role_only_when_told(fresh_sandbox, tmp_path):
    # Long enough for two module runs on a loaded machine to start within it.
    fresh_sandbox.configure(aws={"iam_propagation_seconds": 40})
    made = Federation(fresh_sandbox).build(issuer=True, public_keys=True, role=False)
    home = tmp_path / "home"
    home.mkdir()
    failed, role, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", dict(
        issuer_url=fresh_sandbox.domain_url, role_name="oci-fresh", subjects=[made.client_id],
        aws_ca_bundle=fresh_sandbox.ca_bundle, wait_for_propagation=False))
    assert not failed and role["changed"], output
    args = assume_args(made, role_arn=role["role_arn"])

    started = time.monotonic()
    failed, untold, _output = run_named_module(fresh_sandbox, home, "oci_aws_assume", args)
    untold_seconds = time.monotonic() - started
    assert failed and untold["step"] == "5", untold
    assert "No OpenIDConnect provider" in untold["msg"] or "AccessDenied" in untold["msg"], untold["msg"]
    assert "still refused after" not in untold["msg"]

    failed, told, output = run_named_module(fresh_sandbox, home, "oci_aws_assume", dict(args, wait_for_propagation=True))
    assert not failed, output
    assert told["assumed_role_arn"].endswith(":assumed-role/oci-fresh/ansible-oci-aws")
    assert told["propagation"]["retries"] >= 1 and told["propagation"]["waited"] > 0, told["propagation"]
    assert untold_seconds < 15, untold_seconds


def test_a_visible_role_that_refuses_the_token_fails_at_once_even_when_told_to_wait(fresh_sandbox, tmp_path):
    fresh_sandbox.configure(aws={"iam_propagation_seconds": 3})
    made = Federation(fresh_sandbox).build(issuer=True, public_keys=True, role=False)
    home = tmp_path / "home"
    home.mkdir()
    failed, role, output = run_named_module(fresh_sandbox, home, "aws_oidc_role", dict(
        issuer_url=fresh_sandbox.domain_url, role_name="oci-other", subjects=["another-client"],
        aws_ca_bundle=fresh_sandbox.ca_bundle))
    assert not failed and role["changed"], output
    started = time.monotonic()
    failed, result, _output = run_named_module(fresh_sandbox, home, "oci_aws_assume", assume_args(
        made, role_arn=role["role_arn"], wait_for_propagation=True, propagation_timeout=300))
    seconds = time.monotonic() - started
    assert failed and result["step"] == "5" and "AccessDenied" in result["msg"], result
    assert "another-client" in result["msg"] and made.client_id in result["msg"]
    assert seconds < 30, seconds  # the bound is 300 s


# -- token time rules ------------------------------------------------------------------------------------------------

def exchange_right_after_a_new_role(sandbox, tmp_path, made, propagation=30):
    """A role for the federation's client made without waiting for IAM, then an exchange that waits for it (the
    counters reset between the two): the exchange's result. The exchange starts `propagation` seconds (sandbox
    clock) before STS sees the role, however long aws_oidc_role took: IAM's delay is set once the role is written,
    to the time since just before its write plus `propagation` (the sandbox applies the delay in force at each read).
    With a fixed delay set beforehand, a loaded machine (load average 28) spent it all before the exchange began
    (`waited` 0.0)."""
    sandbox.configure(aws={"iam_propagation_seconds": 3600})  # the write is recorded and not seen meanwhile
    before = sandbox.call("GET", "/clock")["now"]
    home = tmp_path / "home"
    home.mkdir()
    failed, role, output = run_named_module(sandbox, home, "aws_oidc_role", dict(
        issuer_url=sandbox.domain_url, role_name="oci-fresh", subjects=[made.client_id],
        aws_ca_bundle=sandbox.ca_bundle, wait_for_propagation=False))
    assert not failed, output
    sandbox.configure(aws={"iam_propagation_seconds": sandbox.call("GET", "/clock")["now"] - before + propagation})
    sandbox.reset_counters()
    failed, result, output = run_named_module(sandbox, home, "oci_aws_assume", assume_args(
        made, role_arn=role["role_arn"], wait_for_propagation=True))
    assert not failed, output
    return result


def test_client_credentials_renews_a_token_that_sts_calls_too_old(fresh_sandbox, tmp_path):
    """The token of a long exchange (here: one waiting for IAM) becomes too old for STS; a new one is fetched."""
    made = Federation(fresh_sandbox).build(issuer=True, public_keys=True, role=False)
    # The exchange waits for IAM (30 s, exchange_right_after_a_new_role) past the token's allowed age (3 s).
    fresh_sandbox.configure(aws={"max_token_age_seconds": 3})
    result = exchange_right_after_a_new_role(fresh_sandbox, tmp_path, made)
    assert result["propagation"]["waited"] > 3, result  # the first token was older than 3 s when STS took the role
    assert fresh_sandbox.counters()["oci"]["summary"].get("token", 0) >= 2  # a new token after "Token too old"


def test_a_token_file_that_sts_calls_too_old_fails_saying_so(fresh_sandbox, tmp_path):
    made = Federation(fresh_sandbox).build()
    fresh_sandbox.configure(aws={"max_token_age_seconds": 60})
    token_file = tmp_path / "token"
    token_file.write_text(made.procedure.token())
    os.chmod(str(token_file), 0o600)
    fresh_sandbox.shift_clock(120)  # two minutes later at STS: the token is 120 s old, and valid for an hour
    home = tmp_path / "home"
    home.mkdir()
    args = dict(token_file=str(token_file), issuer=fresh_sandbox.domain_url, role_arn=made.role_arn,
                aws_ca_bundle=fresh_sandbox.ca_bundle)
    failed, result, output = run_named_module(fresh_sandbox, home, "oci_aws_assume", args)
    assert failed and result["step"] == "6", output
    assert "too old" in result["msg"] and "expired" not in result["msg"], result["msg"]
    assert result["error_code"] == "ExpiredTokenException"


def test_with_no_skew_a_token_close_to_its_exp_is_renewed_before_it_is_sent(fresh_sandbox, tmp_path):
    """STS allows no skew after exp (the sandbox's default, clock_skew_seconds 0): a client-credentials token with
    less than a minute left is not sent but replaced (here: tokens of 64 s, in an exchange that waits for IAM)."""
    from oci_aws_sandbox.procedure import PATCH_SCHEMA  # pylint: disable=import-outside-toplevel

    made = Federation(fresh_sandbox).build(issuer=True, public_keys=True, role=False)
    made.procedure._admin("PATCH", "/admin/v1/Apps/" + made.procedure.app["id"], {  # pylint: disable=protected-access
        "schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "path": "accessTokenExpiry", "value": 64}]})
    assert fresh_sandbox.configure()["aws"]["clock_skew_seconds"] == 0
    result = exchange_right_after_a_new_role(fresh_sandbox, tmp_path, made)
    assert result["propagation"]["waited"] > 5, result  # the first token had less than 60 s left by then
    assert fresh_sandbox.counters()["oci"]["summary"].get("token", 0) >= 2
    sts = fresh_sandbox.counters()["aws"]["summary"].get("sts", 0)
    assert sts == result["propagation"]["retries"] + 1, "no STS call was refused as expired and retried"
