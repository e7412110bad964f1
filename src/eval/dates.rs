//! Dates the way Entra's .NET runtime reads, writes and counts them, always in UTC.
//!
//! * [`format_default`]: the text form of a date value, `M/d/yyyy h:mm:ss tt` (en-US).
//! * [`parse_lenient`]: what `DateTime.Parse` accepts for en-US, for the forms the docs use.
//! * [`parse_exact`] / [`format_custom`]: .NET custom (and one-letter standard) date formats,
//!   both directions, for `FormatDateTime`.
//! * [`to_filetime`] / [`from_filetime`]: Active Directory FILETIME numbers (100 ns ticks since
//!   1601-01-01 UTC).
//! * [`add`] / [`diff`]: VB.NET `DateAdd` / `DateDiff`, including calendar weeks.
//!
//! Dates keep .NET's range, years 1 to 9999; anything outside is an error, never a panic.
//! Precision is .NET's tick, 100 ns.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use std::fmt::Write;

const NANOS_PER_TICK: i128 = 100;
const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_DAY: i128 = 86_400 * NANOS_PER_SECOND;
/// Seconds from 1601-01-01 to 1970-01-01.
const FILETIME_EPOCH_OFFSET_SECONDS: i128 = 11_644_473_600;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

type R<T> = Result<T, String>;

/// The civil UTC date and time of a timestamp.
pub fn civil(ts: Timestamp) -> DateTime {
    Offset::UTC.to_datetime(ts)
}

/// A timestamp from civil fields at a UTC offset, in .NET's range.
#[allow(clippy::too_many_arguments)]
pub fn from_fields(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: i64,
    offset_seconds: i64,
) -> R<Timestamp> {
    if !(1..=9999).contains(&year) {
        return Err(format!("year {year} is outside 1 to 9999"));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} does not exist"));
    }
    let days_in_month = Date::new(year as i16, month as i8, 1)
        .map_err(|e| e.to_string())?
        .days_in_month();
    if day < 1 || day > i64::from(days_in_month) {
        return Err(format!(
            "day {day} does not exist in {} {year}",
            MONTHS[(month - 1) as usize]
        ));
    }
    if !(0..24).contains(&hour) || !(0..60).contains(&minute) || !(0..60).contains(&second) {
        return Err(format!(
            "{hour}:{minute:02}:{second:02} is not a time of day"
        ));
    }
    if !(-14 * 3600..=14 * 3600).contains(&offset_seconds) {
        return Err("a UTC offset is at most 14 hours".into());
    }
    let dt = DateTime::new(
        year as i16,
        month as i8,
        day as i8,
        hour as i8,
        minute as i8,
        second as i8,
        nanos.clamp(0, 999_999_999) as i32,
    )
    .map_err(|e| e.to_string())?;
    let offset = Offset::from_seconds(offset_seconds as i32).map_err(|e| e.to_string())?;
    let ts = offset
        .to_timestamp(dt)
        .map_err(|_| "the date is out of range".to_string())?;
    in_range(ts)
}

/// The timestamp, if it lies within .NET's DateTime range (years 1 to 9999 in UTC).
pub fn in_range(ts: Timestamp) -> R<Timestamp> {
    if civil(ts).year() < 1 {
        Err("the date is before year 1".into())
    } else {
        Ok(ts)
    }
}

// ------------------------------------------------------------------------------------ default

