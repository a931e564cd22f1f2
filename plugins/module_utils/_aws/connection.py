# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The AWS connection layer shared by the modules and the lookup: the connection options with
amazon.aws's names, a boto3 client factory that takes plain values (no AnsibleModule, so the
lookup can use it on the controller), and :class:`AwsClient`, which retries throttling,
transient failures and IAM's eventual consistency with bounded jittered backoff and turns every
botocore error into a typed error from ``_common``.

Anything not given explicitly is left to botocore's own resolution, so the standard
environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``,
``AWS_PROFILE``, ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``,
``AWS_CA_BUNDLE``) and the shared config files work as they do for the AWS CLI. boto3 is
imported only when a client is made.
"""

from __future__ import annotations

import typing as t

import os
import re

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import (
    MalformedAnswer, OciAwsError, OptionError, ServiceError, Unreachable, configuration_failure, unreachable
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._aws.options import CONNECTION
from ansible_collections.multicloud.oci_aws.plugins.module_utils._options import argument_spec, names
from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import Retrier, TRANSIENT_STATUS, Transient, parse_retry_after
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import parse_https_url
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import check_path_text, check_pattern, check_text

# Per-attempt socket timeouts (each at most what is left of the ``timeout`` deadline).
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 30
# An AWS error message longer than this is cut: it is the service's text, not ours to print whole.
MAX_MESSAGE = 500

USER_AGENT = "ansible-collection-multicloud.oci_aws"

# CONNECTION, the connection options, are defined in _aws/options.py (the lookup loads them without this module).
CONNECTION_OPTIONS = names(CONNECTION)
# What :class:`AwsConnection` takes (``debug_botocore_endpoint_logs`` is the modules' answer, not the connection's).
_CONNECTION_ARGS = tuple(name for name in CONNECTION_OPTIONS if name != "debug_botocore_endpoint_logs")
# aws_config keys that the collection sets itself: its retries (bounded, within ``timeout``) and the
# signature (unsigned for AssumeRoleWithWebIdentity, SigV4 for the rest).
OWN_CONFIG = {
    "retries": "the collection retries AWS calls itself, with jittered backoff within the timeout option",
    "signature_version": "the collection signs IAM calls (SigV4) and sends AssumeRoleWithWebIdentity unsigned",
}

# Error codes that mean "slow down" or "try again" on any AWS query API.
TRANSIENT_CODES = frozenset((
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
    "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
    "SlowDown", "PriorRequestNotComplete", "ServiceUnavailable", "Unavailable",
    "InternalFailure", "InternalError", "ServiceFailure", "RequestTimeout",
    "RequestTimeoutException", "ConcurrentModification",
))

# The codes among them that mean "too fast" (botocore/retries/standard.py _THROTTLED_ERROR_CODES, the ones AWS
# query and JSON APIs answer): retried longer than faults (_retry.THROTTLED_MAX_ATTEMPTS).
THROTTLING_CODES = frozenset((
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
    "TooManyRequestsException", "RequestLimitExceeded", "SlowDown",
))

# botocore reports a bad parameter with its value; values are cut out of messages we repeat.
# A region name as botocore takes it (eu-west-1, us-gov-west-1, cn-north-1): checked as a whole,
# without guessing which regions exist.
_REGION = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?", re.ASCII)
_PARAM_VALUE = re.compile(r"(value: ).*?(, type:|, valid |$)", re.MULTILINE)


def aws_argument_spec() -> dict[str, dict[str, t.Any]]:
    """The connection options for a module argspec (documented by ``multicloud.oci_aws.aws``).

    Their combinations (profile or keys, both keys) are checked by :class:`AwsConnection`, the
    one place that serves modules and lookups alike.
    """
    return argument_spec(CONNECTION)


def check_aws_config(config: t.Any) -> dict[str, t.Any] | None:
    """``aws_config`` (None or a dict of ``botocore.config.Config`` keyword arguments), else :class:`OptionError`.

    Only key names are ever quoted: values (proxy URLs) may hold passwords.
    """
    if config is None:
        return None
    if not isinstance(config, dict):
        raise OptionError("aws_config", "aws_config must be a dictionary of botocore Config parameters")
    for name in sorted(config):
        if name in OWN_CONFIG:
            raise OptionError("aws_config", "aws_config cannot set %s: %s; remove it from aws_config" % (name, OWN_CONFIG[name]))
    from botocore.config import Config  # pylint: disable=import-outside-toplevel

    unknown = sorted(set(config) - set(Config.OPTION_DEFAULTS))
    if unknown:
        raise OptionError("aws_config", "aws_config has parameters that botocore's Config does not know: %s; see "
                                        "https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html"
                          % ", ".join(str(name) for name in unknown))
    try:
        Config(**config)
    except (TypeError, ValueError, _botocore().exceptions.BotoCoreError) as exc:
        raise OptionError("aws_config", "aws_config is not a valid botocore Config (%s)" % type(exc).__name__)
    return dict(config)


class EventualConsistency:
    """An error IAM answers while a change that was just made propagates: worth retrying.

    ``message_part`` narrows the match (IAM answers ``MalformedPolicyDocument: Invalid
    principal in policy`` for a trust policy naming a provider created a moment ago).
    """

    def __init__(self, code: str, message_part: str | None = None) -> None:
        self.code = code
        self.message_part = message_part

    def matches(self, code: str, message: str) -> bool:
        return code == self.code and (self.message_part is None or self.message_part in message.lower())


NO_SUCH_ENTITY = "NoSuchEntity"
NEW_ENTITY = (EventualConsistency(NO_SUCH_ENTITY),)
NEW_PRINCIPAL = (EventualConsistency("MalformedPolicyDocument", "principal"),)


def _botocore():
    try:
        import botocore.exceptions  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise OciAwsError(
            "boto3 and botocore are required on the host that runs this (pip install boto3); "
            "see the collection's requirements.txt for the versions supported"
        )
    return botocore


_DATA_LOADER = []


def _botocore_session():
    """A new botocore session that shares one data loader per process.

    Each botocore session otherwise loads and parses the service models again (tens of
    milliseconds per client): with the loader shared, the second client of a run costs little.
    """
    import botocore.loaders  # pylint: disable=import-outside-toplevel
    import botocore.session  # pylint: disable=import-outside-toplevel

    if not _DATA_LOADER:
        _DATA_LOADER.append(botocore.loaders.create_loader())
    session = botocore.session.get_session()
    session.register_component("data_loader", _DATA_LOADER[0])
    # STS at its regional endpoint whatever the botocore version (before 1.40 botocore's default,
    # "legacy", sends 16 regions to the global sts.amazonaws.com, whose session tokens are valid only
    # in the regions enabled by default), the environment (AWS_STS_REGIONAL_ENDPOINTS) or the profile.
    session.set_config_variable("sts_regional_endpoints", "regional")
    return session


NO_REGION = ("no AWS region: set the option region (or the environment variable AWS_REGION or AWS_DEFAULT_REGION, or "
             "region in the AWS profile). The collection calls STS at its regional endpoint "
             "(https://sts.<region>.amazonaws.com), never the global one, and IAM in AWS GovCloud (US) and China is "
             "reached through a region of its partition (us-gov-west-1, cn-north-1)")


_UNSIGNED_SESSION = []


def _unsigned_session():
    """One boto3 session per process for unsigned clients, which carry no credentials."""
    import boto3  # pylint: disable=import-outside-toplevel

    if not _UNSIGNED_SESSION:
        _UNSIGNED_SESSION.append(boto3.session.Session(botocore_session=_botocore_session()))
    return _UNSIGNED_SESSION[0]


class AwsConnection:
    """Where and as whom to call AWS; every value may be None (botocore's defaults then apply)."""

    def __init__(self, profile=None, region=None, access_key=None, secret_key=None, session_token=None,
                 endpoint_url=None, aws_ca_bundle=None, validate_certs=True, aws_config=None, retrier=None):
        if profile and (access_key or secret_key or session_token):
            raise OptionError(
                "profile", "profile cannot be combined with access_key, secret_key or session_token: give one or the other"
            )
        if validate_certs is False:
            raise OptionError(
                "validate_certs",
                "validate_certs=false is refused: TLS verification of AWS endpoints cannot be turned off, since the "
                "requests carry tokens and credentials; to trust a private or test CA, set aws_ca_bundle (env "
                "AWS_CA_BUNDLE) to its PEM bundle",
            )
        if bool(access_key) != bool(secret_key):
            raise OptionError(
                "access_key" if secret_key else "secret_key",
                "access_key and secret_key must be given together (or neither, to use the environment or a profile)",
            )
        self.profile = profile
        self.region = region
        self._access_key = access_key
        self._secret_key = secret_key
        self._session_token = session_token
        self.endpoint_url = endpoint_url
        self.aws_ca_bundle = aws_ca_bundle
        self.aws_config = aws_config
        self.retrier = retrier or Retrier()
        # Every AWS call made through this connection's clients, ``iam:GetRole`` form (no parameters), in order.
        self.actions = []

    @classmethod
    def from_options(cls, options: t.Mapping[str, t.Any] | t.Any, retrier: Retrier | None = None) -> AwsConnection:
        """From a mapping holding the connection options (module params or lookup options)."""
        if options.get("region"):
            check_pattern(options.get("region"), "region", _REGION, "an AWS region name of lower-case ASCII letters, "
                                                                    "digits and hyphens, such as eu-west-1")
        if options.get("profile"):
            check_text(options.get("profile"), "profile", "the name of a profile of the AWS config or credentials file")
        if options.get("aws_ca_bundle"):
            check_path_text(options.get("aws_ca_bundle"), "aws_ca_bundle")
        if options.get("endpoint_url"):
            # https only: the STS request carries the web identity token, IAM's the signed AWS credentials' use.
            parse_https_url(options.get("endpoint_url"), "endpoint_url", allow_path=True,
                            example="https://sts.eu-west-1.amazonaws.com")
        if options.get("aws_config") is not None:
            _botocore()
        args = dict((name, options.get(name)) for name in _CONNECTION_ARGS)
        args["aws_config"] = check_aws_config(args["aws_config"])
        return cls(retrier=retrier, **args)

    @property
    def resource_actions(self) -> list[str]:
        """The distinct AWS calls made (amazon.aws's ``resource_actions``), sorted."""
        return sorted(set(self.actions))

    @property
    def verify(self) -> str | None:
        """botocore's ``verify``: a CA bundle path, or None for its own default (never False)."""
        return self.aws_ca_bundle or None

    def session(self):
        botocore = _botocore()
        import boto3  # pylint: disable=import-outside-toplevel
        try:
            session = boto3.session.Session(
                botocore_session=_botocore_session(),
                profile_name=self.profile or None,
                aws_access_key_id=self._access_key or None,
                aws_secret_access_key=self._secret_key or None,
                aws_session_token=self._session_token or None,
            )
            # With a given botocore session, an unknown profile would only surface at the first client.
            if self.profile and self.profile not in session.available_profiles:
                raise botocore.exceptions.ProfileNotFound(profile=self.profile)
            return session
        except botocore.exceptions.ProfileNotFound:
            raise OptionError(
                "profile", "the AWS profile %r is not in the shared config or credentials file; "
                "set profile to one of those or give access_key and secret_key" % self.profile,
            )

    def client(self, service: str, unsigned: bool = False) -> AwsClient:
        """An :class:`AwsClient` for ``service`` (``iam``, ``sts``, ...).

        ``unsigned`` makes a client that sends no credentials, for unauthenticated calls such as
        ``sts:AssumeRoleWithWebIdentity``. botocore's own retries are off: :class:`AwsClient`
        retries, bounded, with the collection's backoff.
        """
        botocore = _botocore()
        from botocore import UNSIGNED  # pylint: disable=import-outside-toplevel
        from botocore.config import Config  # pylint: disable=import-outside-toplevel

        deadline = self.retrier.deadline
        given = dict(self.aws_config or {})
        # aws_config's timeouts are per attempt, and like ours bounded by what is left of the deadline.
        connect_timeout = given.pop("connect_timeout", None) or CONNECT_TIMEOUT
        read_timeout = given.pop("read_timeout", None) or READ_TIMEOUT
        extra = " ".join(part for part in (given.pop("user_agent_extra", None), USER_AGENT) if part)
        config = Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            connect_timeout=deadline.timeout(connect_timeout, service) if deadline else connect_timeout,
            read_timeout=deadline.timeout(read_timeout, service) if deadline else read_timeout,
            user_agent_extra=extra,
            signature_version=UNSIGNED if unsigned else None,
            **given
        )
        try:
            session = _unsigned_session() if unsigned and not self.profile else self.session()
            # botocore would fall back to the partition's global endpoint (aws-global) without a region.
            region = self.region or session.region_name
            if not region:
                raise OptionError("region", NO_REGION)
            if region == "aws-global" or region.endswith("-global"):
                raise OptionError("region", "region %s names a partition's global endpoint; give a region such as "
                                            "us-east-1 (STS is called at its regional endpoint)" % region)
            client = session.client(
                service, region_name=self.region or None, endpoint_url=self.endpoint_url or None,
                verify=self.verify, config=config,
            )
        except botocore.exceptions.NoRegionError:
            raise OptionError("region", NO_REGION)
        except ValueError as exc:
            # botocore's message for a malformed endpoint URL ("Invalid endpoint: ...").
            raise OptionError("endpoint_url", "endpoint_url is not usable: %s" % exc)
        return AwsClient(client, self.retrier, url_option="endpoint_url" if self.endpoint_url else None,
                         ca_bundle=self.aws_ca_bundle, actions=self.actions)


