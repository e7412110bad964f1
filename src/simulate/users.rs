//! Users input: Graph's `/users` response (`{"value": [...]}`), a JSON array, JSON Lines, or YAML.
//!
//! JSON Lines and JSON arrays (top-level, or the `value` array of a multi-line Graph response)
//! are streamed: one user is held in memory at a time, so memory stays flat however large the
//! file is. A line or array element that is not a valid user is reported with its position and
//! the rest is read. YAML is read whole.
//!
//! Graph property names are translated to the names the provisioning service uses as mapping
//! sources: `id` → `objectId`, `businessPhones[0]` → `telephoneNumber`, `mobilePhone` →
//! `mobile`, `faxNumber` → `facsimileTelephoneNumber`, `officeLocation` →
//! `physicalDeliveryOfficeName`; `onPremisesExtensionAttributes` and `employeeOrgData` are
//! flattened (`extensionAttribute1`, `employeeOrgData.costCenter`); `manager` is the manager's id
//! (a string, or Graph's `$expand=manager` object). `assigned`, `deletedDateTime` and
//! `IsSoftDeleted` are read as flags for the soft-delete derivation.

use crate::eval::value::{bool_text, is_boolean_attribute, parse_bool};
use crate::eval::{Attributes, Value};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, Read, Write};

/// A user (or a line / element) larger than this is reported and skipped, so that memory stays
/// bounded.
pub const MAX_USER_BYTES: usize = 8 * 1024 * 1024;
/// YAML input is read whole; larger files are refused (use JSON Lines).
pub const MAX_YAML_BYTES: usize = 256 * 1024 * 1024;

// ------------------------------------------------------------------------------------ record

/// One source user: its attributes under their provisioning names, and the flags that decide
/// whether it is soft-deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    /// Every attribute name, one after the other (so that reading a user does not allocate
    /// its keys).
    names: String,
    /// Each attribute: where its name lies in `names`, and its value.
    attrs: Vec<Attr>,
    /// Attributes by the top six bits of their name hash: 0 none (so the attribute is absent),
    /// `i + 1` attribute `i` alone, [`SHARED`] several (search them all).
    slots: [u8; 64],
    /// `accountEnabled`, when given.
    pub account_enabled: Option<bool>,
    /// `assigned`, when given (absent = assigned).
    pub assigned: Option<bool>,
    /// `deletedDateTime` is set, or the input says `IsSoftDeleted: true`.
    pub deleted: bool,
    /// A Graph page given as one JSON line (`{"value": [...]}`): its users.
    page: Option<Vec<Result<UserRecord, String>>>,
}

impl Default for UserRecord {
    fn default() -> Self {
        UserRecord {
            names: String::new(),
            attrs: Vec::new(),
            slots: [0; 64],
            account_enabled: None,
            assigned: None,
            deleted: false,
            page: None,
        }
    }
}

impl UserRecord {
    /// An empty record.
    pub fn new() -> UserRecord {
        UserRecord::default()
    }

    /// Sets an attribute (null removes it).
    pub fn set(&mut self, name: &str, value: Value) {
        let names = self.names.as_bytes();
        let before = self.attrs.len();
        self.attrs
            .retain(|a| &names[a.start as usize..a.end as usize] != name.as_bytes());
        if self.attrs.len() != before {
            // Indices moved: rebuild the slots.
            self.slots = [0; 64];
            let attrs = std::mem::take(&mut self.attrs);
            for a in attrs {
                let (start, end) = (a.start as usize, a.end as usize);
                let n = self.names[start..end].to_string();
                self.push(&n, a.hash, a.value);
            }
        }
        self.push(name, name_hash(name), value);
    }

    /// Adds an attribute while reading (no check for an earlier one: the last one wins when
    /// looking up, as with a repeated JSON key).
    fn push(&mut self, name: &str, hash: u64, value: Value) {
        if !value.is_null() {
            let start = self.names.len() as u32;
            self.names.push_str(name);
            let slot = &mut self.slots[slot_of(hash)];
            *slot = match (*slot, u8::try_from(self.attrs.len() + 1)) {
                (0, Ok(i)) if i != SHARED => i,
                _ => SHARED,
            };
            self.attrs.push(Attr {
                start,
                end: self.names.len() as u32,
                hash,
                value,
            });
        }
    }

    /// An attribute's value: exact name first, then ignoring ASCII case.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.value_hashed(name, name_hash(name))
    }

    /// [`UserRecord::value`] with the name's [`name_hash`] already computed.
    pub fn value_hashed(&self, name: &str, hash: u64) -> Option<&Value> {
        let name = name.as_bytes();
        let names = self.names.as_bytes();
        let key = |a: &Attr| &names[a.start as usize..a.end as usize];
        match self.slots[slot_of(hash)] {
            0 => return None,
            SHARED => {}
            i => {
                // The only attribute with these hash bits: equal names have equal hashes.
                let a = &self.attrs[usize::from(i) - 1];
                let k = key(a);
                let same = a.hash == hash && (k == name || k.eq_ignore_ascii_case(name));
                return same.then_some(&a.value);
            }
        }
        self.attrs
            .iter()
            .rev()
            .find(|a| a.hash == hash && key(a) == name)
            .or_else(|| {
                self.attrs
                    .iter()
                    .rev()
                    .find(|a| a.hash == hash && key(a).eq_ignore_ascii_case(name))
            })
            .map(|a| &a.value)
    }

    /// Every attribute, in input order.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.attrs
            .iter()
            .map(|a| (&self.names[a.start as usize..a.end as usize], &a.value))
    }

    /// How the user is named in reports: its object id, else its userPrincipalName.
    pub fn id(&self) -> Option<Cow<'_, str>> {
        ["objectId", "userPrincipalName"]
            .iter()
            .find_map(|n| self.value(n).and_then(|v| v.text().ok().flatten()))
    }
}

