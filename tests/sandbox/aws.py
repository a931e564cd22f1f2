"""Emulated AWS (IAM, STS, S3): moto in-process behind a gate that behaves like real AWS where
moto does not.

- ``sts:AssumeRoleWithWebIdentity`` is validated by `sts_gate.WebIdentityGate` (token, issuer keys,
  audience, trust policy, duration, parameters) before moto mints the credentials.
- ``iam:AddClientIDToOpenIDConnectProvider`` / ``RemoveClientIDFromOpenIDConnectProvider`` are
  answered by `iam_ext.OidcProviderCalls` on moto's provider objects; ``CreateOpenIDConnectProvider``
  is checked there first (https only, real duplicate error) and then passed to moto.
- Everything else goes to moto unchanged, including its known quirks (e.g. ``UpdateRole`` without
  ``MaxSessionDuration`` resets it to 3600).

Every request is answered for the sandbox account (moto's ``x-moto-account-id`` header is set), so
IAM admin calls with any dummy keys and calls signed with the temporary credentials the gate
issued all see the same account. AWS-managed policies are loaded so that their ARNs attach. moto's
IAM authorisation is never enabled (it breaks the unsigned AssumeRoleWithWebIdentity call).
"""

import logging

from moto.core.config import default_user_config
from moto.iam.models import iam_backends
from moto.moto_api._internal.models import moto_api_backend
from moto.server import DomainDispatcherApplication, create_backend_app
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

from .aws_query import IAM_NAMESPACE, STS_NAMESPACE, AwsError, error_response, request_parameters, result_response
from .iam_ext import OidcProviderCalls
from .instrument import aws_action
from .oidc_fetch import IssuerKeys
from .sts_gate import WebIdentityGate

log = logging.getLogger("sandbox.aws")


class AwsCloud:
    """WSGI app of the emulated AWS account (see the module docstring)."""

    #: Behaviour switches for answers the reference notes leave open (``POST /config {"aws": ...}``).
    OPTIONS = {
        # A token whose aud holds several values is refused even if one of them is a client ID.
        "reject_multi_valued_aud": True,
        # Seconds the gate keeps an issuer's JWKS; 0: fetched on every call, so flipping the OCI
        # domain's signing-key access takes effect at once.
        "jwks_cache_seconds": 0,
        # Connect/read timeout for discovery and JWKS (re:Post: IdPs slower than 5 s fail).
        "idp_timeout_seconds": 5.0,
        # Leeway after exp (and before iat/nbf): IAM documents five minutes.
        "clock_skew_seconds": 300,
        # Error for an issuer that cannot be reached, times out or answers 5xx:
        # "IDPCommunicationError" or "InvalidIdentityToken" (re:Post reports the latter's
        # "Couldn't retrieve verification key" for unreachable endpoints).
        "idp_unreachable_error": "IDPCommunicationError",
        # Whether the discovery document's "issuer" must equal the token's iss.
        "discovery_issuer_must_match": False,
    }

    def __init__(self, *, account_id, region, ca_bundle, clock):
        self.account_id = account_id
        self.region = region
        self.partition = get_partition(region)
        self.options = dict(self.OPTIONS)
        default_user_config["iam"]["load_aws_managed_policies"] = True
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._issuer_keys = IssuerKeys(ca_bundle, clock)
        self._oidc_providers = OidcProviderCalls(self._iam)
        self._gate = WebIdentityGate(
            account_id=account_id,
            region=region,
            clock=clock,
            issuer_keys=self._issuer_keys,
            iam=self._iam,
            sts=self._sts,
            options=self.options,
        )

    def _iam(self):
        return iam_backends[self.account_id][self.partition]

    def _sts(self):
        return sts_backends[self.account_id][self.partition]

    def reset(self):
        """A fresh account: every moto backend emptied, options back to their defaults."""
        with self._oidc_providers.lock:
            moto_api_backend.reset()
            self.options.clear()
            self.options.update(self.OPTIONS)
            self._issuer_keys.clear()

    def __call__(self, environ, start_response):
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = self.account_id
        _service, action = aws_action(environ)
        if action == "AssumeRoleWithWebIdentity":
            return self._answer(environ, start_response, action, STS_NAMESPACE, self._gate.assume_role_with_web_identity)
        if action == "AddClientIDToOpenIDConnectProvider":
            return self._answer(environ, start_response, action, IAM_NAMESPACE, self._oidc_providers.add_client_id)
        if action == "RemoveClientIDFromOpenIDConnectProvider":
            return self._answer(environ, start_response, action, IAM_NAMESPACE, self._oidc_providers.remove_client_id)
        if action == "CreateOpenIDConnectProvider":
            return self._create_oidc_provider(environ, start_response)
        return self._moto(environ, start_response)

    def _answer(self, environ, start_response, action, namespace, handler):
        try:
            result = handler(request_parameters(environ))
        except AwsError as error:
            log.info("%s refused: %s", action, error)
            return error_response(start_response, error, namespace)
        return result_response(start_response, action, namespace, result)

    def _create_oidc_provider(self, environ, start_response):
        with self._oidc_providers.lock:
            try:
                self._oidc_providers.check_create(request_parameters(environ))
            except AwsError as error:
                log.info("CreateOpenIDConnectProvider refused: %s", error)
                return error_response(start_response, error, IAM_NAMESPACE)
            return _buffered(self._moto, environ, start_response)


def _buffered(app, environ, start_response):
    """Run `app` to completion now (so that a lock held by the caller covers all of its work)."""
    captured = {}

    def capture(status, headers, exc_info=None):
        captured["args"] = (status, headers, exc_info)

    iterable = app(environ, capture)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close:
            close()
    start_response(*captured["args"])
    return [body]
