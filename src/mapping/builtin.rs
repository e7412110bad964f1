//! Attribute definitions entramap knows without an export: Entra ID's user object as the
//! provisioning service exposes it, and the SCIM User targets of a non-gallery SCIM app
//! (`customappsso`). Used when a mapping file carries no directory definitions of its own.

use super::model::AttributeDefinition;
use super::schema::AttrType;
use std::sync::OnceLock;

/// `(name, type, multivalued)` of the Entra ID user attributes offered as mapping sources.
const ENTRA_USER: &[(&str, AttrType, bool)] = &[
    ("accountEnabled", AttrType::Boolean, false),
    ("appRoleAssignments", AttrType::Reference, true),
    ("city", AttrType::String, false),
    ("companyName", AttrType::String, false),
    ("country", AttrType::String, false),
    ("department", AttrType::String, false),
    ("dirSyncEnabled", AttrType::Boolean, false),
    ("displayName", AttrType::String, false),
    ("employeeHireDate", AttrType::DateTime, false),
    ("employeeId", AttrType::String, false),
    ("employeeLeaveDateTime", AttrType::DateTime, false),
    ("employeeOrgData.costCenter", AttrType::String, false),
    ("employeeOrgData.division", AttrType::String, false),
    ("employeeType", AttrType::String, false),
    ("extensionAttribute1", AttrType::String, false),
    ("extensionAttribute2", AttrType::String, false),
    ("extensionAttribute3", AttrType::String, false),
    ("extensionAttribute4", AttrType::String, false),
    ("extensionAttribute5", AttrType::String, false),
    ("extensionAttribute6", AttrType::String, false),
    ("extensionAttribute7", AttrType::String, false),
    ("extensionAttribute8", AttrType::String, false),
    ("extensionAttribute9", AttrType::String, false),
    ("extensionAttribute10", AttrType::String, false),
    ("extensionAttribute11", AttrType::String, false),
    ("extensionAttribute12", AttrType::String, false),
    ("extensionAttribute13", AttrType::String, false),
    ("extensionAttribute14", AttrType::String, false),
    ("extensionAttribute15", AttrType::String, false),
    ("facsimileTelephoneNumber", AttrType::String, false),
    ("givenName", AttrType::String, false),
    ("IsSoftDeleted", AttrType::Boolean, false),
    ("jobTitle", AttrType::String, false),
    ("mail", AttrType::String, false),
    ("mailNickname", AttrType::String, false),
    ("manager", AttrType::Reference, false),
    ("mobile", AttrType::String, false),
    ("objectId", AttrType::String, false),
    ("onPremisesDistinguishedName", AttrType::String, false),
    ("onPremisesDomainName", AttrType::String, false),
    ("onPremisesImmutableId", AttrType::String, false),
    ("onPremisesSamAccountName", AttrType::String, false),
    ("onPremisesSecurityIdentifier", AttrType::String, false),
    ("onPremisesUserPrincipalName", AttrType::String, false),
    ("originalUserPrincipalName", AttrType::String, false),
    ("otherMails", AttrType::String, true),
    ("passwordProfile.password", AttrType::String, false),
    ("physicalDeliveryOfficeName", AttrType::String, false),
    ("postalCode", AttrType::String, false),
    ("preferredLanguage", AttrType::String, false),
    ("proxyAddresses", AttrType::String, true),
    ("showInAddressList", AttrType::Boolean, false),
    ("signInSessionsValidFromDateTime", AttrType::DateTime, false),
    ("state", AttrType::String, false),
    ("streetAddress", AttrType::String, false),
    ("surname", AttrType::String, false),
    ("telephoneNumber", AttrType::String, false),
    ("usageLocation", AttrType::String, false),
    ("userPrincipalName", AttrType::String, false),
    ("userType", AttrType::String, false),
];

/// The User targets of Entra's non-gallery SCIM app (`customappsso`).
const SCIM_USER: &[(&str, AttrType, bool)] = &[
    ("active", AttrType::Boolean, false),
    (
        "addresses[type eq \"work\"].country",
        AttrType::String,
        false,
    ),
    (
        "addresses[type eq \"work\"].formatted",
        AttrType::String,
        false,
    ),
    (
        "addresses[type eq \"work\"].locality",
        AttrType::String,
        false,
    ),
    (
        "addresses[type eq \"work\"].postalCode",
        AttrType::String,
        false,
    ),
    (
        "addresses[type eq \"work\"].region",
        AttrType::String,
        false,
    ),
    (
        "addresses[type eq \"work\"].streetAddress",
        AttrType::String,
        false,
    ),
    ("displayName", AttrType::String, false),
    ("emails[type eq \"other\"].value", AttrType::String, false),
    ("emails[type eq \"work\"].value", AttrType::String, false),
    ("externalId", AttrType::String, false),
    ("locale", AttrType::String, false),
    ("name.familyName", AttrType::String, false),
    ("name.formatted", AttrType::String, false),
    ("name.givenName", AttrType::String, false),
    ("name.honorificPrefix", AttrType::String, false),
    ("name.honorificSuffix", AttrType::String, false),
    ("name.middleName", AttrType::String, false),
    ("nickName", AttrType::String, false),
    (
        "phoneNumbers[type eq \"fax\"].value",
        AttrType::String,
        false,
    ),
    (
        "phoneNumbers[type eq \"mobile\"].value",
        AttrType::String,
        false,
    ),
    (
        "phoneNumbers[type eq \"work\"].value",
        AttrType::String,
        false,
    ),
    ("preferredLanguage", AttrType::String, false),
    ("profileUrl", AttrType::String, false),
    (
        "roles[primary eq \"True\"].display",
        AttrType::String,
        false,
    ),
    ("roles[primary eq \"True\"].type", AttrType::String, false),
    ("roles[primary eq \"True\"].value", AttrType::String, false),
    ("timezone", AttrType::String, false),
    ("title", AttrType::String, false),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter",
        AttrType::String,
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        AttrType::String,
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division",
        AttrType::String,
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        AttrType::String,
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        AttrType::Reference,
        false,
    ),
    (
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization",
        AttrType::String,
        false,
    ),
    ("userName", AttrType::String, false),
    ("userType", AttrType::String, false),
];

fn definitions(table: &[(&str, AttrType, bool)]) -> Vec<AttributeDefinition> {
    table
        .iter()
        .map(|&(name, kind, multivalued)| AttributeDefinition {
            name: name.to_string(),
            ty: kind,
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
