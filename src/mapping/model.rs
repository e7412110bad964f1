//! The mapping model shared by both file formats: every node keeps its span in the file.

use super::schema::AttrType;
use crate::graph::{MappingSource, SourceType};
use crate::span::Span;

/// Which format a mapping file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Microsoft Graph synchronization JSON (a schema export or one of its parts).
    Graph,
    /// entramap's mapping-as-code YAML.
    Yaml,
}

/// Which part of a Graph export the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A whole `synchronizationSchema` (directories + synchronizationRules).
    Schema,
    /// One `synchronizationRule`.
    Rule,
    /// One `objectMapping`.
    ObjectMapping,
    /// A bare `attributeMappings` array.
    AttributeMappings,
    /// An entramap YAML document.
    Yaml,
}

/// A value read from the file together with its span there (for strings: the span of the
/// characters between the quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// A loaded mapping file.
#[derive(Debug, Clone)]
pub struct MappingFile {
    pub format: Format,
    pub shape: Shape,
    /// Attribute definitions found in the file (a whole schema export carries them).
    pub directories: Vec<Directory>,
    pub object_mappings: Vec<ObjectMapping>,
    /// Empty stand-ins (`{}`) the file holds where a part of the schema should be: Microsoft's
    /// shortened samples write them. They are left out of the model and reported by the linter.
    pub placeholders: Vec<Placeholder>,
    /// The Graph document around the mappings, for writing Graph JSON back without losing what
    /// the model does not hold (ids, names, metadata, directories, fields entramap does not
    /// know): for a Graph file, the whole document as read; for a YAML file, its `graph:`
    /// section, in which an attribute mapping that Graph JSON would spell exactly as entramap
    /// writes it is reduced to its target name (a JSON string). `None` for YAML written without
    /// one. See [`crate::mapping::envelope`].
    pub envelope: Option<Envelope>,
}

/// The Graph document a file carries ([`MappingFile::envelope`]).
#[derive(Debug, Clone)]
pub enum Envelope {
    /// A Graph file's own text, read as a tree only when Graph JSON is written back: building
    /// the tree costs more than linting the file, and `lint` never needs it.
    Text(Box<str>),
    /// A YAML file's `graph:` section.
    Value(serde_json::Value),
}

impl Envelope {
    /// The document as a JSON value.
    pub fn document(&self) -> Option<std::borrow::Cow<'_, serde_json::Value>> {
        match self {
            Envelope::Text(text) => serde_json::from_str(text).ok().map(std::borrow::Cow::Owned),
            Envelope::Value(v) => Some(std::borrow::Cow::Borrowed(v)),
        }
    }

    /// [`Envelope::document`], owned.
    pub fn into_document(self) -> Option<serde_json::Value> {
        match self {
            Envelope::Text(text) => serde_json::from_str(&text).ok(),
            Envelope::Value(v) => Some(v),
        }
    }
}

/// A part of a Graph export written as an empty stand-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub kind: PlaceholderKind,
    /// The stand-in in the file.
    pub span: Span,
    /// For a source: the target attribute of the mapping it belongs to.
    pub target: Option<String>,
}

/// What a placeholder stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceholderKind {
    /// A `source` with no expression, name or parameters (`"source": {}`): the attribute mapping
    /// is kept, with no source.
    Source,
    /// An item of `attributeMappings` that is `{}`.
    AttributeMapping,
    /// An item of `objectMappings` that is `{}`.
    ObjectMapping,
    /// An item of `synchronizationRules` that is `{}`.
    Rule,
}

