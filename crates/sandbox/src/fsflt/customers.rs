//! The customer operations the docs describe without a path (unconfirmed, at the paths
//! `specs/fsflt.yaml` guesses): the customer list, one customer's details, the action on one
//! of its licences (a cancellation here) and its password.
//!
//! The docs show none of their answers: the list and the details are the customer as it was
//! created (plus its licences in the details), the two POSTs answer a sentence, as suspend
//! and enable do. The sandbox's choices, all of them.

use axum::response::Response;
use serde::Serialize;

use super::fields::{Body, Errors};
use super::routes::{PASSWORD_LENGTH, customer, invalid, success};
use super::{SandboxCustomer, SandboxLicence, State as Data};

/// The answer of `customers/license`.
const CANCELLED: &str = "license cancelled successfully";
/// The answer of `customers/password`.
const PASSWORD_UPDATED: &str = "password updated successfully";

/// A customer in the list and the details.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    customer_code: u64,
    customer_name: &'a str,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_surname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company_name: Option<&'a str>,
    country_code: &'a str,
    industry_code: u32,
    lang: &'a str,
    /// Only in the details: the customer's licences that are not cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    licenses: Option<Vec<Licence<'a>>>,
}

/// A licence in the details.
#[derive(Debug, Serialize)]
struct Licence<'a> {
    license_id: u64,
    license_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_info: Option<&'a str>,
    demo: bool,
    suspended: bool,
    start_date: &'a str,
    expiry_date: &'a str,
}

impl<'a> Summary<'a> {
    fn new(customer: &'a SandboxCustomer) -> Self {
        Summary {
            customer_code: customer.customer_code,
            customer_name: &customer.customer_name,
            email: &customer.email,
            customer_surname: customer.customer_surname.as_deref(),
            company_name: customer.company_name.as_deref(),
            country_code: &customer.country_code,
            industry_code: customer.industry_code,
            lang: &customer.lang,
            licenses: None,
        }
    }
}

impl<'a> Licence<'a> {
    fn new(licence: &'a SandboxLicence) -> Self {
        Licence {
            license_id: licence.license_id,
            license_code: &licence.license_code,
            license_info: licence.license_info.as_deref(),
            demo: licence.demo,
            suspended: licence.suspended,
            start_date: &licence.start_date,
            expiry_date: &licence.expiry_date,
        }
    }
}

/// `GET /customerarea/customers/list`: every customer, in the order they were created.
pub(super) fn list(data: &Data) -> Response {
    let customers: Vec<Summary> = data.customers.iter().map(Summary::new).collect();
    success(&customers)
}

/// `GET /customerarea/customers/details` `{customer_code, lang?}`: the customer and its
/// licences (`lang` is checked; the answer has no text to translate).
pub(super) fn details(data: &Data, body: &Body) -> Response {
    let mut errors = Errors::default();
    let code = customer(&mut errors, data, body);
    errors.lang(body);
    let (Some(code), true) = (code, errors.is_empty()) else {
        return invalid(&errors);
    };
    let Some(found) = data.customer(code) else {
        return invalid(&errors);
    };
    let mut summary = Summary::new(found);
    summary.licenses = Some(
        data.licences
            .iter()
            .filter(|l| l.customer_code == code && !l.cancelled)
            .map(Licence::new)
            .collect(),
    );
    success(&summary)
}

/// `POST /customerarea/customers/license` `{customer_code, license_id}`: cancels the licence
/// (the docs' purpose is unclear; the product docs say a dismissed licence can be
/// cancelled). A cancelled licence is unknown afterwards.
pub(super) fn cancel_licence(data: &mut Data, body: &Body) -> Response {
    let mut errors = Errors::default();
    let owner = customer(&mut errors, data, body);
    let index = super::licences::licence_index(&mut errors, data, body, owner);
    let (Some(_), Some(index), true) = (owner, index, errors.is_empty()) else {
        return invalid(&errors);
    };
    let Some(licence) = data.licences.get_mut(index) else {
        return invalid(&errors);
    };
    licence.cancelled = true;
    success(&CANCELLED)
}

/// `POST /customerarea/customers/password` `{customer_code, password}`: 8–15 characters.
/// The password is not kept (the sandbox keeps none).
pub(super) fn set_password(data: &Data, body: &Body) -> Response {
    let mut errors = Errors::default();
    let code = customer(&mut errors, data, body);
    let password = errors.required_string(body, "password");
    if password
        .as_ref()
        .is_some_and(|p| !(8..=15).contains(&p.chars().count()))
    {
        errors.add("password", PASSWORD_LENGTH);
    }
    let (Some(_), Some(_), true) = (code, password, errors.is_empty()) else {
        return invalid(&errors);
    };
    success(&PASSWORD_UPDATED)
}
