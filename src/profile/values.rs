//! Value rules checked on each user's projected values (`simulate --profile`, `lint --users`).
//!
//! A [`Checker`] is built once from a profile, its options and a way to find each target's
//! mapping. For each user, [`Checker::check`] (thread-safe, `&self`) applies every rule that
//! needs only that user and returns a [`UserCheck`]: its violations, and for `unique` rules one
//! 64-bit hash per value. A [`Tally`] then settles the users in input order (on one thread):
//! it remembers each unique rule's hashes with the ordinal of the first user that had them, so
//! memory is [`UNIQUE_ENTRY_BYTES`] per distinct value whatever the values' lengths, and it
//! counts violations per rule, keeping the first [`FIRST_USERS`] users of each.
//!
//! Two different values have the same 64-bit hash with probability about n²/2⁶⁵ (under 10⁻⁷
//! for a million users): a `unique` violation is then reported wrongly. The report names the
//! earlier user by ordinal, since names are not kept.

use super::{Equals, LetterCase, Normaliser, Profile, Uniqueness, ValueRules};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Users named per rule in the summary.
pub const FIRST_USERS: usize = 3;
/// Bytes a `unique` rule holds per distinct value (hash and ordinal, before the table's slack).
pub const UNIQUE_ENTRY_BYTES: usize = 16;
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

/// What one user gave the checker: its violations and its hashes for the `unique` rules. The
/// user's name and the values behind the hashes share one buffer (`text`), so a user without
/// violations costs one allocation.
#[derive(Debug, Default)]
pub struct UserCheck {
    /// The user's name (`text[..user_len]`), then each key's value.
    text: String,
    user_len: usize,
    pub violations: Vec<Violation>,
    /// The first key: (index of the unique rule, hash, range of its value in `text`).
    first: Option<Key>,
    /// Any further keys (a profile with several unique rules).
    more: Vec<Key>,
}

type Key = (usize, u64, std::ops::Range<usize>);

impl UserCheck {
    /// The user's name.
    pub fn user(&self) -> &str {
        &self.text[..self.user_len]
    }

    fn push_key(&mut self, u: usize, hash: u64, value: &str) {
        if self.text.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(value);
        let key = (u, hash, start..self.text.len());
        if self.first.is_none() {
            self.first = Some(key);
        } else {
            self.more.push(key);
        }
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

    /// Applies every rule that needs only this user. `value(i)` is the text mapping `i`
    /// projects for the user (`None`: nothing).
    pub fn check<'v>(
        &self,
        user: &str,
        value: impl Fn(usize) -> Option<Cow<'v, str>>,
    ) -> UserCheck {
        let mut out = UserCheck::default();
        if !user.is_empty() {
            out.text.reserve(user.len() + 48);
            out.text.push_str(user);
            out.user_len = user.len();
        }
        for c in &self.rules {
            let r = &c.rules;
            let raw = c.source.and_then(&value);
            let raw = raw.as_deref();
            let why = r.why.as_deref().map_or(String::new(), |w| format!(": {w}"));
            let mut push = |rule: &'static str, value: Option<&str>, message: String| {
                out.violations.push(Violation {
                    user: user.to_string(),
                    target: r.target.clone(),
                    rule,
                    value: value.map(str::to_string),
                    message: format!("{message}{why}"),
                });
            };
            let Some(raw) = raw.filter(|v| !v.is_empty()) else {
                if r.non_null {
                    push(
                        "non-null",
                        None,
                        format!(
                            "{} gets no {} value, and {} needs one",
                            user, r.target, self.profile
                        ),
                    );
                }
                continue;
            };
            let normalised;
            let v: &str = match r.normalise {
                None => raw,
                Some(Normaliser::GithubEmuUsername) => match self.github(raw) {
                    Ok(n) => {
                        normalised = n;
                        &normalised
                    }
                    Err(why) => {
                        push(
                            "github-emu-username",
                            Some(raw),
                            format!("{} `{}` {why}", r.target, shown(raw)),
                        );
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
                    push(
                        "max-length",
                        Some(v),
                        format!(
                            "{label} `{}` has {n} characters; {} takes at most {max}",
                            shown(v),
                            self.profile
                        ),
                    );
                }
            }
            if let Some(p) = &c.pattern
                && !p.is_match(v).unwrap_or(false)
            {
                push(
                    "pattern",
                    Some(v),
                    format!(
                        "{label} `{}` does not match {}",
                        shown(v),
                        r.pattern.as_deref().unwrap_or_default()
                    ),
                );
            }
            if let Some(allowed) = &r.one_of
                && !allowed.iter().any(|a| a == v)
            {
                push(
                    "enum",
                    Some(v),
                    format!(
                        "{label} `{}` is not one of {} (compared exactly)",
                        shown(v),
                        allowed.join(", ")
                    ),
                );
            }
            if let Some(case) = r.case {
                let (ok, word) = match case {
                    LetterCase::Lower => (!v.chars().any(char::is_uppercase), "lowercase"),
                    LetterCase::Upper => (!v.chars().any(char::is_lowercase), "uppercase"),
                };
                if !ok {
                    push(
                        "case",
                        Some(v),
                        format!("{label} `{}` is not all {word}", shown(v)),
                    );
                }
            }
            if let Some(Equals {
                target,
                case_sensitive,
            }) = &r.equals
            {
                let other = c.equals_source.and_then(&value);
                let other = other.as_deref().unwrap_or("");
                let same = if *case_sensitive {
                    v == other
                } else {
                    v.to_lowercase() == other.to_lowercase()
                };
                if !same {
                    push(
                        "equals",
                        Some(v),
                        format!(
                            "{label} `{}` differs from {target} `{}`{}",
                            shown(v),
                            shown(other),
                            if *case_sensitive {
                                ""
                            } else {
                                " (ignoring case)"
                            }
                        ),
                    );
                }
            }
            if let Some(u) = c.unique {
                let key = match self.unique[u].1 {
                    Uniqueness::Exact => hash(v.bytes()),
                    Uniqueness::IgnoreCase => hash(folded(v)),
                };
                out.push_key(u, key, v);
            }
        }
        out
    }

