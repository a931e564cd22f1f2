# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""multicloud.oci_aws.controller_private_dir: the checks and the mkdir of module_utils/_paths, in the controller.

A path on the controller is checked in the controller's own process: one task, no module sent and run
through an interpreter (a loop of ``stat`` tasks took a module run per directory from ``/`` down).
"""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import make_private_dirs

ARGUMENT_SPEC = dict(
    path=dict(type="path", required=True),
    option=dict(type="str", default="path"),
)


def ensure(path, option, check_mode):
    """The task's result for ``path``: created (or, in check mode, to create) and ``changed``, or ``failed`` and why."""
    try:
        created = make_private_dirs(path, option, check_mode=check_mode)
    except OciAwsError as exc:
        return dict(failed=True, msg=exc.msg, changed=False, **exc.details)
    except OSError as exc:  # anything else the file system says (an I/O error): named, without a traceback
        return dict(failed=True, msg="cannot check %s %s: %s" % (option, path, exc.strerror or exc), changed=False,
                    path=path)
    return dict(changed=bool(created), path=path, created=created)


class ActionModule(ActionBase):
    """Runs on the controller whatever the task's host; nothing is transferred or executed there."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # not used: nothing runs on the host
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result.update(ensure(os.path.abspath(args["path"]), args["option"], bool(self._task.check_mode)))
        return result
