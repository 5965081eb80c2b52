//! Identifiers that servers send as strings in one place and numbers in another.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smol_str::SmolStr;

/// An id that servers send as a JSON string or a number: `"5001"` and `5001` are the same id.
/// It is sent as a string. Providers re-export it under their own name.
///
/// Equality, order and hash are the text's: `Id::from(5001) == Id::from("5001")`, while
/// `"05001"` is another id, and `"10"` sorts before `"9"`.
///
/// ```
/// let a: api_core::Id = serde_json::from_str("5001")?;
/// let b: api_core::Id = serde_json::from_str("\"5001\"")?;
/// assert_eq!(a, b);
/// assert_eq!(a.as_u64(), Some(5001));
/// assert_eq!(&*a.text(), "5001");
/// assert_eq!(serde_json::to_string(&a)?, "\"5001\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
// A number is kept as one: a list page holds thousands of ids, and reading each as text
// cost 12% of decoding a page of FL3XX flights (docs/performance.md). Other text is a
// `SmolStr`, inline up to 23 bytes. The option niche is `SmolStr`'s: `Option<Id>` is 24 bytes.
#[derive(Clone)]
pub struct Id(Repr);

// `Text` never holds what `Number` would (the canonical digits of a `u64`): equality and
// hash can then be the variants' own, and still be the text's.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Number(u64),
    Text(SmolStr),
}

impl Id {
    /// The id's text, without an allocation for a numeric id.
    ///
    /// ```
    /// let id = api_core::Id::from(5001);
    /// let text = id.text();
    /// assert_eq!(text.as_ref(), "5001");
    /// assert_eq!(text.len(), 4); // a `str` method, through `Deref`
    /// ```
    pub fn text(&self) -> IdText<'_> {
        match &self.0 {
            Repr::Number(n) => IdText::number(*n),
            Repr::Text(text) => IdText(TextRepr::Borrowed(text)),
        }
    }

    /// The id as a number, when its text is the decimal digits of a `u64` (no sign, no
    /// leading zero).
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            Repr::Number(n) => Some(n),
            Repr::Text(_) => None,
        }
    }
}

