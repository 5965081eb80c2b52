//! Webhook subscriptions: the checks FL3XX documents, made before anything is sent.

use std::time::Duration;

use api_core::{Error, Result, Url};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{WebhookEventType, WebhookSubscription};

/// Renewal is allowed only within this long before expiry (documented: the last 5 days).
pub const RENEWAL_WINDOW: Duration = Duration::from_secs(5 * 24 * 3600);

impl WebhookSubscription {
    /// When the subscription expires, if the server said and the text parses (RFC 3339;
    /// `expiration_date_time.get()` says why not).
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expiration_date_time.as_ref()?.get().ok()
    }

    /// When renewal becomes possible: 5 days before expiry.
    pub fn renewal_opens_at(&self) -> Option<OffsetDateTime> {
        self.expires_at().map(|t| t - RENEWAL_WINDOW)
    }

    /// Whether it may be renewed at `now`: inside the last 5 days and not yet expired.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] saying why not.
    pub fn check_renewable(&self, now: OffsetDateTime) -> Result<()> {
        let Some(expires) = self.expires_at() else {
            return Err(Error::invalid_input(
                "expirationDateTime",
                format!(
                    "subscription {} has no readable expiry; fetch it again before renewing",
                    self.id
                ),
            ));
        };
        let opens = expires - RENEWAL_WINDOW;
        let (expires, opens_text) = (rfc3339(expires), rfc3339(opens));
        if now < opens {
            return Err(Error::invalid_input(
                "expirationDateTime",
                format!(
                    "subscription {} expires at {expires}; FL3XX allows renewal only in the last 5 \
                     days, from {opens_text}",
                    self.id
                ),
            ));
        }
        if now >= opens + RENEWAL_WINDOW {
            return Err(Error::invalid_input(
                "expirationDateTime",
                format!(
                    "subscription {} expired at {expires}; create a new one",
                    self.id
                ),
            ));
        }
        Ok(())
    }
}

impl WebhookEventType {
    /// Group events (`FLIGHT_UPDATE`, ...) appear in deliveries when several events happen
    /// close together, but cannot be subscribed to: the spec's `x-answer-only` values.
    pub fn is_group(&self) -> bool {
        self.is_answer_only()
    }

    /// Whether a subscription can name this event: every event but the group ones, an
    /// event this crate does not know yet (`Unknown`) included, so a newly documented event
    /// can be subscribed to before the crate lists it.
    pub fn is_subscribable(&self) -> bool {
        !self.is_group()
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// FL3XX delivers to https only. Plain http is accepted for loopback hosts, so that a local
/// sandbox can deliver to a local receiver.
pub(crate) fn check_callback_url(url: &str) -> Result<()> {
    let parsed = Url::parse(url)
        .map_err(|e| Error::invalid_input("callbackUrl", format!("{url:?} is not a URL: {e}")))?;
    let loopback = api_core::is_loopback(&parsed);
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        scheme => Err(Error::invalid_input(
            "callbackUrl",
            format!("FL3XX delivers webhooks to https URLs only; got a {scheme}:// URL"),
        )),
    }
}

pub(crate) fn check_event(event: &WebhookEventType) -> Result<()> {
    if event.is_subscribable() {
        return Ok(());
    }
    Err(Error::invalid_input(
        "event",
        format!("{event} is a group event: it appears in deliveries but cannot be subscribed to"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn subscription(expiry: Option<&str>) -> WebhookSubscription {
        serde_json::from_value(serde_json::json!({
            "id": "WS-1", "event": "FLIGHT_TIME_UPDATE", "callbackUrl": "https://a.example/cb",
            "status": "ACTIVE", "expirationDateTime": expiry
        }))
        .expect("subscription")
    }

    #[test]
    fn renewal_window() {
        let s = subscription(Some("2024-02-15T10:30:00.000Z"));
        assert_eq!(s.expires_at(), Some(datetime!(2024-02-15 10:30 UTC)));
        assert_eq!(s.renewal_opens_at(), Some(datetime!(2024-02-10 10:30 UTC)));
        assert!(s.check_renewable(datetime!(2024-02-10 10:30 UTC)).is_ok());
        assert!(s.check_renewable(datetime!(2024-02-15 10:29 UTC)).is_ok());
        let early = s
            .check_renewable(datetime!(2024-02-01 0:00 UTC))
            .expect_err("early");
        assert!(
            early.to_string().contains("only in the last 5 days"),
            "{early}"
        );
        let late = s
            .check_renewable(datetime!(2024-02-15 10:30 UTC))
            .expect_err("expired");
        assert!(late.to_string().contains("expired"), "{late}");
        assert!(
            subscription(None)
                .check_renewable(datetime!(2024-02-15 0:00 UTC))
                .is_err()
        );
    }

    #[test]
    fn callback_urls_and_events() {
        assert!(check_callback_url("https://hooks.example.com/fl3xx").is_ok());
        assert!(check_callback_url("http://127.0.0.1:8080/cb").is_ok());
        assert!(check_callback_url("http://localhost/cb").is_ok());
        assert!(check_callback_url("http://[::1]:9/cb").is_ok());
        let err = check_callback_url("http://hooks.example.com/cb").expect_err("http");
        assert_eq!(
            err.to_string(),
            "invalid `callbackUrl`: FL3XX delivers webhooks to https URLs only; got a http:// URL"
        );
        assert!(check_callback_url("not a url").is_err());
        assert!(check_event(&WebhookEventType::FlightTimeUpdate).is_ok());
        assert!(check_event(&WebhookEventType::FlightUpdate).is_err());
        // A name the crate does not know yet may be subscribed to (a newly documented event).
        assert!(check_event(&WebhookEventType::Unknown("X".into())).is_ok());
        assert!(check_event(&WebhookEventType::FlightFboAssignment).is_ok());
    }
}
