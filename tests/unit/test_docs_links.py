"""The documentation that ships in the collection tarball links only to what the tarball holds.

"Shipped" is what ``ansible-galaxy collection build`` keeps of the checkout: ansible-galaxy's own
ignore list plus ``build_ignore`` of galaxy.yml, each pattern matched with ``fnmatch`` against the
path (relative to the collection root) of every directory and file on the way down, as
``ansible.galaxy.collection._build_files_manifest_walk`` does. The shipped documentation is every
shipped Markdown and reStructuredText file, and the DOCUMENTATION of plugins and role argument
specs. A relative link of one of them must name a shipped file (an installed collection has
nothing else); a contributor file is linked with an absolute GitHub URL, which must name a file of
this repository.
"""

import ast
import fnmatch
import io
import os
import posixpath
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCSITE = "docs/docsite"
LABEL_PREFIX = "ansible_collections.multicloud.oci_aws."
DOCSITE_LABEL_PREFIX = LABEL_PREFIX + "docsite."

# ansible-galaxy's own patterns and directories (ansible/galaxy/collection/__init__.py), before build_ignore.
GALAXY_DEFAULT_IGNORE = ["MANIFEST.json", "FILES.json", "galaxy.yml", "galaxy.yaml", ".git", "*.pyc", "*.retry",
                         "tests/output", "{namespace}-{name}-*.tar.gz"]
GALAXY_IGNORE_DIRS = frozenset(["CVS", ".bzr", ".hg", ".git", ".svn", "__pycache__", ".tox"])

# Documents another change is writing while this test lands: a link to one of them is accepted while it does not
# exist. test_awaited_documents_are_still_missing fails once it exists, so that the entry is removed then.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def galaxy():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def shipped_paths(root=ROOT, meta=None):
    """``(files, directories)`` that the collection tarball holds, as POSIX paths relative to ``root``."""
    meta = meta or galaxy()
    patterns = [p.format(namespace=meta["namespace"], name=meta["name"]) for p in GALAXY_DEFAULT_IGNORE]
    patterns += [os.path.normpath(p) for p in meta.get("build_ignore") or []]

    def ignored(rel):
        return any(fnmatch.fnmatch(rel, pattern) for pattern in patterns)

    files, dirs = set(), set()
    for current, subdirs, names in os.walk(root):
        base = os.path.relpath(current, root)
        base = "" if base == "." else base
        kept = []
        for name in sorted(subdirs):
            rel = os.path.join(base, name)
            if name in GALAXY_IGNORE_DIRS or ignored(rel):
                continue
            kept.append(name)
            dirs.add(rel.replace(os.sep, "/"))
        subdirs[:] = kept
        for name in names:
            rel = os.path.join(base, name)
            if not ignored(rel):
                files.add(rel.replace(os.sep, "/"))
    return files, dirs


# -- finding links -------------------------------------------------------------------------------------------------

_MD_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MD_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_MD_INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s<>]+(?:\([^()\s]*\))?)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_MD_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_HTML_LINK = re.compile(r"<(?:a|img|link|source)\b[^>]*?\s(?:href|src)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_links(text):
    """``(line, target)`` of every link, image and reference definition outside code."""
    found = []
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        opening = _MD_FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        prose = _MD_CODE_SPAN.sub("", line)
        found.extend((number, m.group(1)) for m in _MD_INLINE.finditer(prose))
        found.extend((number, m.group(1)) for m in _MD_REFERENCE.finditer(prose))
        found.extend((number, m.group(1)) for m in _HTML_LINK.finditer(prose))
    return found


def github_slug(heading):
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def markdown_anchors(text):
    anchors, seen = set(), {}
    fence = None
    for line in text.splitlines():
        opening = _MD_FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0]:
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            slug = github_slug(heading.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if count == 0 else "%s-%d" % (slug, count))
    return anchors


