# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

IAM policy documents: parsed and checked from user input, compared the way IAM means them, shown
in a stable form, and the web identity trust policy that federates an OCI identity domain.

Comparison follows the rules of amazon.aws's ``compare_policies``: key order never matters;
lists are sets (order and duplicates do not matter) and a one-item list equals its item; booleans
and numbers equal their lower-case string form; ``"Principal": "*"`` equals ``{"AWS": "*"}`` and
``arn:aws:iam::<account>:root`` equals ``<account>``; a document without ``Version`` has IAM's
default, ``2008-10-17``.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re


from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_pattern, check_text

DEFAULT_VERSION = "2008-10-17"
CURRENT_VERSION = "2012-10-17"
WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"
TRUST_ACTIONS = frozenset(a.lower() for a in (
    "sts:AssumeRole", "sts:AssumeRoleWithSAML", WEB_IDENTITY_ACTION,
    "sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext", "sts:*",
))
EFFECTS = ("Allow", "Deny")

_ROOT_PRINCIPAL = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):root", re.ASCII)
_OPERATOR = re.compile(r"(?:ForAnyValue:|ForAllValues:)?[A-Z][A-Za-z]*", re.ASCII)
# A condition key: printable ASCII without spaces (aws:PrincipalTag/team, <provider>:amr).
_CONDITION_KEY = re.compile(r"[\x21-\x7e]{1,256}", re.ASCII)
# Claims of a web identity token that trust policies test as ``<provider>:<claim>``: the keys IAM
# documents for a generic OIDC provider (IAM User Guide, reference_policies_iam-condition-keys).
_TOKEN_CLAIMS = frozenset(("aud", "sub", "azp", "amr"))
# Documented for Google only: IAM does not set it for a generic provider, so a condition on it is never true.
_GOOGLE_ONLY = "oaud"
OAUD_REFUSED = ("%s has a condition on %s, but IAM documents the oaud key for Google only: for a generic OIDC provider "
                "such as an identity domain it is not set, so the condition would never be true and no token could "
                "assume the role; test aud (the audience option) or azp instead")
# IAM's role trust policy quota, in characters without whitespace ("Role trust policy length", IAM and
# AWS STS quotas): 2,048 by default, raised per account through Service Quotas.
TRUST_POLICY_SIZE = 2048
MAX_TRUST_POLICY_SIZE = 8192
_WHITESPACE = re.compile(r"\s")
_OIDC_PROVIDER_ARN = re.compile(r"arn:(aws[a-z-]*):iam::(\d{12}):oidc-provider/([\x21-\x7e]+)", re.ASCII)
# -- input ---------------------------------------------------------------------------------