impl Attributes for UserRecord {
    fn get(&self, name: &str) -> Option<Value> {
        self.value(name).cloned()
    }

    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.value(name).map(Cow::Borrowed)
    }
}

/// How many spare strings a [`Pool`] keeps.
const POOL_MAX: usize = 1024;

/// Strings and attribute lists recycled from earlier users, so that reading a user reuses their
/// memory instead of allocating.
#[derive(Debug, Default)]
pub struct Pool {
    strings: Vec<String>,
    attrs: Vec<(String, Vec<Attr>)>,
    /// When set, only these attributes are kept (a bit set over their name hashes; a name
    /// that shares a bit is kept needlessly, never lost); the others are skipped while reading.
    wanted: Option<Box<[u64; 64]>>,
}

/// One attribute of a record.
#[derive(Debug, Clone, PartialEq)]
struct Attr {
    start: u32,
    end: u32,
    /// [`name_hash`] of the name.
    hash: u64,
    value: Value,
}

/// A slot shared by several attributes.
const SHARED: u8 = u8::MAX;

fn slot_of(hash: u64) -> usize {
    (hash >> 58) as usize
}

/// A hash of a name that ignores ASCII case (names that differ only in case hash equal; a few
/// other names may too, which lookups verify), eight bytes at a time.
pub fn name_hash(name: &str) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = name.as_bytes();
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    let mut mix = |w: u64| {
        // Setting bit 5 of every byte lowercases ASCII letters.
        h = (h ^ (w | 0x2020_2020_2020_2020)).wrapping_mul(K);
        h ^= h >> 29;
    };
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        mix(u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        mix(u64::from_le_bytes(w));
    }
    h.wrapping_mul(K)
}

impl Pool {
    /// Whether an attribute (by its [`name_hash`]) is to be kept.
    fn wants(&self, hash: u64) -> bool {
        match &self.wanted {
            None => true,
            Some(bits) => {
                let bit = (hash >> 52) as usize;
                bits[bit >> 6] & (1 << (bit & 63)) != 0
            }
        }
    }

    fn string(&mut self, s: &str) -> String {
        match self.strings.pop() {
            Some(mut spare) => {
                spare.push_str(s);
                spare
            }
            None => s.to_string(),
        }
    }

    fn keep(&mut self, mut s: String) {
        if self.strings.len() < POOL_MAX && s.capacity() <= 4096 {
            s.clear();
            self.strings.push(s);
        }
    }

    fn attrs(&mut self) -> (String, Vec<Attr>) {
        self.attrs
            .pop()
            .unwrap_or_else(|| (String::with_capacity(512), Vec::with_capacity(32)))
    }

    /// Takes back a user's memory for the next users.
    pub fn recycle(&mut self, mut rec: UserRecord) {
        for a in rec.attrs.drain(..) {
            match a.value {
                Value::Str(s) => self.keep(s),
                Value::Multi(list) => {
                    for s in list {
                        self.keep(s);
                    }
                }
                _ => {}
            }
        }
        if self.attrs.len() < 4 {
            rec.names.clear();
            self.attrs.push((rec.names, rec.attrs));
        }
    }
}

/// The provisioning name of a Graph user property (the name itself when they agree).
pub fn provisioning_name(graph_name: &str) -> &str {
    match graph_name {
        "id" => "objectId",
        "mobilePhone" => "mobile",
        "officeLocation" => "physicalDeliveryOfficeName",
        "faxNumber" => "facsimileTelephoneNumber",
        "businessPhones" => "telephoneNumber",
        other => other,
    }
}

// ------------------------------------------------------------------------------------ serde

/// A map key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An attribute value as read: null, a value, or an object (flattened or kept as JSON text by
/// the record, depending on the property).
enum Raw {
    Null,
    Value(Value),
    Object(serde_json::Map<String, serde_json::Value>),
}

/// Reads one attribute value; the name decides whether text is a boolean.
struct RawSeed<'a, 'p> {
    name: &'a str,
    pool: &'p mut Pool,
}

impl<'de> DeserializeSeed<'de> for RawSeed<'_, '_> {
    type Value = Raw;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RawSeed<'_, '_> {
    type Value = Raw;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attribute value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Bool(b)))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Int(n)))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Raw, E> {
        Ok(Raw::Value(match i64::try_from(n) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(n.to_string()),
        }))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Str(n.to_string())))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Raw, E> {
        if is_boolean_attribute(self.name)
            && let Ok(b) = parse_bool(s)
        {
            return Ok(Raw::Value(Value::Bool(b)));
        }
        Ok(Raw::Value(Value::Str(self.pool.string(s))))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Raw, E> {
        if is_boolean_attribute(self.name)
            && let Ok(b) = parse_bool(&s)
        {
            return Ok(Raw::Value(Value::Bool(b)));
        }
        Ok(Raw::Value(Value::Str(s)))
    }
    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(item) = seq.next_element_seed(ElemSeed(&mut *self.pool))? {
            if let Some(text) = item {
                values.push(text);
            }
        }
        Ok(Raw::Value(Value::Multi(values)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Raw, A::Error> {
        let object = serde_json::Map::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Raw::Object(object))
    }
}

/// One element of a multi-valued attribute as text (`None` for null, skipped).
struct ElemSeed<'p>(&'p mut Pool);

