//! Input checks made before a request is sent, and the structured error they return.
//!
//! Generated code calls these with the bounds of `specs/<provider>.yaml` (`minimum`,
//! `maximum`, `minLength`, `maxLength`, `pattern`), so a bound lives once, in the spec. A
//! refusal is an [`InvalidInput`] naming the field, the [`Rule`], the offending value (cut to
//! [`InvalidInput::TEXT_LIMIT`]) and, for a pattern, the position of the first character that
//! does not fit.
//!
//! ```
//! use api_core::validate::{self, Rule};
//!
//! let err = validate::range("limit", 51_u8, Some(10), Some(50)).unwrap_err();
//! let invalid = err.invalid_input_details().expect("an input error");
//! assert_eq!(invalid.rule, Rule::Maximum(50));
//! assert_eq!(invalid.value.as_deref(), Some("51"));
//! assert_eq!(err.to_string(), "invalid `limit`: must be at most 50; got 51");
//! ```

use std::fmt;

use crate::error::{Clipped, bound_in_place};
use crate::{Error, Result};

/// The rule an input broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Below the spec's `minimum`.
    Minimum(i64),
    /// Above the spec's `maximum`.
    Maximum(i64),
    /// Fewer characters than the spec's `minLength`.
    MinLength(u64),
    /// More characters than the spec's `maxLength`.
    MaxLength(u64),
    /// Does not match the spec's `pattern` (its source).
    Pattern(&'static str),
    /// Not in the spec's `format` (`date`, `date-time`).
    Format(&'static str),
    /// A required value is missing or empty.
    Required,
    /// A rule a schema cannot express (a character set, a cross-field rule), named by the
    /// hand-written check that applies it.
    Custom(&'static str),
    /// A hand-written check that names no rule.
    Other,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Minimum(n) => write!(f, "minimum {n}"),
            Rule::Maximum(n) => write!(f, "maximum {n}"),
            Rule::MinLength(n) => write!(f, "minLength {n}"),
            Rule::MaxLength(n) => write!(f, "maxLength {n}"),
            Rule::Pattern(p) => write!(f, "pattern {p}"),
            Rule::Format(name) => write!(f, "format {name}"),
            Rule::Required => f.write_str("required"),
            Rule::Custom(name) => f.write_str(name),
            Rule::Other => f.write_str("other"),
        }
    }
}

/// Input the client rejected before sending anything.
///
/// [`Error::invalid_input`] and the checks of [`crate::validate`] keep each text to
/// [`InvalidInput::TEXT_LIMIT`] bytes, and `Display` and `Debug` show no more.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidInput {
    /// The offending field or parameter.
    pub field: String,
    /// Why it was rejected.
    pub message: String,
    /// The rule it broke.
    pub rule: Rule,
    /// The offending value, as text (`None` when it is a secret or was not given).
    pub value: Option<String>,
    /// The 1-based position of the first offending character, when one is to blame.
    pub position: Option<usize>,
}

impl InvalidInput {
    /// The most bytes kept of [`InvalidInput::field`], [`InvalidInput::message`] and
    /// [`InvalidInput::value`] (the cut marker included): they may quote the caller's input.
    pub const TEXT_LIMIT: usize = 512;

    /// An input error with every text cut to [`InvalidInput::TEXT_LIMIT`].
    pub fn new(field: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        let (mut field, mut message) = (field.into(), message.into());
        bound_in_place(&mut field, Self::TEXT_LIMIT);
        bound_in_place(&mut message, Self::TEXT_LIMIT);
        InvalidInput {
            field,
            message,
            rule,
            value: None,
            position: None,
        }
    }

    /// The same, quoting the offending `value` (cut to [`InvalidInput::TEXT_LIMIT`]).
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        let mut value = value.into();
        bound_in_place(&mut value, Self::TEXT_LIMIT);
        self.value = Some(value);
        self
    }

    /// The same, naming the 1-based `position` of the offending character.
    pub fn at(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }
}

impl From<InvalidInput> for Error {
    fn from(invalid: InvalidInput) -> Self {
        Error::InvalidInput(Box::new(invalid))
    }
}

