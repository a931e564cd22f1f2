"""SCIM 2.0 protocol pieces the identity domain applies to any resource type (RFC 7644):

- `parse_filter`: the filter grammar of section 3.4.2.2 (attribute paths with sub-attributes and
  value paths, `eq ne co sw ew gt lt ge le pr`, `and`/`or`/`not`, parentheses). Attribute names and
  operators are case-insensitive; string comparisons follow the attribute's `caseExact`. String
  literals are UTF-8 as sent; JSON escapes in them (`\\u00e9`) are decoded only with `decode_escapes`
  (whether the service decodes them is not documented), else taken literally except `\\"` and `\\\\`.
  A list filter may name only attributes the schema marks searchable (SDK `idcsSearchable: true`).
- `require_schema`, `check_if_match`, `check_replacement`: the checks common to writes (the body's
  `schemas`, `If-Match` against `meta.version` (412 when stale), and PUT's required, readOnly and
  immutable attributes).
- `apply_patch`: PatchOp `add`/`remove`/`replace` (section 3.5.2), `op` in any case (the SDK's
  model sends `ADD`/`REPLACE`, Oracle's docs `add`/`replace`), paths `attr`, `attr.sub`,
  `attr[filter]` and `attr[filter].sub`, with the SCIM++ mutability rules the SDK documents:
  a readOnly attribute, or an immutable one that already has a value, is a 400.
- `project`: the `attributes`/`attributeSets` rules of the SDK docs (returned always/default/
  request/never).
- `list_response`: filtering, sorting and paging into a ListResponse.
"""

import copy
import json
import re

from .errors import ScimError, bad_request, immutable, missing_attributes, read_only
from .schema import LIST_RESPONSE_URN, canonical_value

COMPARE_OPS = ("eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le")
_TOKEN = re.compile(r'\s*(?:(?P<punct>[()\[\]])|(?P<string>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()\[\]"]+))')
MAX_COUNT = 1000
DEFAULT_COUNT = 50


def invalid_filter(text, reason):
    return ScimError(400, "Invalid filter %s: %s." % (text, reason), "invalidFilter")


# -- filter ---------------------------------------------------------------------------------------

def _literal(quoted, decode_escapes):
    """The value of a quoted string literal of a filter."""
    if decode_escapes:
        return json.loads(quoted)
    return re.sub(r'\\(["\\])', r"\1", quoted[1:-1])


def _tokens(text, decode_escapes=True):
    position = 0
    tokens = []
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise invalid_filter(text, "unexpected character at %d" % position)
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            try:
                value = _literal(value, decode_escapes)
            except ValueError:
                raise invalid_filter(text, "invalid string %s" % value) from None
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text, decode_escapes=True):
        self.text = text
        self.tokens = _tokens(text, decode_escapes)
        self.position = 0

    def peek_word(self):
        if self.position < len(self.tokens) and self.tokens[self.position][0] == "word":
            return self.tokens[self.position][1].lower()
        return None

    def take(self, kind=None, value=None):
        if self.position >= len(self.tokens):
            raise invalid_filter(self.text, "unexpected end")
        token = self.tokens[self.position]
        if (kind and token[0] != kind) or (value and token[1] != value):
            raise invalid_filter(self.text, "unexpected %r" % (token[1],))
        self.position += 1
        return token

    def parse(self):
        node = self.parse_or()
        if self.position != len(self.tokens):
            raise invalid_filter(self.text, "unexpected %r" % (self.tokens[self.position][1],))
        return node

    def parse_or(self):
        node = self.parse_and()
        while self.peek_word() == "or":
            self.position += 1
            node = _Or(node, self.parse_and())
        return node

    def parse_and(self):
        node = self.parse_not()
        while self.peek_word() == "and":
            self.position += 1
            node = _And(node, self.parse_not())
        return node

    def parse_not(self):
        if self.peek_word() == "not":
            self.position += 1
            self.take("punct", "(")
            node = self.parse_or()
            self.take("punct", ")")
            return _Not(node)
        return self.parse_primary()

    def parse_primary(self):
        kind, value = self.take()
        if (kind, value) == ("punct", "("):
            node = self.parse_or()
            self.take("punct", ")")
            return node
        if kind != "word":
            raise invalid_filter(self.text, "expected an attribute path, got %r" % (value,))
        path = value
        if self.position < len(self.tokens) and self.tokens[self.position] == ("punct", "["):
            self.position += 1
            inner = self.parse_or()
            self.take("punct", "]")
            return _ValuePath(path, inner)
        operator = self.peek_word()
        if operator == "pr":
            self.position += 1
            return _Present(path)
        if operator not in COMPARE_OPS:
            raise invalid_filter(self.text, "expected an operator after %s" % path)
        self.position += 1
        kind, literal = self.take()
        if kind == "word":
            try:
                literal = json.loads(literal.lower() if literal.lower() in ("true", "false", "null") else literal)
            except ValueError:
                raise invalid_filter(self.text, "invalid value %r" % (literal,)) from None
        elif kind != "string":
            raise invalid_filter(self.text, "expected a value after %s" % operator)
        return _Compare(path, operator, literal)


