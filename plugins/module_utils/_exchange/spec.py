# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

What an exchange will do, every option checked before any request (:class:`ExchangeSpec`):
where the token comes from (a token, a token file or the client-credentials grant), what it must
carry, and the ``AssumeRoleWithWebIdentity`` parameters.
"""

from __future__ import annotations

import typing as t

import re
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.connection import AwsConnection, CONNECTION_OPTIONS
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.token import ClientCredentials, FileToken, GivenToken
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.client_auth import PrivateKeyAuth
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import (
    DEFAULT_AUDIENCE, SCOPE, check_audience, check_pattern, check_secret_text, scope_for
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.preflight import Expectations
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Retrier, deadline_from
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import (
    TOKEN_PATH,
    domain_issuer_origin,
    normalize_issuer,
    parse_domain_url,
    parse_https_url,
    port_warning,
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._exchange.options import (
    DEFAULT_DURATION, DEFAULT_SESSION_NAME, KEY_OPTIONS, _integer, _text
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._http import check_ca_bundle
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.policy import check_identity_policy, parse_document, to_json
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.names import check_policy_arn
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import readable_file

if t.TYPE_CHECKING:
    from ansible_collections.multicloud.oci_aws.plugins.module_utils._options import OptionAdapter  # pragma: no cover


MIN_DURATION, MAX_DURATION = 900, 43200
MAX_POLICY_ARNS = 10
MAX_POLICY_LENGTH = 2048
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})", re.ASCII)
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
# The client ID goes into the token request's Basic authorization: printable ASCII, no spaces.
_CLIENT_ID = re.compile(r"[\x21-\x7e]{1,255}", re.ASCII)


class ExchangeSpec:
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
    def from_options(cls, options: OptionAdapter, retrier: Retrier | None = None,
                     post: t.Callable[..., t.Any] | None = None) -> ExchangeSpec:
        """From an :class:`OptionAdapter`. ``retrier`` and ``post`` replace the defaults in tests.

        The deadline (option ``timeout``, with its throttling allowance ``throttling_timeout``) starts now: the spec
        is made just before the exchange.
        """
        warnings = []
        deadline = deadline_from(options, throttling=True)
        retrier = retrier or Retrier(deadline=deadline)
        audience = check_audience(options.get("audience") or DEFAULT_AUDIENCE)
        domain_url = _text(options, "domain_url")
        domain = parse_domain_url(domain_url) if domain_url else None
        issuer = _text(options, "issuer")
        if issuer is not None:
            issuer = normalize_issuer(issuer, "issuer").url
            issuer_option = "issuer"
        elif domain is not None:
            issuer, issuer_option = domain_issuer_origin(domain), "domain_url"
            warning = port_warning(domain, "domain_url")
            if warning:
                warnings.append(warning)
        else:
            raise OptionError("issuer", "give domain_url (the issuer AWS expects is the domain's URL) or issuer (the "
                                        "URL of the IAM OIDC provider), so that the token's issuer can be checked")
        expectations = Expectations(issuer, audience, issuer_option)
        token_source = cls._token_source(options, domain, audience, retrier, post)
        role_arn = check_pattern(options.get("role_arn"), "role_arn", _ROLE_ARN,
                                 "the ARN of an IAM role, arn:aws:iam::<12-digit account>:role/<name> (arn:aws-us-gov: or arn:aws-cn: "
                                 "in those partitions; ASCII, no spaces "
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
        return cls(expectations, token_source, role_arn, session_name, duration, policy, policy_arns, connection, warnings,
                   deadline=retrier.deadline)

    @staticmethod
    def _token_source(options, domain, audience, retrier, post):
        given = [name for name in ("client_id", "token", "token_file") if options.get(name) is not None]
        keyed = [name for name in KEY_OPTIONS if options.get(name) is not None]
        if keyed and options.get("client_secret") is not None:
            raise OptionError(keyed[0], "give client_secret or %s, not both: the app's client authenticates with its "
                                        "secret or with its private key" % keyed[0])
        if keyed and "client_id" not in given:
            raise OptionError("client_id", "%s is given without client_id: give the app's client ID too" % keyed[0])
        if keyed and options.get("client_private_key_file") is None:
            raise OptionError("client_private_key_file", "%s is given without client_private_key_file: give the path "
                                                         "of the client's private key" % keyed[0])
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
        if not keyed and (not isinstance(client_secret, str) or not client_secret):
            raise OptionError("client_secret", "client_secret is required with client_id: the app's client secret "
                                               "(or client_private_key_file, to authenticate with a private key)")
        if not keyed:
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
        if keyed:
            alias = options.get("client_certificate_alias")
            if alias is not None:
                check_pattern(alias, "client_certificate_alias", _CLIENT_ID,
                              "the certAlias of the certificate on the app: printable ASCII, no spaces")
            # The assertion's audience is the domain: domain_url, else the origin of token_url.
            if domain is not None:
                audience_url = domain.origin
            else:
                audience_url = parse_https_url(token_url, "token_url", allow_path=True).origin
            extra["client_auth"] = PrivateKeyAuth(client_id, options.get("client_private_key_file"), audience_url,
                                                  certificate_path=options.get("client_certificate_file"), alias=alias)
            client_secret = None
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
    def role_name(self) -> str:
        return _ROLE_ARN.fullmatch(self.role_arn).group(1)