/// `M/d/yyyy h:mm:ss tt`, UTC: the text of a date value (`7/2/2021 3:33:38 PM`).
pub fn format_default(ts: Timestamp) -> String {
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

fn hour12(hour: i8) -> i8 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

// ------------------------------------------------------------------------------------ lenient

/// Reads a date as .NET's `DateTime.Parse` does for en-US, converted to UTC.
///
/// Accepted: ISO dates `2021-08-24` (also with `/` or `.`), US dates `8/25/2021` (two-digit years
/// pivot at 2049 as .NET's do), month names `August 25, 2021` / `25 Aug 2021` (an optional
/// leading weekday name), then optionally a time `h:mm[:ss[.fffffff]]` after a space or `T`,
/// optionally `AM` / `PM`, and optionally a UTC offset `Z`, `GMT`, `UTC`, `±hh:mm`, `±hhmm` or
/// `±hh`, which may follow the date directly (`2020-03-16-07:00`). Without an offset the time is
/// taken as UTC (Entra's servers run in UTC); a date without a time is midnight.
pub fn parse_lenient(text: &str) -> R<Timestamp> {
    let mut c = Cursor::new(text);
    c.skip_ws();
    if c.at_end() {
        return Err("it is empty".into());
    }
    // An optional weekday: "Wed, 25 Aug 2021".
    let save = c.pos;
    if let Some(word) = c.word()
        && name_index(&DAYS, word).is_some()
    {
        c.eat(',');
        c.skip_ws();
    } else {
        c.pos = save;
    }
    let (year, month, day) = lenient_date(&mut c)?;
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let save = c.pos;
    let had_t = c.eat('T') || c.eat('t');
    if !had_t {
        c.skip_ws();
    }
    if c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
        hour = c.digits(1, 2).ok_or("expected an hour")?;
        if !c.eat(':') {
            return Err("expected `:` after the hour".into());
        }
        minute = c.digits(2, 2).ok_or("expected two-digit minutes")?;
        if c.eat(':') {
            second = c.digits(2, 2).ok_or("expected two-digit seconds")?;
            if c.eat('.') || c.eat(',') {
                let start = c.pos;
                let n = c.digits_str(1, 30).ok_or("expected fractional seconds")?;
                nanos = fraction_nanos(n);
                debug_assert!(c.pos > start);
            }
        }
        let save_ampm = c.pos;
        c.skip_ws();
        match c.ampm() {
            Some(pm) => hour = apply_ampm(hour, pm)?,
            None => c.pos = save_ampm,
        }
    } else if had_t {
        return Err("expected a time after `T`".into());
    } else {
        c.pos = save;
    }
    let save = c.pos;
    c.skip_ws();
    let offset = match c.offset(true)? {
        Some(o) => o,
        None => {
            c.pos = save;
            0
        }
    };
    c.skip_ws();
    if !c.at_end() {
        return Err(format!("unexpected `{}`", c.rest_preview()));
    }
    from_fields(year, month, day, hour, minute, second, nanos, offset)
}

fn lenient_date(c: &mut Cursor) -> R<(i64, i64, i64)> {
    match c.peek() {
        Some(ch) if ch.is_ascii_digit() => {
            let first = c.digits_str(1, 9).ok_or("expected a date")?;
            let n1: i64 = first.parse().map_err(|_| "the date is not a number")?;
            if let Some(sep) = c.peek().filter(|ch| matches!(ch, '-' | '/' | '.')) {
                c.pos += 1;
                // Middle part: a number or a month name ("25-Aug-2021").
                let (middle, middle_is_name) = if let Some(word) = c.word() {
                    (
                        name_index(&MONTHS, word).ok_or("unknown month name")? as i64 + 1,
                        true,
                    )
                } else {
                    (c.digits(1, 2).ok_or("expected a month or day")?, false)
                };
                if !c.eat(sep) {
                    return Err(format!("expected `{sep}` in the date"));
                }
                let third = c.digits_str(1, 4).ok_or("expected a year or day")?;
                let n3: i64 = third.parse().map_err(|_| "the date is not a number")?;
                if first.len() >= 3 {
                    Ok((n1, middle, n3))
                } else if middle_is_name {
                    Ok((two_digit_year(n3, third.len()), middle, n1))
                } else {
                    Ok((two_digit_year(n3, third.len()), n1, middle))
                }
            } else {
                // "25 August 2021"
                c.skip_ws();
                let word = c
                    .word()
                    .ok_or("expected `/`, `-` or a month name after the day")?;
                let month = name_index(&MONTHS, word).ok_or("unknown month name")? as i64 + 1;
                c.eat(',');
                c.skip_ws();
                let year = c.digits_str(1, 4).ok_or("expected a year")?;
                let y: i64 = year.parse().map_err(|_| "the year is not a number")?;
                Ok((two_digit_year(y, year.len()), month, n1))
            }
        }
        Some(ch) if ch.is_ascii_alphabetic() => {
            // "August 25, 2021"
            let word = c.word().ok_or("expected a month name")?;
            let month = name_index(&MONTHS, word).ok_or("unknown month name")? as i64 + 1;
            c.skip_ws();
            let day = c
                .digits(1, 2)
                .ok_or("expected a day after the month name")?;
            c.eat(',');
            c.skip_ws();
            let year = c.digits_str(1, 4).ok_or("expected a year")?;
            let y: i64 = year.parse().map_err(|_| "the year is not a number")?;
            Ok((two_digit_year(y, year.len()), month, day))
        }
        _ => Err("expected a date".into()),
    }
}

