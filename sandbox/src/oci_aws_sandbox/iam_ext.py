"""IAM calls that moto 5.2.5 lacks or answers unlike IAM, acting on moto's own objects so that
every other IAM call sees the result. Each check raises the error IAM gives (codes from botocore's
IAM model, ``botocore/data/iam/2010-05-08/service-2.json``; messages as real IAM writes them where a
public answer quotes one, see sandbox/README.md "Behaviour switches").

OIDC providers:
- ``AddClientIDToOpenIDConnectProvider`` / ``RemoveClientIDFromOpenIDConnectProvider`` (moto: HTTP
  500, not implemented). Both are idempotent (IAM API reference). ``ClientID`` 1-255 characters and
  the ARN 20-2048 (``ValidationError``); an ARN that is not an OIDC provider ARN of any partition
  (aws, aws-us-gov, aws-cn) → ``InvalidInput``; an unknown provider → ``NoSuchEntity`` (404)
  "OpenIDConnect Provider not found for arn <arn>"; a 101st client ID → ``LimitExceeded`` (409)
  "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100" (the quota in the model's
  ClientIDList text). Removing the provider's last client ID → ``InvalidInput`` (option
  ``refuse_removing_last_client_id``; IAM requires at least one audience).
- ``CreateOpenIDConnectProvider``: the URL must begin with ``https://`` → ``InvalidInput``; "path
  components are allowed but query parameters are not" (model text, Url) → ``InvalidInput`` for a
  query or fragment; a second provider for the same URL → ``EntityAlreadyExists`` (409) "Provider
  with url <url> already exists." (moto says "Unknown"). Without ``ThumbprintList``, "IAM will
  retrieve and use the top intermediate certificate authority (CA) thumbprint" (model text): the
  sandbox connects to the issuer's host and stores the thumbprint of the last certificate it
  presents (option ``derive_thumbprint_on_create``); a host that cannot be reached →
  ``OpenIdIdpCommunicationError`` (400) and no provider.
- ``UpdateOpenIDConnectProviderThumbprint`` with more than five → ``InvalidInput`` "Thumbprint list
  must contain fewer than 5 entries." (the message real IAM gives on create,
  terraform-aws-modules/terraform-aws-eks#2632; moto checks create only).

Roles:
- ``CreateRole`` / ``UpdateRole``: ``MaxSessionDuration`` 3600-43200 (model) → ``ValidationError``
  (moto accepts 50 000).
- ``CreateRole`` / ``UpdateAssumeRolePolicy``: a trust policy that is not JSON →
  ``MalformedPolicyDocument`` "This policy contains invalid Json" (real CreateRole answer,
  AWSCookbook/Security#2; moto stores it on create); longer than the role trust policy quota after
  whitespace is removed ("IAM doesn't count white space", IAM quotas page; 2,048 by default,
  adjustable to 4,096: option ``trust_policy_max_chars``) → ``LimitExceeded`` (409) "Cannot exceed
  quota for ACLSizePerRole: 2048" (kubeflow/dashboard#29).
- ``AttachRolePolicy`` beyond the managed-policies-per-role quota (10 by default, adjustable: option
  ``managed_policies_per_role``) → ``LimitExceeded`` (409) "Cannot exceed quota for PoliciesPerRole:
  10" (aws/eks-hybrid#741, LBHackney-IT/Data-Platform#1882). Attaching an attached policy again
  changes nothing.

The caller (`aws.AwsCloud`) holds one lock around every IAM request, so that these checks, moto's
change and the propagation records (`iam_view.py`) are one step.
"""

import json
import re
import urllib.parse
from typing import Mapping

from moto.iam.exceptions import NotFoundException

from .aws_query import AwsError, Member, validate
from .oidc_fetch import IdpFetchError, top_intermediate_thumbprint

CLIENT_ID_QUOTA = 100
THUMBPRINT_QUOTA = 5
PROVIDER_ARN = re.compile(r"^arn:(?:aws|aws-us-gov|aws-cn):iam::\d{12}:oidc-provider/.+$")
CLIENT_ID_PARAMETERS = (
    Member("OpenIDConnectProviderArn", required=True, min_length=20, max_length=2048),
    Member("ClientID", required=True, min_length=1, max_length=255),
)
MAX_SESSION_DURATION = (Member("MaxSessionDuration", min_value=3600, max_value=43200),)

IDP_COMMUNICATION = "The request failed because IAM cannot connect to the OpenID Connect identity provider URL."
THUMBPRINT_LIMIT = "Thumbprint list must contain fewer than 5 entries."
INVALID_JSON = "This policy contains invalid Json"
LAST_CLIENT_ID = "The OpenID Connect provider must have at least one client ID (audience)."
URL_WITH_QUERY = "Invalid Open ID Connect Provider URL. The URL must not contain query parameters or a fragment."


def member_list(params: Mapping[str, str], name: str):
    """The values of a query-protocol list member (``Name.member.1`` ...), or None if absent.

    An empty list is sent as ``Name=`` and read as ``[]``.
    """
    prefix = name + ".member."
    items = sorted(((int(k[len(prefix):]), v) for k, v in params.items()
                    if k.startswith(prefix) and k[len(prefix):].isdigit()))
    if items:
        return [v for _i, v in items]
    return [] if name in params else None


