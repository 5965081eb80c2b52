//! `api_core::date` (issue #18): every form a provider writes is read, every malformed date
//! is a bounded error at `get()` time and never at decoding time, and the values built from
//! `time` read back as they were.

use api_core::date::{Date, DateTime, write_date_time};
use api_core::{Error, Method, Operation, Request};
use serde::{Deserialize, Serialize};
use time::macros::{date, datetime};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::builder;

fn instant(text: &str) -> Result<OffsetDateTime, String> {
    DateTime::from_text(text).get().map_err(|e| e.to_string())
}

fn wall(text: &str) -> Result<PrimitiveDateTime, String> {
    DateTime::from_text(text).local().map_err(|e| e.to_string())
}

#[test]
fn every_accepted_date_time_form() {
    let at = datetime!(2024-01-15 10:30 UTC);
    for text in [
        "2024-01-15T10:30:00Z",
        "2024-01-15t10:30:00z",
        "2024-01-15 10:30:00Z",
        "2024-01-15T10:30:00.000Z",
        "2024-01-15T10:30:00+00:00",
        "2024-01-15T10:30:00-00:00",
        "2024-01-15T11:30:00+01:00",
        "2024-01-15T05:00:00-05:30",
        "2024-01-15T16:15:00+05:45",
    ] {
        assert_eq!(instant(text), Ok(at), "{text}");
        assert!(DateTime::from_text(text).is_valid(), "{text}");
    }
    // Offsets are kept as written.
    assert_eq!(
        instant("2024-01-15T23:59:59+14:00").map(|t| t.offset()),
        Ok(UtcOffset::from_hms(14, 0, 0).expect("offset"))
    );
    assert_eq!(
        instant("2024-01-15T00:00:00-12:00").map(|t| t.offset()),
        Ok(UtcOffset::from_hms(-12, 0, 0).expect("offset"))
    );
    // The wall clock of every form, with or without an offset.
    for text in [
        "2024-01-15T10:30:00",
        "2024-01-15 10:30:00",
        "2024-01-15T10:30:00.000",
        "2024-01-15T10:30:00Z",
        "2024-01-15 10:30:00-07:00",
    ] {
        assert_eq!(wall(text), Ok(datetime!(2024-01-15 10:30)), "{text}");
    }
    // A leap second stands for the last nanosecond before it, as `time` reads it.
    assert_eq!(
        instant("2016-12-31T23:59:60Z"),
        Ok(datetime!(2016-12-31 23:59:59.999_999_999 UTC))
    );
}

#[test]
fn fraction_digits_from_none_to_nine_and_beyond() {
    let digits = "123456789123";
    let expected = [
        0,
        100_000_000,
        120_000_000,
        123_000_000,
        123_400_000,
        123_450_000,
        123_456_000,
        123_456_700,
        123_456_780,
        123_456_789,
        123_456_789,
        123_456_789,
        123_456_789,
    ];
    for (n, nanos) in expected.into_iter().enumerate() {
        let fraction = if n == 0 {
            String::new()
        } else {
            format!(".{}", &digits[..n])
        };
        let text = format!("2024-01-15T10:30:00{fraction}Z");
        assert_eq!(
            instant(&text).map(|t| t.nanosecond()),
            Ok(nanos),
            "{n} digits"
        );
        let text = format!("2024-01-15 10:30:00{fraction}");
        assert_eq!(wall(&text).map(|t| t.nanosecond()), Ok(nanos), "{n} digits");
    }
    assert_eq!(
        instant("2024-01-15T10:30:00.Z"),
        Err(
            r#""2024-01-15T10:30:00.Z" is not a date-time (RFC 3339): cannot read the subsecond"#
                .into()
        )
    );
}

