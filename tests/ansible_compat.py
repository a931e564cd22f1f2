"""What the tests need from ansible-core, on every release of the support matrix (README.md): 2.16 to 2.19.

ansible-core 2.19 has ``ansible.module_utils.testing.patch_module_args``; before it, a module's arguments were put
where ``AnsibleModule`` reads them, ``basic._ANSIBLE_ARGS``, which is what this fallback does.
"""

import contextlib
import json

try:
    from ansible.module_utils.testing import patch_module_args  # noqa: F401 pylint: disable=unused-import
except ImportError:  # ansible-core before 2.19
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """The module arguments ``args`` for the AnsibleModule made inside the ``with`` block."""
        args = dict(args or {})
        args.setdefault("_ansible_remote_tmp", "/tmp")
        args.setdefault("_ansible_keep_remote_files", False)
        saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access
