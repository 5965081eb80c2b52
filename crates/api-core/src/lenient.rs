//! Decoding what providers document loosely: numbers sent as strings (and the reverse),
//! empty arrays where an object or nothing was meant.
//!
//! Use them as `#[serde(deserialize_with = "api_core::lenient::u64")]` (or from generated
//! models through `x-rust-type`).
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Licence {
//!     #[serde(deserialize_with = "api_core::lenient::string")]
//!     id: String,
//!     #[serde(deserialize_with = "api_core::lenient::u64")]
//!     months: u64,
//! }
//! let l: Licence = serde_json::from_str(r#"{"id": 108501, "months": "12"}"#)?;
//! assert_eq!((l.id.as_str(), l.months), ("108501", 12));
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

// The readers below visit the scalar directly instead of going through a
// `serde_json::Value` (an allocation and a copy per field: measured in docs/performance.md).
//
// They first ask serde_json for the value's JSON text as written (`RAW_VALUE`): without
// serde_json's `arbitrary_precision` feature (which changes number handling for every crate
// in a user's build and breaks untagged enums), `deserialize_any` hands an integer beyond
// `u64`/`i64` to a visitor as an `f64`, and the digits are gone before any visitor sees
// them (2^64 and 2^64 + 1 are the same `f64`). From the text, a number becomes an id, a
// `u64` or an amount with every digit the server wrote, or a typed error.

/// The newtype-struct name for which serde_json's deserializers hand over a value's JSON
/// text: a map of one entry whose value is the text (serde_json's `raw.rs`, `TOKEN`; it is
/// how `serde_json::value::RawValue` decodes, with the `raw_value` feature). Its `Value`
/// deserializers hand over the value written out again.
///
/// The name is private to serde_json. Any other deserializer (serde's buffer for untagged
/// enums and `flatten`, a `serde_json` without the feature, other formats) calls
/// `visit_newtype_struct` instead, and the readers fall back to `deserialize_any`, where a
/// float that may have lost digits is refused ([`float_is_exact`]), never rounded. Were
/// serde_json to rename it, JSON would take that path too: the test
/// `the_raw_text_token_still_works` would then fail.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// At most this many bytes of a server's value go into an error message.
const SHOWN: usize = 64;

/// A string, number or boolean, as text: a number as the server wrote it (`12.50`, `-0`,
/// `18446744073709551616`), whatever its size.
///
/// Through a deserializer that does not hand over a number's text (serde's buffer for
/// `#[serde(untagged)]` and `#[serde(flatten)]`), a float keeps its value but not its
/// spelling (`12.50` reads as `12.5`), and a float that may have lost digits on its way
/// there (past 2^53 or 15 significant digits: an integer beyond `u64` is one) is an error.
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    text(deserializer)
}

/// [`string`] into any [`Textual`]: `api_core::Id` reads its inline string with it, so a
/// numeric id never goes through a `String`.
#[inline]
pub(crate) fn text<'de, D: Deserializer<'de>, T: Textual>(deserializer: D) -> Result<T, D::Error> {
    read(deserializer, Text(PhantomData), false)?
        .ok_or_else(|| D::Error::custom("expected text, found null"))
}

/// [`string`], with `null` (or absence, with `#[serde(default)]`) as `None`.
pub fn option_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    read(deserializer, Text(PhantomData), true)
}

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

/// Reads one scalar as `what` from its JSON text when the deserializer hands it over, else
/// through `deserialize_any`; `null` is `None` when `optional`, an error otherwise.
#[inline]
pub(crate) fn read<'de, D: Deserializer<'de>, R: Reading>(
    deserializer: D,
    what: R,
    optional: bool,
) -> Result<Option<R::Out>, D::Error> {
    deserializer.deserialize_newtype_struct(RAW_VALUE, Exact(Scalar { what, optional }))
}

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
struct Text<T>(PhantomData<fn() -> T>);

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
struct Scalar<R> {
    what: R,
    optional: bool,
}