#[test]
fn leap_days_and_days_that_do_not_exist() {
    assert_eq!(
        Date::from_text("2024-02-29").get(),
        Ok(date!(2024 - 02 - 29))
    );
    assert_eq!(
        Date::from_text("2000-02-29").get(),
        Ok(date!(2000 - 02 - 29))
    );
    for (text, error) in [
        (
            "2023-02-29",
            r#""2023-02-29" is not a date (YYYY-MM-DD): February 2023 has no day 29"#,
        ),
        (
            "1900-02-29",
            r#""1900-02-29" is not a date (YYYY-MM-DD): February 1900 has no day 29"#,
        ),
        (
            "2024-06-31",
            r#""2024-06-31" is not a date (YYYY-MM-DD): June 2024 has no day 31"#,
        ),
    ] {
        let date = Date::from_text(text);
        assert_eq!(date.get().map_err(|e| e.to_string()), Err(error.into()));
        assert!(!date.is_valid());
    }
    assert_eq!(
        instant("2023-02-29T10:00:00Z"),
        Err(r#""2023-02-29T10:00:00Z" is not a date-time (RFC 3339): day was not in range"#.into())
    );
    assert_eq!(
        instant("2024-02-29T10:00:00Z"),
        Ok(datetime!(2024-02-29 10:00 UTC))
    );
}

#[test]
fn midnight_is_00_00_never_24_00() {
    assert_eq!(
        instant("2024-01-15T24:00:00Z"),
        Err(
            r#""2024-01-15T24:00:00Z" is not a date-time (RFC 3339): hour was not in range"#.into()
        )
    );
    assert_eq!(
        wall("2024-01-15T24:00:00"),
        Err(r#""2024-01-15T24:00:00" is not a date-time (YYYY-MM-DDTHH:MM:SS): hour was not in range"#.into())
    );
    assert_eq!(
        instant("2024-01-16T00:00:00Z"),
        Ok(datetime!(2024-01-16 0:00 UTC))
    );
}

#[test]
fn a_date_time_without_offset_is_refused_by_get_and_read_by_local() {
    let sent = DateTime::from_text("2020-12-31 23:59:59");
    let error = sent.get().expect_err("no offset");
    assert!(error.is_missing_offset());
    assert_eq!(
        error.to_string(),
        r#""2020-12-31 23:59:59" is not a date-time (RFC 3339): it has no offset (`Z` or `±HH:MM`); DateTime::local reads its wall-clock time"#
    );
    assert_eq!(sent.local(), Ok(datetime!(2020-12-31 23:59:59)));
    assert!(!sent.is_valid());
    assert_eq!(
        sent.check("expires").map_err(|e| e.to_string()),
        Err(format!("invalid `expires`: {error}"))
    );
    // Any other error is not a missing offset.
    let bad = DateTime::from_text("2020-12-31 23:59:59+25:00")
        .get()
        .expect_err("bad offset");
    assert!(!bad.is_missing_offset());
}

#[test]
fn numbers_and_other_values_are_kept_as_text() {
    #[derive(Debug, Deserialize)]
    struct Event {
        at: DateTime,
        day: Date,
    }
    for (json, text) in [
        // Integers of up to 64 bits keep every digit; other numbers their shortest
        // round-trip form (no date is such a number: the text is only shown).
        ("1700000000", "1700000000"),
        ("-1700000000", "-1700000000"),
        ("1700000000.125", "1700000000.125"),
        ("18446744073709551617", "1.8446744073709552e+19"),
        ("true", "true"),
        (r#"{"unix": 1}"#, r#"{"unix":1}"#),
        (r#"[2024, 1, 15]"#, r#"[2024,1,15]"#),
    ] {
        let event: Event = serde_json::from_str(&format!(r#"{{"at": {json}, "day": {json}}}"#))
            .unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(
            (event.at.as_str(), event.day.as_str()),
            (text, text),
            "{json}"
        );
        assert!(
            event.at.get().is_err() && event.day.get().is_err(),
            "{json}"
        );
    }
    assert_eq!(
        instant("1700000000"),
        Err(r#""1700000000" is not a date-time (RFC 3339): a `-` or `:` of YYYY-MM-DDTHH:MM:SS is missing or misplaced"#.into())
    );
    // `null` is no date: an `Option` reads it as `None`.
    #[derive(Debug, Deserialize)]
    struct Optional {
        at: Option<DateTime>,
    }
    let optional: Optional = serde_json::from_str(r#"{"at": null}"#).expect("null");
    assert_eq!(optional.at, None);
    // Through serde's buffer (untagged enums, `flatten`), which hands over no text.
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum Buffered {
        Event { at: DateTime },
    }
    let Buffered::Event { at } =
        serde_json::from_str(r#"{"at": 1700000000}"#).expect("buffered number");
    assert_eq!(at.as_str(), "1700000000");
    let Buffered::Event { at } =
        serde_json::from_str(r#"{"at": "2024-01-15T10:30:00Z"}"#).expect("buffered text");
    assert_eq!(at.get(), Ok(datetime!(2024-01-15 10:30 UTC)));
}

#[test]
fn huge_and_odd_text_gives_a_bounded_error() {
    let huge = format!("2024-01-15T10:30:00.{}Z", "9".repeat(1 << 20));
    // Every digit is read (and those past nine dropped): a long fraction is still a time.
    assert_eq!(
        instant(&huge),
        Ok(datetime!(2024-01-15 10:30:00.999_999_999 UTC))
    );
    let huge = "x".repeat(1 << 20);
    for error in [
        DateTime::from_text(huge.as_str())
            .get()
            .expect_err("huge")
            .to_string(),
        DateTime::from_text(huge.as_str())
            .local()
            .expect_err("huge")
            .to_string(),
        Date::from_text(huge.as_str())
            .get()
            .expect_err("huge")
            .to_string(),
    ] {
        assert!(error.len() < 200, "{} bytes: {error}", error.len());
        assert!(
            error.starts_with(&format!("\"{}…\" is not a date", "x".repeat(64))),
            "{error}"
        );
    }
    // Control characters are escaped, and a cut never splits a character.
    let odd = format!("2024-01-15\n\u{1b}[31m{}", "é".repeat(40));
    let error = DateTime::from_text(odd).get().expect_err("odd").to_string();
    assert!(error.starts_with(r#""2024-01-15\n\u001b[31méé"#), "{error}");
    assert!(error.contains("é…\" is not a date-time"), "{error}");
    assert!(
        !error.contains('\n') && !error.contains('\u{1b}'),
        "{error}"
    );
    assert_eq!(
        Date::from_text("").get().map_err(|e| e.to_string()),
        Err(r#""" is not a date (YYYY-MM-DD): expected four digits, `-`, two, `-`, two"#.into())
    );
    assert_eq!(
        instant(""),
        Err(r#""" is not a date-time (RFC 3339): cannot read the year"#.into())
    );
}

#[test]
fn values_built_from_time_read_back() {
    for day in [
        date!(2024 - 02 - 29),
        date!(0000 - 01 - 01),
        date!(0001 - 01 - 01),
        date!(9999 - 12 - 31),
    ] {
        let built = Date::from(day);
        assert_eq!(built.get(), Ok(day), "{built}");
        let json = serde_json::to_string(&built).expect("json");
        assert_eq!(json, format!("\"{built}\""));
        assert_eq!(serde_json::from_str::<Date>(&json).expect("back"), built);
    }
    assert_eq!(Date::from(date!(2024 - 03 - 01)).as_str(), "2024-03-01");
    for (t, text) in [
        (
            datetime!(2024-01-15 11:30:00.123_456 +01:00),
            "2024-01-15T10:30:00.123Z",
        ),
        (OffsetDateTime::UNIX_EPOCH, "1970-01-01T00:00:00.000Z"),
        (datetime!(0000-01-01 0:00 UTC), "0000-01-01T00:00:00.000Z"),
        (
            datetime!(9999-12-31 23:59:59.999_999_999 UTC),
            "9999-12-31T23:59:59.999Z",
        ),
    ] {
        let built = DateTime::from(t);
        assert_eq!(built.as_str(), text);
        // The same instant, to the millisecond, in UTC.
        let millis = t
            .replace_nanosecond(t.millisecond() as u32 * 1_000_000)
            .expect("ms");
        assert_eq!(built.get(), Ok(millis.to_offset(UtcOffset::UTC)), "{t}");
        let json = serde_json::to_string(&built).expect("json");
        assert_eq!(
            serde_json::from_str::<DateTime>(&json).expect("back"),
            built
        );
    }
}

#[test]
fn the_edge_of_times_range_never_panics() {
    // The last hour of `time`'s range five hours west of UTC has no date in UTC: written in
    // its own offset, it reads back as the same instant.
    let edge = datetime!(9999-12-31 23:00 -05:00);
    let built = DateTime::from(edge);
    assert_eq!(built.as_str(), "9999-12-31T23:00:00.000-05:00");
    assert_eq!(built.get(), Ok(edge));
    assert_eq!(
        api_core::date::utc_millis(edge, "modifiedSince").map_err(|e| e.to_string()),
        Err("invalid `modifiedSince`: 9999-12-31 23:00:00.0 -05:00:00 has no date in UTC".into())
    );
    // The first hour of the range east of UTC: no year RFC 3339 can write, so `get` refuses
    // the text (and `check` with it), without a panic.
    let first = datetime!(-9999-01-01 0:00 +01:00);
    assert_eq!(write_date_time(first), "-9999-01-01T00:00:00.000+01:00");
    let built = DateTime::from(first);
    assert!(built.get().is_err());
    assert!(matches!(built.check("from"), Err(Error::InvalidInput(_))));
    assert_eq!(Date::from(time::Date::MIN).as_str(), "-9999-01-01");
    assert!(Date::from(time::Date::MIN).get().is_err());
}

#[test]
fn check_names_the_field() {
    assert!(Date::from_text("2024-01-15").check("issueDate").is_ok());
    let error = Date::from_text("2024-01-32")
        .check("issueDate")
        .expect_err("no day 32");
    let Error::InvalidInput(invalid) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(invalid.field, "issueDate");
    assert_eq!(
        invalid.message,
        r#""2024-01-32" is not a date (YYYY-MM-DD): January 2024 has no day 32"#
    );
    assert!(
        DateTime::from_text("2024-01-15T10:30:00Z")
            .check("at")
            .is_ok()
    );
}

#[test]
fn text_display_and_serialization_are_the_text_as_received() {
    let odd = DateTime::from_text(" 2024-01-15T10:30:00Z");
    assert_eq!(odd.to_string(), " 2024-01-15T10:30:00Z");
    assert_eq!(
        serde_json::to_string(&odd).expect("json"),
        r#"" 2024-01-15T10:30:00Z""#
    );
    // Kept as is, so not trimmed when read either.
    assert!(odd.get().is_err());
    assert_eq!(Date::from_text("2024-01-15").into_string(), "2024-01-15");
}

#[derive(Debug, Deserialize, Serialize)]
struct Licence {
    id: u32,
    expiry_date: Option<Date>,
    updated: Option<DateTime>,
}

#[tokio::test]
async fn a_malformed_date_leaves_its_page_readable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/licences"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"[
                {"id": 1, "expiry_date": "2024-02-29", "updated": "2024-01-15T10:30:00.000Z"},
                {"id": 2, "expiry_date": "2023-02-29", "updated": "yesterday"},
                {"id": 3, "expiry_date": null, "updated": 1705314600}
            ]"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");
    let page = transport
        .execute(Operation::<Vec<Licence>>::new(
            Request::new(Method::GET, "/licences").operation("list_licences"),
        ))
        .await
        .expect("the page decodes");
    assert_eq!(page.len(), 3);
    let days: Vec<_> = page
        .iter()
        .map(|l| {
            l.expiry_date
                .as_ref()
                .map(|d| d.get().map_err(|e| e.to_string()))
        })
        .collect();
    assert_eq!(
        days,
        [
            Some(Ok(date!(2024 - 02 - 29))),
            Some(Err(
                r#""2023-02-29" is not a date (YYYY-MM-DD): February 2023 has no day 29"#.into()
            )),
            None,
        ]
    );
    let updates: Vec<_> = page
        .iter()
        .map(|l| {
            l.updated
                .as_ref()
                .map(|t| t.get().map_err(|e| e.to_string()))
        })
        .collect();
    assert_eq!(
        updates,
        [
            Some(Ok(datetime!(2024-01-15 10:30 UTC))),
            Some(Err(
                r#""yesterday" is not a date-time (RFC 3339): cannot read the year"#.into()
            )),
            Some(Err(
                r#""1705314600" is not a date-time (RFC 3339): a `-` or `:` of YYYY-MM-DDTHH:MM:SS is missing or misplaced"#.into()
            )),
        ]
    );
    // Sent back as received.
    assert_eq!(
        serde_json::to_string(&page[1]).expect("json"),
        r#"{"id":2,"expiry_date":"2023-02-29","updated":"yesterday"}"#
    );
}
