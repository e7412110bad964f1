//! Logic and flow functions: BitAnd, CBool, Coalesce, IIF, IsNothing, IsNull, IsNullOrEmpty,
//! IsPresent, IsString, Not, Switch; IgnoreFlowIfNullOrEmpty, Error, Redact.
//!
//! IIF, Switch and Coalesce evaluate their arguments lazily: only the branch, the matching
//! value, or the arguments up to the first non-null one.

use super::{null, owned};
use crate::eval::{Args, EvalErrorKind, Flow, Res, Stop, Value};
use std::borrow::Cow;

pub fn bit_and<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let x = a.require_int(0)?;
    let y = a.require_int(1)?;
    owned(Value::Int(x & y))
}

/// `CBool(expression)`: a boolean stays itself, a number is true when non-zero, `True` / `False`
/// text is read in any casing; null is False.
pub fn cbool<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    owned(Value::Bool(a.bool(0)?.unwrap_or(false)))
}

/// `Coalesce(source1, …)`: the first argument that is not null (`""` is a value).
pub fn coalesce<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    for i in 0..a.len() {
        let v = a.value(i)?;
        if !v.is_null() {
            return Ok(v);
        }
    }
    Ok(null())
}

/// `IIF(condition, valueIfTrue, valueIfFalse)`: only the chosen branch is evaluated. A null
/// condition (an absent Boolean attribute) takes the false branch.
pub fn iif<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let condition = a.bool(0)?.unwrap_or(false);
    a.value(if condition { 1 } else { 2 })
}

pub fn is_null<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let v = a.value(0)?;
    owned(Value::Bool(v.is_null()))
}

pub fn is_null_or_empty<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let v = a.value(0)?;
    owned(Value::Bool(v.is_null_or_empty()))
}

pub fn is_present<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let v = a.value(0)?;
    owned(Value::Bool(!v.is_null_or_empty()))
}

/// `IsString(expression)`: whether the value reads as one text (CStr would succeed): false for
/// null and for several values.
pub fn is_string<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let v = a.value(0)?;
    owned(Value::Bool(matches!(v.text(), Ok(Some(_)))))
}

/// `Not(source)`: False when the source is true (a boolean, or `True` in any casing), True for
/// anything else, null and empty included.
pub fn not<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let v = a.value(0)?;
    let is_true = match &*v {
        Value::Bool(b) => *b,
        Value::Null => false,
        other => a
            .as_text(0, Cow::Borrowed(other))?
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("true")),
    };
    owned(Value::Bool(!is_true))
}

/// `Switch(source, defaultValue, key1, value1, …)`: the value of the first key equal to the
/// source (ordinal, case-sensitive, on text; a null source or key reads as `""`), else the
/// default (null when omitted). Keys are evaluated in order until one matches; only the chosen
/// value is evaluated.
pub fn switch<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let pairs = a.len().saturating_sub(2);
    if !pairs.is_multiple_of(2) {
        return Err(a.fail_at(
            a.len() - 1,
            EvalErrorKind::InvalidArgument,
            "this key has no value: keys and values must come in pairs",
        ));
    }
    let source = a.value(0)?;
    let source = a.as_text(0, source)?.unwrap_or(Cow::Borrowed(""));
    let mut i = 2;
    while i + 1 < a.len() {
        let key = a.text(i)?;
        if key.as_deref().unwrap_or("") == source {
            return a.value(i + 1);
        }
        i += 2;
    }
    a.value(1)
}

/// `IgnoreFlowIfNullOrEmpty(expression)`: the value, or — when it is null or empty — the
/// attribute is left out of the update.
pub fn ignore_flow_if_null_or_empty<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let v = a.value(0)?;
    if v.is_null_or_empty() {
        return Err(Stop::Flow(Flow::Ignore));
    }
    Ok(v)
}

/// `Error(message)`: fails the evaluation with the message.
pub fn error<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let message = a.text_or_empty(0)?;
    Err(a.raise(
        EvalErrorKind::ErrorFunction,
        if message.is_empty() {
            "Error() was called".to_string()
        } else {
            message.into_owned()
        },
    ))
}

/// `Redact(value)`: the value unchanged (Entra only hides it in the provisioning logs).
pub fn redact<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    a.value(0)
}
