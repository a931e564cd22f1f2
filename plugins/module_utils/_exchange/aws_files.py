# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Private files on the host that runs the module: the AWS shared credentials and config files
(one section edited in place, every other line kept) and the credential_process files;
:func:`credentials_change` writes temporary credentials as a profile of the credentials file.

Every file is written to a temporary name in its directory with mode 0600 and renamed into
place (``_paths.atomic_write``); the directories made for it are 0700 at every level, and an
existing directory keeps its mode: the collection never changes the mode of a directory it did
not create. Before a file is read or written, its path is checked as OpenSSH's StrictModes
checks key files (``_paths.check_trusted``). A file is written only when its content differs.
:class:`FileChange` also gives the diff, in which the value of every secret-like key
(:func:`is_secret_key`) is never shown.
"""

from __future__ import annotations

import errno
import os
import re
import stat

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import atomic_write, check_trusted, make_private_dirs, open_to_others
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_pattern

# Letters of any script (the AWS files are UTF-8), digits and _.+=,@:/-; never a space, a bracket, a
# comment character or a line break, which would change the file's sections.
_PROFILE = re.compile(r"[\w.+=,@:/-]{1,128}")
_SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$")
_KEY = re.compile(r"^([^\s=:#;\[][^=:]*?)\s*[=:]\s*(.*?)\s*$")
CREDENTIAL_SECRETS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
HIDDEN = "<hidden>"
HIDDEN_CHANGED = "<hidden, changed>"
# A key whose name holds one of these words may hold a secret, and its value is never shown in a diff
# (aws_access_key_id included: not a secret by itself, but half of a pair that nobody needs to see)...
_SECRET_WORD = re.compile(r"secret|token|passw|passphrase|private|key", re.IGNORECASE)
# ...unless the name says what else it holds: a path, a URL, a time (token_file, token_url, x_security_token_expires).
_NOT_SECRET_SUFFIXES = ("_file", "_path", "_dir", "_url", "_expires", "_expiration")


def check_profile(value, option):
    return check_pattern(value, option, _PROFILE, "a profile name of 1 to 128 letters, digits and _.+=,@:/- (no spaces, "
                                                  "brackets or line breaks)")


def config_section(profile):
    """The section of ``profile`` in the AWS config file (``[default]`` or ``[profile <name>]``)."""
    return "default" if profile == "default" else "profile " + profile


def is_secret_key(name):
    """True when the value of the key ``name`` (of an INI section or a settings file) may be a secret."""
    name = str(name).strip().lower()
    return bool(_SECRET_WORD.search(name)) and not name.endswith(_NOT_SECRET_SUFFIXES)


def _owned(info, path, what):
    if info.st_uid != os.geteuid():
        raise OciAwsError("%s %s belongs to another user; refusing to use it" % (what, path))


def private_directory(path, check_mode, what="the directory"):
    """Make ``path`` and its missing parents, each 0700; True if any is (or would be) created.

    The part that exists is checked (``_paths.check_trusted``) and keeps its mode.
    """
    return bool(make_private_dirs(path, what, check_mode))


def read_file(path):
    """The text of ``path``, or None if it does not exist."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IOError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise OciAwsError("cannot read %s: %s" % (path, exc.strerror))


class FileChange:
    """One private file: its content before and after, written only when they differ.

    ``describe(content, other)`` renders a content for the diff, never a secret (``other`` is the
    content it replaces, or None); by default the text with the value of every secret-like key
    hidden (:func:`masked_text`). ``what`` names the option that sets the path, for messages.
    ``private_dir`` says that the directory is the collection's own: a warning is given when an
    existing one is open to others (its mode is never changed).

    The path is checked (``_paths.check_trusted``: where it is written, and where its symbolic
    links lead) before the file is read, so a refused path leaves everything as it was.
    """

    def __init__(self, path, after, describe=None, what="the file", private_dir=False):
        given = os.path.abspath(os.path.expanduser(path))
        check_trusted(os.path.dirname(given), what)
        # Write through a symbolic link (users link ~/.aws/credentials elsewhere), never over it.
        self.path = os.path.realpath(given)
        if self.path != given:
            check_trusted(os.path.dirname(self.path), what)
        self.what = what
        self.after = after
        self.before = read_file(self.path)
        self._describe = describe or masked_text
        if self.before is not None:
            info = os.stat(self.path)
            _owned(info, self.path, "the file")
            self._mode = stat.S_IMODE(info.st_mode)
        else:
            self._mode = None
        self.warnings = []
        open_mode = open_to_others(os.path.dirname(self.path)) if private_dir else None
        if open_mode is not None:
            self.warnings.append(
                "%s %s is open to others (mode %04o): its files are 0600, but others can list their names; "
                "run chmod 0700 %s (the collection does not change the mode of a directory it did not create)"
                % (what, os.path.dirname(self.path), open_mode, os.path.dirname(self.path)))

    @property
    def changed(self):
        return self.before != self.after or self._mode != 0o600

    def apply(self, check_mode):
        """Write the file if it differs (not in check mode); True if it (or a directory for it) differs."""
        directory_changed = private_directory(os.path.dirname(self.path), check_mode, self.what)
        if not self.changed:
            return directory_changed
        if not check_mode:
            try:
                atomic_write(self.path, self.after)
            except OSError as exc:
                raise OciAwsError("cannot write %s %s: %s" % (self.what, self.path, exc.strerror), path=self.path)
        return True

    def diff(self):
        before = "" if self.before is None else self._describe(self.before, None)
        after = self._describe(self.after, self.before)
        if self.before is not None and self._mode != 0o600:
            before += "(mode %04o)\n" % self._mode
        return {"before_header": self.path, "after_header": self.path, "before": before, "after": after}


