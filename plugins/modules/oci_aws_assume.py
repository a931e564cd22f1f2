#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_aws_assume
short_description: Exchange an OCI Identity Domain token for temporary AWS credentials, and write AWS profiles
version_added: 0.1.0
description:
  - Steps 6 and 7 of federating an OCI Identity Domain with AWS. Gets an access token from the identity domain (client
    credentials grant) or takes one given, checks it as AWS will, and exchanges it with AWS STS
    C(AssumeRoleWithWebIdentity) for temporary credentials of an IAM role.
  - Returns the credentials with amazon.aws's option names, so that C(module_defaults) for amazon.aws modules can take
    them as they are, and in the form of the standard environment variables.
  - Can also write them as a profile of the AWS shared credentials file (O(credentials_profile)), or set up a profile of
    the AWS config file whose C(credential_process) runs this exchange whenever the AWS CLI or an SDK needs credentials
    (O(credential_process_profile)), on the host the module runs on.
  - The lookup P(multicloud.oci_aws.oci_aws_creds#lookup) does the same on the controller, with a cache.
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - multicloud.oci_aws.exchange
  - multicloud.oci_aws.audience
  - multicloud.oci_aws.aws
  - multicloud.oci_aws.aws.modules
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details:
      - The exchange is made (it changes nothing); files are not written, and C(changed) says whether they would be.
  diff_mode:
    support: full
    details:
      - The diff shows the profiles and the credential_process settings written. The value of every key whose name
        says it may be a secret (C(secret), C(token), C(password), C(key), ... such as C(aws_access_key_id),
        C(aws_secret_access_key), C(aws_session_token), C(client_secret)) is hidden, also when it was already in the
        file; C(<hidden, changed>) marks one that changes.
  idempotent:
    description: The exchange changes nothing on the host; writing a profile with new values does.
    support: partial
    details:
      - Every exchange gives new credentials, so a run with O(credentials_profile) always changes that file.
      - O(credential_process_profile) changes nothing when its options are the same.
  platform:
    platforms: posix
  action_group:
    support: full
    membership:
      - multicloud.oci_aws.aws
      - multicloud.oci_aws.exchange
options:
  role_arn:
    required: true
  credentials_profile:
    description:
      - Write the credentials as this profile of the AWS shared credentials file (C(aws_access_key_id),
        C(aws_secret_access_key), C(aws_session_token), and C(x_security_token_expires), which tools ignore).
      - Other profiles and lines of the file are kept. The file is written 0600; missing directories are created 0700
        at every level. An existing directory keeps its mode.
      - Refused before any request when a directory on the path belongs to another user (not root) or its group or
        others can write to it without the sticky bit, as OpenSSH's C(StrictModes) checks key files.
      - The credentials expire after O(duration_seconds); run the task again for new ones, or use O(credential_process_profile).
      - A profile name is 1 to 128 letters, digits and C(_.+=,@:/-); spaces, brackets and line breaks are refused.
    type: str
  aws_shared_credentials_file:
    description:
      - The AWS shared credentials file for O(credentials_profile).
      - When not set, E(AWS_SHARED_CREDENTIALS_FILE) on the host, then C(~/.aws/credentials).
    type: path
  credential_process_profile:
    description:
      - Make this profile of the AWS config file get credentials by running this exchange (C(credential_process)),
        with the options of this task, whenever the AWS CLI or an SDK needs them.
      - Writes, in O(credential_process_dir), a runner (this collection's exchange code as a Python zip application, run
        with the interpreter of this task) and a settings file holding the options; both 0600.
        The settings file holds the client secret; with O(client_private_key_file) it holds only the key's path, and
        the key stays in its own file on this host.
      - Needs a token source that can be renewed, O(client_id) with O(client_secret) or O(client_private_key_file), or
        O(token_file).
      - Must differ from O(credentials_profile) (keys in the shared credentials file would be used first).
      - Needs O(duration_seconds) of at least 1800, because botocore refreshes credentials that have less than 15
        minutes left; shorter ones would be reused for less than 15 minutes (at 900 seconds, every credential read
        would run the exchange again).
      - A profile name is 1 to 128 letters, digits and C(_.+=,@:/-); spaces, brackets and line breaks are refused.
    type: str
  aws_config_file:
    description:
      - The AWS config file for O(credential_process_profile).
      - When not set, E(AWS_CONFIG_FILE) on the host, then C(~/.aws/config).
      - Its directories are checked and created as for O(aws_shared_credentials_file).
    type: path
  credential_process_dir:
    description:
      - Where the credential_process runner and settings files go.
      - An absolute path (or one starting with C(~)) without control characters or line breaks, since it goes into
        the C(credential_process) line of the AWS config file; spaces and quotes are kept and quoted there.
      - Missing directories are created 0700 at every level; an existing directory keeps its mode, with a warning when
        others can list it.
      - Refused before any request (nothing written) when a directory on the path belongs to another user (not root)
        or its group or others can write to it without the sticky bit. The runner makes the same check of its own
        files and of the settings file each time it runs, and fails with a message on stderr when one of them could
        have been replaced.
    type: path
    default: ~/.aws/multicloud.oci_aws
  credential_process_cache_dir:
    description:
      - Where the credential_process runner keeps the credentials of one exchange for the next AWS CLI or SDK
        processes, so that N processes in one validity window make one token request and one STS call. The same
        cross-process cache as the lookup's (one 0600 file per key in a 0700 directory, one exchange at a time per
        key, secrets in the key only as SHA-256 digests).
      - When not set, C(cache) inside O(credential_process_dir).
      - The runner hands out a cached entry only while it has more than 16 minutes left (botocore refreshes
        credentials that have less than 15 minutes left).
      - A cache directory or file that is open to others, owned by another user or a symbolic link is not used; the
        runner then makes an exchange of its own and says why on stderr. So does a cache that cannot be written.
      - An absolute path (or one starting with C(~)) without control characters or line breaks.
    type: path
    version_added: 0.2.0
  verify_caller_identity:
    description:
      - After the exchange, call STS C(GetCallerIdentity) with the new credentials and return the answer in
        RV(caller_identity); fail (step 7) when STS does not know them as the session of O(role_arn).
      - It proves the credentials work for AWS calls, at the cost of one more request to STS.
    type: bool
    default: false
  wait_for_propagation:
    description:
      - Set it when this run changed the IAM OIDC provider or the role just before (the result of
        M(multicloud.oci_aws.aws_oidc_role) says C(changed)). IAM is eventually consistent, and STS may refuse the role
        for a moment after a change ("Changes that I make are not always immediately visible", IAM User Guide).
      - Then STS's refusals that propagation explains are tried again, with growing jittered waits, for at most
        O(propagation_timeout) seconds on top of O(timeout) - C(InvalidIdentityToken) "No OpenIDConnect provider
        found", "Incorrect token audience" or a thumbprint mismatch; C(AccessDenied) while C(iam:GetRole) does not show
        the role yet, cannot read it, or shows a trust policy that admits the token; a C(MaxSessionDuration) refusal
        while the role as read allows the duration.
      - A refusal that propagation does not explain fails at once with its diagnosis, such as a role that IAM shows
        with a trust policy for another client. When not set, nothing is waited for, so that a misconfiguration
        fails at once.
    type: bool
    default: false
    version_added: 0.2.0
  propagation_timeout:
    description:
      - The most seconds O(wait_for_propagation) waits for IAM's changes to reach STS; 0 does not wait.
      - The default, 120, is the bound terraform-provider-aws uses for IAM; AWS publishes no figure.
    type: int
    default: 120
    version_added: 0.2.0
