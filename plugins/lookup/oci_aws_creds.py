# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: oci_aws_creds
short_description: Temporary AWS credentials for an OCI Identity Domain token, cached across forks and runs
version_added: 0.1.0
description:
  - Gets an access token from an OCI Identity Domain (client credentials grant) or takes one given, checks it as AWS will,
    and exchanges it with AWS STS C(AssumeRoleWithWebIdentity) for temporary credentials of an IAM role (steps 6 and 7
    of the federation). The same implementation as M(multicloud.oci_aws.oci_aws_assume), run on the controller.
  - Returns one dictionary per role (the terms, or O(role_arn)) with RV(_raw[].access_key), RV(_raw[].secret_key),
    RV(_raw[].session_token), RV(_raw[].expiration), RV(_raw[].assumed_role_arn) and RV(_raw[].environment).
  - B(Cached.) Ansible evaluates a lookup anew for every host and task, each in its own process. The credentials are
    kept in a private cache on the controller (a 0700 directory of 0600 files, replaced atomically) and reused until
    O(cache_refresh_margin) seconds before they expire; concurrent forks wait for one exchange instead of making one
    each, for a bounded time. The key is everything that changes the credentials (the STS endpoint, region and
    partition that botocore resolves from O(region), O(endpoint_url), O(profile), the environment and the AWS shared
    files, the role session asked for, and the token's source; secrets only as SHA-256 digests). A cached answer loads
    neither boto3 nor the OCI SDK.
  - A fork waits for another one's exchange for O(timeout) seconds, and longer (up to O(throttling_timeout) more) only
    while that exchange is being throttled, which it announces; a fork that is hung is not waited for beyond O(timeout).
  - When the cache cannot be used safely (a lock file that is not a private file of the user, a lock held too long, a
    full or read-only disk), the credentials come from an exchange and are returned uncached, with a warning.
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - multicloud.oci_aws.exchange
  - multicloud.oci_aws.exchange.plugins
  - multicloud.oci_aws.audience
  - multicloud.oci_aws.aws
  - multicloud.oci_aws.aws.plugins
options:
  _terms:
    description:
      - ARNs of roles to assume, one answer each. When none is given, O(role_arn).
    type: list
    elements: str
    required: false
  role_arn:
    description:
      - The role to assume when no term is given.
      - A term wins over O(role_arn) from a variable or the environment; a term and O(role_arn) in the same call
        are an error.
  policy:
    type: raw
  cache:
    description:
      - Whether to keep the credentials in the cache and use them from there while they are valid.
      - With V(false), every evaluation makes a new token request and a new STS call.
    type: bool
    default: true
    env:
      - name: OCI_AWS_CREDS_CACHE
    ini:
      - section: oci_aws_creds
        key: cache
    vars:
      - name: oci_aws_creds_cache
  cache_dir:
    description:
      - The cache directory, made 0700 (with every missing parent) when missing. It must belong to the user running
        Ansible and be open to nobody else; every directory above it must belong to the user or root and not be writable
        by others unless sticky. An existing directory is never chmod-ed; one that is too open is not used (a warning
        names the fix).
      - When not set, C(multicloud.oci_aws/credentials) in E(XDG_CACHE_HOME) or C(~/.cache).
    type: path
    env:
      - name: OCI_AWS_CREDS_CACHE_DIR
    ini:
      - section: oci_aws_creds
        key: cache_dir
    vars:
      - name: oci_aws_creds_cache_dir
  cache_refresh_margin:
    description:
      - Cached credentials are replaced by new ones this many seconds before they expire (less than O(duration_seconds)).
    type: int
    default: 600
    env:
      - name: OCI_AWS_CREDS_CACHE_REFRESH_MARGIN
    ini:
      - section: oci_aws_creds
        key: cache_refresh_margin
    vars:
      - name: oci_aws_creds_cache_refresh_margin
notes:
  - A token source given in the call (O(client_id), O(token) or O(token_file)) wins over the others' values from
    variables or the environment; two sources in the same call conflict.
  - Variables named in the options' C(vars) sources are templated by the lookup, so they may hold Jinja or vaulted values.
  - Keep the answer out of output. Give it to modules whose secret options are C(no_log) (for example with
    C(module_defaults)), or to C(ansible.builtin.set_fact) in a task with C(no_log) set. Values given to the
    C(environment) keyword appear in clear in the C(EXEC) lines that Ansible prints at C(-vvv), even when the task
    has C(no_log) set.
seealso:
  - module: multicloud.oci_aws.oci_aws_assume
  - name: AssumeRoleWithWebIdentity
    description: The STS call and its errors.
    link: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
"""

EXAMPLES = r"""
- name: Use the role's credentials with modules whose secret options are no_log
  vars:
    aws: "{{ lookup('multicloud.oci_aws.oci_aws_creds', 'arn:aws:iam::123456789012:role/oci-reporting',
                    domain_url=oci_domain_url, client_id=oci_client_id, client_secret=oci_client_secret,
                    region='eu-central-1') }}"
  module_defaults:
    group/amazon.aws.aws:
      access_key: "{{ aws.access_key }}"
      secret_key: "{{ aws.secret_key }}"
      session_token: "{{ aws.session_token }}"
      region: eu-central-1
  block:
    - name: List the reports (the lookup is evaluated for each task, and answered from the cache)
      amazon.aws.s3_object_info:
        bucket_name: reports

