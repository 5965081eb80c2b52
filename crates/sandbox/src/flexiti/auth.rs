//! OAuth: the two token endpoints (client credentials, refresh tokens, scopes) and the
//! bearer check of every other call.

use crate::generated::flexiti as spec;
use axum::http::header::{ALLOW, AUTHORIZATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::Serialize;
use tokio::time::Instant;

use super::wire::{self, Problem, Style};
use super::{FlexitiHandle, State};

/// The parameters that must not travel in a token request's query string.
const SECRET_PARAMS: [&str; 6] = [
    "client_id",
    "client_secret",
    "grant_type",
    "refresh_token",
    "username",
    "password",
];

/// Which API a token belongs to: each has its own token endpoint, and a token of one is
/// refused by the other (they are different hosts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    Pos,
    Online,
}

/// The scope of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    Merchant,
    Customer,
}

impl Scope {
    pub(super) fn name(self) -> &'static str {
        match self {
            Scope::Merchant => spec::OAUTH2_MERCHANT_SCOPE,
            Scope::Customer => spec::OAUTH2_CUSTOMER_SCOPE,
        }
    }
}

/// An access token.
#[derive(Debug, Clone)]
pub(super) struct Token {
    api: Api,
    pub(super) scope: Scope,
    expires: Instant,
}

/// A refresh token: usable once, while the access token issued with it is valid.
#[derive(Debug, Clone)]
pub(super) struct Grant {
    api: Api,
    scope: Scope,
    access: String,
}

/// The token answer, in the documented field order.
#[derive(Serialize)]
struct Issued<'a> {
    token_type: &'static str,
    access_token: &'a str,
    expires_in: u64,
    refresh_token: &'a str,
    scope: &'static str,
}

impl FlexitiHandle {
    /// `POST /flexiti/pos-api/v2.5/oauth/token` and `POST /flexiti/online-api/oauth/token`.
    pub(super) fn token(&self, api: Api, parts: &Parts, body: &[u8]) -> Response {
        self.state().token_requests += 1;
        match self.issue(api, parts, body) {
            Ok(response) => response,
            Err(problem) => {
                let allow = problem.status == StatusCode::METHOD_NOT_ALLOWED;
                let mut response = problem.render(Style::OAuth).into_response();
                if allow {
                    response
                        .headers_mut()
                        .insert(ALLOW, HeaderValue::from_static("POST"));
                }
                response
            }
        }
    }

    fn issue(&self, api: Api, parts: &Parts, body: &[u8]) -> Result<Response, Problem> {
        if parts.method != Method::POST {
            return Err(Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("Request method '{}' not supported", parts.method),
            ));
        }
        let query = wire::pairs(parts.uri.query().unwrap_or(""));
        if query
            .iter()
            .any(|(n, _)| SECRET_PARAMS.contains(&n.as_str()))
        {
            return Err(Problem::oauth(
                "invalid_request",
                "Parameters must be sent in an application/x-www-form-urlencoded body, not in the query string",
            ));
        }
        // No body and no content type: the missing parameters are reported instead.
        let bare =
            body.iter().all(u8::is_ascii_whitespace) && wire::media_type(&parts.headers).is_empty();
        if !(wire::is_form(&parts.headers) || bare) {
            return Err(Problem::oauth(
                "invalid_request",
                "Content type must be application/x-www-form-urlencoded",
            ));
        }
        // The token request carries `x-reference-id` too: "HEADER | x-reference-id | Yes |
        // ASCII string (32) GUID" (Online API Endpoints Reference, `POST /oauth/token`; newer
        // Authentication revisions list it the same way). Checked after the encoding, before
        // the credentials.
        if wire::header(&parts.headers, "x-reference-id").is_none_or(|v| v.trim().is_empty()) {
            return Err(Problem::oauth(
                "invalid_request",
                "Missing x-reference-id header",
            ));
        }
        let form = wire::pairs(&String::from_utf8_lossy(body));
        let param = |name: &str| {
            form.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let config = self.config();
        let (id, secret) = match basic_credentials(&parts.headers) {
            Some((id, secret)) => (Some(id), Some(secret)),
            None => (
                param("client_id").map(str::to_owned),
                param("client_secret").map(str::to_owned),
            ),
        };
        if id.as_deref() != Some(config.client_id.as_str())
            || secret.as_deref() != Some(config.client_secret.as_str())
        {
            return Err(Problem::oauth("invalid_client", "Bad client credentials"));
        }
        let mut state = self.state();
        let scope = match param("grant_type") {
            None => return Err(Problem::oauth("invalid_request", "Missing grant type")),
            Some("client_credentials") => match param("scope") {
                None => Scope::Merchant,
                Some(s) if s == spec::OAUTH2_MERCHANT_SCOPE => Scope::Merchant,
                Some(s) if s == spec::OAUTH2_CUSTOMER_SCOPE => Scope::Customer,
                Some(other) => {
                    return Err(Problem::oauth(
                        "invalid_request",
                        format!("Invalid scope: {other}"),
                    ));
                }
            },
            Some("refresh_token") => {
                let Some(refresh) = param("refresh_token") else {
                    return Err(Problem::oauth("invalid_request", "Missing refresh token"));
                };
                state.refresh(api, refresh, self.clock().instant())?
            }
            Some(other) => {
                return Err(Problem::oauth(
                    "invalid_request",
                    format!("Unsupported grant type: {other}"),
                ));
            }
        };
        let lifetime = config.token_lifetime;
        let access = wire::random_hex(40);
        let refresh = crate::common::ids::uuid_v4();
        state.tokens.insert(
            access.clone(),
            Token {
                api,
                scope,
                expires: self.clock().instant() + lifetime,
            },
        );
        state.grants.insert(
            refresh.clone(),
            Grant {
                api,
                scope,
                access: access.clone(),
            },
        );
        let body = Issued {
            token_type: "bearer",
            access_token: &access,
            expires_in: lifetime.as_secs(),
            refresh_token: &refresh,
            scope: scope.name(),
        };
        Ok(wire::Reply::json(StatusCode::OK, &body).into_response())
    }
}

