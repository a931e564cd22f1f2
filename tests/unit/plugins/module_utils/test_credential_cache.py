import errno
import json
import multiprocessing
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache import (
    CacheUnusable,
    CredentialCache,
    cache_key,
)

NOW = 1_800_000_000.0
VALUE = {"access_key": "ASIAEXAMPLE", "secret_key": "s", "session_token": "t"}


class Producer:
    def __init__(self, expires_at=NOW + 3600):
        self.calls = 0
        self.expires_at = expires_at

    def __call__(self, announce):
        self.calls += 1
        self.announce = announce
        return dict(VALUE, n=self.calls), self.expires_at


@pytest.fixture
def cache_dir(tmp_path):
    return str(tmp_path / "cache")


def make(cache_dir, now=NOW, margin=600):
    return CredentialCache(cache_dir, margin=margin, clock=lambda: now)


def entry_path(cache_dir, key):
    return os.path.join(cache_dir, key + ".json")


def test_directory_is_created_private(cache_dir):
    make(cache_dir)
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o700


def test_an_open_directory_of_ours_is_refused_and_keeps_its_mode(cache_dir):
    # Changed with issue 11 (item 5): the cache used to chmod an existing directory to 0700.
    os.makedirs(cache_dir, 0o755)
    os.chmod(cache_dir, 0o755)
    with pytest.raises(CacheUnusable, match=r"open to other users \(mode 0755\).*chmod 700"):
        make(cache_dir)
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o755


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the directory to another user")
def test_a_foreign_directory_is_refused(cache_dir):
    os.makedirs(cache_dir, 0o700)
    os.chown(cache_dir, 54321, 54321)
    with pytest.raises(CacheUnusable, match="another user"):
        make(cache_dir)


def test_miss_then_hit(cache_dir):
    produce = Producer()
    cache = make(cache_dir)
    assert cache.get("k", produce) == (dict(VALUE, n=1), False)
    assert cache.get("k", produce) == (dict(VALUE, n=1), True)
    assert produce.calls == 1
    assert stat.S_IMODE(os.stat(entry_path(cache_dir, "k")).st_mode) == 0o600


def test_refreshed_a_margin_before_expiry(cache_dir):
    produce = Producer(expires_at=NOW + 3600)
    make(cache_dir).get("k", produce)
    assert make(cache_dir, now=NOW + 2999).get("k", produce)[1] is True
    assert make(cache_dir, now=NOW + 3000).get("k", produce)[1] is False
    assert produce.calls == 2


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"version": 99}',
                                     json.dumps({"version": 1, "expires_at": "soon", "value": {}}).encode()])
def test_a_corrupt_entry_is_ignored_and_replaced(cache_dir, content):
    cache = make(cache_dir)
    path = entry_path(cache_dir, "k")
    with open(path, "wb") as handle:
        handle.write(content)
    os.chmod(path, 0o600)
    produce = Producer()
    assert cache.get("k", produce) == (dict(VALUE, n=1), False)
    assert cache.get("k", produce)[1] is True


def test_a_too_open_entry_is_ignored_and_replaced_private(cache_dir):
    cache = make(cache_dir)
    cache.get("k", Producer())
    path = entry_path(cache_dir, "k")
    os.chmod(path, 0o644)
    produce = Producer()
    assert cache.get("k", produce)[1] is False
    assert produce.calls == 1
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file to another user")
def test_a_foreign_entry_is_ignored_and_replaced(cache_dir):
    cache = make(cache_dir)
    cache.get("k", Producer())
    path = entry_path(cache_dir, "k")
    os.chown(path, 54321, 54321)
    produce = Producer()
    assert cache.get("k", produce)[1] is False
    assert os.stat(path).st_uid == os.geteuid()


def test_a_symlinked_entry_is_not_followed(cache_dir, tmp_path):
    cache = make(cache_dir)
    elsewhere = tmp_path / "planted.json"
    elsewhere.write_text(json.dumps({"version": 1, "expires_at": NOW + 9999, "value": {"access_key": "EVIL"}}))
    os.chmod(str(elsewhere), 0o600)
    os.symlink(str(elsewhere), entry_path(cache_dir, "k"))
    value, hit = cache.get("k", Producer())
    assert hit is False and value["access_key"] == "ASIAEXAMPLE"
    assert not os.path.islink(entry_path(cache_dir, "k"))


def test_key_depends_on_every_part_and_hides_secrets():
    base = {"role_arn": "arn:aws:iam::1:role/r", "client_secret_sha256": "abc", "duration": 3600}
    assert cache_key(base) == cache_key(dict(reversed(list(base.items()))))
    for part, other in (("role_arn", "arn:aws:iam::1:role/s"), ("client_secret_sha256", "abd"), ("duration", 900)):
        assert cache_key(dict(base, **{part: other})) != cache_key(base)
    assert "abc" not in cache_key(base)


