//! The evaluator: runs an expression against one object's attributes, the way Entra's
//! provisioning service would.
//!
//! ```
//! use entramap::eval::{self, Context, Outcome, Value};
//! use entramap::{check, syntax};
//! use std::collections::HashMap;
//!
//! let parsed = syntax::parse(r#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#).unwrap();
//! let expr = check::checked(parsed).unwrap();
//! let user = HashMap::from([("IsSoftDeleted".to_string(), Value::Bool(true))]);
//! let outcome = eval::evaluate(&expr, &Context::new(&user)).unwrap();
//! assert_eq!(outcome, Outcome::Value(Value::Str("False".into())));
//! ```
//!
//! Semantics (decided in `../shared/DESIGN.md`, recorded in `grammar/README.md`):
//!
//! * Null is an absent attribute and never flows: a top-level null is [`Outcome::NoValue`]. The
//!   empty string is a value.
//! * `IIF` evaluates only the branch it takes; `Switch` evaluates keys in order until one matches
//!   and then only that key's value (or the default); `Coalesce` and `SelectUniqueValue` stop at
//!   the first usable argument. So `IIF(IsPresent([a]), [a], Error("…"))` only fails when `[a]`
//!   is missing.
//! * Comparisons `= <> < <= > >=` are numeric when both sides are integers (or integer text),
//!   chronological when both are dates, and otherwise ordinal and case-sensitive on the text;
//!   a null side compares as `""`.
//! * `&` concatenates text (null is `""`).
//! * The bare identifiers `IgnoreAttributeFlow` and `IgnoreObjectFlow` stop the evaluation with
//!   that outcome wherever they are evaluated; other bare identifiers (`vbTextCompare`, `UTF8`)
//!   evaluate to their name.
//! * Only checked trees run ([`Checked`], from `crate::check`): names, arity and argument
//!   kinds were resolved once by the check stage, and calls dispatch by their function id.
//! * Nothing panics: every failure is an [`EvalError`] pointing at the call (or the argument)
//!   that caused it.

pub mod value;

pub use value::Value;

use crate::catalogue::FunctionSpec;
use crate::check::Checked;
use crate::diagnostic::{Diagnostic, Severity};
use crate::functions::{self, Implementation};
use crate::span::Span;
use crate::syntax::{Call, Compare, CompareOp, Expr, ExprKind};
use jiff::Timestamp;
use std::borrow::Cow;
use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use value::CoercionError;

/// Calls nested deeper than this are refused (the parser already stops at 256).
pub const MAX_DEPTH: u32 = 300;

/// The most one function call or concatenation may produce, in bytes of text (every value of a
/// multi-valued result counted, each with [`VALUE_OVERHEAD`] more). Directory attributes are
/// a few kilobytes at most; this bound only stops expressions that multiply their input (a
/// `Join` whose separator is a large value, `Replace` of every character by a large text,
/// nested) from exhausting memory.
pub const MAX_VALUE_BYTES: usize = 16 * 1024 * 1024;

/// The work one evaluation may do by default, in bytes of text produced by its calls and
/// scanned by its regular expressions: 64 MiB. Real mappings do a few kilobytes; the budget stops
/// expressions that amplify their own values (`Replace` feeding `Join` feeding `Replace`) in
/// time linear in it.
pub const DEFAULT_BUDGET: u64 = 64 * 1024 * 1024;

/// What each value of a multi-valued result counts for besides its text.
pub const VALUE_OVERHEAD: usize = 24;

/// The size a value counts for against [`MAX_VALUE_BYTES`].
pub fn value_size(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.len(),
        Value::Multi(values) => values
            .iter()
            .fold(0usize, |n, s| n.saturating_add(s.len() + VALUE_OVERHEAD)),
        _ => 0,
    }
}

// ------------------------------------------------------------------------------------ attributes

/// The source object's attributes, by name.
///
/// A name is looked up exactly first, then ignoring ASCII case. An attribute that is absent (or
/// present with [`Value::Null`]) is null.
pub trait Attributes {
    /// The attribute's value, if the object has it.
    fn get(&self, name: &str) -> Option<Value>;

    /// The attribute's value, borrowed where the store allows it (the evaluator uses this, so
    /// that reading an attribute does not copy it).
    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.get(name).map(Cow::Owned)
    }
}

