# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The AWS connection options, with amazon.aws's names (module_utils/_aws/connection.py builds the argspec)."""

    DOCUMENTATION = r"""
options:
  profile:
    description:
      - The profile of the AWS shared config and credentials files to use.
      - When not set, botocore's own resolution applies (the E(AWS_PROFILE) environment variable, then the
        default credential chain).
      - Cannot be combined with O(access_key), O(secret_key) or O(session_token).
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
  access_key:
    description:
      - The AWS access key ID.
      - When not set, botocore reads E(AWS_ACCESS_KEY_ID), then the profile and the rest of its credential chain.
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - The AWS secret access key, given together with O(access_key).
      - When not set, botocore reads E(AWS_SECRET_ACCESS_KEY), then the rest of its credential chain.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - The AWS session token of temporary credentials.
      - When not set, botocore reads E(AWS_SESSION_TOKEN).
    type: str
    aliases: [aws_session_token]
  endpoint_url:
    description:
      - A URL that replaces the AWS endpoints of every service called, for private endpoints and emulators.
      - When not set, botocore's E(AWS_ENDPOINT_URL) and E(AWS_ENDPOINT_URL_<SERVICE>) (for example
        E(AWS_ENDPOINT_URL_IAM)) environment variables and profile settings apply.
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
    type: bool
    default: true
requirements:
  - python >= 3.8
  - boto3 >= 1.35.0
  - botocore >= 1.35.0
notes:
  - Calls that AWS throttles or answers with a transient error (HTTP 429 and 5xx, C(Throttling), C(ServiceFailure),
    C(ConcurrentModification), lost connections) are retried with jittered exponential backoff, honouring
    C(Retry-After), for at most 6 attempts or 120 seconds; botocore's own retries are off.
  - Set the connection options once for the collection's AWS modules with the C(module_defaults) group
    C(group/multicloud.oci_aws.aws).
"""
