//! Webhook signatures.

use hmac::{Hmac, Mac};
use sha2::Sha256;

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
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The hex HMAC-SHA256 of `body` under `secret` (to sign test payloads and sandbox webhooks).
pub fn hmac_sha256_hex(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
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
    }
}
