//! Microsoft Graph's expression tree (`attributeMappingSource`) in both directions, and the
//! parseExpression request and response bodies.
//!
//! Decisions (see `grammar/README.md`): numbers, hex literals and bare identifiers become
//! `Constant` nodes named by their text; a comparison becomes a `Function` named by its operator
//! with parameters `left` and `right`; `&` becomes a `Function` named `&` with repeated `source`;
//! omitted arguments are dropped; an argument the catalogue has no parameter for is keyed
//! `argN` (N its 1-based position).

pub mod parse_expression;

use crate::catalogue::{self, FunctionSpec};
use crate::span::Span;
use crate::syntax::{self, Call, Compare, CompareOp, Expr, ExprKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SourceType {
    #[default]
    Attribute,
    Constant,
    Function,
}

/// One node of Graph's tree, with its fields in the order Graph prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MappingSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub parameters: Vec<SourceParameter>,
    #[serde(rename = "type", default)]
    pub kind: SourceType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceParameter {
    pub key: String,
    pub value: MappingSource,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<SourceParameter>, D::Error> {
    Ok(Option::<Vec<SourceParameter>>::deserialize(d)?.unwrap_or_default())
}

/// Why a Graph tree could not be turned into an expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("a {0:?} node has no name")]
    MissingName(SourceType),
    #[error("function {function} has no parameter {key:?} (it takes {expected})")]
    UnknownParameter {
        function: String,
        key: String,
        expected: String,
    },
    #[error("function {function} has parameter {key:?} more than once, but it does not repeat")]
    RepeatedParameter { function: String, key: String },
    #[error("a comparison node {0:?} needs exactly the parameters left and right")]
    BadComparison(String),
    #[error("the tree is nested deeper than {0} levels")]
    TooDeep(usize),
    #[error(
        "function {function} has parameter {key:?}, which leaves more empty arguments before it than a tree may have (10,000 in all)"
    )]
    TooManyEmptySlots { function: String, key: String },
}

/// The Graph tree of an expression.
pub fn to_graph(expr: &Expr) -> MappingSource {
    let expression = Some(syntax::print(expr));
    match &expr.kind {
        ExprKind::Attribute(name) => MappingSource {
            expression,
            name: Some(name.clone()),
            parameters: Vec::new(),
            kind: SourceType::Attribute,
        },
        ExprKind::Str(text) | ExprKind::Number(text) => constant(text.clone(), syntax::quote(text)),
        ExprKind::Hex(digits) => {
            let text = format!("&H{digits}");
            constant(text.clone(), syntax::quote(&text))
        }
        ExprKind::Ident(name) => constant(name.clone(), name.clone()),
        ExprKind::Omitted => constant(String::new(), String::new()),
        ExprKind::Call(call) => {
            let spec = call
                .func
                .map(|id| id.spec())
                .or_else(|| catalogue::lookup(&call.name));
            let argc = call.args.len();
            let parameters = call
                .args
                .iter()
                .enumerate()
                .filter(|(_, a)| !a.is_omitted())
                .map(|(i, arg)| SourceParameter {
                    key: spec
                        .and_then(|s| s.param_at(i, argc))
                        .map_or_else(|| format!("arg{}", i + 1), |p| p.name.clone()),
                    value: to_graph(arg),
                })
                .collect();
            function(call.name.clone(), expression, parameters)
        }
        ExprKind::Compare(cmp) => {
            let parameters = vec![
                SourceParameter {
                    key: "left".into(),
                    value: to_graph(&cmp.left),
                },
                SourceParameter {
                    key: "right".into(),
                    value: to_graph(&cmp.right),
                },
            ];
            function(cmp.op.as_str().into(), expression, parameters)
        }
        ExprKind::Concat(parts) => {
            let parameters = parts
                .iter()
                .map(|p| SourceParameter {
                    key: "source".into(),
                    value: to_graph(p),
                })
                .collect();
            function("&".into(), expression, parameters)
        }
    }
}

fn constant(name: String, expression: String) -> MappingSource {
    MappingSource {
        expression: Some(expression),
        name: Some(name),
        parameters: Vec::new(),
        kind: SourceType::Constant,
    }
}

fn function(
    name: String,
    expression: Option<String>,
    parameters: Vec<SourceParameter>,
) -> MappingSource {
    MappingSource {
        expression,
        name: Some(name),
        parameters,
        kind: SourceType::Function,
    }
}

/// Two trees are the same mapping when they agree in type, name and parameters; the
/// `expression` texts are renderings and may differ in spelling.
pub fn same_tree(a: &MappingSource, b: &MappingSource) -> bool {
    a.kind == b.kind
        && a.name == b.name
        && a.parameters.len() == b.parameters.len()
        && a.parameters
            .iter()
            .zip(&b.parameters)
            .all(|(x, y)| x.key == y.key && same_tree(&x.value, &y.value))
}

