//! Value rules checked on each user's projected values (`simulate --profile`, `lint --users`).
//!
//! A [`Checker`] is built once from a profile, its options and a way to find each target's
//! mapping. [`Checker::check`] (thread-safe, `&self`) applies every rule that needs only one
//! user and appends what it found to a [`Batch`]: compact records (rule, kind, ranges of one
//! shared text buffer), and for `unique` rules one 64-bit hash per value. A batch holds many
//! users (a chunk of the run), so checking allocates nothing per user once its buffers have
//! grown, and a user who breaks no rule leaves nothing in it but a count.
//!
//! A [`Tally`] then settles batches in input order (on one thread): it remembers each unique
//! rule's hashes with the ordinal of the first user that had them, in an open-addressing table
//! of [`UNIQUE_ENTRY_BYTES`] per slot whatever the values' lengths, counts violations per rule
//! (keeping the first [`FIRST_USERS`] users of each), and builds a [`Violation`] (with its
//! message) only for a caller that prints them.
//!
//! Two different values have the same 64-bit hash with probability about n²/2⁶⁵ (under 10⁻⁷
//! for a million users): a `unique` violation is then reported wrongly. The report names the
//! earlier user by ordinal, since names are not kept.

use super::{Equals, LetterCase, Normaliser, Profile, Uniqueness, ValueRules};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Users named per rule in the summary.
pub const FIRST_USERS: usize = 3;
/// Bytes a `unique` table holds per slot (hash and ordinal). The table keeps at most half its
/// slots filled, so a distinct value costs between 2 and 4 slots.
pub const UNIQUE_ENTRY_BYTES: usize = 16;
/// Slots a `unique` table starts with (it doubles when half full).
pub const UNIQUE_INITIAL_SLOTS: usize = 1 << 14;
/// Characters of a value shown in a message (the JSON `value` field holds it whole).
const SHOWN: usize = 80;
/// The short code assumed when none is given: GitHub's longest (3 to 8 characters).
const ASSUMED_SHORT_CODE: &str = "????????";

/// Compiles a `pattern` rule: anchored to the whole value.
pub fn compile_pattern(p: &str) -> Result<fancy_regex::Regex, String> {
    fancy_regex::Regex::new(&format!("^(?:{p})$")).map_err(|e| e.to_string())
}

/// One rule broken by one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub user: String,
    pub target: String,
    /// The rule's name (`max-length`, `unique`, `github-emu-username`…).
    pub rule: &'static str,
    /// The value checked (after the normaliser), `None` when there was none.
    pub value: Option<String>,
    pub message: String,
}

impl Violation {
    /// One JSON line: `{"user", "target", "rule", "value", "message"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "user": self.user,
            "target": self.target,
            "rule": self.rule,
            "value": self.value,
            "message": self.message,
        })
    }
}

/// The kinds of rule, in the order one user's violations are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NonNull,
    Github,
    MaxLength,
    Pattern,
    Enum,
    Case,
    Equals,
    Unique,
}

/// How many [`Kind`]s there are.
const KINDS: usize = 8;

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::NonNull => "non-null",
            Kind::Github => "github-emu-username",
            Kind::MaxLength => "max-length",
            Kind::Pattern => "pattern",
            Kind::Enum => "enum",
            Kind::Case => "case",
            Kind::Equals => "equals",
            Kind::Unique => "unique",
        }
    }
}

/// A range of [`Batch::text`].
#[derive(Debug, Clone, Copy, Default)]
struct At {
    start: usize,
    end: usize,
}

/// One violation found by [`Checker::check`], to be turned into a [`Violation`] if printed.
#[derive(Debug, Clone, Copy)]
struct Found {
    /// The user's index in the batch.
    user: usize,
    name: At,
    /// The compiled rule's index.
    rule: usize,
    kind: Kind,
    value: Option<At>,
    /// `max-length`: the value's characters.
    n: usize,
    /// `github-emu-username`: why GitHub refuses the value; `equals`: the other value.
    extra: At,
}

/// One value of a `unique` rule, settled by the [`Tally`].
#[derive(Debug, Clone, Copy)]
struct Key {
    user: usize,
    name: At,
    rule: usize,
    /// The unique table's index.
    table: usize,
    hash: u64,
    value: At,
}

