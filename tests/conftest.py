"""Shared pytest set-up: import paths for the sandbox and the collection, and sandbox fixtures."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, "tests")
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)


def _collection_path():
    """Make `ansible_collections.multicloud.oci_aws` importable wherever the checkout lives."""
    parts = ROOT.split(os.sep)
    if parts[-3:-2] == ["ansible_collections"] and parts[-2:] == ["multicloud", "oci_aws"]:
        return os.sep.join(parts[:-3])
    base = os.path.join(ROOT, ".build", "pytest")
    link = os.path.join(base, "ansible_collections", "multicloud", "oci_aws")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return base


COLLECTIONS_BASE = _collection_path()
if COLLECTIONS_BASE not in sys.path:
    sys.path.insert(0, COLLECTIONS_BASE)

from sandbox import handle as sandbox_handle  # noqa: E402


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """A running sandbox for the whole test session (its own process, free ports).

    Set OCI_AWS_SANDBOX_DIR to reuse one started with `make sandbox-up` while developing.
    """
    reuse = os.environ.get("OCI_AWS_SANDBOX_DIR")
    if reuse:
        running = sandbox_handle.attach(reuse)
        if running is None:
            raise RuntimeError("OCI_AWS_SANDBOX_DIR=%s: no sandbox answers there" % reuse)
        yield running
        return
    handle = sandbox_handle.start(str(tmp_path_factory.mktemp("sandbox")))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def fresh_sandbox(sandbox):
    """The session sandbox, reset to a fresh domain and account before the test."""
    sandbox.reset()
    yield sandbox
    sandbox.clear_faults()


@pytest.fixture
def home(tmp_path):
    """A home directory of the test's own, for an Ansible run (its cache, ~/.ansible, ~/.aws)."""
    made = tmp_path / "home"
    made.mkdir()
    return made


@pytest.fixture
def federation(fresh_sandbox):
    """Steps 1 to 5 done on a fresh sandbox by the manual procedure."""
    from e2e.exchange_support import Federation  # pylint: disable=import-outside-toplevel

    return Federation(fresh_sandbox).build()
