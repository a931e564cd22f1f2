# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

One style for every check of a value the user gives: the value must match its pattern *as a
whole* (``re.fullmatch``; never ``match`` with ``^...$``, whose ``$`` also matches before a
trailing newline), patterns of ASCII rules are compiled with ``re.ASCII`` (so that ``\\d`` and
``\\w`` mean ASCII digits and letters only), and a refusal is an :class:`OptionError` that names
the option and says what the allowed set is. Nothing here raises anything else, whatever the input.

Also the audience, which three modules and the exchange share: its default, its check, and the
scope a client requests for it.
"""

from __future__ import annotations

import typing as t

import os
import re
import unicodedata

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError

# Shown values are cut after this many characters, so that a huge value cannot flood the output.
SHOWN = 80
# Characters no user value may hold: C0 and C1 controls, DEL, the Unicode line and paragraph
# separators (str.splitlines() breaks lines at all of them) and the bidirectional overrides that
# make text display other than it is.
_CONTROL = re.compile(u"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

DEFAULT_AUDIENCE = "sts.amazon.com"
# RFC 6749 scope-token characters (printable ASCII but space, " and \): a client requests the scope
# ``<audience><value>``, so the audience and each scope value are made of them. The audience
# also excludes "," and brackets, which make a list of it for IAM and for the reader.
_SCOPE_TOKEN = r"[\x21\x23-\x5b\x5d-\x7e]+"
_AUDIENCE = re.compile(r"[\x21\x23-\x2b\x2d-\x5a\x5e-\x7e]{1,255}", re.ASCII)
AUDIENCE_RULE = ("exactly one value of 1 to 255 printable ASCII characters, without spaces, commas, quotes, "
                 "backslashes or brackets (at most 255: the longest client ID an AWS OIDC provider accepts)")
SCOPE_VALUE = re.compile(_SCOPE_TOKEN, re.ASCII)
SCOPE = re.compile(r"%s(?: %s)*" % (_SCOPE_TOKEN, _SCOPE_TOKEN), re.ASCII)


def shown(value: t.Any) -> str:
    """``repr(value)``, cut to :data:`SHOWN` characters: how refused values appear in messages."""
    text = repr(value)
    if len(text) <= SHOWN:
        return text
    return text[:SHOWN] + "... (%d characters)" % len(value) if isinstance(value, str) else text[:SHOWN] + "..."


def has_control(value: str) -> bool:
    """True if ``value`` holds a control character, a line break of any kind or a bidi override."""
    return _CONTROL.search(value) is not None


def check_pattern(value: t.Any, option: str, pattern: t.Pattern[str], what: str) -> str:
    """``value`` if it is a string that ``pattern`` (compiled) matches as a whole, else :class:`OptionError`.

    ``what`` says what the option takes ("a profile name of letters, digits and _.+=,@:/-"); the
    message is ``<option> must be <what>: got <value>``.
    """
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise OptionError(option, "%s must be %s: got %s" % (option, what, shown(value)))
    return value


def check_text(value: t.Any, option: str, what: str = "a non-empty string", strip: bool = True) -> str:
    """A non-empty string without control characters or line breaks (free text such as a display name).

    With ``strip`` it may not start or end with white space either. Letters of any script are kept.
    """
    if not isinstance(value, str) or not value.strip():
        raise OptionError(option, "%s must be %s: got %s" % (option, what, shown(value)))
    if has_control(value) or any(unicodedata.category(c) == "Cs" for c in value):
        raise OptionError(option, "%s must not contain control characters or line breaks: got %s" % (option, shown(value)))
    if strip and value != value.strip():
        raise OptionError(option, "%s must not start or end with spaces: got %s" % (option, shown(value)))
    return value


def check_secret_text(value: t.Any, option: str) -> str:
    """A secret given as text: non-empty, no control characters or line breaks. Its value is never shown."""
    if not isinstance(value, str) or not value:
        raise OptionError(option, "%s must be a non-empty string" % option)
    if has_control(value):
        raise OptionError(option, "%s must not contain control characters or line breaks (a secret copied from a "
                                  "file often ends with a newline): remove them" % option)
    if value != value.strip():
        raise OptionError(option, "%s must not start or end with white space: remove it" % option)
    return value


def check_path_text(value: t.Any, option: str) -> str:
    """A file system path that goes into a file or a command line: no NUL, control character or line
    break, and no white space around it (spaces inside are kept, and quoted where the path goes)."""
    if not isinstance(value, str) or not value:
        raise OptionError(option, "%s must be a path: got %s" % (option, shown(value)))
    if has_control(value) or any(unicodedata.category(c) == "Cs" for c in value):
        raise OptionError(option, "%s must be a path without control characters or line breaks: got %s"
                          % (option, shown(value)))
    if value != value.strip():
        raise OptionError(option, "%s must not start or end with white space: got %s" % (option, shown(value)))
    return value


def check_absolute_path(value: t.Any, option: str) -> str:
    """:func:`check_path_text`, and absolute once ``~`` is expanded; returns the expanded path."""
    check_path_text(value, option)
    path = os.path.expanduser(value)
    if not os.path.isabs(path):
        raise OptionError(option, "%s must be an absolute path (or start with ~/): got %s" % (option, shown(value)))
    return path


def check_audience(value: t.Any, option: str = "audience") -> str:
    """The one ``aud`` value tokens carry and the AWS OIDC provider lists as a client ID."""
    if not isinstance(value, str) or not value:
        raise OptionError(option, "%s must be a single value (exactly one value), such as %s: got %s"
                          % (option, DEFAULT_AUDIENCE, shown(value)))
    if _AUDIENCE.fullmatch(value) is None:
        raise OptionError(option, "%s must be %s: got %s. Several audiences make the token's aud claim an array, "
                                  "which AWS does not document STS as accepting (the collection refuses it up front); give one, "
                                  "such as %s" % (
                                      option, AUDIENCE_RULE, shown(value), DEFAULT_AUDIENCE))
    return value


def scope_for(audience: str, value: str = "/") -> str:
    """The scope a client requests for the scope ``value`` of the resource server ``audience``."""
    return audience + value
