"""The App resources of an identity domain and the rules the real service applies to them.

Sources (see also the reference note `oci-identity-domains.md`):
- attribute mutability and returned-ness: the SDK's App model (see `schema.py`); a create ignores
  readOnly attributes silently, a PUT or PATCH naming one is a 400, as is an immutable attribute
  that already has a value (SCIM++ text of the SDK's `create_app`/`put_app`/`patch_app` docs);
- `displayName` and `name` have `uniqueness: server` (SDK docstrings): a duplicate is 409 Conflict
  ("a duplicate resource was requested", identity domains "Response Codes" doc);
- `name` is the OAuth client id, generated (32 hex) when not given; Oracle asks for alphanumerics
  and `_` only; `clientSecret` is generated for confidential (and trusted) clients;
- each scope's `fqs` is the app's `audience` followed by the scope `value` (Oracle: "combined with
  the value of each scope to form an fqs"; live examples show plain concatenation); `fqs` is
  `uniqueness: server`;
- `allowedScopes[].fqs` must name a scope defined by an OAuth resource app; `idOfDefiningApp` is the
  id of that app (readOnly);
- an active app cannot be deleted, even with `forceDelete` (terraform-provider-oci #2507, PR #2469);
- create is 201 with a Location header, delete 204 (identity domains "Response Codes" doc); a
  stale `If-Match` is 412;
- `accessTokenExpiry` is 60 s to one year (31536000 s), the range of the console's "Access token
  expiration" field; outside it a write is 400 (sandbox wording);
- with `refuse_stale_allowed_scopes`, a write whose app lists an allowed scope nobody defines (such
  as an audience change sent apart from the matching `allowedScopes`) is 400; with
  `regenerate_requires_active`, a new secret for an inactive app is 400 (sandbox wording).
"""

import copy
import re
import secrets
import uuid

from .client_assertion import normalise_certificates
from .errors import ScimError, bad_request, missing_attributes, not_found
from .schema import APP_SCHEMA, APP_URN, PATCH_OP_URN, SECRET_REGENERATOR_URN, STATUS_CHANGER_URN
from .scim import apply_patch, check_if_match, check_replacement, require_schema

TEMPLATES = ("CustomWebAppTemplateId", "CustomBrowserMobileTemplateId", "CustomAppTemplateId")
SECRET_CLIENT_TYPES = ("confidential", "trusted")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_]+$")
MIN_ACCESS_TOKEN_EXPIRY, MAX_ACCESS_TOKEN_EXPIRY = 60, 365 * 24 * 3600


def _strip_read_only(payload):
    """What a create keeps of a payload: readOnly attributes and sub-attributes are dropped."""
    kept = {}
    for key, value in payload.items():
        attribute = APP_SCHEMA.get(key)
        if attribute is not None and attribute.mutability == "readOnly":
            continue
        if attribute is not None and attribute.sub_attributes:
            items = value if isinstance(value, list) else [value]
            items = [{k: v for k, v in item.items()
                      if (attribute.sub(k) is None or attribute.sub(k).mutability != "readOnly")} for item in items]
            value = items if isinstance(value, list) else items[0]
        kept[key] = value
    return kept


