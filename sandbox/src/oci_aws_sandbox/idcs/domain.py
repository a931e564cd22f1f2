"""`IdentityDomain`: the WSGI application of the emulated OCI Identity Domain.

Endpoints (paths of the SDK's IdentityDomainsClient and of the reference note):

    POST   /admin/v1/Apps                          create (201, Location)
    GET    /admin/v1/Apps                          list: filter, sortBy, sortOrder, startIndex, count,
                                                   attributes, attributeSets
    POST   /admin/v1/Apps/.search                  SearchRequest
    GET|PUT|PATCH|DELETE /admin/v1/Apps/{id}       read, replace, PatchOp, delete (forceDelete)
    PUT    /admin/v1/AppStatusChanger/{id}         (de)activate
    POST   /admin/v1/AppClientSecretRegenerator    new client secret
    GET    /admin/v1/Settings, POST /admin/v1/Settings/.search
    GET|PUT|PATCH /admin/v1/Settings/Settings
    GET    /admin/v1/SigningCert/jwk               JWKS: anonymous only if signingCertPublicAccess
    POST   /oauth2/v1/token                        client_credentials
    GET    /.well-known/openid-configuration

Every `/admin/` call needs an OCI request signature by a key of `api_keys` (`httpsig.py`),
except a JWKS read while `signingCertPublicAccess` is on. Every answer carries `opc-request-id`:
the caller's id (the SDK sends one) followed by a server part, or a server id alone.

Behaviour switches (`OPTIONS`, set through the control API `POST /config {"oci": {...}}`) for the
answers the reference note leaves open:

- `create_allows_own_allowed_scope` (False): whether a create may list in `allowedScopes` a scope
  that the same request defines. False answers 400 as terraform-provider-oci #2542 reports, so
  callers must create, then PATCH `allowedScopes`.
- `get_returns_client_secret` (True): whether reads (GET, list, search, PUT/PATCH responses)
  return `clientSecret`, as the SDK's `returned: default` says. Create and AppClientSecretRegenerator
  always return it.
- `token_accepts_bare_scope` (True): whether `/oauth2/v1/token` accepts a scope's bare value
  (`scope=/`, as the published procedure sends, reported to work) when it names exactly one allowed
  scope, besides the fqs.
- `discovery_issuer_follows_settings` (True): whether discovery's `issuer` is the Settings issuer;
  False keeps it at `https://identity.oraclecloud.com/` whatever the Settings say.
- `settings_issuer_absent_until_set` (False): whether a domain that never had a custom issuer omits
  `issuer` from Settings reads instead of showing the default one.
- `create_honours_retry_token` (False): whether an App create carrying an `opc-retry-token` already
  used in the last 24 hours answers the first create's response again (the SDK's docs of
  `create_app` promise this idempotency; unconfirmed for identity domains) instead of being a new
  create (then usually a 409 on the duplicate displayName).
- `refuse_stale_allowed_scopes` (True): a write (create, PUT, PATCH) whose resulting app lists in
  `allowedScopes` an fqs that no OAuth resource app defines is refused (400), whatever it held before.
  False keeps such an entry when the app already had it (its scope went away since).
- `filter_decodes_json_escapes` (False): whether a filter's string literal has its JSON escapes
  (`\\uXXXX`, `\\n`, ...) decoded; False takes them literally (only `\\"` and `\\\\` are unescaped).
- `regenerate_requires_active` (True): AppClientSecretRegenerator on an inactive app is refused (400).
- `issuer_propagation_seconds` (0): seconds (sandbox clock) after a change of the Settings `issuer`
  before tokens and discovery carry the new one; Settings reads show it at once.
- `api_key_role` ("Identity Domain Administrator"): the domain role of the sandbox's API key, with the
  rights of Oracle's "AppRole Permissions" table: "Application Administrator" gets 403 on Settings,
  "Security Administrator" 403 on AppStatusChanger.

Filters name only attributes that the SDK marks `idcsSearchable: true` (`schema.py`); any other is
refused with 400 `invalidFilter`.
"""

