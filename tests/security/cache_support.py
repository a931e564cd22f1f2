"""Helpers of tests/security/test_cache.py: the lookup's code path with a fake exchange, an isolated AWS config."""

import json
import os
import subprocess
import sys
import time

from ansible_collections.multicloud.oci_aws.plugins.plugin_utils import _lookup

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKENVALUE0123456789"
CLIENT_SECRET = "idcscs-client-secret-value-0001"
SECRETS = {"AWS secret key": SECRET_KEY, "session token": SESSION_TOKEN, "client secret": CLIENT_SECRET}
# The directory that holds ansible_collections/ (as the test session imports the collection), for child processes.
COLLECTIONS_BASE = os.path.abspath(os.path.join(os.path.dirname(_lookup.__file__), *[os.pardir] * 5))
ROLE = "arn:aws:iam::123456789012:role/oci-reporting"


class FakeExchange:
    """Stands for ``_lookup._exchange``: counts exchanges, answers credentials valid for an hour."""

    def __init__(self):
        self.calls = 0

    def __call__(self, options, warn, announce=None):
        self.calls += 1
        expires_at = time.time() + 3600
        return {"access_key": "ASIA%016d" % self.calls, "secret_key": SECRET_KEY, "session_token": SESSION_TOKEN,
                "expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at)),
                "assumed_role_arn": options["role_arn"], "environment": {}}, expires_at


def options(cache_dir, **changes):
    base = dict(domain_url="https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com",
                client_id="client-1", client_secret=CLIENT_SECRET, role_arn=ROLE, region="us-east-1",
                duration_seconds=3600, cache=True, cache_dir=str(cache_dir), cache_refresh_margin=600)
    base.update(changes)
    return base


def isolate_aws(monkeypatch, tmp_path):
    """No AWS_* variable of the test run, and shared files that do not exist (the tests write them when needed)."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))


def run_lookup(monkeypatch, opts):
    """``(answer, warnings, exchanges, seconds)`` of one evaluation through ``_lookup.lookup_credentials``."""
    exchange = FakeExchange()
    monkeypatch.setattr(_lookup, "_exchange", exchange)
    warnings = []
    started = time.monotonic()
    answer = _lookup.lookup_credentials(opts, warnings.append)
    return answer, warnings, exchange.calls, time.monotonic() - started


HOLD_LOCK = r"""
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_lock(path, seconds=60):
    """A process that holds the flock of ``path`` (an existing file) until killed; returns it once it holds it."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, path, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


KILLED_WRITER = r"""
import os, sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
os.fsync = lambda fd: (print("writing", flush=True), time.sleep(120))
_paths.atomic_write(sys.argv[2], sys.argv[3].encode())
"""


def killed_writer(collections_base, path, data):
    """Start a cache write of ``data`` to ``path`` and SIGKILL the writer before its rename."""
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, collections_base, path, data],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    writer.kill()
    writer.wait()


READ_ONLY_LOOKUP = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import cache_support
from ansible_collections.multicloud.oci_aws.plugins.plugin_utils import _lookup
exchange = cache_support.FakeExchange()
_lookup._exchange = exchange
warnings = []
answer = _lookup.lookup_credentials(json.loads(sys.argv[3]), warnings.append)
print(json.dumps({"answer": answer, "warnings": warnings, "exchanges": exchange.calls}))
"""


def lookup_in_read_only_mount(collections_base, cache_dir, opts, env):
    """One evaluation in a private mount namespace where ``cache_dir`` is a read-only bind mount.

    Returns the CompletedProcess; its returncode is 77 when the machine does not allow the mount.
    """
    script = ('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" || exit 77; exec "$@"')
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.run(["unshare", "-m", "sh", "-c", script, str(cache_dir), sys.executable, "-c", READ_ONLY_LOOKUP,
                           collections_base, here, json.dumps(opts)], capture_output=True, text=True, env=env, timeout=60, check=False)
