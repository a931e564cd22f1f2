"""End to end against the sandbox (issue 17, item 2, credential_process): the AWS SDK's processes that
read a credential_process profile share one exchange per validity window through the runner's
cross-process cache (the lookup's ``module_utils/_credential_cache``), and a cache that cannot be
trusted is not used: the runner makes an exchange of its own and says why on stderr."""

import json
import os
import shlex
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from e2e.exchange_support import ansible_env, counts, run_module

# One SDK process: botocore runs the profile's credential_process and gets its credentials.
READ_CREDENTIALS = ("import boto3; c = boto3.session.Session(profile_name='oci').get_credentials();"
                    "f = c.get_frozen_credentials(); assert c.method == 'custom-process' and f.access_key.startswith('ASIA')")
RUNNER_MARGIN = 16 * 60


@pytest.fixture
def profile(federation, fresh_sandbox, home):
    """The profile ``oci`` written by the module, and the environment an SDK process uses it with."""
    failed, result = run_module(ansible_env(fresh_sandbox, home), federation.options(credential_process_profile="oci"))
    assert not failed, result
    env = dict((name, value) for name, value in os.environ.items() if not name.startswith("AWS_"))
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / ".aws" / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"), AWS_CA_BUNDLE=fresh_sandbox.ca_bundle,
               AWS_ENDPOINT_URL=fresh_sandbox.aws_endpoint)
    return dict(env=env, command=shlex.split(result["credential_process"]["command"]),
                cache=home / ".aws" / "multicloud.oci_aws" / "cache", secret=federation.client_secret)


def sdk_process(profile):
    done = subprocess.run([sys.executable, "-c", READ_CREDENTIALS], env=profile["env"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def runner(profile):
    """The profile's credential_process run as botocore runs it: ``(Version 1 answer or None, stderr)``."""
    done = subprocess.run(profile["command"], env=profile["env"], capture_output=True, text=True, timeout=120, check=False)
    return (json.loads(done.stdout) if done.returncode == 0 else None), done.stderr


def entries(profile):
    return sorted(p for p in profile["cache"].iterdir() if p.suffix == ".json")


def test_twenty_sdk_processes_in_one_window_make_one_exchange_then_one_after_the_margin(profile, fresh_sandbox):
    fresh_sandbox.reset_counters()
    sdk_process(profile)
    with ThreadPoolExecutor(8) as pool:  # 11 more at once, then 8 one after the other
        list(pool.map(lambda _n: sdk_process(profile), range(11)))
    for _n in range(8):
        sdk_process(profile)
    assert counts(fresh_sandbox) == (1, 1)
    assert stat.S_IMODE(os.stat(profile["cache"]).st_mode) == 0o700
    (entry,) = entries(profile)
    assert stat.S_IMODE(os.stat(entry).st_mode) == 0o600 and profile["secret"] not in entry.read_text()
    answer, _err = runner(profile)
    assert answer["AccessKeyId"] == json.loads(entry.read_text())["value"]["access_key"]

    # The entry reaches the refresh margin (16 minutes left): the next process makes one new exchange, the rest reuse it.
    document = json.loads(entry.read_text())
    document["expires_at"] = time.time() + RUNNER_MARGIN - 5
    entry.write_text(json.dumps(document))
    fresh_sandbox.reset_counters()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _n: sdk_process(profile), range(6)))
    assert counts(fresh_sandbox) == (1, 1)
    assert json.loads(entry.read_text())["expires_at"] > time.time() + RUNNER_MARGIN