impl<'de> DeserializeSeed<'de> for ElemSeed<'_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ElemSeed<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text, number, boolean or object in a list")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Option<String>, E> {
        Ok(Some(bool_text(b).to_string()))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Option<String>, E> {
        Ok(Some(n.to_string()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Option<String>, E> {
        Ok(Some(n.to_string()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Option<String>, E> {
        Ok(Some(n.to_string()))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<String>, E> {
        Ok(Some(self.0.string(s)))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Option<String>, E> {
        Ok(Some(s))
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<String>, A::Error> {
        let v = serde_json::Map::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(serde_json::Value::Object(v).to_string()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Option<String>, A::Error> {
        Err(de::Error::custom("a list may not contain lists"))
    }
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(bool_text(*b).to_string()),
        other => Some(other.to_string()),
    }
}

impl<'de> Deserialize<'de> for UserRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RecordSeed(&mut Pool::default()).deserialize(d)
    }
}

/// Reads one user, taking its memory from a pool.
pub struct RecordSeed<'p>(pub &'p mut Pool);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = UserRecord;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<UserRecord, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = UserRecord;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a user object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UserRecord, A::Error> {
        let pool = self.0;
        let (names, attrs) = pool.attrs();
        let mut rec = UserRecord {
            names,
            attrs,
            ..UserRecord::default()
        };
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let key: &str = &key;
            if key.starts_with('@') {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match key {
                "value" => {
                    let v: serde_json::Value = map.next_value()?;
                    match v {
                        serde_json::Value::Array(items) => {
                            rec.page = Some(
                                items
                                    .iter()
                                    .map(|u| UserRecord::deserialize(u).map_err(|e| e.to_string()))
                                    .collect(),
                            );
                        }
                        other => {
                            if let Ok(v) = Value::from_json("value", &other) {
                                rec.set("value", v);
                            }
                        }
                    }
                    continue;
                }
                "deletedDateTime" => {
                    let raw = map.next_value_seed(RawSeed {
                        name: key,
                        pool: &mut *pool,
                    })?;
                    rec.deleted |= !matches!(raw, Raw::Null);
                    continue;
                }
                "IsSoftDeleted" | "isSoftDeleted" => {
                    if let Raw::Value(v) = map.next_value_seed(RawSeed {
                        name: "IsSoftDeleted",
                        pool: &mut *pool,
                    })? {
                        rec.deleted |= matches!(v.to_bool(), Ok(Some(true)));
                    }
                    continue;
                }
                "assigned" => {
                    if let Raw::Value(v) = map.next_value_seed(RawSeed {
                        name: "IsSoftDeleted",
                        pool: &mut *pool,
                    })? {
                        rec.assigned = v.to_bool().ok().flatten();
                    }
                    continue;
                }
                _ => {}
            }
            let name = provisioning_name(key);
            let hash = name_hash(name);
            if !pool.wants(hash)
                && !matches!(key, "onPremisesExtensionAttributes" | "employeeOrgData")
            {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let raw = map.next_value_seed(RawSeed {
                name,
                pool: &mut *pool,
            })?;
            match raw {
                Raw::Null => {}
                Raw::Value(v) => {
                    let v = match (key, v) {
                        ("businessPhones", Value::Multi(mut phones)) => {
                            if phones.is_empty() {
                                continue;
                            }
                            Value::Str(phones.swap_remove(0))
                        }
                        (_, v) => v,
                    };
                    if name == "accountEnabled" {
                        rec.account_enabled = v.to_bool().ok().flatten();
                    }
                    rec.push(name, hash, v);
                }
                Raw::Object(object) => match key {
                    "onPremisesExtensionAttributes" => {
                        for (k, v) in &object {
                            if let Some(text) = json_text(v) {
                                rec.set(k, Value::Str(text));
                            }
                        }
                    }
                    "employeeOrgData" => {
                        for (k, v) in &object {
                            if let Some(text) = json_text(v) {
                                rec.set(&format!("employeeOrgData.{k}"), Value::Str(text));
                            }
                        }
                    }
                    "manager" => {
                        if let Some(id) = object.get("id").and_then(json_text) {
                            rec.set("manager", Value::Str(id));
                        }
                    }
                    _ => {
                        let text = serde_json::Value::Object(object).to_string();
                        rec.set(name, Value::Str(text));
                    }
                },
            }
        }
        Ok(rec)
    }
}

// ------------------------------------------------------------------------------------ reader

/// Where a user was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Line of a JSON Lines file (1-based).
    Line(u64),
    /// Element of a JSON array or of a Graph response's `value` (1-based), and the byte offset
    /// where it starts.
    Element { index: u64, offset: u64 },
    /// Element of a Graph page given on one JSON line.
    LineElement { line: u64, index: u64 },
    /// The only user of a document holding one user object.
    Document,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Element { index, offset } => write!(f, "user {index} (byte {offset})"),
            Position::LineElement { line, index } => write!(f, "line {line}, user {index}"),
            Position::Document => f.write_str("the user object"),
        }
    }
}

/// A user that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub position: Option<Position>,
    pub message: String,
    /// The input cannot be read further (I/O error, unbalanced JSON, invalid YAML).
    pub fatal: bool,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// One read user, or why it could not be read.
pub type Item = Result<(Position, UserRecord), InputError>;

/// Reads users one at a time from any of the accepted formats.
pub struct UserReader {
    state: State,
    pending: VecDeque<Item>,
    pool: Pool,
    /// The bytes of the user being read.
    scratch: Vec<u8>,
}

enum State {
    Lines {
        reader: Box<dyn BufRead + Send>,
        line: u64,
    },
    Json(Box<Scanner>),
    Done,
}

impl UserReader {
    /// Reads users from a stream, deciding the format from its first bytes: `[` is a JSON array;
    /// `{` is JSON Lines when the first line is a whole JSON value, otherwise one JSON document
    /// (a Graph response streamed through its `value` array, or a single user); anything else
    /// is YAML.
    pub fn new(reader: impl BufRead + Send + 'static) -> UserReader {
        let mut reader: Box<dyn BufRead + Send> = Box::new(reader);
        let mut pending = VecDeque::new();
        let state = match start(&mut reader) {
            Err(e) => {
                pending.push_back(Err(io_error(e)));
                State::Done
            }
            Ok((first, skipped)) => match first {
                None => State::Done,
                Some(b'[') => {
                    let mut s = Scanner::new(reader, skipped);
                    s.bump();
                    s.stack.push(Frame::Array { in_object: false });
                    State::Json(Box::new(s))
                }
                Some(b'{') => {
                    let mut line = Vec::new();
                    // At most one user's worth: a longer first line is one JSON document (a
                    // Graph page on one line), read by the streaming scanner.
                    if let Err(e) = (&mut reader)
                        .take(MAX_USER_BYTES as u64 + 1)
                        .read_until(b'\n', &mut line)
                    {
                        pending.push_back(Err(io_error(e)));
                        State::Done
                    } else {
                        let eof_inside = matches!(
                            serde_json::from_slice::<IgnoredAny>(&line),
                            Err(e) if e.is_eof()
                        );
                        let reader: Box<dyn BufRead + Send> =
                            Box::new(io::Cursor::new(line).chain(reader));
                        if eof_inside {
                            let mut s = Scanner::new(reader, skipped);
                            s.bump();
                            s.stack.push(Frame::Object {
                                pairs: Vec::new(),
                                streamed: false,
                            });
                            State::Json(Box::new(s))
                        } else {
                            State::Lines { reader, line: 0 }
                        }
                    }
                }
                Some(_) => {
                    read_yaml(reader, &mut pending);
                    State::Done
                }
            },
        };
        UserReader {
            state,
            pending,
            pool: Pool::default(),
            scratch: Vec::new(),
        }
    }

    /// Opens a file (`-` is standard input).
    pub fn open(path: &str) -> io::Result<UserReader> {
        if path == "-" {
            return Ok(UserReader::new(io::BufReader::with_capacity(
                1 << 16,
                io::stdin(),
            )));
        }
        let file = std::fs::File::open(path)?;
        Ok(UserReader::new(io::BufReader::with_capacity(1 << 16, file)))
    }

    /// Keeps only these attributes (names compared ignoring ASCII case) of the users read from
    /// now on; the others are skipped without being copied. `accountEnabled`, `assigned`,
    /// `deletedDateTime` and `IsSoftDeleted` are always read.
    pub fn only<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> UserReader {
        let mut bits = Box::new([0u64; 64]);
        for name in names.into_iter().chain(["accountEnabled"]) {
            let bit = (name_hash(name) >> 52) as usize;
            bits[bit >> 6] |= 1 << (bit & 63);
        }
        self.pool.wanted = Some(bits);
        self
    }

    /// Gives a user's memory back, to be reused for the next users.
    pub fn recycle(&mut self, user: UserRecord) {
        self.pool.recycle(user);
    }

    /// Reads users from text already in memory.
    pub fn from_text(text: &str) -> UserReader {
        UserReader::new(io::Cursor::new(text.as_bytes().to_vec()))
    }
}

fn io_error(e: io::Error) -> InputError {
    InputError {
        position: None,
        message: format!("cannot read the users: {e}"),
        fatal: true,
    }
}

/// Skips a byte-order mark and white space; returns the first byte (not consumed) and how many
/// bytes were skipped.
fn start(reader: &mut Box<dyn BufRead + Send>) -> io::Result<(Option<u8>, u64)> {
    let mut skipped = 0u64;
    let mut first = true;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((None, skipped));
        }
        if first && buf.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
            skipped += 3;
            first = false;
            continue;
        }
        first = false;
        let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if n < buf.len() {
            let b = buf[n];
            reader.consume(n);
            return Ok((Some(b), skipped + n as u64));
        }
        let len = buf.len();
        reader.consume(len);
        skipped += len as u64;
    }
}

