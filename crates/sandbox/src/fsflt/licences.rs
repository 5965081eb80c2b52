//! The licence operations: the catalogue a customer may buy, demo licences, assignment,
//! suspension and re-enabling.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::catalogue::{self, Available, CATALOGUE};
use super::fields::{Body, Errors, integer};
use super::routes::*;
use super::{SandboxLicence, State as Data};

/// `GET /customerarea/licenses/available`.
pub(super) fn available(data: &Data, body: &Body, pool: u32) -> Response {
    let mut errors = Errors::default();
    let customer = customer(&mut errors, data, body);
    errors.lang(body);
    let version = errors.integer(body.get("version_code"), "version_code");
    let duration = errors.integer(body.get("license_duration"), "license_duration");
    let code = errors.optional_string(body, "license_code");
    let currency = errors.currency(body);
    let Some(customer) = customer else {
        return invalid(&errors);
    };
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let list: Vec<Available> = CATALOGUE
        .iter()
        .filter(|e| data.remaining(customer, e, pool) > 0)
        .filter(|e| version.is_none_or(|v| e.version == v.to_string()))
        .filter(|e| duration.is_none_or(|d| u64::from(e.months) == d))
        .filter(|e| code.as_deref().is_none_or(|c| e.code == c))
        .map(|e| Available::new(e, currency))
        .collect();
    success(&list)
}

/// `POST /customerarea/licenses/demo`.
pub(super) fn demo(data: &mut Data, body: &Body, today: time::Date) -> Response {
    let mut errors = Errors::default();
    let customer = customer(&mut errors, data, body);
    let demos = |code: u64| {
        data.licences
            .iter()
            .filter(|l| l.demo && l.customer_code == code)
            .count()
    };
    if customer.is_some_and(|c| demos(c) >= MAX_DEMOS) {
        errors.add("customer_code", DEMO_LIMIT);
    }
    errors.lang(body);
    errors.boolean(body, "accept_notifications");
    let (Some(customer), true) = (customer, errors.is_empty()) else {
        return invalid(&errors);
    };
    let expiry = catalogue::format_date(catalogue::add_days(today, DEMO_DAYS));
    let license_id = data.new_licence(SandboxLicence {
        license_id: 0,
        customer_code: customer,
        license_code: DEMO_CODE.to_owned(),
        demo: true,
        suspended: false,
        cancelled: false,
        license_info: None,
        start_date: catalogue::format_date(today),
        expiry_date: expiry.clone(),
    });
    success(&json!({
        "customer": data.customer_name(customer),
        "version": DEMO_CODE,
        "license": DEMO_LICENSE,
        "expiry_date": expiry,
        "license_id": license_id,
    }))
}

/// `POST /customerarea/licenses/assign`.
pub(super) fn assign(data: &mut Data, body: &Body, pool: u32, today: time::Date) -> Response {
    let mut errors = Errors::default();
    let customer = customer(&mut errors, data, body);
    let entry = errors
        .required_string(body, "license_code")
        .and_then(|code| {
            let entry = catalogue::entry(&code)
                .filter(|e| customer.is_none_or(|c| data.remaining(c, e, pool) > 0));
            if entry.is_none() {
                errors.add("license_code", LICENSE_CODE_INVALID);
            }
            entry
        });
    let info = errors.required_string(body, "license_info");
    if info.as_ref().is_some_and(|i| {
        !i.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c.is_whitespace())
    }) {
        errors.add("license_info", LICENSE_INFO_FORMAT);
    }
    errors.boolean(body, "accept_notifications");
    let currency = errors.currency(body);
    let (Some(customer), Some(entry), Some(info), true) =
        (customer, entry, info, errors.is_empty())
    else {
        return invalid(&errors);
    };
    *data.used.entry((customer, entry.code)).or_default() += 1;
    let start = today;
    let start_date = catalogue::format_date(start);
    let expiry_date = catalogue::format_date(catalogue::add_months(start, entry.months));
    let license_id = data.new_licence(SandboxLicence {
        license_id: 0,
        customer_code: customer,
        license_code: entry.code.to_owned(),
        demo: false,
        suspended: false,
        cancelled: false,
        license_info: Some(info),
        start_date: start_date.clone(),
        expiry_date: expiry_date.clone(),
    });
    success(&json!({
        "customer": data.customer_name(customer),
        "license_id": license_id.to_string(),
        "start_date": start_date,
        "expiry_date": expiry_date,
        "deducted_amount": catalogue::hundredths(currency.cents(entry.eur_cents)),
        "currency_code": currency.code(),
    }))
}

/// `POST /customerarea/licenses/suspend` (`suspend` true) and `…/enable` (false).
pub(super) fn set_suspended(data: &mut Data, body: &Body, suspend: bool) -> Response {
    let mut errors = Errors::default();
    // The customer code as sent, to check the licence's owner before the customer field.
    let owner = body.get("customer_code").and_then(integer);
    let index = licence_index(&mut errors, data, body, owner);
    let customer = customer(&mut errors, data, body);
    let (Some(index), Some(_), true) = (index, customer, errors.is_empty()) else {
        return invalid(&errors);
    };
    let Some(licence) = data.licences.get_mut(index) else {
        return invalid(&errors);
    };
    if licence.suspended == suspend {
        // The documented 405 of both operations (seed 003): `enable`'s example repeats
        // `suspend`'s text, and the emulator answers as documented.
        return json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &NotAllowed {
                code: 405,
                message: "license already suspended",
                error: Vec::new(),
            },
        );
    }
    licence.suspended = suspend;
    success(&if suspend {
        "license suspended successfully"
    } else {
        "license enabled successfully"
    })
}

/// The index of the licence `license_id` names (required), not cancelled and, when `owner`
/// is given, that customer's; "the selected license id is invalid" otherwise.
pub(super) fn licence_index(
    errors: &mut Errors,
    data: &Data,
    body: &Body,
    owner: Option<u64>,
) -> Option<usize> {
    errors.require(body, "license_id").and_then(|id| {
        let index = integer(id).and_then(|id| {
            data.licences.iter().position(|l| {
                l.license_id == id && !l.cancelled && owner.is_none_or(|o| l.customer_code == o)
            })
        });
        if index.is_none() {
            errors.add("license_id", LICENSE_ID_INVALID);
        }
        index
    })
}
