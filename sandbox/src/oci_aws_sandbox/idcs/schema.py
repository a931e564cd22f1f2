"""SCIM schemas of the resources the emulated domain serves: App and Settings.

The attribute tables are the SCIM++ properties that the official SDK (oci 2.189.0,
`oci/identity_domains/models/app.py`, `setting.py` and the models of their complex attributes)
documents for each attribute: type, multiValued, mutability, returned, required, caseExact. Complex
attributes whose sub-attributes matter here (scopes, allowedScopes, basedOnTemplate, meta) carry
their own tables; other complex attributes are opaque objects.

Attribute names are case-insensitive (RFC 7643 section 2.1): `Schema.get` finds an attribute in any
case and with or without the schema URN prefix, and `canonical` rewrites a payload's keys to the
schema's spelling.
"""

from dataclasses import dataclass

from .errors import bad_request

APP_URN = "urn:ietf:params:scim:schemas:oracle:idcs:App"
SETTINGS_URN = "urn:ietf:params:scim:schemas:oracle:idcs:Settings"
PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
STATUS_CHANGER_URN = "urn:ietf:params:scim:schemas:oracle:idcs:AppStatusChanger"
SECRET_REGENERATOR_URN = "urn:ietf:params:scim:schemas:oracle:idcs:AppClientSecretRegenerator"


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    multi_valued: bool
    mutability: str
    returned: str
    required: bool = False
    case_exact: bool = False
    sub_attributes: tuple = ()
    values: tuple = ()  # allowed values (canonical names), empty: any

    def sub(self, name):
        lowered = name.lower()
        for attribute in self.sub_attributes:
            if attribute.name.lower() == lowered:
                return attribute
        return None

    @property
    def opaque(self):
        """A complex attribute whose sub-attributes the emulator does not model."""
        return self.type == "complex" and not self.sub_attributes


def _table(text, subs=None, enums=None):
    """Attributes from lines `name type[[]] mutability returned [required] [caseExact]`."""
    subs = subs or {}
    enums = enums or {}
    attributes = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        name, kind, mutability, returned, *flags = line.split()
        attributes.append(Attribute(
            name=name,
            type=kind.rstrip("[]"),
            multi_valued=kind.endswith("[]"),
            mutability=mutability,
            returned=returned,
            required="required" in flags,
            case_exact="caseExact" in flags,
            sub_attributes=tuple(subs.get(name, ())),
            values=tuple(enums.get(name, ())),
        ))
    return attributes


META = _table("""
    resourceType  string    readOnly  default
    created       dateTime  readOnly  default
    lastModified  dateTime  readOnly  default
    location      string    readOnly  default
    version       string    readOnly  default
""")

APP_SCOPES = _table("""
    value            string   readWrite  default  required caseExact
    fqs              string   readOnly   default  caseExact
    description      string   readWrite  default
    displayName      string   readWrite  default
    requiresConsent  boolean  readWrite  default
    readOnly         boolean  readOnly   request
""")

APP_ALLOWED_SCOPES = _table("""
    fqs              string   readWrite  default  required caseExact
    idOfDefiningApp  string   readOnly   default  caseExact
    readOnly         boolean  readOnly   default
""")

APP_BASED_ON_TEMPLATE = _table("""
    value         string     immutable  always   required caseExact
    $ref          reference  readOnly   default
    lastModified  dateTime   readOnly   default
    wellKnownId   string     immutable  default
""")

# SDK `tags.py` (model Tags): key and value are both required, caseExact false, returned default;
# the App attribute itself is returned only on request, with idcsCompositeKey [key, value].
APP_TAGS = _table("""
    key    string  readWrite  default  required
    value  string  readWrite  default  required
""")

# SDK `app_certificates.py` (model AppCertificates); the App attribute has idcsCompositeKey [certAlias].
APP_CERTIFICATES = _table("""
    certAlias              string  readWrite  always   required
    x509Base64Certificate  string  readWrite  default
    sha1Thumbprint         string  readOnly   default
    kid                    string  readOnly   default
    x5t                    string  readOnly   default
""")

GRANT_TYPES = (
    "authorization_code", "implicit", "password", "client_credentials", "refresh_token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange",
    "tls_client_auth",
)

