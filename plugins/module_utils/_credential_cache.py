# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

A private, per-user, cross-process cache of temporary AWS credentials for the lookup (on the controller) and the
credential_process runner (on the host that runs the AWS CLI or an SDK): one mechanism, keyed by ``_credential_key``.

Ansible makes a new lookup object for every evaluation and runs each host's task in its own
worker process, so nothing in memory survives from one evaluation to the next. This cache lets
every fork of a run (and later runs) reuse one exchange while the credentials are valid:

- one file per key in a directory that belongs to the user and is open to nobody else, created
  (with its missing parents, each 0700) and checked by ``module_utils/_paths``; a directory that
  exists and is open to others is refused, never chmod-ed; entries are 0600 files written by
  ``_paths.atomic_write`` (readers never see a partial file);
- an exclusive ``flock`` per key around "read, else exchange and write", so that concurrent
  forks with an empty cache make exactly one exchange. Only a lock file that is ours, regular
  and private is used, and it is waited for ``lock_wait`` seconds (the holder's ``timeout``), longer only while
  the holder announces a later end because it is being throttled (at most ``lock_allowance`` more): after that, or
  for a lock file planted by someone else (a symlink, another user's file), the credentials come from an exchange
  of their own, uncached, with a warning;
- credentials obtained are returned even when they cannot be stored (a full disk, a read-only
  directory), with a warning; temporary files that a killed writer left (they hold
  credentials) are removed at the next access once they are ``STALE_TEMP_AGE`` seconds old;
- entries are used only until ``margin`` seconds before they expire;
- a file that is corrupt, not a regular file, owned by someone else or readable by others is
  ignored and replaced.

It imports only the standard library and ``_paths``; ``_errors`` on an error and ``_credential_miss`` (the lock,
the producer, the write) on a miss: a cache hit, which the lookup makes in every forked worker, where Ansible compiles
each collection module from source, compiles neither, nor boto3 or oci.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time

from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import TEMP_PREFIX, atomic_write, make_private_dirs

FORMAT_VERSION = 1
DEFAULT_MARGIN = 600
# How long a fork waits for another one's exchange before making its own, uncached, when the wait is not known.
DEFAULT_LOCK_WAIT = 30


def lock_waits(timeout, throttling=None):
    """The keyword arguments ``lock_wait`` and ``lock_allowance`` of :class:`CredentialCache` for an exchange
    whose options ``timeout`` and ``throttling_timeout`` are these (the lookup and the credential_process runner
    both use it).

    ``lock_wait`` is the holder's deadline when nothing throttles it: its ``timeout`` when a positive number, else
    DEFAULT_LOCK_WAIT. ``lock_allowance`` is what throttling may add to it (``throttling_timeout``, its default
    when not a number from 0): a waiter uses it only while the holder announces a later end (see
    ``_credential_miss.lock``), so that a holder that is hung is waited for ``lock_wait`` and one that is throttled
    as long as its exchange may take.
    """
    if isinstance(throttling, bool) or not isinstance(throttling, (int, float)) or throttling < 0:
        # (_retry is imported here only: a cache hit compiles no more than it needs, HIT_MODULES in the tests)
        from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import DEFAULT_THROTTLING_TIMEOUT

        throttling = DEFAULT_THROTTLING_TIMEOUT
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        return {"lock_wait": timeout, "lock_allowance": throttling}
    return {"lock_wait": DEFAULT_LOCK_WAIT, "lock_allowance": throttling}


# A temporary file older than this is a killed writer's (a write takes milliseconds).
STALE_TEMP_AGE = 60
WHAT = "the credential cache directory"


class CacheUnusable(Exception):
    """The cache (or one key's lock) cannot be used safely; the caller goes on without it."""


def default_directory():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "multicloud.oci_aws", "credentials")


def cache_key(parts):
    """A file name from everything that changes the credentials (``parts`` is a JSON-able dict).

    Secrets in ``parts`` only enter through a SHA-256 digest, so the name reveals none.
    """
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _cache_directory(path):
    """Create ``path`` private (every missing level 0700) or check that the existing one is ours and private.

    An existing directory keeps its mode: one that is open to others is refused with the fix.
    """
    try:
        make_private_dirs(path, WHAT)
    except Exception as exc:  # pylint: disable=broad-except
        # ``_errors`` only now: a cache hit does not compile it (one module less in every forked worker).
        from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError

        if not isinstance(exc, OciAwsError):
            raise
        raise CacheUnusable(exc.msg)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise CacheUnusable("the credential cache path %s is not a directory; remove it or set cache_dir to a "
                            "directory of yours" % path)
    if info.st_uid != os.geteuid():
        raise CacheUnusable("the credential cache directory %s belongs to another user (uid %d); set cache_dir to a "
                            "directory of yours" % (path, info.st_uid))
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise CacheUnusable("the credential cache directory %s is open to other users (mode %04o) and is left as it is; "
                            "make it private (chmod 700 %s) or set cache_dir to another directory" % (path, mode, path))


class CredentialCache:
    """Get credentials from the cache or from ``produce(announce)``, one producer per key at a time.

    A process that finds another one's lock waits ``lock_wait`` seconds, and up to ``lock_allowance`` more while
    the holder announces that its exchange ends later (``announce(seconds_left)``, which the producer calls when its
    deadline moves: ``_retry.Deadline.watch``).
    """

    def __init__(self, directory=None, margin=DEFAULT_MARGIN, clock=time.time, lock_wait=DEFAULT_LOCK_WAIT,
                 warn=None, lock_allowance=0):
        self.directory = os.path.abspath(directory or default_directory())
        self.margin = margin
        self.lock_wait = lock_wait
        self.lock_allowance = lock_allowance
        self._clock = clock
        self.warnings = []
        self._warn = warn or self.warnings.append
        _cache_directory(self.directory)

    def _paths(self, key):
        base = os.path.join(self.directory, key)
        return base + ".json", base + ".lock"

    def lock_path(self, key):
        """The lock file of ``key`` (``_credential_miss.lock`` opens it)."""
        return self._paths(key)[1]

    def warn(self, text):
        self._warn(text)

    def read(self, key):
        """The cached entry for ``key`` if it is safe to use and fresh enough, else None."""
        path = self._paths(key)[0]
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid()
                    or stat.S_IMODE(info.st_mode) & 0o077):
                return None
            with os.fdopen(fd, "rb") as handle:
                fd = None
                entry = json.loads(handle.read().decode("utf-8"))
        except (OSError, ValueError):
            return None
        finally:
            if fd is not None:
                os.close(fd)
        if not isinstance(entry, dict) or entry.get("version") != FORMAT_VERSION:
            return None
        expires = entry.get("expires_at")
        if not isinstance(expires, (int, float)) or not isinstance(entry.get("value"), dict):
            return None
        if expires - self.margin <= self._clock():
            return None
        return entry["value"]

    def write(self, key, value, expires_at):
        """Atomically replace the entry for ``key`` with a 0600 file."""
        data = json.dumps({"version": FORMAT_VERSION, "expires_at": expires_at, "value": value}).encode("utf-8")
        atomic_write(self._paths(key)[0], data)

    def remove_stale_temporaries(self):
        """Remove the temporary files of writers killed before their rename (they hold credentials)."""
        now = time.time()  # file times are wall-clock times, whatever clock the entries use
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return
        for entry in entries:
            if not entry.name.startswith(TEMP_PREFIX):
                continue
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_AGE:
                    os.unlink(entry.path)
            except OSError:
                pass

    def get(self, key, produce):
        """Return ``(value, hit)``; on a miss, ``produce(announce)`` returns ``(value, expires_at)``.

        The exclusive lock is held from the second look to the write, so that of many processes
        that miss together one produces and the others read its result. When the lock cannot be
        had, or the entry cannot be written, the produced value is returned all the same and a
        warning says why it was not cached (``_credential_miss``, imported on a miss only).
        """
        self.remove_stale_temporaries()
        value = self.read(key)
        if value is not None:
            return value, True
        from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_miss import fill

        return fill(self, key, produce)

    def forget(self, key):
        try:
            os.unlink(self._paths(key)[0])
        except OSError:
            pass
