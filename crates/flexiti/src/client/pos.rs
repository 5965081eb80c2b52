//! POS API: customers and accounts.

use api_core::money::Decimal;
use api_core::{Error, NoContent, Response, Result};

use crate::generated::operations;
use crate::*;

use super::checks::*;

/// POS API: customers and accounts.
impl Client {
    /// Finds a customer's accounts by identity (`GET customers/search`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name or a date that is not `YYYY-MM-DD`.
    pub async fn search_customers(
        &self,
        first_name: &str,
        last_name: &str,
        dob: &str,
        postal_code: Option<&str>,
    ) -> Result<Response<Vec<CustomerAccount>>> {
        non_empty("first_name", first_name)?;
        non_empty("last_name", last_name)?;
        check_date("dob", dob)?;
        if let Some(code) = postal_code {
            let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
            if compact.len() != 6 || !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(Error::invalid_input(
                    "postal_code",
                    format!("must be a Canadian postal code (A1A1A1); got {code:?}"),
                ));
            }
        }
        let op = operations::search_customers(
            self.id(),
            first_name,
            last_name,
            dob,
            postal_code,
            self.lang(),
        )?;
        self.send(op).await
    }

    /// One customer or account by exactly one key (`GET customers/lookup`).
    pub async fn lookup_customer(&self, key: &CustomerKey) -> Result<Response<CustomerLookup>> {
        let (vcc, account, customer) = match key {
            CustomerKey::Vcc(v) => {
                non_empty("vcc_number", v)?;
                (Some(v.as_str()), None, None)
            }
            CustomerKey::Account(a) => {
                non_empty("account_number", &a.text())?;
                (None, Some(a.text()), None)
            }
            CustomerKey::Customer(c) => {
                non_empty("customer_id", &c.text())?;
                (None, None, Some(c.text()))
            }
        };
        let op = operations::lookup_customer(
            self.id(),
            vcc,
            account.as_deref(),
            customer.as_deref(),
            self.lang(),
        )?;
        self.send(op).await
    }

    /// Decodes a scanned driver's licence (PDF417) to pre-fill an application.
    pub async fn decode_drivers_license(&self, code: &str) -> Result<Response<DriversLicense>> {
        non_empty("code", code)?;
        let body = DriversLicenseRequest {
            code: code.to_owned(),
        };
        self.send(operations::decode_drivers_license(self.id(), &body)?)
            .await
    }

    /// In store: verifies the customer and gets a dynamic PIN (`POST account/{n}/verify`).
    /// Send the same `request_id` again on the purchase that uses the PIN.
    pub async fn verify_account(
        &self,
        account: &Id,
        request: &VerifyRequest,
    ) -> Result<Response<VerifyResponse>> {
        non_empty("account_number", &account.text())?;
        if matches!(request.format, VerifyFormat::SecurityQuestion)
            && (request.security_qid.is_none() || request.security_answer.is_none())
        {
            return Err(Error::invalid_input(
                "security_answer",
                "the security_question format needs security_qid and security_answer",
            ));
        }
        let op = operations::verify_account(self.id(), &account.text(), request)?;
        self.send(op).await
    }

    /// Closes an account (Québec).
    pub async fn close_account(&self, account: &Id) -> Result<Response<NoContent>> {
        non_empty("account_number", &account.text())?;
        let op = operations::close_account(self.id(), &account.text())?;
        self.send(op).await
    }

    /// The plans, terms and payments this account can get for `amount` (v2.5.1).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an amount that is not above 0 or has more than 2 decimals.
    pub async fn calculate_interest(
        &self,
        account: &Id,
        amount: Decimal,
    ) -> Result<Response<CalculateInterest>> {
        non_empty("account_number", &account.text())?;
        check_amount("amount", amount)?;
        let body = CalculateInterestRequest { amount };
        let op = operations::calculate_interest(self.id(), &account.text(), &body, self.lang())?;
        self.send(op).await
    }
}
