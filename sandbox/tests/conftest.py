"""Fixtures of the sandbox's fidelity tests (besides `sandbox` and `fresh_sandbox`, from the package's pytest plugin)."""

import pytest

from aws_support import Federation
from oci_aws_sandbox.aws import AwsCloud
from oci_aws_sandbox.oidc_issuer import OidcIssuer
from oci_aws_sandbox.pki import ensure_keys
from oci_aws_sandbox.procedure import ManualProcedure


@pytest.fixture(scope="module")
def world(sandbox):
    """One fresh account per module: a running test issuer, its IAM provider and the main role.

    Tests that change IAM state use their own roles or providers; `fed` puts back what they may
    change in passing (issuer behaviour, AWS options, clock).
    """
    sandbox.reset()
    with OidcIssuer(ensure_keys(sandbox.directory)) as issuer:
        yield Federation(sandbox, issuer)


@pytest.fixture
def fed(world):
    def restore():
        world.issuer.reset()
        world.sandbox.configure(aws=AwsCloud.OPTIONS)
        world.sandbox.shift_clock(0)

    restore()
    yield world
    restore()


@pytest.fixture
def steps_1_to_4(fresh_sandbox):
    """The manual procedure's steps 1 to 4 done on a fresh sandbox: the app, the issuer, public signing keys."""
    procedure = ManualProcedure(fresh_sandbox)
    procedure.create_app()
    procedure.set_issuer()
    procedure.make_signing_keys_public()
    return procedure
