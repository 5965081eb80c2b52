//! Money movements: purchase authorizations (hold, capture, release), returns against a
//! capture, account refunds, and payments (deposit, in-store payment, trade-in).

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::State as Data;
use super::accounts::{self, account_not_found, not_active};
use super::routes::Req;
use super::wire::{self, Answer, Fields, Problem, format_time, money};

/// Payments (deposits and in-store payments) allowed per account in 24 hours: 10,000.00.
pub(super) const PAYMENT_LIMIT_24H_CENTS: i64 = 1_000_000;
/// How old a capture may be to be returned.
const RETURN_DAYS: i64 = 100;

/// A purchase authorization.
#[derive(Debug, Clone)]
pub(super) struct Authorization {
    id: u64,
    pub(super) account: String,
    reference: Option<String>,
    amount: i64,
    /// `promotional_purchase` or `regular_purchase`.
    pub(super) transaction_type: &'static str,
    plan_id: Option<u64>,
    term: Option<u64>,
    pub(super) date: OffsetDateTime,
    captured: i64,
    released: i64,
}

impl Authorization {
    /// What can still be captured (or released), in cents.
    fn remaining(&self) -> i64 {
        self.amount - self.captured - self.released
    }

    /// `opened` while something can be captured, then `captured` or `released`.
    fn status(&self) -> &'static str {
        if self.released > 0 {
            "released"
        } else if self.remaining() == 0 {
            "captured"
        } else {
            "opened"
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "authorization_id": self.id,
            "reference": self.reference,
            "amount": money(self.amount),
            "authorization_status": self.status(),
            "transaction_type": self.transaction_type,
            "plan_id": self.plan_id,
            "term": self.term,
            "date": format_time(self.date),
            "remaining_authorization_amount": money(self.remaining()),
            "account_number": accounts::number_json(&self.account),
        })
    }
}

/// A capture of (part of) an authorization.
#[derive(Debug, Clone)]
pub(super) struct Capture {
    id: u64,
    authorization_id: u64,
    account: String,
    amount: i64,
    returned: i64,
    reference: Option<String>,
    date: OffsetDateTime,
}

impl Capture {
    fn to_json(&self) -> Value {
        json!({
            "capture_id": self.id,
            "authorization_id": self.authorization_id,
            "account_number": accounts::number_json(&self.account),
            "amount": money(self.amount),
            "remaining_capture_amount": money(self.amount - self.returned),
            "reference": self.reference,
            "date": format_time(self.date),
        })
    }
}

fn authorization_not_found() -> Problem {
    Problem::not_found("Authorization not found")
}

fn capture_exceeded(what: &str) -> Problem {
    Problem::conflict(
        "capture_amount_exceeded",
        format!("The amount exceeds the remaining {what} amount"),
    )
}

/// The verification of `(account, request_id)` must exist and carry `code`.
pub(super) fn check_verification(
    data: &Data,
    account: &str,
    request_id: Option<&str>,
    code: &str,
) -> Result<(), Problem> {
    let key = (
        account.to_owned(),
        request_id.unwrap_or_default().to_owned(),
    );
    match data.verifications.get(&key) {
        None => Err(Problem::conflict(
            "not_verified",
            "The customer is not verified for this request",
        )),
        Some(expected) if expected == code => Ok(()),
        Some(_) => Err(Problem::conflict(
            "wrong_verification_code",
            "Wrong verification code",
        )),
    }
}

/// The next id of a sequence.
pub(super) fn next(counter: &mut u64) -> u64 {
    let id = *counter;
    *counter += 1;
    id
}

// ---------------------------------------------------------------------------------------
// Endpoints

