"""Threats to the lookup's credential cache on the controller (threat model: files, items 7 to 9 of issue 11).

Each test plants what an attacker or an accident leaves in the cache directory (a lock file of
another user, a symlink, a full or read-only disk, a killed writer's temporary file, an AWS profile
or variable that moves the STS endpoint) and runs the lookup's own code path with a fake exchange.
"""

import errno
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cache_support import (
    COLLECTIONS_BASE, SECRET_KEY, SECRETS, hold_lock, isolate_aws, killed_writer, lookup_in_read_only_mount, options, run_lookup,
)
from conftest import assert_no_secret

from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
from ansible_collections.multicloud.oci_aws.plugins.plugin_utils import _lookup

NOBODY = 65534


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    isolate_aws(monkeypatch, tmp_path)
    return tmp_path / "cache"


def _prime_dir(cache_dir):
    _paths.make_private_dirs(str(cache_dir), "the credential cache directory")


def _lock_path(cache_dir, opts):
    return os.path.join(str(cache_dir), _lookup.credentials_key(opts) + ".lock")


def _files(cache_dir):
    return sorted(os.listdir(str(cache_dir)))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to plant a file of another user")
def test_lock_planted_by_another_user_is_not_waited_for(cache_dir, monkeypatch):
    """Threat 7: another user's <key>.lock, held by them, used to make the lookup wait without limit."""
    opts = options(cache_dir)
    _prime_dir(cache_dir)
    lock = _lock_path(cache_dir, opts)
    with open(lock, "w"):
        pass
    os.chown(lock, NOBODY, NOBODY)
    os.chmod(lock, 0o600)
    holder = hold_lock(lock)
    try:
        answer, warnings, exchanges, seconds = run_lookup(monkeypatch, dict(opts, timeout=5))
    finally:
        holder.kill()
        holder.wait()
    assert answer["secret_key"] == SECRET_KEY and exchanges == 1
    assert seconds < 5, "the lookup waited %.1f s for another user's lock" % seconds
    assert len(warnings) == 1 and lock in warnings[0] and "another user (uid %d)" % NOBODY in warnings[0]
    assert_no_secret("\n".join(warnings), SECRETS, "the warning")
    assert os.lstat(lock).st_uid == NOBODY  # left as it was: the warning names the fix
    assert not [name for name in _files(cache_dir) if name.endswith(".json")], "nothing cached under a foreign lock"


def test_lock_held_by_a_hung_process_is_waited_for_a_bounded_time(cache_dir, monkeypatch):
    """Threat 7: a fork of ours stuck holding the lock (a hung endpoint) used to hold every other fork forever."""
    opts = dict(options(cache_dir), timeout=1)
    _prime_dir(cache_dir)
    lock = _lock_path(cache_dir, opts)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    holder = hold_lock(lock)
    try:
        answer, warnings, exchanges, seconds = run_lookup(monkeypatch, opts)
    finally:
        holder.kill()
        holder.wait()
    assert answer["secret_key"] == SECRET_KEY and exchanges == 1
    assert 0.9 <= seconds < 3, "waited %.2f s for a lock whose wait is bounded at 1 s" % seconds
    assert len(warnings) == 1 and "held the lock" in warnings[0] and "not cached" in warnings[0]
    print("hung lock holder: the lookup went on uncached after %.2f s (bound 1 s)" % seconds)


@pytest.mark.parametrize("target_exists", [True, False])
def test_symlink_as_lock_is_not_followed(cache_dir, tmp_path, monkeypatch, target_exists):
    """Threat 7: a symlink planted as <key>.lock failed the lookup (ELOOP) or could make it create or lock its target."""
    opts = options(cache_dir)
    _prime_dir(cache_dir)
    victim = tmp_path / "victim"
    if target_exists:
        victim.write_text("precious\n")
        victim.chmod(0o644)
        os.utime(str(victim), (1_000_000_000, 1_000_000_000))
        before = os.stat(str(victim))
    lock = _lock_path(cache_dir, opts)
    os.symlink(str(victim), lock)
    answer, warnings, exchanges, _seconds = run_lookup(monkeypatch, opts)
    assert answer["secret_key"] == SECRET_KEY and exchanges == 1
    assert len(warnings) == 1 and "symbolic link" in warnings[0] and lock in warnings[0]
    assert os.path.islink(lock) and os.readlink(lock) == str(victim)
    if target_exists:
        after = os.stat(str(victim))
        assert victim.read_text() == "precious\n"
        assert (after.st_mode, after.st_uid, after.st_mtime, after.st_size) == (
            before.st_mode, before.st_uid, before.st_mtime, before.st_size)
    else:
        assert not victim.exists()