class AwsClient:
    """A botocore client whose calls are retried when transient and report typed errors.

    ``url_option`` names the option that chose the endpoint (``endpoint_url``), None when botocore
    resolved it (region, ``AWS_ENDPOINT_URL*``, the profile); ``ca_bundle`` is ``aws_ca_bundle``.
    """

    def __init__(self, client, retrier, url_option=None, ca_bundle=None, actions=None):
        self.client = client
        # Where each call's name is recorded (the connection's ``actions``, for ``debug_botocore_endpoint_logs``).
        self.actions = [] if actions is None else actions
        self.retrier = retrier
        self.service = client.meta.service_model.service_id.hyphenize()
        self.url_option = url_option
        self.ca_bundle = ca_bundle
        # The HTTP status of the last answer, for answers that botocore cannot parse.
        self.last_status = None
        events = getattr(getattr(client, "meta", None), "events", None)
        if events is not None:
            events.register("before-parse", self._record_status)

    def _record_status(self, response_dict=None, **_kwargs):
        self.last_status = (response_dict or {}).get("status_code")

    @property
    def url(self) -> str | None:
        """The endpoint URL that calls go to."""
        return getattr(self.client.meta, "endpoint_url", None)

    @property
    def endpoint_option(self) -> str:
        """The option to fix when the endpoint cannot be reached."""
        return self.url_option or ("region (or endpoint_url; botocore also reads AWS_ENDPOINT_URL_%s, AWS_ENDPOINT_URL "
                                   "and the profile's endpoint_url)" % self.service.upper().replace("-", "_"))

    def translate(self, exc: BaseException, endpoint: str) -> OciAwsError:
        """:func:`translate` with what this client knows: its URL, CA bundle and the last status."""
        return translate(exc, endpoint, url=self.url, url_option=self.endpoint_option, ca_bundle=self.ca_bundle,
                         status=self.last_status)

    def endpoint(self, operation: str) -> str:
        """``iam:CreateRole`` for ``create_role``: how errors and the sandbox name a call."""
        return "%s:%s" % (self.service, self.client.meta.method_to_api_mapping.get(operation, operation))

    def call(self, operation: str, eventual: t.Sequence[EventualConsistency] = (), **params: t.Any) -> dict[str, t.Any]:
        """Call ``operation`` (the boto3 method name) with ``params``; return the answer.

        ``eventual`` lists :class:`EventualConsistency` errors that are retried as transient
        for this call only (for example ``NEW_ENTITY`` right after a create).
        """
        botocore = _botocore()
        endpoint = self.endpoint(operation)
        method = getattr(self.client, operation)
        self.actions.append(endpoint)

        def classify(exc):
            return transient_failure(exc, eventual)

        try:
            return self.retrier.call(lambda: method(**params), classify, endpoint, url=self.url)
        except OciAwsError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            if not is_botocore_error(exc):
                raise
            raise self.translate(exc, endpoint)

    def list_all(self, operation: str, key: str, **params: t.Any) -> list[t.Any]:
        """Every item under ``key`` of an IAM list call, following ``Marker`` page by page."""
        items = []
        while True:
            page = self.call(operation, **params)
            items.extend(page.get(key, []))
            if not page.get("IsTruncated"):
                return items
            params["Marker"] = page["Marker"]


