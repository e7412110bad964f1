//! `entramap eval`: evaluates an expression offline, or answers a Graph parseExpression request.

use super::{CmdResult, Failure, read_input, render, write_stdout};
use crate::eval::value::{is_boolean_attribute, parse_bool};
use crate::eval::{self, Context, EvalError, Outcome, Value};
use crate::graph::parse_expression::{self, ParseExpressionRequest};
use crate::syntax::{self, ParseError};
use crate::{check, graph};
use jiff::Timestamp;
use serde_json::json;
use std::collections::BTreeMap;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalOutput {
    /// The value that flows; one line per value when multi-valued; nothing when no value flows.
    Text,
    /// `{"outcome", "value", "error"}`: the outcome, what flows (always text), the error message.
    Json,
    /// Graph's parseExpression response (the tree and the evaluation result).
    Graph,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  entramap eval 'Join(\" \", [givenName], [surname])' --set givenName=John --set surname=Doe
  entramap eval 'Not([IsSoftDeleted])' --set IsSoftDeleted=true
  entramap eval 'Switch([IsSoftDeleted], , \"false\", \"true\", \"true\", \"false\")' \\
      --set IsSoftDeleted=true --output json
  entramap eval 'DateDiff(\"d\", Now(), CDate([hired]))' --set hired=2012-03-16 \\
      --now 2021-08-25T17:41:18Z
  entramap eval 'Join(\"@\", [mailNickname], \"contoso.com\")' --input user.yaml
  entramap eval --request parse-expression-request.json    # Graph's parseExpression, offline

Input values (--input, a JSON or YAML object): null is an absent attribute; true/false are booleans;
numbers, strings; a list is multi-valued; appRoleAssignments entries are role names or objects
{\"id\", \"displayName\", \"value\"}. --set NAME=VALUE gives text, except for the Boolean attributes
IsSoftDeleted and accountEnabled, where true/false (any casing) become booleans; repeating --set
for one name makes it multi-valued.

Exit codes: 0 evaluated (also when no value flows), 1 the expression does not parse or its
evaluation fails (a diagnostic on stderr points at the failing call), 2 bad usage or input.")]
pub struct EvalArgs {
    /// The expression; `-` reads it from standard input.
    #[arg(required_unless_present = "request", conflicts_with = "request")]
    pub expression: Option<String>,
    /// A JSON or YAML object of attribute name → value.
    #[arg(long, short, value_name = "FILE")]
    pub input: Option<String>,
    /// Set an attribute (repeatable; applied after --input).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// The time Now() returns, RFC 3339 (default: the current time).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Seed for Guid() and RandomString(): the same seed gives the same output.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: u64,
    /// A value already present in the target directory, for SelectUniqueValue (repeatable).
    #[arg(long = "existing", value_name = "VALUE")]
    pub existing: Vec<String>,
    /// What to print (default: text, or graph with --request).
    #[arg(long, short, value_enum)]
    pub output: Option<EvalOutput>,
    /// A Graph parseExpression request body (JSON; `-` for stdin): its expression is evaluated
    /// against its testInputObject, and Graph's response is printed.
    #[arg(long, value_name = "FILE")]
    pub request: Option<String>,
}

pub fn cmd_eval(args: EvalArgs) -> CmdResult {
    let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
    let (name, text) = match (&args.request, &args.expression) {
        (Some(path), _) => {
            let body = read_input(path, crate::input::REQUEST)?;
            let request = ParseExpressionRequest::from_text(&body)
                .map_err(|e| Failure(format!("{}: {e}", display(path))))?;
            attributes = request
                .attributes()
                .map_err(|e| Failure(format!("{}: {e}", display(path))))?;
            (format!("{}: expression", display(path)), request.expression)
        }
        (None, Some(e)) if e == "-" => (
            "<stdin>".to_string(),
            read_input("-", crate::input::EXPRESSION)?,
        ),
        (None, Some(e)) => ("<expression>".to_string(), e.clone()),
        (None, None) => return Err(Failure("give an expression or --request FILE".into())),
    };
    if let Some(path) = &args.input {
        read_attributes(path, &mut attributes)?;
    }
    set_attributes(&args.set, &mut attributes)?;
    let now = match &args.now {
        None => Timestamp::now(),
        Some(t) => t
            .parse::<Timestamp>()
            .map_err(|e| Failure(format!("--now {t:?} is not an RFC 3339 time: {e}")))?,
    };
    let ctx = Context::new(&attributes)
        .with_now(now)
        .with_seed(args.seed)
        .with_existing(&args.existing);
    let output = args.output.unwrap_or(if args.request.is_some() {
        EvalOutput::Graph
    } else {
        EvalOutput::Text
    });

    let expr = match syntax::parse(&text) {
        Ok(expr) => expr,
        Err(e) => return report_parse_error(&e, output, &name, &text),
    };
    let tree = graph::to_graph(&expr);
    let checked = match check::checked(expr) {
        Ok(checked) => checked,
        Err(problem) => {
            let out = match output {
                EvalOutput::Text => String::new(),
                EvalOutput::Json => {
                    json!({"outcome": "error", "value": null, "error": problem.message}).to_string()
                        + "\n"
                }
                EvalOutput::Graph => {
                    let response = parse_expression::response_for_problem(&text, tree, &problem);
                    serde_json::to_string_pretty(&response)? + "\n"
                }
            };
            write_stdout(&out)?;
            report_diagnostic(&problem.to_diagnostic(), &name, &text);
            return Ok(ExitCode::from(1));
        }
    };
    let result = eval::evaluate(&checked, &ctx);
    let out = match output {
        EvalOutput::Text => match &result {
            Ok(Outcome::Value(v)) => v.texts().iter().map(|t| format!("{t}\n")).collect(),
            Ok(other) => {
                super::eprint_text(&format!("note: nothing flows ({})\n", other.name()));
                String::new()
            }
            Err(_) => String::new(),
        },
        EvalOutput::Json => json_result(&result) + "\n",
        EvalOutput::Graph => {
            let response = parse_expression::response_for(&text, tree, &result);
            serde_json::to_string_pretty(&response)? + "\n"
        }
    };
    write_stdout(&out)?;
    match result {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            report_eval_error(&e, &name, &text);
            Ok(ExitCode::from(1))
        }
    }
}

fn display(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

/// `{"outcome", "value", "error"}`: what `--output json` prints and what `entramap serve`'s
/// `/api/eval` answers in its `result`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvalJson {
    /// `value`, `no-value`, `ignore-flow`, `ignore-attribute-flow`, `ignore-object-flow` or
    /// `error`.
    pub outcome: &'static str,
    /// What flows: text, or a list of texts for a multi-valued value; null when nothing flows.
    pub value: serde_json::Value,
    /// The error message when the evaluation failed.
    pub error: Option<String>,
}

impl EvalJson {
    pub fn of(result: &Result<Outcome, EvalError>) -> EvalJson {
        match result {
            Ok(outcome) => EvalJson {
                outcome: outcome.name(),
                value: match outcome {
                    Outcome::Value(Value::Multi(values)) => json!(values),
                    Outcome::Value(v) => json!(v.texts().pop()),
                    _ => serde_json::Value::Null,
                },
                error: None,
            },
            Err(e) => EvalJson {
                outcome: "error",
                value: serde_json::Value::Null,
                error: Some(e.message.clone()),
            },
        }
    }
}

/// `{"outcome", "value", "error"}` for `--output json`.
fn json_result(result: &Result<Outcome, EvalError>) -> String {
    serde_json::to_string(&EvalJson::of(result)).unwrap_or_default()
}

fn report_eval_error(e: &EvalError, name: &str, text: &str) {
    report_diagnostic(&e.to_diagnostic(), name, text);
}

fn report_diagnostic(d: &crate::diagnostic::Diagnostic, name: &str, text: &str) {
    super::eprint_text(&render::human(d, name, text, render::stderr_color()));
}

fn report_parse_error(
    e: &ParseError,
    output: EvalOutput,
    name: &str,
    text: &str,
) -> Result<ExitCode, Failure> {
    match output {
        EvalOutput::Text => {}
        EvalOutput::Json => write_stdout(
            &(json!({"outcome": "error", "value": null, "error": e.kind.message()}).to_string()
                + "\n"),
        )?,
        EvalOutput::Graph => {
            let request = ParseExpressionRequest {
                expression: text.to_string(),
                test_input_object: None,
                target_attribute_definition: None,
            };
            let (response, _) = parse_expression::respond(&request, &Context::default());
            write_stdout(&(serde_json::to_string_pretty(&response)? + "\n"))?;
        }
    }
    super::eprint_text(&render::human(
        &e.to_diagnostic(),
        name,
        text,
        render::stderr_color(),
    ));
    Ok(ExitCode::from(1))
}

/// Merges a JSON or YAML object of attribute values into `attributes`.
fn read_attributes(path: &str, attributes: &mut BTreeMap<String, Value>) -> Result<(), Failure> {
    let text = read_input(path, crate::input::ATTRIBUTES)?;
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(doc) => doc,
        Err(json_error) => serde_saphyr::from_str(&text).map_err(|yaml_error| {
            Failure(format!(
                "{} is neither JSON ({json_error}) nor YAML ({yaml_error})",
                display(path)
            ))
        })?,
    };
    let serde_json::Value::Object(map) = doc else {
        return Err(Failure(format!(
            "{} must hold an object of attribute name → value",
            display(path)
        )));
    };
    for (name, json) in &map {
        let value =
            Value::from_json(name, json).map_err(|e| Failure(format!("{}: {e}", display(path))))?;
        attributes.insert(name.clone(), value);
    }
    Ok(())
}