/// `POST authorization` (v2.5.1).
pub(super) fn authorize(data: &mut Data, req: &Req) -> Answer {
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    let number = fields.digits("account_number", true, 14);
    let vcc = fields.digits("vcc_number", false, 16);
    let reference = fields.string("reference", false, 40);
    let amount = fields.amount("amount", true);
    let auto_capture = fields.boolean("auto_capture", true);
    let kind = fields.choice(
        "financing_option.transaction_type",
        true,
        &["promotional_purchase", "regular_purchase"],
    );
    let plan_id = fields.integer("financing_option.plan_id", false);
    let term = fields.integer("financing_option.term", false);
    let code = fields.digits("verification_code", false, 12);
    let request_id = fields.string("request_id", false, 40);
    let (Some(number), Some(amount), Some(auto_capture), Some(kind), true) =
        (number, amount, auto_capture, kind, fields.is_ok())
    else {
        return Err(fields.problem());
    };
    let account = data.account(&number).ok_or_else(account_not_found)?;
    if vcc.is_some_and(|v| v != account.vcc_number) {
        return Err(accounts::vcc_mismatch());
    }
    if account.status != "N" {
        return Err(not_active());
    }
    let (plan_id, term) = if kind == "promotional_purchase" {
        let Some(plan_id) = plan_id else {
            return Err(Problem::conflict(
                "plan_term_not_set",
                "A promotional purchase needs financing_option.plan_id",
            ));
        };
        let plan = accounts::plan(plan_id)
            .filter(|p| term.is_none_or(|t| t == p.term))
            .ok_or_else(|| {
                Problem::conflict(
                    "plan_term_not_available",
                    "The plan or term is not available to this customer",
                )
            })?;
        (Some(plan.id), Some(plan.term))
    } else {
        (None, None)
    };
    if let Some(code) = &code {
        check_verification(data, &number, request_id.as_deref(), code)?;
    }
    if amount > account.available() {
        return Err(Problem::conflict(
            "credit_exceeded",
            "The amount exceeds the available credit",
        ));
    }
    let date = req.now;
    let id = next(&mut data.next_authorization);
    let mut authorization = Authorization {
        id,
        account: number.clone(),
        reference: reference.clone(),
        amount,
        transaction_type: kind,
        plan_id,
        term,
        date,
        captured: 0,
        released: 0,
    };
    let capture_id = auto_capture.then(|| {
        authorization.captured = amount;
        let capture_id = next(&mut data.next_capture);
        data.captures.push(Capture {
            id: capture_id,
            authorization_id: id,
            account: number.clone(),
            amount,
            returned: 0,
            reference,
            date,
        });
        capture_id
    });
    if let Some(account) = data.account_mut(&number) {
        if auto_capture {
            account.balance += amount;
        } else {
            account.held += amount;
        }
    }
    let mut answer = authorization.to_json();
    if let (Some(capture_id), Value::Object(fields)) = (capture_id, &mut answer) {
        fields.insert("capture_id".to_owned(), json!(capture_id));
    }
    data.authorizations.push(authorization);
    wire::ok(&answer)
}

/// `GET authorization/{id}` (v2.5.1).
pub(super) fn get(data: &Data, id: u64) -> Answer {
    let authorization = data
        .authorizations
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(authorization_not_found)?;
    wire::ok(&authorization.to_json())
}