_RST_LITERAL_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+(?:code-block|code|sourcecode|literalinclude-text)::")
_RST_INLINE_LITERAL = re.compile(r"``.+?``")
_RST_EMBEDDED = re.compile(r"`[^`<]*<([^<>`]+)>`_{1,2}")
_RST_TARGET = re.compile(r"^\s*\.\.\s+_[^:]+:\s+(\S.*?)\s*$")
_RST_FILE_DIRECTIVE = re.compile(r"^\s*\.\.\s+(?:include|literalinclude|image|figure)::\s+(\S+)")
_RST_DOC_ROLE = re.compile(r":doc:`(?:[^`<]*<([^>`]+)>|([^`<>]+))`")
_RST_REF_ROLE = re.compile(r":ref:`(?:[^`<]*<([^>`]+)>|([^`<>]+))`")
_RST_LABEL = re.compile(r"^\.\.\s+_([^:`]+):\s*$")


def _rst_prose(text):
    """``(line, text)`` of the lines outside literal blocks and code directives, inline literals removed."""
    lines = text.splitlines()
    block_indent = None
    for number, line in enumerate(lines, 1):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        directive = _RST_LITERAL_DIRECTIVE.match(line)
        if directive:
            block_indent = len(directive.group(1))
            continue
        if line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            block_indent = indent
        yield number, _RST_INLINE_LITERAL.sub("", line)


def rst_links(text):
    """``(line, kind, target)``: ``kind`` is ``uri`` (embedded, targets, file directives), ``doc`` or ``ref``."""
    found = []
    for number, line in _rst_prose(text):
        for match in _RST_EMBEDDED.finditer(line):
            if not match.group(1).endswith("_"):  # `text <name_>`_ refers to another target, not a URI
                found.append((number, "uri", match.group(1)))
        for regex, kind in ((_RST_TARGET, "uri"), (_RST_FILE_DIRECTIVE, "uri")):
            match = regex.match(line)
            if match and not match.group(1).endswith("_"):
                found.append((number, kind, match.group(1)))
        found.extend((number, "doc", m.group(1) or m.group(2)) for m in _RST_DOC_ROLE.finditer(line))
        found.extend((number, "ref", (m.group(1) or m.group(2)).strip()) for m in _RST_REF_ROLE.finditer(line))
    return found


def rst_labels(text):
    return set(m.group(1) for m in (_RST_LABEL.match(line) for line in text.splitlines()) if m)


_DOC_LINKS = (re.compile(r"\bL\([^,()]*,\s*([^)\s]+)\s*\)"), re.compile(r"\bU\(([^)\s]+)\)"),
              re.compile(r"^\s*link:\s*(\S+)\s*$", re.MULTILINE))


def plugin_doc_links(text):
    """Every L(), U() and seealso link: of a DOCUMENTATION text."""
    return [m.group(1) for regex in _DOC_LINKS for m in regex.finditer(text)]


