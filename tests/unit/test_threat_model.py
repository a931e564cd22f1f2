"""The threat model (docs/docsite/rst/security.rst) names, per threat, the tests that check its control: each name
must be a test that exists, so that a renamed or deleted test, or a row that points at another row's tests, fails
here instead of leaving a threat unchecked."""

import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
THREAT_MODEL = os.path.join(ROOT, "docs", "docsite", "rst", "security.rst")
# ``file.py::test`` (a bare file name is one of tests/security), then ``::other_test`` of the same file.
REFERENCE = re.compile(r"``((?:[\w./-]+\.py)?)::(\w+)``")
ROW = re.compile(r"^   \* - (\d+[a-z]?)\. ", re.M)


def _rows():
    text = open(THREAT_MODEL, encoding="utf-8").read()
    starts = [(m.start(), m.group(1)) for m in ROW.finditer(text)]
    for index, (start, number) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        yield number, text[start:end]


def _tests_of(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _path(name):
    return os.path.join(ROOT, name) if "/" in name else os.path.join(ROOT, "tests", "security", name)


def test_every_threat_names_tests_that_exist():
    rows = list(_rows())
    assert len(rows) >= 20, "the threat table was not found in %s" % THREAT_MODEL
    missing = []
    for number, row in rows:
        references = REFERENCE.findall(row)
        if not references:
            missing.append("threat %s names no test" % number)
        current = None
        for name, test in references:
            current = name or current
            if current is None:
                missing.append("threat %s: ::%s has no file before it" % (number, test))
            elif not os.path.isfile(_path(current)):
                missing.append("threat %s: %s does not exist" % (number, current))
            elif test not in _tests_of(_path(current)):
                missing.append("threat %s: %s has no %s" % (number, current, test))
    assert not missing, "\n".join(missing)


def test_no_two_threats_name_the_same_tests():
    seen = {}
    for number, row in _rows():
        names = tuple(sorted(set(REFERENCE.findall(row))))
        assert names not in seen, "threats %s and %s name the same tests: one of them is not checked" % (seen[names], number)
        seen[names] = number