def parse_filter(text, decode_escapes=True):
    """The filter `text` as a tree whose `matches(resource, schema)` says if a resource matches."""
    return _Parser(text, decode_escapes).parse()


def filter_attributes(node):
    """The attribute paths (top level) that a parsed filter names."""
    if isinstance(node, (_Compare, _Present, _ValuePath)):
        return [node.path]
    if isinstance(node, (_And, _Or)):
        return filter_attributes(node.left) + filter_attributes(node.right)
    if isinstance(node, _Not):
        return filter_attributes(node.inner)
    return []


def check_searchable(text, tree, schema):
    """A filter naming an attribute that is not searchable is a 400 invalidFilter (RFC 7644 3.12: "the
    specified attribute and filter comparison combination is not supported")."""
    for path in filter_attributes(tree):
        name, _sub = _split_path(path)
        attribute = schema.get(name)
        if attribute is not None and not schema.searchable(attribute.name):
            raise ScimError(400, "Invalid filter %s: the attribute %s is not searchable." % (text, attribute.name),
                            "invalidFilter", message_id="error.common.search.attributeNotSearchable")


def _split_path(path):
    """`attr` or `attr.sub` (an optional leading schema URN is handled by `Schema.get`)."""
    if path.lower().startswith("urn:"):
        head, _colon, last = path.rpartition(":")
        name, _dot, sub = last.partition(".")
        return head + ":" + name, sub or None
    name, _dot, sub = path.partition(".")
    return name, sub or None


def _values(resource, path, schema):
    """(values, attribute definition) at `path` in `resource`, multi-valued attributes flattened."""
    name, sub = _split_path(path)
    attribute = schema.get(name)
    key = attribute.name if attribute else name
    value = resource.get(key)
    if value is None:
        return [], attribute
    values = value if isinstance(value, list) else [value]
    if sub:
        sub_attribute = attribute.sub(sub) if attribute else None
        sub_key = sub_attribute.name if sub_attribute else sub
        values = [v.get(sub_key) for v in values if isinstance(v, dict) and v.get(sub_key) is not None]
        return values, sub_attribute
    if attribute is not None and attribute.sub("value") is not None:
        values = [v.get("value") for v in values if isinstance(v, dict)]
    return values, attribute


def _compare(operator, actual, expected, case_exact):
    if isinstance(actual, str) and isinstance(expected, str):
        if not case_exact:
            actual, expected = actual.lower(), expected.lower()
        return {
            "eq": actual == expected, "ne": actual != expected, "co": expected in actual,
            "sw": actual.startswith(expected), "ew": actual.endswith(expected),
            "gt": actual > expected, "lt": actual < expected, "ge": actual >= expected, "le": actual <= expected,
        }[operator]
    if operator in ("co", "sw", "ew"):
        return False
    if operator in ("eq", "ne"):
        return (actual == expected and type(actual) is type(expected)) == (operator == "eq")
    if isinstance(actual, bool) or isinstance(expected, bool) or not isinstance(actual, (int, float)):
        return False
    return {"gt": actual > expected, "lt": actual < expected, "ge": actual >= expected, "le": actual <= expected}[operator]


class _Compare:
    def __init__(self, path, operator, value):
        self.path, self.operator, self.value = path, operator, value

    def matches(self, resource, schema):
        values, attribute = _values(resource, self.path, schema)
        case_exact = bool(attribute and attribute.case_exact)
        if self.operator == "ne":
            return not any(_compare("eq", v, self.value, case_exact) for v in values)
        return any(_compare(self.operator, v, self.value, case_exact) for v in values)


