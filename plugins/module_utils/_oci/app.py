# -*- coding: utf-8 -*-
# Copyright: contributors to multicloud.oci_aws
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to multicloud.oci_aws: not a public API, may change without notice.

Steps 1 and 2 of the manual procedure: one confidential application that is both the OAuth
resource server (its audience and scopes make the token's ``aud``) and the OAuth client (client
credentials grant, allowed to request its own scopes), active.

:class:`AppSpec` checks what the user asked for; :class:`AppManager` finds the app by display
name with one filtered search, then creates, converges or deletes it through a
:class:`~.domain.DomainClient`. What it creates carries the tag ``managed-by: multicloud.oci_aws``
(:mod:`._ownership`); an app without it is not changed nor deleted unless ``adopt`` is set, and a
display name that matches only regardless of case is reported and never renamed. Everything is compared in one *view*: the managed fields in
snake_case, which is also what the diff and the ``app`` return value show; a secret never enters it.
"""

from __future__ import annotations

import json
import re

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import OptionError, ServiceError, typed
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import APP_SCHEMA
from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.certificates import (
    CLIENT_TYPE, certificate_ops, certificates_view, check_client_auth
)
from ansible_collections.multicloud.oci_aws.plugins.module_utils._ownership import MARK_KEY, MARK_VALUE, refuse_foreign
from ansible_collections.multicloud.oci_aws.plugins.module_utils._urls import issuer_for_domain
from ansible_collections.multicloud.oci_aws.plugins.module_utils._validate import (
    DEFAULT_AUDIENCE, SCOPE_VALUE, check_audience, check_pattern, check_text, has_control, scope_for, shown
)

TEMPLATE = "CustomWebAppTemplateId"
GRANT = "client_credentials"
# discard: a new secret is issued and thrown away, so the one issued before stops working (key mode).
SECRET_POLICIES = ("keep", "regenerate", "discard")
DEFAULT_SCOPES = [{"value": "/", "description": "all"}]
# What a read asks for: the managed attributes only (never the secret, which is returned by default).
APP_ATTRIBUTES = [
    "id", "name", "displayName", "description", "active", "clientType", "isOAuthClient", "isOAuthResource",
    "audience", "secondaryAudiences", "scopes", "allowedGrants", "allowedScopes", "accessTokenExpiry",
    "certificates",  # private-key client authentication (certificates.py)
    "tags",  # returned only on request (SDK model: returned: request); it carries the collection's mark
]
MARK = dict(key=MARK_KEY, value=MARK_VALUE)
_CLIENT_ID = re.compile(r"[A-Za-z0-9_]{1,255}", re.ASCII)
_NOT_IN_SCOPE = re.compile(r"[\s\"\\]")


def _scopes_to_api(scopes):
    return [dict(value=s["value"], description=s["description"], requiresConsent=False) if s["description"]
            else dict(value=s["value"], requiresConsent=False) for s in scopes]


# (view key, App attribute, view value -> attribute value): the fields that define the app, set on
# creation and converged by one PATCH. ``allowed_scopes`` and ``active`` follow in their own steps.
DEFINITION = (
    ("display_name", "displayName", None),
    ("description", "description", None),
    ("client_type", "clientType", None),
    ("is_oauth_resource", "isOAuthResource", None),
    ("audience", "audience", None),
    ("secondary_audiences", "secondaryAudiences", None),
    ("scopes", "scopes", _scopes_to_api),
    ("is_oauth_client", "isOAuthClient", None),
    ("allowed_grants", "allowedGrants", None),
    ("access_token_expiry", "accessTokenExpiry", None),
)


def marked(tags):
    """Whether an App's ``tags`` (the view's or the service's ``[{key, value}]``) carry the collection's mark.
    The identity domain compares tag keys and values regardless of case (SDK model ``Tags``: caseExact false)."""
    return any(str(t.get("key", "")).lower() == MARK_KEY and str(t.get("value", "")).lower() == MARK_VALUE
               for t in tags or [])


def view(app):
    """The managed fields of an App resource (as the service sends it), normalised for comparison."""
    tags = [dict(key=t.get("key"), value=t.get("value")) for t in app.get("tags") or []]
    scopes = [dict(value=s.get("value"), description=s.get("description") or None) for s in app.get("scopes") or []]
    return dict(
        display_name=app.get("displayName"),
        description=app.get("description") or None,
        client_id=app.get("name"),
        client_type=app.get("clientType"),
        is_oauth_resource=bool(app.get("isOAuthResource")),
        audience=app.get("audience"),
        secondary_audiences=sorted(app.get("secondaryAudiences") or []),
        scopes=sorted(scopes, key=lambda s: s["value"]),
        is_oauth_client=bool(app.get("isOAuthClient")),
        allowed_grants=sorted(app.get("allowedGrants") or []),
        allowed_scopes=sorted(s.get("fqs") for s in app.get("allowedScopes") or []),
        access_token_expiry=app.get("accessTokenExpiry"),
        active=bool(app.get("active")),
        tags=sorted(tags, key=lambda t: (t["key"] or "", t["value"] or "")),
        certificates=certificates_view(app),
    )


def definition_ops(current, desired):
    """The PatchOp operations that turn the ``current`` view's definition into the ``desired`` one."""
    ops = []
    for key, attribute, to_api in DEFINITION:
        if current[key] == desired[key]:
            continue
        if desired[key] in (None, []):
            ops.append(dict(op="remove", path=attribute))
        else:
            ops.append(dict(op="replace", path=attribute, value=to_api(desired[key]) if to_api else desired[key]))
    return ops