/// Written by hand so that fields changed after construction still print bounded.
impl fmt::Debug for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvalidInput")
            .field("field", &Clipped::new(&self.field, Self::TEXT_LIMIT))
            .field("message", &Clipped::new(&self.message, Self::TEXT_LIMIT))
            .field("rule", &self.rule)
            .field(
                "value",
                &self
                    .value
                    .as_deref()
                    .map(|v| Clipped::new(v, Self::TEXT_LIMIT)),
            )
            .field("position", &self.position)
            .finish()
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid `{}`: {}",
            Clipped::new(&self.field, Self::TEXT_LIMIT),
            Clipped::new(&self.message, Self::TEXT_LIMIT)
        )
    }
}

impl std::error::Error for InvalidInput {}

/// A request model whose spec states bounds: generated code checks them before sending.
pub trait Validate {
    /// Checks every bound of the spec, naming the first value that breaks one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field and the [`Rule`].
    fn validate(&self) -> Result<()>;
}

/// `result` with the offending value dropped from its error: for a secret's checks.
///
/// # Errors
/// The error of `result`, without [`InvalidInput::value`].
pub fn secret(result: Result<()>) -> Result<()> {
    result.map_err(|mut error| {
        if let Error::InvalidInput(invalid) = &mut error {
            invalid.value = None;
            // A pattern's message quotes the character that did not fit.
            if let Rule::Pattern(source) = invalid.rule {
                invalid.message = format!("must match `{source}`");
            }
        }
        error
    })
}

/// Checks an integer against the spec's `minimum` and `maximum` (both inclusive).
///
/// # Errors
/// [`Error::InvalidInput`] with [`Rule::Minimum`] or [`Rule::Maximum`].
pub fn range(
    field: &'static str,
    value: impl Into<i128> + Copy + fmt::Display,
    minimum: Option<i64>,
    maximum: Option<i64>,
) -> Result<()> {
    let n: i128 = value.into();
    if let Some(min) = minimum
        && n < i128::from(min)
    {
        return Err(InvalidInput::new(
            field,
            Rule::Minimum(min),
            format!("must be at least {min}; got {value}"),
        )
        .with_value(value.to_string())
        .into());
    }
    if let Some(max) = maximum
        && n > i128::from(max)
    {
        return Err(InvalidInput::new(
            field,
            Rule::Maximum(max),
            format!("must be at most {max}; got {value}"),
        )
        .with_value(value.to_string())
        .into());
    }
    Ok(())
}

/// Checks a text's length in characters (Unicode scalar values, as JSON Schema counts them)
/// against the spec's `minLength` and `maxLength`.
///
/// # Errors
/// [`Error::InvalidInput`] with [`Rule::MinLength`] or [`Rule::MaxLength`].
pub fn length(
    field: &'static str,
    value: &str,
    min_length: Option<u64>,
    max_length: Option<u64>,
) -> Result<()> {
    // Counting stops one past the maximum: a huge text costs no more than a short one.
    let limit = max_length.map_or(usize::MAX, |max| {
        usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1)
    });
    // A text of fewer bytes than the limit has fewer characters too: counted by
    // `str::chars().count()` (no decoding, unlike `take`: 233 instructions for a 20-character
    // SMS text before).
    let chars = if value.len() < limit {
        value.chars().count()
    } else {
        value.chars().take(limit).count()
    };
    let chars = u64::try_from(chars).unwrap_or(u64::MAX);
    if let Some(min) = min_length
        && chars < min
    {
        let message = if min == 1 && chars == 0 {
            "must not be empty".to_owned()
        } else {
            format!("must be at least {min} characters; got {chars}")
        };
        return Err(InvalidInput::new(field, Rule::MinLength(min), message)
            .with_value(value)
            .into());
    }
    if let Some(max) = max_length
        && chars > max
    {
        return Err(InvalidInput::new(
            field,
            Rule::MaxLength(max),
            format!("must be at most {max} characters"),
        )
        .with_value(value)
        .into());
    }
    Ok(())
}

