//! Mapping files: Microsoft Graph synchronization JSON and entramap's mapping-as-code YAML,
//! loaded into one model in which every expression keeps its exact place in the file.
//!
//! [`load`] decides the format by content: a file whose first non-blank character is `{` or `[`
//! is Graph JSON, anything else is YAML. A UTF-8 byte-order mark is skipped (spans still count
//! it, so they index the text as given). [`to_yaml`] and [`to_graph_json`] write either format
//! from the model.
//!
//! ```
//! let file = entramap::mapping::load(r#"[{"targetAttributeName": "userName",
//!     "source": {"type": "Attribute", "name": "userPrincipalName",
//!                "expression": "[userPrincipalName]"}}]"#).unwrap();
//! let m = &file.object_mappings[0].attribute_mappings[0];
//! assert_eq!(m.target.value, "userName");
//! assert_eq!(m.source.as_ref().unwrap().text, "[userPrincipalName]");
//! ```

pub mod builtin;
mod emit;
pub mod envelope;
mod json;
pub mod model;
pub mod schema;
pub mod sniff;
mod text;
mod yaml;

pub use emit::{graph_value, to_graph_json, to_graph_json_with_base, to_yaml};
pub use model::*;

use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;

/// Files larger than this are refused before parsing (Graph exports are a few hundred KB).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// How deep YAML collections may nest.
pub const MAX_YAML_DEPTH: usize = 64;
/// How deep JSON arrays and objects may nest. Graph's expression trees take three levels per
/// function call (`parameters` array, parameter object, `value` object), so this allows calls
/// nested about 30 deep inside a whole schema export.
pub const MAX_JSON_DEPTH: usize = 100;
/// How many nodes YAML aliases may copy in total (a guard against "billion laughs" files).
pub const MAX_ALIAS_NODES: usize = 10_000;

/// The shapes a mapping file can take, for messages.
pub const EXPECTED_SHAPES: &str = "expected a synchronizationSchema (with synchronizationRules), a synchronizationRule (with objectMappings), an objectMapping (with attributeMappings), an attributeMappings array, or an entramap YAML mapping (with mappings)";

/// Why a file could not be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadErrorKind {
    /// The text is not valid JSON.
    InvalidJson,
    /// The text is not valid YAML.
    InvalidYaml,
    /// Valid JSON or YAML, but none of the shapes entramap reads (a package.json, a CI config).
    NotAMapping,
    /// A field of a mapping has the wrong type or a value entramap does not know.
    InvalidField,
    /// A Graph `source` tree that is not an attributeMappingSource.
    InvalidExpressionTree,
    /// The same key twice in one object.
    DuplicateKey,
    /// A `\uD800`-style JSON escape that is half of a UTF-16 surrogate pair.
    LoneSurrogate,
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// Collections nested deeper than the limit.
    TooDeep,
    /// YAML aliases expand to more than [`MAX_ALIAS_NODES`] nodes.
    TooManyAliases,
    /// Nothing but white space (or, in YAML, comments).
    Empty,
    /// A key the YAML format does not have (usually a typo).
    UnknownField,
    /// The bytes are not UTF-8 text (a binary file, a UTF-16 or Latin-1 export).
    InvalidUtf8,
    /// The file could not be read at all (missing, no permission, a special file).
    Unreadable,
}