def parse_document(value, option):
    """A policy document from JSON text or a mapping, as a new dict; else :class:`OptionError`."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise OptionError(option, "%s is not valid JSON (%s); give a JSON object or a YAML mapping" % (option, exc))
    if not isinstance(value, dict):
        raise OptionError(option, "%s must be a policy document (a JSON object with a Statement), got %s"
                          % (option, type(value).__name__))
    return copy.deepcopy(value)


def statements(document):
    """The statements of a document as a list (``Statement`` may be a single object)."""
    found = document.get("Statement")
    return [found] if isinstance(found, dict) else list(found or [])


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _check_statements(document, option):
    if document.get("Version") != CURRENT_VERSION:
        raise OptionError(option, "%s needs \"Version\": \"%s\" (got %r): IAM reads a document without it in "
                                  "the 2008 policy language" % (option, CURRENT_VERSION, document.get("Version")))
    if "Statement" not in document:
        raise OptionError(option, "%s has no Statement: a policy document is {\"Version\": \"2012-10-17\", "
                                  "\"Statement\": [...]}" % option)
    found = document["Statement"]
    items = [found] if isinstance(found, dict) else found
    if not isinstance(items, list) or not items or not all(isinstance(s, dict) for s in items):
        raise OptionError(option, "%s: Statement must be an object or a non-empty list of objects" % option)
    for number, statement in enumerate(items, 1):
        if statement.get("Effect") not in EFFECTS:
            raise OptionError(option, "%s: statement %d needs Effect Allow or Deny, got %r"
                              % (option, number, statement.get("Effect")))
        if "Action" not in statement and "NotAction" not in statement:
            raise OptionError(option, "%s: statement %d has no Action" % (option, number))
    return items


def check_identity_policy(document, option):
    """Check the shape of a permissions policy (inline policy); raise :class:`OptionError`."""
    for number, statement in enumerate(_check_statements(document, option), 1):
        if "Principal" in statement or "NotPrincipal" in statement:
            raise OptionError(option, "%s: statement %d has a Principal, which belongs in a trust policy, "
                                      "not in a permissions policy" % (option, number))
        if "Resource" not in statement and "NotResource" not in statement:
            raise OptionError(option, "%s: statement %d has no Resource (use \"*\" for every resource)" % (option, number))


def check_trust_policy(document, option):
    """Check that ``document`` is a role trust policy; raise :class:`OptionError` naming the fix."""
    for number, statement in enumerate(_check_statements(document, option), 1):
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise OptionError(option, "%s: statement %d has no Principal; a trust policy says who may assume "
                                      "the role, e.g. {\"Federated\": \"<provider ARN>\"}" % (option, number))
        if "Resource" in statement or "NotResource" in statement:
            raise OptionError(option, "%s: statement %d has a Resource: this is a permissions policy, not a "
                                      "trust policy (give permissions with inline_policies or managed_policy_arns)"
                              % (option, number))
        for action in _as_list(statement.get("Action", statement.get("NotAction"))):
            if not isinstance(action, str) or action.lower() not in TRUST_ACTIONS:
                raise OptionError(option, "%s: statement %d allows %r; a trust policy may only name sts:AssumeRole* "
                                          "and session actions such as %s" % (option, number, action, WEB_IDENTITY_ACTION))


def federated_principals(document):
    """The ``Federated`` principals of the document's Allow statements."""
    found = set()
    for statement in statements(document):
        principal = statement.get("Principal")
        if statement.get("Effect") == "Allow" and isinstance(principal, dict):
            found.update(p for p in _as_list(principal.get("Federated", [])) if isinstance(p, str))
    return found


def oidc_provider_id(arn):
    """``(partition, account, provider_id)`` of an IAM OIDC provider ARN, or None."""
    match = _OIDC_PROVIDER_ARN.fullmatch(arn) if isinstance(arn, str) else None
    return match.groups() if match else None


def check_trusts_provider(document, provider_id, option):
    """Check that a given trust policy federates the provider for ``provider_id`` exactly.

    STS finds the provider from the token's ``iss`` byte for byte, so a trust policy naming
    ``host/`` where the issuer is ``host`` (or another port) can never be satisfied; nor can a
    condition on ``<other prefix>:aud`` or ``:sub`` that names none of the document's providers.
    """
    providers = [oidc_provider_id(arn) for arn in federated_principals(document)]
    named = sorted(p[2] for p in providers if p)
    if provider_id not in named:
        if not named:
            raise OptionError(option, "%s allows no OIDC provider: add a statement with Principal "
                                      "{\"Federated\": \"arn:<partition>:iam::<account>:oidc-provider/%s\"}" % (option, provider_id))
        raise OptionError(
            option,
            "%s federates %s but issuer_url gives the provider %s: they must be identical, character for "
            "character (scheme dropped; trailing slash and port included), since STS matches the token's iss "
            "exactly" % (option, ", ".join(named), provider_id),
        )
    known = set(named) | set(p for p in federated_principals(document) if not p.startswith("arn:"))
    for key in _condition_keys(document):
        prefix, _sep, claim = key.rpartition(":")
        if claim == _GOOGLE_ONLY and prefix in known:
            raise OptionError(option, OAUD_REFUSED % (option, key))
        if claim in _TOKEN_CLAIMS and prefix not in known:
            raise OptionError(option, "%s has a condition on %s, which names no provider of the policy: write "
                                      "%s:%s (the issuer without https://, character for character)"
                              % (option, key, provider_id, claim))


