//! The one schema model: what entramap knows about the attributes of an object mapping's source
//! and target objects.
//!
//! Knowledge comes in layers, consulted in order:
//! 1. the export's own directory definitions (a whole schema export carries them, possibly
//!    shortened);
//! 2. built-in knowledge of Entra ID's user object ([`builtin::entra_user`]): `IsSoftDeleted` and
//!    `accountEnabled` are Boolean in every Entra schema, whatever a file lists;
//! 3. built-in knowledge of the target *kind* ([`TargetKind`]), decided from the target
//!    directory, object and attribute names, or declared by a profile: the SCIM User attribute
//!    list applies to SCIM targets only.
//!
//! A partial definition list extends the built-in knowledge instead of replacing it, and an
//! attribute is reported unknown only where a schema for that object is actually known.

use super::builtin;
use super::model::{AttributeDefinition, MappingFile, ObjectMapping};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Entra's attribute types (Graph's `attributeDefinition.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AttrType {
    #[default]
    String,
    Boolean,
    Integer,
    DateTime,
    Reference,
    Binary,
}

impl AttrType {
    pub const ALL: [AttrType; 6] = [
        AttrType::String,
        AttrType::Boolean,
        AttrType::Integer,
        AttrType::DateTime,
        AttrType::Reference,
        AttrType::Binary,
    ];

    /// Graph's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "String",
            AttrType::Boolean => "Boolean",
            AttrType::Integer => "Integer",
            AttrType::DateTime => "DateTime",
            AttrType::Reference => "Reference",
            AttrType::Binary => "Binary",
        }
    }

    /// Reads Graph's spelling, ignoring case.
    pub fn parse(text: &str) -> Option<AttrType> {
        AttrType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for AttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AttrType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AttrType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        AttrType::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown attribute type `{}`: Graph's types are String, Boolean, Integer, DateTime, Reference and Binary",
                text.chars().take(40).collect::<String>()
            ))
        })
    }
}

/// What kind of application a target is: decides which built-in attribute list applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A SCIM 2.0 or 1.1 app (`customappsso`, gallery SCIM apps, SCIM URNs).
    Scim,
    Salesforce,
    GoogleWorkspace,
    /// On-premises Active Directory (HR-driven and cloud-sync provisioning).
    ActiveDirectory,
    /// Entra ID itself (writeback, HR-driven provisioning to cloud-only users).
    EntraId,
    Workday,
    /// Known to be another app whose schema entramap does not hold.
    Other,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Scim => "scim",
            TargetKind::Salesforce => "salesforce",
            TargetKind::GoogleWorkspace => "google-workspace",
            TargetKind::ActiveDirectory => "active-directory",
            TargetKind::EntraId => "entra-id",
            TargetKind::Workday => "workday",
            TargetKind::Other => "other",
        }
    }
}

/// The attributes Entra ID's user object defines as Boolean (`IsSoftDeleted`, `accountEnabled`,
/// …), in every Entra schema whatever a file lists.
pub fn entra_booleans() -> impl Iterator<Item = &'static str> {
    builtin::entra_user()
        .iter()
        .filter(|d| d.ty == AttrType::Boolean)
        .map(|d| d.name.as_str())
}

/// Whether a directory name is Entra ID's.
pub fn is_entra_directory(name: &str) -> bool {
    let n = name.trim();
    n.eq_ignore_ascii_case("Azure Active Directory")
        || n.eq_ignore_ascii_case("Microsoft Entra ID")
        || n.eq_ignore_ascii_case("AzureActiveDirectory")
        || n.eq_ignore_ascii_case("Entra ID")
}

/// The kind of app a directory name stands for, when the name says.
fn kind_of_directory(name: &str) -> Option<TargetKind> {
    let n = name.trim().to_ascii_lowercase();
    if is_entra_directory(name) {
        return Some(TargetKind::EntraId);
    }
    Some(if n == "customappsso" || n.contains("scim") {
        TargetKind::Scim
    } else if n.contains("salesforce") {
        TargetKind::Salesforce
    } else if n.contains("google") || n.contains("gsuite") || n.contains("g suite") {
        TargetKind::GoogleWorkspace
    } else if n.contains("active directory") || n == "ad" || n.starts_with("ad ") {
        TargetKind::ActiveDirectory
    } else if n.contains("workday") {
        TargetKind::Workday
    } else {
        return None;
    })
}

/// Whether a name is a SCIM schema URN (SCIM 2.0 `urn:ietf:params:scim:…` or SCIM 1.1
/// `urn:scim:schemas:…`).
pub fn is_scim_urn(name: &str) -> bool {
    let lower = |n: usize| name.get(..n).map(str::to_ascii_lowercase);
    lower(20).as_deref() == Some("urn:ietf:params:scim")
        || lower(16).as_deref() == Some("urn:scim:schemas")
}

/// Whether a target attribute name is unmistakably SCIM: a URN, a SCIM filter path
/// (`emails[type eq "work"].value`), or a core attribute no other app's schema spells so.
pub fn is_scim_attribute(name: &str) -> bool {
    is_scim_urn(name)
        || name.contains(" eq ")
        || ["userName", "externalId", "active"].contains(&name)
}

/// The kind of an object mapping's target, from what the file says.
pub fn guess_target_kind(om: &ObjectMapping) -> Option<TargetKind> {
    if let Some(kind) = om.target_directory.as_deref().and_then(kind_of_directory)
        && kind != TargetKind::EntraId
    {
        return Some(kind);
    }
    if is_scim_urn(&om.target_object) {
        return Some(TargetKind::Scim);
    }
    if om
        .attribute_mappings
        .iter()
        .any(|m| is_scim_attribute(&m.target.value))
    {
        return Some(TargetKind::Scim);
    }
    om.target_directory.as_deref().and_then(kind_of_directory)
}

/// What is known about an attribute name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeLookup<'a> {
    /// Defined: by the export or by built-in knowledge.
    Found(&'a AttributeDefinition),
    /// Not defined where a schema is known. `certain` when the export defines the object (the
    /// tenant's own truth), else the built-in list may be incomplete.
    Missing { certain: bool },
    /// Nothing is known about the object: no verdict.
    Unknown,
}

/// One side (source or target object) of an object mapping, with its layers of knowledge.
#[derive(Debug, Clone, Copy)]
pub struct ObjectView<'a> {
    /// The object's name (`User`, or empty in a bare attribute-mapping list).
    pub object: &'a str,
    /// The export's definitions of the object, when it has any.
    pub export: Option<&'a [AttributeDefinition]>,
    /// Built-in definitions for the object's kind.
    pub builtin: &'static [AttributeDefinition],
    /// Names that are never reported unknown without the export: tenant-defined extensions.
    extension: fn(&str) -> bool,
    source: bool,
}

/// The source side of an object mapping.
pub type SourceView<'a> = ObjectView<'a>;

impl<'a> ObjectView<'a> {
    /// The definition of an attribute: exact name in the export, then in the built-in list.
    pub fn lookup(&self, name: &str) -> AttributeLookup<'a> {
        let find = |defs: &'a [AttributeDefinition]| defs.iter().find(|d| d.name == name);
        if let Some(d) = self.export.and_then(find) {
            return AttributeLookup::Found(d);
        }
        if let Some(d) = find(self.builtin) {
            return AttributeLookup::Found(d);
        }
        if self.export.is_some() {
            return AttributeLookup::Missing { certain: true };
        }
        if self.builtin.is_empty() || (self.extension)(name) {
            return AttributeLookup::Unknown;
        }
        AttributeLookup::Missing { certain: false }
    }

    /// The definition of an attribute, if known.
    pub fn get(&self, name: &str) -> Option<&'a AttributeDefinition> {
        match self.lookup(name) {
            AttributeLookup::Found(d) => Some(d),
            _ => None,
        }
    }

    /// The type of an attribute, if known (exact name, then ignoring case).
    pub fn type_of(&self, name: &str) -> Option<AttrType> {
        self.get(name)
            .or_else(|| self.get_ignoring_case(name))
            .map(|d| d.ty)
    }

    /// Whether an attribute is known to be Boolean.
    pub fn is_boolean(&self, name: &str) -> bool {
        self.type_of(name) == Some(AttrType::Boolean)
    }

    fn get_ignoring_case(&self, name: &str) -> Option<&'a AttributeDefinition> {
        self.all().find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Every known definition (the export's first).
    pub fn all(&self) -> impl Iterator<Item = &'a AttributeDefinition> {
        self.export
            .unwrap_or_default()
            .iter()
            .chain(self.builtin.iter())
    }

    /// Whether anything is known about the object's attributes.
    pub fn is_known(&self) -> bool {
        self.export.is_some() || !self.builtin.is_empty()
    }

    /// The defined attribute an unknown name most likely meant: `(name, true)` when it differs
    /// only in case, `(name, false)` for a plausible typo.
    pub fn near_miss(&self, name: &str) -> Option<(&'a str, bool)> {
        if let Some(d) = self.get_ignoring_case(name) {
            return Some((d.name.as_str(), true));
        }
        crate::suggest::did_you_mean(name, self.all().map(|d| d.name.as_str())).map(|s| (s, false))
    }

    /// How messages name the object: "the source object `User`".
    pub fn describe(&self) -> String {
        let side = if self.source { "source" } else { "target" };
        if self.object.is_empty() {
            format!("the {side} object")
        } else {
            format!("the {side} object `{}`", self.object)
        }
    }
}

fn tenant_extension(name: &str) -> bool {
    name.starts_with("extension_")
}

/// Custom SCIM extension schemas are declared by the app; the enterprise extension is known.
fn app_extension(name: &str) -> bool {
    is_scim_urn(name) && !name.contains(":enterprise:2.0:")
}

/// The schema of a whole mapping file: its directories plus built-in knowledge.
#[derive(Debug, Clone, Copy)]
pub struct Schema<'a> {
    file: &'a MappingFile,
    /// A target kind declared by a profile, overriding the guess.
    declared_kind: Option<TargetKind>,
}

impl<'a> Schema<'a> {
    pub fn new(file: &'a MappingFile, declared_kind: Option<TargetKind>) -> Schema<'a> {
        Schema {
            file,
            declared_kind,
        }
    }

    /// Whether the object mapping's source is Entra ID: its directory says so, or it names none.
    pub fn source_is_entra(om: &ObjectMapping) -> bool {
        om.source_directory
            .as_deref()
            .is_none_or(is_entra_directory)
    }

    /// The source object of an object mapping.
    pub fn source(&self, om: &'a ObjectMapping) -> ObjectView<'a> {
        let export = definitions(
            self.file,
            om.source_directory.as_deref(),
            &om.source_object,
            true,
        );
        let user = om.source_object.is_empty() || om.source_object.eq_ignore_ascii_case("User");
        let builtin = if Self::source_is_entra(om) && user {
            builtin::entra_user()
        } else {
            &[]
        };
        ObjectView {
            object: &om.source_object,
            export,
            builtin,
            extension: tenant_extension,
            source: true,
        }
    }

    /// The kind of an object mapping's target: declared by the profile, else guessed.
    pub fn target_kind(&self, om: &ObjectMapping) -> Option<TargetKind> {
        self.declared_kind.or_else(|| guess_target_kind(om))
    }

    /// The target object of an object mapping.
    pub fn target(&self, om: &'a ObjectMapping) -> ObjectView<'a> {
        let export = definitions(
            self.file,
            om.target_directory.as_deref(),
            &om.target_object,
            false,
        );
        let user = om.target_object.is_empty()
            || om.target_object.eq_ignore_ascii_case("User")
            || om.target_object.ends_with(":User");
        let builtin = if self.target_kind(om) == Some(TargetKind::Scim) && user {
            builtin::scim_user()
        } else {
            &[]
        };
        ObjectView {
            object: &om.target_object,
            export,
            builtin,
            extension: app_extension,
            source: false,
        }
    }
}

/// The attribute definitions a file carries for an object of a directory. Without a directory
/// name, the source side is the Entra ID directory and the target side any other.
fn definitions<'a>(
    file: &'a MappingFile,
    directory: Option<&str>,
    object: &str,
    source: bool,
) -> Option<&'a [AttributeDefinition]> {
    let dir = file.directories.iter().find(|d| match directory {
        Some(name) => d.name.eq_ignore_ascii_case(name),
        None => is_entra_directory(&d.name) == source,
    })?;
    let obj = dir
        .objects
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(object))?;
    (!obj.attributes.is_empty()).then_some(obj.attributes.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_names() {
        assert!(is_scim_urn(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
        ));
        assert!(is_scim_urn(
            "urn:scim:schemas:extension:enterprise:1.0:department"
        ));
        assert!(!is_scim_urn("urn:x"));
        assert!(is_scim_attribute("emails[type eq \"work\"].value"));
        assert!(!is_scim_attribute("IsActive"));
        assert!(!is_scim_attribute("primaryEmail"));
    }

    #[test]
    fn directory_kinds() {
        assert_eq!(kind_of_directory("customappsso"), Some(TargetKind::Scim));
        assert_eq!(
            kind_of_directory("Salesforce"),
            Some(TargetKind::Salesforce)
        );
        assert_eq!(
            kind_of_directory("Active Directory"),
            Some(TargetKind::ActiveDirectory)
        );
        assert_eq!(
            kind_of_directory("Azure Active Directory"),
            Some(TargetKind::EntraId)
        );
        assert_eq!(
            kind_of_directory("GoogleApps"),
            Some(TargetKind::GoogleWorkspace)
        );
        assert_eq!(kind_of_directory("slack"), None);
    }

    #[test]
    fn attribute_types_parse_any_case() {
        assert_eq!(AttrType::parse("boolean"), Some(AttrType::Boolean));
        assert_eq!(AttrType::parse("DateTime"), Some(AttrType::DateTime));
        assert_eq!(AttrType::parse("Text"), None);
    }
}
