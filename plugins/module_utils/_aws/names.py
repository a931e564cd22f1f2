# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

IAM's rules for names, paths, ARNs and tags, checked before any request (so that bad input
fails before any change, naming the option), and the tag changes that converge a resource.
Limits are those of the IAM API reference.
"""

from __future__ import annotations

import re


from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_pattern, shown

_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_POLICY_NAME = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
_PATH = re.compile(r"/|/[\x21-\x7e]{1,510}/", re.ASCII)
_POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,128}", re.ASCII)
# IAM's pattern for a role's description: tab, line breaks, printable ASCII and Latin-1.
_DESCRIPTION = re.compile(u"[\t\n\r\x20-\x7e\u00a1-\u00ff]{0,1000}")
MIN_SESSION, MAX_SESSION = 3600, 43200


def provider_arn_for(partition, account, provider_id):
    """The ARN of the IAM OIDC provider ``provider_id`` (the issuer without https://) in an account of ``partition``."""
    return "arn:%s:iam::%s:oidc-provider/%s" % (partition, account, provider_id)


def role_arn_for(partition, account, path, name):
    """The ARN of the role ``name`` at ``path`` in an account of ``partition``."""
    return "arn:%s:iam::%s:role%s%s" % (partition, account, path, name)


def check_role_name(value, option="role_name"):
    if not isinstance(value, str) or not _ROLE_NAME.fullmatch(value):
        raise OptionError(option, "%s %s is not a valid IAM role name: 1 to 64 ASCII letters, digits and +=,.@_-"
                          % (option, shown(value)))
    return value


def check_policy_name(value, option):
    if not isinstance(value, str) or not _POLICY_NAME.fullmatch(value):
        raise OptionError(option, "%s: %s is not a valid IAM policy name: 1 to 128 ASCII letters, digits and +=,.@_-"
                          % (option, shown(value)))
    return value


def check_path(value, option="path"):
    if not isinstance(value, str) or not _PATH.fullmatch(value):
        raise OptionError(option, "%s %s is not a valid IAM path: it starts and ends with / (\"/\" or "
                                  "\"/division/team/\"), up to 512 printable ASCII characters without spaces"
                          % (option, shown(value)))
    return value


def check_policy_arn(value, option):
    if not isinstance(value, str) or not _POLICY_ARN.fullmatch(value):
        raise OptionError(option, "%s: %s is not a managed policy ARN; use arn:aws:iam::aws:policy/<name> or "
                                  "arn:aws:iam::<12-digit account>:policy/<path/><name>" % (option, shown(value)))
    return value


def check_description(value, option="description"):
    return check_pattern(value, option, _DESCRIPTION, "up to 1000 characters of printable ASCII, Latin-1 letters, tabs "
                                                      "and line breaks (IAM's rule for descriptions)")


def check_session_duration(value, option="max_session_duration"):
    if not MIN_SESSION <= value <= MAX_SESSION:
        raise OptionError(option, "%s must be between %d (1 hour) and %d (12 hours) seconds, got %d"
                          % (option, MIN_SESSION, MAX_SESSION, value))
    return value
