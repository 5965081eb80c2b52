//! An OAuth2 access token, and reading one from a token endpoint's answer (RFC 6749 §5):
//! everything here takes the server's numbers and text as they come, within bounds.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::error::{Error, Result};

/// The longest a token from a token endpoint is kept: a longer `expires_in` counts as this
/// (24 hours). A server's lifetime is a number it controls; a token kept for years would
/// outlive a rotated secret, and one beyond what the clock holds would not be a time at all.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// An access token and when it stops being valid. Cloning is cheap (the token is shared).
#[derive(Clone)]
pub struct AccessToken {
    inner: Arc<TokenInner>,
}

struct TokenInner {
    secret: SecretString,
    expires_at: SystemTime,
    /// The refresh token the server issued with it (RFC 6749 §5.1), if any.
    refresh: Option<SecretString>,
    /// `Bearer <token>` as a sensitive header value, built at the first request that sends
    /// it (every call sends it, so building it per call would cost an allocation each).
    bearer: OnceLock<Option<HeaderValue>>,
}

impl AccessToken {
    /// A token valid until `expires_at`.
    pub fn new(secret: impl Into<String>, expires_at: SystemTime) -> Self {
        Self {
            inner: Arc::new(TokenInner {
                secret: SecretString::from(secret.into()),
                expires_at,
                refresh: None,
                bearer: OnceLock::new(),
            }),
        }
    }

    /// The same token with the refresh token the server issued with it.
    pub fn with_refresh_token(self, refresh: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(TokenInner {
                secret: self.inner.secret.clone(),
                expires_at: self.inner.expires_at,
                refresh: Some(SecretString::from(refresh.into())),
                bearer: OnceLock::new(),
            }),
        }
    }

    /// The refresh token issued with this token, if the server sent one (kept from
    /// [`AccessToken::from_token_answer`]).
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.inner.refresh.as_ref()
    }

    /// The token in a token endpoint's answer (RFC 6749 §5.1), valid from `requested_at` for
    /// its `expires_in` (a number or a numeric string; 300 s when absent; at most
    /// [`MAX_TOKEN_LIFETIME`]). For a [`TokenFetcher`](crate::TokenFetcher) of your own; the
    /// transport's uses it.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use api_core::{AccessToken, StatusCode};
    ///
    /// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let body = br#"{"access_token":"abc","token_type":"bearer","expires_in":"1200"}"#;
    /// let token = AccessToken::from_token_answer(StatusCode::OK, body, now)?;
    /// assert_eq!(token.expires_at(), now + Duration::from_secs(1200));
    ///
    /// let refused = br#"{"error":"invalid_client","error_description":"unknown client"}"#;
    /// let error = AccessToken::from_token_answer(StatusCode::UNAUTHORIZED, refused, now)
    ///     .expect_err("refused");
    /// assert_eq!(
    ///     error.to_string(),
    ///     "authentication failed: token endpoint answered HTTP 401 (invalid_client: unknown client)"
    /// );
    /// # Ok::<(), api_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Auth`] for a status other than 2xx (with the server's `error` and
    /// `error_description`, bounded) or a body that holds no token.
    pub fn from_token_answer(
        status: reqwest::StatusCode,
        body: &[u8],
        requested_at: SystemTime,
    ) -> Result<Self> {
        if !status.is_success() {
            let detail = serde_json::from_slice::<TokenErrorResponse>(body)
                .ok()
                .and_then(|e| match (e.error, e.error_description) {
                    (Some(code), Some(text)) => Some(format!("{code}: {text}")),
                    (code, text) => code.or(text),
                })
                .map(|d| {
                    format!(
                        " ({})",
                        crate::error::bounded(&d, crate::error::ApiError::TEXT_LIMIT)
                    )
                })
                .unwrap_or_default();
            return Err(Error::Auth(format!(
                "token endpoint answered HTTP {}{detail}",
                status.as_u16()
            )));
        }
        let token: TokenResponse = serde_json::from_slice(body).map_err(|e| {
            Error::Auth(format!(
                "token response is not a valid token: {}",
                crate::error::bounded(&e.to_string(), crate::error::ApiError::TEXT_LIMIT)
            ))
        })?;
        // Without `expires_in`, assume a short life rather than forever; a server's lifetime
        // beyond `MAX_TOKEN_LIFETIME` (or beyond what the clock can hold) counts as that.
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(300)).min(MAX_TOKEN_LIFETIME);
        let expires_at = requested_at.checked_add(lifetime).unwrap_or(requested_at);
        let access = AccessToken::new(token.access_token, expires_at);
        Ok(match token.refresh_token.filter(|r| !r.is_empty()) {
            Some(refresh) => access.with_refresh_token(refresh),
            None => access,
        })
    }

    /// The token itself.
    pub fn secret(&self) -> &SecretString {
        &self.inner.secret
    }

    /// When it expires.
    pub fn expires_at(&self) -> SystemTime {
        self.inner.expires_at
    }

    /// True when it is still valid `margin` from now (a margin beyond what the clock can
    /// hold: never).
    pub fn is_fresh(&self, margin: Duration) -> bool {
        SystemTime::now()
            .checked_add(margin)
            .is_some_and(|then| then < self.inner.expires_at)
    }

    /// The `Authorization` header value (`Bearer <token>`, marked sensitive).
    ///
    /// # Errors
    /// [`Error::Config`] when the token holds characters a header cannot carry.
    pub(crate) fn bearer(&self) -> Result<HeaderValue> {
        self.inner
            .bearer
            .get_or_init(|| crate::auth::bearer(self.inner.secret.expose_secret()).ok())
            .clone()
            .ok_or_else(|| {
                Error::Config("a credential holds characters not allowed in a header".into())
            })
    }

    pub(crate) fn same_as(&self, other: &AccessToken) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || self.secret().expose_secret() == other.secret().expose_secret()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"[REDACTED]")
            .field("expires_at", &self.inner.expires_at)
            .field(
                "refresh_token",
                &self.inner.refresh.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

/// The token endpoint's success body (RFC 6749 §5.1). `expires_in` arrives as a number or a
/// string depending on the server.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub(crate) expires_in: Option<u64>,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
}

