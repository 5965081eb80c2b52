//! Writing `time`'s values as the text every provider reads: [`write_date`],
//! [`write_date_time`], and for query parameters [`to_utc`] and [`utc_millis`].

use std::fmt::Write as _;

use time::{OffsetDateTime, UtcOffset};

use crate::{Error, Result};

/// `YYYY-MM-DD`, as `time`'s `[year]-[month]-[day]` writes it: a year before 1 BC gets a `-`
/// sign (and a year beyond 9999, with `time`'s `large-dates`, more digits); neither is a
/// `format: date` any provider reads.
pub fn write_date(date: time::Date) -> String {
    let mut out = String::with_capacity(10);
    push_date(&mut out, date);
    out
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` in UTC, the milliseconds truncated (what FL3XX documents,
/// and valid RFC 3339 for every provider).
///
/// An instant at the very edge of `time`'s range with an offset may have no date in UTC: it
/// is written in its own offset instead (`…sss+HH:MM`, with `:SS` when the offset has
/// seconds, which RFC 3339 cannot express), never a panic. [`utc_millis`] refuses it instead.
pub fn write_date_time(t: OffsetDateTime) -> String {
    let mut out = String::with_capacity(29);
    match t.checked_to_offset(UtcOffset::UTC) {
        Some(utc) => {
            push_millis(&mut out, utc);
            out.push('Z');
        }
        None => {
            push_millis(&mut out, t);
            push_offset(&mut out, t.offset());
        }
    }
    out
}

/// `t` in UTC.
///
/// # Errors
/// [`Error::InvalidInput`] naming `field` when `t` has no date in UTC: an instant at the very
/// edge of `time`'s range with an offset (`to_offset` would panic).
pub fn to_utc(t: OffsetDateTime, field: &str) -> Result<OffsetDateTime> {
    t.checked_to_offset(UtcOffset::UTC)
        .ok_or_else(|| Error::invalid_input(field, format!("{t} has no date in UTC")))
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` in UTC, the milliseconds truncated, as `time`'s
/// `[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z` writes it: the form
/// of a `format: date-time` query parameter.
///
/// # Errors
/// [`Error::InvalidInput`] naming `field` when `t` has no date in UTC ([`to_utc`]).
pub fn utc_millis(t: OffsetDateTime, field: &str) -> Result<String> {
    to_utc(t, field).map(write_date_time)
}

fn push_date(out: &mut String, date: time::Date) {
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

/// The local date and time of `t`, to the millisecond: `YYYY-MM-DDTHH:MM:SS.sss`.
fn push_millis(out: &mut String, t: OffsetDateTime) {
    push_date(out, t.date());
    // Writing to a `String` cannot fail.
    let _ = write!(
        out,
        "T{:02}:{:02}:{:02}.{:03}",
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    );
}

/// `±HH:MM`, and `:SS` when the offset has seconds.
fn push_offset(out: &mut String, offset: UtcOffset) {
    let (hours, minutes, seconds) = offset.as_hms();
    out.push(if offset.is_negative() { '-' } else { '+' });
    // Writing to a `String` cannot fail.
    let _ = write!(
        out,
        "{:02}:{:02}",
        hours.unsigned_abs(),
        minutes.unsigned_abs()
    );
    if seconds != 0 {
        let _ = write!(out, ":{:02}", seconds.unsigned_abs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::parse_borrowed;
    use time::macros::{date, datetime};

    #[test]
    fn writers() {
        assert_eq!(write_date(date!(2024 - 01 - 05)), "2024-01-05");
        assert_eq!(write_date(date!(0042 - 12 - 31)), "0042-12-31");
        assert_eq!(write_date(date!(-0001 - 03 - 04)), "-0001-03-04");
        assert_eq!(
            utc_millis(datetime!(2024-01-15 11:30:00.5 +01:00), "t").ok(),
            Some("2024-01-15T10:30:00.500Z".to_owned())
        );
        // Truncated, not rounded.
        assert_eq!(
            write_date_time(datetime!(2023-12-31 23:59:59.999999999 UTC)),
            "2023-12-31T23:59:59.999Z"
        );
        // The offset can move the day (and the year) back.
        assert_eq!(
            write_date_time(datetime!(2024-01-01 00:30 +02:00)),
            "2023-12-31T22:30:00.000Z"
        );
        // No date in UTC: its own offset, and `utc_millis` refuses it.
        let edge = datetime!(9999-12-31 23:00 -05:00);
        assert_eq!(write_date_time(edge), "9999-12-31T23:00:00.000-05:00");
        assert_eq!(
            utc_millis(edge, "since").map_err(|e| e.to_string()),
            Err("invalid `since`: 9999-12-31 23:00:00.0 -05:00:00 has no date in UTC".into())
        );
        let odd_offset = datetime!(-9999-01-01 00:00 +01:02:03);
        assert_eq!(
            write_date_time(odd_offset),
            "-9999-01-01T00:00:00.000+01:02:03"
        );
    }

    #[test]
    fn same_text_as_the_time_format_descriptions() {
        let day_format = parse_borrowed::<2>("[year]-[month]-[day]").expect("valid description");
        let instant_format = parse_borrowed::<2>(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z",
        )
        .expect("valid description");
        for d in [
            time::Date::MIN,
            time::Date::MAX,
            date!(-0001 - 03 - 04),
            date!(0000 - 01 - 01),
            date!(0999 - 10 - 09),
            date!(2024 - 02 - 29),
        ] {
            assert_eq!(
                write_date(d),
                d.format(&day_format).expect("formats"),
                "{d}"
            );
        }
        for t in [
            datetime!(-0001-03-04 05:06:07.089 UTC),
            datetime!(0001-01-01 00:00 UTC),
            datetime!(2024-01-15 10:30:00.000999 UTC),
            datetime!(2024-06-30 23:59:59.9999 -05:30),
            datetime!(9999-12-31 12:00 +11:00),
            OffsetDateTime::UNIX_EPOCH,
        ] {
            let utc = t.to_offset(UtcOffset::UTC);
            assert_eq!(
                write_date_time(t),
                utc.format(&instant_format).expect("formats"),
                "{t}"
            );
        }
    }
}