fn read_yaml(mut reader: Box<dyn BufRead + Send>, pending: &mut VecDeque<Item>) {
    let mut text = String::new();
    let read = (&mut reader)
        .take(MAX_YAML_BYTES as u64 + 1)
        .read_to_string(&mut text);
    let fatal = |message: String| InputError {
        position: None,
        message,
        fatal: true,
    };
    if let Err(e) = read {
        pending.push_back(Err(fatal(format!("cannot read the users: {e}"))));
        return;
    }
    if text.len() > MAX_YAML_BYTES {
        pending.push_back(Err(fatal(format!(
            "the YAML users file is larger than {} MB; give large inputs as JSON Lines",
            MAX_YAML_BYTES >> 20
        ))));
        return;
    }
    // YAML 1.2 core booleans only (a `displayName: Y` or `country: NO` stays text), and numbers
    // with leading zeros (`employeeId: 00123`) stay text.
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    let doc: serde_json::Value = match serde_saphyr::from_str_with_options(&text, options) {
        Ok(doc) => doc,
        Err(e) => {
            pending.push_back(Err(fatal(format!(
                "the users file is neither JSON nor valid YAML: {e}"
            ))));
            return;
        }
    };
    let items = match doc {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut o) if o.get("value").is_some_and(|v| v.is_array()) => {
            match o.remove("value") {
                Some(serde_json::Value::Array(items)) => items,
                _ => Vec::new(),
            }
        }
        o @ serde_json::Value::Object(_) => {
            pending.push_back(
                UserRecord::deserialize(&o)
                    .map(|u| (Position::Document, u))
                    .map_err(|e| InputError {
                        position: Some(Position::Document),
                        message: e.to_string(),
                        fatal: false,
                    }),
            );
            return;
        }
        serde_json::Value::Null => return,
        _ => {
            pending.push_back(Err(fatal(
                "expected a list of users, a Graph response {value: [...]} or one user object"
                    .into(),
            )));
            return;
        }
    };
    for (i, item) in items.iter().enumerate() {
        let position = Position::Element {
            index: i as u64 + 1,
            offset: 0,
        };
        pending.push_back(
            UserRecord::deserialize(item)
                .map(|u| (position, u))
                .map_err(|e| InputError {
                    position: Some(position),
                    message: e.to_string(),
                    fatal: false,
                }),
        );
    }
}