impl LoadErrorKind {
    pub fn code(self) -> &'static str {
        use LoadErrorKind::*;
        match self {
            InvalidJson => "L001",
            InvalidYaml => "L002",
            NotAMapping => "L003",
            InvalidField => "L004",
            InvalidExpressionTree => "L005",
            DuplicateKey => "L006",
            LoneSurrogate => "L007",
            TooLarge => "L008",
            TooDeep => "L009",
            TooManyAliases => "L010",
            Empty => "L011",
            UnknownField => "L012",
            InvalidUtf8 => "L013",
            Unreadable => "L014",
        }
    }

    pub fn name(self) -> &'static str {
        use LoadErrorKind::*;
        match self {
            InvalidJson => "invalid-json",
            InvalidYaml => "invalid-yaml",
            NotAMapping => "not-a-mapping",
            InvalidField => "invalid-field",
            InvalidExpressionTree => "invalid-expression-tree",
            DuplicateKey => "duplicate-key",
            LoneSurrogate => "lone-surrogate",
            TooLarge => "too-large",
            TooDeep => "too-deep",
            TooManyAliases => "too-many-aliases",
            Empty => "empty-file",
            UnknownField => "unknown-field",
            InvalidUtf8 => "invalid-utf8",
            Unreadable => "unreadable-file",
        }
    }

    /// Every kind, in code order.
    pub const ALL: [LoadErrorKind; 14] = {
        use LoadErrorKind::*;
        [
            InvalidJson,
            InvalidYaml,
            NotAMapping,
            InvalidField,
            InvalidExpressionTree,
            DuplicateKey,
            LoneSurrogate,
            TooLarge,
            TooDeep,
            TooManyAliases,
            Empty,
            UnknownField,
            InvalidUtf8,
            Unreadable,
        ]
    };

    /// One line saying what the error means, for rule lists (SARIF, `entramap rules`).
    pub fn summary(self) -> &'static str {
        use LoadErrorKind::*;
        match self {
            InvalidJson => "The file is not valid JSON.",
            InvalidYaml => "The file is not valid YAML, or holds more than one document.",
            NotAMapping => {
                "The file is valid JSON or YAML but none of the mapping shapes entramap reads."
            }
            InvalidField => {
                "A field of a mapping has the wrong type or a value entramap does not know."
            }
            InvalidExpressionTree => "A Graph source tree that is not an attributeMappingSource.",
            DuplicateKey => "The same key appears twice in one object.",
            LoneSurrogate => "A JSON escape that is half of a UTF-16 surrogate pair.",
            TooLarge => "The file is over the 10 MB limit for mapping files.",
            TooDeep => "Collections are nested deeper than the limit.",
            TooManyAliases => "YAML aliases expand to more than 10,000 nodes.",
            Empty => "The file holds nothing but white space or comments.",
            UnknownField => "A key the entramap YAML format does not have.",
            InvalidUtf8 => "The file is not UTF-8 text.",
            Unreadable => {
                "The file could not be read (missing, no permission, or not a regular file)."
            }
        }
    }
}

/// A file that could not be loaded: what went wrong, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub kind: LoadErrorKind,
    /// Where in the file (as given to [`load`], byte-order mark included).
    pub span: Span,
    pub message: String,
    pub help: String,
    /// A second place the error involves (where a duplicated key first appears).
    pub related: Option<Span>,
}

impl LoadError {
    pub(crate) fn new(
        kind: LoadErrorKind,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        LoadError {
            kind,
            span,
            message: message.into(),
            help: help.into(),
            related: None,
        }
    }

    /// Whether the file is simply not a mapping file (so a pre-commit run may skip it), as
    /// opposed to a mapping file that is broken.
    pub fn is_not_a_mapping(&self) -> bool {
        matches!(self.kind, LoadErrorKind::NotAMapping | LoadErrorKind::Empty)
    }

    /// This error as the crate's structured diagnostic (always an error).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let label = match self.kind {
            LoadErrorKind::DuplicateKey => "repeated here",
            LoadErrorKind::NotAMapping => "this document",
            _ => "here",
        };
        let mut d = Diagnostic::new(
            self.kind.code(),
            self.kind.name(),
            Severity::Error,
            &self.message,
        )
        .with_label(self.span, label);
        if let Some(related) = self.related {
            d = d.with_secondary(related, "first here");
        }
        if !self.help.is_empty() {
            d = d.with_help(&self.help);
        }
        d
    }
}

/// Loads a mapping file from its bytes: [`decode`], then [`load`].
pub fn load_bytes(bytes: &[u8]) -> Result<MappingFile, LoadError> {
    load(decode(bytes)?)
}

/// A mapping file's bytes as text: at most [`MAX_FILE_BYTES`], UTF-8 (a byte-order mark is
/// kept; [`load`] skips it). A UTF-16 file and any other bytes that are not UTF-8 are an
/// [`LoadErrorKind::InvalidUtf8`] error at the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<&str, LoadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(bytes.len()));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(LoadError::new(
            LoadErrorKind::InvalidUtf8,
            Span::new(0, 2),
            "the file is UTF-16 text; entramap reads UTF-8",
            "save the file as UTF-8 (PowerShell: `Set-Content -Encoding utf8`; most editors: \"Save with encoding\")",
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let bad: Vec<String> = bytes[at..]
            .iter()
            .take(e.error_len().unwrap_or(bytes.len() - at).max(1))
            .map(|b| format!("0x{b:02X}"))
            .collect();
        LoadError::new(
            LoadErrorKind::InvalidUtf8,
            Span::at(at),
            format!(
                "the file is not UTF-8 text: {} at byte {at} {}",
                bad.join(" "),
                if e.error_len().is_some() {
                    "is not valid UTF-8"
                } else {
                    "starts a character that the file cuts off"
                }
            ),
            "save the file as UTF-8; entramap reads UTF-8 only (a Latin-1 or Windows-1252 file shows this at its first accented letter)",
        )
    })
}

