"""Named sets of behaviour switches (`POST /config` bodies) that a sandbox can be started or reset with.

- `default`: every switch at its default (the answer the evidence supports, or the stricter one where
  the evidence is silent; sandbox/README.md gives the evidence per switch).
- `pessimistic`: every switch at its hard answer for a client, wherever the public record does not
  rule that answer out: a client that passes under it does not rely on a lenient answer of either
  cloud. Two switches cannot both take their hard answer, because together they make any federation
  impossible and the published procedure is reported to work against the real clouds: discovery
  keeping the default issuer (`discovery_issuer_follows_settings: false`) and STS requiring the
  discovery issuer to equal `iss` (`discovery_issuer_must_match: true`). The profile takes the AWS
  one, which is what OpenID Connect Discovery 1.0 section 4.3 requires of a relying party; the other
  combination is proved by its own end-to-end test (tests/e2e/test_oci_modules_e2e.py).

Used by `python -m oci_aws_sandbox up|serve --profile NAME` (the server re-applies it after every
`POST /reset`) and by the pytest plugin when `OCI_AWS_SANDBOX_PROFILE` is set.
"""

import copy

ENV = "OCI_AWS_SANDBOX_PROFILE"

PESSIMISTIC = {
    "oci": {
        "create_allows_own_allowed_scope": False,
        "get_returns_client_secret": True,
        "token_accepts_bare_scope": False,
        "discovery_issuer_follows_settings": True,
        "settings_issuer_absent_until_set": True,
        "create_honours_retry_token": False,
        "refuse_stale_allowed_scopes": True,
        "filter_decodes_json_escapes": False,
        "regenerate_requires_active": True,
        # 0: a delay makes every test that builds a federation and exchanges at once (or shifts the clock back)
        # fail on step 3 by design; the delay has its own end-to-end test (test_oci_behaviours_e2e.py).
        "issuer_propagation_seconds": 0,
    },
    "aws": {
        # 2 s: longer than the collection's first two propagation waits (0.5 s, then 1 s; `_retry.PropagationWait`)
        # and than a module's own time between its write and its check, so every change in the suite is waited
        # for, at least twice; the N = 8 has its own test (tests/e2e/test_propagation.py). The sandbox's own
        # set-up (procedure.ManualProcedure) makes its writes visible at once through `POST /iam/settle`.
        "iam_propagation_seconds": 2,
        "reject_multi_valued_aud": True,
        "jwks_cache_seconds": 0,
        "clock_skew_seconds": 0,
        "max_token_age_seconds": 1800,
        "idp_unreachable_error": "IDPCommunicationError",
        "discovery_issuer_must_match": True,
        "trust_policy_max_chars": 2048,
        "managed_policies_per_role": 10,
        "refuse_removing_last_client_id": True,
        "provider_id_with_oidc_token": "InvalidIdentityToken",
    },
}

PROFILES = {
    "default": {"oci": {}, "aws": {}},
    "pessimistic": PESSIMISTIC,
}


def get(name):
    """The `POST /config` body of profile `name` (a copy); a ValueError names the known profiles."""
    if name not in PROFILES:
        raise ValueError("unknown sandbox profile %r; known: %s" % (name, ", ".join(sorted(PROFILES))))
    return copy.deepcopy(PROFILES[name])


def from_env(environ):
    """The profile name that `environ` asks for (`OCI_AWS_SANDBOX_PROFILE`), or None; checked."""
    name = (environ.get(ENV) or "").strip()
    if not name:
        return None
    get(name)
    return name


def apply(handle, name):
    """Set the switches of profile `name` on the running sandbox of `handle` (a `SandboxHandle`)."""
    settings = get(name)
    return handle.configure(oci=settings["oci"], aws=settings["aws"])
