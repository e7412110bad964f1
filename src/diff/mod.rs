//! `entramap diff`: what a change to a mapping file changes — in its structure, in risks for
//! the users already provisioned, and (with users) in the values each user gets.
//!
//! Object mappings are paired by source and target object name, attribute mappings by target
//! name (ignoring ASCII case; a target mapped twice pairs its occurrences in order). Two files
//! are equivalent when every pair is equal after each expression is printed canonically, whatever
//! the key order, the format (Graph JSON or YAML) and the order of the attribute mappings.
//!
//! ```
//! use entramap::diff::{self, Options};
//! let old = entramap::mapping::load(r#"[{"targetAttributeName": "userName", "matchingPriority": 1,
//!     "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}}]"#).unwrap();
//! let new = entramap::mapping::load(r#"[{"targetAttributeName": "userName", "matchingPriority": 1,
//!     "source": {"type": "Attribute", "name": "mail", "expression": "[mail]"}}]"#).unwrap();
//! let report = diff::compare(&old, &new, &Options::default());
//! assert!(!report.equivalent);
//! let names: Vec<&str> = report.findings.iter().map(|f| f.name).collect();
//! assert_eq!(names, ["matching-changed", "user-name-source-changed"]);
//! ```

pub mod behaviour;
pub mod registry;

use crate::check;
use crate::lint::rules::active_not_lowercase_boolean::{DOMAIN, Wire, evaluate_cases};
use crate::mapping::{AttributeMapping, MappingFile, ObjectMapping, ScopeClause, Shape};
use crate::profile::Profile;
use crate::syntax;
use crate::wire::{ScimMode, TargetType};
pub use behaviour::Behaviour;
use registry::{FindingMeta, Kind};
use serde::Serialize;
use std::collections::BTreeSet;

/// Settings of a comparison.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The app's profile: a target newly sent that it does not accept is a finding.
    pub profile: Option<Profile>,
    /// The tenant's SCIM mode, for evaluating `active`.
    pub mode: ScimMode,
}

/// Whether a pair is new, gone, or on both sides with differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Added,
    Removed,
    Changed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }
}

/// An attribute mapping as the comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingView {
    /// The expression printed canonically (as written when it does not parse); `None` for a
    /// mapping with only a default value.
    pub source: Option<String>,
    pub flow_type: String,
    pub matching_priority: u32,
    pub default_value: Option<String>,
}

/// One attribute mapping that differs.
#[derive(Debug, Clone, Serialize)]
pub struct MappingChange {
    pub target: String,
    pub status: Status,
    pub old: Option<MappingView>,
    pub new: Option<MappingView>,
    /// The fields that differ (`source`, `flow_type`, `matching_priority`, `default_value`).
    pub changed: Vec<&'static str>,
}

/// An object mapping's settings as the comparison sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectView {
    pub enabled: bool,
    /// The object actions, in Graph's order (`Add, Update, Delete` when the file does not say).
    pub actions: String,
    /// The scoping filter in words: groups joined by `or`, clauses by `and`, each sorted;
    /// empty when every user is in scope.
    pub scope: String,
}

/// One object mapping that differs.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectChange {
    pub source_object: String,
    pub target_object: String,
    pub status: Status,
    pub old: Option<ObjectView>,
    pub new: Option<ObjectView>,
    /// The settings that differ (`enabled`, `actions`, `scope`).
    pub changed: Vec<&'static str>,
    /// The attribute mappings that differ, in the new file's order (removed ones last).
    pub mappings: Vec<MappingChange>,
}

/// A named risk or repair.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// The object mapping (`User → urn:…:User`).
    pub object: String,
    pub target: Option<String>,
    pub message: String,
    /// What to do about it.
    pub advice: &'static str,
}

/// Everything `diff` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// No structural difference at all.
    pub equivalent: bool,
    pub objects: Vec<ObjectChange>,
    pub findings: Vec<Finding>,
    /// With users: what changes for them.
    pub behaviour: Option<Behaviour>,
}

impl Report {
    pub fn risks(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.kind == Kind::Risk)
            .count()
    }
}