/// The error for a file of `len` bytes, over [`MAX_FILE_BYTES`].
pub fn too_large(len: usize) -> LoadError {
    LoadError::new(
        LoadErrorKind::TooLarge,
        Span::at(0),
        format!(
            "the file is {len} bytes; entramap reads mapping files of at most {MAX_FILE_BYTES} bytes (10 MB)"
        ),
        "a whole Graph schema export is a few hundred kilobytes; check that this is the right file",
    )
}

/// Loads a mapping file, choosing JSON or YAML by its first non-blank character.
pub fn load(text: &str) -> Result<MappingFile, LoadError> {
    load_enveloped(text, true)
}

/// [`load`] for reading only (linting): the file has no [`Envelope`], so a Graph file's text is
/// not copied into it (the envelope serves only to write Graph JSON back). Otherwise the same
/// file, or the same error.
pub fn load_unenveloped(text: &str) -> Result<MappingFile, LoadError> {
    load_enveloped(text, false)
}

fn load_enveloped(text: &str, keep: bool) -> Result<MappingFile, LoadError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(too_large(text.len()));
    }
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];
    let first = body.bytes().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err(empty(text.len()));
    };
    match body.as_bytes()[first] {
        b'{' | b'[' if keep => json::load(text, bom),
        b'{' | b'[' => json::load_unenveloped(text, bom),
        _ => yaml::load(text).map(|mut file| {
            if !keep {
                file.envelope = None;
            }
            file
        }),
    }
}

pub(crate) fn empty(len: usize) -> LoadError {
    LoadError::new(
        LoadErrorKind::Empty,
        Span::at(len),
        "the file is empty",
        EXPECTED_SHAPES.replacen("expected", "entramap expects", 1),
    )
}

/// Whether `lint --skip-non-mappings` lints or reports `text` (true) rather than skipping it
/// (false). It fails closed: a file that loads, or fails in a way only a mapping file can
/// (a bad field, a duplicate key), is a mapping; one that is not a mapping or does not parse is
/// skipped only when [`sniff::sniff`] finds positive signs of another format.
pub fn is_mapping_shaped(text: &str) -> bool {
    match load(text) {
        Ok(_) => true,
        Err(e) if skip_candidate(&e) => !matches!(sniff::sniff(text), sniff::Sniff::Other(_)),
        Err(_) => true,
    }
}

/// Whether a load error leaves room for the file being another format (so `sniff` decides):
/// not a mapping shape, empty, or not parsing (a second YAML document, broken JSON).
pub fn skip_candidate(e: &LoadError) -> bool {
    e.is_not_a_mapping()
        || matches!(
            e.kind,
            LoadErrorKind::InvalidYaml | LoadErrorKind::InvalidJson
        )
}

/// The expression of a mapping as Graph would store it: the tree read from the file when there
/// is one, otherwise the tree of the parsed text with the text itself as the top `expression`.
/// `None` when the text does not parse and the file carried no tree.
pub fn graph_source(expr: &MappingExpr) -> Option<crate::graph::MappingSource> {
    if let Some(tree) = &expr.tree {
        return Some(tree.clone());
    }
    tree_from_text(&expr.text)
}

/// Graph's tree for an expression text, keeping the text as written as the top `expression`.
pub fn tree_from_text(text: &str) -> Option<crate::graph::MappingSource> {
    let parsed = crate::syntax::parse(text).ok()?;
    let mut tree = crate::graph::to_graph(&parsed);
    tree.expression = Some(text.to_string());
    Some(tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loading for reading only gives the file `load` gives, less its envelope, or the same
    /// error, for every mapping fixture (JSON and YAML) and a few bad texts.
    #[test]
    fn a_file_loaded_for_reading_is_the_file_less_its_envelope() {
        let mut texts: Vec<String> = ["", "  ", "[1]", "{\"a\": 1, \"a\": 2}", "a: [", "[{}]"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for dir in ["fixtures/mappings", "fixtures/real", "fixtures/bad"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(path).unwrap() {
                if let Ok(text) = std::fs::read_to_string(entry.unwrap().path()) {
                    texts.push(text);
                }
            }
        }
        let mut enveloped = 0;
        for text in &texts {
            let lean = load_unenveloped(text);
            let full = load(text).map(|mut file| {
                enveloped += usize::from(file.envelope.is_some());
                file.envelope = None;
                file
            });
            assert_eq!(format!("{lean:#?}"), format!("{full:#?}"), "{text:.200}");
            if let Ok(file) = lean {
                assert!(file.envelope.is_none());
            }
        }
        assert!(enveloped >= 10, "only {enveloped} files had an envelope");
    }
}
