"""``sts:AssumeRoleWithWebIdentity`` validated as real STS validates a token from a generic OIDC
provider, then handed to moto to mint the credentials.

moto 5.2.5 never reads the token (``STSBackend.assume_role_with_web_identity`` is ``assume_role``)
and accepts any role, duration and session name; see ``shared/reference/aws-sts-oidc.md`` §1.2.
The gate applies these checks, in this order, each answered with the error real STS gives:

1. Request parameters against the API model (``ValidationError``, 400): ``RoleArn`` 20-2048 chars,
   ``RoleSessionName`` 2-64 chars of ``[\\w+=,.@-]``, ``WebIdentityToken`` 4-20000 chars,
   ``DurationSeconds`` 900-43200, ``Policy`` 1-2048 chars, at most 10 ``PolicyArns`` ("You can
   provide up to 10 managed policy ARNs", model text; botocore does not check it); then a
   ``RoleArn`` that is not a role ARN of the aws, aws-us-gov or aws-cn partition: "Request ARN is
   invalid"; a ``Policy`` that is not JSON → ``MalformedPolicyDocument`` with the JSON parser's
   message (a real STS answer to AssumeRole: "Unexpected character ('i' (code 105)): expected a
   valid value ...", ansible-collections/amazon.aws#2778); ``ProviderId`` ("Do not specify this
   value for OpenID Connect ID tokens", model text) → ``InvalidIdentityToken`` (option
   ``provider_id_with_oidc_token``). Whitespace around the token is dropped first (option
   ``trim_token_whitespace``: the published procedure writes the token with ``echo`` and works
   on real AWS).
2. The token must be a JWT whose ``iss`` names an IAM OIDC provider of the role's account (and
   partition) that STS already sees (`iam_view.py`: ``iam_propagation_seconds``), matched
   exactly against ``https://`` + the provider's URL as IAM stores it (``InvalidIdentityToken``
   "No OpenIDConnect provider found in your account for <iss>"). STS looks the provider up before it
   looks at the role: a wrong account in the role ARN gives this error, not AccessDenied
   (https://github.com/mozilla-iam/mozilla-aws-cli/issues/127).
3. The issuer's keys (discovery, then ``jwks_uri``; `oidc_fetch.py`): issuer unreachable, timing
   out or answering 5xx → ``IDPCommunicationError`` (option ``idp_unreachable_error``); any other
   failure, or no key for the token's ``kid`` → ``InvalidIdentityToken`` "Couldn't retrieve
   verification key from your identity provider,  please reference AssumeRoleWithWebIdentity
   documentation for requirements" (two spaces after the comma, as STS writes it); an untrusted TLS
   certificate → "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint".
   With ``sts_trusts_sandbox_ca`` off, the sandbox CA is not trusted and a host passes only if it
   presents a certificate whose SHA-1 is one of the provider's thumbprints.
4. The signature, with one of the algorithms STS accepts (RS256/384/512, ES256/384/512; STS API
   reference, WebIdentityToken) → ``InvalidIdentityToken``.
5. Claims: ``aud``, ``sub``, ``exp`` and ``iat`` present ("Missing a required claim: <name>"),
   timestamps integers; ``exp`` not passed (option ``clock_skew_seconds``, default 0: a real STS
   refused a token 198 s past ``exp``, awslabs/aws-orbit-workbench#707; the IAM guide's five
   minutes is the switch's other value) → ``ExpiredTokenException`` "Token expired: current
   date/time <now> must be before the expiration date/time <exp>"; with ``max_token_age_seconds``,
   an ``iat`` older than that → ``ExpiredTokenException`` "Token too old: <age in seconds>" (the
   real message, mozilla-iam/mozilla-aws-cli#146; the real threshold is not published);
   ``iat``/``nbf`` not in the future beyond the skew → ``InvalidIdentityToken``.
6. Audience: ``azp`` when present, otherwise ``aud``, must be one of the provider's client IDs;
   a token with several ``aud`` values is rejected (option ``reject_multi_valued_aud``)
   → ``InvalidIdentityToken`` "Incorrect token audience".
7. The role must exist in the account and its trust policy must allow
   ``sts:AssumeRoleWithWebIdentity`` for ``{"Federated": <provider ARN>}`` with every condition met
   (`policy_eval.py`) → ``AccessDenied`` (403) "Not authorized to perform
   sts:AssumeRoleWithWebIdentity". Condition keys of a generic OIDC provider: ``<provider>:aud``,
   ``:sub``, ``:azp``, ``:amr`` (``:oaud`` is documented for Google only and is not set), plus
   ``aws:FederatedProvider``, ``sts:RoleSessionName``, ``sts:SourceIdentity``,
   ``aws:RequestTag/<key>``, ``aws:TagKeys``. A token with the ``https://aws.amazon.com/tags``
   claim also needs ``sts:TagSession``, one with ``https://aws.amazon.com/source_identity``
   ``sts:SetSourceIdentity``, allowed by the trust policy (IAM User Guide, id_session-tags.html,
   id_credentials_temp_control-access_monitor.html) → the same ``AccessDenied``.
8. ``DurationSeconds`` (default 3600) must not exceed the role's ``MaxSessionDuration`` →
   ``ValidationError`` "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."

The order of 3-8 relative to each other is the sandbox's choice (STS does not document it).

On success the answer has the real shape: ``SubjectFromWebIdentityToken`` (= ``sub``), ``Provider``
(the provider's ARN, as real STS answers for IAM OIDC providers), ``Audience`` (the matched client
ID), ``AssumedRoleUser`` with the role's real ``AROA...`` id and the role's partition,
``SourceIdentity`` when the token sets one, and ``Expiration`` = sandbox clock + ``DurationSeconds``.
"""

