//! Functions over multi-valued values: Contains, Count, Item, RemoveDuplicates, Split.
//!
//! A single value counts as a list of one; null as an empty list.

use super::{null, owned};
use crate::eval::{Args, EvalErrorKind, Res, Stop, Value};
use std::borrow::Cow;

/// The values of argument `i` as a list of text.
fn values<'a>(a: &Args<'_, 'a>, i: usize) -> Result<Option<Cow<'a, [String]>>, Stop> {
    let v = a.value(i)?;
    Ok(match v {
        Cow::Borrowed(Value::Multi(vs)) => Some(Cow::Borrowed(vs.as_slice())),
        Cow::Owned(Value::Multi(vs)) => Some(Cow::Owned(vs)),
        other => a
            .as_text(i, other)?
            .map(|t| Cow::Owned(vec![t.into_owned()])),
    })
}

pub fn count<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let n = values(a, 0)?.map_or(0, |v| v.len());
    owned(Value::Int(n as i64))
}

/// `Item(attribute, index)`: the value at the 1-based index; outside the values is an error.
/// A null attribute gives null.
pub fn item<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let values = values(a, 0)?;
    let index = a.require_int(1)?;
    let Some(values) = values else {
        return Ok(null());
    };
    let position = usize::try_from(index)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .filter(|&i| i < values.len());
    match position {
        Some(i) => owned(Value::Str(values[i].clone())),
        None => Err(a.fail_at(
            1,
            EvalErrorKind::IndexOutOfRange,
            format!(
                "index {index} is outside the {} value{} (Item counts from 1)",
                values.len(),
                if values.len() == 1 { "" } else { "s" }
            ),
        )),
    }
}

/// `RemoveDuplicates(attribute)`: the values with repeats dropped, first occurrence kept,
/// compared ordinally.
pub fn remove_duplicates<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let Some(values) = values(a, 0)? else {
        return Ok(null());
    };
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    let out: Vec<String> = values
        .iter()
        .filter(|v| seen.insert(v.as_str()))
        .cloned()
        .collect();
    owned(Value::Multi(out))
}

/// `Split(source, delimiter)`: the pieces between occurrences of the delimiter, untrimmed.
pub fn split<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let source = a.text(0)?;
    let delimiter = a.require_text(1)?;
    let Some(source) = source else {
        return Ok(null());
    };
    let pieces = if delimiter.is_empty() {
        vec![source.into_owned()]
    } else {
        let n = source.matches(delimiter.as_ref()).count() + 1;
        a.check_size(
            source
                .len()
                .saturating_add(n.saturating_mul(crate::eval::VALUE_OVERHEAD)),
        )?;
        source
            .split(delimiter.as_ref())
            .map(str::to_string)
            .collect()
    };
    owned(Value::Multi(pieces))
}

/// `Contains(attribute, search)`: undocumented outside one cloud-sync example; read as the
/// 1-based index of the first value containing the search text (ordinal), 0 when none does.
pub fn contains<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let values = values(a, 0)?;
    let search = a.text_or_empty(1)?;
    let found = values
        .and_then(|vs| vs.iter().position(|v| v.contains(search.as_ref())))
        .map_or(0, |i| i as i64 + 1);
    owned(Value::Int(found))
}