impl<S: BuildHasher> Attributes for HashMap<String, Value, S> {
    fn get(&self, name: &str) -> Option<Value> {
        self.lookup(name).map(Cow::into_owned)
    }

    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        HashMap::get(self, name)
            .or_else(|| {
                self.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .map(Cow::Borrowed)
    }
}

impl Attributes for BTreeMap<String, Value> {
    fn get(&self, name: &str) -> Option<Value> {
        self.lookup(name).map(Cow::into_owned)
    }

    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        BTreeMap::get(self, name)
            .or_else(|| {
                self.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .map(Cow::Borrowed)
    }
}

/// An object without attributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAttributes;

impl Attributes for NoAttributes {
    fn get(&self, _: &str) -> Option<Value> {
        None
    }
}

static NO_ATTRIBUTES: NoAttributes = NoAttributes;

// ------------------------------------------------------------------------------------ context

/// Everything an evaluation may depend on besides the expression.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The source object.
    pub attributes: &'a dyn Attributes,
    /// What `Now()` returns.
    pub now: Timestamp,
    /// Seeds `Guid()` and `RandomString()`: the same seed gives the same output.
    pub seed: u64,
    /// Values already present in the target directory, for `SelectUniqueValue`.
    pub existing: &'a [String],
    /// The work this evaluation may do (see [`DEFAULT_BUDGET`]).
    pub budget: u64,
}

impl<'a> Context<'a> {
    /// A context over these attributes, with the real clock, seed 0 and an empty target.
    pub fn new(attributes: &'a dyn Attributes) -> Context<'a> {
        Context {
            attributes,
            now: Timestamp::now(),
            seed: 0,
            existing: &[],
            budget: DEFAULT_BUDGET,
        }
    }

    /// A smaller (or larger) work budget, in bytes of text produced or scanned.
    pub fn with_budget(mut self, budget: u64) -> Self {
        self.budget = budget;
        self
    }

    pub fn with_now(mut self, now: Timestamp) -> Self {
        self.now = now;
        self
    }

    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub fn with_existing(mut self, existing: &'a [String]) -> Self {
        self.existing = existing;
        self
    }
}

impl Default for Context<'static> {
    /// No attributes, the real clock, seed 0, an empty target.
    fn default() -> Self {
        Context::new(&NO_ATTRIBUTES)
    }
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("now", &self.now)
            .field("seed", &self.seed)
            .field("existing", &self.existing)
            .finish_non_exhaustive()
    }
}

// ------------------------------------------------------------------------------------ outcome

/// What an expression does to its target attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This value flows.
    Value(Value),
    /// The expression produced null: nothing flows.
    NoValue,
    /// `IgnoreFlowIfNullOrEmpty` found nothing: the attribute is left out of the update.
    IgnoreFlow,
    /// `IgnoreAttributeFlow` was reached: the attribute is skipped.
    IgnoreAttributeFlow,
    /// `IgnoreObjectFlow` was reached: the whole object is skipped.
    IgnoreObjectFlow,
}

impl Outcome {
    /// The outcome's kebab-case name, as `entramap eval --output json` prints it.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Value(_) => "value",
            Outcome::NoValue => "no-value",
            Outcome::IgnoreFlow => "ignore-flow",
            Outcome::IgnoreAttributeFlow => "ignore-attribute-flow",
            Outcome::IgnoreObjectFlow => "ignore-object-flow",
        }
    }

    pub fn value(&self) -> Option<&Value> {
        match self {
            Outcome::Value(v) => Some(v),
            _ => None,
        }
    }

    /// What flows, as text: one entry per value, none when nothing flows.
    pub fn texts(&self) -> Vec<String> {
        self.value().map(Value::texts).unwrap_or_default()
    }
}

/// How an evaluation stops early: a flow-control outcome or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Ignore,
    IgnoreAttribute,
    IgnoreObject,
}

/// Why an evaluation stopped before producing a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Error(Box<EvalError>),
    Flow(Flow),
}

/// What every step of the evaluation returns: a value (borrowed from the expression or the
/// attributes where possible) or the reason to stop.
pub type Res<'a> = Result<Cow<'a, Value>, Stop>;

/// A native implementation of a function; it evaluates the arguments it needs through [`Args`].
pub type NativeFn = for<'e, 'a> fn(&Args<'e, 'a>) -> Res<'a>;

// ------------------------------------------------------------------------------------ errors