/// One user as read from the input, before it is parsed: its bytes (in a buffer the caller
/// gave [`UserReader::next_raw`]), or an item already complete (a YAML user, an input error).
#[derive(Debug)]
pub enum RawUser {
    Bytes {
        position: Position,
        /// The line it is on (JSON Lines), else 0.
        line: u64,
        range: std::ops::Range<usize>,
    },
    Ready(Box<Item>),
}

impl UserReader {
    /// Appends the next user's bytes to `data` without parsing them (so that another thread
    /// can, with a [`Parser`] from [`UserReader::parser`]).
    pub fn next_raw(&mut self, data: &mut Vec<u8>) -> Option<RawUser> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(RawUser::Ready(Box::new(item)));
            }
            match &mut self.state {
                State::Done => return None,
                State::Lines { reader, line } => {
                    let start = data.len();
                    match reader
                        .by_ref()
                        .take(MAX_USER_BYTES as u64 + 1)
                        .read_until(b'\n', data)
                    {
                        Err(e) => {
                            data.truncate(start);
                            self.state = State::Done;
                            return Some(RawUser::Ready(Box::new(Err(io_error(e)))));
                        }
                        Ok(0) => {
                            self.state = State::Done;
                            return None;
                        }
                        Ok(_) => {}
                    }
                    *line += 1;
                    let position = Position::Line(*line);
                    let bytes = &data[start..];
                    if bytes.len() > MAX_USER_BYTES && bytes.last() != Some(&b'\n') {
                        // Skip the rest of the over-long line.
                        data.truncate(start);
                        let mut rest = Vec::new();
                        let _ = skip_line(reader, &mut rest);
                        return Some(RawUser::Ready(Box::new(Err(InputError {
                            position: Some(position),
                            message: format!("the line is longer than {} MB", MAX_USER_BYTES >> 20),
                            fatal: false,
                        }))));
                    }
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        data.truncate(start);
                        continue;
                    }
                    return Some(RawUser::Bytes {
                        position,
                        line: *line,
                        range: start..data.len(),
                    });
                }
                State::Json(scanner) => match scanner.next_value() {
                    None => {
                        self.state = State::Done;
                    }
                    Some(Err(e)) => {
                        if e.fatal {
                            self.state = State::Done;
                        }
                        return Some(RawUser::Ready(Box::new(Err(e))));
                    }
                    Some(Ok((position, bytes))) => {
                        let start = data.len();
                        data.extend_from_slice(bytes);
                        return Some(RawUser::Bytes {
                            position,
                            line: 0,
                            range: start..data.len(),
                        });
                    }
                },
            }
        }
    }

    /// A parser for the bytes [`UserReader::next_raw`] gives, keeping the same attributes as
    /// this reader.
    pub fn parser(&self) -> Parser {
        Parser {
            pool: Pool {
                wanted: self.pool.wanted.clone(),
                ..Pool::default()
            },
            pending: VecDeque::new(),
        }
    }
}

impl Iterator for UserReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        let mut data = std::mem::take(&mut self.scratch);
        data.clear();
        let item = match self.next_raw(&mut data)? {
            RawUser::Ready(item) => *item,
            RawUser::Bytes {
                position,
                line,
                range,
            } => {
                let parsed = parse_user(&data[range], &mut self.pool);
                expand(parsed, position, line, &mut self.pending)
            }
        };
        if data.capacity() <= 1 << 20 {
            self.scratch = data;
        }
        Some(item)
    }
}

/// Parses users from the bytes [`UserReader::next_raw`] gave (on any thread), recycling their
/// memory like the reader does.
#[derive(Debug)]
pub struct Parser {
    pool: Pool,
    pending: VecDeque<Item>,
}

impl Parser {
    /// Parses one user; for a Graph page given as one line, its first user (take the others
    /// with [`Parser::next`] before parsing more).
    pub fn parse(&mut self, bytes: &[u8], position: Position, line: u64) -> Item {
        let parsed = parse_user(bytes, &mut self.pool);
        debug_assert!(self.pending.is_empty());
        expand(parsed, position, line, &mut self.pending)
    }

    /// The next user of a Graph page given as one line.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Item> {
        self.pending.pop_front()
    }

    /// Gives a user's memory back, to be reused for the next users.
    pub fn recycle(&mut self, user: UserRecord) {
        self.pool.recycle(user);
    }
}

fn skip_line(reader: &mut Box<dyn BufRead + Send>, scratch: &mut Vec<u8>) -> io::Result<()> {
    loop {
        scratch.clear();
        let n = reader.by_ref().take(1 << 20).read_until(b'\n', scratch)?;
        if n == 0 || scratch.last() == Some(&b'\n') {
            return Ok(());
        }
    }
}

/// A parsed user, or the first user of a Graph page given as one line (the others are queued
/// in `rest`, which must be empty), or why it could not be read.
fn expand(
    parsed: Result<UserRecord, String>,
    position: Position,
    line: u64,
    rest: &mut VecDeque<Item>,
) -> Item {
    match parsed {
        Err(message) => Err(InputError {
            position: Some(position),
            message,
            fatal: false,
        }),
        Ok(mut rec) => match rec.page.take() {
            None => Ok((position, rec)),
            Some(users) => {
                for (i, u) in users.into_iter().enumerate() {
                    let position = Position::LineElement {
                        line,
                        index: i as u64 + 1,
                    };
                    rest.push_back(match u {
                        Ok(u) => Ok((position, u)),
                        Err(message) => Err(InputError {
                            position: Some(position),
                            message,
                            fatal: false,
                        }),
                    });
                }
                rest.pop_front().unwrap_or_else(|| {
                    Err(InputError {
                        position: Some(position),
                        message: "a Graph response with no users".into(),
                        fatal: false,
                    })
                })
            }
        },
    }
}