class AppSpec:
    """The app the user asked for, checked: each bad value is an :class:`OptionError` naming the option."""

    def __init__(self, display_name, audience=DEFAULT_AUDIENCE, scopes=None, description=None, client_id=None,
                 access_token_expiry=None, active=True, client_auth="secret", client_certificates=None,
                 purge_client_certificates=True):
        self.display_name = _check_display_name(display_name)
        self.audience = check_audience(audience)
        self.scopes = _check_scopes(DEFAULT_SCOPES if scopes is None else scopes)
        self.description = _check_description(description)
        self.client_id = _check_client_id(client_id)
        self.access_token_expiry = _check_expiry(access_token_expiry)
        self.active = active
        self.client_auth, self.certificates = check_client_auth(client_auth, client_certificates, purge_client_certificates)

    OPTIONS = ("display_name", "audience", "scopes", "description", "client_id", "access_token_expiry", "active",
               "client_auth", "client_certificates", "purge_client_certificates")

    @classmethod
    def from_params(cls, params):
        return cls(**dict((name, params[name]) for name in cls.OPTIONS))

    @property
    def fq_scopes(self):
        """What clients request and the app is allowed: the audience directly followed by each scope value."""
        return [scope_for(self.audience, scope["value"]) for scope in self.scopes]

    def view(self, current=None):
        """The desired view; what the user leaves unset (None) keeps its ``current`` value."""
        current = current or {}
        known = dict((s["value"], s["description"]) for s in current.get("scopes") or [])
        scopes = [dict(value=s["value"], description=s.get("description") or known.get(s["value"]))
                  for s in self.scopes]
        return dict(
            display_name=self.display_name,
            description=current.get("description") if self.description is None else (self.description or None),
            client_id=self.client_id or current.get("client_id"),
            client_type=CLIENT_TYPE[self.client_auth],
            is_oauth_resource=True,
            audience=self.audience,
            secondary_audiences=[],
            scopes=sorted(scopes, key=lambda s: s["value"]),
            is_oauth_client=True,
            allowed_grants=[GRANT],
            allowed_scopes=sorted(self.fq_scopes),
            access_token_expiry=(current.get("access_token_expiry") if self.access_token_expiry is None
                                 else self.access_token_expiry),
            active=self.active,
            # The app's own tags are left as they are; the mark is added when missing.
            tags=sorted(list(current.get("tags") or []) + ([] if marked(current.get("tags")) else [dict(MARK)]),
                        key=lambda t: (t["key"] or "", t["value"] or "")),
            certificates=(list(current.get("certificates") or []) if self.certificates is None
                          else self.certificates.view(current.get("certificates") or [])),
        )


def _check_display_name(value):
    # Letters of any script (the service compares names case-insensitively, in any script), spaces
    # inside; no control characters or line breaks, no spaces around.
    return check_text(value, "display_name", "a non-empty name, such as aws-sts-oidc")


def _check_description(value):
    """Free text: line breaks and tabs are kept, other control characters refused."""
    if value is not None and (not isinstance(value, str) or has_control(value.replace("\n", "").replace("\t", ""))):
        raise OptionError("description", "description must be text without control characters (line breaks and tabs "
                                         "are kept): got %s" % shown(value))
    return value


