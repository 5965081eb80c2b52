//! The GSM 03.38 alphabet (the default 7-bit SMS alphabet) and its extension table.

/// Characters of the basic table, in table order.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Characters of the extension table (each is sent as escape + one septet; Netfinity
/// converts them to one-character look-alikes).
const EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// True when `c` can be sent in the GSM 03.38 alphabet (basic or extension table).
pub fn is_gsm(c: char) -> bool {
    // The escape character itself is not a printable character of a message.
    c != '\u{1b}' && (BASIC.contains(c) || EXTENSION.contains(c))
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
