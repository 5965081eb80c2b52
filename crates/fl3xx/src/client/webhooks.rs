//! Webhook subscription renewal: the window FL3XX allows, checked against the clock.

use api_core::{Response, Result};
use time::OffsetDateTime;

use crate::*;

impl OperatorClient {
    /// Renews a subscription by one month ([`OperatorClient::renew_webhook_subscription`]).
    /// FL3XX allows it only in the last 5 days before expiry: the expiry you hold is checked
    /// first, and a renewal outside the window is refused with the reason, without a request.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] outside the renewal window, or any error of the call.
    pub async fn renew_subscription(
        &self,
        subscription: &WebhookSubscription,
    ) -> Result<Response<WebhookSubscription>> {
        subscription.check_renewable(OffsetDateTime::now_utc())?;
        self.renew_webhook_subscription(&subscription.id)
            .send()
            .await
    }

    /// Renews every subscription inside its renewal window at `now`; answers the renewed
    /// ones (a failed renewal is an error item, the others still run).
    ///
    /// # Errors
    /// The failure of the subscription list.
    pub async fn renew_due_subscriptions(
        &self,
        now: OffsetDateTime,
    ) -> Result<Vec<Result<WebhookSubscription>>> {
        let all = self.list_webhook_subscriptions().send().await?.into_inner();
        let mut renewed = Vec::new();
        for subscription in all.into_iter().filter(|s| s.check_renewable(now).is_ok()) {
            let result = self
                .renew_webhook_subscription(&subscription.id)
                .send()
                .await
                .map(Response::into_inner);
            renewed.push(result);
        }
        Ok(renewed)
    }
}
