//! The GSM 03.38 alphabet (the default 7-bit SMS alphabet) and its extension table.

/// Characters of the basic table, in table order.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Characters of the extension table (each is sent as escape + one septet; Netfinity
/// converts them to one-character look-alikes).
const EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// The ASCII members of both tables, indexed by code point, built from the tables themselves.
/// A search of the tables per character cost ~250 instructions; a message is mostly ASCII.
const ASCII: [bool; 128] = {
    let mut table = [false; 128];
    // A byte below 0x80 in UTF-8 is always a whole ASCII character, never part of another.
    let mut i = 0;
    while i < BASIC.len() {
        if BASIC.as_bytes()[i] < 0x80 {
            table[BASIC.as_bytes()[i] as usize] = true;
        }
        i += 1;
    }
    let mut i = 0;
    while i < EXTENSION.len() {
        if EXTENSION.as_bytes()[i] < 0x80 {
            table[EXTENSION.as_bytes()[i] as usize] = true;
        }
        i += 1;
    }
    // The escape character itself is not a printable character of a message.
    table[0x1b] = false;
    table
};

/// True when `c` can be sent in the GSM 03.38 alphabet (basic or extension table).
pub fn is_gsm(c: char) -> bool {
    match ASCII.get(c as usize) {
        Some(&ascii) => ascii,
        // The non-ASCII characters of `BASIC` and `EXTENSION` (a test checks the two agree).
        None => matches!(
            c,
            '£' | '¥'
                | 'è'
                | 'é'
                | 'ù'
                | 'ì'
                | 'ò'
                | 'Ç'
                | 'Ø'
                | 'ø'
                | 'Å'
                | 'å'
                | 'Δ'
                | 'Φ'
                | 'Γ'
                | 'Λ'
                | 'Ω'
                | 'Π'
                | 'Ψ'
                | 'Σ'
                | 'Θ'
                | 'Ξ'
                | 'Æ'
                | 'æ'
                | 'ß'
                | 'É'
                | '¤'
                | '¡'
                | 'Ä'
                | 'Ö'
                | 'Ñ'
                | 'Ü'
                | '§'
                | '¿'
                | 'ä'
                | 'ö'
                | 'ñ'
                | 'ü'
                | 'à'
                | '€'
        ),
    }
}

/// The first character of `text` outside the GSM alphabet, with its 1-based position.
pub fn first_non_gsm(text: &str) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|(_, c)| !is_gsm(*c))
        .map(|(i, c)| (i + 1, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_standard_sizes() {
        assert_eq!(BASIC.chars().count(), 128);
        assert_eq!(EXTENSION.chars().count(), 10);
    }

    #[test]
    fn lookup_matches_the_tables_for_every_character() {
        // The definition: a member of either table, the escape character excepted.
        let by_search = |c: char| c != '\u{1b}' && (BASIC.contains(c) || EXTENSION.contains(c));
        // Every GSM character is below U+20AC (€); the rest of the BMP and a few astral
        // characters check that nothing else slips in.
        let astral = ['\u{10000}', '\u{1F600}', '\u{10FFFF}'];
        for c in ('\0'..='\u{FFFF}').chain(astral) {
            assert_eq!(is_gsm(c), by_search(c), "{c:?} (U+{:04X})", c as u32);
        }
        assert_eq!(('\0'..='\u{FFFF}').filter(|&c| is_gsm(c)).count(), 127 + 10);
    }

    #[test]
    fn classifies_characters() {
        for c in "Hello, World! 0-9 @£$¥ èéùìò ÄÖÑÜ§¿äöñüà ΔΦΓΛΩΠΨΣΘΞ €[]{}|~^\\\n\r".chars()
        {
            assert!(is_gsm(c), "{c:?}");
        }
        for c in "жЖ`ąłç✓😀\u{1b}\t".chars() {
            assert!(!is_gsm(c), "{c:?}");
        }
    }

    #[test]
    fn finds_the_first_offender_by_character_position() {
        assert_eq!(first_non_gsm("Здравей"), Some((1, 'З')));
        assert_eq!(first_non_gsm("Hi é ok ж"), Some((9, 'ж')));
        assert_eq!(first_non_gsm("plain"), None);
    }
}
