//! One provisioning cycle for one user (reference §6.2): the matching query, then a POST, a
//! PATCH of the changed attributes, the deactivation PATCH, or nothing, decided against the
//! target app ([`super::app`]).
//!
//! Decisions:
//! * An in-scope user is matched with `GET /Users?filter=<target> eq "<value>"` for each matching
//!   attribute in `matchingPriority` order until one finds a resource.
//! * A soft-deleted user is looked up without a query (Entra knows the accounts it provisioned);
//!   when the app has it, the mappings that read `IsSoftDeleted` (usually `active`) are sent if
//!   they changed; when it does not, nothing is sent.
//! * Null never flows and nothing is removed; default values and create-only mappings apply to
//!   the POST only.
//! * `legacy` PATCH: ops `Add` (the app has no value) / `Replace`, every value as the
//!   expression's text (a reference as `[{"value": id}]`). `compliant` PATCH: lowercase ops,
//!   typed values, several replaces merged into one op whose value is keyed by path.

use super::app::{App, Stored};
use super::scim::{self, CORE_USER, PATCH_OP, Wire};
use super::scope::SoftDeleted;
use super::{Compiled, Computed, Plan};
use crate::wire::{self, Operation, ScimMode};
use serde_json::{Map, Value as Json};

// ------------------------------------------------------------------------------------ results

/// What the cycle does with a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Deactivate,
    /// Found, and nothing to send (the text says why when it is not obvious).
    Unchanged(Option<String>),
    /// Not sent to the app at all, and why.
    Skip(String),
    /// The evaluation failed: the mapping and the error.
    Error(String),
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Deactivate => "deactivate",
            Action::Unchanged(_) => "unchanged",
            Action::Skip(_) => "skip",
            Action::Error(_) => "error",
        }
    }

    pub fn detail(&self) -> Option<&str> {
        match self {
            Action::Unchanged(why) => why.as_deref(),
            Action::Skip(why) | Action::Error(why) => Some(why),
            _ => None,
        }
    }
}

/// What happened to one mapping in the cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteKind {
    /// Its value was sent.
    Flowed,
    /// Its default value was sent (create, no value).
    FlowedDefault,
    /// It produced null, and null never flows.
    NoValue,
    IgnoreFlow,
    IgnoreAttributeFlow,
    /// It skips the whole object.
    IgnoreObjectFlow,
    /// The app already has this value.
    Unchanged,
    /// A create-only mapping; the user exists.
    CreateOnly,
    /// The user is soft-deleted: only the mappings that read IsSoftDeleted flow.
    NotForDeactivation,
    /// Nothing is sent for this user.
    UserSkipped,
    /// The user failed (this mapping or another one).
    Failed,
}

/// One mapping's fate, and the wire value it sent (kept only when tracing).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub kind: NoteKind,
    pub sent: Option<Box<Json>>,
}

impl Note {
    fn new(kind: NoteKind) -> Note {
        Note { kind, sent: None }
    }

    pub fn flowed(&self) -> bool {
        matches!(self.kind, NoteKind::Flowed | NoteKind::FlowedDefault)
    }

