"""IAM OIDC-provider calls that moto 5.2.5 lacks or answers unlike IAM, acting on moto's own
provider objects so that every other IAM call sees the result.

- ``AddClientIDToOpenIDConnectProvider`` / ``RemoveClientIDFromOpenIDConnectProvider`` (moto: HTTP
  500, not implemented). Both are idempotent: adding a client ID already registered, or removing one
  that is not, succeeds and changes nothing (IAM API reference). ``ClientID`` 1-255 characters and
  the ARN 20-2048 (``ValidationError``); an ARN that is not an OIDC provider ARN → ``InvalidInput``;
  an unknown provider → ``NoSuchEntity`` (404) "OpenIDConnect Provider not found for arn <arn>"
  (moto's wording for GetOpenIDConnectProvider); a 101st client ID → ``LimitExceeded`` (409), the
  quota moto applies at creation (100 client IDs per provider).
- ``CreateOpenIDConnectProvider``: IAM requires the URL to begin with ``https://`` (API reference,
  Url); moto accepts ``http://`` → ``InvalidInput``. A second provider for the same URL →
  ``EntityAlreadyExists`` (409) "Provider with url <url> already exists." (moto says "Unknown"). The
  request then goes to moto unchanged.

The object lock serialises these changes; readers (the STS gate) see either the old or the new
client-ID list because the list is replaced, never mutated in place.
"""

import re
import threading
import urllib.parse
from typing import Mapping

from moto.iam.exceptions import NotFoundException

from .aws_query import AwsError, Member, validate

CLIENT_ID_QUOTA = 100
PROVIDER_ARN = re.compile(r"^arn:aws:iam::\d{12}:oidc-provider/.+$")
CLIENT_ID_PARAMETERS = (
    Member("OpenIDConnectProviderArn", required=True, min_length=20, max_length=2048),
    Member("ClientID", required=True, min_length=1, max_length=255),
)


class OidcProviderCalls:
    """Handlers for the IAM OIDC-provider actions the sandbox answers itself (or checks first).

    `iam` is a callable returning moto's IAM backend of the sandbox account.
    """

    def __init__(self, iam):
        self.iam = iam
        self.lock = threading.Lock()

    def _provider(self, params: Mapping[str, str]):
        validate(params, CLIENT_ID_PARAMETERS)
        arn = params["OpenIDConnectProviderArn"]
        if not PROVIDER_ARN.match(arn):
            raise AwsError("InvalidInput", "ARN %s is not valid." % arn)
        try:
            return self.iam().get_open_id_connect_provider(arn)
        except NotFoundException as exc:
            raise AwsError("NoSuchEntity", "OpenIDConnect Provider not found for arn %s" % arn, 404) from exc

    def add_client_id(self, params: Mapping[str, str]) -> None:
        with self.lock:
            provider = self._provider(params)
            client_id = params["ClientID"]
            if client_id in provider.client_id_list:
                return
            if len(provider.client_id_list) >= CLIENT_ID_QUOTA:
                raise AwsError(
                    "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d" % CLIENT_ID_QUOTA, 409
                )
            provider.client_id_list = list(provider.client_id_list) + [client_id]

    def remove_client_id(self, params: Mapping[str, str]) -> None:
        with self.lock:
            provider = self._provider(params)
            client_id = params["ClientID"]
            provider.client_id_list = [c for c in provider.client_id_list if c != client_id]

    def check_create(self, params: Mapping[str, str]) -> None:
        """Refuse what IAM refuses and moto does not; call with `lock` held until moto answered."""
        url = params.get("Url")
        if url is None:
            return  # moto answers the missing parameter
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme and parsed.scheme.lower() != "https":
            raise AwsError("InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
        existing = {p.url for p in list(self.iam().open_id_providers.values())}
        if parsed.netloc + parsed.path in existing:
            raise AwsError("EntityAlreadyExists", "Provider with url %s already exists." % url, 409)