/// The number `text` spells in canonical form (what `u64`'s `Display` writes), if any.
#[inline]
fn canonical_u64(text: &str) -> Option<u64> {
    let digits = text.as_bytes();
    // One pass, where `parse` would need a second to rule out `+5`.
    if digits.len() < 20 {
        return canonical_below_10_19(digits);
    }
    match digits {
        // No sign, no leading zero; `u64::MAX` has 20 digits.
        [b'1'..=b'9', ..] if digits.len() == 20 => {}
        _ => return None,
    }
    digits.iter().try_fold(0u64, |n, &b| {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// [`canonical_u64`] for up to 19 digits: the common case, ids come as numbers by the
/// thousand in list pages. Also the lenient readers' fast path for a number's JSON text
/// (lenient/scalar.rs, `Scalar::on_raw`).
#[inline(always)]
pub(crate) fn canonical_below_10_19(digits: &[u8]) -> Option<u64> {
    match digits {
        [b'0'] => return Some(0),
        // No sign, no leading zero.
        [b'1'..=b'9', ..] if digits.len() < 20 => {}
        _ => return None,
    }
    // Below 10^19: cannot overflow, so wrapping arithmetic is exact here and costs what
    // plain arithmetic does.
    let mut n = 0u64;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n = n.wrapping_mul(10).wrapping_add(u64::from(digit));
    }
    Some(n)
}

/// Text that is not a number, inline when it fits.
fn text(id: &str) -> Repr {
    // `new_inline` skips `SmolStr::new`'s check for whitespace-only text.
    Repr::Text(if id.len() <= 23 {
        SmolStr::new_inline(id)
    } else {
        SmolStr::new(id)
    })
}

impl From<&str> for Id {
    #[inline]
    fn from(id: &str) -> Self {
        Self(match canonical_u64(id) {
            Some(n) => Repr::Number(n),
            None => text(id),
        })
    }
}

impl From<String> for Id {
    fn from(id: String) -> Self {
        Self(match canonical_u64(&id) {
            Some(n) => Repr::Number(n),
            None => Repr::Text(SmolStr::from(id)),
        })
    }
}

impl From<u64> for Id {
    fn from(id: u64) -> Self {
        Self(Repr::Number(id))
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Id {}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Id {
    fn cmp(&self, other: &Self) -> Ordering {
        // The text's order, numbers included (`"10"` before `"9"`): one order for ids that
        // mix digits and other text.
        match (&self.0, &other.0) {
            (Repr::Text(a), Repr::Text(b)) => a.cmp(b),
            _ => self.text().cmp(&other.text()),
        }
    }
}

// As the text's: `Id("5001")`, whichever way it arrived.
impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Id").field(&&*self.text()).finish()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text())
    }
}

impl Id {
    /// Reads an optional id: `null` is `None`, anything else decodes as an [`Id`] does. What
    /// `Option<Id>`'s `Deserialize` reads, in one step: serde's `Option` first looks for
    /// `null`, then reads the value, while the id's reader, which asks serde_json for the
    /// value's JSON text, sees `null` anyway.
    ///
    /// For ids that are seldom `null`: from serde_json, a numeric id costs about 35
    /// instructions less than through `Option<Id>`, a `null` some 200 more (its text is
    /// checked and handed over like any value's; docs/performance.md). A spec opts its id
    /// type in with `x-deserialize-option-with`, and the generated models then read their
    /// optional ids with it (FL3XX: a page of flights holds six ids a flight, none `null`).
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Flight {
    ///     #[serde(default, deserialize_with = "api_core::Id::deserialize_option")]
    ///     quote_id: Option<api_core::Id>,
    /// }
    /// let f: Flight = serde_json::from_str(r#"{"quote_id": 555001}"#)?;
    /// assert_eq!(f.quote_id.and_then(|id| id.as_u64()), Some(555_001));
    /// let f: Flight = serde_json::from_str(r#"{"quote_id": null}"#)?;
    /// assert!(f.quote_id.is_none());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// # Errors
    /// What `Id`'s `Deserialize` refuses (an object, an array), with the same message.
    #[inline]
    pub fn deserialize_option<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        crate::lenient::scalar::option_text(deserializer)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::lenient::scalar::text(deserializer)
    }
}

impl crate::lenient::scalar::Textual for Id {
    fn unsigned(n: u64) -> Self {
        Self(Repr::Number(n))
    }
    fn signed(n: i64) -> Self {
        match u64::try_from(n) {
            Ok(n) => Self(Repr::Number(n)),
            // Never canonical `u64` digits: it has a sign.
            Err(_) => Self(text(itoa::Buffer::new().format(n))),
        }
    }
    // The digits of a `u64` in line, anything else out of line: ids come as numbers by the
    // thousand in list pages, and each now arrives as its text (lenient/raw.rs).
    #[inline]
    fn number(number: &str) -> Self {
        match canonical_u64(number) {
            Some(n) => Self(Repr::Number(n)),
            None => Self::uncommon_number(number),
        }
    }
}

impl Id {
    /// A number that is not a `u64`'s canonical digits (`-1`, `12.50`, `18446744073709551616`).
    #[cold]
    #[inline(never)]
    fn uncommon_number(number: &str) -> Self {
        Self(text(number))
    }
}

/// An [`Id`]'s text: a `&str` through [`Deref`], written out on the stack for a numeric id.
#[derive(Clone, Copy)]
pub struct IdText<'a>(TextRepr<'a>);

#[derive(Clone, Copy)]
enum TextRepr<'a> {
    /// `u64::MAX` has 20 digits.
    Digits {
        buf: [u8; 20],
        len: u8,
    },
    Borrowed(&'a str),
}

impl IdText<'_> {
    fn number(n: u64) -> Self {
        let mut buf = [0u8; 20];
        let mut writer = itoa::Buffer::new();
        let digits = writer.format(n).as_bytes();
        buf[..digits.len()].copy_from_slice(digits);
        // At most 20: fits a `u8`.
        let len = digits.len() as u8;
        Self(TextRepr::Digits { buf, len })
    }
}

