//! Checks made before a request is sent.

use api_core::{Error, Result};

use crate::{
    AssignRequest, AvailableLicensesRequest, CustomerCode, DemoRequest, Lang, LicenseId,
    NewCustomer,
};

/// Shortest password the API accepts.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password the API accepts.
pub const MAX_PASSWORD_CHARS: usize = 15;

pub(crate) fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

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

pub(crate) fn password(value: &str) -> Result<()> {
    let chars = value.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(Error::invalid_input(
            "password",
            format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters; got {chars}"),
        ));
    }
    Ok(())
}

fn letters(field: &str, value: &str, count: usize, what: &str) -> Result<()> {
    if value.len() != count || !value.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::invalid_input(
            field,
            format!("must be {count} upper-case letters ({what}); got {value:?}"),
        ));
    }
    Ok(())
}

fn currency(value: Option<&str>) -> Result<()> {
    value.map_or(Ok(()), |c| {
        letters("currency_code", c, 3, "ISO 4217, e.g. EUR")
    })
}

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
    /// Checks the fields the API requires, naming the first problem.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        non_empty("email", &self.email)?;
        if !self.email.contains('@') {
            return Err(Error::invalid_input("email", "must be an e-mail address"));
        }
        password(&self.password)?;
        non_empty("customer_name", &self.customer_name)?;
        letters(
            "country_code",
            &self.country_code,
            2,
            "ISO 3166-1 alpha-2, e.g. IT",
        )?;
        if let Some(company) = &self.company_name {
            non_empty("company_name", company)?;
        }
        lang(self.lang.as_ref())
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
        currency(self.currency_code.as_deref())?;
        if let Some(months) = &self.license_duration
            && (months.is_empty() || !months.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::invalid_input(
                "license_duration",
                format!("must be a number of months; got {months:?}"),
            ));
        }
        if let Some(code) = &self.license_code {
            non_empty("license_code", code)?;
        }
        Ok(())
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
    /// dashes and spaces only (the server's documented rule).
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
        currency(self.currency_code.as_deref())
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