/// The token endpoint's error body (RFC 6749 §5.2).
#[derive(Deserialize)]
pub(crate) struct TokenErrorResponse {
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
}

fn lenient_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Float(f64),
        Text(String),
    }
    Ok(match Option::<Seconds>::deserialize(d)? {
        Some(Seconds::Number(n)) => Some(n),
        Some(Seconds::Float(f)) if f.is_finite() && f >= 0.0 => Some(f as u64),
        Some(Seconds::Text(t)) => t.trim().parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_header_is_built_once_marked_sensitive_and_shared_by_clones() {
        let token = AccessToken::new("abc.def", SystemTime::now() + Duration::from_secs(60));
        let header = token.bearer().expect("valid token");
        assert_eq!(header, "Bearer abc.def");
        assert!(header.is_sensitive());
        let clone = token.clone();
        assert!(Arc::ptr_eq(&token.inner, &clone.inner));
        assert!(
            clone.inner.bearer.get().is_some(),
            "built once, seen by clones"
        );
        assert!(clone.same_as(&token));
    }
    #[test]
    fn a_token_no_header_can_carry_is_a_config_error_at_use() {
        let token = AccessToken::new("bad\ntoken", SystemTime::now() + Duration::from_secs(60));
        let error = token.bearer().expect_err("newline");
        assert_eq!(
            error.to_string(),
            "configuration error: a credential holds characters not allowed in a header"
        );
    }
    #[test]
    fn token_response_accepts_numbers_and_strings() {
        let t: TokenResponse = serde_json::from_str(
            r#"{"access_token":"a","expires_in":"1200","token_type":"bearer"}"#,
        )
        .expect("decoded");
        assert_eq!(t.expires_in, Some(1200));
        let t: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a","expires_in":1199}"#).expect("decoded");
        assert_eq!(t.expires_in, Some(1199));
        let t: TokenResponse = serde_json::from_str(r#"{"access_token":"a"}"#).expect("decoded");
        assert_eq!(t.expires_in, None);
    }
}