/// Checks a text against a spec `pattern` (compiled by codegen into a [`Pattern`]).
///
/// # Errors
/// [`Error::InvalidInput`] with [`Rule::Pattern`], the value, and the position of the first
/// character no match could take.
pub fn pattern(field: &'static str, value: &str, pattern: &Pattern) -> Result<()> {
    match pattern.first_mismatch(value) {
        None => Ok(()),
        Some(Mismatch::At { position, found }) => Err(InvalidInput::new(
            field,
            Rule::Pattern(pattern.source),
            format!(
                "must match `{}` ({}); found {found:?} at position {position}",
                pattern.source, pattern.meaning
            ),
        )
        .with_value(value)
        .at(position)
        .into()),
        Some(Mismatch::Length { chars }) => Err(InvalidInput::new(
            field,
            Rule::Pattern(pattern.source),
            format!(
                "must match `{}` ({}); {chars} characters do not",
                pattern.source, pattern.meaning
            ),
        )
        .with_value(value)
        .into()),
    }
}

/// A spec `pattern` in the subset codegen compiles (anchored sequences of character classes
/// with counts, such as `^[0-9]{8,20}$`), so matching needs no regular-expression engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// The pattern as the spec writes it.
    pub source: &'static str,
    /// The pattern in words (from codegen), for error messages.
    pub meaning: &'static str,
    /// The pieces, in order.
    pub pieces: &'static [Piece],
}

/// One character class of a [`Pattern`], repeated `min..=max` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Inclusive character ranges; a character matches when it is in any of them.
    pub ranges: &'static [(char, char)],
    /// Fewest repetitions.
    pub min: u32,
    /// Most repetitions (`u32::MAX`: unbounded).
    pub max: u32,
}

impl Piece {
    fn matches(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }

    /// The ASCII characters of the class, bit `c` for character `c`: one shift and test a
    /// character instead of a walk over the ranges.
    fn ascii_mask(&self) -> u128 {
        let mut mask = 0u128;
        for &(lo, hi) in self.ranges {
            let (lo, hi) = (u32::from(lo), u32::from(hi).min(127));
            if lo > hi {
                continue;
            }
            // `hi - lo + 1` ones, shifted up to `lo` (both at most 127).
            let ones = u128::MAX
                .checked_shr(127u32.saturating_sub(hi.saturating_sub(lo)))
                .unwrap_or(0);
            mask |= ones.checked_shl(lo).unwrap_or(0);
        }
        mask
    }
}

/// Why a text does not match a [`Pattern`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mismatch {
    /// The character at `position` (1-based) cannot be taken.
    At { position: usize, found: char },
    /// Every character fits a class, but the counts do not (too short or too long).
    Length { chars: usize },
}

impl Pattern {
    /// True when `text` matches the whole pattern.
    pub fn is_match(&self, text: &str) -> bool {
        self.first_mismatch(text).is_none()
    }

    /// Each piece takes as many characters as it may, never giving one back: no allocation,
    /// one pass. A success is a match; a failure may not be (a later piece may have needed a
    /// character an earlier one took), so the backtracking search decides then.
    fn greedy_match(&self, text: &str) -> bool {
        if text.is_ascii() {
            self.greedy_match_ascii(text.as_bytes())
        } else {
            self.greedy_match_chars(text)
        }
    }

    fn greedy_match_chars(&self, text: &str) -> bool {
        let mut chars = text.chars().peekable();
        for piece in self.pieces {
            let mut taken: u32 = 0;
            while taken < piece.max && chars.next_if(|&c| piece.matches(c)).is_some() {
                taken = taken.saturating_add(1);
            }
            if taken < piece.min {
                return false;
            }
        }
        chars.next().is_none()
    }

