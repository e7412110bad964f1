//! The simulator: what Entra's provisioning service would send to a SCIM app for a set of users.
//!
//! A [`Plan`] is built once per mapping file: the object mapping to run, every expression parsed
//! once, the scoping filter prepared, each target split into its SCIM path and typed from its
//! definition, and the layout of a User resource. Then each user is read (streamed, see
//! [`users`]), its `IsSoftDeleted` derived ([`scope`]), every mapping evaluated, and one
//! provisioning cycle run against the target app ([`requests`]): the matching query, then a POST,
//! a PATCH of the changed attributes, the deactivation PATCH, or nothing. [`steady`] runs two
//! cycles and reports what the second one still sends.
//!
//! ```
//! use entramap::simulate::{self, Options, Output, Plan, app::App, users::UserReader};
//!
//! let file = entramap::mapping::load(r#"[
//!   {"targetAttributeName": "userName", "matchingPriority": 1,
//!    "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}},
//!   {"targetAttributeName": "active",
//!    "source": {"type": "Function", "name": "Not", "expression": "Not([IsSoftDeleted])"}}
//! ]"#).unwrap();
//! let plan = Plan::new(&file).unwrap();
//! let users = UserReader::from_text(r#"{"id": "1", "userPrincipalName": "ann@contoso.com", "accountEnabled": true}"#);
//! let mut out = Vec::new();
//! let summary = simulate::run(&plan, &Options::default(), users, &mut App::new(&plan), Output::Resources, &mut out, &mut |_| {}).unwrap();
//! assert_eq!(summary.created, 1);
//! assert_eq!(String::from_utf8(out).unwrap(),
//!     "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"ann@contoso.com\",\"active\":true,\"meta\":{\"resourceType\":\"User\"}}\n");
//! ```

pub mod app;
pub mod fold;
pub mod parallel;
pub mod requests;
pub mod scim;
pub mod scope;
pub mod steady;
pub mod users;
pub mod violations;

use crate::catalogue::Trait;
use crate::check::{self, Checked};
use crate::diagnostic::Diagnostic;
use crate::eval::{self, Attributes, Context, EvalError, Outcome, Value};
use crate::mapping::schema::{Schema, TargetKind};
use crate::mapping::{FlowType, MappingFile};
use crate::profile::ScimMode;
use crate::syntax::{self, Expr, ExprKind};
use app::App;
use jiff::Timestamp;
use requests::{Action, UserResult};
use scim::{Layout, TargetPath, TargetType};
use scope::{Scope, ScopeError, SoftDeleted};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::io::{self, Write};
use users::{InputError, Position, UserReader, UserRecord};

// ------------------------------------------------------------------------------------ options

/// How much of each user's cycle the caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Only the resources the POSTs create (`--output resources` with no value rules): the
    /// matching queries are not written out, and the user is named only when it fails.
    Resources,
    /// Every request, and the user's name (the plain path).
    Requests,
    /// Every request, and what each mapping read and sent.
    Trace,
}

impl Detail {
    /// What printing `output` (and checking value rules, when `checks`) needs.
    pub fn of(output: Output, checks: bool) -> Detail {
        match output {
            Output::Trace => Detail::Trace,
            Output::Resources if !checks => Detail::Resources,
            _ => Detail::Requests,
        }
    }
}

/// What a run prints on stdout, one JSON object per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Output {
    /// The User resource Entra would POST, for each user it would create.
    #[default]
    Resources,
    /// Every request of the cycle: matching queries, POST, PATCH.
    Requests,
    /// Per user and mapping: the expression, the values it read, its result, whether it flowed
    /// and why not.
    Trace,
    /// With a profile: one line per broken value rule (user, target, rule, value, message).
    Violations,
}

/// Settings of a run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub mode: ScimMode,
    /// What `Now()` returns.
    pub now: Timestamp,
    /// Seeds `Guid()` and `RandomString()` (mixed with the user's position and the cycle).
    pub seed: u64,
}

impl Default for Options {
    /// Legacy mode, the current time, seed 0.
    fn default() -> Self {
        Options {
            mode: ScimMode::Legacy,
            now: Timestamp::now(),
            seed: 0,
        }
    }
}

// ------------------------------------------------------------------------------------ plan

