//! Target-app profiles: what a SCIM app expects of the mapping that feeds it.
//!
//! A profile is a small YAML document (format in the README, examples in `src/profile/unleash.yaml`
//! and `fixtures/profiles/`). `unleash` is built in; any file can be given with `--profile PATH`.

use serde::Deserialize;

/// The built-in profiles, by name.
pub const BUILT_IN: &[(&str, &str)] = &[("unleash", include_str!("unleash.yaml"))];

/// How Entra sends values on the wire (reference §6.3).
pub use crate::wire::ScimMode;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The target object the profile is about (`User`).
    #[serde(default = "default_object")]
    pub object: String,
    /// Targets the app accepts; empty = any. An entry covers itself and every sub-path
    /// (`emails` covers `emails[type eq "work"].value`).
    #[serde(default)]
    pub allowed: Vec<String>,
    /// Targets that must be mapped.
    #[serde(default)]
    pub required: Vec<String>,
    /// Targets the app stores and returns (the rest are dropped, so Entra sees them as changed on
    /// every cycle).
    #[serde(default)]
    pub persisted: Vec<String>,
    /// How the app wants `active`.
    #[serde(default)]
    pub active: Option<ActiveRule>,
    /// The attribute the app matches users by (`emails`, `userName`), if it matters.
    #[serde(default)]
    pub matches_by: Option<String>,
    /// What kind of app the target is (`scim`, `salesforce`, …): overrides entramap's guess from
    /// the file's directory, object and attribute names.
    #[serde(default)]
    pub target_kind: Option<crate::mapping::schema::TargetKind>,
}

fn default_object() -> String {
    "User".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ActiveRule {
    /// The target attribute carrying the account state.
    #[serde(default = "default_active")]
    pub target: String,
    pub expect: ActiveExpectation,
}

fn default_active() -> String {
    "active".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActiveExpectation {
    /// JSON `true`/`false`, or the text `"true"`/`"false"` in lowercase.
    LowercaseBoolean,
    /// Any boolean Entra sends (`"True"`, `"False"`, `true`, `false`).
    AnyBoolean,
}

/// Why a profile could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("profile {path} is not valid: {message}")]
    Invalid { path: String, message: String },
    /// Over its size limit, or out of memory.
    #[error("{0}")]
    Read(crate::input::ReadError),
    #[error("no built-in profile named {0:?} (built in: {built_in}); a path to a profile YAML file works too", built_in = BUILT_IN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))]
    Unknown(String),
}

impl Profile {
    pub fn from_yaml(text: &str, path: &str) -> Result<Profile, ProfileError> {
        serde_saphyr::from_str(text).map_err(|e| ProfileError::Invalid {
            path: path.to_string(),
            message: e.to_string(),
        })
    }

    /// A built-in profile by name, or a profile file by path.
    pub fn resolve(name_or_path: &str) -> Result<Profile, ProfileError> {
        if let Some((name, text)) = BUILT_IN
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name_or_path))
        {
            return Profile::from_yaml(text, name);
        }
        let path = std::path::Path::new(name_or_path);
        if !path.exists() && !name_or_path.contains(['/', '.']) {
            return Err(ProfileError::Unknown(name_or_path.to_string()));
        }
        let bytes =
            crate::input::read_path(name_or_path, crate::input::PROFILE).map_err(|e| match e {
                crate::input::ReadError::Io { source, .. } => ProfileError::Io {
                    path: name_or_path.to_string(),
                    source,
                },
                other => ProfileError::Read(other),
            })?;
        let text = String::from_utf8(bytes).map_err(|e| ProfileError::Invalid {
            path: name_or_path.to_string(),
            message: format!(
                "not UTF-8 text (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        })?;
        Profile::from_yaml(&text, name_or_path)
    }

    /// Whether a profile entry covers a target name: itself, a sub-attribute (`name.x`), a filtered
    /// element (`emails[type eq "work"].value`), all compared ignoring case as SCIM does.
    pub fn covers(entry: &str, target: &str) -> bool {
        let Some(head) = target.get(..entry.len()) else {
            return false;
        };
        head.eq_ignore_ascii_case(entry)
            && matches!(target.as_bytes().get(entry.len()), None | Some(b'.' | b'['))
    }

    /// Whether the app accepts a target.
    pub fn allows(&self, target: &str) -> bool {
        self.allowed.is_empty() || self.allowed.iter().any(|e| Profile::covers(e, target))
    }

    /// Whether the app persists a target.
    pub fn persists(&self, target: &str) -> bool {
        self.persisted.iter().any(|e| Profile::covers(e, target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unleash_is_built_in() {
        let p = Profile::resolve("unleash").unwrap();
        assert_eq!(p.required.len(), 5);
        assert!(p.allows("emails[type eq \"work\"].value"));
        assert!(!p.allows("emailsExtra"));
        assert!(!p.allows("name.givenName"));
        assert_eq!(
            p.active.unwrap().expect,
            ActiveExpectation::LowercaseBoolean
        );
        assert!(matches!(
            Profile::resolve("slack"),
            Err(ProfileError::Unknown(_))
        ));
    }
}