/// .NET's Gregorian two-digit-year pivot: 00–49 are 2000–2049, 50–99 are 1950–1999.
fn two_digit_year(year: i64, digits: usize) -> i64 {
    if digits <= 2 {
        if year <= 49 { 2000 + year } else { 1900 + year }
    } else {
        year
    }
}

fn apply_ampm(hour: i64, pm: bool) -> R<i64> {
    if !(0..=12).contains(&hour) {
        return Err(format!("hour {hour} cannot be combined with AM/PM"));
    }
    Ok(match (pm, hour) {
        (false, 12) => 0,
        (true, h) if h < 12 => h + 12,
        (_, h) => h,
    })
}

/// Nanoseconds of a fraction given by its digits, truncated to whole ticks.
fn fraction_nanos(digits: &str) -> i64 {
    let mut ticks: i64 = 0;
    for (i, b) in digits.bytes().take(7).enumerate() {
        ticks += i64::from(b - b'0') * 10i64.pow(6 - i as u32);
    }
    ticks * NANOS_PER_TICK as i64
}

/// The position of a name in `names`, matched case-insensitively against the full name or its
/// three-letter abbreviation.
fn name_index(names: &[&str], word: &str) -> Option<usize> {
    names.iter().position(|n| {
        n.eq_ignore_ascii_case(word) || (word.len() == 3 && n[..3].eq_ignore_ascii_case(word))
    })
}

struct Cursor<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn new(text: &'t str) -> Self {
        Cursor { text, pos: 0 }
    }

    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn rest_preview(&self) -> String {
        self.rest().chars().take(20).collect()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, ch: char) -> bool {
        if self.peek() == Some(ch) {
            self.pos += ch.len_utf8();
            true
        } else {
            false
        }
    }

    fn eat_str_ci(&mut self, s: &str) -> bool {
        let rest = self.rest().as_bytes();
        if rest.len() >= s.len() && rest[..s.len()].eq_ignore_ascii_case(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// A run of ASCII letters.
    fn word(&mut self) -> Option<&'t str> {
        let rest = self.rest();
        let n = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        (n > 0).then(|| {
            self.pos += n;
            &rest[..n]
        })
    }

    /// Between `min` and `max` ASCII digits (greedy), as text.
    fn digits_str(&mut self, min: usize, max: usize) -> Option<&'t str> {
        let rest = self.rest();
        let n = rest
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        (n >= min).then(|| {
            self.pos += n;
            &rest[..n]
        })
    }

    /// Between `min` and `max` (≤ 18) ASCII digits, as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        self.digits_str(min, max.min(18))
            .and_then(|d| d.parse().ok())
    }

    /// `AM` / `PM` (also `A` / `P`), any casing: `Some(is_pm)`.
    fn ampm(&mut self) -> Option<bool> {
        let pm = match self.peek()? {
            'A' | 'a' => false,
            'P' | 'p' => true,
            _ => return None,
        };
        self.pos += 1;
        let _ = self.eat('M') || self.eat('m');
        Some(pm)
    }

    /// A UTC offset in seconds: `Z`, `GMT`, `UTC` (when `names`), `±hh:mm`, `±hhmm`, `±h`.
    fn offset(&mut self, names: bool) -> R<Option<i64>> {
        if names && (self.eat_str_ci("GMT") || self.eat_str_ci("UTC")) {
            return Ok(Some(0));
        }
        if names && (self.eat('Z') || self.eat('z')) {
            return Ok(Some(0));
        }
        let sign = match self.peek() {
            Some('+') => 1,
            Some('-') => -1,
            _ => return Ok(None),
        };
        self.pos += 1;
        let hours_text = self.digits_str(1, 4).ok_or("expected the offset's hours")?;
        let (hours, mut minutes) = if hours_text.len() > 2 {
            let (h, m) = hours_text.split_at(hours_text.len() - 2);
            (
                h.parse::<i64>().unwrap_or(99),
                m.parse::<i64>().unwrap_or(99),
            )
        } else {
            (hours_text.parse::<i64>().unwrap_or(99), 0)
        };
        if hours_text.len() <= 2 && self.eat(':') {
            minutes = self.digits(2, 2).ok_or("expected the offset's minutes")?;
        }
        if hours > 14 || minutes > 59 || hours * 60 + minutes > 14 * 60 {
            return Err("a UTC offset is at most 14 hours".into());
        }
        Ok(Some(sign * (hours * 3600 + minutes * 60)))
    }
}

