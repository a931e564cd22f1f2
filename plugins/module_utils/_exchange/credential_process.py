# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

A profile of the AWS config file whose ``credential_process`` runs this collection's own
exchange, so that the AWS CLI and SDKs on the host get fresh credentials by themselves.

The credential_process is self-contained, because the collection is usually not installed where
a module runs: the module writes a runner (a Python zip application of the collection's
module_utils that this run loaded, with :func:`main` as its entry point) and a settings file of
the exchange's options, both 0600 in a 0700 directory. The profile's line is
``credential_process = <python> <runner> --settings <file>``; :func:`main` prints the
Version 1 JSON that botocore and the AWS CLI read. The settings hold the client secret, like the
shared credentials file holds keys: private to the user.

Every AWS CLI or SDK process that needs credentials runs the runner, so the runner keeps what an
exchange returned in the lookup's cross-process cache (``module_utils/_credential_cache``, keyed by
``module_utils/_credential_key``, with the same file safety and lock): N processes in one validity
window make one exchange. Its directory is the settings file's ``cache_dir`` (``cache`` inside the
credential_process directory by default). An entry is handed out only while it has more than
``RUNNER_MARGIN`` seconds left, more than botocore's advisory refresh window, so botocore never
finds it stale at once and calls again.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shlex
import stat
import sys
import zipfile