import datetime
import hashlib
import json
import logging
import threading
import urllib.parse
import uuid

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import httpsig
from .apps import AppRegistry
from .errors import OAuthError, ScimError, bad_request
from . import client_assertion
from .oauth import TokenIssuer, discovery_document, discovery_issuer, signing_jwks
from .schema import APP_SCHEMA, SEARCH_REQUEST_URN, SETTINGS_SCHEMA
from .scim import list_response, parse_attribute_sets, project, require_schema
from .settings import DomainSettings

LOG = logging.getLogger("sandbox.idcs")
SCIM_JSON = "application/scim+json;charset=UTF-8"
JSON = "application/json;charset=UTF-8"
RETRY_TOKEN_LIFETIME = 24 * 3600
ADMINISTRATOR = "Identity Domain Administrator"
# Oracle "AppRole Permissions" (RequiredRolePerEndpointExt.htm): the endpoints each role may call.
ROLE_ENDPOINTS = {
    ADMINISTRATOR: None,  # all
    "Application Administrator": ("Apps", "AppStatusChanger", "AppClientSecretRegenerator", "SigningCert"),
    "Security Administrator": ("Apps", "Settings", "AppClientSecretRegenerator", "SigningCert"),
}
ENDPOINT_RESOURCES = {
    "apps": "Apps", "apps_search": "Apps", "app": "Apps", "status_changer": "AppStatusChanger",
    "secret_regenerator": "AppClientSecretRegenerator", "settings_list": "Settings", "settings_search": "Settings",
    "setting": "Settings", "jwks": "SigningCert",
}


def _rules():
    return Map([
        Rule("/.well-known/openid-configuration", endpoint="discovery", methods=["GET"]),
        Rule("/oauth2/v1/token", endpoint="token", methods=["POST"]),
        Rule("/admin/v1/SigningCert/jwk", endpoint="jwks", methods=["GET"]),
        Rule("/admin/v1/Apps", endpoint="apps", methods=["GET", "POST"]),
        Rule("/admin/v1/Apps/.search", endpoint="apps_search", methods=["POST"]),
        Rule("/admin/v1/Apps/<app_id>", endpoint="app", methods=["GET", "PUT", "PATCH", "DELETE"]),
        Rule("/admin/v1/AppStatusChanger/<app_id>", endpoint="status_changer", methods=["PUT"]),
        Rule("/admin/v1/AppClientSecretRegenerator", endpoint="secret_regenerator", methods=["POST"]),
        Rule("/admin/v1/Settings", endpoint="settings_list", methods=["GET"]),
        Rule("/admin/v1/Settings/.search", endpoint="settings_search", methods=["POST"]),
        Rule("/admin/v1/Settings/<setting_id>", endpoint="setting", methods=["GET", "PUT", "PATCH"]),
    ], strict_slashes=False)


