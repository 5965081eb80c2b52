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
//! The forms are read with `time`'s
//! [`Rfc3339`](time::format_description::well_known::Rfc3339) and [`time::Date::from_calendar_date`] and
//! written by hand, never with `time::macros::format_description!`: its `time-macros`
//! proc-macro crate costs about 1.2 s of every clean build of every provider.

// What decoding and requests use is here: the types, their serde impls, and writing `time`'s
// values as text (`write_date`, `to_utc`, ...). Reading the text, which only a caller of
// `get`, `local` or `check` pays for, is in read.rs with `DateError`.

mod read;

use std::fmt;
use std::fmt::Write as _;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{OffsetDateTime, UtcOffset};

pub use self::read::DateError;
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

impl Date {
    /// Reads an optional date: `null` is `None`, anything else decodes as a [`Date`] does
    /// (never an error). What `Option<Date>`'s `Deserialize` reads, in one step: serde's
    /// `Option` first looks for `null`, then reads the value. The generated models read their
    /// optional dates with it.
    ///
    /// # Errors
    /// Only the input's own (malformed JSON).
    pub fn deserialize_option<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Option<Self>, D::Error> {
        Ok(deserializer.deserialize_any(OptionOf(TextOf))?.map(Self))
    }
}

impl DateTime {
    /// Reads an optional date-time: `null` is `None`, anything else decodes as a
    /// [`DateTime`] does (never an error). What `Option<DateTime>`'s `Deserialize` reads, in
    /// one step: serde's `Option` first looks for `null`, then reads the value. The generated
    /// models read their optional date-times with it (two a flight in a page of FL3XX
    /// flights).
    ///
    /// ```
    /// use api_core::date::DateTime;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Flight {
    ///     #[serde(default, deserialize_with = "DateTime::deserialize_option")]
    ///     blocks_off: Option<DateTime>,
    /// }
    /// let f: Flight = serde_json::from_str(r#"{"blocks_off": "2024-01-15T10:30:00.000Z"}"#)?;
    /// assert_eq!(f.blocks_off.as_ref().map(DateTime::as_str), Some("2024-01-15T10:30:00.000Z"));
    /// let f: Flight = serde_json::from_str(r#"{"blocks_off": null}"#)?;
    /// assert!(f.blocks_off.is_none());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// # Errors
    /// Only the input's own (malformed JSON).
    pub fn deserialize_option<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Option<Self>, D::Error> {
        Ok(deserializer.deserialize_any(OptionOf(TextOf))?.map(Self))
    }
}

/// [`TextOf`], with `null` as `None`: an optional date read in one step, where serde's
/// `Option` would first look for `null` and then read the value.
struct OptionOf<V>(V);

impl<'de, V: serde::de::Visitor<'de, Value = String>> serde::de::Visitor<'de> for OptionOf<V> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self.0).map(Some)
    }

    #[inline]
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        self.0.visit_str(v).map(Some)
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
        self.0.visit_string(v).map(Some)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
        self.0.visit_u64(v).map(Some)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
        self.0.visit_i64(v).map(Some)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
        self.0.visit_f64(v).map(Some)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Self::Value, E> {
        self.0.visit_bool(v).map(Some)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        self.0.visit_map(map).map(Some)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        self.0.visit_seq(seq).map(Some)
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

    /// `deserialize_option` reads what `Option<Date>` / `Option<DateTime>` read, through
    /// serde_json's text, a `Value` and serde's buffer (`flatten`), errors included.
    #[test]
    fn deserialize_option_reads_what_option_reads() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Plain {
            #[serde(default)]
            day: Option<Date>,
            #[serde(default)]
            at: Option<DateTime>,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct OneStep {
            #[serde(default, deserialize_with = "Date::deserialize_option")]
            day: Option<Date>,
            #[serde(default, deserialize_with = "DateTime::deserialize_option")]
            at: Option<DateTime>,
        }
        #[derive(Debug, Deserialize)]
        struct Flat<T> {
            #[serde(flatten)]
            inner: T,
        }
        type Fields = (Option<Date>, Option<DateTime>);
        fn all<T: serde::de::DeserializeOwned>(
            json: &str,
            fields: impl Fn(T) -> Fields,
        ) -> [std::result::Result<Fields, String>; 3] {
            let read = |r: std::result::Result<T, serde_json::Error>| {
                r.map(&fields).map_err(|e| e.to_string())
            };
            let value: serde_json::Value = serde_json::from_str(json).expect(json);
            [
                read(serde_json::from_str(json)),
                read(serde_json::from_value(value)),
                read(serde_json::from_str::<Flat<T>>(json).map(|f| f.inner)),
            ]
        }
        for value in [
            "null",
            r#""2024-01-15""#,
            r#""2024-01-15T10:30:00.000Z""#,
            r#""""#,
            r#""a\"b""#,
            "1700000000",
            "-7",
            "1.5",
            "18446744073709551615",
            "true",
            r#"{"unix": 17}"#,
            "[1, 2]",
        ] {
            let json = format!(r#"{{"day": {value}, "at": {value}}}"#);
            let one_step = all::<OneStep>(&json, |t| (t.day, t.at));
            assert_eq!(one_step, all::<Plain>(&json, |t| (t.day, t.at)), "{json}");
            assert!(one_step.iter().all(std::result::Result::is_ok), "{json}");
        }
        assert_eq!(
            all::<OneStep>("{}", |t| (t.day, t.at)),
            all::<Plain>("{}", |t| (t.day, t.at))
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
