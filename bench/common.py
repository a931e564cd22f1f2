"""What every measurement shares: paths, the sandbox and a federation on it, Ansible runs, statistics
and the shape of a result.

Nothing here prints or stores a secret: client secrets and credentials travel in environment
variables of the processes that need them, or in 0600 files of the run's private scratch
directory, which is deleted at the end of the run.
"""

import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
OUTPUT = os.path.join(BENCH, "output")
BIN = os.path.dirname(sys.executable)
LOOKUP = "multicloud.oci_aws.oci_aws_creds"

# The sandbox's own package (sandbox/, installed into the venv by make): its client side.
from oci_aws_sandbox import handle as sandbox_handle

# The federation of the exchange's end-to-end tests (tests/e2e/exchange_support.py), not a copy: steps 1 to 5 by
# the manual procedure, the session ARN and the lookup's environment.
if os.path.join(ROOT, "tests") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "tests"))
# The tests' own collection path (tests/conftest.py) and Ansible environment (exchange_support.ansible_env), not copies.
from conftest import COLLECTIONS_BASE  # noqa: E402  # pylint: disable=wrong-import-position
from e2e.exchange_support import Federation, ansible_env  # noqa: E402  # pylint: disable=wrong-import-position


# -- statistics ------------------------------------------------------------------------------------

def median(values):
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return float("nan")
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def percentile(values, p):
    """Nearest-rank percentile (``p`` in 0..100): a value that was actually measured."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, int(math.ceil(p / 100.0 * len(ordered))))
    return ordered[rank - 1]


def fmt_s(seconds):
    return "%.2f s" % seconds


def fmt_ms(seconds):
    return "%.3f ms" % (seconds * 1000.0)


# -- results ---------------------------------------------------------------------------------------

@dataclass
class Check:
    """One target of issue 8, checked in code."""

    target: str
    measured: str
    passed: Optional[bool]  # None: could not be measured in this checkout (said so, no figure invented)
    why: str = ""  # what bounds it, when it fails (or a caveat when it passes)

    @property
    def verdict(self):
        if self.passed is None:
            return "NOT AVAILABLE"
        return "PASS" if self.passed else "FAIL"


@dataclass
class Result:
    number: int
    title: str
    columns: List[str]
    rows: List[list] = field(default_factory=list)
    checks: List[Check] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    seconds: float = 0.0
    error: Optional[str] = None
    budget: float = 0.0  # the seconds this measurement is expected to take (its MEASUREMENTS line in __main__)

    def check(self, target, measured, passed, why=""):
        self.checks.append(Check(target, measured, None if passed is None else bool(passed), why))

    @property
    def available(self):
        return self.error is None and all(c.passed is not None for c in self.checks)

    @property
    def passed(self):
        return self.error is None and all(c.passed for c in self.checks)


# -- the run's context -----------------------------------------------------------------------------

class Context:
    """One sandbox, a private scratch directory and the collection made importable, for one run."""

    def __init__(self, quick=False, keep=False):
        self.quick = quick
        self.keep = keep
        self.scratch = tempfile.mkdtemp(prefix="oci-aws-bench-")
        os.chmod(self.scratch, 0o700)
        os.makedirs(OUTPUT, exist_ok=True)
        self.logs = os.path.join(OUTPUT, "logs")
        os.makedirs(self.logs, mode=0o700, exist_ok=True)  # playbook output: no secret, but not for others
        self.collections = COLLECTIONS_BASE
        self.sandbox = None
        self.started = time.monotonic()

    def log(self, message):
        """Progress on stderr (the table goes to stdout)."""
        sys.stderr.write("[bench %6.1f s] %s\n" % (time.monotonic() - self.started, message))
        sys.stderr.flush()

    def start_sandbox(self):
        directory = os.path.join(self.scratch, "sandbox")
        self.sandbox = sandbox_handle.start(directory, log_path=os.path.join(self.logs, "sandbox.log"))
        return self.sandbox

    def close(self):
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None
        if not self.keep:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def directory(self, *parts):
        """A private directory of the scratch area (created empty)."""
        path = os.path.join(self.scratch, *parts)
        if os.path.exists(path):
            shutil.rmtree(path)
        os.makedirs(path, mode=0o700)
        return path

    # -- the sandbox ---------------------------------------------------------------------------------
    def fresh_federation(self, **role_options):
        """Reset the sandbox and federate it by the manual procedure (steps 1 to 5): a :class:`Federation`."""
        self.sandbox.reset()
        return Federation(self.sandbox).build(**role_options)

    def counts(self):
        """Per cloud, since the last reset: ``kinds`` (requests by kind), ``endpoints`` (requests by endpoint) and
        ``kind_of`` (each endpoint's kind: read, write, token or sts)."""
        snapshot = self.sandbox.counters()
        return {cloud: {"kinds": dict(snapshot[cloud]["summary"]),
                        "endpoints": dict((k, v) for k, v in snapshot[cloud]["endpoints"].items() if v),
                        "kind_of": dict(snapshot[cloud]["kinds"])}
                for cloud in ("oci", "aws")}

    # -- processes -------------------------------------------------------------------------------------
    def python_env(self, **extra):
        """The environment of a bench probe: the sandbox's client settings and the collection importable."""
        env = self.sandbox.client_env() if self.sandbox else dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([ROOT, self.collections])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.update(extra)
        return env

    def ansible_env(self, home, **extra):
        """The environment of an Ansible run as tests/e2e runs it: sandbox settings, a home of its own."""
        return ansible_env(self.sandbox, home, ANSIBLE_RETRY_FILES_ENABLED="0", **extra)

    def run_probe(self, module, config, timeout=600):
        """Run ``python -m bench.<module>`` in a fresh interpreter; its JSON answer on stdout.

        ``config`` goes in a 0600 file of the scratch area (it may hold a client secret).
        """
        path = os.path.join(self.scratch, "%s.json" % module)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(config, handle)
        try:
            done = subprocess.run([sys.executable, "-m", "bench." + module, path], cwd=ROOT, env=self.python_env(),
                                  capture_output=True, text=True, timeout=timeout, check=False)
        finally:
            os.unlink(path)
        with open(os.path.join(self.logs, module + ".stderr"), "w") as handle:
            handle.write(done.stderr)
        if done.returncode != 0:
            raise RuntimeError("bench.%s exited with %d:\n%s" % (module, done.returncode, done.stderr[-3000:]))
        return json.loads(done.stdout)

    def ansible_playbook(self, env, playbook, inventory=None, args=(), log_name=None, timeout=900):
        """Run ``ansible-playbook``; ``(CompletedProcess, wall seconds)``, the CPU seconds of the run in
        ``CompletedProcess.cpu_seconds``. Output goes to bench/output/logs."""
        command = [os.path.join(BIN, "ansible-playbook"), playbook] + list(args)
        if inventory:
            command += ["-i", inventory]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False,
                              cwd=os.path.dirname(playbook))
        elapsed = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds of ansible-playbook and every process it waited for (its workers, the modules): unlike the
        # wall time, hardly changed by other work on the machine.
        done.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if log_name:
            with open(os.path.join(self.logs, log_name + ".log"), "w") as handle:
                handle.write(done.stdout)
                handle.write(done.stderr)
        return done, elapsed


