//! The JSON API behind the page: `/api/parse`, `/api/eval`, `/api/lint`, `/api/simulate` (POST)
//! and `/api/catalogue` (GET, served by [`super::assets`]). Each runs the same code as the
//! command line and answers in the CLI's JSON shapes: diagnostics as `entramap lint --format
//! json` writes them, an evaluation's `outcome`/`value`/`error` as `entramap eval --output json`,
//! a lint report as `entramap lint --format json`, simulated requests and traces as the lines of
//! `entramap simulate --output requests|trace`.

use super::Reply;
use crate::check::{self, Checked};
use crate::cli::eval::EvalJson;
use crate::cli::render::{self, FileReport};
use crate::diagnostic::Diagnostic;
use crate::eval::{self, Context, Outcome, Value};
use crate::lint::rules::active_not_lowercase_boolean::{self as active, Wire};
use crate::lint::{self, Finding, LintOptions};
use crate::mapping::{self, MappingFile};
use crate::profile::{Profile, ScimMode};
use crate::simulate::app::App;
use crate::simulate::users::UserReader;
use crate::simulate::{self, Options, Output, Plan};
use crate::syntax::{self, Expr, ExprKind};
use crate::{graph, wire};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

/// The longest expression the builder takes (Entra's own limit on a mapping expression is far
/// lower; this only bounds the work one request can ask for).
pub const MAX_EXPRESSION_BYTES: usize = 64 * 1024;

/// How many sub-expressions a trace shows; a longer trace ends with a note.
pub const MAX_TRACE_STEPS: usize = 200;

/// The work budget of each trace step (bytes of text produced or scanned; see
/// [`eval::DEFAULT_BUDGET`]): a trace evaluates up to [`MAX_TRACE_STEPS`] sub-expressions, so
/// each gets a sixteenth of one evaluation's budget. A step past it shows EV021 in the trace.
pub const TRACE_STEP_BUDGET: u64 = eval::DEFAULT_BUDGET / 16;

/// The time `Now()` returns when a request gives none: a fixed instant, so that a shared link
/// reproduces its result (the page sends the time it shows).
pub const DEFAULT_NOW: &str = "2025-01-01T00:00:00Z";

/// Answers `POST /api/{name}`.
pub fn call(name: &str, body: &[u8]) -> Reply {
    let result = match name {
        "parse" => read(body).and_then(|r| parse(&r)),
        "eval" => read(body).and_then(|r| evaluate(&r)),
        "lint" => read(body).and_then(|r| lint_file(&r)),
        "simulate" => read(body).and_then(|r| simulate_user(&r)),
        other => {
            return Reply::error(
                404,
                format!("no API call named {other:?}: the API has parse, eval, lint and simulate"),
            );
        }
    };
    match result {
        Ok(doc) => Reply::json(200, &doc),
        Err(message) => Reply::error(400, message),
    }
}

fn read<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body)
        .map_err(|e| format!("the request body is not the JSON this call takes: {e}"))
}

// ------------------------------------------------------------------------------------ requests

/// `/api/parse`: `{"expression"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParseRequest {
    pub expression: String,
}

/// `/api/eval`: the expression, the attribute values (as `entramap eval --input` reads them:
/// null absent, booleans, text, lists multi-valued), `now` (RFC 3339), `seed`, the values
/// already in the target (`existing`) and the target attribute (`active` adds the truth table).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalRequest {
    pub expression: String,
    #[serde(default)]
    pub attributes: serde_json::Map<String, Json>,
    #[serde(default)]
    pub now: Option<String>,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub existing: Vec<String>,
    #[serde(default)]
    pub target: Option<String>,
}

/// `/api/lint`: a mapping file's text, the name to report it under, a built-in profile's name
/// and the SCIM mode.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintRequest {
    pub file: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub scim_mode: ScimMode,
}

/// `/api/simulate`: a mapping file, one user (a Graph user object, as `simulate --users` reads
/// them), and the run's settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    pub file: String,
    pub user: Json,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub scim_mode: ScimMode,
    #[serde(default)]
    pub now: Option<String>,
    #[serde(default)]
    pub seed: u64,
}

// ------------------------------------------------------------------------------------ helpers

const EXPRESSION_NAME: &str = "<expression>";

/// Diagnostics in the shape `entramap lint --format json` gives them (code, name, severity,
/// message, help, line, column, offset, length, …).
fn diagnostics_json(name: &str, text: &str, diagnostics: Vec<Diagnostic>) -> Json {
    let findings = diagnostics
        .into_iter()
        .map(|diagnostic| Finding {
            diagnostic,
            target: None,
            location: None,
            fix: None,
        })
        .collect();
    let report = FileReport {
        path: name.into(),
        text: text.to_string(),
        findings,
        fingerprints: Vec::new(),
        failed: false,
    };
    let doc = render::json_value(std::slice::from_ref(&report));
    doc["files"][0]["diagnostics"].clone()
}

