//! Directory functions: AppRoleAssignments, AppRoleAssignmentsComplex,
//! AssertiveAppRoleAssignmentsComplex, CRef, DNComponent, SelectUniqueValue,
//! SingleAppRoleAssignment. (DefaultDomain needs the tenant and is not evaluated offline.)
//!
//! # The shape of `appRoleAssignments`
//!
//! `[appRoleAssignments]` is a multi-valued attribute holding the user's app-role assignments for
//! the application being provisioned. Each value is either
//!
//! * a role name, such as `"Admin"` (used as both the role's display name and its value), or
//! * a JSON object as text, `{"id": "…", "displayName": "Admin", "value": "admin"}`, every member
//!   optional (in a JSON or YAML input file the object may be written directly inside the list;
//!   it is read as its JSON text).
//!
//! A role's value is its `value`, else its `displayName`; its display is its `displayName`, else
//! its `value`. For example:
//!
//! ```json
//! {"appRoleAssignments": ["Reader", {"id": "5d2a…", "displayName": "Administrator", "value": "admin"}]}
//! ```
//!
//! Graph's parseExpression sample sends `"appRoleAssignments": ["Default Assignment"]`, which is
//! the first form.
//!
//! `AppRoleAssignmentsComplex` and `AssertiveAppRoleAssignmentsComplex` produce one SCIM `roles`
//! entry per assignment, each as JSON text
//! `{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"…","value":"…"}`;
//! `SingleAppRoleAssignment` produces the one role's value (several roles are an error, as in
//! Entra); `AppRoleAssignments` (undocumented)
//! the values of all roles.

use super::{null, owned};
use crate::eval::{Args, EvalErrorKind, Res, Value};
use std::borrow::Cow;

/// One app-role assignment, read from a value of `appRoleAssignments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: Option<String>,
    pub display: String,
    pub value: String,
}

impl Role {
    /// Reads one value of `appRoleAssignments`: a JSON object text or a plain role name.
    pub fn parse(text: &str) -> Role {
        if text.trim_start().starts_with('{')
            && let Ok(serde_json::Value::Object(obj)) = serde_json::from_str(text)
        {
            let field = |k: &str| match obj.get(k) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            };
            let display = field("displayName");
            let value = field("value");
            return Role {
                id: field("id"),
                display: display
                    .clone()
                    .or_else(|| value.clone())
                    .unwrap_or_default(),
                value: value.or(display).unwrap_or_default(),
            };
        }
        Role {
            id: None,
            display: text.to_string(),
            value: text.to_string(),
        }
    }

    /// The SCIM `roles` entry Entra sends for this assignment, as compact JSON.
    pub fn scim_entry(&self, primary: bool) -> String {
        serde_json::json!({
            "primary": primary,
            "type": "WindowsAzureActiveDirectoryRole",
            "display": self.display,
            "value": self.value,
        })
        .to_string()
    }
}

fn roles(a: &Args<'_, '_>) -> Result<Vec<Role>, crate::eval::Stop> {
    let v = a.value(0)?;
    Ok(match &*v {
        Value::Null => Vec::new(),
        Value::Multi(values) => values.iter().map(|s| Role::parse(s)).collect(),
        other => a
            .as_text(0, Cow::Borrowed(other))?
            .map(|t| vec![Role::parse(&t)])
            .unwrap_or_default(),
    })
}

fn complex<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let entries: Vec<String> = roles(a)?.iter().map(|r| r.scim_entry(false)).collect();
    if entries.is_empty() {
        return Ok(null());
    }
    owned(Value::Multi(entries))
}

pub fn app_role_assignments_complex<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    complex(a)
}

pub fn assertive_app_role_assignments_complex<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    complex(a)
}

/// Entra's words when a user has several roles (quoted in MicrosoftDocs/azure-docs issue #42487).
pub const MORE_THAN_ONE_ROLE: &str = "No more than one app role assignment was expected";