impl<R: Reading> Scalar<R> {
    fn refused<E: serde::de::Error>(refusal: Refusal, found: impl std::fmt::Display) -> E {
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
    #[inline]
    fn on_raw<E: serde::de::Error>(self, raw: &str) -> Result<Option<R::Out>, E> {
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

/// [`Scalar`], asked for through [`RAW_VALUE`]: serde_json answers with a map holding the
/// value's text; other deserializers with `visit_newtype_struct` (read the value as usual) or,
/// when they treat a newtype struct as any value, with the value itself.
struct Exact<R>(Scalar<R>);

impl<'de, R: Reading> serde::de::Visitor<'de> for Exact<R> {
    type Value = Option<R::Out>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(R::EXPECTED)
    }

    #[inline]
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if map.next_key_seed(RawKey)? != Some(true) {
            return Err(Scalar::<R>::refused(Refusal::Mismatch, "an object"));
        }
        let raw = map.next_value_seed(RawText)?;
        // Read here rather than inside `next_value_seed`: an error then names the field, not
        // the field plus serde_json's private key (serde_path_to_error tracks keys).
        self.0.on_raw(&raw)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.visit_str(v)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.visit_u64(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.visit_i64(v)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Self::Value, E> {
        self.0.visit_u128(v)
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Self::Value, E> {
        self.0.visit_i128(v)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.visit_f64(v)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.visit_bool(v)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(a)
    }
}

/// The key of serde_json's raw-text map: `true` when it is [`RAW_VALUE`].
struct RawKey;

impl<'de> serde::de::DeserializeSeed<'de> for RawKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RawKey {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == RAW_VALUE)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<bool, E> {
        Ok(false)
    }
}

/// The value of serde_json's raw-text map: borrowed from the input when read from a slice or
/// a `str` (no copy), owned when read from a reader or written out from a `Value`.
struct RawText;

impl<'de> serde::de::DeserializeSeed<'de> for RawText {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RawText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a value's JSON text")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// An optional value that some servers send as `[]` (or `{}`, `""`, `null`) when there is
/// none: all of those are `None`.
pub fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    empty_or(
        deserializer,
        Empties {
            array: true,
            string: true,
        },
    )
}

/// Which values [`empty_or`] reads as none, besides `null` and `{}`.
#[derive(Clone, Copy)]
pub(crate) struct Empties {
    /// `[]`.
    pub(crate) array: bool,
    /// `""`.
    pub(crate) string: bool,
}

impl Empties {
    fn value(self, value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Object(o) => o.is_empty(),
            Value::Array(a) => self.array && a.is_empty(),
            Value::String(s) => self.string && s.is_empty(),
            _ => false,
        }
    }

    /// The same test on a value's JSON text (`[ ]` is empty too).
    fn raw(self, raw: &str) -> bool {
        let blank_inside = |open: char, close: char| {
            raw.strip_prefix(open)
                .and_then(|r| r.strip_suffix(close))
                .is_some_and(|inside| inside.trim().is_empty())
        };
        raw == "null"
            || blank_inside('{', '}')
            || (self.array && blank_inside('[', ']'))
            || (self.string && raw == "\"\"")
    }

    fn decode<T: DeserializeOwned, E: serde::de::Error>(
        self,
        value: Value,
    ) -> Result<Option<T>, E> {
        if self.value(&value) {
            return Ok(None);
        }
        serde_json::from_value(value).map(Some).map_err(E::custom)
    }
}

/// A `T`, or `None` for a value `empties` calls empty. It needs a look at the value before
/// decoding it: from serde_json, that look is at the value's text, and `T` is decoded from
/// the text, so its numbers keep their digits (a `serde_json::Value` in between would hold an
/// integer beyond `u64` as an `f64`: an id `18446744073709551617` became
/// `1.8446744073709552e+19`). From any other deserializer, through a `Value`.
pub(crate) fn empty_or<'de, D, T>(deserializer: D, empties: Empties) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    deserializer.deserialize_newtype_struct(
        RAW_VALUE,
        TextOrValue(EmptyOr {
            empties,
            marker: PhantomData,
        }),
    )
}