// ------------------------------------------------------------------------------------ formats

/// One element of a .NET date format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(String),
    /// A specifier letter and how many times it is repeated.
    Spec(char, usize),
}

fn is_spec(c: char) -> bool {
    matches!(
        c,
        'd' | 'f' | 'F' | 'g' | 'h' | 'H' | 'K' | 'm' | 'M' | 's' | 't' | 'y' | 'z'
    )
}

/// The custom pattern a one-letter standard format stands for (en-US).
fn standard_pattern(c: char) -> Option<&'static str> {
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
fn tokenize(format: &str) -> R<Vec<Tok>> {
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
pub fn format_custom(ts: Timestamp, format: &str) -> R<String> {
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

fn day_name(dt: DateTime) -> &'static str {
    DAYS[dt.weekday().to_sunday_zero_offset() as usize]
}

/// Reads `text` with a .NET custom or one-letter standard format, as `DateTime.ParseExact` does
/// with leading and trailing white space allowed. A parsed UTC offset converts the result to
/// UTC; without one the time is taken as UTC. When the format has no date part, `today` is used.
pub fn parse_exact(text: &str, format: &str, today: Date) -> R<Timestamp> {
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

// ------------------------------------------------------------------------------------ FILETIME

/// The FILETIME number of a date: 100 ns ticks since 1601-01-01 UTC.
pub fn to_filetime(ts: Timestamp) -> R<i64> {
    let ticks = ts.as_nanosecond().div_euclid(NANOS_PER_TICK)
        + FILETIME_EPOCH_OFFSET_SECONDS * (NANOS_PER_SECOND / NANOS_PER_TICK);
    if ticks < 0 {
        return Err("dates before 1601 have no FILETIME number".into());
    }
    i64::try_from(ticks).map_err(|_| "the date is too far in the future for FILETIME".into())
}

/// The date of a FILETIME number.
pub fn from_filetime(ticks: i64) -> R<Timestamp> {
    if ticks < 0 {
        return Err(format!(
            "{ticks} is negative; FILETIME numbers count from 1601"
        ));
    }
    let nanos = (i128::from(ticks)
        - FILETIME_EPOCH_OFFSET_SECONDS * (NANOS_PER_SECOND / NANOS_PER_TICK))
        * NANOS_PER_TICK;
    let ts = Timestamp::from_nanosecond(nanos)
        .map_err(|_| format!("FILETIME {ticks} lies after the year 9999"))?;
    in_range(ts)
}

// ------------------------------------------------------------------------------------ DateAdd / DateDiff

/// A VB.NET date interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Year,
    Quarter,
    Month,
    DayOfYear,
    Day,
    Weekday,
    WeekOfYear,
    Hour,
    Minute,
    Second,
}

impl Interval {
    /// VB's interval letters, any casing: `yyyy q m y d w ww h n s`.
    pub fn parse(text: &str) -> Option<Interval> {
        let t = text.trim();
        let eq = |s: &str| t.eq_ignore_ascii_case(s);
        Some(if eq("yyyy") {
            Interval::Year
        } else if eq("q") {
            Interval::Quarter
        } else if eq("m") {
            Interval::Month
        } else if eq("y") {
            Interval::DayOfYear
        } else if eq("d") {
            Interval::Day
        } else if eq("w") {
            Interval::Weekday
        } else if eq("ww") {
            Interval::WeekOfYear
        } else if eq("h") {
            Interval::Hour
        } else if eq("n") {
            Interval::Minute
        } else if eq("s") {
            Interval::Second
        } else {
            return None;
        })
    }

    fn nanos(self) -> i128 {
        match self {
            Interval::Hour => 3600 * NANOS_PER_SECOND,
            Interval::Minute => 60 * NANOS_PER_SECOND,
            Interval::Second => NANOS_PER_SECOND,
            Interval::WeekOfYear => 7 * NANOS_PER_DAY,
            _ => NANOS_PER_DAY,
        }
    }
}

/// `DateAdd`: the date moved by `n` intervals. Years, quarters and months keep the day of the
/// month, clamped to the month's length (Jan 31 + 1 month = Feb 28/29).
pub fn add(ts: Timestamp, interval: Interval, n: i64) -> R<Timestamp> {
    let months_per = match interval {
        Interval::Year => Some(12),
        Interval::Quarter => Some(3),
        Interval::Month => Some(1),
        _ => None,
    };
    let out_of_range = || format!("adding {n} leaves the range of dates (years 1 to 9999)");
    if let Some(k) = months_per {
        let dt = civil(ts);
        let index = i128::from(dt.year()) * 12 + i128::from(dt.month() - 1) + i128::from(n) * k;
        let year = index.div_euclid(12);
        let month = index.rem_euclid(12) + 1;
        if !(1..=9999).contains(&year) {
            return Err(out_of_range());
        }
        let last = Date::new(year as i16, month as i8, 1)
            .map_err(|e| e.to_string())?
            .days_in_month();
        let day = dt.day().min(last);
        return from_fields(
            year as i64,
            month as i64,
            i64::from(day),
            i64::from(dt.hour()),
            i64::from(dt.minute()),
            i64::from(dt.second()),
            i64::from(dt.subsec_nanosecond()),
            0,
        );
    }
    let nanos = ts.as_nanosecond() + i128::from(n) * interval.nanos();
    let moved = Timestamp::from_nanosecond(nanos).map_err(|_| out_of_range())?;
    in_range(moved).map_err(|_| out_of_range())
}

/// `DateDiff`: how many intervals lie from `d1` to `d2`, counted as VB.NET does: years, quarters
/// and months by calendar fields; days, hours, minutes and seconds as truncated elapsed time;
/// `w` as elapsed days divided by 7; `ww` as the number of week starts (Sundays) crossed.
pub fn diff(interval: Interval, d1: Timestamp, d2: Timestamp) -> i64 {
    let (c1, c2) = (civil(d1), civil(d2));
    let (y1, y2) = (i64::from(c1.year()), i64::from(c2.year()));
    let (m1, m2) = (i64::from(c1.month()), i64::from(c2.month()));
    let elapsed = d2.as_nanosecond() - d1.as_nanosecond();
    let trunc = |ns: i128, unit: i128| (ns / unit) as i64;
    match interval {
        Interval::Year => y2 - y1,
        Interval::Quarter => (y2 - y1) * 4 + (m2 - 1) / 3 - (m1 - 1) / 3,
        Interval::Month => (y2 - y1) * 12 + m2 - m1,
        Interval::DayOfYear | Interval::Day => trunc(elapsed, NANOS_PER_DAY),
        Interval::Hour | Interval::Minute | Interval::Second => trunc(elapsed, interval.nanos()),
        Interval::Weekday => trunc(elapsed, NANOS_PER_DAY) / 7,
        Interval::WeekOfYear => {
            // Each date steps back to the Saturday before its week (VB subtracts the 1-based
            // weekday, Sunday = 1); whole days between them, divided by 7, truncated.
            let back = |c: DateTime| i128::from(c.weekday().to_sunday_zero_offset() + 1);
            let shifted = elapsed - (back(c2) - back(c1)) * NANOS_PER_DAY;
            trunc(shifted, NANOS_PER_DAY) / 7
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn lenient(s: &str) -> String {
        parse_lenient(s)
            .map(format_default)
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn default_text_form() {
        assert_eq!(
            format_default(ts("2021-07-02T15:33:38Z")),
            "7/2/2021 3:33:38 PM"
        );
        assert_eq!(
            format_default(ts("2021-07-02T00:05:00Z")),
            "7/2/2021 12:05:00 AM"
        );
        assert_eq!(
            format_default(ts("2021-07-02T12:00:00Z")),
            "7/2/2021 12:00:00 PM"
        );
    }

    #[test]
    fn lenient_documented_forms() {
        assert_eq!(lenient("2020-03-16-07:00"), "3/16/2020 7:00:00 AM");
        assert_eq!(lenient("2021-06-30+08:00"), "6/29/2021 4:00:00 PM");
        assert_eq!(lenient("2009-06-15T01:45:30-07:00"), "6/15/2009 8:45:30 AM");
        assert_eq!(lenient("8/25/2021 5:41:18 PM"), "8/25/2021 5:41:18 PM");
        assert_eq!(lenient("2021-08-24"), "8/24/2021 12:00:00 AM");
        assert_eq!(lenient("2020-12-31 23:59:59-08:00"), "1/1/2021 7:59:59 AM");
        assert_eq!(lenient("2012-01-01T23:00:00Z"), "1/1/2012 11:00:00 PM");
        assert_eq!(
            lenient("2012-01-01T23:00:00.1234567+01:00"),
            "1/1/2012 10:00:00 PM"
        );
        assert_eq!(lenient(" August 25, 2021 "), "8/25/2021 12:00:00 AM");
        assert_eq!(
            lenient("Wed, 25 Aug 2021 17:41:18 GMT"),
            "8/25/2021 5:41:18 PM"
        );
        assert_eq!(lenient("25-Aug-21"), "8/25/2021 12:00:00 AM");
        assert_eq!(lenient("8/25/99"), "8/25/1999 12:00:00 AM");
        assert_eq!(lenient("2021-08-24 10:00"), "8/24/2021 10:00:00 AM");
    }

    #[test]
    fn lenient_rejects() {
        for bad in [
            "",
            "tomorrow",
            "2021-02-30",
            "13/1/2021",
            "2021-08-24 25:00",
            "2021-08-24T",
            "2021-08-24 junk",
            "0000-01-01",
            "2021-01-01+15:00",
            "99999999999999999999-01-01",
            "1/1/2021 13:00 PM",
        ] {
            assert!(parse_lenient(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn custom_formats_both_ways() {
        let today = Date::new(2000, 1, 1).unwrap();
        let t = parse_exact("20150123105347.1Z", "yyyyMMddHHmmss.fZ", today).unwrap();
        assert_eq!(format_custom(t, "yyyy-MM-dd").unwrap(), "2015-01-23");
        assert_eq!(
            format_custom(t, "o").unwrap(),
            "2015-01-23T10:53:47.1000000Z"
        );
        assert_eq!(format_custom(t, "HH:mm:ss.FFF").unwrap(), "10:53:47.1");
        let t = parse_exact("2020-12-31-08:00", "yyyy-MM-ddzzz", today).unwrap();
        assert_eq!(
            format_custom(t, "yyyy-MM-dd HH:mm zzz").unwrap(),
            "2020-12-31 08:00 +00:00"
        );
        let t = parse_exact("12/31/2020 11:59:59 PM", "M/d/yyyy hh:mm:ss tt", today).unwrap();
        assert_eq!(
            format_custom(t, "yyyyMMddHHmmss").unwrap(),
            "20201231235959"
        );
        assert_eq!(
            format_custom(t, "dddd, MMMM d, yyyy").unwrap(),
            "Thursday, December 31, 2020"
        );
        assert_eq!(
            format_custom(t, "ddd dd MMM yy 'at' h tt").unwrap(),
            "Thu 31 Dec 20 at 11 PM"
        );
        assert_eq!(format_custom(t, "G").unwrap(), "12/31/2020 11:59:59 PM");
        assert_eq!(format_custom(t, "%d").unwrap(), "31");
        assert_eq!(format_custom(t, "HH:mm:ss.FFF").unwrap(), "23:59:59");
        assert_eq!(format_custom(t, "\\Y yyyy").unwrap(), "Y 2020");
        let t = parse_exact("Thursday, December 31, 2020", "D", today).unwrap();
        assert_eq!(format_custom(t, "s").unwrap(), "2020-12-31T00:00:00");
        let t = parse_exact("10:30", "HH:mm", today).unwrap();
        assert_eq!(format_custom(t, "s").unwrap(), "2000-01-01T10:30:00");
    }

    #[test]
    fn custom_format_errors() {
        let today = Date::new(2000, 1, 1).unwrap();
        assert!(parse_exact("2015-01-23", "yyyyMMdd", today).is_err());
        assert!(parse_exact("20150123x", "yyyyMMdd", today).is_err());
        assert!(parse_exact("2015", "yyyy'", today).is_err());
        assert!(format_custom(Timestamp::UNIX_EPOCH, "ffffffff").is_err());
        assert!(format_custom(Timestamp::UNIX_EPOCH, "x").is_err());
        assert!(format_custom(Timestamp::UNIX_EPOCH, "").is_err());
        assert!(parse_exact("02/30/2020", "MM/dd/yyyy", today).is_err());
    }

    #[test]
    fn filetime_round_trip() {
        let t = ts("2012-01-01T23:00:00Z");
        assert_eq!(to_filetime(t).unwrap(), 129_699_324_000_000_000);
        assert_eq!(from_filetime(129_699_324_000_000_000).unwrap(), t);
        assert_eq!(
            to_filetime(parse_lenient("2020-12-31 23:59:59-08:00").unwrap()).unwrap(),
            132_539_615_990_000_000
        );
        assert_eq!(
            format_default(from_filetime(0).unwrap()),
            "1/1/1601 12:00:00 AM"
        );
        assert!(from_filetime(i64::MAX).is_err());
        assert!(from_filetime(-1).is_err());
        assert!(to_filetime(parse_lenient("1600-12-31").unwrap()).is_err());
    }

    #[test]
    fn dateadd_clamps_months() {
        let t = ts("2021-01-31T10:00:00Z");
        assert_eq!(
            format_default(add(t, Interval::Month, 1).unwrap()),
            "2/28/2021 10:00:00 AM"
        );
        assert_eq!(
            format_default(add(t, Interval::Year, -1).unwrap()),
            "1/31/2020 10:00:00 AM"
        );
        assert_eq!(
            format_default(add(t, Interval::Quarter, 1).unwrap()),
            "4/30/2021 10:00:00 AM"
        );
        assert_eq!(
            format_default(add(t, Interval::WeekOfYear, 1).unwrap()),
            "2/7/2021 10:00:00 AM"
        );
        assert!(add(t, Interval::Year, 10_000).is_err());
        assert!(add(t, Interval::Second, i64::MAX).is_err());
        assert!(add(t, Interval::Month, i64::MIN).is_err());
    }

    #[test]
    fn datediff_vb_rules() {
        let now = ts("2021-08-25T17:41:18Z");
        let hire = parse_lenient("2012-03-16-07:00").unwrap();
        assert_eq!(diff(Interval::Day, now, hire), -3449);
        assert_eq!(diff(Interval::WeekOfYear, now, hire), -493);
        assert_eq!(diff(Interval::Weekday, now, hire), -492);
        assert_eq!(diff(Interval::Month, now, hire), -113);
        assert_eq!(diff(Interval::Year, now, hire), -9);
        assert_eq!(diff(Interval::Quarter, now, hire), -38);
        // Calendar weeks count week starts (Sundays) crossed, but VB truncates the days between
        // the two shifted dates, so the time of day matters: Saturday 01:00 to Sunday 23:00 is
        // one week, Saturday 23:00 to Sunday 01:00 none.
        let sat_early = ts("2021-08-28T01:00:00Z");
        let sun_late = ts("2021-08-29T23:00:00Z");
        let sat_late = ts("2021-08-28T23:00:00Z");
        let sun_early = ts("2021-08-29T01:00:00Z");
        let next_sat = ts("2021-09-04T22:00:00Z");
        assert_eq!(diff(Interval::WeekOfYear, sat_early, sun_late), 1);
        assert_eq!(diff(Interval::WeekOfYear, sat_late, sun_early), 0);
        assert_eq!(diff(Interval::WeekOfYear, sun_early, next_sat), 0);
        assert_eq!(diff(Interval::WeekOfYear, sun_late, sat_early), -1);
        assert_eq!(diff(Interval::Weekday, sat_early, sun_late), 0);
        assert_eq!(diff(Interval::Second, sun_early, sat_late), -7200);
        assert_eq!(
            diff(
                Interval::Hour,
                ts("2021-08-24T00:00:00Z"),
                ts("2021-08-25T00:00:00Z")
            ),
            24
        );
    }
}
