//! The report: events folded into per-cycle counts, error groups, skip reasons and repeated
//! updates, in memory that grows with distinct users and (user, attribute) pairs only.
//!
//! A repeated update is a user and attribute updated in two or more cycles. Each update of a
//! pair is classified on its own (what the target held against what Entra sent), and the pair's
//! cause is decided at the end from every class it showed and whether Entra sent the same value
//! each time (see [`Cause`]).

use super::codes;
use super::event::{Action, Event, Status, StepKind, detail, detail_text};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

/// The version of the JSON report's shape; a change that removes or renames a field bumps it.
pub const REPORT_VERSION: u32 = 1;
/// How many users a group lists by name (the count is always exact).
pub const MAX_EXAMPLES: usize = 20;
/// How many distinct target attribute names the report tracks; further names are counted
/// under the last slot's name `(other attributes)`.
pub const MAX_ATTRIBUTES: usize = 4096;

/// Why a user's attribute is updated cycle after cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// The target does not hold the attribute after the update (the matching step shows no
    /// value): the app drops it, so Entra sends it again.
    TargetDropsValue,
    /// What the target holds and what Entra sends differ only in letter case.
    CaseDrift,
    /// The same value in another type: `"True"` against a boolean, `"1"` against 1.
    TypeDrift,
    /// A multi-valued attribute with the same values in another order (or spacing).
    OrderDrift,
    /// A reference (`manager`) the app does not echo back as Entra wrote it.
    ReferenceNotEchoed,
    /// Entra sends a new value each cycle (`Now()`, `Guid()`, `RandomString()`).
    ValueChanges,
    /// Entra sends the same value each cycle and the app holds a different one: the app
    /// rewrites the value it is given.
    TargetAltersValue,
    /// The log does not show what the target held, and Entra sent the same value each time.
    Unexplained,
}

impl Cause {
    pub fn name(self) -> &'static str {
        match self {
            Cause::TargetDropsValue => "target-drops-value",
            Cause::CaseDrift => "case-drift",
            Cause::TypeDrift => "type-drift",
            Cause::OrderDrift => "order-drift",
            Cause::ReferenceNotEchoed => "reference-not-echoed",
            Cause::ValueChanges => "value-changes",
            Cause::TargetAltersValue => "target-alters-value",
            Cause::Unexplained => "unexplained",
        }
    }

    /// One sentence for the report.
    pub fn explanation(self) -> &'static str {
        match self {
            Cause::TargetDropsValue => {
                "the app does not keep the value: the matching step shows the target without it, so every cycle sends it again"
            }
            Cause::CaseDrift => {
                "the app stores the value in other letter case than Entra sends, and Entra compares case-sensitively"
            }
            Cause::TypeDrift => {
                "the app returns the value in another type (a boolean or number for text, or the reverse)"
            }
            Cause::OrderDrift => {
                "the app returns the same values of a multi-valued attribute in another order"
            }
            Cause::ReferenceNotEchoed => {
                "the app does not return the reference (manager) as Entra wrote it, so Entra resolves and writes it again"
            }
            Cause::ValueChanges => "the mapping yields a new value every cycle",
            Cause::TargetAltersValue => {
                "Entra sends the same value every cycle and the app keeps a different one"
            }
            Cause::Unexplained => "the log shows neither the target's value nor a changing source",
        }
    }
}

// Per-update evidence, as bits of a pair's record.
const EV_DROPPED: u8 = 1;
const EV_CASE: u8 = 2;
const EV_TYPE: u8 = 4;
const EV_ORDER: u8 = 8;
const EV_REFERENCE: u8 = 16;
const EV_DIFFERS: u8 = 32;
const EV_UNKNOWN: u8 = 64;
const EV_SAME: u8 = 128;

/// What the report keeps per (user, attribute) pair: fixed size, keyed by a 64-bit hash.
#[derive(Debug, Clone, Copy)]
struct Pair {
    user: u32,
    attribute: u16,
    evidence: u8,
    /// Entra sent a different value in a later cycle.
    varies: bool,
    cycles: u32,
    last_cycle: u32,
    last_new: u64,
}