    /// GitHub EMU's username for a userName value, or why GitHub refuses it.
    fn github(&self, raw: &str) -> Result<String, String> {
        let mut id = github_identifier(raw)?;
        let code = self.short_code.as_deref().unwrap_or(ASSUMED_SHORT_CODE);
        id.push('_');
        id.push_str(code);
        Ok(id)
    }
}

/// GitHub EMU's normalised identifier (without the short code) for a userName value, or why
/// it is refused (github/docs: username-considerations-for-external-authentication.md).
pub fn github_identifier(raw: &str) -> Result<String, String> {
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
    // Room for `_` and the longest short code, appended by the caller.
    let mut normalised = String::with_capacity(id.len() + 9);
    normalised.extend(
        id.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }),
    );
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
    Ok(normalised)
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
    // FNV-1a, then a final mix so that the identity-hashed table spreads well.
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

/// The keys are hashes already.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Seen = HashMap<u64, u32, BuildHasherDefault<Identity>>;

/// Counts of one rule, and its first users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleCount {
    pub count: u64,
    pub first: Vec<String>,
}

/// Settles users in input order: `unique` across users, counts per rule.
pub struct Tally {
    seen: Vec<Seen>,
    /// Users settled so far.
    ordinal: u32,
    /// Per (target, rule).
    pub counts: BTreeMap<(String, &'static str), RuleCount>,
    pub total: u64,
}

impl Tally {
    pub fn new(checker: &Checker) -> Tally {
        Tally {
            seen: (0..checker.unique_rules())
                .map(|_| Seen::default())
                .collect(),
            ordinal: 0,
            counts: BTreeMap::new(),
            total: 0,
        }
    }

    /// Takes one user (in input order): adds its `unique` violations, counts, and calls `each`
    /// for every violation.
    pub fn settle(
        &mut self,
        checker: &Checker,
        mut uc: UserCheck,
        each: &mut dyn FnMut(&Violation),
    ) {
        self.ordinal = self.ordinal.saturating_add(1);
        let first_key = uc.first.take();
        let more = std::mem::take(&mut uc.more);
        for (u, key, range) in first_key.into_iter().chain(more) {
            let first = *self.seen[u].entry(key).or_insert(self.ordinal);
            if first != self.ordinal {
                let (target, kind) = &checker.unique[u];
                let value = uc.text[range].to_string();
                uc.violations.push(Violation {
                    user: uc.user().to_string(),
                    target: target.clone(),
                    rule: "unique",
                    message: format!(
                        "{target} `{}` is also the value of an earlier user (the {} user read){}; {} needs it unique",
                        shown(&value),
                        ordinal(first),
                        if *kind == Uniqueness::IgnoreCase {
                            ", ignoring case"
                        } else {
                            ""
                        },
                        checker.profile
                    ),
                    value: Some(value),
                });
            }
        }
        for v in &uc.violations {
            self.total += 1;
            let c = self.counts.entry((v.target.clone(), v.rule)).or_default();
            c.count += 1;
            if c.first.len() < FIRST_USERS {
                c.first.push(v.user.clone());
            }
            each(v);
        }
    }

    /// Bytes the unique tables hold (their capacity, not counting the allocator's overhead).
    pub fn table_bytes(&self) -> usize {
        self.seen
            .iter()
            .map(|s| s.capacity() * (UNIQUE_ENTRY_BYTES + 1))
            .sum()
    }
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

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal(103), "103rd");
    }
}
