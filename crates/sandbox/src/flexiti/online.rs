//! The Online API: `systems/init` (and learn-more), the hosted checkout page that finishes
//! an order, the notifications a merchant polls, the payment calculator and the merchant's
//! payment availability. Also the page POS widget URLs point at.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::accounts::number_json;
use super::routes::Req;
use super::wire::{self, Answer, Fields, Problem, Reply, format_time};
use super::{FlexitiHandle, State as Data};

/// The flows of `systems/init`.
const FLOWS: [&str; 3] = ["apply", "buy", "apply/buy"];
/// The amounts Flexiti payment is offered for, in cents (*ours*: `payment-availability` is
/// not documented).
const AVAILABLE_FROM_CENTS: i64 = 5_000;
const AVAILABLE_TO_CENTS: i64 = 1_000_000;

/// An order started with `systems/init`.
#[derive(Debug, Clone)]
pub(super) struct OnlineOrder {
    pub(super) id: u64,
    /// The merchant's order id, when one was sent (it is optional: Online API Endpoints
    /// Reference, `merchant_orderid` "Optional").
    merchant_order_id: Option<String>,
    /// `apply`, `buy` or `apply/buy`.
    flow: &'static str,
    /// The `customer_id` sent, if any.
    customer_id: Option<String>,
    created: OffsetDateTime,
    pub(super) outcome: Outcome,
}

/// How an order ended.
#[derive(Debug, Clone)]
pub(super) enum Outcome {
    Pending,
    Success {
        customer_id: String,
        at: OffsetDateTime,
    },
    Failed {
        at: OffsetDateTime,
    },
}

impl OnlineOrder {
    /// Ends a pending order; a successful apply flow gets a new customer id when none was
    /// sent.
    pub(super) fn finish(&mut self, success: bool, next_customer: &mut u64, at: OffsetDateTime) {
        self.outcome = if success {
            let customer_id = self.customer_id.clone().unwrap_or_else(|| {
                let id = *next_customer;
                *next_customer += 1;
                id.to_string()
            });
            Outcome::Success { customer_id, at }
        } else {
            Outcome::Failed { at }
        };
    }

    /// The notification a merchant reads. Only documented statuses are answered: the apply
    /// result's `SUCCESS` (Online API Endpoints Reference, the notifications example) and the
    /// purchase's `Success` / `Failed` (Hyperswitch's connector). No document shows a pending
    /// order or a failed application: a pending order has no `apply` or `purchase` result yet,
    /// and a failed application no `apply_status` (both *ours*).
    fn notification(&self) -> Value {
        let (apply_status, purchase_status, customer_id, date) = match &self.outcome {
            Outcome::Pending => (None, None, self.customer_id.clone(), self.created),
            Outcome::Success { customer_id, at } => (
                Some("SUCCESS"),
                Some("Success"),
                Some(customer_id.clone()),
                *at,
            ),
            Outcome::Failed { at } => (None, Some("Failed"), self.customer_id.clone(), *at),
        };
        let mut body = Map::new();
        body.insert("transaction_id".into(), json!(self.id));
        body.insert("flow".into(), json!(self.flow));
        body.insert("callback_url".into(), json!(""));
        let ended = purchase_status.is_some();
        if ended && self.flow.contains("apply") {
            let customer_id = customer_id.as_deref().map_or(Value::Null, number_json);
            let mut apply = Map::new();
            apply.insert("customer_id".into(), customer_id);
            if let Some(status) = apply_status {
                apply.insert("apply_status".into(), json!(status));
            }
            body.insert("apply".into(), Value::Object(apply));
        }
        if let (Some(status), true) = (purchase_status, self.flow.contains("buy")) {
            body.insert("purchase".into(), json!({ "status": status }));
        }
        body.insert("date".into(), json!(format_time(date)));
        Value::Object(body)
    }
}

/// An Online API input error: 400 `wrong_inputs`.
fn wrong_inputs(fields: Fields<'_>) -> Problem {
    Problem {
        status: StatusCode::BAD_REQUEST,
        ..fields.problem()
    }
}

/// `POST online/v2/client-id/{id}/systems/init`, `online/client-id/{id}/systems/init`
/// (apply only) and `…/systems/learn-more`: form-encoded (or JSON) fields. As the Online API
/// Endpoints Reference (revision 9) lists them: `lang`, `flow` and `amount_requested` are
/// required, `merchant_orderid` is optional (also read as `merchant_order_id`, the spelling of
/// Hyperswitch and the JS SDK), and the Buy and Apply/Buy flows need `customer_id` or `vcc`.
pub(super) fn init(data: &mut Data, req: &Req) -> Answer {
    let body = req.body().map_err(|problem| Problem {
        status: StatusCode::BAD_REQUEST,
        ..problem
    })?;
    let mut fields = Fields::new(&body);
    let order_key =
        if fields.get("merchant_orderid").is_none() && fields.get("merchant_order_id").is_some() {
            "merchant_order_id"
        } else {
            "merchant_orderid"
        };
    let merchant_order_id = fields.string(order_key, false, 64);
    let lang = fields.string("lang", true, 10);
    let flow = fields.choice("flow", true, &FLOWS);
    let amount = fields.amount("amount_requested", true);
    let customer_id = fields.string("customer_id", false, 20);
    let vcc = fields.string("vcc", false, 16);
    if matches!(flow, Some("buy" | "apply/buy")) && customer_id.is_none() && vcc.is_none() {
        fields.fail(
            "customer_id",
            "required for the buy and apply/buy flows when vcc is absent",
        );
    }
    let (Some(_), Some(flow), Some(_), true) = (lang, flow, amount, fields.is_ok()) else {
        return Err(wrong_inputs(fields));
    };
    let id = data.next_order;
    data.next_order += 1;
    data.orders.push(OnlineOrder {
        id,
        merchant_order_id,
        flow,
        customer_id,
        created: req.now,
        outcome: Outcome::Pending,
    });
    wire::ok(&json!({
        "online_order_id": id,
        "redirection_url": format!("{}/online/checkout/{id}", req.url),
    }))
}