/// What the checker found over a run of users (in input order): their violations and their
/// `unique` hashes, with the names and values these need in one text buffer. Reused: [`Batch::clear`]
/// keeps the buffers.
#[derive(Debug, Default)]
pub struct Batch {
    text: String,
    /// Users added (checked or skipped).
    users: usize,
    found: Vec<Found>,
    keys: Vec<Key>,
    /// The current user's name, once copied into `text`.
    name: Option<At>,
    /// The normalised value of the rule being checked.
    scratch: String,
}

impl Batch {
    /// Users added so far.
    pub fn users(&self) -> usize {
        self.users
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.users = 0;
        self.found.clear();
        self.keys.clear();
        self.name = None;
    }

    /// Counts a user that is not checked (soft-deleted), so later users keep their ordinals.
    pub fn skip(&mut self) {
        self.users += 1;
    }

    fn put(&mut self, s: &str) -> At {
        let start = self.text.len();
        self.text.push_str(s);
        At {
            start,
            end: self.text.len(),
        }
    }

    fn name_of(&mut self, user: &str) -> At {
        match self.name {
            Some(at) => at,
            None => {
                let at = self.put(user);
                self.name = Some(at);
                at
            }
        }
    }

    fn get(&self, at: At) -> &str {
        &self.text[at.start..at.end]
    }

    #[allow(clippy::too_many_arguments)]
    fn found(
        &mut self,
        user: &str,
        rule: usize,
        kind: Kind,
        value: Option<&str>,
        n: usize,
        extra: &str,
    ) {
        let name = self.name_of(user);
        let value = value.map(|v| self.put(v));
        let extra = self.put(extra);
        self.found.push(Found {
            user: self.users - 1,
            name,
            rule,
            kind,
            value,
            n,
            extra,
        });
    }
}

struct Compiled {
    rules: ValueRules,
    /// Where the target's value comes from (`None`: not mapped).
    source: Option<usize>,
    equals_source: Option<usize>,
    pattern: Option<fancy_regex::Regex>,
    /// Index among the unique rules.
    unique: Option<usize>,
    /// `max-length`, `enum`, `case`, `equals` or `unique` needs the value (else a present
    /// value only goes through the normaliser, which may refuse it).
    uses_value: bool,
}

/// The value rules of a profile, ready to check users.
pub struct Checker {
    profile: String,
    rules: Vec<Compiled>,
    /// (target, rule) of each unique rule.
    unique: Vec<(String, Uniqueness)>,
    short_code: Option<String>,
    /// What the checker assumed for options not given (shown once, before the run).
    pub assumptions: Vec<String>,
}

impl Checker {
    /// Prepares the profile's value rules. `find` gives the index of the mapping writing a
    /// target (compared ignoring case), in whatever list `check`'s `value` reads.
    pub fn new(
        profile: &Profile,
        options: &BTreeMap<String, String>,
        find: impl Fn(&str) -> Option<usize>,
    ) -> Result<Checker, String> {
        let mut rules = Vec::new();
        let mut unique = Vec::new();
        for r in &profile.values {
            let pattern = match &r.pattern {
                Some(p) => Some(compile_pattern(p)?),
                None => None,
            };
            let u = r.unique.map(|kind| {
                unique.push((r.target.clone(), kind));
                unique.len() - 1
            });
            rules.push(Compiled {
                source: find(&r.target),
                equals_source: r.equals.as_ref().and_then(|e| find(&e.target)),
                uses_value: r.max_length.is_some()
                    || r.pattern.is_some()
                    || r.one_of.is_some()
                    || r.case.is_some()
                    || r.equals.is_some()
                    || r.unique.is_some(),
                rules: r.clone(),
                pattern,
                unique: u,
            });
        }
        let mut assumptions = Vec::new();
        let uses_github = profile
            .values
            .iter()
            .any(|r| r.normalise == Some(Normaliser::GithubEmuUsername));
        let short_code = options.get("short-code").cloned();
        let data_residency = options.get("data-residency").is_some_and(|v| v == "true");
        if uses_github {
            if let Some(code) = &short_code
                && (!(3..=8).contains(&code.len())
                    || !code.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return Err(format!(
                    "profile option short-code={code}: GitHub's short codes are 3 to 8 letters or digits"
                ));
            }
            if short_code.is_none() || data_residency {
                assumptions.push(format!(
                    "{}: {}; usernames are checked with an 8-character short code, the longest GitHub gives{}",
                    profile.name,
                    if data_residency {
                        "with data residency the short code is hidden"
                    } else {
                        "no short-code option given"
                    },
                    if data_residency {
                        " (so at most 30 characters before it)"
                    } else {
                        "; --profile-option short-code=CODE makes the limit exact"
                    }
                ));
            }
        }
        Ok(Checker {
            profile: profile.name.clone(),
            rules,
            unique,
            short_code: short_code.filter(|_| !data_residency),
            assumptions,
        })
    }