def test_full_disk_returns_the_credentials_uncached(cache_dir, monkeypatch):
    """Threat 8: ENOSPC while the entry is written threw away the credentials already obtained."""
    opts = options(cache_dir)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    answer, warnings, exchanges, _seconds = run_lookup(monkeypatch, opts)
    assert answer["secret_key"] == SECRET_KEY and exchanges == 1
    assert len(warnings) == 1 and "No space left on device" in warnings[0] and "uncached" in warnings[0]
    assert "Traceback" not in warnings[0]
    assert_no_secret("\n".join(warnings), SECRETS, "the warning")
    assert not [n for n in _files(cache_dir) if n.endswith(".json") or n.startswith(_paths.TEMP_PREFIX)]


def test_read_only_cache_directory_returns_the_credentials_uncached(cache_dir, monkeypatch):
    """Threat 8: a read-only cache (a real read-only bind mount; root ignores modes) failed the lookup."""
    opts = options(cache_dir)
    _prime_dir(cache_dir)
    done = lookup_in_read_only_mount(COLLECTIONS_BASE, cache_dir, opts, dict(os.environ))
    if done.returncode == 77:
        pytest.skip("this machine does not allow a private read-only bind mount: %s" % done.stderr.strip())
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["answer"]["secret_key"] == SECRET_KEY and result["exchanges"] == 1
    assert len(result["warnings"]) == 1 and "Read-only file system" in result["warnings"][0]
    assert_no_secret("\n".join(result["warnings"]) + done.stderr, SECRETS, "the warnings and stderr")
    assert _files(cache_dir) == []


def test_stale_temporary_of_a_killed_writer_is_removed(cache_dir, monkeypatch):
    """Threat 8: a writer killed between write and rename left a .tmp-* file holding credentials for good."""
    opts = options(cache_dir)
    _prime_dir(cache_dir)
    entry = os.path.join(str(cache_dir), _lookup.credentials_key(opts) + ".json")
    killed_writer(COLLECTIONS_BASE, entry, json.dumps({"secret_key": SECRET_KEY}))
    leftovers = [n for n in _files(cache_dir) if n.startswith(_paths.TEMP_PREFIX)]
    assert len(leftovers) == 1
    stale = os.path.join(str(cache_dir), leftovers[0])
    with open(stale) as handle:
        assert SECRET_KEY in handle.read()  # what the attack leaves: credentials on disk
    old = time.time() - 2 * 3600  # a writer killed two hours ago
    os.utime(stale, (old, old))
    fresh = os.path.join(str(cache_dir), _paths.TEMP_PREFIX + "in-progress")
    with open(fresh, "w"):
        pass  # a concurrent writer's file: not touched
    answer, warnings, _exchanges, _seconds = run_lookup(monkeypatch, opts)
    assert answer["secret_key"] == SECRET_KEY and warnings == []
    assert not os.path.exists(stale)
    assert os.path.exists(fresh)


def test_profile_that_moves_the_sts_endpoint_is_a_new_key(cache_dir, tmp_path, monkeypatch):
    """Threat 9: `profile` (whose config sets the STS endpoint) and AWS_ENDPOINT_URL were not in the key."""
    (tmp_path / "aws-config").write_text("[profile a]\nendpoint_url = https://sts-a.example.com\n"
                                         "[profile b]\nservices = b\n[services b]\nsts =\n  endpoint_url = https://b.example\n")
    exchanges = 0
    for profile in ("a", "b", "a", "b"):
        exchanges += run_lookup(monkeypatch, options(cache_dir, profile=profile))[2]
    assert exchanges == 2, "one exchange per endpoint, then the cache"
    first = _lookup.credentials_key(options(cache_dir))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://sts.elsewhere.example.com")
    assert _lookup.credentials_key(options(cache_dir)) != first
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert _lookup.credentials_key(options(cache_dir)) == first


# --- Threat 9, property-based: keys versus what the credentials depend on --------------------------------------