# The attributes every IDCS resource has (SDK models App and Setting alike: id, ocid, schemas, meta, the idcs*
# audit attributes, tags, domain and compartment OCIDs), the head of each resource's table.
COMMON = """
    id                         string      readOnly    always
    ocid                       string      immutable   default  caseExact
    schemas                    string[]    readWrite   default  required
    meta                       complex     readOnly    default
    idcsCreatedBy              complex     readOnly    default
    idcsLastModifiedBy         complex     readOnly    default
    idcsPreventedOperations    string[]    readOnly    request
    tags                       complex[]   readWrite   request
    deleteInProgress           boolean     readOnly    default
    idcsLastUpgradedInRelease  string      readOnly    request
    domainOcid                 string      readOnly    default
    compartmentOcid            string      readOnly    default
    tenancyOcid                string      readOnly    default
"""

APP = _table(COMMON + """
    meterAsOPCService               boolean    readOnly   always
    name                            string     immutable  default
    clientSecret                    string     readOnly   default
    hashedClientSecret              string     readOnly   request
    displayName                     string     readWrite  always   required
    description                     string     readWrite  default
    idTokenEncAlgo                  string     readWrite  default
    delegatedServiceNames           string[]   readWrite  default  caseExact
    active                          boolean    readWrite  default
    appIcon                         string     readWrite  request
    appThumbnail                    string     readWrite  request
    migrated                        boolean    readOnly   default
    infrastructure                  boolean    readOnly   default
    isLoginTarget                   boolean    readWrite  default
    showInMyApps                    boolean    readWrite  default
    loginMechanism                  string     readWrite  default  caseExact
    landingPageUrl                  string     readWrite  default
    productLogoUrl                  string     readWrite  default
    privacyPolicyUrl                string     readWrite  default
    termsOfServiceUrl               string     readWrite  default
    contactEmailAddress             string     readWrite  default
    productName                     string     readWrite  default
    homePageUrl                     string     readWrite  default
    isFormFill                      boolean    readWrite  default
    isOAuthClient                   boolean    readWrite  default
    isRadiusApp                     boolean    readWrite  default
    clientType                      string     readWrite  default
    redirectUris                    string[]   readWrite  default
    allUrlSchemesAllowed            boolean    readWrite  default
    logoutUri                       string     readWrite  default
    postLogoutRedirectUris          string[]   readWrite  default
    allowedGrants                   string[]   readWrite  default  caseExact
    allowedOperations               string[]   readWrite  default  caseExact
    clientIPChecking                string     readWrite  default  caseExact
    isOPCService                    boolean    readOnly   default
    isUnmanagedApp                  boolean    immutable  default
    allowAccessControl              boolean    readWrite  default
    isOAuthResource                 boolean    readWrite  default
    accessTokenExpiry               integer    readWrite  default
    refreshTokenExpiry              integer    readWrite  default
    allowOffline                    boolean    readWrite  default
    callbackServiceUrl              string     readOnly   default
    audience                        string     readWrite  default
    isMobileTarget                  boolean    readWrite  default
    loginPageUrl                    string     readWrite  default
    linkingCallbackUrl              string     readWrite  default
    logoutPageUrl                   string     readWrite  default
    errorPageUrl                    string     readWrite  default
    isSamlServiceProvider           boolean    readWrite  default
    isWebTierPolicy                 boolean    readWrite  default
    isKerberosRealm                 boolean    readWrite  default
    icon                            string     readWrite  default
    isAliasApp                      boolean    immutable  always
    isManagedApp                    boolean    readOnly   default
    serviceTypeURN                  string     readWrite  default
    serviceTypeVersion              string     readWrite  default
    isObligationCapable             boolean    readWrite  default
    readyToUpgrade                  boolean    readOnly   default
    trustScope                      string     readWrite  default  caseExact
    isDatabaseService               boolean    readOnly   default
    secondaryAudiences              string[]   readWrite  default
    isEnterpriseApp                 boolean    readWrite  default
    bypassConsent                   boolean    readWrite  default
    disableKmsiTokenAuthentication  boolean    readWrite  always
    isMulticloudServiceApp          boolean    immutable  default
    radiusPolicy                    complex    readWrite  default
    appsNetworkPerimeters           complex[]  readWrite  default
    cloudControlProperties          complex[]  readOnly   request
    editableAttributes              complex[]  readOnly   request
    termsOfUse                      complex    readWrite  default
    protectableSecondaryAudiences   complex[]  readWrite  default
    idpPolicy                       complex    readWrite  default
    allowedTags                     complex[]  readWrite  default
    appSignonPolicy                 complex    readWrite  default
    trustPolicies                   complex[]  readWrite  default
    signonPolicy                    complex    readWrite  default
    identityProviders               complex[]  readWrite  request
    accounts                        complex[]  readOnly   request
    grants                          complex[]  readOnly   request
    serviceParams                   complex[]  readWrite  always
    attrRenderingMetadata           complex[]  immutable  default
    basedOnTemplate                 complex    immutable  default  required
    grantedAppRoles                 complex[]  readOnly   default  caseExact
    samlServiceProvider             complex    readWrite  default
    allowedScopes                   complex[]  readWrite  default  caseExact
    certificates                    complex[]  readWrite  default
    aliasApps                       complex[]  readWrite  default  caseExact
    asOPCService                    complex    readWrite  default
    adminRoles                      complex[]  readOnly   request
    userRoles                       complex[]  readOnly   request
    scopes                          complex[]  readWrite  default  caseExact
""", subs={
    "meta": META,
    "scopes": APP_SCOPES,
    "allowedScopes": APP_ALLOWED_SCOPES,
    "basedOnTemplate": APP_BASED_ON_TEMPLATE,
    "tags": APP_TAGS,
    "certificates": APP_CERTIFICATES,
}, enums={
    "clientType": ("confidential", "public", "trusted"),
    "trustScope": ("Explicit", "Account", "Tags", "Default"),
    "allowedOperations": ("introspect", "onBehalfOfUser"),
    "clientIPChecking": ("anywhere", "whitelisted"),
    "allowedGrants": GRANT_TYPES,
})

