//! Receiving webhook deliveries, without any web framework.
//!
//! FL3XX POSTs a thin notification to the subscription's callback URL, signed in the
//! `X-Webhook-Signature` header: the lower-case hex HMAC-SHA256 of the raw body, keyed with the
//! subscription's signing key. Verify it on the raw bytes (before any JSON parsing), answer 200
//! within 1 second, and fetch the resource the event points at afterwards.
//!
//! ```
//! use fl3xx::webhook;
//!
//! let key = b"my-signing-key";
//! let body = br#"{"eventId":"e-1","resourceId":5001,"operatorUuid":"op-1","event":"FLIGHT_TIME_UPDATE","timestamp":1705314600000,"resourceType":"FLIGHT"}"#;
//! let signature = api_core::signature::hmac_sha256_hex(key, body);
//! let event = webhook::verify(body, Some(&signature), key)?;
//! assert_eq!(event.resource_id.as_u64(), Some(5001));
//! assert!(webhook::verify(body, Some("00"), key).is_err());
//! # Ok::<(), fl3xx::webhook::WebhookError>(())
//! ```

use std::fmt;

use crate::WebhookNotification;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Webhook-Signature";

/// Why a delivery was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `X-Webhook-Signature` header.
    MissingSignature,
    /// The signature does not match the body under the signing key.
    BadSignature,
    /// The body is signed correctly but is not a notification.
    Malformed {
        /// The failing field's path.
        path: String,
        /// What was wrong.
        message: String,
    },
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSignature => write!(f, "the {SIGNATURE_HEADER} header is missing"),
            Self::BadSignature => write!(f, "the {SIGNATURE_HEADER} signature does not match"),
            Self::Malformed { path, message } => {
                write!(f, "invalid notification at `{path}`: {message}")
            }
        }
    }
}

impl std::error::Error for WebhookError {}

/// Verifies `signature` (the header's value) over `body` in constant time, then decodes the
/// notification. Unknown event types decode as `WebhookEventType::Unknown`.
///
/// # Errors
/// [`WebhookError`]: a missing or wrong signature, or a body that is not a notification.
pub fn verify(
    body: &[u8],
    signature: Option<&str>,
    signing_key: &[u8],
) -> Result<WebhookNotification, WebhookError> {
    let signature = signature.ok_or(WebhookError::MissingSignature)?;
    if !api_core::signature::verify_hmac_sha256_hex(signing_key, body, signature) {
        return Err(WebhookError::BadSignature);
    }
    parse(body)
}

/// Decodes a notification without checking its signature (for tests and replays of stored,
/// already verified bodies).
///
/// # Errors
/// [`WebhookError::Malformed`].
pub fn parse(body: &[u8]) -> Result<WebhookNotification, WebhookError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let notification: WebhookNotification = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| WebhookError::Malformed {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
    deserializer.end().map_err(|e| WebhookError::Malformed {
        path: ".".into(),
        message: e.to_string(),
    })?;
    Ok(notification)
}
