"""Shared pytest set-up: the import path of the collection, and the fixtures of its tests.

The `sandbox` and `fresh_sandbox` fixtures come from the sandbox's own package (`oci_aws_sandbox.pytest_plugin`,
a pytest plugin that `make venv` installs with `sandbox/`).
"""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, "tests")  # on sys.path already: pytest puts the directory of this conftest.py there


def _collection_path():
    """Make `ansible_collections.multicloud.oci_aws` importable wherever the checkout lives."""
    parts = ROOT.split(os.sep)
    if parts[-3:-2] == ["ansible_collections"] and parts[-2:] == ["multicloud", "oci_aws"]:
        return os.sep.join(parts[:-3])
    base = os.path.join(ROOT, ".build", "pytest")
    link = os.path.join(base, "ansible_collections", "multicloud", "oci_aws")
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        try:
            os.symlink(ROOT, link)
        except FileExistsError:  # made by a parallel worker (pytest-xdist) in the meantime
            pass
    return base


COLLECTIONS_BASE = _collection_path()
if COLLECTIONS_BASE not in sys.path:
    sys.path.insert(0, COLLECTIONS_BASE)


@pytest.fixture
def home(tmp_path):
    """A home directory of the test's own, for an Ansible run (its cache, ~/.ansible, ~/.aws)."""
    made = tmp_path / "home"
    made.mkdir()
    return made


@pytest.fixture
def federation(fresh_sandbox):
    """Steps 1 to 5 done on a fresh sandbox by the manual procedure (``e2e.exchange_support.Federation``)."""
    from e2e.exchange_support import Federation  # pylint: disable=import-outside-toplevel

    return Federation(fresh_sandbox).build()