/// Compares two loaded mapping files.
pub fn compare(old: &MappingFile, new: &MappingFile, options: &Options) -> Report {
    let mut objects = Vec::new();
    let mut findings = Vec::new();
    let key = |om: &ObjectMapping| {
        (
            om.source_object.to_ascii_lowercase(),
            om.target_object.to_ascii_lowercase(),
        )
    };
    let pairs = pair_bare(pair(&old.object_mappings, &new.object_mappings, key));
    for (o, n) in pairs {
        let change = match (o, n) {
            (Some(o), Some(n)) => {
                let c = compare_objects(o, n);
                object_findings(o, n, new.shape, options, &mut findings);
                c
            }
            (None, Some(n)) => {
                object_findings(&blank_like(n), n, new.shape, options, &mut findings);
                Some(whole_object(n, Status::Added))
            }
            (Some(o), None) => {
                object_findings(o, &blank_like(o), new.shape, options, &mut findings);
                Some(whole_object(o, Status::Removed))
            }
            (None, None) => None,
        };
        objects.extend(change);
    }
    // In code order, each code's findings in object order.
    findings.sort_by_key(|f| f.code);
    Report {
        equivalent: objects.is_empty(),
        objects,
        findings,
        behaviour: None,
    }
}

/// An object mapping with the same names and no attribute mappings, standing in for the side
/// that lacks it (so that removing a user object reports what stops flowing). It is disabled:
/// only the findings about values (active, the profile) apply to it.
fn blank_like(om: &ObjectMapping) -> ObjectMapping {
    let mut blank = om.clone();
    blank.attribute_mappings.clear();
    blank.scope.clear();
    blank.enabled = false;
    blank
}

/// Pairs items by key, in `new`'s order with removed ones after; equal keys pair in order.
fn pair<'a, T, K: Eq + std::hash::Hash>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&T) -> K,
) -> Vec<(Option<&'a T>, Option<&'a T>)> {
    // Each key's old items in order, so pairing is linear in the number of items.
    let mut by_key: std::collections::HashMap<K, std::collections::VecDeque<usize>> =
        std::collections::HashMap::new();
    for (i, o) in old.iter().enumerate() {
        by_key.entry(key(o)).or_default().push_back(i);
    }
    let mut used = vec![false; old.len()];
    let mut out = Vec::new();
    for n in new {
        let found = by_key.get_mut(&key(n)).and_then(|q| q.pop_front());
        if let Some(i) = found {
            used[i] = true;
        }
        out.push((found.map(|i| &old[i]), Some(n)));
    }
    for (i, o) in old.iter().enumerate() {
        if !used[i] {
            out.push((Some(o), None));
        }
    }
    out
}

/// A bare attributeMappings list names no objects: it pairs with the other side's unpaired
/// user object (its source object `User`, else its first unpaired one).
fn pair_bare<'a>(
    mut pairs: Vec<(Option<&'a ObjectMapping>, Option<&'a ObjectMapping>)>,
) -> Vec<(Option<&'a ObjectMapping>, Option<&'a ObjectMapping>)> {
    let bare = |om: &ObjectMapping| om.source_object.is_empty() && om.target_object.is_empty();
    type Pair<'a> = (Option<&'a ObjectMapping>, Option<&'a ObjectMapping>);
    /// The object of a pair that has only an old (`old`) or only a new side.
    fn lone<'a>(p: &Pair<'a>, old: bool) -> Option<&'a ObjectMapping> {
        match *p {
            (Some(o), None) if old => Some(o),
            (None, Some(n)) if !old => Some(n),
            _ => None,
        }
    }
    for bare_old in [false, true] {
        let Some(i) = (0..pairs.len()).find(|&i| lone(&pairs[i], bare_old).is_some_and(bare))
        else {
            continue;
        };
        let candidates: Vec<usize> = (0..pairs.len())
            .filter(|&j| lone(&pairs[j], !bare_old).is_some_and(|om| !bare(om)))
            .collect();
        let user = candidates.iter().copied().find(|&j| {
            lone(&pairs[j], !bare_old)
                .is_some_and(|om| om.source_object.eq_ignore_ascii_case("User"))
        });
        let Some(j) = user.or(candidates.first().copied()) else {
            continue;
        };
        let (a, b) = (lone(&pairs[i], bare_old), lone(&pairs[j], !bare_old));
        let joined = if bare_old { (a, b) } else { (b, a) };
        let (keep, drop) = (i.min(j), i.max(j));
        pairs[keep] = joined;
        pairs.remove(drop);
    }
    pairs
}

/// An expression's canonical text: parsed and printed, or the text as written (trimmed) when it
/// does not parse.
pub fn canonical(text: &str) -> String {
    match syntax::parse(text) {
        Ok(expr) => syntax::print(&expr),
        Err(_) => text.trim().to_string(),
    }
}

fn view(m: &AttributeMapping) -> MappingView {
    MappingView {
        source: m.source.as_ref().map(|s| canonical(&s.text)),
        flow_type: format!("{:?}", m.flow_type),
        matching_priority: m.matching_priority,
        default_value: m.default_value.clone().filter(|d| !d.is_empty()),
    }
}

