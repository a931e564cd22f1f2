"""IAM eventual consistency: what STS and IAM reads see of IAM writes made less than N seconds ago.

Real IAM changes "become visible" to STS and to IAM reads elsewhere only after a delay ("Changes
that I make are not always immediately visible", IAM User Guide, troubleshoot_general.html; the
IAM eventual-consistency note in the API reference). With ``POST /config {"aws":
{"iam_propagation_seconds": N}}`` the sandbox records the state of each provider and role *before*
every successful write (create, update, delete of a provider, a role, its trust policy, its
inline, managed or boundary policies, tags) and, for N seconds of sandbox time after the write,
answers STS (`sts_gate.py`) and every IAM ``Get*``/``List*`` from that earlier state. So:

- a provider created 2 s ago (N = 8): STS answers ``InvalidIdentityToken`` "No OpenIDConnect
  provider found in your account for <iss>"; ``GetOpenIDConnectProvider`` answers ``NoSuchEntity``;
- a role created, or a trust policy changed, 2 s ago: STS evaluates the old trust policy (or finds
  no role: ``AccessDenied`` "Not authorized to perform sts:AssumeRoleWithWebIdentity"), ``GetRole``
  returns the old document (or ``NoSuchEntity``);
- a deleted role or provider is still seen for N seconds.

Writes always act on the newest state (IAM writes go to one primary). N = 0 (the default) records
nothing. Time is the sandbox clock (`clock.py`), so a test can shift it instead of waiting.

Entity keys: ``("role", partition, role name)`` and ``("provider", partition, provider ARN)``.
"""

import contextlib
import copy
import threading
import urllib.parse

ROLE_WRITES = frozenset((
    "CreateRole", "DeleteRole", "UpdateRole", "UpdateRoleDescription", "UpdateAssumeRolePolicy",
    "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "TagRole", "UntagRole",
    "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
))
PROVIDER_WRITES = frozenset((
    "CreateOpenIDConnectProvider", "DeleteOpenIDConnectProvider", "AddClientIDToOpenIDConnectProvider",
    "RemoveClientIDFromOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint",
    "TagOpenIDConnectProvider", "UntagOpenIDConnectProvider",
))


def provider_arn(partition: str, account_id: str, url: str) -> str:
    """The ARN IAM gives the provider of `url` (scheme dropped, host and path kept as written)."""
    parsed = urllib.parse.urlparse(url)
    return "arn:%s:iam::%s:oidc-provider/%s" % (partition, account_id, parsed.netloc + parsed.path)


class IamPropagation:
    """Pending IAM writes and the state readers see meanwhile.

    `backend(partition)` returns moto's IAM backend; `clock` is the sandbox clock; `options` the live
    AWS options (``iam_propagation_seconds``). Callers hold `lock` around writes and swapped reads.
    """

    def __init__(self, backend, clock, options, account_id):
        self.backend = backend
        self.clock = clock
        self.options = options
        self.account_id = account_id
        self.lock = threading.RLock()
        self._pending = {}  # key -> [(write time, state before the write or None)]

    @property
    def delay(self) -> float:
        return float(self.options.get("iam_propagation_seconds") or 0)

    def clear(self) -> None:
        with self.lock:
            self._pending.clear()

    def settle(self) -> int:
        """Make every pending write visible now (the set-up back door ``POST /iam/settle``); returns how many
        entities had writes pending. Real IAM has no such call: only the sandbox's own set-up (the manual
        procedure, tests that write IAM with boto3 to arrange a scene) uses it, never the collection."""
        with self.lock:
            count = len(self._pending)
            self._pending.clear()
            return count

    # -- writes ----------------------------------------------------------------------------------
    def keys_for(self, action: str, params, partition: str) -> list:
        """The entities a write `action` changes (empty for reads and other actions)."""
        if action in ROLE_WRITES and params.get("RoleName"):
            return [("role", partition, params["RoleName"])]
        if action in PROVIDER_WRITES:
            if action == "CreateOpenIDConnectProvider":
                return [("provider", partition, provider_arn(partition, self.account_id, params.get("Url") or ""))]
            if params.get("OpenIDConnectProviderArn"):
                return [("provider", partition, params["OpenIDConnectProviderArn"])]
        return []

    def _current(self, key):
        kind, partition, name = key
        backend = self.backend(partition)
        if kind == "role":
            for role in list(backend.roles.values()):
                if role.name == name:
                    return role
            return None
        return backend.open_id_providers.get(name)

    def before_write(self, keys) -> dict:
        """Snapshots of `keys` to pass to `after_write` once the write succeeded."""
        if self.delay <= 0:
            return {}
        return {key: copy.deepcopy(self._current(key)) for key in keys}

    def after_write(self, snapshots: dict) -> None:
        now = self.clock.now()
        for key, before in snapshots.items():
            self._pending.setdefault(key, []).append((now, before))

    # -- reads -----------------------------------------------------------------------------------
    def _visible(self):
        """{key: state readers see} for every entity with a write not yet visible."""
        delay = self.delay
        horizon = self.clock.now() - delay
        visible = {}
        for key in list(self._pending):
            entries = [e for e in self._pending[key] if e[0] > horizon] if delay > 0 else []
            if not entries:
                del self._pending[key]
                continue
            self._pending[key] = entries
            visible[key] = entries[0][1]
        return visible

    def providers(self, partition: str) -> list:
        """The OIDC providers STS sees in `partition`."""
        with self.lock:
            seen = dict(self.backend(partition).open_id_providers)
            for (kind, key_partition, arn), state in self._visible().items():
                if kind == "provider" and key_partition == partition:
                    if state is None:
                        seen.pop(arn, None)
                    else:
                        seen[arn] = state
            return list(seen.values())

    def _roles(self, partition: str) -> dict:
        roles = {role.name: role for role in self.backend(partition).roles.values()}
        for (kind, key_partition, name), state in self._visible().items():
            if kind == "role" and key_partition == partition:
                if state is None:
                    roles.pop(name, None)
                else:
                    roles[name] = state
        return roles

    def role_by_arn(self, partition: str, arn: str):
        """The role STS sees for `arn`, or None."""
        with self.lock:
            return next((role for role in self._roles(partition).values() if role.arn == arn), None)

    def role_by_name(self, partition: str, name: str):
        """The role IAM reads see by `name`, or None."""
        with self.lock:
            return self._roles(partition).get(name)

    @contextlib.contextmanager
    def swapped(self, partition: str):
        """Within: moto's backend of `partition` holds what readers see (call with `lock` held)."""
        visible = {k: v for k, v in self._visible().items() if k[1] == partition}
        if not visible:
            yield
            return
        backend = self.backend(partition)
        restore = []  # (dict, key, object or None)
        try:
            for (kind, _partition, name), state in visible.items():
                if kind == "role":
                    for role_id, role in list(backend.roles.items()):
                        if role.name == name:
                            restore.append((backend.roles, role_id, role))
                            del backend.roles[role_id]
                    if state is not None:
                        restore.append((backend.roles, state.id, backend.roles.get(state.id)))
                        backend.roles[state.id] = state
                else:
                    restore.append((backend.open_id_providers, name, backend.open_id_providers.get(name)))
                    if state is None:
                        backend.open_id_providers.pop(name, None)
                    else:
                        backend.open_id_providers[name] = state
            yield
        finally:
            for table, key, obj in reversed(restore):
                if obj is None:
                    table.pop(key, None)
                else:
                    table[key] = obj