def documentation_strings(source):
    """The values of every DOCUMENTATION assignment of a Python file (module level or class level)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            if any(isinstance(t, ast.Name) and t.id == "DOCUMENTATION" for t in node.targets):
                found.append(node.value.value)
    return found


# -- checking them -------------------------------------------------------------------------------------------------

class Tree(object):
    """The shipped files of a checkout, and what a link to them must satisfy."""

    def __init__(self, root=ROOT, files=None, dirs=None, meta=None):
        self.root = root
        self.meta = meta or galaxy()
        if files is None:
            files, dirs = shipped_paths(root, self.meta)
        self.files, self.dirs = set(files), set(dirs or ())
        self.github = self.meta["repository"].rstrip("/")

    def read(self, rel):
        with open(os.path.join(self.root, rel), encoding="utf-8") as handle:
            return handle.read()

    def docs(self, suffix):
        return sorted(f for f in self.files if f.endswith(suffix))

    def _missing_or_unshipped(self, rel):
        if rel in self.files or rel.rstrip("/") in self.dirs:
            return None
        if os.path.exists(os.path.join(self.root, rel)):
            return "exists in the checkout but is not shipped (galaxy.yml build_ignore): link it as %s/blob/main/%s" % (
                self.github, rel)
        return "does not exist"

    def check_target(self, source, target, anchors=None):
        """The problem with ``target`` linked from the shipped file ``source``, or None."""
        if target.startswith(self.github + "/"):
            match = re.match(r"^/(?:blob|tree)/[^/]+/([^#?]+)", target[len(self.github):])
            if match and not os.path.exists(os.path.join(self.root, match.group(1))):
                return "names %s, which this repository does not have" % match.group(1)
            return None
        if _SCHEME.match(target) or target.startswith("//"):
            return None
        path, _sep, anchor = target.partition("#")
        path = path.split("?", 1)[0]
        if not path:
            if anchor and anchors is not None and source.endswith(".md") and anchor not in anchors(source):
                return "no heading of %s has the anchor #%s" % (source, anchor)
            return None
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if rel == ".." or rel.startswith("../") or posixpath.isabs(path):
            return "points outside the collection"
        problem = self._missing_or_unshipped(rel)
        if problem is None and anchor and anchors is not None and rel.endswith(".md") and rel in self.files:
            if anchor not in anchors(rel):
                return "no heading of %s has the anchor #%s" % (rel, anchor)
        return problem

    def markdown_anchors(self, rel):
        return markdown_anchors(self.read(rel))

    def labels(self):
        labels = {}
        for rel in self.docs(".rst"):
            for label in rst_labels(self.read(rel)):
                labels[label] = rel
        return labels

    def check_ref(self, label, labels):
        if not label.startswith(LABEL_PREFIX):
            return None  # another collection's or ansible-core's label
        if label.startswith(DOCSITE_LABEL_PREFIX):
            if label in labels:
                return None
            return "no shipped document defines the label"
        name, _sep, kind = label[len(LABEL_PREFIX):].rpartition("_")
        where = {"module": "plugins/modules/%s.py", "lookup": "plugins/lookup/%s.py", "role": "roles/%s/meta/argument_specs.yml"}
        if kind not in where:
            return "is neither a docsite label nor a module, lookup or role of the collection"
        return None if where[kind] % name in self.files else "names a %s that the collection does not ship" % kind

    def problems(self):
        """``source:line: target: problem`` for every broken link of the shipped documentation."""
        found = []
        for rel in self.docs(".md"):
            for line, target in markdown_links(self.read(rel)):
                problem = self.check_target(rel, target, self.markdown_anchors)
                if problem:
                    found.append("%s:%d: %s: %s" % (rel, line, target, problem))
        labels = self.labels()
        for rel in self.docs(".rst"):
            for line, kind, target in rst_links(self.read(rel)):
                if kind == "ref":
                    problem = self.check_ref(target, labels)
                elif kind == "doc":
                    doc = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(rel), target)
                    problem = self.check_target("", posixpath.normpath(doc) + ".rst")
                else:
                    problem = self.check_target(rel, target)
                if problem:
                    found.append("%s:%d: %s: %s" % (rel, line, target, problem))
        links = DOCSITE + "/links.yml"
        if links in self.files:
            for number, line in enumerate(self.read(links).splitlines(), 1):
                for target in re.findall(r"\burl:\s*(\S+)", line):
                    problem = self.check_target(links, target)
                    if problem:
                        found.append("%s:%d: %s: %s" % (links, number, target, problem))
        return found


@pytest.fixture(scope="module")
def tree():
    return Tree()


def test_shipped_docs_link_only_to_shipped_files(tree):
    """Every relative link of a shipped .md or .rst file names a file of the tarball, every anchor a heading."""
    assert tree.docs(".md"), "no shipped Markdown found: is the collection root %s?" % ROOT
    problems = tree.problems()
    assert not problems, "links that an installed collection cannot follow:\n" + "\n".join(problems)


def test_contributor_files_are_not_shipped(tree):
    """What a user's copy cannot run stays out of the tarball, so the README cannot link it relatively."""
    for rel in ("Makefile", "CONTRIBUTING.md", "bench/README.md", "sandbox/README.md", "sandbox/pyproject.toml",
                "sandbox/src/oci_aws_sandbox/handle.py", "tests/utils/run-tests.sh"):
        assert rel not in tree.files, rel
    for rel in ("README.md", "LICENSE", "CHANGELOG.rst", "docs/docsite/extra-docs.yml", "docs/docsite/links.yml",
                "docs/docsite/rst/credentials_guide.rst", "roles/oci_oidc_provider/README.md"):
        assert rel in tree.files, rel


CONTRIBUTOR_DOCS = ("CONTRIBUTING.md", "bench/README.md", "sandbox/README.md")


