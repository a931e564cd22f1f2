"""The two error shapes of an identity domain: SCIM errors on `/admin/` and OAuth errors on the token
endpoint.

SCIM error body (identity domains "Response Body" doc, "Simple Response Body on Error" and
"Validation Exception Response Example"):

    {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": "...", "status": "400"}

Every SCIM error carries the Oracle extension (`urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error`
with a `messageId`), as every error example of Oracle's docs does. Where the real id is documented
(`error.common.validation.missingReqAttributes`, `error.common.validation.invalidReferenceResource`) it
is that one; elsewhere the id is *sandbox wording* in Oracle's pattern (`DEFAULT_MESSAGE_IDS`): clients
may show it, tests must not rely on its text. `scimType` is added where RFC 7644 section 3.12 defines
one (uniqueness, mutability, invalidFilter, invalidPath, noTarget, ...).

OAuth error body (RFC 6749 section 5.2): `{"error": "...", "error_description": "..."}`.
"""

SCIM_ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
IDCS_ERROR_URN = "urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error"


# messageId by scimType, then by status, where the error does not name one (sandbox wording).
DEFAULT_MESSAGE_IDS = {
    "uniqueness": "error.common.validation.uniqueness",
    "mutability": "error.common.validation.mutability",
    "invalidFilter": "error.common.search.invalidFilter",
    "invalidPath": "error.common.validation.invalidPath",
    "invalidValue": "error.common.validation.invalidValue",
    "invalidSyntax": "error.common.validation.invalidSyntax",
    "noTarget": "error.common.validation.noTarget",
    400: "error.common.validation.badRequest",
    401: "error.common.common.unauthenticated",
    403: "error.common.common.unauthorized",
    404: "error.common.common.resourceNotFound",
    405: "error.common.common.methodNotAllowed",
    409: "error.common.common.conflict",
    412: "error.common.common.preconditionFailed",
}


class ScimError(Exception):
    """An error answered by the SCIM (`/admin/`) endpoints."""

    def __init__(self, status, detail, scim_type=None, message_id=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.message_id = message_id

    def body(self):
        message_id = (self.message_id or DEFAULT_MESSAGE_IDS.get(self.scim_type)
                      or DEFAULT_MESSAGE_IDS.get(self.status, "error.common.common.error"))
        body = {"schemas": [SCIM_ERROR_URN, IDCS_ERROR_URN], "detail": self.detail, "status": str(self.status)}
        if self.scim_type:
            body["scimType"] = self.scim_type
        body[IDCS_ERROR_URN] = {"messageId": message_id}
        return body


def bad_request(detail, scim_type=None):
    return ScimError(400, detail, scim_type)


def missing_attributes(names):
    """The documented validation error (identity domains "Response Body" doc)."""
    return ScimError(
        400, "Missing required attribute(s): %s." % ",".join(names),
        message_id="error.common.validation.missingReqAttributes",
    )


def not_found(resource_type, resource_id):
    return ScimError(404, "Resource %s of type %s not found." % (resource_id, resource_type))


def read_only(name):
    """PUT/PATCH naming a readOnly attribute: 400 (SCIM++ text in the SDK's put_app/patch_app docs)."""
    return ScimError(400, "Attribute %s is read-only and cannot be updated." % name, "mutability")


def immutable(name):
    """PUT/PATCH naming an immutable attribute that already has a value: 400 (same SDK docs)."""
    return ScimError(400, "Attribute %s is immutable and already has a value." % name, "mutability")


class OAuthError(Exception):
    """An error answered by `/oauth2/v1/token` (RFC 6749 section 5.2)."""

    def __init__(self, status, error, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self):
        return {"error": self.error, "error_description": self.description}
