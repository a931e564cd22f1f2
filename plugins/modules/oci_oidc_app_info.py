#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_oidc_app_info
short_description: Read the OCI Identity Domain apps of an AWS STS federation as they are
version_added: 0.2.0
description:
  - Reads the integrated applications of an identity domain with a given name or client ID, made by
    M(multicloud.oci_aws.oci_oidc_app) or by hand (steps 1 and 2 of the manual procedure), and returns them as they are.
  - Never changes anything. The client secret is never read or returned.
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
options:
  display_name:
    description: The app's name (the console's B(Name)). Give O(display_name) or O(client_id).
    type: str
  client_id:
    description: The app's client ID.
    type: str
seealso:
  - module: multicloud.oci_aws.oci_oidc_app
  - module: multicloud.oci_aws.oci_aws_federation_check
"""

EXAMPLES = r"""
- name: Read the app made by hand
  multicloud.oci_aws.oci_oidc_app_info:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    display_name: aws-sts-oidc
  register: found

- name: Its audience
  ansible.builtin.debug:
    msg: "{{ found.apps[0].audience }}"
  when: found.apps | length == 1
"""

RETURN = r"""
apps:
  description: The apps found (none, one, or several sharing a name), each as the service describes it.
  returned: always
  type: list
  elements: dict
  contains:
    display_name: {description: "The app's name.", type: str}
    description: {description: "Its description.", type: str}
    client_id: {description: "The OAuth client ID (the app's C(name)), the C(sub) of its tokens.", type: str}
    client_type: {description: "C(confidential) for the procedure's app.", type: str}
    is_oauth_resource: {description: "Whether it is a resource server (step 2.1).", type: bool}
    audience: {description: "The primary audience (step 2.1).", type: str}
    secondary_audiences: {description: "Secondary audiences (STS needs none).", type: list, elements: str}
    scopes: {description: "The resource server's scopes (C(value), C(description)).", type: list, elements: dict}
    is_oauth_client: {description: "Whether it is an OAuth client.", type: bool}
    allowed_grants: {description: "The grants the client may use (step 2.2 needs C(client_credentials)).", type: list, elements: str}
    allowed_scopes: {description: "The fully qualified scopes the client may request (step 2.2).", type: list, elements: str}
    access_token_expiry: {description: "Access token lifetime in seconds, when set.", type: int}
    active: {description: "Whether the app is activated (step 2.3).", type: bool}
    tags: {description: "Its tags (C(key), C(value)).", type: list, elements: dict}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary
from ansible_collections.multicloud.oci_aws.plugins.module_utils._doctor import read_app
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import (
    connect, connection_options, oci_argument_spec
)


def main():
    spec = oci_argument_spec()
    spec.update(display_name=dict(type="str", no_log=False), client_id=dict(type="str", no_log=False))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           mutually_exclusive=[("display_name", "client_id")],
                           required_one_of=[("display_name", "client_id")])
    with module_boundary(module, "oci_oidc_app_info"):
        apps = read_app(connect(**connection_options(module.params)), module.params["display_name"],
                        module.params["client_id"])
        module.exit_json(changed=False, apps=apps)


if __name__ == "__main__":
    main()
