"""Threats to the client secret over its life: lost, rotated behind the collection's back, stored in a shared
directory (threat model: the client secret; issue 11, items 10, 11 and the role side of 5).

Each test runs site.yml with ansible-playbook against the sandbox, as users run it, and reads the sandbox's request
counters to see what was asked of the identity domain: `POST /admin/v1/AppClientSecretRegenerator` is a rotation.
"""

import base64
import os
import signal
import ssl
import stat
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import importlib.util
import sys

import pytest
import yaml

from conftest import assert_no_secret


def _import_e2e_support():
    """The e2e helpers import `conftest` meaning tests/conftest.py, which this directory's conftest shadows."""
    spec = importlib.util.spec_from_file_location(
        "_tests_conftest", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "conftest.py"))
    top = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(top)
    shadowing = sys.modules.get("conftest")
    sys.modules["conftest"] = top
    try:
        from e2e import site_support, test_site_reliability  # pylint: disable=import-outside-toplevel
    finally:
        sys.modules["conftest"] = shadowing
    return site_support, test_site_reliability


_site_support, _site_reliability = _import_e2e_support()
APP_NAME, Site, apps_named, inventory = (_site_support.APP_NAME, _site_support.Site, _site_support.apps_named,
                                         _site_support.inventory)
KILLER = _site_reliability.KILLER

REGENERATE = "POST /admin/v1/AppClientSecretRegenerator"
CREATE = "POST /admin/v1/Apps"
TOKEN = "POST /oauth2/v1/token"
ASK = "oci_oidc_provider_secret=regenerate"
ROTATED = "was rotated by this run"


# -- helpers ---------------------------------------------------------------------------------------------------------

def site_at(sandbox, tmp_path, name, secret_file=None, **variables):
    """A Site whose secret file (and other variables) are set as given."""
    site = Site(sandbox, tmp_path, name)
    if secret_file is not None:
        site.secret_file = str(secret_file)
    values = site.variables()
    values.update(variables)
    with open(site.vars_file, "w") as handle:
        yaml.safe_dump(values, handle)
    return site


def calls(sandbox, endpoint):
    return sandbox.counters()["oci"]["endpoints"].get(endpoint, 0)


def stored(site):
    with open(site.secret_file) as handle:
        return yaml.safe_load(handle)