    /// Whether the profile has any value rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// How many `unique` rules there are.
    pub fn unique_rules(&self) -> usize {
        self.unique.len()
    }

    /// Applies every rule that needs only this user and adds the user to `batch`. `value(i)`
    /// is the text mapping `i` projects for the user (`None`: nothing).
    pub fn check<'v>(
        &self,
        user: &str,
        value: impl Fn(usize) -> Option<Cow<'v, str>>,
        batch: &mut Batch,
    ) {
        batch.users += 1;
        batch.name = None;
        let mut scratch = std::mem::take(&mut batch.scratch);
        for (i, c) in self.rules.iter().enumerate() {
            let r = &c.rules;
            let raw = c.source.and_then(&value);
            let Some(raw) = raw.as_deref().filter(|v| !v.is_empty()) else {
                if r.non_null {
                    batch.found(user, i, Kind::NonNull, None, 0, "");
                }
                continue;
            };
            let v: &str = match r.normalise {
                None => raw,
                Some(Normaliser::GithubEmuUsername) => {
                    scratch.clear();
                    if let Err(why) = github_normalise(raw, &mut scratch) {
                        batch.found(user, i, Kind::Github, Some(raw), 0, &why);
                        continue;
                    }
                    scratch.push('_');
                    scratch.push_str(self.short_code.as_deref().unwrap_or(ASSUMED_SHORT_CODE));
                    &scratch
                }
            };
            if !c.uses_value {
                continue;
            }
            // A value of at most `max` bytes has at most `max` characters.
            if let Some(max) = r.max_length
                && v.len() > max
            {
                let n = v.chars().count();
                if n > max {
                    batch.found(user, i, Kind::MaxLength, Some(v), n, "");
                }
            }
            if let Some(p) = &c.pattern
                && !p.is_match(v).unwrap_or(false)
            {
                batch.found(user, i, Kind::Pattern, Some(v), 0, "");
            }
            if let Some(allowed) = &r.one_of
                && !allowed.iter().any(|a| a == v)
            {
                batch.found(user, i, Kind::Enum, Some(v), 0, "");
            }
            if let Some(case) = r.case
                && !in_case(v, case)
            {
                batch.found(user, i, Kind::Case, Some(v), 0, "");
            }
            if let Some(Equals { case_sensitive, .. }) = &r.equals {
                let other = c.equals_source.and_then(&value);
                let other = other.as_deref().unwrap_or("");
                let same = if *case_sensitive {
                    v == other
                } else {
                    equal_ignoring_case(v, other)
                };
                if !same {
                    batch.found(user, i, Kind::Equals, Some(v), 0, other);
                }
            }
            if let Some(u) = c.unique {
                let hash = match self.unique[u].1 {
                    Uniqueness::Exact => hash(v.bytes()),
                    Uniqueness::IgnoreCase if v.is_ascii() => {
                        hash(v.bytes().map(|b| b.to_ascii_lowercase()))
                    }
                    Uniqueness::IgnoreCase => hash(folded(v)),
                };
                let name = batch.name_of(user);
                let value = batch.put(v);
                batch.keys.push(Key {
                    user: batch.users - 1,
                    name,
                    rule: i,
                    table: u,
                    hash,
                    value,
                });
            }
        }
        batch.scratch = scratch;
    }

    /// The violation a [`Found`] stands for, with its message.
    fn violation(&self, batch: &Batch, f: &Found) -> Violation {
        let r = &self.rules[f.rule].rules;
        let why = r.why.as_deref().map_or(String::new(), |w| format!(": {w}"));
        let v = f.value.map_or("", |at| batch.get(at));
        let label = if r.normalise.is_some() {
            format!("{} after normalisation", r.target)
        } else {
            r.target.clone()
        };
        let message = match f.kind {
            Kind::NonNull => format!(
                "{} gets no {} value, and {} needs one",
                batch.get(f.name),
                r.target,
                self.profile
            ),
            Kind::Github => format!("{} `{}` {}", r.target, shown(v), batch.get(f.extra)),
            Kind::MaxLength => format!(
                "{label} `{}` has {} characters; {} takes at most {}",
                shown(v),
                f.n,
                self.profile,
                r.max_length.unwrap_or_default()
            ),
            Kind::Pattern => format!(
                "{label} `{}` does not match {}",
                shown(v),
                r.pattern.as_deref().unwrap_or_default()
            ),
            Kind::Enum => format!(
                "{label} `{}` is not one of {} (compared exactly)",
                shown(v),
                r.one_of.as_deref().unwrap_or_default().join(", ")
            ),
            Kind::Case => format!(
                "{label} `{}` is not all {}",
                shown(v),
                match r.case {
                    Some(LetterCase::Upper) => "uppercase",
                    _ => "lowercase",
                }
            ),
            Kind::Equals => {
                let (target, case_sensitive) = r
                    .equals
                    .as_ref()
                    .map_or(("", true), |e| (e.target.as_str(), e.case_sensitive));
                format!(
                    "{label} `{}` differs from {target} `{}`{}",
                    shown(v),
                    shown(batch.get(f.extra)),
                    if case_sensitive {
                        ""
                    } else {
                        " (ignoring case)"
                    }
                )
            }
            Kind::Unique => {
                // Its own message, without the rule's `why`.
                let ignore_case = r.unique == Some(Uniqueness::IgnoreCase);
                return Violation {
                    user: batch.get(f.name).to_string(),
                    target: r.target.clone(),
                    rule: Kind::Unique.name(),
                    value: Some(v.to_string()),
                    message: format!(
                        "{} `{}` is also the value of an earlier user (the {} user read){}; {} needs it unique",
                        r.target,
                        shown(v),
                        ordinal(u32::try_from(f.n).unwrap_or(u32::MAX)),
                        if ignore_case { ", ignoring case" } else { "" },
                        self.profile
                    ),
                };
            }
        };
        Violation {
            user: batch.get(f.name).to_string(),
            target: r.target.clone(),
            rule: f.kind.name(),
            value: f.value.map(|at| batch.get(at).to_string()),
            message: format!("{message}{why}"),
        }
    }
}

