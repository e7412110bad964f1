//! From target attribute names to SCIM JSON (reference §6.1).
//!
//! A target name is a path: a top-level attribute (`userName`), a sub-attribute
//! (`name.givenName`), a filtered multi-valued attribute (`emails[type eq "work"].value`), each
//! optionally under a schema URN (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`).
//! Values are typed from the target attribute's definition: Boolean → JSON boolean, Integer →
//! number, Reference → `{"value": id}`, multi-valued → array of strings, else a string.

pub use crate::wire::{TargetType, Wire, write_json, write_str};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::io::{self, Write};

/// The core User schema.
pub const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The enterprise User extension.
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The PATCH message schema.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A target attribute name, split into its SCIM parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPath {
    /// The extension schema URN, `None` for the core schema.
    pub urn: Option<String>,
    /// The attribute within the schema (`emails`, `name`, `department`).
    pub attr: String,
    /// `[type eq "work"]`: the filter attribute and value.
    pub filter: Option<(String, String)>,
    /// `.givenName`, `.value`: the sub-attribute.
    pub sub: Option<String>,
}

impl TargetPath {
    /// Splits a target name. Anything not understood stays one top-level attribute.
    pub fn parse(target: &str) -> TargetPath {
        let whole = || TargetPath {
            urn: None,
            attr: target.to_string(),
            filter: None,
            sub: None,
        };
        let bracket = target.find('[').unwrap_or(target.len());
        let (urn, rest) = if target.len() > 4 && target[..4].eq_ignore_ascii_case("urn:") {
            match target[..bracket].rfind(':') {
                Some(i) if i + 1 < target.len() => (Some(&target[..i]), &target[i + 1..]),
                _ => return whole(),
            }
        } else {
            (None, target)
        };
        let urn = urn
            .filter(|u| !u.eq_ignore_ascii_case(CORE_USER))
            .map(str::to_string);
        let (attr, filter, sub) = match rest.find('[') {
            Some(open) => {
                let Some(close) = rest[open..].find(']').map(|c| open + c) else {
                    return whole();
                };
                let Some(filter) = parse_filter(&rest[open + 1..close]) else {
                    return whole();
                };
                let after = &rest[close + 1..];
                let sub = match after.strip_prefix('.') {
                    Some(s) if !s.is_empty() => Some(s.to_string()),
                    None if after.is_empty() => None,
                    _ => return whole(),
                };
                (&rest[..open], Some(filter), sub)
            }
            None => match rest.split_once('.') {
                Some((a, s)) if !a.is_empty() && !s.is_empty() => (a, None, Some(s.to_string())),
                _ => (rest, None, None),
            },
        };
        if attr.is_empty() {
            return whole();
        }
        TargetPath {
            urn,
            attr: attr.to_string(),
            filter,
            sub,
        }
    }

    /// The filter value as it is stored in an element: `primary eq "True"` is the boolean true.
    pub fn filter_json(&self) -> Option<(&str, Json)> {
        self.filter.as_ref().map(|(a, v)| {
            let value = if a.eq_ignore_ascii_case("primary") {
                match v.to_ascii_lowercase().as_str() {
                    "true" => Json::Bool(true),
                    "false" => Json::Bool(false),
                    _ => Json::String(v.clone()),
                }
            } else {
                Json::String(v.clone())
            };
            (a.as_str(), value)
        })
    }
}

/// `type eq "work"` → (`type`, `work`).
fn parse_filter(f: &str) -> Option<(String, String)> {
    let mut parts = f.trim().splitn(3, char::is_whitespace);
    let attr = parts.next()?.trim();
    let op = parts.next()?.trim();
    let value = parts.next()?.trim();
    if !op.eq_ignore_ascii_case("eq") || attr.is_empty() {
        return None;
    }
    let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(v) => v.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => value.to_string(),
    };
    Some((attr.to_string(), value))
}

// ------------------------------------------------------------------------------------ layout

/// Where a mapping's value goes in a resource: the structure of a User resource for one mapping
/// file, computed once, with mapping indices at the leaves.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Top-level nodes in order of first appearance.
    nodes: Vec<Node>,
    /// Extension schema URNs, in order.
    urns: Vec<String>,
}

