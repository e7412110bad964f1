//! Graph synchronization JSON: a whole synchronizationSchema, one synchronizationRule, one
//! objectMapping or a bare attributeMappings array, recognised by shape.
//!
//! Three passes over the text, all with serde_json:
//! 1. a validating walk that rejects what serde_json would accept silently or report vaguely:
//!    duplicate keys, nesting beyond [`MAX_JSON_DEPTH`], lone surrogate escapes; it also notes
//!    which shape keys the top object has, which says what kind of file it is. For a whole
//!    schema the same walk ([`walk`]) reads the directories into their types and takes the
//!    rules as raw slices, so that pass 2 is not made over the whole text again; on anything
//!    unusual it gives up and the plain passes run (tests compare the two paths);
//! 2. typed structs that hold the strings whose positions matter (`targetAttributeName`,
//!    `source.expression`, `source.name`) and the objects whose spans matter as `&RawValue`;
//!    a borrowed raw value is a slice of the input, so its offset is a pointer difference;
//! 3. for those strings, our own escape decoder, which records the [`OffsetMap`].

use super::model::*;
use super::schema::AttrType;
use super::text::{self, MapBuilder};
use super::{EXPECTED_SHAPES, LoadError, LoadErrorKind, MAX_JSON_DEPTH};
use crate::graph::{self, MappingSource, SourceType};
use crate::span::Span;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

/// Loads Graph JSON. `text` is the whole file; parsing starts after `bom` bytes.
pub(crate) fn load(text: &str, bom: usize) -> Result<MappingFile, LoadError> {
    load_with(text, bom, Read::Walk, true)
}

/// [`load`] without the document's text kept as the file's [`Envelope`] (a copy of the whole
/// file, needed only to write Graph JSON back): what a lint reads.
pub(crate) fn load_unenveloped(text: &str, bom: usize) -> Result<MappingFile, LoadError> {
    load_with(text, bom, Read::Walk, false)
}

/// How [`load_with`] starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// With the one [`walk`] (the plain path when it gives up).
    Walk,
    /// With the plain path only: the validating pass, then the typed read. The tests compare
    /// the two.
    #[cfg_attr(not(test), allow(dead_code))]
    Plain,
}

fn load_with(
    text: &str,
    bom: usize,
    read: Read,
    keep_envelope: bool,
) -> Result<MappingFile, LoadError> {
    let cx = Cx {
        file: text,
        placeholders: RefCell::new(Vec::new()),
    };
    let body = &text[bom..];
    let envelope = || keep_envelope.then(|| Envelope::Text(body.into()));
    // One walk validates the text and, for a whole schema, reads its directories and finds its
    // rules; anything it does not take (an error, a value of an unexpected type) is left to the
    // plain path, the validating pass and then the typed read, which say what is wrong.
    let walked = match read {
        Read::Walk => walk(body),
        Read::Plain => None,
    };
    let (top, mut read) = match walked {
        Some(walked) => (walked.top, walked.schema),
        None => (validate(body, bom, text)?, None),
    };
    let Some(&first) = body.trim_start().as_bytes().first() else {
        return Err(super::empty(text.len()));
    };
    if first == b'[' {
        let items: Vec<&RawValue> = cx.parse(body, bom, LoadErrorKind::InvalidField)?;
        if !items
            .first()
            .is_some_and(|v| looks_like_attribute_mapping(v.get()))
        {
            return Err(not_a_mapping(
                &cx,
                body,
                bom,
                "a JSON array whose items are not attributeMappings",
            ));
        }
        let mappings = cx.attribute_mappings(&items)?;
        let span = Span::new(bom, text.len());
        return Ok(MappingFile {
            format: Format::Graph,
            shape: Shape::AttributeMappings,
            directories: Vec::new(),
            object_mappings: vec![ObjectMapping {
                name: None,
                enabled: true,
                source_object: String::new(),
                target_object: String::new(),
                source_directory: None,
                target_directory: None,
                scope: Vec::new(),
                attribute_mappings: mappings,
                actions: None,
                span,
            }],
            placeholders: cx.placeholders.into_inner(),
            envelope: envelope(),
        });
    }
    // The validating pass saw the top object's keys; anything else is read as a `Probe`, which
    // reports why it is not an object.
    let probe = match top {
        Some(keys) => keys,
        None => cx
            .parse::<Probe>(body, bom, LoadErrorKind::InvalidField)?
            .keys(),
    };
    if probe.synchronization_rules {
        let schema: GSchema = match read.take() {
            Some(schema) => schema,
            None => cx.parse(body, bom, LoadErrorKind::InvalidField)?,
        };
        let mut object_mappings = Vec::new();
        for rule in schema.synchronization_rules.unwrap_or_default() {
            if cx.placeholder(rule, PlaceholderKind::Rule, None) {
                continue;
            }
            let rule: GRule = cx.parse_raw(rule, LoadErrorKind::InvalidField)?;
            cx.rule(rule, &mut object_mappings)?;
        }
        let directories = schema
            .directories
            .unwrap_or_default()
            .into_iter()
            .map(directory)
            .collect();
        Ok(MappingFile {
            format: Format::Graph,
            shape: Shape::Schema,
            directories,
            object_mappings,
            placeholders: cx.placeholders.into_inner(),
            envelope: envelope(),
        })
    } else if probe.object_mappings {
        let rule: GRule = cx.parse(body, bom, LoadErrorKind::InvalidField)?;
        let mut object_mappings = Vec::new();
        cx.rule(rule, &mut object_mappings)?;
        Ok(MappingFile {
            format: Format::Graph,
            shape: Shape::Rule,
            directories: Vec::new(),
            object_mappings,
            placeholders: cx.placeholders.into_inner(),
            envelope: envelope(),
        })
    } else if probe.attribute_mappings {
        let raw: &RawValue = cx.parse(body, bom, LoadErrorKind::InvalidField)?;
        let om = cx.object_mapping(raw, None, None)?;
        Ok(MappingFile {
            format: Format::Graph,
            shape: Shape::ObjectMapping,
            directories: Vec::new(),
            object_mappings: vec![om],
            placeholders: cx.placeholders.into_inner(),
            envelope: envelope(),
        })
    } else {
        let what = if probe.target_attribute_name {
            "a single attributeMapping (put it in an array: `[{…}]`)"
        } else {
            "a JSON object without synchronizationRules, objectMappings or attributeMappings"
        };
        Err(not_a_mapping(&cx, body, bom, what))
    }
}

fn not_a_mapping(cx: &Cx, body: &str, bom: usize, what: &str) -> LoadError {
    let start = bom + (body.len() - body.trim_start().len());
    let first_line_end = cx.file[start..]
        .find('\n')
        .map_or(cx.file.len(), |p| start + p);
    LoadError::new(
        LoadErrorKind::NotAMapping,
        Span::new(start, first_line_end.max(start)),
        format!("not a mapping file: this is {what}"),
        format!("entramap {}", EXPECTED_SHAPES),
    )
}