/// Whether a value is all lowercase (or all uppercase).
fn in_case(v: &str, case: LetterCase) -> bool {
    match (case, v.is_ascii()) {
        (LetterCase::Lower, true) => !v.bytes().any(|b| b.is_ascii_uppercase()),
        (LetterCase::Upper, true) => !v.bytes().any(|b| b.is_ascii_lowercase()),
        (LetterCase::Lower, false) => !v.chars().any(char::is_uppercase),
        (LetterCase::Upper, false) => !v.chars().any(char::is_lowercase),
    }
}

/// Whether two values are equal once lowercased (as `str::to_lowercase` does, without
/// allocating).
fn equal_ignoring_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
    }
}

/// GitHub EMU's normalised identifier (without the short code) for a userName value, or why
/// it is refused (github/docs: username-considerations-for-external-authentication.md).
pub fn github_identifier(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    github_normalise(raw, &mut out)?;
    Ok(out)
}

/// [`github_identifier`], written at the end of `out`.
fn github_normalise(raw: &str, out: &mut String) -> Result<(), String> {
    let mut id = raw;
    if let Some(i) = id.find("#EXT#") {
        // A guest: `bob_example.com#EXT#@contoso.com` came from bob@example.com.
        id = &id[..i];
        if let Some(j) = id.rfind('_') {
            id = &id[..j];
        }
    } else if let Some(i) = id.find('@') {
        id = &id[..i];
    }
    if let Some(i) = id.rfind('\\') {
        id = &id[i + 1..];
    }
    let start = out.len();
    out.extend(
        id.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }),
    );
    let normalised = &out[start..];
    if normalised.is_empty() {
        return Err("normalises to nothing; GitHub refuses the user".into());
    }
    if normalised.starts_with('-') || normalised.ends_with('-') {
        return Err(format!(
            "normalises to `{normalised}`, which starts or ends with a dash; GitHub refuses the user"
        ));
    }
    if normalised.contains("--") {
        return Err(format!(
            "normalises to `{normalised}`, which holds two dashes in a row; GitHub refuses the user"
        ));
    }
    Ok(())
}

fn shown(v: &str) -> String {
    if v.chars().count() <= SHOWN {
        v.to_string()
    } else {
        let head: String = v.chars().take(SHOWN).collect();
        format!("{head}…")
    }
}

/// The bytes of a value in lowercase, without allocating.
fn folded(v: &str) -> impl Iterator<Item = u8> + '_ {
    v.chars().flat_map(char::to_lowercase).flat_map(|c| {
        let mut buf = [0u8; 4];
        let n = c.encode_utf8(&mut buf).len();
        buf.into_iter().take(n)
    })
}

