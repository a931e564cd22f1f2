# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

The one connection layer to an OCI Identity Domain, shared by the modules (on the target) and the
lookup (on the controller), so it takes plain option values, never an ``AnsibleModule``:

- :func:`oci_argument_spec` — the shared options, named and behaving as in ``oracle.oci``;
- :func:`connect` — config file or principal, signer and ``IdentityDomainsClient`` from the
  official ``oci`` SDK, every setup failure turned into an :class:`OptionError` naming the option;
- :class:`DomainClient` — the few admin calls the managers need, as plain dicts, each retried
  through :class:`Retrier` when transient and translated into :class:`ServiceError` when not.

``oci`` is imported inside functions only: importing this file costs nothing, so callers that
may not talk to OCI at all (a lookup's cache hit) pay no import time.
"""

from __future__ import annotations

import re
import sys
import uuid

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.multicloud.oci_aws.plugins.module_utils._retry import (
    Deadline, Retrier, TRANSIENT_STATUS, Transient, check_timeout, parse_retry_after
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import (
    MalformedAnswer, OciAwsError, ServiceError, configuration_failure, unreachable
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import TOKEN_PATH, parse_domain_url
from ansible_collections.multicloud.oci_aws.plugins.module_utils._paths import readable_file
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.auth import (
    AUTH_PURPOSES, AUTH_TYPES, DEFAULT_PROFILE, PROFILE_OPTIONS, credentials, profile_overrides
)

OPTION_NAMES = ("domain_url", "auth_type", "auth_purpose", "config_file_location", "config_profile_name") + tuple(
    option for option, _key, _env, _secret in PROFILE_OPTIONS) + ("cert_bundle", "timeout")
# The default of the timeout option of the OCI modules: one module call makes a few admin calls.
DEFAULT_TIMEOUT = 120

APP_SCHEMA = "urn:ietf:params:scim:schemas:oracle:idcs:App"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
STATUS_CHANGER_SCHEMA = "urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger"
SECRET_REGENERATOR_SCHEMA = "urn:ietf:params:scim:schemas:oracle:idcs:AppClientSecretRegenerator"
SETTINGS_ID = "Settings"
SCIM_HEADERS = {"accept": "application/json, application/scim+json", "content-type": "application/json"}
# What a read may carry that must never travel further than this file.
SECRET_ATTRIBUTES = ("clientSecret", "hashedClientSecret")
# Per-attempt socket timeouts (each at most what is left of the ``timeout`` deadline).
CONNECT_TIMEOUT, READ_TIMEOUT = 10, 60
# The service's own text in a message is cut at this length.
MAX_DETAIL = 500
_TLS_REASON = re.compile(r"certificate verify failed: [^(\'\"]+")
_IDCS_ERROR_KEY = "urn:ietf:params:scim:api:oracle:idcs:extension:messages:_error"
_STATUS_HINTS = {
    401: "the domain did not accept the request signature: check auth_type and the OCI credentials it uses",
}
# The domain roles that may call each endpoint (Oracle "AppRole Permissions", RequiredRolePerEndpointExt.htm).
ROLES_FOR = {
    "Apps": ("Identity Domain Administrator", "Application Administrator", "Security Administrator"),
    "AppStatusChanger": ("Identity Domain Administrator", "Application Administrator"),
    "AppClientSecretRegenerator": ("Identity Domain Administrator", "Application Administrator",
                                   "Security Administrator"),
    "Settings": ("Identity Domain Administrator", "Security Administrator"),
}
_RESOURCE = re.compile(r"/admin/v1/(\w+)")


def role_hint(operation):
    """What a 403 on ``operation`` ("PATCH /admin/v1/Settings/Settings") means: the role the principal lacks."""
    match = _RESOURCE.search(operation)
    roles = ROLES_FOR.get(match.group(1)) if match else None
    if not roles:
        return ("the OCI principal lacks a role in this identity domain: grant it Identity Domain Administrator")
    return ("the OCI principal has no domain role that may call %s: it needs %s (Oracle's AppRole permissions); "
            "grant one of them to the user or group in this identity domain"
            % (match.group(1), " or ".join(roles)))


def oci_argument_spec():
    """The options every OCI module takes, documented by the ``multicloud.oci_aws.oci`` fragment."""
    spec = dict(
        domain_url=dict(type="str", required=True, no_log=False),
        auth_type=dict(type="str", default="api_key", choices=list(AUTH_TYPES), no_log=False,
                       fallback=(env_fallback, ["OCI_ANSIBLE_AUTH_TYPE"])),
        config_file_location=dict(type="path", no_log=False, fallback=(env_fallback, ["OCI_CONFIG_FILE"])),
        config_profile_name=dict(type="str", default=DEFAULT_PROFILE, no_log=False,
                                 fallback=(env_fallback, ["OCI_CONFIG_PROFILE"])),
        auth_purpose=dict(type="str", choices=list(AUTH_PURPOSES), no_log=False),
        cert_bundle=dict(type="path", no_log=False, fallback=(env_fallback, ["OCI_ANSIBLE_CERT_BUNDLE"])),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT, no_log=False),
    )
    for option, _key, env, secret in PROFILE_OPTIONS:
        spec[option] = dict(type="path" if option == "api_user_key_file" else "str", no_log=secret,
                            fallback=(env_fallback, [env]))
    return spec


def connection_options(params):
    """The connection options out of a module's (or a lookup's) parameters."""
    return dict((name, params.get(name)) for name in OPTION_NAMES)


def connect(domain_url, auth_type="api_key", config_file_location=None, config_profile_name=None,
            cert_bundle=None, retrier=None, timeout=None, auth_purpose=None, **profile_options):
    """A :class:`DomainClient` for ``domain_url``; raises :class:`OptionError` on any setup problem.

    ``profile_options`` are the options of :data:`..auth.PROFILE_OPTIONS` (``api_user``, ``region``...): each
    set one overrides its key of the config profile.

    Nothing is sent to the domain here, so every bad option is reported before any request.
    ``timeout`` (seconds, from now) bounds every call of the client together, retries included.
    """
    origin = parse_domain_url(domain_url).origin
    if retrier is None and timeout is not None:
        retrier = Retrier(deadline=Deadline(check_timeout(timeout)))
    if cert_bundle:
        cert_bundle = readable_file(cert_bundle, "cert_bundle", "the CA bundle given in cert_bundle",
                                    "give the path of a PEM file of CA certificates")
    oci = _import_oci()
    unknown = set(profile_options) - set(option for option, _key, _env, _secret in PROFILE_OPTIONS)
    if unknown:
        raise TypeError("connect() got unexpected options %s" % ", ".join(sorted(unknown)))
    config, signer = credentials(oci, auth_type or "api_key", config_file_location, config_profile_name or DEFAULT_PROFILE,
                                 profile_overrides(profile_options), auth_purpose)
    retrier = retrier or Retrier()
    deadline = retrier.deadline
    timeouts = ((deadline.timeout(CONNECT_TIMEOUT, origin), deadline.timeout(READ_TIMEOUT, origin)) if deadline
                else (CONNECT_TIMEOUT, READ_TIMEOUT))
    sdk = oci.identity_domains.IdentityDomainsClient(
        config,
        service_endpoint=origin,
        signer=signer,
        # Retries are ours alone (bounded, Retry-After honoured): no SDK retry, no circuit breaker
        # that would start refusing calls during a burst of 429s.
        retry_strategy=oci.retry.NoneRetryStrategy(),
        circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy(),
        skip_deserialization=True,
        timeout=timeouts,
    )
    if cert_bundle:
        _pin_ca_bundle(sdk.base_client.session, cert_bundle)
    return DomainClient(sdk, origin, retrier, cert_bundle=cert_bundle)


def _import_oci():
    try:
        import oci  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise OciAwsError(
            "the oci Python SDK is required on the host that runs this (%s): install it with "
            "`pip install 'oci>=2.150.0'` for that interpreter" % sys.executable
        )
    return oci


def _pin_ca_bundle(session, path):
    """Make ``path`` the only CA bundle the session trusts.

    ``session.verify`` is how the SDK (and ``oracle.oci``) take a custom bundle, but ``requests``
    lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` from the environment override it; an explicit
    ``cert_bundle`` must win, so the merged per-request setting is pinned too. Proxies from the
    environment still apply.
    """
    session.verify = path
    merge = session.merge_environment_settings

    def merge_pinned(*args, **kwargs):
        settings = merge(*args, **kwargs)
        settings["verify"] = path
        return settings

    session.merge_environment_settings = merge_pinned


# -- credentials -------------------------------------------------------------------------------


# -- calls -------------------------------------------------------------------------------------

def classify(exc):
    """A :class:`Transient` for failures worth retrying (429, 5xx, resets, timeouts), else None."""
    from oci.exceptions import ServiceError as SdkServiceError  # pylint: disable=import-outside-toplevel
    from oci._vendor.requests import exceptions as http  # pylint: disable=import-outside-toplevel

    if isinstance(exc, SdkServiceError):
        if exc.status not in TRANSIENT_STATUS:
            return None
        detail = scim_detail(exc)
        return Transient(
            "HTTP %d%s" % (exc.status, ": " + detail if detail else ""),
            parse_retry_after((exc.headers or {}).get("retry-after")),
            throttled=exc.status == 429,
        )
    if isinstance(exc, http.RequestException) and _tls_failure(exc) is None and configuration_failure(_cause(exc)) is None:
        return Transient("no answer (%s)" % type(_cause(exc)).__name__)
    return None


def _cause(exc):
    """The ``requests`` exception that the SDK wraps in its own ``RequestException``."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc


def _tls_failure(exc):
    from oci._vendor.requests import exceptions as http  # pylint: disable=import-outside-toplevel

    cause = _cause(exc)
    return cause if isinstance(cause, http.SSLError) else None


# The keys the SDK itself puts in a ServiceError's details; any other key came from a JSON error body.
_SDK_ERROR_KEYS = frozenset(("target_service", "status", "code", "opc-request-id", "message", "operation_name",
                             "timestamp", "client_version", "request_endpoint", "logging_tips", "troubleshooting_tips"))


def _error_data(exc):
    """The details of an SDK ``ServiceError`` whose body was JSON, else None.

    When the body is not JSON (an HTML page of a proxy, a cut-off answer) the SDK puts all of it in
    ``message``: then nothing of the body may be repeated.
    """
    data = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    if getattr(exc, "code", None) is None and not set(data) - _SDK_ERROR_KEYS:
        return None
    return data


def scim_detail(exc):
    """The service's own text of an SDK ``ServiceError``: SCIM ``detail``, else the OCI ``message``.

    Only from a JSON error body, cut at :data:`MAX_DETAIL` characters.
    """
    data = _error_data(exc)
    if data is None:
        return ""
    text = str(data.get("detail") or exc.message or "").strip()
    return text[:MAX_DETAIL] + "..." if len(text) > MAX_DETAIL else text


def service_error(exc, operation):
    """Our :class:`ServiceError` for an SDK ``ServiceError``: status, detail, code, request id, hint."""
    data = _error_data(exc)
    if data is None:
        body = "the answer is not a JSON error (not shown)"
        data = {}
    else:
        body = "no detail given"
    idcs = data.get(_IDCS_ERROR_KEY)
    code = (idcs.get("messageId") if isinstance(idcs, dict) else None) or data.get("scim_type") or exc.code
    code = str(code)[:100] if code else None
    detail = scim_detail(exc) or body
    parts = ["%s failed: HTTP %d: %s" % (operation, exc.status, detail)]
    if code:
        parts.append("(error code %s)" % code)
    if exc.request_id:
        parts.append("(opc-request-id %s)" % exc.request_id)
    hint = role_hint(operation) if exc.status == 403 else _STATUS_HINTS.get(exc.status)
    msg = " ".join(parts) + ("; " + hint if hint else "")
    return ServiceError(msg, status=exc.status, error_code=code, request_id=exc.request_id, detail=detail)


class DomainClient:
    """The identity domain's admin API as plain dicts (camelCase, as the service sends them).

    Every call is retried while transient and translated when not; reads never return a secret
    attribute, so nothing downstream can leak one by accident.
    """

    def __init__(self, sdk, url, retrier, cert_bundle=None):
        self._sdk = sdk
        self.url = url
        self._retrier = retrier
        self.cert_bundle = cert_bundle

    @property
    def token_endpoint(self):
        return self.url + TOKEN_PATH

    def _call(self, operation, func, answer="object"):
        """``func()``'s data, retried and translated. ``answer`` is what the API documents: a JSON
        ``object``, or ``any`` (the answer of a write that the caller does not read)."""
        from oci.exceptions import ServiceError as SdkServiceError  # pylint: disable=import-outside-toplevel
        from oci._vendor.requests import exceptions as http  # pylint: disable=import-outside-toplevel

        where = "%s %s" % (self.url, operation)
        status = []

        def once():
            response = func()
            status[:] = [getattr(response, "status", None)]
            return response.data

        try:
            data = self._retrier.call(once, classify, where)
        except OciAwsError:
            raise
        except SdkServiceError as exc:
            raise service_error(exc, where)
        except http.RequestException as exc:
            tls = _tls_failure(exc)
            if tls is not None:
                reason = _TLS_REASON.search(str(tls))
                reason = reason.group(0).strip() if reason else "TLS handshake failed"
                if self.cert_bundle:
                    raise OciAwsError(
                        "%s failed: the TLS certificate of %s did not verify with the CA bundle given in cert_bundle "
                        "(%s; %s): give in cert_bundle the bundle of the CA that signs it, or check domain_url"
                        % (where, self.url, self.cert_bundle, reason), endpoint=self.url)
                raise OciAwsError(
                    "%s failed: the TLS certificate of %s could not be verified with the system's CA certificates (%s): "
                    "if the domain is reached through a private CA, set cert_bundle to that CA's bundle"
                    % (where, self.url, reason), endpoint=self.url)
            why = configuration_failure(_cause(exc))
            if why:
                error = unreachable(self.url, "domain_url", why)
                raise type(error)(error.option, "%s failed: %s" % (where, error.msg), endpoint=self.url)
            raise OciAwsError("%s failed: %s" % (where, type(_cause(exc)).__name__), endpoint=self.url)
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError) as exc:
            # The SDK decoding an answer that is not JSON (its text may quote the answer: not shown).
            raise MalformedAnswer(where, "an answer the oci SDK could not read (%s)" % type(exc).__name__,
                                  status=status[0] if status else None)
        if answer == "object" and not isinstance(data, dict):
            raise MalformedAnswer(where, "not a JSON object" if data not in (None, "") else "an empty answer",
                                  status=status[0] if status else None)
        return data

    # apps
    def find_apps(self, scim_filter, attributes):
        """The apps matching one SCIM filter, in one request (never a listing of all apps)."""
        data = self._call("GET /admin/v1/Apps", lambda: self._sdk.list_apps(
            filter=scim_filter, attributes=",".join(attributes), count=10))
        resources = data.get("Resources") or []
        if not isinstance(resources, list) or not all(isinstance(app, dict) for app in resources):
            raise MalformedAnswer("%s GET /admin/v1/Apps" % self.url, "Resources is not a list of apps")
        return [scrub(app) for app in resources]

    def get_app(self, app_id, attributes):
        return scrub(self._call("GET /admin/v1/Apps/{id}", lambda: self._sdk.get_app(app_id, attributes=",".join(attributes))))

    def create_app(self, body, attributes):
        """(app, client secret or None). One retry token for all attempts, so a retried create
        whose first answer was lost is recognised by a service that honours ``opc-retry-token``."""
        token = uuid.uuid4().hex
        app = self._call("POST /admin/v1/Apps", lambda: self._sdk.create_app(
            app=body, attributes=",".join(attributes + ["clientSecret"]), opc_retry_token=token))
        if not isinstance(app.get("id"), str) or not app["id"]:
            raise MalformedAnswer("%s POST /admin/v1/Apps" % self.url, "no id of the app created")
        secret = app.get("clientSecret")
        return scrub(app), secret if isinstance(secret, str) else None

    def patch_app(self, app_id, operations):
        self._call("PATCH /admin/v1/Apps/{id}", lambda: self._sdk.patch_app(
            app_id, patch_op={"schemas": [PATCH_SCHEMA], "Operations": operations}, attributes="id"), answer="any")

    def set_app_active(self, app_id, active):
        """(De)activate through AppStatusChanger; where the principal's role may not call it (a Security
        Administrator: 403), through a PATCH of ``active``, which the Apps rights of that role allow."""
        try:
            self._call("PUT /admin/v1/AppStatusChanger/{id}", lambda: self._sdk.put_app_status_changer(
                app_id, app_status_changer={"schemas": [STATUS_CHANGER_SCHEMA], "active": active}), answer="any")
        except ServiceError as exc:
            if exc.details.get("status") != 403:
                raise
            self.patch_app(app_id, [{"op": "replace", "path": "active", "value": active}])

    def delete_app(self, app_id):
        self._call("DELETE /admin/v1/Apps/{id}", lambda: self._sdk.delete_app(app_id, force_delete=True), answer="any")

    def regenerate_secret(self, app_id):
        """The new client secret. The SDK has no method for this endpoint: its signed transport does."""
        data = self._call("POST /admin/v1/AppClientSecretRegenerator", lambda: self._sdk.base_client.call_api(
            resource_path="/admin/v1/AppClientSecretRegenerator", method="POST",
            query_params={"attributeSets": "all"}, header_params=dict(SCIM_HEADERS),
            body={"schemas": [SECRET_REGENERATOR_SCHEMA], "appId": app_id}, response_type="object"))
        secret = data.get("clientSecret")
        if not secret or not isinstance(secret, str):
            raise MalformedAnswer("%s POST /admin/v1/AppClientSecretRegenerator" % self.url, "no clientSecret")
        return secret

    # settings
    def get_settings(self, attributes):
        return self._call("GET /admin/v1/Settings/Settings", lambda: self._sdk.get_setting(
            SETTINGS_ID, attributes=",".join(attributes))) or {}

    def patch_settings(self, operations):
        self._call("PATCH /admin/v1/Settings/Settings", lambda: self._sdk.patch_setting(
            SETTINGS_ID, patch_op={"schemas": [PATCH_SCHEMA], "Operations": operations}, attributes="id"), answer="any")


def scrub(resource):
    """``resource`` without its secret attributes (whatever the service chose to return)."""
    return dict((k, v) for k, v in (resource or {}).items() if k not in SECRET_ATTRIBUTES)