impl State {
    /// Uses up a refresh token of `api`; its scope. 401 `invalid_token` when it is unknown,
    /// used, of the other API, or its access token has expired.
    fn refresh(&mut self, api: Api, refresh: &str, now: Instant) -> Result<Scope, Problem> {
        let invalid = || {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                format!("Invalid refresh token: {refresh}"),
            )
        };
        let grant = self.grants.get(refresh).ok_or_else(invalid)?;
        let live = self
            .tokens
            .get(&grant.access)
            .is_some_and(|t| t.expires > now);
        if grant.api != api || !live {
            return Err(invalid());
        }
        let scope = grant.scope;
        self.grants.remove(refresh);
        Ok(scope)
    }

    /// The bearer token of a request, when it is a live token of `api` at `now`: `(token,
    /// scope)`.
    pub(super) fn bearer(
        &mut self,
        headers: &HeaderMap,
        api: Api,
        now: Instant,
    ) -> Option<(String, Scope)> {
        let value = wire::header(headers, AUTHORIZATION.as_str())?;
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let token = token.trim();
        self.tokens.retain(|_, t| t.expires > now);
        let found = self.tokens.get(token).filter(|t| t.api == api)?;
        Some((token.to_owned(), found.scope))
    }
}

/// 401 `{"message":"Invalid or expired token","error":"invalid_token"}`.
pub(super) fn unauthorized() -> Problem {
    Problem {
        bare: true,
        ..Problem::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "Invalid or expired token",
        )
    }
}

/// 403 `insufficient_scope`.
pub(super) fn insufficient_scope() -> Problem {
    Problem {
        bare: true,
        ..Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "Insufficient scope: authorized scope is insufficient",
        )
    }
}

/// The client id and secret of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = wire::header(headers, AUTHORIZATION.as_str())?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((
        wire::percent_decode(id, true),
        wire::percent_decode(secret, true),
    ))
}

/// Standard base64 (padding optional); `None` when malformed.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64() {
        assert_eq!(
            base64_decode("c2FuZGJveDpzZWNyZXQ=").as_deref(),
            Some(&b"sandbox:secret"[..])
        );
        assert_eq!(base64_decode("YQ").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("a b"), None);
    }

    #[test]
    fn reads_basic_credentials() {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Basic c2FuZGJveDpzZWNyZXQ="),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("sandbox".to_owned(), "secret".to_owned()))
        );
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        assert_eq!(basic_credentials(&headers), None);
    }
}
