#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_oidc_app
short_description: Ensure the OCI Identity Domain app that issues tokens for AWS STS
version_added: 0.1.0
description:
  - Ensures one confidential application in an OCI Identity Domain that is both the OAuth resource server
    (its audience becomes the token's C(aud) claim) and the OAuth client allowed the client credentials grant
    for its own scopes, and is active. These are steps 1 and 2 of the manual procedure.
  - The app is found by its O(display_name) with one filtered search; two apps with that name are an error.
    The identity domain compares display names regardless of case; an app whose name differs only in case is the
    one managed, with a warning, and its name is not changed.
  - An app this module creates is tagged C(managed-by=multicloud.oci_aws) (the App's C(tags)). An existing app
    without that tag (made by hand, or by another tool) is neither changed nor deleted; the run fails, listing what it
    would change, unless O(adopt=true).
  - A new app is created inactive without allowed scopes, then allowed its own scopes, then activated, so that
    it works whether or not the service accepts an app's own scope in its create request, and a run interrupted
    half-way is completed by the next one.
  - An existing app is converged field by field (audience, scopes, grant, allowed scopes, client and resource
    flags, client type, token lifetime, active), each step only when something differs.
    Secondary audiences are removed with a warning, because they turn the token's C(aud) into an array, which AWS does not document STS as accepting.
  - The domain's issuer and signing keys are set by M(multicloud.oci_aws.oci_token_policy).
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - multicloud.oci_aws.audience
  - multicloud.oci_aws.oci
  - multicloud.oci_aws.attributes.oci_modules
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details:
      - Nothing is written; the result C(changed) says whether a run would write, and the diff shows the predicted app.
      - The RV(id) and RV(client_id) of an app that would be created are not known, and no secret is returned.
  diff_mode:
    support: full
    details:
      - The diff shows the managed fields of the app before and after; the client secret is never part of it.
  idempotent:
    description: Running the task again with the same options makes no change and no write request.
    support: partial
    details:
      - With O(secret=regenerate) every run issues a new client secret and reports a change.
options:
  display_name:
    description:
      - The display name of the app, which identifies it (the identity domain keeps display names unique).
    type: str
    required: true
  description:
    description:
      - The description of the app. If not set, an existing description is left as it is; V("") removes it.
    type: str
  scopes:
    description:
      - The scopes the app defines as a resource server; the app is allowed exactly these scopes as a client.
      - A client requests a scope fully qualified, as the audience directly followed by the scope value
        (C(<audience>/)); RV(scope) returns it.
    type: list
    elements: dict
    default: [{value: /, description: all}]
    suboptions:
      value:
        description: The scope value, such as V(/). No spaces, quotes or backslashes.
        type: str
        required: true
      description:
        description: What the scope is for. If not set, an existing description is left as it is.
        type: str
  client_id:
    description:
      - A client ID to give the app when it is created (letters, digits and underscores only).
        If not set, the identity domain generates one.
      - The client ID cannot change once the app exists; a different value is an error, and nothing is changed.
    type: str
  access_token_expiry:
    description:
      - Lifetime of the access tokens the app issues, in seconds, from 60 (one minute) to 31536000 (one year),
        the identity domain's range; a value outside it is refused before any change. If not set, an existing
        value is left as it is.
    type: int
  active:
    description:
      - Whether the app is active. An inactive app issues no tokens.
    type: bool
    default: true
  secret:
    description:
      - What to do about the client secret. The identity domain returns it when it issues one (when the app is
        created or the secret regenerated), and may return it on later reads too; this module never shows a
        secret it did not issue in this run.
      - V(keep) never touches the secret of an existing app. RV(client_secret) is returned only by the run that
        creates the app, so store it then (for example in Ansible Vault).
      - V(regenerate) issues a new secret on every run for an existing app and returns it in RV(client_secret).
        The previous secret stops working at once, so every client must get the new one. Use it to rotate the
        secret, or to recover a secret that was lost. The new secret is issued while the app is active (after
        its activation, or before its deactivation when O(active=false)), since the domain may refuse one for
        an inactive app; so V(regenerate) with O(active=false) on an app that is already inactive is refused.
      - V(discard) issues a new secret and throws it away, so that the secret issued before stops working and no
        one holds a usable one. Use it once, with O(client_auth=private_key), when every client authenticates
        with its key. V(regenerate) is refused with O(client_auth=private_key).
      - With O(client_auth=private_key) RV(client_secret) is never returned, also not by the run that creates the app.
    type: str
    choices: [keep, regenerate, discard]
    default: keep
  client_auth:
    description:
      - How the app's clients authenticate to the token endpoint.
      - V(secret) makes a confidential client that authenticates with its client secret.
      - V(private_key) makes a trusted client (the client type that holds certificates) that authenticates with a
        JWT client assertion signed by a private key whose certificate is in O(client_certificates); the secret the
        service issues is never returned (see O(secret)).
    type: str
    choices: [secret, private_key]
    default: secret
    version_added: 0.2.0
  client_certificates:
    description:
      - The certificates (public) against which the identity domain verifies the clients' assertions, with
        O(client_auth=private_key); the app's C(certificates) attribute. Not set, the app's certificates are left
        as they are.
      - Each element needs C(alias) (the C(certAlias), which an assertion may name as C(kid)) and C(certificate) (PEM,
        or the base64 DER as C(x509_base64)); the elements of RV(multicloud.oci_aws.oci_client_key#module:certificates)
        can be given as they are.
      - RSA keys of at least 2048 bits, not expired; an alias already used on the app by another certificate is
        refused, as is anything that holds a private key. Nothing is changed then.
    type: list
    elements: dict
    version_added: 0.2.0
  purge_client_certificates:
    description:
      - Remove the app's certificates that O(client_certificates) does not list. V(false) only adds.
      - A rotation adds the new certificate in one run and removes the old one in a later run, once every client
        signs with its new key.
    type: bool
    default: true
    version_added: 0.2.0
  adopt:
    description:
      - Take over an existing app that this collection did not create (one without the tag
        C(managed-by=multicloud.oci_aws)), such as an app made by hand with the manual procedure.
      - V(false) refuses to change or delete such an app; the error lists what the run would change, and the diff
        (in diff mode) shows it. Nothing is written.
      - V(true) tags the app and converges it (O(state=present)) or deletes it (O(state=absent)), with a warning.
        Other grants, scopes and audiences of the app are replaced, so only adopt an app used for nothing else.
        Once tagged, the app is managed without this option.
    type: bool
    default: false
    version_added: 0.2.0
  state:
    description:
      - V(present) ensures the app as described; V(absent) deactivates and deletes it (an active app cannot be deleted).
      - With V(absent), the app is found by O(display_name) alone (and O(client_id) when set, which must match);
        an app the collection did not create is deleted only with O(adopt=true).
    type: str
    choices: [present, absent]
    default: present
notes:
  - Deleting the app invalidates its client secret, and every token exchange that uses it fails from then on.
seealso:
  - module: multicloud.oci_aws.oci_token_policy
  - name: Identity domains REST API for apps
    description: The Apps, AppStatusChanger and AppClientSecretRegenerator endpoints this module uses.
    link: https://docs.oracle.com/en/cloud/paas/iam-domains-rest-api/api-apps-apps.html
"""

EXAMPLES = r"""
- name: Ensure the app that issues tokens for AWS STS (the secret is returned only when the app is created)
  multicloud.oci_aws.oci_oidc_app:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    display_name: aws-sts-oidc
    description: OIDC identity provider for AWS STS AssumeRoleWithWebIdentity
  register: app
  no_log: true

- name: Keep the secret of a new app in a file only the owner can read
  ansible.builtin.copy:
    content: "{{ app.client_secret }}"
    dest: ~/.oci/aws-sts-oidc.secret
    mode: "0600"
  when: app.client_secret is defined
  no_log: true

- name: Rotate the client secret (the old one stops working at once)
  multicloud.oci_aws.oci_oidc_app:
    domain_url: "{{ domain_url }}"
    display_name: aws-sts-oidc
    secret: regenerate
  register: rotated
  no_log: true

- name: Another app, with another audience and a fixed client id, and the OCI connection set once for the whole play
  module_defaults:
    group/multicloud.oci_aws.oci:
      domain_url: "{{ domain_url }}"
      config_profile_name: ADMIN
  block:
    - name: Ensure the app (a client id is fixed when the app is created)
      multicloud.oci_aws.oci_oidc_app:
        display_name: aws-sts-oidc-fixed-id
        audience: sts.amazonaws.com
        client_id: aws_sts_oidc
        access_token_expiry: 900
      no_log: true

- name: Take over an app made by hand with the manual procedure (run once; review the first run's error first)
  multicloud.oci_aws.oci_oidc_app:
    domain_url: "{{ domain_url }}"
    display_name: aws-sts-oidc
    adopt: true
  no_log: true

- name: Remove the app (deactivated first)
  multicloud.oci_aws.oci_oidc_app:
    domain_url: "{{ domain_url }}"
    display_name: aws-sts-oidc
    state: absent
"""

RETURN = r"""
id:
  description: The SCIM id of the app; null when no app exists (or would be created in check mode).
  returned: always
  type: str
  sample: 9f3c1a0e6b2d4c5e8f7a6b5c4d3e2f10
client_id:
  description: The client ID of the app (its C(name)), which is also the token's C(sub) claim.
  returned: always
  type: str
  sample: 3c9b8e7f6a5d4c3b2a1f0e9d8c7b6a5f
client_secret:
  description:
    - The client secret. This is a secret; run the task with C(no_log) set to V(true).
    - Returned only when this run created the app or regenerated its secret; it cannot be read back later.
  returned: when the app was created or its secret regenerated, and not in check mode
  type: str
audience:
  description: The app's audience, the value the token's C(aud) claim carries.
  returned: always
  type: str
  sample: sts.amazon.com
scope:
  description: The fully qualified scope to request in the client credentials grant (the audience followed by the first scope).
  returned: always
  type: str
  sample: sts.amazon.com/
token_endpoint:
  description: The identity domain's OAuth token endpoint.
  returned: always
  type: str
  sample: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com/oauth2/v1/token
issuer:
  description:
    - The issuer the domain must use (the domain URL without default port or trailing slash);
      M(multicloud.oci_aws.oci_token_policy) sets it, and the AWS OIDC provider URL must be identical.
  returned: always
  type: str
  sample: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
app:
  description: The managed fields of the app after the run (predicted in check mode); empty when there is no app.
  returned: always
  type: dict
  contains:
    display_name:
      description: The display name.
      type: str
    description:
      description: The description, or null.
      type: str
    client_id:
      description: The client ID.
      type: str
    client_type:
      description: The client type.
      type: str
      sample: confidential
    is_oauth_resource:
      description: Whether the app is a resource server.
      type: bool
    audience:
      description: The primary audience.
      type: str
    secondary_audiences:
      description: Secondary audiences; always empty once converged.
      type: list
      elements: str
    scopes:
      description: The scopes the app defines, each with C(value) and C(description).
      type: list
      elements: dict
    is_oauth_client:
      description: Whether the app is an OAuth client.
      type: bool
    allowed_grants:
      description: The grant types the client may use.
      type: list
      elements: str
      sample: [client_credentials]
    allowed_scopes:
      description: The fully qualified scopes the client may request.
      type: list
      elements: str
      sample: [sts.amazon.com/]
    access_token_expiry:
      description: The access token lifetime in seconds, or null when the service default applies.
      type: int
    active:
      description: Whether the app is active.
      type: bool
    tags:
      description:
        - The app's tags, each with C(key) and C(value); the collection's mark C(managed-by=multicloud.oci_aws)
          among them once the app is created or adopted.
      type: list
      elements: dict
      version_added: 0.2.0
    certificates:
      description:
        - The app's certificates, each with C(alias), C(sha1_thumbprint), C(x5t) and C(not_after); never a
          certificate body or a key.
      type: list
      elements: dict
      version_added: 0.2.0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import connect, connection_options, oci_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.certificates import CLIENT_AUTH_MODES
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.app import (
    DEFAULT_AUDIENCE, DEFAULT_SCOPES, SECRET_POLICIES, AppManager, AppSpec
)


def argument_spec():
    spec = oci_argument_spec()
    spec.update(
        display_name=dict(type="str", required=True),
        description=dict(type="str"),
        audience=dict(type="str", default=DEFAULT_AUDIENCE),
        scopes=dict(type="list", elements="dict", default=DEFAULT_SCOPES, options=dict(
            value=dict(type="str", required=True),
            description=dict(type="str"),
        )),
        client_id=dict(type="str", no_log=False),
        access_token_expiry=dict(type="int", no_log=False),
        active=dict(type="bool", default=True),
        secret=dict(type="str", default="keep", choices=list(SECRET_POLICIES), no_log=False),
        client_auth=dict(type="str", default="secret", choices=list(CLIENT_AUTH_MODES)),
        client_certificates=dict(type="list", elements="dict", no_log=False),
        purge_client_certificates=dict(type="bool", default=True),
        adopt=dict(type="bool", default=False),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    with module_boundary(module, "oci_oidc_app"):
        spec = AppSpec.from_params(module.params)
        manager = AppManager(connect(**connection_options(module.params)), spec, module.warn,
                             secret=module.params["secret"], check_mode=module.check_mode,
                             adopt=module.params["adopt"])
        result = manager.present() if module.params["state"] == "present" else manager.absent()
        if not module._diff:
            result.pop("diff")
        module.exit_json(**result)


if __name__ == "__main__":
    main()
