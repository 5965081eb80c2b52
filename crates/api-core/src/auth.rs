//! Credentials and how they are put on a request.
//!
//! Every credential is a [`SecretString`]: its `Debug` prints `[REDACTED]`, and it is exposed
//! only at the moment a header value is built, which is then marked sensitive so that
//! `reqwest`/`hyper` never log it either.

use std::fmt;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};
use crate::oauth2::OAuth2;

/// How a client authenticates.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// One or more API-key headers (fl3xx sends two: `X-Api-Client-Id` and `X-Auth-Token`).
    Headers(Arc<[(HeaderName, SecretString)]>),
    /// `Authorization: Bearer <token>` with a fixed token.
    Bearer(SecretString),
    /// `Authorization: Bearer <token>` with a token from an OAuth2 client-credentials flow,
    /// cached and refreshed ahead of expiry.
    OAuth2(Arc<OAuth2>),
}

impl Auth {
    /// A single API-key header.
    ///
    /// ```
    /// use api_core::Auth;
    /// let auth = Auth::api_key("x-api-key", "s3cr3t")?;
    /// assert!(!format!("{auth:?}").contains("s3cr3t"));
    /// # Ok::<(), api_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] when `name` is not a valid header name.
    pub fn api_key(name: &str, key: impl Into<String>) -> Result<Self> {
        Self::api_keys([(name, key.into())])
    }

    /// Several API-key headers, all sent on every request.
    ///
    /// # Errors
    /// [`Error::Config`] when a name is not a valid header name.
    pub fn api_keys<N: AsRef<str>>(keys: impl IntoIterator<Item = (N, String)>) -> Result<Self> {
        let headers = keys
            .into_iter()
            .map(|(name, key)| {
                let name = HeaderName::from_bytes(name.as_ref().as_bytes()).map_err(|_| {
                    Error::Config(format!("`{}` is not a valid header name", name.as_ref()))
                })?;
                Ok((name, SecretString::from(key)))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Auth::Headers(headers.into()))
    }

    /// A fixed bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Auth::Bearer(SecretString::from(token.into()))
    }

    /// A stable name for this credential that does not reveal it: the first 128 bits of a
    /// SHA-256 over the credential, in hex. Stores shared between processes key their state
    /// by it (one rate-limit budget per token, one cached token per OAuth2 client), so two
    /// processes with the same credential meet under the same key. An OAuth2 credential is
    /// named by its token URL, client id and scopes: the tokens belong to the client, not to
    /// a version of its secret.
    ///
    /// ```
    /// use api_core::Auth;
    /// let a = Auth::bearer("token-a").fingerprint();
    /// assert_eq!(a, Auth::bearer("token-a").fingerprint());
    /// assert_ne!(a, Auth::bearer("token-b").fingerprint());
    /// assert_eq!(a.len(), 32);
    /// assert!(!a.contains("token-a"));
    /// ```
    pub fn fingerprint(&self) -> String {
        let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
        // Every part is length-prefixed so that no two credentials hash the same bytes.
        let mut part = |bytes: &[u8]| {
            hash.update(&(bytes.len() as u64).to_be_bytes());
            hash.update(bytes);
        };
        match self {
            Auth::None => part(b"none"),
            Auth::Headers(headers) => {
                part(b"headers");
                for (name, value) in headers.iter() {
                    part(name.as_str().as_bytes());
                    part(value.expose_secret().as_bytes());
                }
            }
            Auth::Bearer(token) => {
                part(b"bearer");
                part(token.expose_secret().as_bytes());
            }
            // Computed once per configuration (`OAuth2::partition`): the same bytes.
            Auth::OAuth2(oauth) => return oauth.partition().to_owned(),
        }
        hex::encode(&hash.finish().as_ref()[..16])
    }
}

