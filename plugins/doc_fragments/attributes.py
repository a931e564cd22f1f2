# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Attributes that several modules share, declared once (each module keeps its own check_mode, diff_mode and
    idempotent details)."""

    DOCUMENTATION = r"""
attributes: {}
"""

    # The OCI modules (meta/runtime.yml: action group ``oci``): they run anywhere, as modules, async too.
    OCI_MODULES = r"""
attributes:
  platform:
    platforms: all
  action:
    support: none
  async:
    support: full
  bypass_host_loop:
    support: none
  action_group:
    support: full
    membership:
      - multicloud.oci_aws.oci
"""

    # The read-only modules (the _info modules and the federation check): they change nothing, in check mode or not.
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so it does the same in check mode; C(changed) is always false.
  diff_mode:
    support: none
  idempotent:
    description: It only reads; every run returns what is there at that time.
    support: full
  platform:
    platforms: all
"""
