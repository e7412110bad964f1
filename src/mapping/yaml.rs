//! entramap's mapping-as-code YAML (the format is described in `docs/yaml-format.md`).
//!
//! The text goes through `granit-parser`'s event stream (the parser serde-saphyr is built on),
//! because serde's data model hides what exact positions need: each scalar's style and its
//! source span, and the comments that carry `# entramap: ignore[…]`. The events are assembled
//! into a small node tree with our own limits (nesting, alias expansion, duplicate keys), and the
//! `target` and `source` scalars are decoded again from the raw text so that every byte of the
//! decoded value maps back to the file. That decoding is checked against the parser's own value;
//! if the two ever disagree the parser's value wins and positions are aligned approximately.

use super::model::*;
use super::text::{self, YamlStyle};
use super::{EXPECTED_SHAPES, LoadError, LoadErrorKind, MAX_ALIAS_NODES, MAX_YAML_DEPTH};
use crate::graph::{self, MappingSource, SourceType};
use crate::span::{LineIndex, Span};
use granit_parser::{Event, Parser, ScalarStyle, StructureStyle};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------
// The node tree.

#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    /// From the node's first byte (a block scalar's `|`/`>`, a quote) to its last non-blank byte.
    span: Span,
    /// Nodes in this subtree (for the alias budget).
    size: usize,
    /// Nesting height of this subtree (a scalar is 0).
    height: usize,
}

#[derive(Debug, Clone)]
enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone)]
struct Scalar {
    value: String,
    style: YamlStyle,
    /// The parser's span (quotes included; for block scalars, the content lines).
    raw: Span,
    /// A block scalar's `|` or `>`.
    header: Option<usize>,
}

impl Node {
    fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        self.scalar().is_some_and(|s| {
            s.style == YamlStyle::Plain
                && matches!(s.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
        })
    }

    fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.scalar().is_some_and(|s| s.value == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    fn what(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar(_) if self.is_null() => "nothing (null)",
            Kind::Scalar(_) => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

struct Comment {
    at: usize,
    text: String,
    /// Nothing but blanks before it on its line.
    own_line: bool,
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        flow: bool,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        flow: bool,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// The index in `entries` of each scalar key, for the duplicate-key check in one pass.
        seen: HashMap<String, usize>,
    },
}

/// YAML merge keys: `<<: *base` (or `<<: [*a, *b]`) brings in the entries of the merged
/// mappings that the mapping does not set itself (its own keys win; among merged mappings, the
/// first wins). The merged entries keep their spans, where they are written.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge = |k: &Node| {
        k.scalar()
            .is_some_and(|s| s.style == YamlStyle::Plain && s.value == "<<")
    };
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let key_of = |k: &Node| k.scalar().map(|s| s.value.clone());
    let mut seen: std::collections::HashSet<String> = entries
        .iter()
        .filter(|(k, _)| !is_merge(k))
        .filter_map(|(k, _)| key_of(k))
        .collect();
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, v) in entries {
        if !is_merge(&k) {
            own.push((k, v));
            continue;
        }
        let sources: Vec<Node> = match v.kind {
            Kind::Map(_) => vec![v],
            Kind::Seq(items) => items,
            // Not a mapping: kept as written, so the reader reports the unknown key `<<`.
            Kind::Scalar(_) => {
                own.push((k, v));
                continue;
            }
        };
        for source in sources {
            if let Kind::Map(inner) = source.kind {
                for (ik, iv) in inner {
                    let fresh = key_of(&ik).is_none_or(|name| seen.insert(name));
                    if fresh {
                        merged.push((ik, iv));
                    }
                }
            }
        }
    }
    own.extend(merged);
    own
}

fn yaml_style(s: ScalarStyle) -> YamlStyle {
    match s {
        ScalarStyle::Plain => YamlStyle::Plain,
        ScalarStyle::SingleQuoted => YamlStyle::SingleQuoted,
        ScalarStyle::DoubleQuoted => YamlStyle::DoubleQuoted,
        ScalarStyle::Literal => YamlStyle::Literal,
        ScalarStyle::Folded => YamlStyle::Folded,
    }
}

/// The span of the character at byte `at` (moved back to a character boundary; empty at the
/// end of the text).
fn char_at(text: &str, at: usize) -> Span {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    Span::new(at, at + len)
}

fn yaml_error(span: Span, message: impl Into<String>, help: impl Into<String>) -> LoadError {
    LoadError::new(LoadErrorKind::InvalidYaml, span, message, help)
}

