//! The fast path for the common user: one JSON object whose kept attributes are text, booleans,
//! null or lists of text, with no escape sequence in any string. It is read by hand, byte by
//! byte, and the attributes the plan does not read are skipped (still checked to be valid JSON)
//! without being decoded. Anything else — an escape, a number or object where an attribute is
//! kept, a Graph page, an error of any kind — makes it give up, and the user is read again by
//! the serde path ([`super::decode`]), which gives the same record (the unit tests below
//! compare the two) and the error messages.
//!
//! It reads bytes, not a checked `str`: outside strings it accepts ASCII only, and a string is
//! checked as UTF-8 only when it is kept (it becomes text) or holds a byte above ASCII, which
//! the scan for its end notices on the way. So a user it accepts is valid UTF-8, as serde's
//! path requires of the whole line, without a pass over the line for it.

use super::record::{Known, Pool, UserRecord, name_hash, provisioning_name};
use crate::eval::Value;
use crate::eval::value::{bool_text, is_boolean_attribute, parse_bool};

/// Containers nested deeper than this (inside a skipped value) are left to the serde path,
/// which has its own limit and message.
pub(super) const MAX_FAST_DEPTH: usize = 64;

/// Reads one user, or `None` when the serde path must (the memory taken from the pool is given
/// back).
pub(super) fn decode(text: &[u8], pool: &mut Pool) -> Option<UserRecord> {
    let (names, attrs) = pool.attrs();
    let mut rec = UserRecord {
        names,
        attrs,
        ..UserRecord::default()
    };
    let mut cur = Cursor { text, at: 0 };
    // The remembered keys, apart from the pool for the time of the user: a key is read from
    // them while values are taken from the pool.
    let mut keys = std::mem::take(&mut pool.keys);
    let filled = fill(&mut cur, &mut rec, pool, &mut keys);
    pool.keys = keys;
    match filled {
        Some(()) => Some(rec),
        None => {
            pool.recycle(rec);
            None
        }
    }
}

struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

/// A value that the fast path reads (rather than skips), as it starts.
enum Start {
    Null,
    Bool(bool),
    Str,
    List,
    /// A number or an object: the serde path reads it.
    Other,
}

impl<'a> Cursor<'a> {
    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.text
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// Skips JSON white space.
    #[inline]
    fn ws(&mut self) {
        let b = self.bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(self.at) {
            self.at += 1;
        }
    }

