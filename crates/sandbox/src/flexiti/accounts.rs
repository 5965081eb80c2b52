//! Customers and accounts: the seeded accounts, search, lookup, verification PINs, plans and
//! calculate-interest, closing, the driver's licence decoder, and the customer-facing texts
//! (i18n, terms and conditions, widget init).

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::State as Data;
use super::routes::Req;
use super::wire::{self, Answer, Fields, Problem, money, money_text};

/// The PIN of the `sms` and `email` verification formats (fixed in TRAINING and MI).
pub(super) const SMS_PIN: &str = "2222";
/// The annual interest rate of every account.
const AIR: f64 = 0.2999;
/// Regular purchases: the least monthly payment, and its share of the amount (3 %).
const MIN_PAYMENT_CENTS: i64 = 1000;
/// Up to this amount a regular purchase may skip verification (`regular_purchase.verify`).
const VERIFY_LIMIT_CENTS: i64 = 20_000;
/// Wrong security answers allowed before `tries_exceed`.
const MAX_WRONG_ANSWERS: u32 = 3;

const ORIGINATING_MERCHANT_ID: &str = "1001";
const ORIGINATING_MERCHANT_NAME: &str = "Flexiti Sandbox Store";
const SECURITY_QID: &str = "1";
const SECURITY_QUESTION: &str = "What is the name of your first pet?";
const SECURITY_ANSWER: &str = "Rex";

/// A financing plan (the same ones for every account).
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) id: u64,
    pub(super) name: &'static str,
    category: &'static str,
    pub(super) term: u64,
    admin_fee_cents: i64,
}

/// The plans: `offer_types` of a lookup, `promotional_purchase` of calculate-interest.
pub(super) const PLANS: [Plan; 2] = [
    Plan {
        id: 101,
        name: "12 months equal payments",
        category: "equal_billing",
        term: 12,
        admin_fee_cents: 2900,
    },
    Plan {
        id: 102,
        name: "6 months deferred",
        category: "deferred_payment",
        term: 6,
        admin_fee_cents: 3900,
    },
];

/// A plan by id.
pub(super) fn plan(id: u64) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.id == id)
}

/// An account and its customer (one account per customer in the sandbox).
#[derive(Debug, Clone)]
pub(super) struct Account {
    pub(super) number: String,
    pub(super) customer_id: &'static str,
    /// `N` normal, `F` frozen, `C` closed.
    pub(super) status: &'static str,
    reason: &'static str,
    risk: &'static str,
    pub(super) credit_limit: i64,
    /// Posted purchases less returns, refunds and payments, in cents (negative: a credit).
    pub(super) balance: i64,
    /// Authorized but neither captured nor released yet, in cents.
    pub(super) held: i64,
    first_name: &'static str,
    last_name: &'static str,
    dob: &'static str,
    postal_code: &'static str,
    pub(super) vcc_number: &'static str,
    phone: &'static str,
    address_1: &'static str,
    address_2: &'static str,
    city: &'static str,
    province: &'static str,
    creation_date: &'static str,
    language: &'static str,
}

impl Account {
    /// The available credit, in cents.
    pub(super) fn available(&self) -> i64 {
        self.credit_limit - self.balance - self.held
    }

    /// The account number as a JSON number.
    pub(super) fn number_json(&self) -> Value {
        number_json(&self.number)
    }

    /// One item of `customers/search`.
    fn search_item(&self) -> Value {
        json!({
            "customer_id": self.customer_id,
            "account_status": self.status,
            "account_status_reason_code": self.reason,
            "tos_agreement": true,
            "risk_rating": self.risk,
            "account_number": self.number_json(),
            "customer_account_type": "consumer",
            "credit_limit": money_text(self.credit_limit),
            "available_credit": money_text(self.available()),
            "originating_merchant_id": ORIGINATING_MERCHANT_ID,
            "originating_merchant_name": ORIGINATING_MERCHANT_NAME,
            "creation_date": self.creation_date,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "card_ending_in": &self.vcc_number[self.vcc_number.len() - 4..],
            "preferred_language": self.language,
        })
    }

