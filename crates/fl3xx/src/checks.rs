//! The checks of request bodies that a schema cannot state, run last by the generated
//! `Validate` impls (`x-check` in `specs/fl3xx.yaml`): a request that breaks one is refused
//! with [`api_core::Error::InvalidInput`] before anything is sent, whichever way it is built.

use api_core::{Error, Result};

use crate::subscriptions::{check_callback_url, check_event};
use crate::{
    CreateCrewQualification, CreateWebhookSubscription, FuelPrice, FuelPriceBulkDelete,
    UpdateWebhookSubscription,
};

/// Refuses a blank text (empty or only whitespace): `minLength` would let `" "` through.
pub(crate) fn not_blank(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

/// `fboName` and `contractorName` are not blank; `volumeFrom` is not above `volumeTo`.
pub(crate) fn fuel_price(price: &FuelPrice) -> Result<()> {
    not_blank("fboName", &price.fbo_name)?;
    not_blank("contractorName", &price.contractor_name)?;
    if let (Some(from), Some(to)) = (price.volume_from, price.volume_to)
        && from > to
    {
        return Err(Error::invalid_input(
            "volumeFrom",
            format!("{from} is above volumeTo {to}"),
        ));
    }
    Ok(())
}

/// The crew member and the qualification type are named.
pub(crate) fn create_crew_qualification(qualification: &CreateCrewQualification) -> Result<()> {
    not_blank("crewId", &qualification.crew_id)?;
    not_blank("qualificationTypeId", &qualification.qualification_type_id)
}

/// The event is subscribable (not a group event), the callback https (plain http only for
/// loopback), the signing key not blank.
pub(crate) fn create_webhook_subscription(subscription: &CreateWebhookSubscription) -> Result<()> {
    check_event(&subscription.event)?;
    check_callback_url(&subscription.callback_url)?;
    not_blank("signingKey", &subscription.signing_key)
}

/// A new callback URL is https (plain http only for loopback).
pub(crate) fn update_webhook_subscription(update: &UpdateWebhookSubscription) -> Result<()> {
    match &update.callback_url {
        Some(url) => check_callback_url(url),
        None => Ok(()),
    }
}

/// A selection names at least one price: an empty one is ambiguous (none, or all?).
pub(crate) fn fuel_price_bulk_delete(selection: &FuelPriceBulkDelete) -> Result<()> {
    if selection.ids.is_empty() {
        return Err(Error::invalid_input(
            "ids",
            "an empty selection is ambiguous: send no body to delete every price",
        ));
    }
    Ok(())
}