def _check_scopes(scopes):
    if not scopes:
        raise OptionError("scopes", "scopes must list at least one scope, such as {value: /, description: all}: "
                                    "a client can only get a token for a scope of the app")
    checked, seen = [], set()
    for scope in scopes:
        value = scope.get("value") if isinstance(scope, dict) else None
        if not isinstance(value, str) or not value:
            raise OptionError("scopes", "every entry of scopes needs a non-empty value, such as /: got %r" % (scope,))
        if _NOT_IN_SCOPE.search(value):
            raise OptionError("scopes", "scopes: value %s must not contain spaces, quotes or backslashes (OAuth "
                                        "separates scopes with spaces): use one entry per scope" % shown(value))
        check_pattern(value, "scopes", SCOPE_VALUE, "a list of scopes whose values are printable ASCII characters "
                                                    "without spaces, quotes or backslashes (RFC 6749 scope tokens)")
        if value in seen:
            raise OptionError("scopes", "scopes: value %r is listed twice: list each scope once" % value)
        seen.add(value)
        checked.append(dict(value=value, description=scope.get("description")))
    return checked


def _check_client_id(value):
    if value is not None and (not isinstance(value, str) or not _CLIENT_ID.fullmatch(value)):
        raise OptionError("client_id", "client_id may contain only letters, digits and underscores (the identity "
                                       "domain's rule for app names): got %s; or leave it unset to let the domain "
                                       "generate one" % shown(value))
    return value


# The identity domain's range for an app's access token lifetime: 60 seconds to one year.
MIN_EXPIRY, MAX_EXPIRY = 60, 365 * 24 * 3600


def _check_expiry(value):
    if value is not None and (isinstance(value, bool) or not MIN_EXPIRY <= value <= MAX_EXPIRY):
        raise OptionError("access_token_expiry", "access_token_expiry is a lifetime in seconds between %d (one minute) "
                                                 "and %d (one year), the identity domain's range, such as 3600: got %r"
                                                 % (MIN_EXPIRY, MAX_EXPIRY, value))
    return value


def scim_string(value):
    """``value`` as a SCIM filter string literal: quotes and backslashes escaped, every other character
    sent as it is (UTF-8 on the wire). Whether the service decodes JSON escapes such as ``\\u00e9``
    inside a filter is not documented, so none is sent."""
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


