"""End to end against the sandbox (issue 5, "done when"): the lookup across 200 hosts and 20 forks
makes one token request and one STS call, and none on a second run; each broken step of the
federation gives its own actionable error; credentials from the module, the lookup and the
credential_process work for S3."""

import json
import os
import stat
import time

import boto3

from e2e.exchange_support import LOOKUP, Federation, ansible_env, counts, run_module, run_playbook


def s3_roundtrip(sandbox, access_key, secret_key, session_token=None, session=None):
    """A bucket made, an object written and read back, with the credentials given (or a boto3 session)."""
    settings = dict(endpoint_url=sandbox.aws_endpoint, verify=sandbox.ca_bundle, region_name="us-east-1")
    if session is None:
        session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                        aws_session_token=session_token)
    s3 = session.client("s3", **settings)
    bucket = "e2e-%d" % (time.time_ns() % 10 ** 9)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello from OCI")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"hello from OCI"
    return session.client("sts", **settings).get_caller_identity()["Arn"]


# -- the lookup at fleet scale ---------------------------------------------------------------------

FLEET = """
- name: Three tasks on every host evaluate the lookup
  hosts: fleet
  gather_facts: false
  vars:
    aws: "{{ lookup('%(lookup)s') }}"
  tasks:
    - name: Credentials
      ansible.builtin.assert:
        that: aws.access_key is match('ASIA')
        quiet: true
    - name: The role
      ansible.builtin.assert:
        that: aws.assumed_role_arn == '%(session_arn)s'
        quiet: true
    - name: An expiry
      ansible.builtin.assert:
        that: aws.expiration is match('20')
        quiet: true
"""


def test_two_hundred_hosts_and_twenty_forks_make_one_exchange_then_none(federation, fresh_sandbox, home, tmp_path):
    env = ansible_env(fresh_sandbox, home, ANSIBLE_FORKS="20", **federation.lookup_env())
    inventory = "[fleet]\n" + "".join("host%03d ansible_connection=local\n" % n for n in range(200))
    playbook = FLEET % dict(lookup=LOOKUP, session_arn=federation.session_arn)
    timings = []
    for run in ("cold", "warm"):
        fresh_sandbox.reset_counters()
        started = time.monotonic()
        done = run_playbook(env, tmp_path, playbook, inventory=inventory)
        timings.append(time.monotonic() - started)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "ok=3 " in done.stdout and done.stdout.count("ok=3 ") == 200
        assert counts(fresh_sandbox) == ((1, 1) if run == "cold" else (0, 0)), run
    cache = home / "cache"
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    entries = [p for p in cache.iterdir() if p.suffix == ".json"]
    assert len(entries) == 1 and stat.S_IMODE(os.stat(entries[0]).st_mode) == 0o600
    print("fan-out 200 hosts x 3 tasks, forks 20: cold %.1f s, warm %.1f s" % tuple(timings))


# -- every broken step, its own error --------------------------------------------------------------

def refused(env, options, sandbox):
    sandbox.reset_counters()
    failed, result = run_module(env, options)
    assert failed, result
    for secret in (options.get("client_secret"), options.get("token")):
        assert secret is None or secret not in json.dumps(result)
    return result