def test_handed_out_credentials_outlive_botocore_advisory_refresh(profile):
    answer, _err = runner(profile)
    left = time.mktime(time.strptime(answer["Expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(time.gmtime())
    assert left > 15 * 60
    (entry,) = entries(profile)
    document = json.loads(entry.read_text())
    document["expires_at"] = time.time() + 15 * 60 + 30  # would be stale to botocore at once: not handed out
    entry.write_text(json.dumps(document))
    again, _err = runner(profile)
    assert json.loads(entry.read_text())["expires_at"] > time.time() + RUNNER_MARGIN
    assert again["AccessKeyId"] == json.loads(entry.read_text())["value"]["access_key"]


def planted(profile, fresh_sandbox, plant):
    """Prime the cache, let ``plant(entry)`` tamper with it, run the runner: ``(answer, stderr, exchanges)``."""
    runner(profile)
    (entry,) = entries(profile)
    plant(entry)
    fresh_sandbox.reset_counters()
    answer, err = runner(profile)
    assert answer is not None, err
    assert profile["secret"] not in err and answer["SecretAccessKey"] not in err and answer["SessionToken"] not in err
    return answer, err, counts(fresh_sandbox)


def fake_entry(path):
    path.write_text(json.dumps({"version": 1, "expires_at": time.time() + 3000, "value": {
        "access_key": "ASIAPLANTED", "secret_key": "planted", "session_token": "planted", "expiration": "2099-01-01T00:00:00Z",
        "assumed_role_arn": "arn:aws:sts::000000000000:assumed-role/x/y"}}))


def test_entry_open_to_others_is_not_used_and_is_replaced(profile, fresh_sandbox):
    def plant(entry):
        fake_entry(entry)
        os.chmod(entry, 0o644)
    answer, _err, exchanges = planted(profile, fresh_sandbox, plant)
    assert answer["AccessKeyId"] != "ASIAPLANTED" and exchanges == (1, 1)
    assert stat.S_IMODE(os.stat(entries(profile)[0]).st_mode) == 0o600


def test_entry_of_another_user_is_not_used(profile, fresh_sandbox):
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")

    def plant(entry):
        fake_entry(entry)
        os.chown(entry, 65534, 65534)
    answer, _err, exchanges = planted(profile, fresh_sandbox, plant)
    assert answer["AccessKeyId"] != "ASIAPLANTED" and exchanges == (1, 1)
    assert os.stat(entries(profile)[0]).st_uid == os.geteuid()


def test_entry_that_is_a_symlink_is_not_followed(profile, fresh_sandbox, tmp_path):
    target = tmp_path / "elsewhere.json"
    fake_entry(target)
    before = target.read_text()

    def plant(entry):
        entry.unlink()
        entry.symlink_to(target)
    answer, _err, exchanges = planted(profile, fresh_sandbox, plant)
    assert answer["AccessKeyId"] != "ASIAPLANTED" and exchanges == (1, 1)
    assert target.read_text() == before and not entries(profile)[0].is_symlink()


def test_lock_that_is_a_symlink_means_an_exchange_of_its_own_with_a_warning(profile, fresh_sandbox, tmp_path):
    target = tmp_path / "lock-target"
    target.write_text("untouched")

    def plant(entry):
        entry.unlink()
        lock = entry.with_suffix(".lock")
        lock.unlink()
        lock.symlink_to(target)
    answer, err, exchanges = planted(profile, fresh_sandbox, plant)
    assert exchanges == (1, 1) and answer["AccessKeyId"].startswith("ASIA")
    assert "warning" in err and "symbolic link" in err and target.read_text() == "untouched"


def test_cache_directory_open_to_others_is_left_alone_with_a_warning(profile, fresh_sandbox):
    answer, err, exchanges = planted(profile, fresh_sandbox, lambda entry: os.chmod(entry.parent, 0o755))
    assert exchanges == (1, 1) and answer["AccessKeyId"].startswith("ASIA")
    assert "open to other users" in err and "chmod 700" in err
    assert stat.S_IMODE(os.stat(profile["cache"]).st_mode) == 0o755


def test_corrupt_entry_is_replaced(profile, fresh_sandbox):
    answer, _err, exchanges = planted(profile, fresh_sandbox, lambda entry: entry.write_bytes(b"{not json"))
    assert exchanges == (1, 1)
    assert json.loads(entries(profile)[0].read_text())["value"]["access_key"] == answer["AccessKeyId"]


def test_cache_that_cannot_be_written_still_gives_credentials(profile, fresh_sandbox):
    """A read-only disk, as far as a test can make one: the directory is 0500, and (root writes through modes) the
    entry's name is taken by a directory, so that the atomic replace fails as it does on a read-only mount."""
    def plant(entry):
        for path in profile["cache"].iterdir():
            path.unlink()
        os.chmod(profile["cache"], 0o500)
        if os.geteuid() == 0:  # root writes through modes: make the entry's name a directory, so no file can replace it
            entry.mkdir()
    answer, err, exchanges = planted(profile, fresh_sandbox, plant)
    assert exchanges == (1, 1) and answer["AccessKeyId"].startswith("ASIA")
    assert "could not be stored" in err
    fresh_sandbox.reset_counters()
    runner(profile)
    assert counts(fresh_sandbox) == (1, 1)  # nothing cached: the next run makes its own exchange
