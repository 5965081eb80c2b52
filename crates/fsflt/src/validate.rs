//! The rules a schema cannot state, run last by the generated `Validate` of each body that
//! names them with `x-check` in `specs/fsflt.yaml` (so before any request is sent). The
//! spec's own bounds (password lengths, country and currency codes, the licence duration, a
//! customer code sent as text) are generated; each rule here says why it is not one of them.

use api_core::{Error, Result};

use crate::{
    AssignRequest, AvailableLicensesRequest, CustomerCode, CustomerDetailsRequest,
    CustomerLicenseRequest, DemoRequest, Lang, LicenseAction, NEW_CUSTOMER_PASSWORD_LENGTHS,
    NewCustomer,
};

/// Shortest password the API accepts (from `specs/fsflt.yaml`).
pub const MIN_PASSWORD_CHARS: usize = *NEW_CUSTOMER_PASSWORD_LENGTHS.start() as usize;
/// Longest password the API accepts (from `specs/fsflt.yaml`).
pub const MAX_PASSWORD_CHARS: usize = *NEW_CUSTOMER_PASSWORD_LENGTHS.end() as usize;

/// Required text that is not blank: `minLength: 1` would let spaces through, and the
/// generator's patterns (positive character classes only) cannot say "some character that is
/// not whitespace".
fn non_empty(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

/// A customer code above 0: the field is a hand-written id type (`x-rust-type`), whose
/// bounds the generated checks do not read. (Where a body sends the code as text, the spec's
/// `pattern` says the same.)
fn customer_code(code: CustomerCode) -> Result<()> {
    if code.get() == 0 {
        return Err(Error::invalid_input(
            "customer_code",
            "must be a customer code above 0",
        ));
    }
    Ok(())
}

/// A documented language. The spec lists them (`enum`), but the generated `Lang` keeps any
/// other value as `Lang::Unknown` (so answers never fail on a new one), and the generated
/// checks do not refuse it in a request; the documented languages are the only ones the
/// server takes.
fn lang(value: Option<&Lang>) -> Result<()> {
    match value {
        Some(Lang::Unknown(other)) => Err(Error::invalid_input(
            "lang",
            format!("must be one of EN, IT, ES, DE; got {other:?}"),
        )),
        _ => Ok(()),
    }
}

/// `x-check` of `NewCustomer`: a non-blank e-mail with an `@`, non-blank names, a known
/// language. The spec's `format: email` is not checked by the generator (OpenAPI allows any
/// format), and an `@` is the one e-mail rule we apply; the server checks the rest.
pub(crate) fn new_customer(customer: &NewCustomer) -> Result<()> {
    non_empty("email", &customer.email)?;
    if !customer.email.contains('@') {
        return Err(Error::invalid_input("email", "must be an e-mail address"));
    }
    non_empty("customer_name", &customer.customer_name)?;
    if let Some(company) = &customer.company_name {
        non_empty("company_name", company)?;
    }
    lang(customer.lang.as_ref())
}

/// `x-check` of `AvailableLicensesRequest`: a customer above 0, a known language, a
/// non-blank licence code when one is asked for.
pub(crate) fn available_licenses_request(query: &AvailableLicensesRequest) -> Result<()> {
    customer_code(query.customer_code)?;
    lang(query.lang.as_ref())?;
    if let Some(code) = &query.license_code {
        non_empty("license_code", code)?;
    }
    Ok(())
}

/// `x-check` of `DemoRequest`: a customer above 0 and a known language.
pub(crate) fn demo_request(request: &DemoRequest) -> Result<()> {
    customer_code(request.customer_code)?;
    lang(request.lang.as_ref())
}

/// `x-check` of `AssignRequest`: a customer above 0, a non-blank licence code, and a
/// licence description of letters, digits, dashes and whitespace only (the server's
/// documented rule). "Letters" are Unicode letters (`à`, `ß`, `Ж`), which the generator's
/// patterns (explicit character ranges) cannot list.
pub(crate) fn assign_request(request: &AssignRequest) -> Result<()> {
    customer_code(request.customer_code)?;
    non_empty("license_code", &request.license_code)?;
    non_empty("license_info", &request.license_info)?;
    if let Some((i, c)) = request
        .license_info
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '-' || c.is_whitespace()))
    {
        return Err(Error::invalid_input(
            "license_info",
            format!(
                "may only contain letters, numbers, dashes and whitespace; found {c:?} at position {}",
                i + 1
            ),
        ));
    }
    Ok(())
}

/// `x-check` of `LicenseAction` (suspend, enable): a non-blank licence id.
pub(crate) fn license_action(action: &LicenseAction) -> Result<()> {
    non_empty("license_id", &action.license_id)
}

/// `x-check` of `CustomerDetailsRequest`: a known language.
pub(crate) fn customer_details_request(request: &CustomerDetailsRequest) -> Result<()> {
    lang(request.lang.as_ref())
}