def _worker(cache_dir, counter_path, barrier, results):
    barrier.wait()

    def produce(announce):
        with open(counter_path, "a") as handle:
            handle.write("x")
        return dict(VALUE, pid=os.getpid()), NOW + 3600

    value, _hit = CredentialCache(cache_dir, clock=lambda: NOW).get("shared", produce)
    results.put(value["pid"])


def test_concurrent_processes_with_an_empty_cache_produce_once(cache_dir, tmp_path):
    counter = str(tmp_path / "produced")
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(50)
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(cache_dir, counter, barrier, results)) for _n in range(50)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert all(worker.exitcode == 0 for worker in workers)
    with open(counter) as handle:
        assert handle.read() == "x"
    pids = {results.get(timeout=5) for _n in range(50)}
    assert len(pids) == 1


def test_a_cache_hit_imports_neither_boto3_nor_oci(cache_dir, tmp_path):
    make(cache_dir).get("k", Producer())
    collections_base = [p for p in sys.path if os.path.isdir(os.path.join(p, "ansible_collections"))][0]
    script = (
        "import sys\n"
        "from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache import CredentialCache\n"
        "value, hit = CredentialCache(%r, clock=lambda: %r).get('k', lambda announce: 1/0)\n"
        "assert hit\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'oci')))\n"
    ) % (cache_dir, NOW)
    out = subprocess.check_output([sys.executable, "-c", script], env=dict(os.environ, PYTHONPATH=collections_base))
    assert out.decode().strip() == "[]"


# --- issue 11, items 7 and 8: the lock, failed writes, killed writers, the shared path mechanism ----------------


def test_missing_parents_are_created_private_under_umask_0000(tmp_path):
    directory = tmp_path / "a" / "b" / "cache"
    old = os.umask(0)
    try:
        make(str(directory))
    finally:
        os.umask(old)
    assert [stat.S_IMODE(os.stat(str(p)).st_mode) for p in (tmp_path / "a", tmp_path / "a" / "b", directory)] == [0o700] * 3


def test_a_group_writable_parent_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o775)
    with pytest.raises(CacheUnusable, match="writable by its group"):
        make(str(shared / "cache"))
    assert not (shared / "cache").exists() and stat.S_IMODE(shared.stat().st_mode) == 0o775


def test_the_one_atomic_write_of_the_tree_is_used(cache_dir, monkeypatch):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils import _paths
    from ansible_collections.multicloud.oci_aws.plugins.module_utils import _credential_cache

    written = []
    monkeypatch.setattr(_credential_cache, "atomic_write", lambda path, data: written.append(path))
    make(cache_dir).get("k", Producer())
    assert written == [entry_path(cache_dir, "k")]
    assert _credential_cache.TEMP_PREFIX == _paths.TEMP_PREFIX


def _lock(cache_dir, key="k"):
    return os.path.join(cache_dir, key + ".lock")


def test_the_lock_is_created_private(cache_dir):
    old = os.umask(0)
    try:
        make(cache_dir).get("k", Producer())
    finally:
        os.umask(old)
    info = os.lstat(_lock(cache_dir))
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600


@pytest.mark.parametrize("plant, words", [
    (lambda path: os.symlink("/nonexistent/target", path), "symbolic link"),
    (lambda path: os.mkfifo(path, 0o600), "not a regular file"),
    (lambda path: os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)) or os.chmod(path, 0o644), "open to other users"),
])
def test_an_unsafe_lock_is_not_used(cache_dir, plant, words):
    cache = make(cache_dir)
    plant(_lock(cache_dir))
    produce = Producer()
    assert cache.get("k", produce) == (dict(VALUE, n=1), False)
    assert len(cache.warnings) == 1 and words in cache.warnings[0] and "not cached" in cache.warnings[0]
    assert not os.path.exists(entry_path(cache_dir, "k"))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the lock to another user")
def test_a_foreign_lock_is_not_used(cache_dir):
    cache = make(cache_dir)
    os.close(os.open(_lock(cache_dir), os.O_CREAT | os.O_WRONLY, 0o600))
    os.chown(_lock(cache_dir), 54321, 54321)
    assert cache.get("k", Producer())[1] is False
    assert "another user (uid 54321)" in cache.warnings[0]


def test_a_held_lock_is_waited_for_at_most_lock_wait(cache_dir):
    import fcntl
    import time

    cache = CredentialCache(cache_dir, clock=lambda: NOW, lock_wait=0.3)
    fd = os.open(_lock(cache_dir), os.O_CREAT | os.O_RDWR, 0o600)
    holder = os.open(_lock(cache_dir), os.O_RDWR)  # another open file description: flock conflicts with it
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        assert cache.get("k", Producer())[1] is False
        waited = time.monotonic() - started
    finally:
        os.close(holder)
        os.close(fd)
    assert 0.3 <= waited < 1.5
    assert "held the lock" in cache.warnings[0]
    assert cache.get("k", Producer()) == (dict(VALUE, n=1), False)  # released: cached again
    assert cache.get("k", Producer())[1] is True