/// The expression a Graph tree stands for.
///
/// When the node carries an `expression` text that parses to this very tree, that text is
/// kept (numbers stay unquoted, spacing as written); otherwise the expression is rebuilt from the
/// tree, with empty slots re-inserted between parameters the catalogue places apart.
pub fn from_graph(source: &MappingSource) -> Result<Expr, GraphError> {
    if let Some(text) = &source.expression
        && let Ok(expr) = syntax::parse(text)
        && same_tree(&to_graph(&expr), source)
    {
        return Ok(expr);
    }
    let mut empty_left = MAX_EMPTY_SLOTS;
    build(source, 0, &mut empty_left)
}

/// How many empty argument slots a tree may imply in all: a positional key such as `arg1000000`
/// stands for that many slots before it, and a small file must not claim gigabytes that way.
pub const MAX_EMPTY_SLOTS: usize = 10_000;

/// Builds the expression of a tree; `empty_left` is what remains of [`MAX_EMPTY_SLOTS`].
fn build(source: &MappingSource, depth: usize, empty_left: &mut usize) -> Result<Expr, GraphError> {
    if depth > syntax::MAX_DEPTH {
        return Err(GraphError::TooDeep(syntax::MAX_DEPTH));
    }
    let name = || {
        source
            .name
            .clone()
            .ok_or(GraphError::MissingName(source.kind))
    };
    let kind = match source.kind {
        SourceType::Attribute => ExprKind::Attribute(name()?),
        SourceType::Constant => constant_kind(source, name()?),
        SourceType::Function => {
            let name = name()?;
            if let Some(op) = CompareOp::from_symbol(&name) {
                let mut left = None;
                let mut right = None;
                for p in &source.parameters {
                    let slot = match p.key.as_str() {
                        "left" => &mut left,
                        "right" => &mut right,
                        _ => return Err(GraphError::BadComparison(name)),
                    };
                    *slot = Some(build(&p.value, depth + 1, empty_left)?);
                }
                let (Some(left), Some(right)) = (left, right) else {
                    return Err(GraphError::BadComparison(name));
                };
                ExprKind::Compare(Box::new(Compare {
                    op,
                    op_span: Span::default(),
                    left,
                    right,
                }))
            } else if name == "&" {
                let parts = source
                    .parameters
                    .iter()
                    .map(|p| build(&p.value, depth + 1, empty_left))
                    .collect::<Result<_, _>>()?;
                ExprKind::Concat(parts)
            } else {
                let args = arguments(
                    &name,
                    catalogue::lookup(&name),
                    &source.parameters,
                    depth,
                    empty_left,
                )?;
                ExprKind::Call(Call::new(name, Span::default(), args))
            }
        }
    };
    Ok(Expr::new(kind, Span::default()))
}

/// A Constant node: a string, unless its expression text shows a bare identifier, number or
/// hex literal.
fn constant_kind(source: &MappingSource, name: String) -> ExprKind {
    if let Some(text) = &source.expression
        && !text.trim_start().starts_with('"')
        && let Ok(expr) = syntax::parse(text)
        && matches!(
            expr.kind,
            ExprKind::Ident(_) | ExprKind::Number(_) | ExprKind::Hex(_)
        )
    {
        return expr.kind;
    }
    ExprKind::Str(name)
}

fn arguments(
    name: &str,
    spec: Option<&FunctionSpec>,
    params: &[SourceParameter],
    depth: usize,
    empty_left: &mut usize,
) -> Result<Vec<Expr>, GraphError> {
    let mut slots: Vec<Option<Expr>> = Vec::new();
    let mut repeat_next: Option<usize> = None;
    for p in params {
        let position = match spec.and_then(|s| s.position(&p.key)) {
            Some(pos) => {
                let spec = spec.expect("position implies spec");
                if spec.parameters[pos].repeating {
                    let next = repeat_next.unwrap_or(pos);
                    repeat_next = Some(next + 1);
                    next
                } else if slots.get(pos).is_some_and(Option::is_some) {
                    return Err(GraphError::RepeatedParameter {
                        function: name.into(),
                        key: p.key.clone(),
                    });
                } else {
                    pos
                }
            }
            None => match p
                .key
                .strip_prefix("arg")
                .and_then(|n| n.parse::<usize>().ok())
            {
                Some(n) if n >= 1 => n - 1,
                _ => {
                    return Err(GraphError::UnknownParameter {
                        function: name.into(),
                        key: p.key.clone(),
                        expected: spec.map_or_else(
                            || "positional keys arg1, arg2, … as it is not in the catalogue".into(),
                            |s| s.signature(),
                        ),
                    });
                }
            },
        };
        if slots.len() <= position {
            // The slots between the last one filled and this one are empty arguments.
            let empty = position - slots.len();
            if empty > *empty_left {
                return Err(GraphError::TooManyEmptySlots {
                    function: name.into(),
                    key: p.key.clone(),
                });
            }
            *empty_left -= empty;
            slots.resize_with(position + 1, || None);
        }
        slots[position] = Some(build(&p.value, depth + 1, empty_left)?);
    }
    Ok(slots
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Expr::new(ExprKind::Omitted, Span::default())))
        .collect())
}

/// The text of the expression a Graph tree stands for.
pub fn graph_to_text(source: &MappingSource) -> Result<String, GraphError> {
    Ok(syntax::print(&from_graph(source)?))
}
