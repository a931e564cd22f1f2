# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The OCI connection options, written once (argument spec: ``module_utils/_oci/domain.py``)."""

    DOCUMENTATION = r"""
options:
  domain_url:
    description:
      - The URL of the OCI Identity Domain, as the console shows it under the domain's B(Domain URL),
        such as C(https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com).
      - It must be C(https://) with a host and at most a port; a path, query, fragment or user information is refused.
      - A default port C(:443) is dropped wherever the URL is compared or returned, and the host is lower-cased.
      - The domain's B(Regional URL) (C(https://idcs-<id>.<region>-idcs-<n>.secure.identity.oraclecloud.com), of its
        home or a replica region) is accepted and called as given, but the issuer derived from it is the
        region-agnostic B(Domain URL) C(https://idcs-<id>.identity.oraclecloud.com), since the issuer is domain-wide.
      - C(https://identity.oraclecloud.com), the issuer that all domains share by default, is refused.
    type: str
    required: true
  auth_type:
    description:
      - How to sign the requests to the identity domain, as in the C(oracle.oci) collection.
      - V(api_key) uses the API signing key of a profile of the OCI config file.
      - V(security_token) uses the session token of a profile made by C(oci session authenticate)
        (the profile's C(security_token_file) and C(key_file)).
      - V(instance_principal) uses the identity of the OCI compute instance the task runs on (it must be in a dynamic group).
      - V(resource_principal) uses the identity that OCI Functions and similar services provide through C(OCI_RESOURCE_PRINCIPAL_*) variables.
      - If not set, the environment variable E(OCI_ANSIBLE_AUTH_TYPE) is used, then V(api_key).
      - Each setting of the config profile is taken, as in C(oracle.oci), from its option if set, else from its
        environment variable, else from the profile (O(api_user), O(api_user_fingerprint), O(api_user_key_file),
        O(api_user_key_pass_phrase), O(tenancy), O(region)).
      - Whatever signs the requests needs a role in the identity domain that allows managing apps and settings,
        such as Identity Domain Administrator.
    type: str
    choices: [api_key, instance_principal, resource_principal, security_token]
    default: api_key
  config_file_location:
    description:
      - Path of the OCI config file, for O(auth_type=api_key) and O(auth_type=security_token).
      - If not set, the environment variable E(OCI_CONFIG_FILE) is used, then C(~/.oci/config).
    type: path
  config_profile_name:
    description:
      - The profile of the OCI config file to use.
      - If not set, the environment variable E(OCI_CONFIG_PROFILE) is used, then V(DEFAULT).
    type: str
    default: DEFAULT
  auth_purpose:
    description:
      - The purpose of the instance principal's token, for O(auth_type=instance_principal) only, as in the C(oracle.oci)
        collection. Not set, the default purpose.
    type: str
    choices: [service_principal]
    version_added: 0.2.0
  api_user:
    description:
      - The OCID of the user whose API signing key signs the requests, for O(auth_type=api_key).
      - If not set, the environment variable E(OCI_USER_ID) is used, then C(user) of the config profile.
      - With O(api_user), O(api_user_fingerprint), O(api_user_key_file), O(tenancy) and O(region) all set (or their
        environment variables), no config file is needed; O(config_file_location) not set and no file at
        C(~/.oci/config), none is read.
    type: str
    version_added: 0.2.0
  api_user_fingerprint:
    description:
      - The fingerprint of the API signing key.
      - If not set, the environment variable E(OCI_USER_FINGERPRINT) is used, then C(fingerprint) of the config profile.
    type: str
    version_added: 0.2.0
  api_user_key_file:
    description:
      - Path of the API signing key's private key (PEM), for O(auth_type=api_key) and O(auth_type=security_token).
      - If not set, the environment variable E(OCI_USER_KEY_FILE) is used, then C(key_file) of the config profile.
    type: path
    version_added: 0.2.0
  api_user_key_pass_phrase:
    description:
      - The pass phrase of the private key in O(api_user_key_file), if it is encrypted. Never shown in any output.
      - If not set, the environment variable E(OCI_USER_KEY_PASS_PHRASE) is used, then C(pass_phrase) of the config profile.
    type: str
    version_added: 0.2.0
  tenancy:
    description:
      - The OCID of the tenancy of O(api_user).
      - If not set, the environment variable E(OCI_TENANCY) is used, then C(tenancy) of the config profile.
    type: str
    version_added: 0.2.0
  region:
    description:
      - An OCI region, such as V(us-ashburn-1). The SDK requires one for O(auth_type=api_key); requests go to
        O(domain_url) whatever the region.
      - If not set, the environment variable E(OCI_REGION) is used, then C(region) of the config profile.
    type: str
    version_added: 0.2.0
  cert_bundle:
    description:
      - Path of a PEM file of CA certificates, the only ones trusted to verify the identity domain's TLS certificate.
      - Needed only for a private endpoint or a test environment signed by another CA; TLS verification cannot be turned off.
      - If not set, the environment variable E(OCI_ANSIBLE_CERT_BUNDLE) is used, then the CA bundle of the C(oci) SDK.
    type: path
  timeout:
    description:
      - The most time the module call may take, in seconds, all its requests to the identity domain, their retries and
        waits included. Each connection and each read waits at most what is left of it.
      - A host that does not resolve and a refused connection fail at once, without retries.
    type: int
    default: 120
    version_added: 0.2.0
requirements:
  - python >= 3.8
  - oci >= 2.150.0
notes:
  - Requests that fail for a transient reason (HTTP 429 or 5xx, a reset connection, a timeout) are retried with
    jittered exponential backoff that honours C(Retry-After), up to 6 attempts and 2 minutes per request, and all
    within O(timeout).
  - An answer that is not what the API documents (not JSON, not a JSON object) fails with the endpoint and the HTTP
    status, never with any part of the answer.
  - Errors report the service's own C(detail) text, the HTTP status and the C(opc-request-id) to quote to Oracle support.
"""