fn object_view(om: &ObjectMapping) -> ObjectView {
    ObjectView {
        enabled: om.enabled,
        actions: actions(om.actions.as_deref()),
        scope: scope_text(&scope_sets(om)),
    }
}

/// The object actions in Graph's order, whatever order or case the file writes them in.
fn actions(given: Option<&str>) -> String {
    let Some(given) = given else {
        return "Add, Update, Delete".into();
    };
    let mut items: Vec<String> = given
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let rank = |s: &str| {
        ["add", "update", "delete"]
            .iter()
            .position(|a| a.eq_ignore_ascii_case(s))
            .unwrap_or(3)
    };
    items.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    items.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    if items.is_empty() {
        return "none".into();
    }
    items.join(", ")
}

/// One clause as text (`department EQUALS "Sales"`), for comparing and showing.
fn clause_text(c: &ScopeClause) -> String {
    let values: Vec<String> = c.values.iter().map(|v| format!("{v:?}")).collect();
    let mut t = format!("{} {}", c.attribute, c.operator);
    if !values.is_empty() {
        t.push(' ');
        t.push_str(&values.join(", "));
    }
    t
}

/// The scoping filter as a set of groups, each a set of clauses. No filter is one group with no
/// clauses (it admits every user).
fn scope_sets(om: &ObjectMapping) -> BTreeSet<BTreeSet<String>> {
    let mut groups: BTreeSet<BTreeSet<String>> = om
        .scope
        .iter()
        .map(|g| g.clauses.iter().map(clause_text).collect())
        .collect();
    if groups.is_empty() {
        groups.insert(BTreeSet::new());
    }
    groups
}

