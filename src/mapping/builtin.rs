//! Attribute definitions entramap knows without an export: Entra ID's user object as the
//! provisioning service exposes it, and the SCIM User targets of a non-gallery SCIM app
//! (`customappsso`). Used when a mapping file carries no directory definitions of its own.

use super::model::AttributeDefinition;
use std::sync::OnceLock;

/// `(name, type, multivalued)` of the Entra ID user attributes offered as mapping sources.
const ENTRA_USER: &[(&str, &str, bool)] = &[
    ("accountEnabled", "Boolean", false),
    ("appRoleAssignments", "Reference", true),
    ("city", "String", false),
    ("companyName", "String", false),
    ("country", "String", false),
    ("department", "String", false),
    ("dirSyncEnabled", "Boolean", false),
    ("displayName", "String", false),
    ("employeeHireDate", "DateTime", false),
    ("employeeId", "String", false),
    ("employeeLeaveDateTime", "DateTime", false),
    ("employeeOrgData.costCenter", "String", false),
    ("employeeOrgData.division", "String", false),
    ("employeeType", "String", false),
    ("extensionAttribute1", "String", false),
    ("extensionAttribute2", "String", false),
    ("extensionAttribute3", "String", false),
    ("extensionAttribute4", "String", false),
    ("extensionAttribute5", "String", false),
    ("extensionAttribute6", "String", false),
    ("extensionAttribute7", "String", false),
    ("extensionAttribute8", "String", false),
    ("extensionAttribute9", "String", false),
    ("extensionAttribute10", "String", false),
    ("extensionAttribute11", "String", false),
    ("extensionAttribute12", "String", false),
    ("extensionAttribute13", "String", false),
    ("extensionAttribute14", "String", false),
    ("extensionAttribute15", "String", false),
    ("facsimileTelephoneNumber", "String", false),
    ("givenName", "String", false),
    ("IsSoftDeleted", "Boolean", false),
    ("jobTitle", "String", false),
    ("mail", "String", false),
    ("mailNickname", "String", false),
    ("manager", "Reference", false),
    ("mobile", "String", false),
    ("objectId", "String", false),
    ("onPremisesDistinguishedName", "String", false),
    ("onPremisesDomainName", "String", false),
    ("onPremisesImmutableId", "String", false),
    ("onPremisesSamAccountName", "String", false),
    ("onPremisesSecurityIdentifier", "String", false),
    ("onPremisesUserPrincipalName", "String", false),
    ("originalUserPrincipalName", "String", false),
    ("otherMails", "String", true),
    ("passwordProfile.password", "String", false),
    ("physicalDeliveryOfficeName", "String", false),
    ("postalCode", "String", false),
    ("preferredLanguage", "String", false),
    ("proxyAddresses", "String", true),
    ("showInAddressList", "Boolean", false),
    ("signInSessionsValidFromDateTime", "DateTime", false),
    ("state", "String", false),
    ("streetAddress", "String", false),
    ("surname", "String", false),
    ("telephoneNumber", "String", false),
    ("usageLocation", "String", false),
    ("userPrincipalName", "String", false),
    ("userType", "String", false),
];

/// The User targets of Entra's non-gallery SCIM app (`customappsso`).
const SCIM_USER: &[(&str, &str, bool)] = &[
    ("active", "Boolean", false),
    ("addresses[type eq \"work\"].country", "String", false),
    ("addresses[type eq \"work\"].formatted", "String", false),
    ("addresses[type eq \"work\"].locality", "String", false),
    ("addresses[type eq \"work\"].postalCode", "String", false),
    ("addresses[type eq \"work\"].region", "String", false),
    ("addresses[type eq \"work\"].streetAddress", "String", false),
    ("displayName", "String", false),
    ("emails[type eq \"other\"].value", "String", false),
    ("emails[type eq \"work\"].value", "String", false),
    ("externalId", "String", false),
    ("locale", "String", false),
    ("name.familyName", "String", false),
    ("name.formatted", "String", false),
    ("name.givenName", "String", false),
    ("name.honorificPrefix", "String", false),
    ("name.honorificSuffix", "String", false),
    ("name.middleName", "String", false),
    ("nickName", "String", false),
    ("phoneNumbers[type eq \"fax\"].value", "String", false),
    ("phoneNumbers[type eq \"mobile\"].value", "String", false),
    ("phoneNumbers[type eq \"work\"].value", "String", false),
    ("preferredLanguage", "String", false),
    ("profileUrl", "String", false),
    ("roles[primary eq \"True\"].display", "String", false),
    ("roles[primary eq \"True\"].type", "String", false),
    ("roles[primary eq \"True\"].value", "String", false),
    ("timezone", "String", false),
    ("title", "String", false),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter",
        "String",
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        "String",
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division",
        "String",
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        "String",
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "Reference",
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization",
        "String",
        false,
    ),
    ("userName", "String", false),
    ("userType", "String", false),
];

fn definitions(table: &[(&str, &str, bool)]) -> Vec<AttributeDefinition> {
    table
        .iter()
        .map(|&(name, kind, multivalued)| AttributeDefinition {
            name: name.to_string(),
            kind: kind.to_string(),
            multivalued,
            required: false,
            case_exact: false,
        })
        .collect()
}

/// Entra ID's user attributes.
pub fn entra_user() -> &'static [AttributeDefinition] {
    static CELL: OnceLock<Vec<AttributeDefinition>> = OnceLock::new();
    CELL.get_or_init(|| definitions(ENTRA_USER))
}

/// The SCIM User targets of a non-gallery SCIM app.
pub fn scim_user() -> &'static [AttributeDefinition] {
    static CELL: OnceLock<Vec<AttributeDefinition>> = OnceLock::new();
    CELL.get_or_init(|| definitions(SCIM_USER))
}
