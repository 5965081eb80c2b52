//! Checks made before a request is sent. The spec's bounds (password lengths, country and
//! currency codes, the licence duration) are checked by generated code
//! (`api_core::validate::Validate`); what stays here is what a schema cannot say, and each
//! check says why.

use api_core::validate::Validate;
use api_core::{Error, Result};

use crate::{
    AssignRequest, AvailableLicensesRequest, CustomerCode, DemoRequest, Lang, LicenseId,
    NEW_CUSTOMER_PASSWORD_LENGTHS, NewCustomer,
};

/// Shortest password the API accepts (from `specs/fsflt.yaml`).
pub const MIN_PASSWORD_CHARS: usize = *NEW_CUSTOMER_PASSWORD_LENGTHS.start() as usize;
/// Longest password the API accepts (from `specs/fsflt.yaml`).
pub const MAX_PASSWORD_CHARS: usize = *NEW_CUSTOMER_PASSWORD_LENGTHS.end() as usize;

/// Required text that is not blank: `minLength: 1` would let spaces through.
pub(crate) fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

/// A customer code above 0: the code is a hand-written id type (`x-rust-type`), which the
/// generated checks do not read.
pub(crate) fn customer_code(code: CustomerCode) -> Result<()> {
    if code.get() == 0 {
        return Err(Error::invalid_input(
            "customer_code",
            "must be a customer code above 0",
        ));
    }
    Ok(())
}

pub(crate) fn license_id(id: &LicenseId) -> Result<()> {
    non_empty("license_id", &id.text())
}

/// An enum value the crate does not know is sent as it is elsewhere; the documented
/// languages are the only ones the server takes here.
pub(crate) fn lang(value: Option<&Lang>) -> Result<()> {
    match value {
        Some(Lang::Unknown(other)) => Err(Error::invalid_input(
            "lang",
            format!("must be one of EN, IT, ES, DE; got {other:?}"),
        )),
        _ => Ok(()),
    }
}

impl NewCustomer {
    /// Checks the fields the API requires, naming the first problem: the e-mail shape and
    /// the non-blank names (hand-written), then the spec's bounds (generated).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        non_empty("email", &self.email)?;
        // `format: email` is not checked by the generator; an `@` is the one rule we apply.
        if !self.email.contains('@') {
            return Err(Error::invalid_input("email", "must be an e-mail address"));
        }
        non_empty("customer_name", &self.customer_name)?;
        if let Some(company) = &self.company_name {
            non_empty("company_name", company)?;
        }
        lang(self.lang.as_ref())?;
        Validate::validate(self)
    }
}

impl AvailableLicensesRequest {
    /// Checks the filters.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        customer_code(self.customer_code)?;
        lang(self.lang.as_ref())?;
        if let Some(code) = &self.license_code {
            non_empty("license_code", code)?;
        }
        Validate::validate(self)
    }
}

impl DemoRequest {
    /// Checks the request.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        customer_code(self.customer_code)?;
        lang(self.lang.as_ref())
    }
}

impl AssignRequest {
    /// Checks the request: a licence code, and a licence description of letters, digits,
    /// dashes and spaces only (the server's documented rule; "letters" are Unicode letters,
    /// which the generator's patterns cannot say).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        customer_code(self.customer_code)?;
        non_empty("license_code", &self.license_code)?;
        non_empty("license_info", &self.license_info)?;
        if let Some((i, c)) = self
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
        Validate::validate(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