#[derive(Debug, Clone)]
enum Node {
    /// `"key": value` from mapping `index`.
    Leaf {
        key: String,
        json: Box<[u8]>,
        index: usize,
    },
    /// `"key": { children }` (complex attribute or schema extension).
    Object {
        key: String,
        json: Box<[u8]>,
        urn: Option<usize>,
        children: Vec<Node>,
    },
    /// `"key": [ elements ]`: a filtered multi-valued attribute.
    Array {
        key: String,
        json: Box<[u8]>,
        elements: Vec<Element>,
    },
}

/// `"key":`, rendered once.
fn key_json(key: &str) -> Box<[u8]> {
    let mut out = Vec::with_capacity(key.len() + 3);
    write_str(&mut out, key);
    out.push(b':');
    out.into_boxed_slice()
}

fn leaf(key: String, index: usize) -> Node {
    Node::Leaf {
        json: key_json(&key),
        key,
        index,
    }
}

fn object(key: String, urn: Option<usize>) -> Node {
    Node::Object {
        json: key_json(&key),
        key,
        urn,
        children: Vec::new(),
    }
}

fn array(key: String) -> Node {
    Node::Array {
        json: key_json(&key),
        key,
        elements: Vec::new(),
    }
}

#[derive(Debug, Clone)]
struct Element {
    /// The filter attribute and its value (`type: "work"`, `primary: true`).
    filter: (String, Json),
    /// `{"type":"work"`, rendered once.
    open: Box<[u8]>,
    /// Whether to end with `"primary": true` (the work e-mail, as Entra sends it).
    primary: bool,
    /// Sub-attributes in order (a leaf with key "" is a value for the element itself).
    children: Vec<Node>,
}

impl Node {
    fn key(&self) -> &str {
        match self {
            Node::Leaf { key, .. } | Node::Object { key, .. } | Node::Array { key, .. } => key,
        }
    }
}

fn find_or_push<'a>(
    nodes: &'a mut Vec<Node>,
    key: &str,
    make: impl FnOnce() -> Node,
) -> &'a mut Node {
    match nodes.iter().position(|n| n.key().eq_ignore_ascii_case(key)) {
        Some(i) => &mut nodes[i],
        None => {
            nodes.push(make());
            nodes.last_mut().expect("just pushed")
        }
    }
}

impl Layout {
    /// Lays out the targets, in mapping order; a later mapping to the same place is ignored.
    pub fn new(paths: &[(usize, &TargetPath)]) -> Layout {
        let mut layout = Layout::default();
        for &(index, path) in paths {
            let list: &mut Vec<Node> = match &path.urn {
                None => &mut layout.nodes,
                Some(urn) => {
                    let u = match layout.urns.iter().position(|x| x.eq_ignore_ascii_case(urn)) {
                        Some(u) => u,
                        None => {
                            layout.urns.push(urn.clone());
                            layout.urns.len() - 1
                        }
                    };
                    match find_or_push(&mut layout.nodes, urn, || object(urn.clone(), Some(u))) {
                        Node::Object { children, .. } => children,
                        _ => continue,
                    }
                }
            };
            match (&path.filter, &path.sub) {
                (None, None) => {
                    if !list
                        .iter()
                        .any(|n| n.key().eq_ignore_ascii_case(&path.attr))
                    {
                        list.push(leaf(path.attr.clone(), index));
                    }
                }
                (None, Some(sub)) => {
                    if let Node::Object { children, .. } =
                        find_or_push(list, &path.attr, || object(path.attr.clone(), None))
                        && !children.iter().any(|n| n.key().eq_ignore_ascii_case(sub))
                    {
                        children.push(leaf(sub.clone(), index));
                    }
                }
                (Some(_), sub) => {
                    let Some((fattr, fvalue)) = path.filter_json() else {
                        continue;
                    };
                    let Node::Array { elements, .. } =
                        find_or_push(list, &path.attr, || array(path.attr.clone()))
                    else {
                        continue;
                    };
                    let pos = elements.iter().position(|e| {
                        e.filter.0.eq_ignore_ascii_case(fattr)
                            && json_loose_eq(&e.filter.1, &fvalue)
                    });
                    let element = match pos {
                        Some(i) => &mut elements[i],
                        None => {
                            let primary = path.attr.eq_ignore_ascii_case("emails")
                                && fattr.eq_ignore_ascii_case("type")
                                && fvalue == Json::String("work".into());
                            let mut open = vec![b'{'];
                            write_str(&mut open, fattr);
                            open.push(b':');
                            let _ = serde_json::to_writer(&mut open, &fvalue);
                            elements.push(Element {
                                filter: (fattr.to_string(), fvalue),
                                open: open.into_boxed_slice(),
                                primary,
                                children: Vec::new(),
                            });
                            elements.last_mut().expect("just pushed")
                        }
                    };
                    // A filter without a sub-attribute (`emails[type eq "work"]`) is the value.
                    let key = sub.clone().unwrap_or_else(|| "value".into());
                    if !element
                        .children
                        .iter()
                        .any(|n| n.key().eq_ignore_ascii_case(&key))
                    {
                        element.children.push(leaf(key, index));
                    }
                }
            }
        }
        layout
    }