def test_contributor_docs_link_to_files_of_the_checkout(tree):
    """CONTRIBUTING.md and the other unshipped guides are read in the repository: their relative links name its files."""
    found = []
    for rel in CONTRIBUTOR_DOCS:
        if not os.path.exists(os.path.join(ROOT, rel)):
            continue
        for line, target in markdown_links(tree.read(rel)):
            path = target.partition("#")[0]
            if not path or _SCHEME.match(path):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
            if not os.path.exists(os.path.join(ROOT, resolved)):
                found.append("%s:%d: %s does not exist" % (rel, line, target))
    assert os.path.exists(os.path.join(ROOT, "CONTRIBUTING.md"))
    assert not found, "\n".join(found)


def test_plugin_and_role_docs_link_absolutely(tree):
    """ansible-doc and the docsite render L(), U() and seealso links as they are: they must be absolute https URLs."""
    found = []
    for rel in sorted(f for f in tree.files if f.startswith("plugins/") and f.endswith(".py")):
        for text in documentation_strings(tree.read(rel)):
            found.extend((rel, link) for link in plugin_doc_links(text))
    for rel in sorted(f for f in tree.files if re.match(r"^roles/[^/]+/meta/argument_specs\.ya?ml$", f)):
        found.extend((rel, link) for link in plugin_doc_links(tree.read(rel)))
    assert found, "no link found in any DOCUMENTATION: the finder is broken"
    bad = ["%s: %s" % (rel, link) for rel, link in found if not link.startswith("https://")]
    assert not bad, "links that are not absolute https URLs:\n" + "\n".join(bad)


def test_extra_docs_index_lists_every_guide(tree):
    """docs/docsite/extra-docs.yml as antsibull-docs reads it: sections with a title and a toctree of existing guides."""
    index = yaml.safe_load(tree.read(DOCSITE + "/extra-docs.yml"))
    listed = []
    for number, section in enumerate(index["sections"]):
        assert section.get("title"), "section %d has no title" % number
        assert isinstance(section.get("toctree"), list) and section["toctree"], "section %d has no toctree list" % number
        for entry in section["toctree"]:
            ref = entry["ref"] if isinstance(entry, dict) else entry
            listed.append(ref)
            assert tree.check_target("", "%s/rst/%s.rst" % (DOCSITE, ref)) is None, "toctree entry %s has no document" % ref
    guides = [posixpath.splitext(rel[len(DOCSITE + "/rst/"):])[0] for rel in tree.docs(".rst")
              if rel.startswith(DOCSITE + "/rst/")]
    assert sorted(set(guides) - set(listed)) == [], "guides missing from extra-docs.yml"
    assert len(listed) == len(set(listed)), "a guide is listed twice"


def test_docsite_labels_have_the_collection_prefix(tree):
    """antsibull-docs lint-collection-docs: every label of docs/docsite/rst starts with the collection's prefix."""
    guides = [rel for rel in tree.docs(".rst") if rel.startswith(DOCSITE + "/rst/")]
    assert guides
    for rel in guides:
        labels = rst_labels(tree.read(rel))
        assert labels, "%s defines no label to link it by" % rel
        assert all(label.startswith(DOCSITE_LABEL_PREFIX) for label in labels), (rel, labels)


def test_docsite_rst_parses_without_warnings(tree):
    """Each guide is valid reStructuredText (docutils at warning level; Sphinx's and antsibull's roles stubbed)."""
    docutils_core = pytest.importorskip("docutils.core")
    from docutils.parsers.rst import roles  # pylint: disable=import-outside-toplevel
    from docutils import nodes  # pylint: disable=import-outside-toplevel

    def stub(name, rawtext, text, lineno, inliner, options=None, content=None):  # pylint: disable=unused-argument
        return [nodes.literal(rawtext, text)], []

    for name in ("ref", "doc", "ansplugin", "ansopt", "ansretval", "ansval", "ansenvvar", "envvar"):
        roles.register_local_role(name, stub)
    guides = [rel for rel in tree.docs(".rst") if rel.startswith(DOCSITE + "/rst/")]
    assert guides
    for rel in guides:
        stream = io.StringIO()
        docutils_core.publish_doctree(tree.read(rel), source_path=rel, settings_overrides={
            "report_level": 2, "halt_level": 5, "warning_stream": stream, "file_insertion_enabled": False})
        assert stream.getvalue() == "", "%s:\n%s" % (rel, stream.getvalue())


# -- the finder itself, on the kinds of links the shipped files use -----------------------------------------------

