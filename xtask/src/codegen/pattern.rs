//! Spec `pattern`s compiled into `api_core::validate::Pattern` data: anchored sequences of
//! character classes with counts (`^[0-9]{8,20}$`, `^[A-Z]{3}$`, `^\d+-[a-z]?$`). That subset
//! covers the bounds the four APIs document, and matching it needs no regular-expression
//! engine in the clients. Anything outside it (alternation, groups, negated classes) is an
//! error, never a pattern silently left unchecked.

/// One class and its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub ranges: Vec<(char, char)>,
    pub min: u32,
    /// `None`: unbounded.
    pub max: Option<u32>,
}

/// Parses `source` (found at `at`, for errors).
pub fn parse(source: &str, at: &str) -> Result<Vec<Piece>, String> {
    let unsupported = |what: &str| {
        format!(
            "{at}: `pattern: {source}` uses {what}, which the generator does not support \
             (anchored sequences of classes with counts only)"
        )
    };
    let body = source
        .strip_prefix('^')
        .and_then(|s| s.strip_suffix('$'))
        .ok_or_else(|| unsupported("no `^…$` anchors"))?;
    let chars: Vec<char> = body.chars().collect();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let ranges = match chars[i] {
            '[' => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .ok_or_else(|| unsupported("an unclosed `[`"))?;
                let class = &chars[i + 1..i + end];
                i += end + 1;
                class_ranges(class).map_err(|what| unsupported(&what))?
            }
            '\\' => {
                let escaped = *chars
                    .get(i + 1)
                    .ok_or_else(|| unsupported("a trailing `\\`"))?;
                i += 2;
                escape_ranges(escaped).map_err(|what| unsupported(&what))?
            }
            '.' => {
                i += 1;
                vec![('\0', char::MAX)]
            }
            c @ ('(' | ')' | '|' | '^' | '$' | '*' | '+' | '?' | '{' | '}') => {
                return Err(unsupported(&format!("`{c}` here")));
            }
            c => {
                i += 1;
                vec![(c, c)]
            }
        };
        let (min, max) = match chars.get(i) {
            Some('?') => {
                i += 1;
                (0, Some(1))
            }
            Some('*') => {
                i += 1;
                (0, None)
            }
            Some('+') => {
                i += 1;
                (1, None)
            }
            Some('{') => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == '}')
                    .ok_or_else(|| unsupported("an unclosed `{`"))?;
                let counts: String = chars[i + 1..i + end].iter().collect();
                i += end + 1;
                let number = |text: &str| {
                    text.trim()
                        .parse::<u32>()
                        .map_err(|_| unsupported(&format!("the count `{{{counts}}}`")))
                };
                match counts.split_once(',') {
                    None => {
                        let n = number(&counts)?;
                        (n, Some(n))
                    }
                    Some((low, "")) => (number(low)?, None),
                    Some((low, high)) => {
                        let (low, high) = (number(low)?, number(high)?);
                        if low > high {
                            return Err(unsupported(&format!("the count `{{{counts}}}`")));
                        }
                        (low, Some(high))
                    }
                }
            }
            _ => (1, Some(1)),
        };
        pieces.push(Piece { ranges, min, max });
    }
    Ok(pieces)
}

fn escape_ranges(c: char) -> Result<Vec<(char, char)>, String> {
    Ok(match c {
        'd' => vec![('0', '9')],
        'w' => vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        's' => vec![('\t', '\r'), (' ', ' ')],
        c if c.is_ascii_punctuation() => vec![(c, c)],
        c => return Err(format!("the escape `\\{c}`")),
    })
}

fn class_ranges(class: &[char]) -> Result<Vec<(char, char)>, String> {
    if class.first() == Some(&'^') {
        return Err("a negated class".to_owned());
    }
    if class.is_empty() {
        return Err("an empty class".to_owned());
    }
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < class.len() {
        let (low, next) = match class[i] {
            '\\' => {
                let escaped = *class.get(i + 1).ok_or("a trailing `\\`")?;
                let mut found = escape_ranges(escaped)?;
                if found.len() > 1 || escaped.is_ascii_alphabetic() {
                    ranges.append(&mut found);
                    i += 2;
                    continue;
                }
                (escaped, i + 2)
            }
            c => (c, i + 1),
        };
        if class.get(next) == Some(&'-') && next + 1 < class.len() {
            let high = class[next + 1];
            if high < low {
                return Err(format!("the range `{low}-{high}`"));
            }
            ranges.push((low, high));
            i = next + 2;
        } else {
            ranges.push((low, low));
            i = next;
        }
    }
    Ok(ranges)
}

/// `pieces` in words, for error messages: "8 to 20 of 0-9".
pub fn meaning(pieces: &[Piece]) -> String {
    let parts: Vec<String> = pieces
        .iter()
        .map(|piece| {
            let class: Vec<String> = piece
                .ranges
                .iter()
                .map(|&(lo, hi)| match (lo, hi) {
                    ('\0', char::MAX) => "any character".to_owned(),
                    (lo, hi) if lo == hi => format!("{lo}"),
                    (lo, hi) => format!("{lo}-{hi}"),
                })
                .collect();
            let class = class.join(", ");
            let count = match (piece.min, piece.max) {
                (1, Some(1)) => "one".to_owned(),
                (0, Some(1)) => "an optional".to_owned(),
                (n, Some(m)) if n == m => format!("{n}"),
                (0, None) => "any number".to_owned(),
                (n, None) => format!("{n} or more"),
                (n, Some(m)) => format!("{n} to {m}"),
            };
            format!("{count} of {class}")
        })
        .collect();
    parts.join(", then ")
}

/// `pieces` as a Rust `&[api_core::validate::Piece]` expression.
pub fn rust(pieces: &[Piece]) -> String {
    let items: Vec<String> = pieces
        .iter()
        .map(|piece| {
            let ranges: Vec<String> = piece
                .ranges
                .iter()
                .map(|(lo, hi)| format!("({lo:?}, {hi:?})"))
                .collect();
            let max = piece
                .max
                .map_or_else(|| "u32::MAX".to_owned(), |m| m.to_string());
            format!(
                "api_core::validate::Piece {{ ranges: &[{}], min: {}, max: {max} }}",
                ranges.join(", "),
                piece.min
            )
        })
        .collect();
    format!("&[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supported_subset() {
        let pieces = parse("^[0-9]{8,20}$", "t").expect("digits");
        assert_eq!(
            pieces,
            vec![Piece {
                ranges: vec![('0', '9')],
                min: 8,
                max: Some(20)
            }]
        );
        assert_eq!(meaning(&pieces), "8 to 20 of 0-9");
        let pieces = parse(r"^[A-Za-z0-9]+\-?\d{2,}x$", "t").expect("mixed");
        assert_eq!(pieces.len(), 4);
        assert_eq!(pieces[0].ranges, vec![('A', 'Z'), ('a', 'z'), ('0', '9')]);
        assert_eq!((pieces[1].min, pieces[1].max), (0, Some(1)));
        assert_eq!((pieces[2].min, pieces[2].max), (2, None));
        assert_eq!(pieces[3].ranges, vec![('x', 'x')]);
        assert_eq!(
            rust(&pieces[3..]),
            "&[api_core::validate::Piece { ranges: &[('x', 'x')], min: 1, max: 1 }]"
        );
    }

    #[test]
    fn what_is_not_supported_is_an_error() {
        for pattern in [
            "[0-9]+", "^(a|b)$", "^[^0-9]$", "^a{3,1}$", "^[z-a]$", "^\\p$",
        ] {
            assert!(parse(pattern, "t").is_err(), "{pattern}");
        }
    }
}