    /// [`Self::greedy_match`] for an ASCII text, byte by byte: each byte is a whole
    /// character, so no UTF-8 decoding (a phone number or an id cost ~37 instructions a
    /// character through `Chars`).
    fn greedy_match_ascii(&self, text: &[u8]) -> bool {
        let mut at: usize = 0;
        for piece in self.pieces {
            let mask = piece.ascii_mask();
            // In two words: a test is one 64-bit shift (a `u128` shift takes several).
            let (low, high) = (mask as u64, mask.checked_shr(64).unwrap_or(0) as u64);
            let member = |b: u8| match b {
                0..=63 => low.checked_shr(u32::from(b)).unwrap_or(0) & 1 == 1,
                64..=127 => high.checked_shr(u32::from(b & 63)).unwrap_or(0) & 1 == 1,
                _ => false,
            };
            let mut taken: u32 = 0;
            while taken < piece.max {
                match text.get(at) {
                    Some(&b) if member(b) => {
                        at = at.saturating_add(1);
                        taken = taken.saturating_add(1);
                    }
                    _ => break,
                }
            }
            if taken < piece.min {
                return false;
            }
        }
        at == text.len()
    }

    fn first_mismatch(&self, text: &str) -> Option<Mismatch> {
        if self.greedy_match(text) {
            return None;
        }
        let chars: Vec<char> = text.chars().collect();
        let mut furthest = 0;
        if self.matches_from(&chars, 0, 0, &mut furthest) {
            return None;
        }
        Some(match chars.get(furthest) {
            Some(&found) => Mismatch::At {
                position: furthest.saturating_add(1),
                found,
            },
            None => Mismatch::Length { chars: chars.len() },
        })
    }