fn looks_like_attribute_mapping(raw: &str) -> bool {
    #[derive(Deserialize)]
    struct Item<'a> {
        #[serde(rename = "targetAttributeName", borrow)]
        target: Option<&'a RawValue>,
    }
    raw.trim_start().starts_with('{')
        && serde_json::from_str::<Item>(raw).is_ok_and(|i| i.target.is_some())
}

// ---------------------------------------------------------------------------------------------
// Typed views of the Graph objects.

#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(rename = "synchronizationRules", borrow)]
    synchronization_rules: Option<&'a RawValue>,
    #[serde(rename = "objectMappings", borrow)]
    object_mappings: Option<&'a RawValue>,
    #[serde(rename = "attributeMappings", borrow)]
    attribute_mappings: Option<&'a RawValue>,
    #[serde(rename = "targetAttributeName", borrow)]
    target_attribute_name: Option<&'a RawValue>,
}

impl Probe<'_> {
    fn keys(&self) -> TopKeys {
        TopKeys {
            synchronization_rules: self.synchronization_rules.is_some(),
            object_mappings: self.object_mappings.is_some(),
            attribute_mappings: self.attribute_mappings.is_some(),
            target_attribute_name: self.target_attribute_name.is_some(),
        }
    }
}

/// Which of the keys that tell a file's shape its top object has with a value other than
/// `null` (what a [`Probe`] of it finds, as the validating pass records it).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct TopKeys {
    synchronization_rules: bool,
    object_mappings: bool,
    attribute_mappings: bool,
    target_attribute_name: bool,
}

