# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Steps 6 and 7 of the procedure, once for the module, the lookup and the credential_process:
an OCI token (``_token``) exchanged for temporary AWS credentials with
``sts:AssumeRoleWithWebIdentity``.

- :class:`OptionAdapter` reads options, from a module's params, a lookup's ``get_option`` or the
  credential_process's settings alike, so that every caller feeds :class:`ExchangeSpec` the same way;
- :class:`ExchangeSpec` checks every option before any request;
- :class:`Exchange` gets a token, checks it (``_token.Expectations``), calls STS with bounded
  jittered retries for throttling and ``IDPCommunicationError`` (renewing a token that expires
  meanwhile, or that STS calls expired), and turns STS's refusals into a :class:`Breakpoint`
  naming the step of the procedure to fix; for ``AccessDenied`` and a too-long duration it reads
  the role (when the AWS credentials in use allow ``iam:GetRole``) to show what the role requires
  beside what the token carries;
- :class:`Credentials` is the answer in every form callers return.
"""

from __future__ import annotations

import json
import time


from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import MAX_DURATION
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import (
    EventualConsistency, account_of, has_code, is_botocore_error, transient_failure
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.names import provider_arn_for
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import WEB_IDENTITY_ACTION
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Retrier, Transient
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OciAwsError, ServiceError, Unexpected
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import FIX_AWS, Breakpoint
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import trust_findings
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.credentials import Credentials
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.token import utc_iso
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.propagation import propagation_reason, waited_note
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.discovery import issuer_mismatch


# STS answers these while the identity provider cannot be reached; worth retrying. STS also answers
# "Couldn't retrieve verification key" when its fetch of the discovery document or JWKS failed for a
# moment (seen with other providers: aws/aws-cli#7194, aws-actions/configure-aws-credentials#299), as
# well as when the keys are not public at all: it is retried within the same budget, and reported as
# step 4 when it lasts.
KEYS_NOT_RETRIEVED = "InvalidIdentityToken"
IDP_UNREACHABLE = (EventualConsistency("IDPCommunicationError"),
                   EventualConsistency(KEYS_NOT_RETRIEVED, "verification key"))
EXPIRED = "ExpiredTokenException"


class _Attempts:
    """What the retries of one STS call know: the token sent last, and whether STS called it expired."""

    def __init__(self):
        self.token = None
        # How many attempts in a row sent this token: one that aged while the exchange waited is renewed again.
        self.uses = 0
        self.renew = False
        self.renewed_after_expiry = False


class Exchange:
    """Token -> preflight -> STS -> :class:`Credentials`, with STS's refusals explained.

    ``read_role(name)`` returns IAM's ``GetRole`` answer for diagnoses; it may raise
    :class:`OciAwsError` (no IAM access), or be None to never read (the credential_process).
    """

    def __init__(self, spec, read_role="connection", clock=time.time, propagation=None):
        self.spec = spec
        self._clock = clock
        # A _retry.PropagationWait when this run changed the provider or the role: refusals that IAM's
        # propagation explains (_exchange.propagation) are tried again within its bound.
        self.propagation = propagation
        self._read_role = self._iam_role if read_role == "connection" else read_role
        self.region = None

    def run(self, sts=None):
        """The credentials; ``sts`` is an ``AwsClient`` for STS (by default one from the spec's connection)."""
        spec = self.spec
        source = spec.token_source
        # Fail on a bad token before making an STS client (and importing boto3).
        spec.expectations.check(source.current(self._clock()), self._clock())
        sts = sts or spec.connection.client("sts", unsigned=True)
        self.region = sts.client.meta.region_name
        attempts = _Attempts()
        params = dict(RoleArn=spec.role_arn, RoleSessionName=spec.role_session_name,
                      DurationSeconds=spec.duration_seconds)
        if spec.policy is not None:
            params["Policy"] = spec.policy
        if spec.policy_arns:
            params["PolicyArns"] = [{"arn": arn} for arn in spec.policy_arns]

        def once():
            now = self._clock()
            token = source.current(now)
            attempts.uses = attempts.uses + 1 if token is attempts.token else 1
            attempts.token = token
            spec.expectations.check(attempts.token, now)
            return sts.client.assume_role_with_web_identity(WebIdentityToken=attempts.token.raw, **params)

        def classify(exc):
            transient = transient_failure(exc, IDP_UNREACHABLE)
            if transient is None and source.renewable and _code(exc) == EXPIRED and (
                    not attempts.renewed_after_expiry or attempts.uses > 1):
                attempts.renew = True
                return Transient("%s (the token is fetched again)" % EXPIRED)
            return transient

        def on_retry(_attempt, _transient, _wait):
            if attempts.renew:
                source.renew()
                attempts.renew, attempts.renewed_after_expiry = False, True

        endpoint = sts.endpoint("assume_role_with_web_identity")
        # Recorded as AwsClient.call records its calls (debug_botocore_endpoint_logs: resource_actions).
        getattr(sts, "actions", []).append(endpoint)
        url = getattr(sts, "url", None)
        where = "AWS %s at %s" % (endpoint, url) if url else "AWS %s" % endpoint

        def exchange():
            return sts.retrier.call(once, classify, endpoint, on_retry=on_retry, url=url)

        try:
            if self.propagation is None:
                answer = exchange()
            else:
                answer = self.propagation.call(exchange, lambda exc: propagation_reason(self, exc, attempts.token))
        except ServiceError as exc:
            last_error = str(exc.details.get("last_error", ""))
            if "IDPCommunicationError" in last_error:
                raise Breakpoint(
                    "4", "%s. AWS could not reach the identity domain's discovery document and signing keys "
                         "(%s/.well-known/openid-configuration and its jwks_uri): they must answer from the internet "
                         "within 5 seconds" % (exc.msg, attempts.token.claims.get("iss")), **exc.details)
            if last_error.startswith(KEYS_NOT_RETRIEVED):
                discovery = self._discovery_mismatch(attempts.token)
                if discovery:
                    raise Breakpoint("4", "%s. STS said InvalidIdentityToken: Couldn't retrieve verification key from "
                                          "your identity provider: %s" % (exc.msg, discovery),
                                     **dict(exc.details, error_code=KEYS_NOT_RETRIEVED))
                raise Breakpoint(
                    "4", "%s. STS said InvalidIdentityToken: Couldn't retrieve verification key from your identity "
                         "provider. AWS could not read the identity domain's signing keys (JWKS) at %s: they are not "
                         "public (run multicloud.oci_aws.oci_token_policy with signing_cert_public_access: true), or the "
                         "domain did not answer AWS" % (exc.msg, attempts.token.claims.get("iss")),
                    **dict(exc.details, error_code=KEYS_NOT_RETRIEVED))
            raise
        except OciAwsError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            # botocore's errors, its parser's included (a ResponseParserError quotes the answer, which may
            # hold the new credentials: it becomes a MalformedAnswer); anything else by its type only.
            if not is_botocore_error(exc):
                raise Unexpected(exc, where)
            plain = sts.translate(exc, endpoint)
            error = self.diagnose(exc, attempts.token, plain) if _code(exc) else plain
            if self.propagation is not None and self.propagation.retries:
                error.msg += waited_note(self.propagation)
                error.args = (error.msg,)
            raise error
        return Credentials.from_sts(answer, where, getattr(sts, "last_status", None))

    # -- STS's refusals, explained ---------------------------------------------------------------
    def diagnose(self, exc, token, plain):
        """The error to report for STS's refusal ``exc`` of ``token`` (``plain`` is the translated one)."""
        code = plain.details.get("error_code")
        message = exc.response.get("Error", {}).get("Message") or ""
        details = dict((k, plain.details.get(k)) for k in ("error_code", "request_id", "status"))
        claims = token.claims
        iss = claims.get("iss")
        aud = token.audiences()[0]
        said = "STS said %s: %s" % (code, message)
        if code == "InvalidIdentityToken":
            lowered = message.lower()
            if "no openidconnect provider" in lowered:
                return Breakpoint(
                    "5", "%s. There is no IAM OIDC provider for the token's issuer %s in the account of %s: %s with "
                         "issuer_url: %s, or check that role_arn names the account where the provider is"
                         % (said, iss, self.spec.role_arn, FIX_AWS, iss), **details)
            if "verification key" in lowered:
                discovery = self._discovery_mismatch(token)
                if discovery:
                    return Breakpoint("4", "%s. AWS could not use %s" % (said, discovery), **details)
                return Breakpoint(
                    "4", "%s. AWS could not read the identity domain's signing keys (JWKS): they are not public; run "
                         "multicloud.oci_aws.oci_token_policy with signing_cert_public_access: true" % said, **details)
            if "thumbprint" in lowered:
                return Breakpoint(
                    "5", "%s. AWS does not trust the TLS certificate of the issuer %s: update the provider's thumbprints "
                         "(%s with thumbprints_from_issuer: true)" % (said, iss, FIX_AWS), **details)
            if "audience" in lowered:
                return Breakpoint(
                    "5", "%s. The token's audience %r is not a client ID of the IAM OIDC provider for %s: the app's "
                         "primary audience and the provider's client IDs must match; %s with audience: %s (or change "
                         "the app's audience with multicloud.oci_aws.oci_oidc_app)" % (said, aud, iss, FIX_AWS, aud),
                    **details)
            return Breakpoint("6", "%s. STS could not validate the token from %s; request a new one from the identity "
                                   "domain" % (said, iss), **details)
        if code == EXPIRED and "too old" in message.lower():
            iat = claims.get("iat")
            age = "issued at %s, %d s before this exchange" % (utc_iso(iat), self._clock() - iat) if isinstance(
                iat, int) and not isinstance(iat, bool) else "its iat claim"
            return Breakpoint("6", "%s. STS refuses the token as too old (%s): STS limits the age of a token by its "
                                   "iat claim, whatever its exp; use a token issued just now (a token given in token or "
                                   "token_file must be renewed more often by whoever writes it, or use client_id and "
                                   "client_secret, which get a new one)" % (said, age), **details)
        if code == EXPIRED:
            return Breakpoint("6", "%s. STS says the token has expired: get a fresh token (a token given in token or "
                                   "token_file must be renewed by whoever writes it), and check the clock of this host"
                              % said, **details)
        if code == "AccessDenied":
            return self._access_denied(said, token, details)
        if code == "ValidationError" and "MaxSessionDuration" in message:
            return self._duration_too_long(said, details)
        return plain

    def _discovery_mismatch(self, token):
        """Why AWS refuses the token's discovery document (its issuer is not ``iss``), or None."""
        if token is None:
            return None
        source = self.spec.token_source
        return issuer_mismatch(token.claims.get("iss"), getattr(source, "cert_bundle", None))

    def _role(self):
        """``(role, None)`` from IAM, or ``(None, why it could not be read)``."""
        if self._read_role is None:
            return None, "the role is not read here"
        try:
            return self._read_role(self.spec.role_name), None
        except OciAwsError as exc:
            if has_code(exc, "NoSuchEntity"):
                return None, "missing"
            return None, "reading it with iam:GetRole failed: %s" % exc.msg

    def _iam_role(self, name):
        iam = self.spec.connection.client("iam")
        # A diagnosis must not wait out a long retry budget.
        iam.retrier = Retrier(max_attempts=2, max_elapsed=10, deadline=self.spec.deadline)
        return iam.call("get_role", RoleName=name)["Role"]

    def _access_denied(self, said, token, details):
        claims = token.claims
        iss, sub = claims.get("iss"), claims.get("sub")
        aud = token.audiences()[0]
        provider_id = iss[len("https://"):] if iss.startswith("https://") else iss
        # The provider is in the role's account and partition (aws, aws-us-gov, aws-cn).
        partition, account = account_of(self.spec.role_arn)
        provider_arn = provider_arn_for(partition, account, provider_id)
        intro = ("%s. The trust policy of %s does not let this token assume it. The token has aud %r and sub %r "
                 "(issuer %s)." % (said, self.spec.role_arn, aud, sub, iss))
        fix = ("%s with role_name: %s, issuer_url: %s, audience: %s and subjects: [%s]"
               % (FIX_AWS, self.spec.role_name, iss, aud, sub))
        role, why = self._role()
        if why == "missing":
            return Breakpoint("5", "%s. The role %s does not exist: %s" % (said, self.spec.role_arn, fix), **details)
        if role is None:
            return Breakpoint(
                "5", "%s The trust policy could not be read (%s); check that it allows %s for Principal {\"Federated\": "
                     "\"%s\"} with StringEquals %s:aud = %s and %s:sub = %s; %s" % (
                         intro, why, WEB_IDENTITY_ACTION, provider_arn, provider_id, aud, provider_id, sub, fix),
                **details)
        document = role.get("AssumeRolePolicyDocument") or {}
        if isinstance(document, str):
            document = json.loads(document)
        findings = trust_findings(document, provider_arn, provider_id, {"aud": aud, "sub": sub})
        shown = json.dumps(document, sort_keys=True)
        return Breakpoint("5", "%s The trust policy is %s. %s; %s" % (intro, shown, " ".join(findings), fix), **details)

    def _duration_too_long(self, said, details):
        role, why = self._role()
        wanted = self.spec.duration_seconds
        fix = ("ask for at most that with duration_seconds, or raise the role's maximum (up to %d) with %s "
               "max_session_duration" % (MAX_DURATION, FIX_AWS))
        if role is not None and role.get("MaxSessionDuration"):
            return Breakpoint("5", "%s. duration_seconds %d is above the maximum session duration of %s, %d seconds: %s"
                              % (said, wanted, self.spec.role_arn, role["MaxSessionDuration"], fix), **details)
        return Breakpoint("5", "%s. duration_seconds %d is above the maximum session duration of %s (%s): %s"
                          % (said, wanted, self.spec.role_arn, "the role does not exist" if why == "missing" else why, fix),
                          **details)


def _code(exc):
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def exchange_from_options(options, warn=None, announce=None, read_role="connection"):
    """``(credentials as a dict, expires_at)`` of one exchange for ``options`` (a dict of the exchange's options by
    name), as the lookup and the credential_process runner make it on a cache miss. ``warn(text)`` is given the
    spec's warnings (dropped when None); ``announce``, the credential cache's lock holder's, is told when the
    deadline ends (``_retry.Deadline.watch``); ``read_role`` as for :class:`Exchange`."""
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.spec import ExchangeSpec
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import OptionAdapter

    spec = ExchangeSpec.from_options(OptionAdapter.from_dict(options))
    for warning in spec.warnings if warn is not None else ():
        warn(warning)
    if announce is not None:
        spec.deadline.watch(announce)
    credentials = Exchange(spec, read_role=read_role).run()
    return credentials.as_dict(), credentials.expires_at
