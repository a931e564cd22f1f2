"""Write the Sphinx inventory of the Ansible documentation labels that antsibull-docs' pages link to.

The docsite build (tests/utils/run-tests.sh docs) has no network, so intersphinx cannot fetch docs.ansible.com's
objects.inv; this file gives the labels the generated pages use, with their real addresses, so that the build
resolves them and stays free of warnings. A label missing here makes the build fail with "undefined label": add it.

Usage: python ansible_docs_inventory.py <objects.inv to write>
"""

import sys
import zlib

LABELS = {
    # label: (page and anchor under https://docs.ansible.com/projects/ansible/devel/, title)
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings",
                                       "Ansible Configuration Settings"),
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
}


def main(path):
    lines = "".join("%s std:label -1 %s %s\n" % (name, uri, title) for name, (uri, title) in sorted(LABELS.items()))
    header = b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n" \
             b"# The remainder of this file is compressed using zlib.\n"
    with open(path, "wb") as handle:
        handle.write(header + zlib.compress(lines.encode("utf-8")))


if __name__ == "__main__":
    main(sys.argv[1])