/// Parses `text` into one document's node tree and its comments.
fn build(text: &str) -> Result<(Option<Node>, Vec<Comment>), LoadError> {
    let options = granit_parser::options! { max_buffered_comment_events: 100_000 };
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut comments = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let mut prev_end = 0;
    let mut alias_nodes = 0usize;
    let char_to_byte = |m: &granit_parser::Marker| {
        m.byte_offset().unwrap_or_else(|| {
            text.char_indices()
                .nth(m.index())
                .map_or(text.len(), |(b, _)| b)
        })
    };
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            yaml_error(
                char_at(text, char_to_byte(e.marker())),
                format!("invalid YAML: {}", e.info()),
                "check the indentation and quoting around this place; a value containing `: ` or ` #` needs quotes",
            )
        })?;
        let (s, e) = (char_to_byte(&span.start), char_to_byte(&span.end));
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => None,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(yaml_error(
                        Span::new(
                            s,
                            s + text
                                .get(s..)
                                .unwrap_or_default()
                                .chars()
                                .take(3)
                                .map(char::len_utf8)
                                .sum::<usize>(),
                        ),
                        "a second YAML document: entramap reads one document per file",
                        "put each mapping file's objects under one `objects:` list, or split the documents into files",
                    ));
                }
                None
            }
            Event::Comment(body, _) => {
                let line_start = text[..s].rfind(['\n', '\r']).map_or(0, |p| p + 1);
                comments.push(Comment {
                    at: s,
                    text: body.into_owned(),
                    own_line: text[line_start..s].bytes().all(|b| b == b' ' || b == b'\t'),
                });
                continue;
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let style = yaml_style(style);
                let header = matches!(style, YamlStyle::Literal | YamlStyle::Folded)
                    .then(|| block_header_at(text, prev_end, s))
                    .flatten();
                let start = header.unwrap_or(s);
                let mut end = e.max(start);
                while end > start && text.as_bytes()[end - 1].is_ascii_whitespace() {
                    end -= 1;
                }
                let node = Node {
                    kind: Kind::Scalar(Scalar {
                        value: value.into_owned(),
                        style,
                        raw: Span::new(s, e.max(s)),
                        header,
                    }),
                    span: Span::new(start, end),
                    size: 1,
                    height: 0,
                };
                if anchor != 0 {
                    anchors.insert(anchor, node.clone());
                }
                Some(node)
            }
            Event::SequenceStart(style, anchor, _) | Event::MappingStart(style, anchor, _) => {
                if stack.len() >= MAX_YAML_DEPTH {
                    return Err(LoadError::new(
                        LoadErrorKind::TooDeep,
                        char_at(text, s),
                        format!(
                            "lists and mappings are nested deeper than {MAX_YAML_DEPTH} levels"
                        ),
                        "a mapping file nests about 8 levels; this file is not a plausible mapping",
                    ));
                }
                let flow = style == StructureStyle::Flow;
                let is_seq = matches!(event, Event::SequenceStart(..));
                stack.push(if is_seq {
                    Frame::Seq {
                        start: s,
                        anchor,
                        flow,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start: s,
                        anchor,
                        flow,
                        entries: Vec::new(),
                        key: None,
                        seen: HashMap::new(),
                    }
                });
                prev_end = e;
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (kind, start, anchor, flow, last_end) = match stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        flow,
                        items,
                    }) => {
                        let last = items.last().map(|n| n.span.end as usize);
                        (Kind::Seq(items), start, anchor, flow, last)
                    }
                    Some(Frame::Map {
                        start,
                        anchor,
                        flow,
                        entries,
                        ..
                    }) => {
                        let last = entries.last().map(|(_, v)| v.span.end as usize);
                        (Kind::Map(merge_keys(entries)), start, anchor, flow, last)
                    }
                    None => return Err(yaml_error(Span::at(s), "unbalanced YAML structure", "")),
                };
                let end = if flow { e } else { last_end.unwrap_or(start) }.max(start);
                let children: Vec<&Node> = match &kind {
                    Kind::Seq(items) => items.iter().collect(),
                    Kind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
                    Kind::Scalar(_) => Vec::new(),
                };
                let size = 1 + children.iter().map(|n| n.size).sum::<usize>();
                let height = 1 + children.iter().map(|n| n.height).max().unwrap_or(0);
                let node = Node {
                    kind,
                    span: Span::new(start, end),
                    size,
                    height,
                };
                if anchor != 0 {
                    anchors.insert(anchor, node.clone());
                }
                Some(node)
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(yaml_error(
                        Span::new(s, e),
                        "an alias to an unknown anchor",
                        "",
                    ));
                };
                alias_nodes += target.size;
                if alias_nodes > MAX_ALIAS_NODES {
                    return Err(LoadError::new(
                        LoadErrorKind::TooManyAliases,
                        Span::new(s, e),
                        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"),
                        "this looks like an alias bomb (\"billion laughs\"); a mapping file needs few or no aliases",
                    ));
                }
                if stack.len() + target.height > MAX_YAML_DEPTH {
                    return Err(LoadError::new(
                        LoadErrorKind::TooDeep,
                        Span::new(s, e),
                        format!(
                            "this alias nests lists and mappings deeper than {MAX_YAML_DEPTH} levels"
                        ),
                        "a mapping file nests about 8 levels; this file is not a plausible mapping",
                    ));
                }
                let mut node = target.clone();
                // The copy is used here; errors about it point at the alias.
                if !matches!(node.kind, Kind::Scalar(_)) {
                    node.span = Span::new(s, e);
                }
                Some(node)
            }
            _ => None,
        };
        prev_end = e;
        let Some(node) = node else { continue };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(ks) = k.scalar() {
                        if let Some(&first) = seen.get(&ks.value) {
                            let mut err = LoadError::new(
                                LoadErrorKind::DuplicateKey,
                                k.span,
                                format!("duplicate key {:?} in a YAML mapping", ks.value),
                                "a key may appear once per mapping; remove or rename one of them",
                            );
                            err.related = Some(entries[first].0.span);
                            return Err(err);
                        }
                        seen.insert(ks.value.clone(), entries.len());
                    }
                    entries.push((k, node));
                }
            },
        }
    }
    Ok((root, comments))
}