/// An evaluation error: what went wrong and at which call or argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub kind: EvalErrorKind,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvalErrorKind {
    /// A call the check stage did not resolve (a tree built by hand, not by `check`).
    Unchecked,
    /// The function needs a tenant (Graph-only functions such as `DefaultDomain`).
    NotSupportedOffline,
    /// A required argument is missing or null.
    MissingArgument,
    NotANumber,
    NotABoolean,
    InvalidDate,
    /// Date arithmetic or conversion outside years 1 to 9999.
    DateOutOfRange,
    /// A number too large for 64 bits.
    Overflow,
    InvalidRegex,
    /// The regex backtracked too much (a catastrophic pattern); stopped instead of hanging.
    RegexTooComplex,
    /// `Item` outside the values.
    IndexOutOfRange,
    /// A multi-valued value where one value is needed.
    MultipleValues,
    /// An argument with a value the function does not accept (an unknown interval, a length
    /// over 256, …).
    InvalidArgument,
    /// Bad Base64, a malformed SID.
    InvalidEncoding,
    /// Every `SelectUniqueValue` candidate is taken.
    NoUniqueValue,
    /// `Replace` with a combination of arguments that selects no overload.
    NoReplaceOverload,
    /// `Error("…")` was evaluated.
    ErrorFunction,
    /// Calls nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A call produced more than [`MAX_VALUE_BYTES`].
    ValueTooLarge,
    /// The evaluation did more work than its budget allows ([`Context::budget`]), or a
    /// backtracking regex met more text than it may scan.
    BudgetExceeded,
    /// A function defined for one value of its input (trait `single-assignment`, such as
    /// `SingleAppRoleAssignment`) met several: Entra fails the user.
    MoreThanOneAssignment,
}

impl EvalErrorKind {
    /// A stable code per kind: `EV001`…
    pub fn code(self) -> &'static str {
        use EvalErrorKind::*;
        match self {
            Unchecked => "EV001",
            NotSupportedOffline => "EV003",
            MissingArgument => "EV004",
            NotANumber => "EV005",
            NotABoolean => "EV006",
            InvalidDate => "EV007",
            DateOutOfRange => "EV008",
            Overflow => "EV009",
            InvalidRegex => "EV010",
            RegexTooComplex => "EV011",
            IndexOutOfRange => "EV012",
            MultipleValues => "EV013",
            InvalidArgument => "EV014",
            InvalidEncoding => "EV015",
            NoUniqueValue => "EV016",
            NoReplaceOverload => "EV017",
            ErrorFunction => "EV018",
            TooDeep => "EV019",
            ValueTooLarge => "EV020",
            BudgetExceeded => "EV021",
            MoreThanOneAssignment => "EV022",
        }
    }

    /// A kebab-case name per kind.
    pub fn name(self) -> &'static str {
        use EvalErrorKind::*;
        match self {
            Unchecked => "unchecked-call",
            NotSupportedOffline => "not-supported-offline",
            MissingArgument => "missing-argument",
            NotANumber => "not-a-number",
            NotABoolean => "not-a-boolean",
            InvalidDate => "invalid-date",
            DateOutOfRange => "date-out-of-range",
            Overflow => "overflow",
            InvalidRegex => "invalid-regex",
            RegexTooComplex => "regex-too-complex",
            IndexOutOfRange => "index-out-of-range",
            MultipleValues => "multiple-values",
            InvalidArgument => "invalid-argument",
            InvalidEncoding => "invalid-encoding",
            NoUniqueValue => "no-unique-value",
            NoReplaceOverload => "no-replace-overload",
            ErrorFunction => "error-function",
            TooDeep => "nesting-too-deep",
            ValueTooLarge => "value-too-large",
            BudgetExceeded => "evaluation-budget-exceeded",
            MoreThanOneAssignment => "more-than-one-assignment",
        }
    }

    /// What to do about it.
    pub fn help(self) -> &'static str {
        use EvalErrorKind::*;
        match self {
            Unchecked => "run the expression through `check::check` first",
            NotSupportedOffline => {
                "this function depends on the tenant; test it with Graph's parseExpression"
            }
            MissingArgument => {
                "give the argument a value, or guard the call with IIF(IsPresent(…), …) or Coalesce"
            }
            NotANumber => "numbers are written as integers, e.g. `3`, `\"3\"` or `&H1F`",
            NotABoolean => {
                "booleans are `True` or `False`; comparisons such as `[a] = \"x\"` produce them"
            }
            InvalidDate => {
                "dates are read like `2021-08-24`, `2009-06-15T01:45:30-07:00` or `8/25/2021 5:41:18 PM`; FormatDateTime reads other layouts"
            }
            DateOutOfRange => "dates must lie between the years 1 and 9999",
            Overflow => "integers must fit in 64 bits",
            InvalidRegex => {
                "Replace uses .NET regex syntax; backslashes are doubled inside a string constant (`\"\\\\d+\"`)"
            }
            RegexTooComplex => {
                "simplify the pattern: nested quantifiers such as `(a+)+` with backreferences backtrack exponentially"
            }
            IndexOutOfRange => "Item counts from 1; guard it with Count([attribute])",
            MultipleValues => "pick one value with Item(…, 1) or combine them with Join",
            InvalidArgument => "`entramap functions NAME` describes the accepted values",
            InvalidEncoding => "binary values are given as Base64 text",
            NoUniqueValue => {
                "Entra escrows the object until a rule yields a free value; add another rule"
            }
            NoReplaceOverload => {
                "fill oldValue + replacementValue, oldValue + template, regexPattern + replacementValue, or regexPattern + regexGroupName + replacementValue / replacementAttributeName"
            }
            ErrorFunction => {
                "the expression raised this error on purpose, for data it cannot handle"
            }
            TooDeep => "flatten the expression",
            ValueTooLarge => {
                "an attribute value is a few kilobytes at most; look for a Join separator or a Replace replacement that repeats a large value"
            }
            BudgetExceeded => {
                "real mappings do a few kilobytes of work; look for calls that feed a growing value back into Replace or Join, or a lookaround pattern run over a long text"
            }
            MoreThanOneAssignment => {
                "assign each user one role of this app, or send every role with AppRoleAssignmentsComplex if the app takes several"
            }
        }
    }
}

