//! The online channel: the Flexiti-hosted widget (POS API) and the Online API.

use api_core::money::Decimal;
use api_core::{Response, Result};

use crate::generated::operations;
use crate::*;

use super::checks::*;

/// POS API, online channel: the Flexiti-hosted widget (customer scope).
impl Client {
    /// Starts the widget flow; the answer carries the URL to show the customer.
    pub async fn widget_init(&self, request: &WidgetInitRequest) -> Result<Response<WidgetInit>> {
        self.send(operations::widget_init(self.id(), request)?)
            .await
    }

    /// The terms and conditions, as Flexiti serves them.
    pub async fn terms_and_conditions(&self) -> Result<Response<serde_json::Value>> {
        self.send(operations::terms_and_conditions(self.id(), self.lang())?)
            .await
    }

    /// Localised strings for customer screens.
    pub async fn i18n(&self) -> Result<Response<serde_json::Value>> {
        self.send(operations::i18n(self.id(), self.lang())?).await
    }
}

/// The Online API (its own host): hosted apply and buy flows.
impl Client {
    /// Starts a Buy or Apply/Buy flow; redirect the customer to `redirection_url`.
    pub async fn online_init(&self, request: &OnlineInitRequest) -> Result<Response<OnlineInit>> {
        check_online(request)?;
        self.send(operations::online_init(self.id(), request)?)
            .await
    }

    /// Starts an apply-only flow (the path without `/v2`).
    pub async fn online_init_apply_only(
        &self,
        request: &OnlineInitRequest,
    ) -> Result<Response<OnlineInit>> {
        check_online(request)?;
        self.send(operations::online_init_apply_only(self.id(), request)?)
            .await
    }

    /// Starts the "learn more" flow.
    pub async fn online_learn_more(
        &self,
        request: &OnlineInitRequest,
    ) -> Result<Response<OnlineInit>> {
        check_online(request)?;
        self.send(operations::online_learn_more(self.id(), request)?)
            .await
    }

    /// The payment calculator for a price.
    pub async fn payment_calculator(&self, price: Decimal) -> Result<Response<PaymentCalculator>> {
        check_amount("price", price)?;
        let price = price.to_string();
        let op = operations::online_payment_calculator(self.id(), self.id(), &price, self.lang())?;
        self.send(op).await
    }

    /// The result of a hosted flow, by Flexiti's order id.
    pub async fn notification_by_order_id(
        &self,
        order: &Id,
    ) -> Result<Response<OnlineNotification>> {
        non_empty("order_id", &order.text())?;
        self.send(operations::online_notification_by_order_id(
            self.id(),
            &order.text(),
        )?)
        .await
    }

    /// The result of a hosted flow, by your order id.
    pub async fn notification_by_merchant_order_id(
        &self,
        merchant_order: &str,
    ) -> Result<Response<OnlineNotification>> {
        non_empty("merchant_order_id", merchant_order)?;
        self.send(operations::online_notification_by_merchant_order_id(
            self.id(),
            merchant_order,
        )?)
        .await
    }

    /// Whether Flexiti payment is available. **Unconfirmed:** request and answer are not
    /// documented.
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    pub async fn payment_availability(&self) -> Result<Response<PaymentAvailability>> {
        self.send(operations::online_payment_availability(self.id())?)
            .await
    }
}
