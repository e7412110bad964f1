//! Writing the model out: entramap YAML ([`to_yaml`]) and Graph JSON ([`to_graph_json`]).
//!
//! Both keep every mapping field Graph has (target, source type/name/expression/parameters,
//! matching priority, flow type, flow behavior, default value, export of missing references,
//! scope, enabled, object names), so Graph → YAML → Graph gives the same mappings back.

use super::envelope::{MergeError, MergeMode, merge, reduce};
use super::json::flow_type_to_graph;
use super::model::*;
use super::{graph_source, tree_from_text};
use crate::graph::SourceType;
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

pub(super) const DEFAULT_FLOW_BEHAVIOR: &str = "FlowWhenChanged";

// ---------------------------------------------------------------------------------------------
// Graph JSON

/// The file as Graph JSON: the shape it was read in when it came from Graph (a whole schema keeps
/// its directories' attribute definitions); from YAML, an objectMapping for one object (a bare
/// attributeMappings array when the object has no names), else a synchronizationRule (a schema's
/// `synchronizationRules` when the objects connect different directory pairs).
///
/// A file that carries its Graph document ([`MappingFile::envelope`]: a Graph file's own, a
/// YAML file's `graph:` section) is written as that document with the model's object mappings
/// merged in ([`super::envelope::merge`]): nothing the model does not hold is lost.
pub fn to_graph_json(file: &MappingFile) -> String {
    pretty(&graph_value(file))
}

/// [`to_graph_json`] as a JSON value.
pub fn graph_value(file: &MappingFile) -> Value {
    if let Some(base) = file.envelope.as_ref().and_then(Envelope::document)
        && let Ok(v) = merge(&base, file, MergeMode::Replace)
    {
        return v;
    }
    plain_graph_value(file)
}

/// The file's object mappings merged into `base`, a live schema as Graph's
/// `GET …/synchronization/jobs/{id}/schema` returns it: the body of the `PUT` that deploys them.
/// Object mappings are matched by source and target object names; the base's other object
/// mappings, its rules, directories and every field the model does not hold stay as they are.
pub fn to_graph_json_with_base(file: &MappingFile, base: &Value) -> Result<String, MergeError> {
    merge(base, file, MergeMode::Base).map(|v| pretty(&v))
}

fn pretty(value: &Value) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_default();
    out.push('\n');
    out
}

/// The Graph JSON of the model alone (no envelope).
fn plain_graph_value(file: &MappingFile) -> Value {
    let objects = &file.object_mappings;
    let pairs = directory_pairs(objects);
    let single = objects.len() == 1;
    let unnamed = single && {
        let o = &objects[0];
        o.name.is_none() && o.source_object.is_empty() && o.target_object.is_empty()
    };
    let no_dirs = objects
        .iter()
        .all(|o| o.source_directory.is_none() && o.target_directory.is_none());
    match file.shape {
        Shape::Schema => schema_json(file, &pairs),
        Shape::AttributeMappings if unnamed => {
            attribute_mappings_json(&objects[0].attribute_mappings)
        }
        Shape::ObjectMapping if single => object_json(&objects[0]),
        Shape::Rule if pairs.len() <= 1 => rule_json(objects, pairs.first()),
        Shape::Yaml if unnamed && no_dirs => {
            attribute_mappings_json(&objects[0].attribute_mappings)
        }
        Shape::Yaml if single && no_dirs => object_json(&objects[0]),
        _ if pairs.len() <= 1 && file.directories.is_empty() => rule_json(objects, pairs.first()),
        _ => schema_json(file, &pairs),
    }
}

type DirPair = (Option<String>, Option<String>);

fn directory_pairs(objects: &[ObjectMapping]) -> Vec<DirPair> {
    let mut pairs: Vec<DirPair> = Vec::new();
    for o in objects {
        let p = (o.source_directory.clone(), o.target_directory.clone());
        if !pairs.contains(&p) {
            pairs.push(p);
        }
    }
    pairs
}

fn schema_json(file: &MappingFile, pairs: &[DirPair]) -> Value {
    let rules: Vec<Value> = pairs
        .iter()
        .map(|p| {
            let members: Vec<ObjectMapping> = file
                .object_mappings
                .iter()
                .filter(|o| o.source_directory == p.0 && o.target_directory == p.1)
                .cloned()
                .collect();
            rule_json(&members, Some(p))
        })
        .collect();
    let mut m = Map::new();
    if !file.directories.is_empty() {
        m.insert(
            "directories".into(),
            file.directories.iter().map(directory_json).collect(),
        );
    }
    m.insert("synchronizationRules".into(), Value::Array(rules));
    Value::Object(m)
}

