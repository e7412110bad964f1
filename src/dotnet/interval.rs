//! VB.NET `DateAdd` / `DateDiff`, including calendar weeks.

use super::*;

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
pub fn add(ts: Instant, interval: Interval, n: i64) -> R<Instant> {
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
    let moved = nanos(ts) + i128::from(n) * interval.nanos();
    from_nanos(moved).map_err(|_| out_of_range())
}

/// `DateDiff`: how many intervals lie from `d1` to `d2`, counted as VB.NET does: years, quarters
/// and months by calendar fields; days, hours, minutes and seconds as truncated elapsed time;
/// `w` as elapsed days divided by 7; `ww` as the number of week starts (Sundays) crossed.
pub fn diff(interval: Interval, d1: Instant, d2: Instant) -> i64 {
    let (c1, c2) = (civil(d1), civil(d2));
    let (y1, y2) = (i64::from(c1.year()), i64::from(c2.year()));
    let (m1, m2) = (i64::from(c1.month()), i64::from(c2.month()));
    let elapsed = nanos(d2) - nanos(d1);
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
