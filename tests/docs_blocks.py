"""The YAML the documentation shows, as blocks to run (issue 16 item 2): every EXAMPLES block of every plugin, and
every block of the README, the roles' READMEs and the guides that is marked runnable.

Marker: the line just before the block says how to run it.

- Markdown: ``<!-- runnable: tasks -->`` (or ``playbook``) on the line before the opening fence (```yaml);
- reStructuredText: ``.. runnable: tasks`` (or ``playbook``), a comment, then a blank line and the code-block.

``tasks`` is a list of tasks, run in a play on localhost; ``playbook`` is a whole playbook. EXAMPLES blocks are tasks.
The only change a runner makes to a block is :data:`PLACEHOLDER_DOMAIN_URL` -> the sandbox's domain URL (its
endpoint); the sandbox's CA and endpoints come from the environment, the federation's values as the variables the
block names.
"""

import ast
import os
import re
import subprocess
from collections import namedtuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLACEHOLDER_DOMAIN_URL = "https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com"
# The collections a block may use without being skipped: ours and ansible-core's own.
ALWAYS_THERE = ("multicloud.oci_aws", "ansible.builtin")

Block = namedtuple("Block", "source line kind text")

_MD_MARKER = re.compile(r"^<!-- runnable: (tasks|playbook) -->\s*$")
_RST_MARKER = re.compile(r"^\.\. runnable: (tasks|playbook)\s*$")
_RST_CODE = re.compile(r"^(\s*)\.\. code-block:: yaml(\+jinja)?\s*$")
_FQCN = re.compile(r"""(?:^|[\s'"(/])([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*(?=[:'"#)])""", re.M)


def plugin_examples(root=ROOT):
    """One block per plugin file with EXAMPLES (modules, lookups, ...), in file order."""
    blocks = []
    plugins = os.path.join(root, "plugins")
    for kind in sorted(os.listdir(plugins)):
        if kind in ("module_utils", "plugin_utils", "doc_fragments") or not os.path.isdir(os.path.join(plugins, kind)):
            continue
        for name in sorted(os.listdir(os.path.join(plugins, kind))):
            if not name.endswith(".py") or name.startswith("_"):
                continue
            path = os.path.join(plugins, kind, name)
            with open(path) as handle:
                tree = ast.parse(handle.read())
            for node in tree.body:
                if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["EXAMPLES"]:
                    blocks.append(Block(os.path.relpath(path, root), node.lineno, "tasks", node.value.value))
    return blocks


def marked_blocks(path, root=ROOT):
    """The blocks of one Markdown or reStructuredText file that carry the runnable marker."""
    with open(path) as handle:
        lines = handle.read().splitlines()
    source = os.path.relpath(path, root)
    blocks = []
    index = 0
    while index < len(lines):
        md, rst = _MD_MARKER.match(lines[index]), _RST_MARKER.match(lines[index])
        if md:
            opening = index + 1
            if opening >= len(lines) or not lines[opening].startswith("```yaml"):
                raise ValueError("%s:%d: a runnable marker must come just before a ```yaml fence" % (source, index + 1))
            end = next((i for i in range(opening + 1, len(lines)) if lines[i].startswith("```")), None)
            if end is None:
                raise ValueError("%s:%d: the fence is never closed" % (source, opening + 1))
            blocks.append(Block(source, opening + 2, md.group(1), "\n".join(lines[opening + 1:end]) + "\n"))
            index = end
        elif rst:
            code = index + 1
            while code < len(lines) and not lines[code].strip():
                code += 1
            head = _RST_CODE.match(lines[code]) if code < len(lines) else None
            if not head:
                raise ValueError("%s:%d: a runnable marker must come just before a yaml code-block" % (source, index + 1))
            body, i = [], code + 1
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(head.group(1))):
                body.append(lines[i])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            while body and not body[0].strip():
                body.pop(0)
            indent = min(len(line) - len(line.lstrip()) for line in body if line.strip())
            blocks.append(Block(source, code + 2, rst.group(1), "\n".join(line[indent:] for line in body) + "\n"))
            index = i - 1
        index += 1
    return blocks


def documents(root=ROOT):
    """The README, the roles' READMEs and the guides."""
    paths = [os.path.join(root, "README.md")]
    roles = os.path.join(root, "roles")
    paths += [os.path.join(roles, name, "README.md") for name in sorted(os.listdir(roles))
              if os.path.isfile(os.path.join(roles, name, "README.md"))]
    rst = os.path.join(root, "docs", "docsite", "rst")
    paths += [os.path.join(rst, name) for name in sorted(os.listdir(rst)) if name.endswith(".rst")]
    return paths


def all_blocks(root=ROOT):
    blocks = plugin_examples(root)
    for path in documents(root):
        blocks.extend(marked_blocks(path, root))
    return blocks


def collections_used(block):
    """The collections a block's tasks, module_defaults groups and lookups name (``namespace.name``)."""
    return set(_FQCN.findall(block.text.replace("group/", " ")))


def missing_collections(block, installed):
    """The collections a block needs that are neither ours, ansible-core's, nor in ``installed``."""
    return sorted(c for c in collections_used(block) if c not in ALWAYS_THERE and c not in installed)


def playbook_text(block, domain_url=PLACEHOLDER_DOMAIN_URL):
    """The block as a playbook, with the placeholder domain URL replaced by ``domain_url``."""
    text = block.text.replace(PLACEHOLDER_DOMAIN_URL, domain_url)
    if block.kind == "playbook":
        return text
    indented = "\n".join(("      " + line) if line.strip() else "" for line in text.splitlines())
    return "- name: %s:%d\n  hosts: localhost\n  gather_facts: false\n  tasks:\n%s\n" % (block.source, block.line, indented)


def run(block, directory, command, env, *args, domain_url=PLACEHOLDER_DOMAIN_URL, timeout=600):
    """``ansible-playbook`` (``command``: its path, or a list that ends with it) on the block; the CompletedProcess.
    Its failure names the block."""
    path = os.path.join(str(directory), "block.yml")
    with open(path, "w") as handle:
        handle.write(playbook_text(block, domain_url))
    command = list(command) if isinstance(command, (list, tuple)) else [command]
    return subprocess.run(command + [path, "-i", "localhost,", "-c", "local"] + list(args), env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
