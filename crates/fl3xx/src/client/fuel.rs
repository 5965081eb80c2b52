//! Partner fuel prices whose answer may be empty.

use api_core::{Response, Result};

use crate::*;

impl OperatorClient {
    /// Sets a fuel price at one airport ([`OperatorClient::put_fuel_price`]; PUT: repeating
    /// it is harmless), answering the stored price, or `None` when the server answers
    /// without a body (its answer is not documented, and a `FuelPrice` needs its required
    /// fields to decode).
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for a price the spec's checks refuse (nothing is
    /// sent), or any error of the call.
    pub fn put_fuel_price_or_empty(
        &self,
        airport: impl std::fmt::Display,
        price: &FuelPrice,
    ) -> impl Future<Output = Result<Response<Option<FuelPrice>>>> + Send + '_ {
        self.call_or_empty(self.put_fuel_price(airport, price).into_operation())
    }

    /// Updates one fuel price by id ([`OperatorClient::update_fuel_price`]); `None` when the
    /// server answers without a body.
    ///
    /// # Errors
    /// As [`OperatorClient::put_fuel_price_or_empty`].
    pub fn update_fuel_price_or_empty(
        &self,
        id: impl std::fmt::Display,
        price: &FuelPrice,
    ) -> impl Future<Output = Result<Response<Option<FuelPrice>>>> + Send + '_ {
        self.call_or_empty(self.update_fuel_price(id, price).into_operation())
    }
}
