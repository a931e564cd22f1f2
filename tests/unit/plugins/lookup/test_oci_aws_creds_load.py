"""How Ansible loads the lookup in a worker: the module, once run, carries only its option definitions
(JSON, fragments merged, no descriptions) in DOCUMENTATION, so the loader parses no doc fragment;
ansible-doc still shows the full documentation of the source. The definitions must stay equal to it.

Regenerate ``_CONFIG_DEFINITIONS`` after a change to the lookup's options or their fragments with the
JSON that ``_documented_definitions`` computes (the failing assertion prints it).
"""

import ast
import json
import os
import subprocess
import sys

import pytest

from conftest import COLLECTIONS_BASE

LOOKUP = "multicloud.oci_aws.oci_aws_creds"
SOURCE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "lookup", "oci_aws_creds.py")
BIN = os.path.dirname(sys.executable)
NOT_CONFIG = ("description", "version_added", "version_added_collection")


def _source_literal(name):
    with open(SOURCE) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError("%s not assigned in %s" % (name, SOURCE))


@pytest.fixture(scope="module")
def shown():
    """ansible-doc's JSON of the lookup (fragments merged), as a user sees it."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE, ANSIBLE_NOCOLOR="1")
    out = subprocess.run([os.path.join(BIN, "ansible-doc"), "--json", "-t", "lookup", LOOKUP], env=env,
                         capture_output=True, text=True, check=True, timeout=120)
    assert out.stderr == ""  # no warning: the documentation is read from the source as before
    return json.loads(out.stdout)[LOOKUP]["doc"]


def _documented_definitions(doc):
    return dict((name, dict((k, v) for k, v in option.items() if k not in NOT_CONFIG))
                for name, option in doc["options"].items())


def test_the_loaded_definitions_equal_the_documented_options(shown):
    compact = json.loads(_source_literal("_CONFIG_DEFINITIONS"))
    expected = _documented_definitions(shown)
    assert compact == {"options": expected}, json.dumps({"options": expected}, sort_keys=True, separators=(",", ":"))


def test_the_source_keeps_the_full_documentation(shown):
    text = _source_literal("DOCUMENTATION")
    assert "extends_documentation_fragment" in text
    assert shown["options"]["cache_dir"]["description"][0].startswith("The cache directory")
    assert len(shown["options"]) >= 20


PROBE = r"""
import json, sys
from ansible import constants as C
from ansible.plugins import loader
loader.init_plugin_loader([sys.argv[1]])
fragments = []
real_get = loader.fragment_loader.get
loader.fragment_loader.get = lambda name, *a, **k: fragments.append(name) or real_get(name, *a, **k)
already = set(sys.modules)
plugin = loader.lookup_loader.get(sys.argv[2])
assert plugin is not None
defs = C.config.get_configuration_definitions("lookup", plugin._load_name)
heavy = sorted(m for m in ("boto3", "botocore", "oci", "urllib.request", "http.client", "ssl",
                            "ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection",
                            "ansible_collections.multicloud.oci_aws.plugins.module_utils._urls")
               if m in sys.modules and m not in already)
print(json.dumps({"fragments": fragments, "definitions": defs, "heavy": heavy}, default=str))
"""


def test_a_worker_loads_the_plugin_without_doc_fragments_and_with_every_option(shown):
    out = subprocess.run([sys.executable, "-c", PROBE, COLLECTIONS_BASE, LOOKUP], capture_output=True, text=True,
                         check=True, timeout=120, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE))
    loaded = json.loads(out.stdout)
    assert loaded["fragments"] == []  # before: the five fragments of extends_documentation_fragment, parsed as YAML
    assert loaded["heavy"] == []  # no SDK, no urllib.request nor ssl, not the AWS connection code
    definitions = loaded["definitions"]
    assert set(definitions) == set(shown["options"])
    for name, option in _documented_definitions(shown).items():
        for key in ("type", "default", "env", "ini", "vars", "aliases", "required", "elements", "choices"):
            assert definitions[name].get(key) == option.get(key), (name, key)
    assert definitions["cache"]["default"] is True and definitions["cache_refresh_margin"]["default"] == 600