impl EvalError {
    pub fn new(kind: EvalErrorKind, span: Span, message: impl Into<String>) -> Self {
        EvalError {
            kind,
            span,
            message: message.into(),
        }
    }

    /// This error as the crate's structured diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let label = match self.kind {
            EvalErrorKind::ErrorFunction => "raised here",
            _ => "evaluation failed here",
        };
        Diagnostic::new(
            self.kind.code(),
            self.kind.name(),
            Severity::Error,
            self.message.clone(),
        )
        .with_help(self.kind.help())
        .with_label(self.span, label)
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

// ------------------------------------------------------------------------------------ evaluate

/// Evaluates a checked expression in a context.
pub fn evaluate(checked: &Checked, ctx: &Context) -> Result<Outcome, EvalError> {
    let expr = checked.expr();
    let ev = Evaluator {
        attributes: ctx.attributes,
        now: ctx.now,
        seed: ctx.seed,
        existing: ctx.existing,
        counter: Cell::new(0),
        depth: Cell::new(0),
        budget: ctx.budget,
        work: Cell::new(0),
    };
    match ev.eval(expr) {
        Ok(v) if v.is_null() => Ok(Outcome::NoValue),
        Ok(v) => Ok(Outcome::Value(v.into_owned())),
        Err(Stop::Flow(Flow::Ignore)) => Ok(Outcome::IgnoreFlow),
        Err(Stop::Flow(Flow::IgnoreAttribute)) => Ok(Outcome::IgnoreAttributeFlow),
        Err(Stop::Flow(Flow::IgnoreObject)) => Ok(Outcome::IgnoreObjectFlow),
        Err(Stop::Error(e)) => Err(*e),
    }
}

static NULL: Value = Value::Null;

/// One evaluation in progress.
pub struct Evaluator<'a> {
    attributes: &'a dyn Attributes,
    now: Timestamp,
    seed: u64,
    existing: &'a [String],
    /// Counts Guid/RandomString calls so that each gets its own stream from the seed.
    counter: Cell<u64>,
    depth: Cell<u32>,
    budget: u64,
    /// Work done so far: bytes produced by calls and scanned by regular expressions.
    work: Cell<u64>,
}

fn too_large(span: Span, what: &str, size: usize) -> Stop {
    error(
        EvalErrorKind::ValueTooLarge,
        span,
        format!(
            "{what} would produce {size} bytes or more; entramap stops values at {MAX_VALUE_BYTES} bytes (16 MiB)"
        ),
    )
}

fn error(kind: EvalErrorKind, span: Span, message: impl Into<String>) -> Stop {
    Stop::Error(Box::new(EvalError::new(kind, span, message)))
}

impl<'a> Evaluator<'a> {
    /// Adds work to the evaluation's count; over the budget, the evaluation stops naming `what`.
    fn spend(&self, span: Span, what: &str, units: usize) -> Result<(), Stop> {
        let work = self.work.get().saturating_add(units as u64);
        self.work.set(work);
        if work > self.budget {
            return Err(error(
                EvalErrorKind::BudgetExceeded,
                span,
                format!(
                    "{what}: the evaluation has done more work than its budget of {} bytes of text produced or scanned",
                    self.budget
                ),
            ));
        }
        Ok(())
    }