/// One attribute mapping, prepared once.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub target: String,
    pub path: TargetPath,
    pub ty: TargetType,
    /// The expression text as written (`None` for a mapping with only a default value).
    pub text: Option<String>,
    /// The checked expression (`None` for a mapping with only a default value).
    pub expr: Option<Checked>,
    /// `[attr]`: read without the evaluator (the name and its hash).
    direct: Option<(String, u64)>,
    pub flow: FlowType,
    /// Applied on create when the expression yields nothing.
    pub default: Option<Value>,
    pub matching_priority: u32,
    /// The expression reads `IsSoftDeleted`: it is what tells the app about deactivation.
    pub reads_soft_deleted: bool,
    /// For an expression whose only input is `IsSoftDeleted` (the usual `active` mapping), its
    /// result for `false` and for `true`, computed once.
    memo: Option<[Computed<'static>; 2]>,
}

impl Compiled {
    /// Whether the mapping flows on updates as well as on create.
    pub fn on_update(&self) -> bool {
        self.flow != FlowType::ObjectAddOnly
    }
}

/// A mapping file prepared for simulation.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The object mapping's name.
    pub name: String,
    pub mappings: Vec<Compiled>,
    pub scope: Scope,
    pub layout: Layout,
    /// Mapping indices with a matching priority, in priority order.
    pub matching: Vec<usize>,
    /// Every source attribute the expressions and the scoping filter read (plus the ones users
    /// are named by): the rest of a user need not be kept.
    pub reads: Vec<String>,
    /// Mappings left out of the run because their expression cannot be evaluated (a syntax
    /// error, an unknown function, a wrong number of arguments): each reported once, before any
    /// user, in file coordinates.
    pub left_out: Vec<LeftOut>,
}

/// A mapping the simulation leaves out, and why.
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub target: String,
    /// The problem, with spans in file coordinates.
    pub diagnostic: Diagnostic,
}

/// Why a mapping file cannot be simulated.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the file has no enabled object mapping for users")]
    NoObjectMapping,
    #[error("{0}")]
    Scope(#[from] ScopeError),
}

/// Whether an expression's value may differ between two evaluations with the same inputs, or
/// depends on what the target holds: such a value must be computed for every user.
pub fn varies(expr: &Expr) -> bool {
    check::calls(expr, |f| f.non_deterministic() || f.has(Trait::ReadsTarget))
}

/// The results of an expression that reads only `IsSoftDeleted` and calls nothing that depends
/// on the clock, the seed or the target, for `IsSoftDeleted` false and true.
fn memo(checked: &Checked) -> Option<[Computed<'static>; 2]> {
    let expr = checked.expr();
    let mut other_input = false;
    expr.walk(&mut |node| {
        if let ExprKind::Attribute(a) = &node.kind
            && !a.eq_ignore_ascii_case("IsSoftDeleted")
        {
            other_input = true;
        }
    });
    if other_input || varies(expr) {
        return None;
    }
    let at = |soft: bool| {
        let mut user = UserRecord::new();
        user.set("IsSoftDeleted", Value::Bool(soft));
        computed_of(eval::evaluate(checked, &Context::new(&user)))
    };
    Some([at(false), at(true)])
}

fn reads(expr: &Expr, name: &str) -> bool {
    let mut found = false;
    expr.walk(&mut |node| {
        if let ExprKind::Attribute(a) = &node.kind
            && a.eq_ignore_ascii_case(name)
        {
            found = true;
        }
    });
    found
}