def _sample_tree(tmp_path, files):
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    meta = {"namespace": "multicloud", "name": "oci_aws", "repository": "https://github.com/multicloud/oci_aws",
            "build_ignore": ["bench", "tests", "Makefile", "CONTRIBUTING.md"]}
    return Tree(root=str(tmp_path), meta=meta)


def test_finder_reports_the_links_of_the_0_1_0_readme(tmp_path):
    """The README of 0.1.0 linked bench/results.md and bench/README.md, which build_ignore leaves out."""
    sample = _sample_tree(tmp_path, {
        "README.md": "# T\n\n## Performance\n\nIt writes it to\n[`bench/results.md`](bench/results.md), and\n"
                     "[`bench/README.md`](bench/README.md \"how\") says how. See [LICENSE](LICENSE) and [up](#performance).\n"
                     "Not a link: `[x](tests/x.py)`\n\n```yaml\n[y](tests/y.py)\n```\n[gone](docs/none.md) "
                     "[anchor](#nowhere) [gh](https://github.com/multicloud/oci_aws/blob/main/tests/missing.py)\n",
        "LICENSE": "GPL\n", "bench/README.md": "b\n", "bench/results.md": "r\n",
    })
    problems = sample.problems()
    assert [p.split(": ", 1)[0] for p in problems] == [
        "README.md:6", "README.md:7", "README.md:13", "README.md:13", "README.md:13"], problems
    assert "bench/results.md: exists in the checkout but is not shipped" in problems[0]
    assert "https://github.com/multicloud/oci_aws/blob/main/bench/README.md" in problems[1]
    assert problems[2].endswith("does not exist")
    assert "#nowhere" in problems[3]
    assert "tests/missing.py, which this repository does not have" in problems[4]


def test_finder_reads_rst_links_and_skips_literal_blocks(tmp_path):
    sample = _sample_tree(tmp_path, {
        "docs/docsite/rst/a.rst": ".. _ansible_collections.multicloud.oci_aws.docsite.a:\n\nA\n=\n\n"
                                  "See `the bench <../../../bench/README.md>`_ and :ref:`b "
                                  "<ansible_collections.multicloud.oci_aws.docsite.b>`, :ref:`x "
                                  "<ansible_collections.multicloud.oci_aws.nothing_module>`.\n\n"
                                  ".. code-block:: yaml\n\n    `not <tests/x.py>`_\n\nExample::\n\n    `no <tests/y>`_\n\n"
                                  ".. _licence: ../../../LICENSE\n",
        "LICENSE": "GPL\n", "bench/README.md": "b\n",
    })
    problems = sample.problems()
    assert len(problems) == 3, problems
    assert problems[0].startswith("docs/docsite/rst/a.rst:6: ../../../bench/README.md: exists in the checkout")
    assert "docsite.b: no shipped document defines the label" in problems[1]
    assert "nothing_module: names a module that the collection does not ship" in problems[2]


def test_shipped_paths_apply_build_ignore_like_ansible_galaxy(tmp_path):
    sample = _sample_tree(tmp_path, {"a/__pycache__/x.pyc": "", "tests/unit/t.py": "", "Makefile": "", "plugins/x.py": "",
                                     "multicloud-oci_aws-0.1.0.tar.gz": "", "galaxy.yml": "", "docs/a.rst": ""})
    assert sorted(sample.files) == ["docs/a.rst", "plugins/x.py"]
    assert "tests" not in sample.dirs and "plugins" in sample.dirs


def test_the_aap_and_ee_files_ship_and_the_molecule_scenarios_do_not():
    """extensions/ee (the execution environment definition) and extensions/aap (the custom credential type) are for
    users of the installed collection: the README and the AAP guide point them there (issue 16 item 5). 0.1.0's
    build_ignore left out all of extensions/, so an installed copy had neither. The molecule scenarios need the
    checkout's sandbox: test machinery, not shipped."""
    files, dirs = shipped_paths()
    for path in ("extensions/ee/execution-environment.yml", "extensions/ee/requirements.yml",
                 "extensions/aap/credential_type.yml"):
        assert path in files, "%s is not shipped (galaxy.yml build_ignore)" % path
    assert not [path for path in files if path.startswith("extensions/molecule/")]
    assert "extensions/molecule" not in dirs
