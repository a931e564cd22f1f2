# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

A private, per-user, cross-process cache of temporary AWS credentials for the lookup.

Ansible makes a new lookup object for every evaluation and runs each host's task in its own
worker process, so nothing in memory survives from one evaluation to the next. This cache lets
every fork of a run (and later runs) reuse one exchange while the credentials are valid:

- one file per key in a directory that is ``0700`` and owned by the user; files are ``0600``,
  written to a temporary name and renamed into place (readers never see a partial file);
- an exclusive ``flock`` per key around "read, else exchange and write", so that concurrent
  forks with an empty cache make exactly one exchange;
- entries are used only until ``margin`` seconds before they expire;
- a file that is corrupt, not a regular file, owned by someone else or readable by others is
  ignored and replaced.

It imports only the standard library: a cache hit loads neither boto3 nor oci.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import hashlib
import json
import os
import stat
import tempfile
import time

FORMAT_VERSION = 1
DEFAULT_MARGIN = 600


class CacheUnusable(Exception):
    """The cache directory cannot be used safely; the caller goes on without a cache."""


def default_directory():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "multicloud.oci_aws", "credentials")


def cache_key(parts):
    """A file name from everything that changes the credentials (``parts`` is a JSON-able dict).

    Secrets in ``parts`` only enter through a SHA-256 digest, so the name reveals none.
    """
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _private_directory(path):
    """Create ``path`` as 0700 or check that an existing one is ours and private."""
    try:
        os.makedirs(path, 0o700)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise CacheUnusable("cannot create the credential cache directory %s: %s" % (path, exc.strerror))
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise CacheUnusable("the credential cache path %s is not a directory" % path)
    if info.st_uid != os.geteuid():
        raise CacheUnusable("the credential cache directory %s belongs to another user" % path)
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, 0o700)


class CredentialCache:
    """Get credentials from the cache or from ``produce()``, one producer per key at a time."""

    def __init__(self, directory=None, margin=DEFAULT_MARGIN, clock=time.time):
        self.directory = directory or default_directory()
        self.margin = margin
        self._clock = clock
        _private_directory(self.directory)

    def _paths(self, key):
        base = os.path.join(self.directory, key)
        return base + ".json", base + ".lock"

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
        path = self._paths(key)[0]
        data = json.dumps({"version": FORMAT_VERSION, "expires_at": expires_at, "value": value}).encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def get(self, key, produce):
        """Return ``(value, hit)``; on a miss, ``produce()`` returns ``(value, expires_at)``.

        The exclusive lock is held from the second look to the write, so that of many processes
        that miss together one produces and the others read its result.
        """
        value = self.read(key)
        if value is not None:
            return value, True
        lock_path = self._paths(key)[1]
        lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            value = self.read(key)
            if value is not None:
                return value, True
            value, expires_at = produce()
            self.write(key, value, expires_at)
            return value, False
        finally:
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)

    def forget(self, key):
        try:
            os.unlink(self._paths(key)[0])
        except OSError:
            pass
