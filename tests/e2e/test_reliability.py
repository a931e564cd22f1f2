"""Reliability under faults and concurrency (issue 7), module and lookup level, against the sandbox.

- 50 processes asking the lookup at the same moment with an empty cache: one token request, one STS
  call, the same credentials for all, never a partial cache file.
- 30% of the requests to each cloud answered 429, 500 or 503: the lookup succeeds 20 times out of 20.
- A cloud that stays down: each module fails within the retry budget, naming the endpoint, the last
  answer and the number of attempts.
"""

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import COLLECTIONS_BASE
from e2e.exchange_support import BIN, ansible_env, counts

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lookup_probe.py")
# One rule per status, sampled one after the other: 1 - 0.9 * (1 - 1/9) * (1 - 1/8) = 0.30 of all requests.
THIRTY_PERCENT = ((429, 0.1), (500, 1 / 9.0), (503, 1 / 8.0))
# The Retrier's budget per request (module_utils/_common.py): 6 attempts, at most 120 s; the rest is start-up.
BOUND_SECONDS = 150


def lookup_env(sandbox, federation, home, **extra):
    return ansible_env(sandbox, home, **dict(federation.lookup_env(), **extra))


def probe(env, runs, go_file=None):
    command = [sys.executable, PROBE, COLLECTIONS_BASE, str(runs)] + ([go_file] if go_file else [])
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def answer_of(process, timeout=300):
    out, err = process.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert process.returncode == 0 and lines, out[-2000:] + err[-2000:]
    return json.loads(lines[-1])


def test_fifty_concurrent_lookups_with_an_empty_cache_make_one_exchange(federation, fresh_sandbox, home, tmp_path):
    env = lookup_env(fresh_sandbox, federation, home)
    go_file = str(tmp_path / "go")
    processes = [probe(env, 1, go_file) for _n in range(50)]
    for process in processes:  # every probe has imported Ansible and waits at the starting line
        assert process.stdout.readline().strip() == "ready"
    fresh_sandbox.reset_counters()
    open(go_file, "w").close()
    answers = [answer_of(process) for process in processes]
    assert [a["errors"] for a in answers if a["errors"]] == []
    assert sum(a["ok"] for a in answers) == 50
    assert len(set(d for a in answers for d in a["digests"])) == 1, "every process got the same credentials"
    assert counts(fresh_sandbox) == (1, 1)
    cache = home / "cache"
    assert [p.name for p in cache.iterdir() if not p.name.endswith((".json", ".lock"))] == [], "no partial file left"


# The endpoints the collection calls. AWS's own fetches of the discovery document and the JWKS
# (GET /.well-known/openid-configuration, GET /admin/v1/SigningCert/jwk) are left alone: what
# fails there is reported by STS, retried within the same budget, and out of the collection's hands.
CALLED = {
    "oci": ("* /admin/v1/Apps*", "* /admin/v1/AppStatusChanger*", "* /admin/v1/AppClientSecretRegenerator*",
            "* /admin/v1/Settings*", "POST /oauth2/v1/token"),
    "aws": ("*",),
}


def inject_thirty_percent(sandbox, cloud, seed):
    for endpoint in CALLED[cloud]:
        for offset, (status, probability) in enumerate(THIRTY_PERCENT):
            sandbox.fault(cloud=cloud, endpoint=endpoint, status=status, probability=probability, seed=seed + offset)
            seed += 10


def test_the_lookup_succeeds_twenty_times_out_of_twenty_with_thirty_percent_faults(federation, fresh_sandbox, home):
    env = lookup_env(fresh_sandbox, federation, home, PROBE_CACHE="false")
    fresh_sandbox.reset_counters()
    inject_thirty_percent(fresh_sandbox, "oci", 7)
    inject_thirty_percent(fresh_sandbox, "aws", 70)
    answer = answer_of(probe(env, 20))
    snapshot = fresh_sandbox.counters()
    injected = sum(snapshot["oci"]["faults_injected"].values()) + sum(snapshot["aws"]["faults_injected"].values())
    assert answer["errors"] == [], "\n".join(answer["errors"])
    assert answer["ok"] == 20
    assert len(set(answer["digests"])) == 20, "cache off: 20 exchanges, 20 sets of credentials"
    assert injected >= 6, snapshot  # 40 successful requests at 30% faults: about 17 expected
    print("lookup 20/20 with %d faults injected over %d requests" % (
        injected, snapshot["oci"]["total"] + snapshot["aws"]["total"]))


# -- a cloud that stays down -------------------------------------------------------------------

def run_module(env, module, args, timeout=BOUND_SECONDS + 60):
    command = [os.path.join(BIN, "ansible"), "localhost", "-m", module, "-a", json.dumps(args)]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    elapsed = time.monotonic() - started
    head, _sep, body = done.stdout.partition(" => ")
    assert body, done.stdout + done.stderr
    return "FAILED" in head, json.loads(body), elapsed


DOWN = [
    # (cloud, endpoint pattern, module, what the message must name)
    ("oci", "GET /admin/v1/*", "multicloud.oci_aws.oci_oidc_app", "/admin/v1/Apps"),
    ("oci", "* /admin/v1/Settings*", "multicloud.oci_aws.oci_token_policy", "/admin/v1/Settings"),
    ("oci", "POST /oauth2/v1/token", "multicloud.oci_aws.oci_aws_assume", "/oauth2/v1/token"),
    ("aws", "sts:*", "multicloud.oci_aws.oci_aws_assume", "AssumeRoleWithWebIdentity"),
    ("aws", "iam:*", "multicloud.oci_aws.aws_oidc_role", "iam"),
]


@pytest.mark.parametrize("cloud, endpoint, module, named", DOWN, ids=[d[2].split(".")[-1] + "-" + d[0] + "-" + d[1]
                                                                      for d in DOWN])
def test_a_cloud_that_stays_down_fails_in_bounded_time_naming_endpoint_status_and_attempts(
        federation, fresh_sandbox, home, cloud, endpoint, module, named):
    env = lookup_env(fresh_sandbox, federation, home)
    args = dict(domain_url=fresh_sandbox.domain_url)
    if module.endswith("oci_oidc_app"):
        args.update(display_name="reliability-down")
    elif module.endswith("aws_oidc_role"):
        args = dict(issuer_url=fresh_sandbox.domain_url, role_name="reliability-down",
                    subjects=[federation.client_id])
    elif module.endswith("oci_aws_assume"):
        args = federation.options()
    fresh_sandbox.fault(cloud=cloud, endpoint=endpoint, status=503)
    failed, result, elapsed = run_module(env, module, args)
    assert failed, result
    message = result["msg"]
    assert named in message, message
    assert "503" in message or "ServiceUnavailable" in message, message
    assert "attempts" in message, message
    assert result.get("attempts", 0) >= 2 or "6 attempts" in message, result
    assert elapsed < BOUND_SECONDS, elapsed
    assert federation.client_secret not in json.dumps(result)
    print("%s with %s down: failed after %.1f s: %s" % (module, endpoint, elapsed, message))
