//! Active Directory FILETIME numbers: 100 ns ticks since 1601-01-01 UTC.

use super::*;

// ------------------------------------------------------------------------------------ FILETIME

/// The FILETIME number of a date: 100 ns ticks since 1601-01-01 UTC.
pub fn to_filetime(ts: Instant) -> R<i64> {
    let ticks = nanos(ts).div_euclid(NANOS_PER_TICK)
        + FILETIME_EPOCH_OFFSET_SECONDS * (NANOS_PER_SECOND / NANOS_PER_TICK);
    if ticks < 0 {
        return Err("dates before 1601 have no FILETIME number".into());
    }
    i64::try_from(ticks).map_err(|_| "the date is too far in the future for FILETIME".into())
}

/// The date of a FILETIME number.
pub fn from_filetime(ticks: i64) -> R<Instant> {
    if ticks < 0 {
        return Err(format!(
            "{ticks} is negative; FILETIME numbers count from 1601"
        ));
    }
    let nanos = (i128::from(ticks)
        - FILETIME_EPOCH_OFFSET_SECONDS * (NANOS_PER_SECOND / NANOS_PER_TICK))
        * NANOS_PER_TICK;
    from_nanos(nanos).map_err(|_| format!("FILETIME {ticks} lies after the year 9999"))
}
