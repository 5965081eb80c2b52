//! Numbers at their extremes (issue #16): an id keeps the digits the server wrote, an
//! amount keeps every digit of its decimal, and a number that fits no target is a typed
//! error, never a rounded value. Each case goes through `serde_json::from_slice`, through a
//! `serde_json::Value`, and through serde's buffer for untagged enums and `flatten` (which
//! hands numbers over without their text).

use api_core::{Id, lenient};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Explicit settings, whatever `PROPTEST_CASES` says; no regression files.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

#[derive(Debug, Deserialize)]
struct Ids {
    id: Id,
}

#[derive(Debug, Deserialize)]
struct Texts {
    #[serde(deserialize_with = "lenient::string")]
    v: String,
}

#[derive(Debug, Deserialize)]
struct OptionTexts {
    #[serde(default, deserialize_with = "lenient::option_string")]
    v: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Wholes {
    #[serde(deserialize_with = "lenient::u64")]
    v: u64,
}

#[derive(Debug, Deserialize)]
struct OptionWholes {
    #[serde(default, deserialize_with = "lenient::option_u64")]
    v: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Reals {
    #[serde(deserialize_with = "lenient::f64")]
    v: f64,
}

/// `T` inside an untagged enum: serde buffers the object first.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Untagged<T> {
    It(T),
}

/// `T` flattened into another struct: serde buffers its fields first.
#[derive(Debug, Deserialize)]
struct Flat<T> {
    #[serde(flatten)]
    inner: T,
}

/// `{"<field>": <raw>}`.
fn object(field: &str, raw: &str) -> String {
    format!("{{\"{field}\": {raw}}}")
}

fn from_bytes<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    serde_json::from_slice(json.as_bytes()).map_err(|e| e.to_string())
}

fn via_value<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    // Both of `Value`'s deserializers: by reference and by value.
    let by_ref = T::deserialize(&value).map_err(|e| e.to_string());
    let by_value = serde_json::from_value(value).map_err(|e| e.to_string());
    assert_eq!(by_ref.is_ok(), by_value.is_ok(), "{json}");
    by_value
}

fn buffered<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    let flat: Result<Flat<T>, String> = from_bytes(json);
    let untagged: Result<Untagged<T>, String> = from_bytes(json);
    assert_eq!(flat.is_ok(), untagged.is_ok(), "{json}");
    // The untagged enum's error names no variant's reason: `flatten`'s does.
    flat.map(|f| f.inner)
}

/// A digit string of `n` digits: a hostile number.
fn digits(n: usize) -> String {
    std::iter::once('1')
        .chain(std::iter::repeat_n('7', n - 1))
        .collect()
}

// --- Ids ---------------------------------------------------------------------------------

#[test]
fn an_id_keeps_the_digits_the_server_wrote() {
    let huge = digits(100_000);
    let cases: Vec<(&str, Option<u64>)> = vec![
        ("0", Some(0)),
        ("-1", None),
        ("-9223372036854775808", None),
        ("18446744073709551615", Some(u64::MAX)),
        ("18446744073709551616", None),
        ("18446744073709551617", None),
        ("1000000000000000000000000000000", None),
        ("1e308", None),
        ("1e999", None),
        ("-1E-999", None),
        ("12.50", None),
        ("1.0", None),
        ("-0", None),
        ("-0.0", None),
        (&huge, None),
    ];
    for (raw, number) in cases {
        let id = from_bytes::<Ids>(&object("id", raw)).expect(raw).id;
        assert_eq!((&*id.text(), id.as_u64()), (raw, number), "{:.30}", raw);
        let text = from_bytes::<Texts>(&object("v", raw)).expect(raw).v;
        assert_eq!(text, raw);
        let text = from_bytes::<OptionTexts>(&object("v", raw)).expect(raw).v;
        assert_eq!(text.as_deref(), Some(raw));
    }
}