    /// The answer of `customers/lookup`: the search item and the lookup fields.
    fn lookup_item(&self) -> Value {
        let mut item = self.search_item();
        let offers: Vec<Value> = PLANS
            .iter()
            .map(|p| {
                json!({
                    "plan_name": p.name,
                    "plan_id": p.id,
                    "offer_category": p.category,
                    "term_options": p.term,
                })
            })
            .collect();
        let extra = json!({
            "security_qid": {"id": SECURITY_QID, "text": SECURITY_QUESTION},
            "phone_number": self.phone,
            "address_1": self.address_1,
            "address_2": self.address_2,
            "city": self.city,
            "postal_code": self.postal_code,
            "province": self.province,
            "payment_protection": false,
            "offer_types": offers,
        });
        if let (Value::Object(item), Value::Object(extra)) = (&mut item, extra) {
            item.extend(extra);
        }
        item
    }
}

/// A string of digits as a JSON number (as a string when too long).
pub(super) fn number_json(digits: &str) -> Value {
    digits
        .parse::<u64>()
        .map_or_else(|_| Value::String(digits.to_owned()), Value::from)
}

/// The three seeded accounts.
pub(super) fn seed() -> Vec<Account> {
    vec![
        Account {
            number: "20076677".to_owned(),
            customer_id: "828930",
            status: "N",
            reason: "NNOR",
            risk: "L",
            credit_limit: 500_000,
            balance: 0,
            held: 0,
            first_name: "Jane",
            last_name: "Doe",
            dob: "1985-04-12",
            postal_code: "M5V2T6",
            vcc_number: "4111111111111111",
            phone: "4165550123",
            address_1: "100 King St W",
            address_2: "Suite 200",
            city: "Toronto",
            province: "ON",
            creation_date: "2021-03-15",
            language: "en-CA",
        },
        Account {
            number: "20076678".to_owned(),
            customer_id: "828931",
            status: "F",
            reason: "FLCK",
            risk: "M",
            credit_limit: 250_000,
            balance: 0,
            held: 0,
            first_name: "John",
            last_name: "Smith",
            dob: "1979-09-30",
            postal_code: "H2X1Y4",
            vcc_number: "4111111111112222",
            phone: "5145550199",
            address_1: "200 Rue Sainte-Catherine O",
            address_2: "",
            city: "Montreal",
            province: "QC",
            creation_date: "2019-07-02",
            language: "fr-CA",
        },
        Account {
            number: "20076679".to_owned(),
            customer_id: "828932",
            status: "N",
            reason: "NNOR",
            risk: "H",
            credit_limit: 30_000,
            balance: 0,
            held: 0,
            first_name: "Marie",
            last_name: "Tremblay",
            dob: "1992-11-03",
            postal_code: "V6B1A1",
            vcc_number: "4111111111113333",
            phone: "6045550142",
            address_1: "300 Granville St",
            address_2: "",
            city: "Vancouver",
            province: "BC",
            creation_date: "2023-01-20",
            language: "en-CA",
        },
    ]
}

/// 404 `not_found` for an account.
pub(super) fn account_not_found() -> Problem {
    Problem::not_found("Account not found")
}

/// 409 `user_not_active`.
pub(super) fn not_active() -> Problem {
    Problem::conflict("user_not_active", "User is not active")
}

// ---------------------------------------------------------------------------------------
// Endpoints