fn order_not_found() -> Problem {
    Problem::not_found("Order not found")
}

/// `GET online/client-id/{id}/notifications/order-id/{order_id}` (and the older
/// `…/notifications/{order_id}`).
pub(super) fn notification_by_order(data: &Data, id: &str) -> Answer {
    let id: u64 = id.parse().map_err(|_| order_not_found())?;
    let order = data
        .orders
        .iter()
        .find(|o| o.id == id)
        .ok_or_else(order_not_found)?;
    wire::ok(&order.notification())
}

/// `GET online/client-id/{id}/notifications/merchant-order-id/{merchant_order_id}`: the
/// latest order with that merchant order id.
pub(super) fn notification_by_merchant_order(data: &Data, id: &str) -> Answer {
    let order = data
        .orders
        .iter()
        .rev()
        .find(|o| o.merchant_order_id.as_deref() == Some(id))
        .ok_or_else(order_not_found)?;
    wire::ok(&order.notification())
}

/// `GET online/v2/client-id/{id}/systems/payment-calculator?clientId&price&lang`.
pub(super) fn calculator(req: &Req) -> Answer {
    let mut fields = Fields::new(&req.query);
    let client = fields.string("clientId", true, 100);
    if client.as_ref().is_some_and(|c| c != req.client_id) {
        fields.fail("clientId", "invalid");
    }
    let price = fields.amount("price", true);
    let lang = fields.choice("lang", false, &["en", "fr"]).unwrap_or("en");
    let (Some(price), true) = (price, fields.is_ok()) else {
        return Err(wrong_inputs(fields));
    };
    let months: i64 = match price {
        ..50_000 => 3,
        50_000..100_000 => 6,
        _ => 12,
    };
    let monthly = wire::money_text(wire::div_round(price, months));
    let html = if lang == "fr" {
        format!(
            "<div class=\"flexiti-payment-calculator\">À partir de {} $/mois pendant {months} mois</div>",
            monthly.replace('.', ",")
        )
    } else {
        format!(
            "<div class=\"flexiti-payment-calculator\">As low as ${monthly}/month for {months} months</div>"
        )
    };
    wire::ok(&json!({
        "htmlRender": html,
        "paymentPlan": {"monthlyPayment": monthly, "months": months.to_string()},
    }))
}

/// `POST online/client-id/{id}/merchants/payment-availability`, with an optional `amount`
/// (form-encoded or JSON). Neither the request nor the answer is documented: the shape is
/// ours, `available` is false only for an amount outside the bounds it lists.
pub(super) fn payment_availability(req: &Req) -> Answer {
    let body = req.body().map_err(|problem| Problem {
        status: StatusCode::BAD_REQUEST,
        ..problem
    })?;
    let mut fields = Fields::new(&body);
    let amount = fields.amount("amount", false);
    if !fields.is_ok() {
        return Err(wrong_inputs(fields));
    }
    let range = AVAILABLE_FROM_CENTS..=AVAILABLE_TO_CENTS;
    let mut answer = Map::new();
    answer.insert(
        "available".into(),
        json!(amount.is_none_or(|a| range.contains(&a))),
    );
    if let Some(amount) = amount {
        answer.insert("amount".into(), json!(wire::money_text(amount)));
    }
    answer.insert(
        "min_amount".into(),
        json!(wire::money_text(AVAILABLE_FROM_CENTS)),
    );
    answer.insert(
        "max_amount".into(),
        json!(wire::money_text(AVAILABLE_TO_CENTS)),
    );
    answer.insert("currency".into(), json!("CAD"));
    wire::ok(&Value::Object(answer))
}

impl FlexitiHandle {
    /// `GET {prefix}/online/checkout/{id}`: the hosted page; visiting it completes a pending
    /// order.
    pub(super) fn checkout(&self, id: &str) -> Reply {
        let now = wire::now_ms(self.clock());
        let mut state = self.state();
        let state = &mut *state;
        let order = id
            .parse::<u64>()
            .ok()
            .and_then(|id| state.orders.iter_mut().find(|o| o.id == id));
        let Some(order) = order else {
            return Reply::html(
                StatusCode::NOT_FOUND,
                page("Flexiti sandbox", "<p>Order not found.</p>"),
            );
        };
        if matches!(order.outcome, Outcome::Pending) {
            order.finish(true, &mut state.next_customer, now);
        }
        let status = match order.outcome {
            Outcome::Failed { .. } => "declined",
            _ => "completed",
        };
        let text = format!("<p>Order {} {status}.</p>", order.id);
        Reply::html(StatusCode::OK, page("Flexiti sandbox checkout", &text))
    }
}

/// `GET {prefix}/`: where POS widget URLs (`{prefix}/#/widget/...`) land.
pub(super) fn widget_page() -> Reply {
    Reply::html(
        StatusCode::OK,
        page(
            "Flexiti sandbox widget",
            "<p>The Flexiti widget is not emulated: finish the flow through the API.</p>",
        ),
    )
}

/// A minimal HTML page.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    )
}