ANNOUNCING_HOLDER = r"""
import fcntl, os, sys, time
sys.path[:0] = [sys.argv[1]]
from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_miss import announcer
fd = os.open(sys.argv[2], os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
announce = announcer(fd)
print("locked", flush=True)
for left in sys.argv[4:]:  # announce each end, then let a second go by (a throttled wait)
    announce(float(left))
    time.sleep(1)
time.sleep(60 if sys.argv[3] == "hang" else 0)
"""


def _announcing_holder(cache_dir, then, *ends):
    base = [p for p in sys.path if os.path.isdir(os.path.join(p, "ansible_collections"))][0]
    holder = subprocess.Popen([sys.executable, "-c", ANNOUNCING_HOLDER, base, _lock(cache_dir), then] + [str(e) for e in ends],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


@pytest.mark.parametrize("then, announced, allowance, low, high", [
    ("hang", (), 30, 0.5, 1.4),               # hung: it announces nothing, so its timeout (lock_wait) is all it gets
    ("exit", (1.5, 1.5, 1.5), 30, 2.4, 3.9),  # throttled: each announcement carries the wait on, till it exits
    ("hang", (1.5, 1.5, 1.5), 30, 3.0, 5.0),  # throttled, then hung: waited till its last announced end
    ("exit", (1.5, 1.5, 1.5), 0, 0.5, 1.4),   # no throttling allowance: announcements are not waited for
    ("hang", (60,), 1.5, 1.9, 2.9),           # an announcement beyond the allowance is cut at it
])
def test_a_held_lock_is_waited_for_its_timeout_and_longer_only_while_the_holder_announces_a_later_end(
        cache_dir, then, announced, allowance, low, high):
    import time

    cache = CredentialCache(cache_dir, clock=lambda: NOW, lock_wait=0.5, lock_allowance=allowance)
    os.close(os.open(_lock(cache_dir), os.O_CREAT | os.O_RDWR, 0o600))
    holder = _announcing_holder(cache_dir, then, *announced)
    try:
        started = time.monotonic()
        produce = Producer()
        cache.get("k", produce)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert low <= waited < high, waited
    # A holder that exits before the waiter gives up hands the lock over: the waiter's exchange is then cached.
    handed_over = then == "exit" and allowance > 0
    assert bool(cache.warnings) is not handed_over and produce.calls == 1
    if not handed_over:
        assert "held the lock" in cache.warnings[0] and "timeout option" in cache.warnings[0]


def test_taking_the_lock_clears_an_earlier_holders_announcement(cache_dir):
    import time

    cache = CredentialCache(cache_dir, clock=lambda: NOW, lock_wait=0.5, lock_allowance=30)
    fd = os.open(_lock(cache_dir), os.O_CREAT | os.O_RDWR, 0o600)
    later = time.time() + 3600
    os.utime(fd, (later, later))  # a holder killed while throttled
    produce = Producer()
    cache.get("k", produce)
    assert produce.calls == 1 and abs(os.fstat(fd).st_mtime - time.time()) < 1  # the stale end is gone
    os.close(fd)


@pytest.mark.parametrize("code", ["ENOSPC", "EROFS", "EDQUOT", "EACCES"])
def test_credentials_are_returned_when_they_cannot_be_stored(cache_dir, monkeypatch, code):
    from ansible_collections.multicloud.oci_aws.plugins.module_utils import _credential_cache

    def fail(path, data):
        raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))

    cache = make(cache_dir)
    monkeypatch.setattr(_credential_cache, "atomic_write", fail)
    assert cache.get("k", Producer()) == (dict(VALUE, n=1), False)
    assert len(cache.warnings) == 1 and os.strerror(getattr(errno, code)) in cache.warnings[0]
    assert "uncached" in cache.warnings[0] and "ASIAEXAMPLE" not in cache.warnings[0]


def test_stale_temporaries_are_removed_and_fresh_ones_kept(cache_dir):
    import time

    cache = make(cache_dir)
    stale, fresh, other = (os.path.join(cache_dir, name) for name in (".tmp-killed", ".tmp-writing", "keep.json"))
    for path in (stale, fresh, other):
        with open(path, "w") as handle:
            handle.write("credentials")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    os.symlink("/nonexistent", os.path.join(cache_dir, ".tmp-link"))
    os.utime(os.path.join(cache_dir, ".tmp-link"), (old, old), follow_symlinks=False)
    cache.get("k", Producer())
    assert not os.path.exists(stale) and not os.path.lexists(os.path.join(cache_dir, ".tmp-link"))
    assert os.path.exists(fresh) and os.path.exists(other)
