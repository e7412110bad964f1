//! Microsoft Graph's `parseExpression` offline: the request body it takes and the response it
//! gives (`POST …/synchronization/jobs/{id}/schema/parseExpression`).
//!
//! The request's `testInputObject.properties` become the attributes: values are typed by
//! `testInputObject.definition` when it defines the attribute (`Boolean`, `Integer`,
//! `multivalued`), else as `entramap eval --set` types text (`IsSoftDeleted` and
//! `accountEnabled` are Boolean); a JSON array (with or without
//! `"value@odata.type": "#Collection(String)"`) is multi-valued.

use crate::check::{self, Problem};
use crate::eval::value::{Value, parse_bool, parse_int};
use crate::eval::{Context, EvalError, Outcome, evaluate};
use crate::graph::{self, MappingSource};
use crate::syntax::{self, ParseError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A parseExpression request body.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseExpressionRequest {
    pub expression: String,
    #[serde(default)]
    pub test_input_object: Option<ExpressionInputObject>,
    #[serde(default)]
    pub target_attribute_definition: Option<serde_json::Value>,
}

/// `expressionInputObject`: the test object.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExpressionInputObject {
    /// An `objectDefinition` (`{"name": …, "attributes": [{"name", "type", "multivalued"}…]}`).
    #[serde(default)]
    pub definition: Option<serde_json::Value>,
    #[serde(default)]
    pub properties: Vec<Property>,
}

/// `stringKeyObjectValuePair`.
#[derive(Debug, Clone, Deserialize)]
pub struct Property {
    pub key: String,
    #[serde(default)]
    pub value: serde_json::Value,
    #[serde(rename = "value@odata.type", default)]
    pub odata_type: Option<String>,
}

/// `publicError`, as far as entramap fills it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicError {
    pub code: String,
    pub message: String,
    /// The text of the expression part that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// A parseExpressionResponse, fields in the order Graph's documentation prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseExpressionResponse {
    pub error: Option<PublicError>,
    pub evaluation_succeeded: bool,
    pub evaluation_result: Option<Vec<String>>,
    pub parsed_expression: Option<MappingSource>,
    pub parsing_succeeded: bool,
}

/// Why a request could not be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Parse(ParseError),
    /// The check stage found a problem that stops evaluation (an unknown function, a wrong
    /// number of arguments).
    Check(Problem),
    Eval(EvalError),
}

impl ParseExpressionRequest {
    /// Reads a request body: JSON, also with the unquoted keys of the sample in Graph's
    /// documentation (`{ key: "objectId", value: "…" }`).
    pub fn from_text(text: &str) -> Result<ParseExpressionRequest, String> {
        serde_json::from_str(text)
            .or_else(|e| serde_json::from_str(&quote_bare_keys(text)).map_err(|_| e))
            .map_err(|e| {
                format!("not a parseExpression request (expected {{\"expression\": …}}): {e}")
            })
    }

    /// The test object's attributes, typed.
    pub fn attributes(&self) -> Result<BTreeMap<String, Value>, String> {
        let Some(input) = &self.test_input_object else {
            return Ok(BTreeMap::new());
        };
        let definitions = definitions(input.definition.as_ref());
        let mut out = BTreeMap::new();
        for p in &input.properties {
            let def = definitions.iter().find(|d| d.name == p.key).or_else(|| {
                definitions
                    .iter()
                    .find(|d| d.name.eq_ignore_ascii_case(&p.key))
            });
            let value = property_value(&p.key, &p.value, def)?;
            out.insert(p.key.clone(), value);
        }
        Ok(out)
    }
}