/// Finds a block scalar's `|` or `>` between the end of the previous token and the content.
fn block_header_at(text: &str, from: usize, content: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    while i < content.min(b.len()) {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b'-' | b'?' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'!' | b'&' => {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
            b'|' | b'>' => return Some(i),
            _ => return None,
        }
    }
    None
}

/// The indentation of the line holding `at`.
fn line_indent(text: &str, at: usize) -> usize {
    let start = text[..at].rfind(['\n', '\r']).map_or(0, |p| p + 1);
    text[start..].bytes().take_while(|&b| b == b' ').count()
}

/// A scalar's value with the map from its bytes to the file.
fn decode(text: &str, sc: &Scalar) -> (String, OffsetMap) {
    let (value, map, _exact) = decode_checked(text, sc);
    (value, map)
}

/// [`decode`], also saying whether our decoding agreed with the parser (`false`: the map is an
/// approximate alignment).
fn decode_checked(text: &str, sc: &Scalar) -> (String, OffsetMap, bool) {
    let (s, e) = (sc.raw.start as usize, sc.raw.end as usize);
    let attempt = match sc.style {
        YamlStyle::Plain => Some(text::decode_flow(&text[s..e], s, YamlStyle::Plain)),
        YamlStyle::SingleQuoted | YamlStyle::DoubleQuoted if e >= s + 2 => {
            Some(text::decode_flow(&text[s + 1..e - 1], s + 1, sc.style))
        }
        YamlStyle::Literal | YamlStyle::Folded => sc.header.and_then(|h| {
            // The indentation an explicit indentation digit counts from is that of the owning
            // node; try the header line's own indentation first, then every smaller one.
            let indent = line_indent(text, h);
            let first = text::decode_block(&text[h..e], h, indent);
            if first.as_ref().is_some_and(|(t, _)| *t == sc.value) {
                return first;
            }
            (0..=indent + 2)
                .filter_map(|i| text::decode_block(&text[h..e], h, i))
                .find(|(t, _)| *t == sc.value)
                .or(first)
        }),
        _ => None,
    };
    match attempt {
        Some((decoded, map)) if decoded == sc.value => (decoded, map, true),
        _ => {
            let from = sc.header.unwrap_or(s);
            (
                sc.value.clone(),
                text::align(&sc.value, &text[from..e.max(from)], from),
                false,
            )
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the format.

const TOP_KEYS: &[&str] = &["objects", "source-directory", "target-directory"];
const OBJECT_KEYS: &[&str] = &[
    "name",
    "source",
    "target",
    "enabled",
    "actions",
    "scope",
    "mappings",
    "source-directory",
    "target-directory",
];
const MAPPING_KEYS: &[&str] = &[
    "target",
    "source",
    "matching",
    "flow",
    "default",
    "flow-behavior",
    "export-missing-references",
    "graph-tree",
];
const GROUP_KEYS: &[&str] = &["name", "clauses"];
const CLAUSE_KEYS: &[&str] = &["attribute", "operator", "values"];

pub(crate) fn load(text: &str) -> Result<MappingFile, LoadError> {
    let (root, comments) = build(text)?;
    let root = match root {
        Some(r) if !r.is_null() => r,
        _ => return Err(super::empty(text.len())),
    };
    let lines = LineIndex::new(text);
    // Only suppression comments matter from here on: keep their lines and rule names.
    let mut suppressions: Vec<Suppression> = comments
        .iter()
        .filter_map(|c| {
            let rules = parse_suppression(&c.text);
            (!rules.is_empty()).then(|| Suppression {
                line: lines.line_col(text, c.at).line,
                own_line: c.own_line,
                rules,
            })
        })
        .collect();
    suppressions.sort_by_key(|s| s.line);
    let r = Reader {
        text,
        lines,
        suppressions,
    };
    if !looks_like_entramap(&root) {
        let what = match &root.kind {
            Kind::Map(_) => {
                "a YAML mapping without `objects` or `mappings` lists of entramap mappings"
            }
            Kind::Seq(_) => "a YAML list",
            Kind::Scalar(_) => "a single YAML scalar",
        };
        let first_line_end = text[root.span.start as usize..]
            .find(['\n', '\r'])
            .map_or(text.len(), |p| root.span.start as usize + p);
        return Err(LoadError::new(
            LoadErrorKind::NotAMapping,
            Span::new(root.span.start as usize, first_line_end),
            format!("not a mapping file: this is {what}"),
            format!("entramap {EXPECTED_SHAPES}"),
        ));
    }
    // The Graph document around the mappings (written last by `convert --to yaml`).
    let mut root = root;
    let mut envelope = None;
    let mut directories = Vec::new();
    let mut placeholders = Vec::new();
    if let Kind::Map(entries) = &mut root.kind
        && let Some(i) = entries
            .iter()
            .position(|(k, _)| k.scalar().is_some_and(|s| s.value == "graph"))
    {
        let (_, node) = entries.remove(i);
        let value = to_json(&node);
        if !super::envelope::is_graph_document(&value) {
            return Err(r.invalid(
                &node,
                "`graph` should hold the Graph document around the mappings (a synchronizationSchema, synchronizationRule, objectMapping or attributeMappings array), as `entramap convert --to yaml` writes it",
                "remove the `graph:` section to write the mappings alone, or convert the Graph export again",
            ));
        }
        directories = super::json::directories_from_value(&value);
        envelope_placeholders(&node, &mut placeholders);
        envelope = Some(Envelope::Value(value));
    }
    let object_mappings = if let Some(objects) = root.get("objects") {
        let fields = r.fields(&root, "the file", TOP_KEYS)?;
        let (sd, td) = (
            r.opt_string(fields.get("source-directory"), "source-directory")?,
            r.opt_string(fields.get("target-directory"), "target-directory")?,
        );
        r.list(objects, "objects")?
            .iter()
            .map(|o| r.object(o, sd.clone(), td.clone()))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        vec![r.object(&root, None, None)?]
    };
    Ok(MappingFile {
        format: Format::Yaml,
        shape: Shape::Yaml,
        directories,
        object_mappings,
        placeholders,
        envelope,
    })
}

/// The empty stand-ins of a `graph:` section (a shortened Microsoft sample keeps them there),
/// so the linter reports them as it does in the Graph file: `{}` rules, object mappings and
/// attribute mappings, and attribute mappings whose source says nothing.
fn envelope_placeholders(node: &Node, out: &mut Vec<Placeholder>) {
    let items = |n: &Node, key: &str| -> Vec<Node> {
        match n.get(key).map(|l| &l.kind) {
            Some(Kind::Seq(items)) => items.clone(),
            _ => Vec::new(),
        }
    };
    let empty = |n: &Node| matches!(&n.kind, Kind::Map(e) if e.is_empty());
    let mut attribute_mappings = |list: &[Node], out: &mut Vec<Placeholder>| {
        for m in list {
            if empty(m) {
                out.push(Placeholder {
                    kind: PlaceholderKind::AttributeMapping,
                    span: m.span,
                    target: None,
                });
            } else if let Some(src) = m.get("source")
                && super::json::is_empty_source_value(&to_json(src))
            {
                out.push(Placeholder {
                    kind: PlaceholderKind::Source,
                    span: src.span,
                    target: m
                        .get("targetAttributeName")
                        .and_then(Node::scalar)
                        .map(|s| s.value.clone()),
                });
            }
        }
    };
    let object = |o: &Node,
                  out: &mut Vec<Placeholder>,
                  am: &mut dyn FnMut(&[Node], &mut Vec<Placeholder>)| {
        if empty(o) {
            out.push(Placeholder {
                kind: PlaceholderKind::ObjectMapping,
                span: o.span,
                target: None,
            });
        } else {
            am(&items(o, "attributeMappings"), out);
        }
    };
    match &node.kind {
        Kind::Seq(list) => attribute_mappings(list, out),
        Kind::Map(_) if node.get("synchronizationRules").is_some() => {
            for rule in items(node, "synchronizationRules") {
                if empty(&rule) {
                    out.push(Placeholder {
                        kind: PlaceholderKind::Rule,
                        span: rule.span,
                        target: None,
                    });
                    continue;
                }
                for o in items(&rule, "objectMappings") {
                    object(&o, out, &mut attribute_mappings);
                }
            }
        }
        Kind::Map(_) if node.get("objectMappings").is_some() => {
            for o in items(node, "objectMappings") {
                object(&o, out, &mut attribute_mappings);
            }
        }
        Kind::Map(_) => object(node, out, &mut attribute_mappings),
        Kind::Scalar(_) => {}
    }
    out.sort_by_key(|p| p.span.start);
}

fn looks_like_entramap(root: &Node) -> bool {
    fn first_item_has(list: Option<&Node>, key: &str) -> bool {
        match list.map(|l| &l.kind) {
            Some(Kind::Seq(items)) => items.first().is_none_or(|i| i.get(key).is_some()),
            _ => false,
        }
    }
    first_item_has(root.get("objects"), "mappings")
        || (first_item_has(root.get("mappings"), "target")
            || first_item_has(root.get("mappings"), "source"))
}

struct Reader<'a> {
    text: &'a str,
    lines: LineIndex,
    suppressions: Vec<Suppression>,
}

/// An `# entramap: ignore[…]` comment.
struct Suppression {
    line: usize,
    own_line: bool,
    rules: Vec<String>,
}

/// The fields of a YAML mapping by key.
struct Fields<'n> {
    entries: Vec<(&'n str, &'n Node)>,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }
}

