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

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re
import time

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import (
    CONNECTION_OPTIONS, AwsConnection, EventualConsistency, aws_argument_spec, has_code, is_botocore_error, transient_failure
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.names import check_policy_arn
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import WEB_IDENTITY_ACTION, check_identity_policy, parse_document, to_json
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import DEFAULT_TIMEOUT, TIMEOUT_OPTION, Retrier, Transient, deadline_from
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import MalformedAnswer, OciAwsError, OptionError, ServiceError, Unexpected
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import FIX_AWS, Breakpoint
from ansible_collections.multicloud.oci_aws.plugins.module_utils._http import check_ca_bundle
from ansible_collections.multicloud.oci_aws.plugins.module_utils._token import ClientCredentials, Expectations, FileToken, GivenToken
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import readable_file
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import parse_https_url, port_warning
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import (
    DEFAULT_AUDIENCE,
    SCOPE,
    check_audience,
    check_pattern,
    check_secret_text,
    scope_for,
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import trust_findings

DEFAULT_SESSION_NAME = "ansible-oci-aws"
DEFAULT_DURATION = 3600
MIN_DURATION, MAX_DURATION = 900, 43200
MAX_POLICY_ARNS = 10
MAX_POLICY_LENGTH = 2048
TOKEN_PATH = "/oauth2/v1/token"

TOKEN_OPTIONS = ("domain_url", "token_url", "client_id", "client_secret", "scope", "token", "token_file", "cert_bundle")
CHECK_OPTIONS = ("audience", "issuer")
STS_OPTIONS = ("role_arn", "role_session_name", "duration_seconds", "policy", "policy_arns")
# Every option of the exchange, as the module and the lookup name them.
OPTIONS = TOKEN_OPTIONS + CHECK_OPTIONS + STS_OPTIONS + CONNECTION_OPTIONS + (TIMEOUT_OPTION,)
SECRET_OPTIONS = ("client_secret", "token", "secret_key", "session_token")

_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})", re.ASCII)
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
# The client ID goes into the token request's Basic authorization: printable ASCII, no spaces.
_CLIENT_ID = re.compile(r"[\x21-\x7e]{1,255}", re.ASCII)
# STS answers these while the identity provider cannot be reached; worth retrying. STS also answers
# "Couldn't retrieve verification key" when its fetch of the discovery document or JWKS failed for a
# moment (seen with other providers: aws/aws-cli#7194, aws-actions/configure-aws-credentials#299), as
# well as when the keys are not public at all: it is retried within the same budget, and reported as
# step 4 when it lasts.
KEYS_NOT_RETRIEVED = "InvalidIdentityToken"
IDP_UNREACHABLE = (EventualConsistency("IDPCommunicationError"),
                   EventualConsistency(KEYS_NOT_RETRIEVED, "verification key"))
EXPIRED = "ExpiredTokenException"


def exchange_argument_spec():
    """The exchange's options for a module (documented by the ``multicloud.oci_aws.exchange`` fragment)."""
    spec = dict(
        domain_url=dict(type="str", no_log=False),
        token_url=dict(type="str", no_log=False),
        client_id=dict(type="str", no_log=False),
        client_secret=dict(type="str", no_log=True),
        scope=dict(type="str"),
        token=dict(type="str", no_log=True),
        token_file=dict(type="path", no_log=False),
        cert_bundle=dict(type="path", fallback=(env_fallback, ["OCI_ANSIBLE_CERT_BUNDLE"])),
        audience=dict(type="str", default=DEFAULT_AUDIENCE),
        issuer=dict(type="str"),
        role_arn=dict(type="str", required=True),
        role_session_name=dict(type="str", default=DEFAULT_SESSION_NAME),
        duration_seconds=dict(type="int", default=DEFAULT_DURATION),
        policy=dict(type="json"),
        policy_arns=dict(type="list", elements="str"),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT),
    )
    spec.update(aws_argument_spec())
    return spec


