"""site.yml --check --diff shows the app it would create, and no run in diff mode prints the client secret
(issue 16 item 6): the role's app task is no_log (its result holds the secret when one is issued), so the role shows
the module's diff, which holds only the app's managed fields, in a task of its own."""

import yaml

from e2e.site_support import APP_NAME, Site, inventory

DIFF_TASK = "Show what changes in the app (diff mode; the client secret is never part of the diff)"


def shown_diff(done):
    """What the role's diff task printed, or None when it did not run."""
    _before, found, rest = done.stdout.partition(DIFF_TASK)
    if not found:
        return None
    return rest.split("\nTASK [", 1)[0]


def test_check_diff_shows_the_app_it_would_create(fresh_sandbox, tmp_path):
    site = Site(fresh_sandbox, tmp_path)
    done = site.run("site.yml", "--check", "--diff")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    shown = shown_diff(done)
    assert shown is not None and "ok: [localhost]" in shown, done.stdout[-4000:]
    assert '"before": {}' in shown and '"display_name": "%s"' % APP_NAME in shown, shown
    assert inventory(fresh_sandbox)["apps"] == 0  # check mode created nothing


def test_a_diff_run_that_issues_the_secret_never_prints_it(fresh_sandbox, tmp_path):
    site = Site(fresh_sandbox, tmp_path)
    done = site.run("site.yml", "--diff", "-v")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    with open(site.secret_file) as handle:
        secret = yaml.safe_load(handle)["oci_aws_client_secret"]
    assert len(secret) >= 16
    assert '"display_name": "%s"' % APP_NAME in (shown_diff(done) or ""), done.stdout[-4000:]
    assert secret not in done.stdout + done.stderr
    again = site.run("site.yml", "--diff")
    assert again.returncode == 0 and shown_diff(again) is None or "skipping" in shown_diff(again)
    assert secret not in again.stdout + again.stderr