/// A fixed 64-bit hash (the same on every run and machine).
fn hash(bytes: impl Iterator<Item = u8>) -> u64 {
    // FNV-1a, then a final mix so that the table's low bits spread well.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// The hashes of one `unique` rule, each with the ordinal of the first user that had it: open
/// addressing with linear probing over a power-of-two number of slots, at most half full.
/// Hash 0 marks an empty slot (a value hashing to 0 is stored as 1).
struct Table {
    slots: Vec<(u64, u32)>,
    len: usize,
}

impl Table {
    fn new() -> Table {
        Table {
            slots: vec![(0, 0); UNIQUE_INITIAL_SLOTS],
            len: 0,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The hash in the slot where a search for `hash` starts (reading it brings the slot into
    /// the cache before [`Table::first`] needs it).
    fn peek(&self, hash: u64) -> u64 {
        // Truncation intended: the low bits pick the slot.
        self.slots[hash as usize & self.mask()].0
    }

    /// The ordinal stored for `hash`, storing `ordinal` when it is new.
    fn first(&mut self, hash: u64, ordinal: u32) -> u32 {
        let hash = hash.max(1);
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.0 == hash {
                return slot.1;
            }
            if slot.0 == 0 {
                *slot = (hash, ordinal);
                self.len += 1;
                return ordinal;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let doubled = vec![(0, 0); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.mask();
        for (hash, ordinal) in old.into_iter().filter(|s| s.0 != 0) {
            let mut i = hash as usize & mask;
            while self.slots[i].0 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (hash, ordinal);
        }
    }
}

/// Counts of one rule, and its first users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleCount {
    pub count: u64,
    pub first: Vec<String>,
}

/// Settles batches in input order: `unique` across users, counts per rule.
pub struct Tally {
    seen: Vec<Table>,
    /// Users settled so far.
    ordinal: u32,
    /// For each compiled rule and [`Kind`], its place in `counts`.
    place: Vec<[usize; KINDS]>,
    /// Per (target, rule), in the order of `place`.
    counts: Vec<((String, &'static str), RuleCount)>,
    pub total: u64,
}

impl Tally {
    pub fn new(checker: &Checker) -> Tally {
        const ALL: [Kind; KINDS] = [
            Kind::NonNull,
            Kind::Github,
            Kind::MaxLength,
            Kind::Pattern,
            Kind::Enum,
            Kind::Case,
            Kind::Equals,
            Kind::Unique,
        ];
        let mut index: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
        let mut counts = Vec::new();
        let place = checker
            .rules
            .iter()
            .map(|c| {
                ALL.map(|kind| {
                    let key = (c.rules.target.clone(), kind.name());
                    *index.entry(key.clone()).or_insert_with(|| {
                        counts.push((key, RuleCount::default()));
                        counts.len() - 1
                    })
                })
            })
            .collect();
        Tally {
            seen: (0..checker.unique_rules()).map(|_| Table::new()).collect(),
            ordinal: 0,
            place,
            counts,
            total: 0,
        }
    }

    /// The violations per (target, rule) that had any, in that order.
    pub fn counts(&self) -> BTreeMap<(String, &'static str), RuleCount> {
        self.counts
            .iter()
            .filter(|(_, c)| c.count > 0)
            .cloned()
            .collect()
    }

    /// Takes the next batch (in input order): adds its `unique` violations, counts, and calls
    /// `each` for every violation when given, in input order (a user's `unique` violations
    /// after its others).
    pub fn settle(
        &mut self,
        checker: &Checker,
        batch: &Batch,
        mut each: Option<&mut dyn FnMut(&Violation)>,
    ) {
        // Bring each key's slot into the cache while the loop below is not waiting for it:
        // the reads are independent, so the processor overlaps their misses.
        let mut touched = 0u64;
        for k in &batch.keys {
            touched ^= self.seen[k.table].peek(k.hash);
        }
        std::hint::black_box(touched);
        let base = self.ordinal;
        let (mut f, mut k) = (0, 0);
        loop {
            let fu = batch.found.get(f).map_or(usize::MAX, |x| x.user);
            let ku = batch.keys.get(k).map_or(usize::MAX, |x| x.user);
            let found = if fu == usize::MAX && ku == usize::MAX {
                break;
            } else if fu <= ku {
                f += 1;
                batch.found[f - 1]
            } else {
                k += 1;
                let key = &batch.keys[k - 1];
                let ordinal = ordinal_after(base, key.user);
                let first = self.seen[key.table].first(key.hash, ordinal);
                if first == ordinal {
                    continue;
                }
                Found {
                    user: key.user,
                    name: key.name,
                    rule: key.rule,
                    kind: Kind::Unique,
                    value: Some(key.value),
                    n: first as usize,
                    extra: At::default(),
                }
            };
            self.total += 1;
            let c = &mut self.counts[self.place[found.rule][found.kind as usize]].1;
            c.count += 1;
            if c.first.len() < FIRST_USERS {
                c.first.push(batch.get(found.name).to_string());
            }
            if let Some(each) = each.as_deref_mut() {
                each(&checker.violation(batch, &found));
            }
        }
        self.ordinal = base.saturating_add(u32::try_from(batch.users).unwrap_or(u32::MAX));
    }

    /// Bytes the unique tables hold (their slots, not counting the allocator's overhead).
    pub fn table_bytes(&self) -> usize {
        self.seen
            .iter()
            .map(|s| s.slots.len() * UNIQUE_ENTRY_BYTES)
            .sum()
    }
}

/// The ordinal of the user `i` places after `base` + 1 (saturating).
fn ordinal_after(base: u32, i: usize) -> u32 {
    base.saturating_add(u32::try_from(i).unwrap_or(u32::MAX))
        .saturating_add(1)
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_normalisation_follows_the_documented_examples() {
        assert_eq!(github_identifier("The.Octocat").unwrap(), "The-Octocat");
        assert!(github_identifier("!The.Octocat").is_err());
        assert!(github_identifier("The!!Octocat").is_err());
        assert_eq!(
            github_identifier("The.Octocat@example.com").unwrap(),
            "The-Octocat"
        );
        assert_eq!(
            github_identifier("internal\\The.Octocat").unwrap(),
            "The-Octocat"
        );
        for upn in [
            "bob@contoso.com",
            "bob@fabrikam.com",
            "bob#EXT#fabrikamcom@contoso.com",
            "bob_example#EXT#fabrikamcom@contoso.com",
            "bob_example.com#EXT#fabrikamcom@contoso.com",
        ] {
            assert_eq!(github_identifier(upn).unwrap(), "bob", "{upn}");
        }
    }

    /// A profile with every kind of value rule, over four mapped targets.
    const EVERY_RULE: &str = r#"
format: 2
name: every-rule
options:
  short-code: {description: the short code}
  data-residency: {description: data residency}
values:
  - target: userName
    non-null: true
    normalise: github-emu-username
    max-length: 16
    unique: ignore-case
    why: a reason
  - target: displayName
    pattern: '[^@]*'
    case: lower
    unique: exact
  - target: title
    enum: [admin, user, ÄDMIN]
    case: upper
  - target: mail
    non-null: true
    max-length: 12
    equals: {target: userName, case-sensitive: false}
  - target: externalId
    equals: {target: mail, case-sensitive: true}
    unique: exact
"#;

    const TARGETS: [&str; 5] = ["userName", "displayName", "title", "mail", "externalId"];

    /// One generated user: a name, whether it is skipped (soft-deleted), and each target's value.
    type TestUser = (String, bool, [Option<String>; 5]);

    /// Users whose values repeat (in both cases), run long, hold `@`, non-ASCII letters or
    /// nothing, from a fixed seed; enough distinct values to make the unique tables grow.
    fn users(n: usize) -> Vec<TestUser> {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let pools: [&[&str]; 5] = [
            &[
                "ann@contoso.com",
                "ANN@fabrikam.com",
                "bob",
                "Ünïcödé@x.com",
                "-dash@x.com",
                "a.very.long.name.indeed@x.com",
                "ann_x.com#EXT#@contoso.com",
                "",
            ],
            &["ann", "Ann", "bob@home", "ärger", "ÄRGER", ""],
            &["admin", "ADMIN", "user", "ÄDMIN", "Admin", ""],
            &[
                "ann@contoso.com",
                "ANN@CONTOSO.COM",
                "bob",
                "straße@x.com",
                "STRASSE@X.COM",
                "",
            ],
            &["1", "2", "ann@contoso.com", ""],
        ];
        (0..n)
            .map(|i| {
                let mut values: [Option<String>; 5] = Default::default();
                for (t, pool) in pools.iter().enumerate() {
                    let r = next();
                    values[t] = match r % 11 {
                        0 => None,
                        // Distinct values, so that the tables grow past their first size.
                        1..=6 => Some(format!("user{}.{}@x.com", r % 50_000, t)),
                        _ => Some(pool[(r >> 8) as usize % pool.len()].to_string()),
                    };
                }
                (format!("u{i}"), next() % 13 == 0, values)
            })
            .collect()
    }

    /// The straightforward check: every rule on every user, `unique` by the values
    /// themselves, messages written out in full.
    fn reference(profile: &Profile, users: &[TestUser]) -> Vec<Violation> {
        let mut seen: Vec<std::collections::HashMap<String, u32>> = vec![Default::default(); 5];
        let mut out = Vec::new();
        let patterns: Vec<_> = (profile.values.iter())
            .map(|r| r.pattern.as_deref().map(|p| compile_pattern(p).unwrap()))
            .collect();
        let get = |vals: &[Option<String>; 5], target: &str| -> Option<String> {
            let i = TARGETS
                .iter()
                .position(|t| t.eq_ignore_ascii_case(target))?;
            vals[i].clone()
        };
        for (n, (user, skipped, vals)) in users.iter().enumerate() {
            let ordinal_n = n as u32 + 1;
            if *skipped {
                continue;
            }
            let mut late = Vec::new();
            for (ri, r) in profile.values.iter().enumerate() {
                let why = r.why.as_ref().map_or(String::new(), |w| format!(": {w}"));
                let mut push = |rule: &'static str, value: Option<&str>, message: String| {
                    out.push(Violation {
                        user: user.clone(),
                        target: r.target.clone(),
                        rule,
                        value: value.map(str::to_string),
                        message: format!("{message}{why}"),
                    })
                };
                let Some(raw) = get(vals, &r.target).filter(|v| !v.is_empty()) else {
                    if r.non_null {
                        let m = format!(
                            "{user} gets no {} value, and every-rule needs one",
                            r.target
                        );
                        push("non-null", None, m);
                    }
                    continue;
                };
                let v = match r.normalise {
                    None => raw.clone(),
                    Some(_) => match github_identifier(&raw) {
                        Ok(id) => format!("{id}_????????"),
                        Err(e) => {
                            let m = format!("{} `{}` {e}", r.target, shown(&raw));
                            push("github-emu-username", Some(&raw), m);
                            continue;
                        }
                    },
                };
                let label = if r.normalise.is_some() {
                    format!("{} after normalisation", r.target)
                } else {
                    r.target.clone()
                };
                if let Some(max) = r.max_length {
                    let n = v.chars().count();
                    if n > max {
                        let m = format!(
                            "{label} `{}` has {n} characters; every-rule takes at most {max}",
                            shown(&v)
                        );
                        push("max-length", Some(&v), m);
                    }
                }
                if let (Some(p), Some(re)) = (&r.pattern, &patterns[ri])
                    && !re.is_match(&v).unwrap()
                {
                    push(
                        "pattern",
                        Some(&v),
                        format!("{label} `{}` does not match {p}", shown(&v)),
                    );
                }
                if let Some(allowed) = &r.one_of
                    && !allowed.contains(&v)
                {
                    let m = format!(
                        "{label} `{}` is not one of {} (compared exactly)",
                        shown(&v),
                        allowed.join(", ")
                    );
                    push("enum", Some(&v), m);
                }
                if let Some(case) = r.case {
                    let (ok, word) = match case {
                        LetterCase::Lower => (v.to_lowercase() == v, "lowercase"),
                        LetterCase::Upper => (v.to_uppercase() == v, "uppercase"),
                    };
                    if !ok {
                        push(
                            "case",
                            Some(&v),
                            format!("{label} `{}` is not all {word}", shown(&v)),
                        );
                    }
                }
                if let Some(e) = &r.equals {
                    let other = get(vals, &e.target).unwrap_or_default();
                    let same = if e.case_sensitive {
                        v == other
                    } else {
                        v.to_lowercase() == other.to_lowercase()
                    };
                    if !same {
                        let m = format!(
                            "{label} `{}` differs from {} `{}`{}",
                            shown(&v),
                            e.target,
                            shown(&other),
                            if e.case_sensitive {
                                ""
                            } else {
                                " (ignoring case)"
                            }
                        );
                        push("equals", Some(&v), m);
                    }
                }
                if let Some(kind) = r.unique {
                    let key = match kind {
                        Uniqueness::Exact => v.clone(),
                        Uniqueness::IgnoreCase => v.to_lowercase(),
                    };
                    let first = *seen[ri].entry(key).or_insert(ordinal_n);
                    if first != ordinal_n {
                        late.push(Violation {
                            user: user.clone(),
                            target: r.target.clone(),
                            rule: "unique",
                            message: format!(
                                "{} `{}` is also the value of an earlier user (the {} user read){}; every-rule needs it unique",
                                r.target,
                                shown(&v),
                                ordinal(first),
                                if kind == Uniqueness::IgnoreCase { ", ignoring case" } else { "" }
                            ),
                            value: Some(v.clone()),
                        });
                    }
                }
            }
            out.append(&mut late);
        }
        out
    }

    /// Checks the users into batches of `size` and settles each batch, printing the violations
    /// (into the list returned) or only counting them.
    fn settled(
        profile: &Profile,
        users: &[TestUser],
        size: usize,
        print: bool,
    ) -> (Vec<Violation>, Tally) {
        let find = |t: &str| TARGETS.iter().position(|x| x.eq_ignore_ascii_case(t));
        let checker = Checker::new(profile, &BTreeMap::new(), find).unwrap();
        let mut tally = Tally::new(&checker);
        let mut out = Vec::new();
        let mut batch = Batch::default();
        for chunk in users.chunks(size) {
            batch.clear();
            for (user, skipped, vals) in chunk {
                if *skipped {
                    batch.skip();
                } else {
                    checker.check(user, |i| vals[i].as_deref().map(Cow::Borrowed), &mut batch);
                }
            }
            let mut sink = |v: &Violation| out.push(v.clone());
            let sink: Option<&mut dyn FnMut(&Violation)> =
                if print { Some(&mut sink) } else { None };
            tally.settle(&checker, &batch, sink);
        }
        (out, tally)
    }

    #[test]
    fn batched_checks_give_the_violations_of_the_straightforward_check() {
        let profile = Profile::from_yaml(EVERY_RULE, "every-rule.yaml").unwrap();
        let users = users(20_000);
        let expected = reference(&profile, &users);
        for rule in [
            "non-null",
            "github-emu-username",
            "max-length",
            "pattern",
            "enum",
            "case",
            "equals",
            "unique",
        ] {
            assert!(
                expected.iter().any(|v| v.rule == rule),
                "the users break no {rule} rule"
            );
        }
        let mut counts: BTreeMap<(String, &'static str), u64> = BTreeMap::new();
        for v in &expected {
            *counts.entry((v.target.clone(), v.rule)).or_default() += 1;
        }
        for size in [1, 7, 1024, users.len()] {
            let (found, tally) = settled(&profile, &users, size, true);
            assert_eq!(found.len(), expected.len(), "batches of {size}");
            for (a, b) in found.iter().zip(&expected) {
                assert_eq!(a, b, "batches of {size}");
            }
            assert_eq!(tally.total, expected.len() as u64);
            let got: BTreeMap<_, _> = tally
                .counts()
                .into_iter()
                .map(|(k, c)| (k, c.count))
                .collect();
            assert_eq!(got, counts, "batches of {size}");
            // The tables grew past their first size, and stay at most half full.
            assert!(tally.table_bytes() > 2 * UNIQUE_INITIAL_SLOTS * UNIQUE_ENTRY_BYTES);
        }
    }

    #[test]
    fn a_batch_without_settling_output_counts_the_same() {
        let profile = Profile::from_yaml(EVERY_RULE, "every-rule.yaml").unwrap();
        let users = users(3_000);
        let (_, loud) = settled(&profile, &users, 100, true);
        let (none, quiet) = settled(&profile, &users, 100, false);
        assert!(none.is_empty());
        assert_eq!(quiet.total, loud.total);
        assert_eq!(quiet.counts(), loud.counts());
    }

    #[test]
    fn the_unique_table_finds_what_a_map_finds() {
        let mut table = Table::new();
        let mut map = std::collections::HashMap::new();
        // Hashes that share their low bits (a few hundred) collide in the table and probe
        // onwards; 0 is a hash like any other; repeated hashes keep their first ordinal.
        for i in 0..100_000u64 {
            let h = match i % 3 {
                0 => (i % 300) << 40,
                1 => hash(i.to_le_bytes().into_iter()),
                _ => hash((i / 7).to_le_bytes().into_iter()),
            };
            let ordinal = i as u32 + 1;
            let want = *map.entry(h.max(1)).or_insert(ordinal);
            assert_eq!(table.first(h, ordinal), want, "hash {h:#x}");
        }
        assert_eq!(table.len, map.len());
        assert!(table.slots.len() >= 2 * table.len);
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(103), "103rd");
    }
}