notes:
  - The returned secrets appear in the task's output unless the task has C(no_log) set; so do values given to the
    C(environment) keyword, in the C(EXEC) lines Ansible prints at C(-vvv), even with C(no_log). Prefer a profile
    (O(credentials_profile) or O(credential_process_profile)) selected with E(AWS_PROFILE), or C(module_defaults) for
    modules whose secret options are C(no_log).
  - Each AWS CLI command runs the credential_process; the runner answers from its cache
    (O(credential_process_cache_dir)) and makes a new exchange only when the cached credentials have 16 minutes or
    less left; botocore keeps the answer until 15 minutes before it expires (its advisory refresh window; the
    mandatory one is 10 minutes).
seealso:
  - plugin: multicloud.oci_aws.oci_aws_creds
    plugin_type: lookup
  - module: multicloud.oci_aws.aws_oidc_role
  - module: multicloud.oci_aws.oci_token_policy
  - module: multicloud.oci_aws.oci_oidc_app
  - name: Sourcing credentials with an external process
    description: How the AWS CLI and SDKs run C(credential_process).
    link: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
"""

EXAMPLES = r"""
- name: Get temporary credentials for a role
  multicloud.oci_aws.oci_aws_assume:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    client_id: "{{ oci_client_id }}"
    client_secret: "{{ oci_client_secret }}"
    role_arn: arn:aws:iam::123456789012:role/oci-reporting
    region: eu-central-1
  register: aws
  no_log: true

- name: Use them with amazon.aws modules, whose secret options are no_log
  module_defaults:
    group/amazon.aws.aws:
      access_key: "{{ aws.access_key }}"
      secret_key: "{{ aws.secret_key }}"
      session_token: "{{ aws.session_token }}"
      region: eu-central-1
  block:
    - name: List the reports
      amazon.aws.s3_object_info:
        bucket_name: reports

