# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The one place where the collection decides whether a path is safe to write a secret to or to
run code from, and creates what is missing.

- :func:`check_trusted` refuses a path that another local user could replace: as OpenSSH's
  StrictModes checks key files, every component from ``/`` down to it must be owned by the
  user or by root and must not be writable by group or others, unless it is a directory with
  the sticky bit (``/tmp``), where others cannot rename or remove what is ours. Both the path as
  written (where its symbolic links are) and the path they lead to are checked.
- :func:`make_private_dirs` creates the missing directories of a path, each one 0700 whatever
  the umask, after checking the part that exists. It never changes the mode of a directory it
  did not create.
- :func:`atomic_write` replaces a file with a 0600 one through a temporary name in the same
  directory, so that a reader sees the old content or the new, never a part.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile

# ``_errors`` is imported where an error is raised: the lookup's cache hit checks its directory here in every forked
# worker, where Ansible compiles each collection module it imports from source.

TEMP_PREFIX = ".tmp-"
OWNER_FIX = "use a path whose every directory belongs to you or to root"


def _components(path):
    """``/``, ``/a``, ``/a/b``, ... down to ``path`` (absolute, normalised)."""
    parts = []
    current = os.path.abspath(path)
    while True:
        parts.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return list(reversed(parts))


def _refuse(what, path, component, why, fix):
    """Raise :class:`UnsafePath`; its details (``path``, ``component``, ``why``, ``fix``) let a caller word it its way."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import UnsafePath

    raise UnsafePath("refusing to use %s %s: %s %s; %s" % (what, path, component, why, fix),
                     path=path, component=component, why=why, fix=fix)


def _trusted_owner(info, uid):
    return info.st_uid in (uid, 0)


def _open_for_writing(info):
    """True when group or others may write ``info``'s object and that lets them replace what it holds."""
    mode = stat.S_IMODE(info.st_mode)
    return bool(mode & 0o022) and not (stat.S_ISDIR(info.st_mode) and mode & stat.S_ISVTX)


def _check_component(what, path, component, info, uid, last):
    """Refuse ``component`` (its ``lstat``) unless another user can neither replace nor rewrite it."""
    if not _trusted_owner(info, uid):
        _refuse(what, path, component, "belongs to another user (uid %d)" % info.st_uid, OWNER_FIX)
    if stat.S_ISLNK(info.st_mode):
        return  # a link's own mode means nothing; where it leads is checked as a path of its own
    if _open_for_writing(info):
        mode = stat.S_IMODE(info.st_mode)
        who = "others" if mode & 0o002 else "its group"
        sticky = " and not sticky" if stat.S_ISDIR(info.st_mode) else ""  # a sticky directory would be fine
        _refuse(what, path, component, "is writable by %s (mode %04o)%s" % (who, mode, sticky),
                "remove that write permission (chmod go-w %s) or choose another path" % component)
    if not last and not stat.S_ISDIR(info.st_mode):
        _refuse(what, path, component, "is not a directory", "choose a path under directories")


def _check_chain(what, path, target, uid):
    components = _components(target)
    for index, component in enumerate(components):
        try:
            info = os.lstat(component)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return
            from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import UnsafePath

            raise UnsafePath("cannot check %s %s: %s: %s" % (what, path, component, exc.strerror), path=path)
        _check_component(what, path, component, info, uid, index == len(components) - 1)


def check_trusted(path: str, what: str) -> None:
    """Raise :class:`UnsafePath` unless every existing component of ``path`` is trusted.

    The path as given is checked component by component (a symbolic link must belong to the user
    or root, and the directory it sits in is checked like any other), then the path its links
    resolve to, so that the directories actually used are checked too. A missing tail is fine
    (it is what :func:`make_private_dirs` creates). ``what`` names the path in the message
    (``"credential_process_dir"``, ``"the credential cache"``).
    """
    _check_trusted(what, path, path)


