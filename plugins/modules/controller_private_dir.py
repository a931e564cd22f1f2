#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/controller_private_dir.py), on the
# controller: this file holds its documentation only, as ansible.builtin.assert's does.

from __future__ import annotations

DOCUMENTATION = r"""
module: controller_private_dir
short_description: Make sure a directory on the controller is one that no other local user can replace
version_added: 0.2.0
description:
  - Checks, on the controller, the directory where a secret is about to be written, the way OpenSSH's C(StrictModes)
    checks key paths. Every existing directory from C(/) down to O(path), both as written and with its symbolic links
    resolved, must belong to the user running Ansible or to root, and must not be writable by its group or others
    unless it is sticky (as C(/tmp) is). Otherwise the task fails, naming the directory and the fix, and changes
    nothing.
  - The missing directories are then created, each one with mode 0700 whatever the umask, and each is checked again
    once it exists, so that a directory that someone else made in between is refused before anything is put in it.
  - The mode of a directory that existed before is never changed.
  - It runs in the controller process itself (an action plugin, no module is sent anywhere), whatever the host of the
    task; O(path) is a path on the controller. The role C(multicloud.oci_aws.oci_oidc_provider) uses it for the
    directory of its secret file before the identity domain issues the secret.
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - In check mode the existing directories are checked and nothing is created; RV(created) lists what would be.
  diff_mode:
    support: none
  idempotent:
    description: Once the directories exist, a run only checks them; C(changed) is true only when one was created.
    support: full
  platform:
    platforms: posix
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
options:
  path:
    description:
      - The directory, on the controller (C(~) is expanded; a relative path is relative to the directory Ansible runs
        in).
    type: path
    required: true
  option:
    description:
      - The name of the setting O(path) comes from, quoted in the error message so that its reader knows what to
        change, for example V(oci_oidc_provider_secret_file).
    type: str
    default: path
notes:
  - On failure the result holds, besides C(msg), C(component) (the directory refused), C(why) (what is wrong with it)
    and C(fix) (what to do), for a playbook that words its own message.
seealso:
  - name: sshd_config StrictModes (OpenBSD manual)
    description: The rules these checks follow.
    link: https://man.openbsd.org/sshd_config#StrictModes
"""

EXAMPLES = r"""
- name: Make sure the directory of a secret file is private before anything secret is written there
  multicloud.oci_aws.controller_private_dir:
    path: ~/.config/my-app  # of the user running Ansible, on the controller
    option: my_app_secret_file  # named in the error message
  register: secret_dir

- name: Write the secret there (0600)
  ansible.builtin.copy:
    dest: "{{ secret_dir.path }}/secret.yml"
    content: "token: {{ lookup('ansible.builtin.env', 'MY_APP_TOKEN') }}\n"
    mode: "0600"
  delegate_to: localhost
  no_log: true
"""

RETURN = r"""
path:
  description: The directory checked, absolute.
  returned: always
  type: str
  sample: /home/ops/.config/multicloud.oci_aws
created:
  description: The directories created, from the top down (in check mode, those that would be); empty when all existed.
  returned: always
  type: list
  elements: str
  sample: [/home/ops/.config/multicloud.oci_aws]
"""
