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

// The types and their serde impls are here; reading their text (and `DateError`) is in
// read.rs, writing `time`'s values as text in write.rs.

mod read;
mod write;

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime};

pub use self::read::DateError;
use self::read::{Form, check_separator, read_date, read_wall_clock, reason};
pub use self::write::{to_utc, utc_millis, write_date, write_date_time};
use crate::Result;
use crate::validate::{InvalidInput, Rule};

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
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming `field` when [`Date::get`] fails.
    pub fn check(&self, field: &str) -> Result<()> {
        checked(self.get(), field, "date", self.as_str())
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
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming `field` when
    /// [`DateTime::get`] fails.
    pub fn check(&self, field: &str) -> Result<()> {
        checked(self.get(), field, "date-time", self.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