class OptionAdapter(object):
    """One way to read options, whoever holds them: ``get(name)`` gives the value, None meaning not set."""

    def __init__(self, getter):
        self._getter = getter

    @classmethod
    def from_dict(cls, options):
        """From a module's ``params``, a lookup's options read with ``get_option``, or a settings file."""
        return cls(options.get)

    def get(self, name, default=None):
        value = self._getter(name)
        return default if value is None else value

    def as_dict(self, names=OPTIONS):
        return dict((name, self.get(name)) for name in names)


def _text(options, name):
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise OptionError(name, "%s must be a non-empty string" % name)
    return value


def _integer(options, name, default):
    value = options.get(name, default)
    if isinstance(value, bool):
        raise OptionError(name, "%s must be a number of seconds, got %r" % (name, value))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise OptionError(name, "%s must be a number of seconds, got %r" % (name, value))


class ExchangeSpec(object):
    """Every option of the exchange, checked before any request."""

    def __init__(self, expectations, token_source, role_arn, role_session_name, duration_seconds, policy, policy_arns,
                 connection, warnings, deadline=None):
        self.expectations = expectations
        self.token_source = token_source
        self.role_arn = role_arn
        self.role_session_name = role_session_name
        self.duration_seconds = duration_seconds
        self.policy = policy
        self.policy_arns = policy_arns
        self.connection = connection
        self.warnings = warnings
        # The end of the exchange (the timeout option), shared by the token request and STS.
        self.deadline = deadline

    @classmethod
    def from_options(cls, options, retrier=None, post=None):
        """From an :class:`OptionAdapter`. ``retrier`` and ``post`` replace the defaults in tests.

        The deadline (option ``timeout``) starts now: the spec is made just before the exchange.
        """
        warnings = []
        deadline = deadline_from(options)
        retrier = retrier or Retrier(deadline=deadline)
        audience = check_audience(options.get("audience") or DEFAULT_AUDIENCE)
        domain_url = _text(options, "domain_url")
        domain = parse_https_url(domain_url, "domain_url") if domain_url else None
        issuer = _text(options, "issuer")
        if issuer is not None:
            parse_https_url(issuer, "issuer", allow_path=True)
            issuer_option = "issuer"
        elif domain is not None:
            issuer, issuer_option = domain.origin, "domain_url"
            warning = port_warning(domain, "domain_url")
            if warning:
                warnings.append(warning)
        else:
            raise OptionError("issuer", "give domain_url (the issuer AWS expects is the domain's URL) or issuer (the "
                                        "URL of the IAM OIDC provider), so that the token's issuer can be checked")
        expectations = Expectations(issuer, audience, issuer_option)
        token_source = cls._token_source(options, domain, audience, retrier, post)
        role_arn = check_pattern(options.get("role_arn"), "role_arn", _ROLE_ARN,
                                 "the ARN of an IAM role, arn:aws:iam::<12-digit account>:role/<name> (ASCII, no spaces "
                                 "or line breaks)")
        session_name = check_pattern(options.get("role_session_name") or DEFAULT_SESSION_NAME, "role_session_name",
                                     _SESSION_NAME, "2 to 64 ASCII letters, digits and +=,.@_- (no spaces or line breaks)")
        duration = _integer(options, "duration_seconds", DEFAULT_DURATION)
        if not MIN_DURATION <= duration <= MAX_DURATION:
            raise OptionError("duration_seconds", "duration_seconds must be between %d (15 minutes) and %d (12 hours), "
                                                  "and at most the role's maximum session duration: got %d"
                              % (MIN_DURATION, MAX_DURATION, duration))
        policy = cls._session_policy(options.get("policy"))
        policy_arns = options.get("policy_arns")
        if policy_arns is not None:
            if not isinstance(policy_arns, list) or len(policy_arns) > MAX_POLICY_ARNS:
                raise OptionError("policy_arns", "policy_arns must be a list of at most %d managed policy ARNs"
                                  % MAX_POLICY_ARNS)
            policy_arns = [check_policy_arn(arn, "policy_arns") for arn in policy_arns]
        connection_options = options.as_dict(CONNECTION_OPTIONS)
        connection_options["validate_certs"] = options.get("validate_certs", True)
        connection = AwsConnection.from_options(connection_options, retrier=retrier)
        warnings.extend(connection.warnings())
        return cls(expectations, token_source, role_arn, session_name, duration, policy, policy_arns, connection, warnings,
                   deadline=retrier.deadline)

    @staticmethod
    def _token_source(options, domain, audience, retrier, post):
        given = [name for name in ("client_id", "token", "token_file") if options.get(name) is not None]
        if options.get("client_secret") is not None and "client_id" not in given:
            raise OptionError("client_id", "client_secret is given without client_id: give both (the app's client ID "
                                           "and secret), or token or token_file")
        if len(given) > 1:
            raise OptionError(given[1], "give one source of the token: client_id and client_secret, token, or "
                                        "token_file; got %s" % " and ".join(given))
        if not given:
            raise OptionError("client_id", "no token source: give client_id and client_secret (the app's OAuth client), "
                                           "or a token in token or token_file")
        cert_bundle = options.get("cert_bundle")
        if cert_bundle is not None:
            check_ca_bundle(cert_bundle)
        if given[0] == "token":
            return GivenToken(options.get("token"))
        if given[0] == "token_file":
            return FileToken(readable_file(options.get("token_file"), "token_file", "a file holding the access token"))
        client_id = check_pattern(options.get("client_id"), "client_id", _CLIENT_ID,
                                  "the app's client ID: 1 to 255 printable ASCII characters, no spaces or line breaks")
        client_secret = options.get("client_secret")
        if not isinstance(client_secret, str) or not client_secret:
            raise OptionError("client_secret", "client_secret is required with client_id: the app's client secret")
        check_secret_text(client_secret, "client_secret")
        token_url = _text(options, "token_url")
        url_option = "token_url"
        if token_url is not None:
            token_url = parse_https_url(token_url, "token_url", allow_path=True,
                                        example="https://idcs-<id>.identity.oraclecloud.com/oauth2/v1/token").url
        elif domain is not None:
            token_url, url_option = domain.origin + TOKEN_PATH, "domain_url"
        else:
            raise OptionError("domain_url", "the client credentials grant needs domain_url (or token_url) to know where "
                                            "to ask for the token")
        scope = options.get("scope") or scope_for(audience)
        check_pattern(scope, "scope", SCOPE, "one or more OAuth scopes separated by single spaces, each of printable "
                                             "ASCII characters without quotes or backslashes, such as %s"
                      % scope_for(DEFAULT_AUDIENCE))
        extra = dict(post=post) if post else {}
        return ClientCredentials(token_url, client_id, client_secret, scope, audience, cert_bundle=cert_bundle,
                                 retrier=retrier, url_option=url_option, **extra)

    @staticmethod
    def _session_policy(value):
        if value is None:
            return None
        document = parse_document(value, "policy")
        check_identity_policy(document, "policy")
        text = to_json(document)
        if len(text) > MAX_POLICY_LENGTH:
            raise OptionError("policy", "policy is %d characters as compact JSON; STS takes at most %d (together with "
                                        "policy_arns): narrow it" % (len(text), MAX_POLICY_LENGTH))
        return text

    @property
    def role_name(self):
        return _ROLE_ARN.fullmatch(self.role_arn).group(1)


