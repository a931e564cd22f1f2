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
