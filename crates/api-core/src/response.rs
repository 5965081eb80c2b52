//! A decoded response with the metadata callers sometimes need.

use std::ops::Deref;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::rate_limit::RateLimitInfo;

/// A decoded 2xx response. Derefs to the value, so `response.field` reads the model.
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, status: StatusCode, headers: HeaderMap, attempts: u32) -> Self {
        Self {
            value,
            status,
            headers,
            attempts,
        }
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `X-RateLimit-*` headers, when the server sent them.
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        RateLimitInfo::from_headers(&self.headers)
    }

    /// How many attempts the call took (1 when the first one succeeded).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Transforms the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            status: self.status,
            headers: self.headers,
            attempts: self.attempts,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// The value of a response whose body carries nothing the caller needs: any JSON body, or
/// none, decodes into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoContent;

impl<'de> serde::Deserialize<'de> for NoContent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| NoContent)
    }
}

/// A body that may carry a `T` or nothing: an empty body, `null` or `{}` decode as `None`
/// (for endpoints whose success body is optional while `T` has required fields).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrEmpty<T>(pub Option<T>);

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for OrEmpty<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // From the body's text, not a `serde_json::Value`: an id beyond `u64` keeps its
        // digits (lenient/empties.rs, `empty_or`).
        crate::lenient::empties::empty_or(
            deserializer,
            crate::lenient::empties::Empties {
                array: false,
                string: false,
            },
        )
        .map(Self)
    }
}
