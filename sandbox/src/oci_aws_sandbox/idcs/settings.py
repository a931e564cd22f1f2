"""The domain's single Settings resource (`/admin/v1/Settings/Settings`).

Sources: Oracle's Settings REST page (one pre-seeded instance with id `Settings`, which can be
replaced with PUT or updated with PATCH but not created or deleted); the SDK's Setting model
(`csrAccess` required, `issuer` readWrite, `prevIssuer` returned only on request); Oracle's OAuth
settings doc (default issuer `https://identity.oraclecloud.com/`, only one previous issuer is
kept); the "Access signing certificate" doc (`signingCertPublicAccess`, default off).

A PUT replaces the whole resource: readWrite attributes missing from the body go back to a fresh
domain's values (what terraform users work around by copying every field into their PUT).
"""

import copy
import uuid

from .errors import missing_attributes, not_found
from .schema import PATCH_OP_URN, SETTINGS_SCHEMA, SETTINGS_URN
from .scim import apply_patch, check_if_match, check_replacement, require_schema

DEFAULT_ISSUER = "https://identity.oraclecloud.com/"
SETTINGS_ID = "Settings"

# readWrite attributes of a fresh domain, besides `issuer` (see `DomainSettings.view`).
FRESH_VALUES = {
    "csrAccess": "none",
    "signingCertPublicAccess": False,
    "subMappingAttr": "userName",
    "accountAlwaysTrustScope": False,
    "customBranding": False,
    "locale": "en",
    "preferredLanguage": "en",
    "timezone": "America/Chicago",
}


class DomainSettings:
    """The Settings of one domain. Not thread-safe by itself: the domain calls it under its lock."""

    def __init__(self, domain):
        self.domain = domain
        self._issuer_change = None  # (time the new issuer takes effect, issuer in effect until then)
        now = domain.timestamp()
        self.resource = {
            "schemas": [SETTINGS_URN],
            "id": SETTINGS_ID,
            "ocid": "ocid1.domainsetting.oc1..aaaaaaaa" + uuid.uuid4().hex,
            "domainOcid": domain.domain_ocid,
            **copy.deepcopy(FRESH_VALUES),
            "meta": {
                "resourceType": "Settings", "created": now, "lastModified": now,
                "location": "%s/admin/v1/Settings/%s" % (domain.base_url, SETTINGS_ID), "version": uuid.uuid4().hex,
            },
        }

    @property
    def issuer(self):
        """The `iss` of the tokens the domain issues now (and discovery's `issuer`): the stored one, or the
        one before it until `issuer_propagation_seconds` have passed since the change."""
        stored = self.resource.get("issuer") or DEFAULT_ISSUER
        if self._issuer_change and self.domain.clock.now() < self._issuer_change[0]:
            return self._issuer_change[1]
        return stored

    @property
    def signing_cert_public(self):
        return bool(self.resource.get("signingCertPublicAccess"))

    def view(self):
        """The stored resource as reads see it.

        Whether a domain that never had a custom issuer shows the default issuer or none at all is
        an open question of the reference note; the `settings_issuer_absent_until_set` option
        chooses (default: shown).
        """
        if "issuer" in self.resource or self.domain.options["settings_issuer_absent_until_set"]:
            return self.resource
        return {**self.resource, "issuer": DEFAULT_ISSUER}

    def get(self, setting_id):
        if setting_id != SETTINGS_ID:
            raise not_found("Settings", setting_id)
        return self.view()

    def replace(self, setting_id, body, if_match=None):
        current = self.get(setting_id)
        check_if_match(self.resource, if_match)
        require_schema(body, SETTINGS_URN)
        payload = SETTINGS_SCHEMA.canonical(body)
        check_replacement(current, payload, SETTINGS_SCHEMA)
        kept = {k: v for k, v in self.resource.items()
                if SETTINGS_SCHEMA.get(k) and SETTINGS_SCHEMA.get(k).mutability != "readWrite"}
        prev_issuer = {"prevIssuer": self.resource["prevIssuer"]} if "prevIssuer" in self.resource else {}
        return self._store({**copy.deepcopy(kept), **copy.deepcopy(FRESH_VALUES), **prev_issuer, **payload})

    def patch(self, setting_id, body, if_match=None):
        self.get(setting_id)
        check_if_match(self.resource, if_match)
        require_schema(body, PATCH_OP_URN)
        return self._store(apply_patch(self.resource, body.get("Operations"), SETTINGS_SCHEMA))

    def _store(self, resource):
        missing = [n for n in ("schemas", "csrAccess") if resource.get(n) in (None, "", [])]
        if missing:
            raise missing_attributes(missing)
        old_issuer, new_issuer = self.issuer, resource.get("issuer") or DEFAULT_ISSUER
        stored_issuer = self.resource.get("issuer") or DEFAULT_ISSUER
        if new_issuer != stored_issuer:
            resource["prevIssuer"] = stored_issuer  # Oracle keeps only one previous issuer
            delay = float(self.domain.options.get("issuer_propagation_seconds") or 0)
            self._issuer_change = (self.domain.clock.now() + delay, old_issuer) if delay > 0 else None
        resource["meta"]["lastModified"] = self.domain.timestamp()
        resource["meta"]["version"] = uuid.uuid4().hex
        self.resource = resource
        return self.view()
