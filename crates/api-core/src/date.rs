//! The date types of server data: a `format: date` field is a [`Date`], a `format: date-time`
//! field a [`DateTime`]. Each keeps the text exactly as received and parses it only when asked.
//!
//! ```
//! use api_core::date::{Date, DateTime};
//!
//! #[derive(serde::Deserialize)]
//! struct Licence {
//!     expiry_date: Date,
//!     updated: Option<DateTime>,
//! }
//!
//! // A day that does not exist still decodes: the record stays readable.
//! let licence: Licence =
//!     serde_json::from_str(r#"{"expiry_date": "2023-02-29", "updated": "2024-01-15T10:30:00.250+01:00"}"#)?;
//! assert_eq!(licence.expiry_date.as_str(), "2023-02-29");
//! assert_eq!(
//!     licence.expiry_date.get().map_err(|e| e.to_string()),
//!     Err(r#""2023-02-29" is not a date (YYYY-MM-DD): February 2023 has no day 29"#.to_owned())
//! );
//! let updated = licence.updated.as_ref().map(DateTime::get).transpose()?;
//! assert_eq!(updated.map(|t| t.unix_timestamp()), Some(1_705_311_000));
//!
//! // Requests: from `time`'s values, written as every provider reads them.
//! let day = Date::from(time::Date::from_calendar_date(2024, time::Month::March, 1)?);
//! assert_eq!(day.as_str(), "2024-03-01");
//! let at = DateTime::from(time::OffsetDateTime::from_unix_timestamp(1_705_311_000)?);
//! assert_eq!(at.as_str(), "2024-01-15T09:30:00.000Z");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Why text, parsed on demand: a provider that writes one date oddly (a day that does not
//! exist, a time without an offset, a number) must not make the record, or the page it is on,
//! undecodable; and decoding must cost what a `String` field costs, so nothing is parsed until
//! [`Date::get`], [`DateTime::get`] or [`DateTime::local`] is called.
//!
//! The forms are read with `time`'s [`Rfc3339`] and [`time::Date::from_calendar_date`] and
//! written by hand, never with `time::macros::format_description!`: its `time-macros`
//! proc-macro crate costs about 1.2 s of every clean build of every provider.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::error::{Parse, ParseFromDescription};
use time::format_description::well_known::Rfc3339;
use time::{Month, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::lenient::scalar::Shown;
use crate::validate::{InvalidInput, Rule};
use crate::{Error, Result};

/// A calendar day (`format: date`, `YYYY-MM-DD`), kept as the text received.
///
/// Decoding never fails: a JSON string is kept as it is, any other value as text (an integer
/// with every digit, another number in its shortest round-trip form, an object or array as
/// compact JSON). [`Date::get`] reads the day.
///
/// ```
/// use api_core::date::Date;
///
/// let leap = Date::from_text("2024-02-29");
/// assert_eq!(leap.get()?, time::Date::from_calendar_date(2024, time::Month::February, 29)?);
/// assert!(!Date::from_text("29/02/2024").is_valid());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Date(String);

/// A date and time (`format: date-time`), kept as the text received.
///
/// Decoding never fails: a JSON string is kept as it is, any other value as its JSON text.
/// [`DateTime::get`] reads the instant of an RFC 3339 text (`2024-01-15T10:30:00.250Z`,
/// `2024-01-15 11:30:00+01:00`); [`DateTime::local`] reads the wall-clock time, also of the
/// forms without an offset that some providers write (`2020-12-31 23:59:59`).
///
/// ```
/// use api_core::date::DateTime;
///
/// let sent = DateTime::from_text("2020-12-31 23:59:59");
/// assert_eq!(sent.local()?.to_string(), "2020-12-31 23:59:59.0");
/// let refused = sent.get().expect_err("no offset");
/// assert!(refused.is_missing_offset());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateTime(String);

impl Date {
    /// A date from text, as it will be sent; nothing is checked until [`Date::get`] or
    /// [`Date::check`].
    pub fn from_text(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as received (or as given).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, taken out.
    pub fn into_string(self) -> String {
        self.0
    }

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
    /// [`Error::InvalidInput`] naming `field` when [`Date::get`] fails.
    pub fn check(&self, field: &str) -> Result<()> {
        self.get().map(drop).map_err(|e| {
            InvalidInput::new(field, Rule::Format("date"), e.to_string())
                .with_value(self.as_str())
                .into()
        })
    }
}

impl DateTime {
    /// A date-time from text, as it will be sent; nothing is checked until [`DateTime::get`]
    /// or [`DateTime::check`].
    pub fn from_text(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as received (or as given).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, taken out.
    pub fn into_string(self) -> String {
        self.0
    }

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
    /// [`Error::InvalidInput`] naming `field` when [`DateTime::get`] fails.
    pub fn check(&self, field: &str) -> Result<()> {
        self.get().map(drop).map_err(|e| {
            InvalidInput::new(field, Rule::Format("date-time"), e.to_string())
                .with_value(self.as_str())
                .into()
        })
    }
}

/// `YYYY-MM-DD` ([`write_date`]). A year before 1 BC or after 9999 gives a text that
/// [`Date::get`] refuses.
impl From<time::Date> for Date {
    fn from(date: time::Date) -> Self {
        Self(write_date(date))
    }
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` in UTC, the milliseconds truncated ([`write_date_time`]).
impl From<OffsetDateTime> for DateTime {
    fn from(t: OffsetDateTime) -> Self {
        Self(write_date_time(t))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(TextOf).map(Self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        // A Unix time sent as a number is kept as text too.
        deserializer.deserialize_any(TextOf).map(Self)
    }
}

/// Any value as text, never an error: a string as it is (the one copy decoding makes), an
/// integer of up to 64 bits with every digit, another number in its shortest round-trip
/// form, anything else as compact JSON. Not `lenient::json_text`, which asks serde_json for
/// each value's raw text: that kept the digits of numbers no date has, and cost 2% of the
/// instructions of a page of flights (two dates a record; docs/performance.md).
struct TextOf;

impl<'de> serde::de::Visitor<'de> for TextOf {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date as text")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<String, E> {
        Ok(v)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<String, E> {
        Ok(serde_json::Value::from(v).to_string())
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        map: A,
    ) -> std::result::Result<String, A::Error> {
        let map = serde::de::value::MapAccessDeserializer::new(map);
        Ok(serde_json::Value::deserialize(map)?.to_string())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        seq: A,
    ) -> std::result::Result<String, A::Error> {
        let seq = serde::de::value::SeqAccessDeserializer::new(seq);
        Ok(serde_json::Value::deserialize(seq)?.to_string())
    }
}

/// Why a [`Date`] or [`DateTime`] does not read: the text (its first 64 bytes, JSON-quoted),
/// the form expected and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    shown: String,
    form: Form,
    reason: Cow<'static, str>,
    missing_offset: bool,
}

impl DateError {
    fn new(text: &str, form: Form, reason: Cow<'static, str>) -> Self {
        Self {
            shown: Shown::quoted(text).to_string(),
            form,
            reason,
            missing_offset: false,
        }
    }

    /// True when the text is a date-time without an offset, which [`DateTime::get`] refuses
    /// and [`DateTime::local`] reads.
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
enum Form {
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
fn read_date(text: &str) -> std::result::Result<time::Date, Cow<'static, str>> {
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
fn check_separator(text: &str) -> std::result::Result<(), Cow<'static, str>> {
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
fn read_wall_clock(text: &str) -> std::result::Result<PrimitiveDateTime, Parse> {
    let mut zoned = String::with_capacity(text.len().saturating_add(1));
    zoned.push_str(text);
    zoned.push('Z');
    OffsetDateTime::parse(&zoned, &Rfc3339).map(|t| PrimitiveDateTime::new(t.date(), t.time()))
}

/// What is wrong with `text`, from `time`'s errors reading it as RFC 3339 (`rfc`) and without
/// an offset (`wall`).
fn reason(rfc: &Parse, wall: Parse) -> Cow<'static, str> {
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