def _condition_keys(document):
    for statement in statements(document):
        for keys in (statement.get("Condition") or {}).values():
            if isinstance(keys, dict):
                yield from keys


def check_provider_arn(document, provider_arn, option):
    """Check that the trust policy's ARN for the provider names its real account and partition."""
    wanted = oidc_provider_id(provider_arn)
    for arn in federated_principals(document):
        found = oidc_provider_id(arn)
        if found and found[2] == wanted[2] and arn != provider_arn:
            raise OptionError(option, "%s federates %s but the provider is %s: use that ARN (same account "
                                      "as the role)" % (option, arn, provider_arn))


def normalize_conditions(conditions, provider_id, reserved, option="conditions"):
    """Extra trust conditions as ``{operator: {key: value or [values]}}`` with full key names.

    A key without ``:`` is a claim of the provider (``amr`` becomes ``<provider_id>:amr``).
    ``reserved`` are the ``StringEquals`` keys the module sets itself (audience, subjects).
    """
    if not isinstance(conditions, dict):
        raise OptionError(option, "%s must be a mapping of condition operators to {key: values}, e.g. "
                                  "{\"StringLike\": {\"amr\": \"*\"}}" % option)
    result = {}
    for operator, keys in conditions.items():
        if not _OPERATOR.fullmatch(str(operator)) or not isinstance(keys, dict) or not keys:
            raise OptionError(option, "%s: %r must be a condition operator (StringEquals, StringLike, ...) mapping "
                                      "keys to values" % (option, operator))
        block = result.setdefault(operator, {})
        for key, value in keys.items():
            check_pattern(key, option, _CONDITION_KEY, "a mapping of condition operators to {key: values} whose keys "
                                                       "are printable ASCII without spaces (amr, aws:PrincipalTag/x)")
            full = key if ":" in key else "%s:%s" % (provider_id, key)
            if full == "%s:%s" % (provider_id, _GOOGLE_ONLY):
                raise OptionError(option, OAUD_REFUSED % (option, full))
            if operator == "StringEquals" and full in reserved:
                raise OptionError(option, "%s sets StringEquals on %s, which the module sets from %s; change that "
                                          "option instead" % (option, full, reserved[full]))
            block[full] = _condition_value(value, option, operator, full)
    return result


def _condition_value(value, option, operator, key):
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, (str, bool, int, float)) for v in values):
        raise OptionError(option, "%s: %s on %s needs a value or a list of values" % (option, operator, key))
    texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return texts[0] if len(texts) == 1 else texts


# -- building --------------------------------------------------------------------------------

def web_identity_trust_policy(provider_arn, provider_id, audience, subjects=None, conditions=None):
    """The trust policy that lets tokens of one issuer, audience and subject(s) assume a role."""
    string_equals = {provider_id + ":aud": audience}
    if subjects:
        ordered = sorted(set(subjects))
        string_equals[provider_id + ":sub"] = ordered[0] if len(ordered) == 1 else ordered
    condition = {"StringEquals": string_equals}
    for operator, keys in (conditions or {}).items():
        condition.setdefault(operator, {}).update(keys)
    return {
        "Version": CURRENT_VERSION,
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": WEB_IDENTITY_ACTION,
            "Condition": condition,
        }],
    }


def to_json(document):
    """The compact JSON sent to IAM."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def policy_size(document):
    """The size IAM counts against its policy quotas: characters of the JSON sent, whitespace not counted."""
    return len(_WHITESPACE.sub("", to_json(document)))


def check_size_limit(value, option="trust_policy_size_limit"):
    """The account's role trust policy quota as given: from the default 2,048 up to what Service Quotas allows."""
    if not isinstance(value, int) or isinstance(value, bool) or not TRUST_POLICY_SIZE <= value <= MAX_TRUST_POLICY_SIZE:
        raise OptionError(option, "%s must be the account's \"Role trust policy length\" quota, from %d (the default) "
                                  "to %d: got %r" % (option, TRUST_POLICY_SIZE, MAX_TRUST_POLICY_SIZE, value))
    return value