    /// Writes a User resource: `schemas` (core plus every extension that has a value), the
    /// attributes that have a value (`values[i]` is mapping `i`'s wire value, `None` when
    /// nothing flows), and `meta.resourceType`.
    pub fn write<'v>(&self, out: &mut Vec<u8>, values: &[Option<Wire<'v>>]) {
        out.extend_from_slice(b"{\"schemas\":[\"");
        out.extend_from_slice(CORE_USER.as_bytes());
        out.push(b'"');
        for node in &self.nodes {
            if let Node::Object { urn: Some(u), .. } = node
                && node_present(node, values)
            {
                out.push(b',');
                write_str(out, &self.urns[*u]);
            }
        }
        out.push(b']');
        for node in &self.nodes {
            if node_present(node, values) {
                out.push(b',');
                write_node(out, node, values);
            }
        }
        out.extend_from_slice(b",\"meta\":{\"resourceType\":\"User\"}}");
    }
}

fn node_present<'v>(node: &Node, values: &[Option<Wire<'v>>]) -> bool {
    match node {
        Node::Leaf { index, .. } => values[*index].is_some(),
        Node::Object { children, .. } => children.iter().any(|c| node_present(c, values)),
        Node::Array { elements, .. } => elements
            .iter()
            .any(|e| e.children.iter().any(|c| node_present(c, values))),
    }
}

/// Writes a node known to have a value.
fn write_node<'v>(out: &mut Vec<u8>, node: &Node, values: &[Option<Wire<'v>>]) {
    match node {
        Node::Leaf { json, index, .. } => {
            if let Some(v) = &values[*index] {
                out.extend_from_slice(json);
                v.write(out, false);
            }
        }
        Node::Object { json, children, .. } => {
            out.extend_from_slice(json);
            out.push(b'{');
            let mut first = true;
            for child in children {
                if node_present(child, values) {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    write_node(out, child, values);
                }
            }
            out.push(b'}');
        }
        Node::Array { json, elements, .. } => {
            out.extend_from_slice(json);
            out.push(b'[');
            let mut first_element = true;
            for e in elements {
                if !e.children.iter().any(|c| node_present(c, values)) {
                    continue;
                }
                if !first_element {
                    out.push(b',');
                }
                first_element = false;
                out.extend_from_slice(&e.open);
                let mut primary_sent = false;
                for c in &e.children {
                    if let Node::Leaf { json, index, key } = c
                        && let Some(v) = &values[*index]
                    {
                        // The filter attribute is the element's identity: written once, from
                        // the filter (`type: "work"`), never again from a mapping.
                        if key.eq_ignore_ascii_case(&e.filter.0) {
                            continue;
                        }
                        primary_sent |= key.eq_ignore_ascii_case("primary");
                        out.push(b',');
                        out.extend_from_slice(json);
                        v.write(out, false);
                    }
                }
                // Entra marks the work e-mail primary, unless a mapping says it.
                if e.primary && !primary_sent {
                    out.extend_from_slice(b",\"primary\":true");
                }
                out.push(b'}');
            }
            out.push(b']');
        }
    }
}

