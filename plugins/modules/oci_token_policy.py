#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_token_policy
short_description: Ensure the OCI Identity Domain issuer and public signing keys that AWS STS needs
version_added: 0.1.0
description:
  - Ensures the two domain settings that AWS needs to trust the tokens of an OCI Identity Domain (steps 3 and 4
    of the manual procedure).
  - The token issuer becomes the token's C(iss) claim and must be byte-identical to the AWS IAM OIDC provider URL.
  - Public access to the signing certificate lets AWS fetch the signing keys (JWKS) without signing in.
  - Only these two attributes are changed, with a PATCH; the rest of the domain's settings is never replaced.
  - B(The issuer is domain-wide.) Every token the domain issues afterwards carries it, for every app; any
    other consumer that checks the default issuer C(https://identity.oraclecloud.com/) (API Gateway JWT
    policies, ORDS, custom apps) must be updated.
  - The service keeps only one previous issuer for validating tokens issued before a change, so changing the
    issuer back and forth makes older tokens fail; RV(previous_issuer) tells what it was before this run.
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - multicloud.oci_aws.oci
  - multicloud.oci_aws.attributes.oci_modules
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details:
      - Nothing is written; the result C(changed) says whether a run would write, and the diff shows the predicted settings.
  diff_mode:
    support: full
  idempotent:
    description: Running the task again with the same options makes no change and no write request.
    support: full
options:
  issuer:
    description:
      - The issuer the domain puts in its tokens' C(iss) claim.
      - If not set, the domain URL (O(domain_url)) without its default port C(:443) and without trailing slash,
        which is what the AWS side registers as the provider URL.
      - It must be C(https://) and a bare origin, written exactly as AWS will compare it (lower-case host, no
        C(:443), no path, no trailing slash). A non-default port is kept, with a warning, since AWS documents
        provider URLs without ports.
      - V(default) gives the domain back the service default issuer C(https://identity.oraclecloud.com/), which
        undoes step 3 (AWS then no longer accepts the domain's tokens).
    type: str
  signing_cert_public_access:
    description:
      - Whether clients may read the domain's signing certificate and keys (JWKS) without signing in
        (the console's B(Configure client access)). AWS needs V(true).
    type: bool
    default: true
seealso:
  - module: multicloud.oci_aws.oci_oidc_app
  - name: Identity domains REST API for settings
    description: The Settings resource this module patches.
    link: https://docs.oracle.com/en/cloud/paas/iam-domains-rest-api/api-common-settings.html
"""

EXAMPLES = r"""
- name: Make the domain URL the issuer and publish the signing keys
  multicloud.oci_aws.oci_token_policy:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
  register: policy

- name: Show what the issuer was before
  ansible.builtin.debug:
    msg: "issuer {{ policy.issuer }} (was {{ policy.previous_issuer | default('the service default', true) }})"

- name: Same, with the OCI connection set once for the play and a named profile
  module_defaults:
    group/multicloud.oci_aws.oci:
      domain_url: "{{ domain_url }}"
      config_profile_name: ADMIN
  block:
    - name: Ensure the token policy
      multicloud.oci_aws.oci_token_policy:
        signing_cert_public_access: true
"""

RETURN = r"""
issuer:
  description: The issuer of the domain after the run (predicted in check mode).
  returned: always
  type: str
  sample: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
previous_issuer:
  description:
    - The issuer of the domain before this run; the service default C(https://identity.oraclecloud.com/) for a
      domain that never had another, or null when the domain's Settings do not show one.
  returned: always
  type: str
  sample: https://identity.oraclecloud.com/
signing_cert_public_access:
  description: Whether the signing keys are public after the run (predicted in check mode).
  returned: always
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import connect, connection_options, oci_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.token_policy import TokenPolicyManager, check_issuer


def argument_spec():
    spec = oci_argument_spec()
    spec.update(
        issuer=dict(type="str"),
        signing_cert_public_access=dict(type="bool", default=True),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    with module_boundary(module, "oci_token_policy"):
        issuer, warnings = check_issuer(module.params["issuer"], module.params["domain_url"])
        for warning in warnings:
            module.warn(warning)
        manager = TokenPolicyManager(connect(**connection_options(module.params)), issuer,
                                     module.params["signing_cert_public_access"], check_mode=module.check_mode)
        result = manager.apply()
        if not module._diff:
            result.pop("diff")
        module.exit_json(**result)


if __name__ == "__main__":
    main()