impl Plan {
    /// Prepares the file's user object mapping: the first enabled one whose source object is
    /// `User` (else the first enabled one).
    pub fn new(file: &MappingFile) -> Result<Plan, PlanError> {
        let om = file
            .object_mappings
            .iter()
            .find(|om| om.enabled && om.source_object.eq_ignore_ascii_case("User"))
            .or_else(|| file.object_mappings.iter().find(|om| om.enabled))
            .ok_or(PlanError::NoObjectMapping)?;
        // The simulator speaks SCIM: the target is a SCIM app whatever the file's names say.
        let schema = Schema::new(file, Some(TargetKind::Scim));
        let source = schema.source(om);
        let target_view = schema.target(om);
        let mut mappings = Vec::with_capacity(om.attribute_mappings.len());
        let mut left_out = Vec::new();
        for m in &om.attribute_mappings {
            let target = m.target.value.clone();
            let (text, expr) = match &m.source {
                None => (None, None),
                Some(src) => {
                    // Parsed and checked once, here; a mapping that cannot run is reported
                    // once and left out for every user.
                    let problem = match syntax::parse(&src.text) {
                        Err(error) => Err(error.to_diagnostic()),
                        Ok(expr) => check::check(expr, Some(&source))
                            .into_runnable()
                            .map_err(|p| p.to_diagnostic()),
                    };
                    match problem {
                        Ok(checked) => (Some(src.text.clone()), Some(checked)),
                        Err(mut diagnostic) => {
                            for label in &mut diagnostic.labels {
                                label.span = src.map.span(label.span);
                            }
                            left_out.push(LeftOut { target, diagnostic });
                            continue;
                        }
                    }
                }
            };
            let direct = match expr.as_ref().map(|e| &e.expr().kind) {
                Some(ExprKind::Attribute(a)) => Some((a.clone(), users::name_hash(a))),
                _ => None,
            };
            let def = target_view.get(&target).or_else(|| {
                target_view
                    .all()
                    .find(|d| d.name.eq_ignore_ascii_case(&target))
            });
            let path = TargetPath::parse(&target);
            // Without a definition, a multi-valued attribute's `primary` is SCIM's Boolean
            // (RFC 7643 §2.4); the other sub-attributes are strings.
            let ty = match def {
                None if path.filter.is_some()
                    && path
                        .sub
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case("primary")) =>
                {
                    TargetType::BOOLEAN
                }
                _ => TargetType::of(def),
            };
            mappings.push(Compiled {
                path,
                ty,
                reads_soft_deleted: expr
                    .as_ref()
                    .is_some_and(|e| reads(e.expr(), "IsSoftDeleted")),
                memo: expr.as_ref().and_then(memo),
                target,
                text,
                expr,
                direct,
                flow: m.flow_type,
                default: m
                    .default_value
                    .as_deref()
                    .filter(|d| !d.is_empty())
                    .map(|d| Value::Str(d.to_string())),
                matching_priority: m.matching_priority,
            });
        }
        let mut matching: Vec<usize> = (0..mappings.len())
            .filter(|&i| mappings[i].matching_priority > 0)
            .collect();
        matching.sort_by_key(|&i| mappings[i].matching_priority);
        let paths: Vec<(usize, &TargetPath)> = mappings
            .iter()
            .enumerate()
            .map(|(i, m)| (i, &m.path))
            .collect();
        let layout = Layout::new(&paths);
        let mut reads: Vec<String> = vec!["objectId".into(), "userPrincipalName".into()];
        for m in &mappings {
            if let Some(expr) = &m.expr {
                expr.expr().walk(&mut |node| {
                    if let ExprKind::Attribute(a) = &node.kind {
                        reads.push(a.clone());
                    }
                });
            }
        }
        reads.extend(
            om.scope
                .iter()
                .flat_map(|g| g.clauses.iter().map(|c| c.attribute.clone())),
        );
        reads.sort();
        reads.dedup();
        Ok(Plan {
            name: om.name.clone().unwrap_or_else(|| "User".into()),
            scope: Scope::new(&om.scope)?,
            layout,
            matching,
            mappings,
            reads,
            left_out,
        })
    }

    /// Whether any expression calls `Guid()` or `RandomString()`, whose results depend on how
    /// many users were read before (see [`parallel`]).
    pub fn seeded(&self) -> bool {
        self.mappings
            .iter()
            .filter_map(|m| m.expr.as_ref())
            .any(|c| check::calls(c.expr(), |f| f.has(Trait::Random)))
    }

    /// Whether any mapping reads `IsSoftDeleted` (so the app can be told of deactivations).
    pub fn tells_deactivation(&self) -> bool {
        self.mappings.iter().any(|m| m.reads_soft_deleted)
    }
}

// ------------------------------------------------------------------------------------ evaluate

/// What one mapping produced for one user.
#[derive(Debug, Clone, PartialEq)]
pub enum Computed<'u> {
    Value(Cow<'u, Value>),
    NoValue,
    IgnoreFlow,
    IgnoreAttributeFlow,
    IgnoreObjectFlow,
    Error(Box<EvalError>),
}

impl Computed<'_> {
    pub fn value(&self) -> Option<&Value> {
        match self {
            Computed::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The outcome's kebab-case name (as `entramap eval` names them).
    pub fn name(&self) -> &'static str {
        match self {
            Computed::Value(_) => "value",
            Computed::NoValue => "no-value",
            Computed::IgnoreFlow => "ignore-flow",
            Computed::IgnoreAttributeFlow => "ignore-attribute-flow",
            Computed::IgnoreObjectFlow => "ignore-object-flow",
            Computed::Error(_) => "error",
        }
    }
}

