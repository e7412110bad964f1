//! The one SCIM wire model: how a mapping's value reaches the app, for a target attribute type,
//! in legacy and compliant mode (reference §6.3, decisions W1–W4 in `grammar/README.md`).
//!
//! * A **create** (POST) types every value from the target attribute's definition, in both
//!   modes: Boolean → JSON boolean, Integer → number, Reference → `{"value": id}`, multi-valued →
//!   an array of strings, anything else a string.
//! * An **update** (PATCH) in **legacy** mode (tenant URL without `?aadOptscim062020`) sends the
//!   expression's text as it is: `active` travels as `"False"`.
//! * An update in **compliant** mode (with the flag) types the value as a create does.
//! * A Boolean target gets a JSON boolean only from a value .NET's `Boolean.TryParse` reads:
//!   `True`/`False` in any case, surrounded by blanks or not. Other text (`"1"`, `"yes"`)
//!   travels as the string it is.
//!
//! The `active` lint rule, the simulator and `diff` all call [`encode`]; a property test keeps
//! the rule's verdict and the simulator's requests agreeing.

use crate::eval::Value;
use crate::mapping::AttributeDefinition;
use crate::mapping::schema::AttrType;
use clap::ValueEnum;
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::io::Write;

/// Which of Entra's two SCIM behaviours the tenant uses. The switch lives in the tenant URL,
/// not in the schema, so the user says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScimMode {
    /// Tenant URL without `?aadOptscim062020`: capitalised PATCH ops, every PATCH value sent as
    /// the expression's text (`"False"`).
    #[default]
    Legacy,
    /// Tenant URL with `?aadOptscim062020`: lowercase ops, values typed from the target
    /// attribute (JSON booleans).
    Compliant,
}

impl ScimMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ScimMode::Legacy => "legacy",
            ScimMode::Compliant => "compliant",
        }
    }
}

/// Which request carries the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// The POST that creates the user.
    Create,
    /// A PATCH of an existing user (updates and deactivation).
    Update,
}

/// The value as the request of `op` carries it in `mode`.
pub fn encode<'a>(
    value: &'a Value,
    ty: TargetType,
    mode: ScimMode,
    op: Operation,
) -> Result<Wire<'a>, TypeError> {
    match (op, mode) {
        (Operation::Update, ScimMode::Legacy) => legacy_text(value, ty),
        _ => typed(value, ty),
    }
}

/// What an app that reads a boolean takes from a wire value: a JSON boolean, or exactly the
/// text `true` / `false` (SCIM's own spelling); anything else is not a boolean.
pub fn boolean_reading(wire: &Wire<'_>) -> Option<bool> {
    match wire {
        Wire::Bool(b) => Some(*b),
        Wire::Str(s) if s == "true" => Some(true),
        Wire::Str(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// A value as .NET's `Boolean.TryParse` reads it (`None`: not a boolean).
fn dotnet_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Int(i) => Some(*i != 0),
        Value::Str(s) => {
            let t = s.trim();
            if t.eq_ignore_ascii_case("true") {
                Some(true)
            } else if t.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The type of a target attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetType {
    pub kind: AttrType,
    pub multivalued: bool,
}

impl TargetType {
    pub const STRING: TargetType = TargetType {
        kind: AttrType::String,
        multivalued: false,
    };

    pub const BOOLEAN: TargetType = TargetType {
        kind: AttrType::Boolean,
        multivalued: false,
    };

    pub fn of(def: Option<&AttributeDefinition>) -> TargetType {
        match def {
            None => TargetType::STRING,
            Some(d) => TargetType {
                kind: d.ty,
                multivalued: d.multivalued,
            },
        }
    }
}

/// A value ready for the wire, borrowing from the evaluated value.
#[derive(Debug, Clone, PartialEq)]
// An eight-byte tag: with the default one-byte tag, `Bool`'s payload sits at offset 1 and a
// move copies bytes 1–7 as two overlapping four-byte words, which the load that follows
// cannot take from the store buffer (a stall `perf annotate` showed on every simulated user).
// The size is unchanged (32 bytes, and 32 as an `Option`).
#[repr(u64)]
pub enum Wire<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    /// A multi-valued target.
    List(Cow<'a, [String]>),
    /// A reference: `{"value": id}`.
    Ref(Cow<'a, str>),
}

/// Why a value cannot go to its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError(pub String);

/// The value typed for its target (POST bodies and compliant PATCH).
pub fn typed<'a>(value: &'a Value, ty: TargetType) -> Result<Wire<'a>, TypeError> {
    if ty.multivalued {
        return Ok(match value {
            Value::Multi(values) => Wire::List(Cow::Borrowed(values.as_slice())),
            other => Wire::List(Cow::Owned(other.texts())),
        });
    }
    let text = || -> Result<Cow<'a, str>, TypeError> {
        match value.text() {
            Ok(Some(t)) => Ok(t),
            Ok(None) => Ok(Cow::Borrowed("")),
            Err(e) => Err(TypeError(e.message)),
        }
    };
    Ok(match ty.kind {
        AttrType::Boolean => match dotnet_bool(value) {
            Some(b) => Wire::Bool(b),
            None => Wire::Str(text()?),
        },
        AttrType::Integer => match value.to_int() {
            Ok(Some(i)) => Wire::Int(i),
            _ => Wire::Str(text()?),
        },
        AttrType::Reference => Wire::Ref(text()?),
        AttrType::DateTime => match value {
            Value::Date(t) => Wire::Str(Cow::Owned(t.to_string())),
            _ => Wire::Str(text()?),
        },
        AttrType::String | AttrType::Binary => Wire::Str(text()?),
    })
}

/// The value as legacy PATCH sends it: the expression's text (a list for a multi-valued target,
/// `[{"value": id}]` for a reference).
pub fn legacy_text<'a>(value: &'a Value, ty: TargetType) -> Result<Wire<'a>, TypeError> {
    if ty.multivalued {
        return typed(value, ty);
    }
    let text = match value.text() {
        Ok(Some(t)) => t,
        Ok(None) => Cow::Borrowed(""),
        Err(e) => return Err(TypeError(e.message)),
    };
    Ok(match ty.kind {
        AttrType::Reference => Wire::Ref(text),
        _ => Wire::Str(text),
    })
}