/// `GET authorizations?account_number&transaction_type&authorization_status&
/// creation_date_from&creation_date_to&page_number&page_size` (v2.5.1).
pub(super) fn list(data: &Data, req: &Req) -> Answer {
    let mut fields = Fields::new(&req.query);
    let number = fields.digits("account_number", false, 14);
    let kind = fields.choice(
        "transaction_type",
        false,
        &["promotional_purchase", "regular_purchase"],
    );
    let status = fields.choice(
        "authorization_status",
        false,
        &["opened", "captured", "released"],
    );
    let from = fields.date("creation_date_from", false);
    let to = fields.date("creation_date_to", false);
    let page_number = fields.integer("page_number", false).unwrap_or(1);
    let page_size = fields.integer("page_size", false).unwrap_or(10);
    fields.finish()?;
    let matching: Vec<&Authorization> = data
        .authorizations
        .iter()
        .filter(|a| number.as_ref().is_none_or(|n| &a.account == n))
        .filter(|a| kind.is_none_or(|k| a.transaction_type == k))
        .filter(|a| status.is_none_or(|s| a.status() == s))
        .filter(|a| from.is_none_or(|d| a.date.date() >= d))
        .filter(|a| to.is_none_or(|d| a.date.date() <= d))
        .collect();
    let skip = usize::try_from((page_number - 1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let take = usize::try_from(page_size).unwrap_or(usize::MAX);
    let page: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(take)
        .map(|a| a.to_json())
        .collect();
    wire::ok(&json!({
        "authorizations": page,
        "page_number": page_number,
        "page_size": page_size,
        "total": matching.len(),
    }))
}

/// `POST authorization/{id}/capture` `{amount, reference?}`.
pub(super) fn capture(data: &mut Data, req: &Req, id: u64) -> Answer {
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    let amount = fields.amount("amount", true);
    let reference = fields.string("reference", false, 40);
    let (Some(amount), true) = (amount, fields.is_ok()) else {
        return Err(fields.problem());
    };
    let authorization = data
        .authorizations
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(authorization_not_found)?;
    if amount > authorization.remaining() {
        return Err(capture_exceeded("authorization"));
    }
    authorization.captured += amount;
    let remaining = authorization.remaining();
    let number = authorization.account.clone();
    if let Some(account) = data.account_mut(&number) {
        account.held -= amount;
        account.balance += amount;
    }
    let date = req.now;
    let capture_id = next(&mut data.next_capture);
    data.captures.push(Capture {
        id: capture_id,
        authorization_id: id,
        account: number,
        amount,
        returned: 0,
        reference: reference.clone(),
        date,
    });
    wire::ok(&json!({
        "capture_id": capture_id,
        "authorization_id": id,
        "amount": money(amount),
        "reference": reference,
        "date": format_time(date),
        "remaining_authorization_amount": money(remaining),
    }))
}

/// `POST authorization/{id}/release`: gives the part not captured back to the account.
pub(super) fn release(data: &mut Data, req: &Req, id: u64) -> Answer {
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    fields.string("reference", false, 40);
    fields.finish()?;
    let authorization = data
        .authorizations
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(authorization_not_found)?;
    let amount = authorization.remaining();
    if amount == 0 {
        return Err(Problem::conflict(
            "not_permitted",
            "Nothing is left to release on this authorization",
        ));
    }
    authorization.released += amount;
    let number = authorization.account.clone();
    if let Some(account) = data.account_mut(&number) {
        account.held -= amount;
    }
    wire::ok(&json!({
        "authorization_id": id,
        "amount": money(amount),
        "date": format_time(req.now),
    }))
}

/// `POST authorization/{id}/capture/{capture_id}/return` `{amount, full_return, reference?,
/// vcc_number?}`.
pub(super) fn give_back(data: &mut Data, req: &Req, id: u64, capture_id: u64) -> Answer {
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    // Required, as the spec has it (`ReturnRequest`; the documents list the field without
    // saying, INFERRED): the client always sends it.
    let full_return = fields.boolean("full_return", true).unwrap_or(false);
    let amount = fields.amount("amount", !full_return);
    let reference = fields.string("reference", false, 40);
    let vcc = fields.digits("vcc_number", false, 16);
    fields.finish()?;
    let authorization = data
        .authorizations
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(authorization_not_found)?;
    let capture = data
        .captures
        .iter()
        .find(|c| c.id == capture_id && c.authorization_id == id)
        .ok_or_else(|| Problem::not_found("Capture not found"))?;
    let account = data
        .account(&authorization.account)
        .ok_or_else(account_not_found)?;
    if vcc.is_some_and(|v| v != account.vcc_number) {
        return Err(accounts::vcc_mismatch());
    }
    if authorization.transaction_type != "promotional_purchase" {
        return Err(Problem::conflict(
            "wrong_transaction_type",
            "Only promotional purchases can be returned",
        ));
    }
    if capture.date < req.now - time::Duration::days(RETURN_DAYS) {
        return Err(Problem::conflict(
            "return_date_exceeded",
            "The capture is more than 100 days old",
        ));
    }
    let left = capture.amount - capture.returned;
    let amount = match (full_return, amount) {
        (true, Some(amount)) if amount != left => {
            return Err(Problem::wrong_input(
                "amount",
                "must equal the remaining capture amount for a full return",
                money(amount),
            ));
        }
        (true, _) => left,
        (false, amount) => amount.unwrap_or(0),
    };
    if amount == 0 || amount > left {
        return Err(capture_exceeded("capture"));
    }
    let remaining_authorization = authorization.remaining();
    let number = authorization.account.clone();
    if let Some(capture) = data.captures.iter_mut().find(|c| c.id == capture_id) {
        capture.returned += amount;
    }
    if let Some(account) = data.account_mut(&number) {
        account.balance -= amount;
    }
    let return_id = next(&mut data.next_return);
    wire::ok(&json!({
        "return_id": return_id,
        "reference": reference,
        "capture_id": capture_id,
        "date": format_time(req.now),
        "amount": money(amount),
        "remaining_capture_amount": money(left - amount),
        "remaining_authorization_amount": money(remaining_authorization),
    }))
}

/// Whether capture `id` is on account `number` (a refund's `capture_id`).
pub(super) fn capture_on(data: &Data, id: u64, number: &str) -> bool {
    data.captures
        .iter()
        .any(|c| c.id == id && c.account == number)
}

/// `GET captures?account_number&authorization_id` (v2.5.1).
pub(super) fn captures(data: &Data, req: &Req) -> Answer {
    let mut fields = Fields::new(&req.query);
    let number = fields.digits("account_number", false, 14);
    let authorization = fields.integer("authorization_id", false);
    fields.finish()?;
    let list: Vec<Value> = data
        .captures
        .iter()
        .filter(|c| number.as_ref().is_none_or(|n| &c.account == n))
        .filter(|c| authorization.is_none_or(|a| c.authorization_id == a))
        .map(Capture::to_json)
        .collect();
    wire::ok(&json!({ "captures": list }))
}