class _Present:
    def __init__(self, path):
        self.path = path

    def matches(self, resource, schema):
        values, _attribute = _values(resource, self.path, schema)
        return any(v not in ("", [], {}) for v in values)


class _ValuePath:
    def __init__(self, path, inner):
        self.path, self.inner = path, inner

    def matches(self, resource, schema):
        attribute = schema.get(self.path)
        if attribute is None:
            return False
        elements = resource.get(attribute.name) or []
        return any(self.inner.matches(e, SubSchema(attribute)) for e in elements if isinstance(e, dict))


class _And:
    def __init__(self, left, right):
        self.left, self.right = left, right

    def matches(self, resource, schema):
        return self.left.matches(resource, schema) and self.right.matches(resource, schema)


class _Or:
    def __init__(self, left, right):
        self.left, self.right = left, right

    def matches(self, resource, schema):
        return self.left.matches(resource, schema) or self.right.matches(resource, schema)


class _Not:
    def __init__(self, inner):
        self.inner = inner

    def matches(self, resource, schema):
        return not self.inner.matches(resource, schema)


class SubSchema:
    """The sub-attributes of a complex attribute, seen as a schema (for value-path filters)."""

    def __init__(self, attribute):
        self.attribute = attribute

    def get(self, name):
        return self.attribute.sub(name)


# -- writes ---------------------------------------------------------------------------------------

def require_schema(body, urn):
    """A request body must be an object whose `schemas` names `urn`."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.", "invalidSyntax")
    schemas = body.get("schemas")
    if not schemas:
        raise missing_attributes(["schemas"])
    if not isinstance(schemas, list) or urn.lower() not in [str(s).lower() for s in schemas]:
        raise bad_request("The schemas attribute must contain %s." % urn, "invalidValue")


def check_if_match(resource, if_match):
    """`If-Match` must name the resource's current `meta.version` (or be `*`); otherwise 412."""
    if not if_match:
        return
    tag = if_match.strip()
    tag = (tag[2:] if tag.startswith("W/") else tag).strip('"')
    if tag not in ("*", resource["meta"]["version"]):
        raise ScimError(412, "Failed to update %s: it changed since version %s was read."
                        % (resource["meta"]["resourceType"], if_match))


class PatchPath:
    """A PATCH `path`: `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`."""

    def __init__(self, text, schema):
        self.text = text
        bracket = text.find("[")
        if bracket >= 0:
            close = text.rfind("]")
            if close < bracket or (text[close + 1:] and not text[close + 1:].startswith(".")):
                raise bad_request("Invalid path %s." % text, "invalidPath")
            name, sub = text[:bracket], text[close + 2:] or None
            self.filter = parse_filter(text[bracket + 1:close])
        else:
            name, sub = _split_path(text)
            self.filter = None
        self.attribute = schema.attribute(name)
        self.sub = None
        if sub:
            self.sub = self.attribute.sub(sub)
            if self.sub is None:
                raise bad_request("Invalid path %s: %s has no sub-attribute %s." % (text, self.attribute.name, sub), "invalidPath")
        if self.filter is not None and not (self.attribute.multi_valued and self.attribute.type == "complex"):
            raise bad_request("Invalid path %s: a value filter needs a multi-valued complex attribute." % text, "invalidPath")

    def selected(self, elements):
        if self.filter is None:
            return list(elements)
        return [e for e in elements if isinstance(e, dict) and self.filter.matches(e, SubSchema(self.attribute))]


def check_writable(attribute, current, value, prefix=""):
    """Mutability rules for PUT and PATCH: readOnly is refused, immutable only while unset.

    `current` is the attribute's present value; `value` the one written (sub-attributes of complex
    values are checked against the matching present value, or none for new elements).
    """
    name = prefix + attribute.name
    if attribute.mutability == "readOnly":
        raise read_only(name)
    if attribute.mutability == "immutable" and current not in (None, "", [], {}):
        raise immutable(name)
    if attribute.type != "complex" or attribute.opaque:
        return
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict):
            continue
        present = current if isinstance(current, dict) else {}
        for key in item:
            sub = attribute.sub(key)
            if sub is not None:
                check_writable(sub, present.get(sub.name), item[key], name + ".")


