//! The check stage: `parse → check → eval`.
//!
//! [`check`] resolves every function name of a parsed expression against the catalogue once,
//! checks arity and argument kinds, and (given the source object's schema) the attributes it
//! reads. It returns the expression as a [`Checked`] tree — every call carries its
//! [`FnId`](crate::catalogue::FnId) — when nothing stops it from running, plus every
//! [`Problem`] it found. The evaluator runs only [`Checked`] trees; lint rules report the
//! problems instead of re-deriving them; `simulate` reports them once per mapping, before any
//! user.
//!
//! ```
//! use entramap::{check, syntax};
//!
//! let c = check::check(syntax::parse("Jion(\" \", [givenName])").unwrap(), None);
//! assert!(c.runnable().is_none());
//! assert_eq!(c.problems[0].kind, check::ProblemKind::UnknownFunction);
//!
//! let c = check::check(syntax::parse("join(\" \", [givenName])").unwrap(), None);
//! assert!(c.runnable().is_some());
//! assert_eq!(c.problems[0].kind, check::ProblemKind::FunctionNameCase);
//! ```

use crate::catalogue::{self, FunctionSpec, Kind};
use crate::mapping::schema::{AttributeLookup, SourceView};
use crate::span::Span;
use crate::syntax::{Call, Expr, ExprKind};

/// An expression whose every call is resolved and has an acceptable number of arguments: what
/// the evaluator runs. Only [`check`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    expr: Expr,
}

impl Checked {
    /// The resolved tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    pub fn into_expr(self) -> Expr {
        self.expr
    }
}

/// What the check found wrong with an expression. The codes and names are those of the lint
/// rules that report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// A call to a function the catalogue does not have. Stops evaluation.
    UnknownFunction,
    /// A known function in other capitals than documented.
    FunctionNameCase,
    /// Too few or too many arguments (stops evaluation), or a required one left empty.
    WrongArgumentCount,
    /// An argument of a kind the parameter cannot take.
    ArgumentKind,
    /// An attribute the source object does not have.
    UnknownSourceAttribute,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 5] = [
        ProblemKind::UnknownFunction,
        ProblemKind::FunctionNameCase,
        ProblemKind::WrongArgumentCount,
        ProblemKind::ArgumentKind,
        ProblemKind::UnknownSourceAttribute,
    ];

    /// The code of the lint rule that reports it.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::UnknownFunction => "EM002",
            ProblemKind::FunctionNameCase => "EM003",
            ProblemKind::WrongArgumentCount => "EM004",
            ProblemKind::ArgumentKind => "EM005",
            ProblemKind::UnknownSourceAttribute => "EM008",
        }
    }

    /// The name of the lint rule that reports it.
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::UnknownFunction => "unknown-function",
            ProblemKind::FunctionNameCase => "function-name-case",
            ProblemKind::WrongArgumentCount => "wrong-argument-count",
            ProblemKind::ArgumentKind => "argument-kind",
            ProblemKind::UnknownSourceAttribute => "unknown-source-attribute",
        }
    }
}

/// How sure the check is about a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// Established against what the file itself says (or the language): an error.
    Certain,
    /// Established against entramap's built-in knowledge, which may be incomplete: a warning.
    Likely,
}

/// One problem, at a span of the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub certainty: Certainty,
    /// Whether the expression cannot be evaluated because of it.
    pub blocking: bool,
    /// A replacement for `span` that fixes the problem without changing the meaning.
    pub replacement: Option<String>,
}

impl Problem {
    /// The problem as the crate's structured diagnostic (spans in expression coordinates).
    pub fn to_diagnostic(&self) -> crate::diagnostic::Diagnostic {
        let severity = match (self.blocking, self.certainty) {
            (true, _) | (false, Certainty::Certain) => crate::diagnostic::Severity::Error,
            (false, Certainty::Likely) => crate::diagnostic::Severity::Warning,
        };
        let mut d = crate::diagnostic::Diagnostic::new(
            self.kind.code(),
            self.kind.name(),
            severity,
            self.message.clone(),
        )
        .with_label(self.span, "");
        d.help = self.help.clone();
        d
    }

