//! Target-app profiles: what a SCIM app expects of the mapping that feeds it, and of the values
//! each user ends up with.
//!
//! A profile is a YAML document in format 2 (`format: 2`; the format is in the README, the JSON
//! Schema for editors comes from [`json_schema`]). Nine profiles are built in ([`BUILT_IN`]); any
//! file can be given with `--profile PATH`. A file without `format: 2` is read as format 1 (the
//! first, smaller format) and converted, with a note on how to upgrade ([`Loaded::note`]).
//!
//! The static part of a profile (targets, `active`, schema additions, the SCIM flag, groups,
//! object actions) is checked by the lint rules `EM1xx`; the value rules ([`ValueRules`]) are
//! checked on each user's projected values by [`values`] (`simulate --profile`, `lint --users`).

pub mod values;

use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Lists the built-in profiles once: their YAML (the source, shown and checked against the
/// schema) and the JSON build.rs makes of it (what [`Profile::resolve_loaded`] reads: serde_json
/// reads it in a few microseconds, the YAML reader took a quarter of a millisecond to start).
macro_rules! built_in {
    ($($name:literal),* $(,)?) => {
        /// The built-in profiles, by name: their YAML text.
        pub const BUILT_IN: &[(&str, &str)] =
            &[$(($name, include_str!(concat!("builtin/", $name, ".yaml")))),*];
        /// The same profiles as JSON, in the same order (made by build.rs from the YAML).
        const BUILT_IN_JSON: &[&str] =
            &[$(include_str!(concat!(env!("OUT_DIR"), "/profiles/", $name, ".json"))),*];
    };
}

built_in!(
    "unleash",
    "github-emu",
    "slack",
    "pagerduty",
    "grafana",
    "atlassian",
    "sentry",
    "datadog",
    "dbt-cloud",
);

/// The profile format this version writes and reads natively.
pub const FORMAT: u32 = 2;

/// How Entra sends values on the wire (reference §6.3).
pub use crate::wire::ScimMode;

/// A target app's profile (format 2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "entramap app profile (format 2)")]
pub struct Profile {
    /// Always 2 for this format.
    pub format: u32,
    /// The profile's name (`github-emu`).
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The target object the profile is about (`User`).
    #[serde(default = "default_object")]
    pub object: String,
    /// What kind of app the target is (`scim`, `salesforce`, …): overrides entramap's guess from
    /// the file's directory, object and attribute names.
    #[serde(default)]
    pub target_kind: Option<crate::mapping::schema::TargetKind>,
    /// Which targets the app accepts, needs and refuses.
    #[serde(default)]
    pub targets: Targets,
    /// Targets the app stores and returns (the rest are dropped, so Entra sees them as changed
    /// on every cycle): used by `simulate --check-steady`.
    #[serde(default)]
    pub persisted: Vec<String>,
    /// The attribute the app matches users by (`emails`, `userName`), if it matters.
    #[serde(default)]
    pub matches_by: Option<String>,
    /// How the app wants `active`.
    #[serde(default)]
    pub active: Option<Active>,
    /// Rules on each user's projected value, per target.
    #[serde(default)]
    pub values: Vec<ValueRules>,
    /// Settings the user supplies (`--profile-option KEY=VALUE`, config `profile-options`).
    #[serde(default)]
    pub options: BTreeMap<String, OptionSpec>,
    /// Whether the tenant URL must carry `?aadOptscim062020` (compliant SCIM mode).
    #[serde(default)]
    pub scim_flag: ScimFlag,
    /// Why the flag matters, shown in the finding (`either`: an info in legacy mode).
    #[serde(default)]
    pub scim_flag_note: Option<String>,
    /// Whether the app takes group provisioning.
    #[serde(default)]
    pub groups: Groups,
    /// Object actions (`Create`, `Update`, `Delete`) that must stay enabled on the user mapping.
    #[serde(default)]
    pub actions: Vec<ObjectAction>,
    /// Decisions and caveats, shown by `entramap explain PROFILE`.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Where the facts come from: URLs or `owner/repo:path`.
    #[serde(default)]
    pub sources: Vec<String>,
}

fn default_object() -> String {
    "User".into()
}

/// Which targets the app accepts, needs and refuses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Targets {
    /// Targets the app accepts; empty = any. An entry covers itself and every sub-path
    /// (`emails` covers `emails[type eq "work"].value`).
    #[serde(default)]
    pub keep_only: Vec<String>,
    /// Targets that must be mapped.
    #[serde(default)]
    pub require: Vec<String>,
    /// Targets that must not be mapped.
    #[serde(default)]
    pub forbid: Vec<String>,
    /// Targets that must be fed from a given source.
    #[serde(default)]
    pub require_source: Vec<RequireSource>,
    /// Targets the app needs added to the target schema (and mapped).
    #[serde(default)]
    pub schema_additions: Vec<SchemaAddition>,
}

