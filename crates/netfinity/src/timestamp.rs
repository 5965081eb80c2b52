//! Pingback timestamps, whose format the documentation does not state.

use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::format_description::{BorrowedFormatItem, parse_borrowed};
use time::{OffsetDateTime, PrimitiveDateTime};

/// A format description parsed once at run time rather than by `format_description!`, whose
/// `time-macros` proc-macro crate cost every clean build of this crate about 1.2 s. `None`
/// only if the constant were malformed (a test parses with both).
type Description = LazyLock<Option<Vec<BorrowedFormatItem<'static>>>>;

/// `2020-12-31 23:59:59`, the documented form.
static SPACE: Description =
    LazyLock::new(|| parse_borrowed::<2>("[year]-[month]-[day] [hour]:[minute]:[second]").ok());
/// `2020-12-31T23:59:59`.
static TEE: Description =
    LazyLock::new(|| parse_borrowed::<2>("[year]-[month]-[day]T[hour]:[minute]:[second]").ok());

/// When a pingback was generated, kept as received.
///
/// The docs show `2020-12-31 23:59:59` (no zone; presumably Bulgarian local time) and do not
/// promise a format, so decoding never fails: [`Timestamp::naive`] and
/// [`Timestamp::offset`] parse it when they can.
///
/// ```
/// use netfinity::Timestamp;
/// let t = Timestamp::from("2020-12-31 23:59:59");
/// assert_eq!(t.naive().map(|d| d.year()), Some(2020));
/// assert_eq!(t.offset(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date and time without a zone: `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, or
    /// the local part of an RFC 3339 time.
    pub fn naive(&self) -> Option<PrimitiveDateTime> {
        let text = self.0.trim();
        let parse = |description: &Description| {
            description
                .as_deref()
                .and_then(|d| PrimitiveDateTime::parse(text, d).ok())
        };
        parse(&SPACE).or_else(|| parse(&TEE)).or_else(|| {
            self.offset()
                .map(|t| PrimitiveDateTime::new(t.date(), t.time()))
        })
    }

    /// The instant, when the text carries a zone (RFC 3339).
    pub fn offset(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(self.0.trim(), &Rfc3339).ok()
    }
}

impl From<&str> for Timestamp {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A number (a Unix time, say) is kept as its text too, as the server wrote it
        // (through a `serde_json::Value`, `1700000000.123456789` lost digits).
        api_core::lenient::json_text(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn parses_the_documented_and_iso_forms() {
        assert_eq!(
            Timestamp::from("2020-12-31 23:59:59").naive(),
            Some(datetime!(2020-12-31 23:59:59))
        );
        assert_eq!(
            Timestamp::from("2020-12-31T23:59:59").naive(),
            Some(datetime!(2020-12-31 23:59:59))
        );
        let zoned = Timestamp::from("2020-12-31T23:59:59+02:00");
        assert_eq!(zoned.offset(), Some(datetime!(2020-12-31 23:59:59 +02:00)));
        assert_eq!(zoned.naive(), Some(datetime!(2020-12-31 23:59:59)));
        assert!(SPACE.is_some() && TEE.is_some());
        assert_eq!(
            Timestamp::from(" 0001-02-03 04:05:06\n").naive(),
            Some(datetime!(0001-02-03 04:05:06))
        );
        for not_naive in [
            "2020-12-31 23:59",
            "2020-12-31 24:00:00",
            "2020-02-30 10:00:00",
            "2020-12-31  23:59:59",
            "2020-12-31 23:59:59x",
        ] {
            assert_eq!(Timestamp::from(not_naive).naive(), None, "{not_naive}");
        }
        let odd = Timestamp::from("yesterday");
        assert_eq!((odd.naive(), odd.offset()), (None, None));
    }

    #[test]
    fn decodes_strings_and_numbers_and_round_trips() {
        let t: Timestamp = serde_json::from_str(r#""2020-12-31 23:59:59""#).expect("string");
        assert_eq!(
            serde_json::to_string(&t).expect("json"),
            r#""2020-12-31 23:59:59""#
        );
        let t: Timestamp = serde_json::from_str("1609451999").expect("number");
        assert_eq!(t.as_str(), "1609451999");
        // Every digit the server wrote, and anything else as its JSON text.
        for (json, text) in [
            ("1700000000.123456789", "1700000000.123456789"),
            ("18446744073709551617", "18446744073709551617"),
            ("null", "null"),
            (r#"{"unix": 1}"#, r#"{"unix": 1}"#),
        ] {
            let t: Timestamp = serde_json::from_str(json).expect(json);
            assert_eq!(t.as_str(), text, "{json}");
        }
    }
}
