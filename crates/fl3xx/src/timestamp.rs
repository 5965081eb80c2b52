//! The two timestamp shapes FL3XX's queries take, written by hand: `time`'s
//! `format_description!` needs the `time-macros` proc-macro crate (about 1.2 s of every clean
//! build of this crate), and `Rfc3339` writes as many subsecond digits as it needs where FL3XX
//! documents exactly three and a `Z`.

use std::fmt::Write;

use time::{Date, OffsetDateTime, UtcOffset};

/// `YYYY-MM-DD`, as `time`'s `[year]-[month]-[day]` writes it (a year before 1 BC, which
/// FL3XX would refuse anyway, gets a `-` sign).
pub(crate) fn day(date: Date) -> String {
    let mut out = String::with_capacity(10);
    write_day(&mut out, date);
    out
}

/// `t` in UTC. An instant at the very edge of `time`'s range with an offset may have no UTC
/// date (`to_offset` would panic): that is the caller's input, so it is `InvalidInput`.
pub(crate) fn to_utc(t: OffsetDateTime, field: &str) -> api_core::Result<OffsetDateTime> {
    t.checked_to_offset(UtcOffset::UTC)
        .ok_or_else(|| api_core::Error::invalid_input(field, format!("{t} has no date in UTC")))
}

/// `YYYY-MM-DDTHH:mm:ss.SSSZ` in UTC, the milliseconds truncated, as `time`'s
/// `[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z` writes it.
///
/// # Errors
/// [`api_core::Error::InvalidInput`] naming `field` when `t` has no date in UTC.
pub(crate) fn utc_millis(t: OffsetDateTime, field: &str) -> api_core::Result<String> {
    Ok(millis_of_utc(to_utc(t, field)?))
}

/// [`utc_millis`] of an instant already in UTC (from [`to_utc`]).
pub(crate) fn millis_of_utc(t: OffsetDateTime) -> String {
    debug_assert!(t.offset().is_utc());
    let mut out = String::with_capacity(24);
    write_day(&mut out, t.date());
    // Writing to a `String` cannot fail.
    let _ = write!(
        out,
        "T{:02}:{:02}:{:02}.{:03}Z",
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    );
    out
}

fn write_day(out: &mut String, date: Date) {
    let year = date.year();
    if year < 0 {
        out.push('-');
    }
    // Writing to a `String` cannot fail.
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}",
        year.unsigned_abs(),
        u8::from(date.month()),
        date.day()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::parse_borrowed;
    use time::macros::{date, datetime};

    #[test]
    fn written_as_documented() {
        assert_eq!(day(date!(2024 - 01 - 05)), "2024-01-05");
        assert_eq!(day(date!(0042 - 12 - 31)), "0042-12-31");
        assert_eq!(
            utc_millis(datetime!(2024-01-15 11:30:00.5 +01:00), "t").expect("in range"),
            "2024-01-15T10:30:00.500Z"
        );
        assert_eq!(
            utc_millis(datetime!(2024-01-15 10:30:00.123456 UTC), "t").expect("in range"),
            "2024-01-15T10:30:00.123Z"
        );
        // Truncated, not rounded.
        assert_eq!(
            utc_millis(datetime!(2023-12-31 23:59:59.999999999 UTC), "t").expect("in range"),
            "2023-12-31T23:59:59.999Z"
        );
        // The offset can move the day (and the year) back.
        assert_eq!(
            utc_millis(datetime!(2024-01-01 00:30 +02:00), "t").expect("in range"),
            "2023-12-31T22:30:00.000Z"
        );
    }

    #[test]
    fn same_text_as_the_time_format_descriptions() {
        let day_format = parse_borrowed::<2>("[year]-[month]-[day]").expect("valid description");
        let instant_format = parse_borrowed::<2>(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z",
        )
        .expect("valid description");
        let days = [
            Date::MIN,
            Date::MAX,
            date!(-0001 - 03 - 04),
            date!(0000 - 01 - 01),
            date!(0999 - 10 - 09),
            date!(2024 - 02 - 29),
        ];
        for d in days {
            assert_eq!(day(d), d.format(&day_format).expect("formats"), "{d}");
        }
        let instants = [
            datetime!(-0001-03-04 05:06:07.089 UTC),
            datetime!(0001-01-01 00:00 UTC),
            datetime!(2024-01-15 10:30:00.000999 UTC),
            datetime!(2024-06-30 23:59:59.9999 -05:30),
            datetime!(9999-12-31 12:00 +11:00),
            OffsetDateTime::UNIX_EPOCH,
        ];
        for t in instants {
            let utc = t.to_offset(UtcOffset::UTC);
            assert_eq!(
                utc_millis(t, "t").expect("in range"),
                utc.format(&instant_format).expect("formats"),
                "{t}"
            );
        }
    }
}