/// JSON text with bare object keys (`{ key: 1 }`) quoted (`{ "key": 1 }`); strings are left
/// alone.
fn quote_bare_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut chars = text.char_indices().peekable();
    let mut in_string = false;
    let mut escaped = false;
    // The last significant character outside strings: a key may follow `{` or `,`.
    let mut last = ' ';
    while let Some((i, c)) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
            out.push(c);
            last = c;
            continue;
        }
        if (c.is_ascii_alphabetic() || c == '_' || c == '$') && matches!(last, '{' | ',') {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || matches!(d, '_' | '$' | '@' | '.' | '-') {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &text[i..end];
            if text[end..].trim_start().starts_with(':') {
                out.push('"');
                out.push_str(word);
                out.push('"');
            } else {
                out.push_str(word);
            }
            last = 'w';
            continue;
        }
        out.push(c);
        if !c.is_whitespace() {
            last = c;
        }
    }
    out
}

struct Definition {
    name: String,
    kind: String,
    multivalued: bool,
}

fn definitions(object: Option<&serde_json::Value>) -> Vec<Definition> {
    let Some(attrs) = object
        .and_then(|o| o.get("attributes"))
        .and_then(|a| a.as_array())
    else {
        return Vec::new();
    };
    attrs
        .iter()
        .filter_map(|a| {
            Some(Definition {
                name: a.get("name")?.as_str()?.to_string(),
                kind: a
                    .get("type")
                    .and_then(|t| t.as_str())
                    .unwrap_or("String")
                    .to_string(),
                multivalued: a
                    .get("multivalued")
                    .and_then(|m| m.as_bool())
                    .unwrap_or(false),
            })
        })
        .collect()
}

fn property_value(
    key: &str,
    json: &serde_json::Value,
    def: Option<&Definition>,
) -> Result<Value, String> {
    let Some(def) = def else {
        return Value::from_json(key, json);
    };
    let value = Value::from_json(key, json)?;
    let typed = match (&value, def.kind.to_ascii_lowercase().as_str()) {
        (Value::Str(s), "boolean") => parse_bool(s).map(Value::Bool).unwrap_or(value.clone()),
        (Value::Str(s), "integer") => parse_int(s).map(Value::Int).unwrap_or(value.clone()),
        _ => value.clone(),
    };
    Ok(match typed {
        Value::Str(s) if def.multivalued => Value::Multi(vec![s]),
        other => other,
    })
}

/// Answers a request as Graph would: the parsed tree and the evaluation of the expression
/// against the test object (or against no attributes when there is none).
pub fn respond(
    request: &ParseExpressionRequest,
    ctx: &Context,
) -> (ParseExpressionResponse, Option<Failure>) {
    let text = &request.expression;
    let expr = match syntax::parse(text) {
        Ok(e) => e,
        Err(e) => {
            let response = ParseExpressionResponse {
                error: Some(PublicError {
                    code: e.kind.name().to_string(),
                    message: e.kind.message(),
                    target: None,
                }),
                evaluation_succeeded: false,
                evaluation_result: None,
                parsed_expression: None,
                parsing_succeeded: false,
            };
            return (response, Some(Failure::Parse(e)));
        }
    };
    let tree = graph::to_graph(&expr);
    let checked = match check::checked(expr) {
        Ok(checked) => checked,
        Err(problem) => {
            let response = response_for_problem(text, tree, &problem);
            return (response, Some(Failure::Check(problem)));
        }
    };
    let result = evaluate(&checked, ctx);
    let response = response_for(text, tree, &result);
    (response, result.err().map(Failure::Eval))
}

/// The response for an expression that parses but cannot be evaluated.
pub fn response_for_problem(
    text: &str,
    tree: MappingSource,
    problem: &Problem,
) -> ParseExpressionResponse {
    failed_evaluation(
        text,
        tree,
        problem.kind.name(),
        &problem.message,
        problem.span,
    )
}

/// A parsed expression whose evaluation failed with `code` at `span` of `text`.
fn failed_evaluation(
    text: &str,
    tree: MappingSource,
    code: &str,
    message: &str,
    span: crate::span::Span,
) -> ParseExpressionResponse {
    ParseExpressionResponse {
        error: Some(PublicError {
            code: code.to_string(),
            message: message.to_string(),
            target: text.get(span.range()).map(str::to_string),
        }),
        evaluation_succeeded: false,
        evaluation_result: None,
        parsed_expression: Some(tree),
        parsing_succeeded: true,
    }
}

