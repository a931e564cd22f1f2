#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_token_policy_info
short_description: Read an OCI Identity Domain's token issuer and signing keys' access as they are
version_added: 0.2.0
description:
  - Reads the two domain settings of steps 3 and 4 of the manual procedure, the token issuer and whether the signing
    keys are public, and returns them as they are. Never changes anything.
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - multicloud.oci_aws.oci
  - ansible.builtin.action_common_attributes
  - multicloud.oci_aws.attributes.read_only
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  action_group:
    support: full
    membership: [multicloud.oci_aws.oci]
seealso:
  - module: multicloud.oci_aws.oci_token_policy
  - module: multicloud.oci_aws.oci_aws_federation_check
"""

EXAMPLES = r"""
- name: Read the domain's issuer
  multicloud.oci_aws.oci_token_policy_info:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
  register: settings

- name: Step 3 is done when the issuer is the domain URL
  ansible.builtin.assert:
    that: settings.issuer == 'https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com'
"""

RETURN = r"""
issuer:
  description: The issuer the domain puts in its tokens' C(iss) claim (the service default is C(https://identity.oraclecloud.com/)).
  returned: always
  type: str
signing_cert_public_access:
  description: Whether the signing keys (JWKS) are readable without signing in (B(Configure client access)).
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary
from ansible_collections.multicloud.oci_aws.plugins.module_utils._doctor import read_settings
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import (
    connect, connection_options, oci_argument_spec
)


def main():
    module = AnsibleModule(argument_spec=oci_argument_spec(), supports_check_mode=True)
    with module_boundary(module, "oci_token_policy_info"):
        module.exit_json(changed=False, **read_settings(connect(**connection_options(module.params))))


if __name__ == "__main__":
    main()
