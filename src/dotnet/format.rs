//! Writing and reading dates in .NET formats: the default `M/d/yyyy h:mm:ss tt` text and
//! custom (and one-letter standard) formats, both directions, for `FormatDateTime`.

use super::lenient::{Cursor, apply_ampm, fraction_nanos, name_index, two_digit_year};
use super::*;
use std::fmt::Write;

// ------------------------------------------------------------------------------------ default

/// `M/d/yyyy h:mm:ss tt`, UTC: the text of a date value (`7/2/2021 3:33:38 PM`).
pub fn format_default(ts: Instant) -> String {
    let dt = civil(ts);
    let mut out = String::with_capacity(22);
    let _ = write!(
        out,
        "{}/{}/{:04} {}:{:02}:{:02} {}",
        dt.month(),
        dt.day(),
        dt.year(),
        hour12(dt.hour()),
        dt.minute(),
        dt.second(),
        if dt.hour() < 12 { "AM" } else { "PM" }
    );
    out
}

pub(super) fn hour12(hour: i8) -> i8 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

// ------------------------------------------------------------------------------------ formats

/// One element of a .NET date format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Lit(String),
    /// A specifier letter and how many times it is repeated.
    Spec(char, usize),
}

pub(super) fn is_spec(c: char) -> bool {
    matches!(
        c,
        'd' | 'f' | 'F' | 'g' | 'h' | 'H' | 'K' | 'm' | 'M' | 's' | 't' | 'y' | 'z'
    )
}

/// The custom pattern a one-letter standard format stands for (en-US).
pub(super) fn standard_pattern(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "M/d/yyyy",
        'D' => "dddd, MMMM d, yyyy",
        'f' => "dddd, MMMM d, yyyy h:mm tt",
        'F' | 'U' => "dddd, MMMM d, yyyy h:mm:ss tt",
        'g' => "M/d/yyyy h:mm tt",
        'G' => "M/d/yyyy h:mm:ss tt",
        'M' | 'm' => "MMMM d",
        'O' | 'o' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        'R' | 'r' => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        's' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        't' => "h:mm tt",
        'T' => "h:mm:ss tt",
        'u' => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        'Y' | 'y' => "MMMM yyyy",
        _ => return None,
    })
}