def token_status(sandbox, client_id, client_secret):
    """The HTTP status of one client-credentials request (200: the secret works, 401: refused)."""
    body = urllib.parse.urlencode(dict(grant_type="client_credentials", scope="sts.amazon.com/")).encode()
    basic = base64.b64encode(("%s:%s" % (client_id, client_secret)).encode()).decode()
    request = urllib.request.Request(sandbox.domain_url + "/oauth2/v1/token", data=body, headers={
        "Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
    context = ssl.create_default_context(cafile=sandbox.ca_bundle)
    try:
        with urllib.request.urlopen(request, context=context) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def rotate_behind_the_back(sandbox):
    """What the console's "Regenerate client secret" does: the SDK's signed transport, not the collection."""
    from oci.config import from_file
    from oci.identity_domains import IdentityDomainsClient

    config = from_file(sandbox.env["OCI_CONFIG_FILE"], sandbox.env["OCI_CONFIG_PROFILE"])
    client = IdentityDomainsClient(config, service_endpoint=sandbox.domain_url)
    client.base_client.session.verify = sandbox.ca_bundle
    client.base_client.session.trust_env = False
    [app] = apps_named(sandbox, APP_NAME)
    answer = client.base_client.call_api(
        resource_path="/admin/v1/AppClientSecretRegenerator", method="POST",
        header_params={"accept": "application/json, application/scim+json", "content-type": "application/json"},
        body={"schemas": ["urn:ietf:params:scim:schemas:oracle:idcs:AppClientSecretRegenerator"], "appId": app["id"]},
        response_type="object")
    return answer.data["clientSecret"]


def output(done):
    return done.stdout + done.stderr


def first_run(sandbox, tmp_path, name="site", **kwargs):
    site = site_at(sandbox, tmp_path, name, **kwargs)
    done = site.run()
    assert done.returncode == 0, output(done)[-3000:]
    return site, stored(site)


# -- item 10: a lost secret file ---------------------------------------------------------------------------------------

def test_a_lost_secret_file_is_never_followed_by_a_rotation_nobody_asked_for(fresh_sandbox, tmp_path):
    """Threat 10: the secret file is lost; later plain runs must not rotate the secret that others still hold."""
    site, before = first_run(fresh_sandbox, tmp_path)
    os.remove(site.secret_file)  # the attack: an unlucky rm, a restored backup without it, another controller
    fresh_sandbox.reset_counters()
    runs = [site.run(), site.run()]  # the second and third runs of the issue
    # No rotation: whoever holds the old secret (another controller, credential_process on hosts) keeps a working one.
    assert calls(fresh_sandbox, REGENERATE) == 0
    assert token_status(fresh_sandbox, before["oci_aws_client_id"], before["oci_aws_client_secret"]) == 200
    for attempt, done in zip(("second", "third"), runs):
        text = " ".join(output(done).split())
        assert done.returncode != 0, attempt
        # Both fixes, spelled out, with the path.
        assert "put the secret back at %s" % site.secret_file in text, (attempt, text[-3000:])
        assert "-e " + ASK in text, attempt
    # No mark was left that a later run could take as proof: the app existed.
    assert not os.path.exists(site.secret_file + ".pending")
    assert not os.path.exists(site.secret_file)
    # Asked for: one rotation, said so in the output, and stored.
    done = site.run("site.yml", "-e", ASK)
    text = output(done)
    assert done.returncode == 0, text[-3000:]
    assert calls(fresh_sandbox, REGENERATE) == 1
    assert ROTATED in text and "as oci_oidc_provider_secret=regenerate asked" in " ".join(text.split())
    after = stored(site)
    assert after["oci_aws_client_id"] == before["oci_aws_client_id"]
    assert after["oci_aws_client_secret"] != before["oci_aws_client_secret"]
    assert token_status(fresh_sandbox, after["oci_aws_client_id"], after["oci_aws_client_secret"]) == 200
    assert token_status(fresh_sandbox, before["oci_aws_client_id"], before["oci_aws_client_secret"]) == 401
    assert_no_secret(text, {"old client secret": before["oci_aws_client_secret"],
                            "new client secret": after["oci_aws_client_secret"]})
    # And the next plain run rotates nothing; it reads the secret back and checks it with a token request, at -vvvv
    # with diff mode without a byte of either secret in its output.
    done = site.run("site.yml", "-vvvv", "--diff")
    assert done.returncode == 0 and ROTATED not in output(done), output(done)[-3000:]
    assert calls(fresh_sandbox, REGENERATE) == 1
    assert "Ask the token endpoint for a token with the stored client ID and secret" in done.stdout
    assert_no_secret(output(done), {"old client secret": before["oci_aws_client_secret"],
                                    "new client secret": after["oci_aws_client_secret"],
                                    "its HTTP Basic form": base64.b64encode(("%s:%s" % (
                                        after["oci_aws_client_id"], after["oci_aws_client_secret"])).encode()).decode()},
                     where="the -vvvv output")


MARKS = {
    # What the role wrote before this fix whenever the store file was missing, even for an app that existed.
    "the mark of an earlier version": "# multicloud.oci_aws.oci_oidc_provider: a client secret for app aws-sts-oidc may "
                                      "have been issued and\n# not yet stored. The next run issues a new one.\n",
    "a mark naming another app id": None,  # filled in below, with the right domain and name and another id
    "a mark for another app name": None,
}


def test_a_mark_that_names_another_app_proves_nothing(fresh_sandbox, tmp_path):
    """Threat 10: a `.pending` mark left by another app, another version or a planted one must not trigger a rotation."""
    site, before = first_run(fresh_sandbox, tmp_path)
    os.remove(site.secret_file)
    base = dict(mark_version=1, domain_url=fresh_sandbox.domain_url, app_name=APP_NAME, secret_file=site.secret_file)
    marks = dict(MARKS)
    marks["a mark naming another app id"] = yaml.safe_dump(dict(base, app_id="0123456789abcdef0123456789abcdef"))
    marks["a mark for another app name"] = yaml.safe_dump(dict(base, app_name="someone-elses-app", app_id=None))
    fresh_sandbox.reset_counters()
    for name, content in marks.items():
        with open(site.secret_file + ".pending", "w") as handle:
            handle.write(content)
        done = site.run()
        text = " ".join(output(done).split())
        assert done.returncode != 0, name
        assert "proves nothing" in text and ASK in text and "put the secret back" in text, (name, text[-2000:])
        assert calls(fresh_sandbox, REGENERATE) == 0, name
    assert token_status(fresh_sandbox, before["oci_aws_client_id"], before["oci_aws_client_secret"]) == 200


def test_a_run_killed_right_after_the_create_is_completed_by_the_next(fresh_sandbox, tmp_path):
    """Threat 10: the proof that a secret was lost (a kill between the create and the store) still completes the run."""
    callbacks = tmp_path / "callbacks"
    callbacks.mkdir()
    (callbacks / "kill_after_change.py").write_text(KILLER)
    site = site_at(fresh_sandbox, tmp_path, "killed")
    log = str(tmp_path / "steps.log")
    # Find the number of the change that is the app's creation, then kill right after it.
    env = site.env(ANSIBLE_CALLBACK_PLUGINS=str(callbacks), ANSIBLE_CALLBACKS_ENABLED="kill_after_change", KILL_LOG=log)
    dry = site_at(fresh_sandbox, tmp_path, "count")
    assert dry.run(env=env).returncode == 0
    with open(log) as handle:
        steps = handle.read().splitlines()
    number = [i for i, step in enumerate(steps, start=1) if "Ensure the app (its client secret" in step][0]
    fresh_sandbox.reset()
    env.update(KILL_LOG=str(tmp_path / "killed.log"), KILL_AFTER_CHANGE=str(number))
    killed = site.run(env=env)
    assert killed.returncode == -signal.SIGKILL
    assert not os.path.exists(site.secret_file) and os.path.exists(site.secret_file + ".pending")
    fresh_sandbox.reset_counters()
    again = site.run()
    text = output(again)
    assert again.returncode == 0, text[-3000:]
    assert calls(fresh_sandbox, REGENERATE) == 1
    assert ROTATED in text and "proves that the secret an interrupted run was issued" in " ".join(text.split())
    assert not os.path.exists(site.secret_file + ".pending")
    assert inventory(fresh_sandbox)["apps"] == 1


# -- item 11: a secret rotated behind the collection's back ---------------------------------------------------------------

@pytest.mark.parametrize("verify", [True, False], ids=["verification-on", "verification-off"])
def test_a_secret_rotated_in_the_console_is_caught_and_the_fix_named(fresh_sandbox, tmp_path, verify):
    """Threat 11: the console rotates the secret; the next run must fail at the secret check, naming the fix."""
    site, before = first_run(fresh_sandbox, tmp_path)
    current = rotate_behind_the_back(fresh_sandbox)
    fresh_sandbox.reset_counters()
    done = site.run("site.yml", "-e", "oci_aws_federation_verify=%s" % str(verify).lower())
    text = " ".join(output(done).split())
    assert done.returncode != 0, text[-3000:]
    assert "refused the client secret stored in %s" % site.secret_file in text, text[-3000:]
    assert "put the current secret" in text and "-e " + ASK in text
    assert "run multicloud.oci_aws.oci_oidc_app" not in text
    assert calls(fresh_sandbox, REGENERATE) == 0
    assert calls(fresh_sandbox, TOKEN) >= 1
    assert fresh_sandbox.counters()["aws"]["endpoints"].get("sts:AssumeRoleWithWebIdentity", 0) == 0
    assert stored(site) == before  # nothing rewritten
    assert_no_secret(output(done), {"stored client secret": before["oci_aws_client_secret"],
                                    "current client secret": current})
    # The first fix works: the current secret in the file, and the run passes with no rotation.
    with open(site.secret_file, "w") as handle:
        yaml.safe_dump(dict(before, oci_aws_client_secret=current), handle)
    done = site.run()
    assert done.returncode == 0, output(done)[-3000:]
    assert calls(fresh_sandbox, REGENERATE) == 0


def test_a_wrong_secret_given_for_verification_names_the_secret_not_the_app(fresh_sandbox, tmp_path):
    """Threat 11: invalid_client at verification is a secret that is wrong; "run oci_oidc_app" would change nothing."""
    site, before = first_run(fresh_sandbox, tmp_path)
    done = site.run("site.yml", "-e", "oci_oidc_provider_secret_store=fact",
                    "-e", "oci_aws_federation_client_secret=not-the-secret-of-this-app")
    text = " ".join(output(done).split())
    assert done.returncode != 0
    # The role's report of the failure (ansible-core also prints the module's own message before the rescue).
    report = text[text.rindex("Verification of role"):]
    assert "invalid_client" in report and "oci_aws_federation_client_secret" in report, text[-3000:]
    assert "put the current secret there" in report and "-e " + ASK in report
    assert "run multicloud.oci_aws.oci_oidc_app" not in report, report
    assert_no_secret(output(done), {"client secret": before["oci_aws_client_secret"]})


# -- item 5, the role side: the directory of the secret file ---------------------------------------------------------------

def _mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def test_a_secret_file_directly_in_a_sticky_shared_directory_leaves_its_mode(fresh_sandbox, tmp_path):
    """Threat 5: a secret file directly in a 1777 directory (as /tmp) must not make it 0700 or drop the sticky bit."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    site, _secret = first_run(fresh_sandbox, tmp_path, secret_file=shared / "client.yml")
    assert _mode(shared) == 0o1777
    assert _mode(site.secret_file) == 0o600


def test_an_other_writable_parent_is_refused_before_anything_is_issued(fresh_sandbox, tmp_path):
    """Threat 5: a parent that others can write to (not sticky) is refused; no app, no secret, no chmod."""
    shared = tmp_path / "open"
    shared.mkdir()
    shared.chmod(0o777)
    site = site_at(fresh_sandbox, tmp_path, "open", secret_file=shared / "store" / "client.yml")
    fresh_sandbox.reset_counters()
    done = site.run()
    text = " ".join(output(done).split())
    assert done.returncode != 0
    assert "oci_oidc_provider_secret_file=%s" % site.secret_file in text, text[-3000:]
    assert "%s is writable by others (mode 0777) and not sticky" % shared in text and "chmod go-w" in text
    assert _mode(shared) == 0o777 and not (shared / "store").exists()
    assert calls(fresh_sandbox, CREATE) == 0 and calls(fresh_sandbox, REGENERATE) == 0
    assert apps_named(fresh_sandbox, APP_NAME) == []


def test_missing_directories_are_created_private_at_every_level_under_umask_0000(fresh_sandbox, tmp_path):
    """Threat 5 (and 4): every directory the role creates for the secret file is 0700, whatever the umask."""
    base = tmp_path / "new"
    site = site_at(fresh_sandbox, tmp_path, "umask", secret_file=base / "a" / "b" / "client.yml")
    done = subprocess.run(site.command("site.yml"), env=site.env(), capture_output=True, text=True, timeout=600,
                          check=False, cwd=site.directory, preexec_fn=lambda: os.umask(0))
    assert done.returncode == 0, output(done)[-3000:]
    assert [_mode(p) for p in (base, base / "a", base / "a" / "b")] == [0o700, 0o700, 0o700]
    assert _mode(site.secret_file) == 0o600