/// Parses one user: the bytes are checked as UTF-8 once, then read as a `str` (which spares
/// serde_json a UTF-8 check per string).
fn parse_user(bytes: &[u8], pool: &mut Pool) -> Result<UserRecord, String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let mut de = serde_json::Deserializer::from_str(text);
            let rec = RecordSeed(pool)
                .deserialize(&mut de)
                .map_err(|e| json_message(&e))?;
            de.end().map_err(|e| json_message(&e))?;
            Ok(rec)
        }
        Err(e) => Err(format!(
            "not valid UTF-8 (first bad byte at offset {})",
            e.valid_up_to()
        )),
    }
}

/// A serde_json error without its line/column (positions are reported by the reader).
fn json_message(e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "the JSON ends before the user does (a missing `}`, `]` or `\"`)".into();
    }
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &text[..i], e.column()),
        None => text,
    }
}

// ------------------------------------------------------------------------------------ scanner

/// Where the scanner is inside the top-level JSON document.
enum Frame {
    /// Inside an array of users; `in_object` when it is the `value` of a Graph response.
    Array { in_object: bool },
    /// Inside a top-level object: keys other than `value` are kept (raw) in case the object is a
    /// single user rather than a Graph response.
    Object {
        pairs: Vec<(Vec<u8>, Vec<u8>)>,
        streamed: bool,
    },
}

/// Splits a JSON document into the raw bytes of its users without parsing them, so that one
/// user at a time is held in memory.
struct Scanner {
    reader: Box<dyn BufRead + Send>,
    /// Bytes consumed so far.
    offset: u64,
    stack: Vec<Frame>,
    index: u64,
    buf: Vec<u8>,
    finished: bool,
}

/// How a captured value ended.
enum Captured {
    Complete,
    /// The value was larger than [`MAX_USER_BYTES`]; it was skipped.
    TooLarge,
    /// The input ended inside the value.
    Eof,
}

impl Scanner {
    fn new(reader: Box<dyn BufRead + Send>, offset: u64) -> Scanner {
        Scanner {
            reader,
            offset,
            stack: Vec::new(),
            index: 0,
            buf: Vec::with_capacity(4096),
            finished: false,
        }
    }

    fn bump(&mut self) {
        self.reader.consume(1);
        self.offset += 1;
    }

    /// The next non-white-space byte, not consumed.
    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if n < buf.len() {
                let b = buf[n];
                self.reader.consume(n);
                self.offset += n as u64;
                return Ok(Some(b));
            }
            let len = buf.len();
            self.reader.consume(len);
            self.offset += len as u64;
        }
    }

    /// Copies one whole JSON value (starting at the next byte) into `self.buf`.
    fn capture(&mut self) -> io::Result<Captured> {
        self.buf.clear();
        let mut depth = 0usize;
        let mut in_str = false;
        let mut esc = false;
        let mut scalar = false;
        let mut first = true;
        let mut too_large = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(if scalar && !self.buf.is_empty() {
                    Captured::Complete
                } else {
                    Captured::Eof
                });
            }
            let mut end = None;
            for (i, &b) in chunk.iter().enumerate() {
                if first {
                    first = false;
                    match b {
                        b'{' | b'[' => depth = 1,
                        b'"' => in_str = true,
                        _ => scalar = true,
                    }
                    continue;
                }
                if in_str {
                    if esc {
                        esc = false;
                    } else if b == b'\\' {
                        esc = true;
                    } else if b == b'"' {
                        in_str = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    continue;
                }
                if scalar {
                    if matches!(b, b',' | b']' | b'}') || b.is_ascii_whitespace() {
                        end = Some(i);
                        break;
                    }
                    continue;
                }
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let n = end.unwrap_or(chunk.len());
            if !too_large {
                if self.buf.len() + n > MAX_USER_BYTES {
                    too_large = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..n]);
                }
            }
            self.reader.consume(n);
            self.offset += n as u64;
            if end.is_some() {
                return Ok(if too_large {
                    Captured::TooLarge
                } else {
                    Captured::Complete
                });
            }
        }
    }

    fn fatal(&mut self, message: String) -> Option<Result<(Position, &[u8]), InputError>> {
        self.finished = true;
        Some(Err(InputError {
            position: None,
            message,
            fatal: true,
        }))
    }

    /// The raw bytes of the next user.
    fn next_value(&mut self) -> Option<Result<(Position, &[u8]), InputError>> {
        loop {
            if self.finished {
                return None;
            }
            let peeked = match self.peek() {
                Ok(p) => p,
                Err(e) => {
                    self.finished = true;
                    return Some(Err(io_error(e)));
                }
            };
            match self.stack.last_mut() {
                None => {
                    self.finished = true;
                    return match peeked {
                        None => None,
                        Some(_) => {
                            let at = self.offset;
                            self.fatal(format!("unexpected content after the users at byte {at}"))
                        }
                    };
                }
                Some(Frame::Array { in_object }) => match peeked {
                    None => {
                        return self
                            .fatal("the input ends inside the users array (a missing `]`)".into());
                    }
                    Some(b']') => {
                        let _ = in_object;
                        self.bump();
                        self.stack.pop();
                    }
                    Some(b',') => self.bump(),
                    Some(_) => {
                        let offset = self.offset;
                        self.index += 1;
                        let position = Position::Element {
                            index: self.index,
                            offset,
                        };
                        return match self.capture() {
                            Err(e) => {
                                self.finished = true;
                                Some(Err(io_error(e)))
                            }
                            Ok(Captured::Eof) => self.fatal(format!(
                                "the input ends inside {position} (unbalanced brackets or quotes)"
                            )),
                            Ok(Captured::TooLarge) => Some(Err(InputError {
                                position: Some(position),
                                message: format!(
                                    "the user is larger than {} MB",
                                    MAX_USER_BYTES >> 20
                                ),
                                fatal: false,
                            })),
                            Ok(Captured::Complete) => Some(Ok((position, &self.buf[..]))),
                        };
                    }
                },
                Some(Frame::Object { .. }) => match peeked {
                    None => {
                        return self
                            .fatal("the input ends inside the JSON object (a missing `}`)".into());
                    }
                    Some(b',') => self.bump(),
                    Some(b'}') => {
                        self.bump();
                        let Some(Frame::Object { pairs, streamed }) = self.stack.pop() else {
                            unreachable!()
                        };
                        if !streamed {
                            // A single user object: reassemble it from its pairs.
                            self.buf.clear();
                            self.buf.push(b'{');
                            for (i, (k, v)) in pairs.iter().enumerate() {
                                if i > 0 {
                                    self.buf.push(b',');
                                }
                                self.buf.extend_from_slice(k);
                                self.buf.push(b':');
                                self.buf.extend_from_slice(v);
                            }
                            self.buf.push(b'}');
                            return Some(Ok((Position::Document, &self.buf[..])));
                        }
                    }
                    Some(b'"') => {
                        let key = match self.capture() {
                            Ok(Captured::Complete) => self.buf.clone(),
                            Ok(_) => return self.fatal("the input ends inside a key".into()),
                            Err(e) => {
                                self.finished = true;
                                return Some(Err(io_error(e)));
                            }
                        };
                        match self.peek() {
                            Ok(Some(b':')) => self.bump(),
                            _ => {
                                let at = self.offset;
                                return self.fatal(format!("expected `:` at byte {at}"));
                            }
                        }
                        let next = match self.peek() {
                            Ok(n) => n,
                            Err(e) => {
                                self.finished = true;
                                return Some(Err(io_error(e)));
                            }
                        };
                        if key == b"\"value\"" && next == Some(b'[') {
                            self.bump();
                            if let Some(Frame::Object { streamed, pairs }) = self.stack.last_mut() {
                                *streamed = true;
                                pairs.clear();
                            }
                            self.stack.push(Frame::Array { in_object: true });
                            continue;
                        }
                        match self.capture() {
                            Ok(Captured::Complete) => {
                                let value = self.buf.clone();
                                if let Some(Frame::Object { pairs, streamed }) =
                                    self.stack.last_mut()
                                    && !*streamed
                                {
                                    pairs.push((key, value));
                                }
                            }
                            Ok(Captured::TooLarge) => {}
                            Ok(Captured::Eof) => {
                                return self.fatal("the input ends inside a value".into());
                            }
                            Err(e) => {
                                self.finished = true;
                                return Some(Err(io_error(e)));
                            }
                        }
                    }
                    Some(other) => {
                        let at = self.offset;
                        return self.fatal(format!(
                            "unexpected {:?} at byte {at}; expected a key",
                            other as char
                        ));
                    }
                },
            }
        }
    }
}

