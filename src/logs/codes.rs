//! Entra's provisioning error codes, with what they mean and what to do about them.
//!
//! Source: the "Error codes" table of MicrosoftDocs/entra-docs
//! `docs/identity/monitoring-health/howto-analyze-provisioning-logs.md`, restated in entramap's
//! words. Real codes may carry the app's name in front (`ContosoEntryConflict` in the Graph
//! list example): a code is matched by its longest documented suffix.

/// One documented error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    pub code: &'static str,
    /// What happened.
    pub meaning: &'static str,
    /// What to do.
    pub remedy: &'static str,
    /// Entra retries the operation by itself; nothing in the mapping causes it.
    pub transient: bool,
}

const RETRIED: &str =
    "Nothing to change: Entra retries the operation in a later cycle (about 40 minutes later).";

const fn code(
    code: &'static str,
    meaning: &'static str,
    remedy: &'static str,
    transient: bool,
) -> ErrorCode {
    ErrorCode {
        code,
        meaning,
        remedy,
        transient,
    }
}

/// Every code of the documented table.
pub const CODES: &[ErrorCode] = &[
    code(
        "Conflict",
        "The app already holds an object with a conflicting value.",
        "Fix the conflicting value in Entra ID or in the app, or, if the existing account should have been matched and taken over, review the matching attributes.",
        false,
    ),
    code(
        "EntryConflict",
        "The app already holds an object with a conflicting value.",
        "Fix the conflicting value in Entra ID or in the app, or, if the existing account should have been matched and taken over, review the matching attributes.",
        false,
    ),
    code(
        "TooManyRequests",
        "The app refused the request because it is overloaded.",
        RETRIED,
        true,
    ),
    code(
        "InternalServerError",
        "The app answered with an unexpected server error.",
        RETRIED,
        true,
    ),
    code(
        "InsufficientRights",
        "Entra signed in to the app but is not allowed to make this change.",
        "Check the permissions of the account or token the app gave Entra, following the app's provisioning tutorial.",
        false,
    ),
    code(
        "MethodNotAllowed",
        "Entra signed in to the app but is not allowed to make this change.",
        "Check the permissions of the account or token the app gave Entra, following the app's provisioning tutorial.",
        false,
    ),
    code(
        "NotPermitted",
        "Entra signed in to the app but is not allowed to make this change.",
        "Check the permissions of the account or token the app gave Entra, following the app's provisioning tutorial.",
        false,
    ),
    code(
        "Unauthorized",
        "Entra signed in to the app but is not allowed to make this change.",
        "Check the permissions of the account or token the app gave Entra, following the app's provisioning tutorial.",
        false,
    ),
    code(
        "UnprocessableEntity",
        "The app answered in a way Entra did not expect.",
        "Check the app's provisioning configuration, or whether the app has a service problem.",
        false,
    ),
    code(
        "WebExceptionProtocolError",
        "An HTTP protocol error occurred while connecting to the app.",
        RETRIED,
        true,
    ),
    code(
        "InvalidAnchor",
        "An object Entra created or matched earlier no longer exists in the app.",
        "Make sure the object exists; to match every user again, restart the job (a full cycle, and the service's cache is cleared).",
        false,
    ),
    code(
        "NotImplemented",
        "The app answered in a way Entra did not expect.",
        "Check the app's provisioning configuration and its tutorial, or whether the app has a service problem.",
        false,
    ),
    code(
        "MandatoryFieldsMissing",
        "The object could not be created because required values are missing.",
        "Fill in the missing source values, or check that the mappings (matching attributes included) provide every required field.",
        false,
    ),
    code(
        "MissingValues",
        "The object could not be created because required values are missing.",
        "Fill in the missing source values, or check that the mappings (matching attributes included) provide every required field.",
        false,
    ),
    code(
        "SchemaAttributeNotFound",
        "A mapping writes an attribute the app does not have.",
        "Remove the mapping or point it at an attribute the app's schema has.",
        false,
    ),
    code(
        "InternalError",
        "Entra's provisioning service failed internally.",
        RETRIED,
        true,
    ),
    code(
        "InvalidDomain",
        "A value holds a domain name the app does not accept.",
        "Change the domain in the user's value, or allow the domain in the app.",
        false,
    ),
    code("Timeout", "The app took too long to answer.", RETRIED, true),
    code(
        "LicenseLimitExceeded",
        "The app has no licence left for this user.",
        "Buy more licences in the app, or review which users are assigned and with which attributes.",
        false,
    ),
    code(
        "DuplicateTargetEntries",
        "More than one object in the app has the matching attributes' values.",
        "Remove the duplicate from the app, or choose other matching attributes.",
        false,
    ),
    code(
        "DuplicateSourceEntries",
        "More than one source user has the matching attributes' values.",
        "Remove the duplicate user, or choose other matching attributes.",
        false,
    ),
    code(
        "ImportSkipped",
        "The user could not be imported, usually because it has no value for the matching attribute (scoping was not evaluated).",
        "Give the user a value for the matching attribute, or map the matching attribute from one every user has.",
        false,
    ),
    code(
        "EntrySynchronizationSkipped",
        "The user was read and nothing was done: out of scope, or already in sync.",
        "Nothing, unless the user should be in scope: then check the assignment and scoping filters.",
        false,
    ),
    code(
        "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse",
        "A GET for one user or group returned several.",
        "Make the SCIM endpoint honour the filter (and excluded attributes) it is given.",
        false,
    ),
    code(
        "SystemForCrossDomainIdentityManagementServiceIncompatible",
        "Entra could not read the SCIM app's response.",
        "Have the app's developer make the endpoint compatible with Entra's SCIM client.",
        false,
    ),
    code(
        "SchemaPropertyCanOnlyAcceptValue",
        "The app's attribute takes one value but the source has several.",
        "Map a single-valued source to it, make the source single-valued, or remove the mapping.",
        false,
    ),
];

/// The documented code a logged code is, if any: itself, or its longest documented suffix
/// (`ContosoEntryConflict` is `EntryConflict`). Letter case is ignored.
pub fn lookup(logged: &str) -> Option<&'static ErrorCode> {
    let lower = logged.trim().to_ascii_lowercase();
    CODES
        .iter()
        .filter(|c| lower.ends_with(&c.code.to_ascii_lowercase()))
        .max_by_key(|c| c.code.len())
}

/// Whether the documented remedy for a code is about the matching attributes.
pub fn concerns_matching(code: &str) -> bool {
    [
        "Conflict",
        "EntryConflict",
        "DuplicateTargetEntries",
        "DuplicateSourceEntries",
        "ImportSkipped",
        "MandatoryFieldsMissing",
        "MissingValues",
    ]
    .contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_prefixed_codes_find_their_longest_documented_suffix() {
        assert_eq!(
            lookup("ContosoEntryConflict").unwrap().code,
            "EntryConflict"
        );
        assert_eq!(lookup("Conflict").unwrap().code, "Conflict");
        assert_eq!(lookup("timeout").unwrap().code, "Timeout");
        assert!(lookup("SomethingElse").is_none());
        assert_eq!(CODES.len(), 26);
    }
}