fn scope_text(groups: &BTreeSet<BTreeSet<String>>) -> String {
    groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| {
            let clauses: Vec<&str> = g.iter().map(String::as_str).collect();
            let joined = clauses.join(" and ");
            if groups.len() > 1 && clauses.len() > 1 {
                format!("({joined})")
            } else {
                joined
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Whether every user `narrow` admits, `wide` admits too: each group of `narrow` has a group
/// of `wide` whose clauses are a subset of its own.
fn admits_all(wide: &BTreeSet<BTreeSet<String>>, narrow: &BTreeSet<BTreeSet<String>>) -> bool {
    narrow.iter().all(|g| wide.iter().any(|h| h.is_subset(g)))
}

fn whole_object(om: &ObjectMapping, status: Status) -> ObjectChange {
    let v = object_view(om);
    let (source_object, target_object) = match object_name(om).split_once(" → ") {
        Some(_) => (om.source_object.clone(), om.target_object.clone()),
        None => ("(attribute mappings)".to_string(), String::new()),
    };
    let mappings = om
        .attribute_mappings
        .iter()
        .map(|m| {
            let v = view(m);
            let (old, new) = match status {
                Status::Removed => (Some(v), None),
                _ => (None, Some(v)),
            };
            MappingChange {
                target: m.target.value.clone(),
                status,
                old,
                new,
                changed: Vec::new(),
            }
        })
        .collect();
    let (old, new) = match status {
        Status::Removed => (Some(v), None),
        _ => (None, Some(v)),
    };
    ObjectChange {
        source_object,
        target_object,
        status,
        old,
        new,
        changed: Vec::new(),
        mappings,
    }
}

fn target_key(m: &AttributeMapping) -> String {
    m.target.value.to_ascii_lowercase()
}

fn compare_objects(o: &ObjectMapping, n: &ObjectMapping) -> Option<ObjectChange> {
    let (ov, nv) = (object_view(o), object_view(n));
    let mut changed = Vec::new();
    if ov.enabled != nv.enabled {
        changed.push("enabled");
    }
    if ov.actions != nv.actions {
        changed.push("actions");
    }
    if scope_sets(o) != scope_sets(n) {
        changed.push("scope");
    }
    let mut mappings = Vec::new();
    for (om, nm) in pair(&o.attribute_mappings, &n.attribute_mappings, target_key) {
        let (ov, nv) = (om.map(view), nm.map(view));
        let (status, fields) = match (&ov, &nv) {
            (Some(a), Some(b)) => {
                let mut f = Vec::new();
                if a.source != b.source {
                    f.push("source");
                }
                if a.flow_type != b.flow_type {
                    f.push("flow_type");
                }
                if a.matching_priority != b.matching_priority {
                    f.push("matching_priority");
                }
                if a.default_value != b.default_value {
                    f.push("default_value");
                }
                if f.is_empty() {
                    continue;
                }
                (Status::Changed, f)
            }
            (None, Some(_)) => (Status::Added, Vec::new()),
            (Some(_), None) => (Status::Removed, Vec::new()),
            (None, None) => continue,
        };
        let target = nm
            .or(om)
            .map(|m| m.target.value.clone())
            .unwrap_or_default();
        mappings.push(MappingChange {
            target,
            status,
            old: ov,
            new: nv,
            changed: fields,
        });
    }
    if changed.is_empty() && mappings.is_empty() {
        return None;
    }
    // A bare list names no objects: show the other side's names.
    let named = if n.source_object.is_empty() { o } else { n };
    Some(ObjectChange {
        source_object: named.source_object.clone(),
        target_object: named.target_object.clone(),
        status: Status::Changed,
        old: Some(ov),
        new: Some(nv),
        changed,
        mappings,
    })
}

fn object_name(om: &ObjectMapping) -> String {
    if om.source_object.is_empty() && om.target_object.is_empty() {
        return "(attribute mappings)".into();
    }
    format!("{} → {}", om.source_object, om.target_object)
}

fn finding(
    meta: &'static FindingMeta,
    om: &ObjectMapping,
    target: Option<&str>,
    message: String,
) -> Finding {
    Finding {
        code: meta.code,
        name: meta.name,
        kind: meta.kind,
        object: object_name(om),
        target: target.map(str::to_string),
        message,
        advice: meta.advice,
    }
}

/// How a source shows in a finding's message.
fn shown(source: Option<&str>) -> String {
    match source {
        Some(s) => format!("`{s}`"),
        None => "no mapping".into(),
    }
}

fn find_target<'a>(om: &'a ObjectMapping, target: &str) -> Option<&'a AttributeMapping> {
    om.attribute_mappings
        .iter()
        .find(|m| m.target.value.eq_ignore_ascii_case(target))
}

fn source_of(om: &ObjectMapping, target: &str) -> Option<String> {
    find_target(om, target)
        .and_then(|m| m.source.as_ref())
        .map(|s| canonical(&s.text))
}

/// The findings of one pair of object mappings (`o` may be a blank stand-in for an added
/// object, `n` for a removed one).
fn object_findings(
    o: &ObjectMapping,
    n: &ObjectMapping,
    shape: Shape,
    options: &Options,
    out: &mut Vec<Finding>,
) {
    if o.enabled && n.enabled {
        existing_users(o, n, out);
    }
    active_findings(o, n, options.mode, out);
    if let Some(profile) = &options.profile {
        let about =
            n.enabled && (profile.is_about(&n.target_object) || shape == Shape::AttributeMappings);
        if about {
            for m in &n.attribute_mappings {
                let t = &m.target.value;
                if find_target(o, t).is_none() && !profile.allows(t) {
                    out.push(finding(
                        &registry::NEW_TARGET_NOT_ALLOWED,
                        n,
                        Some(t),
                        format!(
                            "`{t}` is newly sent, and {} does not accept it",
                            profile.name
                        ),
                    ));
                }
            }
        }
    }
}

/// The findings about users the app already has: matching, externalId, userName, scope (only
/// for an object mapping enabled on both sides).
fn existing_users(o: &ObjectMapping, n: &ObjectMapping, out: &mut Vec<Finding>) {
    // Matching attributes: (priority, target, source), in priority order.
    let matching = |om: &ObjectMapping| -> Vec<(u32, String, Option<String>)> {
        let mut v: Vec<_> = om
            .attribute_mappings
            .iter()
            .filter(|m| m.matching_priority > 0)
            .map(|m| {
                (
                    m.matching_priority,
                    m.target.value.clone(),
                    m.source.as_ref().map(|s| canonical(&s.text)),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (mo, mn) = (matching(o), matching(n));
    let lower = |v: &[(u32, String, Option<String>)]| -> Vec<(u32, String, Option<String>)> {
        v.iter()
            .map(|(p, t, s)| (*p, t.to_ascii_lowercase(), s.clone()))
            .collect()
    };
    if lower(&mo) != lower(&mn) {
        let describe = |v: &[(u32, String, Option<String>)]| {
            if v.is_empty() {
                return "none".to_string();
            }
            v.iter()
                .map(|(p, t, s)| {
                    format!(
                        "{t} ← {} (priority {p})",
                        s.as_deref().unwrap_or("no source")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(finding(
            &registry::MATCHING_CHANGED,
            n,
            mn.first().or(mo.first()).map(|(_, t, _)| t.as_str()),
            format!(
                "users are matched by {} instead of {}",
                describe(&mn),
                describe(&mo)
            ),
        ));
    }
    for (target, meta) in [
        ("externalId", &registry::EXTERNAL_ID_SOURCE_CHANGED),
        ("userName", &registry::USER_NAME_SOURCE_CHANGED),
    ] {
        let (so, sn) = (source_of(o, target), source_of(n, target));
        let present = find_target(o, target).is_some() || find_target(n, target).is_some();
        if present && so != sn {
            out.push(finding(
                meta,
                n,
                Some(target),
                format!(
                    "{target} was {} and is now {}",
                    shown(so.as_deref()),
                    shown(sn.as_deref())
                ),
            ));
        }
    }
    let (so, sn) = (scope_sets(o), scope_sets(n));
    if so != sn {
        let (wider, narrower) = (admits_all(&sn, &so), admits_all(&so, &sn));
        let text = |s: &BTreeSet<BTreeSet<String>>| {
            let t = scope_text(s);
            if t.is_empty() { "every user".into() } else { t }
        };
        let meta = match (wider, narrower) {
            (true, false) => Some(&registry::SCOPE_WIDENED),
            (false, true) => Some(&registry::SCOPE_NARROWED),
            (false, false) => Some(&registry::SCOPE_CHANGED),
            // Written differently, admitting the same users.
            (true, true) => None,
        };
        if let Some(meta) = meta {
            out.push(finding(
                meta,
                n,
                None,
                format!("scope was {} and is now {}", text(&so), text(&sn)),
            ));
        }
    }
}

/// For each input of the active rule's domain: whether a value for `active` reaches the app
/// (for some value of the other attributes it reads), and how it shows.
fn active_flows(om: &ObjectMapping, mode: ScimMode) -> [(bool, String); 3] {
    let none = || (false, "nothing (no mapping to active)".to_string());
    let Some(m) = find_target(om, "active") else {
        return [none(), none(), none()];
    };
    let Some(src) = &m.source else {
        return [none(), none(), none()];
    };
    let Some(checked) = syntax::parse(&src.text)
        .ok()
        .and_then(|e| check::checked(e).ok())
    else {
        let bad = || (false, "nothing (the expression does not run)".to_string());
        return [bad(), bad(), bad()];
    };
    let cases = evaluate_cases(&checked, mode, TargetType::BOOLEAN);
    DOMAIN.map(|(deleted, enabled)| {
        let at: Vec<_> = cases
            .iter()
            .filter(|c| c.is_soft_deleted == deleted && c.account_enabled == enabled)
            .collect();
        let flowing = at
            .iter()
            .find(|c| matches!(c.wire, Wire::Bool(_) | Wire::Text(_)));
        match flowing {
            Some(c) => (true, c.wire.show()),
            None => (
                false,
                at.first().map_or_else(String::new, |c| c.wire.show()),
            ),
        }
    })
}

fn active_findings(o: &ObjectMapping, n: &ObjectMapping, mode: ScimMode, out: &mut Vec<Finding>) {
    if find_target(o, "active").is_none() && find_target(n, "active").is_none() {
        return;
    }
    let (fo, fnew) = (active_flows(o, mode), active_flows(n, mode));
    let inputs = |(deleted, enabled): (bool, bool)| {
        format!(
            "IsSoftDeleted={}, accountEnabled={}",
            if deleted { "True" } else { "False" },
            if enabled { "True" } else { "False" }
        )
    };
    let mut stops = Vec::new();
    let mut starts = Vec::new();
    for (i, point) in DOMAIN.iter().enumerate() {
        let (a, b) = (&fo[i], &fnew[i]);
        let line = format!("{}: {} → {}", inputs(*point), a.1, b.1);
        if a.0 && !b.0 {
            stops.push(line);
        } else if !a.0 && b.0 {
            starts.push(line);
        }
    }
    let target = find_target(n, "active")
        .or(find_target(o, "active"))
        .map(|m| m.target.value.as_str());
    if !stops.is_empty() {
        out.push(finding(
            &registry::ACTIVE_STOPS_FLOWING,
            n,
            target,
            format!(
                "active no longer reaches the app ({} mode) for {}",
                mode.as_str(),
                stops.join("; ")
            ),
        ));
    }
    if !starts.is_empty() {
        out.push(finding(
            &registry::ACTIVE_STARTS_FLOWING,
            n,
            target,
            format!(
                "active now reaches the app ({} mode) for {}",
                mode.as_str(),
                starts.join("; ")
            ),
        ));
    }
}
