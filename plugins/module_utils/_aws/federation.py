# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Step 5 of the procedure: the IAM OIDC provider for the identity domain's issuer and a role that
trusts it. :class:`FederationSpec` checks every option before anything is read or changed;
:class:`Federation` reads the provider and the role, plans both, checks what depends on the
account, and only then makes the calls (none in check mode).

The role's trust is :class:`TrustSpec`: generated (Allow ``sts:AssumeRoleWithWebIdentity``,
Principal Federated = the provider ARN, ``StringEquals`` on ``<provider>:aud`` = the audience
and on ``<provider>:sub`` = the OCI client IDs allowed, plus extra conditions) or given whole.

A provider can be shared by several roles. Removing a role deletes the provider only if no
other role trusts it (``delete_provider: if_unused``, which reads the account's roles once and
only then), never (``never``), or regardless (``always``). Present state never lists roles.

IAM is eventually consistent: its reads (and STS) see a write only after a moment. With a
:class:`PropagationWait`, a run that changed the provider or the role returns only once IAM's reads
show the change (a plan from fresh reads has nothing left to do), so that the next task, the
verification with STS and a second run see it; a create that IAM answers ``EntityAlreadyExists``
for a resource its reads do not show yet (made a moment ago) waits until they show it, then
converges it.
"""

from __future__ import annotations

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.plan import Plan
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import account_of
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.names import check_role_name
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.thumbprints import issuer_thumbprints
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import oidc_provider_id, sorted_document
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import RoleSpec, role_arn, DEFAULT_PATH, TRUST_WRITES
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, OptionError, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import PROPAGATION_OPTION
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import port_warning
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import TrustSpec

# Options that describe the role; without role_name the module manages the provider alone.
ROLE_OPTIONS = (
    "path", "description", "max_session_duration", "managed_policy_arns", "inline_policies",
    "permissions_boundary", "tags", "subjects", "conditions", "trust_policy",
)
DELETE_PROVIDER = ("never", "if_unused", "always")
# Options that describe the provider: with provider_arn the module leaves the provider to the task that manages it.
PROVIDER_OPTIONS = ("client_ids", "thumbprints", "provider_tags")


class FederationSpec:
    """Every option checked, before any request: the provider, and the role and its trust if any."""

    def __init__(self, state, provider, role_name=None, role=None, trust=None, delete_provider="if_unused",
                 thumbprints_from_issuer=False, issuer_ca_bundle=None, warnings=(), adopt=False, provider_arn=None):
        self.state = state
        # The provider's ARN from the task that manages it: this call then neither reads nor changes the provider.
        self.provider_arn = provider_arn
        self.provider = provider
        self.role_name = role_name
        self.role = role
        self.trust = trust
        self.delete_provider = delete_provider
        self.thumbprints_from_issuer = thumbprints_from_issuer
        self.issuer_ca_bundle = issuer_ca_bundle
        self.warnings = list(warnings)
        self.adopt = adopt

    @classmethod
    def from_params(cls, params):
        state = params.get("state", "present")
        provider = ProviderSpec.from_params(params)
        role_name = params.get("role_name")
        if role_name is None:
            given = [name for name in ROLE_OPTIONS if params.get(name) is not None] + (
                ["allow_any_subject"] if params.get("allow_any_subject") else [])
            if given:
                raise OptionError(given[0], "%s applies to a role: set role_name, or remove %s to manage the OIDC "
                                            "provider alone" % (given[0], ", ".join(given)))
        else:
            check_role_name(role_name)
        from_issuer = params.get("thumbprints_from_issuer", False)
        if from_issuer and provider.thumbprints is not None:
            raise OptionError("thumbprints_from_issuer", "thumbprints_from_issuer conflicts with thumbprints: give the "
                                                         "thumbprints, or let the module compute them, not both")
        delete_provider = params.get("delete_provider", "if_unused")
        if state == "absent" and role_name is None and delete_provider == "never":
            raise OptionError("delete_provider", "state absent without role_name removes the provider, which "
                                                 "delete_provider never forbids: set if_unused or always")
        warnings = [w for w in [port_warning(provider.issuer, "issuer_url")] if w]
        if params.get("issuer_ca_bundle") and not from_issuer:
            warnings.append("issuer_ca_bundle is only used with thumbprints_from_issuer: true; it is ignored")
        provider_arn = _check_provider_arn(params, state, role_name, provider.provider_id, from_issuer)
        role = trust = None
        if state == "present" and role_name is not None:
            role = RoleSpec.from_params(params)
            trust = TrustSpec.from_params(params, provider.provider_id, provider.audience)
        return cls(state, provider, role_name=role_name, role=role, trust=trust, delete_provider=delete_provider,
                   thumbprints_from_issuer=from_issuer, issuer_ca_bundle=params.get("issuer_ca_bundle"),
                   warnings=warnings, adopt=params.get("adopt", False), provider_arn=provider_arn)


def _check_provider_arn(params, state, role_name, provider_id, from_issuer):
    """``provider_arn`` checked: with ``role_name`` and ``state=present`` only, the provider of ``issuer_url``, and
    without the provider's options (the task that manages the provider owns them)."""
    arn = params.get("provider_arn")
    if arn is None:
        return None
    if role_name is None or state != "present":
        raise OptionError("provider_arn", "provider_arn applies to a role with state present: set role_name, or remove "
                                          "provider_arn (a call without a role manages the provider itself)")
    given = [name for name in PROVIDER_OPTIONS if params.get(name) is not None] + (
        ["thumbprints_from_issuer"] if from_issuer else [])
    if given:
        raise OptionError(given[0], "%s describes the provider, which provider_arn leaves to the task that manages it: "
                                    "set %s there, or remove provider_arn" % (given[0], ", ".join(given)))
    parsed = oidc_provider_id(arn)
    if not parsed or parsed[2] != provider_id:
        raise OptionError("provider_arn", "provider_arn must be the ARN of the IAM OIDC provider of issuer_url, "
                                          "arn:<partition>:iam::<account>:oidc-provider/%s (the provider_arn a call "
                                          "without role_name returns): got %r" % (provider_id, arn))
    return arn


