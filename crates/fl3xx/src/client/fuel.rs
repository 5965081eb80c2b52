//! Partner fuel prices.

use api_core::{NoContent, Response, Result};

use crate::generated::operations;
use crate::*;

use super::id;

impl OperatorClient {
    // Partner fuel prices.

    /// Your fuel prices at one airport.
    pub async fn fuel_prices(&self, airport: &str) -> Result<Response<List<FuelPrice>>> {
        self.call(operations::get_fuel_prices(airport)?).await
    }

    /// Sets a fuel price at one airport (PUT: repeating it is harmless). Answers the stored
    /// price, or `None` when the server answers without a body (its answer is not
    /// documented).
    pub async fn put_fuel_price(
        &self,
        airport: &str,
        price: &FuelPrice,
    ) -> Result<Response<Option<FuelPrice>>> {
        check_fuel_price(price)?;
        self.call_or_empty(operations::put_fuel_price(airport, price)?)
            .await
    }

    /// Deletes all your fuel prices at one airport.
    pub async fn delete_fuel_prices(&self, airport: &str) -> Result<Response<NoContent>> {
        self.call(operations::delete_fuel_prices(airport)?).await
    }

    /// Updates one fuel price by id; `None` when the server answers without a body.
    pub async fn update_fuel_price(
        &self,
        id: &Id,
        price: &FuelPrice,
    ) -> Result<Response<Option<FuelPrice>>> {
        check_fuel_price(price)?;
        self.call_or_empty(operations::update_fuel_price(&id.text(), price)?)
            .await
    }

    /// Bulk delete (`DELETE /api/v2/partners/airport-fuel-prices`). **Unconfirmed:** the path
    /// is documented, the selection is not. The documentation describes it as deleting
    /// **all** your prices at every airport and its example sends no body: `None` does exactly
    /// that. `Some(ids)` sends `{"ids": [...]}`, our guess at a selection — a server that
    /// ignores it would delete every price, so prefer [`OperatorClient::delete_fuel_prices`]
    /// per airport until FL3XX confirms the body.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for an empty id list (ambiguous: none, or all?).
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    pub async fn delete_fuel_prices_bulk(&self, ids: Option<&[Id]>) -> Result<Response<NoContent>> {
        let body = match ids {
            Some([]) => {
                return Err(api_core::Error::invalid_input(
                    "ids",
                    "an empty selection is ambiguous: pass None to delete every price",
                ));
            }
            Some(ids) => Some(FuelPriceBulkDelete {
                ids: ids.iter().map(ToString::to_string).collect(),
            }),
            None => None,
        };
        self.call(operations::delete_fuel_prices_bulk(body.as_ref())?)
            .await
    }
}

fn check_fuel_price(price: &FuelPrice) -> Result<()> {
    id("fboName", &price.fbo_name)?;
    id("contractorName", &price.contractor_name)?;
    if let (Some(from), Some(to)) = (price.volume_from, price.volume_to)
        && from > to
    {
        return Err(api_core::Error::invalid_input(
            "volumeFrom",
            format!("{from} is above volumeTo {to}"),
        ));
    }
    Ok(())
}
