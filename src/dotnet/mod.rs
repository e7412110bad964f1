//! .NET emulation: dates the way Entra's .NET runtime reads, writes and counts them, always in
//! UTC, one job per file.
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

/// A point in time as .NET's `DateTime` holds it: the civil date and time in UTC, years 1 to
/// 9999 (through 9999-12-31T23:59:59.9999999, the end-date sentinel of HR systems) at 100 ns.
/// A civil date-time rather than a `jiff::Timestamp`, whose range ends a day earlier.
pub type Instant = DateTime;

/// The instant of a timestamp (the clock's `now`).
pub fn from_timestamp(ts: Timestamp) -> Instant {
    Offset::UTC.to_datetime(ts)
}

/// The civil UTC date and time of an instant (they are the same thing).
pub fn civil(i: Instant) -> DateTime {
    i
}

const UNIX_EPOCH: DateTime = DateTime::constant(1970, 1, 1, 0, 0, 0, 0);

/// Nanoseconds since 1970-01-01 UTC.
pub fn nanos(i: Instant) -> i128 {
    i.duration_since(UNIX_EPOCH).as_nanos()
}

/// The instant `n` nanoseconds after 1970-01-01 UTC, within .NET's range.
pub fn from_nanos(n: i128) -> R<Instant> {
    let secs = i64::try_from(n.div_euclid(NANOS_PER_SECOND))
        .map_err(|_| "the date is out of range".to_string())?;
    let sub = n.rem_euclid(NANOS_PER_SECOND) as i32;
    let moved = UNIX_EPOCH
        .checked_add(jiff::SignedDuration::new(secs, sub))
        .map_err(|_| "the date is out of range".to_string())?;
    in_range(moved)
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
) -> R<Instant> {
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
    let utc = dt
        .checked_sub(jiff::SignedDuration::from_secs(offset_seconds))
        .map_err(|_| "the date is out of range".to_string())?;
    in_range(utc)
}

/// The instant, if it lies within .NET's DateTime range (years 1 to 9999 in UTC).
pub fn in_range(i: Instant) -> R<Instant> {
    if i.year() < 1 {
        Err("the date is before year 1".into())
    } else if i.year() > 9999 {
        Err("the date is after 9999-12-31T23:59:59.9999999, the last .NET date".into())
    } else {
        Ok(i)
    }
}

mod filetime;
mod format;
mod interval;
mod lenient;
pub mod regex;

pub use filetime::{from_filetime, to_filetime};
pub use format::{format_custom, format_default, parse_exact, validate_format};
pub use interval::{Interval, add, diff};
pub use lenient::parse_lenient;

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Instant {
        from_timestamp(s.parse().unwrap())
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
        assert!(format_custom(UNIX_EPOCH, "ffffffff").is_err());
        assert!(format_custom(UNIX_EPOCH, "x").is_err());
        assert!(format_custom(UNIX_EPOCH, "").is_err());
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

    #[test]
    fn dates_reach_the_end_of_the_dotnet_range() {
        let last = parse_lenient("9999-12-31T23:59:59.9999999Z").unwrap();
        assert_eq!(format_default(last), "12/31/9999 11:59:59 PM");
        assert_eq!(to_filetime(last), Ok(2_650_467_743_999_999_999));
        assert_eq!(from_filetime(2_650_467_743_999_999_999), Ok(last));
        assert!(from_filetime(2_650_467_744_000_000_000).is_err());
        assert_eq!(
            format_default(parse_lenient("9999-12-31").unwrap()),
            "12/31/9999 12:00:00 AM"
        );
        let eve = parse_lenient("9999-12-30").unwrap();
        assert_eq!(
            add(eve, Interval::Day, 1).map(format_default),
            Ok("12/31/9999 12:00:00 AM".into())
        );
        // One tick past the last date is refused.
        assert!(add(last, Interval::Second, 1).is_err());
        assert!(from_nanos(nanos(last) + 100).is_err());
        assert_eq!(diff(Interval::Day, eve, last), 1);
        assert!(parse_lenient("9999-12-31T23:59:59-01:00").is_err());
    }
}