/// The response for a parsed expression (its Graph tree) and its evaluation: what flows, as a
/// list of text (empty when nothing flows), or the error with the failing part of `text`.
pub fn response_for(
    text: &str,
    tree: MappingSource,
    result: &Result<Outcome, EvalError>,
) -> ParseExpressionResponse {
    match result {
        Ok(outcome) => ParseExpressionResponse {
            error: None,
            evaluation_succeeded: true,
            evaluation_result: Some(outcome.texts()),
            parsed_expression: Some(tree),
            parsing_succeeded: true,
        },
        Err(e) => failed_evaluation(text, tree, e.kind.name(), &e.message, e.span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::value::is_boolean_attribute;

    #[test]
    fn graph_documented_request_with_unquoted_keys() {
        let body = r##"{
            "expression":"Replace([preferredLanguage], \"-\", , , \"_\", ,  )",
            "targetAttributeDefinition":null,
            "testInputObject": {
                definition: null,
                properties:[
                    { key: "IsSoftDeleted", value: "false"},
                    { key: "preferredLanguage", value: "EN-US"},
                    { key: "appRoleAssignments", "value@odata.type":"#Collection(String)", value: ["Default Assignment"] }
                ]
            }
        }"##;
        let request = ParseExpressionRequest::from_text(body).unwrap();
        let attrs = request.attributes().unwrap();
        assert_eq!(attrs["IsSoftDeleted"], Value::Bool(false));
        assert_eq!(
            attrs["appRoleAssignments"],
            Value::Multi(vec!["Default Assignment".into()])
        );
        let (response, failure) = respond(&request, &Context::new(&attrs));
        assert!(failure.is_none());
        assert_eq!(response.evaluation_result, Some(vec!["EN_US".to_string()]));
        let tree = response.parsed_expression.unwrap();
        assert_eq!(
            tree.expression.as_deref(),
            Some(r#"Replace([preferredLanguage], "-", , , "_", , )"#)
        );
    }

    #[test]
    fn definitions_type_values() {
        let body = r#"{"expression": "[n]", "testInputObject": {
            "definition": {"name": "User", "attributes": [
                {"name": "n", "type": "Integer"},
                {"name": "flag", "type": "Boolean"},
                {"name": "tags", "type": "String", "multivalued": true}]},
            "properties": [{"key": "n", "value": "42"}, {"key": "flag", "value": "TRUE"},
                           {"key": "tags", "value": "one"}]}}"#;
        let attrs = ParseExpressionRequest::from_text(body)
            .unwrap()
            .attributes()
            .unwrap();
        assert_eq!(attrs["n"], Value::Int(42));
        assert_eq!(attrs["flag"], Value::Bool(true));
        assert_eq!(attrs["tags"], Value::Multi(vec!["one".into()]));
    }

    #[test]
    fn failures_fill_the_error() {
        let request = ParseExpressionRequest::from_text(
            r#"{"expression": "Item(Split(\"a,b\", \",\"), 5)"}"#,
        )
        .unwrap();
        let (response, failure) = respond(&request, &Context::default());
        assert!(matches!(failure, Some(Failure::Eval(_))));
        assert!(response.parsing_succeeded && !response.evaluation_succeeded);
        let request = ParseExpressionRequest::from_text(r#"{"expression": "Join("}"#).unwrap();
        let (response, failure) = respond(&request, &Context::default());
        assert!(matches!(failure, Some(Failure::Parse(_))));
        assert!(!response.parsing_succeeded && response.parsed_expression.is_none());
    }

    #[test]
    fn bare_keys_are_quoted_outside_strings() {
        assert_eq!(
            quote_bare_keys(r#"{ key: "a: b", value : [1, {x:true}], "q": "{ y: 1 }" }"#),
            r#"{ "key": "a: b", "value" : [1, {"x":true}], "q": "{ y: 1 }" }"#
        );
    }

    #[test]
    fn known_booleans() {
        assert!(is_boolean_attribute("isSoftDeleted"));
    }
}