    fn eval(&self, expr: &'a Expr) -> Res<'a> {
        match &expr.kind {
            ExprKind::Str(s) | ExprKind::Number(s) => Ok(Cow::Owned(Value::Str(s.clone()))),
            ExprKind::Hex(digits) => Ok(Cow::Owned(Value::Str(format!("&H{digits}")))),
            ExprKind::Attribute(name) => {
                Ok(self.attributes.lookup(name).unwrap_or(Cow::Borrowed(&NULL)))
            }
            ExprKind::Ident(name) => {
                if name.eq_ignore_ascii_case("IgnoreAttributeFlow") {
                    Err(Stop::Flow(Flow::IgnoreAttribute))
                } else if name.eq_ignore_ascii_case("IgnoreObjectFlow") {
                    Err(Stop::Flow(Flow::IgnoreObject))
                } else {
                    Ok(Cow::Owned(Value::Str(name.clone())))
                }
            }
            ExprKind::Omitted => Ok(Cow::Borrowed(&NULL)),
            ExprKind::Compare(cmp) => Ok(Cow::Owned(Value::Bool(self.compare(cmp)?))),
            ExprKind::Concat(parts) => {
                let mut out = String::new();
                for part in parts {
                    if let Some(text) = self.text_of(part)? {
                        let size = out.len().saturating_add(text.len());
                        if size > MAX_VALUE_BYTES {
                            return Err(too_large(expr.span, "the concatenation", size));
                        }
                        out.push_str(&text);
                    }
                }
                self.spend(expr.span, "&", out.len().saturating_add(1))?;
                Ok(Cow::Owned(Value::Str(out)))
            }
            ExprKind::Call(call) => self.call(call, expr.span),
        }
    }

    /// The text of an expression, borrowing string constants and attribute text.
    fn text_of(&self, expr: &'a Expr) -> Result<Option<Cow<'a, str>>, Stop> {
        match &expr.kind {
            ExprKind::Str(s) | ExprKind::Number(s) => Ok(Some(Cow::Borrowed(s.as_str()))),
            ExprKind::Omitted => Ok(None),
            _ => {
                let v = self.eval(expr)?;
                cow_text(v).map_err(|e| coercion_stop(expr.span, None, e))
            }
        }
    }

    fn compare(&self, cmp: &'a Compare) -> Result<bool, Stop> {
        let left = self.eval(&cmp.left)?;
        let right = self.eval(&cmp.right)?;
        let ord = compare_values(&left, &right).map_err(|(side, e)| {
            let span = if side == 0 {
                cmp.left.span
            } else {
                cmp.right.span
            };
            coercion_stop(span, None, e)
        })?;
        Ok(match cmp.op {
            CompareOp::Eq => ord == Ordering::Equal,
            CompareOp::Ne => ord != Ordering::Equal,
            CompareOp::Lt => ord == Ordering::Less,
            CompareOp::Le => ord != Ordering::Greater,
            CompareOp::Gt => ord == Ordering::Greater,
            CompareOp::Ge => ord != Ordering::Less,
        })
    }

    fn call(&self, call: &'a Call, span: Span) -> Res<'a> {
        // The check stage resolved every call of a checked tree and verified its arity.
        let Some((id, Some(implementation))) =
            call.func.map(|id| (id, functions::implementation(id)))
        else {
            return Err(error(
                EvalErrorKind::Unchecked,
                span,
                format!("`{}` was not resolved by the check stage", call.name),
            ));
        };
        let spec = id.spec();
        let native = match implementation {
            Implementation::Native(f) => f,
            Implementation::NotSupported(why) => {
                return Err(error(
                    EvalErrorKind::NotSupportedOffline,
                    span,
                    format!("{} cannot be evaluated offline: {why}", spec.name),
                ));
            }
        };
        let depth = self.depth.get() + 1;
        if depth > MAX_DEPTH {
            return Err(error(
                EvalErrorKind::TooDeep,
                span,
                format!("function calls are nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.depth.set(depth);
        let args = Args {
            ev: self,
            call,
            span,
            spec,
        };
        let result = native(&args);
        self.depth.set(depth - 1);
        let value = result?;
        let size = value_size(&value);
        if size > MAX_VALUE_BYTES {
            return Err(too_large(span, &spec.name, size));
        }
        self.spend(span, &spec.name, size.saturating_add(1))?;
        Ok(value)
    }
}

/// The text of a value, borrowing when the value is borrowed.
pub fn cow_text(v: Cow<'_, Value>) -> Result<Option<Cow<'_, str>>, CoercionError> {
    match v {
        Cow::Borrowed(v) => v.text(),
        Cow::Owned(v) => v.into_text(),
    }
}

/// Orders two values as the comparison operators do. On failure, says which side (0 or 1).
pub fn compare_values(left: &Value, right: &Value) -> Result<Ordering, (u8, CoercionError)> {
    if let (Value::Date(a), Value::Date(b)) = (left, right) {
        return Ok(a.cmp(b));
    }
    if let (Some(a), Some(b)) = (integer_of(left), integer_of(right)) {
        return Ok(a.cmp(&b));
    }
    let l = left.text().map_err(|e| (0, e))?;
    let r = right.text().map_err(|e| (1, e))?;
    Ok(l.as_deref().unwrap_or("").cmp(r.as_deref().unwrap_or("")))
}

/// The integer a value stands for in a comparison: integers and integer text, not booleans.
fn integer_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Str(_) | Value::Multi(_) => v
            .text()
            .ok()
            .flatten()
            .and_then(|t| value::parse_int(&t).ok()),
        _ => None,
    }
}

fn coercion_stop(span: Span, context: Option<String>, e: CoercionError) -> Stop {
    let message = match context {
        Some(c) => format!("{c}: {}", e.message),
        None => e.message,
    };
    error(e.kind, span, message)
}

// ------------------------------------------------------------------------------------ args

/// The arguments of one call, evaluated on demand: what a function implementation works with.
///
/// Arguments past the end of the call and omitted arguments (`f(a, , c)`) read as null.
pub struct Args<'e, 'a> {
    ev: &'e Evaluator<'a>,
    call: &'a Call,
    span: Span,
    spec: &'static FunctionSpec,
}

impl<'e, 'a> Args<'e, 'a> {
    /// The function's canonical name.
    pub fn name(&self) -> &'static str {
        &self.spec.name
    }

    /// How many arguments the call has (omitted ones included).
    pub fn len(&self) -> usize {
        self.call.args.len()
    }

    pub fn is_empty(&self) -> bool {
        self.call.args.is_empty()
    }

    /// The span of the whole call.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Argument `i`'s expression, unless it is omitted or missing.
    pub fn expr(&self, i: usize) -> Option<&'a Expr> {
        self.call.args.get(i).filter(|e| !e.is_omitted())
    }

    /// Whether argument `i` is written (not omitted, not missing).
    pub fn given(&self, i: usize) -> bool {
        self.expr(i).is_some()
    }

    /// The span of argument `i`, or of the call when it has no such argument.
    pub fn span_of(&self, i: usize) -> Span {
        match self.call.args.get(i) {
            Some(e) if !e.is_omitted() => e.span,
            _ => self.span,
        }
    }

    /// The Graph name of the parameter argument `i` binds to.
    pub fn param(&self, i: usize) -> &'static str {
        self.spec
            .param_at(i, self.len())
            .map_or("argument", |p| p.name.as_str())
    }

    /// Evaluates argument `i`.
    pub fn value(&self, i: usize) -> Res<'a> {
        match self.expr(i) {
            Some(e) => self.ev.eval(e),
            None => Ok(Cow::Borrowed(&NULL)),
        }
    }

    /// Argument `i` as text; `None` when null.
    pub fn text(&self, i: usize) -> Result<Option<Cow<'a, str>>, Stop> {
        match self.expr(i) {
            None => Ok(None),
            Some(e) => self.ev.text_of(e).map_err(|s| self.contextualise(i, s)),
        }
    }

    /// Argument `i` as text, null read as `""`.
    pub fn text_or_empty(&self, i: usize) -> Result<Cow<'a, str>, Stop> {
        Ok(self.text(i)?.unwrap_or(Cow::Borrowed("")))
    }

