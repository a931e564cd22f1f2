#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: aws_oidc_role
short_description: The IAM OIDC provider for an OCI identity domain and a least-privilege role that trusts it
version_added: 0.1.0
description:
  - Step 5 of federating an OCI Identity Domain with AWS. Ensures the IAM OpenID Connect provider for the domain's
    issuer and, when O(role_name) is given, a role whose trust policy allows C(sts:AssumeRoleWithWebIdentity) for
    tokens of that issuer, audience and OCI client ID(s) only.
  - The provider's client IDs and thumbprints converge in place (client IDs are added and removed, the thumbprint
    list is updated); the provider is never deleted and recreated, which would break federation meanwhile.
  - A provider may be shared by several roles. Removing a role removes the provider only when no other role trusts
    it, unless O(delete_provider=always).
  - The trust policy is generated from O(audience), O(subjects) and O(conditions), or given whole as
    O(trust_policy). Policies are compared as IAM means them (key and list order, one-item lists, C(Version)
    default), so a reordered but equal policy is no change.
  - Every option is checked before anything is read or changed; a repeated run makes no write request.
  - The provider and the role this module creates are tagged C(managed-by=multicloud.oci_aws). An existing provider
    or role without that tag (made by hand, or by another tool) is neither changed nor deleted unless O(adopt=true);
    the run fails before any change, listing what it would change. The tag is never removed, whatever
    O(purge_tags) and O(purge_provider_tags) say, and the key C(managed-by) cannot be set in O(tags) or O(provider_tags).
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - multicloud.oci_aws.audience
  - multicloud.oci_aws.aws
  - multicloud.oci_aws.aws.modules
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the provider and the role before and after, policies with sorted keys and lists.
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - multicloud.oci_aws.aws
options:
  state:
    description:
      - V(present) ensures the provider and, with O(role_name), the role.
      - V(absent) removes the role (with O(role_name)) and then the provider as O(delete_provider) says.
    type: str
    choices: [present, absent]
    default: present
  issuer_url:
    description:
      - The issuer, exactly as the tokens' C(iss) claim gives it (for an identity domain, its URL
        C(https://idcs-<id>.identity.oraclecloud.com), without a trailing slash).
      - Must be https, without query or fragment. A port other than 443 is accepted with a warning
        (AWS documents provider URLs without ports; the local sandbox has one).
      - The provider's ARN and the trust policy's condition keys use it without its scheme.
    type: str
    required: true
  client_ids:
    description:
      - The provider's exact list of client IDs (audiences); those missing are added and the others removed.
      - Must include O(audience).
      - When not set, O(audience) is added if missing and the other client IDs are left alone, so that roles with
        other audiences can share the provider.
      - A provider is shared by every role of the account that trusts it; declare its client IDs in one place
        (one task, as the P(multicloud.oci_aws.aws_oidc_trust#role) role does), or set O(purge_client_ids=false) where
        several tasks declare different ones, else each run removes the others' client IDs.
    type: list
    elements: str
  purge_client_ids:
    description:
      - Whether client IDs of the provider not in O(client_ids) are removed (when O(client_ids) is set).
      - V(true) makes O(client_ids) the whole list, so that a client ID added by hand is removed; the diff shows
        the list before and after. V(false) only adds the missing ones.
    type: bool
    default: true
    version_added: 0.2.0
  adopt:
    description:
      - Take over an existing provider or role that this collection did not create (one without the tag
        C(managed-by=multicloud.oci_aws)), such as one made by hand with the manual procedure.
      - V(false) refuses to change or delete it; the error lists what the run would change, and nothing is written.
      - V(true) tags it and converges it (O(state=present)) or deletes it (O(state=absent)), with a warning. Once
        tagged, it is managed without this option.
    type: bool
    default: false
    version_added: 0.2.0
  thumbprints:
    description:
      - The provider's exact list of server certificate thumbprints (SHA-1, 40 hex digits, 1 to 5).
      - AWS verifies the issuer's certificate against its own library of trusted CAs and uses thumbprints only
        when that fails, so they are optional. When not set, they are left alone; at creation IAM derives one from
        the issuer's certificate chain (the result shows what IAM stored), and fails with
        C(OpenIdIdpCommunicationError) when it cannot reach the issuer.
    type: list
    elements: str
  thumbprints_from_issuer:
    description:
      - Compute O(thumbprints) from the issuer's live TLS chain as AWS documents it (the SHA-1 of the last
        certificate the hosts of the issuer and of its C(jwks_uri) present).
      - The connection is verified with O(issuer_ca_bundle) or the system's CAs.
      - Needs Python 3.10 or later where the module runs.
    type: bool
    default: false
  issuer_ca_bundle:
    description:
      - A CA bundle that verifies the issuer's TLS certificate for O(thumbprints_from_issuer).
    type: path
  provider_tags:
    description:
      - Tags of the provider. When not set, they are left alone.
    type: dict
  purge_provider_tags:
    description:
      - Whether provider tags not in O(provider_tags) are removed.
    type: bool
    default: true
  delete_provider:
    description:
      - With O(state=absent), what happens to the provider.
      - V(if_unused) deletes it when no role other than O(role_name) trusts it (this reads the account's roles
        once; the other states never list roles).
      - V(never) keeps it. V(always) deletes it even when other roles trust it, which breaks their federation.
    type: str
    choices: [never, if_unused, always]
    default: if_unused
  provider_arn:
    description:
      - The ARN of the provider of O(issuer_url), as a call without O(role_name) returns it (RV(provider_arn)), for a
        call that manages the role alone while another task manages the provider (as the
        P(multicloud.oci_aws.aws_oidc_trust#role) role does, one provider task and one task per role).
      - The provider is then neither read nor changed (its options O(client_ids), O(thumbprints),
        O(thumbprints_from_issuer) and O(provider_tags) are refused), so that a run over many roles reads the shared
        provider once; it is read once only before a write that names it in the trust policy (a new role, a new trust
        policy; not in check mode), which fails before any change when it does not exist.
      - When not set, the call finds the provider itself (by its ARN, from the role's ARN or the account of the
        credentials, C(sts:GetCallerIdentity)) and ensures that it exists with O(audience) among its client IDs.
      - Needs O(role_name) and O(state=present).
    type: str
    version_added: 0.2.0
  role_name:
    description:
      - The role that trusts the provider. When not set, the module manages the provider alone, and the
        role options must not be given.
    type: str
  path:
    description:
      - The role's path, used at creation (default V(/)). IAM cannot change the path of a role, so a different path
        for an existing role is an error.
    type: str
  description:
    description:
      - The role's description. When not set, it is left alone.
    type: str
  max_session_duration:
    description:
      - The longest session, in seconds, that the role allows (3600 to 43200, IAM's range; refused before any change
        otherwise). When not set, it is left alone (3600 at creation).
    type: int
  subjects:
    description:
      - The OCI client IDs allowed to assume the role (the tokens' C(sub) claim for the client-credentials grant).
        The trust policy requires one of them, so that no other client of the domain can assume the role.
      - Required unless O(allow_any_subject=true) or O(trust_policy) is given.
    type: list
    elements: str
  allow_any_subject:
    description:
      - Let every client of the domain that gets a token for O(audience) assume the role (no C(sub) condition).
    type: bool
    default: false
  conditions:
    description:
      - 'Extra conditions for the generated trust policy, as C({operator: {key: value or [values]}}), for example
        C({StringLike: {amr: "*"}}).'
      - A key without C(:) is a claim of the provider (C(amr) becomes C(<issuer without https://>:amr)).
      - The C(StringEquals) keys for the audience and the subjects come from O(audience) and O(subjects).
      - The claims IAM documents for a generic OIDC provider are C(aud), C(sub), C(azp) and C(amr); a condition on
        C(oaud) (documented for Google only, never set for another provider) is refused.
    type: dict
  trust_policy:
    description:
      - A whole trust policy instead of the generated one (JSON text or a mapping). It must federate the provider
        of O(issuer_url), character for character, in the same account.
      - Conflicts with O(subjects), O(conditions) and O(allow_any_subject).
    type: json
  trust_policy_size_limit:
    description:
      - The account's IAM quota "Role trust policy length", in characters without whitespace (IAM does not count
        white space). A trust policy above it, generated or given, is refused before any change; for O(subjects)
        the error says how many of them fit in one role.
      - 2048 is the default quota. Set this only when the account's quota was raised through Service Quotas
        (up to 8192).
    type: int
    default: 2048
    version_added: 0.2.0
  managed_policies_limit:
    description:
      - The account's IAM quota "Managed policies per role". More O(managed_policy_arns) than this (with
        O(purge_managed_policies=false), counting those already attached and kept) is refused before any change.
      - 10 is the default quota. Set this only when the account's quota was raised through Service Quotas (up to 25).
    type: int
    default: 10
    version_added: 0.2.0
  managed_policy_arns:
    description:
      - ARNs of the managed policies attached to the role. When not set, attachments are left alone.
      - At most O(managed_policies_limit) (IAM's quota, 10 by default).
    type: list
    elements: str
  purge_managed_policies:
    description:
      - Whether managed policies not in O(managed_policy_arns) are detached.
    type: bool
    default: true
  inline_policies:
    description:
      - The role's inline policies, by name, each a policy document (JSON text or a mapping). When not set, they are
        left alone.
    type: dict
  purge_inline_policies:
    description:
      - Whether inline policies not in O(inline_policies) are deleted.
      - V(true) lists the role's inline policies (C(iam:ListRolePolicies)) to find those not listed, and reads each
        (C(iam:GetRolePolicy)). V(false) reads only those named in O(inline_policies), one C(iam:GetRolePolicy) each,
        without a listing; the result's RV(role.inline_policies) then shows only those.
    type: bool
    default: true
  permissions_boundary:
    description:
      - The ARN of the managed policy that bounds the role's permissions; V("") removes it. When not set, it is left
        alone.
    type: str
  tags:
    description:
      - Tags of the role. When not set, they are left alone.
    type: dict
  timeout:
    description:
      - The most time this module call may take, in seconds, every IAM and STS request, their retries and waits included
        (waits for IAM to propagate a new provider or role too). Each connection and each read waits at most what is
        left of it.
      - A host that does not resolve and a refused connection fail at once, without retries.
    type: int
    default: 300
    version_added: 0.2.0
  purge_tags:
    description:
      - Whether role tags not in O(tags) are removed.
    type: bool
    default: true
  wait_for_propagation:
    description:
      - After this call changed the provider or the role, return only once IAM's reads show the change (a plan made
        from fresh reads has nothing left to do), for at most O(propagation_timeout) seconds; then warn and return.
      - IAM is eventually consistent ("Changes that I make are not always immediately visible", IAM User Guide);
        without this wait, a task, an STS call or a second run made at once may still see the old state, and a
        second run would repeat the change.
      - Nothing is waited for when nothing changed.
    type: bool
    default: true
    version_added: 0.2.0
  propagation_timeout:
    description:
      - The most seconds to wait for IAM to propagate a change (O(wait_for_propagation)), and for its reads to show a
        provider or role that IAM says exists (C(EntityAlreadyExists)) because it was made a moment ago, by this run
        or another; 0 does not wait. Within O(timeout).
      - The default, 120, is the bound terraform-provider-aws uses for IAM; AWS publishes no figure.
    type: int
    default: 120
    version_added: 0.2.0
notes:
  - Tokens are matched to the provider by their C(iss) claim, character for character; set the identity domain's
    issuer to the same URL (M(multicloud.oci_aws.oci_token_policy)).
  - An IAM provider is shared by every role of the account that trusts it; manage its O(client_ids) and
    O(thumbprints) in one place when several roles use it.
seealso:
  - name: Create an OpenID Connect (OIDC) identity provider in IAM
    link: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
    description: How IAM uses the provider URL, client IDs and thumbprints.
  - name: Available keys for AWS OIDC federation
    link: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
    description: The condition keys a web identity trust policy can use.
"""

EXAMPLES = r"""
- name: Federate an identity domain's client with a role that may read one bucket
  multicloud.oci_aws.aws_oidc_role:
    issuer_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    audience: sts.amazon.com
    role_name: oci-reporting
    description: Assumed by the OCI reporting job through the identity domain
    subjects:
      - 6a0e2f6d3c1b4f0f9d2f7d0e8c6b5a41
    max_session_duration: 7200
    inline_policies:
      read-reports:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [s3:GetObject, s3:ListBucket]
            Resource: [arn:aws:s3:::reports, arn:aws:s3:::reports/*]
    tags:
      owner: platform
  register: federation

- name: Set the connection once for the collection's AWS modules
  module_defaults:
    group/multicloud.oci_aws.aws:
      region: eu-central-1
      profile: iam-admin
  block:
    - name: Only the provider, with thumbprints computed from the issuer's certificate chain
      multicloud.oci_aws.aws_oidc_role:
        issuer_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
        thumbprints_from_issuer: true

    - name: A role with an extra condition on the token's authentication methods
      multicloud.oci_aws.aws_oidc_role:
        issuer_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
        role_name: oci-deployer
        subjects: [6a0e2f6d3c1b4f0f9d2f7d0e8c6b5a41]
        conditions:
          ForAnyValue:StringEquals:
            amr: client_credentials
        managed_policy_arns:
          - arn:aws:iam::aws:policy/ReadOnlyAccess

- name: Remove a role; the provider goes too unless another role trusts it
  multicloud.oci_aws.aws_oidc_role:
    issuer_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    role_name: oci-reporting
    state: absent
"""

RETURN = r"""
resource_actions:
  description: The distinct AWS calls the task made, C(service:Operation), sorted.
  returned: when O(debug_botocore_endpoint_logs=true)
  type: list
  elements: str
  sample: [iam:GetOpenIDConnectProvider, iam:GetRole, sts:GetCallerIdentity]
provider_arn:
  description: The ARN of the OIDC provider (predicted in check mode when it does not exist yet; O(provider_arn) when given).
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:oidc-provider/idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
role_arn:
  description: The ARN of the role (predicted in check mode when it does not exist yet).
  returned: when O(role_name) is given
  type: str
  sample: arn:aws:iam::123456789012:role/oci-reporting
trust_policy:
  description: The role's trust policy after the run, keys and lists sorted.
  returned: when O(state=present) and O(role_name) is given
  type: dict
  sample:
    Statement:
      - Action: sts:AssumeRoleWithWebIdentity
        Condition:
          StringEquals:
            idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com:aud: sts.amazon.com
            idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com:sub: 6a0e2f6d3c1b4f0f9d2f7d0e8c6b5a41
        Effect: Allow
        Principal:
          Federated: arn:aws:iam::123456789012:oidc-provider/idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    Version: "2012-10-17"
provider:
  description: The provider after the run.
  returned: when the provider exists after the run and O(provider_arn) is not given
  type: dict
  contains:
    arn:
      description: Its ARN.
      type: str
      returned: always
    url:
      description: Its URL, the issuer.
      type: str
      returned: always
    client_ids:
      description: Its client IDs (audiences), sorted.
      type: list
      elements: str
      returned: always
    thumbprints:
      description: Its thumbprints, sorted, lower case.
      type: list
      elements: str
      returned: always
    tags:
      description: Its tags, the collection's mark C(managed-by=multicloud.oci_aws) among them.
      type: dict
      returned: always
role:
  description: The role after the run.
  returned: when O(role_name) is given and the role exists after the run
  type: dict
  contains:
    arn:
      description: Its ARN.
      type: str
      returned: always
    name:
      description: Its name.
      type: str
      returned: always
    path:
      description: Its path.
      type: str
      returned: always
    description:
      description: Its description, or null.
      type: str
      returned: always
    max_session_duration:
      description: The longest session it allows, in seconds.
      type: int
      returned: always
    trust_policy:
      description: Its trust policy, keys and lists sorted.
      type: dict
      returned: always
    permissions_boundary:
      description: The ARN of its permissions boundary, or null.
      type: str
      returned: always
    tags:
      description: Its tags, the collection's mark C(managed-by=multicloud.oci_aws) among them.
      type: dict
      returned: always
    managed_policy_arns:
      description: The ARNs of its managed policies, sorted.
      type: list
      elements: str
      returned: when O(managed_policy_arns) is given
    inline_policies:
      description: Its inline policies by name, keys and lists sorted.
      type: dict
      returned: when O(inline_policies) is given
permissions_changed:
  description:
    - Whether this call changed the role's permissions (attached or detached a managed policy, put or deleted an
      inline policy, set or removed the permissions boundary; in check mode, whether it would). V(false) with
      O(state=absent).
    - IAM's reads show the change when the call returns (O(wait_for_propagation)), and the exchange does not depend
      on it (C(sts:AssumeRoleWithWebIdentity) checks the trust policy only). But AWS services apply a permission
      change to the role's sessions only after IAM has propagated it, and no API tells when; the first call made
      with the role's credentials right after it (an S3 request) may still be refused with C(AccessDenied) for a
      few seconds. A task that makes such a call at once should retry it, bounded, when this is true.
  returned: when O(role_name) is given
  type: bool
  sample: false
  version_added: 0.2.0
propagation:
  description: What was spent waiting for IAM to propagate this call's changes (O(wait_for_propagation)).
  returned: when the call waited
  type: dict
  contains:
    retries:
      description: How many times IAM was read again.
      type: int
    waited:
      description: The seconds waited.
      type: float
  sample: {"retries": 4, "waited": 9.3}
provider_trusted_by:
  description: The other roles that trust the provider; when there is any, the provider was kept.
  returned: when O(state=absent), O(delete_provider=if_unused) and the provider existed
  type: list
  elements: str
  sample: [oci-deployer]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection, aws_argument_spec, caller_account
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.provider import ProviderManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.role import RoleManager
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.federation import DELETE_PROVIDER, Federation, FederationSpec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import (
    DEFAULT_PROPAGATION_TIMEOUT, PropagationWait, Retrier, check_propagation_timeout, deadline_from
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import DEFAULT_AUDIENCE

# One call of this module may wait for IAM to propagate a new provider or role, retried.
DEFAULT_TIMEOUT = 300


def argument_spec():
    spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        issuer_url=dict(type="str", required=True),
        audience=dict(type="str", default=DEFAULT_AUDIENCE),
        client_ids=dict(type="list", elements="str"),
        purge_client_ids=dict(type="bool", default=True),
        adopt=dict(type="bool", default=False),
        thumbprints=dict(type="list", elements="str"),
        thumbprints_from_issuer=dict(type="bool", default=False),
        issuer_ca_bundle=dict(type="path"),
        provider_tags=dict(type="dict"),
        purge_provider_tags=dict(type="bool", default=True),
        delete_provider=dict(type="str", default="if_unused", choices=list(DELETE_PROVIDER)),
        provider_arn=dict(type="str"),
        role_name=dict(type="str"),
        path=dict(type="str"),
        description=dict(type="str"),
        max_session_duration=dict(type="int"),
        subjects=dict(type="list", elements="str"),
        allow_any_subject=dict(type="bool", default=False),
        conditions=dict(type="dict"),
        trust_policy=dict(type="json"),
        trust_policy_size_limit=dict(type="int", default=2048),
        managed_policies_limit=dict(type="int", default=10),
        managed_policy_arns=dict(type="list", elements="str"),
        purge_managed_policies=dict(type="bool", default=True),
        inline_policies=dict(type="dict"),
        purge_inline_policies=dict(type="bool", default=True),
        permissions_boundary=dict(type="str"),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=True),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT),
        wait_for_propagation=dict(type="bool", default=True),
        propagation_timeout=dict(type="int", default=DEFAULT_PROPAGATION_TIMEOUT),
    )
    spec.update(aws_argument_spec())
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    with module_boundary(module, "aws_oidc_role"):
        spec = FederationSpec.from_params(module.params)
        deadline = deadline_from(module.params, DEFAULT_TIMEOUT)
        propagation = PropagationWait(check_propagation_timeout(module.params["propagation_timeout"]), deadline=deadline)
        connection = AwsConnection.from_options(module.params, retrier=Retrier(deadline=deadline))
        for warning in spec.warnings:
            module.warn(warning)
        iam = connection.client("iam")
        federation = Federation(
            ProviderManager(iam, module.check_mode, warn=module.warn),
            RoleManager(iam, module.check_mode, warn=module.warn),
            account=lambda: caller_account(connection.client("sts")),
            propagation=propagation, wait=module.params["wait_for_propagation"], warn=module.warn,
        )
        result = federation.run(spec)
        if module.params["debug_botocore_endpoint_logs"]:
            result["resource_actions"] = connection.resource_actions
        if federation.propagation_summary():
            result["propagation"] = federation.propagation_summary()
        diff = result.pop("diff")
        if module._diff:
            result["diff"] = diff
        module.exit_json(**result)


if __name__ == "__main__":
    main()
