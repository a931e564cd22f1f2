"""Evaluate an IAM role trust policy for one request, as IAM does.

Used by the STS gate (`sts_gate.py`) to decide `sts:AssumeRoleWithWebIdentity`: moto stores trust
policies but never evaluates them. The rules followed, from the IAM User Guide:

- Evaluation: an explicit ``Deny`` in any matching statement overrides every ``Allow``; with no
  matching ``Allow`` the request is implicitly denied
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
- A statement matches when its ``Principal``/``NotPrincipal``, ``Action``/``NotAction`` and every
  condition match. Action names are case-insensitive and accept the ``*`` and ``?`` wildcards.
  ``"Principal": "*"`` (equivalently ``{"AWS": "*"}``) matches everyone.
- Conditions: every operator of a ``Condition`` block and every key under one operator must match
  (AND); the values listed for one key are alternatives (OR). Negated operators (``StringNotEquals``,
  ``StringNotLike``, ...) match when the value matches none of the listed values
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
- A key missing from the request context makes a condition false, except for negated operators
  (true), ``...IfExists`` operators (true) and ``Null`` (which tests exactly that)
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
- Multivalued keys (``<provider>:amr``, ``<provider>:oaud``): ``ForAnyValue:`` is true when at
  least one request value satisfies the operator and false for a missing or empty key;
  ``ForAllValues:`` is true when every request value does, and true for a missing or empty key
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
  Without a set operator, a multivalued key is treated like ``ForAnyValue:`` for positive operators
  and as "no value matches" for negated ones (the sandbox's reading; AWS recommends set operators).
- Condition key names are case-insensitive; values are case-sensitive except for ``...IgnoreCase``.
  ``String*Like`` and ``Arn*`` operators accept ``*`` (any run of characters) and ``?`` (one).

Only the operators a trust policy for web identity federation uses are implemented (``String*``,
``Arn*``, ``Null``); any other operator, or a document that is not a policy, raises
`UnsupportedPolicy` so that the caller denies rather than guesses. Policy variables (``${...}``) are
compared literally.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence, Union

ContextValue = Union[str, Sequence[str], None]

ALLOW = "Allow"
DENY = "Deny"
IMPLICIT_DENY = "ImplicitDeny"


class UnsupportedPolicy(ValueError):
    """The document is not a policy this evaluator understands (the caller must deny)."""


@dataclass(frozen=True)
class RequestContext:
    """What a statement is matched against.

    ``principal_type`` is the key under ``Principal`` (``Federated`` for web identity),
    ``principal`` its value (the IAM OIDC provider ARN); ``keys`` maps condition key names (any case)
    to a string, a list of strings (multivalued key) or None (absent).
    """

    action: str
    principal_type: str
    principal: str
    keys: Mapping[str, ContextValue] = field(default_factory=dict)

    def value(self, key: str) -> ContextValue:
        wanted = key.lower()
        for name, value in self.keys.items():
            if name.lower() == wanted:
                return value
        return None


def evaluate(document, context: RequestContext) -> str:
    """`ALLOW`, `DENY` (an explicit Deny matched) or `IMPLICIT_DENY` for `context`.

    `document` is the policy as JSON text or already parsed.
    """
    statements = _statements(document)
    allowed = False
    for statement in statements:
        if not _statement_matches(statement, context):
            continue
        effect = statement.get("Effect")
        if effect == DENY:
            return DENY
        if effect == ALLOW:
            allowed = True
        else:
            raise UnsupportedPolicy("statement Effect must be Allow or Deny, not %r" % (effect,))
    return ALLOW if allowed else IMPLICIT_DENY


def _statements(document) -> list:
    if isinstance(document, (str, bytes)):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise UnsupportedPolicy("the policy is not JSON") from exc
    if not isinstance(document, dict) or "Statement" not in document:
        raise UnsupportedPolicy("the policy has no Statement")
    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise UnsupportedPolicy("Statement must be an object or a list of objects")
    return statements


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _statement_matches(statement: dict, context: RequestContext) -> bool:
    if "Principal" in statement:
        if not _principal_matches(statement["Principal"], context):
            return False
    elif "NotPrincipal" in statement:
        if _principal_matches(statement["NotPrincipal"], context):
            return False
    else:
        raise UnsupportedPolicy("a trust policy statement needs Principal or NotPrincipal")

    if "Action" in statement:
        if not _action_matches(statement["Action"], context.action):
            return False
    elif "NotAction" in statement:
        if _action_matches(statement["NotAction"], context.action):
            return False
    else:
        raise UnsupportedPolicy("a statement needs Action or NotAction")

    return conditions_match(statement.get("Condition") or {}, context)


def _principal_matches(principal, context: RequestContext) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        raise UnsupportedPolicy("Principal must be \"*\" or an object")
    if "*" in _as_list(principal.get("AWS", [])):
        return True
    candidates = _as_list(principal.get(context.principal_type, []))
    return context.principal in candidates


def _action_matches(actions, action: str) -> bool:
    return any(_wildcard_match(pattern, action, ignore_case=True) for pattern in _as_list(actions))


def _wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: ``*`` is any run of characters, ``?`` exactly one."""
    if not isinstance(pattern, str):
        raise UnsupportedPolicy("expected a string, got %r" % (pattern,))
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