#[derive(Debug, Clone)]
struct User {
    name: Box<str>,
    last_cycle: u32,
}

#[derive(Debug, Clone)]
struct Cycle {
    id: String,
    job: String,
    first: Option<jiff::Timestamp>,
    last: Option<jiff::Timestamp>,
    events: u64,
    users: u64,
    actions: [u64; 7],
    statuses: [u64; 5],
}

#[derive(Debug, Clone, Default)]
struct ErrorGroup {
    events: u64,
    /// The distinct users that failed with the code.
    users: std::collections::HashSet<u32>,
    examples: Vec<String>,
    category: Option<String>,
    reason: Option<String>,
    attributes: Vec<u16>,
}

#[derive(Debug, Clone, Default)]
struct SkipGroup {
    events: u64,
    examples: Vec<String>,
}

fn hash_of(parts: &[&str]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
        0xffu8.hash(&mut h);
    }
    h.finish()
}

/// Builds the report from events, one at a time.
#[derive(Debug, Default)]
pub struct Collector {
    events: u64,
    users: Vec<User>,
    user_index: HashMap<u64, u32>,
    cycles: Vec<Cycle>,
    cycle_index: HashMap<String, u32>,
    attributes: Vec<String>,
    attribute_index: HashMap<String, u16>,
    pairs: HashMap<u64, Pair>,
    errors: BTreeMap<String, ErrorGroup>,
    skips: BTreeMap<&'static str, SkipGroup>,
    failures: u64,
}

impl Collector {
    pub fn new() -> Collector {
        Collector::default()
    }

    fn user(&mut self, e: &Event) -> u32 {
        let key = if e.user_key.is_empty() {
            &e.change_id
        } else {
            &e.user_key
        };
        let h = hash_of(&[key]);
        if let Some(&i) = self.user_index.get(&h) {
            return i;
        }
        let i = self.users.len() as u32;
        let name = if e.user.is_empty() { key } else { &e.user };
        self.users.push(User {
            name: name.as_str().into(),
            last_cycle: u32::MAX,
        });
        self.user_index.insert(h, i);
        i
    }

    fn cycle(&mut self, e: &Event) -> u32 {
        if let Some(&i) = self.cycle_index.get(&e.cycle_id) {
            return i;
        }
        let i = self.cycles.len() as u32;
        self.cycles.push(Cycle {
            id: e.cycle_id.clone(),
            job: e.job_id.clone(),
            first: None,
            last: None,
            events: 0,
            users: 0,
            actions: [0; 7],
            statuses: [0; 5],
        });
        self.cycle_index.insert(e.cycle_id.clone(), i);
        i
    }

    fn attribute(&mut self, name: &str) -> u16 {
        let key = name.to_ascii_lowercase();
        if let Some(&i) = self.attribute_index.get(&key) {
            return i;
        }
        if self.attributes.len() >= MAX_ATTRIBUTES {
            return (MAX_ATTRIBUTES - 1) as u16;
        }
        let i = self.attributes.len() as u16;
        let shown = if self.attributes.len() == MAX_ATTRIBUTES - 1 {
            "(other attributes)".to_string()
        } else {
            name.to_string()
        };
        self.attributes.push(shown);
        self.attribute_index.insert(key, i);
        i
    }

    /// Folds one event into the report.
    pub fn add(&mut self, e: &Event) {
        self.events += 1;
        let user = self.user(e);
        let cycle = self.cycle(e);
        let time = e
            .time
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        let end = time.map(|t| {
            t.checked_add(jiff::SignedDuration::from_millis(
                e.duration_ms.unwrap_or(0).min(i64::MAX as u64) as i64,
            ))
            .unwrap_or(t)
        });
        {
            let c = &mut self.cycles[cycle as usize];
            c.events += 1;
            c.actions[Action::ALL.iter().position(|a| *a == e.action).unwrap_or(6)] += 1;
            c.statuses[Status::ALL.iter().position(|s| *s == e.status).unwrap_or(4)] += 1;
            if let Some(t) = time {
                c.first = Some(c.first.map_or(t, |f| f.min(t)));
            }
            if let Some(t) = end {
                c.last = Some(c.last.map_or(t, |l| l.max(t)));
            }
            let u = &mut self.users[user as usize];
            if u.last_cycle != cycle {
                u.last_cycle = cycle;
                c.users += 1;
            }
        }
        match e.status {
            Status::Failure => self.failure(e, user),
            Status::Skipped => self.skip(e, user),
            _ => {}
        }
        if e.action == Action::Update && matches!(e.status, Status::Success | Status::Warning) {
            self.update(e, user, cycle);
        }
    }