impl Reader<'_> {
    fn invalid(
        &self,
        node: &Node,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> LoadError {
        LoadError::new(LoadErrorKind::InvalidField, node.span, message, help)
    }

    fn fields<'n>(
        &self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Result<Fields<'n>, LoadError> {
        let Kind::Map(entries) = &node.kind else {
            return Err(self.invalid(
                node,
                format!(
                    "{what} should be a mapping (`key: value` lines), not {}",
                    node.what()
                ),
                format!("its keys are: {}", allowed.join(", ")),
            ));
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let Some(key) = k.scalar() else {
                return Err(self.invalid(
                    k,
                    format!("a key of {what} is {}", k.what()),
                    "keys are plain words",
                ));
            };
            if !allowed.contains(&key.value.as_str()) {
                let hint = crate::suggest::did_you_mean(&key.value, allowed.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                return Err(LoadError::new(
                    LoadErrorKind::UnknownField,
                    k.span,
                    format!("unknown key `{}` in {what}", key.value),
                    format!("{hint}the keys of {what} are: {}", allowed.join(", ")),
                ));
            }
            out.push((key.value.as_str(), v));
        }
        Ok(Fields { entries: out })
    }

    fn list<'n>(&self, node: &'n Node, field: &str) -> Result<&'n [Node], LoadError> {
        match &node.kind {
            Kind::Seq(items) => Ok(items),
            _ if node.is_null() => Ok(&[]),
            _ => Err(self.invalid(
                node,
                format!("`{field}` should be a list, not {}", node.what()),
                "write each item on its own line starting with `- `",
            )),
        }
    }

    fn opt_string(&self, node: Option<&Node>, field: &str) -> Result<Option<String>, LoadError> {
        match node {
            None => Ok(None),
            Some(n) if n.is_null() => Ok(None),
            Some(n) => match n.scalar() {
                Some(s) => Ok(Some(s.value.clone())),
                None => Err(self.invalid(
                    n,
                    format!("`{field}` should be text, not {}", n.what()),
                    "quote the value if it contains `: ` or starts with `[`, `{`, `\"` or `'`",
                )),
            },
        }
    }

    fn bool(&self, node: Option<&Node>, field: &str, default: bool) -> Result<bool, LoadError> {
        let Some(n) = node.filter(|n| !n.is_null()) else {
            return Ok(default);
        };
        match n.scalar().map(|s| s.value.as_str()) {
            Some("true" | "True" | "TRUE") => Ok(true),
            Some("false" | "False" | "FALSE") => Ok(false),
            _ => Err(self.invalid(
                n,
                format!("`{field}` should be true or false"),
                "write `true` or `false`",
            )),
        }
    }

    fn object(
        &self,
        node: &Node,
        sd: Option<String>,
        td: Option<String>,
    ) -> Result<ObjectMapping, LoadError> {
        let f = self.fields(node, "an object mapping", OBJECT_KEYS)?;
        let mut scope = Vec::new();
        if let Some(s) = f.get("scope") {
            for g in self.list(s, "scope")? {
                scope.push(self.group(g)?);
            }
        }
        let mut attribute_mappings = Vec::new();
        let Some(mappings) = f.get("mappings") else {
            return Err(self.invalid(
                node,
                "an object mapping without `mappings`",
                "list its attribute mappings under `mappings:`, each with a `target` and a `source`",
            ));
        };
        for m in self.list(mappings, "mappings")? {
            attribute_mappings.push(self.attribute_mapping(m)?);
        }
        Ok(ObjectMapping {
            name: self.opt_string(f.get("name"), "name")?,
            enabled: self.bool(f.get("enabled"), "enabled", true)?,
            source_object: self
                .opt_string(f.get("source"), "source")?
                .unwrap_or_default(),
            target_object: self
                .opt_string(f.get("target"), "target")?
                .unwrap_or_default(),
            source_directory: self
                .opt_string(f.get("source-directory"), "source-directory")?
                .or(sd),
            target_directory: self
                .opt_string(f.get("target-directory"), "target-directory")?
                .or(td),
            scope,
            attribute_mappings,
            actions: self.opt_string(f.get("actions"), "actions")?,
            span: node.span,
        })
    }

    fn group(&self, node: &Node) -> Result<ScopeGroup, LoadError> {
        let f = self.fields(node, "a scope group", GROUP_KEYS)?;
        let mut clauses = Vec::new();
        if let Some(cs) = f.get("clauses") {
            for c in self.list(cs, "clauses")? {
                let cf = self.fields(c, "a scope clause", CLAUSE_KEYS)?;
                let required = |key: &str| -> Result<String, LoadError> {
                    self.opt_string(cf.get(key), key)?.ok_or_else(|| {
                        self.invalid(
                            c,
                            format!("a scope clause without `{key}`"),
                            "a clause is {attribute: department, operator: EQUALS, values: [Sales]}",
                        )
                    })
                };
                let values = match cf.get("values") {
                    None => Vec::new(),
                    Some(v) if v.scalar().is_some() && !v.is_null() => {
                        vec![self.opt_string(Some(v), "values")?.unwrap_or_default()]
                    }
                    Some(v) => self
                        .list(v, "values")?
                        .iter()
                        .map(|x| Ok(self.opt_string(Some(x), "values")?.unwrap_or_default()))
                        .collect::<Result<_, LoadError>>()?,
                };
                clauses.push(ScopeClause {
                    attribute: required("attribute")?,
                    operator: required("operator")?,
                    values,
                });
            }
        }
        Ok(ScopeGroup {
            name: self.opt_string(f.get("name"), "name")?,
            clauses,
        })
    }

    fn attribute_mapping(&self, node: &Node) -> Result<AttributeMapping, LoadError> {
        let f = self.fields(node, "an attribute mapping", MAPPING_KEYS)?;
        let target_node = f.get("target").filter(|n| !n.is_null()).ok_or_else(|| {
            self.invalid(
                node,
                "an attribute mapping without a `target`",
                "name the attribute of the target app it writes, e.g. `target: userName`",
            )
        })?;
        let Some(target_scalar) = target_node.scalar() else {
            return Err(self.invalid(
                target_node,
                "`target` should be an attribute name",
                "e.g. `target: userName`",
            ));
        };
        let (target, target_map) = decode(self.text, target_scalar);
        let tree_node = f.get("graph-tree").filter(|n| !n.is_null());
        let tree = match tree_node {
            None => None,
            Some(t) => Some(serde_json::from_value::<MappingSource>(to_json(t)).map_err(|e| {
                LoadError::new(
                    LoadErrorKind::InvalidExpressionTree,
                    t.span,
                    format!("`graph-tree` is not a Graph attributeMappingSource: {e}"),
                    "graph-tree holds Graph's source tree as written in an export; remove it to have entramap build the tree from `source`",
                )
            })?),
        };
        let source = match f.get("source").filter(|n| !n.is_null()) {
            None => None,
            Some(n) => {
                let Some(sc) = n.scalar() else {
                    return Err(self.invalid(
                        n,
                        format!("`source` should be the expression text, not {}", n.what()),
                        "quote the expression: source: '[mail]'",
                    ));
                };
                let (text, map) = decode(self.text, sc);
                let kind = tree.as_ref().map_or_else(|| source_kind(&text), |t| t.kind);
                Some(MappingExpr {
                    text,
                    map,
                    kind,
                    tree,
                    tree_span: tree_node.map(|n| n.span),
                })
            }
        };
        let matching_priority = match f.get("matching").filter(|n| !n.is_null()) {
            None => 0,
            Some(n) => n
                .scalar()
                .filter(|s| s.style == YamlStyle::Plain)
                .and_then(|s| {
                    // `-0` is 0, as in Graph JSON.
                    let digits = s.value.strip_prefix('-').filter(|d| d.bytes().all(|b| b == b'0'));
                    digits.map_or_else(|| s.value.parse::<u32>().ok(), |_| Some(0))
                })
                .ok_or_else(|| {
                    self.invalid(
                        n,
                        "`matching` should be a whole number (1 is tried first; 0 or absent: not a matching attribute)",
                        "write e.g. `matching: 1`",
                    )
                })?,
        };
        let flow_type = match f.get("flow").filter(|n| !n.is_null()) {
            None => FlowType::Always,
            Some(n) => match n.scalar().map(|s| s.value.as_str()) {
                Some("always") => FlowType::Always,
                Some("on-create") => FlowType::ObjectAddOnly,
                Some("multi-value-add-only") => FlowType::MultiValueAddOnly,
                Some("value-add-only") => FlowType::ValueAddOnly,
                Some("attribute-add-only") => FlowType::AttributeAddOnly,
                _ => {
                    return Err(self.invalid(
                        n,
                        "`flow` should be `always` or `on-create`",
                        "also accepted: multi-value-add-only, value-add-only, attribute-add-only (Graph flow types the portal does not offer)",
                    ));
                }
            },
        };
        Ok(AttributeMapping {
            target: Spanned::new(target, target_map.span),
            source,
            matching_priority,
            flow_type,
            flow_behavior: self.opt_string(f.get("flow-behavior"), "flow-behavior")?,
            export_missing_references: self.bool(
                f.get("export-missing-references"),
                "export-missing-references",
                false,
            )?,
            default_value: self.opt_string(f.get("default"), "default")?,
            suppressed: self.suppressions(node.span),
            span: node.span,
        })
    }

    /// Rule names from `# entramap: ignore[…]` comments on the lines of `span`, or on a line of
    /// its own just above it.
    fn suppressions(&self, span: Span) -> Vec<String> {
        let first = self.lines.line_col(self.text, span.start as usize).line;
        let last = self
            .lines
            .line_col(
                self.text,
                (span.end as usize).max(span.start as usize + 1) - 1,
            )
            .line;
        let mut out: Vec<String> = Vec::new();
        // The comments are in line order: only those from the line above `first` to `last`
        // can apply, found by binary search (a file of 100,000 suppressed mappings stays linear).
        let from = self.suppressions.partition_point(|c| c.line + 1 < first);
        let to = self.suppressions.partition_point(|c| c.line <= last);
        for c in self.suppressions.get(from..to).unwrap_or_default() {
            if !((first..=last).contains(&c.line) || (c.own_line && c.line + 1 == first)) {
                continue;
            }
            for rule in &c.rules {
                if !out.contains(rule) {
                    out.push(rule.clone());
                }
            }
        }
        out
    }
}