// ------------------------------------------------------------------------------------ generator

/// A small deterministic generator (xorshift64*), so benches and tests need no extra crate.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const GIVEN: &[&str] = &[
    "Megan",
    "Adele",
    "Alex",
    "Lee",
    "Isaiah",
    "Diego",
    "Zoë",
    "Nestor",
    "Pradeep",
    "Johanna",
    "Grady",
    "Henrietta",
    "Irvin",
    "Lidia",
    "Lynne",
    "Miriam",
    "Patti",
    "José",
    "Łukasz",
    "太郎",
];
const SURNAMES: &[&str] = &[
    "Bowen",
    "Vance",
    "Wilber",
    "Gu",
    "Langer",
    "Siciliani",
    "Müller",
    "Wilke",
    "Gupta",
    "Lorentz",
    "Archie",
    "Cannon",
    "Sink",
    "Holloway",
    "Gibbs",
    "Hunter",
    "Fernandez",
    "Nowak",
    "山田",
    "O'Brien",
];
const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Marketing",
    "Engineering",
    "Finance",
    "Legal",
    "HR",
];
const TITLES: &[&str] = &[
    "Sales Manager",
    "Account Executive",
    "Developer",
    "Designer",
    "Accountant",
    "Paralegal",
];
const CITIES: &[(&str, &str, &str, &str)] = &[
    ("Redmond", "WA", "98052", "United States"),
    ("München", "BY", "80331", "Germany"),
    ("Tokyo", "Tokyo", "100-0005", "Japan"),
    ("Paris", "IDF", "75008", "France"),
];

