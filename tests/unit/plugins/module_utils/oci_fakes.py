"""An in-memory identity domain behind the interface of `_oci.domain.DomainClient`, for the manager tests.

It keeps the service rules the managers depend on (display names unique regardless of case, an
active app cannot be deleted, the secret returned only by create and regenerate) and records every
call, so that a test can say exactly which writes a run made.
"""

import copy
import itertools
import json
import os
import re

from ansible_collections.multicloud.oci_aws.plugins.module_utils._errors import ServiceError

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
        "tags": [{"key": "managed-by", "value": "multicloud.oci_aws"}],
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
        self.hooks = {}  # method name -> callables run (once each) just before that method acts
        self._ids = itertools.count(1)

    # -- test helpers -------------------------------------------------------------------------
    @property
    def writes(self):
        return [call for call in self.calls if call[0] in WRITES]

    def fail_next(self, method, *errors):
        self.failures.setdefault(method, []).extend(errors)

    def before(self, method, hook):
        """Run ``hook()`` once, just before the next ``method`` call acts (a concurrent change)."""
        self.hooks.setdefault(method, []).append(hook)

    def _record(self, method, *args):
        self.calls.append((method,) + args)
        hooks = self.hooks.get(method)
        if hooks:
            hooks.pop(0)()
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
            elif operation["op"] == "add" and isinstance(operation["value"], list):
                app[operation["path"]] = app.get(operation["path"], []) + copy.deepcopy(operation["value"])
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
        if not self._app(app_id).get("active"):  # as the sandbox's regenerate_requires_active
            raise scim_error(400, "The App is inactive: activate it before regenerating its client secret.")
        self.secrets[app_id] = "regenerated-%d" % next(self._ids)
        return self.secrets[app_id]

    def get_settings(self, attributes):
        self._record("get_settings", tuple(attributes))
        return dict((k, v) for k, v in self.settings.items() if k in attributes)

    def patch_settings(self, operations):
        self._record("patch_settings", copy.deepcopy(operations))
        for operation in operations:
            self.settings[operation["path"]] = operation["value"]


# -- OCI config files for the real SDK ----------------------------------------------------------

_KEY_PEM = []


def private_key_pem():
    """An RSA private key in PEM, made once per test session."""
    if not _KEY_PEM:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _KEY_PEM.append(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                          serialization.NoEncryption()))
    return _KEY_PEM[0]


def write_oci_config(directory, key_file=None, extra="", profile="DEFAULT"):
    """An API-key OCI config file (and its key) in ``directory``; returns the config file's path.

    ``key_file`` overrides the key path written in the profile (the key itself is still written);
    ``extra`` is appended verbatim (more profiles or keys).
    """
    directory = str(directory)
    key_path = os.path.join(directory, "api_key.pem")
    with open(key_path, "wb") as handle:
        handle.write(private_key_pem())
    os.chmod(key_path, 0o600)
    path = os.path.join(directory, "config")
    with open(path, "w") as handle:
        handle.write(
            "[%s]\nuser=ocid1.user.oc1..aaaaexample\nfingerprint=11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff\n"
            "tenancy=ocid1.tenancy.oc1..aaaaexample\nregion=us-ashburn-1\nkey_file=%s\n%s"
            % (profile, key_file or key_path, extra))
    os.chmod(path, 0o600)
    return path


def clean_oci_environment(monkeypatch):
    """No OCI setting of the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("OCI_", "OCI_ANSIBLE_")):
            monkeypatch.delenv(name)


class FakeConnect:
    """Stands for ``connect`` in a module: the real ``connect`` checks every option (and sends nothing),
    then the module gets ``domain`` (a :class:`FakeDomain`). ``connected`` lists the options it accepted."""

    def __init__(self, config, domain=None):
        self.config = config
        self.domain = domain or FakeDomain()
        self.connected = []

    def connect(self, **options):
        from ansible_collections.multicloud.oci_aws.plugins.module_utils._oci.domain import connect

        connect(**options)
        self.connected.append(options)
        return self.domain


def no_request(*args, **kwargs):
    """Patched over the SDK's transport: a module test must never send a request."""
    raise AssertionError("a request reached the OCI SDK's transport")


def fresh_module_warnings(monkeypatch):
    """Warnings that earlier modules run in this process left behind are not this run's.

    Ansible runs each module in a process of its own; in a test process, ``module.warn`` collects
    into one global registry, which would otherwise show one test's warnings in the next one's result.
    """
    from ansible.module_utils.common import warnings

    # A fresh registry of the type this ansible-core uses: a dict from 2.19 on, a list before (README: the matrix).
    monkeypatch.setattr(warnings, "_global_warnings", type(warnings._global_warnings)())
    monkeypatch.setattr(warnings, "_global_deprecations", type(warnings._global_deprecations)())