def test_issuer_not_changed(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build(issuer=False)
    result = refused(ansible_env(fresh_sandbox, home), federation.options(), fresh_sandbox)
    assert result["step"] == "3"
    assert "the token's issuer is https://identity.oraclecloud.com/, the identity domain's default, but AWS expects %s" % (
        fresh_sandbox.domain_url) in result["msg"]
    assert "multicloud.oci_aws.oci_token_policy" in result["msg"]
    assert counts(fresh_sandbox) == (1, 0)  # refused before STS


def test_signing_keys_not_public(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build(public_keys=False)
    result = refused(ansible_env(fresh_sandbox, home), federation.options(), fresh_sandbox)
    assert (result["step"], result["error_code"]) == ("4", "InvalidIdentityToken")
    assert "signing_cert_public_access: true" in result["msg"]


def test_resource_server_missing(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build(app=dict(resource_server=False))
    result = refused(ansible_env(fresh_sandbox, home), federation.options(), fresh_sandbox)
    assert (result["step"], result["error_code"]) == ("2.1", "invalid_scope")
    assert "not a resource server with primary audience sts.amazon.com" in result["msg"]
    assert counts(fresh_sandbox) == (1, 0)


def test_scope_not_defined_by_the_app(federation, fresh_sandbox, home):
    result = refused(ansible_env(fresh_sandbox, home), federation.options(scope="sts.amazon.com/reports"), fresh_sandbox)
    assert result["step"] == "2.1" and "refused the scope 'sts.amazon.com/reports'" in result["msg"]


def test_audience_of_the_app_is_not_the_one_aws_expects(fresh_sandbox, home):
    federation = Federation(fresh_sandbox, audience="sts.amazonaws.com").build()
    result = refused(ansible_env(fresh_sandbox, home), federation.options(scope="sts.amazonaws.com/"), fresh_sandbox)
    assert result["step"] == "2.1" and result["claim"] == "aud"
    assert "'sts.amazonaws.com' but AWS expects 'sts.amazon.com'" in result["msg"]


def test_audience_not_a_client_id_of_the_provider(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build(client_ids=["sts.amazonaws.com"])
    result = refused(ansible_env(fresh_sandbox, home), federation.options(), fresh_sandbox)
    assert (result["step"], result["error_code"]) == ("5", "InvalidIdentityToken")
    assert "not a client ID of the IAM OIDC provider" in result["msg"]


def test_audience_array(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build(app=dict(secondary_audiences=["https://other.example.com"]))
    result = refused(ansible_env(fresh_sandbox, home), federation.options(), fresh_sandbox)
    assert result["step"] == "2.1" and "2 audiences (sts.amazon.com, https://other.example.com)" in result["msg"]
    assert counts(fresh_sandbox) == (1, 0)


def test_trust_policy_sub_mismatch(fresh_sandbox, home):
    federation = Federation(fresh_sandbox).build(condition_sub="another-client")
    result = refused(ansible_env(fresh_sandbox, home), federation.options(), fresh_sandbox)
    provider_id = fresh_sandbox.domain_url[len("https://"):]
    assert (result["step"], result["error_code"]) == ("5", "AccessDenied")
    # The sandbox's IAM administrator keys are in the environment: the module read the trust policy.
    assert "StringEquals %s:sub requires another-client but the token's sub is '%s'" % (
        provider_id, federation.client_id) in result["msg"]
    assert "subjects: [%s]" % federation.client_id in result["msg"]


def test_expired_token_given_as_a_string(federation, fresh_sandbox, home):
    token = federation.procedure.token()
    env = ansible_env(fresh_sandbox, home)
    fresh_sandbox.shift_clock(3600 + 400)  # STS's clock is past exp and the five minutes of skew
    options = federation.options(client_id=None, client_secret=None, token=token)
    result = refused(env, options, fresh_sandbox)
    assert (result["step"], result["error_code"]) == ("6", "ExpiredTokenException")
    assert token not in json.dumps(result)
    # With the client credentials, the exchange asks for a new token and succeeds.
    fresh_sandbox.reset_counters()
    failed, result = run_module(env, federation.options())
    assert not failed and counts(fresh_sandbox) == (1, 1)


def test_expired_token_is_refused_before_sts(federation, fresh_sandbox, home):
    fresh_sandbox.shift_clock(-4000)  # the domain issues a token that is already expired here
    result = refused(ansible_env(fresh_sandbox, home), federation.options(), fresh_sandbox)
    assert result["step"] == "6" and result["claim"] == "exp" and "expired at" in result["msg"]
    assert counts(fresh_sandbox) == (1, 0)


def test_duration_above_the_role_maximum(federation, fresh_sandbox, home):
    result = refused(ansible_env(fresh_sandbox, home), federation.options(duration_seconds=7200), fresh_sandbox)
    assert (result["step"], result["error_code"]) == ("5", "ValidationError")
    assert "duration_seconds 7200 is above the maximum session duration of %s, 3600 seconds" % (
        federation.role_arn) in result["msg"]


def test_the_lookup_reports_a_broken_step_as_a_lookup_error(fresh_sandbox, home, tmp_path):
    federation = Federation(fresh_sandbox).build(public_keys=False)
    env = ansible_env(fresh_sandbox, home, OCI_AWS_CLIENT_SECRET=federation.client_secret)
    done = run_playbook(env, tmp_path, """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ lookup('%s', domain_url='%s', client_id='%s', role_arn='%s') }}"
""" % (LOOKUP, fresh_sandbox.domain_url, federation.client_id, federation.role_arn), "-vvv")
    assert done.returncode == 2
    assert "The lookup plugin '%s' failed" % LOOKUP in done.stdout
    assert "signing_cert_public_access: true" in done.stdout and "[step 4 of the procedure]" in done.stdout
    assert federation.client_secret not in done.stdout + done.stderr


# -- credentials that work ---------------------------------------------------------------------------

def test_module_credentials_work_for_s3(federation, fresh_sandbox, home):
    failed, result = run_module(ansible_env(fresh_sandbox, home), federation.options(role_session_name="module"))
    assert not failed and not result["changed"]
    arn = s3_roundtrip(fresh_sandbox, result["access_key"], result["secret_key"], result["session_token"])
    assert arn == result["assumed_role_arn"] == "arn:aws:sts::%s:assumed-role/%s/module" % (
        fresh_sandbox.account_id, federation.procedure.role_name)


def test_lookup_credentials_work_for_s3(federation, fresh_sandbox, home, tmp_path):
    answer = tmp_path / "answer.json"
    done = run_playbook(ansible_env(fresh_sandbox, home), tmp_path, """
- hosts: localhost
  gather_facts: false
  vars:
    oci_aws_client_secret: "%s"
  tasks:
    - ansible.builtin.copy:
        content: "{{ lookup('%s', domain_url='%s', client_id='%s', role_arn='%s', role_session_name='lookup') | to_json }}"
        dest: %s
        mode: "0600"
      no_log: true
""" % (federation.client_secret, LOOKUP, fresh_sandbox.domain_url, federation.client_id, federation.role_arn, answer))
    assert done.returncode == 0, done.stdout + done.stderr
    credentials = json.loads(answer.read_text())
    assert s3_roundtrip(fresh_sandbox, credentials["access_key"], credentials["secret_key"],
                        credentials["session_token"]) == credentials["assumed_role_arn"]


def test_credential_process_works_through_boto3(federation, fresh_sandbox, home, monkeypatch):
    env = ansible_env(fresh_sandbox, home)
    config = home / ".aws" / "config"
    options = federation.options(credential_process_profile="oci", role_session_name="process")
    failed, first = run_module(env, options)
    assert not failed and first["changed"]
    failed, second = run_module(env, options)
    assert not failed and not second["changed"]
    for path in (config, home / ".aws" / "multicloud.oci_aws" / "oci.json",
                 home / ".aws" / "multicloud.oci_aws" / "credential_process.pyz"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert federation.client_secret not in config.read_text()

    # A boto3 session with nothing but the profile and the sandbox's endpoint settings: no AWS keys.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", fresh_sandbox.aws_endpoint)
    monkeypatch.setenv("AWS_CA_BUNDLE", fresh_sandbox.ca_bundle)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    fresh_sandbox.reset_counters()
    session = boto3.session.Session(profile_name="oci")
    assert session.get_credentials().method == "custom-process"
    assert s3_roundtrip(fresh_sandbox, None, None, session=session) == "arn:aws:sts::%s:assumed-role/%s/process" % (
        fresh_sandbox.account_id, federation.procedure.role_name)
    assert counts(fresh_sandbox) == (1, 2)  # one exchange; the second STS call is GetCallerIdentity


def test_credentials_profile_works_through_boto3(federation, fresh_sandbox, home, monkeypatch):
    failed, result = run_module(ansible_env(fresh_sandbox, home), federation.options(credentials_profile="oci-static"))
    assert not failed and result["changed"]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", result["credentials_file"]["path"])
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "none"))
    session = boto3.session.Session(profile_name="oci-static")
    assert s3_roundtrip(fresh_sandbox, None, None, session=session) == result["assumed_role_arn"]