def has_code(exc: BaseException, code: str) -> bool:
    """Whether ``exc`` is AWS's refusal with error code ``code``."""
    return isinstance(exc, ServiceError) and exc.details.get("error_code") == code


def transient_failure(exc: BaseException, eventual: t.Sequence[EventualConsistency] = ()) -> Transient | None:
    """A :class:`Transient` when ``exc`` is worth retrying, else None."""
    botocore = _botocore()
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        code = error.get("Code", "")
        status = meta.get("HTTPStatusCode")
        message = error.get("Message") or ""
        if code in TRANSIENT_CODES or status in TRANSIENT_STATUS or any(e.matches(code, message) for e in eventual):
            retry_after = parse_retry_after((meta.get("HTTPHeaders") or {}).get("retry-after"))
            # botocore names an answer without an AWS error by its status: say it once.
            described = "HTTP %s" % status if not code or code == str(status) else "%s (HTTP %s)" % (code, status)
            return Transient(described, retry_after, throttled=code in THROTTLING_CODES or status == 429)
        return None
    if _connection_configuration(exc):
        return None
    connection_errors = (
        botocore.exceptions.EndpointConnectionError,
        botocore.exceptions.ConnectionClosedError,
        botocore.exceptions.ConnectTimeoutError,
        botocore.exceptions.ReadTimeoutError,
    )
    if isinstance(exc, connection_errors):
        return Transient("connection failure (%s)" % type(exc).__name__)
    return None


