# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The AWS connection options, with amazon.aws's names and aliases, declared once.

    The one definition of their types, defaults and aliases is ``module_utils/_aws/connection.py``
    (``CONNECTION``); the unit tests compare it with these fragments. ``DOCUMENTATION`` holds the
    options every consumer takes, ``MODULES`` those only modules take (the AWS keys, the calls
    made), ``PLUGINS`` where the lookup also reads the shared ones from (env and vars).
    """

    DOCUMENTATION = r"""
options:
  profile:
    description:
      - The profile of the AWS shared config and credentials files to use.
      - When not set, botocore's own resolution applies (the E(AWS_PROFILE) environment variable, then the
        default credential chain).
    type: str
    aliases: [aws_profile]
  region:
    description:
      - The AWS region. It chooses the regional STS endpoint (C(https://sts.<region>.amazonaws.com), always regional,
        whatever botocore's version or C(sts_regional_endpoints) say) and the partition; IAM is global within a
        partition, and reached in AWS GovCloud (US) and China through a region of that partition.
      - When not set, the E(AWS_REGION) or E(AWS_DEFAULT_REGION) environment variable, then the profile's region.
        Without any, the module fails before any request.
    type: str
    aliases: [aws_region]
  endpoint_url:
    description:
      - A URL that replaces the AWS endpoints of every service called (STS, and IAM), for private endpoints and
        emulators.
      - When not set, botocore's E(AWS_ENDPOINT_URL) and E(AWS_ENDPOINT_URL_<SERVICE>) (for example
        E(AWS_ENDPOINT_URL_STS)) environment variables and profile settings apply.
    type: str
    aliases: [aws_endpoint_url]
  aws_ca_bundle:
    description:
      - A CA bundle that verifies the AWS endpoints' TLS certificates, for endpoints signed by a private CA.
      - When not set, botocore reads E(AWS_CA_BUNDLE), then uses its own CA bundle.
    type: path
  validate_certs:
    description:
      - TLS verification of the AWS endpoints is always on. V(false) is refused with an error, since the requests
        carry tokens and credentials; use O(aws_ca_bundle) to trust a private or test CA.
      - Accepted with V(true), amazon.aws's name, so that one connection dictionary serves amazon.aws's modules
        and this collection's.
    type: bool
    default: true
  aws_config:
    description:
      - A dictionary of botocore C(Config) parameters (as amazon.aws takes them), such as C(proxies),
        C(use_fips_endpoint), C(max_pool_connections), C(connect_timeout) or C(read_timeout); see
        U(https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html).
      - C(connect_timeout) and C(read_timeout) apply to each attempt, and every attempt still ends within the
        C(timeout) option. C(user_agent_extra) is added to the collection's own.
      - C(retries) and C(signature_version) are refused (the collection retries, within C(timeout), and signs itself);
        unknown parameters are refused before any request. Error messages name the parameters, never their values.
    type: dict
    version_added: 0.2.0
requirements:
  - python >= 3.8
  - boto3 >= 1.35.0
  - botocore >= 1.35.0
notes:
  - Calls that AWS throttles or answers with a transient error (HTTP 429 and 5xx, C(Throttling), C(ServiceFailure),
    C(ConcurrentModification), lost connections) are retried with jittered exponential backoff, honouring
    C(Retry-After), for at most 6 attempts or 120 seconds; botocore's own retries are off.
"""

    # The options only modules take: the AWS keys (the lookup and the credential_process need none) and the
    # list of calls made.
    MODULES = r"""
options:
  access_key:
    description:
      - The AWS access key ID.
      - When not set, botocore reads E(AWS_ACCESS_KEY_ID), then the profile and the rest of its credential chain.
      - Cannot be combined with O(profile).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - The AWS secret access key, given together with O(access_key).
      - When not set, botocore reads E(AWS_SECRET_ACCESS_KEY), then the rest of its credential chain.
      - Cannot be combined with O(profile).
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - The AWS session token of temporary credentials.
      - When not set, botocore reads E(AWS_SESSION_TOKEN).
      - Cannot be combined with O(profile).
    type: str
    aliases: [aws_session_token]
  debug_botocore_endpoint_logs:
    description:
      - Return in C(resource_actions) the distinct AWS calls the task made, as C(service:Operation) (for example
        C(sts:AssumeRoleWithWebIdentity), C(iam:GetRole)), as amazon.aws does, to build least-privilege policies.
      - Unlike amazon.aws, no C(botocore.endpoint) debug logger is attached, since botocore's debug log holds request
        bodies (the web identity token); only the names of the calls are recorded, never parameters or answers.
      - The E(ANSIBLE_DEBUG_BOTOCORE_LOGS) environment variable may also be used.
    type: bool
    default: false
    version_added: 0.2.0
notes:
  - Set the AWS connection options once for the collection's AWS modules (M(multicloud.oci_aws.aws_oidc_role),
    M(multicloud.oci_aws.oci_aws_assume)) with the C(module_defaults) group C(group/multicloud.oci_aws.aws). The same
    dictionary serves amazon.aws's C(group/amazon.aws.aws), since the option names and aliases are amazon.aws's.
"""

    # For the lookup: where the shared options may come from on the controller.
    PLUGINS = r"""
options:
  profile:
    env:
      - name: AWS_PROFILE
    vars:
      - name: aws_profile
  region:
    env:
      - name: AWS_REGION
      - name: AWS_DEFAULT_REGION
    vars:
      - name: aws_region
  endpoint_url:
    env:
      - name: AWS_ENDPOINT_URL
    vars:
      - name: aws_endpoint_url
  aws_ca_bundle:
    env:
      - name: AWS_CA_BUNDLE
    vars:
      - name: aws_ca_bundle
  validate_certs:
    vars:
      - name: aws_validate_certs
"""
