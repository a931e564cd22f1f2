#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_oidc_role_info
short_description: Read the IAM OIDC provider of an issuer and a role that trusts it, as they are
version_added: 0.2.0
description:
  - Reads the IAM OIDC provider of O(issuer_url) and, given O(role_name), that role with its trust policy (step 5 of
    the manual procedure), made by M(multicloud.oci_aws.aws_oidc_role) or by hand, and returns them as they are.
  - Never changes anything.
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - multicloud.oci_aws.aws
  - multicloud.oci_aws.aws.modules
  - ansible.builtin.action_common_attributes
  - multicloud.oci_aws.attributes.read_only
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  action_group:
    support: full
    membership: [multicloud.oci_aws.aws]
options:
  issuer_url:
    description: The issuer, the identity domain's URL, such as C(https://idcs-<id>.identity.oraclecloud.com).
    type: str
  role_name:
    description: The name of the role to read.
    type: str
seealso:
  - module: multicloud.oci_aws.aws_oidc_role
  - module: multicloud.oci_aws.oci_aws_federation_check
"""

EXAMPLES = r"""
- name: Read the provider and the role made by hand
  multicloud.oci_aws.aws_oidc_role_info:
    issuer_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    role_name: oci-federated
  register: aws_side

- name: The role's trust policy
  ansible.builtin.debug:
    var: aws_side.role.trust_policy
"""

RETURN = r"""
provider:
  description: The IAM OIDC provider of O(issuer_url), or null when there is none or O(issuer_url) is not given.
  returned: always
  type: dict
  contains:
    arn: {description: "Its ARN.", type: str}
    url: {description: "Its URL (the issuer).", type: str}
    client_ids: {description: "Its client IDs (audiences).", type: list, elements: str}
    thumbprints: {description: "Its server certificate thumbprints.", type: list, elements: str}
    tags: {description: "Its tags.", type: dict}
role:
  description: The role O(role_name), or null when there is none or O(role_name) is not given.
  returned: always
  type: dict
  contains:
    arn: {description: "Its ARN.", type: str}
    name: {description: "Its name.", type: str}
    path: {description: "Its path.", type: str}
    description: {description: "Its description.", type: str}
    max_session_duration: {description: "Its maximum session duration in seconds.", type: int}
    trust_policy: {description: "Its trust policy (keys sorted).", type: dict}
    permissions_boundary: {description: "Its permissions boundary's ARN.", type: str}
    tags: {description: "Its tags.", type: dict}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary
from ansible_collections.multicloud.oci_aws.plugins.module_utils._doctor import read_provider, read_role
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection, aws_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import parse_https_url


def main():
    spec = aws_argument_spec()
    spec.update(issuer_url=dict(type="str", no_log=False), role_name=dict(type="str", no_log=False))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, required_one_of=[("issuer_url", "role_name")])
    with module_boundary(module, "aws_oidc_role_info"):
        issuer = module.params["issuer_url"]
        if issuer:
            issuer = parse_https_url(issuer, "issuer_url", allow_path=True).url
        iam = AwsConnection.from_options(module.params).client("iam")
        module.exit_json(changed=False, provider=read_provider(iam, issuer) if issuer else None,
                         role=read_role(iam, module.params["role_name"]) if module.params["role_name"] else None)


if __name__ == "__main__":
    main()