def is_botocore_error(exc: BaseException) -> bool:
    """Whether botocore raised ``exc``: its exceptions, and its parser's (not a ``BotoCoreError``)."""
    botocore = _botocore()
    import botocore.parsers  # pylint: disable=import-outside-toplevel
    return isinstance(exc, (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError,
                            botocore.parsers.ResponseParserError))


def _connection_configuration(exc):
    """``"does not resolve"`` / ``"refused the connection"`` for a botocore connection error that says so."""
    botocore = _botocore()
    if not isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return None
    # botocore keeps urllib3's error, whose cause is the socket's (gaierror, ConnectionRefusedError).
    error = getattr(exc, "kwargs", {}).get("error")
    why = configuration_failure(error) or configuration_failure(exc)
    if why is None and error is not None and type(error).__name__ == "NameResolutionError":
        why = "does not resolve"
    return why


def translate(exc: BaseException, endpoint: str, url: str | None = None, url_option: str | None = None,
              ca_bundle: str | None = None, status: int | None = None) -> OciAwsError:
    """The typed error for a botocore exception raised by the call to ``endpoint``.

    ``url`` is the endpoint URL tried and ``url_option`` the option that chose it; ``ca_bundle``
    the ``aws_ca_bundle`` given (None when none was); ``status`` the HTTP status of the answer.
    """
    botocore = _botocore()
    import botocore.parsers  # pylint: disable=import-outside-toplevel
    errors = botocore.exceptions
    where = endpoint if url is None else "%s at %s" % (endpoint, url)
    if isinstance(exc, botocore.parsers.ResponseParserError):
        # Its text quotes the answer, which may hold credentials: only the kind of defect is named.
        return MalformedAnswer("AWS %s" % where, "not XML that botocore can parse", status=status)
    if isinstance(exc, errors.EndpointConnectionError):
        why = _connection_configuration(exc)
        tried = getattr(exc, "kwargs", {}).get("endpoint_url") or url
        if why:
            error = unreachable(tried, url_option or "endpoint_url", why)
            return Unreachable(error.option, "AWS %s: %s" % (endpoint, error.msg), endpoint=endpoint, url=tried)
        return ServiceError("AWS %s: could not connect to %s (%s)" % (endpoint, tried, type(exc).__name__),
                            endpoint=endpoint, url=tried)
    if isinstance(exc, errors.ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        code = error.get("Code") or "Unknown"
        status = meta.get("HTTPStatusCode")
        request_id = meta.get("RequestId") or (meta.get("HTTPHeaders") or {}).get("x-amzn-requestid")
        message = str(error.get("Message") or "")
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "..."
        if code == str(status):
            # No AWS error in the answer (botocore's generic parse: the status and its reason phrase).
            return ServiceError(
                "AWS %s failed: HTTP %s%s, without an AWS error in the answer (request id %s)"
                % (where, status, " " + message if message else "", request_id),
                endpoint=endpoint, error_code=code, status=status, request_id=request_id,
            )
        return ServiceError(
            "AWS %s failed: %s: %s (HTTP %s, request id %s)" % (endpoint, code, message, status, request_id),
            endpoint=endpoint, error_code=code, status=status, request_id=request_id,
        )
    if isinstance(exc, (errors.NoCredentialsError, errors.PartialCredentialsError)):
        return OptionError(
            "access_key",
            "no usable AWS credentials for %s: give access_key and secret_key, a profile, or the standard "
            "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE)" % endpoint,
        )
    if isinstance(exc, errors.SSLError):
        bundle_option = "aws_ca_bundle"
        if not ca_bundle and os.environ.get("AWS_CA_BUNDLE"):
            ca_bundle, bundle_option = os.environ["AWS_CA_BUNDLE"], "AWS_CA_BUNDLE"
        if ca_bundle:
            return ServiceError(
                "AWS %s: the endpoint's TLS certificate did not verify with the CA bundle given in %s (%s): give in %s "
                "the bundle of the CA that signs the endpoint's certificate" % (where, bundle_option, ca_bundle, bundle_option),
                endpoint=endpoint, url=url)
        return ServiceError(
            "AWS %s: the endpoint's TLS certificate could not be verified; if it is signed by a private CA, "
            "set aws_ca_bundle (or AWS_CA_BUNDLE) to that CA's bundle" % where,
            endpoint=endpoint, url=url,
        )
    # Other botocore errors (invalid parameters, endpoint configuration): their text, values cut.
    return OciAwsError("AWS %s: %s" % (endpoint, _PARAM_VALUE.sub(r"\1<hidden>\2", str(exc))), endpoint=endpoint)


def caller_account(sts: AwsClient) -> tuple[str, str]:
    """``(partition, account_id)`` of the credentials in use, from ``sts:GetCallerIdentity``."""
    answer = sts.call("get_caller_identity")
    arn, account = answer.get("Arn"), answer.get("Account")
    if not isinstance(arn, str) or arn.count(":") < 5 or not isinstance(account, str):
        raise MalformedAnswer("AWS %s at %s" % (sts.endpoint("get_caller_identity"), sts.url), "no Arn or Account",
                              status=sts.last_status)
    return arn.split(":")[1], account


def account_of(arn: str) -> tuple[str, str]:
    """``(partition, account_id)`` of an IAM ARN."""
    parts = arn.split(":")
    return parts[1], parts[4]
