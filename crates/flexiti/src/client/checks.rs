//! The checks a schema cannot state: amount precision, non-blank ids, header-safe tokens,
//! the Online init's cross-field rules.

use api_core::money::{self, Decimal};
use api_core::{Error, Result};

use crate::*;

/// Amounts are `number(18,2)`.
const AMOUNT_PRECISION: u32 = 18;
const AMOUNT_SCALE: u32 = 2;

pub(super) fn check_amount(field: &str, amount: Decimal) -> Result<()> {
    money::check_amount(field, amount, AMOUNT_PRECISION, AMOUNT_SCALE)?;
    if amount <= Decimal::ZERO {
        return Err(Error::invalid_input(
            field,
            format!("must be above 0; got {amount}"),
        ));
    }
    Ok(())
}

pub(super) fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

/// `x-reference-id` and `x-idempotency-key` values: visible ASCII, at most 64 characters.
pub(super) fn check_token(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() || value.len() > max || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_input(
            field,
            format!("must be 1 to {max} visible ASCII characters"),
        ));
    }
    Ok(())
}

pub(super) fn check_online(request: &OnlineInitRequest) -> Result<()> {
    non_empty("merchant_orderid", &request.merchant_orderid)?;
    non_empty("lang", &request.lang)?;
    if let Some(dob) = &request.dob {
        dob.check("dob")?;
    }
    let amount = Decimal::from_str_exact(request.amount_requested.trim()).map_err(|_| {
        Error::invalid_input(
            "amount_requested",
            format!("{:?} is not an amount", request.amount_requested),
        )
    })?;
    check_amount("amount_requested", amount)
}

pub(super) fn check_date(field: &str, value: &str) -> Result<()> {
    let bytes = value.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(Error::invalid_input(
            field,
            format!("must be a date as YYYY-MM-DD; got {value:?}"),
        ));
    }
    Ok(())
}
