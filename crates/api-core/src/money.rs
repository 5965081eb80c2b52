//! Amounts of money: exact decimals, never `f64`.
//!
//! APIs disagree on how they write amounts (`12.5`, `"12.50"`), so models decode both with
//! [`lenient`]: every digit the server wrote is kept, scale included (`12.50`), and an amount
//! a `Decimal` cannot hold (more than 28 digits after the point, 28-29 in all, or beyond its
//! range) is a decode error, never a rounded value. What a request sends is chosen per field:
//! [`as_number`] or [`as_string`].
//! [`check_amount`] checks an amount against the column it lands in (for example
//! `DECIMAL(18,2)`) before anything is sent.
//!
//! ```
//! use api_core::money::{self, Decimal};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Price {
//!     #[serde(with = "money::lenient")]
//!     amount: Decimal,
//! }
//!
//! let a: Price = serde_json::from_str(r#"{"amount": "12.50"}"#)?;
//! let b: Price = serde_json::from_str(r#"{"amount": 12.5}"#)?;
//! assert_eq!(a.amount, b.amount);
//! assert_eq!(serde_json::to_string(&a)?, r#"{"amount":12.5}"#);
//! assert!(money::check_amount("amount", Decimal::new(1234, 3), 18, 2).is_err()); // 1.234
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use rust_decimal::Decimal;
use serde::{Deserializer, Serializer};

use crate::error::{Error, Result};
use crate::lenient::raw::read;
use crate::lenient::scalar::{Read, Reading, Refusal, float_is_exact};

/// The most significant digits an `f64` carries exactly through its shortest text form.
const F64_EXACT_DIGITS: u32 = 15;

/// An amount written as text, exactly (`"1200.00"`, `"0.5"`): the readable way to make one.
///
/// ```
/// let amount = api_core::money::amount("1200.00")?;
/// assert_eq!(amount.to_string(), "1200.00");
/// assert!(api_core::money::amount("12,00").is_err());
/// # Ok::<(), api_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] (field `amount`) for text that is not a decimal number.
pub fn amount(text: &str) -> Result<Decimal> {
    Decimal::from_str_exact(text.trim())
        .map_err(|_| Error::invalid_input("amount", format!("{text:?} is not an amount")))
}

/// Checks that `amount` fits `DECIMAL(precision, scale)`: at most `scale` decimal places and
/// `precision` digits in all.
///
/// # Errors
/// [`Error::InvalidInput`] naming `field`.
pub fn check_amount(field: &str, amount: Decimal, precision: u32, scale: u32) -> Result<()> {
    let normalized = amount.normalize();
    if normalized.scale() > scale {
        return Err(Error::invalid_input(
            field,
            format!("{amount} has more than {scale} decimal places"),
        ));
    }
    let integer_digits = significant_integer_digits(normalized);
    if integer_digits.saturating_add(scale) > precision {
        return Err(Error::invalid_input(
            field,
            format!("{amount} does not fit {precision} digits with {scale} decimal places"),
        ));
    }
    Ok(())
}

fn significant_integer_digits(value: Decimal) -> u32 {
    let integer = value.trunc().abs().mantissa();
    if integer == 0 {
        0
    } else {
        integer.ilog10().saturating_add(1)
    }
}

fn digits(value: Decimal) -> u32 {
    let mantissa = value.normalize().mantissa().unsigned_abs();
    if mantissa == 0 {
        1
    } else {
        mantissa.ilog10().saturating_add(1)
    }
}

/// Reads an amount straight from the scalar the server wrote (a `serde_json::Value` or an
/// untagged enum in between costs allocations on every amount: docs/performance.md), through
/// `crate::lenient`'s readers: a JSON number from its text, so every digit the server wrote
/// is kept or the amount is refused, never rounded.
#[derive(Clone, Copy)]
struct Amount;

/// The reason for an amount with more digits than a `Decimal` holds.
const TOO_PRECISE: &str = "more digits than a decimal holds (28 after the point, 28-29 in all)";
/// The reason for an amount beyond a `Decimal`'s range.
const TOO_LARGE: &str = "beyond a decimal's range";
/// No amount this long fits a `Decimal` (29 digits, a sign, a point, an exponent): refused
/// before any parsing, so a hostile 100 000-digit number costs nothing.
const LONGEST: usize = 96;

impl Amount {
    /// `text` (digits, an optional sign and point), exactly.
    fn exact(text: &str) -> Read<Decimal> {
        if text.len() > LONGEST {
            return Err(Refusal::Because(TOO_PRECISE));
        }
        Decimal::from_str_exact(text).map_err(|_| Self::why_not(text))
    }

    /// Why `text`, which `Decimal` refused, is not an amount: a plain decimal (`-12.50`)
    /// that does not fit, by too many digits before the point or after it, or not a decimal.
    // Classified here: rust_decimal reports an overflow as text.
    fn why_not(text: &str) -> Refusal {
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
        let plain = |digits: &str| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        if !plain(integer) || !plain(fraction) {
            return Refusal::Mismatch;
        }
        // `Decimal::MAX` has 29 digits before the point: 29 or more may not fit.
        if integer.trim_start_matches('0').len() >= 29 {
            Refusal::Because(TOO_LARGE)
        } else {
            Refusal::Because(TOO_PRECISE)
        }
    }

