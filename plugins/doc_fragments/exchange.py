# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The options of the token exchange (their one definition: ``module_utils/_exchange/options.py``)."""

    DOCUMENTATION = r"""
options:
  domain_url:
    description:
      - The URL of the OCI Identity Domain, such as C(https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com).
      - The token is requested from its C(/oauth2/v1/token) endpoint (unless O(token_url) is set), and the issuer that
        AWS expects is this URL, without C(:443) or trailing slash, host lower-cased, and for a B(Regional URL)
        (C(idcs-<id>.<region>-idcs-<n>.secure.identity.oraclecloud.com)) the region-agnostic
        C(https://idcs-<id>.identity.oraclecloud.com) (unless O(issuer) is set).
      - It must be C(https://) with a host and at most a port.
    type: str
  token_url:
    description:
      - The token endpoint, when it is not C(<domain_url>/oauth2/v1/token).
    type: str
  client_id:
    description:
      - The client ID of the identity domain app (its OAuth client), for the client credentials grant.
      - One source of the token is needed, O(client_id) with O(client_secret), O(token) or O(token_file).
    type: str
  client_secret:
    description:
      - The app's client secret, with O(client_id).
    type: str
  client_private_key_file:
    description:
      - Authenticate the client with a private key instead of O(client_secret) (not both), the path of an unencrypted
        PEM RSA private key of at least 2048 bits, which signs a short-lived JWT client assertion (RS256, a new C(jti)
        for every request) sent as C(client_assertion).
      - The file must belong to the user, be mode 0600 or stricter, and sit in directories only the user or root may
        write. M(multicloud.oci_aws.oci_client_key) makes one where it is used.
      - The key's certificate must be registered on the app (M(multicloud.oci_aws.oci_oidc_app) O(ignore:client_certificates)).
      - The assertion's C(aud) is O(domain_url) (else the origin of O(token_url)), with and without a trailing slash, and
        C(https://identity.oraclecloud.com/).
    type: path
    version_added: 0.2.0
  client_certificate_file:
    description:
      - The PEM certificate of O(client_private_key_file); the assertion names it by its thumbprint (C(x5t)). It must hold
        the key's public key, and is checked for expiry before each request.
      - One of O(client_certificate_file) and O(client_certificate_alias) is needed with O(client_private_key_file).
    type: path
    version_added: 0.2.0
  client_certificate_alias:
    description:
      - The alias (C(certAlias)) of the certificate on the app, sent as the assertion's C(kid).
    type: str
    version_added: 0.2.0
  scope:
    description:
      - The scope requested with the client credentials grant.
      - When not set, the app's own scope fully qualified, O(audience) followed by C(/).
    type: str
  token:
    description:
      - An access token of the identity domain, used as it is (it cannot be renewed).
    type: str
  token_file:
    description:
      - A file holding an access token of the identity domain. It is read again when the token in it has expired
        or STS calls it expired, so another process may renew it.
    type: path
  cert_bundle:
    description:
      - A PEM bundle of the CA certificates that verify the identity domain's TLS certificate, the only ones trusted then.
      - Needed only for a private endpoint or a test environment; TLS verification cannot be turned off.
    type: path
  issuer:
    description:
      - The issuer AWS expects, the URL of the IAM OIDC provider, compared with the token's C(iss) claim character for
        character before the token is sent to STS.
      - When not set, O(domain_url) without C(:443) or trailing slash. One of them is required.
    type: str
  role_arn:
    description:
      - The ARN of the IAM role to assume, C(arn:aws:iam::<account>:role/<name>).
    type: str
  role_session_name:
    description:
      - The name of the role session (2 to 64 letters, digits and C(+=,.@_-)); AWS CloudTrail records it.
    type: str
    default: ansible-oci-aws
  duration_seconds:
    description:
      - How long the credentials last, 900 to 43200 seconds, and at most the role's maximum session duration.
    type: int
    default: 3600
  policy:
    description:
      - A session policy (JSON text or a mapping) that narrows what the credentials may do; at most 2048 characters.
    type: json
  policy_arns:
    description:
      - ARNs of up to 10 managed policies used as session policies, narrowing what the credentials may do.
    type: list
    elements: str
  timeout:
    description:
      - The most time the exchange may take, in seconds, from the token request to STS's answer, retries and their
        waits included, but not the time spent waiting out throttling, which O(throttling_timeout) bounds. Each
        connection and each read waits at most what is left of it, and an answer that trickles in is cut when it is
        reached.
      - A host that does not resolve and a refused connection fail at once, without retries.
    type: int
    default: 60
    version_added: 0.2.0
  throttling_timeout:
    description:
      - The most time, in seconds, that the exchange may spend waiting out throttling, on top of O(timeout), that is
        attempts that STS (C(Throttling)) or the token endpoint (HTTP 429) refused for rate, and the waits after them.
        Throttling means the service is up and admits requests at a rate, so a refused host is served once the hosts
        ahead of it are. Which host is served next is random, and a wait has a mean of about forks / rate seconds (8 s
        for 20 forks against 2.5 exchanges a second) and a tail of several times that.
      - The default covers a mean wait of up to about 25 seconds for 300 hosts. When the exchange fails with
        C(kept throttling the requests ... until the throttling_timeout option ... ended the retries), raise it or run
        fewer hosts at a time (C(forks), C(serial), C(throttle)).
      - V(0) gives no allowance of its own, and throttled attempts and their waits then count toward O(timeout).
      - The exchange as a whole takes at most O(timeout) plus O(throttling_timeout) seconds.
    type: int
    default: 300
    version_added: 0.2.0
notes:
  - Before the token is sent to STS, its claims are read (without trusting the signature, which STS verifies) and
    checked as AWS will check them; C(iss) is O(issuer), C(aud) is O(audience) and one value, C(exp) is in the future. Each failure,
    and each refusal by the identity domain or STS, names the step of the federation that is wrong and the module of this
    collection that fixes it.
  - C(sts:AssumeRoleWithWebIdentity) is called without AWS credentials. AWS credentials, when available, are used only
    to read the role (C(iam:GetRole)) after STS refuses the token, to show the role's trust policy or maximum session
    duration beside the token's claims.
  - The identity domain's token endpoint and STS are retried with jittered exponential backoff when they fail for a
    transient reason (STS C(IDPCommunicationError), HTTP 5xx), at most 6 attempts each, within O(timeout); a token that
    expires meanwhile is requested again.
  - While they throttle (STS C(Throttling), HTTP 429), each wait is C(uniform(0, min(4, 2^(n-1)))) seconds after the
    n-th throttled answer (full jitter, so that hosts refused together come back apart; never less than a
    C(Retry-After)), for as long as O(throttling_timeout) allows; every attempt is one request.
  - An answer that is not what the API documents (cut-off or non-XML STS answers, a token endpoint answering something
    other than a JSON object with an C(access_token)) fails with the endpoint, the HTTP status and what was wrong,
    never with any part of the answer, which may hold credentials.
  - The client secret, the private key, the client assertion, the token and the AWS credentials are never shown in
    messages or warnings.
"""

    # For the lookup: where each option may come from on the controller (secrets never from ini). The AWS
    # connection options it takes are the ``multicloud.oci_aws.aws`` fragment's (and its PLUGINS).
    PLUGINS = r"""
options:
  domain_url:
    env:
      - name: OCI_DOMAIN_URL
    vars:
      - name: oci_aws_domain_url
  token_url:
    env:
      - name: OCI_AWS_TOKEN_URL
    vars:
      - name: oci_aws_token_url
  client_id:
    env:
      - name: OCI_AWS_CLIENT_ID
    vars:
      - name: oci_aws_client_id
  client_secret:
    env:
      - name: OCI_AWS_CLIENT_SECRET
    vars:
      - name: oci_aws_client_secret
  client_private_key_file:
    env:
      - name: OCI_AWS_CLIENT_PRIVATE_KEY_FILE
    vars:
      - name: oci_aws_client_private_key_file
  client_certificate_file:
    env:
      - name: OCI_AWS_CLIENT_CERTIFICATE_FILE
    vars:
      - name: oci_aws_client_certificate_file
  client_certificate_alias:
    env:
      - name: OCI_AWS_CLIENT_CERTIFICATE_ALIAS
    vars:
      - name: oci_aws_client_certificate_alias
  scope:
    env:
      - name: OCI_AWS_SCOPE
    vars:
      - name: oci_aws_scope
  token:
    env:
      - name: OCI_AWS_TOKEN
    vars:
      - name: oci_aws_token
  token_file:
    env:
      - name: OCI_AWS_TOKEN_FILE
    vars:
      - name: oci_aws_token_file
  cert_bundle:
    env:
      - name: OCI_ANSIBLE_CERT_BUNDLE
    vars:
      - name: oci_aws_cert_bundle
  audience:
    env:
      - name: OCI_AWS_AUDIENCE
    vars:
      - name: oci_aws_audience
  issuer:
    env:
      - name: OCI_AWS_ISSUER
    vars:
      - name: oci_aws_issuer
  role_arn:
    env:
      - name: OCI_AWS_ROLE_ARN
    vars:
      - name: oci_aws_role_arn
  role_session_name:
    env:
      - name: OCI_AWS_ROLE_SESSION_NAME
    vars:
      - name: oci_aws_role_session_name
  duration_seconds:
    env:
      - name: OCI_AWS_DURATION_SECONDS
    vars:
      - name: oci_aws_duration_seconds
  policy:
    vars:
      - name: oci_aws_session_policy
  policy_arns:
    vars:
      - name: oci_aws_session_policy_arns
  timeout:
    env:
      - name: OCI_AWS_TIMEOUT
    vars:
      - name: oci_aws_timeout
  throttling_timeout:
    env:
      - name: OCI_AWS_THROTTLING_TIMEOUT
    vars:
      - name: oci_aws_throttling_timeout
"""