#[test]
fn two_to_the_64_and_one_more_are_two_ids() {
    let a = from_bytes::<Ids>(r#"{"id": 18446744073709551616}"#).expect("2^64");
    let b = from_bytes::<Ids>(r#"{"id": 18446744073709551617}"#).expect("2^64 + 1");
    assert_ne!(a.id, b.id);
    // The same id as the string of its digits, as for any number.
    let c = from_bytes::<Ids>(r#"{"id": "18446744073709551616"}"#).expect("string");
    assert_eq!(a.id, c.id);
}

#[test]
fn ids_through_a_value_are_the_values_numbers() {
    // A `Value` holds what fits `u64`/`i64` exactly; beyond, an `f64` (serde_json without
    // `arbitrary_precision`): the id is that float's text, as the `Value` writes it.
    for (raw, text) in [
        ("0", "0"),
        ("-1", "-1"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("18446744073709551615", "18446744073709551615"),
        ("12.5", "12.5"),
        ("12.50", "12.5"),
        ("18446744073709551616", "1.8446744073709552e+19"),
        ("\"18446744073709551616\"", "18446744073709551616"),
    ] {
        let id = via_value::<Ids>(&object("id", raw)).expect(raw).id;
        assert_eq!(&*id.text(), text, "{raw}");
    }
}

#[test]
fn ids_through_serdes_buffer_keep_exact_values_or_fail() {
    for (raw, text) in [
        ("0", "0"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("18446744073709551615", "18446744073709551615"),
        ("\"18446744073709551617\"", "18446744073709551617"),
        ("12.5", "12.5"),
        // The value survives the buffer, the spelling does not.
        ("12.50", "12.5"),
    ] {
        let id = buffered::<Ids>(&object("id", raw)).expect(raw).id;
        assert_eq!(&*id.text(), text, "{raw}");
    }
    // The buffer holds these as floats that may have lost digits: refused, not rounded.
    for raw in [
        "18446744073709551616",
        "18446744073709551617",
        "1000000000000000000000000000000",
        "0.12345678901234567",
        "1e308",
    ] {
        let error = buffered::<Ids>(&object("id", raw)).expect_err(raw);
        assert!(
            error.starts_with("expected text, found ") && error.contains("may have lost digits"),
            "{raw}: {error}"
        );
    }
}

#[test]
fn a_body_that_may_be_empty_keeps_its_ids_digits() {
    use api_core::OrEmpty;
    for json in ["null", "{}", "{ }"] {
        let body = from_bytes::<OrEmpty<Ids>>(json).expect(json);
        assert!(body.0.is_none(), "{json}");
    }
    let body = from_bytes::<OrEmpty<Ids>>(r#"{"id": 18446744073709551617}"#).expect("body");
    let id = body.0.map(|ids| ids.id.to_string());
    assert_eq!(id.as_deref(), Some("18446744073709551617"));
    let error = from_bytes::<OrEmpty<Ids>>(r#"{"id": []}"#).expect_err("array id");
    assert!(
        error.starts_with("expected text, found an array"),
        "{error}"
    );
}

// --- Whole numbers -----------------------------------------------------------------------

fn whole_error(raw: &str) -> String {
    let error = from_bytes::<Wholes>(&object("v", raw)).expect_err(raw);
    let option_error = from_bytes::<OptionWholes>(&object("v", raw)).expect_err(raw);
    assert_eq!(error, option_error);
    error
}

#[test]
fn a_whole_number_is_exact_or_an_error_naming_it() {
    for (raw, n) in [
        ("0", 0),
        ("18446744073709551615", u64::MAX),
        ("\"18446744073709551615\"", u64::MAX),
        ("\" 42 \"", 42),
    ] {
        assert_eq!(from_bytes::<Wholes>(&object("v", raw)).expect(raw).v, n);
        assert_eq!(via_value::<Wholes>(&object("v", raw)).expect(raw).v, n);
        assert_eq!(buffered::<Wholes>(&object("v", raw)).expect(raw).v, n);
    }
    for (raw, message) in [
        (
            "18446744073709551616",
            "expected a whole number, found 18446744073709551616: more than a u64 holds",
        ),
        (
            "\"18446744073709551616\"",
            "expected a whole number, found \"18446744073709551616\": more than a u64 holds",
        ),
        (
            "1000000000000000000000000000000",
            "expected a whole number, found 1000000000000000000000000000000: more than a u64 holds",
        ),
        ("-1", "expected a whole number, found -1 "),
        (
            "-9223372036854775808",
            "expected a whole number, found -9223372036854775808 ",
        ),
        ("1.5", "expected a whole number, found 1.5 "),
        ("12.0", "expected a whole number, found 12.0 "),
        ("1e3", "expected a whole number, found 1e3 "),
        ("1e999", "expected a whole number, found 1e999 "),
        ("\"NaN\"", "expected a whole number, found \"NaN\" "),
        ("\"inf\"", "expected a whole number, found \"inf\" "),
        ("\"-1\"", "expected a whole number, found \"-1\" "),
    ] {
        let error = whole_error(raw);
        assert!(error.starts_with(message), "{raw}: {error}");
    }
    // Optional: null, absence and a blank string are none.
    for json in [r#"{"v": null}"#, "{}", r#"{"v": ""}"#, r#"{"v": "  "}"#] {
        assert_eq!(from_bytes::<OptionWholes>(json).expect(json).v, None);
    }
}

#[test]
fn a_hostile_number_is_refused_quickly_with_a_bounded_message() {
    let huge = digits(100_000);
    let started = std::time::Instant::now();
    for raw in [huge.clone(), format!("\"{huge}\"")] {
        let error = whole_error(&raw);
        let shown: String = huge.chars().take(64).collect();
        assert!(
            error.starts_with(&format!("expected a whole number, found {}", &raw[..1]))
                && error.contains(&format!("{shown}…")),
            "{:.200}",
            error
        );
        assert!(error.len() < 200, "{} bytes", error.len());
    }
    // A multi-byte character is never cut in two.
    let wide = format!("\"{}\"", "é".repeat(50_000));
    let error = whole_error(&wide);
    assert!(error.contains("éé…\""), "{error}");
    assert!(error.len() < 200, "{} bytes", error.len());
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

// --- Floats ------------------------------------------------------------------------------

#[test]
fn a_float_is_finite_or_an_error() {
    for (raw, n) in [
        ("0", 0.0),
        ("-1", -1.0),
        ("1e308", 1e308),
        ("\"1e308\"", 1e308),
        ("0.1", 0.1),
        ("18446744073709551616", 18_446_744_073_709_551_616.0),
    ] {
        assert_eq!(from_bytes::<Reals>(&object("v", raw)).expect(raw).v, n);
        assert_eq!(via_value::<Reals>(&object("v", raw)).expect(raw).v, n);
        assert_eq!(buffered::<Reals>(&object("v", raw)).expect(raw).v, n);
    }
    for (raw, message) in [
        (
            "1e999",
            "expected a number, found 1e999: not a finite number",
        ),
        (
            "-1e999",
            "expected a number, found -1e999: not a finite number",
        ),
        (
            "\"NaN\"",
            "expected a number, found \"NaN\": not a finite number",
        ),
        (
            "\"inf\"",
            "expected a number, found \"inf\": not a finite number",
        ),
        (
            "\"-infinity\"",
            "expected a number, found \"-infinity\": not a finite number",
        ),
        (
            "\"1e999\"",
            "expected a number, found \"1e999\": not a finite number",
        ),
    ] {
        let error = from_bytes::<Reals>(&object("v", raw)).expect_err(raw);
        assert!(error.starts_with(message), "{raw}: {error}");
    }
    // Through a buffer or a `Value`, the strings are refused just the same.
    for raw in ["\"NaN\"", "\"inf\""] {
        assert!(via_value::<Reals>(&object("v", raw)).is_err(), "{raw}");
        assert!(buffered::<Reals>(&object("v", raw)).is_err(), "{raw}");
    }
}

// --- Amounts -----------------------------------------------------------------------------

#[cfg(feature = "money")]
mod money {
    use super::*;
    use api_core::money::{self, Decimal};

    #[derive(Debug, Deserialize)]
    struct Amounts {
        #[serde(with = "money::lenient")]
        v: Decimal,
    }

    #[derive(Debug, Deserialize)]
    struct OptionAmounts {
        #[serde(default, with = "money::lenient_option")]
        v: Option<Decimal>,
    }

    fn amount(raw: &str) -> Result<String, String> {
        let json = object("v", raw);
        let v = from_bytes::<Amounts>(&json)?.v;
        let o = from_bytes::<OptionAmounts>(&json)?.v;
        assert_eq!(Some(v), o);
        Ok(v.to_string())
    }

    #[test]
    fn an_amount_keeps_every_digit_and_its_scale() {
        for (raw, text) in [
            ("0", "0"),
            ("-1", "-1"),
            ("0.1", "0.1"),
            ("12.50", "12.50"),
            ("\"12.50\"", "12.50"),
            ("1234567890.123456789", "1234567890.123456789"),
            ("\"1234567890.123456789\"", "1234567890.123456789"),
            ("-9223372036854775808", "-9223372036854775808"),
            ("18446744073709551615", "18446744073709551615"),
            ("18446744073709551616", "18446744073709551616"),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
            (
                "0.1234567890123456789012345678",
                "0.1234567890123456789012345678",
            ),
            ("1.5e3", "1500"),
            ("1.50E1", "15.0"),
            ("25e-2", "0.25"),
            ("1e-28", "0.0000000000000000000000000001"),
            ("1.0e-28", "0.0000000000000000000000000001"),
            ("0e999", "0"),
            ("1e28", "10000000000000000000000000000"),
        ] {
            assert_eq!(amount(raw).as_deref(), Ok(text), "{raw}");
        }
    }

    #[test]
    fn an_amount_beyond_a_decimal_is_an_error_not_a_rounding() {
        let huge = digits(100_000);
        for (raw, message) in [
            (
                "0.12345678901234567890123456789",
                "expected an amount, found 0.12345678901234567890123456789: more digits than a decimal holds",
            ),
            (
                "\"0.12345678901234567890123456789\"",
                "expected an amount, found \"0.12345678901234567890123456789\": more digits than a decimal holds",
            ),
            ("1e-29", "expected an amount, found 1e-29: more digits"),
            (
                "79228162514264337593543950336",
                "expected an amount, found 79228162514264337593543950336: beyond a decimal's range",
            ),
            (
                "1000000000000000000000000000000",
                "expected an amount, found 1000000000000000000000000000000: beyond a decimal's range",
            ),
            (
                "1e30",
                "expected an amount, found 1e30: beyond a decimal's range",
            ),
            (
                "1e308",
                "expected an amount, found 1e308: beyond a decimal's range",
            ),
            (
                "1e999",
                "expected an amount, found 1e999: beyond a decimal's range",
            ),
            (
                "1e99999999999999999999",
                "expected an amount, found 1e99999999999999999999: beyond",
            ),
            ("\"NaN\"", "expected an amount, found \"NaN\" "),
            ("\"inf\"", "expected an amount, found \"inf\" "),
            ("\"12,5\"", "expected an amount, found \"12,5\" "),
            ("true", "expected an amount, found true "),
            (&huge, "expected an amount, found 17777"),
            (&format!("\"{huge}\""), "expected an amount, found \"17777"),
        ] {
            let error = amount(raw).expect_err(raw);
            assert!(error.starts_with(message), "{:.40}: {error}", raw);
            assert!(error.len() < 250, "{} bytes", error.len());
        }
    }

    #[test]
    fn amounts_through_a_value_or_a_buffer() {
        for (raw, text) in [
            ("12.5", "12.5"),
            ("0.1", "0.1"),
            ("-3", "-3"),
            ("\"12.50\"", "12.50"),
        ] {
            let json = object("v", raw);
            assert_eq!(via_value::<Amounts>(&json).expect(raw).v.to_string(), text);
            assert_eq!(buffered::<Amounts>(&json).expect(raw).v.to_string(), text);
        }
        // A buffer holds these as floats that may have lost digits: refused, not rounded.
        for raw in [
            "1234567890.123456789",
            "18446744073709551616",
            "0.12345678901234567890123456789",
        ] {
            let error = buffered::<Amounts>(&object("v", raw)).expect_err(raw);
            assert!(
                error.starts_with("expected an amount, found ")
                    && error.contains("may have lost digits"),
                "{raw}: {error}"
            );
        }
    }

    proptest! {
        #![proptest_config(config(256))]

        /// Any decimal a `Decimal` holds, written as a JSON number or string, decodes to
        /// exactly that decimal, scale included.
        #[test]
        fn every_decimal_decodes_exactly(
            negative in any::<bool>(),
            integer in "[1-9][0-9]{0,13}|0",
            fraction in "[0-9]{0,14}",
        ) {
            let sign = if negative { "-" } else { "" };
            let text = if fraction.is_empty() {
                format!("{sign}{integer}")
            } else {
                format!("{sign}{integer}.{fraction}")
            };
            let expected = Decimal::from_str_exact(&text).expect("decimal").to_string();
            prop_assert_eq!(amount(&text), Ok(expected.clone()));
            prop_assert_eq!(amount(&format!("\"{text}\"")), Ok(expected));
        }

        /// What `as_number` sends (at most 15 significant digits, else an error) reads back
        /// as the same value: the f64 in between loses nothing. Only the scale goes (`12.50`
        /// is sent as `12.5`), as documented.
        #[test]
        fn amounts_sent_as_numbers_come_back_equal(
            mantissa in any::<i64>().prop_map(|m| m % 1_000_000_000_000_000),
            scale in 0u32..=28,
        ) {
            #[derive(serde::Serialize)]
            struct Out {
                #[serde(with = "money::lenient")]
                v: Decimal,
            }
            let value = Decimal::new(mantissa, scale);
            let json = serde_json::to_string(&Out { v: value }).expect("15 digits at most");
            prop_assert_eq!(from_bytes::<Amounts>(&json).map(|a| a.v), Ok(value), "{}", json);
        }
    }
}

// --- Properties --------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    /// An integer of any size is an id with exactly its digits; two integers are one id only
    /// when they are one integer.
    #[test]
    fn integers_of_any_size_are_ids_with_their_digits(
        a in "-?[1-9][0-9]{0,60}",
        b in "-?[1-9][0-9]{0,60}",
    ) {
        let id_a = from_bytes::<Ids>(&object("id", &a)).expect("a").id;
        let id_b = from_bytes::<Ids>(&object("id", &b)).expect("b").id;
        prop_assert_eq!(&*id_a.text(), a.as_str());
        prop_assert_eq!(id_a == id_b, a == b);
        prop_assert_eq!(id_a.as_u64(), a.parse::<u64>().ok());
    }

    /// A number with a fraction or an exponent is text with exactly its spelling.
    #[test]
    fn floats_keep_their_spelling(
        number in "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?",
    ) {
        let text = from_bytes::<Texts>(&object("v", &number)).expect("text").v;
        prop_assert_eq!(text, number);
    }

    /// Every `u64` reads as itself; every integer past it is an error naming it.
    #[test]
    fn whole_numbers_are_exact_or_refused(n in any::<u128>()) {
        let raw = n.to_string();
        match u64::try_from(n) {
            Ok(small) => prop_assert_eq!(from_bytes::<Wholes>(&object("v", &raw)).map(|w| w.v), Ok(small)),
            Err(_) => {
                let error = from_bytes::<Wholes>(&object("v", &raw)).expect_err("beyond u64");
                let expected = format!("expected a whole number, found {raw}: more than a u64 holds");
                prop_assert!(error.starts_with(&expected), "{}", error);
            }
        }
    }

    /// Every finite `f64`, written in its shortest form, reads back as itself.
    #[test]
    fn finite_floats_read_back_exactly(n in any::<f64>().prop_filter("finite", |n| n.is_finite())) {
        for raw in [format!("{n:e}"), format!("\"{n}\"")] {
            let read = from_bytes::<Reals>(&object("v", &raw)).expect("float").v;
            prop_assert_eq!(read.to_bits(), n.to_bits(), "{}", raw);
        }
    }
}