// ------------------------------------------------------------------------------------ access

/// A value's text as a SCIM app compares it: a string itself, a boolean `true`/`false`, a
/// number its text, a reference (or a one-element list) its `value`.
fn loose_scalar(v: &Json) -> Option<Cow<'_, str>> {
    match v {
        Json::String(s) => Some(Cow::Borrowed(s)),
        Json::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Json::Number(n) => Some(Cow::Owned(n.to_string())),
        Json::Object(o) => o.get("value").and_then(loose_scalar),
        Json::Array(items) if items.len() == 1 => loose_scalar(&items[0]),
        _ => None,
    }
}

/// Whether two JSON values mean the same to a SCIM app: booleans equal their text in any case
/// (`true` = `"True"`), numbers their text, references their `value`; strings compare exactly.
pub fn json_loose_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Array(x), Json::Array(y)) if x.len() != 1 || y.len() != 1 => {
            x.len() == y.len() && x.iter().all(|i| y.iter().any(|j| json_loose_eq(i, j)))
        }
        (Json::Bool(_), _) | (_, Json::Bool(_)) => match (loose_scalar(a), loose_scalar(b)) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(&y),
            _ => false,
        },
        _ => match (loose_scalar(a), loose_scalar(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

// A fingerprint's low three bits say what kind of value it is; the rest is a hash.
const FP_TRUE: u64 = 1;
const FP_FALSE: u64 = 2;
const FP_TEXT: u64 = 3;
/// Text that reads `true` in any case (it equals the boolean true).
const FP_TEXT_TRUE: u64 = 4;
const FP_TEXT_FALSE: u64 = 5;
const FP_LIST: u64 = 6;
const FP_OTHER: u64 = 7;

/// A 64-bit fingerprint of a value such that [`fingerprints_loose_eq`] of two fingerprints
/// answers as [`json_loose_eq`] of the values (0 is null: no value). One approximation: inside
/// lists of several items, text reading `true`/`false` is taken for the boolean whatever its
/// case, where `json_loose_eq` compares two such texts exactly.
pub fn loose_fingerprint(v: &Json) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    fn tagged(h: DefaultHasher, tag: u64) -> u64 {
        (h.finish() << 3) | tag
    }
    fn structure(h: &mut DefaultHasher, v: &Json) {
        match v {
            Json::Null => 0u8.hash(h),
            Json::Bool(b) => (1u8, b).hash(h),
            Json::Number(n) => (2u8, n.to_string()).hash(h),
            Json::String(s) => (3u8, s).hash(h),
            Json::Array(items) => {
                (4u8, items.len()).hash(h);
                items.iter().for_each(|i| structure(h, i));
            }
            Json::Object(m) => {
                // Key order does not matter to `==` on objects.
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                (5u8, keys.len()).hash(h);
                for k in keys {
                    k.hash(h);
                    structure(h, &m[k]);
                }
            }
        }
    }
    match v {
        Json::Null => 0,
        Json::Bool(true) => FP_TRUE,
        Json::Bool(false) => FP_FALSE,
        Json::Array(items) if items.len() != 1 => {
            // A multiset of the items, booleans and their texts alike.
            let mut fps: Vec<u64> = items
                .iter()
                .map(|i| match loose_fingerprint(i) {
                    f if f & 7 == FP_TEXT_TRUE => FP_TRUE,
                    f if f & 7 == FP_TEXT_FALSE => FP_FALSE,
                    f => f,
                })
                .collect();
            fps.sort_unstable();
            let mut h = DefaultHasher::new();
            fps.hash(&mut h);
            tagged(h, FP_LIST)
        }
        _ => match loose_scalar(v) {
            Some(text) => {
                let mut h = DefaultHasher::new();
                text.hash(&mut h);
                let tag = if text.eq_ignore_ascii_case("true") {
                    FP_TEXT_TRUE
                } else if text.eq_ignore_ascii_case("false") {
                    FP_TEXT_FALSE
                } else {
                    FP_TEXT
                };
                tagged(h, tag)
            }
            None => {
                let mut h = DefaultHasher::new();
                structure(&mut h, v);
                tagged(h, FP_OTHER)
            }
        },
    }
}

/// [`json_loose_eq`] on fingerprints: equal ones, or a boolean and text reading it.
pub fn fingerprints_loose_eq(a: u64, b: u64) -> bool {
    a == b
        || matches!(
            (a, b & 7),
            (FP_TRUE, FP_TEXT_TRUE) | (FP_FALSE, FP_TEXT_FALSE)
        )
        || matches!(
            (a & 7, b),
            (FP_TEXT_TRUE, FP_TRUE) | (FP_TEXT_FALSE, FP_FALSE)
        )
}

fn get_ci<'a>(map: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn key_ci(map: &Map<String, Json>, key: &str) -> String {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

fn element_matches(e: &Json, fattr: &str, fvalue: &Json) -> bool {
    e.as_object()
        .and_then(|o| get_ci(o, fattr))
        .is_some_and(|v| match (v, fvalue) {
            (Json::String(a), Json::String(b)) => a.eq_ignore_ascii_case(b),
            _ => json_loose_eq(v, fvalue),
        })
}

/// The value at a target path in a resource (attribute names compared ignoring case).
pub fn get<'a>(resource: &'a Json, path: &TargetPath) -> Option<&'a Json> {
    let mut scope = resource.as_object()?;
    if let Some(urn) = &path.urn {
        scope = get_ci(scope, urn)?.as_object()?;
    }
    let attr = get_ci(scope, &path.attr)?;
    let holder = match path.filter_json() {
        Some((fattr, fvalue)) => attr
            .as_array()?
            .iter()
            .find(|e| element_matches(e, fattr, &fvalue))?,
        None => attr,
    };
    let found = match &path.sub {
        Some(sub) => get_ci(holder.as_object()?, sub)?,
        None if path.filter.is_some() => get_ci(holder.as_object()?, "value")?,
        None => holder,
    };
    (!found.is_null()).then_some(found)
}

