"""An in-memory identity domain behind the interface of `_oci.DomainClient`, for the manager tests.

It keeps the service rules the managers depend on (display names unique regardless of case, an
active app cannot be deleted, the secret returned only by create and regenerate) and records every
call, so that a test can say exactly which writes a run made.
"""

import copy
import itertools
import json
import re

from ansible_collections.multicloud.oci_aws.plugins.module_utils._common import ServiceError

DOMAIN_URL = "https://idcs-0123456789abcdef0123456789abcdef.identity.oraclecloud.com"
WRITES = ("create_app", "patch_app", "set_app_active", "delete_app", "regenerate_secret", "patch_settings")
_FILTER = re.compile(r'^displayName eq (".*")$')


def scim_error(status, detail):
    return ServiceError("HTTP %d: %s" % (status, detail), status=status, detail=detail)


def converged_app(**changes):
    """An App resource as the service returns it once `oci_oidc_app` converged it with defaults."""
    app = {
        "id": "app-1", "name": "client_1", "displayName": "aws-sts-oidc", "active": True,
        "clientType": "confidential", "isOAuthResource": True, "isOAuthClient": True,
        "audience": "sts.amazon.com", "scopes": [{"value": "/", "description": "all", "fqs": "sts.amazon.com/"}],
        "allowedGrants": ["client_credentials"],
        "allowedScopes": [{"fqs": "sts.amazon.com/", "idOfDefiningApp": "app-1"}],
    }
    app.update(changes)
    return app


class FakeDomain:
    url = DOMAIN_URL
    token_endpoint = DOMAIN_URL + "/oauth2/v1/token"

    def __init__(self, apps=(), settings=None):
        self.apps = dict((app["id"], copy.deepcopy(app)) for app in apps)
        self.secrets = dict((app["id"], "old-secret-" + app["id"]) for app in apps)
        self.settings = dict(settings if settings is not None else
                             {"issuer": "https://identity.oraclecloud.com/", "signingCertPublicAccess": False})
        self.calls = []
        self.failures = {}  # method name -> exceptions to raise, one per call
        self._ids = itertools.count(1)

    # -- test helpers -------------------------------------------------------------------------
    @property
    def writes(self):
        return [call for call in self.calls if call[0] in WRITES]

    def fail_next(self, method, *errors):
        self.failures.setdefault(method, []).extend(errors)

    def _record(self, method, *args):
        self.calls.append((method,) + args)
        pending = self.failures.get(method)
        if pending:
            raise pending.pop(0)

    def _app(self, app_id):
        if app_id not in self.apps:
            raise scim_error(404, "Resource %s of type App not found." % app_id)
        return self.apps[app_id]

    # -- DomainClient interface -----------------------------------------------------------------
    def find_apps(self, scim_filter, attributes):
        self._record("find_apps", scim_filter)
        name = json.loads(_FILTER.match(scim_filter).group(1))
        return [copy.deepcopy(a) for a in self.apps.values() if a["displayName"].lower() == name.lower()]

    def get_app(self, app_id, attributes):
        self._record("get_app", app_id)
        return copy.deepcopy(self._app(app_id))

    def create_app(self, body, attributes):
        self._record("create_app", copy.deepcopy(body))
        for other in self.apps.values():
            if other["displayName"].lower() == body["displayName"].lower():
                raise scim_error(409, "An App with displayName %s already exists." % body["displayName"])
        app_id = "new-%d" % next(self._ids)
        app = dict(copy.deepcopy(body), id=app_id)
        app.setdefault("name", "generated_%s" % app_id.replace("-", "_"))
        app.pop("schemas")
        app.pop("basedOnTemplate")
        self.apps[app_id] = app
        self.secrets[app_id] = "secret-of-" + app_id
        return copy.deepcopy(app), self.secrets[app_id]

    def patch_app(self, app_id, operations):
        self._record("patch_app", app_id, copy.deepcopy(operations))
        app = self._app(app_id)
        for operation in operations:
            if operation["op"] == "remove":
                app.pop(operation["path"], None)
            else:
                app[operation["path"]] = copy.deepcopy(operation["value"])

    def set_app_active(self, app_id, active):
        self._record("set_app_active", app_id, active)
        self._app(app_id)["active"] = active

    def delete_app(self, app_id):
        self._record("delete_app", app_id)
        if self._app(app_id).get("active"):
            raise scim_error(400, "The App is active: deactivate it before deleting it.")
        del self.apps[app_id]

    def regenerate_secret(self, app_id):
        self._record("regenerate_secret", app_id)
        self._app(app_id)
        self.secrets[app_id] = "regenerated-%d" % next(self._ids)
        return self.secrets[app_id]

    def get_settings(self, attributes):
        self._record("get_settings", tuple(attributes))
        return dict((k, v) for k, v in self.settings.items() if k in attributes)

    def patch_settings(self, operations):
        self._record("patch_settings", copy.deepcopy(operations))
        for operation in operations:
            self.settings[operation["path"]] = operation["value"]