# -- comparison --------------------------------------------------------------------------------

def _principal(value):
    if value == "*":
        return {"AWS": "*"}
    if isinstance(value, dict) and "AWS" in value:
        value = dict(value)
        value["AWS"] = [_root_account(v) for v in _as_list(value["AWS"])]
    return value


def _root_account(value):
    match = _ROOT_PRINCIPAL.fullmatch(value) if isinstance(value, str) else None
    return match.group(1) if match else value


def _canonical(value):
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if key in ("Principal", "NotPrincipal"):
                item = _principal(item)
            items.append((key, _canonical(item)))
        return ("{}", frozenset(items))
    if isinstance(value, (list, tuple)):
        members = frozenset(_canonical(item) for item in value)
        return next(iter(members)) if len(members) == 1 else ("[]", members)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ("null",)
    return value if isinstance(value, str) else str(value)


def canonical(document):
    """A hashable form of a policy document in which IAM-equal documents are equal."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return ("text", document)
    if isinstance(document, dict) and "Version" not in document:
        document = dict(document, Version=DEFAULT_VERSION)
    return _canonical(document)


def policies_equal(first, second):
    """Whether two documents (dicts or JSON text) mean the same to IAM."""
    return canonical(first) == canonical(second)


def sorted_document(value):
    """A copy with lists sorted, for diffs and return values that read the same on every run."""
    if isinstance(value, dict):
        return dict((key, sorted_document(value[key])) for key in sorted(value))
    if isinstance(value, (list, tuple)):
        items = [sorted_document(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


class TrustSpec:
    """Who may assume the role: tokens of the audience and subjects, or a trust policy given whole."""

    def __init__(self, audience, subjects=None, conditions=None, document=None, size_limit=TRUST_POLICY_SIZE):
        self.audience = audience
        self.subjects = subjects
        self.conditions = conditions
        self.given = document
        self.size_limit = size_limit

    @classmethod
    def from_params(cls, params, provider_id, audience):
        subjects = params.get("subjects")
        allow_any = params.get("allow_any_subject")
        limit = params.get("trust_policy_size_limit")
        size_limit = TRUST_POLICY_SIZE if limit is None else check_size_limit(limit)
        if params.get("trust_policy") is not None:
            for other in ("subjects", "conditions"):
                if params.get(other) is not None:
                    raise OptionError(other, "%s conflicts with trust_policy, which replaces the generated policy: "
                                             "remove %s, or write it into trust_policy" % (other, other))
            if allow_any:
                raise OptionError("allow_any_subject", "allow_any_subject conflicts with trust_policy: remove it")
            document = parse_document(params["trust_policy"], "trust_policy")
            check_trust_policy(document, "trust_policy")
            check_trusts_provider(document, provider_id, "trust_policy")
            return cls(audience, document=document, size_limit=size_limit)
        if subjects is not None:
            subjects = sorted(set(subjects))
            if not subjects or not all(s.strip() == s and s for s in subjects):
                raise OptionError("subjects", "subjects must list OCI client IDs (the token's sub), without blanks")
            for subject in subjects:
                check_text(subject, "subjects", "a list of OCI client IDs (the token's sub)")
        if allow_any and subjects:
            raise OptionError("allow_any_subject", "allow_any_subject conflicts with subjects: remove subjects to let "
                                                   "every client of the domain assume the role, or set it to false")
        if not allow_any and not subjects:
            raise OptionError("subjects", "subjects is required: list the OCI client IDs (the token's sub) allowed to "
                                          "assume the role, or set allow_any_subject: true to allow every client of the "
                                          "domain that gets a token for the audience")
        reserved = {provider_id + ":aud": "audience"}
        if subjects:
            reserved[provider_id + ":sub"] = "subjects"
        conditions = params.get("conditions")
        if conditions is not None:
            conditions = normalize_conditions(conditions, provider_id, reserved)
        return cls(audience, subjects=subjects, conditions=conditions, size_limit=size_limit)

    def document(self, provider_arn, provider_id):
        """The trust policy for the provider's ARN (a given one is checked against it), within the size quota."""
        if self.given is not None:
            check_provider_arn(self.given, provider_arn, "trust_policy")
            size = policy_size(self.given)
            if size > self.size_limit:
                raise OptionError("trust_policy", "trust_policy is %d characters without whitespace, above IAM's role "
                                                  "trust policy quota of %d (%s): shorten it, or, if the account's "
                                                  "quota was raised, set trust_policy_size_limit to it"
                                  % (size, self.size_limit, self._quota_source()))
            return self.given
        document = web_identity_trust_policy(provider_arn, provider_id, self.audience, self.subjects, self.conditions)
        size = policy_size(document)
        if size > self.size_limit:
            self._too_large(provider_arn, provider_id, size)
        return document

    def _quota_source(self):
        return ("trust_policy_size_limit" if self.size_limit != TRUST_POLICY_SIZE else
                "the default quota; trust_policy_size_limit gives a raised one")

    def _too_large(self, provider_arn, provider_id, size):
        """Refuse a generated policy above the quota, saying how many of the subjects fit."""
        fit = 0
        for count in range(1, len(self.subjects or []) + 1):
            trial = web_identity_trust_policy(provider_arn, provider_id, self.audience, self.subjects[:count],
                                              self.conditions)
            if policy_size(trial) > self.size_limit:
                break
            fit = count
        if self.subjects and fit:
            raise OptionError("subjects", "the trust policy for %d subjects is %d characters without whitespace, above "
                                          "IAM's role trust policy quota of %d (%s): %d of these subjects fit in one "
                                          "role; split the subjects across roles, or raise the account's quota (Service "
                                          "Quotas, \"Role trust policy length\") and set trust_policy_size_limit"
                              % (len(self.subjects), size, self.size_limit, self._quota_source(), fit))
        option = "conditions" if self.conditions else "subjects"
        raise OptionError(option, "the trust policy is %d characters without whitespace, above IAM's role trust "
                                  "policy quota of %d (%s), even with %s: shorten %s"
                          % (size, self.size_limit, self._quota_source(),
                             "one subject" if self.subjects else "allow_any_subject", option))