    /// Skips white space, then expects `c`.
    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.at += 1)
    }

    #[inline]
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes().get(self.at..end)? == word).then(|| self.at = end)
    }

    /// A string with no escape and no control character (the cursor is on its `"`), as
    /// bytes that are valid UTF-8 when `above_ascii` is false, and whether any is above ASCII.
    #[inline(always)]
    fn raw_string(&mut self) -> Option<(&'a [u8], bool)> {
        let start = self.at + 1;
        let (end, above_ascii) = special(self.bytes(), start);
        if self.bytes().get(end) != Some(&b'"') {
            return None;
        }
        self.at = end + 1;
        Some((&self.text[start..end], above_ascii))
    }

    /// A string skipped: checked as UTF-8 only when a byte is above ASCII.
    #[inline(always)]
    fn skip_string(&mut self) -> Option<()> {
        let (s, above_ascii) = self.raw_string()?;
        if above_ascii {
            std::str::from_utf8(s).ok()?;
        }
        Some(())
    }

    /// A string read as text.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.raw_string()?.0).ok()
    }

    /// Checks and skips any JSON value.
    fn skip(&mut self, depth: usize) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.skip_string(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' if depth < MAX_FAST_DEPTH => {
                self.at += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'{' if depth < MAX_FAST_DEPTH => {
                self.at += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    self.skip_string()?;
                    self.eat(b':')?;
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b'}' => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    /// A JSON number: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?
    fn number(&mut self) -> Option<()> {
        let b = self.bytes();
        let digits = |at: &mut usize| {
            let start = *at;
            while b.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at > start
        };
        let mut at = self.at;
        if b.get(at) == Some(&b'-') {
            at += 1;
        }
        match b.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => {
                digits(&mut at);
            }
            _ => return None,
        }
        if b.get(at) == Some(&b'.') {
            at += 1;
            if !digits(&mut at) {
                return None;
            }
        }
        if let Some(b'e' | b'E') = b.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = b.get(at) {
                at += 1;
            }
            if !digits(&mut at) {
                return None;
            }
        }
        self.at = at;
        Some(())
    }

    /// Skips white space and tells what value starts here; consumes null and booleans.
    #[inline]
    fn start(&mut self) -> Option<Start> {
        self.ws();
        Some(match self.peek()? {
            b'"' => Start::Str,
            b'[' => Start::List,
            b'n' => {
                self.literal(b"null")?;
                Start::Null
            }
            b't' => {
                self.literal(b"true")?;
                Start::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                Start::Bool(false)
            }
            _ => Start::Other,
        })
    }

    /// A list of text, booleans and nulls, as the serde path reads it (nulls dropped, booleans
    /// as `True`/`False`); `None` for anything else in it.
    fn list(&mut self, pool: &mut Pool) -> Option<Vec<String>> {
        self.at += 1;
        let mut values = Vec::with_capacity(2);
        self.ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(values);
        }
        loop {
            match self.start()? {
                Start::Null => {}
                Start::Bool(b) => values.push(bool_text(b).to_string()),
                Start::Str => values.push(pool.string(self.string()?)),
                Start::List | Start::Other => return None,
            }
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(values);
                }
                _ => return None,
            }
        }
    }
}

/// The first byte at or after `from` that is `"`, `\` or a control character (or the length),
/// eight bytes at a time; and whether any byte before it is above ASCII.
#[inline(always)]
fn special(b: &[u8], from: usize) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = from;
    // The bytes passed over, or-ed: a high bit set says one was above ASCII.
    let mut seen = 0u64;
    while let Some(chunk) = b.get(at..at + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        let quote = w ^ (ONES * u64::from(b'"'));
        let slash = w ^ (ONES * u64::from(b'\\'));
        // A byte's high bit is set in each term when the byte is zero (below 0x20); the lowest
        // flagged byte is exact.
        let found = (quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (w.wrapping_sub(ONES * 0x20) & !w);
        let found = found & HIGH;
        if found != 0 {
            let index = found.trailing_zeros() / 8;
            // Only the bytes before the one found count.
            seen |= w & ((1u64 << (index * 8)) - 1);
            return (at + index as usize, seen & HIGH != 0);
        }
        seen |= w;
        at += 8;
    }
    let mut above = seen & HIGH != 0;
    while let Some(&c) = b.get(at) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        above |= c >= 0x80;
        at += 1;
    }
    (at, above)
}

/// Whether two keys are equal: a key is short, so compared as at most two overlapping words
/// (rather than by a call to memcmp).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    match a.len() {
        0..8 => a.iter().zip(b).all(|(x, y)| x == y),
        n @ 8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