    fn new(kind: ProblemKind, span: Span, message: String) -> Problem {
        Problem {
            kind,
            span,
            message,
            help: None,
            certainty: Certainty::Certain,
            blocking: false,
            replacement: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

/// The result of checking one expression.
#[derive(Debug, Clone)]
pub struct Checking {
    /// The tree with every call the catalogue knows resolved.
    tree: Checked,
    /// Every problem, in the order of the walk (parents before children).
    pub problems: Vec<Problem>,
}

impl Checking {
    /// The tree, resolved as far as it could be (whether or not it can run).
    pub fn tree(&self) -> &Expr {
        &self.tree.expr
    }

    /// The runnable tree, unless a blocking problem was found.
    pub fn runnable(&self) -> Option<&Checked> {
        (!self.problems.iter().any(|p| p.blocking)).then_some(&self.tree)
    }

    /// The first problem that stops evaluation.
    pub fn blocking(&self) -> Option<&Problem> {
        self.problems.iter().find(|p| p.blocking)
    }

    /// The runnable tree, or the first problem that stops evaluation.
    pub fn into_runnable(mut self) -> Result<Checked, Problem> {
        match self.problems.iter().position(|p| p.blocking) {
            Some(i) => Err(self.problems.swap_remove(i)),
            None => Ok(self.tree),
        }
    }
}

/// Checks an expression: resolves its calls and, given the source object's schema, its
/// attribute references.
pub fn check(mut expr: Expr, source: Option<&SourceView>) -> Checking {
    let mut problems = Vec::new();
    resolve(&mut expr, source, &mut problems);
    Checking {
        tree: Checked { expr },
        problems,
    }
}

/// Checks an expression without schema knowledge and returns the runnable tree or the first
/// blocking problem: for callers that evaluate one expression (tests, `eval`, parseExpression).
pub fn checked(expr: Expr) -> Result<Checked, Problem> {
    check(expr, None).into_runnable()
}

/// Whether a resolved tree calls a function for which `pred` holds (`calls(e, |f|
/// f.has(Trait::Random))`).
pub fn calls(expr: &Expr, pred: impl Fn(&'static FunctionSpec) -> bool) -> bool {
    let mut found = false;
    expr.walk(&mut |node| {
        if let ExprKind::Call(call) = &node.kind
            && call.func.is_some_and(|id| pred(id.spec()))
        {
            found = true;
        }
    });
    found
}

/// Walks the tree (iteratively: trees may be deep), resolving calls in place.
fn resolve(root: &mut Expr, source: Option<&SourceView>, problems: &mut Vec<Problem>) {
    let mut stack: Vec<&mut Expr> = vec![root];
    while let Some(node) = stack.pop() {
        match &mut node.kind {
            ExprKind::Call(call) => {
                let span = node.span;
                check_call(call, span, problems);
                stack.extend(call.args.iter_mut().rev());
            }
            ExprKind::Compare(cmp) => {
                stack.push(&mut cmp.right);
                stack.push(&mut cmp.left);
            }
            ExprKind::Concat(parts) => stack.extend(parts.iter_mut().rev()),
            ExprKind::Attribute(name) => {
                if let Some(source) = source {
                    check_attribute(name, node.span, source, problems);
                }
            }
            _ => {}
        }
    }
}

fn check_call(call: &mut Call, span: Span, problems: &mut Vec<Problem>) {
    let Some(id) = catalogue::resolve(&call.name) else {
        let mut p = Problem::new(
            ProblemKind::UnknownFunction,
            call.name_span,
            format!("unknown function `{}`", call.name),
        )
        .help(
            match crate::suggest::did_you_mean(&call.name, catalogue::catalogue().names()) {
                Some(name) => {
                    format!("did you mean `{name}`? (`entramap functions {name}` describes it)")
                }
                None => "`entramap functions` lists every function Entra documents".to_string(),
            },
        );
        p.blocking = true;
        problems.push(p);
        return;
    };
    call.func = Some(id);
    let spec = id.spec();
    if spec.name != call.name {
        let mut p = Problem::new(
            ProblemKind::FunctionNameCase,
            call.name_span,
            format!("`{}` is documented as `{}`", call.name, spec.name),
        )
        .help(format!(
            "write `{}`: the documented syntax is case-sensitive",
            spec.name
        ));
        p.replacement = Some(spec.name.clone());
        problems.push(p);
    }
    let argc = call.args.len();
    let (min, max) = spec.arity();
    if argc < min || max.is_some_and(|m| argc > m) {
        let expected = match max {
            Some(max) if max == min => format!("{min}"),
            Some(max) => format!("{min} to {max}"),
            None => format!("at least {min}"),
        };
        let mut p = Problem::new(
            ProblemKind::WrongArgumentCount,
            span,
            format!(
                "`{}` takes {expected} argument{}, this call has {argc}",
                spec.name,
                if expected == "1" { "" } else { "s" }
            ),
        )
        .help(format!("the parameters are {}", spec.signature()));
        p.blocking = true;
        problems.push(p);
        return;
    }
    for (i, arg) in call.args.iter().enumerate() {
        let Some(param) = spec.param_at(i, argc) else {
            continue;
        };
        if arg.is_omitted() && param.required {
            problems.push(
                Problem::new(
                    ProblemKind::WrongArgumentCount,
                    arg.span,
                    format!(
                        "the required argument `{}` of `{}` is left empty",
                        param.name, spec.name
                    ),
                )
                .help(format!("the parameters are {}", spec.signature())),
            );
            continue;
        }
        if let Some(message) = argument_kind_problem(arg, param, spec) {
            problems.push(
                Problem::new(ProblemKind::ArgumentKind, arg.span, message)
                    .help(format!("the parameters are {}", spec.signature())),
            );
        }
    }
}

/// Identifiers that stand for themselves anywhere: the flow sentinels (a fact of the language,
/// not of any function).
pub const FLOW_SENTINELS: [&str; 2] = ["IgnoreAttributeFlow", "IgnoreObjectFlow"];

fn is_integer(text: &str) -> bool {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        || t.strip_prefix("&H")
            .or_else(|| t.strip_prefix("&h"))
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn argument_kind_problem(
    arg: &Expr,
    param: &catalogue::ParamSpec,
    spec: &FunctionSpec,
) -> Option<String> {
    match (&arg.kind, param.kind) {
        (ExprKind::Str(text), Kind::Integer) if !is_integer(text) => Some(format!(
            "`{}` of `{}` takes an integer, not {:?}",
            param.name, spec.name, text
        )),
        (ExprKind::Ident(name), Kind::Enum)
            if !param.values.iter().any(|v| v.eq_ignore_ascii_case(name)) =>
        {
            Some(format!(
                "`{}` of `{}` is one of {}, not `{name}`",
                param.name,
                spec.name,
                param.values.join(", ")
            ))
        }
        (ExprKind::Ident(name), kind)
            if kind != Kind::Enum && !FLOW_SENTINELS.contains(&name.as_str()) =>
        {
            Some(format!(
                "`{name}` is a bare identifier, but `{}` of `{}` takes no named option",
                param.name, spec.name
            ))
        }
        (ExprKind::Str(_) | ExprKind::Number(_) | ExprKind::Hex(_), Kind::Attribute) => {
            Some(format!(
                "`{}` of `{}` takes an attribute reference such as `[appRoleAssignments]`",
                param.name, spec.name
            ))
        }
        _ => None,
    }
}

fn check_attribute(name: &str, span: Span, source: &SourceView, problems: &mut Vec<Problem>) {
    let AttributeLookup::Missing { certain } = source.lookup(name) else {
        return;
    };
    let (message, help) = match source.near_miss(name) {
        Some((real, true)) => (
            format!("`[{name}]` differs only in case from the source attribute `{real}`"),
            format!("write `[{real}]`; attribute names are matched exactly"),
        ),
        miss => (
            format!("{} has no attribute `{name}`", source.describe()),
            match miss {
                Some((similar, _)) => format!("did you mean `[{similar}]`?"),
                None if certain => "add the attribute to the source object's definition, or reference one it has".into(),
                None => "if this is a custom attribute of your tenant, export the whole schema so entramap can see its definition".into(),
            },
        ),
    };
    let mut p = Problem::new(ProblemKind::UnknownSourceAttribute, span, message).help(help);
    p.certainty = if certain {
        Certainty::Certain
    } else {
        Certainty::Likely
    };
    problems.push(p);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn kinds(text: &str) -> Vec<(ProblemKind, bool)> {
        check(parse(text).unwrap(), None)
            .problems
            .iter()
            .map(|p| (p.kind, p.blocking))
            .collect()
    }

    #[test]
    fn unknown_functions_and_wrong_arity_block_evaluation() {
        assert_eq!(kinds("Nope([a])"), [(ProblemKind::UnknownFunction, true)]);
        assert_eq!(
            kinds("Left([a])"),
            [(ProblemKind::WrongArgumentCount, true)]
        );
        let problem = checked(parse("Left([a])").unwrap()).unwrap_err();
        assert_eq!(&"Left([a])"[problem.span.range()], "Left([a])");
        assert_eq!(problem.to_diagnostic().code, "EM004");
    }

    #[test]
    fn casing_empty_slots_and_kinds_do_not_block() {
        assert_eq!(
            kinds("mid([a], , 2)"),
            [
                (ProblemKind::FunctionNameCase, false),
                (ProblemKind::WrongArgumentCount, false)
            ]
        );
        assert_eq!(
            kinds(r#"Mid([a], "one", 2)"#),
            [(ProblemKind::ArgumentKind, false)]
        );
        assert!(checked(parse("mid([a], 1, 2)").unwrap()).is_ok());
    }

    #[test]
    fn every_known_call_is_resolved() {
        let c = checked(parse(r#"IIF(IsPresent([a]), ToUpper([a]), Join(" ", "x"))"#).unwrap())
            .unwrap();
        // Each call resolves to the catalogue entry of the name it is written with.
        let mut calls = Vec::new();
        c.expr().walk(&mut |n| {
            if let ExprKind::Call(call) = &n.kind {
                calls.push((
                    call.name.clone(),
                    call.func.map(|id| id.spec().name.clone()),
                ));
            }
        });
        assert_eq!(calls.len(), 4);
        for (written, resolved) in calls {
            assert_eq!(resolved.as_deref(), Some(written.as_str()));
        }
    }

    #[test]
    fn problem_codes_are_the_reporting_rules_codes() {
        for kind in ProblemKind::ALL {
            let rule = crate::lint::find_rule(kind.name())
                .unwrap_or_else(|| panic!("no lint rule named {}", kind.name()));
            assert_eq!(rule.code, kind.code(), "{}", kind.name());
        }
    }
}
