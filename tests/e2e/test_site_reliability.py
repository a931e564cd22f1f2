"""site.yml under faults, interruption and concurrency, and its output searched for secrets (issue 7).

- A run killed (SIGKILL) right after any task of site.yml that changed something is completed by
  the next run, with no manual step: proved for every such boundary of a run from a fresh domain.
- Two site.yml runs started together against the same domain and account end with one app, one
  IAM OIDC provider and one role.
- (test_site_faults.py, a file of its own so that it runs beside these: 30% faults, 20 runs out of 20.)
- site.yml then use_credentials.yml at -vvvv with diff mode: no client secret, access token, AWS
  secret key or session token in the output, nor in any file the runs wrote that is not 0600.
"""

import os
import signal
import stat
import textwrap

import pytest

from e2e.site_support import EXPECTED, Site, fresh, inventory, recap

KILLER = textwrap.dedent('''
    """Test-only callback: SIGKILL ansible-playbook right after its Nth task that reported a change."""
    import os
    import signal

    from ansible.plugins.callback import CallbackBase


    class CallbackModule(CallbackBase):
        CALLBACK_VERSION = 2.0
        CALLBACK_TYPE = "aggregate"
        CALLBACK_NAME = "kill_after_change"
        CALLBACK_NEEDS_ENABLED = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.limit = int(os.environ.get("KILL_AFTER_CHANGE", "0"))
            self.changes = []

        def v2_runner_on_ok(self, result):
            if not result._result.get("changed"):
                return
            self.changes.append(result._task.get_name())
            with open(os.environ["KILL_LOG"], "a") as log:
                log.write(result._task.get_name() + "\\n")
            if len(self.changes) == self.limit:
                os.kill(os.getpid(), signal.SIGKILL)
''')


@pytest.fixture
def killer(tmp_path):
    directory = tmp_path / "callbacks"
    directory.mkdir()
    (directory / "kill_after_change.py").write_text(KILLER)
    return str(directory)


def test_a_run_killed_after_any_step_is_completed_by_the_next(fresh_sandbox, tmp_path, killer):
    # A whole run first, to know its steps (the tasks that change something) in order.
    site = Site(fresh_sandbox, tmp_path, "count")
    log = str(tmp_path / "steps.log")
    env = site.env(ANSIBLE_CALLBACK_PLUGINS=killer, ANSIBLE_CALLBACKS_ENABLED="kill_after_change", KILL_LOG=log)
    done = site.run(env=env)
    assert done.returncode == 0, done.stdout[-3000:]
    with open(log) as handle:
        steps = handle.read().splitlines()
    assert len(steps) >= 5, steps
    completed = []
    for number, step in enumerate(steps, start=1):
        fresh(fresh_sandbox)
        site = Site(fresh_sandbox, tmp_path, "kill-%d" % number)
        env = site.env(ANSIBLE_CALLBACK_PLUGINS=killer, ANSIBLE_CALLBACKS_ENABLED="kill_after_change",
                       KILL_LOG=str(tmp_path / ("kill-%d.log" % number)), KILL_AFTER_CHANGE=str(number))
        killed = site.run(env=env)
        assert killed.returncode == -signal.SIGKILL, (step, killed.returncode, killed.stdout[-2000:])
        again = site.run()
        assert again.returncode == 0, "after a kill following %r:\n%s" % (step, again.stdout[-4000:])
        assert inventory(fresh_sandbox) == EXPECTED, step
        completed.append(step)
    print("killed after each of %d steps, each completed by the next run: %s" % (len(completed), completed))