class IdentityDomain:
    """One emulated identity domain (see the module docstring)."""

    OPTIONS = {
        "create_allows_own_allowed_scope": False,
        "get_returns_client_secret": True,
        "token_accepts_bare_scope": True,
        "discovery_issuer_follows_settings": True,
        "settings_issuer_absent_until_set": False,
        "create_honours_retry_token": False,
        "refuse_stale_allowed_scopes": True,
        "filter_decodes_json_escapes": False,
        "regenerate_requires_active": True,
        "issuer_propagation_seconds": 0,
        "api_key_role": ADMINISTRATOR,
        # Token requests above a rate answer 429 (identity domains' API rate limits): None (off) or
        # {"per_second": R, "burst": B, "retry_after": s (omit: no Retry-After header)}.
        "token_rate_limit": None,
        **client_assertion.OPTIONS,
    }

    def __init__(self, *, domain_id, base_url, keys, api_keys, clock):
        self.domain_id = domain_id
        self.base_url = base_url.rstrip("/")
        self.keys = keys
        self.api_keys = dict(api_keys)
        self.clock = clock
        self.domain_ocid = "ocid1.domain.oc1..aaaaaaaa" + hashlib.sha256(domain_id.encode()).hexdigest()[:52]
        parsed = urllib.parse.urlsplit(self.base_url)
        self.tenant_iss = "%s://%s:%d" % (parsed.scheme, parsed.hostname, parsed.port or 443)
        self.urls = _rules()
        self._lock = threading.RLock()
        self.reset()

    def reset(self):
        """A fresh domain: no apps, default settings, behaviour switches at their defaults."""
        with self._lock:
            self.options = dict(self.OPTIONS)
            self.apps = AppRegistry(self)
            self.settings = DomainSettings(self)
            self.tokens = TokenIssuer(self)
            self.assertions = client_assertion.AssertionVerifier(self)
            self.retry_tokens = {}  # opc-retry-token -> (time, request digest, response body, location)

    def timestamp(self):
        """`clock.now()` as SCIM `dateTime`, with milliseconds as the service writes it."""
        moment = datetime.datetime.fromtimestamp(self.clock.now(), datetime.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)

    # -- WSGI ---------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        client_request_id = request.headers.get("opc-request-id")
        server_id = uuid.uuid4().hex.upper()
        try:
            response = self._dispatch(request)
        except ScimError as error:
            response = _json(error.body(), error.status, SCIM_JSON)
        except OAuthError as error:
            response = _json(error.body(), error.status, JSON)
        response.headers["opc-request-id"] = "%s/%s" % (client_request_id, server_id) if client_request_id else server_id
        return response(environ, start_response)

    def _dispatch(self, request):
        adapter = self.urls.bind_to_environ(request.environ)
        try:
            endpoint, arguments = adapter.match()
        except (NotFound, MethodNotAllowed) as error:
            if request.path.startswith("/admin/"):
                self._authenticate(request)
            if isinstance(error, NotFound):
                raise ScimError(404, "The resource %s does not exist." % request.path) from None
            raise ScimError(405, "The method %s is not supported on %s." % (request.method, request.path)) from None
        with self._lock:
            if request.path.startswith("/admin/") and not (endpoint == "jwks" and self.settings.signing_cert_public):
                self._authenticate(request)
                self._authorize(request, endpoint)
            return getattr(self, "on_" + endpoint)(request, **arguments)

    def _authenticate(self, request):
        target = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
        try:
            httpsig.verify(request.method, target, request.headers, request.get_data(), self.api_keys, self.clock.now())
        except httpsig.SignatureError as error:
            LOG.info("refused %s %s: %s", request.method, request.path, error)
            raise ScimError(401, "Authentication failed: %s" % error) from None

    def _authorize(self, request, endpoint):
        role = self.options["api_key_role"]
        if role not in ROLE_ENDPOINTS:
            raise ScimError(500, "Unknown api_key_role %s." % role)
        allowed = ROLE_ENDPOINTS[role]
        resource = ENDPOINT_RESOURCES.get(endpoint)
        if allowed is not None and resource not in allowed:
            LOG.info("refused %s %s: role %s", request.method, request.path, role)
            raise ScimError(403, "You do not have the permission to perform this operation (%s %s): no role of the "
                                 "caller allows %s." % (request.method, request.path, resource),
                            message_id="error.common.common.unauthorized")

    def _filter_options(self):
        return {"decode_escapes": bool(self.options["filter_decodes_json_escapes"])}

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _body(request):
        try:
            return json.loads(request.get_data() or b"null")
        except ValueError:
            raise bad_request("The request body is not valid JSON.", "invalidSyntax") from None

    @staticmethod
    def _read_parameters(request):
        return {
            "attributes": request.args.get("attributes"),
            "attribute_sets": parse_attribute_sets(request.args.getlist("attributeSets")),
        }

    def _hidden(self):
        return () if self.options["get_returns_client_secret"] else ("clientSecret",)

    def _app_response(self, app, request, status=200, hidden=None):
        body = project(app, APP_SCHEMA, hidden=self._hidden() if hidden is None else hidden,
                       **self._read_parameters(request))
        response = _json(body, status, SCIM_JSON)
        if status == 201:
            response.headers["Location"] = app["meta"]["location"]
        return response

    # -- endpoints ----------------------------------------------------------------------------
    def on_discovery(self, request):
        return _json(discovery_document(self.base_url, discovery_issuer(self)), 200, JSON)

    def on_token(self, request):
        if request.mimetype != "application/x-www-form-urlencoded":
            raise OAuthError(400, "invalid_request", "The request must be application/x-www-form-urlencoded.")
        response = _json(self.tokens.issue(request.form, request.headers.get("Authorization")), 200, JSON)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return response

    def on_jwks(self, request):
        return _json(signing_jwks(self.keys), 200, JSON)

    def on_apps(self, request):
        if request.method == "POST":
            return self._create_app(request)
        return _json(list_response(
            list(self.apps.apps.values()), APP_SCHEMA, filter_text=request.args.get("filter"),
            sort_by=request.args.get("sortBy"), sort_order=request.args.get("sortOrder"),
            start_index=request.args.get("startIndex"), count=request.args.get("count"),
            hidden=self._hidden(), **self._filter_options(), **self._read_parameters(request),
        ), 200, SCIM_JSON)

    def _create_app(self, request):
        token = request.headers.get("opc-retry-token")
        honoured = token and self.options["create_honours_retry_token"]
        digest = hashlib.sha256(request.get_data()).hexdigest()
        if honoured and token in self.retry_tokens:
            used_at, used_digest, body, location = self.retry_tokens[token]
            if self.clock.now() - used_at < RETRY_TOKEN_LIFETIME:
                if used_digest != digest:
                    raise ScimError(409, "The retry token %s was already used for a different request." % token)
                response = _json(body, 201, SCIM_JSON)
                response.headers["Location"] = location
                return response
        response = self._app_response(self.apps.create(self._body(request)), request, 201, hidden=())
        if honoured:
            self.retry_tokens[token] = (self.clock.now(), digest, json.loads(response.get_data()),
                                        response.headers["Location"])
        return response

    def on_apps_search(self, request):
        body = self._body(request)
        require_schema(body, SEARCH_REQUEST_URN)
        return _json(list_response(
            list(self.apps.apps.values()), APP_SCHEMA, filter_text=body.get("filter"),
            sort_by=body.get("sortBy"), sort_order=body.get("sortOrder"), start_index=body.get("startIndex"),
            count=body.get("count"), hidden=self._hidden(), **self._filter_options(), **_search_parameters(body),
        ), 200, SCIM_JSON)

    def on_app(self, request, app_id):
        if_match = request.headers.get("If-Match")
        if request.method == "GET":
            return self._app_response(self.apps.get(app_id), request)
        if request.method == "PUT":
            return self._app_response(self.apps.replace(app_id, self._body(request), if_match), request)
        if request.method == "PATCH":
            return self._app_response(self.apps.patch(app_id, self._body(request), if_match), request)
        force = request.args.get("forceDelete", "false").lower() == "true"
        self.apps.delete(app_id, force, if_match)
        return Response(status=204)

    def on_status_changer(self, request, app_id):
        return _json(self.apps.change_status(app_id, self._body(request)), 200, SCIM_JSON)

    def on_secret_regenerator(self, request):
        return _json(self.apps.regenerate_secret(self._body(request)), 201, SCIM_JSON)

    def _settings_list(self, parameters):
        return _json(list_response([self.settings.view()], SETTINGS_SCHEMA, **parameters), 200, SCIM_JSON)

    def on_settings_list(self, request):
        return self._settings_list(self._read_parameters(request))

    def on_settings_search(self, request):
        body = self._body(request)
        require_schema(body, SEARCH_REQUEST_URN)
        return self._settings_list(_search_parameters(body))

    def on_setting(self, request, setting_id):
        if request.method == "GET":
            resource = self.settings.get(setting_id)
        elif request.method == "PUT":
            resource = self.settings.replace(setting_id, self._body(request), request.headers.get("If-Match"))
        else:
            resource = self.settings.patch(setting_id, self._body(request), request.headers.get("If-Match"))
        return _json(project(resource, SETTINGS_SCHEMA, **self._read_parameters(request)), 200, SCIM_JSON)


def _search_parameters(body):
    """`attributes` and `attributeSets` of a SearchRequest (arrays, or comma-separated strings)."""
    def strings(value):
        return [value] if isinstance(value, str) else list(value or [])
    return {
        "attributes": ",".join(strings(body.get("attributes"))),
        "attribute_sets": parse_attribute_sets(strings(body.get("attributeSets"))),
    }


def _json(body, status, content_type):
    return Response(json.dumps(body), status=status, content_type=content_type)
