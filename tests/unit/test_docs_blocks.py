"""The extractor of the documentation's runnable YAML (tests/docs_blocks.py): it finds every EXAMPLES block and every
marked block, refuses a marker without a block, and a broken block fails the run that the end-to-end test makes."""

import os
import sys

import pytest

import docs_blocks
from conftest import COLLECTIONS_BASE, ROOT


def _plugin_files_with_examples():
    found = []
    for base, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(base, name)) as handle:
                    if "\nEXAMPLES = " in handle.read():
                        found.append(os.path.relpath(os.path.join(base, name), ROOT))
    return sorted(found)


def test_every_plugin_with_examples_gives_one_block():
    blocks = docs_blocks.plugin_examples()
    assert sorted(b.source for b in blocks) == _plugin_files_with_examples()
    assert all(b.kind == "tasks" and b.text.strip().startswith("- name:") for b in blocks)


def test_marked_blocks_of_markdown_and_rst(tmp_path):
    md = tmp_path / "a.md"
    md.write_text("x\n<!-- runnable: tasks -->\n```yaml\n- ansible.builtin.debug: {msg: one}\n```\n\n"
                  "```yaml\n- not: marked\n```\n")
    rst = tmp_path / "b.rst"
    rst.write_text("T\n=\n\n.. runnable: playbook\n\n.. code-block:: yaml+jinja\n\n    - hosts: all\n      tasks: []\n\n"
                   "after\n\n.. code-block:: yaml\n\n    - not: marked\n")
    assert docs_blocks.marked_blocks(str(md), str(tmp_path)) == [
        docs_blocks.Block("a.md", 4, "tasks", "- ansible.builtin.debug: {msg: one}\n")]
    assert docs_blocks.marked_blocks(str(rst), str(tmp_path)) == [
        docs_blocks.Block("b.rst", 7, "playbook", "- hosts: all\n  tasks: []\n")]


@pytest.mark.parametrize("text", ["<!-- runnable: tasks -->\nno block here\n", ".. runnable: tasks\n\nplain text\n"])
def test_a_marker_without_a_block_is_an_error(tmp_path, text):
    path = tmp_path / ("c.md" if text.startswith("<") else "c.rst")
    path.write_text(text)
    with pytest.raises(ValueError, match="runnable marker must come just before"):
        docs_blocks.marked_blocks(str(path), str(tmp_path))


def test_the_docs_have_marked_blocks():
    sources = set(b.source for b in docs_blocks.all_blocks() if not b.source.startswith("plugins/"))
    assert {"README.md", "docs/docsite/rst/aap_guide.rst", "docs/docsite/rst/credentials_guide.rst"} <= sources


def test_collections_used():
    text = ("- module_defaults:\n    group/amazon.aws.aws: {}\n  block:\n"
            "    - amazon.aws.s3_object_info: {bucket_name: b}\n"
            "    - ansible.builtin.debug:\n        msg: \"{{ lookup('multicloud.oci_aws.oci_aws_creds') }}\"\n")
    block = docs_blocks.Block("x", 1, "tasks", text)
    assert docs_blocks.collections_used(block) == {"amazon.aws", "ansible.builtin", "multicloud.oci_aws"}
    assert docs_blocks.missing_collections(block, installed=()) == ["amazon.aws"]


def _env(tmp_path):
    """A run's environment, with a HOME of its own (Ansible's module-side ~ and ~/.ansible follow $HOME)."""
    (tmp_path / "home").mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(tmp_path / "home"), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_BASE, ANSIBLE_HOME=str(tmp_path / "ansible"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    return env


def _playbook_command():
    return os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


@pytest.mark.parametrize("broken, words", [
    ("- name: a module that does not exist\n  multicloud.oci_aws.oci_no_such_module:\n    domain_url: x\n",
     "oci_no_such_module"),
    ("- name: YAML that does not parse\n  multicloud.oci_aws.oci_token_policy:\n    domain_url: [x\n", "block.yml"),
    ("- name: an option the module does not have\n  multicloud.oci_aws.oci_token_policy:\n    domain_url: https://x.example.com\n"
     "    no_such_option: 1\n",
     "no_such_option"),
])
def test_a_broken_block_fails_its_run(tmp_path, broken, words):
    """What the end-to-end run does with every block, on a deliberately broken one: it fails, naming the fault."""
    block = docs_blocks.Block("plugins/modules/broken.py", 1, "tasks", broken)
    done = docs_blocks.run(block, tmp_path, _playbook_command(), _env(tmp_path))
    assert done.returncode != 0
    assert words in done.stdout + done.stderr


def test_a_good_block_passes_its_run(tmp_path):
    block = docs_blocks.Block("x.md", 1, "tasks", "- name: fine\n  ansible.builtin.debug:\n    msg: ok\n")
    done = docs_blocks.run(block, tmp_path, _playbook_command(), _env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_roles_examples_are_marked_runnable():
    """The roles' README examples that stand alone run in the docs run (oci_aws_federation's needs site.yml's vars
    file, and site.yml runs in the installed suite)."""
    sources = {b.source for b in docs_blocks.all_blocks()}
    assert {"roles/aws_oidc_trust/README.md", "roles/oci_oidc_provider/README.md"} <= sources