/// `SingleAppRoleAssignment([appRoleAssignments])`: the value of the user's one role; no value
/// without a role; with two or more roles Entra fails the user, and so does this.
pub fn single_app_role_assignment<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let mut roles = roles(a)?;
    match roles.len() {
        0 => Ok(null()),
        1 => owned(Value::Str(roles.swap_remove(0).value)),
        n => {
            const SHOWN: usize = 5;
            let mut names: Vec<&str> = roles.iter().take(SHOWN).map(|r| r.value.as_str()).collect();
            if n > SHOWN {
                names.push("…");
            }
            Err(a.fail(
                EvalErrorKind::MoreThanOneAssignment,
                format!(
                    "the user has {n} app role assignments ({}); Entra fails such a user: \"{MORE_THAN_ONE_ROLE}\"",
                    names.join(", ")
                ),
            ))
        }
    }
}

pub fn app_role_assignments<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let values: Vec<String> = roles(a)?.into_iter().map(|r| r.value).collect();
    if values.is_empty() {
        return Ok(null());
    }
    owned(Value::Multi(values))
}

/// `CRef(value)`: undocumented (a cloud-sync example wraps a DN in it for DNComponent); the value
/// unchanged.
pub fn cref<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    a.value(0)
}

/// `DNComponent(dn, componentNumber)`: the value of the n-th RDN from the left
/// (`cn=Joe,ou=Sales,…` gives `Joe` for 1), with DN escapes (`\,`) removed; null when the DN has
/// fewer components.
pub fn dn_component<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let dn = a.text(0)?;
    let n = a.require_int(1)?;
    if n < 1 {
        return Err(a.fail_at(1, EvalErrorKind::InvalidArgument, "components count from 1"));
    }
    let Some(dn) = dn else {
        return Ok(null());
    };
    let components = split_dn(&dn);
    match components.get(usize::try_from(n - 1).unwrap_or(usize::MAX)) {
        Some(rdn) => owned(Value::Str(rdn_value(rdn))),
        None => Ok(null()),
    }
}

/// The RDNs of a DN, split at unescaped, unquoted commas (or semicolons).
fn split_dn(dn: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut escaped, mut quoted) = (0, false, false);
    for (i, c) in dn.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ',' | ';' if !quoted => {
                out.push(dn[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(dn[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// The value of an RDN (`cn=Joe` → `Joe`), unescaped and unquoted.
fn rdn_value(rdn: &str) -> String {
    let value = rdn.split_once('=').map_or(rdn, |(_, v)| v).trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `SelectUniqueValue(rule1, rule2, …)`: evaluates the rules in order and returns the first value
/// not already present in the target (`Context::existing`, compared ignoring case as directory
/// lookups do); a rule that yields null or `""` is passed over. When every value is taken the
/// object would be escrowed: an error.
pub fn select_unique_value<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let existing = a.existing();
    let mut tried = Vec::new();
    for i in 0..a.len() {
        let v = a.value(i)?;
        let Some(text) = a.as_text(i, v)? else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        let lower = text.to_lowercase();
        if existing.iter().any(|e| e.to_lowercase() == lower) {
            tried.push(text.into_owned());
            continue;
        }
        return owned(Value::Str(text.into_owned()));
    }
    Err(a.fail(
        EvalErrorKind::NoUniqueValue,
        if tried.is_empty() {
            "no rule produced a value".to_string()
        } else {
            format!("every candidate is already taken: {}", tried.join(", "))
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_names_and_objects() {
        assert_eq!(
            Role::parse("Admin"),
            Role {
                id: None,
                display: "Admin".into(),
                value: "Admin".into()
            }
        );
        let r = Role::parse(r#"{"id":"1","displayName":"Administrator","value":"admin"}"#);
        assert_eq!(
            (r.display.as_str(), r.value.as_str()),
            ("Administrator", "admin")
        );
        assert_eq!(
            Role::parse(r#"{"displayName":"Reader"}"#).scim_entry(false),
            r#"{"display":"Reader","primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"Reader"}"#
                .replace(
                    r#"{"display":"Reader","primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"Reader"}"#,
                    &Role::parse("Reader").scim_entry(false)
                )
        );
    }

    #[test]
    fn distinguished_names() {
        let dn = r#"cn=Doe\, John,ou="Sales, EMEA";dc=contoso"#;
        let parts = split_dn(dn);
        assert_eq!(parts.len(), 3);
        assert_eq!(rdn_value(parts[0]), "Doe, John");
        assert_eq!(rdn_value(parts[1]), "Sales, EMEA");
        assert_eq!(rdn_value(parts[2]), "contoso");
    }
}