impl TopKeys {
    /// Notes `key` when it is one of the shape keys and its value is not `null`.
    fn note(&mut self, key: &str, null: bool) {
        let field = match key {
            "synchronizationRules" => &mut self.synchronization_rules,
            "objectMappings" => &mut self.object_mappings,
            "attributeMappings" => &mut self.attribute_mappings,
            "targetAttributeName" => &mut self.target_attribute_name,
            _ => return,
        };
        *field = !null;
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GSchema<'a> {
    directories: Option<Vec<GDirectory>>,
    #[serde(borrow)]
    synchronization_rules: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GRule<'a> {
    source_directory_name: Option<String>,
    target_directory_name: Option<String>,
    #[serde(borrow)]
    object_mappings: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GObjectMapping<'a> {
    name: Option<String>,
    enabled: Option<bool>,
    flow_types: Option<String>,
    source_object_name: Option<String>,
    target_object_name: Option<String>,
    scope: Option<GScope>,
    #[serde(borrow)]
    attribute_mappings: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct GScope {
    groups: Option<Vec<GGroup>>,
}

#[derive(Deserialize)]
struct GGroup {
    name: Option<String>,
    clauses: Option<Vec<GClause>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GClause {
    operator_name: String,
    source_operand_name: String,
    target_operand: Option<GOperand>,
}

#[derive(Deserialize)]
struct GOperand {
    values: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GAttributeMapping<'a> {
    #[serde(borrow)]
    target_attribute_name: &'a RawValue,
    #[serde(borrow)]
    source: Option<&'a RawValue>,
    default_value: Option<String>,
    export_missing_references: Option<bool>,
    flow_behavior: Option<String>,
    flow_type: Option<String>,
    #[serde(default, deserialize_with = "matching_priority")]
    matching_priority: Option<u32>,
}

/// What `matchingPriority` may be, said in our words rather than serde's.
const MATCHING_PRIORITY: &str = "matchingPriority should be a whole number from 0 to 4294967295 (0: not a matching attribute; 1 is tried first)";

/// `matchingPriority`: a whole number; `-0` (and `0.0`) are 0, as .NET reads them.
fn matching_priority<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<u32>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(MATCHING_PRIORITY)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            u32::try_from(v)
                .map(Some)
                .map_err(|_| E::custom(format!("{MATCHING_PRIORITY}, not {v}")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map_err(|_| E::custom(format!("{MATCHING_PRIORITY}, not {v}")))
                .and_then(|v| self.visit_u64(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            if v == 0.0 {
                Ok(Some(0))
            } else {
                Err(E::custom(format!("{MATCHING_PRIORITY}, not {v}")))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Err(E::custom(format!(
                "{MATCHING_PRIORITY}, not the string {:?}",
                shorten(v)
            )))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Err(E::custom(format!("{MATCHING_PRIORITY}, not {v}")))
        }
    }
    d.deserialize_option(V)
}

/// The strings of a source node whose positions matter.
#[derive(Deserialize)]
struct GSourceStrings<'a> {
    #[serde(borrow)]
    expression: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct GDirectory {
    name: Option<String>,
    objects: Option<Vec<GObjectDefinition>>,
}

#[derive(Deserialize)]
struct GObjectDefinition {
    name: Option<String>,
    attributes: Option<Vec<GAttributeDefinition>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GAttributeDefinition {
    name: String,
    #[serde(rename = "type")]
    ty: Option<AttrType>,
    multivalued: Option<bool>,
    required: Option<bool>,
    case_exact: Option<bool>,
}

/// The attribute definitions of a Graph document's `directories` (a YAML file's `graph:`
/// section carries them); none when it has none or they do not read.
pub(crate) fn directories_from_value(doc: &serde_json::Value) -> Vec<Directory> {
    doc.get("directories")
        .and_then(|d| serde_json::from_value::<Vec<GDirectory>>(d.clone()).ok())
        .unwrap_or_default()
        .into_iter()
        .map(directory)
        .collect()
}

/// [`is_empty_source`] for a parsed value.
pub(crate) fn is_empty_source_value(v: &serde_json::Value) -> bool {
    serde_json::to_string(v).is_ok_and(|s| is_empty_source(&s))
}

fn directory(d: GDirectory) -> Directory {
    Directory {
        name: d.name.unwrap_or_default(),
        objects: d
            .objects
            .unwrap_or_default()
            .into_iter()
            .map(|o| ObjectDefinition {
                name: o.name.unwrap_or_default(),
                attributes: o
                    .attributes
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| AttributeDefinition {
                        name: a.name,
                        ty: a.ty.unwrap_or_default(),
                        multivalued: a.multivalued.unwrap_or(false),
                        required: a.required.unwrap_or(false),
                        case_exact: a.case_exact.unwrap_or(false),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Graph's `flowType` names.
pub(crate) fn flow_type_from_graph(s: &str) -> Option<FlowType> {
    Some(match s {
        "Always" => FlowType::Always,
        "ObjectAddOnly" => FlowType::ObjectAddOnly,
        "MultiValueAddOnly" => FlowType::MultiValueAddOnly,
        "ValueAddOnly" => FlowType::ValueAddOnly,
        "AttributeAddOnly" => FlowType::AttributeAddOnly,
        _ => return None,
    })
}

pub(crate) fn flow_type_to_graph(f: FlowType) -> &'static str {
    match f {
        FlowType::Always => "Always",
        FlowType::ObjectAddOnly => "ObjectAddOnly",
        FlowType::MultiValueAddOnly => "MultiValueAddOnly",
        FlowType::ValueAddOnly => "ValueAddOnly",
        FlowType::AttributeAddOnly => "AttributeAddOnly",
    }
}

// ---------------------------------------------------------------------------------------------

/// The file being read, for turning slices and serde_json positions into file offsets.
struct Cx<'a> {
    file: &'a str,
    /// Empty stand-ins met so far.
    placeholders: RefCell<Vec<Placeholder>>,
}

impl<'a> Cx<'a> {
    /// Records `raw` as a placeholder of `kind` when it is one: an empty object for a schema
    /// part, or, for a source, an object with no expression, name or parameters.
    fn placeholder(&self, raw: &'a RawValue, kind: PlaceholderKind, target: Option<&str>) -> bool {
        let empty = match kind {
            PlaceholderKind::Source => is_empty_source(raw.get()),
            _ => is_empty_object(raw.get()),
        };
        if empty {
            self.placeholders.borrow_mut().push(Placeholder {
                kind,
                span: self.span_of(raw.get()),
                target: target.map(str::to_string),
            });
        }
        empty
    }

    /// The file offset of a slice of the file.
    fn offset_of(&self, s: &str) -> usize {
        let off = s.as_ptr().addr().wrapping_sub(self.file.as_ptr().addr());
        if off <= self.file.len() { off } else { 0 }
    }

    fn span_of(&self, s: &str) -> Span {
        let at = self.offset_of(s);
        Span::new(at, at + s.len())
    }

    /// Deserializes `s` (a slice of the file starting at `at`).
    fn parse<T: Deserialize<'a>>(
        &self,
        s: &'a str,
        at: usize,
        kind: LoadErrorKind,
    ) -> Result<T, LoadError> {
        serde_json::from_str(s).map_err(|e| self.serde_error(&e, s, at, kind))
    }

    fn parse_raw<T: Deserialize<'a>>(
        &self,
        raw: &'a RawValue,
        kind: LoadErrorKind,
    ) -> Result<T, LoadError> {
        let s = raw.get();
        self.parse(s, self.offset_of(s), kind)
    }

    fn serde_error(
        &self,
        e: &serde_json::Error,
        s: &str,
        at: usize,
        kind: LoadErrorKind,
    ) -> LoadError {
        let offset = at + offset_from_line_col(s, e.line(), e.column());
        let kind = match e.classify() {
            serde_json::error::Category::Data => kind,
            _ => LoadErrorKind::InvalidJson,
        };
        let message = strip_position(&e.to_string());
        let help = match kind {
            LoadErrorKind::InvalidExpressionTree => {
                "a source is an attributeMappingSource: {\"type\": \"Attribute\"|\"Constant\"|\"Function\", \"name\": …, \"expression\": …, \"parameters\": [{\"key\": …, \"value\": {…}}]}"
            }
            _ => "see the Graph synchronization schema reference for the field's type",
        };
        LoadError::new(kind, char_span(self.file, offset), message, help)
    }

    fn rule(&self, rule: GRule<'a>, out: &mut Vec<ObjectMapping>) -> Result<(), LoadError> {
        for raw in rule.object_mappings.unwrap_or_default() {
            if self.placeholder(raw, PlaceholderKind::ObjectMapping, None) {
                continue;
            }
            out.push(self.object_mapping(
                raw,
                rule.source_directory_name.clone(),
                rule.target_directory_name.clone(),
            )?);
        }
        Ok(())
    }

    fn object_mapping(
        &self,
        raw: &'a RawValue,
        source_directory: Option<String>,
        target_directory: Option<String>,
    ) -> Result<ObjectMapping, LoadError> {
        let om: GObjectMapping = self.parse_raw(raw, LoadErrorKind::InvalidField)?;
        let scope = om
            .scope
            .and_then(|s| s.groups)
            .unwrap_or_default()
            .into_iter()
            .map(|g| ScopeGroup {
                name: g.name,
                clauses: g
                    .clauses
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| ScopeClause {
                        attribute: c.source_operand_name,
                        operator: c.operator_name,
                        values: c.target_operand.and_then(|t| t.values).unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect();
        Ok(ObjectMapping {
            name: om.name,
            enabled: om.enabled.unwrap_or(true),
            source_object: om.source_object_name.unwrap_or_default(),
            target_object: om.target_object_name.unwrap_or_default(),
            source_directory,
            target_directory,
            scope,
            attribute_mappings: self
                .attribute_mappings(&om.attribute_mappings.unwrap_or_default())?,
            actions: om.flow_types,
            span: self.span_of(raw.get()),
        })
    }

    fn attribute_mappings(
        &self,
        items: &[&'a RawValue],
    ) -> Result<Vec<AttributeMapping>, LoadError> {
        items
            .iter()
            .filter(|raw| !self.placeholder(raw, PlaceholderKind::AttributeMapping, None))
            .map(|raw| self.attribute_mapping(raw))
            .collect()
    }

    fn attribute_mapping(&self, raw: &'a RawValue) -> Result<AttributeMapping, LoadError> {
        let am: GAttributeMapping = self.parse_raw(raw, LoadErrorKind::InvalidField)?;
        let (target, target_map) = self.string(am.target_attribute_name, "targetAttributeName")?;
        let flow_type = match &am.flow_type {
            None => FlowType::Always,
            Some(f) => flow_type_from_graph(f).ok_or_else(|| {
                LoadError::new(
                    LoadErrorKind::InvalidField,
                    self.field_span(raw.get(), "flowType"),
                    format!("unknown flowType {f:?}"),
                    "flowType is one of Always, ObjectAddOnly, MultiValueAddOnly, ValueAddOnly, AttributeAddOnly",
                )
            })?,
        };
        let source = match am.source {
            Some(src) if self.placeholder(src, PlaceholderKind::Source, Some(&target)) => None,
            Some(src) => Some(self.source(src)?),
            None => None,
        };
        Ok(AttributeMapping {
            target: Spanned::new(target, target_map.span),
            source,
            matching_priority: am.matching_priority.unwrap_or(0),
            flow_type,
            flow_behavior: am.flow_behavior,
            export_missing_references: am.export_missing_references.unwrap_or(false),
            default_value: am.default_value,
            suppressed: Vec::new(),
            span: self.span_of(raw.get()),
        })
    }

    /// The span of `"key"` inside an object's raw text (for errors about a field's value).
    fn field_span(&self, object: &str, key: &str) -> Span {
        let quoted = format!("\"{key}\"");
        match object.find(&quoted) {
            Some(p) => {
                let at = self.offset_of(object) + p;
                Span::new(at, at + quoted.len())
            }
            None => self.span_of(object),
        }
    }

    /// Decodes a string value with its offset map.
    fn string(&self, raw: &'a RawValue, field: &str) -> Result<(String, OffsetMap), LoadError> {
        let s = raw.get();
        let at = self.offset_of(s);
        if !s.starts_with('"') {
            return Err(LoadError::new(
                LoadErrorKind::InvalidField,
                self.span_of(s),
                format!("{field} must be a string, not `{}`", shorten(s)),
                format!("write {field} as a JSON string in double quotes"),
            ));
        }
        text::decode_json_string(s, at).map_err(|e| {
            LoadError::new(
                if e.message.starts_with("lone surrogate") {
                    LoadErrorKind::LoneSurrogate
                } else {
                    LoadErrorKind::InvalidJson
                },
                e.span,
                e.message,
                "write the character itself, or a complete \\uXXXX escape (two for characters outside the Basic Multilingual Plane)",
            )
        })
    }

    fn source(&self, raw: &'a RawValue) -> Result<MappingExpr, LoadError> {
        let tree: MappingSource = self.parse_raw(raw, LoadErrorKind::InvalidExpressionTree)?;
        let strings: GSourceStrings = self.parse_raw(raw, LoadErrorKind::InvalidExpressionTree)?;
        let expression = strings.expression.filter(|e| e.get() != "null");
        let name = strings.name.filter(|e| e.get() != "null");
        let (text, map) = if let Some(e) = expression {
            self.string(e, "source.expression")?
        } else if let (Some(n), SourceType::Attribute | SourceType::Constant) = (name, tree.kind) {
            // Older exports give a Direct or Constant mapping only a name and a type.
            let (name_text, name_map) = self.string(n, "source.name")?;
            if tree.kind == SourceType::Attribute {
                wrap("[", &name_text, &name_map, "]", false)
            } else {
                wrap("\"", &name_text, &name_map, "\"", true)
            }
        } else {
            // A function tree without its text: rebuild the text, every byte pointing at the tree.
            let text = graph::graph_to_text(&tree).map_err(|e| {
                LoadError::new(
                    LoadErrorKind::InvalidExpressionTree,
                    self.span_of(raw.get()),
                    format!("the source tree has no expression text and cannot be read: {e}"),
                    "give the source an \"expression\" with the expression text",
                )
            })?;
            let at = self.offset_of(raw.get());
            let mut b = MapBuilder::new(at);
            for ch in text.chars() {
                b.push_char(ch, at, at);
            }
            b.finish(self.span_of(raw.get()))
        };
        Ok(MappingExpr {
            text,
            map,
            kind: tree.kind,
            tree: Some(tree),
            tree_span: Some(self.span_of(raw.get())),
        })
    }
}

/// Whether a JSON value is `{}` (white space allowed).
fn is_empty_object(raw: &str) -> bool {
    raw.strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .is_some_and(|inner| inner.trim().is_empty())
}

/// Whether a `source` value says nothing: an object whose members are all null, empty or a bare
/// `type` (`{}`, `{"expression": null, "parameters": []}`). An `expression` written as a string,
/// even `""`, says something: that text is the expression.
///
/// Read without building a tree, and without an error for an object that says something: once
/// a member says something the rest are skipped (serde_json's errors compute their line, and
/// the first one costs the process the CPU feature detection of the `memchr` crate).
fn is_empty_source(raw: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(raw);
    de::Deserializer::deserialize_map(&mut de, SaysNothing)
        .is_ok_and(|empty| empty && de.end().is_ok())
}

/// An object all of whose members say nothing (true) or not (false); anything else is an
/// error.
struct SaysNothing;

impl<'de> Visitor<'de> for SaysNothing {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object whose members are null, empty or a type")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key_seed(Key)? {
            let blank = BlankMember {
                expression: key == "expression",
                type_: key == "type",
            };
            if !map.next_value_seed(blank)? {
                // Says something: the rest is skipped.
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// One member's value: whether it says nothing (null; an empty array; an empty string, or any
/// string for `type`, but never for `expression`). A value of another type says something.
struct BlankMember {
    expression: bool,
    type_: bool,
}

impl<'de> DeserializeSeed<'de> for BlankMember {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BlankMember {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(!self.expression && (v.is_empty() || self.type_))
    }
    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut empty = true;
        while seq.next_element::<de::IgnoredAny>()?.is_some() {
            empty = false;
        }
        Ok(empty)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(false)
    }
}

/// `prefix + name + suffix`, with the name's bytes mapped through its own map and the prefix and
/// suffix mapped to the quotes around the name in the file. With `escape`, `"` and `\` in the
/// name are escaped as expression strings need.
fn wrap(
    prefix: &str,
    name: &str,
    map: &OffsetMap,
    suffix: &str,
    escape: bool,
) -> (String, OffsetMap) {
    let open = map.span.start as usize - 1;
    let close = map.span.end as usize;
    let mut b = MapBuilder::new(open);
    b.decoded(prefix, open, open + 1);
    for (d, ch) in name.char_indices() {
        let (start, end) = (map.offset(d), map.offset(d + ch.len_utf8()));
        if escape && (ch == '"' || ch == '\\') {
            b.decoded(&format!("\\{ch}"), start, end);
        } else {
            b.push_char(ch, start, end);
        }
    }
    b.decoded(suffix, close, close + 1);
    b.finish(Span::new(open + 1, close))
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// serde_json's message without its " at line L column C" suffix (the span says where), and
/// with the value it quotes (`invalid type: string "…", expected …`) cut short.
fn strip_position(msg: &str) -> String {
    let msg = match msg.rfind(" at line ") {
        Some(p) => &msg[..p],
        None => msg,
    };
    if let (Some(a), Some(b)) = (msg.find('"'), msg.rfind('"'))
        && b > a + 80
    {
        let quoted: String = msg[a + 1..b].chars().take(60).collect();
        return format!("{}\"{quoted}…\"{}", &msg[..a], &msg[b + 1..]);
    }
    msg.to_string()
}

/// The byte offset serde_json means by a 1-based line and its byte column (the column names the
/// offending byte; 0 means the start of the line).
pub(crate) fn offset_from_line_col(s: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match s[start..].find('\n') {
            Some(p) => start += p + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(s.len())
}

/// A one-character span at `offset` (empty at the end of the text).
fn char_span(text: &str, offset: usize) -> Span {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let len = text[offset..].chars().next().map_or(0, char::len_utf8);
    Span::new(offset, offset + len)
}

// ---------------------------------------------------------------------------------------------
// The validating pass.

#[derive(Debug)]
enum Problem {
    DuplicateKey(String),
    TooDeep,
}

/// Walks a value; its result says whether the value is `null`.
struct Check<'p> {
    depth: usize,
    problem: &'p RefCell<Option<Problem>>,
    /// The shape keys of the top object, when the document is one.
    top: &'p RefCell<Option<TopKeys>>,
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let depth = self.depth + 1;
        if depth > MAX_JSON_DEPTH {
            *self.problem.borrow_mut() = Some(Problem::TooDeep);
            return Err(de::Error::custom("too deep"));
        }
        while seq
            .next_element_seed(Check {
                depth,
                problem: self.problem,
                top: self.top,
            })?
            .is_some()
        {}
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let depth = self.depth + 1;
        if depth > MAX_JSON_DEPTH {
            *self.problem.borrow_mut() = Some(Problem::TooDeep);
            return Err(de::Error::custom("too deep"));
        }
        // The keys met, to find a repeated one (see `Seen`).
        let mut top = (depth == 1).then(TopKeys::default);
        let mut seen = Seen::default();
        while let Some(key) = map.next_key_seed(Key)? {
            if !seen.insert(key.clone()) {
                *self.problem.borrow_mut() = Some(Problem::DuplicateKey(key.into_owned()));
                return Err(de::Error::custom("duplicate key"));
            }
            let null = map.next_value_seed(Check {
                depth,
                problem: self.problem,
                top: self.top,
            })?;
            if let Some(top) = &mut top {
                top.note(&key, null);
            }
        }
        if top.is_some() {
            *self.top.borrow_mut() = top;
        }
        Ok(false)
    }
}

/// Keys an object may have before they are looked up in a set rather than a list.
const FEW_KEYS: usize = 16;

/// The keys of one object met so far. Keys are borrowed from the text where they have no
/// escapes; compared in a list while there are few (every object of a Graph export), in a set
/// beyond: an object of 100,000 keys must not take 10^10 comparisons.
#[derive(Default)]
struct Seen<'de> {
    few: Vec<Cow<'de, str>>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> Seen<'de> {
    /// Adds a key (a borrowed one is cheap to clone); false when the object had it already.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if !self.many.is_empty() {
            return self.many.insert(key);
        }
        if self.few.contains(&key) {
            return false;
        }
        if self.few.len() < FEW_KEYS {
            self.few.push(key);
        } else {
            self.many.extend(self.few.drain(..));
            self.many.insert(key);
        }
        true
    }
}

/// An object key, borrowed from the text unless it has escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// Checks `body` (the file from offset `at`) for syntax errors, duplicate keys, excessive
/// nesting and lone surrogates, each reported at its position. When the document is an object,
/// says which shape keys it has (so that it need not be read again as a [`Probe`]).
fn validate(body: &str, at: usize, file: &str) -> Result<Option<TopKeys>, LoadError> {
    let problem = RefCell::new(None);
    let top = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(body);
    let result = Check {
        depth: 0,
        problem: &problem,
        top: &top,
    }
    .deserialize(&mut de)
    .and_then(|_| de.end());
    let Err(e) = result else {
        return Ok(top.into_inner());
    };
    let offset = at + offset_from_line_col(body, e.line(), e.column());
    match problem.into_inner() {
        Some(Problem::DuplicateKey(key)) => {
            // serde_json stops on the closing quote of the repeated key, or past the blanks
            // after it: go back to that quote (never into the middle of a character).
            let mut close = offset.min(file.len().saturating_sub(1));
            while !file.is_char_boundary(close) {
                close -= 1;
            }
            if file.as_bytes().get(close) != Some(&b'"')
                && let Some(quote) = file[..close].rfind('"')
            {
                close = quote;
            }
            let open = key_start(file, close);
            let first = first_occurrence(file, open, &key);
            let mut err = LoadError::new(
                LoadErrorKind::DuplicateKey,
                Span::new(open, close + 1),
                format!("duplicate key {key:?} in a JSON object"),
                "JSON readers disagree on which of two equal keys wins (Graph keeps one, silently); remove one of them",
            );
            err.related = first.map(|f| Span::new(f, f + (close + 1 - open)));
            Err(err)
        }
        Some(Problem::TooDeep) => Err(LoadError::new(
            LoadErrorKind::TooDeep,
            char_span(file, offset),
            format!("arrays and objects are nested deeper than {MAX_JSON_DEPTH} levels"),
            "a Graph export nests about 10 levels plus 3 per nested function call; this file is not a plausible mapping",
        )),
        None => {
            let message = strip_position(&e.to_string());
            if (message.contains("surrogate") || message.contains("hex escape"))
                && let Some((unit, esc)) = surrogate_escape_before(file, offset)
            {
                let s = text::lone_surrogate(unit, esc);
                return Err(LoadError::new(
                    LoadErrorKind::LoneSurrogate,
                    s.span,
                    s.message,
                    "write the character itself, or both halves of its surrogate pair",
                ));
            }
            let kind = if message.contains("recursion limit") {
                LoadErrorKind::TooDeep
            } else {
                LoadErrorKind::InvalidJson
            };
            let help = match e.classify() {
                serde_json::error::Category::Eof => {
                    "the file ends in the middle of a value: it may be truncated; check that every { [ and \" is closed"
                }
                _ => {
                    "JSON needs double-quoted keys and strings, commas between items and no trailing commas or comments"
                }
            };
            Err(LoadError::new(
                kind,
                char_span(file, offset),
                format!("invalid JSON: {message}"),
                help,
            ))
        }
    }
}

/// The offset of the opening quote of the JSON string whose closing quote is at `close`.
fn key_start(file: &str, close: usize) -> usize {
    let b = file.as_bytes();
    let mut i = close;
    while i > 0 {
        i -= 1;
        if b[i] == b'"' {
            let mut slashes = 0;
            while i > slashes && b[i - 1 - slashes] == b'\\' {
                slashes += 1;
            }
            if slashes % 2 == 0 {
                return i;
            }
        }
    }
    close
}

/// Where the same key first appears in the enclosing object (best effort: the nearest earlier
/// `"key"` at the same nesting level).
fn first_occurrence(file: &str, before: usize, key: &str) -> Option<usize> {
    let needle = serde_json::to_string(key).ok()?;
    let b = file.as_bytes();
    let mut depth = 0i32;
    let mut i = before;
    // Walk back to the object's opening brace, tracking nesting, and look for the key.
    let mut candidates = Vec::new();
    let mut in_string = false;
    while i > 0 {
        i -= 1;
        let c = b[i];
        if c == b'"' {
            let mut slashes = 0;
            while i > slashes && b[i - 1 - slashes] == b'\\' {
                slashes += 1;
            }
            if slashes % 2 == 0 {
                in_string = !in_string;
                if !in_string
                    && depth == 0
                    && file[i..].starts_with(&needle)
                    && file[i + needle.len()..].trim_start().starts_with(':')
                {
                    candidates.push(i);
                }
            }
            continue;
        }
        if in_string {
            continue;
        }
        match c {
            b'}' | b']' => depth += 1,
            b'{' | b'[' if depth == 0 => break,
            b'{' | b'[' => depth -= 1,
            _ => {}
        }
    }
    candidates.last().copied()
}

/// The last `\uXXXX` escape at or before `offset` whose unit is a surrogate.
fn surrogate_escape_before(file: &str, offset: usize) -> Option<(u32, usize)> {
    let lo = offset.saturating_sub(16);
    let end = (offset + 1).min(file.len());
    let window = file.get(lo..end)?;
    let mut found = None;
    for (p, _) in window.match_indices("\\u") {
        let at = lo + p;
        if let Some(unit) = file
            .get(at + 2..at + 6)
            .filter(|d| d.bytes().all(|c| c.is_ascii_hexdigit()))
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            && (0xD800..=0xDFFF).contains(&unit)
        {
            found = Some((unit, at));
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// The walk: the validating pass and the read of a schema's directories and rules in one.

/// What [`walk`] found.
struct Walked<'a> {
    /// As [`validate`] says.
    top: Option<TopKeys>,
    /// The top object's `directories` and `synchronizationRules`, read as the typed pass reads
    /// them ([`GSchema`]), when it has both keys or either (`None` when it is no object).
    schema: Option<GSchema<'a>>,
}

/// [`validate`] and, for an object, the typed read of its [`GSchema`] in one walk over the
/// text: the directories are read into their types as they are checked, the rules are taken as
/// raw slices and each is then checked as the validating pass would check it there (same
/// depth). `None` on anything that pass or the typed read would refuse, and on anything this
/// walk does not know how to take (a directory written as an array, which serde reads
/// positionally): the plain path then reads the file and says what is wrong. When this gives a
/// result, the plain path gives the same ([`tests`] compare them on every fixture).
fn walk(body: &str) -> Option<Walked<'_>> {
    let scratch = Scratch::default();
    let mut de = serde_json::Deserializer::from_str(body);
    let walked = TopWalk(&scratch).deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(walked)
}

/// The cells a [`Check`] writes to; in the walk, only a failure matters (any problem makes it
/// give up), so what they hold is never read.
#[derive(Default)]
struct Scratch {
    problem: RefCell<Option<Problem>>,
    top: RefCell<Option<TopKeys>>,
}

impl Scratch {
    fn check(&self, depth: usize) -> Check<'_> {
        Check {
            depth,
            problem: &self.problem,
            top: &self.top,
        }
    }
}

/// Fails the walk (the plain path will say why, or read the value).
fn give_up<E: de::Error>() -> E {
    E::custom("left to the plain path")
}

/// The document's top value.
struct TopWalk<'p>(&'p Scratch);

impl<'de> DeserializeSeed<'de> for TopWalk<'_> {
    type Value = Walked<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Walked<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopWalk<'_> {
    type Value = Walked<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Walked<'de>, E> {
        Ok(Walked::not_an_object())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Walked<'de>, E> {
        Ok(Walked::not_an_object())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Walked<'de>, E> {
        Ok(Walked::not_an_object())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Walked<'de>, E> {
        Ok(Walked::not_an_object())
    }
    fn visit_str<E>(self, _: &str) -> Result<Walked<'de>, E> {
        Ok(Walked::not_an_object())
    }
    fn visit_unit<E>(self) -> Result<Walked<'de>, E> {
        Ok(Walked::not_an_object())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Walked<'de>, A::Error> {
        self.0.check(0).visit_seq(seq)?;
        Ok(Walked::not_an_object())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Walked<'de>, A::Error> {
        // The top object is at depth 1, as in `Check`.
        let depth = 1;
        let mut top = TopKeys::default();
        let mut schema = GSchema {
            directories: None,
            synchronization_rules: None,
        };
        let mut seen = Seen::default();
        while let Some(key) = map.next_key_seed(Key)? {
            if !seen.insert(key.clone()) {
                return Err(give_up());
            }
            let null = match key.as_ref() {
                "directories" => {
                    schema.directories =
                        map.next_value_seed(list_walk::<DirectoryMembers>(depth, self.0))?;
                    schema.directories.is_none()
                }
                "synchronizationRules" => {
                    let rules: Option<Vec<&'de RawValue>> = map.next_value()?;
                    // Each rule checked where it lies: an array at depth 2 holds it.
                    for rule in rules.iter().flatten() {
                        let mut de = serde_json::Deserializer::from_str(rule.get());
                        self.0
                            .check(depth + 1)
                            .deserialize(&mut de)
                            .map_err(|_| give_up::<A::Error>())?;
                    }
                    schema.synchronization_rules = rules;
                    schema.synchronization_rules.is_none()
                }
                _ => map.next_value_seed(self.0.check(depth))?,
            };
            top.note(&key, null);
        }
        Ok(Walked {
            top: Some(top),
            schema: Some(schema),
        })
    }
}

impl Walked<'_> {
    fn not_an_object() -> Self {
        Walked {
            top: None,
            schema: None,
        }
    }
}

/// `null` or an array of objects read by `M` (what serde reads as `Option<Vec<T>>`), the value
/// of a member of an object at `depth`.
struct ListWalk<'p, M> {
    depth: usize,
    scratch: &'p Scratch,
    members: std::marker::PhantomData<M>,
}

fn list_walk<M>(depth: usize, scratch: &Scratch) -> ListWalk<'_, M> {
    ListWalk {
        depth,
        scratch,
        members: std::marker::PhantomData,
    }
}

impl<'de, M: Members<'de>> DeserializeSeed<'de> for ListWalk<'_, M> {
    type Value = Option<Vec<M::Out>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, M: Members<'de>> Visitor<'de> for ListWalk<'_, M> {
    type Value = Option<Vec<M::Out>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("null or an array of objects")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let depth = self.depth + 1;
        if depth > MAX_JSON_DEPTH {
            return Err(give_up());
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(ObjectWalk::<M> {
            depth,
            scratch: self.scratch,
            members: std::marker::PhantomData,
        })? {
            items.push(item);
        }
        Ok(Some(items))
    }
}

/// An object read by `M`, the value of a member of (or an item in) a container at `depth`.
struct ObjectWalk<'p, M> {
    depth: usize,
    scratch: &'p Scratch,
    members: std::marker::PhantomData<M>,
}

impl<'de, M: Members<'de>> DeserializeSeed<'de> for ObjectWalk<'_, M> {
    type Value = M::Out;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<M::Out, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, M: Members<'de>> Visitor<'de> for ObjectWalk<'_, M> {
    type Value = M::Out;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<M::Out, A::Error> {
        let depth = self.depth + 1;
        if depth > MAX_JSON_DEPTH {
            return Err(give_up());
        }
        let mut seen = Seen::default();
        let mut members = M::default();
        while let Some(key) = map.next_key_seed(Key)? {
            if !seen.insert(key.clone()) {
                return Err(give_up());
            }
            if !members.member(&key, &mut map, depth, self.scratch)? {
                map.next_value_seed(self.scratch.check(depth))?;
            }
        }
        members.finish()
    }
}

/// The members of one kind of object, as its serde type reads them.
trait Members<'de>: Default {
    type Out;
    /// Reads the value of member `key` when it is one the type has (then true); false leaves
    /// the value to be checked. `depth` is the object's.
    fn member<A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        depth: usize,
        scratch: &Scratch,
    ) -> Result<bool, A::Error>;
    /// The object, or an error when a required member was missing.
    fn finish<E: de::Error>(self) -> Result<Self::Out, E>;
}