import datetime
import json
import logging
import re
from dataclasses import dataclass
from typing import Mapping, Optional

import jwt
from . import policy_eval
from .aws_query import AwsError, Member, validate, xml_text
from .oidc_fetch import CertificateUntrusted, IdpFetchError, IdpUnreachable, IssuerKeys

log = logging.getLogger("sandbox.aws.sts")

ACTION = "sts:AssumeRoleWithWebIdentity"
ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
REQUIRED_CLAIMS = ("aud", "sub", "exp", "iat")
DEFAULT_DURATION = 3600

PARAMETERS = (
    Member("RoleArn", required=True, min_length=20, max_length=2048),
    Member("RoleSessionName", required=True, min_length=2, max_length=64, pattern=r"[\w+=,.@-]*"),
    Member("WebIdentityToken", required=True, min_length=4, max_length=20000, sensitive=True),
    Member("DurationSeconds", min_value=900, max_value=43200),
    Member("Policy", min_length=1, max_length=2048),
)
ROLE_ARN = re.compile(r"^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role/(?:[\x21-\x7e]+/)*[\w+=,.@-]+$")
#: The region whose STS the sandbox names in each partition's answers (the call is unsigned).
PARTITION_REGIONS = {"aws": None, "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}
POLICY_ARNS_MAX = 10
TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
TOKEN_WHITESPACE = " \t\r\n"

INVALID_TOKEN = ("The web identity token that was passed could not be validated by AWS. "
                 "Get a new identity token from the identity provider and then retry the request.")
NO_VERIFICATION_KEY = ("Couldn't retrieve verification key from your identity provider,  "
                       "please reference AssumeRoleWithWebIdentity documentation for requirements")
THUMBPRINT_MISMATCH = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
IDP_UNREACHABLE = ("The request could not be fulfilled because the identity provider (IDP) that was asked "
                   "to verify the incoming identity token could not be reached. This is often a transient "
                   "error caused by network conditions.")
INCORRECT_AUDIENCE = "Incorrect token audience"
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
DURATION_TOO_LONG = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."

RESULT_TEMPLATE = """\
    <SubjectFromWebIdentityToken>%(subject)s</SubjectFromWebIdentityToken>
    <Audience>%(audience)s</Audience>
    <AssumedRoleUser>
      <Arn>%(arn)s</Arn>
      <AssumedRoleId>%(role_id)s</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>%(access_key_id)s</AccessKeyId>
      <SecretAccessKey>%(secret_access_key)s</SecretAccessKey>
      <SessionToken>%(session_token)s</SessionToken>
      <Expiration>%(expiration)s</Expiration>
    </Credentials>
    <Provider>%(provider)s</Provider>
%(source_identity)s"""


def invalid_token(message: str = INVALID_TOKEN) -> AwsError:
    return AwsError("InvalidIdentityToken", message)


@dataclass(frozen=True)
class _Request:
    role_arn: str
    partition: str
    role_account: str
    session_name: str
    token: str
    duration: int
    policy: Optional[str]


def _malformed_json(document: str) -> Optional[str]:
    """None if `document` is JSON, else a message in the shape STS gives (its Java parser's)."""
    try:
        json.loads(document)
        return None
    except json.JSONDecodeError as exc:
        char = document[exc.pos] if exc.pos < len(document) else ""
        where = "line: %d, column: %d" % (exc.lineno, exc.colno)
        if not char:
            return "Unexpected end-of-input: expected close marker\n at [Source: (String)%s; %s]" % (
                json.dumps(document[:80]), where)
        return ("Unexpected character ('%s' (code %d)): expected a valid value (number, String, array, object, "
                "'true', 'false' or 'null')\n at [Source: (String)%s; %s]" % (char, ord(char), json.dumps(document[:80]),
                                                                              where))


class WebIdentityGate:
    """Validates and answers ``AssumeRoleWithWebIdentity`` against moto's IAM and STS state.

    `view` is the `iam_view.IamPropagation` (what STS sees of IAM), `sts(partition)` returns moto's
    STS backend; `options` is the live options dict of `AwsCloud` (read on every request).
    """

    def __init__(self, *, account_id: str, region: str, clock, issuer_keys: IssuerKeys, view, sts, options):
        self.account_id = account_id
        self.region = region
        self.clock = clock
        self.issuer_keys = issuer_keys
        self.view = view
        self.sts = sts
        self.options = options

    def assume_role_with_web_identity(self, params: Mapping[str, str]) -> str:
        """The ``<AssumeRoleWithWebIdentityResult>`` content, or raise the `AwsError` STS gives."""
        request = self._parse_request(params)
        header, claims = self._decode(request.token)
        provider = self._find_provider(request, claims["iss"])
        self._verify_signature(request.token, header, claims["iss"], provider)
        self._check_claims(claims)
        _audiences, audience = self._check_audience(claims, provider)
        role = self._authorize(request, provider, claims, audience)
        if request.duration > role.max_session_duration:
            raise AwsError("ValidationError", DURATION_TOO_LONG)
        return self._mint(request, role, provider, claims["sub"], audience, claims.get(SOURCE_IDENTITY_CLAIM))

    # -- 1. parameters ---------------------------------------------------------------------------
    def _parse_request(self, params: Mapping[str, str]) -> _Request:
        validate(params, PARAMETERS)
        policy_arns = sorted(int(k.split(".")[2]) for k in params
                             if k.startswith("PolicyArns.member.") and k.endswith(".arn") and k.split(".")[2].isdigit())
        if len(policy_arns) > POLICY_ARNS_MAX:
            shown = "[%s]" % ", ".join(params["PolicyArns.member.%d.arn" % i] for i in policy_arns)
            raise AwsError("ValidationError", "1 validation error detected: Value '%s' at 'policyArns' failed to "
                           "satisfy constraint: Member must have length less than or equal to %d" % (shown, POLICY_ARNS_MAX))
        role_arn = params["RoleArn"]
        match = ROLE_ARN.match(role_arn)
        if not match:
            raise AwsError("ValidationError", "Request ARN is invalid")
        policy = params.get("Policy")
        if policy is not None:
            problem = _malformed_json(policy)
            if problem:
                raise AwsError("MalformedPolicyDocument", problem)
        if params.get("ProviderId") and self.options["provider_id_with_oidc_token"] == "InvalidIdentityToken":
            raise invalid_token()
        token = params["WebIdentityToken"]
        if self.options["trim_token_whitespace"]:
            token = token.strip(TOKEN_WHITESPACE)
        return _Request(
            role_arn=role_arn,
            partition=match.group(1),
            role_account=match.group(2),
            session_name=params["RoleSessionName"],
            token=token,
            duration=int(params.get("DurationSeconds") or DEFAULT_DURATION),
            policy=policy,
        )

    # -- 2. token and provider -------------------------------------------------------------------
    @staticmethod
    def _decode(token: str):
        try:
            decoded = jwt.api_jws.PyJWS().decode_complete(token, options={"verify_signature": False})
            claims = json.loads(decoded["payload"])
        except (jwt.exceptions.InvalidTokenError, ValueError, UnicodeDecodeError) as exc:
            raise invalid_token() from exc
        if not isinstance(claims, dict):
            raise invalid_token()
        if not isinstance(claims.get("iss"), str):
            raise invalid_token("Missing a required claim: iss")
        return decoded["header"], claims

    def _find_provider(self, request: _Request, issuer: str):
        """The IAM OIDC provider whose URL is `issuer`, in the role's account and partition, as STS
        sees it (only the sandbox account has providers)."""
        if request.role_account == self.account_id:
            for provider in self.view.providers(request.partition):
                if "https://" + provider.url == issuer:
                    return provider
        raise invalid_token("No OpenIDConnect provider found in your account for %s" % issuer)

    # -- 3-4. keys and signature -----------------------------------------------------------------
    def _verify_signature(self, token: str, header: dict, issuer: str, provider) -> None:
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise invalid_token()
        jwks = self._issuer_jwks(issuer, provider)
        kid = header.get("kid")
        candidates = [k for k in jwks["keys"] if isinstance(k, dict) and (kid is None or k.get("kid") == kid)]
        keys = []
        for candidate in candidates:
            if candidate.get("alg") not in (None, algorithm) or candidate.get("use") not in (None, "sig"):
                continue
            try:
                keys.append(jwt.PyJWK(candidate, algorithm=algorithm).key)
            except jwt.exceptions.PyJWTError:
                continue
        if not keys:
            raise invalid_token(NO_VERIFICATION_KEY)
        for key in keys:
            try:
                jwt.api_jws.PyJWS().decode_complete(token, key=key, algorithms=[algorithm])
                return
            except jwt.exceptions.InvalidTokenError:
                continue
        raise invalid_token()

    def _issuer_jwks(self, issuer: str, provider) -> dict:
        pins = None if self.options["sts_trusts_sandbox_ca"] else list(provider.thumbprint_list)
        try:
            return self.issuer_keys.jwks(
                issuer,
                timeout=float(self.options["idp_timeout_seconds"]),
                cache_seconds=float(self.options["jwks_cache_seconds"]),
                check_issuer=bool(self.options["discovery_issuer_must_match"]),
                thumbprints=pins,
            )
        except IdpUnreachable as exc:
            log.info("issuer %s unreachable: %s", issuer, exc)
            if self.options["idp_unreachable_error"] == "IDPCommunicationError":
                raise AwsError("IDPCommunicationError", IDP_UNREACHABLE) from exc
            raise invalid_token(NO_VERIFICATION_KEY) from exc
        except CertificateUntrusted as exc:
            log.info("issuer %s: TLS certificate not trusted: %s", issuer, exc)
            raise invalid_token(THUMBPRINT_MISMATCH) from exc
        except IdpFetchError as exc:  # KeysUnavailable, DiscoveryInvalid
            log.info("issuer %s: keys not retrievable: %s", issuer, exc)
            raise invalid_token(NO_VERIFICATION_KEY) from exc

    # -- 5. claims -------------------------------------------------------------------------------
    def _check_claims(self, claims: dict) -> None:
        for name in REQUIRED_CLAIMS:
            if claims.get(name) is None:
                raise invalid_token("Missing a required claim: %s" % name)
        for name in ("exp", "iat", "nbf"):
            value = claims.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise invalid_token()
        now = int(self.clock.now())
        skew = int(self.options["clock_skew_seconds"] or 0)
        if now >= claims["exp"] + skew:
            raise AwsError(
                "ExpiredTokenException",
                "Token expired: current date/time %d must be before the expiration date/time %d" % (now, claims["exp"]),
            )
        max_age = self.options["max_token_age_seconds"]
        if max_age is not None and now - claims["iat"] > int(max_age):
            raise AwsError("ExpiredTokenException", "Token too old: %d" % (now - claims["iat"]))
        if claims["iat"] > now + skew or claims.get("nbf", now) > now + skew:
            raise invalid_token()

    # -- 6. audience -----------------------------------------------------------------------------
    def _check_audience(self, claims: dict, provider):
        """(all ``aud`` values, the value matched against the provider's client IDs)."""
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if not audiences or not all(isinstance(a, str) for a in audiences):
            raise invalid_token()
        if len(audiences) > 1 and self.options["reject_multi_valued_aud"]:
            raise invalid_token(INCORRECT_AUDIENCE)
        candidates = [claims["azp"]] if "azp" in claims else audiences
        client_ids = list(provider.client_id_list)
        for candidate in candidates:
            if candidate in client_ids:
                return audiences, candidate
        raise invalid_token(INCORRECT_AUDIENCE)

    # -- 7. role and trust policy ----------------------------------------------------------------
    def _authorize(self, request: _Request, provider, claims: dict, audience: str):
        role = self.view.role_by_arn(request.partition, request.role_arn)
        if role is None:
            raise AwsError("AccessDenied", NOT_AUTHORIZED, 403)
        prefix = provider.url
        amr = claims.get("amr")
        tags = _session_tags(claims)
        source_identity = claims.get(SOURCE_IDENTITY_CLAIM)
        keys = {
            prefix + ":aud": audience,
            prefix + ":sub": claims["sub"],
            prefix + ":azp": claims.get("azp"),
            prefix + ":amr": [amr] if isinstance(amr, str) else amr,
            "aws:FederatedProvider": provider.arn,
            "sts:RoleSessionName": request.session_name,
            "sts:SourceIdentity": source_identity if isinstance(source_identity, str) else None,
            "aws:TagKeys": sorted(tags) if tags else None,
        }
        keys.update({"aws:RequestTag/" + k: v for k, v in tags.items()})
        actions = [ACTION]
        if TAGS_CLAIM in claims:
            actions.append("sts:TagSession")
        if SOURCE_IDENTITY_CLAIM in claims:
            actions.append("sts:SetSourceIdentity")
        for action in actions:
            context = policy_eval.RequestContext(action=action, principal_type="Federated", principal=provider.arn,
                                                 keys=keys)
            try:
                decision = policy_eval.evaluate(role.assume_role_policy_document, context)
            except policy_eval.UnsupportedPolicy as exc:
                log.warning("trust policy of %s not evaluated (%s): denying", role.name, exc)
                decision = policy_eval.IMPLICIT_DENY
            if decision != policy_eval.ALLOW:
                log.info("trust policy of %s does not allow %s", role.name, action)
                raise AwsError("AccessDenied", NOT_AUTHORIZED, 403)
        return role

    # -- success ---------------------------------------------------------------------------------
    def _mint(self, request: _Request, role, provider, subject: str, audience: str, source_identity=None) -> str:
        session = self.sts(request.partition).assume_role_with_web_identity(
            region_name=PARTITION_REGIONS.get(request.partition) or self.region,
            role_session_name=request.session_name,
            role_arn=request.role_arn,
            policy=request.policy,
            duration=request.duration,
            external_id=None,
        )
        expiration = datetime.datetime.fromtimestamp(self.clock.now() + request.duration, datetime.timezone.utc)
        return RESULT_TEMPLATE % {
            "subject": xml_text(subject),
            "audience": xml_text(audience),
            "arn": xml_text(session.arn),
            "role_id": xml_text("%s:%s" % (role.id, request.session_name)),
            "access_key_id": xml_text(session.access_key_id),
            "secret_access_key": xml_text(session.secret_access_key),
            "session_token": xml_text(session.session_token),
            "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "provider": xml_text(provider.arn),
            "source_identity": ("    <SourceIdentity>%s</SourceIdentity>\n" % xml_text(source_identity)
                                if isinstance(source_identity, str) else ""),
        }


def _session_tags(claims: dict) -> dict:
    """{tag key: value} of the token's ``https://aws.amazon.com/tags`` claim (``principal_tags``
    values are single-element lists, id_session-tags.html)."""
    claim = claims.get(TAGS_CLAIM)
    if not isinstance(claim, dict) or not isinstance(claim.get("principal_tags"), dict):
        return {}
    tags = {}
    for key, value in claim["principal_tags"].items():
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str):
            tags[key] = value
    return tags