/// Applies `--set NAME=VALUE` options: text, booleans for the known Boolean attributes, and
/// several values for a name set more than once.
fn set_attributes(
    sets: &[String],
    attributes: &mut BTreeMap<String, Value>,
) -> Result<(), Failure> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for set in sets {
        let Some((name, text)) = set.split_once('=') else {
            return Err(Failure(format!("--set {set:?}: expected NAME=VALUE")));
        };
        if name.is_empty() {
            return Err(Failure(format!(
                "--set {set:?}: the attribute name is empty"
            )));
        }
        if is_boolean_attribute(name) && parse_bool(text).is_err() {
            return Err(Failure(format!(
                "--set {set:?}: {name} is Boolean in Entra's user schema ({}); give true or false",
                crate::mapping::schema::entra_booleans()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let value = Value::from_input_text(name, text);
        let count = seen.entry(name).or_insert(0);
        *count += 1;
        if *count == 1 {
            attributes.insert(name.to_string(), value);
            continue;
        }
        let previous = attributes.remove(name).unwrap_or(Value::Null);
        let mut values = match previous {
            Value::Multi(vs) => vs,
            other => other.texts(),
        };
        values.extend(value.texts());
        attributes.insert(name.to_string(), Value::Multi(values));
    }
    Ok(())
}