/// The rule names of an `entramap: ignore[a, b]` comment (the text after `#`).
pub(crate) fn parse_suppression(comment: &str) -> Vec<String> {
    let Some(p) = comment.find("entramap:") else {
        return Vec::new();
    };
    let rest = comment[p + "entramap:".len()..].trim_start();
    let Some(rest) = rest.strip_prefix("ignore") else {
        return Vec::new();
    };
    let Some(rest) = rest.trim_start().strip_prefix('[') else {
        return Vec::new();
    };
    let Some(end) = rest.find(']') else {
        return Vec::new();
    };
    rest[..end]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The mapping type an expression text stands for: `[x]` Attribute, a string or number
/// Constant, anything else Function.
fn source_kind(text: &str) -> SourceType {
    match crate::syntax::parse(text) {
        Ok(expr) => graph::to_graph(&expr).kind,
        Err(_) => match text.trim_start().chars().next() {
            Some('[') => SourceType::Attribute,
            Some('"') => SourceType::Constant,
            _ => SourceType::Function,
        },
    }
}

/// A YAML node as JSON (plain scalars typed as YAML 1.2's core schema does).
fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        Kind::Scalar(s) if s.style == YamlStyle::Plain => {
            if node.is_null() {
                Value::Null
            } else if let Ok(b) = s.value.parse::<bool>() {
                Value::Bool(b)
            } else if let Ok(i) = s.value.parse::<i64>() {
                Value::from(i)
            } else if let Ok(u) = s.value.parse::<u64>() {
                Value::from(u)
            } else if s
                .value
                .starts_with(|c: char| c.is_ascii_digit() || c == '-')
                && let Ok(f) = s.value.parse::<f64>()
                && f.is_finite()
                && let Some(n) = serde_json::Number::from_f64(f)
            {
                Value::Number(n)
            } else {
                Value::String(s.value.clone())
            }
        }
        Kind::Scalar(s) => Value::String(s.value.clone()),
        Kind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Kind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        k.scalar().map_or_else(String::new, |s| s.value.clone()),
                        to_json(v),
                    )
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every scalar of a document decodes exactly (no fallback to alignment), LF and CRLF.
    fn all_exact(doc: &str) {
        for text in [doc.to_string(), doc.replace('\n', "\r\n")] {
            let (root, _) = build(&text).unwrap();
            let mut stack = vec![root.unwrap()];
            let mut count = 0;
            while let Some(n) = stack.pop() {
                match n.kind {
                    Kind::Scalar(sc) => {
                        let (value, _, exact) = decode_checked(&text, &sc);
                        assert!(exact, "{:?} in {text:?} decoded as {value:?}", sc.value);
                        count += 1;
                    }
                    Kind::Seq(items) => stack.extend(items),
                    Kind::Map(entries) => {
                        stack.extend(entries.into_iter().flat_map(|(k, v)| [k, v]))
                    }
                }
            }
            assert!(count > 0);
        }
    }

    #[test]
    fn scalar_styles_decode_exactly() {
        all_exact(
            "a: plain text\nb: 'single ''quoted'''\nc: \"double \\\"q\\\" \\u00e9 \\x41 \\t \\U0001F600\"\n",
        );
        all_exact("a: plain\n  over\n\n  lines\nb: 'single\n  over\n\n\n  lines  '\n");
        all_exact("a: \"double \\\n   joined \\\n\n  and\n  folded\"\nb: \"trailing   \n  x\"\n");
        all_exact("a: \"esc\\ \n  x\"\n");
        all_exact("a: |\n  one\n    two\n\n  three\nb: |-\n  x\nc: |+\n  y\n\n\nd: z\n");
        all_exact("a: >\n  one\n  two\n\n  three\n    more\n  four\nb: >-\n  x\n   y\n  z\n");
        all_exact("a: >+\n  one\n\n\nb: >2\n    lead\n   x\n");
        all_exact("- |\n  item\n- >-\n  folded\n  item\n- key: |  # comment\n    v\n");
        all_exact("a: |\n\n\n  after blank lines\nb: >\n\n  x\n");
        all_exact("k: |-\n  no newline at end");
        all_exact("k: >\n  a\n\n   b\n\n  c\n");
        all_exact("a: 'x\t\n\t y'\nb: \"\\N\\_\\L\\P\\/\\e\\0\\a\\b\\v\\f\\r\\n\\ \"\n");
        all_exact("a: \"\\uD83D\\uDE00 \\x7e\"\nb: [flow, 'q', \"d\"]\nc: {k: v}\n");
        all_exact("a:   spaced plain   # c\nb: plain # with comment\n");
    }

    #[test]
    fn suppression_comments() {
        assert_eq!(parse_suppression(" entramap: ignore[a, b-c]"), ["a", "b-c"]);
        assert_eq!(parse_suppression("entramap:ignore[x]"), ["x"]);
        assert!(parse_suppression(" just a comment").is_empty());
    }
}