/// A [`GDirectory`].
#[derive(Default)]
struct DirectoryMembers {
    name: Option<String>,
    objects: Option<Vec<GObjectDefinition>>,
}

impl<'de> Members<'de> for DirectoryMembers {
    type Out = GDirectory;
    fn member<A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        depth: usize,
        scratch: &Scratch,
    ) -> Result<bool, A::Error> {
        match key {
            "name" => self.name = map.next_value()?,
            "objects" => {
                self.objects = map.next_value_seed(list_walk::<ObjectMembers>(depth, scratch))?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
    fn finish<E: de::Error>(self) -> Result<GDirectory, E> {
        Ok(GDirectory {
            name: self.name,
            objects: self.objects,
        })
    }
}

/// A [`GObjectDefinition`].
#[derive(Default)]
struct ObjectMembers {
    name: Option<String>,
    attributes: Option<Vec<GAttributeDefinition>>,
}

impl<'de> Members<'de> for ObjectMembers {
    type Out = GObjectDefinition;
    fn member<A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        depth: usize,
        scratch: &Scratch,
    ) -> Result<bool, A::Error> {
        match key {
            "name" => self.name = map.next_value()?,
            "attributes" => {
                self.attributes =
                    map.next_value_seed(list_walk::<AttributeMembers>(depth, scratch))?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
    fn finish<E: de::Error>(self) -> Result<GObjectDefinition, E> {
        Ok(GObjectDefinition {
            name: self.name,
            attributes: self.attributes,
        })
    }
}

/// A [`GAttributeDefinition`].
#[derive(Default)]
struct AttributeMembers {
    name: Option<String>,
    ty: Option<AttrType>,
    multivalued: Option<bool>,
    required: Option<bool>,
    case_exact: Option<bool>,
}

impl<'de> Members<'de> for AttributeMembers {
    type Out = GAttributeDefinition;
    fn member<A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        _: usize,
        _: &Scratch,
    ) -> Result<bool, A::Error> {
        match key {
            "name" => self.name = Some(map.next_value()?),
            "type" => self.ty = map.next_value()?,
            "multivalued" => self.multivalued = map.next_value()?,
            "required" => self.required = map.next_value()?,
            "caseExact" => self.case_exact = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
    fn finish<E: de::Error>(self) -> Result<GAttributeDefinition, E> {
        Ok(GAttributeDefinition {
            name: self.name.ok_or_else(give_up)?,
            ty: self.ty,
            multivalued: self.multivalued,
            required: self.required,
            case_exact: self.case_exact,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain path: the shape keys as a `Probe` read of the document finds them.
    fn probed(doc: &str) -> Option<TopKeys> {
        serde_json::from_str::<Probe>(doc).ok().map(|p| p.keys())
    }

    /// What the validating pass records of the top object equals what a `Probe` reads, for
    /// every shape, `null` values, escaped keys, nested look-alikes and every JSON fixture.
    #[test]
    fn the_validating_pass_finds_the_shape_keys_a_probe_finds() {
        let mut docs: Vec<String> = [
            r#"{"synchronizationRules": []}"#,
            r#"{"synchronizationRules": null, "objectMappings": [{}]}"#,
            r#"{"objectMappings": null, "attributeMappings": null}"#,
            r#"{"attributeMappings": [], "targetAttributeName": "x"}"#,
            r#"{"targetAttributeName": null}"#,
            r#"{"synchronization\u0052ules": {"a": 1}}"#,
            r#"{"x": {"synchronizationRules": [], "objectMappings": []}}"#,
            r#"{"name": "a", "attributeMappings": 3, "nested": [{"targetAttributeName": 1}]}"#,
            r#"{}"#,
            r#"{"a": [1, 2.5, true, false, null, "s"], "objectMappings": false}"#,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for dir in ["fixtures/mappings", "fixtures/real"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(path).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    docs.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let mut objects = 0;
        for doc in &docs {
            // A document the pass rejects is never probed.
            let Ok(top) = validate(doc, 0, doc) else {
                continue;
            };
            assert_eq!(top, probed(doc), "{doc:.80}");
            objects += usize::from(top.is_some());
        }
        assert!(objects >= 12, "only {objects} objects among the documents");
        // Not an object: the pass says nothing, and the load reads a Probe (which fails).
        for doc in ["[1]", "\"text\"", "3", "null"] {
            assert_eq!(validate(doc, 0, doc).unwrap(), None, "{doc}");
        }
    }

    /// Every JSON document of the fixtures (mappings, real exports, bad inputs).
    fn fixture_documents() -> Vec<String> {
        let mut docs = Vec::new();
        for dir in ["fixtures/mappings", "fixtures/real", "fixtures/bad"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(path).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    docs.push(text);
                }
            }
        }
        docs
    }

    /// Schemas the walk must leave to the plain path, or read as it does: each is a small
    /// schema with one thing changed in its directories or rules.
    fn edited_schemas() -> Vec<String> {
        let attribute = r#"{"name": "userName", "type": "String", "multivalued": false, "required": true, "caseExact": false, "x": [1, {"y": null}]}"#;
        let rule = r#"{"sourceDirectoryName": "AAD", "targetDirectoryName": "SCIM", "objectMappings": [{"name": "u", "sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "attributeMappings": [{"targetAttributeName": "userName", "source": {"expression": "[userPrincipalName]", "name": "userPrincipalName", "type": "Attribute", "parameters": []}}]}]}"#;
        let schema = |attribute: &str, rule: &str| {
            format!(
                r#"{{"id": "s", "synchronizationRules": [{rule}], "directories": [{{"name": "SCIM", "objects": [{{"name": "User", "attributes": [{attribute}]}}]}}]}}"#
            )
        };
        let mut docs = vec![schema(attribute, rule)];
        for (from, to) in [
            (r#""type": "String""#, r#""type": "Text""#),
            (r#""type": "String""#, r#""type": null"#),
            (r#""type": "String""#, r#""type": 3"#),
            (r#""name": "userName""#, r#""name": null"#),
            (r#""name": "userName", "#, ""),
            (r#""name": "userName""#, r#""name": "user\u004eame""#),
            (r#""name": "userName""#, r#""name": "\ud800""#),
            (r#""multivalued": false"#, r#""multivalued": "no""#),
            (r#""multivalued": false"#, r#""multivalued": null"#),
            (
                r#""caseExact": false"#,
                r#""caseExact": false, "caseExact": true"#,
            ),
            (r#""x": [1"#, r#""x": [1, {"a": 1, "a": 2}"#),
            (r#""x": [1"#, r#""x": [1, "\udc00""#),
            (r#""x": [1"#, r#""x": [1,"#),
            (r#""x": [1"#, r#""x": [1 2"#),
        ] {
            docs.push(schema(&attribute.replace(from, to), rule));
        }
        let deep = format!("{}{}", "[".repeat(120), "]".repeat(120));
        for (from, to) in [
            (
                r#""type": "Attribute""#,
                r#""type": "Attribute", "type": "Constant""#,
            ),
            (
                r#""parameters": []"#,
                format!(r#""parameters": {deep}"#).as_str(),
            ),
            (
                r#""expression": "[userPrincipalName]""#,
                r#""expression": "\udbff x""#,
            ),
            (r#""name": "u""#, r#""name": 7"#),
            ("\"AAD\"", "[]"),
        ] {
            docs.push(schema(attribute, &rule.replace(from, to)));
        }
        let base = schema(attribute, rule);
        for (from, to) in [
            // A directory, an object and an attribute written as arrays (serde reads them
            // positionally): left to the plain path.
            (
                r#"[{"name": "SCIM", "objects""#,
                r#"[["SCIM", [["User", []]]], {"name": "SCIM", "objects""#,
            ),
            (
                r#""objects": [{"name": "User","#,
                r#""objects": [["User", null], {"name": "User","#,
            ),
            (
                r#""attributes": ["#,
                r#""attributes": [["a", "String", true, null, null], "#,
            ),
            (
                r#""directories": ["#,
                r#""directories": null, "directories": ["#,
            ),
            (r#""directories": ["#, r#""directories": {"a": 1}, "x": ["#),
            (r#""directories": ["#, r#""directories": [], "y": ["#),
            (
                r#""synchronizationRules": ["#,
                r#""synchronizationRules": null, "z": ["#,
            ),
            (
                r#""synchronizationRules": ["#,
                r#""synchronizationRules": 5, "z": ["#,
            ),
            (
                r#""synchronizationRules": ["#,
                r#""objectMappings": [], "synchronizationRules": ["#,
            ),
            (r#""id": "s""#, r#""id": "s", "id": "t""#),
            (
                r#""name": "SCIM""#,
                r#""name": "SCIM", "objects": null, "x": 1"#,
            ),
        ] {
            docs.push(base.replacen(from, to, 1));
        }
        docs.push(format!("{base} x"));
        docs.push(format!("\n {base}\n"));
        docs.push(base.replace(attribute, &[attribute; 40].join(", ")));
        docs
    }

    /// The walk and the plain path load the same file, or fail with the same error, on every
    /// fixture and on schemas edited to fail in each way the walk could meet.
    #[test]
    fn the_walk_loads_what_the_plain_path_loads() {
        let mut docs = fixture_documents();
        let fixtures = docs.len();
        docs.extend(edited_schemas());
        let mut walked = 0;
        for doc in &docs {
            let fast = load_with(doc, 0, Read::Walk, true);
            let plain = load_with(doc, 0, Read::Plain, true);
            assert_eq!(format!("{fast:#?}"), format!("{plain:#?}"), "{doc:.300}");
            walked += usize::from(walk(doc).is_some_and(|w| w.schema.is_some()));
        }
        assert!(fixtures >= 12, "only {fixtures} fixtures");
        // The walk did the reading for most of them (the rest were left to the plain path).
        assert!(walked >= 20, "the walk read only {walked} schemas");
        // Directories written as arrays are left to the plain path, which reads them.
        let edited = edited_schemas();
        let arrays = edited.iter().find(|d| d.contains(r#"[["SCIM""#)).unwrap();
        assert!(walk(arrays).is_none());
        let loaded = load_with(arrays, 0, Read::Plain, true).unwrap();
        assert_eq!(loaded.directories.len(), 2);
    }

    /// What the walk reads of a schema is what the typed read of a [`GSchema`] gives: the same
    /// directories and the same slices of the text for the rules.
    #[test]
    fn the_walk_reads_the_schema_the_typed_read_reads() {
        let mut schemas = 0;
        for doc in fixture_documents().iter().chain(&edited_schemas()) {
            let Some(Walked {
                top,
                schema: Some(walked),
            }) = walk(doc)
            else {
                continue;
            };
            assert_eq!(top, validate(doc, 0, doc).unwrap(), "{doc:.300}");
            let Ok(typed) = serde_json::from_str::<GSchema>(doc) else {
                panic!("the walk read a schema the typed read refuses: {doc:.300}");
            };
            let dirs = |d: Option<Vec<GDirectory>>| {
                format!(
                    "{:#?}",
                    d.map(|d| d.into_iter().map(directory).collect::<Vec<_>>())
                )
            };
            assert_eq!(
                dirs(walked.directories),
                dirs(typed.directories),
                "{doc:.300}"
            );
            let rules = |r: Option<Vec<&RawValue>>| {
                r.map(|r| {
                    r.iter()
                        .map(|r| (r.get().as_ptr(), r.get().len()))
                        .collect::<Vec<_>>()
                })
            };
            assert_eq!(
                rules(walked.synchronization_rules),
                rules(typed.synchronization_rules),
                "{doc:.300}"
            );
            schemas += 1;
        }
        assert!(schemas >= 15, "only {schemas} schemas");
    }

    /// The plain path of `is_empty_source`: the whole value read as a tree.
    fn empty_source_by_tree(raw: &str) -> bool {
        let Ok(serde_json::Value::Object(members)) = serde_json::from_str::<serde_json::Value>(raw)
        else {
            return false;
        };
        members.iter().all(|(key, value)| match value {
            serde_json::Value::Null => true,
            serde_json::Value::String(_) if key == "expression" => false,
            serde_json::Value::String(s) => s.is_empty() || key == "type",
            serde_json::Value::Array(a) => a.is_empty(),
            _ => false,
        })
    }

    /// Collects every `"source": {…}` object of a JSON value.
    fn sources(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if k == "source" {
                        out.push(v.to_string());
                    }
                    sources(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| sources(v, out)),
            _ => {}
        }
    }

    /// The streaming test of an empty source agrees with the tree, on hand-made sources and on
    /// every source of the JSON fixtures.
    #[test]
    fn an_empty_source_is_found_as_the_tree_finds_it() {
        let mut raws: Vec<String> = [
            "{}",
            " { } ",
            r#"{"expression": null, "parameters": []}"#,
            r#"{"expression": ""}"#,
            r#"{"expression": "[a]"}"#,
            r#"{"type": "Function"}"#,
            r#"{"type": "Function", "name": ""}"#,
            r#"{"type": "Function", "name": "Join"}"#,
            r#"{"parameters": [{"key": "a"}]}"#,
            r#"{"parameters": [], "name": null, "type": "Attribute"}"#,
            r#"{"x": 0}"#,
            r#"{"x": false}"#,
            r#"{"x": {}}"#,
            r#"{"x": [null]}"#,
            r#"{"exp\u0072ession": ""}"#,
            r#"{"ty\u0070e": "Constant", "name": ""}"#,
            "[]",
            "null",
            "\"\"",
            "3",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for dir in ["fixtures/mappings", "fixtures/real"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(path).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json")
                    && let Ok(v) = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
                {
                    sources(&v, &mut raws);
                }
            }
        }
        assert!(raws.len() > 100, "only {} sources", raws.len());
        let mut empty = 0;
        for raw in &raws {
            assert_eq!(is_empty_source(raw), empty_source_by_tree(raw), "{raw}");
            empty += usize::from(is_empty_source(raw));
        }
        assert!(empty >= 5, "only {empty} empty sources");
    }
}