- name: Let the AWS CLI and SDKs on the host get fresh credentials by themselves (AWS_PROFILE=oci-reporting)
  multicloud.oci_aws.oci_aws_assume:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    client_id: "{{ oci_client_id }}"
    client_secret: "{{ oci_client_secret }}"
    role_arn: arn:aws:iam::123456789012:role/oci-reporting
    region: eu-central-1
    credential_process_profile: oci-reporting
  no_log: true

- name: Write credentials for one hour as a profile of ~/.aws/credentials
  multicloud.oci_aws.oci_aws_assume:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    client_id: "{{ oci_client_id }}"
    client_secret: "{{ oci_client_secret }}"
    role_arn: arn:aws:iam::123456789012:role/oci-reporting
    region: eu-central-1
    credentials_profile: oci-reporting-static
  no_log: true

- name: The same options for every exchange of the play
  module_defaults:
    group/multicloud.oci_aws.exchange:
      domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
      client_id: "{{ oci_client_id }}"
      client_secret: "{{ oci_client_secret }}"
      region: eu-central-1
  block:
    - name: A role narrowed to one bucket for this job
      multicloud.oci_aws.oci_aws_assume:
        role_arn: arn:aws:iam::123456789012:role/oci-reporting
        duration_seconds: 900
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: arn:aws:s3:::reports/*
      register: narrowed
      no_log: true
"""

RETURN = r"""
access_key:
  description: The access key ID of the temporary credentials.
  returned: success
  type: str
  sample: ASIAIOSFODNN7EXAMPLE
secret_key:
  description: The secret access key. A secret; run the task with C(no_log).
  returned: success
  type: str
session_token:
  description: The session token. A secret; run the task with C(no_log).
  returned: success
  type: str
expiration:
  description: When the credentials expire, ISO 8601 UTC.
  returned: success
  type: str
  sample: "2030-01-01T12:00:00Z"
assumed_role_arn:
  description: The ARN of the role session.
  returned: success
  type: str
  sample: arn:aws:sts::123456789012:assumed-role/oci-reporting/ansible-oci-aws
environment:
  description:
    - The credentials as E(AWS_ACCESS_KEY_ID), E(AWS_SECRET_ACCESS_KEY) and E(AWS_SESSION_TOKEN). Secrets.
    - Values given to the C(environment) keyword are printed at C(-vvv), even with C(no_log); prefer a profile.
  returned: success
  type: dict
caller_identity:
  description: What STS C(GetCallerIdentity) answered for the new credentials.
  returned: when O(verify_caller_identity=true)
  type: dict
  contains:
    arn:
      description: The caller's ARN, the assumed-role session.
      type: str
      sample: arn:aws:sts::123456789012:assumed-role/oci-reporting/ansible-oci-aws
    account:
      description: The AWS account ID.
      type: str
      sample: "123456789012"
    user_id:
      description: The role's unique ID and the session name.
      type: str
      sample: AROAEXAMPLEID:ansible-oci-aws
resource_actions:
  description: The distinct AWS calls the task made, C(service:Operation), sorted.
  returned: when O(debug_botocore_endpoint_logs=true)
  type: list
  elements: str
  sample: [sts:AssumeRoleWithWebIdentity]
propagation:
  description: What O(wait_for_propagation) spent waiting for IAM's changes to reach STS.
  returned: when O(wait_for_propagation=true)
  type: dict
  contains:
    retries:
      description: How many times the exchange was tried again.
      type: int
    waited:
      description: The seconds waited.
      type: float
  sample: {"retries": 3, "waited": 6.1}
credentials_file:
  description: The shared credentials file written, and the profile in it.
  returned: when O(credentials_profile) is given
  type: dict
  contains:
    path:
      description: The file.
      type: str
      returned: always
    profile:
      description: The profile.
      type: str
      returned: always
credential_process:
  description: The profile set up with C(credential_process).
  returned: when O(credential_process_profile) is given
  type: dict
  contains:
    config_file:
      description: The AWS config file.
      type: str
      returned: always
    profile:
      description: The profile.
      type: str
      returned: always
    command:
      description: The profile's C(credential_process) command.
      type: str
      returned: always
      sample: /usr/bin/python3 /home/ops/.aws/multicloud.oci_aws/credential_process.pyz --settings /home/ops/.aws/multicloud.oci_aws/oci-reporting.json
    settings_file:
      description: The settings file (0600) that the command reads.
      type: str
      returned: always
"""

import sys

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.assume import Assume, assume_argument_spec
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary


def main():
    module = AnsibleModule(argument_spec=assume_argument_spec(), supports_check_mode=True)
    with module_boundary(module, "oci_aws_assume"):
        assume = Assume.from_params(module.params)
        result = assume.run(module.check_mode, module._diff, sys.executable)
        if module.params["debug_botocore_endpoint_logs"]:
            result["resource_actions"] = assume.spec.connection.resource_actions
        for warning in assume.warnings:
            module.warn(warning)
        module.exit_json(**result)


if __name__ == "__main__":
    main()
