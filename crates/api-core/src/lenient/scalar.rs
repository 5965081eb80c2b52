//! Reading one scalar (a string, number, boolean or `null`) as what a [`Reading`] wants, with
//! an error that names what was expected and shows what was found; and the reading most
//! fields build on, any scalar as text ([`text`], for `String`s and `api_core::Id`s).

use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::Error as _;
use serde_json::Value;

use super::raw::read;

/// At most this many bytes of a server's value go into an error message.
const SHOWN: usize = 64;

/// Why a [`Reading`] refuses a value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Refusal {
    /// Not the kind of value expected.
    Mismatch,
    /// The kind expected, but not a value the target holds exactly: the reason.
    Because(&'static str),
}

/// What a [`Reading`] makes of one value.
pub(crate) type Read<T> = Result<T, Refusal>;

/// The reason for a non-finite number.
pub(crate) const NOT_FINITE: &str = "not a finite number";

/// What a [`Scalar`] reads.
pub(crate) trait Reading: Copy {
    type Out;
    /// Names the expected value in errors.
    const EXPECTED: &'static str;
    /// Whether [`Scalar::on_raw`] first tries a number's JSON text as the canonical digits of
    /// a `u64` below 10^19, read by [`Reading::unsigned`]: for readings whose numbers are
    /// mostly such (ids, counts), and that make of those digits what they make of their value
    /// ([`assert_reads_digits_as_their_value`]). Amounts and floats, mostly with a point,
    /// would pay for the try and then read the text again.
    const DIGITS_FIRST: bool = false;
    /// A JSON string's content.
    fn text(self, text: &str) -> Read<Self::Out>;
    /// A JSON number as the server wrote it (JSON's number grammar, any length).
    fn number(self, number: &str) -> Read<Self::Out>;
    fn unsigned(self, n: u64) -> Read<Self::Out>;
    fn signed(self, n: i64) -> Read<Self::Out>;
    /// A float from a deserializer that does not hand over the number's text: the digits
    /// it was written with may be gone ([`float_is_exact`]).
    fn real(self, n: f64) -> Read<Self::Out>;
    fn boolean(self, _b: bool) -> Read<Self::Out> {
        Err(Refusal::Mismatch)
    }
    /// Whether an optional reading takes this text as none (`""` for numbers).
    fn blank(self, _text: &str) -> bool {
        false
    }
}

/// Whether a float handed over without its text can be read as exact: finite, below 2^53
/// (past it, one `f64` stands for several integers: 2^64 and 2^64 + 1 are one `f64`) and
/// with at most 15 significant digits (every decimal of up to 15 digits has an `f64` of its
/// own; past that, several share one). A float that passes may still have been written with
/// more digits (`0.10000000000000000001` is `0.1`): only the text could tell.
pub(crate) fn float_is_exact(n: f64) -> Read<()> {
    const INTEGERS_EXACT_BELOW: f64 = 9_007_199_254_740_992.0; // 2^53
    const DIGITS_EXACT: usize = 15;
    if !n.is_finite() {
        return Err(Refusal::Because(NOT_FINITE));
    }
    if n.abs() >= INTEGERS_EXACT_BELOW || significant_digits(n) > DIGITS_EXACT {
        return Err(Refusal::Because(
            "the decoder passed it as a float, which may have lost digits \
             (decode from JSON text to keep them)",
        ));
    }
    Ok(())
}

/// The digits of `n`'s shortest exact form (`{:e}` writes no leading or trailing zero),
/// counted without an allocation.
fn significant_digits(n: f64) -> usize {
    struct Count {
        digits: usize,
        exponent: bool,
    }
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for b in s.bytes() {
                match b {
                    b'e' => self.exponent = true,
                    b'0'..=b'9' if !self.exponent => self.digits = self.digits.saturating_add(1),
                    _ => {}
                }
            }
            Ok(())
        }
    }
    let mut count = Count {
        digits: 0,
        exponent: false,
    };
    // Writing to `Count` cannot fail; were it to, the count only grows past the limit.
    let _ = std::fmt::write(&mut count, format_args!("{n:e}"));
    count.digits
}

/// A server's text in an error message: its first [`SHOWN`] bytes, then `…`; JSON-quoted
/// when it was a string.
pub(crate) struct Shown<'a> {
    text: &'a str,
    quoted: bool,
}

impl<'a> Shown<'a> {
    /// `text` as a JSON string (escapes included), cut to its first [`SHOWN`] bytes.
    pub(crate) fn quoted(text: &'a str) -> Self {
        Self { text, quoted: true }
    }
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let end = (0..=SHOWN.min(self.text.len()))
            .rev()
            .find(|&i| self.text.is_char_boundary(i))
            .unwrap_or(0);
        let shown = self.text.get(..end).unwrap_or_default();
        let more = if end < self.text.len() { "…" } else { "" };
        if self.quoted {
            // As JSON writes it (escapes included); the error path only.
            let quoted = Value::from(shown).to_string();
            let inner = quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .unwrap_or_default();
            write!(f, "\"{inner}{more}\"")
        } else {
            write!(f, "{shown}{more}")
        }
    }
}