def test_two_concurrent_runs_end_with_one_app_one_provider_one_role(fresh_sandbox, tmp_path):
    first, second = Site(fresh_sandbox, tmp_path, "first"), Site(fresh_sandbox, tmp_path, "second")
    # Both on one controller with one vars file, as two overlapping pipelines would be.
    second.vars_file, second.secret_file = first.vars_file, first.secret_file
    runs = [first.start(), second.start()]
    outcomes = [(run.wait(timeout=600), run.stdout.read()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    assert inventory(fresh_sandbox) == EXPECTED
    codes = sorted(code for code, _out in outcomes)
    assert codes[0] == 0, outcomes[0][1][-3000:]
    if codes[1] != 0:
        # The run that lost the race may stop before the winner stored the secret, and says so.
        loser = [out for code, out in outcomes if code != 0][0]
        assert "already existed" in loser or "does not" in loser, loser[-3000:]
    # Whatever the race, a next run completes without regenerating: the secret stored by the winner works.
    again = first.run()
    assert again.returncode == 0, again.stdout[-3000:]
    assert recap(again)["changed"] == 0
    assert inventory(fresh_sandbox) == EXPECTED
    print("two concurrent site.yml runs: exit codes %s; then one app, one provider, one role" % codes)


# -- secrets ---------------------------------------------------------------------------------------

def secrets_of(site):
    """The secrets the runs handled, by name: read from where they live (the store, the lookup's cache)."""
    import json

    import yaml

    found = {}
    with open(site.secret_file) as handle:
        found["client secret"] = yaml.safe_load(handle)["oci_aws_client_secret"]
    cache = os.path.join(site.home, "cache")
    for entry in os.listdir(cache):
        if entry.endswith(".json"):
            with open(os.path.join(cache, entry)) as handle:
                value = json.load(handle)
            value = value.get("value", value)
            found["AWS secret key"] = value["secret_key"]
            found["session token"] = value["session_token"]
    found["sandbox admin secret key"] = site.sandbox.env["AWS_SECRET_ACCESS_KEY"]
    return found


def access_token_of(site, client_secret):
    """An access token of the app, as the exchange gets one (a new one: it is not kept anywhere)."""
    import base64
    import urllib.parse
    import urllib.request
    import ssl

    client_id = __import__("yaml").safe_load(open(site.secret_file))["oci_aws_client_id"]
    body = urllib.parse.urlencode(dict(grant_type="client_credentials", scope="sts.amazon.com/")).encode()
    request = urllib.request.Request(site.sandbox.domain_url + "/oauth2/v1/token", data=body, headers={
        "Authorization": "Basic " + base64.b64encode(("%s:%s" % (client_id, client_secret)).encode()).decode(),
        "Content-Type": "application/x-www-form-urlencoded"})
    context = ssl.create_default_context(cafile=site.sandbox.ca_bundle)
    with urllib.request.urlopen(request, context=context) as answer:
        return __import__("json").load(answer)["access_token"]


def test_no_secret_in_a_full_run_at_vvvv_with_diff(fresh_sandbox, tmp_path):
    site = Site(fresh_sandbox, tmp_path, "secrets")
    output = []
    for playbook in ("site.yml", "use_credentials.yml"):
        done = site.run(playbook, "-vvvv", "--diff")
        assert done.returncode == 0, done.stdout[-3000:]
        output.append(done.stdout + done.stderr)
    secrets = secrets_of(site)
    # Tokens are short-lived and not stored: the ones of these runs are gone, so look for the part that every
    # token of the domain shares as well as for a fresh one.
    token = access_token_of(site, secrets["client secret"])
    secrets["access token"] = token
    # Every token of the domain starts with the same header: its presence would mean some token leaked.
    secrets["any access token (its header)"] = token.split(".")[0] + "."
    text = "\n".join(output)
    assert {name: value in text for name, value in secrets.items()} == dict((name, False) for name in secrets)
    # Files the runs wrote: the secret ones are 0600 in 0700 directories; nothing else holds a secret.
    exposed = []
    for base in (site.directory, site.home):
        for folder, dirs, files in os.walk(base):
            for name in files:
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    continue
                with open(path, "rb") as handle:
                    content = handle.read().decode("utf-8", "replace")
                holds = [n for n, v in secrets.items() if v in content]
                mode = stat.S_IMODE(os.stat(path).st_mode)
                folder_mode = stat.S_IMODE(os.stat(folder).st_mode)
                if holds and (mode != 0o600 or folder_mode & 0o077):
                    exposed.append((path, oct(mode), oct(folder_mode), holds))
    assert exposed == []
    print("-vvvv --diff output of site.yml + use_credentials.yml: %d characters, %d secret values searched, 0 found"
          % (len(text), len(secrets)))