SETTINGS = _table(COMMON + """
    externalId                                           string     readWrite  default
    contactEmails                                        string[]   readWrite  default
    customBranding                                       boolean    readWrite  default
    preferredLanguage                                    string     readWrite  default
    timezone                                             string     readWrite  default
    diagnosticRecordForSearchIdentifiesReturnedResources boolean    readWrite  default
    reAuthWhenChangingMyAuthenticationFactors            boolean    readWrite  default
    reAuthFactor                                         string[]   readWrite  default
    locale                                               string     readWrite  default
    csrAccess                                            string     readWrite  default  required
    signingCertPublicAccess                              boolean    readWrite  default
    subMappingAttr                                       string     readWrite  default
    accountAlwaysTrustScope                              boolean    readWrite  default
    defaultTrustScope                                    string     readWrite  default
    issuer                                               string     readWrite  default
    prevIssuer                                           string     readWrite  request
    diagnosticLevel                                      integer    readWrite  default
    diagnosticTracingUpto                                string     readOnly   default
    allowedDomains                                       string[]   readWrite  default
    enableTermsOfUse                                     boolean    readWrite  default
    termsOfUseUrl                                        string     readWrite  default
    privacyPolicyUrl                                     string     readWrite  default
    migrationStatus                                      string     readOnly   default  caseExact
    onPremisesProvisioning                               boolean    readOnly   default
    allowedForgotPasswordFlowReturnUrls                  string[]   readWrite  default
    allowedNotificationRedirectUrls                      string[]   readWrite  default
    auditEventRetentionPeriod                            integer    readWrite  default
    isHostedPage                                         boolean    readWrite  default
    customHtmlLocation                                   string     readWrite  default
    customCssLocation                                    string     readWrite  default
    customTranslation                                    string     readWrite  default
    cloudAccountName                                     string     readOnly   default
    cloudMigrationUrlEnabled                             boolean    readWrite  default
    cloudMigrationCustomUrl                              string     readWrite  default
    serviceAdminCannotListOtherUsers                     boolean    readWrite  default
    maxNoOfAppRoleMembersToReturn                        integer    readWrite  default
    maxNoOfAppCMVAToReturn                               integer    readWrite  default
    iamUpstSessionExpiry                                 integer    readWrite  default
    cloudGateCorsSettings                                complex    readWrite  default
    certificateValidation                                complex    readWrite  default
    tenantCustomClaims                                   complex[]  readWrite  default
    purgeConfigs                                         complex[]  readWrite  default
    defaultCompanyNames                                  complex[]  readOnly   default
    defaultLoginTexts                                    complex[]  readOnly   default
    defaultImages                                        complex[]  readOnly   default
    companyNames                                         complex[]  readWrite  default
    loginTexts                                           complex[]  readWrite  default
    images                                               complex[]  readWrite  default
""", subs={"meta": META}, enums={
    "csrAccess": ("readOnly", "readWrite", "none"),
    "defaultTrustScope": ("Explicit", "Account", "Tags"),
})

_PYTHON_TYPES = {
    "string": str, "reference": str, "dateTime": str, "boolean": bool, "integer": int, "complex": dict,
}


