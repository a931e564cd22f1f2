"""Emulated AWS (IAM, STS, S3): moto in-process behind a gate that behaves like real AWS where
moto does not.

- ``sts:AssumeRoleWithWebIdentity`` is validated by `sts_gate.WebIdentityGate` (token, issuer keys,
  audience, trust policy, duration, parameters) before moto mints the credentials.
- ``iam:AddClientIDToOpenIDConnectProvider`` / ``RemoveClientIDFromOpenIDConnectProvider`` are
  answered by `iam_ext.OidcProviderCalls` on moto's provider objects; ``CreateOpenIDConnectProvider``
  is checked there first (https only, real duplicate error) and then passed to moto.
- IAM writes that moto accepts and IAM refuses (quotas, ``MaxSessionDuration``, trust-policy JSON,
  provider URL with a query, a sixth thumbprint, the last client ID) are refused first
  (`iam_ext.py`); a provider created without thumbprints gets the one IAM derives.
- With ``iam_propagation_seconds`` > 0, STS and IAM reads see IAM writes only that many seconds
  after they were made (`iam_view.py`).
- Everything else goes to moto unchanged, including its known quirks (e.g. ``UpdateRole`` without
  ``MaxSessionDuration`` resets it to 3600).

Partitions: one port serves ``aws``, ``aws-us-gov`` and ``aws-cn``. A signed request is answered
by the backend of the partition of its SigV4 region (as moto itself picks it: a client with
``region_name="us-gov-west-1"`` gets ``arn:aws-us-gov:`` ARNs); the unsigned
AssumeRoleWithWebIdentity by the partition of its ``RoleArn``.

Every request is answered for the sandbox account (moto's ``x-moto-account-id`` header is set), so
IAM admin calls with any dummy keys and calls signed with the temporary credentials the gate
issued all see the same account. AWS-managed policies are loaded so that their ARNs attach. moto's
IAM authorisation is never enabled (it breaks the unsigned AssumeRoleWithWebIdentity call).
"""

import logging
import re

from moto.core.config import default_user_config
from moto.iam.models import iam_backends
from moto.moto_api._internal.models import moto_api_backend
from moto.server import DomainDispatcherApplication, create_backend_app
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

from .aws_query import IAM_NAMESPACE, STS_NAMESPACE, AwsError, error_response, request_parameters, result_response
from .iam_ext import OidcProviderCalls
from .iam_view import IamPropagation
from .instrument import SIGV4_SCOPE, aws_action
from .oidc_fetch import IssuerKeys
from .sts_gate import WebIdentityGate

log = logging.getLogger("sandbox.aws")


READ_ACTION = re.compile(r"^(Get|List)")