class AppRegistry:
    """Every App of one domain. Not thread-safe by itself: the domain calls it under its lock."""

    def __init__(self, domain):
        self.domain = domain
        self.apps = {}

    # -- helpers ----------------------------------------------------------------------------
    def _now(self):
        return self.domain.timestamp()

    def get(self, app_id):
        app = self.apps.get(app_id)
        if app is None:
            raise not_found("App", app_id)
        return app

    def by_client_id(self, client_id):
        for app in self.apps.values():
            if app.get("name") == client_id:
                return app
        return None

    def _touch(self, app):
        app["meta"]["lastModified"] = self._now()
        app["meta"]["version"] = uuid.uuid4().hex

    def scope_definitions(self, extra=None):
        """fqs -> (defining app, scope value) for every scope of every app (`extra` included)."""
        apps = dict(self.apps)
        if extra is not None:
            apps[extra["id"]] = extra
        found = {}
        for app in apps.values():
            for scope in app.get("scopes") or []:
                found.setdefault(scope["fqs"], []).append((app, scope["value"]))
        return found

    # -- validation ---------------------------------------------------------------------------
    def _validate(self, app, creating):
        """Checks on the resulting app, and its server-computed attributes (fqs, idOfDefiningApp)."""
        missing = [n for n in ("schemas", "displayName", "basedOnTemplate") if app.get(n) in (None, "", [], {})]
        if app.get("isOAuthResource") and not app.get("audience"):
            missing.append("audience")
        if missing:
            raise missing_attributes(missing)
        expiry = app.get("accessTokenExpiry")
        if expiry is not None and not MIN_ACCESS_TOKEN_EXPIRY <= expiry <= MAX_ACCESS_TOKEN_EXPIRY:
            raise ScimError(400, "Invalid value %s for attribute accessTokenExpiry: it must be between %d and %d "
                                 "seconds." % (expiry, MIN_ACCESS_TOKEN_EXPIRY, MAX_ACCESS_TOKEN_EXPIRY),
                            "invalidValue", message_id="error.common.validation.invalidValue")
        template = app["basedOnTemplate"].get("value")
        if template not in TEMPLATES:
            raise bad_request("basedOnTemplate %s is not a known App template." % template, "invalidValue")
        for key, other in self.apps.items():
            if key == app["id"]:
                continue
            if other["displayName"].lower() == app["displayName"].lower():
                raise ScimError(409, "An App with displayName %s already exists." % app["displayName"], "uniqueness")
            if other.get("name", "").lower() == app.get("name", "").lower():
                raise ScimError(409, "An App with name %s already exists." % app["name"], "uniqueness")
        self._compute_scopes(app)
        self._resolve_allowed_scopes(app, creating)
        normalise_certificates(app)
        if app.get("clientType") in SECRET_CLIENT_TYPES and not app.get("clientSecret"):
            app["clientSecret"] = str(uuid.uuid4())

    def _compute_scopes(self, app):
        seen = set()
        for scope in app.get("scopes") or []:
            if not scope.get("value"):
                raise missing_attributes(["scopes.value"])
            if scope["value"] in seen:
                raise bad_request("The scope %s is defined twice." % scope["value"], "invalidValue")
            seen.add(scope["value"])
            scope["fqs"] = (app.get("audience") or "") + scope["value"]
            scope["readOnly"] = False
        definitions = self.scope_definitions()
        for scope in app.get("scopes") or []:
            owners = [owner for owner, _value in definitions.get(scope["fqs"], []) if owner["id"] != app["id"]]
            if owners:
                raise ScimError(409, "The scope %s is already defined by another App." % scope["fqs"], "uniqueness")

    def _resolve_allowed_scopes(self, app, creating):
        """Each allowed scope must name an existing scope of an OAuth resource app.

        On create, the app's own scopes count only if the `create_allows_own_allowed_scope` option
        says so: by default the create is refused as terraform-provider-oci #2542 reports, and the
        scope must be added by a later PATCH.
        """
        own_counts = not creating or self.domain.options["create_allows_own_allowed_scope"]
        definitions = self.scope_definitions(extra=app if own_counts else None)
        stored = self.apps.get(app["id"], {})
        stored_fqs = {a["fqs"] for a in stored.get("allowedScopes") or []}
        resolved = []
        for allowed in app.get("allowedScopes") or []:
            fqs = allowed.get("fqs")
            if not fqs:
                raise missing_attributes(["allowedScopes.fqs"])
            if any(r["fqs"] == fqs for r in resolved):
                continue
            owners = [owner for owner, _value in definitions.get(fqs, []) if owner.get("isOAuthResource")]
            if not owners:
                if fqs in stored_fqs and not self.domain.options["refuse_stale_allowed_scopes"]:
                    resolved.append(allowed)  # kept as it was: its scope has gone away since
                    continue
                raise bad_request("Invalid allowedScopes: no OAuth resource App defines the scope %s." % fqs, "invalidValue")
            resolved.append({"fqs": fqs, "idOfDefiningApp": owners[0]["id"]})
        if "allowedScopes" in app:
            app["allowedScopes"] = resolved

    # -- operations ---------------------------------------------------------------------------
    def create(self, body):
        require_schema(body, APP_URN)
        app = _strip_read_only(APP_SCHEMA.canonical(body))
        name = app.get("name")
        if name is not None and not CLIENT_ID.match(name):
            raise bad_request("Invalid name %s: use letters, digits and underscores only." % name, "invalidValue")
        app_id = uuid.uuid4().hex
        now = self._now()
        app = {
            "id": app_id,
            "ocid": "ocid1.domainapp.oc1..aaaaaaaa" + secrets.token_hex(26),
            "name": name or uuid.uuid4().hex,
            "active": False,
            **{k: v for k, v in app.items() if k != "name"},
            "domainOcid": self.domain.domain_ocid,
            "meterAsOPCService": False,
            "isAliasApp": False,
            "meta": {
                "resourceType": "App", "created": now, "lastModified": now,
                "location": "%s/admin/v1/Apps/%s" % (self.domain.base_url, app_id), "version": uuid.uuid4().hex,
            },
        }
        if "basedOnTemplate" in app:
            template = app["basedOnTemplate"]
            template.setdefault("wellKnownId", template.get("value"))
            template["$ref"] = "%s/admin/v1/AppTemplates/%s" % (self.domain.base_url, template.get("value"))
        self._validate(app, creating=True)
        self.apps[app_id] = app
        return app

    def replace(self, app_id, body, if_match=None):
        """PUT: every readWrite attribute comes from the body; absent ones are removed."""
        current = self.get(app_id)
        check_if_match(current, if_match)
        require_schema(body, APP_URN)
        payload = APP_SCHEMA.canonical(body)
        check_replacement(current, payload, APP_SCHEMA)
        kept = {k: v for k, v in current.items() if APP_SCHEMA.get(k) and APP_SCHEMA.get(k).mutability != "readWrite"}
        app = {**copy.deepcopy(kept), "active": False, **payload}
        return self._store(app)

    def patch(self, app_id, body, if_match=None):
        current = self.get(app_id)
        check_if_match(current, if_match)
        require_schema(body, PATCH_OP_URN)
        return self._store(apply_patch(current, body.get("Operations"), APP_SCHEMA))

    def _store(self, app):
        self._validate(app, creating=False)
        self._touch(app)
        self.apps[app["id"]] = app
        return app

    def delete(self, app_id, force=False, if_match=None):
        app = self.get(app_id)
        check_if_match(app, if_match)
        if app.get("active"):
            raise bad_request("The App %s is active: deactivate it before deleting it." % app["displayName"])
        own = {scope["fqs"] for scope in app.get("scopes") or []}
        referrers = [other for other in self.apps.values()
                     if other is not app and any(a["fqs"] in own for a in other.get("allowedScopes") or [])]
        if referrers and not force:
            raise ScimError(409, "The App %s is referenced by %s; use forceDelete to delete it and its references."
                            % (app["displayName"], ", ".join(o["displayName"] for o in referrers)))
        for other in referrers:
            other["allowedScopes"] = [a for a in other["allowedScopes"] if a["fqs"] not in own]
            self._touch(other)
        del self.apps[app_id]

    def change_status(self, app_id, body):
        """PUT /AppStatusChanger/{id}: (de)activate; answers the AppStatusChanger resource."""
        app = self.get(app_id)
        require_schema(body, STATUS_CHANGER_URN)
        active = {k.lower(): v for k, v in body.items()}.get("active")
        if active is None:
            raise missing_attributes(["active"])
        if not isinstance(active, bool):
            raise bad_request("Invalid value for attribute active: expected boolean.", "invalidValue")
        app["active"] = active
        self._touch(app)
        return {
            "active": active,
            "id": app_id,
            "schemas": [STATUS_CHANGER_URN],
            "meta": {
                "resourceType": "AppStatusChanger", "created": app["meta"]["lastModified"],
                "lastModified": app["meta"]["lastModified"], "version": app["meta"]["version"],
                "location": "%s/admin/v1/AppStatusChanger/%s" % (self.domain.base_url, app_id),
            },
        }

    def regenerate_secret(self, body):
        """POST /AppClientSecretRegenerator: a new secret; the previous one stops working at once."""
        require_schema(body, SECRET_REGENERATOR_URN)
        app_id = {k.lower(): v for k, v in body.items()}.get("appid")
        if not app_id:
            raise missing_attributes(["appId"])
        app = self.get(app_id)
        if app.get("clientType") not in SECRET_CLIENT_TYPES:
            raise bad_request("The App %s is not a confidential client and has no client secret." % app["displayName"])
        if not app.get("active") and self.domain.options["regenerate_requires_active"]:
            raise ScimError(400, "The App %s is inactive: activate it before regenerating its client secret."
                            % app["displayName"], message_id="error.app.appNotActive")
        app["clientSecret"] = str(uuid.uuid4())
        self._touch(app)
        return {"schemas": [SECRET_REGENERATOR_URN], "appId": app_id, "clientSecret": app["clientSecret"]}