/// Records every attribute an expression reads (for `--output trace`).
struct Recorder<'u> {
    inner: &'u UserRecord,
    reads: RefCell<Vec<(String, Value)>>,
}

impl Attributes for Recorder<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        self.lookup(name).map(Cow::into_owned)
    }

    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        let v = self.inner.value(name);
        let mut reads = self.reads.borrow_mut();
        if !reads.iter().any(|(n, _)| n == name) {
            reads.push((name.to_string(), v.cloned().unwrap_or(Value::Null)));
        }
        v.map(Cow::Borrowed)
    }
}

/// Every mapping's result for one user (and, when traced, what each read).
pub struct Evaluated<'u> {
    pub computed: Vec<Computed<'u>>,
    pub reads: Vec<Vec<(String, Value)>>,
}

fn computed_of<'u>(r: Result<Outcome, EvalError>) -> Computed<'u> {
    match r {
        Ok(Outcome::Value(v)) => Computed::Value(Cow::Owned(v)),
        Ok(Outcome::NoValue) => Computed::NoValue,
        Ok(Outcome::IgnoreFlow) => Computed::IgnoreFlow,
        Ok(Outcome::IgnoreAttributeFlow) => Computed::IgnoreAttributeFlow,
        Ok(Outcome::IgnoreObjectFlow) => Computed::IgnoreObjectFlow,
        Err(e) => Computed::Error(Box::new(e)),
    }
}

/// Evaluates every mapping of the plan for one user.
pub fn evaluate<'u>(
    plan: &'u Plan,
    user: &'u UserRecord,
    ctx: &Context<'_>,
    trace: bool,
) -> Evaluated<'u> {
    let mut computed = Vec::with_capacity(plan.mappings.len());
    let mut reads = Vec::new();
    for m in &plan.mappings {
        let Some(expr) = &m.expr else {
            computed.push(Computed::NoValue);
            if trace {
                reads.push(Vec::new());
            }
            continue;
        };
        if trace {
            let rec = Recorder {
                inner: user,
                reads: RefCell::new(Vec::new()),
            };
            let c = Context {
                attributes: &rec,
                ..*ctx
            };
            computed.push(computed_of(eval::evaluate(expr, &c)));
            reads.push(rec.reads.into_inner());
            continue;
        }
        if let Some(memo) = &m.memo {
            let soft = matches!(user.value("IsSoftDeleted"), Some(Value::Bool(true)));
            computed.push(match &memo[usize::from(soft)] {
                Computed::Value(v) => Computed::Value(Cow::Borrowed(&**v)),
                other => other.clone(),
            });
            continue;
        }
        if let Some((name, hash)) = &m.direct {
            computed.push(match user.value_hashed(name, *hash) {
                Some(v) if !v.is_null() => Computed::Value(Cow::Borrowed(v)),
                _ => Computed::NoValue,
            });
            continue;
        }
        let c = Context {
            attributes: user,
            ..*ctx
        };
        computed.push(computed_of(eval::evaluate(expr, &c)));
    }
    Evaluated { computed, reads }
}

/// Decides whether the user is soft-deleted, and sets `IsSoftDeleted` accordingly.
pub fn derive_soft_deleted(plan: &Plan, user: &mut UserRecord) -> Option<SoftDeleted> {
    let why = if user.deleted {
        Some(SoftDeleted::Deleted)
    } else if user.account_enabled == Some(false) {
        Some(SoftDeleted::Disabled)
    } else if user.assigned == Some(false) {
        Some(SoftDeleted::NotAssigned)
    } else {
        plan.scope.check(user).err().map(SoftDeleted::OutOfScope)
    };
    user.set("IsSoftDeleted", Value::Bool(why.is_some()));
    why
}

// ------------------------------------------------------------------------------------ run

/// Counts of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub read: u64,
    pub created: u64,
    pub updated: u64,
    pub deactivated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    /// Users whose evaluation failed, plus lines or elements that could not be read.
    pub errors: u64,
}

impl Summary {
    /// Adds another run's counts.
    pub fn add(&mut self, other: &Summary) {
        self.read += other.read;
        self.created += other.created;
        self.updated += other.updated;
        self.deactivated += other.deactivated;
        self.unchanged += other.unchanged;
        self.skipped += other.skipped;
        self.errors += other.errors;
    }