/// A target that must be fed from one of the given sources.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RequireSource {
    pub target: String,
    /// Expressions that are accepted (`[userPrincipalName]`), compared in canonical form
    /// (spacing, function-name and attribute-name case ignored).
    pub any_of: Vec<String>,
    /// Why, shown in the finding.
    #[serde(default)]
    pub why: Option<String>,
}

/// A target attribute the app needs added to the target schema.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SchemaAddition {
    /// The target attribute name (`emails[type eq "work"].primary`).
    pub name: String,
    /// Its type in the target schema.
    #[serde(rename = "type")]
    pub ty: AdditionType,
    /// The mapping's default value, when the app needs one (`True`).
    #[serde(default)]
    pub default: Option<String>,
    /// Whether a mapping with only a default value (mapping type None) is expected.
    #[serde(default)]
    pub constant: bool,
}

/// The types a schema addition can have (Entra's attribute types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum AdditionType {
    String,
    Boolean,
    Integer,
    DateTime,
    Reference,
}

impl AdditionType {
    pub fn as_str(self) -> &'static str {
        match self {
            AdditionType::String => "String",
            AdditionType::Boolean => "Boolean",
            AdditionType::Integer => "Integer",
            AdditionType::DateTime => "DateTime",
            AdditionType::Reference => "Reference",
        }
    }
}

/// How the app wants `active`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Active {
    /// The target attribute carrying the account state.
    #[serde(default = "default_active")]
    pub target: String,
    /// The value the app needs on the wire.
    #[serde(default)]
    pub wire: Option<ActiveExpectation>,
    /// A reference expression: the mapping must send what this sends for every
    /// IsSoftDeleted/accountEnabled case, in the linted SCIM mode.
    #[serde(default)]
    pub equivalent_to: Option<String>,
    /// Whether a user mapping without an `active` mapping is a finding.
    #[serde(default)]
    pub required: bool,
    /// What happens without it, shown in the finding.
    #[serde(default)]
    pub why: Option<String>,
}

fn default_active() -> String {
    "active".into()
}

/// The wire form of `active`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActiveExpectation {
    /// JSON `true`/`false`, or the text `"true"`/`"false"` in lowercase.
    LowercaseBoolean,
    /// Any boolean Entra sends (`"True"`, `"False"`, `true`, `false`).
    AnyBoolean,
}

/// Rules on one target's projected value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ValueRules {
    /// The target attribute (`userName`).
    pub target: String,
    /// A vendor transform applied before the other rules (and a rule itself: its refusals).
    #[serde(default)]
    pub normalise: Option<Normaliser>,
    /// The value must be present and not empty.
    #[serde(default)]
    pub non_null: bool,
    /// At most this many characters (after the normaliser).
    #[serde(default)]
    pub max_length: Option<usize>,
    /// A regular expression the whole value must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// The value must be one of these (compared exactly).
    #[serde(default, rename = "enum")]
    pub one_of: Option<Vec<String>>,
    /// The value must be all lowercase or all uppercase.
    #[serde(default)]
    pub case: Option<LetterCase>,
    /// No two users may have the same value.
    #[serde(default)]
    pub unique: Option<Uniqueness>,
    /// The value must equal another target's value.
    #[serde(default)]
    pub equals: Option<Equals>,
    /// Why these rules, appended to each violation's message.
    #[serde(default)]
    pub why: Option<String>,
}