    fn failure(&mut self, e: &Event, user: u32) {
        self.failures += 1;
        let code = e
            .error
            .as_ref()
            .map_or("(no error code)".to_string(), |x| x.code.clone());
        let attrs: Vec<u16> = e.modified.iter().map(|m| self.attribute(&m.name)).collect();
        let name = self.users[user as usize].name.to_string();
        let g = self.errors.entry(code).or_default();
        g.events += 1;
        if g.users.insert(user) && g.examples.len() < MAX_EXAMPLES {
            g.examples.push(name);
        }
        if let Some(x) = &e.error {
            if g.category.is_none() {
                g.category.clone_from(&x.category);
            }
            if g.reason.is_none() {
                g.reason = x.reason.clone().or_else(|| x.additional_details.clone());
            }
        }
        for a in attrs {
            if !g.attributes.contains(&a) && g.attributes.len() < 64 {
                g.attributes.push(a);
            }
        }
    }

    fn skip(&mut self, e: &Event, user: u32) {
        let reason = skip_reason(e);
        let name = self.users[user as usize].name.to_string();
        let g = self.skips.entry(reason).or_default();
        g.events += 1;
        if g.examples.len() < MAX_EXAMPLES && !g.examples.contains(&name) {
            g.examples.push(name);
        }
    }

    fn update(&mut self, e: &Event, user: u32, cycle: u32) {
        let matching = e.step(StepKind::Matching);
        for m in &e.modified {
            let attribute = self.attribute(&m.name);
            let evidence = classify(
                &m.name,
                m.old.as_deref(),
                m.new.as_deref(),
                matching.map(|s| &s.details),
            );
            let user_key = if e.user_key.is_empty() {
                &e.change_id
            } else {
                &e.user_key
            };
            let key = hash_of(&[user_key, &m.name.to_ascii_lowercase()]);
            let new = hash_of(&[m.new.as_deref().unwrap_or("\u{0}")]);
            let p = self.pairs.entry(key).or_insert(Pair {
                user,
                attribute,
                evidence: 0,
                varies: false,
                cycles: 0,
                last_cycle: u32::MAX,
                last_new: new,
            });
            p.evidence |= evidence;
            if p.last_cycle != cycle {
                if p.cycles > 0 && p.last_new != new {
                    p.varies = true;
                }
                p.cycles += 1;
                p.last_cycle = cycle;
                p.last_new = new;
            }
        }
    }