/// `GET customers/search?first_name&last_name&dob[&postal_code]`.
pub(super) fn search(data: &Data, req: &Req) -> Answer {
    let mut fields = Fields::new(&req.query);
    let first = fields.string("first_name", true, 35);
    let last = fields.string("last_name", true, 50);
    let dob = fields.date("dob", true);
    let postal = fields
        .string("postal_code", false, 7)
        .map(|p| p.replace(' ', ""));
    if let Some(postal) = &postal
        && (postal.len() != 6 || !postal.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        fields.fail("postal_code", "invalid");
    }
    let (Some(first), Some(last), Some(dob), true) = (first, last, dob, fields.is_ok()) else {
        return Err(fields.problem());
    };
    let dob = dob.to_string();
    let found: Vec<Value> = data
        .accounts
        .iter()
        .filter(|a| {
            a.first_name.eq_ignore_ascii_case(&first)
                && a.last_name.eq_ignore_ascii_case(&last)
                && a.dob == dob
                && postal
                    .as_ref()
                    .is_none_or(|p| a.postal_code.eq_ignore_ascii_case(p))
        })
        .map(Account::search_item)
        .collect();
    wire::ok(&found)
}

/// `GET customers/lookup` with exactly one of `vcc_number`, `account_number`, `customer_id`.
pub(super) fn lookup(data: &Data, req: &Req) -> Answer {
    const KEYS: [&str; 3] = ["vcc_number", "account_number", "customer_id"];
    const ONE: &str = "exactly one of vcc_number, account_number, customer_id is required";
    let mut fields = Fields::new(&req.query);
    let given: Vec<&str> = KEYS
        .into_iter()
        .filter(|k| fields.get(k).is_some())
        .collect();
    if given.len() != 1 {
        let keys = if given.is_empty() { &KEYS[..] } else { &given };
        for key in keys {
            fields.fail(key, ONE);
        }
        return Err(fields.problem());
    }
    let account = match given[0] {
        "vcc_number" => fields
            .digits("vcc_number", true, 16)
            .and_then(|v| data.accounts.iter().find(|a| a.vcc_number == v)),
        "account_number" => fields
            .digits("account_number", true, 14)
            .and_then(|n| data.account(&n)),
        _ => fields
            .string("customer_id", true, 20)
            .and_then(|c| data.accounts.iter().find(|a| a.customer_id == c)),
    };
    if !fields.is_ok() {
        return Err(fields.problem());
    }
    let account = account.ok_or_else(|| Problem::not_found("Customer not found"))?;
    if account.status != "N" {
        return Err(not_active());
    }
    wire::ok(&account.lookup_item())
}

/// `POST account/{n}/verify` `{format, request_id?, vcc_number?, security_qid?,
/// security_answer?}`.
pub(super) fn verify(data: &mut Data, req: &Req, number: &str) -> Answer {
    const FORMATS: [&str; 5] = [
        "email",
        "sms",
        "security_question",
        "regular_purchase_bypass",
        "merchant_override",
    ];
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    let format = fields.choice("format", true, &FORMATS);
    let request_id = fields.string("request_id", false, 40);
    let vcc = fields.digits("vcc_number", false, 16);
    let question = format == Some("security_question");
    let qid = fields.string("security_qid", question, 10);
    let answer = fields.string("security_answer", question, 100);
    let (Some(format), true) = (format, fields.is_ok()) else {
        return Err(fields.problem());
    };
    let account = data.account(number).ok_or_else(account_not_found)?;
    if vcc.is_some_and(|v| v != account.vcc_number) {
        return Err(vcc_mismatch());
    }
    if question {
        let wrong = data.wrong_answers.entry(number.to_owned()).or_default();
        if *wrong >= MAX_WRONG_ANSWERS {
            return Err(Problem::conflict(
                "tries_exceed",
                "Too many wrong answers: try again in 48 hours",
            ));
        }
        let right = qid.as_deref() == Some(SECURITY_QID)
            && answer
                .as_deref()
                .is_some_and(|a| a.eq_ignore_ascii_case(SECURITY_ANSWER));
        if !right {
            *wrong += 1;
            return Err(Problem::conflict(
                "secret_answer_mismatch",
                "The answer to the security question is wrong",
            ));
        }
    }
    let (code, shown) = match format {
        "sms" => (SMS_PIN.to_owned(), json!("verification_sent_to_sms")),
        "email" => (SMS_PIN.to_owned(), json!("verification_sent_to_email")),
        _ => {
            let code = fastrand::u64(10_000_000..100_000_000);
            (code.to_string(), json!(code))
        }
    };
    data.verifications
        .insert((number.to_owned(), request_id.unwrap_or_default()), code);
    wire::ok(&json!({ "verification_code": shown }))
}

