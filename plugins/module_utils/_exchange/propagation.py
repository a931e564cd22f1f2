# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Which refusals of ``sts:AssumeRoleWithWebIdentity`` IAM's eventual consistency explains, for an
exchange made right after this run changed the provider or the role (``oci_aws_assume``'s
``wait_for_propagation``): STS sees an IAM change only a moment after it was made ("Changes that
I make are not always immediately visible", IAM User Guide). :func:`propagation_reason` says why
a refusal may be propagation (then the exchange waits and tries again, bounded by
``propagation_timeout``), or None: a refusal that no propagation explains fails at once with its
diagnosis.

- ``InvalidIdentityToken`` "No OpenIDConnect provider found in your account for ..." (a new
  provider), "Incorrect token audience" (a client ID just added), a thumbprint mismatch (a
  thumbprint just set): the provider's change has not reached STS.
- ``AccessDenied``: the role is read with ``iam:GetRole``. Not found yet, not readable, or a trust
  policy that admits the token (STS lags behind the read): propagation. A role that IAM shows with
  a trust policy that refuses the token's ``aud`` or ``sub`` (``aws_oidc_role`` returns only once its
  reads show its change): a misconfiguration, reported at once.
- ``ValidationError`` on ``MaxSessionDuration``: propagation only when the role as read allows the
  duration asked for.
"""

from __future__ import annotations

import json

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import trust_findings

# What trust_findings says when no condition it knows refuses the token.
_NO_FINDING = "Compare its conditions"
PROVIDER_LAG = (
    ("no openidconnect provider", "STS does not know the new IAM OIDC provider yet"),
    ("audience", "STS does not know the provider's new client ID yet"),
    ("thumbprint", "STS does not know the provider's new thumbprints yet"),
)


def _error(exc):
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None, ""
    error = response.get("Error", {})
    return error.get("Code"), str(error.get("Message") or "")


def propagation_reason(exchange, exc, token):
    """Why IAM's propagation may explain STS's refusal ``exc`` of ``token``, or None (see the module docstring)."""
    code, message = _error(exc)
    lowered = message.lower()
    if code == "InvalidIdentityToken":
        for part, reason in PROVIDER_LAG:
            if part in lowered:
                return reason
        return None
    if code == "AccessDenied":
        role, why = exchange._role()  # pylint: disable=protected-access
        if why == "missing":
            return "IAM does not show the role yet"
        if role is None:
            return "the role cannot be read to tell (%s)" % why
        return None if refuses(exchange, role, token) else "STS does not apply the role's trust policy yet"
    if code == "ValidationError" and "MaxSessionDuration" in message:
        role, why = exchange._role()  # pylint: disable=protected-access
        if role is None:
            return "IAM does not show the role yet" if why == "missing" else "the role cannot be read to tell (%s)" % why
        allowed = role.get("MaxSessionDuration") or 0
        return "STS does not know the role's new maximum session duration yet" if allowed >= exchange.spec.duration_seconds else None
    return None


def refuses(exchange, role, token):
    """Whether the trust policy of ``role`` (IAM's GetRole answer) refuses ``token`` by a condition on its claims."""
    document = role.get("AssumeRolePolicyDocument") or {}
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return False
    iss = token.claims.get("iss") or ""
    provider_id = iss[len("https://"):] if iss.startswith("https://") else iss
    parts = exchange.spec.role_arn.split(":")
    provider_arn = "arn:%s:iam::%s:oidc-provider/%s" % (parts[1], parts[4], provider_id)
    findings = trust_findings(document, provider_arn, provider_id, {"aud": token.audiences()[0], "sub": token.claims.get("sub")})
    return bool(findings) and not findings[0].startswith(_NO_FINDING)


def waited_note(propagation):
    """The sentence added to a refusal that was still there after waiting for IAM's propagation."""
    return (" STS still refused after %.0f s of waiting for IAM to propagate this run's changes (%d retr%s, "
            "propagation_timeout %s s): propagation does not explain it any more." % (
                propagation.waited, propagation.retries, "y" if propagation.retries == 1 else "ies",
                propagation.seconds))
