//! The checks a schema cannot state, run by the generated `Validate` of the request bodies
//! (`x-check` in `specs/flexiti.yaml`) before anything is sent, and the check of the
//! header-safe tokens. What a schema can state (`minLength`, `pattern`, `format: date`) is in
//! the spec instead.

use api_core::money::{self, Decimal};
use api_core::{Error, Result};

use crate::*;

/// Amounts are `number(18,2)`.
const AMOUNT_PRECISION: u32 = 18;
const AMOUNT_SCALE: u32 = 2;

/// An amount is `number(18,2)` and above 0. A schema cannot say it: the amounts are
/// hand-written `Decimal`s (`x-rust-type`), which `minimum`/`multipleOf` do not reach.
fn amount(field: &str, amount: Decimal) -> Result<()> {
    money::check_amount(field, amount, AMOUNT_PRECISION, AMOUNT_SCALE)?;
    if amount <= Decimal::ZERO {
        return Err(Error::invalid_input(
            field,
            format!("must be above 0; got {amount}"),
        ));
    }
    Ok(())
}

/// An id that is not blank. A schema cannot say it: `Id` is hand-written (`x-rust-type`).
fn id(field: &str, value: &Id) -> Result<()> {
    if value.text().trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

/// `x-reference-id` and `x-idempotency-key` values: visible ASCII, at most `max` characters
/// (headers the client adds, which the spec does not describe as parameters).
pub(super) fn check_token(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() || value.len() > max || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_input(
            field,
            format!("must be 1 to {max} visible ASCII characters"),
        ));
    }
    Ok(())
}

/// `verify_account`: the `security_question` format needs both `security_qid` and
/// `security_answer`, a rule between fields that a schema (without `if`/`then`) cannot state.
pub(crate) fn verify_request(request: &VerifyRequest) -> Result<()> {
    if matches!(request.format, VerifyFormat::SecurityQuestion)
        && (request.security_qid.is_none() || request.security_answer.is_none())
    {
        return Err(Error::invalid_input(
            "security_answer",
            "the security_question format needs security_qid and security_answer",
        ));
    }
    Ok(())
}

/// `calculate_interest`: the amount ([`amount`]).
pub(crate) fn calculate_interest_request(request: &CalculateInterestRequest) -> Result<()> {
    amount("amount", request.amount)
}

/// `post_transaction`: the amount ([`amount`]), and one of `account_number`, `vcc_number`
/// and `customer_id` (a one-of between optional fields, which the schema does not state).
pub(crate) fn transaction_request(request: &TransactionRequest) -> Result<()> {
    amount("amount", request.amount)?;
    if request.account_number.is_none()
        && request.vcc_number.is_none()
        && request.customer_id.is_none()
    {
        return Err(Error::invalid_input(
            "account_number",
            "one of account_number, vcc_number or customer_id is required",
        ));
    }
    Ok(())
}

/// `create_authorization`: the account ([`id`]), the amount ([`amount`]), and a plan for a
/// promotional purchase (a rule between fields: `plan_id` is required only when
/// `transaction_type` is `promotional_purchase`).
pub(crate) fn authorization_request(request: &AuthorizationRequest) -> Result<()> {
    id("account_number", &request.account_number)?;
    amount("amount", request.amount)?;
    if request.financing_option.transaction_type == FinancingType::PromotionalPurchase
        && request.financing_option.plan_id.is_none()
    {
        return Err(Error::invalid_input(
            "financing_option.plan_id",
            "a promotional purchase needs a plan_id (see calculate_interest)",
        ));
    }
    Ok(())
}

/// `capture_authorization`: the amount ([`amount`]).
pub(crate) fn capture_request(request: &CaptureRequest) -> Result<()> {
    amount("amount", request.amount)
}

/// `release_authorization`: the amount, when given ([`amount`]).
pub(crate) fn release_request(request: &ReleaseRequest) -> Result<()> {
    request
        .amount
        .map_or(Ok(()), |value| amount("amount", value))
}

/// `return_capture`: the amount ([`amount`]).
pub(crate) fn return_request(request: &ReturnRequest) -> Result<()> {
    amount("amount", request.amount)
}

/// `refund_account`: the amount ([`amount`]).
pub(crate) fn refund_request(request: &RefundRequest) -> Result<()> {
    amount("amount", request.amount)
}

/// The Online API's init: `amount_requested` is an amount sent as text (`"499.99"`), so the
/// schema says `string`; its value must still be an amount ([`amount`]). The Buy and
/// Apply/Buy flows need `customer_id` or `vcc` (SEEN, Online API Endpoints Reference,
/// revision 9: "Optional - Required for Buy & Apply/ Buy Flow if VCC is not provided"), a
/// rule between fields that the schema cannot state. A blank value counts as absent.
pub(crate) fn online_init_request(request: &OnlineInitRequest) -> Result<()> {
    let value = Decimal::from_str_exact(request.amount_requested.trim()).map_err(|_| {
        Error::invalid_input(
            "amount_requested",
            format!("{:?} is not an amount", request.amount_requested),
        )
    })?;
    amount("amount_requested", value)?;
    let given = |field: &Option<String>| field.as_deref().is_some_and(|v| !v.trim().is_empty());
    let buys = matches!(request.flow, OnlineFlow::Buy | OnlineFlow::ApplyBuy);
    if buys && !given(&request.customer_id) && !given(&request.vcc) {
        return Err(Error::invalid_input(
            "customer_id",
            "the buy and apply/buy flows need customer_id or vcc",
        ));
    }
    Ok(())
}