/// 409 `vcc_account_mismatch`.
pub(super) fn vcc_mismatch() -> Problem {
    Problem::conflict(
        "vcc_account_mismatch",
        "The card number does not belong to the account",
    )
}

/// `POST accounts/{n}/close`.
pub(super) fn close(data: &mut Data, number: &str) -> Answer {
    let account = data.account_mut(number).ok_or_else(account_not_found)?;
    if account.status == "C" {
        return Err(not_active());
    }
    account.status = "C";
    wire::ok(&json!({"account_number": account.number_json(), "account_status": "C"}))
}

/// `POST accounts/{n}/calculate-interest` (v2.5.1) `{amount}`.
pub(super) fn calculate_interest(data: &Data, req: &Req, number: &str) -> Answer {
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    let amount = fields.amount("amount", true);
    let (Some(amount), true) = (amount, fields.is_ok()) else {
        return Err(fields.problem());
    };
    let account = data.account(number).ok_or_else(account_not_found)?;
    let regular_today = data
        .authorizations
        .iter()
        .filter(|a| a.account == number && a.transaction_type == "regular_purchase")
        .filter(|a| within_a_day(a.date, req.now))
        .count();
    let regular_payment = (wire::div_round(amount * 3, 100).max(MIN_PAYMENT_CENTS)).min(amount);
    let promotional: Vec<Value> = PLANS
        .iter()
        .map(|plan| {
            let term_amount = match plan.category {
                "equal_billing" => wire::div_round(amount, plan.term as i64),
                _ => 0,
            };
            let message = match plan.category {
                "equal_billing" => format!("{} equal monthly payments", plan.term),
                _ => format!("No payments for {} months", plan.term),
            };
            json!({
                "plan_id": plan.id,
                "plan_name": plan.name,
                "terms": [{
                    "term": plan.term,
                    "term_amount": money(term_amount),
                    "annual_rates": {"promotional": 0.0, "post_promotional": AIR, "standard": AIR},
                    "fees": [{
                        "description": "Administration fee",
                        "amount": money(plan.admin_fee_cents),
                        "type": "admin_total",
                        "message": message,
                    }],
                }],
            })
        })
        .collect();
    wire::ok(&json!({
        "account_number": account.number_json(),
        "account_type": "consumer",
        "amount": money(amount),
        "customer": {
            "available_credit": money(account.available()),
            "air": AIR,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "category_type": "standard",
        },
        "regular_purchase": {
            "term_amount": money(regular_payment),
            "air": AIR,
            "verify": regular_today < 3 && amount <= VERIFY_LIMIT_CENTS,
            "fees": [],
        },
        "promotional_purchase": promotional,
    }))
}

/// True when `at` is within the 24 hours before `now`.
pub(super) fn within_a_day(at: OffsetDateTime, now: OffsetDateTime) -> bool {
    at > now - time::Duration::hours(24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_three_accounts() {
        let accounts = seed();
        assert_eq!(accounts.len(), 3);
        assert_eq!(accounts[0].available(), 500_000);
        assert_eq!(accounts[0].search_item()["card_ending_in"], "1111");
        assert_eq!(accounts[0].search_item()["available_credit"], "5000.00");
        assert_eq!(accounts[2].lookup_item()["offer_types"][1]["plan_id"], 102);
    }
}