class Credentials(object):
    """Temporary AWS credentials, in the forms callers return."""

    def __init__(self, access_key, secret_key, session_token, expiration, assumed_role_arn):
        self.access_key = access_key
        self.secret_key = secret_key
        self.session_token = session_token
        self.expiration = expiration
        self.assumed_role_arn = assumed_role_arn

    @classmethod
    def from_sts(cls, answer, endpoint="AWS sts:AssumeRoleWithWebIdentity", status=None):
        """From STS's parsed answer; anything that is not what the API documents is a :class:`MalformedAnswer`
        naming what is missing (never a value)."""

        def malformed(what):
            return MalformedAnswer(endpoint, what, status=status)

        credentials = answer.get("Credentials") if isinstance(answer, dict) else None
        if not isinstance(credentials, dict) or not credentials:
            raise malformed("no Credentials element")
        for name in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
            if not isinstance(credentials.get(name), str) or not credentials[name]:
                raise malformed("no %s in the Credentials element" % name)
        expiration = credentials.get("Expiration")
        if isinstance(expiration, str):
            try:
                expiration = datetime.datetime.strptime(expiration.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")
            except ValueError:
                raise malformed("an Expiration that is not an ISO 8601 time")
        if not isinstance(expiration, datetime.datetime):
            raise malformed("no Expiration in the Credentials element")
        if expiration.tzinfo is None:
            expiration = expiration.replace(tzinfo=datetime.timezone.utc)
        user = answer.get("AssumedRoleUser")
        if not isinstance(user, dict) or not isinstance(user.get("Arn"), str):
            raise malformed("no AssumedRoleUser Arn")
        return cls(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"],
                   expiration.astimezone(datetime.timezone.utc), user["Arn"])

    @property
    def expires_at(self):
        return self.expiration.timestamp()

    def as_dict(self):
        """amazon.aws's option names, the expiry in ISO 8601 UTC, and the standard environment variables."""
        return {
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "session_token": self.session_token,
            "expiration": self.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "assumed_role_arn": self.assumed_role_arn,
            "environment": {
                "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_SESSION_TOKEN": self.session_token,
            },
        }


class _Attempts(object):
    """What the retries of one STS call know: the token sent last, and whether STS called it expired."""

    def __init__(self):
        self.token = None
        self.renew = False
        self.renewed_after_expiry = False


class Exchange(object):
    """Token -> preflight -> STS -> :class:`Credentials`, with STS's refusals explained.

    ``read_role(name)`` returns IAM's ``GetRole`` answer for diagnoses; it may raise
    :class:`OciAwsError` (no IAM access), or be None to never read (the credential_process).
    """

    def __init__(self, spec, read_role="connection", clock=time.time):
        self.spec = spec
        self._clock = clock
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
            attempts.token = source.current(now)
            spec.expectations.check(attempts.token, now)
            return sts.client.assume_role_with_web_identity(WebIdentityToken=attempts.token.raw, **params)

        def classify(exc):
            transient = transient_failure(exc, IDP_UNREACHABLE)
            if transient is None and source.renewable and not attempts.renewed_after_expiry and _code(exc) == EXPIRED:
                attempts.renew = True
                return Transient("%s (the token is fetched again)" % EXPIRED)
            return transient

        def on_retry(_attempt, _transient, _wait):
            if attempts.renew:
                source.renew()
                attempts.renew, attempts.renewed_after_expiry = False, True

        endpoint = sts.endpoint("assume_role_with_web_identity")
        url = getattr(sts, "url", None)
        where = "AWS %s at %s" % (endpoint, url) if url else "AWS %s" % endpoint
        try:
            answer = sts.retrier.call(once, classify, endpoint, on_retry=on_retry, url=url)
        except ServiceError as exc:
            last_error = str(exc.details.get("last_error", ""))
            if "IDPCommunicationError" in last_error:
                raise Breakpoint(
                    "4", "%s. AWS could not reach the identity domain's discovery document and signing keys "
                         "(%s/.well-known/openid-configuration and its jwks_uri): they must answer from the internet "
                         "within 5 seconds" % (exc.msg, attempts.token.claims.get("iss")), **exc.details)
            if last_error.startswith(KEYS_NOT_RETRIEVED):
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
            raise self.diagnose(exc, attempts.token, plain) if _code(exc) else plain
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
        if code == EXPIRED:
            return Breakpoint("6", "%s. STS says the token has expired: get a fresh token (a token given in token or "
                                   "token_file must be renewed by whoever writes it), and check the clock of this host"
                              % said, **details)
        if code == "AccessDenied":
            return self._access_denied(said, token, details)
        if code == "ValidationError" and "MaxSessionDuration" in message:
            return self._duration_too_long(said, details)
        return plain

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
        account = self.spec.role_arn.split(":")[4]
        provider_arn = "arn:aws:iam::%s:oidc-provider/%s" % (account, provider_id)
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