fn fill(
    cur: &mut Cursor<'_>,
    rec: &mut UserRecord,
    pool: &mut Pool,
    keys: &mut Vec<(Box<str>, Known)>,
) -> Option<()> {
    cur.eat(b'{')?;
    cur.ws();
    if cur.peek()? == b'}' {
        cur.at += 1;
    } else {
        for index in 0.. {
            cur.ws();
            if cur.peek()? != b'"' {
                return None;
            }
            let (raw, _) = cur.raw_string()?;
            cur.eat(b':')?;
            // A key equal to the one remembered at this position is read as that one (no UTF-8
            // check); any other is checked, classified and remembered.
            let hit = matches!(keys.get(index), Some((k, _)) if same(k.as_bytes(), raw));
            let (key, known): (&str, Known) = if hit {
                (&keys[index].0, keys[index].1)
            } else {
                let key = std::str::from_utf8(raw).ok()?;
                let known = classify(key, pool);
                if index < MAX_KNOWN_KEYS {
                    keys.truncate(index);
                    keys.push((key.into(), known));
                }
                (key, known)
            };
            attribute(cur, key, known, rec, pool)?;
            cur.ws();
            match cur.peek()? {
                b',' => cur.at += 1,
                b'}' => {
                    cur.at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    cur.ws();
    (cur.at == cur.text.len()).then_some(())
}

/// How many keys of a user the fast path remembers (by position).
pub(super) const MAX_KNOWN_KEYS: usize = 256;

/// What to do with an attribute, by its key.
fn classify(key: &str, pool: &Pool) -> Known {
    if key.starts_with('@') {
        return Known::Skip;
    }
    if matches!(
        key,
        "value" | "deletedDateTime" | "IsSoftDeleted" | "isSoftDeleted" | "assigned"
    ) {
        return Known::Special;
    }
    let hash = name_hash(provisioning_name(key));
    if !pool.wants(hash) && !matches!(key, "onPremisesExtensionAttributes" | "employeeOrgData") {
        return Known::Skip;
    }
    Known::Keep(hash)
}

/// Reads (or skips) one attribute's value, as the serde path does.
#[inline]
fn attribute(
    cur: &mut Cursor<'_>,
    key: &str,
    known: Known,
    rec: &mut UserRecord,
    pool: &mut Pool,
) -> Option<()> {
    let hash = match known {
        Known::Skip => return cur.skip(0),
        Known::Keep(hash) => hash,
        Known::Special => 0,
    };
    match key {
        // A Graph page: the serde path splits it into users.
        "value" => return None,
        "deletedDateTime" => {
            cur.ws();
            match cur.peek()? {
                // serde reads a list's elements as text (and refuses a list in a list).
                b'[' => return None,
                b'n' => cur.literal(b"null")?,
                b'"' => {
                    cur.skip(0)?;
                    rec.deleted = true;
                }
                // A number, boolean or object: serde decides (it refuses `1e400`, for one).
                _ => return None,
            }
            return Some(());
        }
        "IsSoftDeleted" | "isSoftDeleted" | "assigned" => {
            let flag = match cur.start()? {
                Start::Null => None,
                Start::Bool(b) => Some(b),
                _ => return None,
            };
            if let Some(b) = flag {
                if key == "assigned" {
                    rec.assigned = Some(b);
                } else {
                    rec.deleted |= b;
                }
            }
            return Some(());
        }
        _ => {}
    }
    let name = provisioning_name(key);
    let value = match cur.start()? {
        Start::Null => return Some(()),
        Start::Bool(b) => Value::Bool(b),
        Start::Str => {
            let s = cur.string()?;
            if is_boolean_attribute(name)
                && let Ok(b) = parse_bool(s)
            {
                Value::Bool(b)
            } else {
                Value::Str(pool.string(s))
            }
        }
        Start::List => {
            let mut list = cur.list(pool)?;
            if key == "businessPhones" {
                if list.is_empty() {
                    return Some(());
                }
                Value::Str(list.swap_remove(0))
            } else {
                Value::Multi(list)
            }
        }
        Start::Other => return None,
    };
    if name == "accountEnabled" {
        rec.account_enabled = value.to_bool().ok().flatten();
    }
    rec.push(name, hash, value);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::super::generated::generate;
    use super::super::reader::serde_user;
    use super::*;

    /// Both paths on one text, with and without a filter on the attributes.
    fn both(
        text: &str,
        wanted: Option<&[&str]>,
    ) -> (Option<UserRecord>, Result<UserRecord, String>) {
        let pool = || {
            let mut pool = Pool::default();
            if let Some(names) = wanted {
                pool.want(names.iter().copied());
            }
            pool
        };
        let fast = decode(text.as_bytes(), &mut pool());
        let plain = serde_user(text, &mut pool());
        (fast, plain)
    }

    /// The fast path either gives up or gives the serde path's record.
    fn agrees(text: &str, wanted: Option<&[&str]>) -> bool {
        let (fast, plain) = both(text, wanted);
        if let Some(fast) = &fast {
            assert_eq!(Ok(fast), plain.as_ref(), "{text}");
        }
        fast.is_some()
    }

    const READS: &[&str] = &[
        "objectId",
        "userPrincipalName",
        "displayName",
        "mail",
        "manager",
        "proxyAddresses",
        "telephoneNumber",
        "showInAddressList",
        "mobile",
        "physicalDeliveryOfficeName",
        "facsimileTelephoneNumber",
    ];

    #[test]
    fn generated_users_take_the_fast_path_and_read_the_same() {
        let mut out = Vec::new();
        generate(300, 11, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(agrees(line, None), "{line}");
            assert!(agrees(line, Some(READS)), "{line}");
            assert!(agrees(&format!(" {line}\r\n"), Some(READS)), "{line}");
        }
    }

    #[test]
    fn what_it_reads_is_what_serde_reads() {
        // Each is read by the fast path (true) or left to serde (false); when read, the record
        // must be serde's.
        let cases: &[(&str, bool)] = &[
            (r#"{}"#, true),
            (r#" { } "#, true),
            (r#"{"id":"1","accountEnabled":true,"mail":null}"#, true),
            (r#"{"id":"1","accountEnabled":"false"}"#, true),
            (r#"{"id":"1","accountEnabled":"yes"}"#, true),
            (
                r#"{"id":"1","showInAddressList":"TRUE","displayName":"true"}"#,
                true,
            ),
            (r#"{"businessPhones":[],"id":"x"}"#, true),
            (r#"{"businessPhones":[null,"+1 2","+1 3"]}"#, true),
            (r#"{"proxyAddresses":["a",null,true,false,"b"]}"#, true),
            (
                r##"{"@odata.type":"#microsoft.graph.user","id":"1"}"##,
                true,
            ),
            (r#"{"deletedDateTime":null,"id":"1"}"#, true),
            (
                r#"{"deletedDateTime":"2024-01-01T00:00:00Z","id":"1"}"#,
                true,
            ),
            (r#"{"IsSoftDeleted":true,"assigned":false}"#, true),
            (
                r#"{"isSoftDeleted":null,"assigned":null,"IsSoftDeleted":false}"#,
                true,
            ),
            (r#"{"id":"1","id":"2"}"#, true),
            (r#"{"ID":"1","MAIL":"m"}"#, true),
            (r#"{"displayName":"太郎 Ünal"}"#, true),
            (
                r#"{"manager":null,"mobilePhone":"m","officeLocation":"o","faxNumber":"f"}"#,
                true,
            ),
            (
                r#"{"onPremisesExtensionAttributes":null,"employeeOrgData":null}"#,
                true,
            ),
            // Left to serde: escapes, numbers and objects that are read, pages, flags as text.
            (r#"{"displayName":"a\"b"}"#, false),
            (r#"{"mail":12}"#, false),
            (r#"{"manager":{"id":"9"}}"#, false),
            (
                r#"{"onPremisesExtensionAttributes":{"extensionAttribute1":"x"}}"#,
                false,
            ),
            (r#"{"value":[{"id":"a"}]}"#, false),
            (r#"{"IsSoftDeleted":"true"}"#, false),
            (r#"{"deletedDateTime":[["x"]]}"#, false),
            (r#"{"deletedDateTime":["x"]}"#, false),
            // A deletion time that is not text: serde decides (it refuses a number out of range).
            (
                r#"{"deletedDateTime":{"a":[1,2.5e3,-0.1]},"id":"1"}"#,
                false,
            ),
            (r#"{"deletedDateTime":true,"id":"1"}"#, false),
            (r#"{"deletedDateTime":false,"id":"1"}"#, false),
            (r#"{"deletedDateTime":0,"id":"1"}"#, false),
            (r#"{"id":"1","deletedDateTime":1e400}"#, false),
            (r#"{"assigned":1}"#, false),
            (r#"{"proxyAddresses":[1]}"#, false),
            (r#"{"proxyAddresses":[["a"]]}"#, false),
            (r#"{"proxyAddresses":[{"a":1}]}"#, false),
            // Errors are serde's to report.
            (r#"{"id":"1",}"#, false),
            (r#"{"id":"1"} x"#, false),
            (r#"{"id":"1""#, false),
            (r#"{"id" "1"}"#, false),
            (r#"{"id":tru}"#, false),
            (r#"["id"]"#, false),
            ("{\"id\":\"a\tb\"}", false),
            (r#"{"jobTitle":01}"#, false),
            (r#"{"jobTitle":1.}"#, false),
            (r#"{"jobTitle":-}"#, false),
            (r#"{"jobTitle":1e}"#, false),
            (r#"{"jobTitle":[1,]}"#, false),
            (r#"{"jobTitle":{"a":1,}}"#, false),
            (r#"{"jobTitle":{1:1}}"#, false),
            (r#"{"jobTitle":"\u00e9"}"#, false),
        ];
        for &(text, fast) in cases {
            assert_eq!(agrees(text, Some(READS)), fast, "{text}");
            // With every attribute kept, whatever is read must still be serde's record.
            agrees(text, None);
        }
        // Skipped values are checked like serde checks them, numbers included.
        for text in [
            r#"{"jobTitle":12,"country":-0.5e+3,"city":[1,{"a":[true,null]}],"state":{}}"#,
            r#"{"jobTitle":[],"country":{"x":{"y":{"z":[]}}}}"#,
        ] {
            assert!(agrees(text, Some(READS)), "{text}");
        }
    }

    #[test]
    fn utf8_is_checked_where_the_line_is_not() {
        use super::super::reader::parse_user;
        let mut pool = Pool::default();
        pool.want(READS.iter().copied());
        // Text above ASCII, valid, in kept and skipped strings and in keys: read by the fast
        // path, and serde's record.
        for text in [
            r#"{"displayName":"Zoë Ñúñez","city":"Düsseldorf","id":"1"}"#,
            r#"{"jobTitle":"技术员","id":"2","fünf":"ü","€":["€",{"ß":"日本"}]}"#,
            r#"{"id":"3","mail":"a@b","département":"x"}"#,
        ] {
            assert!(agrees(text, Some(READS)), "{text}");
            // Every attribute kept: a list holding an object is serde's, the rest agrees.
            agrees(text, None);
        }
        // Bytes that are not UTF-8, anywhere (kept value, skipped value, nested, key, a
        // truncated sequence at a string's end): the fast path gives up and the user is
        // refused with serde's path's message, as a whole-line check would.
        let bad: [&[u8]; 6] = [
            b"{\"displayName\":\"Zo\xeb\",\"id\":\"1\"}",
            b"{\"id\":\"1\",\"city\":\"D\xfcsseldorf\"}",
            b"{\"id\":\"1\",\"x\":[{\"y\":\"\xff\"}]}",
            b"{\"id\":\"1\",\"f\xfcnf\":\"u\"}",
            b"{\"id\":\"1\",\"city\":\"abcdefg\xc3\"}",
            b"{\"id\":\"1\",\"city\":\"\xed\xa0\x80 surrogate\"}",
        ];
        for text in bad {
            assert!(decode(text, &mut pool).is_none(), "{text:?}");
            let e = std::str::from_utf8(text).unwrap_err();
            assert_eq!(
                parse_user(text, &mut pool),
                Err(format!(
                    "not valid UTF-8 (first bad byte at offset {})",
                    e.valid_up_to()
                ))
            );
        }
        // A byte above ASCII outside any string is never the fast path's.
        assert!(decode(b"{\"id\":\"1\"}\xc2\xa0", &mut pool).is_none());
    }

    #[test]
    fn remembered_keys_follow_each_user_s_own_keys() {
        // One pool over users whose keys change order, name and kind from one user to the
        // next: every record is still serde's.
        let lines = [
            r#"{"id":"1","mail":"a","jobTitle":"x","displayName":"d"}"#,
            r#"{"id":"2","jobTitle":"x","mail":"b","displayName":"e"}"#,
            r#"{"mail":"c","id":"3"}"#,
            r#"{"id":"4","mail":"d","jobTitle":"x","displayName":"f","city":"c"}"#,
            r#"{"ID":"5","MAIL":"e","assigned":false,"deletedDateTime":"2024-01-01"}"#,
            r#"{"id":"6","mail":"f","jobTitle":"x","displayName":"g"}"#,
            r#"{"@odata.type":"u","mail":"g","id":"7"}"#,
            r#"{"id":"8","mail":"h","jobTitle":"x","displayName":"h"}"#,
        ];
        let mut fast_pool = Pool::default();
        fast_pool.want(READS.iter().copied());
        let mut plain_pool = Pool::default();
        plain_pool.want(READS.iter().copied());
        for _ in 0..2 {
            for line in lines {
                let fast = decode(line.as_bytes(), &mut fast_pool).expect(line);
                let plain = serde_user(line, &mut plain_pool).expect(line);
                assert_eq!(fast, plain, "{line}");
                fast_pool.recycle(fast);
                plain_pool.recycle(plain);
            }
        }
        // A new choice of attributes forgets what was remembered.
        fast_pool.want(["jobTitle"]);
        let rec = decode(lines[0].as_bytes(), &mut fast_pool).unwrap();
        assert_eq!(rec.value("jobTitle"), Some(&Value::Str("x".into())));
        assert_eq!(rec.value("mail"), None);
    }

    #[test]
    fn same_is_equality() {
        let words = [
            "",
            "a",
            "id",
            "mail",
            "surname",
            "jobTitle",
            "givenName",
            "businessPhones",
            "mailNicknameX",
            "userPrincipalName",
            "preferredLanguage",
            "userPrincipalNamf",
        ];
        for a in words {
            for b in words {
                assert_eq!(same(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
            }
            for at in 0..a.len() {
                let mut c = a.as_bytes().to_vec();
                c[at] ^= 1;
                assert!(!same(a.as_bytes(), &c), "{a} {at}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_left_to_serde() {
        let deep = format!(
            r#"{{"jobTitle":{}{}}}"#,
            "[".repeat(MAX_FAST_DEPTH + 1),
            "]".repeat(MAX_FAST_DEPTH + 1)
        );
        assert!(!agrees(&deep, Some(READS)));
        let shallow = format!(
            r#"{{"jobTitle":{}{}}}"#,
            "[".repeat(MAX_FAST_DEPTH),
            "]".repeat(MAX_FAST_DEPTH)
        );
        assert!(agrees(&shallow, Some(READS)));
    }

    #[test]
    fn special_finds_the_first_quote_backslash_or_control() {
        let text = "abcdefghij\u{e9}klmnopqrstuvwxyz";
        let e9 = text.find('\u{e9}').unwrap();
        for at in 0..text.len() {
            for c in [b'"', b'\\', 0x1f, 0x00, b'\n'] {
                let mut b = text.as_bytes().to_vec();
                b[at] = c;
                for from in 0..=at {
                    // The é (two bytes) is above ASCII when it lies between `from` and `at`.
                    let above = (from..at).any(|i| i == e9 || i == e9 + 1);
                    assert_eq!(special(&b, from), (at, above), "{at} {c} {from}");
                }
            }
        }
        assert_eq!(special(text.as_bytes(), 0), (text.len(), true));
        assert_eq!(special(b"abcdefghijklmnopqrstuvwxyz", 0), (26, false));
        assert_eq!(special(b"\x7f\xff ~ !#[]", 0), (9, true));
        assert_eq!(special(b"\x7f ~ !#[]", 0), (8, false));
    }
}
