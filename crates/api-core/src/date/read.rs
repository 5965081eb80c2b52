//! Reading a date's text: [`Date::get`], [`DateTime::get`], [`DateTime::local`], the checks
//! before a request, and [`DateError`].

use std::borrow::Cow;
use std::fmt;

use time::error::{Parse, ParseFromDescription};
use time::format_description::well_known::Rfc3339;
use time::{Month, OffsetDateTime, PrimitiveDateTime};

use super::{Date, DateTime};
use crate::Result;
use crate::lenient::scalar::Shown;
use crate::validate::{InvalidInput, Rule};

/// Why a [`Date`](super::Date) or [`DateTime`](super::DateTime) does not read: the text (its
/// first 64 bytes, JSON-quoted), the form expected and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    pub(super) shown: String,
    pub(super) form: Form,
    pub(super) reason: Cow<'static, str>,
    pub(super) missing_offset: bool,
}

impl DateError {
    pub(super) fn new(text: &str, form: Form, reason: Cow<'static, str>) -> Self {
        Self {
            shown: Shown::quoted(text).to_string(),
            form,
            reason,
            missing_offset: false,
        }
    }

    /// True when the text is a date-time without an offset, which
    /// [`DateTime::get`](super::DateTime::get) refuses and
    /// [`DateTime::local`](super::DateTime::local) reads.
    pub fn is_missing_offset(&self) -> bool {
        self.missing_offset
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not {}: {}",
            self.shown,
            self.form.expected(),
            self.reason
        )
    }
}

impl std::error::Error for DateError {}

/// What was being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    Date,
    Instant,
    WallClock,
}

impl Form {
    fn expected(self) -> &'static str {
        match self {
            Form::Date => "a date (YYYY-MM-DD)",
            Form::Instant => "a date-time (RFC 3339)",
            Form::WallClock => "a date-time (YYYY-MM-DDTHH:MM:SS)",
        }
    }
}

/// `YYYY-MM-DD` exactly, a day of the calendar.
pub(super) fn read_date(text: &str) -> std::result::Result<time::Date, Cow<'static, str>> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(Cow::Borrowed("expected four digits, `-`, two, `-`, two"));
    }
    // Only ASCII digits in these ranges: they parse.
    let number = |range: std::ops::Range<usize>| {
        text.get(range)
            .and_then(|digits| digits.parse::<u16>().ok())
            .unwrap_or_default()
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| Cow::Owned(format!("there is no month {month:02}")))?;
    u8::try_from(day)
        .ok()
        .and_then(|d| time::Date::from_calendar_date(i32::from(year), month, d).ok())
        .ok_or_else(|| Cow::Owned(format!("{month} {year:04} has no day {day}")))
}

/// The date and the time are separated by `T` (or `t`) or a space: `time`'s RFC 3339 reader
/// takes any byte there, which would let `2024-01-15x10:30:00Z` through.
pub(super) fn check_separator(text: &str) -> std::result::Result<(), Cow<'static, str>> {
    match text.as_bytes().get(10) {
        None if read_date(text).is_ok() => Err(Cow::Borrowed("it is a date without a time")),
        Some(b'T' | b't' | b' ') | None => Ok(()),
        Some(_) => Err(Cow::Borrowed(
            "the date and the time must be separated by `T` or a space",
        )),
    }
}

/// A date-time without an offset: with a `Z` after it, it is RFC 3339, which `time` reads
/// (any number of fraction digits included).
pub(super) fn read_wall_clock(text: &str) -> std::result::Result<PrimitiveDateTime, Parse> {
    let mut zoned = String::with_capacity(text.len().saturating_add(1));
    zoned.push_str(text);
    zoned.push('Z');
    OffsetDateTime::parse(&zoned, &Rfc3339).map(|t| PrimitiveDateTime::new(t.date(), t.time()))
}

/// What is wrong with `text`, from `time`'s errors reading it as RFC 3339 (`rfc`) and without
/// an offset (`wall`).
pub(super) fn reason(rfc: &Parse, wall: Parse) -> Cow<'static, str> {
    let no_offset = |e: &Parse| {
        matches!(
            e,
            Parse::ParseFromDescription(ParseFromDescription::InvalidComponent("offset hour"))
        )
    };
    // The RFC 3339 reader looks for the offset before it checks the ranges: when that is what
    // it stopped at, the reading without an offset says more (`hour was not in range` for
    // `24:00:00`).
    let error = if no_offset(rfc) { wall } else { *rfc };
    if no_offset(&error) {
        return Cow::Borrowed("expected `Z` or an offset `±HH:MM` after the time");
    }
    match error {
        Parse::ParseFromDescription(ParseFromDescription::UnexpectedTrailingCharacters {
            ..
        }) => Cow::Borrowed("unexpected text after the offset"),
        Parse::ParseFromDescription(ParseFromDescription::InvalidLiteral { .. }) => {
            Cow::Borrowed("a `-` or `:` of YYYY-MM-DDTHH:MM:SS is missing or misplaced")
        }
        Parse::ParseFromDescription(ParseFromDescription::InvalidComponent(name)) => {
            Cow::Owned(format!("cannot read the {name}"))
        }
        // A component out of range (`hour was not in range`).
        other => Cow::Owned(other.to_string()),
    }
}

