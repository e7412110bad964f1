//! The user record: attribute names and values of one user, in a pool reused between users.

use crate::eval::{Attributes, Value};
use std::borrow::Cow;

// ------------------------------------------------------------------------------------ record

/// One source user: its attributes under their provisioning names, and the flags that decide
/// whether it is soft-deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    /// Every attribute name, one after the other (so that reading a user does not allocate
    /// its keys).
    pub(super) names: String,
    /// Each attribute: where its name lies in `names`, and its value.
    pub(super) attrs: Vec<Attr>,
    /// Attributes by the top bits of their name hash ([`slot_of`]): 0 none (so the attribute is
    /// absent), `i + 1` attribute `i` alone, [`SHARED`] several (search them all).
    pub(super) slots: [u8; SLOTS],
    /// `accountEnabled`, when given.
    pub account_enabled: Option<bool>,
    /// `assigned`, when given (absent = assigned).
    pub assigned: Option<bool>,
    /// `deletedDateTime` is set, or the input says `IsSoftDeleted: true`.
    pub deleted: bool,
    /// A Graph page given as one JSON line (`{"value": [...]}`): its users. Boxed (8 bytes
    /// rather than 24, or 16 as a boxed slice), like the slots kept to 32, so that a record
    /// stays small: it is moved several times per user, and an item of the reader (position
    /// and record, 120 bytes) is copied inline where 168 bytes took a call to memcpy.
    #[allow(clippy::box_collection)]
    pub(super) page: Option<Box<Vec<Result<UserRecord, String>>>>,
}

impl Default for UserRecord {
    fn default() -> Self {
        UserRecord {
            names: String::new(),
            attrs: Vec::new(),
            slots: [0; SLOTS],
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
            self.slots = [0; SLOTS];
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
    #[inline]
    pub(super) fn push(&mut self, name: &str, hash: u64, value: Value) {
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
    #[inline]
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
pub(super) const POOL_MAX: usize = 1024;

/// Strings and attribute lists recycled from earlier users, so that reading a user reuses their
/// memory instead of allocating.
#[derive(Debug, Default)]
pub struct Pool {
    pub(super) strings: Vec<String>,
    pub(super) attrs: Vec<(String, Vec<Attr>)>,
    /// When set, only these attributes are kept (a bit set over their name hashes; a name
    /// that shares a bit is kept needlessly, never lost); the others are skipped while reading.
    pub(super) wanted: Option<Box<[u64; 64]>>,
    /// The fast path's decision for the key at each position of the last users read (users of
    /// one file list their keys in the same order), so that a key seen before is compared, not
    /// hashed and looked up again.
    pub(super) keys: Vec<(Box<str>, Known)>,
}

/// What the fast path does with an attribute, by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Known {
    /// Not read by the plan (or an annotation such as `@odata.type`): skipped.
    Skip,
    /// Read, under the provisioning name with this [`name_hash`].
    Keep(u64),
    /// A key with a meaning of its own (`value`, `deletedDateTime`, the soft-delete flags).
    Special,
}

/// One attribute of a record.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Attr {
    pub(super) start: u32,
    pub(super) end: u32,
    /// [`name_hash`] of the name.
    pub(super) hash: u64,
    pub(super) value: Value,
}

/// A slot shared by several attributes.
pub(super) const SHARED: u8 = u8::MAX;

/// How many slots a record has (a power of two): one per value of the name hash's top bits.
pub(super) const SLOTS: usize = 32;
const _: () = assert!(SLOTS.is_power_of_two() && SLOTS > 1);

#[inline]
pub(super) fn slot_of(hash: u64) -> usize {
    (hash >> (u64::BITS - SLOTS.ilog2())) as usize
}

/// A hash of a name that ignores ASCII case (names that differ only in case hash equal; a few
/// other names may too, which lookups verify), eight bytes at a time.
#[inline]
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
        let mut w = 0u64;
        for (i, &b) in chunk.iter().enumerate() {
            w |= u64::from(b) << (8 * i);
        }
        mix(w);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last bytes, zero-padded (shifts rather than a copy into an array: the copy was a
        // call to memcpy for every name).
        let mut w = 0u64;
        for (i, &b) in rest.iter().enumerate() {
            w |= u64::from(b) << (8 * i);
        }
        mix(w);
    }
    h.wrapping_mul(K)
}

impl Pool {
    /// Keeps only these attributes (and `accountEnabled`) of the users read with this pool.
    pub(super) fn want<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        let mut bits = Box::new([0u64; 64]);
        for name in names.into_iter().chain(["accountEnabled"]) {
            let bit = (name_hash(name) >> 52) as usize;
            bits[bit >> 6] |= 1 << (bit & 63);
        }
        self.wanted = Some(bits);
        self.keys.clear();
    }

