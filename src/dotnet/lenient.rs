//! What .NET's `DateTime.Parse` accepts for en-US, for the forms the docs use.

use super::*;

// ------------------------------------------------------------------------------------ lenient

/// Reads a date as .NET's `DateTime.Parse` does for en-US, converted to UTC.
///
/// Accepted: ISO dates `2021-08-24` (also with `/` or `.`), US dates `8/25/2021` (two-digit years
/// pivot at 2049 as .NET's do), month names `August 25, 2021` / `25 Aug 2021` (an optional
/// leading weekday name), then optionally a time `h:mm[:ss[.fffffff]]` after a space or `T`,
/// optionally `AM` / `PM`, and optionally a UTC offset `Z`, `GMT`, `UTC`, `±hh:mm`, `±hhmm` or
/// `±hh`, which may follow the date directly (`2020-03-16-07:00`). Without an offset the time is
/// taken as UTC (Entra's servers run in UTC); a date without a time is midnight.
pub fn parse_lenient(text: &str) -> R<Instant> {
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

pub(super) fn lenient_date(c: &mut Cursor) -> R<(i64, i64, i64)> {
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
pub(super) fn two_digit_year(year: i64, digits: usize) -> i64 {
    if digits <= 2 {
        if year <= 49 { 2000 + year } else { 1900 + year }
    } else {
        year
    }
}

pub(super) fn apply_ampm(hour: i64, pm: bool) -> R<i64> {
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
pub(super) fn fraction_nanos(digits: &str) -> i64 {
    let mut ticks: i64 = 0;
    for (i, b) in digits.bytes().take(7).enumerate() {
        ticks += i64::from(b - b'0') * 10i64.pow(6 - i as u32);
    }
    ticks * NANOS_PER_TICK as i64
}

/// The position of a name in `names`, matched case-insensitively against the full name or its
/// three-letter abbreviation.
pub(super) fn name_index(names: &[&str], word: &str) -> Option<usize> {
    names.iter().position(|n| {
        n.eq_ignore_ascii_case(word) || (word.len() == 3 && n[..3].eq_ignore_ascii_case(word))
    })
}

pub(super) struct Cursor<'t> {
    text: &'t str,
    pub(super) pos: usize,
}

impl<'t> Cursor<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Cursor { text, pos: 0 }
    }

    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    pub(super) fn rest_preview(&self) -> String {
        self.rest().chars().take(20).collect()
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(super) fn eat(&mut self, ch: char) -> bool {
        if self.peek() == Some(ch) {
            self.pos += ch.len_utf8();
            true
        } else {
            false
        }
    }

    pub(super) fn eat_str_ci(&mut self, s: &str) -> bool {
        let rest = self.rest().as_bytes();
        if rest.len() >= s.len() && rest[..s.len()].eq_ignore_ascii_case(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    pub(super) fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// A run of ASCII letters.
    pub(super) fn word(&mut self) -> Option<&'t str> {
        let rest = self.rest();
        let n = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        (n > 0).then(|| {
            self.pos += n;
            &rest[..n]
        })
    }

    /// Between `min` and `max` ASCII digits (greedy), as text.
    pub(super) fn digits_str(&mut self, min: usize, max: usize) -> Option<&'t str> {
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
    pub(super) fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
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
    pub(super) fn offset(&mut self, names: bool) -> R<Option<i64>> {
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
