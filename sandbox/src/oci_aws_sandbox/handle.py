"""Client side of a running sandbox: start/stop it as a process, read its files, drive its control API.

Used by `python -m oci_aws_sandbox up|down|status`, by the pytest fixtures (`pytest_plugin.py`) and by
any client that drives a sandbox (the collection's `make demo` and `make bench`).
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

START_TIMEOUT = 90


class SandboxError(RuntimeError):
    pass


class SandboxHandle:
    """A running sandbox, known by its state directory."""

    def __init__(self, directory, process=None):
        self.directory = os.path.abspath(directory)
        self.process = process
        with open(os.path.join(self.directory, "state.json")) as handle:
            self.state = json.load(handle)
        self.env = {k: v for k, v in self.state.items() if k != "pid"}

    # convenient names
    @property
    def domain_url(self):
        return self.env["OCI_DOMAIN_URL"]

    @property
    def aws_endpoint(self):
        return self.env["AWS_ENDPOINT_URL"]

    @property
    def ca_bundle(self):
        return self.env["SANDBOX_CA_BUNDLE"]

    @property
    def control_url(self):
        return self.env["SANDBOX_CONTROL_URL"]

    @property
    def account_id(self):
        return self.env["SANDBOX_AWS_ACCOUNT_ID"]

    @property
    def vars_file(self):
        return os.path.join(self.directory, "vars.yml")

    def client_env(self, base=None):
        """`base` (default: os.environ) with the sandbox's client settings applied."""
        env = dict(os.environ if base is None else base)
        env.pop("AWS_PROFILE", None)
        env.pop("AWS_SESSION_TOKEN", None)
        env.update(self.env)
        return env

    # control API
    def call(self, method, path, body=None, timeout=10):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.control_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback URL
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise SandboxError("%s %s: %s %s" % (method, path, exc.code, exc.read().decode())) from exc

    def counters(self):
        return self.call("GET", "/counters")

    def reset_counters(self):
        return self.call("POST", "/counters/reset")

    def reset(self):
        return self.call("POST", "/reset")

    def fault(self, **spec):
        return self.call("POST", "/faults", spec)

    def clear_faults(self):
        return self.call("DELETE", "/faults")

    def shift_clock(self, seconds):
        return self.call("POST", "/clock", {"offset": seconds})

    def configure(self, oci=None, aws=None):
        return self.call("POST", "/config", {"oci": oci or {}, "aws": aws or {}})

    def settle_iam(self):
        """Set-up back door: every IAM write so far visible to STS and IAM reads now (``POST /iam/settle``)."""
        return self.call("POST", "/iam/settle")

    def writes(self, cloud=None):
        """Number of write requests seen (per cloud, or both)."""
        snap = self.counters()
        clouds = [cloud] if cloud else ["oci", "aws"]
        return sum(snap[c]["summary"].get("write", 0) for c in clouds)

    def healthy(self):
        try:
            return self.call("GET", "/health", timeout=2).get("status") == "ok"
        except (OSError, SandboxError, ValueError):
            return False

    def stop(self, timeout=15):
        pid = self.process.pid if self.process else self.state.get("pid")
        if not pid:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process is not None:
                if self.process.poll() is not None:
                    return
            else:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)


def start(directory, log_path=None, detach=False, extra_env=None, domain_host=None, oci_port=0, domain_aliases=(),
          profile=None):
    """Start `python -m oci_aws_sandbox serve` and return a handle once every service answers.

    `domain_host`, `domain_aliases` and `oci_port` are `serve`'s `--domain-host`, `--domain-alias` and `--oci-port`
    (see `server.Sandbox`); `profile` (a name of `profiles.PROFILES`): the server sets its switches at start and
    after every reset.
    """
    directory = os.path.abspath(directory)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    state = os.path.join(directory, "state.json")
    if os.path.exists(state):
        os.unlink(state)
    log_path = log_path or os.path.join(directory, "sandbox.log")
    env = dict(os.environ)  # the same interpreter finds this package where this process found it: installed
    env.update(extra_env or {})
    log = open(log_path, "ab")  # noqa: SIM115 - handed to the child
    command = [sys.executable, "-m", "oci_aws_sandbox", "serve", "--dir", directory]
    if domain_host:
        command += ["--domain-host", domain_host]
    for alias in domain_aliases:
        command += ["--domain-alias", alias]
    if oci_port:
        command += ["--oci-port", str(int(oci_port))]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command + (["--profile", profile] if profile else []),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        start_new_session=detach, close_fds=True,
    )
    log.close()
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        if process.poll() is not None:
            with open(log_path, "rb") as handle:
                tail = handle.read()[-3000:].decode("utf-8", "replace")
            raise SandboxError("the sandbox exited with %s:\n%s" % (process.returncode, tail))
        if os.path.exists(state):
            handle = SandboxHandle(directory, None if detach else process)
            if handle.healthy():
                return handle
        time.sleep(0.1)
    process.kill()
    raise SandboxError("the sandbox did not answer within %d s (log: %s)" % (START_TIMEOUT, log_path))


def attach(directory):
    """A handle on a sandbox that `python -m oci_aws_sandbox up --dir DIR` (or `start(detach=True)`) started, or None."""
    try:
        handle = SandboxHandle(directory)
    except (OSError, ValueError):
        return None
    return handle if handle.healthy() else None