fn guid(rng: &mut Rng) -> String {
    let a = rng.next();
    let b = rng.next();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// Writes `n` Graph-shaped users as JSON Lines, deterministically from `seed`: about 3%
/// disabled, 2% unassigned, 5% without `mail`, non-ASCII names, managers, proxy addresses.
pub fn generate(n: usize, seed: u64, out: &mut dyn Write) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut manager = String::new();
    for i in 0..n {
        let id = guid(&mut rng);
        let given = rng.pick(GIVEN);
        let surname = rng.pick(SURNAMES);
        let nick = format!("user{i}");
        let upn = format!("{nick}@contoso.com");
        let enabled = rng.below(100) >= 3;
        let assigned = rng.below(100) >= 2;
        let mail = if rng.below(100) < 5 {
            "null".to_string()
        } else {
            serde_json::to_string(&upn).unwrap_or_default()
        };
        let (city, state, postal, country) = CITIES[rng.below(CITIES.len() as u64) as usize];
        let manager_json = if manager.is_empty() {
            "null".to_string()
        } else {
            format!("\"{manager}\"")
        };
        let display = serde_json::to_string(&format!("{given} {surname}")).unwrap_or_default();
        let surname_json = serde_json::to_string(surname).unwrap_or_default();
        write!(
            out,
            concat!(
                "{{\"id\":\"{id}\",\"accountEnabled\":{enabled},\"displayName\":{display},",
                "\"givenName\":\"{given}\",\"surname\":{surname},\"userPrincipalName\":\"{upn}\",",
                "\"mail\":{mail},\"mailNickname\":\"{nick}\",\"jobTitle\":\"{title}\",",
                "\"department\":\"{dept}\",\"companyName\":\"Contoso Ltd.\",",
                "\"employeeId\":\"{emp}\",\"userType\":\"Member\",\"preferredLanguage\":\"en-US\",",
                "\"officeLocation\":\"{office}\",\"streetAddress\":\"{street} Contoso Way\",",
                "\"city\":\"{city}\",\"state\":\"{state}\",\"postalCode\":\"{postal}\",",
                "\"country\":\"{country}\",\"businessPhones\":[\"+1 425 555 {phone:04}\"],",
                "\"mobilePhone\":null,\"proxyAddresses\":[\"SMTP:{upn}\"],\"manager\":{manager}{assigned}}}\n"
            ),
            id = id,
            enabled = enabled,
            display = display,
            given = given,
            surname = surname_json,
            upn = upn,
            mail = mail,
            nick = nick,
            title = rng.pick(TITLES),
            dept = rng.pick(DEPARTMENTS),
            emp = 100_000 + i,
            office = format!("{}/{}", rng.below(40), rng.below(3000)),
            street = rng.below(9000) + 100,
            city = city,
            state = state,
            postal = postal,
            country = country,
            phone = rng.below(10_000),
            manager = manager_json,
            assigned = if assigned { "" } else { ",\"assigned\":false" },
        )?;
        if i % 10 == 0 {
            manager = id;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Result<(Position, UserRecord), InputError>> {
        UserReader::from_text(text).collect()
    }

    #[test]
    fn graph_names_are_translated() {
        let users = read(
            r#"{"id":"1","businessPhones":["+1 2","+1 3"],"mobilePhone":"m","officeLocation":"o","faxNumber":null,"manager":{"id":"9"},"onPremisesExtensionAttributes":{"extensionAttribute1":"x","extensionAttribute2":null},"assigned":false,"accountEnabled":true}"#,
        );
        let (_, u) = users[0].clone().unwrap();
        assert_eq!(u.value("objectId"), Some(&Value::Str("1".into())));
        assert_eq!(u.value("telephoneNumber"), Some(&Value::Str("+1 2".into())));
        assert_eq!(u.value("mobile"), Some(&Value::Str("m".into())));
        assert_eq!(
            u.value("physicalDeliveryOfficeName"),
            Some(&Value::Str("o".into()))
        );
        assert_eq!(u.value("facsimileTelephoneNumber"), None);
        assert_eq!(u.value("manager"), Some(&Value::Str("9".into())));
        assert_eq!(
            u.value("extensionAttribute1"),
            Some(&Value::Str("x".into()))
        );
        assert_eq!(u.assigned, Some(false));
        assert_eq!(u.account_enabled, Some(true));
    }

    #[test]
    fn formats_are_detected() {
        let jsonl = "{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n";
        let array = "[{\"id\":\"a\"},\n {\"id\":\"b\"}]";
        let graph = "{\n \"@odata.context\": \"x\",\n \"value\": [{\"id\":\"a\"}, {\"id\":\"b\"}],\n \"@odata.nextLink\": \"y\"\n}";
        let graph_line = "{\"value\": [{\"id\":\"a\"}, {\"id\":\"b\"}]}";
        let yaml = "- id: a\n  displayName: Y\n  employeeId: 007\n- id: b\n";
        for text in [jsonl, array, graph, graph_line, yaml] {
            let ids: Vec<String> = read(text)
                .into_iter()
                .map(|r| r.unwrap().1.id().unwrap().into_owned())
                .collect();
            assert_eq!(ids, ["a", "b"], "{text}");
        }
        let single = "{\n \"id\": \"a\",\n \"mail\": \"a@x\"\n}";
        let users = read(single);
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].as_ref().unwrap().0, Position::Document);
    }

    #[test]
    fn yaml_keeps_text_that_yaml_1_1_would_read_as_booleans_or_octal() {
        let users = read(
            "- id: a\n  displayName: Y\n  country: NO\n  employeeId: 007\n  accountEnabled: true\n",
        );
        let (_, u) = users[0].clone().unwrap();
        assert_eq!(u.value("displayName"), Some(&Value::Str("Y".into())));
        assert_eq!(u.value("country"), Some(&Value::Str("NO".into())));
        assert_eq!(u.value("employeeId"), Some(&Value::Str("007".into())));
        assert_eq!(u.account_enabled, Some(true));
    }

    #[test]
    fn broken_elements_are_reported_and_skipped() {
        let users = read("[{\"id\":\"a\"}, {\"id\": }, 3, {\"id\":\"c\"}]");
        assert_eq!(users.len(), 4);
        assert!(users[0].is_ok());
        let e = users[1].as_ref().unwrap_err();
        assert_eq!(
            e.position,
            Some(Position::Element {
                index: 2,
                offset: 13
            })
        );
        assert!(!e.fatal);
        assert!(users[2].is_err());
        assert!(users[3].is_ok());
        let users = read("[{\"id\":\"a\"}, {\"id\": \"b]");
        assert!(users.last().unwrap().as_ref().unwrap_err().fatal);
    }

    #[test]
    fn generated_users_read_back() {
        let mut out = Vec::new();
        generate(50, 7, &mut out).unwrap();
        let users = UserReader::new(io::Cursor::new(out));
        let users: Vec<_> = users.collect();
        assert_eq!(users.len(), 50);
        assert!(users.iter().all(Result::is_ok));
    }
}