    fn count(&mut self, action: &Action) {
        match action {
            Action::Create => self.created += 1,
            Action::Update => self.updated += 1,
            Action::Deactivate => self.deactivated += 1,
            Action::Unchanged(_) => self.unchanged += 1,
            Action::Skip(_) => self.skipped += 1,
            Action::Error(_) => self.errors += 1,
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} users read: {} created, {} updated, {} deactivated, {} unchanged, {} skipped, {} errors",
            self.read,
            self.created,
            self.updated,
            self.deactivated,
            self.unchanged,
            self.skipped,
            self.errors
        )
    }
}

/// Something a run reports besides its output (the CLI prints these on stderr).
#[derive(Debug)]
pub enum Event<'a> {
    /// A line or element of the users input that could not be read.
    BadInput(&'a InputError),
    /// A user whose evaluation failed: its name and the error.
    UserFailed { user: &'a str, message: &'a str },
    /// So many users have been read.
    Progress(u64),
}

/// How often [`Event::Progress`] is sent.
pub const PROGRESS_EVERY: u64 = 1 << 16;

/// What a cycle hands to its consumer for each user.
pub struct Processed<'a, 'u> {
    pub position: Position,
    pub user: &'u UserRecord,
    pub result: &'a UserResult,
    pub evaluated: &'a Evaluated<'u>,
}

/// Mixes the run's seed with the cycle and the user's position, so that `Guid()` differs per
/// user (and per cycle, as it would in Entra).
pub(crate) fn user_seed(seed: u64, cycle: u64, n: u64) -> u64 {
    let mut x =
        seed ^ cycle.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 32;
    x
}

/// One user through the cycle: its `IsSoftDeleted` derived, every mapping evaluated, and what
/// the app is sent. `n` counts the users read so far (it seeds `Guid()`).
#[allow(clippy::too_many_arguments)]
fn step<'u>(
    plan: &'u Plan,
    options: &Options,
    cycle_no: u64,
    n: u64,
    app: &App,
    position: Position,
    user: &'u mut UserRecord,
    detail: Detail,
) -> (&'u UserRecord, Evaluated<'u>, UserResult) {
    let trace = detail == Detail::Trace;
    let soft = derive_soft_deleted(plan, user);
    let user: &'u UserRecord = user;
    // Built field by field: `Context::new` reads the clock, once per user for nothing.
    let ctx = Context {
        attributes: user,
        now: options.now,
        seed: user_seed(options.seed, cycle_no, n),
        existing: &[],
        budget: eval::DEFAULT_BUDGET,
    };
    let evaluated = evaluate(plan, user, &ctx, trace);
    let name = || {
        user.id()
            .map_or_else(|| position.to_string(), Cow::into_owned)
    };
    let lean = detail == Detail::Resources;
    let mut result = requests::process(
        plan,
        options.mode,
        app,
        if lean { String::new() } else { name() },
        soft,
        &evaluated.computed,
        trace,
        !lean,
    );
    if lean && matches!(result.action, Action::Error(_)) {
        // Reported by name.
        result.user = name();
    }
    (user, evaluated, result)
}

