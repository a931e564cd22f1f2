"""The playbooks as a user runs them from playbooks/vars/example.yml (issue 12, §6).

- use_credentials.yml finds the client secret where site.yml stored it when the vars file leaves
  oci_oidc_provider_secret_file at the role's default (example.yml no longer overrides it);
- teardown.yml removes the IAM OIDC provider without opening an OCI connection of its own, from the
  issuer the OCI role reads, and with oci_aws_federation_issuer given.
"""

import os
import urllib.parse

import yaml

from conftest import ROOT
from e2e.site_support import APP_NAME, ROLE_NAME, Site, inventory

EXAMPLE = os.path.join(ROOT, "playbooks", "vars", "example.yml")


def at_role_default(sandbox, tmp_path, name):
    """A Site whose vars file does not set oci_oidc_provider_secret_file, as example.yml does not."""
    site = Site(sandbox, tmp_path, name)
    variables = site.variables()
    del variables["oci_oidc_provider_secret_file"]
    with open(site.vars_file, "w") as handle:
        yaml.safe_dump(variables, handle)
    netloc = urllib.parse.urlsplit(sandbox.domain_url).netloc
    site.secret_file = os.path.join(site.home, ".config", "multicloud.oci_aws", netloc, APP_NAME + ".yml")
    return site


def test_example_vars_leave_the_secret_file_at_the_role_default():
    with open(EXAMPLE) as handle:
        example = yaml.safe_load(handle)
    assert "oci_oidc_provider_secret_file" not in example
    assert example["oci_oidc_provider_secret_store"] == "file"


def test_use_credentials_reads_the_secret_where_site_stored_it_by_default(fresh_sandbox, tmp_path):
    site = at_role_default(fresh_sandbox, tmp_path, "default-path")
    done = site.run("site.yml")
    assert done.returncode == 0, done.stdout[-3000:]
    assert os.path.isfile(site.secret_file), done.stdout[-3000:]
    used = site.run("use_credentials.yml", "-e", "use_credentials_aws_cli=/nonexistent/aws")
    assert used.returncode == 0, used.stdout[-4000:] + used.stderr[-2000:]
    caller = "arn:aws:sts::%s:assumed-role/%s/" % (fresh_sandbox.account_id, ROLE_NAME)
    assert "STS GetCallerIdentity says the caller is %s" % caller in " ".join(used.stdout.split()), used.stdout[-3000:]


def test_teardown_finds_the_provider_from_the_issuer_the_oci_role_reads(fresh_sandbox, tmp_path):
    site = Site(fresh_sandbox, tmp_path, "teardown")
    assert site.run("site.yml").returncode == 0
    assert inventory(fresh_sandbox)["providers"] == 1
    done = site.run("teardown.yml")
    assert done.returncode == 0, done.stdout[-3000:]
    # Read by the OCI role's entry point "issuer", not by a connection of the federation role's own.
    assert "oci_oidc_provider : Read the domain's token issuer" in done.stdout, done.stdout[-3000:]
    assert inventory(fresh_sandbox) == dict(apps=0, active=[], providers=0, roles=[])


def test_teardown_takes_the_issuer_given(fresh_sandbox, tmp_path):
    site = Site(fresh_sandbox, tmp_path, "teardown-issuer")
    assert site.run("site.yml").returncode == 0
    fresh_sandbox.reset_counters()
    done = site.run("teardown.yml", "-e", "oci_aws_federation_issuer=%s" % fresh_sandbox.domain_url)
    assert done.returncode == 0, done.stdout[-3000:]
    # The issuer given is the one used: the domain's Settings (where the issuer is) were not read.
    settings = [name for name in fresh_sandbox.counters()["oci"]["endpoints"] if "/Settings" in name]
    assert settings == [], settings
    assert inventory(fresh_sandbox) == dict(apps=0, active=[], providers=0, roles=[])