TEXT = st.sampled_from([None, "a", "b"])
OPTION_SETS = st.fixed_dictionaries({
    "profile": st.sampled_from([None, "p1", "p2"]),
    "region": st.sampled_from([None, "us-east-1", "eu-west-1", "cn-north-1"]),
    "endpoint_url": st.sampled_from([None, "https://x.example.com"]),
    "role_arn": st.sampled_from(["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"]),
    "role_session_name": TEXT, "duration_seconds": st.sampled_from([None, 900, 3600]),
    "policy": st.sampled_from([None, '{"Version":"2012-10-17"}', {"Version": "2012-10-17"}]),
    "policy_arns": st.sampled_from([None, [], ["arn:aws:iam::aws:policy/A"]]),
    "domain_url": TEXT, "token_url": TEXT, "issuer": TEXT, "audience": TEXT, "scope": TEXT, "client_id": TEXT,
    "client_secret": st.sampled_from([None, "secret-one-0001", "secret-two-0002"]), "token": TEXT,
    "token_file": st.sampled_from([None, "t1", "t2"]),
    "cert_bundle": TEXT, "aws_ca_bundle": TEXT, "validate_certs": st.sampled_from([True, None]),
})
ENVIRONMENTS = st.fixed_dictionaries({}, optional={
    "AWS_ENDPOINT_URL": st.just("https://env.example.com"), "AWS_ENDPOINT_URL_STS": st.just("https://sts-env.example.com"),
    "AWS_STS_REGIONAL_ENDPOINTS": st.just("legacy"), "AWS_USE_FIPS_ENDPOINT": st.just("true"),
    "AWS_DEFAULT_REGION": st.just("eu-central-1"), "AWS_PROFILE": st.just("p2"),
})
AWS_CONFIG = ("[profile p1]\nregion = ap-southeast-2\n[profile p2]\nendpoint_url = https://p2.example.com\n"
              "[default]\nsts_regional_endpoints = legacy\n")


def _botocore_endpoint(opts):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws import connection as _aws  # pylint: disable=import-outside-toplevel

    del _aws._UNSIGNED_SESSION[:]
    client = _aws.AwsConnection(profile=opts["profile"], region=opts["region"],
                                endpoint_url=opts["endpoint_url"]).client("sts", unsigned=True).client
    operation = client.meta.service_model.operation_model("AssumeRoleWithWebIdentity")
    params = {"RoleArn": opts["role_arn"], "RoleSessionName": "s", "WebIdentityToken": "t"}
    return client._ruleset_resolver.construct_endpoint(operation, params, {}).url  # pylint: disable=protected-access


def _determinants(opts, token_files):
    """What the credentials of an exchange depend on: the STS endpoint botocore calls, the session, the token."""
    token = token_files[opts["token_file"]] if opts["token_file"] else None
    return (_botocore_endpoint(opts),) + tuple(json.dumps(opts[name], sort_keys=True) for name in (
        "role_arn", "role_session_name", "duration_seconds", "policy", "policy_arns", "domain_url", "token_url",
        "issuer", "audience", "scope", "client_id", "client_secret", "token")) + (token,)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=OPTION_SETS, second=OPTION_SETS, environment=ENVIRONMENTS, same_tokens=st.booleans())
def test_option_sets_that_can_differ_in_credentials_never_share_a_key(tmp_path, monkeypatch, first, second, environment,
                                                                      same_tokens):
    """Threat 9: two option sets that can yield different credentials never share a key; the same inputs always do."""
    isolate_aws(monkeypatch, tmp_path)
    (tmp_path / "aws-config").write_text(AWS_CONFIG)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    token_files = {"t1": "token.one", "t2": "token.one" if same_tokens else "token.two"}
    for name, content in token_files.items():
        (tmp_path / name).write_text(content)
    first = dict(first, token_file=str(tmp_path / first["token_file"]) if first["token_file"] else None)
    second = dict(second, token_file=str(tmp_path / second["token_file"]) if second["token_file"] else None)
    contents = {str(tmp_path / n): c for n, c in token_files.items()}
    try:
        differ = _determinants(first, contents) != _determinants(second, contents)
    except Exception:  # pylint: disable=broad-except
        return  # botocore refuses one of them: that lookup fails, nothing is cached
    key = _lookup.credentials_key(first)
    assert key == _lookup.credentials_key(dict(first)), "the same inputs give the same key"
    assert key == _lookup.credentials_key(dict(first, cert_bundle="other", aws_ca_bundle="other")), \
        "TLS trust does not change the credentials"
    if differ:
        assert key != _lookup.credentials_key(second)
    for value in (first["client_secret"], second["client_secret"]):
        assert value is None or value not in key
