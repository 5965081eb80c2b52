//! Delivery callbacks ("pingbacks"), without any web framework.
//!
//! Netfinity POSTs a JSON packet to the callback URL configured for the service: first the
//! processing status (201 queued, 301 delayed, 400/401/501 rejected), then delivery reports
//! (202, 203, 204 delivered, 502/503 failed). Answer each with HTTP 200 and the JSON from
//! [`Pingback::ack`] within 30 s, or it is retried (3 times, 3 s apart).
//!
//! Pingbacks are not signed (none is documented): accept them only on an unguessable
//! callback path, or allow-list Netfinity's addresses.
//!
//! ```
//! use netfinity::{SmsStatusCode, pingback};
//!
//! let body = br#"{"uuid":"9f1c","id":"order42","service":"sms-notification",
//!   "timestamp":"2020-12-31T21:59:59.000000Z",
//!   "payload":{"status":{"code":204,"description":"Delivered to end user"}}}"#;
//! let event = pingback::parse(body)?;
//! assert_eq!(event.payload.status.code, SmsStatusCode::Delivered);
//! assert!(event.payload.status.code.is_final());
//! assert_eq!(event.ack_json(), r#"{"uuid":"9f1c","id":"order42"}"#);
//! # Ok::<(), netfinity::pingback::PingbackError>(())
//! ```

use std::fmt;

use crate::{Pingback, PingbackAck, SmsStatusCode};

/// A pingback body that is not a valid pingback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingbackError {
    /// The path of the failing field (`payload.status.code`), `.` for the whole body.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for PingbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid pingback at `{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for PingbackError {}

/// Parses a pingback body. Unknown status codes decode as [`SmsStatusCode::Unknown`]; unknown
/// payload fields are kept.
///
/// # Errors
/// [`PingbackError`] when the body is not JSON or lacks `uuid` or `payload.status.code`.
pub fn parse(body: &[u8]) -> Result<Pingback, PingbackError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let pingback: Pingback =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| PingbackError {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
    deserializer.end().map_err(|e| PingbackError {
        path: ".".into(),
        message: e.to_string(),
    })?;
    Ok(pingback)
}

impl Pingback {
    /// The acknowledgement to answer with (HTTP 200).
    pub fn ack(&self) -> PingbackAck {
        PingbackAck {
            uuid: self.uuid.clone(),
            id: self.id.clone(),
        }
    }

    /// The acknowledgement as a JSON string.
    pub fn ack_json(&self) -> String {
        // Serializing two optional strings cannot fail.
        serde_json::to_string(&self.ack()).unwrap_or_else(|_| String::from("{}"))
    }
}

impl SmsStatusCode {
    /// True when no further pingback will follow for this message.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Delivered
                | Self::RejectedFunds
                | Self::FloodProtection
                | Self::RejectedDestination
                | Self::InternalError
                | Self::RemoteFailed
        )
    }

    /// True when the message reached the handset.
    pub fn is_delivered(&self) -> bool {
        *self == Self::Delivered
    }

    /// True when the message will not be delivered.
    pub fn is_failure(&self) -> bool {
        self.is_final() && !self.is_delivered()
    }
}
