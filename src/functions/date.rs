//! Date functions: CDate, DateAdd, DateDiff, DateFromNum, FormatDateTime, Now, NumFromDate.
//!
//! Dates are UTC timestamps; text is read leniently as .NET's `DateTime.Parse` would (see
//! [`crate::eval::dates`]), so `DateAdd("d", 7, "2021-08-24")` works without CDate. A null date
//! argument gives null.

use super::{map_text, null, owned};
use crate::dotnet::{self as dates, Interval};
use crate::eval::{Args, EvalErrorKind, Res, Stop, Value};

pub fn cdate<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    match a.date(0)? {
        Some(t) => owned(Value::Date(t)),
        None => Ok(null()),
    }
}

fn interval(a: &Args<'_, '_>) -> Result<Interval, Stop> {
    let text = a.require_text(0)?;
    Interval::parse(&text).ok_or_else(|| {
        a.fail_at(
            0,
            EvalErrorKind::InvalidArgument,
            format!("{text:?} is not an interval (yyyy, q, m, y, d, w, ww, h, n or s)"),
        )
    })
}

pub fn date_add<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let interval = interval(a)?;
    let n = a.require_int(1)?;
    let Some(date) = a.date(2)? else {
        return Ok(null());
    };
    dates::add(date, interval, n)
        .map(Value::Date)
        .map(std::borrow::Cow::Owned)
        .map_err(|e| a.fail(EvalErrorKind::DateOutOfRange, e))
}

pub fn date_diff<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let interval = interval(a)?;
    let (Some(d1), Some(d2)) = (a.date(1)?, a.date(2)?) else {
        return Ok(null());
    };
    owned(Value::Int(dates::diff(interval, d1, d2)))
}

pub fn date_from_num<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let Some(n) = a.int(0)? else {
        return Ok(null());
    };
    dates::from_filetime(n)
        .map(|t| std::borrow::Cow::Owned(Value::Date(t)))
        .map_err(|e| a.fail_at(0, EvalErrorKind::DateOutOfRange, e))
}

pub fn num_from_date<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let Some(t) = a.date(0)? else {
        return Ok(null());
    };
    dates::to_filetime(t)
        .map(|n| std::borrow::Cow::Owned(Value::Int(n)))
        .map_err(|e| a.fail_at(0, EvalErrorKind::DateOutOfRange, e))
}

pub fn now<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    owned(Value::Date(a.now()))
}

/// `FormatDateTime(source, [dateTimeStyles,] inputFormat, outputFormat)`: three arguments are
/// `(source, inputFormat, outputFormat)`, four put the (ignored) styles second. The source is
/// read as text with the .NET input format, even when it is a date value (whose text is
/// `M/d/yyyy h:mm:ss tt`, as Entra's DateAdd and Now return it); each value of a multi-valued
/// source is formatted.
pub fn format_date_time<'a>(a: &Args<'_, 'a>) -> Res<'a> {
    let (input_at, output_at) = if a.len() == 3 { (1, 2) } else { (2, 3) };
    let source = a.value(0)?;
    let input_format = a.require_text(input_at)?;
    let output_format = a.require_text(output_at)?;
    let format = |t| {
        dates::format_custom(t, &output_format)
            .map_err(|e| a.fail_at(output_at, EvalErrorKind::InvalidArgument, e))
    };
    dates::validate_format(&input_format)
        .map_err(|e| a.fail_at(input_at, EvalErrorKind::InvalidArgument, e))?;
    let today = a.now().date();
    map_text(a, 0, source, |text| {
        let t = dates::parse_exact(text, &input_format, today).map_err(|e| {
            a.fail_at(
                0,
                EvalErrorKind::InvalidDate,
                format!(
                    "{:?} does not match the input format {:?}: {e}",
                    text, input_format
                ),
            )
        })?;
        format(t)
    })
}