/// A documented vendor transform of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Normaliser {
    /// GitHub Enterprise Managed Users: the part of the UPN before `#EXT#` or `@` (after `\`),
    /// every character but ASCII letters and digits turned into `-`, then `_` and the
    /// enterprise short code. Refused when it starts or ends with `-` or holds `--`. Options:
    /// `short-code`, `data-residency`.
    GithubEmuUsername,
}

impl Normaliser {
    pub fn as_str(self) -> &'static str {
        match self {
            Normaliser::GithubEmuUsername => "github-emu-username",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LetterCase {
    Lower,
    Upper,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Uniqueness {
    /// Values differing only in letter case are the same.
    IgnoreCase,
    /// Only identical values are the same.
    Exact,
}

/// The value must equal another target's value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Equals {
    pub target: String,
    #[serde(default)]
    pub case_sensitive: bool,
}

/// A setting the user supplies.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OptionSpec {
    /// What it is, and what is assumed without it.
    pub description: String,
    /// The values it may take; empty = any text.
    #[serde(default)]
    pub values: Vec<String>,
}

/// Whether the tenant URL must carry `?aadOptscim062020`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ScimFlag {
    /// Compliant mode is needed: legacy mode is an error.
    Required,
    /// Legacy mode is needed: compliant mode is an error.
    Forbidden,
    /// Either works (with `scim-flag-note`, legacy mode gets an info).
    #[default]
    Either,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Groups {
    Supported,
    Unsupported,
    /// Not said.
    #[default]
    Unknown,
}

/// An object action of a provisioning job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ObjectAction {
    Create,
    Update,
    Delete,
}

impl ObjectAction {
    /// The word Graph's `flowTypes` uses (`Add, Update, Delete`).
    pub fn flow_type(self) -> &'static str {
        match self {
            ObjectAction::Create => "Add",
            ObjectAction::Update => "Update",
            ObjectAction::Delete => "Delete",
        }
    }
}

// ------------------------------------------------------------------------------------ format 1

/// The first profile format, read and converted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ProfileV1 {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default = "default_object")]
    object: String,
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    persisted: Vec<String>,
    #[serde(default)]
    active: Option<ActiveV1>,
    #[serde(default)]
    matches_by: Option<String>,
    #[serde(default)]
    target_kind: Option<crate::mapping::schema::TargetKind>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ActiveV1 {
    #[serde(default = "default_active")]
    target: String,
    expect: ActiveExpectation,
}

impl From<ProfileV1> for Profile {
    fn from(v1: ProfileV1) -> Profile {
        Profile {
            format: FORMAT,
            name: v1.name,
            description: v1.description,
            object: v1.object,
            target_kind: v1.target_kind,
            targets: Targets {
                keep_only: v1.allowed,
                require: v1.required,
                ..Targets::default()
            },
            persisted: v1.persisted,
            matches_by: v1.matches_by,
            active: v1.active.map(|a| Active {
                target: a.target,
                wire: Some(a.expect),
                equivalent_to: None,
                required: false,
                why: None,
            }),
            values: Vec::new(),
            options: BTreeMap::new(),
            scim_flag: ScimFlag::Either,
            scim_flag_note: None,
            groups: Groups::Unknown,
            actions: Vec::new(),
            notes: Vec::new(),
            sources: Vec::new(),
        }
    }
}

// ------------------------------------------------------------------------------------ loading

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
    #[error("no built-in profile named {name:?}{hint} (built in: {built_in}; `entramap profiles` lists them); a path to a profile YAML file works too", built_in = BUILT_IN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))]
    Unknown { name: String, hint: String },
    #[error("profile option {0}")]
    Option(String),
}

/// A profile as read, with the note to show when it was in an older format.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub profile: Profile,
    /// `Some` for a format-1 file: how to upgrade it (one line).
    pub note: Option<String>,
}