# The sandbox's STS reads these two from the identity domain for every AssumeRoleWithWebIdentity
# (jwks_cache_seconds is 0 by default): AWS's requests, not the collection's.
STS_GATE_READS = ("GET /.well-known/openid-configuration", "GET /admin/v1/SigningCert/jwk")
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


def collection_requests(counts):
    """Per cloud, the endpoints the collection called and their kinds, without the STS gate's own reads.

    ``counts`` is :meth:`Context.counts`. Returns ``{cloud: {"endpoints": {key: n}, "read": n,
    "write": n, "token": n, "sts": n, "kind_of": {key: kind}}}``.
    """
    exchanges = counts["aws"]["endpoints"].get(WEB_IDENTITY, 0)
    result = {}
    for cloud in ("oci", "aws"):
        endpoints = dict(counts[cloud]["endpoints"])
        if cloud == "oci":
            for key in STS_GATE_READS:
                if key in endpoints:
                    endpoints[key] -= min(exchanges, endpoints[key])
        endpoints = dict((k, v) for k, v in endpoints.items() if v)
        kinds = dict((kind, 0) for kind in ("read", "write", "token", "sts"))
        for key, number in endpoints.items():
            kinds[counts[cloud]["kind_of"][key]] += number
        result[cloud] = dict(kinds, endpoints=endpoints, kind_of=dict(counts[cloud]["kind_of"]))
    return result


def write_private(path, text):
    """Write ``text`` to a new 0600 file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return path


# -- the machine and the versions -------------------------------------------------------------------

def versions():
    """Versions of what the run used, read from the venv's metadata without importing the packages."""
    from importlib import metadata  # pylint: disable=import-outside-toplevel

    found = {"Python": platform.python_version()}
    for name in ("ansible-core", "boto3", "botocore", "oci", "moto", "requests"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine():
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cpus
    model = ""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpus": cpus, "usable_cpus": usable, "cpu_model": model or platform.processor(),
            "platform": platform.platform()}


def commit():
    """The commit the run measures: ``{"sha", "dirty", "changed"}`` (``changed``: the paths git sees as changed or
    untracked, at most 20), read before the run writes anything."""
    def git(*args):
        done = subprocess.run(["git"] + list(args), cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout if done.returncode == 0 else None

    sha = (git("rev-parse", "HEAD") or "").strip() or "unknown (not a git checkout)"
    status = git("status", "--porcelain")
    changed = [line[3:] for line in (status or "").splitlines() if line.strip()]
    return {"sha": sha, "dirty": bool(changed) if status is not None else None, "changed": changed[:20]}