/// `x-check` of `CustomerLicenseRequest`: a non-blank licence id.
pub(crate) fn customer_license_request(request: &CustomerLicenseRequest) -> Result<()> {
    non_empty("license_id", &request.license_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuthTokenRequest, LicenseId, SetPasswordRequest, Validate};

    fn field(result: Result<()>) -> String {
        match result {
            Err(Error::InvalidInput(e)) => e.field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    fn customer() -> NewCustomer {
        NewCustomer::new("a@example.com", "s3cretpass", "Rossi", "IT", 3)
    }

    #[test]
    fn new_customer_rules() {
        assert!(customer().validate().is_ok());
        let mut c = customer();
        c.email = "nope".into();
        assert_eq!(field(c.validate()), "email");
        let mut c = customer();
        c.password = "short".into();
        assert_eq!(field(c.validate()), "password");
        c.password = "x".repeat(16);
        assert_eq!(field(c.validate()), "password");
        let mut c = customer();
        c.country_code = "ita".into();
        assert_eq!(field(c.validate()), "country_code");
        c.country_code = "it".into();
        assert_eq!(field(c.validate()), "country_code");
        let mut c = customer();
        c.lang = Some(Lang::Unknown("fr".into()));
        assert_eq!(field(c.validate()), "lang");
        let mut c = customer();
        c.company_name = Some(" ".into());
        assert_eq!(field(c.validate()), "company_name");
    }

    #[test]
    fn licence_request_rules() {
        let code = CustomerCode::from(1001);
        assert!(
            AvailableLicensesRequest::for_customer(code)
                .validate()
                .is_ok()
        );
        let mut r = AvailableLicensesRequest::for_customer(code);
        r.currency_code = Some("eur".into());
        assert_eq!(field(r.validate()), "currency_code");
        let mut r = AvailableLicensesRequest::for_customer(code);
        r.license_duration = Some("12 months".into());
        assert_eq!(field(r.validate()), "license_duration");
        assert_eq!(
            field(AvailableLicensesRequest::for_customer(CustomerCode::from(0)).validate()),
            "customer_code"
        );
        assert!(
            AssignRequest::new(code, "CL-Q-A005-M1", "Head office - Rome 2")
                .validate()
                .is_ok()
        );
        let err = AssignRequest::new(code, "CL-Q-A005-M1", "Head office/Rome")
            .validate()
            .expect_err("slash");
        assert_eq!(
            err.to_string(),
            "invalid `license_info`: may only contain letters, numbers, dashes and whitespace; found '/' at position 12"
        );
        assert_eq!(
            field(AssignRequest::new(code, " ", "x").validate()),
            "license_code"
        );
        assert!(DemoRequest::for_customer(code).validate().is_ok());
        assert_eq!(
            field(DemoRequest::for_customer(CustomerCode::from(0)).validate()),
            "customer_code"
        );
    }

    #[test]
    fn bodies_with_the_code_as_text() {
        let code = CustomerCode::from(1001);
        let licence = LicenseId::from(13343);
        assert!(AuthTokenRequest::for_customer(code).validate().is_ok());
        assert!(LicenseAction::new(code, &licence).validate().is_ok());
        assert!(
            CustomerLicenseRequest::new(code, &licence)
                .validate()
                .is_ok()
        );
        assert!(
            CustomerDetailsRequest::for_customer(code)
                .validate()
                .is_ok()
        );
        assert!(
            SetPasswordRequest::new(code, "s3cretpass")
                .validate()
                .is_ok()
        );
        let zero = CustomerCode::from(0);
        for result in [
            AuthTokenRequest::for_customer(zero).validate(),
            LicenseAction::new(zero, &licence).validate(),
            CustomerLicenseRequest::new(zero, &licence).validate(),
            CustomerDetailsRequest::for_customer(zero).validate(),
            SetPasswordRequest::new(zero, "s3cretpass").validate(),
        ] {
            assert_eq!(field(result), "customer_code");
        }
        // Text no `CustomerCode` makes is refused too.
        for text in ["", "0", "007", "12a", " 1", "-1"] {
            let body = AuthTokenRequest {
                customer_code: text.into(),
            };
            assert_eq!(field(body.validate()), "customer_code", "{text:?}");
        }
        let blank = LicenseId::from(" ");
        assert_eq!(
            field(LicenseAction::new(code, &blank).validate()),
            "license_id"
        );
        assert_eq!(
            field(CustomerLicenseRequest::new(code, &blank).validate()),
            "license_id"
        );
        let mut details = CustomerDetailsRequest::for_customer(code);
        details.lang = Some(Lang::Unknown("fr".into()));
        assert_eq!(field(details.validate()), "lang");
        assert_eq!(
            field(SetPasswordRequest::new(code, "short").validate()),
            "password"
        );
    }
}