    /// A JSON number (`12.50`, `-3`, `1.5e3`), exactly: its scale is kept (`12.50`).
    fn number(number: &str) -> Read<Decimal> {
        let Some((mantissa, exponent)) = number.split_once(['e', 'E']) else {
            return Self::exact(number);
        };
        if number.len() > LONGEST {
            return Err(Refusal::Because(TOO_PRECISE));
        }
        let mut value = Self::exact(mantissa)?;
        if value.is_zero() {
            return Ok(Decimal::ZERO);
        }
        // Both fit an `i64`: the mantissa's scale is at most 28, the exponent's text at most
        // `LONGEST` bytes (a longer exponent does not parse: too large either way).
        let exponent: i64 = exponent.parse().map_err(|_| Refusal::Because(TOO_LARGE))?;
        let mut scale = i64::from(value.scale()).saturating_sub(exponent);
        if scale > i64::from(Decimal::MAX_SCALE) {
            // `1.0e-28` is `1e-28`: trailing zeros give way before any digit does.
            value = value.normalize();
            scale = i64::from(value.scale()).saturating_sub(exponent);
        }
        if scale >= 0 {
            let scale = u32::try_from(scale).map_err(|_| Refusal::Because(TOO_PRECISE))?;
            value
                .set_scale(scale)
                .map_err(|_| Refusal::Because(TOO_PRECISE))?;
            return Ok(value);
        }
        // A negative scale: the digits times 10^-scale, at scale 0, where a product that does
        // not fit is an error rather than a rounding.
        if scale
            < i64::from(Decimal::MAX_SCALE)
                .saturating_add(1)
                .saturating_neg()
        {
            return Err(Refusal::Because(TOO_LARGE));
        }
        value
            .set_scale(0)
            .map_err(|_| Refusal::Because(TOO_PRECISE))?;
        for _ in 0..scale.unsigned_abs() {
            value = value
                .checked_mul(Decimal::TEN)
                .ok_or(Refusal::Because(TOO_LARGE))?;
        }
        Ok(value)
    }
}

impl Reading for Amount {
    type Out = Decimal;
    const EXPECTED: &'static str = "an amount";

    fn text(self, text: &str) -> Read<Decimal> {
        Self::exact(text.trim())
    }

    fn number(self, number: &str) -> Read<Decimal> {
        Self::number(number)
    }

    fn unsigned(self, n: u64) -> Read<Decimal> {
        Ok(Decimal::from(n))
    }

    fn signed(self, n: i64) -> Read<Decimal> {
        Ok(Decimal::from(n))
    }

    fn real(self, n: f64) -> Read<Decimal> {
        // Only through a deserializer that does not hand over the text (untagged enums,
        // `flatten`): a float that may have lost digits is refused; one that passes is its
        // shortest text (`Display` writes no exponent).
        float_is_exact(n)?;
        Self::exact(&n.to_string())
    }

    fn blank(self, text: &str) -> bool {
        text.trim().is_empty()
    }
}

/// `#[serde(with = "money::lenient")]`: decodes a JSON number or string, encodes a JSON
/// number (see [`as_number`]).
pub mod lenient {
    use super::*;

    /// Decodes `12.5`, `"12.50"`, `" 12.50 "` or `1.25e1`, exactly (see the module's docs).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        read(deserializer, Amount, false)?
            .ok_or_else(|| serde::de::Error::custom("expected an amount, found null"))
    }

    /// Encodes as a JSON number.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        super::as_number::serialize(value, serializer)
    }
}

/// `#[serde(with = "money::lenient_option")]`: [`lenient`] for an optional amount.
pub mod lenient_option {
    use super::*;

    /// Decodes a number, a string, `null` or an empty string (as `None`).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        read(deserializer, Amount, true)
    }

    /// Encodes `Some` as a JSON number and `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => super::as_number::serialize(v, serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// `#[serde(serialize_with = "money::as_number::serialize")]`: a JSON number with the
/// decimal's value (`12.50` is sent as `12.5`). Refuses an amount with more than 15
/// significant digits rather than round it.
pub mod as_number {
    use super::*;

    /// Encodes as a JSON number.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        if digits(*value) > F64_EXACT_DIGITS {
            return Err(serde::ser::Error::custom(format!(
                "{value} has more than {F64_EXACT_DIGITS} significant digits: send it as a string"
            )));
        }
        // serde_json writes numbers only from f64/i64/u64 (without `arbitrary_precision`,
        // which would change number handling for every crate in the build); an f64 and its
        // shortest text are exact up to 15 significant digits, checked above.
        let number: f64 = value
            .to_string()
            .parse()
            .map_err(|_| serde::ser::Error::custom("not a number"))?;
        serializer.serialize_f64(number)
    }
}

