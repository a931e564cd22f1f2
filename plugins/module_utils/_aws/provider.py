# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The IAM OpenID Connect provider for an issuer: what the user asks for (:class:`ProviderSpec`),
what IAM has (:class:`Provider`), and :class:`ProviderManager`, which plans and makes the calls
between them. Client IDs and thumbprints converge in place (add/remove client IDs, update the
thumbprint list): the provider is never deleted and recreated, which would break federation
for every role that trusts it meanwhile.
"""

from __future__ import annotations

import re


from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import NEW_ENTITY, NO_SUCH_ENTITY, has_code
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.names import provider_arn_for
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.plan import Call, Plan
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.tags import check_tags, desired_tags, tag_changes, tag_list, tags_dict
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import oidc_provider_id
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import FIX_POLICY, Breakpoint, OptionError, RetriesExhausted, ServiceError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._ownership import check_iam_owner, check_no_mark_key, iam_mark
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import normalize_issuer
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_audience, check_text

_THUMBPRINT = re.compile(r"[0-9a-fA-F]{40}", re.ASCII)
MAX_CLIENT_IDS = 100
# The IAM API's limit of a provider URL (CreateOpenIDConnectProvider Url: 1 to 255 characters).
MAX_URL = 255
# An account has one provider per issuer: the fix for a foreign one is not another name.
OTHERWISE = ("keep managing it where it was made: an account has one provider per issuer, so this collection cannot "
             "manage another one for this issuer")
MAX_THUMBPRINTS = 5
# IAM's answer to a create without ThumbprintList when it cannot fetch the issuer to derive one.
IDP_COMMUNICATION = "OpenIdIdpCommunicationError"


class ProviderSpec:
    """The provider asked for. ``None`` for ``client_ids``, ``thumbprints``, ``tags`` means "leave alone"."""

    def __init__(self, issuer, audience, client_ids=None, thumbprints=None, tags=None, purge_tags=True,
                 purge_client_ids=True, adopt=False):
        self.issuer = issuer
        self.audience = audience
        self.client_ids = client_ids
        self.thumbprints = thumbprints
        self.tags = tags
        self.purge_tags = purge_tags
        self.purge_client_ids = purge_client_ids
        self.adopt = adopt

    @classmethod
    def from_params(cls, params):
        issuer = normalize_issuer(params["issuer_url"], "issuer_url")
        if len(issuer.url) > MAX_URL:
            raise OptionError("issuer_url", "issuer_url is %d characters; IAM takes an OIDC provider URL of at most %d "
                                            "(CreateOpenIDConnectProvider Url)" % (len(issuer.url), MAX_URL))
        if issuer.path == "/":
            raise OptionError(
                "issuer_url", "issuer_url %r ends with a slash: an identity domain's issuer (the token's iss) is its "
                "URL without one, and STS matches it character for character; use %s" % (params["issuer_url"], issuer.origin),
            )
        audience = check_audience(params["audience"])
        client_ids = params.get("client_ids")
        if client_ids is not None:
            client_ids = sorted(set(client_ids))
            if not 1 <= len(client_ids) <= MAX_CLIENT_IDS or not all(
                    isinstance(c, str) and 0 < len(c) <= 255 for c in client_ids):
                raise OptionError("client_ids", "client_ids must list 1 to %d client IDs of up to 255 characters"
                                  % MAX_CLIENT_IDS)
            for client_id in client_ids:
                check_text(client_id, "client_ids", "a list of client IDs")
            if audience not in client_ids:
                raise OptionError("client_ids", "client_ids %s do not include the audience %r: STS would refuse every "
                                                "token (Incorrect token audience); add it, or omit client_ids"
                                  % (client_ids, audience))
        thumbprints = params.get("thumbprints")
        if thumbprints is not None:
            thumbprints = check_thumbprints(thumbprints)
        tags = params.get("provider_tags")
        return cls(
            issuer, audience, client_ids=client_ids, thumbprints=thumbprints,
            tags=None if tags is None else check_no_mark_key(check_tags(tags, "provider_tags"), "provider_tags"),
            purge_tags=params.get("purge_provider_tags", True),
            purge_client_ids=params.get("purge_client_ids", True),
            adopt=params.get("adopt", False),
        )

    @property
    def provider_id(self):
        return self.issuer.provider_id

    @property
    def url(self):
        return self.issuer.url

    def arn(self, partition, account):
        return provider_arn_for(partition, account, self.provider_id)


def check_thumbprints(values, option="thumbprints"):
    """Thumbprints as IAM stores them: lower-case, sorted, 1 to 5."""
    malformed = [v for v in values if not isinstance(v, str) or not _THUMBPRINT.fullmatch(v)]
    result = sorted(set(v.lower() for v in values if isinstance(v, str)))
    if malformed or not 1 <= len(result) <= MAX_THUMBPRINTS:
        raise OptionError(option, "%s must list 1 to %d SHA-1 fingerprints of 40 hex digits each%s; omit the option "
                                  "to let AWS verify the issuer's certificate with its own CA library"
                          % (option, MAX_THUMBPRINTS, ", not %r" % malformed[0] if malformed else ""))
    return result


class Provider:
    """An IAM OIDC provider as IAM describes it (or as a plan predicts it)."""

    def __init__(self, arn, url, client_ids, thumbprints, tags):
        self.arn = arn
        self.url = url
        self.client_ids = sorted(client_ids)
        self.thumbprints = sorted(t.lower() for t in thumbprints)
        self.tags = dict(tags)

    @classmethod
    def from_api(cls, arn, answer):
        return cls(arn, "https://" + answer["Url"], answer.get("ClientIDList", []),
                   answer.get("ThumbprintList", []), tags_dict(answer.get("Tags")))

    def describe(self):
        return {"arn": self.arn, "url": self.url, "client_ids": list(self.client_ids),
                "thumbprints": list(self.thumbprints), "tags": dict(self.tags)}


class ProviderManager:
    """Find, converge and delete the OIDC provider of one issuer. A provider without the
    collection's mark is planned but refused, unless the spec says ``adopt``."""

    def __init__(self, iam, check_mode, warn=None):
        self.iam = iam
        self.check_mode = check_mode
        self.warn = warn

    def find(self, provider_id, account=None):
        """The provider for ``provider_id``, or None.

        With ``account`` (``(partition, account_id)``, known from the role's ARN) the ARN is built
        and read directly; otherwise the account's providers are listed (one call, no paging).
        """
        if account is not None:
            return self._get(provider_arn_for(account[0], account[1], provider_id))
        for item in self.iam.call("list_open_id_connect_providers").get("OpenIDConnectProviderList", []):
            parsed = oidc_provider_id(item["Arn"])
            if parsed and parsed[2] == provider_id:
                return self._get(item["Arn"])
        return None

    def _get(self, arn):
        try:
            answer = self.iam.call("get_open_id_connect_provider", OpenIDConnectProviderArn=arn)
        except ServiceError as exc:
            if has_code(exc, NO_SUCH_ENTITY):
                return None
            raise
        return Provider.from_api(arn, answer)

    def plan(self, spec, current, arn):
        """The plan that makes the provider match ``spec``; ``arn`` is its (predicted) ARN."""
        if current is None:
            return self._plan_create(spec, arn)
        plan = self._plan_update(spec, current)
        check_iam_owner("IAM OIDC provider %s" % current.arn, plan, spec.adopt, self.warn, otherwise=OTHERWISE)
        return plan

    def _plan_update(self, spec, current):
        if spec.client_ids is None:
            client_ids = sorted(set(current.client_ids) | {spec.audience})
        elif spec.purge_client_ids:
            client_ids = spec.client_ids
        else:
            client_ids = sorted(set(current.client_ids) | set(spec.client_ids))
        if len(client_ids) > MAX_CLIENT_IDS:
            kept = len(set(client_ids) - set(spec.client_ids or [spec.audience]))
            raise OptionError("client_ids", "the provider %s would have %d client IDs (%d of them already on it and kept, "
                                            "since %s); IAM allows at most %d per provider: list the ones to keep in "
                                            "client_ids with purge_client_ids: true" % (
                                                current.arn, len(client_ids), kept,
                                                "client_ids is not given" if spec.client_ids is None
                                                else "purge_client_ids is false", MAX_CLIENT_IDS))
        thumbprints = spec.thumbprints if spec.thumbprints is not None else current.thumbprints
        tags = iam_mark(desired_tags(current.tags, spec.tags, spec.purge_tags))
        after = Provider(current.arn, current.url, client_ids, thumbprints, tags)
        calls = []
        # Add before removing, so that the provider never has no client ID in between.
        for client_id in sorted(set(client_ids) - set(current.client_ids)):
            calls.append(Call("add_client_id_to_open_id_connect_provider", OpenIDConnectProviderArn=current.arn,
                              ClientID=client_id))
        for client_id in sorted(set(current.client_ids) - set(client_ids)):
            calls.append(Call("remove_client_id_from_open_id_connect_provider", OpenIDConnectProviderArn=current.arn,
                              ClientID=client_id))
        if after.thumbprints != current.thumbprints:
            calls.append(Call("update_open_id_connect_provider_thumbprint", OpenIDConnectProviderArn=current.arn,
                              ThumbprintList=after.thumbprints))
        to_set, to_remove = tag_changes(current.tags, tags)
        if to_set:
            calls.append(Call("tag_open_id_connect_provider", OpenIDConnectProviderArn=current.arn, Tags=tag_list(to_set)))
        if to_remove:
            calls.append(Call("untag_open_id_connect_provider", OpenIDConnectProviderArn=current.arn, TagKeys=to_remove))
        return Plan(current, after, calls)

    def _plan_create(self, spec, arn):
        after = Provider(arn, spec.url, spec.client_ids or [spec.audience], spec.thumbprints or [], iam_mark(spec.tags))
        params = dict(Url=after.url, ClientIDList=after.client_ids)
        if after.thumbprints:
            params["ThumbprintList"] = after.thumbprints
        if after.tags:
            params["Tags"] = tag_list(after.tags)
        return Plan(None, after, [Call("create_open_id_connect_provider", **params)])

    def plan_delete(self, current, adopt=False):
        """Delete the provider; one without the mark is refused unless ``adopt``."""
        if current is not None:
            check_iam_owner("IAM OIDC provider %s" % current.arn, Plan(current, None, []), adopt, self.warn, otherwise=OTHERWISE)
        calls = [Call("delete_open_id_connect_provider", done_if=NO_SUCH_ENTITY, OpenIDConnectProviderArn=current.arn)
                 ] if current else []
        return Plan(current, None, calls)

    def apply(self, plan, replan=None):
        """Make the plan's calls (none in check mode); return the provider after them.

        ``replan()`` gives a new plan when the create finds the provider made elsewhere. A provider
        created without thumbprints is read back: IAM derives one from the issuer's certificate chain
        and stores it, and the result must say what IAM stores (as the next run reads it).
        """
        try:
            after = plan.apply(self.iam, self.check_mode, lambda answer: answer["OpenIDConnectProviderArn"], replan)
        except ServiceError as exc:
            if has_code(exc, IDP_COMMUNICATION):
                raise idp_unreachable(plan.after.url, exc)
            raise
        if not self.check_mode and plan.before is None and plan.changed and not after.thumbprints:
            try:
                stored = self.iam.call("get_open_id_connect_provider", eventual=NEW_ENTITY,
                                       OpenIDConnectProviderArn=after.arn)
            except ServiceError as exc:
                # Not visible yet (IAM is eventually consistent) after the retries: the plan's prediction stands.
                if not (has_code(exc, NO_SUCH_ENTITY) or isinstance(exc, RetriesExhausted)):
                    raise
            else:
                after.thumbprints = sorted(t.lower() for t in stored.get("ThumbprintList", []))
        return after


def idp_unreachable(url, exc):
    """IAM's ``OpenIdIdpCommunicationError``, explained: it could not reach the issuer to derive a thumbprint."""
    return Breakpoint(
        "3", "AWS IAM could not create the OIDC provider for %s: %s. Without thumbprints IAM fetches the issuer's "
             "discovery document (%s/.well-known/openid-configuration) and the TLS certificate of its jwks_uri host to "
             "derive the thumbprint, and it could not connect: the issuer must answer from the internet (check that "
             "issuer_url is the identity domain's URL and that the domain's issuer is set to it, %s), or give the "
             "thumbprints (thumbprints, or thumbprints_from_issuer: true, which computes them from this host)"
             % (url, exc.msg, url.rstrip("/"), FIX_POLICY), **exc.details)


# -- thumbprints ---------------------------------------------------------------------------
