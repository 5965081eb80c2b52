//! Amounts of money: exact decimals, never `f64`.
//!
//! APIs disagree on how they write amounts (`12.5`, `"12.50"`), so models decode both with
//! [`lenient`]; what a request sends is chosen per field: [`as_number`] or [`as_string`].
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

use std::str::FromStr;

pub use rust_decimal::Decimal;
use serde::{Deserializer, Serializer};

use crate::error::{Error, Result};

/// The most significant digits an `f64` carries exactly through its shortest text form.
const F64_EXACT_DIGITS: u32 = 15;

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
    if integer_digits + scale > precision {
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
        integer.ilog10() + 1
    }
}

fn digits(value: Decimal) -> u32 {
    let mantissa = value.normalize().mantissa().unsigned_abs();
    if mantissa == 0 {
        1
    } else {
        mantissa.ilog10() + 1
    }
}

/// Reads an amount straight from the scalar the server wrote (a `serde_json::Value` or an
/// untagged enum in between costs allocations on every amount: docs/performance.md). When
/// `optional`, `null` and a blank string are `None`.
struct Amount {
    optional: bool,
}

impl<'de> serde::de::Visitor<'de> for Amount {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an amount as a number or a numeric string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let text = v.trim();
        if self.optional && text.is_empty() {
            return Ok(None);
        }
        Decimal::from_str(text).map(Some).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Decimal::from(v)))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // The shortest text of an f64 is the number the server wrote, for money-sized values.
        Decimal::from_str(&v.to_string())
            .map(Some)
            .map_err(E::custom)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        if self.optional {
            Ok(None)
        } else {
            Err(E::invalid_type(serde::de::Unexpected::Unit, &self))
        }
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// `#[serde(with = "money::lenient")]`: decodes a JSON number or string, encodes a JSON
/// number (see [`as_number`]).
pub mod lenient {
    use super::*;

    /// Decodes `12.5`, `"12.50"` or `" 12.50 "`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer
            .deserialize_any(Amount { optional: false })?
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
        deserializer.deserialize_any(Amount { optional: true })
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
