# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The mark the collection puts on what it creates, and the rule that follows from it: a resource
without the mark (an OCI app, an IAM role or OIDC provider made by hand or by another tool) is
never changed nor deleted unless the user says ``adopt: true``. Adopting adds the mark, so the
option is needed once.

The mark is a tag, ``managed-by: multicloud.oci_aws``: an App's ``tags`` (SCIM ``[{key, value}]``,
both compared case-insensitively by the identity domain) and IAM's ``Tags`` (``[{Key, Value}]``,
case-sensitive) both hold it, survive every update, and can be seen in the consoles.
"""

from __future__ import annotations

import json

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError

MARK_KEY = "managed-by"
MARK_VALUE = "multicloud.oci_aws"


def iam_marked(tags):
    """Whether IAM tags (a dict) carry the mark."""
    return (tags or {}).get(MARK_KEY) == MARK_VALUE


def check_no_mark_key(tags, option):
    """User tags must not set the mark's key: it says who owns the resource, not what the user wants."""
    for key in tags or {}:
        if key.lower() == MARK_KEY:
            raise OptionError(option, "%s: the tag key %s is reserved: multicloud.oci_aws sets it to %s on what it "
                                      "creates or adopts; remove it from %s" % (option, MARK_KEY, MARK_VALUE, option))
    return tags


def iam_mark(tags):
    """IAM tags (a dict) with the mark added: it is never removed, whatever purge_tags says."""
    result = dict(tags or {})
    result[MARK_KEY] = MARK_VALUE
    return result


def described_changes(before, after):
    """``key: before -> after`` for each top-level key of two ``describe()`` dicts that differs (the mark aside)."""
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if key == "tags":
            old = dict((k, v) for k, v in (old or {}).items() if k != MARK_KEY)
            new = dict((k, v) for k, v in (new or {}).items() if k != MARK_KEY)
        if old != new:
            changes.append("%s: %s -> %s" % (key, json.dumps(old, sort_keys=True), json.dumps(new, sort_keys=True)))
    return changes


def check_iam_owner(what, plan, adopt, warn=None, otherwise="choose another name"):
    """Refuse a plan that changes or deletes an IAM resource without the mark, unless ``adopt``.

    ``plan.before`` is the resource as read (None: it is created, and tagged then); ``plan.after``
    None means it is deleted. With ``adopt``, ``warn`` is told that it is taken over.
    """
    before = plan.before
    if before is None or iam_marked(before.tags):
        return
    action = "converge" if plan.after is not None else "delete"
    if not adopt:
        after = plan.after.describe() if plan.after is not None else {}
        changes = described_changes(before.describe(), after) if plan.after is not None else ["it is deleted"]
        raise refuse_foreign(what, action, changes, otherwise, diff=dict(before=before.describe(), after=after))
    if warn is not None:
        warn("%s was not created by multicloud.oci_aws: adopt is set, so it is %s" % (
            what, "tagged %s=%s and converged" % (MARK_KEY, MARK_VALUE) if action == "converge" else "deleted"))


def refuse_foreign(what, action, changes, otherwise="choose another name", **details):
    """The error for a resource without the mark, before any change: what would happen, and the fixes.

    ``what`` names the resource (such as ``IAM role 'x'``); ``action`` is what the run would do to it
    (``converge``, ``delete``); ``changes`` lists, in words, what it would change (empty: nothing but the mark).
    """
    what_changes = "; ".join(changes) if changes else "nothing but the mark"
    return OptionError(
        "adopt",
        "%s exists but was not created by multicloud.oci_aws (it has no tag %s=%s), so it was left unchanged. "
        "This run would %s it; it would change: %s. If it is yours to manage (for example made by hand with the "
        "manual procedure), review that list and run once with adopt: true (in the roles: oci_oidc_provider_adopt, "
        "aws_oidc_trust_adopt) to tag it and take it over; otherwise "
        "%s" % (what, MARK_KEY, MARK_VALUE, action, what_changes, otherwise),
        **details
    )
