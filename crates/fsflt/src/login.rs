//! One-time login links built from an auth token.

use api_core::{Error, Result};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::AuthToken;

/// The host of FlashStart's own panel.
pub const DEFAULT_LOGIN_HOST: &str = "cloud.flashstart.com";

/// Escapes what is not already URL-safe: the docs say the token "is already URL encoded", so
/// `%` and unreserved characters pass through untouched (no double encoding).
const TOKEN: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'%');

impl AuthToken {
    /// The one-time login link on FlashStart's panel:
    /// `https://cloud.flashstart.com/?auth_token=<token>`, valid until the token expires.
    ///
    /// ```
    /// let token = fsflt::AuthToken { token: "abc%2Fdef".into(), expiration: "15 min".into() };
    /// assert_eq!(token.login_url(), "https://cloud.flashstart.com/?auth_token=abc%2Fdef");
    /// ```
    pub fn login_url(&self) -> String {
        format!(
            "https://{DEFAULT_LOGIN_HOST}/?auth_token={}",
            utf8_percent_encode(&self.token, TOKEN)
        )
    }

    /// The same link on a white-label host (`filter.example.com`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `host` is not a bare host name (no scheme, path or port
    /// separators other than `:port`).
    pub fn login_url_for(&self, host: &str) -> Result<String> {
        let valid = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
            && !host.starts_with(['.', '-', ':']);
        if !valid {
            return Err(Error::invalid_input(
                "host",
                format!("must be a bare host name such as filter.example.com; got {host:?}"),
            ));
        }
        Ok(format!(
            "https://{host}/?auth_token={}",
            utf8_percent_encode(&self.token, TOKEN)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        let token = AuthToken {
            token: "a b+c%20d".into(),
            expiration: "15 min".into(),
        };
        assert_eq!(
            token.login_url(),
            "https://cloud.flashstart.com/?auth_token=a%20b%2Bc%20d"
        );
        assert_eq!(
            token.login_url_for("filter.example.com").expect("host"),
            "https://filter.example.com/?auth_token=a%20b%2Bc%20d"
        );
        for bad in ["", "https://x.com", "x.com/path", "-x.com", "x.com?a"] {
            assert!(token.login_url_for(bad).is_err(), "{bad}");
        }
    }
}