class OidcProviderCalls:
    """Handlers and checks for the IAM actions the sandbox answers itself (or checks first).

    `iam(partition)` returns moto's IAM backend; `options` the live AWS options.
    """

    def __init__(self, iam, options):
        self.iam = iam
        self.options = options

    # -- client IDs ------------------------------------------------------------------------------
    def _provider(self, params: Mapping[str, str], partition: str):
        validate(params, CLIENT_ID_PARAMETERS)
        arn = params["OpenIDConnectProviderArn"]
        if not PROVIDER_ARN.match(arn):
            raise AwsError("InvalidInput", "ARN %s is not valid." % arn)
        arn_partition = arn.split(":")[1]
        try:
            return self.iam(arn_partition).get_open_id_connect_provider(arn)
        except NotFoundException as exc:
            raise AwsError("NoSuchEntity", "OpenIDConnect Provider not found for arn %s" % arn, 404) from exc

    def add_client_id(self, params: Mapping[str, str], partition: str) -> None:
        provider = self._provider(params, partition)
        client_id = params["ClientID"]
        if client_id in provider.client_id_list:
            return
        if len(provider.client_id_list) >= CLIENT_ID_QUOTA:
            raise AwsError(
                "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d" % CLIENT_ID_QUOTA, 409
            )
        provider.client_id_list = list(provider.client_id_list) + [client_id]

    def remove_client_id(self, params: Mapping[str, str], partition: str) -> None:
        provider = self._provider(params, partition)
        client_id = params["ClientID"]
        remaining = [c for c in provider.client_id_list if c != client_id]
        if not remaining and provider.client_id_list and self.options["refuse_removing_last_client_id"]:
            raise AwsError("InvalidInput", LAST_CLIENT_ID)
        provider.client_id_list = remaining

    # -- providers -------------------------------------------------------------------------------
    def check_create(self, params: Mapping[str, str], partition: str):
        """Refuse what IAM refuses and moto does not. Returns the thumbprint list IAM derives when
        none is given (to store once moto created the provider), or None."""
        url = params.get("Url")
        if url is None:
            return None  # moto answers the missing parameter
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme and parsed.scheme.lower() != "https":
            raise AwsError("InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
        if parsed.query or parsed.fragment or "?" in url or "#" in url:
            raise AwsError("InvalidInput", URL_WITH_QUERY)
        existing = {p.url for p in list(self.iam(partition).open_id_providers.values())}
        if parsed.netloc + parsed.path in existing:
            raise AwsError("EntityAlreadyExists", "Provider with url %s already exists." % url, 409)
        thumbprints = member_list(params, "ThumbprintList")
        if thumbprints and len(thumbprints) > THUMBPRINT_QUOTA:
            raise AwsError("InvalidInput", THUMBPRINT_LIMIT)
        if thumbprints or not self.options["derive_thumbprint_on_create"] or not parsed.netloc:
            return None
        try:
            return [top_intermediate_thumbprint(url, float(self.options["idp_timeout_seconds"]))]
        except IdpFetchError as exc:
            raise AwsError("OpenIdIdpCommunicationError", IDP_COMMUNICATION) from exc

    def store_thumbprints(self, url: str, partition: str, thumbprints) -> None:
        parsed = urllib.parse.urlparse(url)
        for provider in list(self.iam(partition).open_id_providers.values()):
            if provider.url == parsed.netloc + parsed.path:
                provider.thumbprint_list = list(thumbprints)

    @staticmethod
    def check_update_thumbprint(params: Mapping[str, str]) -> None:
        thumbprints = member_list(params, "ThumbprintList") or []
        if len(thumbprints) > THUMBPRINT_QUOTA:
            raise AwsError("InvalidInput", THUMBPRINT_LIMIT)

    # -- roles -----------------------------------------------------------------------------------
    def check_trust_policy(self, document) -> None:
        if document is None:
            return  # moto answers the missing parameter
        try:
            json.loads(document)
        except ValueError as exc:
            raise AwsError("MalformedPolicyDocument", INVALID_JSON) from exc
        quota = int(self.options["trust_policy_max_chars"])
        if len(re.sub(r"\s", "", document)) > quota:
            raise AwsError("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d" % quota, 409)

    def check_create_role(self, params: Mapping[str, str]) -> None:
        validate(params, MAX_SESSION_DURATION)
        self.check_trust_policy(params.get("AssumeRolePolicyDocument"))

    @staticmethod
    def check_update_role(params: Mapping[str, str]) -> None:
        validate(params, MAX_SESSION_DURATION)

    def check_update_assume_role_policy(self, params: Mapping[str, str]) -> None:
        self.check_trust_policy(params.get("PolicyDocument"))

    def check_attach_role_policy(self, params: Mapping[str, str], partition: str) -> None:
        name, arn = params.get("RoleName"), params.get("PolicyArn")
        role = next((r for r in list(self.iam(partition).roles.values()) if r.name == name), None)
        if role is None or arn in role.managed_policies:
            return  # moto answers the missing role; a second attach changes nothing
        quota = int(self.options["managed_policies_per_role"])
        if len(role.managed_policies) >= quota:
            raise AwsError("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: %d" % quota, 409)
