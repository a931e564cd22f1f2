# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

What the credential cache (``_credential_cache``) does on a miss: the key's exclusive lock, the second look under
it, the producer (the exchange) and the write. Apart from the cache so that a hit, which the lookup makes in every
forked worker (where Ansible compiles each collection module it imports from source), compiles none of it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time

from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache import CacheUnusable

# Time the holder may still need after the end it announced (writing the entry takes milliseconds).
ANNOUNCE_SLACK = 1.0


def lock(cache, key):
    """An open descriptor holding the exclusive lock of ``key`` in ``cache`` (a ``CredentialCache``);
    :class:`CacheUnusable` if it cannot be had safely.

    The lock file must be a regular file of ours that nobody else can open; a symlink is not
    followed (its target is never touched). It is waited for ``cache.lock_wait`` seconds, and up to
    ``cache.lock_allowance`` more while the holder announces a later end (its lock file's modification time, which
    :func:`announcer` sets to the end of the holder's deadline, in the future while it is being throttled).
    """
    path = cache.lock_path(key)
    flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CacheUnusable("the lock file %s is a symbolic link, which is not followed; remove it" % path)
        raise CacheUnusable("cannot open the lock file %s: %s" % (path, exc.strerror))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CacheUnusable("the lock file %s is not a regular file; remove it" % path)
        if info.st_uid != os.geteuid():
            raise CacheUnusable("the lock file %s belongs to another user (uid %d); remove it" % (path, info.st_uid))
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise CacheUnusable("the lock file %s is open to other users (mode %04o); remove it"
                                % (path, stat.S_IMODE(info.st_mode)))
        started, wall = time.monotonic(), time.time()
        base = started + cache.lock_wait
        pause = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                    raise CacheUnusable("cannot lock %s: %s" % (path, exc.strerror))
            now = time.monotonic()
            end = base
            if cache.lock_allowance > 0:
                # The holder's announced end (the lock file's time, see announcer), within its allowance.
                announced = started + (os.fstat(fd).st_mtime - wall) + ANNOUNCE_SLACK
                end = min(base + cache.lock_allowance, max(base, announced))
            left = end - now
            if left <= 0:
                raise CacheUnusable("another process has held the lock %s for %.0f s without finishing its exchange "
                                    "(the wait is the timeout option, longer only while the holder is throttled)"
                                    % (path, now - started))
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.1)
    except BaseException:
        os.close(fd)
        raise


def announcer(fd):
    """``announce(seconds_left)`` for the holder of the lock ``fd``: it tells the processes that wait for the lock
    when the holder's exchange will end at the latest, by setting the lock file's times to then. Taking the lock
    announces nothing (the times are set to now), so that an earlier holder's announcement does not last."""
    def announce(seconds_left):
        end = time.time() + max(0.0, seconds_left)
        try:
            os.utime(fd, (end, end))
        except (OSError, NotImplementedError):  # (no utime on descriptors: the waiters wait their lock_wait)
            pass

    announce(0)
    return announce


def _unannounced(seconds_left):
    """What a producer that holds no lock announces to: nobody."""


def fill(cache, key, produce):
    """``(value, hit)`` for ``key`` after a first look missed: under the key's lock, the entry another process
    wrote meanwhile, else ``produce(announce)``'s value, written (``announce``: :func:`announcer`). When the lock cannot be had, or the entry cannot be
    written, the produced value is returned all the same and a warning says why it was not cached."""
    try:
        lock_fd = lock(cache, key)
    except CacheUnusable as exc:
        cache.warn("the credential cache is not used for this evaluation (%s): the credentials come from a new "
                   "exchange and are not cached" % exc)
        return produce(_unannounced)[0], False
    try:
        value = cache.read(key)
        if value is not None:
            return value, True
        value, expires_at = produce(announcer(lock_fd))
        try:
            cache.write(key, value, expires_at)
        except OSError as exc:
            cache.warn("the credentials could not be stored in the credential cache %s (%s): they are returned "
                       "uncached, and the next evaluation makes a new exchange" % (cache.directory, exc.strerror or exc))
        return value, False
    finally:
        fcntl.flock(lock_fd, fcntl.LOCK_UN)
        os.close(lock_fd)