impl Date {
    /// The day, when the text is exactly `YYYY-MM-DD` and names a day of the calendar.
    ///
    /// # Errors
    /// [`DateError`] quoting the text (at most 64 bytes of it) and saying what is wrong.
    pub fn get(&self) -> std::result::Result<time::Date, DateError> {
        read_date(&self.0).map_err(|reason| DateError::new(&self.0, Form::Date, reason))
    }

    /// Whether [`Date::get`] reads a day.
    pub fn is_valid(&self) -> bool {
        self.get().is_ok()
    }

    /// Checks a date before it is sent.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming `field` when [`Date::get`] fails.
    pub fn check(&self, field: &str) -> Result<()> {
        checked(self.get(), field, "date", self.as_str())
    }
}

impl DateTime {
    /// The instant of an RFC 3339 text: `YYYY-MM-DDTHH:MM:SS`, any number of fraction digits
    /// (beyond nine, truncated to nanoseconds), then `Z` or `±HH:MM`. A space may stand for
    /// the `T` (RFC 3339 allows it), and the `T` and `Z` may be lower case.
    ///
    /// # Errors
    /// [`DateError`] quoting the text (at most 64 bytes of it) and saying what is wrong; for a
    /// date-time without an offset, [`DateError::is_missing_offset`] (its wall-clock time is
    /// [`DateTime::local`]).
    pub fn get(&self) -> std::result::Result<OffsetDateTime, DateError> {
        let text = self.0.as_str();
        let failed = |reason| DateError::new(text, Form::Instant, reason);
        check_separator(text).map_err(failed)?;
        match OffsetDateTime::parse(text, &Rfc3339) {
            Ok(t) => Ok(t),
            Err(rfc) => match read_wall_clock(text) {
                Ok(_) => Err(DateError {
                    missing_offset: true,
                    ..failed(Cow::Borrowed(
                        "it has no offset (`Z` or `±HH:MM`); DateTime::local reads its \
                         wall-clock time",
                    ))
                }),
                Err(wall) => Err(failed(reason(&rfc, wall))),
            },
        }
    }

    /// The wall-clock reading: the date and time as written, without applying any offset.
    /// Accepts what [`DateTime::get`] accepts, and the forms without an offset,
    /// `YYYY-MM-DDTHH:MM:SS[.fff]` and `YYYY-MM-DD HH:MM:SS[.fff]`.
    ///
    /// # Errors
    /// [`DateError`] quoting the text (at most 64 bytes of it) and saying what is wrong.
    pub fn local(&self) -> std::result::Result<PrimitiveDateTime, DateError> {
        let text = self.0.as_str();
        let failed = |reason| DateError::new(text, Form::WallClock, reason);
        check_separator(text).map_err(failed)?;
        match OffsetDateTime::parse(text, &Rfc3339) {
            Ok(t) => Ok(PrimitiveDateTime::new(t.date(), t.time())),
            Err(rfc) => read_wall_clock(text).map_err(|wall| failed(reason(&rfc, wall))),
        }
    }

    /// Whether [`DateTime::get`] reads an instant (a text without an offset is not valid).
    pub fn is_valid(&self) -> bool {
        self.get().is_ok()
    }

    /// Checks a date-time before it is sent: it must be RFC 3339, offset included.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming `field` when
    /// [`DateTime::get`] fails.
    pub fn check(&self, field: &str) -> Result<()> {
        checked(self.get(), field, "date-time", self.as_str())
    }
}