    /// Argument `i` as text; null is an error.
    pub fn require_text(&self, i: usize) -> Result<Cow<'a, str>, Stop> {
        self.text(i)?.ok_or_else(|| self.missing(i))
    }

    /// An evaluated argument `i` as text; `None` when null.
    pub fn as_text<'v>(&self, i: usize, v: Cow<'v, Value>) -> Result<Option<Cow<'v, str>>, Stop> {
        cow_text(v).map_err(|e| self.coercion(i, e))
    }

    /// Argument `i` as an integer; `None` when null.
    pub fn int(&self, i: usize) -> Result<Option<i64>, Stop> {
        let v = self.value(i)?;
        v.to_int().map_err(|e| self.coercion(i, e))
    }

    /// Argument `i` as an integer; null is an error.
    pub fn require_int(&self, i: usize) -> Result<i64, Stop> {
        self.int(i)?.ok_or_else(|| self.missing(i))
    }

    /// Argument `i` as a boolean; `None` when null.
    pub fn bool(&self, i: usize) -> Result<Option<bool>, Stop> {
        let v = self.value(i)?;
        v.to_bool().map_err(|e| self.coercion(i, e))
    }

    /// Argument `i` as a date; `None` when null.
    pub fn date(&self, i: usize) -> Result<Option<crate::dotnet::Instant>, Stop> {
        let v = self.value(i)?;
        v.to_date().map_err(|e| self.coercion(i, e))
    }

    /// Argument `i` as a date; null is an error.
    pub fn require_date(&self, i: usize) -> Result<crate::dotnet::Instant, Stop> {
        self.date(i)?.ok_or_else(|| self.missing(i))
    }

    /// An error about the whole call.
    pub fn fail(&self, kind: EvalErrorKind, message: impl fmt::Display) -> Stop {
        error(kind, self.span, format!("{}: {message}", self.name()))
    }

    /// An error about argument `i`: the message names the parameter, the span is the call's
    /// (diagnostics point at the call that failed).
    pub fn fail_at(&self, i: usize, kind: EvalErrorKind, message: impl fmt::Display) -> Stop {
        error(
            kind,
            self.span,
            format!("{}, {}: {message}", self.name(), self.param(i)),
        )
    }

    /// Charges `units` of work (bytes of text scanned) to the evaluation's budget.
    pub fn charge(&self, units: usize) -> Result<(), Stop> {
        self.ev.spend(self.span, self.name(), units)
    }

    /// Refuses a result of `size` bytes (see [`value_size`]) when it is over
    /// [`MAX_VALUE_BYTES`]: functions that multiply their input check before they build it.
    pub fn check_size(&self, size: usize) -> Result<(), Stop> {
        if size > MAX_VALUE_BYTES {
            return Err(too_large(self.span, self.name(), size));
        }
        Ok(())
    }

    /// An error about the whole call with exactly this message (`Error("…")`).
    pub fn raise(&self, kind: EvalErrorKind, message: String) -> Stop {
        error(kind, self.span, message)
    }

    /// The error for a required argument that is null or omitted.
    pub fn missing(&self, i: usize) -> Stop {
        let what = if self.given(i) {
            "is null"
        } else {
            "is missing"
        };
        self.fail_at(
            i,
            EvalErrorKind::MissingArgument,
            format!("the value {what}"),
        )
    }

    fn coercion(&self, i: usize, e: CoercionError) -> Stop {
        self.fail_at(i, e.kind, e.message)
    }

    /// An error raised by converting argument `i` itself (not by a call nested in it) is about
    /// this call: name the function and parameter, point at the call.
    fn contextualise(&self, i: usize, stop: Stop) -> Stop {
        match (stop, self.expr(i)) {
            (Stop::Error(e), Some(arg)) if e.span == arg.span && arg.as_call().is_none() => {
                self.fail_at(i, e.kind, e.message)
            }
            (other, _) => other,
        }
    }

    /// What `Now()` returns.
    pub fn now(&self) -> crate::dotnet::Instant {
        crate::dotnet::from_timestamp(self.ev.now)
    }

    /// Values already present in the target directory.
    pub fn existing(&self) -> &'a [String] {
        self.ev.existing
    }

    /// A fresh pseudo-random stream for this call: the context's seed mixed with a counter of
    /// the calls made so far in this evaluation.
    pub fn rng(&self) -> Rng {
        let n = self.ev.counter.get();
        self.ev.counter.set(n.wrapping_add(1));
        Rng::new(self.ev.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17))
    }
}

