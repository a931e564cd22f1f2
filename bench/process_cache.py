"""Measurement 6: the credential_process front door: N AWS CLI processes with the profile, one exchange.

``oci_aws_assume`` writes the profile ``oci`` (``credential_process_profile``); then a shell loop of
the real AWS CLI, ``aws sts get-caller-identity --profile oci``, runs N times in a row and N more
four at a time (N = 10: under a minute on 2 cores). Each process runs the profile's credential_process (the runner) once. The sandbox
counts the token requests and the ``sts:AssumeRoleWithWebIdentity`` calls (not the CLI's own
GetCallerIdentity). "Without the cache" is the same loop with the runner's cache entry removed
before each process: every process misses, as every run did before the runner had a cache.
"""

import glob
import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from bench.common import BIN, WEB_IDENTITY, Result, fmt_s, median

PROCESSES = 10
QUICK_PROCESSES = 4
UNCACHED = 3
QUICK_UNCACHED = 3


def _exchanges(ctx):
    counts = ctx.counts()
    return counts["oci"]["kinds"].get("token", 0), counts["aws"]["endpoints"].get(WEB_IDENTITY, 0)


def run(ctx):
    processes = QUICK_PROCESSES if ctx.quick else PROCESSES
    uncached = QUICK_UNCACHED if ctx.quick else UNCACHED
    result = Result(6, "credential_process: %d AWS CLI processes with the profile" % (2 * processes),
                    ["run", "processes", "token requests", "AssumeRoleWithWebIdentity", "median wall per process"])
    aws = shutil.which("aws")
    if aws is None:
        result.check("one exchange for %d processes" % (2 * processes), "the AWS CLI is not installed", None)
        return result
    federation = ctx.fresh_federation()
    home = ctx.directory("process-cache-home")
    env = ctx.ansible_env(home)
    # As tests/e2e/exchange_support.run_module runs the module (the sandbox's throw-away secret in its arguments).
    done = subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-m", "multicloud.oci_aws.oci_aws_assume", "-a",
                           json.dumps(federation.options(credential_process_profile="oci"))], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError("oci_aws_assume failed: %s" % done.stdout[-2000:])
    cli_env = dict((k, v) for k, v in env.items() if not k.startswith("AWS_"))
    cli_env.update(HOME=home, AWS_CONFIG_FILE=os.path.join(home, ".aws", "config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, ".aws", "credentials"),
                   AWS_CA_BUNDLE=ctx.sandbox.ca_bundle, AWS_ENDPOINT_URL=ctx.sandbox.aws_endpoint,
                   AWS_DEFAULT_REGION="us-east-1")
    cache = os.path.join(home, ".aws", "multicloud.oci_aws", "cache")

    def cli(_n=None, forget=False):
        if forget:
            for path in glob.glob(os.path.join(cache, "*.json")):
                os.unlink(path)
        started = time.monotonic()
        ran = subprocess.run([aws, "sts", "get-caller-identity", "--profile", "oci"], env=cli_env, capture_output=True,
                             text=True, timeout=120, check=False)
        if ran.returncode != 0:
            raise RuntimeError("aws sts get-caller-identity failed: %s" % ran.stderr[-2000:])
        return time.monotonic() - started

    ctx.sandbox.reset_counters()
    walls = [cli() for _n in range(processes)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(cli, range(processes)))  # counted, not timed (four at a time on 2 cores)
    cached = _exchanges(ctx)
    walls = walls[1:]  # the first one filled the cache
    result.rows.append(["with the cache (%d in a row, %d four at a time; wall: the %d in a row after the first)" % (
                        processes, processes, processes - 1), 2 * processes,
                        cached[0], cached[1], fmt_s(median(walls))])
    ctx.sandbox.reset_counters()
    misses = [cli(forget=True) for _n in range(uncached)]
    missed = _exchanges(ctx)
    result.rows.append(["without (entry removed before each)", uncached, missed[0], missed[1], fmt_s(median(misses))])
    result.notes.append(
        "Each process is the AWS CLI (%s) running the runner once. Per process: %.3f s with the cache, %.3f s without "
        "(the difference is one token request and one STS call; the CLI's own start-up dominates both)."
        % (aws, median(walls), median(misses)))
    result.check("%d processes in one window: 1 token request, 1 AssumeRoleWithWebIdentity" % (2 * processes),
                 "%d token request(s), %d STS exchange(s)" % cached, cached == (1, 1))
    result.check("without the cache: one exchange per process", "%d token request(s), %d STS exchange(s) for %d" % (
        missed + (uncached,)), missed == (uncached, uncached))
    return result