/// `#[serde(serialize_with = "money::as_string::serialize")]`: a JSON string with the scale
/// kept (`"12.50"`), exact at any size.
pub mod as_string {
    use super::*;

    /// Encodes as a JSON string.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::str::FromStr;

    #[test]
    fn reads_digits_as_their_value() {
        crate::lenient::scalar::assert_reads_digits_as_their_value(Amount);
    }

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).expect("decimal")
    }

    #[test]
    fn lenient_decodes_numbers_and_strings_exactly() {
        #[derive(Deserialize)]
        struct A {
            #[serde(with = "lenient")]
            v: Decimal,
        }
        for (json, expected) in [
            (r#"{"v":0.1}"#, "0.1"),
            (r#"{"v":"0.10"}"#, "0.10"),
            (r#"{"v":1999.99}"#, "1999.99"),
            (r#"{"v":" 12.5 "}"#, "12.5"),
            (r#"{"v":-3}"#, "-3"),
            (r#"{"v":123456789012.34}"#, "123456789012.34"),
        ] {
            let a: A = serde_json::from_str(json).expect(json);
            assert_eq!(a.v, d(expected), "{json}");
        }
        assert!(serde_json::from_str::<A>(r#"{"v":"12,5"}"#).is_err());
        assert!(serde_json::from_str::<A>(r#"{"v":true}"#).is_err());
    }

    #[test]
    fn lenient_keeps_the_scale_and_refuses_to_round() {
        #[derive(Deserialize)]
        struct A {
            #[serde(with = "lenient")]
            v: Decimal,
        }
        for (json, text) in [
            (r#"{"v":12.50}"#, "12.50"),
            (r#"{"v":98765432109876.54321}"#, "98765432109876.54321"),
            (r#"{"v":-1.5E+2}"#, "-150"),
        ] {
            let a: A = serde_json::from_str(json).expect(json);
            assert_eq!(a.v.to_string(), text, "{json}");
        }
        for (json, message) in [
            (
                r#"{"v":1.00000000000000000000000000001}"#,
                "expected an amount, found 1.00000000000000000000000000001: more digits than a decimal holds",
            ),
            (
                r#"{"v":"1.00000000000000000000000000001"}"#,
                "expected an amount, found \"1.00000000000000000000000000001\": more digits",
            ),
            (
                r#"{"v":1e29}"#,
                "expected an amount, found 1e29: beyond a decimal's range",
            ),
        ] {
            let error = serde_json::from_str::<A>(json).err().map(|e| e.to_string());
            assert!(
                error.as_deref().is_some_and(|e| e.starts_with(message)),
                "{json}: {error:?}"
            );
        }
    }

    #[test]
    fn optional_amounts() {
        #[derive(Deserialize, serde::Serialize)]
        struct A {
            #[serde(with = "lenient_option", default)]
            v: Option<Decimal>,
        }
        for (json, expected) in [
            (r#"{"v":null}"#, None),
            (r#"{}"#, None),
            (r#"{"v":""}"#, None),
            (r#"{"v":"5.00"}"#, Some(d("5.00"))),
        ] {
            assert_eq!(
                serde_json::from_str::<A>(json).expect(json).v,
                expected,
                "{json}"
            );
        }
        let json = serde_json::to_string(&A { v: Some(d("5.25")) }).expect("json");
        assert_eq!(json, r#"{"v":5.25}"#);
    }

    #[test]
    fn numbers_and_strings_on_the_way_out() {
        #[derive(serde::Serialize)]
        struct A {
            #[serde(serialize_with = "as_number::serialize")]
            n: Decimal,
            #[serde(serialize_with = "as_string::serialize")]
            s: Decimal,
        }
        let json = serde_json::to_string(&A {
            n: d("1999.99"),
            s: d("0.10"),
        })
        .expect("json");
        assert_eq!(json, r#"{"n":1999.99,"s":"0.10"}"#);
        let too_precise = A {
            n: d("1234567890123.456"),
            s: d("0"),
        };
        assert!(serde_json::to_string(&too_precise).is_err());
    }

    #[test]
    fn amounts_are_checked_against_their_column() {
        assert!(check_amount("amount", d("1999.99"), 18, 2).is_ok());
        assert!(
            check_amount("amount", d("1999.990"), 18, 2).is_ok(),
            "trailing zeros"
        );
        assert!(check_amount("amount", d("0.01"), 18, 2).is_ok());
        assert!(check_amount("amount", d("9999999999999999.99"), 18, 2).is_ok());
        let err = check_amount("amount", d("1.234"), 18, 2).expect_err("scale");
        assert_eq!(
            err.to_string(),
            "invalid `amount`: 1.234 has more than 2 decimal places"
        );
        let err = check_amount("amount", d("10000000000000000"), 18, 2).expect_err("precision");
        assert_eq!(
            err.to_string(),
            "invalid `amount`: 10000000000000000 does not fit 18 digits with 2 decimal places"
        );
    }
}
