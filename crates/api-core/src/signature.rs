//! Webhook signatures.
//!
//! HMAC-SHA256 comes from `ring`, which the default TLS provider builds anyway: the
//! `hmac` and `sha2` crates cost about 2 s of every provider's clean build for the same
//! few functions.

use ring::hmac;

/// Checks a hex-encoded HMAC-SHA256 of `body` under `secret`, in constant time.
/// Surrounding whitespace and either hex case are accepted; anything else is `false`.
///
/// ```
/// use api_core::signature::verify_hmac_sha256_hex;
/// // RFC 4231, test case 2.
/// let sig = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
/// assert!(verify_hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?", sig));
/// assert!(!verify_hmac_sha256_hex(b"Jefe", b"what do ya want for something?", sig));
/// ```
pub fn verify_hmac_sha256_hex(secret: &[u8], body: &[u8], signature_hex: &str) -> bool {
    let Ok(expected) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    // `verify` compares in constant time, and a tag of any other length never matches.
    hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, secret), body, &expected).is_ok()
}

/// The hex HMAC-SHA256 of `body` under `secret` (to sign test payloads and sandbox webhooks).
pub fn hmac_sha256_hex(secret: &[u8], body: &[u8]) -> String {
    hex::encode(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            sig
        );
        assert!(verify_hmac_sha256_hex(
            b"Jefe",
            b"what do ya want for nothing?",
            sig
        ));
        assert!(verify_hmac_sha256_hex(
            b"Jefe",
            b"what do ya want for nothing?",
            &format!("  {}\n", sig.to_uppercase())
        ));
    }

    #[test]
    fn rejects_wrong_malformed_and_truncated_signatures() {
        let body = b"payload";
        let sig = hmac_sha256_hex(b"k", body);
        assert!(!verify_hmac_sha256_hex(b"other", body, &sig));
        assert!(!verify_hmac_sha256_hex(b"k", body, "zz"));
        assert!(!verify_hmac_sha256_hex(b"k", body, &sig[..62]));
        assert!(!verify_hmac_sha256_hex(b"k", body, ""));
        // One byte too many is as wrong as one too few.
        assert!(!verify_hmac_sha256_hex(b"k", body, &format!("{sig}00")));
    }

    #[test]
    fn keys_longer_than_a_block_are_hashed_first() {
        // RFC 4231 test case 6: a 131-byte key (longer than SHA-256's 64-byte block).
        let key = [0xaa; 131];
        let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
        let sig = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
        assert_eq!(hmac_sha256_hex(&key, data), sig);
        assert!(verify_hmac_sha256_hex(&key, data, sig));
        // An empty key is a valid HMAC key too.
        assert_eq!(
            hmac_sha256_hex(b"", b""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        );
    }
}