    /// Why the mapping did not flow (or how it did, for a default value).
    pub fn why(&self, m: &Compiled) -> Option<String> {
        Some(match self.kind {
            NoteKind::Flowed => return None,
            NoteKind::FlowedDefault => {
                "the expression yields no value: the default value is sent on create".into()
            }
            NoteKind::NoValue => "the expression yields no value, and null never flows".into(),
            NoteKind::IgnoreFlow => "IgnoreFlowIfNullOrEmpty: the attribute is left out".into(),
            NoteKind::IgnoreAttributeFlow => "IgnoreAttributeFlow: the attribute is skipped".into(),
            NoteKind::IgnoreObjectFlow => "IgnoreObjectFlow: the user is skipped".into(),
            NoteKind::Unchanged => "the app already has this value".into(),
            NoteKind::CreateOnly => "applied on create only, and the user exists".into(),
            NoteKind::NotForDeactivation => {
                "the user is soft-deleted: only mappings that read IsSoftDeleted flow".into()
            }
            NoteKind::UserSkipped => "nothing is sent for this user".into(),
            NoteKind::Failed => {
                if m.expr.is_some() {
                    "the user failed: nothing is sent".into()
                } else {
                    "the user failed".into()
                }
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// One PATCH operation and the mappings it carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub op: &'static str,
    pub path: Option<String>,
    pub value: Json,
    pub causes: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    None,
    /// A POST body, written directly as JSON.
    Raw(Vec<u8>),
    Patch(Vec<Op>),
}

/// One HTTP request Entra sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    /// The matching query's filter, unencoded.
    pub filter: Option<String>,
    /// The app's id of the user a PATCH changes.
    pub id: Option<String>,
    body: Body,
    /// The mappings whose values the request carries.
    pub causes: Vec<usize>,
}

impl Request {
    /// Path and query, URL-encoded (`/Users?filter=userName%20eq%20%22a%22`, `/Users`,
    /// `/Users/{id}`).
    pub fn path(&self) -> String {
        match (&self.filter, &self.id) {
            (Some(f), _) => format!("/Users?filter={}", url_encode(f)),
            (None, Some(id)) => format!("/Users/{id}"),
            (None, None) => "/Users".into(),
        }
    }

    /// The POST body as JSON text (empty for other requests).
    pub fn body_bytes(&self) -> &[u8] {
        match &self.body {
            Body::Raw(b) => b,
            _ => &[],
        }
    }

    /// The PATCH operations (empty for other requests).
    pub fn ops(&self) -> &[Op] {
        match &self.body {
            Body::Patch(ops) => ops,
            _ => &[],
        }
    }

    /// The request body as a JSON tree.
    pub fn body_json(&self) -> Option<Json> {
        match &self.body {
            Body::None => None,
            Body::Raw(b) => serde_json::from_slice(b).ok(),
            Body::Patch(ops) => Some(patch_body(ops)),
        }
    }

    /// Writes the request as one JSON line: `user`, `method`, `path`, `filter` or `body`, and the
    /// given extra fields.
    pub fn write_line(&self, out: &mut Vec<u8>, user: &str, extra: Option<&Map<String, Json>>) {
        out.extend_from_slice(b"{\"user\":");
        scim::write_str(out, user);
        out.extend_from_slice(b",\"method\":\"");
        out.extend_from_slice(self.method.as_str().as_bytes());
        out.extend_from_slice(b"\",\"path\":");
        scim::write_str(out, &self.path());
        if let Some(f) = &self.filter {
            out.extend_from_slice(b",\"filter\":");
            scim::write_str(out, f);
        }
        match &self.body {
            Body::None => {}
            Body::Raw(b) => {
                out.extend_from_slice(b",\"body\":");
                out.extend_from_slice(b);
            }
            Body::Patch(ops) => {
                out.extend_from_slice(b",\"body\":{\"schemas\":[\"");
                out.extend_from_slice(PATCH_OP.as_bytes());
                out.extend_from_slice(b"\"],\"Operations\":[");
                for (i, o) in ops.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(b"{\"op\":");
                    scim::write_str(out, o.op);
                    if let Some(p) = &o.path {
                        out.extend_from_slice(b",\"path\":");
                        scim::write_str(out, p);
                    }
                    out.extend_from_slice(b",\"value\":");
                    scim::write_json(out, &o.value);
                    out.push(b'}');
                }
                out.extend_from_slice(b"]}");
            }
        }
        if let Some(extra) = extra {
            for (k, v) in extra {
                out.push(b',');
                scim::write_str(out, k);
                out.push(b':');
                scim::write_json(out, v);
            }
        }
        out.extend_from_slice(b"}\n");
    }
}

fn patch_body(ops: &[Op]) -> Json {
    let ops: Vec<Json> = ops
        .iter()
        .map(|o| {
            let mut m = Map::new();
            m.insert("op".into(), o.op.into());
            if let Some(p) = &o.path {
                m.insert("path".into(), Json::String(p.clone()));
            }
            m.insert("value".into(), o.value.clone());
            Json::Object(m)
        })
        .collect();
    let mut body = Map::new();
    body.insert("schemas".into(), Json::Array(vec![PATCH_OP.into()]));
    body.insert("Operations".into(), Json::Array(ops));
    Json::Object(body)
}

/// One user's cycle.
#[derive(Debug, Clone)]
pub struct UserResult {
    /// How the user is named in reports (object id, else userPrincipalName, else position).
    pub user: String,
    pub soft_deleted: Option<SoftDeleted>,
    pub action: Action,
    pub requests: Vec<Request>,
    /// One per mapping, in plan order.
    pub notes: Vec<Note>,
}

// ------------------------------------------------------------------------------------ cycle

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters).
pub fn url_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// The matching filter `target eq "value"`, the value quoted and escaped as a JSON string (as
/// RFC 7644 filters require).
pub fn filter(target: &str, value: &str) -> String {
    let mut out = Vec::with_capacity(target.len() + value.len() + 8);
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" eq ");
    scim::write_str(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

fn get_request(target: &str, value: &str) -> Request {
    Request {
        method: Method::Get,
        filter: Some(filter(target, value)),
        id: None,
        body: Body::None,
        causes: Vec::new(),
    }
}

fn failure(m: &Compiled, message: &str) -> String {
    match &m.text {
        Some(text) => format!("mapping to {} ({text}): {message}", m.target),
        None => format!("mapping to {}: {message}", m.target),
    }
}

/// A change to send: the mapping, its typed value, its legacy text value, whether the app has
/// a value already.
struct Change {
    index: usize,
    typed: Json,
    legacy: Json,
    exists: bool,
}

fn ops_for(mode: ScimMode, changes: Vec<Change>) -> Vec<Op> {
    match mode {
        ScimMode::Legacy => changes
            .into_iter()
            .map(|c| Op {
                op: if c.exists { "Replace" } else { "Add" },
                path: Some(String::new()),
                value: c.legacy,
                causes: vec![c.index],
            })
            .collect(),
        ScimMode::Compliant => {
            let replaces = changes.iter().filter(|c| c.exists).count();
            let mut ops = Vec::new();
            let mut merged: Option<usize> = None;
            for c in changes {
                if c.exists && replaces > 1 {
                    let at = *merged.get_or_insert_with(|| {
                        ops.push(Op {
                            op: "replace",
                            path: None,
                            value: Json::Object(Map::new()),
                            causes: Vec::new(),
                        });
                        ops.len() - 1
                    });
                    let op = &mut ops[at];
                    op.causes.push(c.index);
                    if let Json::Object(m) = &mut op.value {
                        // The key is filled in by the caller (the target name).
                        m.insert(c.index.to_string(), c.typed);
                    }
                } else {
                    ops.push(Op {
                        op: if c.exists { "replace" } else { "add" },
                        path: Some(String::new()),
                        value: c.typed,
                        causes: vec![c.index],
                    });
                }
            }
            ops
        }
    }
}

/// Fills in target names (paths and merged keys) once the ops are built.
fn name_ops(plan: &Plan, ops: &mut [Op]) {
    for op in ops {
        match &mut op.path {
            Some(p) => *p = plan.mappings[op.causes[0]].target.clone(),
            None => {
                if let Json::Object(m) = &mut op.value {
                    let renamed: Map<String, Json> = std::mem::take(m)
                        .into_iter()
                        .map(|(k, v)| {
                            let i: usize = k.parse().unwrap_or(0);
                            (plan.mappings[i].target.clone(), v)
                        })
                        .collect();
                    *m = renamed;
                }
            }
        }
    }
}

fn patch_request(plan: &Plan, mode: ScimMode, id: &str, changes: Vec<Change>) -> Request {
    let causes = changes.iter().map(|c| c.index).collect();
    let mut ops = ops_for(mode, changes);
    name_ops(plan, &mut ops);
    Request {
        method: Method::Patch,
        filter: None,
        id: Some(id.to_string()),
        body: Body::Patch(ops),
        causes,
    }
}

/// The changes of the given mappings against the app's resource (mappings without a value are
/// left out).
fn changes(
    plan: &Plan,
    computed: &[Computed<'_>],
    stored: &Stored<'_>,
    wanted: &dyn Fn(&Compiled) -> bool,
    notes: &mut [Note],
    trace: Option<ScimMode>,
) -> Result<Vec<Change>, String> {
    let mut out = Vec::new();
    for (i, m) in plan.mappings.iter().enumerate() {
        let Some(v) = computed[i].value() else {
            continue;
        };
        if !wanted(m) {
            continue;
        }
        let typed = wire::encode(v, m.ty, ScimMode::Compliant, Operation::Update)
            .map_err(|e| failure(m, &e.0))?
            .to_json(false);
        let current = stored.compare(plan, i, &typed);
        if current == Some(true) {
            notes[i] = Note::new(NoteKind::Unchanged);
            continue;
        }
        let legacy = wire::encode(v, m.ty, ScimMode::Legacy, Operation::Update)
            .map_err(|e| failure(m, &e.0))?
            .to_json(true);
        notes[i] = Note {
            kind: NoteKind::Flowed,
            sent: trace.map(|mode| {
                Box::new(match mode {
                    ScimMode::Legacy => legacy.clone(),
                    ScimMode::Compliant => typed.clone(),
                })
            }),
        };
        out.push(Change {
            index: i,
            typed,
            legacy,
            exists: current.is_some(),
        });
    }
    Ok(out)
}

fn outcome_note(c: &Computed<'_>) -> Option<NoteKind> {
    Some(match c {
        Computed::NoValue => NoteKind::NoValue,
        Computed::IgnoreFlow => NoteKind::IgnoreFlow,
        Computed::IgnoreAttributeFlow => NoteKind::IgnoreAttributeFlow,
        Computed::IgnoreObjectFlow => NoteKind::IgnoreObjectFlow,
        Computed::Error(_) => NoteKind::Failed,
        Computed::Value(_) => return None,
    })
}

/// Runs the cycle for one user: what Entra sends, and what happened to each mapping. Without
/// `gets`, the matching queries are left out of the requests (they are still run against the
/// app).
#[allow(clippy::too_many_arguments)]
pub fn process(
    plan: &Plan,
    mode: ScimMode,
    app: &App,
    name: String,
    soft: Option<SoftDeleted>,
    computed: &[Computed<'_>],
    trace: bool,
    gets: bool,
) -> UserResult {
    let n = plan.mappings.len();
    let mut notes: Vec<Note> = computed
        .iter()
        .map(|c| Note::new(outcome_note(c).unwrap_or(NoteKind::UserSkipped)))
        .collect();
    let mut result = UserResult {
        user: name,
        soft_deleted: soft,
        action: Action::Skip(String::new()),
        requests: Vec::new(),
        notes: Vec::new(),
    };
    let relevant = |m: &Compiled, i: usize| {
        result.soft_deleted.is_none() || m.reads_soft_deleted || plan.matching.contains(&i)
    };
    // A failing mapping fails the user.
    for (i, m) in plan.mappings.iter().enumerate() {
        if let Computed::Error(e) = &computed[i]
            && relevant(m, i)
        {
            result.action = Action::Error(failure(m, &e.message));
            for (j, note) in notes.iter_mut().enumerate() {
                if j != i && note.kind != NoteKind::Failed {
                    note.kind = NoteKind::Failed;
                }
            }
            result.notes = notes;
            return result;
        }
    }
    if let Some(i) = computed
        .iter()
        .position(|c| matches!(c, Computed::IgnoreObjectFlow))
    {
        result.action = Action::Skip(format!(
            "the mapping to {} yields IgnoreObjectFlow",
            plan.mappings[i].target
        ));
        for (j, note) in notes.iter_mut().enumerate() {
            if j != i && computed[j].value().is_some() {
                note.kind = NoteKind::UserSkipped;
            }
        }
        result.notes = notes;
        return result;
    }

    // Matching.
    let matching_value = |i: usize| -> Result<Option<std::borrow::Cow<'_, str>>, String> {
        match computed[i].value() {
            None => Ok(None),
            Some(v) => v.text().map_err(|e| failure(&plan.mappings[i], &e.message)),
        }
    };
    let mut found = None;
    let mut any_value = false;
    for (k, &i) in plan.matching.iter().enumerate() {
        let value = match matching_value(i) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(e) => {
                result.action = Action::Error(e);
                result.notes = notes;
                return result;
            }
        };
        any_value = true;
        if result.soft_deleted.is_none() && gets {
            result
                .requests
                .push(get_request(&plan.mappings[i].target, &value));
        }
        if let Some(r) = app.find(k, &value) {
            found = Some(r);
            break;
        }
    }

    if let Some(why) = &result.soft_deleted {
        let why = why.to_string();
        for (i, m) in plan.mappings.iter().enumerate() {
            if !m.reads_soft_deleted && computed[i].value().is_some() {
                notes[i].kind = NoteKind::NotForDeactivation;
            }
        }
        let Some(r) = found else {
            for (note, c) in notes.iter_mut().zip(computed) {
                if c.value().is_some() {
                    note.kind = NoteKind::UserSkipped;
                }
            }
            result.action = Action::Skip(format!(
                "{why}; the app does not have the user, so nothing is sent"
            ));
            result.notes = notes;
            return result;
        };
        let stored = app.stored(r);
        let id = stored.id();
        let deactivating = |m: &Compiled| m.reads_soft_deleted && m.on_update();
        let changes = match changes(
            plan,
            computed,
            &stored,
            &deactivating,
            &mut notes,
            trace.then_some(mode),
        ) {
            Ok(c) => c,
            Err(e) => {
                result.action = Action::Error(e);
                result.notes = notes;
                return result;
            }
        };
        result.action = if !changes.is_empty() {
            result
                .requests
                .push(patch_request(plan, mode, &id, changes));
            Action::Deactivate
        } else if !plan.tells_deactivation() {
            Action::Unchanged(Some(format!(
                "{why}, but no mapping reads IsSoftDeleted, so the app is never told"
            )))
        } else if plan
            .mappings
            .iter()
            .zip(computed)
            .any(|(m, c)| deactivating(m) && c.value().is_some())
        {
            Action::Unchanged(Some(format!(
                "{why}; the app already has the deactivated values"
            )))
        } else {
            Action::Unchanged(Some(format!(
                "{why}, but the mappings that read IsSoftDeleted yield no value, so the app is never told"
            )))
        };
        result.notes = notes;
        return result;
    }

    if !any_value && !plan.matching.is_empty() {
        result.action = Action::Error(
            "no matching attribute has a value, so the user cannot be matched".into(),
        );
        result.notes = notes;
        return result;
    }

    match found {
        None => {
            // POST: every value, the defaults, the create-only mappings.
            let mut wires: Vec<Option<Wire<'_>>> = Vec::with_capacity(n);
            for (i, m) in plan.mappings.iter().enumerate() {
                let value = match (&computed[i], &m.default) {
                    (Computed::Value(v), _) => Some(&**v),
                    (Computed::NoValue, Some(d)) => {
                        notes[i].kind = NoteKind::FlowedDefault;
                        Some(d)
                    }
                    _ => None,
                };
                let wire = match value.map(|v| wire::encode(v, m.ty, mode, Operation::Create)) {
                    None => None,
                    Some(Ok(w)) => {
                        if notes[i].kind != NoteKind::FlowedDefault {
                            notes[i].kind = NoteKind::Flowed;
                        }
                        if trace {
                            notes[i].sent = Some(Box::new(w.to_json(false)));
                        }
                        Some(w)
                    }
                    Some(Err(e)) => {
                        result.action = Action::Error(failure(m, &e.0));
                        result.notes = notes;
                        return result;
                    }
                };
                wires.push(wire);
            }
            // Most bodies fit; 1 KB stays within the allocator's per-thread cache of small
            // blocks (glibc's ends at 1,032 bytes), where 2 KB did not.
            let mut body = Vec::with_capacity(1024);
            plan.layout.write(&mut body, &wires);
            let mut causes = Vec::with_capacity(n);
            causes.extend((0..n).filter(|&i| wires[i].is_some()));
            result.requests.push(Request {
                method: Method::Post,
                filter: None,
                id: None,
                body: Body::Raw(body),
                causes,
            });
            result.action = Action::Create;
        }
        Some(r) => {
            let stored = app.stored(r);
            let id = stored.id();
            for (i, m) in plan.mappings.iter().enumerate() {
                if !m.on_update() && computed[i].value().is_some() {
                    notes[i].kind = NoteKind::CreateOnly;
                }
            }
            let changes = match changes(
                plan,
                computed,
                &stored,
                &|m| m.on_update(),
                &mut notes,
                trace.then_some(mode),
            ) {
                Ok(c) => c,
                Err(e) => {
                    result.action = Action::Error(e);
                    result.notes = notes;
                    return result;
                }
            };
            if changes.is_empty() {
                result.action = Action::Unchanged(None);
            } else {
                result
                    .requests
                    .push(patch_request(plan, mode, &id, changes));
                result.action = Action::Update;
            }
        }
    }
    result.notes = notes;
    result
}

/// The core schema URN (re-exported for tests that check resources).
pub const USER_SCHEMA: &str = CORE_USER;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_quoted_and_encoded() {
        assert_eq!(filter("userName", "a\"b\\c"), r#"userName eq "a\"b\\c""#);
        let r = get_request("userName", "Zoë O'Brien");
        assert_eq!(
            r.path(),
            "/Users?filter=userName%20eq%20%22Zo%C3%AB%20O%27Brien%22"
        );
    }
}