    /// Backtracking over the pieces; `furthest` is the furthest character any attempt took.
    /// Patterns are short and their classes mostly disjoint, so this stays cheap; the work is
    /// bounded by the text's length times the pattern's pieces times their counts.
    fn matches_from(&self, text: &[char], piece: usize, at: usize, furthest: &mut usize) -> bool {
        *furthest = (*furthest).max(at);
        let Some(current) = self.pieces.get(piece) else {
            return at == text.len();
        };
        let rest = text.get(at..).unwrap_or_default();
        let available = rest.iter().take_while(|&&c| current.matches(c)).count();
        let most = available.min(usize::try_from(current.max).unwrap_or(usize::MAX));
        let least = usize::try_from(current.min).unwrap_or(usize::MAX);
        if most < least {
            *furthest = (*furthest).max(at.saturating_add(available));
            return false;
        }
        (least..=most).rev().any(|taken| {
            self.matches_from(
                text,
                piece.saturating_add(1),
                at.saturating_add(taken),
                furthest,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGITS: Pattern = Pattern {
        source: "^[0-9]{8,20}$",
        meaning: "8 to 20 digits",
        pieces: &[Piece {
            ranges: &[('0', '9')],
            min: 8,
            max: 20,
        }],
    };

    const CODE: Pattern = Pattern {
        source: "^[A-Z]{2}[0-9A-Z]*-?[0-9]+$",
        meaning: "test",
        pieces: &[
            Piece {
                ranges: &[('A', 'Z')],
                min: 2,
                max: 2,
            },
            Piece {
                ranges: &[('0', '9'), ('A', 'Z')],
                min: 0,
                max: u32::MAX,
            },
            Piece {
                ranges: &[('-', '-')],
                min: 0,
                max: 1,
            },
            Piece {
                ranges: &[('0', '9')],
                min: 1,
                max: u32::MAX,
            },
        ],
    };

    fn invalid(result: Result<()>) -> InvalidInput {
        match result {
            Err(Error::InvalidInput(invalid)) => *invalid,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn ranges_name_the_bound_and_the_value() {
        assert!(range("limit", 10_u8, Some(10), Some(50)).is_ok());
        assert!(range("limit", 50_u8, Some(10), Some(50)).is_ok());
        let low = invalid(range("limit", 9_u8, Some(10), Some(50)));
        assert_eq!(low.rule, Rule::Minimum(10));
        assert_eq!(low.value.as_deref(), Some("9"));
        assert_eq!(low.message, "must be at least 10; got 9");
        let high = invalid(range("n", u64::MAX, None, Some(i64::MAX)));
        assert_eq!(high.rule, Rule::Maximum(i64::MAX));
        assert!(range("n", i64::MIN, None, None).is_ok());
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(length("name", "Здравей", Some(1), Some(7)).is_ok());
        let long = invalid(length("name", "Здравейте", Some(1), Some(7)));
        assert_eq!(long.rule, Rule::MaxLength(7));
        assert_eq!(long.message, "must be at most 7 characters");
        let empty = invalid(length("name", "", Some(1), None));
        assert_eq!(
            (empty.rule, empty.message.as_str()),
            (Rule::MinLength(1), "must not be empty")
        );
        let short = invalid(length("code", "AB", Some(3), Some(3)));
        assert_eq!(short.message, "must be at least 3 characters; got 2");
    }

    #[test]
    fn a_huge_value_is_quoted_bounded() {
        let huge = "x".repeat(1 << 20);
        let err = invalid(length("name", &huge, None, Some(5)));
        assert!(
            err.value
                .as_ref()
                .is_some_and(|v| v.len() <= InvalidInput::TEXT_LIMIT)
        );
    }

    #[test]
    fn patterns_name_the_first_character_that_cannot_match() {
        assert!(DIGITS.is_match("35988123456"));
        let plus = invalid(pattern("msisdn", "+35988123456", &DIGITS));
        assert_eq!(plus.rule, Rule::Pattern("^[0-9]{8,20}$"));
        assert_eq!(plus.position, Some(1));
        assert_eq!(
            plus.message,
            "must match `^[0-9]{8,20}$` (8 to 20 digits); found '+' at position 1"
        );
        let letter = invalid(pattern("msisdn", "3598812x456", &DIGITS));
        assert_eq!(letter.position, Some(8));
        let short = invalid(pattern("msisdn", "1234567", &DIGITS));
        assert_eq!(short.position, None);
        assert!(
            short.message.ends_with("7 characters do not"),
            "{}",
            short.message
        );
        let long = invalid(pattern("msisdn", &"1".repeat(21), &DIGITS));
        assert_eq!(long.position, Some(21));
    }

    #[test]
    fn an_ascii_mask_holds_the_class_ascii_characters() {
        let piece = |ranges: &'static [(char, char)]| Piece {
            ranges,
            min: 1,
            max: 1,
        };
        for ranges in [
            &[('0', '9')][..],
            &[('A', 'Z'), ('a', 'z'), ('0', '9')],
            &[('\0', '\u{7f}')],
            &[('\0', '\0'), ('\u{7f}', '\u{10FFFF}')],
            &[(' ', 'é')],
            &[('é', 'ж')],
            &[('z', 'a')],
        ] {
            let piece = piece(ranges);
            let mask = piece.ascii_mask();
            for c in '\0'..='\u{7f}' {
                let bit = mask.checked_shr(u32::from(c)).unwrap_or(0) & 1 == 1;
                assert_eq!(bit, piece.matches(c), "{ranges:?} {c:?}");
            }
        }
    }

    #[test]
    fn the_ascii_path_matches_as_the_char_path_does() {
        let texts = [
            "",
            "1",
            "12345678",
            "1234567",
            "123456789012345678901",
            "AB",
            "AB1-2",
            "ABC9",
            "AB-",
            "ab12",
            "12ab",
            "A",
            "ZZZZZZ-0",
            "AB 1",
            "A\u{7f}",
            "é1",
        ];
        for pattern in [DIGITS, CODE] {
            for text in texts {
                assert_eq!(
                    pattern.greedy_match(text),
                    pattern.greedy_match_chars(text),
                    "{} on {text:?}",
                    pattern.source
                );
            }
        }
    }

    #[test]
    fn patterns_backtrack_across_overlapping_classes() {
        assert!(CODE.is_match("AB12"));
        assert!(CODE.is_match("ABX1-2"));
        assert!(CODE.is_match("AB1"));
        assert!(!CODE.is_match("AB"));
        assert!(!CODE.is_match("A1"));
        assert!(!CODE.is_match("ABX-"));
        assert_eq!(
            CODE.first_mismatch("ABx1"),
            Some(Mismatch::At {
                position: 3,
                found: 'x'
            })
        );
    }
}