/// Sets the value at a target path, creating what is missing (a filtered element gets its filter
/// value; the work e-mail gets `primary: true`).
pub fn set(resource: &mut Json, path: &TargetPath, value: Json) {
    if !resource.is_object() {
        *resource = Json::Object(Map::new());
    }
    let Json::Object(root) = resource else { return };
    let scope: &mut Map<String, Json> = match &path.urn {
        None => root,
        Some(urn) => {
            let key = key_ci(root, urn);
            let slot = root.entry(key).or_insert_with(|| Json::Object(Map::new()));
            if !slot.is_object() {
                *slot = Json::Object(Map::new());
            }
            match slot {
                Json::Object(m) => m,
                _ => return,
            }
        }
    };
    let key = key_ci(scope, &path.attr);
    match path.filter_json() {
        None => match &path.sub {
            None => {
                scope.insert(key, value);
            }
            Some(sub) => {
                let slot = scope.entry(key).or_insert_with(|| Json::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Json::Object(Map::new());
                }
                if let Json::Object(m) = slot {
                    let k = key_ci(m, sub);
                    m.insert(k, value);
                }
            }
        },
        Some((fattr, fvalue)) => {
            let slot = scope.entry(key).or_insert_with(|| Json::Array(Vec::new()));
            if !slot.is_array() {
                *slot = Json::Array(Vec::new());
            }
            let Json::Array(items) = slot else { return };
            let i = match items
                .iter()
                .position(|e| element_matches(e, fattr, &fvalue))
            {
                Some(i) => i,
                None => {
                    let mut m = Map::new();
                    m.insert(fattr.to_string(), fvalue.clone());
                    if path.attr.eq_ignore_ascii_case("emails")
                        && fattr.eq_ignore_ascii_case("type")
                        && fvalue == Json::String("work".into())
                    {
                        m.insert("primary".into(), Json::Bool(true));
                    }
                    items.push(Json::Object(m));
                    items.len() - 1
                }
            };
            if let Json::Object(m) = &mut items[i] {
                let sub = path.sub.as_deref().unwrap_or("value");
                let k = key_ci(m, sub);
                m.insert(k, value);
            }
        }
    }
}