/// Splits a .NET date format into literals and specifiers.
pub(super) fn tokenize(format: &str) -> R<Vec<Tok>> {
    if format.is_empty() {
        return Err("the format is empty".into());
    }
    let mut chars = format.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return match standard_pattern(c) {
            Some(p) => tokenize(p),
            None => Err(format!("`{c}` is not a standard date format")),
        };
    }
    let mut out: Vec<Tok> = Vec::new();
    let push_lit = |out: &mut Vec<Tok>, c: char| match out.last_mut() {
        Some(Tok::Lit(s)) => s.push(c),
        _ => out.push(Tok::Lit(c.to_string())),
    };
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("the quote {c} in the format is not closed")),
                        Some(&q) if q == c => break,
                        Some('\\') => {
                            let Some(&next) = chars.get(i + 1) else {
                                return Err("the format ends with `\\`".into());
                            };
                            push_lit(&mut out, next);
                            i += 1;
                        }
                        Some(&other) => push_lit(&mut out, other),
                    }
                    i += 1;
                }
                i += 1;
            }
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err("the format ends with `\\`".into());
                };
                push_lit(&mut out, next);
                i += 2;
            }
            '%' => {
                match chars.get(i + 1) {
                    Some(&next) if is_spec(next) => out.push(Tok::Spec(next, 1)),
                    Some('%') | None => return Err("`%` must be followed by a specifier".into()),
                    Some(&next) => push_lit(&mut out, next),
                }
                i += 2;
            }
            c if is_spec(c) => {
                let n = chars[i..].iter().take_while(|&&x| x == c).count();
                if matches!(c, 'f' | 'F') && n > 7 {
                    return Err(format!(
                        "`{}` has more than 7 digits",
                        c.to_string().repeat(n)
                    ));
                }
                out.push(Tok::Spec(c, n));
                i += n;
            }
            c => {
                push_lit(&mut out, c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Checks that a .NET date format is well formed (closed quotes, no dangling `\\` or `%`, at
/// most seven fraction digits, a known one-letter standard format).
pub fn validate_format(format: &str) -> R<()> {
    tokenize(format).map(|_| ())
}

/// Writes a UTC date with a .NET custom or one-letter standard format (en-US names).
pub fn format_custom(ts: Instant, format: &str) -> R<String> {
    let dt = civil(ts);
    let ticks = i64::from(dt.subsec_nanosecond()) / NANOS_PER_TICK as i64;
    let mut out = String::with_capacity(format.len() + 8);
    for tok in tokenize(format)? {
        match tok {
            Tok::Lit(s) => out.push_str(&s),
            Tok::Spec(c, n) => {
                let _ = match (c, n) {
                    ('d', 1) => write!(out, "{}", dt.day()),
                    ('d', 2) => write!(out, "{:02}", dt.day()),
                    ('d', 3) => write!(out, "{}", &day_name(dt)[..3]),
                    ('d', _) => write!(out, "{}", day_name(dt)),
                    ('f' | 'F', n) => {
                        let digits = format!("{:07}", ticks);
                        let mut part = &digits[..n];
                        if c == 'F' {
                            part = part.trim_end_matches('0');
                            if part.is_empty() && out.ends_with('.') {
                                out.pop();
                            }
                        }
                        write!(out, "{part}")
                    }
                    ('g', _) => write!(out, "A.D."),
                    ('h', 1) => write!(out, "{}", hour12(dt.hour())),
                    ('h', _) => write!(out, "{:02}", hour12(dt.hour())),
                    ('H', 1) => write!(out, "{}", dt.hour()),
                    ('H', _) => write!(out, "{:02}", dt.hour()),
                    ('K', n) => write!(out, "{}", "Z".repeat(n)),
                    ('m', 1) => write!(out, "{}", dt.minute()),
                    ('m', _) => write!(out, "{:02}", dt.minute()),
                    ('M', 1) => write!(out, "{}", dt.month()),
                    ('M', 2) => write!(out, "{:02}", dt.month()),
                    ('M', 3) => write!(out, "{}", &MONTHS[dt.month() as usize - 1][..3]),
                    ('M', _) => write!(out, "{}", MONTHS[dt.month() as usize - 1]),
                    ('s', 1) => write!(out, "{}", dt.second()),
                    ('s', _) => write!(out, "{:02}", dt.second()),
                    ('t', 1) => write!(out, "{}", if dt.hour() < 12 { "A" } else { "P" }),
                    ('t', _) => write!(out, "{}", if dt.hour() < 12 { "AM" } else { "PM" }),
                    ('y', 1) => write!(out, "{}", dt.year() % 100),
                    ('y', 2) => write!(out, "{:02}", dt.year() % 100),
                    ('y', n) => write!(out, "{:0w$}", dt.year(), w = n.min(32)),
                    ('z', 1) => write!(out, "+0"),
                    ('z', 2) => write!(out, "+00"),
                    ('z', _) => write!(out, "+00:00"),
                    _ => Ok(()),
                };
            }
        }
    }
    Ok(out)
}

pub(super) fn day_name(dt: DateTime) -> &'static str {
    DAYS[dt.weekday().to_sunday_zero_offset() as usize]
}

/// Reads `text` with a .NET custom or one-letter standard format, as `DateTime.ParseExact` does
/// with leading and trailing white space allowed. A parsed UTC offset converts the result to
/// UTC; without one the time is taken as UTC. When the format has no date part, `today` is used.
pub fn parse_exact(text: &str, format: &str, today: Date) -> R<Instant> {
    let toks = tokenize(format)?;
    let mut c = Cursor::new(text);
    c.skip_ws();
    let mut year: Option<i64> = None;
    let mut month: Option<i64> = None;
    let mut day: Option<i64> = None;
    let mut hour: i64 = 0;
    let mut hour12: Option<i64> = None;
    let mut pm: Option<bool> = None;
    let (mut minute, mut second, mut nanos) = (0i64, 0i64, 0i64);
    let mut offset: Option<i64> = None;
    let mismatch = |c: &Cursor, what: &str| {
        if c.at_end() {
            format!("the text ends where the format expects {what}")
        } else {
            format!("expected {what} at `{}`", c.rest_preview())
        }
    };
    for tok in &toks {
        match *tok {
            Tok::Lit(ref s) => {
                for ch in s.chars() {
                    if ch.is_whitespace() {
                        let before = c.pos;
                        c.skip_ws();
                        if c.pos == before {
                            return Err(mismatch(&c, "white space"));
                        }
                    } else if !c.eat(ch) {
                        return Err(mismatch(&c, &format!("`{ch}`")));
                    }
                }
            }
            Tok::Spec(s, n) => match s {
                'd' if n <= 2 => {
                    day = Some(c.digits(n, 2).ok_or_else(|| mismatch(&c, "the day"))?);
                }
                'd' => {
                    let w = c.word().ok_or_else(|| mismatch(&c, "a weekday name"))?;
                    name_index(&DAYS, w).ok_or_else(|| format!("`{w}` is not a weekday name"))?;
                }
                'M' if n <= 2 => {
                    month = Some(c.digits(n, 2).ok_or_else(|| mismatch(&c, "the month"))?);
                }
                'M' => {
                    let w = c.word().ok_or_else(|| mismatch(&c, "a month name"))?;
                    let m = name_index(&MONTHS, w)
                        .ok_or_else(|| format!("`{w}` is not a month name"))?;
                    month = Some(m as i64 + 1);
                }
                'y' => {
                    let (min, max) = match n {
                        1 => (1, 2),
                        2 => (2, 2),
                        3 => (3, 4),
                        n => (n, n),
                    };
                    let t = c
                        .digits_str(min, max)
                        .ok_or_else(|| mismatch(&c, "the year"))?;
                    let y: i64 = t.parse().map_err(|_| "the year is too long".to_string())?;
                    year = Some(if n <= 2 { two_digit_year(y, 2) } else { y });
                }
                'h' => {
                    hour12 = Some(
                        c.digits(n.min(2), 2)
                            .ok_or_else(|| mismatch(&c, "the hour"))?,
                    );
                }
                'H' => {
                    hour = c
                        .digits(n.min(2), 2)
                        .ok_or_else(|| mismatch(&c, "the hour"))?
                }
                'm' => {
                    minute = c
                        .digits(n.min(2), 2)
                        .ok_or_else(|| mismatch(&c, "minutes"))?
                }
                's' => {
                    second = c
                        .digits(n.min(2), 2)
                        .ok_or_else(|| mismatch(&c, "seconds"))?
                }
                'f' | 'F' => {
                    let min = if s == 'f' { n } else { 0 };
                    let t = if min == 0 && !c.peek().is_some_and(|x| x.is_ascii_digit()) {
                        ""
                    } else {
                        c.digits_str(min, n)
                            .ok_or_else(|| mismatch(&c, "fractional seconds"))?
                    };
                    nanos = fraction_nanos(t);
                }
                't' => {
                    let p = match c.peek() {
                        Some('A' | 'a') => false,
                        Some('P' | 'p') => true,
                        _ => return Err(mismatch(&c, "AM or PM")),
                    };
                    c.pos += 1;
                    if n >= 2 && !(c.eat('M') || c.eat('m')) {
                        return Err(mismatch(&c, "AM or PM"));
                    }
                    pm = Some(p);
                }
                'z' => {
                    offset = Some(
                        c.offset(false)?
                            .ok_or_else(|| mismatch(&c, "a UTC offset"))?,
                    );
                }
                'K' => {
                    if let Some(o) = c.offset(true)? {
                        offset = Some(o);
                    }
                }
                'g' => {
                    let _ = c.eat_str_ci("A.D.") || c.eat_str_ci("AD");
                }
                _ => {}
            },
        }
    }
    c.skip_ws();
    if !c.at_end() {
        return Err(format!(
            "unexpected `{}` after the end of the format",
            c.rest_preview()
        ));
    }
    if let Some(h) = hour12 {
        hour = match pm {
            Some(p) => apply_ampm(h, p)?,
            None if h == 12 => 0,
            None => h,
        };
    } else if pm == Some(true) && hour < 12 {
        hour += 12;
    }
    let (y, m, d) = if year.is_none() && month.is_none() && day.is_none() {
        (
            i64::from(today.year()),
            i64::from(today.month()),
            i64::from(today.day()),
        )
    } else {
        (
            year.unwrap_or(i64::from(today.year())),
            month.unwrap_or(1),
            day.unwrap_or(1),
        )
    };
    from_fields(y, m, d, hour, minute, second, nanos, offset.unwrap_or(0))
}