from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_cache import (
    CacheUnusable, CredentialCache, lock_waits
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._credential_key import credentials_key
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import version1
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.aws_files import (
    HIDDEN, HIDDEN_CHANGED, FileChange, config_section, is_secret_key, masked_section, set_section, text_of
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, OptionError, typed
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import UnsafePath
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import check_trusted
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_absolute_path, check_path_text
# The exchange's options that the settings file keeps (``Option.process``): not ``token`` (it expires and cannot
# be renewed) nor AWS credentials or profile (the exchange needs none; diagnoses that read IAM are off here).
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import (
    DEFAULT_DURATION, PROCESS_OPTIONS, PROCESS_PATH_OPTIONS, _integer,
)

SETTINGS_VERSION = 1
RUNNER_NAME = "credential_process.pyz"
ENTRY_MODULE = "ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credential_process"
EXCHANGE_MODULE = "ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts"
# What the runner carries: the collection's module_utils and Ansible's that they use.
BUNDLED = ("ansible.module_utils", "ansible_collections.multicloud.oci_aws.plugins.module_utils")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# botocore refreshes credentials that have less than 15 minutes left (its advisory refresh window;
# the mandatory one is 10 minutes: botocore/credentials.py, _DEFAULT_ADVISORY_REFRESH_TIMEOUT), so
# credentials of a credential_process are reused for duration_seconds - 900 seconds only. At 900
# seconds (STS's minimum) every credential read runs the exchange again. The shortest duration taken
# keeps them at least another 15 minutes.
BOTOCORE_ADVISORY_REFRESH = 15 * 60
MIN_PROCESS_DURATION = 2 * BOTOCORE_ADVISORY_REFRESH
DIR_OPTION = "credential_process_dir"
CACHE_DIR_OPTION = "credential_process_cache_dir"
CACHE_DIR_NAME = "cache"
# A cached entry is handed out while it has more than this left: botocore's advisory window and a minute for
# the clock of the AWS CLI's host and the time botocore takes to use them. With MIN_PROCESS_DURATION, an
# entry serves at least 14 minutes.
RUNNER_MARGIN = BOTOCORE_ADVISORY_REFRESH + 60


class ProcessProfile:
    """A config profile whose ``credential_process`` runs the exchange with the options of this run."""

    def __init__(self, profile, config_file, directory, cache_dir=None):
        self.profile = profile
        self.config_file = config_file
        self.directory = directory
        self.cache_dir = os.path.abspath(os.path.expanduser(cache_dir)) if cache_dir else os.path.join(
            directory, CACHE_DIR_NAME)
        self.runner = os.path.join(directory, RUNNER_NAME)
        safe = "".join(c if c.isalnum() or c in "-_." else "%%%02X" % ord(c) for c in profile)
        self.settings_file = os.path.join(directory, safe + ".json")

    @staticmethod
    def check_options(options):
        duration = _integer(options, "duration_seconds", DEFAULT_DURATION)
        if duration < MIN_PROCESS_DURATION:
            raise OptionError(
                "duration_seconds",
                "duration_seconds %d is too short for credential_process_profile: botocore (the AWS CLI and SDKs) "
                "refreshes credentials that have less than %d seconds left, so credentials of %d seconds would be "
                "reused for only %d seconds%s; give at least %d (the default is %d)" % (
                    duration, BOTOCORE_ADVISORY_REFRESH, duration, max(duration - BOTOCORE_ADVISORY_REFRESH, 0),
                    " (every credential read would run the exchange again)"
                    if duration <= BOTOCORE_ADVISORY_REFRESH else "", MIN_PROCESS_DURATION, DEFAULT_DURATION))
        if options.get("token") is not None:
            raise OptionError("token", "credential_process_profile needs a token source that can be renewed "
                                       "(client_id and client_secret or client_private_key_file, or token_file): a token given "
                                       "in token expires")
        # The directory goes into the profile's credential_process line (one line of the config file,
        # split by botocore with shlex.split): quoted as a whole, it may hold spaces and quotes, never a
        # line break, which would end the line and start new sections.
        for name in (DIR_OPTION, CACHE_DIR_OPTION):
            if options.get(name) is not None:
                check_absolute_path(options.get(name), name)

    def command(self, python):
        """The credential_process line: each part quoted so that ``shlex.split`` (botocore) gives it back whole."""
        check_path_text(python, "ansible_python_interpreter")
        return " ".join(shlex.quote(part) for part in (python, self.runner, "--settings", self.settings_file))

    def changes(self, options, region, python):
        """The settings file, the runner and the config file, as :class:`FileChange` objects."""
        kept = dict((name, options.get(name)) for name in PROCESS_OPTIONS if options.get(name) is not None)
        for name in PROCESS_PATH_OPTIONS:
            if name in kept:
                kept[name] = os.path.abspath(os.path.expanduser(kept[name]))
        if region and not kept.get("region"):
            kept["region"] = region
        settings = json.dumps({"version": SETTINGS_VERSION, "options": kept, "cache_dir": self.cache_dir}, indent=2,
                              sort_keys=True) + "\n"
        config_after = set_section(text_of(self.config_file), config_section(self.profile),
                                   (("credential_process", self.command(python)),))
        runner = runner_bundle()
        return [
            FileChange(self.settings_file, settings.encode("utf-8"), describe=_masked_settings, what=DIR_OPTION,
                       private_dir=True),
            FileChange(self.runner, runner, describe=lambda content, other: "credential_process runner, %d bytes, "
                       "sha256 %s\n" % (len(content), hashlib.sha256(content).hexdigest()), what=DIR_OPTION),
            FileChange(self.config_file, config_after.encode("utf-8"), describe=lambda content, other: masked_section(
                content, config_section(self.profile), (), other), what="aws_config_file"),
        ]


def _masked_settings(content, other):
    try:
        options = json.loads(content.decode("utf-8"))["options"]
        theirs = json.loads(other.decode("utf-8"))["options"] if other is not None else {}
    except (ValueError, KeyError, TypeError):
        return "(not a settings file)\n"
    if not isinstance(options, dict) or not isinstance(theirs, dict):
        return "(not a settings file)\n"
    for name in options:
        if is_secret_key(name):
            options[name] = HIDDEN_CHANGED if other is not None and theirs.get(name) != options[name] else HIDDEN
    return json.dumps(options, indent=2, sort_keys=True) + "\n"


def runner_bundle():
    """A zip application of the module_utils this code was loaded with, deterministic for the same code.

    Every Python file of the two module_utils trees is taken from where they were loaded: the
    module's AnsiballZ payload (which holds exactly those the module imports) or an installed
    collection and ansible-core. The packages above them get empty ``__init__.py`` files.
    """
    sources = {}
    for package in BUNDLED:
        sources.update(_tree(package))
    for needed in (ENTRY_MODULE, EXCHANGE_MODULE):
        if needed.replace(".", "/") + ".py" not in sources:
            raise OciAwsError("cannot build the credential_process runner: the source of %s is not available" % needed)
    for path in list(sources):
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            sources.setdefault("/".join(parts[:depth]) + "/__init__.py", b"")
    sources["__main__.py"] = ("import sys\nfrom %s import main\nsys.exit(main(sys.argv[1:]))\n" % ENTRY_MODULE).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(sources):
            info = zipfile.ZipInfo(path, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, sources[path])
    return buffer.getvalue()


def _tree(package):
    """``{path in the bundle: bytes}`` of the Python files of ``package`` (imported), from a directory or a zip."""
    location = list(sys.modules[package].__spec__.submodule_search_locations)[0]
    prefix = package.replace(".", "/")
    found = {}
    if os.path.isdir(location):
        for directory, dirs, files in os.walk(location):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(directory, name)
                    with open(path, "rb") as handle:
                        found[prefix + "/" + os.path.relpath(path, location).replace(os.sep, "/")] = handle.read()
        return found
    archive_path, inner = location, ""
    while archive_path and not os.path.isfile(archive_path):
        archive_path, tail = os.path.split(archive_path)
        inner = tail + ("/" + inner if inner else "")
    with zipfile.ZipFile(archive_path) as archive:
        for name in archive.namelist():
            if name.startswith(inner + "/") and name.endswith(".py"):
                found[prefix + name[len(inner):]] = archive.read(name)
    return found


def load_settings(path):
    """The options of a settings file (those of ``PROCESS_OPTIONS``), refused unless it is a private regular file of
    this user."""
    return read_settings(path)[0]


def read_settings(path):
    """``(options, cache directory)`` of a settings file, as :func:`load_settings` checks it. A settings file of
    0.1.x has no ``cache_dir``: its cache goes to ``cache`` beside it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise OciAwsError("cannot open the settings file %s: %s" % (path, exc.strerror))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
            raise OciAwsError("the settings file %s must be a regular file of this user with mode 0600; run "
                              "multicloud.oci_aws.oci_aws_assume again to rewrite it" % path)
        try:
            document = json.loads(handle.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            document = None
    if not isinstance(document, dict) or document.get("version") != SETTINGS_VERSION or not isinstance(
            document.get("options"), dict):
        raise OciAwsError("the settings file %s is not one that multicloud.oci_aws.oci_aws_assume wrote (version %d); "
                          "run the module again to rewrite it" % (path, SETTINGS_VERSION))
    # Exactly the options a credential_process takes (the ones ProcessProfile writes): nothing else in the file,
    # a token or AWS keys added by hand among them, reaches the exchange.
    options = dict((name, document["options"][name]) for name in PROCESS_OPTIONS if name in document["options"])
    cache_dir = document.get("cache_dir")
    if not isinstance(cache_dir, str) or not os.path.isabs(cache_dir):
        cache_dir = os.path.join(os.path.dirname(os.path.abspath(path)), CACHE_DIR_NAME)
    return options, cache_dir


def runner_archive():
    """The zip application this code runs from (the runner), or None when it is not run from one."""
    return getattr(globals().get("__loader__"), "archive", None)


def check_own_files(settings):
    """Before the settings are read: the settings file, the runner and every directory above them must be the
    user's or root's and closed to others' writes (``_paths.check_trusted``), else :class:`UnsafePath`."""
    fix = "; then run multicloud.oci_aws.oci_aws_assume again to rewrite the credential_process files"
    for path, what in ((settings, "the settings file"), (runner_archive(), "the credential_process runner")):
        if path is None:
            continue
        try:
            check_trusted(path, what)
        except UnsafePath as exc:
            raise UnsafePath(exc.msg + fix, **exc.details)


def _exchange(options, announce=None):
    """``(credentials as a dict, expires_at)`` from a new exchange: only a miss comes here (and loads the exchange
    and boto3). ``announce``: the credential cache's, when this process holds the key's lock."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.sts import exchange_from_options

    return exchange_from_options(options, announce=announce, read_role=None)


def process_credentials(options, cache_dir, warn, clock=None):
    """The credentials for a settings file's ``options``: from the cache while they have more than
    ``RUNNER_MARGIN`` seconds left, else from an exchange (stored for the next processes). When the cache cannot be
    used safely, the credentials come from an exchange of this process with a warning (``warn(text)``)."""
    try:
        extra = {"clock": clock} if clock is not None else {}
        cache = CredentialCache(cache_dir, margin=RUNNER_MARGIN, warn=warn, **extra,
                                **lock_waits(options.get("timeout"), options.get("throttling_timeout")))
    except (CacheUnusable, OSError) as exc:
        warn("the credential cache is not used (%s): every run makes a new exchange" % exc)
        return _exchange(options)[0]
    return cache.get(credentials_key(options), lambda announce: _exchange(options, announce))[0]


def main(argv, stdout=None, stderr=None):
    """``--settings FILE``: print Version 1 JSON and return 0, or explain on stderr and return 1."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="credential_process", description="multicloud.oci_aws credential_process")
    parser.add_argument("--settings", required=True, help="the settings file that oci_aws_assume wrote")
    args = parser.parse_args(argv)

    def warn(text):
        stderr.write("multicloud.oci_aws credential_process: warning: %s\n" % text)

    try:
        check_own_files(args.settings)
        options, cache_dir = read_settings(args.settings)
        value = process_credentials(options, cache_dir, warn)
    except Exception as exc:  # pylint: disable=broad-except
        # The runner's one boundary: no traceback (the AWS CLI shows stderr), no text of an unexpected error.
        stderr.write("multicloud.oci_aws credential_process: %s\n" % typed(exc, "the credential_process exchange").msg)
        return 1
    stdout.write(json.dumps(version1(value)) + "\n")
    return 0