def _same_element(element, wanted):
    """A `remove` value selects elements whose given sub-attributes all match."""
    if isinstance(element, dict) and isinstance(wanted, dict):
        return all(element.get(k) == v for k, v in wanted.items())
    return element == wanted


def _apply_operation(resource, operation, schema):
    if not isinstance(operation, dict):
        raise bad_request("Each of Operations must be an object.", "invalidSyntax")
    op = str(operation.get("op", "")).lower()
    if op not in ("add", "remove", "replace"):
        raise bad_request("Invalid op %r: use add, remove or replace." % operation.get("op"), "invalidSyntax")
    path = operation.get("path")
    value = operation.get("value")
    if not path:
        if op == "remove":
            raise bad_request("A remove operation needs a path.", "noTarget")
        if not isinstance(value, dict):
            raise bad_request("Without a path, the value of %s must be an object." % op, "invalidValue")
        for key, item in value.items():
            _apply_operation(resource, {"op": op, "path": key, "value": item}, schema)
        return
    target = PatchPath(path, schema)
    attribute = target.attribute
    current = resource.get(attribute.name)
    if op != "remove" and value is None:
        raise bad_request("Operation %s on %s needs a value." % (op, path), "invalidValue")
    if target.filter is None and target.sub is None:
        _apply_to_attribute(resource, op, attribute, current, value)
    else:
        _apply_to_elements(resource, op, target, current, value)


def _apply_to_attribute(resource, op, attribute, current, value):
    if op == "remove":
        check_writable(attribute, current, None)
        if value is not None and attribute.multi_valued and current:
            wanted = canonical_value(attribute, value if isinstance(value, list) else [value])
            resource[attribute.name] = [e for e in current if not any(_same_element(e, w) for w in wanted)]
        else:
            resource.pop(attribute.name, None)
        return
    if attribute.multi_valued and not isinstance(value, list):
        value = [value]
    value = canonical_value(attribute, value)
    if attribute.multi_valued:
        check_writable(attribute, None if op == "add" else current, value)
        if op == "add":
            existing = list(current or [])
            resource[attribute.name] = existing + [v for v in value if v not in existing]
        else:
            resource[attribute.name] = value
    elif attribute.type == "complex" and not attribute.opaque:
        check_writable(attribute, current, value)
        resource[attribute.name] = {**(current or {}), **value}
    else:
        check_writable(attribute, current, value)
        resource[attribute.name] = value


def _apply_to_elements(resource, op, target, current, value):
    attribute, sub = target.attribute, target.sub
    if attribute.mutability == "readOnly":
        raise read_only(attribute.name)
    elements = current if isinstance(current, list) else ([current] if isinstance(current, dict) else [])
    selected = target.selected(elements)
    if target.filter is not None and not selected:
        raise ScimError(400, "No value of %s matches the path %s." % (attribute.name, target.text), "noTarget")
    if sub is not None:
        for element in selected:
            check_writable(sub, element.get(sub.name), value, attribute.name + ".")
            if op == "remove":
                element.pop(sub.name, None)
            else:
                element[sub.name] = canonical_value(sub, value)
        return
    if op == "remove":
        resource[attribute.name] = [e for e in elements if not any(e is s for s in selected)]
        return
    if op == "add":
        raise bad_request("Invalid path %s: add with a value filter needs a sub-attribute." % target.text, "invalidPath")
    replacement = canonical_value(attribute, value if isinstance(value, list) else [value])
    for element in selected:
        check_writable(attribute, element, replacement)
    resource[attribute.name] = [e for e in elements if not any(e is s for s in selected)] + replacement


def apply_patch(resource, operations, schema):
    """A copy of `resource` with the PatchOp `operations` applied (all or nothing)."""
    if not isinstance(operations, list) or not operations:
        raise bad_request("Operations must be a non-empty array.", "invalidSyntax")
    result = copy.deepcopy(resource)
    for operation in operations:
        _apply_operation(result, operation, schema)
    return result


def check_replacement(current, payload, schema):
    """PUT: the required readWrite attributes must be there; readOnly attributes, and immutable
    ones that already have a value, must not."""
    missing = [a.name for a in schema.attributes.values()
               if a.required and a.mutability == "readWrite" and payload.get(a.name) in (None, "", [])]
    if missing:
        raise missing_attributes(missing)
    for key, value in payload.items():
        attribute = schema.get(key)
        if attribute is not None:
            check_writable(attribute, current.get(attribute.name), value)