class Federation:
    """Converge the provider and the role: read both, plan both, then make the calls.

    ``account()`` gives ``(partition, account_id)`` when no existing resource tells it (to
    predict ARNs before anything exists); ``thumbprints(issuer, ca_bundle)`` computes
    thumbprints from the issuer's TLS chain.
    """

    def __init__(self, providers, roles, account, thumbprints=issuer_thumbprints, propagation=None, wait=True,
                 warn=None):
        self.providers = providers
        self.roles = roles
        self._account = account
        self._thumbprints = thumbprints
        # A _retry.PropagationWait, or None (no wait: a single read). ``wait``: after this run's writes too.
        self.propagation = propagation
        self.wait = wait
        self._warn = warn

    # -- IAM's eventual consistency ----------------------------------------------------------------
    def _existing(self, find, what):
        """What ``find()`` reads of a resource that IAM says exists (``EntityAlreadyExists``), polled while its
        reads do not show it yet; a :class:`ServiceError` when they still do not at the bound."""
        box = [None]

        def probe():
            box[0] = find()
            return box[0] is not None

        if self.propagation is None:
            probe()
        else:
            self.propagation.until(probe, "%s exists but IAM's reads do not show it yet" % what)
        if box[0] is None:
            raise ServiceError(
                "IAM says %s exists (EntityAlreadyExists) but its reads do not show it%s: it was made a moment ago "
                "(by this run or another) and IAM has not propagated it yet; run again in a minute, or raise %s"
                % (what, " after %.0f s" % self.propagation.waited if self.propagation else "", PROPAGATION_OPTION),
                error_code="EntityAlreadyExists")
        return box[0]

    def _settle(self, manager, replan, what):
        """After this run changed ``what``: wait until a plan from IAM's fresh reads (``replan()``) has nothing left
        to do, so that what follows (a task, STS, a second run) sees the change; warn at the bound."""
        if self.propagation is None or not self.wait:
            return

        def probe():
            warn, manager.warn = manager.warn, None  # a stale read must not repeat the adoption warning
            try:
                return not replan().changed
            except OciAwsError:
                return False
            finally:
                manager.warn = warn

        if not self.propagation.until(probe, "IAM's reads do not show the change to %s yet" % what) and self._warn:
            self._warn("IAM's reads do not show the change to %s yet after %.0f s (%s): STS may refuse it for a "
                       "while, and a run made now may repeat the change"
                       % (what, self.propagation.waited, PROPAGATION_OPTION))

    def _gone(self, find, what):
        """After this run deleted ``what``: wait until IAM's reads no longer show it; warn at the bound."""
        if self.propagation is None or not self.wait:
            return
        if not self.propagation.until(lambda: find() is None, "IAM's reads still show %s" % what) and self._warn:
            self._warn("IAM's reads still show %s after %.0f s (%s): a run made now may delete it again"
                       % (what, self.propagation.waited, PROPAGATION_OPTION))

    def propagation_summary(self):
        """``{retries, waited}`` of the waits for IAM, or None when there was none."""
        if self.propagation is None or not self.propagation.retries:
            return None
        return self.propagation.summary()

    def run(self, spec):
        return self.present(spec) if spec.state == "present" else self.absent(spec)

    def present(self, spec):
        provider_spec = spec.provider
        provider_id = provider_spec.provider_id
        role_spec = spec.role
        role_before = None
        if role_spec is not None:
            role_before = self.roles.find(role_spec.name, managed=role_spec.managed_policy_arns is not None,
                                          inline=self.roles.inline_reads(role_spec))
        if spec.provider_arn is not None:
            return self._role_only(spec, role_before)
        # The account from the role's ARN, else from STS (one call): the provider is then read by its ARN, never
        # found by listing the account's providers.
        account = account_of(role_before.arn) if role_before else self._account()
        provider_before = self.providers.find(provider_id, account)
        if spec.thumbprints_from_issuer:
            # What the issuer presents now becomes the list asked for, exactly as if given.
            provider_spec.thumbprints = self._thumbprints(provider_spec.issuer, spec.issuer_ca_bundle)
        provider_arn = provider_before.arn if provider_before else provider_spec.arn(*account)
        provider_plan = self.providers.plan(provider_spec, provider_before, provider_arn)

        role_plan = trust = None
        if role_spec is not None:
            trust = spec.trust.document(provider_arn, provider_id)
            partition, account_id = account_of(provider_arn)
            new_role_arn = role_arn(partition, account_id, role_spec.path or DEFAULT_PATH, role_spec.name)
            role_plan = self.roles.plan(role_spec, trust, role_before, new_role_arn, new_provider=provider_before is None)

        # Every option and every account-dependent check passed: now the changes.
        provider_account = account_of(provider_arn)
        what_provider = "the IAM OIDC provider %s" % provider_arn

        def find_provider():
            return self.providers.find(provider_id, provider_account)

        provider_after = self.providers.apply(provider_plan, replan=lambda: self.providers.plan(
            provider_spec, self._existing(find_provider, what_provider), provider_arn))
        if provider_plan.changed and not self.providers.check_mode:
            self._settle(self.providers, lambda: self.providers.plan(provider_spec, find_provider(), provider_after.arn),
                         what_provider)
        result = Outcome(provider_plan, provider_after)
        if role_plan is not None:
            self._apply_role(result, spec, trust, role_plan, new_provider=provider_before is None)
        return result.as_dict()

    def _role_only(self, spec, role_before):
        """The role alone, trusting the provider ``spec.provider_arn`` that another task manages: the provider is
        neither read nor changed, except read once before a write that names it in the trust policy (not in check
        mode), so that a provider that does not exist is an error before any change, and one made a moment ago is
        waited for (IAM refuses a trust policy naming a provider it has not propagated yet)."""
        role_spec, provider_arn = spec.role, spec.provider_arn
        provider_id = spec.provider.provider_id
        trust = spec.trust.document(provider_arn, provider_id)
        partition, account_id = account_of(provider_arn)
        new_role_arn = role_arn(partition, account_id, role_spec.path or DEFAULT_PATH, role_spec.name)
        role_plan = self.roles.plan(role_spec, trust, role_before, new_role_arn)
        names_provider = any(call.operation in TRUST_WRITES for call in role_plan.calls)
        if names_provider and not self.roles.check_mode:
            if self.providers.find(provider_id, (partition, account_id)) is None:
                raise OptionError("provider_arn", "provider_arn %s names no IAM OIDC provider: ensure the provider first "
                                                  "(a call without role_name), or remove provider_arn" % provider_arn)
            role_plan = self.roles.plan(role_spec, trust, role_before, new_role_arn, new_provider=True)
        result = Outcome(Plan(None, None, []), None)
        result.extra["provider_arn"] = provider_arn
        self._apply_role(result, spec, trust, role_plan, new_provider=names_provider)
        return result.as_dict()

    def _apply_role(self, result, spec, trust, role_plan, new_provider):
        """Make the role's plan, wait for IAM to show it, and add it to ``result``."""
        role_spec = spec.role
        what_role = "the IAM role %s" % role_spec.name
        inline = self.roles.inline_reads(role_spec)

        def find_role(managed=True, inline=True):
            return self.roles.find(role_spec.name, managed=managed, inline=inline)

        role_after = self.roles.apply(role_plan, replan=lambda: self.roles.plan(
            role_spec, trust, self._existing(find_role, what_role), role_plan.after.arn, new_provider=new_provider))
        if role_plan.changed and not self.roles.check_mode:
            self._settle(self.roles, lambda: self.roles.plan(
                role_spec, trust, find_role(role_spec.managed_policy_arns is not None, inline), role_after.arn), what_role)
        result.add_role(role_plan, role_after)

    def absent(self, spec):
        role_before = self.roles.find(spec.role_name, managed=True, inline=True) if spec.role_name else None
        account = account_of(role_before.arn) if role_before else None
        provider_before = self.providers.find(spec.provider.provider_id, account)
        role_plan = self.roles.plan_delete(role_before, adopt=spec.adopt)
        provider_plan = Plan(provider_before, provider_before, [])
        trusted_by = None
        if provider_before is not None and spec.delete_provider != "never":
            if spec.delete_provider == "if_unused":
                trusted_by = self.roles.trusting_roles(provider_before.arn, exclude=spec.role_name)
            if not trusted_by:
                provider_plan = self.providers.plan_delete(provider_before, adopt=spec.adopt)
        self.roles.apply(role_plan)
        provider_after = self.providers.apply(provider_plan)
        if not self.roles.check_mode:
            if role_plan.changed:
                self._gone(lambda: self.roles.find(spec.role_name), "the IAM role %s" % spec.role_name)
            if provider_plan.changed:
                self._gone(lambda: self.providers.find(spec.provider.provider_id, account_of(provider_before.arn)),
                           "the IAM OIDC provider %s" % provider_before.arn)
        result = Outcome(provider_plan, provider_after)
        if spec.role_name is not None:
            result.add_role(role_plan, None)
        if trusted_by is not None:
            result.extra["provider_trusted_by"] = trusted_by
        return result.as_dict()