def _values(value):
    return value if isinstance(value, list) else [value]


def trust_findings(document, provider_arn, provider_id, claims):
    """Sentences that say why a trust policy refuses a token whose claims are ``claims`` (``aud``, ``sub``)."""
    allowing = [s for s in statements(document) if s.get("Effect") == "Allow" and any(
        a in (WEB_IDENTITY_ACTION, "sts:*", "*") for a in _values(s.get("Action", [])))]
    if not allowing:
        return ["No statement allows %s." % WEB_IDENTITY_ACTION]
    if provider_arn not in federated_principals(document):
        return ["No statement federates %s, the provider of the token's issuer." % provider_arn]
    findings = []
    for operator, keys in sorted((c for s in allowing for c in (s.get("Condition") or {}).items()), key=str):
        for key, wanted in sorted(keys.items()):
            prefix, _sep, claim = key.rpartition(":")
            if prefix != provider_id or claim not in claims:
                continue
            have = claims[claim]
            if operator == "StringEquals" and have not in _values(wanted):
                findings.append("%s %s requires %s but the token's %s is %r." % (operator, key, wanted, claim, have))
            elif operator == "StringLike" and not any(fnmatch.fnmatchcase(have, w) for w in _values(wanted)):
                findings.append("%s %s requires %s but the token's %s is %r." % (operator, key, wanted, claim, have))
    return findings or ["Compare its conditions with the token's claims."]