    /// The finished report.
    pub fn finish(self) -> Report {
        let Collector {
            events,
            users,
            cycles,
            attributes,
            pairs,
            errors,
            skips,
            failures,
            ..
        } = self;
        let mut cycles_out: Vec<CycleReport> = cycles
            .into_iter()
            .map(|c| CycleReport {
                cycle_id: c.id,
                job_id: c.job,
                first: c.first.map(|t| t.to_string()),
                last: c.last.map(|t| t.to_string()),
                duration_seconds: match (c.first, c.last) {
                    (Some(f), Some(l)) => Some(l.duration_since(f).as_secs().max(0)),
                    _ => None,
                },
                events: c.events,
                users: c.users,
                actions: Action::ALL
                    .iter()
                    .zip(c.actions)
                    .filter(|(_, n)| *n > 0)
                    .map(|(a, n)| (a.name(), n))
                    .collect(),
                statuses: Status::ALL
                    .iter()
                    .zip(c.statuses)
                    .filter(|(_, n)| *n > 0)
                    .map(|(s, n)| (s.name(), n))
                    .collect(),
            })
            .collect();
        cycles_out.sort_by(|a, b| a.first.cmp(&b.first).then(a.cycle_id.cmp(&b.cycle_id)));

        let mut groups: BTreeMap<(String, Cause), Vec<(String, u32)>> = BTreeMap::new();
        let mut repeated_pairs = 0u64;
        for p in pairs.values().filter(|p| p.cycles >= 2) {
            repeated_pairs += 1;
            let cause = decide(p.evidence, p.varies);
            groups
                .entry((attributes[p.attribute as usize].clone(), cause))
                .or_default()
                .push((users[p.user as usize].name.to_string(), p.cycles));
        }
        let repeated = groups
            .into_iter()
            .map(|((attribute, cause), mut list)| {
                list.sort();
                let count = list.len() as u64;
                let max_cycles = list.iter().map(|(_, c)| *c).max().unwrap_or(0);
                list.truncate(MAX_EXAMPLES);
                RepeatedReport {
                    attribute,
                    cause,
                    explanation: cause.explanation(),
                    users: count,
                    max_cycles,
                    examples: list
                        .into_iter()
                        .map(|(user, cycles)| PairExample { user, cycles })
                        .collect(),
                    mapping: None,
                }
            })
            .collect();
        let errors = errors
            .into_iter()
            .map(|(code, g)| {
                let doc = codes::lookup(&code);
                ErrorReport {
                    documented_as: doc.map(|d| d.code),
                    meaning: doc.map(|d| d.meaning),
                    remedy: doc.map(|d| d.remedy),
                    transient: doc.is_some_and(|d| d.transient),
                    code,
                    category: g.category,
                    events: g.events,
                    users: g.users.len() as u64,
                    examples: g.examples,
                    reason: g.reason,
                    attributes: g
                        .attributes
                        .iter()
                        .map(|&a| attributes[a as usize].clone())
                        .collect(),
                    mappings: Vec::new(),
                }
            })
            .collect();
        let skips = skips
            .into_iter()
            .map(|(reason, g)| SkipReport {
                reason,
                explanation: skip_explanation(reason),
                events: g.events,
                examples: g.examples,
            })
            .collect();
        Report {
            version: REPORT_VERSION,
            events,
            users: users.len() as u64,
            failures,
            repeated_pairs,
            cycles: cycles_out,
            errors,
            repeated,
            skips,
            not_persisted: Vec::new(),
        }
    }
}

/// The evidence one update gives about its attribute.
fn classify(
    attribute: &str,
    old: Option<&str>,
    new: Option<&str>,
    matching: Option<&serde_json::Map<String, Json>>,
) -> u8 {
    if is_reference(attribute) {
        return EV_REFERENCE;
    }
    // What the target held: the old value, else the matching step's value for the attribute.
    let held: Option<String> = match old {
        Some(o) => Some(o.to_string()),
        None => matching
            .and_then(|d| detail(d, attribute))
            .and_then(detail_text),
    };
    let Some(held) = held else {
        return if matching.is_some() {
            EV_DROPPED
        } else {
            EV_UNKNOWN
        };
    };
    let new = new.unwrap_or("");
    if held == new {
        return EV_SAME;
    }
    // A boolean or number on one side (JSON `true` in the matching step, `"True"` text sent):
    // the same value in another type.
    if typed(&held).is_some() && typed(&held) == typed(new) {
        return EV_TYPE;
    }
    if held.eq_ignore_ascii_case(new) || held.to_lowercase() == new.to_lowercase() {
        return EV_CASE;
    }
    if held.contains(',') || new.contains(',') {
        let mut a: Vec<&str> = held.split(',').map(str::trim).collect();
        let mut b: Vec<&str> = new.split(',').map(str::trim).collect();
        a.sort_unstable();
        b.sort_unstable();
        if a == b {
            return EV_ORDER;
        }
    }
    EV_DIFFERS
}