# The writes that change what a session of the role may do (its permissions), not whether it may be assumed.
PERMISSION_WRITES = frozenset((
    "attach_role_policy", "detach_role_policy", "put_role_policy", "delete_role_policy",
    "put_role_permissions_boundary", "delete_role_permissions_boundary",
))


class Outcome:
    """The module's result from the plans and the states after them, diff included."""

    def __init__(self, provider_plan, provider_after):
        self.plans = [provider_plan]
        self.before = {}
        self.after = {}
        self.extra = {}
        self._add("provider", provider_plan, provider_after)
        known = provider_after or provider_plan.before
        self.extra["provider_arn"] = known.arn if known else None

    def add_role(self, plan, after):
        self.plans.append(plan)
        self._add("role", plan, after)
        current = after or plan.before
        self.extra["role_arn"] = current.arn if current else None
        # IAM's reads show these at return (the wait for propagation), but AWS services may apply them to the role's
        # sessions a moment later, and no read tells when: the caller's first AWS call may still be refused.
        self.extra["permissions_changed"] = after is not None and any(
            call.operation in PERMISSION_WRITES for call in plan.calls)
        if after is not None:
            self.extra["trust_policy"] = sorted_document(after.trust_policy)

    def _add(self, name, plan, after):
        if plan.before is not None:
            self.before[name] = plan.before.describe()
        if after is not None:
            self.after[name] = self.extra[name] = after.describe()

    def as_dict(self):
        result = dict(self.extra)
        result["changed"] = any(plan.changed for plan in self.plans)
        result["diff"] = {"before": self.before, "after": self.after}
        return result
