"""pytest fixtures of the sandbox, registered by the `pytest11` entry point of the `oci-aws-sandbox` distribution:
any project whose venv has the package installed gets them without a conftest.py.

`sandbox`        a running sandbox for the whole session (its own process, free ports on 127.0.0.1, a temporary
                 state directory), stopped at the end. Set `OCI_AWS_SANDBOX_DIR` to use one started with
                 `python -m oci_aws_sandbox up --dir DIR` instead (it is not stopped).
`fresh_sandbox`  the session sandbox reset to a fresh domain and account before the test, its faults cleared after.

Both yield an `oci_aws_sandbox.handle.SandboxHandle`.

With `OCI_AWS_SANDBOX_PROFILE=<name>` (a profile of `profiles.py`, such as `pessimistic`) the switches of that
profile are set when the session's sandbox starts (a sandbox started here keeps them across every reset) and again
after each reset that `fresh_sandbox` makes; the header of the run names the profile.
"""

import os

import pytest

from . import handle as sandbox_handle
from . import profiles


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """A running sandbox for the whole test session (its own process, free ports).

    Set OCI_AWS_SANDBOX_DIR to reuse one started with `python -m oci_aws_sandbox up` while developing.
    """
    profile = profiles.from_env(os.environ)
    reuse = os.environ.get("OCI_AWS_SANDBOX_DIR")
    if reuse:
        running = sandbox_handle.attach(reuse)
        if running is None:
            raise RuntimeError("OCI_AWS_SANDBOX_DIR=%s: no sandbox answers there" % reuse)
        if profile:
            profiles.apply(running, profile)
        yield running
        return
    handle = sandbox_handle.start(str(tmp_path_factory.mktemp("sandbox")), profile=profile)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def fresh_sandbox(sandbox):
    """The session sandbox, reset to a fresh domain and account before the test."""
    sandbox.reset()
    profile = profiles.from_env(os.environ)
    if profile:
        profiles.apply(sandbox, profile)
    yield sandbox
    sandbox.clear_faults()


def pytest_report_header(config):
    profile = os.environ.get(profiles.ENV)
    return "oci-aws-sandbox profile: %s" % (profile or "default")