/// Runs one provisioning cycle over the users, calling `sink` for each user read.
/// `apply` applies the cycle's writes to `app` (the steady-state check); otherwise the app is
/// only read, and memory stays flat.
#[allow(clippy::too_many_arguments)]
pub fn cycle(
    plan: &Plan,
    options: &Options,
    cycle_no: u64,
    users: UserReader,
    app: &mut App,
    apply: bool,
    detail: Detail,
    sink: &mut dyn FnMut(&Processed<'_, '_>) -> io::Result<()>,
    events: &mut dyn FnMut(Event<'_>),
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let mut n = 0u64;
    let mut users = users.only(plan.reads.iter().map(String::as_str));
    while let Some(item) = users.next() {
        let (position, mut user) = match item {
            Ok(x) => x,
            Err(e) => {
                summary.errors += 1;
                events(Event::BadInput(&e));
                if e.fatal {
                    break;
                }
                continue;
            }
        };
        n += 1;
        summary.read += 1;
        if n.is_multiple_of(PROGRESS_EVERY) {
            events(Event::Progress(n));
        }
        let (read, evaluated, result) =
            step(plan, options, cycle_no, n, app, position, &mut user, detail);
        summary.count(&result.action);
        if let Action::Error(message) = &result.action {
            events(Event::UserFailed {
                user: &result.user,
                message,
            });
        }
        if apply {
            app.apply(plan, &result);
        }
        sink(&Processed {
            position,
            user: read,
            result: &result,
            evaluated: &evaluated,
        })?;
        drop(evaluated);
        users.recycle(user);
    }
    Ok(summary)
}

/// Appends what `output` prints for one user to `line`.
fn render(output: Output, plan: &Plan, mode: ScimMode, p: &Processed<'_, '_>, line: &mut Vec<u8>) {
    match output {
        Output::Resources => {
            for r in &p.result.requests {
                if r.method == requests::Method::Post {
                    line.extend_from_slice(r.body_bytes());
                    line.push(b'\n');
                }
            }
        }
        Output::Requests => {
            for r in &p.result.requests {
                r.write_line(line, &p.result.user, None);
            }
        }
        Output::Trace => write_trace(line, plan, p, mode),
        Output::Violations => {}
    }
}

/// Runs one cycle and writes the chosen output as JSON Lines, on this thread, streaming.
pub fn run(
    plan: &Plan,
    options: &Options,
    users: UserReader,
    app: &mut App,
    output: Output,
    out: &mut dyn Write,
    events: &mut dyn FnMut(Event<'_>),
) -> io::Result<Summary> {
    run_checked(plan, options, users, app, output, out, events, None)
}

/// [`run`], checking a profile's value rules on every user as well.
#[allow(clippy::too_many_arguments)]
pub fn run_checked(
    plan: &Plan,
    options: &Options,
    users: UserReader,
    app: &mut App,
    output: Output,
    out: &mut dyn Write,
    events: &mut dyn FnMut(Event<'_>),
    mut checks: Option<&mut violations::Checks<'_>>,
) -> io::Result<Summary> {
    let mut line = Vec::with_capacity(2048);
    let mode = options.mode;
    let detail = Detail::of(output, checks.is_some());
    let mut sink = |p: &Processed<'_, '_>| -> io::Result<()> {
        line.clear();
        render(output, plan, mode, p, &mut line);
        out.write_all(&line)?;
        if let Some(c) = checks.as_deref_mut() {
            c.user(plan, p, out)?;
        }
        Ok(())
    };
    let summary = cycle(
        plan, options, 1, users, app, false, detail, &mut sink, events,
    )?;
    if let Some(c) = checks {
        c.finish(out)?;
    }
    Ok(summary)
}

// ------------------------------------------------------------------------------------ trace

/// A source value as JSON (for the trace).
pub fn value_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Str(s) => Json::String(s.clone()),
        Value::Multi(items) => Json::Array(items.iter().cloned().map(Json::String).collect()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Date(_) => Json::String(v.to_string()),
    }
}

fn write_trace(out: &mut Vec<u8>, plan: &Plan, p: &Processed<'_, '_>, mode: ScimMode) {
    let r = p.result;
    let mut head = Map::new();
    head.insert("user".into(), Json::String(r.user.clone()));
    head.insert("kind".into(), "user".into());
    head.insert("isSoftDeleted".into(), Json::Bool(r.soft_deleted.is_some()));
    head.insert(
        "softDeleted".into(),
        r.soft_deleted
            .as_ref()
            .map_or(Json::Null, |s| Json::String(s.to_string())),
    );
    head.insert("action".into(), r.action.name().into());
    if let Some(why) = r.action.detail() {
        head.insert("why".into(), why.into());
    }
    head.insert("mode".into(), mode.as_str().into());
    let _ = scim::write_line(out, &Json::Object(head));
    for (i, m) in plan.mappings.iter().enumerate() {
        let mut line = Map::new();
        line.insert("user".into(), Json::String(r.user.clone()));
        line.insert("kind".into(), "mapping".into());
        line.insert("target".into(), Json::String(m.target.clone()));
        line.insert(
            "expression".into(),
            m.text.clone().map_or(Json::Null, Json::String),
        );
        let mut read = Map::new();
        if let Some(reads) = p.evaluated.reads.get(i) {
            for (name, v) in reads {
                read.insert(name.clone(), value_json(v));
            }
        }
        line.insert("read".into(), Json::Object(read));
        let c = &p.evaluated.computed[i];
        line.insert("outcome".into(), c.name().into());
        match c {
            Computed::Value(v) => {
                line.insert("value".into(), value_json(v));
            }
            Computed::Error(e) => {
                line.insert("error".into(), Json::String(e.message.clone()));
            }
            _ => {}
        }
        let note = &r.notes[i];
        line.insert("flowed".into(), Json::Bool(note.flowed()));
        if let Some(sent) = &note.sent {
            line.insert("sent".into(), (**sent).clone());
        }
        if let Some(why) = note.why(m) {
            line.insert("why".into(), why.into());
        }
        let _ = scim::write_line(out, &Json::Object(line));
    }
}