impl Deref for IdText<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match &self.0 {
            // ASCII digits: always UTF-8.
            TextRepr::Digits { buf, len } => {
                std::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or_default()
            }
            TextRepr::Borrowed(text) => text,
        }
    }
}

impl AsRef<str> for IdText<'_> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl fmt::Debug for IdText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for IdText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl PartialEq<str> for IdText<'_> {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl PartialEq<&str> for IdText<'_> {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::hash::BuildHasher;

    #[test]
    fn equality_order_hash_and_debug_are_the_texts() {
        let long = "an-id-longer-than-twenty-three-bytes";
        let texts = [
            "5001",
            "18446744073709551615",
            "18446744073709551616",
            "0",
            "05001",
            "+5001",
            "-42",
            "",
            long,
        ];
        let hasher = std::collections::hash_map::RandomState::new();
        for text in texts {
            let id = Id::from(text);
            assert_eq!(id, Id::from(text.to_owned()));
            assert_eq!(
                hasher.hash_one(&id),
                hasher.hash_one(Id::from(text.to_owned()))
            );
            assert_eq!((&*id.text(), id.to_string()), (text, text.to_owned()));
            assert_eq!(format!("{id:?}"), format!("Id({text:?})"));
            assert_eq!(format!("{:?}", id.text()), format!("{text:?}"));
        }
        // Ordered as the texts, whichever way each is kept.
        let ids: BTreeSet<Id> = texts.iter().map(|&text| Id::from(text)).collect();
        let by_text: BTreeSet<&str> = texts.into_iter().collect();
        let ordered: Vec<String> = ids.iter().map(Id::to_string).collect();
        assert_eq!(ordered, by_text.into_iter().collect::<Vec<_>>());
        assert!(Id::from(10) < Id::from(9));
        assert!(Id::from(10u64.pow(19)) < Id::from(9));
        assert!(Id::from(42) < Id::from("42a"));
    }

    #[test]
    fn a_number_is_the_same_id_as_its_canonical_digits_only() {
        assert_eq!(Id::from(u64::MAX), Id::from("18446744073709551615"));
        assert_eq!(Id::from(0), Id::from("0"));
        assert_eq!(Id::from("5001").as_u64(), Some(5001));
        for text in [
            "05001",
            "+5001",
            " 5001",
            "5001 ",
            "18446744073709551616",
            "-1",
            "",
        ] {
            assert_eq!(Id::from(text).as_u64(), None, "{text:?}");
        }
        assert_ne!(Id::from(5001), Id::from("05001"));
    }

