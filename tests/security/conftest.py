"""Shared set-up of the security suite: one test per threat of docs/docsite/rst/security.rst.

Each test starts from the attack (a planted file, a hostile value, a broken answer from a local
fake server with its own CA) and asserts the outcome: refused, nothing changed, no secret in any
output. The helpers below are the suite's only assertions about secrets, so that every test
checks them the same way.
"""

import importlib.util
import os

import pytest

# Test modules import `conftest` by name (tests/e2e/site_support.py does): under tests/security that name is this
# file, so it also offers the names of tests/conftest.py, loaded from its path (its fixtures stay where they are).
_SPEC = importlib.util.spec_from_file_location(
    "_oci_aws_tests_conftest", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "conftest.py"))
_ROOT_CONFTEST = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_ROOT_CONFTEST)
ROOT, TESTS, COLLECTIONS_BASE = _ROOT_CONFTEST.ROOT, _ROOT_CONFTEST.TESTS, _ROOT_CONFTEST.COLLECTIONS_BASE


def assert_no_secret(text, secrets, where="output"):
    """Fail naming the kind of secret (never its value) found in ``text``.

    ``secrets`` maps a description ("client secret", "session token") to the value; values shorter
    than 8 characters are refused, since they would match by chance and prove nothing.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for name, value in secrets.items():
        assert value and len(value) >= 8, "the %s to search for is too short to prove anything" % name
        assert value not in text, "the %s appears in %s" % (name, where)


@pytest.fixture
def no_secret():
    return assert_no_secret
