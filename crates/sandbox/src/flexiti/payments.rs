//! Money that moves without an authorization: refunds and the in-store `transactions`
//! (deposits, payments, trade-ins).

use super::State as Data;
use super::accounts::{self, account_not_found, not_active, within_a_day};
use super::routes::Req;
use super::transactions::*;
use super::wire::{self, Answer, Fields, Problem};
use serde_json::json;
use time::OffsetDateTime;

/// A posted payment (`POST transactions`).
#[derive(Debug, Clone)]
pub(super) struct Payment {
    account: String,
    /// `deposit`, `instore_payment` or `tradein`.
    kind: &'static str,
    amount: i64,
    at: OffsetDateTime,
}

/// `POST accounts/{n}/refund` with the fields of TXN's refund example (`reference, amount,
/// external_location_id, external_employee_id, vcc_number, capture_id, sku_data`): credits
/// the account, up to what it owes, and answers `{}` as the example does. `amount` is
/// required (*inferred*); a `vcc_number` must be the account's (409 `vcc_account_mismatch`,
/// ERR's refund table); a `capture_id` must be a capture on the account (404 `not_found`,
/// *ours*); `sku_data` must be an object, and is not used.
pub(super) fn refund(data: &mut Data, req: &Req, number: &str) -> Answer {
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    let amount = fields.amount("amount", true);
    fields.string("reference", false, 40);
    fields.string("external_location_id", false, 40);
    fields.string("external_employee_id", false, 40);
    let vcc = fields.digits("vcc_number", false, 16);
    let capture_id = fields.integer("capture_id", false);
    if fields.get("sku_data").is_some_and(|v| !v.is_object()) {
        fields.fail("sku_data", "invalid");
    }
    let (Some(amount), true) = (amount, fields.is_ok()) else {
        return Err(fields.problem());
    };
    if capture_id.is_some_and(|id| !capture_on(data, id, number)) {
        return Err(Problem::not_found("Capture not found"));
    }
    let account = data.account_mut(number).ok_or_else(account_not_found)?;
    if vcc.is_some_and(|v| v != account.vcc_number) {
        return Err(accounts::vcc_mismatch());
    }
    if amount > account.balance {
        return Err(Problem::conflict(
            "refunds_limit_exceeded_amount",
            "The refund exceeds the account balance",
        ));
    }
    account.balance -= amount;
    wire::ok(&json!({}))
}

/// `POST transactions` (v2.5.1) `{transaction_type, amount, account_number | vcc_number |
/// customer_id, verification_code, request_id, ...}`: a payment onto the account.
pub(super) fn transaction(data: &mut Data, req: &Req) -> Answer {
    const KINDS: [&str; 3] = ["deposit", "instore_payment", "tradein"];
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    let kind = fields.string("transaction_type", true, 40);
    let amount = fields.amount("amount", true);
    let by_vcc = fields.get("vcc_number").is_some();
    let by_customer = fields.get("customer_id").is_some();
    let number = fields.digits("account_number", !by_vcc && !by_customer, 14);
    let vcc = fields.digits("vcc_number", false, 16);
    let customer = fields.string("customer_id", false, 20);
    let code = fields.digits("verification_code", false, 12);
    let request_id = fields.string("request_id", false, 40);
    fields.string("external_location_id", false, 40);
    fields.string("external_employee_id", false, 40);
    let (Some(kind), Some(amount), true) = (kind, amount, fields.is_ok()) else {
        return Err(fields.problem());
    };
    let Some(kind) = KINDS.into_iter().find(|k| k.eq_ignore_ascii_case(&kind)) else {
        return Err(Problem::conflict(
            "invalid_transaction_type",
            "transaction_type must be deposit, instore_payment or tradein",
        ));
    };
    let Some(code) = code else {
        return Err(Problem::conflict(
            "verification_code_required",
            "A verification code is required",
        ));
    };
    let account = data
        .accounts
        .iter()
        .find(|a| {
            number.as_ref().is_none_or(|n| &a.number == n)
                && vcc.as_ref().is_none_or(|v| a.vcc_number == v)
                && customer.as_ref().is_none_or(|c| a.customer_id == c)
        })
        .ok_or_else(|| {
            if number.is_some() && (vcc.is_some() || customer.is_some()) {
                accounts::vcc_mismatch()
            } else {
                account_not_found()
            }
        })?;
    if account.status != "N" {
        return Err(not_active());
    }
    let number = account.number.clone();
    check_verification(data, &number, request_id.as_deref(), &code)?;
    if kind != "tradein" {
        let paid: i64 = data
            .payments
            .iter()
            .filter(|p| p.account == number && p.kind != "tradein" && within_a_day(p.at, req.now))
            .map(|p| p.amount)
            .sum();
        if paid + amount > PAYMENT_LIMIT_24H_CENTS {
            return Err(Problem::conflict(
                "limit_payment_amount_24",
                "Payments are limited to 10000.00 in 24 hours",
            ));
        }
    }
    if let Some(account) = data.account_mut(&number) {
        account.balance -= amount;
    }
    data.payments.push(Payment {
        account: number,
        kind,
        amount,
        at: req.now,
    });
    let transaction_id = next(&mut data.next_transaction);
    wire::ok(&json!({ "transaction_id": transaction_id }))
}