    /// Whether an attribute (by its [`name_hash`]) is to be kept.
    #[inline]
    pub(super) fn wants(&self, hash: u64) -> bool {
        match &self.wanted {
            None => true,
            Some(bits) => {
                let bit = (hash >> 52) as usize;
                bits[bit >> 6] & (1 << (bit & 63)) != 0
            }
        }
    }

    #[inline]
    pub(super) fn string(&mut self, s: &str) -> String {
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

    #[inline]
    pub(super) fn attrs(&mut self) -> (String, Vec<Attr>) {
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
#[inline]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookup by slot gives what a search of every attribute gives (the last exact name,
    /// else the last name equal but for ASCII case), with enough attributes that slots are
    /// shared and attributes pushed again after `set` moved them.
    #[test]
    fn slot_lookup_is_the_plain_search() {
        let plain = |rec: &UserRecord, name: &str| -> Option<Value> {
            let all: Vec<(&str, &Value)> = rec.attributes().collect();
            let last = |f: &dyn Fn(&str) -> bool| all.iter().rev().find(|(k, _)| f(k));
            last(&|k| k == name)
                .or_else(|| last(&|k| k.eq_ignore_ascii_case(name)))
                .map(|(_, v)| (*v).clone())
        };
        let mut rec = UserRecord::new();
        let mut names: Vec<String> = (0..3 * SLOTS).map(|i| format!("attr{i}")).collect();
        names.extend(["mail", "MAIL", "Mail", "displayName", "displayname"].map(String::from));
        for (i, n) in names.iter().enumerate() {
            rec.push(n, name_hash(n), Value::Str(format!("v{i}")));
        }
        rec.set("attr7", Value::Str("again".into()));
        rec.set("attr8", Value::Null);
        let shared = rec.slots.iter().filter(|&&s| s == SHARED).count();
        assert!(shared > SLOTS / 2, "{shared} shared slots");
        let probes = names.iter().map(String::as_str).chain([
            "ATTR3",
            "attr8",
            "absent",
            "mAiL",
            "DISPLAYNAME",
            "",
        ]);
        for name in probes {
            assert_eq!(rec.value(name).cloned(), plain(&rec, name), "{name}");
        }
        assert_eq!(rec.value("attr7"), Some(&Value::Str("again".into())));
        assert_eq!(rec.value("attr8"), None);

        // Few attributes: most have a slot of their own.
        let mut few = UserRecord::new();
        for n in [
            "objectId",
            "userPrincipalName",
            "accountEnabled",
            "mailNickname",
        ] {
            few.push(n, name_hash(n), Value::Str(n.to_lowercase()));
        }
        for name in [
            "objectid",
            "USERPRINCIPALNAME",
            "mailNickname",
            "mail",
            "displayName",
        ] {
            assert_eq!(few.value(name).cloned(), plain(&few, name), "{name}");
        }
    }

    /// What the layout choices above are for: the values keep their size with an eight-byte
    /// tag, and an item of the reader stays within what is copied without a call to memcpy
    /// (the figures are a 64-bit target's).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn sizes() {
        use crate::wire::Wire;
        assert_eq!(size_of::<Value>(), 32);
        assert_eq!(size_of::<Option<Value>>(), 32);
        assert_eq!(size_of::<Wire<'_>>(), 32);
        assert_eq!(size_of::<Option<Wire<'_>>>(), 32);
        assert!(size_of::<super::super::Item>() <= 128);
    }
}