/// Reads one scalar; `null` is `None` when `optional`, an error otherwise.
pub(super) struct Scalar<R> {
    pub(super) what: R,
    pub(super) optional: bool,
}

impl<R: Reading> Scalar<R> {
    pub(super) fn refused<E: serde::de::Error>(
        refusal: Refusal,
        found: impl std::fmt::Display,
    ) -> E {
        match refusal {
            Refusal::Mismatch => E::custom(format_args!("expected {}, found {found}", R::EXPECTED)),
            Refusal::Because(why) => E::custom(format_args!(
                "expected {}, found {found}: {why}",
                R::EXPECTED
            )),
        }
    }

    #[inline]
    fn on_text<E: serde::de::Error>(self, v: &str) -> Result<Option<R::Out>, E> {
        if self.optional && self.what.blank(v) {
            return Ok(None);
        }
        match self.what.text(v) {
            Ok(out) => Ok(Some(out)),
            Err(refusal) => Err(Self::refused(
                refusal,
                Shown {
                    text: v,
                    quoted: true,
                },
            )),
        }
    }

    #[inline]
    fn on_number<E: serde::de::Error>(self, v: &str) -> Result<Option<R::Out>, E> {
        match self.what.number(v) {
            Ok(out) => Ok(Some(out)),
            Err(refusal) => Err(Self::refused(
                refusal,
                Shown {
                    text: v,
                    quoted: false,
                },
            )),
        }
    }

    /// One value's JSON text, as serde_json handed it over (valid JSON, no surrounding
    /// whitespace).
    ///
    /// For a [`Reading::DIGITS_FIRST`] reading, the canonical digits of a number below 10^19
    /// (every numeric id of a list page) are read here, in line, as the `u64` they spell:
    /// `Text::number` and `canonical_u64` then read them a second time, in a call, which cost
    /// about 40 instructions an id (docs/performance.md). Anything else goes through
    /// [`Scalar::on_other_raw`].
    #[inline]
    pub(super) fn on_raw<E: serde::de::Error>(self, raw: &str) -> Result<Option<R::Out>, E> {
        if R::DIGITS_FIRST
            && let Some(n) = crate::id::canonical_below_10_19(raw.as_bytes())
        {
            return match self.what.unsigned(n) {
                Ok(out) => Ok(Some(out)),
                Err(refusal) => Err(Self::refused(refusal, n)),
            };
        }
        self.on_other_raw(raw)
    }

    /// [`Scalar::on_raw`] for everything but its fast path: a string, another number (a sign,
    /// a point, an exponent, 20 digits or more), a boolean, `null`, an object or an array.
    #[inline(never)]
    fn on_other_raw<E: serde::de::Error>(self, raw: &str) -> Result<Option<R::Out>, E> {
        use serde::de::Visitor as _;
        match raw.as_bytes().first() {
            Some(b'"') => {
                let inner = raw
                    .strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .ok_or_else(|| E::custom("expected a JSON string"))?;
                if inner.contains('\\') {
                    // Rare: let serde_json undo the escapes.
                    let text: String = serde_json::from_str(raw).map_err(E::custom)?;
                    self.on_text(&text)
                } else {
                    self.on_text(inner)
                }
            }
            Some(b'-' | b'0'..=b'9') => self.on_number(raw),
            Some(b't') => self.visit_bool(true),
            Some(b'f') => self.visit_bool(false),
            Some(b'n') => self.visit_unit(),
            Some(b'[') => Err(Self::refused(Refusal::Mismatch, "an array")),
            Some(b'{') => Err(Self::refused(Refusal::Mismatch, "an object")),
            _ => Err(E::custom("expected a JSON value")),
        }
    }
}

impl<'de, R: Reading> serde::de::Visitor<'de> for Scalar<R> {
    type Value = Option<R::Out>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(R::EXPECTED)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.on_text(v)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.what
            .unsigned(v)
            .map(Some)
            .map_err(|r| Self::refused(r, v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.what
            .signed(v)
            .map(Some)
            .map_err(|r| Self::refused(r, v))
    }

    // Some formats hand over 128-bit integers: beyond 64 bits, read as the digits.
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Self::Value, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => self.on_number(&v.to_string()),
        }
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Self::Value, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => self.on_number(&v.to_string()),
        }
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.what.real(v).map(Some).map_err(|r| Self::refused(r, v))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.what
            .boolean(v)
            .map(Some)
            .map_err(|r| Self::refused(r, v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        if self.optional {
            Ok(None)
        } else {
            Err(Self::refused(Refusal::Mismatch, "null"))
        }
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        read(d, self.what, self.optional)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(Self::refused(Refusal::Mismatch, "an array"))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(Self::refused(Refusal::Mismatch, "an object"))
    }
}

// The reading every text field and id builds on: any scalar as text.