fn expression_text(text: &str) -> Result<(), String> {
    if text.len() > MAX_EXPRESSION_BYTES {
        return Err(format!(
            "the expression is {} bytes; the builder takes expressions of at most {MAX_EXPRESSION_BYTES} bytes (64 KiB)",
            text.len()
        ));
    }
    Ok(())
}

fn now_of(text: Option<&str>) -> Result<Timestamp, String> {
    let text = text.filter(|t| !t.trim().is_empty()).unwrap_or(DEFAULT_NOW);
    text.trim()
        .parse::<Timestamp>()
        .map_err(|e| format!("now {text:?} is not an RFC 3339 time (like {DEFAULT_NOW}): {e}"))
}

/// Only the built-in profiles: the server reads no file, so a path is refused.
fn profile_of(name: Option<&str>) -> Result<Option<Profile>, String> {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if !crate::profile::BUILT_IN
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return Err(format!(
            "no built-in profile named {name:?} (built in: {}); the server reads no file, so a profile path is not taken",
            crate::profile::BUILT_IN
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Profile::resolve(name).map(Some).map_err(|e| e.to_string())
}

/// The attribute names an expression reads, in order of first use.
fn attributes_read(expr: &Expr) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    expr.walk(&mut |n| {
        if let ExprKind::Attribute(name) = &n.kind
            && !names.iter().any(|x| x.eq_ignore_ascii_case(name))
        {
            names.push(name.clone());
        }
    });
    names
}

fn functions_called(expr: &Expr) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    expr.walk(&mut |n| {
        if let ExprKind::Call(call) = &n.kind
            && !names.contains(&call.name)
        {
            names.push(call.name.clone());
        }
    });
    names
}

/// What a parse yields for the page: the diagnostics, and when it parses the canonical text,
/// the Graph tree, the attributes read and the functions called.
fn parsed(text: &str) -> (Option<Expr>, Json) {
    match syntax::parse(text) {
        Err(e) => (
            None,
            json!({
                "ok": false,
                "diagnostics": diagnostics_json(EXPRESSION_NAME, text, vec![e.to_diagnostic()]),
            }),
        ),
        Ok(expr) => {
            let checking = check::check(expr.clone(), None);
            let diagnostics: Vec<Diagnostic> = checking
                .problems
                .iter()
                .map(|p| p.to_diagnostic())
                .collect();
            let doc = json!({
                "ok": true,
                "diagnostics": diagnostics_json(EXPRESSION_NAME, text, diagnostics),
                "canonical": syntax::print(&expr),
                "graph": graph::to_graph(&expr),
                "attributes": attributes_read(&expr),
                "functions": functions_called(&expr),
            });
            (Some(expr), doc)
        }
    }
}

// ------------------------------------------------------------------------------------ calls

/// `/api/parse`.
pub fn parse(request: &ParseRequest) -> Result<Json, String> {
    expression_text(&request.expression)?;
    Ok(parsed(&request.expression).1)
}

/// An evaluation as `entramap eval --output json` prints it.
fn eval_json(result: &Result<Outcome, eval::EvalError>) -> Json {
    serde_json::to_value(EvalJson::of(result)).unwrap_or(Json::Null)
}