    /// Numbers read from their JSON text (lenient/raw.rs): up to 19 digits in line
    /// (`Scalar::on_raw`'s fast path), anything else as before.
    #[test]
    fn numbers_keep_every_digit_whichever_path_reads_them() {
        for (json, text, number) in [
            ("0", "0", Some(0)),
            ("7", "7", Some(7)),
            ("987654", "987654", Some(987_654)),
            (
                "9999999999999999999",
                "9999999999999999999",
                Some(9_999_999_999_999_999_999),
            ),
            // 20 digits: the slow path, still a number when it fits.
            (
                "10000000000000000000",
                "10000000000000000000",
                Some(10_000_000_000_000_000_000),
            ),
            (
                "18446744073709551615",
                "18446744073709551615",
                Some(u64::MAX),
            ),
            // Beyond `u64`: the digits as text.
            ("18446744073709551616", "18446744073709551616", None),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
                None,
            ),
            ("-42", "-42", None),
            ("-0", "-0", None),
            ("-9223372036854775809", "-9223372036854775809", None),
            // Float-looking numbers: as written.
            ("1.5", "1.5", None),
            ("12.50", "12.50", None),
            ("1e3", "1e3", None),
            ("1.0", "1.0", None),
            ("\"5001\"", "5001", Some(5001)),
            ("\"0042\"", "0042", None),
            ("\"18446744073709551616\"", "18446744073709551616", None),
        ] {
            for id in [
                serde_json::from_str::<Id>(json).expect(json),
                serde_json::from_slice::<Id>(json.as_bytes()).expect(json),
            ] {
                assert_eq!((&*id.text(), id.as_u64()), (text, number), "{json}");
            }
            let optional = Id::deserialize_option(&mut serde_json::Deserializer::from_str(json))
                .expect(json)
                .expect("some");
            assert_eq!(
                (&*optional.text(), optional.as_u64()),
                (text, number),
                "{json}"
            );
        }
    }

    /// `Id::deserialize_option` reads what `Option<Id>` reads, through serde_json's text, a
    /// `Value` and serde's buffer (`flatten`), errors included.
    #[test]
    fn deserialize_option_reads_what_option_reads() {
        #[derive(Debug, Deserialize)]
        struct Plain {
            #[serde(default)]
            id: Option<Id>,
        }
        #[derive(Debug, Deserialize)]
        struct OneStep {
            #[serde(default, deserialize_with = "Id::deserialize_option")]
            id: Option<Id>,
        }
        #[derive(Debug, Deserialize)]
        struct Flat<T> {
            #[serde(flatten)]
            inner: T,
        }
        fn all<T: serde::de::DeserializeOwned + std::fmt::Debug>(
            json: &str,
            id: impl Fn(T) -> Option<Id>,
        ) -> [Result<Option<String>, String>; 3] {
            let text = |r: Result<T, serde_json::Error>| {
                r.map(|t| id(t).map(|id| format!("{id:?}/{:?}", id.as_u64())))
                    .map_err(|e| e.to_string())
            };
            let value: serde_json::Value = serde_json::from_str(json).expect(json);
            [
                text(serde_json::from_str(json)),
                text(serde_json::from_value(value)),
                text(serde_json::from_str::<Flat<T>>(json).map(|f| f.inner)),
            ]
        }
        for value in [
            "null",
            "5001",
            "\"5001\"",
            "\"x\"",
            "-3",
            "2.5",
            "true",
            "{}",
            "[]",
            "[1]",
            "18446744073709551615",
            "\"\"",
        ] {
            let json = format!(r#"{{"id": {value}}}"#);
            assert_eq!(
                all::<OneStep>(&json, |t| t.id),
                all::<Plain>(&json, |t| t.id),
                "{json}"
            );
        }
        assert_eq!(all::<OneStep>("{}", |t| t.id), all::<Plain>("{}", |t| t.id));
    }

    #[test]
    fn decodes_strings_numbers_and_scalars_and_sends_a_string() {
        let cases = [
            ("5001", "5001", Some(5001)),
            ("\"5001\"", "5001", Some(5001)),
            ("\"05001\"", "05001", None),
            ("-42", "-42", None),
            ("1.5", "1.5", None),
            ("true", "true", None),
            (
                "\"an-id-longer-than-twenty-three-bytes\"",
                "an-id-longer-than-twenty-three-bytes",
                None,
            ),
        ];
        for (json, text, number) in cases {
            let id: Id = serde_json::from_str(json).expect(json);
            assert_eq!((&*id.text(), id.as_u64()), (text, number), "{json}");
            assert_eq!(
                serde_json::to_string(&id).expect("json"),
                format!("{text:?}"),
                "{json}"
            );
        }
        for (json, message) in [
            ("null", "expected text, found null"),
            ("{}", "expected text, found an object"),
            ("[]", "expected text, found an array"),
        ] {
            let error = serde_json::from_str::<Id>(json)
                .expect_err(json)
                .to_string();
            assert!(error.starts_with(message), "{json}: {error}");
        }
    }
}