impl PlaceholderKind {
    /// How messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            PlaceholderKind::Source => "source",
            PlaceholderKind::AttributeMapping => "attribute mapping",
            PlaceholderKind::ObjectMapping => "object mapping",
            PlaceholderKind::Rule => "synchronization rule",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Directory {
    pub name: String,
    pub objects: Vec<ObjectDefinition>,
}

#[derive(Debug, Clone)]
pub struct ObjectDefinition {
    pub name: String,
    pub attributes: Vec<AttributeDefinition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeDefinition {
    pub name: String,
    /// Graph's attribute type.
    pub ty: AttrType,
    pub multivalued: bool,
    pub required: bool,
    pub case_exact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlowType {
    /// Applied on create and on every update (`Always`).
    #[default]
    Always,
    /// Applied only when the object is created (`ObjectAddOnly`).
    ObjectAddOnly,
    /// Graph's `MultiValueAddOnly` (not offered by the portal; kept so conversion is lossless).
    MultiValueAddOnly,
    /// Graph's `ValueAddOnly` (not offered by the portal; kept so conversion is lossless).
    ValueAddOnly,
    /// Graph's `AttributeAddOnly` (not offered by the portal; kept so conversion is lossless).
    AttributeAddOnly,
}

#[derive(Debug, Clone)]
pub struct ObjectMapping {
    pub name: Option<String>,
    pub enabled: bool,
    pub source_object: String,
    pub target_object: String,
    /// The directories the enclosing rule connects, when the file says.
    pub source_directory: Option<String>,
    pub target_directory: Option<String>,
    /// Scoping filter groups (ORed); each group's clauses are ANDed.
    pub scope: Vec<ScopeGroup>,
    pub attribute_mappings: Vec<AttributeMapping>,
    /// The object actions the job takes (Graph's `flowTypes`, `Add, Update, Delete`); `None`
    /// when the file does not say (Entra's default: all three).
    pub actions: Option<String>,
    /// The span of the object mapping in the file.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeGroup {
    pub name: Option<String>,
    pub clauses: Vec<ScopeClause>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeClause {
    pub attribute: String,
    pub operator: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AttributeMapping {
    pub target: Spanned<String>,
    /// `None` for a mapping of type None (only a default value).
    pub source: Option<MappingExpr>,
    /// 0 = not a matching attribute; 1 is tried first.
    pub matching_priority: u32,
    pub flow_type: FlowType,
    /// Graph's `flowBehavior` (`FlowWhenChanged`, `FlowAlways`), kept for conversion.
    pub flow_behavior: Option<String>,
    pub export_missing_references: bool,
    /// Applied on create when the source yields no value.
    pub default_value: Option<String>,
    /// Rule names suppressed on this mapping (`# entramap: ignore[rule]` in YAML).
    pub suppressed: Vec<String>,
    /// The span of the whole mapping in the file.
    pub span: Span,
}

/// An expression as it is written in the file.
#[derive(Debug, Clone)]
pub struct MappingExpr {
    /// The expression text, decoded from the file's escaping.
    pub text: String,
    /// Where each byte of `text` lies in the file.
    pub map: OffsetMap,
    /// The mapping type as the file states it (Graph's `source.type`, or derived in YAML).
    pub kind: SourceType,
    /// The Graph tree as written in the file (Graph format only).
    pub tree: Option<MappingSource>,
    /// The file span of the whole `source` tree object (Graph format only): what a fix rewrites
    /// so the export stays consistent.
    pub tree_span: Option<Span>,
}

/// Maps byte offsets in a decoded string back to byte offsets in the file it was read from.
///
/// Stored as the file offset of the string's first byte plus the places where decoding changed
/// the length (an escape such as `\"` or `\u00e9`, a YAML line fold); between two of those
/// places, offsets move in step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OffsetMap {
    /// File offset of decoded offset 0.
    pub base: usize,
    /// `(decoded offset, file offset)` pairs, ascending: one at the end of every stretch where
    /// decoding changed the length (so both ends of an escape map exactly).
    pub points: Vec<(usize, usize)>,
    /// The file span of the whole encoded string (between its delimiters).
    pub span: Span,
}

impl OffsetMap {
    /// A map for text copied verbatim from the file at `base`.
    pub fn verbatim(base: usize, len: usize) -> OffsetMap {
        OffsetMap {
            base,
            points: Vec::new(),
            span: Span::new(base, base + len),
        }
    }

    /// The file offset of decoded byte `offset`.
    pub fn offset(&self, offset: usize) -> usize {
        let i = self.points.partition_point(|&(d, _)| d <= offset);
        let (d, f) = if i == 0 {
            (0, self.base)
        } else {
            self.points[i - 1]
        };
        f + (offset - d)
    }

    /// The file span of a decoded span.
    pub fn span(&self, span: Span) -> Span {
        let start = self.offset(span.start as usize);
        let end = self.offset(span.end as usize);
        Span::new(start, end.max(start))
    }
}