/// Any JSON value as text: a string's content, a number as the server wrote it (any size,
/// `12.50`), `true`, `false`, `null`, and an object or array as its JSON text (as written
/// when serde_json hands the text over, else as a `serde_json::Value` writes it).
///
/// For fields whose type is text but whose servers may send anything (a status text, a
/// timestamp): nothing fails to decode, and no number is rounded on the way.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Event {
///     #[serde(deserialize_with = "api_core::lenient::json_text")]
///     at: String,
/// }
/// let e: Event = serde_json::from_str(r#"{"at": 1700000000.123456789}"#)?;
/// assert_eq!(e.at, "1700000000.123456789");
/// let e: Event = serde_json::from_str(r#"{"at": {"unix": 17}}"#)?;
/// assert_eq!(e.at, r#"{"unix": 17}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn json_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_newtype_struct(RAW_VALUE, TextOrValue(JsonText))
}

/// What [`TextOrValue`] makes of a value's JSON text, or of the `Value` a deserializer that
/// does not hand the text over gives.
trait FromJson {
    type Out;
    fn text<E: serde::de::Error>(self, raw: &str) -> Result<Self::Out, E>;
    fn value<E: serde::de::Error>(self, value: Value) -> Result<Self::Out, E>;
}

struct EmptyOr<T> {
    empties: Empties,
    marker: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> FromJson for EmptyOr<T> {
    type Out = Option<T>;

    fn text<E: serde::de::Error>(self, raw: &str) -> Result<Option<T>, E> {
        if self.empties.raw(raw) {
            return Ok(None);
        }
        serde_json::from_str(raw).map(Some).map_err(E::custom)
    }

    fn value<E: serde::de::Error>(self, value: Value) -> Result<Option<T>, E> {
        self.empties.decode(value)
    }
}

struct JsonText;

impl FromJson for JsonText {
    type Out = String;

    fn text<E: serde::de::Error>(self, raw: &str) -> Result<String, E> {
        if raw.starts_with(['{', '[']) {
            return Ok(raw.to_owned());
        }
        // The common case, a string without escapes, is its text between the quotes: no
        // second parse (a page of flights reads two dates a record this way).
        // (A raw JSON string holds no bare quote; `[u8]::contains` is a memchr.)
        if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
            && !inner.as_bytes().contains(&b'\\')
        {
            return Ok(inner.to_owned());
        }
        let scalar = Scalar {
            what: Text::<String>(PhantomData),
            optional: true,
        };
        Ok(scalar.on_raw(raw)?.unwrap_or_else(|| "null".to_owned()))
    }