/// A small deterministic generator (SplitMix64): reproducible output for `Guid` and
/// `RandomString`, not for cryptography.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0), without modulo bias worth speaking of for small `n`.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn run(text: &str, attrs: &[(&str, Value)]) -> Result<Outcome, EvalError> {
        let expr = crate::check::checked(syntax::parse(text).unwrap()).unwrap();
        let map: HashMap<String, Value> = attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        evaluate(&expr, &Context::new(&map))
    }

    fn text(t: &str) -> Outcome {
        Outcome::Value(Value::Str(t.into()))
    }

    #[test]
    fn lowercase_switch_keys_never_match_booleans() {
        let e = r#"Switch([IsSoftDeleted], , "false", "true", "true", "false")"#;
        for b in [true, false] {
            assert_eq!(
                run(e, &[("IsSoftDeleted", Value::Bool(b))]),
                Ok(Outcome::NoValue)
            );
        }
        let e = r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#;
        assert_eq!(
            run(e, &[("IsSoftDeleted", Value::Bool(true))]),
            Ok(text("false"))
        );
    }

    #[test]
    fn attribute_lookup_falls_back_to_ascii_case() {
        assert_eq!(
            run("[MAIL]", &[("mail", Value::Str("a".into()))]),
            Ok(text("a"))
        );
        let both = [
            ("mail", Value::Str("a".into())),
            ("Mail", Value::Str("b".into())),
        ];
        assert_eq!(run("[Mail]", &both), Ok(text("b")));
        assert_eq!(run("[other]", &both), Ok(Outcome::NoValue));
    }

    #[test]
    fn null_never_flows_but_empty_does() {
        assert_eq!(run("[x]", &[]), Ok(Outcome::NoValue));
        assert_eq!(
            run("[x]", &[("x", Value::Multi(vec![]))]),
            Ok(Outcome::NoValue)
        );
        assert_eq!(run(r#""""#, &[]), Ok(text("")));
    }

    #[test]
    fn comparisons() {
        let t = Outcome::Value(Value::Bool(true));
        let f = Outcome::Value(Value::Bool(false));
        assert_eq!(run(r#""10" > "9""#, &[]), Ok(t.clone()));
        assert_eq!(run(r#""a10" > "a9""#, &[]), Ok(f.clone()));
        assert_eq!(run(r#""abc" = "ABC""#, &[]), Ok(f.clone()));
        assert_eq!(run("&HF = 15", &[]), Ok(t.clone()));
        assert_eq!(run(r#"[x] = """#, &[]), Ok(t.clone()));
        assert_eq!(
            run(r#"[b] = "True""#, &[("b", Value::Bool(true))]),
            Ok(t.clone())
        );
        assert_eq!(
            run(r#"CDate("2021-01-02") > CDate("12/31/2020")"#, &[]),
            Ok(t)
        );
        assert_eq!(run(r#""-14" >= "-1""#, &[]), Ok(f));
    }

    #[test]
    fn sentinels_and_concat() {
        assert_eq!(
            run(r#"IIF([x] = "", IgnoreAttributeFlow, [x])"#, &[]),
            Ok(Outcome::IgnoreAttributeFlow)
        );
        assert_eq!(run("IgnoreObjectFlow", &[]), Ok(Outcome::IgnoreObjectFlow));
        assert_eq!(run("vbTextCompare", &[]), Ok(text("vbTextCompare")));
        assert_eq!(
            run(
                r#""t-" & [alias] & [none]"#,
                &[("alias", Value::Str("jd".into()))]
            ),
            Ok(text("t-jd"))
        );
    }

    #[test]
    fn errors_point_at_the_failing_call() {
        let src = r#"Join(" ", [a], Item([m], 3))"#;
        let err = run(src, &[("m", Value::Multi(vec!["x".into()]))]).unwrap_err();
        assert_eq!(err.kind, EvalErrorKind::IndexOutOfRange);
        assert_eq!(&src[err.span.range()], "Item([m], 3)");
        assert!(err.message.starts_with("Item, index:"), "{}", err.message);
    }

    #[test]
    fn function_names_ignore_case() {
        assert_eq!(run(r#"toupper("a")"#, &[]), Ok(text("A")));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let mut e = Expr::new(ExprKind::Str("x".into()), Span::default());
        for _ in 0..400 {
            e = Expr::new(
                ExprKind::Call(Call::new("Trim", Span::default(), vec![e])),
                Span::default(),
            );
        }
        let e = crate::check::checked(e).unwrap();
        let err = evaluate(&e, &Context::default()).unwrap_err();
        assert_eq!(err.kind, EvalErrorKind::TooDeep);
        // The parser's own limit evaluates fine.
        let text = format!("{}\"x\"{}", "Trim(".repeat(250), ")".repeat(250));
        assert_eq!(run(&text, &[]), Ok(Outcome::Value(Value::Str("x".into()))));
    }

    #[test]
    fn seeded_randomness_is_reproducible() {
        let expr = crate::check::checked(
            syntax::parse("Join(\"|\", Guid(), Guid(), RandomString(8, 2, 2, 2, 2))").unwrap(),
        )
        .unwrap();
        let ctx = Context::default().with_seed(7);
        let a = evaluate(&expr, &ctx).unwrap();
        assert_eq!(a, evaluate(&expr, &ctx).unwrap());
        assert_ne!(a, evaluate(&expr, &ctx.with_seed(8)).unwrap());
        let text = a.texts().remove(0);
        let parts: Vec<&str> = text.split('|').collect();
        assert_ne!(parts[0], parts[1]);
    }
}