/// Why nothing flows, in words, for an outcome that is not a value.
pub fn why_nothing(outcome: &Outcome, absent: &[String]) -> String {
    let mut why = match outcome {
        Outcome::Value(_) => return String::new(),
        Outcome::NoValue => "the expression returned null, and Entra sends nothing for a null: the target attribute is left as it is".to_string(),
        Outcome::IgnoreFlow => "IgnoreFlowIfNullOrEmpty found nothing: the attribute is left out of the request".to_string(),
        Outcome::IgnoreAttributeFlow => "IgnoreAttributeFlow was reached: the attribute is skipped".to_string(),
        Outcome::IgnoreObjectFlow => "IgnoreObjectFlow was reached: the whole object is skipped".to_string(),
    };
    if !absent.is_empty() {
        why.push_str(&format!(
            ". Not set in the test input: {}",
            absent
                .iter()
                .map(|a| format!("[{a}]"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    why
}

fn outcome_step(result: &Result<Outcome, eval::EvalError>) -> Json {
    match result {
        Ok(Outcome::Value(v)) => {
            json!({"outcome": "value", "value": simulate::value_json(v), "shown": v.texts()})
        }
        Ok(other) => json!({"outcome": other.name(), "value": null}),
        Err(e) => json!({"outcome": "error", "value": null, "error": e.message}),
    }
}

/// Each sub-expression (calls, attribute reads, comparisons, concatenations; literals are
/// left out), innermost first, with what it returns when evaluated alone against the same input.
fn trace(text: &str, expr: &Expr, ctx: &Context) -> Json {
    let mut nodes: Vec<&Expr> = Vec::new();
    expr.walk(&mut |n| {
        if matches!(
            n.kind,
            ExprKind::Call(_) | ExprKind::Attribute(_) | ExprKind::Compare(_) | ExprKind::Concat(_)
        ) {
            nodes.push(n);
        }
    });
    nodes.sort_by_key(|n| (n.span.end, n.span.len()));
    let total = nodes.len();
    let steps: Vec<Json> = nodes
        .into_iter()
        .take(MAX_TRACE_STEPS)
        .map(|n| {
            let source = text
                .get(n.span.start as usize..n.span.end as usize)
                .unwrap_or_default();
            let result = match check::checked(n.clone()) {
                Ok(checked) => eval::evaluate(&checked, ctx),
                Err(problem) => Err(eval::EvalError::new(
                    eval::EvalErrorKind::Unchecked,
                    problem.span,
                    problem.message,
                )),
            };
            let mut step = outcome_step(&result);
            step["expression"] = json!(source);
            step["offset"] = json!(n.span.start);
            step["length"] = json!(n.span.len());
            step
        })
        .collect();
    json!({"steps": steps, "left_out": total.saturating_sub(MAX_TRACE_STEPS)})
}

fn wire_text(w: &Wire) -> String {
    match w {
        Wire::Bool(b) => b.to_string(),
        Wire::Text(t) => t.clone(),
        Wire::Nothing(why) => format!("nothing ({why})"),
        Wire::Error(e) => format!("error: {e}"),
    }
}

/// The `active` truth table in both SCIM modes, as the `active` lint rule computes it.
fn active_table(checked: &Checked) -> Json {
    let others_read = attributes_read(checked.expr()).iter().any(|a| {
        !a.eq_ignore_ascii_case("IsSoftDeleted") && !a.eq_ignore_ascii_case("accountEnabled")
    });
    let mut modes = serde_json::Map::new();
    for mode in [ScimMode::Legacy, ScimMode::Compliant] {
        let cases: Vec<Json> = active::evaluate_cases(checked, mode, wire::TargetType::BOOLEAN)
            .iter()
            .map(|c| {
                let reading = match &c.wire {
                    Wire::Bool(b) => Some(*b),
                    _ => None,
                };
                json!({
                    "IsSoftDeleted": c.is_soft_deleted,
                    "accountEnabled": c.account_enabled,
                    "others": c.filler,
                    "others_read": others_read,
                    "inputs": c.inputs,
                    "sent": wire_text(&c.wire),
                    "reads_as": reading,
                    "expected_active": c.active_user,
                    "correct": reading == Some(c.active_user),
                })
            })
            .collect();
        modes.insert(mode.as_str().to_string(), Json::Array(cases));
    }
    Json::Object(modes)
}

/// `/api/eval`.
pub fn evaluate(request: &EvalRequest) -> Result<Json, String> {
    expression_text(&request.expression)?;
    let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
    for (name, json) in &request.attributes {
        let value = Value::from_json(name, json).map_err(|e| format!("attribute {name}: {e}"))?;
        attributes.insert(name.clone(), value);
    }
    let now = now_of(request.now.as_deref())?;
    let ctx = Context::new(&attributes)
        .with_now(now)
        .with_seed(request.seed)
        .with_existing(&request.existing);
    let text = &request.expression;
    let (expr, mut doc) = parsed(text);
    let Some(expr) = expr else {
        doc["result"] =
            json!({"outcome": "error", "value": null, "error": "the expression does not parse"});
        return Ok(doc);
    };
    let absent: Vec<String> = attributes_read(&expr)
        .into_iter()
        .filter(|a| {
            !attributes
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case(a) && *v != Value::Null)
        })
        .collect();
    match check::checked(expr.clone()) {
        Err(problem) => {
            doc["result"] = json!({"outcome": "error", "value": null, "error": problem.message});
        }
        Ok(checked) => {
            let result = eval::evaluate(&checked, &ctx);
            let mut result_doc = eval_json(&result);
            if let Ok(outcome) = &result {
                result_doc["flows"] = json!(matches!(outcome, Outcome::Value(_)));
                result_doc["why"] = json!(why_nothing(outcome, &absent));
            }
            if let Err(e) = &result {
                doc["diagnostics"] =
                    diagnostics_json(EXPRESSION_NAME, text, vec![e.to_diagnostic()]);
            }
            doc["result"] = result_doc;
            doc["trace"] = trace(text, &expr, &ctx.with_budget(TRACE_STEP_BUDGET));
            if request
                .target
                .as_deref()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("active"))
            {
                doc["active"] = active_table(&checked);
            }
        }
    }
    doc["now"] = json!(now.to_string());
    Ok(doc)
}

fn load(text: &str, name: &str) -> Result<MappingFile, String> {
    if text.len() > mapping::MAX_FILE_BYTES {
        return Err(mapping::too_large(text.len()).message);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    mapping::load(text).map_err(|e| {
        let d = e.to_diagnostic();
        let p = diagnostics_json(name, text, vec![d]);
        let at = &p[0];
        format!(
            "{name}:{}:{}: {} [{}]",
            at["line"],
            at["column"],
            e.message,
            at["code"].as_str().unwrap_or_default()
        )
    })
}

/// `/api/lint`: the CLI's JSON report, and the object mappings as rows with the indexes of the
/// findings about each row.
pub fn lint_file(request: &LintRequest) -> Result<Json, String> {
    let name = request.name.clone().unwrap_or_else(|| "mapping".into());
    let file = load(&request.file, &name)?;
    let options = LintOptions {
        profile: profile_of(request.profile.as_deref())?,
        scim_mode: request.scim_mode,
        ..LintOptions::default()
    };
    let findings = lint::lint(&file, &options);
    let rows: Vec<Json> = file
        .object_mappings
        .iter()
        .enumerate()
        .map(|(oi, om)| {
            let attrs: Vec<Json> = om
                .attribute_mappings
                .iter()
                .enumerate()
                .map(|(ai, am)| {
                    let about: Vec<usize> = findings
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| f.location == Some((oi, Some(ai))))
                        .map(|(i, _)| i)
                        .collect();
                    json!({
                        "target": am.target.value,
                        "source": am.source.as_ref().map(|s| s.text.clone()),
                        "type": am.source.as_ref().map(|s| format!("{:?}", s.kind)),
                        "flow": format!("{:?}", am.flow_type),
                        "matching": am.matching_priority,
                        "default": am.default_value,
                        "findings": about,
                    })
                })
                .collect();
            let about: Vec<usize> = findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.location == Some((oi, None)))
                .map(|(i, _)| i)
                .collect();
            json!({
                "name": om.name,
                "enabled": om.enabled,
                "source_object": om.source_object,
                "target_object": om.target_object,
                "attribute_mappings": attrs,
                "findings": about,
            })
        })
        .collect();
    let report = FileReport {
        path: name.into(),
        text: request
            .file
            .strip_prefix('\u{feff}')
            .unwrap_or(&request.file)
            .to_string(),
        findings,
        fingerprints: Vec::new(),
        failed: false,
    };
    Ok(json!({
        "report": render::json_value(std::slice::from_ref(&report)),
        "object_mappings": rows,
        "profiles": crate::profile::BUILT_IN.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
    }))
}

/// `/api/simulate`: one user through one provisioning cycle against an empty app, as
/// `entramap simulate --output requests` and `--output trace` write it.
pub fn simulate_user(request: &SimulateRequest) -> Result<Json, String> {
    let file = load(&request.file, "mapping")?;
    let plan = Plan::new(&file).map_err(|e| e.to_string())?;
    let profile = profile_of(request.profile.as_deref())?;
    let options = Options {
        mode: request.scim_mode,
        now: now_of(request.now.as_deref())?,
        seed: request.seed,
    };
    let user = match &request.user {
        Json::String(text) => text.clone(),
        Json::Object(_) => request.user.to_string(),
        _ => {
            return Err(
                "user must be one user: a JSON object (or its text) with Graph property names"
                    .into(),
            );
        }
    };
    let run = |output: Output| -> Result<(Vec<Json>, Vec<String>), String> {
        let mut app = match &profile {
            Some(p) => App::new(&plan).persisting(p),
            None => App::new(&plan),
        };
        let mut out: Vec<u8> = Vec::new();
        let mut problems: Vec<String> = Vec::new();
        let mut events = |e: simulate::Event<'_>| match e {
            simulate::Event::BadInput(e) => problems.push(format!("user: {e}")),
            simulate::Event::UserFailed { user, message } => {
                problems.push(format!("user {user}: {message}"))
            }
            simulate::Event::Progress(_) => {}
        };
        simulate::run(
            &plan,
            &options,
            UserReader::from_text(&user),
            &mut app,
            output,
            &mut out,
            &mut events,
        )
        .map_err(|e| e.to_string())?;
        let lines = String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        Ok((lines, problems))
    };
    let (requests, problems) = run(Output::Requests)?;
    let (trace, _) = run(Output::Trace)?;
    let left_out: Vec<Json> = plan
        .left_out
        .iter()
        .map(|l| json!({"target": l.target, "message": l.diagnostic.message, "code": l.diagnostic.code}))
        .collect();
    Ok(json!({
        "requests": requests,
        "trace": trace,
        "left_out": left_out,
        "problems": problems,
    }))
}
