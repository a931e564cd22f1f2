"""requirements.txt holds what plugins/ imports (issue 16 item 6): no package the collection never imports, none
missing; the execution environment's definition takes its Python list from that file."""

import ast
import os
import re
import sys

import yaml

from conftest import ROOT

# A distribution's name where it differs from the module it installs.
DISTRIBUTION = {}


def _third_party_imports():
    names = set()
    for base, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(base, name)) as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    # ConfigParser: the Python 2 name, tried only when configparser is missing.
    ours = {"ansible", "ansible_collections", "__future__", "ConfigParser"}
    return set(DISTRIBUTION.get(n, n) for n in names if n not in sys.stdlib_module_names and n not in ours)


def _requirements(path):
    names = set()
    with open(path) as handle:
        for line in handle:
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                names.add(re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower())
    return names


def test_requirements_txt_is_what_the_plugins_import():
    assert _requirements(os.path.join(ROOT, "requirements.txt")) == _third_party_imports() == {"oci", "boto3", "botocore", "cryptography"}


def test_the_execution_environment_takes_requirements_txt():
    with open(os.path.join(ROOT, "meta", "execution-environment.yml")) as handle:
        ee = yaml.safe_load(handle)
    assert ee["dependencies"]["python"] == "requirements.txt"


def _minor(text):
    return tuple(int(part) for part in re.match(r"(\d+)\.(\d+)", text).groups())


def test_every_declared_ansible_core_that_python_3_11_runs_is_tested():
    """Issue 16 item 1: from meta/runtime.yml's floor to the ansible-core of requirements-test.txt (the newest that
    Python 3.11 runs), each minor release is in the Makefile's matrix, and the matrix holds nothing else."""
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        floor = _minor(re.match(r">=\s*(\S+)", yaml.safe_load(handle)["requires_ansible"]).group(1))
    with open(os.path.join(ROOT, "requirements-test.txt")) as handle:
        newest = _minor(re.search(r"^ansible-core>=(\S+),", handle.read(), re.M).group(1))
    with open(os.path.join(ROOT, "Makefile")) as handle:
        matrix = [_minor(v) for v in re.search(r"^CORE_VERSIONS \?= (.*)$", handle.read(), re.M).group(1).split()]
    assert floor[0] == newest[0] == 2
    assert matrix == [(2, minor) for minor in range(floor[1], newest[1])]