/// A value read as a boolean or a number, for comparing types: `True`, `true`, `1` are the
/// boolean/number 1; `False`, `false`, `0` are 0; decimal numbers as themselves.
fn typed(text: &str) -> Option<i128> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") {
        return Some(1);
    }
    if t.eq_ignore_ascii_case("false") {
        return Some(0);
    }
    let f: f64 = t.parse().ok()?;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30 {
        Some(f as i128)
    } else {
        None
    }
}

/// Whether a target attribute is a reference to another object (SCIM's `manager`, the
/// enterprise extension's `…:manager`, Entra's `manager`).
fn is_reference(attribute: &str) -> bool {
    let a = attribute.to_ascii_lowercase();
    let last = a.rsplit([':', '.']).next().unwrap_or(&a);
    let last = last.split('[').next().unwrap_or(last);
    last == "manager" || (a.contains("manager") && last == "value")
}

/// The pair's cause from everything its updates showed.
fn decide(evidence: u8, varies: bool) -> Cause {
    if evidence & EV_REFERENCE != 0 {
        Cause::ReferenceNotEchoed
    } else if varies {
        Cause::ValueChanges
    } else if evidence & EV_DROPPED != 0 {
        Cause::TargetDropsValue
    } else if evidence & EV_TYPE != 0 {
        Cause::TypeDrift
    } else if evidence & EV_CASE != 0 {
        Cause::CaseDrift
    } else if evidence & EV_ORDER != 0 {
        Cause::OrderDrift
    } else if evidence & EV_DIFFERS != 0 {
        Cause::TargetAltersValue
    } else {
        Cause::Unexplained
    }
}

fn is_false(v: Option<&Json>) -> bool {
    v.and_then(detail_text)
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("false"))
}

/// Why a skipped event was skipped, from its scoping and export steps.
fn skip_reason(e: &Event) -> &'static str {
    if let Some(s) = e.step(StepKind::Scoping) {
        let d = &s.details;
        if is_false(detail(d, "Assigned")) {
            return "not-assigned";
        }
        if is_false(detail(d, "IsActive")) {
            return "not-active";
        }
        if is_false(detail(d, "IsEffectivelyEntitledForProvisioning")) {
            return "not-effectively-entitled";
        }
        if d.iter().any(|(k, v)| {
            k.to_ascii_lowercase().starts_with("isinprovisioningscope") && is_false(Some(v))
        }) {
            return "out-of-scope";
        }
    }
    let redundant = e.steps.iter().any(|s| {
        detail(&s.details, "SkipReason")
            .and_then(detail_text)
            .is_some_and(|r| r.eq_ignore_ascii_case("RedundantExport"))
    }) || e
        .error
        .as_ref()
        .is_some_and(|x| x.code.eq_ignore_ascii_case("RedundantExport"));
    if redundant {
        return "already-in-sync";
    }
    if e.error
        .as_ref()
        .is_some_and(|x| x.code.to_ascii_lowercase().ends_with("importskipped"))
    {
        return "import-skipped";
    }
    "unexplained"
}

fn skip_explanation(reason: &str) -> &'static str {
    match reason {
        "not-assigned" => "the user is not assigned to the app (scoping step: Assigned False)",
        "not-active" => {
            "the user is disabled or deleted in the source (scoping step: IsActive False)"
        }
        "not-effectively-entitled" => {
            "the user is not entitled to provisioning (scoping step: IsEffectivelyEntitledForProvisioning False)"
        }
        "out-of-scope" => {
            "a scoping filter leaves the user out (scoping step: IsInProvisioningScope… False)"
        }
        "already-in-sync" => "the source and the target already match (SkipReason RedundantExport)",
        "import-skipped" => {
            "the user could not be imported, usually for want of a matching attribute value"
        }
        _ => "the log does not say why (no scoping step with a False value, no skip reason)",
    }
}

// ------------------------------------------------------------------------------------ output