/// [`string`](super::string) into any [`Textual`]: `api_core::Id` reads its inline string with it, so a
/// numeric id never goes through a `String`.
#[inline]
pub(crate) fn text<'de, D: Deserializer<'de>, T: Textual>(deserializer: D) -> Result<T, D::Error> {
    read(deserializer, Text(PhantomData), false)?
        .ok_or_else(|| D::Error::custom("expected text, found null"))
}

/// [`text`], with `null` as `None`, in one step: `null` is read as any other value's JSON
/// text is, where serde's `Option` would first look for it (see `Id::deserialize_option`).
#[inline]
pub(crate) fn option_text<'de, D: Deserializer<'de>, T: Textual>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    read(deserializer, Text(PhantomData), true)
}

/// What [`Text`] builds: a `String`, or an `api_core::Id` (which keeps a number as one).
pub(crate) trait Textual: for<'a> From<&'a str> + From<String> {
    // `itoa` writes on the stack: ids arrive as numbers by the thousand in list pages, and
    // the formatting machinery of `to_string` costs more than the allocation.
    fn unsigned(n: u64) -> Self {
        Self::from(itoa::Buffer::new().format(n))
    }
    fn signed(n: i64) -> Self {
        Self::from(itoa::Buffer::new().format(n))
    }
    /// A JSON number's text, as written.
    #[inline]
    fn number(text: &str) -> Self {
        Self::from(text)
    }
}

impl Textual for String {}

/// Reads a scalar as text of type `T`.
pub(super) struct Text<T>(pub(super) PhantomData<fn() -> T>);

// Not derived: the derive would ask `T: Copy`.
impl<T> Clone for Text<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Text<T> {}

impl<T: Textual> Reading for Text<T> {
    type Out = T;
    const EXPECTED: &'static str = "text";
    // Ids: numbers by the thousand in list pages.
    const DIGITS_FIRST: bool = true;
    fn text(self, text: &str) -> Read<T> {
        Ok(T::from(text))
    }
    #[inline]
    fn number(self, number: &str) -> Read<T> {
        Ok(T::number(number))
    }
    fn unsigned(self, n: u64) -> Read<T> {
        Ok(T::unsigned(n))
    }
    fn signed(self, n: i64) -> Read<T> {
        Ok(T::signed(n))
    }
    fn real(self, n: f64) -> Read<T> {
        float_is_exact(n)?;
        // As `serde_json::Number` writes it (`1.0`, not `1`).
        serde_json::Number::from_f64(n)
            .map(|n| T::from(n.to_string()))
            .ok_or(Refusal::Because(NOT_FINITE))
    }
    fn boolean(self, b: bool) -> Read<T> {
        Ok(T::from(if b { "true" } else { "false" }))
    }
}

/// Asserts what [`Scalar::on_raw`]'s fast path relies on, for a [`Reading::DIGITS_FIRST`]
/// reading (and, as it happens, for every other): `what` makes of the canonical digits of a
/// number below 10^19 what it makes of their value, through `number` and `unsigned` alike.
#[cfg(test)]
pub(crate) fn assert_reads_digits_as_their_value<R: Reading>(what: R)
where
    R::Out: PartialEq + std::fmt::Debug,
{
    for n in [
        0,
        7,
        10,
        4711,
        987_654,
        9_007_199_254_740_993,
        1_000_000_000_000_000_000,
        9_999_999_999_999_999_999,
    ] {
        let digits = n.to_string();
        let by_text = what.number(&digits).ok();
        assert_eq!(by_text, what.unsigned(n).ok(), "{n}");
        assert!(by_text.is_some(), "{n}");
        assert_eq!(
            crate::id::canonical_below_10_19(digits.as_bytes()),
            Some(n),
            "{n}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_takes_only_canonical_digits_below_10_19() {
        use crate::id::canonical_below_10_19 as digits;
        for text in [
            "",
            "-1",
            "-0",
            "00",
            "01",
            "+1",
            "1.0",
            "1e3",
            "1 ",
            " 1",
            "\"1\"",
            "1a",
            // 10^19 and above: the slow path (20 digits may not fit a `u64`).
            "10000000000000000000",
            "18446744073709551615",
            "18446744073709551616",
        ] {
            assert_eq!(digits(text.as_bytes()), None, "{text:?}");
        }
        assert_eq!(digits(b"0"), Some(0));
        assert_eq!(
            digits(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
    }

    #[test]
    fn floats_handed_over_without_text_are_read_only_when_exact() {
        for n in [
            0.0,
            -1.5,
            0.1,
            123_456_789_012_345.0,
            1e-300,
            999_999_999_999_999.0,
        ] {
            assert!(float_is_exact(n).is_ok(), "{n}");
        }
        for n in [
            9_007_199_254_740_992.0,
            18_446_744_073_709_551_616.0,
            0.123_456_789_012_345_67,
            1e308,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(float_is_exact(n).is_err(), "{n}");
        }
        assert_eq!(significant_digits(0.0), 1);
        assert_eq!(significant_digits(-12.5), 3);
        assert_eq!(significant_digits(1e-300), 1);
    }
}