class Schema:
    """One resource type's schema: attribute look-up, key canonicalisation and value checks."""

    def __init__(self, urn, resource_type, attributes, searchable=None):
        self.urn = urn
        self.resource_type = resource_type
        self.attributes = {a.name.lower(): a for a in attributes}
        self._searchable = None if searchable is None else {n.lower() for n in searchable}

    def searchable(self, name):
        """Whether a filter may name attribute `name` (SDK `idcsSearchable`; `meta` as SCIM's common attribute)."""
        return self._searchable is None or name.lower() in self._searchable or name.lower() == "meta"

    def get(self, name):
        """The attribute called `name` (any case, optionally prefixed with this schema's URN)."""
        lowered = name.lower()
        prefix = self.urn.lower() + ":"
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix):]
        return self.attributes.get(lowered)

    def attribute(self, name):
        """`get`, but an unknown name is a 400 (invalidPath)."""
        attribute = self.get(name)
        if attribute is None:
            raise bad_request("Attribute %s is not defined for %s." % (name, self.resource_type), "invalidPath")
        return attribute

    def canonical(self, payload):
        """`payload` with its keys (and modelled sub-attribute keys) in the schema's spelling.

        Keys that name a schema extension (`urn:...`) are kept as they are; any other unknown key
        is a 400, as is a value of the wrong type or outside the attribute's allowed values. Keys
        whose value is null are dropped (an absent attribute).
        """
        if not isinstance(payload, dict):
            raise bad_request("The request body must be a JSON object.", "invalidSyntax")
        result = {}
        for key, value in payload.items():
            if value is None:
                continue
            if key.lower().startswith("urn:") and self.get(key) is None:
                result[key] = value
                continue
            attribute = self.attribute(key)
            result[attribute.name] = canonical_value(attribute, value)
        return result


def canonical_value(attribute, value):
    """`value` checked against `attribute` (type, multiValued, allowed values), keys canonicalised."""
    if attribute.multi_valued:
        if not isinstance(value, list):
            raise bad_request("Attribute %s is multi-valued: its value must be an array." % attribute.name, "invalidValue")
        return [_single(attribute, item) for item in value if item is not None]
    return _single(attribute, value)


def _single(attribute, value):
    expected = _PYTHON_TYPES.get(attribute.type, object)
    wrong_bool = attribute.type == "integer" and isinstance(value, bool)
    if not isinstance(value, expected) or wrong_bool:
        raise bad_request("Invalid value for attribute %s: expected %s." % (attribute.name, attribute.type), "invalidValue")
    if attribute.values and value not in attribute.values:
        raise bad_request(
            "Invalid value %s for attribute %s; allowed values: %s." % (value, attribute.name, ", ".join(attribute.values)),
            "invalidValue",
        )
    if attribute.opaque or attribute.type != "complex":
        return value
    result = {}
    for key, sub_value in value.items():
        if sub_value is None:
            continue
        sub = attribute.sub(key)
        if sub is None:
            raise bad_request("Attribute %s.%s is not defined." % (attribute.name, key), "invalidPath")
        result[sub.name] = _single(sub, sub_value)
    return result


# The App and Setting attributes whose SDK docstrings say `idcsSearchable: true` (oci 2.189.0).
APP_SEARCHABLE = (
    "accounts", "active", "aliasApps", "allUrlSchemesAllowed", "allowAccessControl", "allowOffline", "allowedGrants",
    "allowedOperations", "allowedScopes", "allowedTags", "deleteInProgress", "description", "displayName",
    "grantedAppRoles", "grants", "id", "infrastructure", "isAliasApp", "isDatabaseService", "isEnterpriseApp",
    "isFormFill", "isKerberosRealm", "isLoginTarget", "isManagedApp", "isMobileTarget", "isMulticloudServiceApp",
    "isOAuthClient", "isOAuthResource", "isOPCService", "isObligationCapable", "isRadiusApp", "isSamlServiceProvider",
    "isUnmanagedApp", "isWebTierPolicy", "loginMechanism", "migrated", "name", "ocid", "readyToUpgrade", "scopes",
    "serviceTypeURN", "serviceTypeVersion", "showInMyApps", "tags", "trustPolicies",
)
SETTINGS_SEARCHABLE = ("deleteInProgress", "id", "ocid", "tags")

APP_SCHEMA = Schema(APP_URN, "App", APP, searchable=APP_SEARCHABLE)
SETTINGS_SCHEMA = Schema(SETTINGS_URN, "Settings", SETTINGS, searchable=SETTINGS_SEARCHABLE)
