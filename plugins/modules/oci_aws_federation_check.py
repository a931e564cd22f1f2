#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_aws_federation_check
short_description: Check each of the 7 steps of an OCI Identity Domain federation with AWS STS, changing nothing
version_added: 0.2.0
description:
  - Reads both sides of a federation, whether made by this collection or by hand in two consoles with the published
    manual procedure, and reports each of its 7 steps as right or wrong, with the fix.
  - On the OCI side it reads the app (steps 1 and 2) and the domain's token settings (steps 3 and 4); on the AWS side
    the IAM OIDC provider of the domain's URL and the role O(role_arn) (step 5).
  - Given O(client_secret), it also requests one token with the client credentials grant and tries
    C(AssumeRoleWithWebIdentity) once (steps 6 and 7); the credentials STS returns are neither shown nor kept.
  - It never writes anything, in check mode or not.
  - The playbook C(multicloud.oci_aws.check) runs it and prints the report.
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - multicloud.oci_aws.oci
  - multicloud.oci_aws.aws
  - multicloud.oci_aws.aws.modules
  - ansible.builtin.action_common_attributes
  - multicloud.oci_aws.attributes.read_only
options:
  display_name:
    description:
      - The name of the app in the identity domain (the console's B(Name) of the integrated application).
      - Give O(display_name) or O(client_id).
    type: str
  client_id:
    description: The app's client ID (its OAuth client's B(Client ID)); instead of O(display_name).
    type: str
  client_secret:
    description:
      - The app's client secret. Given, one token is requested and STS tried once (steps 6 and 7); not given, those
        steps are reported as not checked.
      - Never shown in any output.
    type: str
  role_arn:
    description: The ARN of the IAM role the app's tokens are to assume.
    type: str
    required: true
  audience:
    description:
      - The audience AWS is to expect (the provider's client ID and the trust policy's C(aud) condition).
      - If not set, the app's primary audience.
    type: str
  duration_seconds:
    description: The session duration to try in step 7, as in the procedure's C(--duration-seconds 900).
    type: int
    default: 900
  region:
    description:
      - The B(AWS) region here (the STS endpoint of step 7); the OCI SDK's region comes from E(OCI_REGION) or the OCI
        config profile.
      - When not set, the E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment variable, then the AWS profile's region.
    type: str
    aliases: [aws_region]
notes:
  - O(region) is the AWS region here; the OCI SDK's region comes from E(OCI_REGION) or the OCI config profile.
  - The OCI principal needs to read apps and settings of the domain; the AWS principal C(iam:GetOpenIDConnectProvider)
    and C(iam:GetRole). C(AssumeRoleWithWebIdentity) needs no AWS credentials.
seealso:
  - module: multicloud.oci_aws.oci_oidc_app_info
  - module: multicloud.oci_aws.oci_token_policy_info
  - module: multicloud.oci_aws.aws_oidc_role_info
"""

EXAMPLES = r"""
- name: Check a federation made by hand, and try one exchange
  multicloud.oci_aws.oci_aws_federation_check:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    display_name: aws-sts-oidc
    role_arn: arn:aws:iam::123456789012:role/oci-federated
    client_secret: "{{ lookup('ansible.builtin.env', 'OCI_AWS_CLIENT_SECRET') }}"
  register: check

- name: Show each step
  ansible.builtin.debug:
    var: check.summary
"""

RETURN = r"""
ok:
  description: Whether every step is right.
  returned: always
  type: bool
broken_step:
  description: The first step that is wrong at its root (C(1) to C(7)), or null when none is.
  returned: always
  type: str
  sample: "3"
wrong_steps:
  description: The steps reported wrong, including those that fail because of an earlier one.
  returned: always
  type: list
  elements: str
  sample: ["3", "7"]
summary:
  description: One line per step, C(step <n> <right|wrong|not checked>:) and its problems with their fixes.
  returned: always
  type: list
  elements: str
steps:
  description: The 7 steps, in order.
  returned: always
  type: list
  elements: dict
  contains:
    step:
      description: The step of the manual procedure, C(1) to C(7).
      type: str
    title:
      description: What the step sets up.
      type: str
    status:
      description: V(right), V(wrong) or V(not_checked).
      type: str
    note:
      description: What was seen or why the step was not checked.
      type: str
      returned: when there is one
    findings:
      description: What is wrong.
      type: list
      elements: dict
      contains:
        part:
          description: The step or its part (C(2.1), C(2.2), C(2.3)).
          type: str
        problem:
          description: What is wrong.
          type: str
        fix:
          description: How to fix it, in the console and with the collection.
          type: str
        cause:
          description: False when the finding is the consequence of another step's.
          type: bool
app:
  description: The app as M(multicloud.oci_aws.oci_oidc_app_info) returns it.
  returned: when the app was found
  type: dict
token_policy:
  description: The issuer and the signing keys' public access, as M(multicloud.oci_aws.oci_token_policy_info) returns them.
  returned: always
  type: dict
provider:
  description: The IAM OIDC provider of the domain's URL, or null.
  returned: always
  type: dict
role:
  description: The role O(role_arn), or null.
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary
from ansible_collections.multicloud.oci_aws.plugins.module_utils._doctor import check_argument_spec, check_from_params


def main():
    module = AnsibleModule(argument_spec=check_argument_spec(), supports_check_mode=True,
                           mutually_exclusive=[("display_name", "client_id")],
                           required_one_of=[("display_name", "client_id")])
    with module_boundary(module, "oci_aws_federation_check"):
        module.exit_json(changed=False, **check_from_params(module.params).run())


if __name__ == "__main__":
    main()