/// Adds a did-you-mean to serde's "unknown field `x`, expected one of `a`, `b`" message.
fn explain_unknown(message: &str) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return message.to_string();
    };
    let Some((word, tail)) = rest.split_once('`') else {
        return message.to_string();
    };
    let list = tail.split_once("expected one of ").map_or("", |(_, l)| l);
    let expected: Vec<&str> = list
        .lines()
        .next()
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().trim_matches('`'))
        .filter(|s| !s.is_empty())
        .collect();
    match crate::suggest::did_you_mean(word, expected.iter().copied()) {
        Some(close) => format!("{message} (did you mean `{close}`?)"),
        None => message.to_string(),
    }
}

/// Whether a YAML text says `format: N` at its top level, and which N.
fn declared_format(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix("format:")?;
        Some(
            rest.split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
                .to_string(),
        )
    })
}

impl Profile {
    /// Reads a profile of either format (format 1 converted, with a note).
    pub fn load(text: &str, path: &str) -> Result<Loaded, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            path: path.to_string(),
            message,
        };
        match declared_format(text).as_deref() {
            None => {
                let v1: ProfileV1 = serde_saphyr::from_str(text)
                    .map_err(|e| invalid(explain_unknown(&e.to_string())))?;
                Ok(Loaded {
                    profile: Profile::from(v1),
                    note: Some(format!(
                        "profile {path} is in format 1: add `format: 2`, rename `allowed` to `targets.keep-only`, `required` to `targets.require` and `active.expect` to `active.wire` (README, \"App profiles\")"
                    )),
                })
            }
            Some("2") => {
                let profile: Profile = serde_saphyr::from_str(text)
                    .map_err(|e| invalid(explain_unknown(&e.to_string())))?;
                profile.validate().map_err(invalid)?;
                Ok(Loaded {
                    profile,
                    note: None,
                })
            }
            Some(other) => Err(invalid(format!(
                "`format: {other}` is not a profile format this entramap reads (it reads 2, and 1 without a `format` key)"
            ))),
        }
    }

    /// Reads a profile; the format-1 note is dropped.
    pub fn from_yaml(text: &str, path: &str) -> Result<Profile, ProfileError> {
        Profile::load(text, path).map(|l| l.profile)
    }

    /// Checks what the types cannot: patterns compile, option names are declared, expressions
    /// parse.
    fn validate(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("`format` must be {FORMAT}"));
        }
        for v in &self.values {
            if let Some(p) = &v.pattern {
                values::compile_pattern(p)
                    .map_err(|e| format!("values: {}: pattern {p:?}: {e}", v.target))?;
            }
            if v.normalise == Some(Normaliser::GithubEmuUsername) {
                for needed in ["short-code", "data-residency"] {
                    if !self.options.contains_key(needed) {
                        return Err(format!(
                            "values: {}: the github-emu-username normaliser reads the option `{needed}`; declare it under `options`",
                            v.target
                        ));
                    }
                }
            }
        }
        let exprs = self
            .targets
            .require_source
            .iter()
            .flat_map(|r| r.any_of.iter())
            .chain(self.active.iter().filter_map(|a| a.equivalent_to.as_ref()));
        for e in exprs {
            crate::syntax::parse(e).map_err(|err| format!("expression {e:?}: {err}"))?;
        }
        Ok(())
    }

    /// A built-in profile (format 2) from the JSON build.rs made of its YAML: the same profile
    /// as [`Profile::load`] of the YAML gives (a unit test compares every one), read faster.
    fn load_built_in(json: &str, name: &str) -> Result<Loaded, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            path: name.to_string(),
            message,
        };
        let profile: Profile = serde_json::from_str(json).map_err(|e| invalid(e.to_string()))?;
        profile.validate().map_err(invalid)?;
        Ok(Loaded {
            profile,
            note: None,
        })
    }

    /// A built-in profile by name, or a profile file by path, with the format-1 note.
    pub fn resolve_loaded(name_or_path: &str) -> Result<Loaded, ProfileError> {
        if let Some(((name, _), json)) = BUILT_IN
            .iter()
            .zip(BUILT_IN_JSON)
            .find(|((n, _), _)| n.eq_ignore_ascii_case(name_or_path))
        {
            return Profile::load_built_in(json, name);
        }
        let path = std::path::Path::new(name_or_path);
        if !path.exists() && !name_or_path.contains(['/', '.']) {
            let hint = crate::suggest::did_you_mean(name_or_path, BUILT_IN.iter().map(|(n, _)| *n))
                .map(|n| format!(" (did you mean {n:?}?)"))
                .unwrap_or_default();
            return Err(ProfileError::Unknown {
                name: name_or_path.to_string(),
                hint,
            });
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
        Profile::load(&text, name_or_path)
    }

    /// A built-in profile by name, or a profile file by path.
    pub fn resolve(name_or_path: &str) -> Result<Profile, ProfileError> {
        Profile::resolve_loaded(name_or_path).map(|l| l.profile)
    }

    /// Whether a profile entry covers a target name: itself, a sub-attribute (`name.x`), a filtered
    /// element (`emails[type eq "work"].value`), an extension schema's attribute (the URN
    /// `urn:…:enterprise:2.0:User` covers `urn:…:enterprise:2.0:User:department`), all compared
    /// ignoring case as SCIM does.
    pub fn covers(entry: &str, target: &str) -> bool {
        let Some(head) = target.get(..entry.len()) else {
            return false;
        };
        let urn = entry
            .get(..4)
            .is_some_and(|u| u.eq_ignore_ascii_case("urn:"));
        head.eq_ignore_ascii_case(entry)
            && match target.as_bytes().get(entry.len()) {
                None | Some(b'.' | b'[') => true,
                Some(b':') => urn,
                _ => false,
            }
    }

    /// Whether the app accepts a target (kept, not forbidden).
    pub fn allows(&self, target: &str) -> bool {
        self.forbids(target).is_none()
            && (self.targets.keep_only.is_empty()
                || self
                    .targets
                    .keep_only
                    .iter()
                    .chain(self.targets.schema_additions.iter().map(|a| &a.name))
                    .any(|e| Profile::covers(e, target)))
    }

    /// The `forbid` entry covering a target.
    pub fn forbids(&self, target: &str) -> Option<&str> {
        self.targets
            .forbid
            .iter()
            .find(|e| Profile::covers(e, target))
            .map(String::as_str)
    }

    /// Whether the app persists a target.
    pub fn persists(&self, target: &str) -> bool {
        self.persisted.iter().any(|e| Profile::covers(e, target))
    }

    /// Whether an object mapping's target object is the profile's object.
    pub fn is_about(&self, target_object: &str) -> bool {
        target_object.eq_ignore_ascii_case(&self.object)
            || target_object
                .rsplit_once(':')
                .is_some_and(|(_, o)| o.eq_ignore_ascii_case(&self.object))
    }

    /// Checks user-supplied options against the declared ones.
    pub fn check_options(&self, given: &BTreeMap<String, String>) -> Result<(), ProfileError> {
        for (key, value) in given {
            let Some(spec) = self.options.get(key) else {
                let names = self.options.keys().map(String::as_str);
                let hint = crate::suggest::did_you_mean(key, names)
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                let known = if self.options.is_empty() {
                    "it takes none".to_string()
                } else {
                    format!(
                        "it takes {}",
                        self.options.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                };
                return Err(ProfileError::Option(format!(
                    "`{key}` is not an option of profile {} ({known}){hint}",
                    self.name
                )));
            };
            if !spec.values.is_empty() && !spec.values.iter().any(|v| v == value) {
                return Err(ProfileError::Option(format!(
                    "`{key}={value}`: {} takes {} for `{key}`",
                    self.name,
                    spec.values.join(" or ")
                )));
            }
        }
        Ok(())
    }
}

/// Parses `KEY=VALUE`.
pub fn parse_option(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("{text:?} is not KEY=VALUE (e.g. short-code=octo)")),
    }
}