# -- reading --------------------------------------------------------------------------------------

ATTRIBUTE_SETS = ("all", "always", "never", "request", "default")


def parse_attribute_sets(values):
    """`attributeSets` (repeated, or comma separated), lower-cased and checked."""
    sets = [v.strip().lower() for value in values for v in value.split(",") if v.strip()]
    for name in sets:
        if name not in ATTRIBUTE_SETS:
            raise bad_request("Invalid attributeSets value %s; allowed values: %s." % (name, ", ".join(ATTRIBUTE_SETS)))
    return sets


def project(resource, schema, attributes=None, attribute_sets=(), hidden=()):
    """The attributes of `resource` that a read returns (SDK docs of `attributes`/`attributeSets`).

    Without either parameter: returned always and default. `attributes` names attributes (or
    `attr.sub`) to return besides the always ones; `attributeSets` adds every attribute of the named
    returned-kinds (`all`: every one but never). The two are united. `hidden` names top-level
    attributes withheld whatever is asked.
    """
    requested = {}
    for name in (attributes or "").split(","):
        name = name.strip()
        if name:
            top, sub = _split_path(name)
            attribute = schema.get(top)
            if attribute is not None:
                requested.setdefault(attribute.name, set()).update([sub.lower()] if sub else [])
    sets = set(attribute_sets)
    if not requested and not sets:
        sets = {"default"}
    if "all" in sets:
        sets |= {"always", "default", "request"}
    result = {}
    for key, value in resource.items():
        if key in hidden:
            continue
        attribute = schema.get(key)
        returned = attribute.returned if attribute else "default"
        if returned == "never":
            continue
        whole = key == "schemas" or returned == "always" or returned in sets
        if not whole and key not in requested:
            continue
        if attribute is not None and attribute.type == "complex" and not attribute.opaque:
            subs = set() if whole else requested[key]
            sub_sets = sets if whole or subs else sets | {"default"}
            value = _project_complex(value, attribute, sub_sets, subs)
        result[key] = copy.deepcopy(value)
    return result


def _project_complex(value, attribute, sets, subs):
    def keep(item):
        kept = {}
        for key, sub_value in item.items():
            sub = attribute.sub(key)
            returned = sub.returned if sub else "default"
            if returned == "always" or (not subs and returned in sets) or key.lower() in subs:
                kept[key] = sub_value
        return kept
    if isinstance(value, list):
        return [keep(item) for item in value]
    return keep(value)


def list_response(resources, schema, *, filter_text=None, sort_by=None, sort_order=None,
                  start_index=None, count=None, attributes=None, attribute_sets=(), hidden=(), decode_escapes=True):
    """A SCIM ListResponse of `resources` filtered, sorted and paged (RFC 7644 section 3.4.2).

    `count` defaults to 50 and is capped at 1000 (identity domains REST docs); `itemsPerPage` is
    the page size, as in the docs' example response.
    """
    if filter_text:
        tree = parse_filter(filter_text, decode_escapes)
        check_searchable(filter_text, tree, schema)
        resources = [r for r in resources if tree.matches(r, schema)]
    if sort_by:
        descending = (sort_order or "ascending").lower() == "descending"
        resources = sorted(resources, key=lambda r: _sort_key(r, sort_by, schema), reverse=descending)
    start = max(1, _integer(start_index, "startIndex", 1))
    size = min(MAX_COUNT, max(0, _integer(count, "count", DEFAULT_COUNT)))
    page = resources[start - 1:start - 1 + size]
    return {
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": len(resources),
        "Resources": [project(r, schema, attributes, attribute_sets, hidden) for r in page],
        "startIndex": start,
        "itemsPerPage": size,
    }


def _sort_key(resource, path, schema):
    values, attribute = _values(resource, path, schema)
    if not values:
        return (1, "")
    value = values[0]
    if isinstance(value, str) and not (attribute and attribute.case_exact):
        value = value.lower()
    return (0, str(value) if not isinstance(value, (int, float)) else "%020.6f" % value)


def _integer(value, name, default):
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request("Invalid value %s for %s: an integer is expected." % (value, name)) from None
