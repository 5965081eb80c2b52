//! Numbers sent as numbers or as numeric strings: [`u64()`], [`option_u64`], [`f64()`].

use serde::Deserializer;
use serde::de::Error as _;

use super::raw::read;
use super::scalar::{NOT_FINITE, Read, Reading, Refusal};

/// A non-negative integer written as a number or as a numeric string (`12`, `"12"`).
///
/// A negative, fractional or non-finite value, or one beyond `u64`, is an error naming it
/// (its first 64 bytes).
pub fn u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    read(deserializer, Whole, false)?
        .ok_or_else(|| D::Error::custom("expected a whole number, found null"))
}

/// [`u64()`], with `null` and `""` as `None`.
pub fn option_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    read(deserializer, Whole, true)
}

/// A number written as a number or as a numeric string (`0.5`, `"0.5"`), as the nearest
/// `f64`. `NaN`, infinities and numbers beyond `f64`'s range (`1e999`) are errors. Not for
/// money: use `api_core::money` (feature `money`).
pub fn f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    read(deserializer, Real, false)?
        .ok_or_else(|| D::Error::custom("expected a number, found null"))
}

#[derive(Clone, Copy)]
struct Whole;

/// The reason for a whole number beyond `u64`.
const BEYOND_U64: &str = "more than a u64 holds";

impl Whole {
    fn parse(text: &str) -> Read<u64> {
        text.parse()
            .map_err(|e: std::num::ParseIntError| match e.kind() {
                std::num::IntErrorKind::PosOverflow => Refusal::Because(BEYOND_U64),
                _ => Refusal::Mismatch,
            })
    }
}

impl Reading for Whole {
    type Out = u64;
    const EXPECTED: &'static str = "a whole number";
    const DIGITS_FIRST: bool = true;
    fn text(self, text: &str) -> Read<u64> {
        Self::parse(text.trim())
    }
    fn number(self, number: &str) -> Read<u64> {
        // JSON's grammar has no `+`: only digits parse, and `u64`'s parser refuses a sign,
        // a point and an exponent.
        Self::parse(number)
    }
    fn unsigned(self, n: u64) -> Read<u64> {
        Ok(n)
    }
    fn signed(self, n: i64) -> Read<u64> {
        u64::try_from(n).map_err(|_| Refusal::Mismatch)
    }
    fn real(self, _: f64) -> Read<u64> {
        Err(Refusal::Mismatch)
    }
    fn blank(self, text: &str) -> bool {
        text.trim().is_empty()
    }
}

#[derive(Clone, Copy)]
struct Real;

impl Real {
    fn finite(n: f64) -> Read<f64> {
        if n.is_finite() {
            Ok(n)
        } else {
            Err(Refusal::Because(NOT_FINITE))
        }
    }
}

impl Reading for Real {
    type Out = f64;
    const EXPECTED: &'static str = "a number";
    fn text(self, text: &str) -> Read<f64> {
        // `parse` also reads `NaN`, `inf` and `infinity`: refused by `finite`.
        Self::finite(text.trim().parse().map_err(|_| Refusal::Mismatch)?)
    }
    fn number(self, number: &str) -> Read<f64> {
        // Rust's parser rounds correctly from every digit; `1e999` is infinite: refused.
        Self::finite(number.parse().map_err(|_| Refusal::Mismatch)?)
    }
    // An `f64` is the nearest float by definition: past 2^53 that is not every digit.
    fn unsigned(self, n: u64) -> Read<f64> {
        Ok(n as f64)
    }
    fn signed(self, n: i64) -> Read<f64> {
        Ok(n as f64)
    }
    fn real(self, n: f64) -> Read<f64> {
        Self::finite(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lenient::scalar::assert_reads_digits_as_their_value;

    #[test]
    fn reads_digits_as_their_value() {
        assert_reads_digits_as_their_value(Whole);
        // `9007199254740993` is no `f64`: both round it to the same nearest one.
        assert_reads_digits_as_their_value(Real);
    }
}