impl Wire<'_> {
    /// Writes the value as JSON. `legacy` writes a reference as `[{"value": id}]`.
    pub fn write(&self, out: &mut Vec<u8>, legacy: bool) {
        match self {
            Wire::Str(s) => write_str(out, s),
            Wire::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Wire::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Wire::List(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, item);
                }
                out.push(b']');
            }
            Wire::Ref(id) => {
                if legacy {
                    out.push(b'[');
                }
                out.extend_from_slice(b"{\"value\":");
                write_str(out, id);
                out.push(b'}');
                if legacy {
                    out.push(b']');
                }
            }
        }
    }

    /// The value as a JSON tree.
    pub fn to_json(&self, legacy: bool) -> Json {
        match self {
            Wire::Str(s) => Json::String(s.to_string()),
            Wire::Bool(b) => Json::Bool(*b),
            Wire::Int(i) => Json::from(*i),
            Wire::List(items) => Json::Array(items.iter().cloned().map(Json::String).collect()),
            Wire::Ref(id) => {
                let mut m = Map::new();
                m.insert("value".into(), Json::String(id.to_string()));
                if legacy {
                    Json::Array(vec![Json::Object(m)])
                } else {
                    Json::Object(m)
                }
            }
        }
    }
}

/// Writes a JSON string (escaped as serde_json does).
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    // serde_json's formatter never fails on a Vec.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Writes a JSON value compactly (as serde_json does, with the faster string writer).
pub fn write_json(out: &mut Vec<u8>, json: &Json) {
    match json {
        Json::String(s) => write_str(out, s),
        Json::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(out, item);
            }
            out.push(b']');
        }
        Json::Object(map) => {
            out.push(b'{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, k);
                out.push(b':');
                write_json(out, v);
            }
            out.push(b'}');
        }
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

/// Whether a string has a byte JSON must escape (a control character, `"` or `\`), eight
/// bytes at a time.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has = |w: u64| {
        let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let q = w ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q & HIGH;
        let b = w ^ (ONES * u64::from(b'\\'));
        let backslash = b.wrapping_sub(ONES) & !b & HIGH;
        below_space | quote | backslash != 0
    };
    let word = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        u64::from_le_bytes(w)
    };
    if bytes.len() < 8 {
        return bytes.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
    }
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        if has(word(chunk)) {
            return true;
        }
    }
    // The last eight bytes (overlapping what was checked) cover the remainder.
    !chunks.remainder().is_empty() && has(word(&bytes[bytes.len() - 8..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Str(s.into())
    }

    #[test]
    fn legacy_updates_send_text_and_creates_are_typed() {
        let v = text("False");
        let ty = TargetType::BOOLEAN;
        assert_eq!(
            encode(&v, ty, ScimMode::Legacy, Operation::Update),
            Ok(Wire::Str("False".into()))
        );
        assert_eq!(
            encode(&v, ty, ScimMode::Legacy, Operation::Create),
            Ok(Wire::Bool(false))
        );
        assert_eq!(
            encode(&v, ty, ScimMode::Compliant, Operation::Update),
            Ok(Wire::Bool(false))
        );
    }

    #[test]
    fn only_dotnet_booleans_become_json_booleans() {
        let ty = TargetType::BOOLEAN;
        for (input, want) in [
            (" TRUE ", Wire::Bool(true)),
            ("false", Wire::Bool(false)),
            ("1", Wire::Str("1".into())),
            ("0", Wire::Str("0".into())),
            ("yes", Wire::Str("yes".into())),
        ] {
            let v = text(input);
            assert_eq!(
                encode(&v, ty, ScimMode::Compliant, Operation::Update),
                Ok(want)
            );
        }
        assert_eq!(boolean_reading(&Wire::Str("1".into())), None);
        assert_eq!(boolean_reading(&Wire::Str("True".into())), None);
        assert_eq!(boolean_reading(&Wire::Str("true".into())), Some(true));
    }
}