/// A parse's outcome as a check: `Rule::Format(format)` naming `field` and quoting `text`.
fn checked<T>(
    parsed: std::result::Result<T, DateError>,
    field: &str,
    format: &'static str,
    text: &str,
) -> Result<()> {
    parsed.map(drop).map_err(|e| {
        InvalidInput::new(field, Rule::Format(format), e.to_string())
            .with_value(text)
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{Date, DateTime};
    use time::macros::{date, datetime};

    fn instant(text: &str) -> std::result::Result<OffsetDateTime, String> {
        DateTime::from_text(text).get().map_err(|e| e.to_string())
    }

    fn wall(text: &str) -> std::result::Result<PrimitiveDateTime, String> {
        DateTime::from_text(text).local().map_err(|e| e.to_string())
    }

    fn day(text: &str) -> std::result::Result<time::Date, String> {
        Date::from_text(text).get().map_err(|e| e.to_string())
    }

    #[test]
    fn dates() {
        assert_eq!(day("2024-01-05"), Ok(date!(2024 - 01 - 05)));
        assert_eq!(day("2024-02-29"), Ok(date!(2024 - 02 - 29)));
        assert_eq!(day("0000-01-01"), Ok(date!(0000 - 01 - 01)));
        assert_eq!(day("9999-12-31"), Ok(date!(9999 - 12 - 31)));
        assert_eq!(
            day("2023-02-29"),
            Err(r#""2023-02-29" is not a date (YYYY-MM-DD): February 2023 has no day 29"#.into())
        );
        assert_eq!(
            day("2024-13-01"),
            Err(r#""2024-13-01" is not a date (YYYY-MM-DD): there is no month 13"#.into())
        );
        assert_eq!(
            day("2024-00-10"),
            Err(r#""2024-00-10" is not a date (YYYY-MM-DD): there is no month 00"#.into())
        );
        assert_eq!(
            day("2024-04-31"),
            Err(r#""2024-04-31" is not a date (YYYY-MM-DD): April 2024 has no day 31"#.into())
        );
        assert_eq!(
            day("2024-04-00"),
            Err(r#""2024-04-00" is not a date (YYYY-MM-DD): April 2024 has no day 0"#.into())
        );
        for odd in [
            "2024-1-05",
            "24-01-05",
            "2024/01/05",
            "2024-01-05T00:00:00Z",
            " 2024-01-05",
            "+024-01-05",
            "２０２４-01-05",
            "",
        ] {
            assert_eq!(
                day(odd),
                Err(format!(
                    "{} is not a date (YYYY-MM-DD): expected four digits, `-`, two, `-`, two",
                    serde_json::Value::from(odd)
                )),
                "{odd}"
            );
        }
    }

    #[test]
    fn instants() {
        assert_eq!(
            instant("2024-01-15T10:30:00Z"),
            Ok(datetime!(2024-01-15 10:30 UTC))
        );
        assert_eq!(
            instant("2024-01-15t10:30:00.5z"),
            Ok(datetime!(2024-01-15 10:30:00.5 UTC))
        );
        assert_eq!(
            instant("2024-01-15 10:30:00-05:30"),
            Ok(datetime!(2024-01-15 10:30 -05:30))
        );
        assert_eq!(
            instant("2024-01-15T10:30:00.123456789123+01:00"),
            Ok(datetime!(2024-01-15 10:30:00.123456789 +01:00))
        );
        assert_eq!(
            instant("2024-01-15T24:00:00Z"),
            Err(
                r#""2024-01-15T24:00:00Z" is not a date-time (RFC 3339): hour was not in range"#
                    .into()
            )
        );
        assert_eq!(
            instant("2024-01-15T10:30:00+24:00"),
            Err(r#""2024-01-15T10:30:00+24:00" is not a date-time (RFC 3339): expected `Z` or an offset `±HH:MM` after the time"#.into())
        );
        assert_eq!(
            instant("2024-01-15T10:30:00Zjunk"),
            Err(r#""2024-01-15T10:30:00Zjunk" is not a date-time (RFC 3339): unexpected text after the offset"#.into())
        );
        assert_eq!(
            instant("2024-01-15x10:30:00Z"),
            Err(r#""2024-01-15x10:30:00Z" is not a date-time (RFC 3339): the date and the time must be separated by `T` or a space"#.into())
        );
        assert_eq!(
            instant("2024-01-15"),
            Err(
                r#""2024-01-15" is not a date-time (RFC 3339): it is a date without a time"#.into()
            )
        );
        assert_eq!(
            instant("2024-01-15T10:30Z"),
            Err(r#""2024-01-15T10:30Z" is not a date-time (RFC 3339): a `-` or `:` of YYYY-MM-DDTHH:MM:SS is missing or misplaced"#.into())
        );
        let missing = DateTime::from_text("2024-01-15T10:30:00").get();
        assert_eq!(
            missing.as_ref().map_err(DateError::is_missing_offset),
            Err(true)
        );
        assert_eq!(
            missing.map_err(|e| e.to_string()),
            Err(r#""2024-01-15T10:30:00" is not a date-time (RFC 3339): it has no offset (`Z` or `±HH:MM`); DateTime::local reads its wall-clock time"#.into())
        );
    }

    #[test]
    fn wall_clock_readings() {
        for text in [
            "2020-12-31 23:59:59",
            "2020-12-31T23:59:59",
            "2020-12-31T23:59:59+02:00",
            "2020-12-31T23:59:59.000Z",
        ] {
            assert_eq!(wall(text), Ok(datetime!(2020-12-31 23:59:59)), "{text}");
        }
        assert_eq!(
            wall("2020-12-31T23:59:59.25"),
            Ok(datetime!(2020-12-31 23:59:59.25))
        );
        assert_eq!(
            wall("2020-12-31 24:00:00"),
            Err(r#""2020-12-31 24:00:00" is not a date-time (YYYY-MM-DDTHH:MM:SS): hour was not in range"#.into())
        );
        assert_eq!(
            wall("2020-02-30 10:00:00"),
            Err(r#""2020-02-30 10:00:00" is not a date-time (YYYY-MM-DDTHH:MM:SS): day was not in range"#.into())
        );
        assert_eq!(
            wall("2020-12-31  23:59:59"),
            Err(r#""2020-12-31  23:59:59" is not a date-time (YYYY-MM-DDTHH:MM:SS): cannot read the hour"#.into())
        );
    }
}
