//! Webhook subscriptions.

use api_core::{NoContent, Response, Result};
use time::OffsetDateTime;

use crate::generated::operations;
use crate::subscriptions::{check_callback_url, check_event};
use crate::*;

use super::id;

impl OperatorClient {
    // Webhook subscriptions.

    /// Every subscription of this partner and operator, active or not.
    pub async fn subscriptions(&self) -> Result<Response<List<WebhookSubscription>>> {
        self.call(operations::list_webhook_subscriptions()?).await
    }

    /// Subscribes `callback_url` to one event. Checked first: the event must be subscribable
    /// (not a group event), the URL https (plain http only for loopback), the key non-empty.
    pub async fn subscribe(
        &self,
        event: WebhookEventType,
        callback_url: &str,
        signing_key: &str,
    ) -> Result<Response<WebhookSubscription>> {
        check_event(&event)?;
        check_callback_url(callback_url)?;
        id("signingKey", signing_key)?;
        let body = CreateWebhookSubscription {
            event,
            callback_url: callback_url.to_owned(),
            signing_key: signing_key.to_owned(),
        };
        self.call(operations::create_webhook_subscription(&body)?)
            .await
    }

    /// One subscription.
    pub async fn subscription(&self, id: &Id) -> Result<Response<WebhookSubscription>> {
        self.call(operations::get_webhook_subscription(&id.text())?)
            .await
    }

    /// Changes a subscription's callback URL and/or status.
    pub async fn update_subscription(
        &self,
        id: &Id,
        update: &UpdateWebhookSubscription,
    ) -> Result<Response<WebhookSubscription>> {
        if let Some(url) = &update.callback_url {
            check_callback_url(url)?;
        }
        self.call(operations::update_webhook_subscription(&id.text(), update)?)
            .await
    }

    /// Deletes a subscription.
    pub async fn delete_subscription(&self, id: &Id) -> Result<Response<NoContent>> {
        self.call(operations::delete_webhook_subscription(&id.text())?)
            .await
    }

    /// Renews a subscription by one month. FL3XX allows it only in the last 5 days before
    /// expiry: the expiry you hold is checked first, and a renewal outside the window is
    /// refused with the reason, without a request.
    pub async fn renew_subscription(
        &self,
        subscription: &WebhookSubscription,
    ) -> Result<Response<WebhookSubscription>> {
        subscription.check_renewable(OffsetDateTime::now_utc())?;
        self.call(operations::renew_webhook_subscription(
            &subscription.id.text(),
        )?)
        .await
    }

    /// Renews every subscription inside its renewal window at `now`; answers the renewed
    /// ones (a failed renewal is an error item, the others still run).
    pub async fn renew_due_subscriptions(
        &self,
        now: OffsetDateTime,
    ) -> Result<Vec<Result<WebhookSubscription>>> {
        let all = self.subscriptions().await?.into_inner();
        let mut renewed = Vec::new();
        for subscription in all.into_iter().filter(|s| s.check_renewable(now).is_ok()) {
            let result = self
                .call(operations::renew_webhook_subscription(
                    &subscription.id.text(),
                )?)
                .await
                .map(Response::into_inner);
            renewed.push(result);
        }
        Ok(renewed)
    }
}