def _check_trusted(what, shown, path):
    """:func:`check_trusted` of ``path``, whose refusal names ``shown`` (the path asked for, of which it is a part)."""
    uid = os.geteuid()
    lexical = os.path.abspath(path)
    _check_chain(what, shown, lexical, uid)
    real = os.path.realpath(lexical)
    if real != lexical:
        _check_chain(what, shown, real, uid)


def make_private_dirs(path: str, what: str, check_mode: bool = False) -> list[str]:
    """Create ``path`` and its missing parents as 0700 directories; return those created (or to create).

    The existing part is checked with :func:`check_trusted` first; a directory that appears
    meanwhile (made by someone else) is checked before anything is put in it. Directories that
    already existed keep their mode, whatever it is: the caller decides whether to warn.
    """
    path = os.path.abspath(path)
    missing = []
    current = path
    while not os.path.lexists(current):
        missing.append(current)
        current = os.path.dirname(current)
    _check_trusted(what, path, current)
    if not os.path.isdir(current):
        _refuse(what, path, current, "is not a directory", "remove it or choose another path")
    if check_mode:
        return list(reversed(missing))
    created = []
    uid = os.geteuid()
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass  # made meanwhile: used only if it passes the checks below
        except OSError as exc:
            from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError

            raise OciAwsError("cannot create %s %s: %s" % (what, directory, exc.strerror), path=directory)
        else:
            created.append(directory)
            try:
                os.chmod(directory, 0o700)  # a umask such as 0o277 could have taken bits the owner needs
            except OSError:
                pass  # removed meanwhile: the lstat below refuses it
        try:
            info = os.lstat(directory)
        except OSError:
            info = None
        if info is None:
            _refuse(what, path, directory, "disappeared after it was created", "find out what removes it and run again")
        elif not stat.S_ISDIR(info.st_mode):
            _refuse(what, path, directory, "appeared as something other than a directory", "remove it and run again")
        else:
            _check_component(what, path, directory, info, uid, False)
    return created


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` (bytes) as a 0600 file, atomically; no temporary file is left behind.

    The temporary file is made by :func:`tempfile.mkstemp` (``O_EXCL``, mode 0600, a random name
    starting with :data:`TEMP_PREFIX`) in the directory of ``path``, written, synced and renamed
    over ``path``; the directory is synced so that the rename survives a crash.
    """
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def open_to_others(path: str) -> int | None:
    """The mode of the existing directory ``path`` when group or others may list it (not sticky), else None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISDIR(info.st_mode) and mode & 0o077 and not mode & stat.S_ISVTX:
        return mode
    return None


def readable_file(path: str, option: str, what: str, fix: str | None = None) -> str:
    """``path`` (``~`` expanded) once it is known to be a regular file this user can read, else :class:`OptionError`.

    The one readable-file check of the collection: ``what`` says what the file should hold, ``fix`` (by default
    "give the path of <what>") what to do when there is no such file.
    """
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError

    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        raise OptionError(option, "%s %s is not a readable file: %s does not exist there or is not a file; %s"
                          % (option, path, what, fix or "give the path of %s" % what))
    if not os.access(path, os.R_OK):
        raise OptionError(option, "%s %s is not a readable file: it cannot be read by this user (%s); fix its owner "
                                  "or permissions" % (option, path, what))
    return path


def private_file(path: str, option: str, what: str) -> str:
    """``path`` (expanded, absolute) once it is a regular file of this user that no one else may read or
    replace: mode 0600 or stricter, every directory to it trusted (:func:`check_trusted`); else an
    OptionError naming ``option`` (an :class:`UnsafePath` for an untrusted directory). For private keys."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError

    path = os.path.abspath(readable_file(path, option, what))
    check_trusted(path, option)
    info = os.stat(path)
    if info.st_uid != os.geteuid():
        raise OptionError(option, "%s (%s, option %s) belongs to another user (uid %d): a private key must be the "
                                  "user's own" % (what, path, option, info.st_uid))
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise OptionError(option, "%s (%s, option %s) may be read by %s (mode %04o): chmod 600 %s, and treat the key as "
                                  "copied: make a new one" % (what, path, option,
                                                              "others" if mode & 0o007 else "its group", mode, path))
    return path
