#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_client_key
short_description: Make the private key and certificate with which an OCI app's client authenticates, where it is used
version_added: 0.2.0
description:
  - Makes an RSA private key and a self-signed certificate on the host that runs the task, for private-key client
    authentication to the identity domain's token endpoint (a JWT client assertion instead of the client secret).
  - Both are kept in one PEM file, C(<path>/<name>.pem), mode 0600, in a 0700 directory; every existing directory on
    the way must belong to the user or root and not be writable by others. The private key never leaves the host and
    is never returned; only the certificate (public), its alias and thumbprints are returned, to register on the app
    with M(multicloud.oci_aws.oci_oidc_app) O(multicloud.oci_aws.oci_oidc_app#module:client_certificates).
  - The file is the value of both O(multicloud.oci_aws.oci_aws_assume#module:client_private_key_file) and
    O(multicloud.oci_aws.oci_aws_assume#module:client_certificate_file) (the exchange names the certificate by its
    C(x5t) thumbprint), for the module, the lookup and credential_process profiles.
  - Rotation without downtime, as three runs (O(stage)); see the credentials guide for the playbook.
author:
  - multicloud.oci_aws developers (@multicloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    description: Running again makes no change until O(max_key_age) is reached or a stage has something to do.
    support: full
  platform:
    platforms: posix
  action:
    support: none
  async:
    support: full
  bypass_host_loop:
    support: none
options:
  path:
    description:
      - The directory of the key files (absolute). Missing directories are made 0700.
    type: path
    required: true
  name:
    description:
      - The name of the key files (C(<name>.pem), C(<name>.next.pem), C(<name>.previous.pem)) and the start of each
        certificate's alias, C(<name>-<first 12 hex digits of its SHA-1 thumbprint>).
      - Use one name per host and app, such as the inventory host name, so that aliases never collide on the app.
    type: str
    default: client
  key_size:
    description:
      - The RSA key size in bits, 2048 to 8192. The identity domain verifies RS256 only, so the key is always RSA.
    type: int
    default: 2048
  valid_days:
    description:
      - How long a new certificate is valid, in days.
    type: int
    default: 365
  max_key_age:
    description:
      - The age in days after which a run with O(stage=present) makes a new key beside the current one
        (C(<name>.next.pem)). Without it, a new key is made only when the certificate ends within 30 days.
    type: int
  stage:
    description:
      - V(present) makes the key if it is missing, and the next key when one is due; the exchange keeps using the
        current one.
      - V(promote) makes the next key the current one (one atomic rename), keeping the old as C(<name>.previous.pem).
      - V(prune) removes C(<name>.previous.pem); remove its certificate from the app afterwards.
    type: str
    choices: [present, promote, prune]
    default: present
notes:
  - Needs the Python library C(cryptography) on the host.
  - An existing file that holds no RSA key of at least 2048 bits, a certificate that is not its key's, or (without
    O(max_key_age)) an expired certificate fails the task before any change.
seealso:
  - module: multicloud.oci_aws.oci_oidc_app
  - module: multicloud.oci_aws.oci_aws_assume
  - name: Client/User JWT Assertion (Oracle)
    description: The assertion the key signs.
    link: https://docs.oracle.com/en-us/iaas/Content/Identity/api-getstarted/ClientAssertion.htm
"""

EXAMPLES = r"""
- name: Make this host's client key
  multicloud.oci_aws.oci_client_key:
    path: /etc/oci-aws/keys
    name: "{{ inventory_hostname_short }}"
    max_key_age: 90
  register: client_key

- name: Register every certificate of the hosts on the app (current and next), from the controller
  multicloud.oci_aws.oci_oidc_app:
    domain_url: https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com
    display_name: aws-sts-oidc
    client_auth: private_key
    client_certificates: "{{ ansible_play_hosts | map('extract', hostvars, ['client_key', 'certificates']) | flatten }}"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
private_key_file:
  description: The file to give as O(multicloud.oci_aws.oci_aws_assume#module:client_private_key_file).
  returned: always
  type: str
  sample: /etc/oci-aws/keys/web1.pem
certificate_file:
  description: The file to give as O(multicloud.oci_aws.oci_aws_assume#module:client_certificate_file) (the same file).
  returned: always
  type: str
  sample: /etc/oci-aws/keys/web1.pem
current:
  description: The pair in use (an element of RV(certificates)); null in check mode before the first run.
  returned: always
  type: dict
certificates:
  description:
    - Each pair on the host, the current one, the next (made, not yet in use) and the previous (no longer in use).
    - Public values only; register the current and next ones on the app.
  returned: always
  type: list
  elements: dict
  contains:
    role:
      description: V(current), V(next) or V(previous).
      type: str
    alias:
      description: The certificate alias to register (C(certAlias)).
      type: str
    x5t:
      description: The base64url SHA-1 thumbprint, as the assertion header and the app's C(x5t) give it.
      type: str
    sha1_thumbprint:
      description: The SHA-1 thumbprint in hex, as the app's C(sha1Thumbprint) gives it.
      type: str
    certificate:
      description: The certificate, PEM.
      type: str
    x509_base64:
      description: The certificate, DER in base64 (C(x509Base64Certificate)).
      type: str
    not_before:
      description: Start of validity (UTC).
      type: str
    not_after:
      description: End of validity (UTC).
      type: str
    age_days:
      description: Days since the certificate was made.
      type: int
    file:
      description: The file that holds the pair.
      type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import module_boundary
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_key import DEFAULT_VALID_DAYS, STAGES, ClientKey


def argument_spec():
    return dict(
        path=dict(type="path", required=True),
        name=dict(type="str", default="client"),
        key_size=dict(type="int", default=2048, no_log=False),
        valid_days=dict(type="int", default=DEFAULT_VALID_DAYS),
        max_key_age=dict(type="int", no_log=False),
        stage=dict(type="str", choices=list(STAGES), default="present"),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    with module_boundary(module, "oci_client_key"):
        params = module.params
        keys = ClientKey(params["path"], params["name"], params["key_size"], params["valid_days"], params["max_key_age"],
                         check_mode=module.check_mode)
        changed, result = keys.run(params["stage"])
        module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