# -- conditions ------------------------------------------------------------------------------------

# base operator (lower case) -> (value matcher, negated)
_OPERATORS = {
    "stringequals": (lambda pattern, value: pattern == value, False),
    "stringnotequals": (lambda pattern, value: pattern == value, True),
    "stringequalsignorecase": (lambda pattern, value: pattern.casefold() == value.casefold(), False),
    "stringnotequalsignorecase": (lambda pattern, value: pattern.casefold() == value.casefold(), True),
    "stringlike": (_wildcard_match, False),
    "stringnotlike": (_wildcard_match, True),
    "arnequals": (_wildcard_match, False),
    "arnlike": (_wildcard_match, False),
    "arnnotequals": (_wildcard_match, True),
    "arnnotlike": (_wildcard_match, True),
}


def _policy_string(value) -> str:
    """Condition values as IAM compares them: booleans are ``true``/``false``, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise UnsupportedPolicy("condition values must be strings, numbers or booleans, not %r" % (value,))


def conditions_match(condition_block: Mapping, context: RequestContext) -> bool:
    """True when every operator/key pair of a ``Condition`` block matches `context`."""
    if not isinstance(condition_block, Mapping):
        raise UnsupportedPolicy("Condition must be an object")
    for operator, keys in condition_block.items():
        if not isinstance(keys, Mapping):
            raise UnsupportedPolicy("condition operator %s must map keys to values" % operator)
        for key, values in keys.items():
            policy_values = [_policy_string(v) for v in _as_list(values)]
            if not condition_matches(operator, policy_values, context.value(key)):
                return False
    return True


def condition_matches(operator: str, policy_values: Sequence[str], request_value: ContextValue) -> bool:
    """One ``"<operator>": {"<key>": <policy_values>}`` entry against the key's request value."""
    set_operator, base = None, operator
    if ":" in operator:
        set_operator, base = operator.split(":", 1)
        set_operator = set_operator.lower()
        if set_operator not in ("foranyvalue", "forallvalues"):
            raise UnsupportedPolicy("unknown set operator in %s" % operator)
    base = base.lower()
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[: -len("ifexists")]

    present = request_value is not None and request_value != [] and request_value != ()
    if base == "null":
        if set_operator or if_exists:
            raise UnsupportedPolicy("%s is not a valid operator" % operator)
        wants_missing = [v.lower() for v in policy_values]
        return any((v == "true") != present for v in wants_missing)
    if base not in _OPERATORS:
        raise UnsupportedPolicy("condition operator %s is not supported by the sandbox" % operator)
    match, negated = _OPERATORS[base]

    if not present:
        if if_exists:
            return True
        if set_operator == "forallvalues":
            return True
        if set_operator == "foranyvalue":
            return False
        return negated

    def satisfies(value: str) -> bool:
        hit = any(match(pattern, value) for pattern in policy_values)
        return not hit if negated else hit

    values = _as_list(request_value)
    if set_operator == "forallvalues":
        return all(satisfies(v) for v in values)
    if set_operator == "foranyvalue":
        return any(satisfies(v) for v in values)
    return all(satisfies(v) for v in values) if negated else any(satisfies(v) for v in values)