- name: The same from variables (oci_aws_domain_url, oci_aws_client_id, oci_aws_client_secret, oci_aws_role_arn)
  ansible.builtin.set_fact:
    aws: "{{ lookup('multicloud.oci_aws.oci_aws_creds') }}"
  no_log: true

- name: A token written by another process, no cache
  ansible.builtin.set_fact:
    aws: "{{ lookup('multicloud.oci_aws.oci_aws_creds', token_file='/run/oci/token', issuer=oci_domain_url,
                    role_arn=role_arn, cache=false) }}"
  no_log: true
"""

RETURN = r"""
_raw:
  description: The credentials, one dictionary per role.
  type: list
  elements: dict
  contains:
    access_key:
      description: The access key ID (amazon.aws's option name).
      type: str
      sample: ASIAIOSFODNN7EXAMPLE
    secret_key:
      description: The secret access key. A secret.
      type: str
    session_token:
      description: The session token. A secret.
      type: str
    expiration:
      description: When the credentials expire, ISO 8601 UTC.
      type: str
      sample: "2030-01-01T12:00:00Z"
    assumed_role_arn:
      description: The ARN of the role session.
      type: str
      sample: arn:aws:sts::123456789012:assumed-role/oci-reporting/ansible-oci-aws
    environment:
      description:
        - E(AWS_ACCESS_KEY_ID), E(AWS_SECRET_ACCESS_KEY) and E(AWS_SESSION_TOKEN). Secrets.
        - Values given to the C(environment) keyword are printed at C(-vvv); prefer the other forms.
      type: dict
"""

# Ansible's plugin loader takes the option definitions of a plugin it loads from the module's DOCUMENTATION
# attribute, parsed as YAML with every doc fragment (PluginLoader._load_config_defs): about 7 ms in every forked
# worker, i.e. every host and task. ansible-doc and the sanity tests read the literal above from the source file
# instead. So once run, the module carries only the options, merged with their fragments and without their
# descriptions, as JSON (which YAML reads, 15 times faster). tests/unit/plugins/lookup/test_oci_aws_creds_load.py
# keeps it equal to the documentation (regenerate with the command in that test's docstring).
_CONFIG_DEFINITIONS = (
    '{"options":{"_terms":{"elements":"str","required":false,"type":"list"},"audience":{"default":"sts.amazon.com","env":[{"name":"OCI_AWS_AUDIENCE"}],"typ'
    'e":"str","vars":[{"name":"oci_aws_audience"}]},"aws_ca_bundle":{"env":[{"name":"AWS_CA_BUNDLE"}],"type":"path","vars":[{"name":"aws_ca_bundle"}]},"aws'
    '_config":{"type":"dict"},"cache":{"default":true,"env":[{"name":"OCI_AWS_CREDS_CACHE"}],"ini":[{"key":"cache","section":"oci_aws_creds"}],"type":"bool'
    '","vars":[{"name":"oci_aws_creds_cache"}]},"cache_dir":{"env":[{"name":"OCI_AWS_CREDS_CACHE_DIR"}],"ini":[{"key":"cache_dir","section":"oci_aws_creds"'
    '}],"type":"path","vars":[{"name":"oci_aws_creds_cache_dir"}]},"cache_refresh_margin":{"default":600,"env":[{"name":"OCI_AWS_CREDS_CACHE_REFRESH_MARGIN'
    '"}],"ini":[{"key":"cache_refresh_margin","section":"oci_aws_creds"}],"type":"int","vars":[{"name":"oci_aws_creds_cache_refresh_margin"}]},"cert_bundle'
    '":{"env":[{"name":"OCI_ANSIBLE_CERT_BUNDLE"}],"type":"path","vars":[{"name":"oci_aws_cert_bundle"}]},"client_certificate_alias":{"env":[{"name":"OCI_A'
    'WS_CLIENT_CERTIFICATE_ALIAS"}],"type":"str","vars":[{"name":"oci_aws_client_certificate_alias"}]},"client_certificate_file":{"env":[{"name":"OCI_AWS_C'
    'LIENT_CERTIFICATE_FILE"}],"type":"path","vars":[{"name":"oci_aws_client_certificate_file"}]},"client_id":{"env":[{"name":"OCI_AWS_CLIENT_ID"}],"type":'
    '"str","vars":[{"name":"oci_aws_client_id"}]},"client_private_key_file":{"env":[{"name":"OCI_AWS_CLIENT_PRIVATE_KEY_FILE"}],"type":"path","vars":[{"nam'
    'e":"oci_aws_client_private_key_file"}]},"client_secret":{"env":[{"name":"OCI_AWS_CLIENT_SECRET"}],"type":"str","vars":[{"name":"oci_aws_client_secret"'
    '}]},"domain_url":{"env":[{"name":"OCI_DOMAIN_URL"}],"type":"str","vars":[{"name":"oci_aws_domain_url"}]},"duration_seconds":{"default":3600,"env":[{"n'
    'ame":"OCI_AWS_DURATION_SECONDS"}],"type":"int","vars":[{"name":"oci_aws_duration_seconds"}]},"endpoint_url":{"aliases":["aws_endpoint_url"],"env":[{"n'
    'ame":"AWS_ENDPOINT_URL"}],"type":"str","vars":[{"name":"aws_endpoint_url"}]},"issuer":{"env":[{"name":"OCI_AWS_ISSUER"}],"type":"str","vars":[{"name":'
    '"oci_aws_issuer"}]},"policy":{"type":"raw","vars":[{"name":"oci_aws_session_policy"}]},"policy_arns":{"elements":"str","type":"list","vars":[{"name":"'
    'oci_aws_session_policy_arns"}]},"profile":{"aliases":["aws_profile"],"env":[{"name":"AWS_PROFILE"}],"type":"str","vars":[{"name":"aws_profile"}]},"reg'
    'ion":{"aliases":["aws_region"],"env":[{"name":"AWS_REGION"},{"name":"AWS_DEFAULT_REGION"}],"type":"str","vars":[{"name":"aws_region"}]},"role_arn":{"e'
    'nv":[{"name":"OCI_AWS_ROLE_ARN"}],"type":"str","vars":[{"name":"oci_aws_role_arn"}]},"role_session_name":{"default":"ansible-oci-aws","env":[{"name":"'
    'OCI_AWS_ROLE_SESSION_NAME"}],"type":"str","vars":[{"name":"oci_aws_role_session_name"}]},"scope":{"env":[{"name":"OCI_AWS_SCOPE"}],"type":"str","vars"'
    ':[{"name":"oci_aws_scope"}]},"throttling_timeout":{"default":300,"env":[{"name":"OCI_AWS_THROTTLING_TIMEOUT"}],"type":"int","vars":[{"name":"oci_aws_t'
    'hrottling_timeout"}]},"timeout":{"default":60,"env":[{"name":"OCI_AWS_TIMEOUT"}],"type":"int","vars":[{"name":"oci_aws_timeout"}]},"token":{"env":[{"n'
    'ame":"OCI_AWS_TOKEN"}],"type":"str","vars":[{"name":"oci_aws_token"}]},"token_file":{"env":[{"name":"OCI_AWS_TOKEN_FILE"}],"type":"path","vars":[{"nam'
    'e":"oci_aws_token_file"}]},"token_url":{"env":[{"name":"OCI_AWS_TOKEN_URL"}],"type":"str","vars":[{"name":"oci_aws_token_url"}]},"validate_certs":{"de'
    'fault":true,"type":"bool","vars":[{"name":"aws_validate_certs"}]}}}'
)
globals().update(DOCUMENTATION=_CONFIG_DEFINITIONS)  # a call, not an assignment: the source's docs stay

import json

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible import constants as C

from ansible_collections.multicloud.oci_aws.plugins.plugin_utils._lookup import (
    lookup_credentials, plugin_options, roles_to_assume, token_source_of_the_call)

display = Display()


def _register_definitions():
    """Give the config manager the options directly (plain JSON, no YAML): the loader then skips reading
    DOCUMENTATION. It files a plugin's definitions under the name it loads it by (this module's name in
    ansible-core 2.19); should that differ, the loader reads the JSON DOCUMENTATION above, as YAML."""
    if not C.config.has_configuration_definition("lookup", __name__):
        C.config.initialize_plugin_configuration_definitions("lookup", __name__, json.loads(_CONFIG_DEFINITIONS)["options"])


_register_definitions()


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=self._templated_sources(variables or {}), direct=kwargs)
        options = token_source_of_the_call(plugin_options(self), kwargs)
        answers = []
        try:
            roles = roles_to_assume(terms, kwargs, options.get("role_arn"))
            for role_arn in roles:
                options["role_arn"] = role_arn
                answers.append(lookup_credentials(options, display.warning))
        except Exception as exc:  # pylint: disable=broad-except
            # The one boundary: our errors as they are, anything else by its type only (its text may quote an
            # answer), and never chained, so that no traceback of the original reaches -vvv output. Imported here:
            # a cache hit does not compile the errors module.
            from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import typed

            raise AnsibleLookupError(typed(exc, "the lookup multicloud.oci_aws.oci_aws_creds").msg) from None
        return answers

    def _templated_sources(self, variables):
        """The variables this lookup reads, templated: Ansible hands lookups their raw, untemplated values."""
        templated = {}
        for definition in self.option_definitions.values():
            for source in definition.get("vars") or ():
                name = source["name"]
                if name in variables:
                    templated[name] = self._templar.template(variables[name])
        return templated