class AppManager:
    """Ensures one app, known by its display name. Mutations follow one shape: nothing differs →
    no call; check mode → changed, no call; else call. ``warn(msg)`` receives what the user must be told.
    """

    def __init__(self, client, spec, warn, secret="keep", check_mode=False, adopt=False):
        self.client = client
        self.spec = spec
        self.warn = warn
        self.secret = secret
        if spec.client_auth == "private_key" and secret == "regenerate":
            raise OptionError("secret", "secret=regenerate returns a client secret, which client_auth=private_key exists "
                                        "to avoid: use secret=discard to make the secret issued before unusable, or "
                                        "keep")
        self.check_mode = check_mode
        self.adopt = adopt

    # -- reads ---------------------------------------------------------------------------------
    def find(self):
        """The app with the spec's display name, or None: one filtered search, never a listing."""
        apps = self.client.find_apps("displayName eq %s" % scim_string(self.spec.display_name), APP_ATTRIBUTES)
        if len(apps) > 1:
            raise OptionError(
                "display_name",
                "display_name %r matches %d apps (ids %s); this module manages exactly one: delete or rename the "
                "others in the identity domain, or choose a display_name no other app has"
                % (self.spec.display_name, len(apps), ", ".join(sorted(a.get("id", "?") for a in apps))),
            )
        if apps and apps[0].get("displayName") != self.spec.display_name:
            self.warn(
                "display_name %r matches the app %r (id %s) only regardless of case (the identity domain compares "
                "display names so): that app is the one managed here, and its name is left as it is. Set display_name "
                "to %r to silence this warning, or choose a name no app has to manage another app"
                % (self.spec.display_name, apps[0].get("displayName"), apps[0].get("id"), apps[0].get("displayName"))
            )
        return apps[0] if apps else None

    def _desired(self, current):
        """The desired view for an existing app: the spec's, keeping the app's name where it differs only in case."""
        desired = self.spec.view(current)
        if (current.get("display_name") or "").lower() == self.spec.display_name.lower():
            desired["display_name"] = current["display_name"]
        if (current.get("client_id") or "").lower() == (desired.get("client_id") or "").lower():
            desired["client_id"] = current.get("client_id")
        return desired

    def _check_owner(self, app, action):
        """Refuse (before any change) an app the collection did not create, unless adopt; warn when adopting."""
        current = view(app)
        if marked(current["tags"]):
            return
        desired = self._desired(current) if action == "converge" else {}
        if not self.adopt:
            changes = ["%s: %s -> %s" % (key, json.dumps(current[key]), json.dumps(desired[key]))
                       for key in sorted(desired) if key != "tags" and current[key] != desired[key]]
            if action == "delete":
                changes = ["the app is deactivated and deleted, and its client secret stops working"]
            raise refuse_foreign(
                "app %r (id %s) of the identity domain" % (current["display_name"], app.get("id")), action,
                changes, diff=dict(before=current, after=desired),
            )
        self.warn("app %r (id %s) was not created by multicloud.oci_aws: adopt is set, so it is %s"
                  % (current["display_name"], app.get("id"), "tagged %s=%s and converged" % (MARK_KEY, MARK_VALUE)
                     if action == "converge" else "deleted"))

    def _check_client_id(self, app):
        current = app.get("name")
        if self.spec.client_id is not None and current != self.spec.client_id and \
                (current or "").lower() == self.spec.client_id.lower():
            # The domain compares names regardless of case (caseExact false, uniqueness server): the same app.
            self.warn("client_id %s matches the client id %s of app %r only regardless of case (the identity domain "
                      "compares them so): it is the same app; tokens carry %s, so give clients that spelling"
                      % (self.spec.client_id, current, self.spec.display_name, current))
            return
        if self.spec.client_id is not None and current != self.spec.client_id:
            raise OptionError(
                "client_id",
                "app %r (id %s) has client id %s, not %s: a client id cannot change once the app exists. Set "
                "client_id to %s or leave it unset; to get another client id, delete the app (state=absent) and "
                "create it again, then give its clients the new id and secret"
                % (self.spec.display_name, app.get("id"), current, self.spec.client_id, current),
            )

    def _result(self, app_id, before, after, changed, secret=None):
        result = dict(
            changed=changed,
            id=app_id,
            client_id=after.get("client_id") if after else before.get("client_id"),
            audience=self.spec.audience,
            scope=self.spec.fq_scopes[0],
            token_endpoint=self.client.token_endpoint,
            issuer=issuer_for_domain(self.client.url),
            app=after,
            diff=dict(before=before, after=after),
        )
        if secret is not None:
            result["client_secret"] = secret
        return result

    # -- state: present --------------------------------------------------------------------------
    def present(self):
        app = self.find()
        if app is not None:
            self._check_client_id(app)
            self._check_owner(app, "converge")
            return self._update(app)
        if self.check_mode:
            return self._result(None, {}, self.spec.view(), True)
        app, secret = self._create()
        if self.spec.client_auth == "private_key":
            secret = None  # issued with every confidential or trusted app; in key mode no one receives it
        try:
            self._converge(app)
        except Exception as exc:  # pylint: disable=broad-except
            # The app exists now: say so, and that the secret this run was issued is lost with the run.
            exc = typed(exc, "the completion of the new app %r" % self.spec.display_name)
            exc.msg += ("; app %r was created (id %s) but not completed: run the task again to complete it%s"
                        % (self.spec.display_name, app["id"], ", with secret=regenerate, since the client secret "
                           "issued by this run is lost" if secret else ""))
            exc.details.update(changed=True, id=app["id"], client_id=app.get("name"))
            raise exc
        return self._result(app["id"], {}, self._read(app["id"]), True, secret)

    def _update(self, app):
        """Converge, and with secret=regenerate issue a new secret while the app is active: the service
        may refuse to regenerate the secret of an inactive app, so it is done after the activation, or
        before the deactivation."""
        before = view(app)
        secret = None
        regenerate = self.secret in ("regenerate", "discard")
        if regenerate and not self.spec.active and not before["active"]:
            raise OptionError(
                "secret", "secret=%s needs the app %r active (the identity domain may refuse a new secret for "
                          "an inactive app), but it is inactive and active is false: set active: true for this run, "
                          "or leave secret at keep" % (self.secret, self.spec.display_name))
        changed = False
        if regenerate and not self.spec.active:
            changed = True
            if not self.check_mode:
                secret = self.client.regenerate_secret(app["id"])
        changed = self._converge(app) or changed
        if regenerate and self.spec.active:
            changed = True
            if not self.check_mode:
                secret = self.client.regenerate_secret(app["id"])
        if self.secret == "discard":
            secret = None  # the new one is thrown away: the secret issued before no longer works
        if not changed:
            after = before
        elif self.check_mode:
            after = self._desired(before)
        else:
            after = self._read(app["id"])
        return self._result(app["id"], before, after, changed, secret)

    def _read(self, app_id):
        return view(self.client.get_app(app_id, APP_ATTRIBUTES))

    def _create(self):
        """(app, secret). Created inactive with the resource and client parts but without allowed
        scopes: some services refuse an app's own scope in its create call, and the converge steps
        that follow (allow, activate) are the same ones that repair a half-made app on a re-run."""
        desired = self.spec.view()
        body = dict(schemas=[APP_SCHEMA], basedOnTemplate=dict(value=TEMPLATE), active=False, tags=[dict(MARK)])
        if self.spec.client_id:
            body["name"] = self.spec.client_id
        for key, attribute, to_api in DEFINITION:
            if desired[key] not in (None, []):
                body[attribute] = to_api(desired[key]) if to_api else desired[key]
        try:
            return self.client.create_app(body, APP_ATTRIBUTES)
        except ServiceError as exc:
            if exc.details.get("status") != 409:
                raise
            app = self.find()
            if app is None:
                raise
        # The name was taken between the search and the create: by a concurrent run, or by this
        # create whose answer was lost and retried. Either way the app exists; its secret is not ours.
        # An app another tool made in the meantime lacks the mark and is refused like any other.
        self._check_client_id(app)
        self._check_owner(app, "converge")
        self.warn(
            "app %r already existed when it was created (a concurrent run, or a lost answer to this run's create "
            "request): it was converged, but its client secret was not returned here; run again with "
            "secret=regenerate to issue one" % self.spec.display_name
        )
        return app, None

    def _converge(self, app):
        """Define, allow, activate — each step only when its fields differ. Returns changed."""
        current = view(app)
        desired = self._desired(current)
        app_id = app.get("id")
        changed = False
        if current["secondary_audiences"]:
            self.warn(
                "%s the secondary audiences %s of app %r: with them the token's aud claim becomes an array, which "
                "AWS does not document STS as accepting" % ("would remove" if self.check_mode else "removed",
                                                            ", ".join(current["secondary_audiences"]),
                                                            self.spec.display_name)
            )
        # One PatchOp for the definition and the allowed scopes: a new audience or scope changes the fqs the
        # allowed scopes name, and a service may refuse any write that leaves them naming a scope that no
        # longer exists (as two PATCHes would, between them).
        operations = definition_ops(current, desired)
        if current["allowed_scopes"] != desired["allowed_scopes"]:
            operations.append(dict(op="replace", path="allowedScopes",
                                   value=[dict(fqs=fqs) for fqs in desired["allowed_scopes"]]))
        if operations:
            changed = True
            if not self.check_mode:
                self.client.patch_app(app_id, operations)
        certificates = certificate_ops(app, self.spec.certificates)  # after the client type: trusted first
        if certificates:
            changed = True
            if not self.check_mode:
                self.client.patch_app(app_id, certificates)
        if current["active"] != desired["active"]:
            changed = True
            if not self.check_mode:
                self.client.set_app_active(app_id, desired["active"])
        if not marked(current["tags"]):
            # Adopted: the mark is added to the app's own tags (SCIM add appends to a multi-valued attribute).
            changed = True
            if not self.check_mode:
                self.client.patch_app(app_id, [dict(op="add", path="tags", value=[dict(MARK)])])
        return changed

    # -- state: absent ---------------------------------------------------------------------------
    def absent(self):
        """Deactivate (an active app cannot be deleted), then delete."""
        app = self.find()
        if app is None:
            return self._result(None, {}, {}, False)
        self._check_client_id(app)
        self._check_owner(app, "delete")
        before = view(app)
        if not self.check_mode:
            if before["active"]:
                self.client.set_app_active(app["id"], False)
            try:
                self.client.delete_app(app["id"])
            except ServiceError as exc:
                if exc.details.get("status") != 404:  # gone already: the goal is met
                    raise
        return self._result(app["id"], before, {}, True)
