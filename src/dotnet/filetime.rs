//! Active Directory FILETIME numbers: 100 ns ticks since 1601-01-01 UTC.

use super::*;
use jiff::Timestamp;

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