/// Keeps only what an app persists: attributes `keep(target)` accepts (asked for each
/// top-level attribute, sub-attribute, filtered element value and extension attribute, by its
/// target name); `id`, `schemas` and `meta` always stay.
pub fn prune(resource: &mut Json, keep: &dyn Fn(&str) -> bool) {
    let Json::Object(root) = resource else { return };
    root.retain(|key, value| {
        if ["id", "schemas", "meta"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
        {
            return true;
        }
        if key.len() > 4 && key[..4].eq_ignore_ascii_case("urn:") {
            if let Json::Object(ext) = value {
                ext.retain(|k, _| keep(&format!("{key}:{k}")));
                return !ext.is_empty();
            }
            return keep(key);
        }
        if keep(key) {
            return true;
        }
        match value {
            Json::Object(sub) => {
                sub.retain(|k, _| keep(&format!("{key}.{k}")));
                !sub.is_empty()
            }
            _ => false,
        }
    });
}

/// Writes a JSON value followed by a newline.
pub fn write_line(out: &mut dyn Write, json: &Json) -> io::Result<()> {
    serde_json::to_writer(&mut *out, json)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let p = TargetPath::parse("emails[type eq \"work\"].value");
        assert_eq!(p.attr, "emails");
        assert_eq!(p.filter, Some(("type".into(), "work".into())));
        assert_eq!(p.sub.as_deref(), Some("value"));
        let p = TargetPath::parse(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        );
        assert_eq!(p.urn.as_deref(), Some(ENTERPRISE_USER));
        assert_eq!(p.attr, "department");
        let p = TargetPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:userName");
        assert_eq!((p.urn, p.attr.as_str()), (None, "userName"));
        let p = TargetPath::parse("name.givenName");
        assert_eq!(
            (p.attr.as_str(), p.sub.as_deref()),
            ("name", Some("givenName"))
        );
        let p = TargetPath::parse("roles[primary eq \"True\"].value");
        assert_eq!(p.filter_json().unwrap().1, Json::Bool(true));
    }

    #[test]
    fn escaping_matches_serde_json() {
        for s in [
            "plain text",
            "Zoë 山田",
            "a\"b",
            "back\\slash",
            "tab\there",
            "12345678\u{1}",
            "\u{7f}x",
            "",
        ] {
            let mut ours = Vec::new();
            write_str(&mut ours, s);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(s).unwrap(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn get_and_set_agree() {
        let mut r = json!({"id": "1"});
        for (target, value) in [
            ("userName", json!("a")),
            ("name.givenName", json!("G")),
            ("emails[type eq \"work\"].value", json!("a@x")),
            (
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                json!({"value": "m"}),
            ),
        ] {
            let p = TargetPath::parse(target);
            set(&mut r, &p, value.clone());
            assert_eq!(get(&r, &p), Some(&value), "{target}");
        }
        assert_eq!(r["emails"][0]["primary"], json!(true));
        assert!(json_loose_eq(&json!(true), &json!("True")));
        assert!(!json_loose_eq(&json!("a"), &json!("A")));
    }

    #[test]
    fn fingerprints_compare_as_loose_equality() {
        let values = [
            json!(true),
            json!(false),
            json!("True"),
            json!("true"),
            json!("FALSE"),
            json!("false"),
            json!("a"),
            json!("A"),
            json!(""),
            json!(1),
            json!("1"),
            json!(1.5),
            json!({"value": "a"}),
            json!({"value": true}),
            json!({"value": "True"}),
            json!([{"value": "a"}]),
            json!(["True"]),
            json!(["a", "b"]),
            json!(["b", "a"]),
            json!(["a", "c"]),
            json!([]),
            json!({"x": 1, "y": 2}),
            json!({"y": 2, "x": 1}),
            json!({"x": 2}),
            json!([{"x": 1}]),
        ];
        for a in &values {
            assert_eq!(loose_fingerprint(a) == 0, a.is_null());
            for b in &values {
                assert_eq!(
                    fingerprints_loose_eq(loose_fingerprint(a), loose_fingerprint(b)),
                    json_loose_eq(a, b),
                    "{a} against {b}"
                );
            }
        }
    }
}
