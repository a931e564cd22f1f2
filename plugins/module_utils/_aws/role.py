# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

An IAM role: what the user asks for (:class:`RoleSpec`), what IAM has (:class:`Role`), and
:class:`RoleManager`, which plans and makes the calls between them. ``None`` in a spec means
"leave alone"; ``purge_*`` flags decide whether what is not listed is removed, as in
amazon.aws. Updates always send every attribute they touch (``UpdateRole`` gets both the
description and the maximum session duration), so that the result does not depend on how a
service treats an omitted one.
"""

from __future__ import annotations

import json


from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import NEW_ENTITY, NEW_PRINCIPAL, NO_SUCH_ENTITY, has_code
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.plan import Call, Plan
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.names import (
    check_description, check_path, check_policy_arn, check_policy_name, check_role_name, check_session_duration, role_arn_for
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.tags import check_tags, desired_tags, tag_changes, tag_list, tags_dict
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import (
    check_identity_policy, federated_principals, parse_document, policies_equal, sorted_document, to_json
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._ownership import check_iam_owner, check_no_mark_key, iam_mark

DEFAULT_PATH = "/"
DEFAULT_SESSION = 3600
MAX_DESCRIPTION = 1000
# IAM's "Managed policies per role" quota (IAM and AWS STS quotas): 10 by default, raised per account
# through Service Quotas.
MANAGED_POLICIES = 10
MAX_MANAGED_POLICIES = 25
# The writes whose document names the trusted provider (IAM checks that it exists).
TRUST_WRITES = ("create_role", "update_assume_role_policy")


class RoleSpec:
    """The role asked for, its trust policy aside (that depends on the provider's ARN)."""

    def __init__(self, name, path=None, description=None, max_session_duration=None, managed_policy_arns=None,
                 purge_managed_policies=True, inline_policies=None, purge_inline_policies=True,
                 permissions_boundary=None, tags=None, purge_tags=True, adopt=False, managed_policies_limit=MANAGED_POLICIES):
        self.name = name
        self.managed_policies_limit = managed_policies_limit
        self.path = path
        self.description = description
        self.max_session_duration = max_session_duration
        self.managed_policy_arns = managed_policy_arns
        self.purge_managed_policies = purge_managed_policies
        self.inline_policies = inline_policies
        self.purge_inline_policies = purge_inline_policies
        self.permissions_boundary = permissions_boundary
        self.tags = tags
        self.purge_tags = purge_tags
        self.adopt = adopt

    @classmethod
    def from_params(cls, params):
        description = params.get("description")
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise OptionError("description", "description has %d characters; IAM allows at most %d"
                              % (len(description), MAX_DESCRIPTION))
        if description is not None:
            check_description(description)
        duration = params.get("max_session_duration")
        boundary = params.get("permissions_boundary")
        if boundary:
            check_policy_arn(boundary, "permissions_boundary")
        managed = params.get("managed_policy_arns")
        inline = params.get("inline_policies")
        tags = params.get("tags")
        limit = params.get("managed_policies_limit")
        if limit is None:
            limit = MANAGED_POLICIES
        elif isinstance(limit, bool) or not isinstance(limit, int) or not MANAGED_POLICIES <= limit <= MAX_MANAGED_POLICIES:
            raise OptionError("managed_policies_limit", "managed_policies_limit must be the account's \"Managed policies "
                                                        "per role\" quota, from %d (the default) to %d: got %r"
                              % (MANAGED_POLICIES, MAX_MANAGED_POLICIES, limit))
        if managed is not None:
            check_managed_count(len(set(managed)), limit)
        return cls(
            check_role_name(params["role_name"]),
            path=None if params.get("path") is None else check_path(params["path"]),
            description=description,
            max_session_duration=None if duration is None else check_session_duration(duration),
            managed_policy_arns=None if managed is None else sorted(set(
                check_policy_arn(arn, "managed_policy_arns") for arn in managed)),
            purge_managed_policies=params.get("purge_managed_policies", True),
            inline_policies=None if inline is None else _inline_policies(inline),
            purge_inline_policies=params.get("purge_inline_policies", True),
            permissions_boundary=boundary,
            tags=None if tags is None else check_no_mark_key(check_tags(tags, "tags"), "tags"),
            purge_tags=params.get("purge_tags", True),
            adopt=params.get("adopt", False),
            managed_policies_limit=limit,
        )


def check_managed_count(count, limit, kept=0):
    """Refuse more managed policies than IAM attaches to a role; ``kept`` are attached ones that stay (no purge)."""
    if count > limit:
        raise OptionError("managed_policy_arns", "managed_policy_arns would attach %d managed policies%s; IAM attaches at "
                                                 "most %d to a role (%s): attach fewer, combine them into one "
                                                 "customer managed policy, or use inline_policies" % (
                                                     count, " (%d of them already attached and kept, since "
                                                            "purge_managed_policies is false)" % kept if kept else "",
                                                     limit, "managed_policies_limit" if limit != MANAGED_POLICIES
                                                     else "the default quota; managed_policies_limit gives a raised one"))
    return count


def _inline_policies(value):
    policies = {}
    for name, document in value.items():
        option = "inline_policies.%s" % name
        check_policy_name(name, option)
        policies[name] = parse_document(document, option)
        check_identity_policy(policies[name], option)
    return policies


class Role:
    """A role as IAM describes it (or as a plan predicts it).

    ``managed_policy_arns`` and ``inline_policies`` are None when they were not read (the user
    leaves them alone).
    """

    def __init__(self, name, arn, path, description, max_session_duration, trust_policy,
                 permissions_boundary=None, tags=None, managed_policy_arns=None, inline_policies=None):
        self.name = name
        self.arn = arn
        self.path = path
        self.description = description
        self.max_session_duration = max_session_duration
        self.trust_policy = trust_policy
        self.permissions_boundary = permissions_boundary
        self.tags = dict(tags or {})
        self.managed_policy_arns = None if managed_policy_arns is None else sorted(managed_policy_arns)
        self.inline_policies = None if inline_policies is None else dict(inline_policies)

    @classmethod
    def from_api(cls, role, managed_policy_arns=None, inline_policies=None):
        return cls(
            role["RoleName"], role["Arn"], role["Path"], role.get("Description"), role.get("MaxSessionDuration"),
            role.get("AssumeRolePolicyDocument"),
            permissions_boundary=(role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            tags=tags_dict(role.get("Tags")),
            managed_policy_arns=managed_policy_arns,
            inline_policies=inline_policies,
        )

    def describe(self):
        """The role for return values and diffs: policies sorted, so that they read the same every run."""
        result = {
            "arn": self.arn, "name": self.name, "path": self.path, "description": self.description,
            "max_session_duration": self.max_session_duration, "trust_policy": sorted_document(self.trust_policy),
            "permissions_boundary": self.permissions_boundary, "tags": dict(self.tags),
        }
        if self.managed_policy_arns is not None:
            result["managed_policy_arns"] = list(self.managed_policy_arns)
        if self.inline_policies is not None:
            result["inline_policies"] = dict((k, sorted_document(v)) for k, v in self.inline_policies.items())
        return result


def role_arn(partition, account, path, name):
    return role_arn_for(partition, account, path, name)


class RoleManager:
    """Find, converge and delete one role. A role without the collection's mark (the tag
    ``managed-by: multicloud.oci_aws``) is planned but refused, unless the spec says ``adopt``;
    ``warn(msg)`` is told when one is adopted."""

    def __init__(self, iam, check_mode, warn=None):
        self.iam = iam
        self.check_mode = check_mode
        self.warn = warn

    @staticmethod
    def inline_reads(spec):
        """What :meth:`find` reads of the inline policies for ``spec``: False (none: ``inline_policies`` not given),
        True (every one: ``purge_inline_policies`` needs the names of those not listed, from ``ListRolePolicies``)
        or the names given (``purge_inline_policies=false``: one ``GetRolePolicy`` each, no listing)."""
        if spec.inline_policies is None:
            return False
        return True if spec.purge_inline_policies else sorted(spec.inline_policies)

    def find(self, name, managed=False, inline=False):
        """The role called ``name`` or None; its managed and inline policies are read when asked.

        ``inline``: False reads no inline policy, True every one (listed), a list of names only those (a name
        the role does not have is left out).
        """
        try:
            answer = self.iam.call("get_role", RoleName=name)["Role"]
        except ServiceError as exc:
            if has_code(exc, NO_SUCH_ENTITY):
                return None
            raise
        managed_arns = None
        if managed:
            attached = self.iam.list_all("list_attached_role_policies", "AttachedPolicies", RoleName=name)
            managed_arns = [item["PolicyArn"] for item in attached]
        policies = None
        if inline is True:
            policies = {}
            for policy_name in self.iam.list_all("list_role_policies", "PolicyNames", RoleName=name):
                answer_policy = self.iam.call("get_role_policy", RoleName=name, PolicyName=policy_name)
                policies[policy_name] = answer_policy["PolicyDocument"]
        elif inline:
            policies = {}
            for policy_name in inline:
                try:
                    answer_policy = self.iam.call("get_role_policy", RoleName=name, PolicyName=policy_name)
                except ServiceError as exc:
                    if has_code(exc, NO_SUCH_ENTITY):
                        continue
                    raise
                policies[policy_name] = answer_policy["PolicyDocument"]
        return Role.from_api(answer, managed_arns, policies)

    def plan(self, spec, trust_policy, current, arn, new_provider=False):
        """The plan that makes the role match ``spec`` and trust ``trust_policy``.

        ``arn`` is the role's ARN if it must be created; ``new_provider`` says that the
        provider the trust policy names was created in this run (IAM may not know it for a
        moment, and answers MalformedPolicyDocument meanwhile: that is retried).
        """
        principal_lag = NEW_PRINCIPAL if new_provider else ()
        if current is None:
            return self._plan_create(spec, trust_policy, arn, principal_lag)
        plan = self._plan_update(spec, trust_policy, current, principal_lag)
        check_iam_owner("IAM role %s" % current.arn, plan, spec.adopt, self.warn)
        return plan

    def _plan_update(self, spec, trust_policy, current, principal_lag):
        if spec.path is not None and spec.path != current.path:
            raise OptionError("path", "the role %s exists with path %s; IAM cannot move a role: set path to %s, or "
                                      "delete the role first" % (spec.name, current.path, current.path))
        after = Role(
            current.name, current.arn, current.path,
            _given(spec.description, current.description),
            _given(spec.max_session_duration, current.max_session_duration),
            current.trust_policy if policies_equal(current.trust_policy, trust_policy) else trust_policy,
            permissions_boundary=current.permissions_boundary if spec.permissions_boundary is None
            else spec.permissions_boundary or None,
            tags=iam_mark(desired_tags(current.tags, spec.tags, spec.purge_tags)),
            managed_policy_arns=_desired_set(current.managed_policy_arns, spec.managed_policy_arns,
                                             spec.purge_managed_policies),
            inline_policies=_desired_policies(current.inline_policies, spec.inline_policies,
                                              spec.purge_inline_policies),
        )
        if spec.managed_policy_arns is not None and not spec.purge_managed_policies:
            kept = set(current.managed_policy_arns) - set(spec.managed_policy_arns)
            check_managed_count(len(after.managed_policy_arns), spec.managed_policies_limit, kept=len(kept))
        name = current.name
        calls = []
        if (after.description, after.max_session_duration) != (current.description, current.max_session_duration):
            params = dict(RoleName=name, MaxSessionDuration=after.max_session_duration)
            if after.description is not None:
                params["Description"] = after.description
            calls.append(Call("update_role", **params))
        if not policies_equal(current.trust_policy, after.trust_policy):
            calls.append(Call("update_assume_role_policy", eventual=principal_lag, RoleName=name,
                              PolicyDocument=to_json(after.trust_policy)))
        if after.permissions_boundary != current.permissions_boundary:
            if after.permissions_boundary:
                calls.append(Call("put_role_permissions_boundary", RoleName=name,
                                  PermissionsBoundary=after.permissions_boundary))
            else:
                calls.append(Call("delete_role_permissions_boundary", RoleName=name))
        to_set, to_remove = tag_changes(current.tags, after.tags)
        if to_set:
            calls.append(Call("tag_role", RoleName=name, Tags=tag_list(to_set)))
        if to_remove:
            calls.append(Call("untag_role", RoleName=name, TagKeys=to_remove))
        calls.extend(_policy_calls(name, current, after))
        return Plan(current, after, calls)

    def _plan_create(self, spec, trust_policy, arn, principal_lag):
        after = Role(
            spec.name, arn, spec.path or DEFAULT_PATH, spec.description, spec.max_session_duration or DEFAULT_SESSION,
            trust_policy, permissions_boundary=spec.permissions_boundary or None, tags=iam_mark(spec.tags),
            managed_policy_arns=spec.managed_policy_arns or [], inline_policies=spec.inline_policies or {},
        )
        params = dict(RoleName=after.name, Path=after.path, AssumeRolePolicyDocument=to_json(trust_policy),
                      MaxSessionDuration=after.max_session_duration)
        if after.description is not None:
            params["Description"] = after.description
        if after.permissions_boundary:
            params["PermissionsBoundary"] = after.permissions_boundary
        if after.tags:
            params["Tags"] = tag_list(after.tags)
        calls = [Call("create_role", eventual=principal_lag, **params)]
        empty = Role(after.name, arn, after.path, None, None, None, managed_policy_arns=[], inline_policies={})
        calls.extend(_policy_calls(after.name, empty, after, eventual=NEW_ENTITY))
        return Plan(None, after, calls)

    def plan_delete(self, current, adopt=False):
        """Everything IAM requires before DeleteRole: instance profiles left, policies detached and deleted.
        A role without the mark is refused unless ``adopt``."""
        if current is None:
            return Plan(None, None, [])
        check_iam_owner("IAM role %s" % current.arn, Plan(current, None, []), adopt, self.warn)
        name = current.name
        profiles = self.iam.list_all("list_instance_profiles_for_role", "InstanceProfiles", RoleName=name)
        calls = [Call("remove_role_from_instance_profile", done_if=NO_SUCH_ENTITY, RoleName=name,
                      InstanceProfileName=profile["InstanceProfileName"]) for profile in profiles]
        calls.extend(Call("detach_role_policy", done_if=NO_SUCH_ENTITY, RoleName=name, PolicyArn=arn)
                     for arn in current.managed_policy_arns or [])
        calls.extend(Call("delete_role_policy", done_if=NO_SUCH_ENTITY, RoleName=name, PolicyName=policy)
                     for policy in sorted(current.inline_policies or {}))
        calls.append(Call("delete_role", done_if=NO_SUCH_ENTITY, RoleName=name))
        return Plan(current, None, calls)

    def apply(self, plan, replan=None):
        """Make the plan's calls (none in check mode); return the role after them.

        ``replan()`` gives a new plan when the create finds the role made elsewhere.
        """
        return plan.apply(self.iam, self.check_mode, lambda answer: answer["Role"]["Arn"], replan)

    def trusting_roles(self, provider_arn, exclude=None):
        """Names of the roles whose trust policy allows the provider (one paged ListRoles)."""
        names = []
        for role in self.iam.list_all("list_roles", "Roles"):
            document = role.get("AssumeRolePolicyDocument")
            if isinstance(document, str):
                try:
                    document = json.loads(document)
                except ValueError:
                    continue
            if role["RoleName"] != exclude and isinstance(document, dict) and provider_arn in federated_principals(document):
                names.append(role["RoleName"])
        return sorted(names)


def _given(wanted, current):
    return current if wanted is None else wanted


def _desired_set(current, wanted, purge):
    if wanted is None:
        return current
    return sorted(set(wanted) | (set() if purge else set(current)))


def _desired_policies(current, wanted, purge):
    if wanted is None:
        return current
    result = {} if purge else dict(current)
    for name, document in wanted.items():
        keep = current.get(name)
        result[name] = keep if keep is not None and policies_equal(keep, document) else document
    return result


def _policy_calls(name, current, after, eventual=()):
    """Attach/detach managed policies and put/delete inline ones to go from ``current`` to ``after``."""
    calls = []
    if after.managed_policy_arns is not None:
        for arn in sorted(set(after.managed_policy_arns) - set(current.managed_policy_arns)):
            calls.append(Call("attach_role_policy", eventual=eventual, RoleName=name, PolicyArn=arn))
        for arn in sorted(set(current.managed_policy_arns) - set(after.managed_policy_arns)):
            calls.append(Call("detach_role_policy", done_if=NO_SUCH_ENTITY, RoleName=name, PolicyArn=arn))
    if after.inline_policies is not None:
        for policy, document in sorted(after.inline_policies.items()):
            if not policies_equal(current.inline_policies.get(policy), document):
                calls.append(Call("put_role_policy", eventual=eventual, RoleName=name, PolicyName=policy,
                                  PolicyDocument=to_json(document)))
        for policy in sorted(set(current.inline_policies) - set(after.inline_policies)):
            calls.append(Call("delete_role_policy", done_if=NO_SUCH_ENTITY, RoleName=name, PolicyName=policy))
    return calls