    fn value<E: serde::de::Error>(self, value: Value) -> Result<String, E> {
        Ok(match value {
            Value::String(s) => s,
            Value::Number(n) => {
                // A float from serde's buffer (untagged, flatten) may have lost digits on
                // the way, as for `string`. (Inside an object or array it is not checked.)
                if let (false, false, Some(f)) = (n.is_u64(), n.is_i64(), n.as_f64()) {
                    float_is_exact(f).map_err(|r| Scalar::<Text<String>>::refused::<E>(r, f))?;
                }
                n.to_string()
            }
            other => other.to_string(),
        })
    }
}

/// Asks for a value's JSON text through [`RAW_VALUE`]; a deserializer that does not hand it
/// over gives a `serde_json::Value` instead.
struct TextOrValue<F>(F);

impl<'de, F: FromJson> serde::de::Visitor<'de> for TextOrValue<F> {
    type Value = F::Out;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let first = match map.next_key_seed(KeyOrRaw)? {
            Some(Key::Raw) => {
                let raw = map.next_value_seed(RawText)?;
                return self.0.text(&raw);
            }
            Some(Key::Name(name)) => Some(name),
            None => None,
        };
        // A deserializer that hands over a newtype struct as any value, and this is a map.
        let mut object = serde_json::Map::new();
        if let Some(name) = first {
            object.insert(name, map.next_value()?);
            while let Some((name, value)) = map.next_entry::<String, Value>()? {
                object.insert(name, value);
            }
        }
        self.0.value(Value::Object(object))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.value(Value::deserialize(d)?)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.value(Value::deserialize(d)?)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        self.0.value(value)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.value(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.value(Value::from(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.value(Value::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.value(Value::from(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.value(Value::from(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.value(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.value(Value::Null)
    }
}

/// A map's first key, for [`TextOrValue`]: serde_json's raw-text key or any other.
enum Key {
    Raw,
    Name(String),
}

struct KeyOrRaw;

impl<'de> serde::de::DeserializeSeed<'de> for KeyOrRaw {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyOrRaw {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(if v == RAW_VALUE {
            Key::Raw
        } else {
            Key::Name(v.to_owned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    struct All {
        #[serde(deserialize_with = "string")]
        s: String,
        #[serde(default, deserialize_with = "option_string")]
        os: Option<String>,
        #[serde(deserialize_with = "u64")]
        n: u64,
        #[serde(default, deserialize_with = "option_u64")]
        on: Option<u64>,
        #[serde(deserialize_with = "f64")]
        f: f64,
        #[serde(default, deserialize_with = "empty_as_none")]
        map: Option<BTreeMap<String, Vec<String>>>,
    }

    #[test]
    fn accepts_both_spellings() {
        let a: All = serde_json::from_str(
            r#"{"s": 13343, "os": "x", "n": "1", "on": "", "f": "0.5", "map": []}"#,
        )
        .expect("lenient");
        assert_eq!(
            (a.s.as_str(), a.os.as_deref(), a.n, a.on, a.f, a.map),
            ("13343", Some("x"), 1, None, 0.5, None)
        );
        let a: All = serde_json::from_str(
            r#"{"s": "13343", "n": 7, "on": 3, "f": 1, "map": {"lang": ["bad"]}}"#,
        )
        .expect("lenient");
        assert_eq!((a.os, a.on, a.f), (None, Some(3), 1.0));
        assert_eq!(a.map.expect("map")["lang"], ["bad"]);
    }

    #[test]
    fn scalars_read_as_text_as_json_writes_them() {
        #[derive(Debug, Deserialize)]
        struct T {
            #[serde(deserialize_with = "string")]
            s: String,
            #[serde(default, deserialize_with = "option_string")]
            o: Option<String>,
        }
        for (json, s, o) in [
            (r#"{"s": 1.0, "o": null}"#, "1.0", None),
            (r#"{"s": -7, "o": true}"#, "-7", Some("true")),
            (
                r#"{"s": "x\u00e9", "o": 18446744073709551615}"#,
                "xé",
                Some("18446744073709551615"),
            ),
        ] {
            let t: T = serde_json::from_str(json).expect(json);
            assert_eq!((t.s.as_str(), t.o.as_deref()), (s, o), "{json}");
        }
        let err = serde_json::from_str::<T>(r#"{"s": null}"#).expect_err("null text");
        assert!(
            err.to_string().starts_with("expected text, found null"),
            "{err}"
        );
        let err = serde_json::from_str::<T>(r#"{"s": {}}"#).expect_err("object");
        assert!(
            err.to_string()
                .starts_with("expected text, found an object"),
            "{err}"
        );
    }

    #[test]
    fn integers_as_text() {
        for n in [0, 7, 10, 4711, -1, -987_654_321, i64::MIN, i64::MAX] {
            let text: String = string(serde_json::json!(n)).expect("i64");
            assert_eq!(text, n.to_string());
        }
        let text: String = string(serde_json::json!(u64::MAX)).expect("u64");
        assert_eq!(text, u64::MAX.to_string());
    }

    #[test]
    fn rejects_what_cannot_be_read() {
        for json in [
            r#"{"s": [], "n": 1, "f": 1}"#,
            r#"{"s": "a", "n": "one", "f": 1}"#,
            r#"{"s": "a", "n": -1, "f": 1}"#,
            r#"{"s": "a", "n": 1, "f": "x"}"#,
        ] {
            assert!(serde_json::from_str::<All>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn the_widest_integers_make_ids_and_text() {
        for n in ["18446744073709551615", "-9223372036854775808", "0", "-1"] {
            let id: crate::Id = serde_json::from_str(n).expect("id");
            assert_eq!(&*id.text(), n);
            let text: String = string(&mut serde_json::Deserializer::from_str(n)).expect("text");
            assert_eq!(text, n);
        }
    }

    /// Guards serde_json's private `RAW_VALUE` name: were it renamed or dropped, an integer
    /// beyond `u64` would reach the readers as a float and be refused, and this would fail.
    #[test]
    fn the_raw_text_token_still_works() {
        #[derive(Deserialize)]
        struct T {
            id: crate::Id,
        }
        let json = r#"{"id": 18446744073709551617}"#;
        let from_slice: T = serde_json::from_slice(json.as_bytes()).expect("slice");
        let from_str: T = serde_json::from_str(json).expect("str");
        let from_reader: T = serde_json::from_reader(json.as_bytes()).expect("reader");
        for t in [from_slice, from_str, from_reader] {
            assert_eq!(&*t.id.text(), "18446744073709551617");
        }
    }

    #[test]
    fn an_error_names_the_field_not_serde_jsons_private_key() {
        #[derive(Debug, Deserialize)]
        struct T {
            #[expect(dead_code, reason = "only the error is read")]
            #[serde(deserialize_with = "u64")]
            n: u64,
        }
        let json = br#"{"n": 18446744073709551616}"#;
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        let error = serde_path_to_error::deserialize::<_, T>(&mut deserializer).expect_err("big");
        assert_eq!(error.path().to_string(), "n");
        assert!(
            error
                .inner()
                .to_string()
                .starts_with("expected a whole number, found 18446744073709551616: more than"),
            "{error}"
        );
    }

    #[test]
    fn ids_as_map_keys_and_escaped_strings() {
        let json = r#"{"18446744073709551617": 1, "5001": 2, "a\u0062": 3}"#;
        let ids: BTreeMap<crate::Id, u8> = serde_json::from_str(json).expect("keys");
        let value: Value = serde_json::from_str(json).expect("value");
        let from_value: BTreeMap<crate::Id, u8> = serde_json::from_value(value).expect("keys");
        for ids in [ids, from_value] {
            let keys: Vec<String> = ids.keys().map(ToString::to_string).collect();
            assert_eq!(keys, ["18446744073709551617", "5001", "ab"]);
            assert_eq!(ids.keys().nth(1).and_then(crate::Id::as_u64), Some(5001));
        }
        let text: String =
            string(&mut serde_json::Deserializer::from_str(r#""\"x\"""#)).expect("escaped");
        assert_eq!(text, "\"x\"");
    }

    #[test]
    fn other_deserializers_take_the_usual_path() {
        use serde::de::IntoDeserializer;
        use serde::de::value::Error;
        let text: String =
            string(IntoDeserializer::<Error>::into_deserializer(12u64)).expect("u64");
        assert_eq!(text, "12");
        let text: String = string(IntoDeserializer::<Error>::into_deserializer(
            u128::from(u64::MAX) + 1,
        ))
        .expect("u128");
        assert_eq!(text, "18446744073709551616");
        let n = u64(IntoDeserializer::<Error>::into_deserializer(
            u128::from(u64::MAX) + 1,
        ))
        .expect_err("u128");
        assert!(n.to_string().ends_with("more than a u64 holds"), "{n}");
        let n = f64(IntoDeserializer::<Error>::into_deserializer(f64::NAN)).expect_err("nan");
        assert_eq!(
            n.to_string(),
            "expected a number, found NaN: not a finite number"
        );
        let id = string(IntoDeserializer::<Error>::into_deserializer(
            18_446_744_073_709_551_616f64,
        ))
        .expect_err("2^64");
        assert!(id.to_string().contains("may have lost digits"), "{id}");
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

    #[test]
    fn empty_as_none_keeps_the_digits_of_what_is_not_empty() {
        #[derive(Debug, Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "empty_as_none")]
            v: Option<BTreeMap<String, crate::Id>>,
        }
        for json in [
            r#"{"v": null}"#,
            r#"{"v": []}"#,
            r#"{"v": [ ]}"#,
            r#"{"v": {}}"#,
            r#"{"v": { }}"#,
            r#"{"v": ""}"#,
            "{}",
        ] {
            let t: T = serde_json::from_str(json).expect(json);
            assert!(t.v.is_none(), "{json}");
            let t: T = serde_json::from_value(serde_json::from_str(json).expect(json)).expect(json);
            assert!(t.v.is_none(), "{json}");
        }
        let t: T = serde_json::from_str(r#"{"v": {"a": 18446744073709551617}}"#).expect("id");
        let ids = t.v.expect("some");
        assert_eq!(
            ids.get("a").map(ToString::to_string).as_deref(),
            Some("18446744073709551617")
        );
        let error = serde_json::from_str::<T>(r#"{"v": [1]}"#).expect_err("array");
        assert!(
            error.to_string().starts_with("invalid type: sequence"),
            "{error}"
        );
        // Through serde's buffer (`flatten`), as before: through a `Value`.
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[serde(flatten)]
            t: T,
        }
        let outer: Outer = serde_json::from_str(r#"{"v": []}"#).expect("flatten");
        assert!(outer.t.v.is_none());
        let outer: Outer = serde_json::from_str(r#"{"v": {"a": 5}}"#).expect("flatten");
        assert_eq!(
            outer
                .t
                .v
                .expect("some")
                .get("a")
                .and_then(crate::Id::as_u64),
            Some(5)
        );
    }

    #[test]
    fn json_text_keeps_what_was_written() {
        #[derive(Debug, Deserialize)]
        struct T {
            #[serde(deserialize_with = "json_text")]
            v: String,
        }
        #[derive(Debug, Deserialize)]
        struct Flat {
            #[serde(flatten)]
            t: T,
        }
        for (raw, text, through_value, through_buffer) in [
            (
                "18446744073709551617",
                "18446744073709551617",
                "1.8446744073709552e+19",
                None,
            ),
            ("12.50", "12.50", "12.5", Some("12.5")),
            ("1e999", "1e999", "", None),
            ("-7", "-7", "-7", Some("-7")),
            ("null", "null", "null", Some("null")),
            ("true", "true", "true", Some("true")),
            (r#""a\"b""#, "a\"b", "a\"b", Some("a\"b")),
            (
                r#"{"b": 1, "a": [ ]}"#,
                r#"{"b": 1, "a": [ ]}"#,
                r#"{"a":[],"b":1}"#,
                Some(r#"{"a":[],"b":1}"#),
            ),
            ("[1, 2]", "[1, 2]", "[1,2]", Some("[1,2]")),
        ] {
            let json = format!(r#"{{"v": {raw}}}"#);
            let t: T = serde_json::from_str(&json).expect(raw);
            assert_eq!(t.v, text, "{raw}");
            if let Ok(value) = serde_json::from_str::<Value>(&json) {
                let t: T = serde_json::from_value(value).expect(raw);
                assert_eq!(t.v, through_value, "{raw}");
            }
            let flat = serde_json::from_str::<Flat>(&json).map(|f| f.t.v);
            match through_buffer {
                Some(text) => assert_eq!(flat.ok().as_deref(), Some(text), "{raw}"),
                None => assert!(flat.is_err(), "{raw}: {flat:?}"),
            }
        }
    }
}