def masked_text(content, other=None):
    """A whole INI-like text for a diff, the value of every secret-like key hidden (marked when it differs)."""
    text = content.decode("utf-8", "replace")
    theirs = {}
    for line in (other.decode("utf-8", "replace") if other is not None else "").splitlines():
        match = _KEY.match(line)
        if match:
            theirs.setdefault(match.group(1).strip(), match.group(2))
    lines = []
    for line in text.splitlines():
        match = _KEY.match(line)
        if match and is_secret_key(match.group(1)):
            key = match.group(1).strip()
            line = "%s = %s" % (key, _hidden(match.group(2), theirs.get(key), other is not None))
        elif line[:1].isspace() and "=" in line and is_secret_key(line.split("=", 1)[0]):
            line = "%s= %s" % (line.split("=", 1)[0], HIDDEN)  # a nested key (s3 =\n    key = value)
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def _hidden(value, theirs, compared):
    return HIDDEN_CHANGED if compared and theirs != value else HIDDEN


def set_section(text, section, values):
    """``text`` (an INI file) with ``values`` set in ``[section]``; every other line is kept.

    A key already in the section is replaced in place (with its continuation lines); new keys go
    after the section's last line; a missing section is added at the end.
    """
    lines = text.splitlines() if text else []
    start = end = None
    for number, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            if start is not None:
                end = number
                break
            if match.group(1) == section:
                start = number
    rendered = ["%s = %s" % (key, value) for key, value in values]
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines + ([""] if lines else []) + ["[%s]" % section] + rendered) + "\n"
    end = len(lines) if end is None else end
    body = lines[start + 1:end]
    pending = dict(values)
    kept = []
    skipping = False
    for line in body:
        match = _KEY.match(line)
        if match:
            key = match.group(1).strip()
            skipping = key in pending
            if skipping:
                kept.append("%s = %s" % (key, pending.pop(key)))
                continue
        elif skipping and line[:1].isspace() and line.strip():
            continue  # a continuation line of a replaced key
        else:
            skipping = False
        kept.append(line)
    last = len(kept)
    while last and not kept[last - 1].strip():
        last -= 1
    kept[last:last] = ["%s = %s" % (key, value) for key, value in values if key in pending]
    return "\n".join(lines[:start + 1] + kept + lines[end:]) + "\n"


def section_values(text, section):
    """``{key: value}`` of ``[section]`` in ``text`` (first-level keys only), or None if there is no such section."""
    found = None
    for line in (text or "").splitlines():
        match = _SECTION.match(line)
        if match:
            if found is not None:
                break
            if match.group(1) == section:
                found = {}
            continue
        key = _KEY.match(line) if found is not None else None
        if key:
            found[key.group(1)] = key.group(2)
    return found


def masked_section(content, section, secret_keys=(), other=None):
    """``[section]`` of ``content`` for a diff: the values of ``secret_keys`` and of every secret-like key
    (:func:`is_secret_key`) hidden, marked when they differ from ``other``."""
    values = section_values(content.decode("utf-8", "replace") if content is not None else "", section)
    if values is None:
        return ""
    theirs = section_values(other.decode("utf-8", "replace") if other is not None else "", section) or {}
    lines = ["[%s]" % section]
    for key in sorted(values):
        value = values[key]
        if key in secret_keys or is_secret_key(key):
            value = _hidden(value, theirs.get(key), other is not None)
        lines.append("%s = %s" % (key, value))
    return "\n".join(lines) + "\n"


def credentials_change(path, profile, credentials):
    """The shared credentials file with ``[profile]`` holding ``credentials`` (other profiles untouched)."""
    before = text_of(path)
    values = (
        ("aws_access_key_id", credentials.access_key),
        ("aws_secret_access_key", credentials.secret_key),
        ("aws_session_token", credentials.session_token),
        # Not read by botocore; tells people (and saml2aws-style tools) when the keys stop working.
        ("x_security_token_expires", credentials.as_dict()["expiration"]),
    )
    after = set_section(before, profile, values).encode("utf-8")
    return FileChange(path, after, describe=lambda content, other: masked_section(content, profile, CREDENTIAL_SECRETS, other))


def text_of(path):
    """The text of ``path`` (through a symbolic link), '' when there is none."""
    content = read_file(os.path.realpath(path))
    try:
        return "" if content is None else content.decode("utf-8")
    except UnicodeDecodeError:
        raise OciAwsError("%s is not UTF-8 text; refusing to rewrite it" % path)


def shadowing_credentials(credentials_file, profile):
    """A warning when the shared credentials file has keys for ``profile``, which botocore prefers to credential_process."""
    values = section_values(text_of(credentials_file), profile) or {}
    if "aws_access_key_id" in values:
        return ("the shared credentials file %s has keys for the profile %s; botocore uses them before the profile's "
                "credential_process: remove that section there" % (credentials_file, profile))
    return None