/// The JSON report (`entramap logs --format json`), version [`REPORT_VERSION`].
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub events: u64,
    pub users: u64,
    /// Events with status failure.
    pub failures: u64,
    /// (user, attribute) pairs updated in two or more cycles.
    pub repeated_pairs: u64,
    pub cycles: Vec<CycleReport>,
    pub errors: Vec<ErrorReport>,
    pub repeated: Vec<RepeatedReport>,
    pub skips: Vec<SkipReport>,
    /// With `--mapping` and `--profile`: updated targets the app does not persist.
    pub not_persisted: Vec<String>,
}

impl Report {
    /// Whether the logs show a failure or a repeated update (exit 1).
    pub fn has_findings(&self) -> bool {
        self.failures > 0 || self.repeated_pairs > 0
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CycleReport {
    pub cycle_id: String,
    pub job_id: String,
    pub first: Option<String>,
    pub last: Option<String>,
    pub duration_seconds: Option<i64>,
    pub events: u64,
    /// Distinct users with an event in the cycle.
    pub users: u64,
    pub actions: BTreeMap<&'static str, u64>,
    pub statuses: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    /// The code as logged.
    pub code: String,
    /// The documented code it is (`EntryConflict` for `ContosoEntryConflict`).
    pub documented_as: Option<&'static str>,
    pub meaning: Option<&'static str>,
    pub remedy: Option<&'static str>,
    /// Entra retries it by itself.
    pub transient: bool,
    pub category: Option<String>,
    pub events: u64,
    pub users: u64,
    pub examples: Vec<String>,
    /// The first event's reason text.
    pub reason: Option<String>,
    /// Attributes the failed events tried to write.
    pub attributes: Vec<String>,
    /// With `--mapping`: the mappings of the attributes the error names.
    pub mappings: Vec<MappingRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepeatedReport {
    pub attribute: String,
    pub cause: Cause,
    pub explanation: &'static str,
    /// How many users show it.
    pub users: u64,
    /// The most cycles one of them was updated in.
    pub max_cycles: u32,
    pub examples: Vec<PairExample>,
    /// With `--mapping`: the mapping that produces the attribute, and what to change.
    pub mapping: Option<MappingRef>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PairExample {
    pub user: String,
    pub cycles: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkipReport {
    pub reason: &'static str,
    pub explanation: &'static str,
    pub events: u64,
    pub examples: Vec<String>,
}

/// Where a mapping is, and what to change in it.
#[derive(Debug, Clone, Serialize)]
pub struct MappingRef {
    pub target: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub expression: Option<String>,
    pub advice: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_update_is_classified_by_what_the_target_held() {
        let none = None;
        assert_eq!(
            classify("displayName", Some("ann"), Some("Ann"), none),
            EV_CASE
        );
        assert_eq!(
            classify("active", Some("true"), Some("True"), none),
            EV_TYPE
        );
        assert_eq!(classify("x", Some("1"), Some("1.0"), none), EV_TYPE);
        assert_eq!(classify("roles", Some("b, a"), Some("a,b"), none), EV_ORDER);
        assert_eq!(
            classify("manager", Some("1"), Some("2"), none),
            EV_REFERENCE
        );
        assert_eq!(classify("title", Some("a"), Some("b"), none), EV_DIFFERS);
        assert_eq!(classify("title", None, Some("b"), none), EV_UNKNOWN);
        let empty = serde_json::Map::new();
        assert_eq!(classify("title", None, Some("b"), Some(&empty)), EV_DROPPED);
        let mut held = serde_json::Map::new();
        held.insert("Active".into(), Json::Bool(true));
        assert_eq!(classify("active", None, Some("True"), Some(&held)), EV_TYPE);
    }

    #[test]
    fn a_changing_value_outweighs_a_dropping_target() {
        assert_eq!(decide(EV_DROPPED, true), Cause::ValueChanges);
        assert_eq!(decide(EV_DROPPED, false), Cause::TargetDropsValue);
        assert_eq!(decide(EV_DIFFERS, false), Cause::TargetAltersValue);
        assert_eq!(decide(EV_REFERENCE, true), Cause::ReferenceNotEchoed);
    }
}
