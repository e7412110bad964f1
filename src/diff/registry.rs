//! The one table of `diff` findings: each a code (`DF0xx`), a name, whether it is a risk or a
//! repair, and what to do about it.

use serde::Serialize;

/// Whether a finding makes a change dangerous or fixes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The change can hurt users or the app (`--fail-on risk` fails on these).
    Risk,
    /// The change repairs something the old mapping got wrong.
    Repair,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Risk => "risk",
            Kind::Repair => "repair",
        }
    }
}

/// A finding's identity and documentation.
#[derive(Debug)]
pub struct FindingMeta {
    /// Stable code, `DF0xx`.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    pub kind: Kind,
    /// One line: what the finding means.
    pub summary: &'static str,
    /// What to do about it.
    pub advice: &'static str,
}

pub const MATCHING_CHANGED: FindingMeta = FindingMeta {
    code: "DF001",
    name: "matching-changed",
    kind: Kind::Risk,
    summary: "the matching attribute, its priority or its source changed",
    advice: "Entra finds a user's existing account in the app by the matching attribute; after the first sync a new matching value finds nothing, so Entra creates a duplicate or the app answers 409 on every cycle. Change it only before the first sync, or first update the values in the app so the new source finds every existing user.",
};

pub const EXTERNAL_ID_SOURCE_CHANGED: FindingMeta = FindingMeta {
    code: "DF002",
    name: "external-id-source-changed",
    kind: Kind::Risk,
    summary: "the source of externalId changed",
    advice: "apps key their users on externalId; a new source rewrites it for every existing user (apps that treat it as immutable answer 409 or create duplicates). Check that the app accepts the change, or keep the old source.",
};

pub const USER_NAME_SOURCE_CHANGED: FindingMeta = FindingMeta {
    code: "DF003",
    name: "user-name-source-changed",
    kind: Kind::Risk,
    summary: "the source of userName changed",
    advice: "userName is the login and usually unique in the app; a new source renames every existing user and can collide with other accounts. Announce the rename, or keep the old source.",
};

pub const ACTIVE_STOPS_FLOWING: FindingMeta = FindingMeta {
    code: "DF004",
    name: "active-stops-flowing",
    kind: Kind::Risk,
    summary: "active no longer reaches the app for some IsSoftDeleted/accountEnabled input",
    advice: "without a value for active, the app is never told that a user was disabled or unassigned, and keeps the account active. Keep a mapping to active that yields a value for every input, e.g. Switch([IsSoftDeleted], , \"False\", \"true\", \"True\", \"false\").",
};

pub const ACTIVE_STARTS_FLOWING: FindingMeta = FindingMeta {
    code: "DF005",
    name: "active-starts-flowing",
    kind: Kind::Repair,
    summary: "active now reaches the app for an IsSoftDeleted/accountEnabled input it did not before",
    advice: "on the next cycle Entra sends active to users whose state the app never heard of: disabled and unassigned users are deactivated in the app. Expect that wave of PATCH requests.",
};

pub const NEW_TARGET_NOT_ALLOWED: FindingMeta = FindingMeta {
    code: "DF006",
    name: "new-target-not-allowed",
    kind: Kind::Risk,
    summary: "a target newly sent that the profile's app does not accept",
    advice: "the app rejects or ignores the attribute (`entramap explain PROFILE` lists what it accepts); remove the mapping.",
};

pub const SCOPE_WIDENED: FindingMeta = FindingMeta {
    code: "DF007",
    name: "scope-widened",
    kind: Kind::Risk,
    summary: "the scoping filter admits users it did not admit before",
    advice: "every newly admitted user is created in the app on the next cycle; check the count with --users.",
};

pub const SCOPE_NARROWED: FindingMeta = FindingMeta {
    code: "DF008",
    name: "scope-narrowed",
    kind: Kind::Risk,
    summary: "the scoping filter no longer admits users it admitted before",
    advice: "every user who leaves the scope is soft-deleted: deactivated (or deleted) in the app on the next cycle; check the count with --users.",
};

pub const SCOPE_CHANGED: FindingMeta = FindingMeta {
    code: "DF009",
    name: "scope-changed",
    kind: Kind::Risk,
    summary: "the scoping filter changed so that some users may enter and others leave",
    advice: "users who enter are created in the app, users who leave are deactivated; check both counts with --users.",
};

/// Every finding, in code order.
pub static FINDINGS: &[&FindingMeta] = &[
    &MATCHING_CHANGED,
    &EXTERNAL_ID_SOURCE_CHANGED,
    &USER_NAME_SOURCE_CHANGED,
    &ACTIVE_STOPS_FLOWING,
    &ACTIVE_STARTS_FLOWING,
    &NEW_TARGET_NOT_ALLOWED,
    &SCOPE_WIDENED,
    &SCOPE_NARROWED,
    &SCOPE_CHANGED,
];

/// A finding by name or code (any case).
pub fn find(key: &str) -> Option<&'static FindingMeta> {
    FINDINGS
        .iter()
        .copied()
        .find(|m| m.name.eq_ignore_ascii_case(key) || m.code.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_in_order() {
        for (i, m) in FINDINGS.iter().enumerate() {
            assert_eq!(m.code, format!("DF{:03}", i + 1));
            assert_eq!(find(m.name).map(|f| f.code), Some(m.code));
        }
        let lint_names: Vec<&str> = crate::lint::registry::RULES
            .iter()
            .map(|r| r.meta().name)
            .collect();
        for m in FINDINGS {
            assert!(
                !lint_names.contains(&m.name),
                "{} is a lint rule name",
                m.name
            );
        }
    }
}
