# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

IAM tags: their check (``check_tags``), the list/dict conversions and the purge logic
(``desired_tags``, ``tag_changes``) shared by the OIDC provider and the role.
"""

from __future__ import annotations

import re
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError


# IAM's tag pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]*: letters and digits of any script, and spaces (Zs),
# never a tab, a line break or another control character.
_TAG_TEXT = re.compile(u"[\\w \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000.:/=+@-]*")
MAX_TAGS = 50


def check_tags(tags, option):
    """Tags as ``{str: str}``; numbers become strings, anything else is refused."""
    if len(tags) > MAX_TAGS:
        raise OptionError(option, "%s has %d tags; IAM allows at most %d per resource" % (option, len(tags), MAX_TAGS))
    checked = {}
    for key, value in tags.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise OptionError(option, "%s: the value of tag %r must be a string (quote values such as \"true\")" % (option, key))
        value = str(value)
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or not _TAG_TEXT.fullmatch(key) or (
                key.lower().startswith("aws:")):
            raise OptionError(option, "%s: %r is not a valid tag key: 1 to 128 letters, digits, spaces and _.:/=+-@, "
                                      "not starting with aws:" % (option, key))
        if len(value) > 256 or not _TAG_TEXT.fullmatch(value):
            raise OptionError(option, "%s: the value of tag %r must be up to 256 letters, digits, spaces and _.:/=+-@"
                              % (option, key))
        checked[key] = value
    return checked


def tags_dict(tag_list):
    """IAM's ``[{"Key": k, "Value": v}]`` as a dict."""
    return dict((tag["Key"], tag.get("Value", "")) for tag in tag_list or [])


def tag_list(tags):
    """A dict as IAM's ``[{"Key": k, "Value": v}]``, sorted by key."""
    return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]


def desired_tags(current, wanted, purge):
    """The tags after converging: ``wanted`` None leaves them alone; ``purge`` drops the others."""
    if wanted is None:
        return dict(current)
    result = {} if purge else dict(current)
    result.update(wanted)
    return result


def tag_changes(current, desired):
    """``(to_set, to_remove)``: the tags to (re)write and the keys to remove."""
    to_set = dict((k, v) for k, v in desired.items() if current.get(k) != v)
    to_remove = sorted(k for k in current if k not in desired)
    return to_set, to_remove