fn directory_json(d: &Directory) -> Value {
    json!({
        "name": d.name,
        "objects": d.objects.iter().map(|o| json!({
            "name": o.name,
            "attributes": o.attributes.iter().map(|a| json!({
                "caseExact": a.case_exact,
                "multivalued": a.multivalued,
                "name": a.name,
                "required": a.required,
                "type": a.ty.as_str(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn rule_json(objects: &[ObjectMapping], pair: Option<&DirPair>) -> Value {
    let mut m = Map::new();
    if let Some((s, t)) = pair {
        if let Some(s) = s {
            m.insert("sourceDirectoryName".into(), json!(s));
        }
        if let Some(t) = t {
            m.insert("targetDirectoryName".into(), json!(t));
        }
    }
    m.insert(
        "objectMappings".into(),
        objects.iter().map(object_json).collect(),
    );
    Value::Object(m)
}

pub(super) fn object_json(o: &ObjectMapping) -> Value {
    let scope = if o.scope.is_empty() {
        Value::Null
    } else {
        json!({
            "groups": o.scope.iter().map(|g| json!({
                "clauses": g.clauses.iter().map(|c| json!({
                    "operatorName": c.operator,
                    "sourceOperandName": c.attribute,
                    "targetOperand": { "values": c.values },
                })).collect::<Vec<_>>(),
                "name": g.name,
            })).collect::<Vec<_>>(),
        })
    };
    json!({
        "enabled": o.enabled,
        "flowTypes": o.actions.as_deref().unwrap_or("Add, Update, Delete"),
        "name": o.name,
        "scope": scope,
        "sourceObjectName": o.source_object,
        "targetObjectName": o.target_object,
        "attributeMappings": attribute_mappings_json(&o.attribute_mappings),
    })
}

fn attribute_mappings_json(ms: &[AttributeMapping]) -> Value {
    Value::Array(ms.iter().map(attribute_mapping_json).collect())
}

pub(super) fn attribute_mapping_json(m: &AttributeMapping) -> Value {
    let source = match &m.source {
        None => Value::Null,
        Some(expr) => match graph_source(expr) {
            Some(tree) => serde_json::to_value(tree).unwrap_or(Value::Null),
            // An expression that does not parse: keep its text; Graph will reject the tree.
            None => json!({
                "expression": expr.text,
                "name": null,
                "parameters": [],
                "type": expr.kind,
            }),
        },
    };
    json!({
        "defaultValue": m.default_value,
        "exportMissingReferences": m.export_missing_references,
        "flowBehavior": m.flow_behavior.as_deref().unwrap_or(DEFAULT_FLOW_BEHAVIOR),
        "flowType": flow_type_to_graph(m.flow_type),
        "matchingPriority": m.matching_priority,
        "source": source,
        "targetAttributeName": m.target.value,
    })
}

// ---------------------------------------------------------------------------------------------
// YAML

/// The file as entramap YAML (see `docs/yaml-format.md`). One object read from an objectMapping
/// or an attributeMappings array is written at the top level; otherwise under `objects:`.
///
/// When the file carries a Graph document whose fields the YAML does not hold (a schema's ids,
/// metadata and directories), it is written last, under `graph:`, so that YAML → Graph gives
/// the same document back; see [`super::envelope`].
pub fn to_yaml(file: &MappingFile) -> String {
    let mut out = mappings_yaml(file);
    if let Some(section) = envelope_section(file) {
        out.push_str(&section);
    }
    out
}

/// The `graph:` section for `file`, when it needs one: when the Graph JSON written from the
/// mappings alone would differ from the file's Graph document.
fn envelope_section(file: &MappingFile) -> Option<String> {
    let base = file.envelope.as_ref()?.document()?;
    let merged = merge(&base, file, MergeMode::Replace).ok()?;
    if merged == plain_graph_value(file) {
        return None;
    }
    let mut json = String::new();
    envelope_json(&reduce(&merged), 2, &mut json);
    let mut out = String::from(ENVELOPE_HEADER);
    let _ = writeln!(out, "graph:\n  {}", yaml_safe_json(json));
    Some(out)
}

/// Lines of the `graph:` section no wider than this are written on one line.
const ENVELOPE_LINE: usize = 100;

/// JSON for the `graph:` section, which YAML reads as a flow collection: an object whose
/// members are all scalars (an attribute definition, a metadata pair) or any value that fits in
/// [`ENVELOPE_LINE`] goes on one line; others get one member per line, indented under `indent`.
fn envelope_json(v: &Value, indent: usize, out: &mut String) {
    let compact = serde_json::to_string(v).unwrap_or_default();
    let scalar = |x: &Value| match x {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => true,
    };
    let one_line = match v {
        Value::Object(m) => m.values().all(scalar) || indent + compact.len() <= ENVELOPE_LINE,
        Value::Array(_) => indent + compact.len() <= ENVELOPE_LINE,
        _ => true,
    };
    if one_line {
        out.push_str(&compact);
        return;
    }
    let pad = " ".repeat(indent + 2);
    match v {
        Value::Object(m) => {
            out.push_str("{\n");
            for (i, (k, x)) in m.iter().enumerate() {
                let key = serde_json::to_string(k).unwrap_or_default();
                let _ = write!(out, "{pad}{key}: ");
                envelope_json(x, indent + 2, out);
                out.push_str(if i + 1 < m.len() { ",\n" } else { "\n" });
            }
        }
        Value::Array(a) => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad);
                envelope_json(x, indent + 2, out);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
        }
        _ => {}
    }
    let _ = write!(
        out,
        "{}{}",
        " ".repeat(indent),
        if v.is_object() { "}" } else { "]" }
    );
}

/// The comment above a YAML file's `graph:` section.
const ENVELOPE_HEADER: &str = "\n# The Graph schema around the mappings above (ids, metadata, directories), kept so that\n# `entramap convert --to graph` gives back the whole document. Edit the mappings above;\n# a string below stands for the mapping of that target as written above.\n";

fn mappings_yaml(file: &MappingFile) -> String {
    let objects = &file.object_mappings;
    let pairs = directory_pairs(objects);
    let shared = (pairs.len() == 1).then(|| pairs[0].clone());
    let mut out = String::new();
    // A YAML file that carries a schema or a rule keeps the `objects:` form it was written in.
    let carries_rule = file
        .envelope
        .as_ref()
        .and_then(Envelope::document)
        .is_some_and(|e| {
            e.get("synchronizationRules").is_some() || e.get("objectMappings").is_some()
        });
    let top_level =
        objects.len() == 1 && !carries_rule && !matches!(file.shape, Shape::Schema | Shape::Rule);
    if top_level {
        write_object(&mut out, &objects[0], 0, None, true);
        return out;
    }
    if let Some((s, t)) = &shared {
        if let Some(s) = s {
            let _ = writeln!(out, "source-directory: {}", scalar(s, Ctx::Block));
        }
        if let Some(t) = t {
            let _ = writeln!(out, "target-directory: {}", scalar(t, Ctx::Block));
        }
    }
    if objects.is_empty() {
        out.push_str("objects: []\n");
        return out;
    }
    out.push_str("objects:\n");
    for o in objects {
        write_object(&mut out, o, 4, shared.as_ref(), false);
    }
    out
}

/// Writes one object mapping. `indent` is the column of its keys; inside `objects:` the first
/// key is preceded by `- `.
fn write_object(
    out: &mut String,
    o: &ObjectMapping,
    indent: usize,
    shared: Option<&DirPair>,
    top: bool,
) {
    let pad = " ".repeat(indent);
    let mut first = true;
    let mut key = |out: &mut String, k: &str| {
        if !top && first {
            let _ = write!(out, "{}- {k}:", " ".repeat(indent - 2));
        } else {
            let _ = write!(out, "{pad}{k}:");
        }
        first = false;
    };
    let unnamed = o.name.is_none() && o.source_object.is_empty() && o.target_object.is_empty();
    if let Some(n) = &o.name {
        key(out, "name");
        let _ = writeln!(out, " {}", scalar(n, Ctx::Block));
    }
    if !unnamed {
        key(out, "source");
        let _ = writeln!(out, " {}", scalar(&o.source_object, Ctx::Block));
        key(out, "target");
        let _ = writeln!(out, " {}", scalar(&o.target_object, Ctx::Block));
    }
    if !unnamed || !o.enabled {
        key(out, "enabled");
        let _ = writeln!(out, " {}", o.enabled);
    }
    // Entra's default (all three) is left out, as Graph's own exports spell it.
    if let Some(actions) = o
        .actions
        .as_ref()
        .filter(|a| a.replace(' ', "") != "Add,Update,Delete")
    {
        key(out, "actions");
        let _ = writeln!(out, " {}", scalar(actions, Ctx::Block));
    }
    let own = (o.source_directory.clone(), o.target_directory.clone());
    if shared != Some(&own) {
        if let Some(s) = &o.source_directory {
            key(out, "source-directory");
            let _ = writeln!(out, " {}", scalar(s, Ctx::Block));
        }
        if let Some(t) = &o.target_directory {
            key(out, "target-directory");
            let _ = writeln!(out, " {}", scalar(t, Ctx::Block));
        }
    }
    if !o.scope.is_empty() {
        key(out, "scope");
        out.push('\n');
        for g in &o.scope {
            let mut dash = format!("{pad}  - ");
            if let Some(n) = &g.name {
                let _ = writeln!(out, "{dash}name: {}", scalar(n, Ctx::Block));
                dash = format!("{pad}    ");
            }
            if g.clauses.is_empty() {
                let _ = writeln!(out, "{dash}clauses: []");
                continue;
            }
            let _ = writeln!(out, "{dash}clauses:");
            for c in &g.clauses {
                let values: Vec<String> = c.values.iter().map(|v| scalar(v, Ctx::Flow)).collect();
                let _ = writeln!(
                    out,
                    "{pad}      - {{attribute: {}, operator: {}, values: [{}]}}",
                    scalar(&c.attribute, Ctx::Flow),
                    scalar(&c.operator, Ctx::Flow),
                    values.join(", ")
                );
            }
        }
    }
    key(out, "mappings");
    if o.attribute_mappings.is_empty() {
        out.push_str(" []\n");
        return;
    }
    out.push('\n');
    for m in &o.attribute_mappings {
        write_mapping(out, m, indent + 4);
    }
}

fn write_mapping(out: &mut String, m: &AttributeMapping, indent: usize) {
    let pad = " ".repeat(indent);
    let _ = write!(
        out,
        "{}- target: {}",
        " ".repeat(indent - 2),
        block_value(&m.target.value, indent)
    );
    if !m.suppressed.is_empty() {
        // A comment cannot follow a block scalar's header; targets never need one in practice.
        if out.ends_with('\n') {
            let _ = writeln!(out, "{pad}# entramap: ignore[{}]", m.suppressed.join(", "));
        } else {
            let _ = write!(out, "  # entramap: ignore[{}]", m.suppressed.join(", "));
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let field = |out: &mut String, k: &str, v: String| {
        let _ = write!(out, "{pad}{k}: {v}");
        if !out.ends_with('\n') {
            out.push('\n');
        }
    };
    if let Some(expr) = &m.source {
        field(out, "source", block_value(&expr.text, indent));
    }
    if m.matching_priority != 0 {
        field(out, "matching", m.matching_priority.to_string());
    }
    match m.flow_type {
        FlowType::Always => {}
        FlowType::ObjectAddOnly => field(out, "flow", "on-create".into()),
        FlowType::MultiValueAddOnly => field(out, "flow", "multi-value-add-only".into()),
        FlowType::ValueAddOnly => field(out, "flow", "value-add-only".into()),
        FlowType::AttributeAddOnly => field(out, "flow", "attribute-add-only".into()),
    }
    if let Some(d) = &m.default_value {
        field(out, "default", block_value(d, indent));
    }
    if let Some(fb) = m
        .flow_behavior
        .as_deref()
        .filter(|fb| *fb != DEFAULT_FLOW_BEHAVIOR)
    {
        field(out, "flow-behavior", scalar(fb, Ctx::Block));
    }
    if m.export_missing_references {
        field(out, "export-missing-references", "true".into());
    }
    if let Some(expr) = &m.source
        && let Some(tree) = &expr.tree
        && tree_from_text(&expr.text).as_ref() != Some(tree)
    {
        // The tree says something the text does not (or the text does not parse): keep it.
        field(
            out,
            "graph-tree",
            yaml_safe_json(serde_json::to_string(tree).unwrap_or_default()),
        );
    } else if let Some(expr) = &m.source
        && expr.tree.is_none()
        && tree_from_text(&expr.text).is_none()
        && expr.kind != kind_guess(&expr.text)
    {
        // Nothing to keep but the type; a minimal tree carries it.
        let tree =
            json!({"expression": expr.text, "name": null, "parameters": [], "type": expr.kind});
        field(out, "graph-tree", yaml_safe_json(tree.to_string()));
    }
}

/// Whether YAML needs `c` escaped: it is not printable in YAML (C0 and C1 controls, DEL,
/// U+FFFE, U+FFFF), or it is a character some readers take for a line break or a byte-order
/// mark.
fn needs_escape(c: char) -> bool {
    let printable = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}';
    !printable || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
}

/// Compact JSON made safe to stand as a YAML flow mapping: serde_json leaves DEL, C1 controls
/// and U+FFFE/U+FFFF unescaped, which YAML forbids. (Outside strings compact JSON has only
/// ASCII punctuation, so every such character is inside a string, where `\uXXXX` means it in
/// both languages.)
fn yaml_safe_json(json: String) -> String {
    if !json.chars().any(needs_escape) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn kind_guess(text: &str) -> SourceType {
    match text.trim_start().chars().next() {
        Some('[') => SourceType::Attribute,
        Some('"') => SourceType::Constant,
        _ => SourceType::Function,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Block,
    Flow,
}

/// A value after `key: `, as a block scalar when it spans lines (the content indented by two
/// more than `indent`, the column of the key).
fn block_value(s: &str, indent: usize) -> String {
    if let Some(block) = literal_block(s, indent + 2) {
        return block;
    }
    scalar(s, Ctx::Block)
}

fn literal_block(s: &str, content_indent: usize) -> Option<String> {
    if !s.contains('\n') || s.starts_with([' ', '\t', '\n']) {
        return None;
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    if body
        .chars()
        .any(|c| ((c.is_control() || needs_escape(c)) && c != '\n' && c != '\t') || c == '\u{85}')
        || body
            .split('\n')
            .any(|l| !l.is_empty() && l.trim().is_empty())
    {
        return None;
    }
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let pad = " ".repeat(content_indent);
    let mut out = format!("|{chomp}\n");
    for line in body.split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{pad}{line}");
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    Some(out)
}

/// One line's scalar: plain when that reads back as the same text in any YAML reader,
/// else single-quoted, else double-quoted with escapes.
fn scalar(s: &str, ctx: Ctx) -> String {
    if plain_ok(s, ctx) {
        return s.to_string();
    }
    if !s.chars().any(|c| c.is_control() || needs_escape(c)) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn plain_ok(s: &str, ctx: Ctx) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if s.ends_with([' ', '\t', ':'])
        || s.contains(": ")
        || s.contains(" #")
        || s.chars()
            .any(|c| c.is_control() || needs_escape(c) || c == '\u{85}')
    {
        return false;
    }
    if ctx == Ctx::Flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    // Words other YAML readers turn into null, booleans or numbers.
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "~" | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
    ) {
        return false;
    }
    let digits = s.trim_start_matches(['+', '-', '.']);
    !digits.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars() {
        assert_eq!(scalar("[mail]", Ctx::Block), "'[mail]'");
        assert_eq!(scalar("\"False\"", Ctx::Block), "'\"False\"'");
        assert_eq!(
            scalar(
                "Switch([IsSoftDeleted], , \"False\", \"true\", \"True\", \"false\")",
                Ctx::Block
            ),
            "Switch([IsSoftDeleted], , \"False\", \"true\", \"True\", \"false\")"
        );
        assert_eq!(
            scalar("emails[type eq \"work\"].value", Ctx::Block),
            "emails[type eq \"work\"].value"
        );
        assert_eq!(scalar("True", Ctx::Block), "'True'");
        assert_eq!(scalar("1", Ctx::Block), "'1'");
        assert_eq!(scalar("it's", Ctx::Block), "it's");
        assert_eq!(scalar("a: b", Ctx::Block), "'a: b'");
        assert_eq!(scalar("a\u{1}", Ctx::Block), "\"a\\u0001\"");
        assert_eq!(scalar("Sales, EMEA", Ctx::Flow), "'Sales, EMEA'");
        assert_eq!(literal_block("a\n b", 4).unwrap(), "|-\n    a\n     b\n");
    }
}