/// [`Auth::fingerprint`] of an OAuth2 configuration: its token URL, client id and scopes,
/// length-prefixed, never the secret.
pub(crate) fn oauth2_fingerprint(oauth: &OAuth2) -> String {
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    let mut part = |bytes: &[u8]| {
        hash.update(&(bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    part(b"oauth2");
    part(oauth.token_url.as_str().as_bytes());
    part(oauth.client_id.as_bytes());
    for scope in &oauth.scopes {
        part(scope.as_bytes());
    }
    hex::encode(&hash.finish().as_ref()[..16])
}

/// Which credential of which provider a rate limiter or token cache serves, without the
/// credential itself: what a store shared between processes keys its state by.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialScope {
    /// The provider name (`"netfinity"`, `"flexiti"`, ...).
    pub provider: &'static str,
    /// [`Auth::fingerprint`] of the credential.
    pub fingerprint: String,
}

impl CredentialScope {
    /// The scope of `auth` at `provider`.
    pub fn new(provider: &'static str, auth: &Auth) -> Self {
        Self {
            provider,
            fingerprint: auth.fingerprint(),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Headers(headers) => f
                .debug_map()
                .entries(
                    headers
                        .iter()
                        .map(|(name, _)| (name.as_str(), "[REDACTED]")),
                )
                .finish(),
            Auth::Bearer(_) => f.write_str("Bearer([REDACTED])"),
            Auth::OAuth2(oauth) => f.debug_tuple("OAuth2").field(oauth).finish(),
        }
    }
}

/// A header value built from a secret, marked sensitive so HTTP libraries never log it.
pub(crate) fn secret_header(value: &str) -> Result<HeaderValue> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::Config("a credential holds characters not allowed in a header".into())
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// The headers of a fixed credential (API keys, static bearer), built once when the client is
/// built: a malformed credential is a configuration error before any request, and no attempt
/// pays for formatting it again. OAuth2 adds nothing here: its token changes.
pub(crate) fn static_headers(auth: &Auth) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    match auth {
        Auth::None | Auth::OAuth2(_) => {}
        Auth::Headers(keys) => {
            for (name, key) in keys.iter() {
                headers.insert(name.clone(), secret_header(key.expose_secret())?);
            }
        }
        Auth::Bearer(token) => {
            headers.insert(AUTHORIZATION, bearer(token.expose_secret())?);
        }
    }
    Ok(headers)
}

/// `Bearer <token>`, marked sensitive.
pub(crate) fn bearer(token: &str) -> Result<HeaderValue> {
    secret_header(&format!("Bearer {token}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_set_sensitive_and_debug_is_redacted() {
        let auth = Auth::api_keys([
            ("X-Api-Client-Id", "client-123".to_owned()),
            ("X-Auth-Token", "token-456".to_owned()),
        ])
        .expect("valid names");
        let headers = static_headers(&auth).expect("applied");
        assert_eq!(headers["x-api-client-id"], "client-123");
        assert_eq!(headers["x-auth-token"], "token-456");
        assert!(headers["x-auth-token"].is_sensitive());
        let debug = format!("{auth:?} {headers:?}");
        assert!(
            !debug.contains("client-123") && !debug.contains("token-456"),
            "{debug}"
        );

        let bearer = Auth::bearer("abc");
        let headers = static_headers(&bearer).expect("applied");
        assert_eq!(headers[AUTHORIZATION], "Bearer abc");
        assert_eq!(format!("{bearer:?}"), "Bearer([REDACTED])");
    }

    #[test]
    fn bad_header_names_and_values_are_config_errors() {
        assert!(matches!(
            Auth::api_key("bad name", "k"),
            Err(Error::Config(_))
        ));
        let auth = Auth::bearer("line\nbreak");
        let err = static_headers(&auth).expect_err("invalid");
        assert!(!err.to_string().contains("line"));
    }

    #[test]
    fn fingerprints_are_stable_across_versions() {
        // Processes of different versions meet in a shared store under these names: the
        // values are pinned (SHA-256 of the length-prefixed parts, first 16 bytes).
        assert_eq!(Auth::None.fingerprint(), "9506f170afb36fca8c02831b18c88d72");
        assert_eq!(
            Auth::bearer("token-a").fingerprint(),
            "1432c657a43e4a580d03938062cdd731"
        );
        let key = Auth::api_key("X-Auth-Token", "k-1").expect("valid name");
        assert_eq!(key.fingerprint(), "1c2a03d7a1e57061c6eba804267ae437");
        let oauth = OAuth2::client_credentials("https://auth.example.com/token", "client-1", "s")
            .expect("valid URL")
            .scopes(["merchant"]);
        let rotated = OAuth2::client_credentials("https://auth.example.com/token", "client-1", "t")
            .expect("valid URL")
            .scopes(["merchant"]);
        let (oauth, rotated) = (
            Auth::OAuth2(Arc::new(oauth)),
            Auth::OAuth2(Arc::new(rotated)),
        );
        assert_eq!(oauth.fingerprint(), "6746c14137ed26218ec47bc83a7669ec");
        assert_eq!(
            rotated.fingerprint(),
            oauth.fingerprint(),
            "the secret is not part of it"
        );
    }
}