class AwsCloud:
    """WSGI app of the emulated AWS account (see the module docstring)."""

    #: Behaviour switches (``POST /config {"aws": ...}``); the evidence for each default is in
    #: sandbox/README.md.
    OPTIONS = {
        # Seconds before STS and IAM reads see an IAM write (0: at once).
        "iam_propagation_seconds": 0,
        # A token whose aud holds several values is refused even if one of them is a client ID.
        "reject_multi_valued_aud": True,
        # Seconds the gate keeps an issuer's JWKS; 0: fetched on every call, so flipping the OCI
        # domain's signing-key access takes effect at once.
        "jwks_cache_seconds": 0,
        # Connect/read timeout for discovery and JWKS (re:Post: IdPs slower than 5 s fail).
        "idp_timeout_seconds": 5.0,
        # Leeway after exp (and before iat/nbf). 0: a real STS refused a token 198 s past exp
        # (awslabs/aws-orbit-workbench#707); 300 is the five minutes the IAM guide mentions.
        "clock_skew_seconds": 0,
        # Refuse a token whose iat is more than this many seconds ago ("Token too old"); None: off.
        "max_token_age_seconds": None,
        # Error for an issuer that cannot be reached, times out or answers 5xx:
        # "IDPCommunicationError" or "InvalidIdentityToken" (re:Post reports the latter's
        # "Couldn't retrieve verification key" for unreachable endpoints).
        "idp_unreachable_error": "IDPCommunicationError",
        # Whether the discovery document's "issuer" must equal the token's iss.
        "discovery_issuer_must_match": False,
        # Role trust policy quota, characters without whitespace (2048; adjustable to 4096).
        "trust_policy_max_chars": 2048,
        # Managed policies per role (10; adjustable).
        "managed_policies_per_role": 10,
        # RemoveClientIDFromOpenIDConnectProvider of the last client ID is refused.
        "refuse_removing_last_client_id": True,
        # CreateOpenIDConnectProvider without ThumbprintList stores the issuer's top CA thumbprint.
        "derive_thumbprint_on_create": True,
        # STS trusts the sandbox CA (as it trusts the public CA of a real OCI domain); False: only a
        # provider thumbprint of a presented certificate lets discovery and JWKS through.
        "sts_trusts_sandbox_ca": True,
        # ProviderId with an OIDC token: "InvalidIdentityToken" (refused) or "ignored".
        "provider_id_with_oidc_token": "InvalidIdentityToken",
        # Whitespace around WebIdentityToken (a token file written by echo) is ignored.
        "trim_token_whitespace": True,
        # STS calls above a rate are refused as real STS throttles (400 Throttling "Rate exceeded"):
        # None (off) or {"per_second": R, "burst": B, "retry_after": s (omit: no header)}.
        "sts_rate_limit": None,
    }

    def __init__(self, *, account_id, region, ca_bundle, clock):
        self.account_id = account_id
        self.region = region
        self.partition = get_partition(region)
        self.clock = clock
        self.options = dict(self.OPTIONS)
        default_user_config["iam"]["load_aws_managed_policies"] = True
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._issuer_keys = IssuerKeys(ca_bundle, clock)
        self._view = IamPropagation(self._iam, clock, self.options, account_id)
        self._oidc_providers = OidcProviderCalls(self._iam, self.options)
        self._gate = WebIdentityGate(
            account_id=account_id,
            region=region,
            clock=clock,
            issuer_keys=self._issuer_keys,
            view=self._view,
            sts=self._sts,
            options=self.options,
        )

    def _iam(self, partition=None):
        return iam_backends[self.account_id][partition or self.partition]

    def _sts(self, partition=None):
        return sts_backends[self.account_id][partition or self.partition]

    def reset(self):
        """A fresh account: every moto backend emptied, options back to their defaults."""
        with self._view.lock:
            moto_api_backend.reset()
            self.options.clear()
            self.options.update(self.OPTIONS)
            self._issuer_keys.clear()
            self._view.clear()

    def settle_iam(self) -> int:
        """Every IAM write made visible to STS and IAM reads at once (see `IamPropagation.settle`)."""
        return self._view.settle()

    def _request_partition(self, environ):
        match = SIGV4_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        return get_partition(match.group(1)) if match else self.partition

    def __call__(self, environ, start_response):
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = self.account_id
        service, action = aws_action(environ)
        if action == "AssumeRoleWithWebIdentity":
            return self._answer(environ, start_response, action, STS_NAMESPACE, self._gate.assume_role_with_web_identity)
        if service != "iam" or not action:
            return self._moto(environ, start_response)
        partition = self._request_partition(environ)
        params = request_parameters(environ)
        with self._view.lock:
            try:
                derived = self._check(action, params, partition)
            except AwsError as error:
                log.info("%s refused: %s", action, error)
                return error_response(start_response, error, IAM_NAMESPACE)
            snapshots = self._view.before_write(self._view.keys_for(action, params, partition))
            if action == "AddClientIDToOpenIDConnectProvider":
                answer = self._answer(environ, start_response, action, IAM_NAMESPACE,
                                      lambda p: self._oidc_providers.add_client_id(p, partition), snapshots)
            elif action == "RemoveClientIDFromOpenIDConnectProvider":
                answer = self._answer(environ, start_response, action, IAM_NAMESPACE,
                                      lambda p: self._oidc_providers.remove_client_id(p, partition), snapshots)
            elif action == "GetRole" and self._view.role_by_name(partition, params.get("RoleName")) is None:
                # moto says "Role <name> not found"
                answer = error_response(start_response, AwsError(
                    "NoSuchEntity", "The role with name %s cannot be found." % params.get("RoleName"), 404), IAM_NAMESPACE)
            elif READ_ACTION.match(action):
                with self._view.swapped(partition):
                    answer = _buffered(self._moto, environ, start_response)
            else:
                status = {}
                answer = _buffered(self._moto, environ, start_response, status)
                if status.get("code") == 200:
                    if derived:
                        self._oidc_providers.store_thumbprints(params["Url"], partition, derived)
                    self._view.after_write(snapshots)
            return answer

    def _check(self, action, params, partition):
        calls = self._oidc_providers
        if action == "CreateOpenIDConnectProvider":
            return calls.check_create(params, partition)
        if action == "UpdateOpenIDConnectProviderThumbprint":
            calls.check_update_thumbprint(params)
        elif action == "CreateRole":
            calls.check_create_role(params)
        elif action == "UpdateRole":
            calls.check_update_role(params)
        elif action == "UpdateAssumeRolePolicy":
            calls.check_update_assume_role_policy(params)
        elif action == "AttachRolePolicy":
            calls.check_attach_role_policy(params, partition)
        return None

    def _answer(self, environ, start_response, action, namespace, handler, snapshots=None):
        try:
            result = handler(request_parameters(environ))
        except AwsError as error:
            log.info("%s refused: %s", action, error)
            return error_response(start_response, error, namespace)
        if snapshots:
            self._view.after_write(snapshots)
        return result_response(start_response, action, namespace, result)


def _buffered(app, environ, start_response, status=None):
    """Run `app` to completion now (so that a lock held by the caller covers all of its work);
    `status["code"]` is set to the HTTP status of the answer."""
    captured = {}

    def capture(status_line, headers, exc_info=None):
        captured["args"] = (status_line, headers, exc_info)

    iterable = app(environ, capture)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close:
            close()
    start_response(*captured["args"])
    if status is not None:
        status["code"] = int(captured["args"][0].split()[0])
    return [body]
