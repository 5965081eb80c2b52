//! The GSM 03.38 alphabet (the default 7-bit SMS alphabet) and its extension table.
//!
//! The `netfinity` client crate has its own copy on purpose: the emulator depends on no
//! client crate, so that a bug in the client's rules cannot hide behind the same bug here.

/// Characters of the basic table, in table order.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Characters of the extension table (each is sent as escape + one septet).
const EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// True when `c` is in the basic table or the extension table (the escape character itself
/// is not a character of a message).
pub(super) fn is_gsm(c: char) -> bool {
    c != '\u{1b}' && (BASIC.contains(c) || EXTENSION.contains(c))
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
}