/// The JSON Schema of format 2, for editors (`entramap profiles --schema`).
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Profile)).unwrap_or_default()
}

/// The mode a tenant URL selects: compliant when it carries `aadOptscim062020`.
pub fn mode_of_tenant_url(url: &str) -> ScimMode {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    if query
        .split('&')
        .any(|p| p.split('=').next() == Some("aadOptscim062020"))
    {
        ScimMode::Compliant
    } else {
        ScimMode::Legacy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_profile_loads_in_format_2() {
        for (name, text) in BUILT_IN {
            let loaded = Profile::load(text, name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(loaded.note, None, "{name}");
            assert_eq!(&loaded.profile.name, name);
            assert!(!loaded.profile.sources.is_empty(), "{name} cites no source");
        }
    }

    #[test]
    fn each_built_in_json_is_the_profile_its_yaml_gives() {
        assert_eq!(BUILT_IN.len(), BUILT_IN_JSON.len());
        for ((name, yaml), json) in BUILT_IN.iter().zip(BUILT_IN_JSON) {
            let from_yaml = Profile::load(yaml, name).unwrap_or_else(|e| panic!("{name}: {e}"));
            let from_json =
                Profile::load_built_in(json, name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(from_json.profile, from_yaml.profile, "{name}");
            assert_eq!(from_json.note, from_yaml.note, "{name}");
            // What `--profile NAME` reads is the JSON, in any letter case.
            let resolved = Profile::resolve(&name.to_uppercase()).unwrap();
            assert_eq!(resolved, from_yaml.profile, "{name}");
        }
        // The comparison can fail: a profile differing in one field is told apart.
        let mut other = Profile::resolve("unleash").unwrap();
        other.notes.pop();
        assert_ne!(other, Profile::resolve("unleash").unwrap());
    }

    #[test]
    fn an_extension_urn_covers_its_attributes() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert!(Profile::covers(urn, &format!("{urn}:department")));
        assert!(Profile::covers(
            &urn.to_uppercase(),
            &format!("{urn}:manager.value")
        ));
        assert!(!Profile::covers(
            &format!("{urn}:department"),
            &format!("{urn}:departmentCode")
        ));
        // Outside a URN a colon is part of a name, not a separator.
        assert!(!Profile::covers("name", "name:x"));
        assert!(Profile::covers("name", "name.givenName"));
    }

    #[test]
    fn unleash_is_built_in() {
        let p = Profile::resolve("unleash").unwrap();
        assert!(p.allows("emails[type eq \"work\"].value"));
        assert!(!p.allows("emailsExtra"));
        assert!(!p.allows("name.givenName"));
        let active = p.active.unwrap();
        assert_eq!(active.wire, Some(ActiveExpectation::LowercaseBoolean));
        assert!(active.required);
        match Profile::resolve("slakc") {
            Err(e @ ProfileError::Unknown { .. }) => {
                assert!(e.to_string().contains("did you mean \"slack\""), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_keys_get_a_did_you_mean() {
        let e = Profile::load("format: 2\nname: x\ntargets:\n  keep-onyl: [a]\n", "p.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `keep-only`?"), "{e}");
        let e = Profile::load("format: 3\nname: x\n", "p.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`format: 3`"), "{e}");
    }

    #[test]
    fn tenant_url_flag() {
        assert_eq!(
            mode_of_tenant_url("https://app.example/scim/v2?aadOptscim062020"),
            ScimMode::Compliant
        );
        assert_eq!(
            mode_of_tenant_url("https://app.example/scim/v2?x=1&aadOptscim062020=1"),
            ScimMode::Compliant
        );
        assert_eq!(
            mode_of_tenant_url("https://app.example/scim/v2"),
            ScimMode::Legacy
        );
    }

    #[test]
    fn options_are_checked() {
        let p = Profile::resolve("github-emu").unwrap();
        let mut given = BTreeMap::new();
        given.insert("short-cod".to_string(), "octo".to_string());
        let e = p.check_options(&given).unwrap_err().to_string();
        assert!(e.contains("did you mean `short-code`?"), "{e}");
        given.clear();
        given.insert("data-residency".to_string(), "maybe".to_string());
        assert!(p.check_options(&given).is_err());
        given.insert("data-residency".to_string(), "true".to_string());
        assert!(p.check_options(&given).is_ok());
    }
}
