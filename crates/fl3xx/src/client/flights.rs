//! Flights: one page, and every page as a stream.

use api_core::paginate::{Page, PageStyle, paginate};
use api_core::{Response, Result};
use futures_core::Stream;

use crate::flights::{FlightWindow, MAX_PAGE_SIZE};
use crate::generated::operations;
use crate::*;

impl OperatorClient {
    // Flights.

    /// One page of flights whose estimated blocks-off time is in `window` (newest first).
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for a page size outside 10–50.
    pub async fn flights_page(
        &self,
        window: &FlightWindow,
        limit: u8,
        offset: u64,
    ) -> Result<Response<List<Flight>>> {
        let filter = window.filter();
        self.call(operations::list_flights(
            &filter,
            Some(limit),
            Some(offset),
        )?)
        .await
    }

    /// Every flight in `window`, page by page (50 a page), one page in memory at a time.
    pub fn flights(&self, window: FlightWindow) -> impl Stream<Item = Result<Flight>> + use<> {
        let client = self.clone();
        paginate(
            PageStyle::Offset {
                limit: u32::from(MAX_PAGE_SIZE),
            },
            move |page| {
                let client = client.clone();
                async move {
                    let limit = u8::try_from(page.limit).unwrap_or(MAX_PAGE_SIZE);
                    let list = client.flights_page(&window, limit, page.offset).await?;
                    Ok(Page::new(list.into_inner().into_vec()))
                }
            },
        )
    }

    /// The permits of a flight (operator view).
    pub async fn flight_permits(&self, flight: &Id) -> Result<Response<List<FlightPermit>>> {
        self.call(operations::get_flight_permits(&flight.text())?)
            .await
    }

    /// One permit, with its documents.
    pub async fn flight_permit(&self, permit: &Id) -> Result<Response<FlightPermit>> {
        self.call(operations::get_flight_permit(&permit.text())?)
            .await
    }

    /// The slots and PPRs of a flight (operator view).
    pub async fn flight_slots_pprs(&self, flight: &Id) -> Result<Response<List<SlotPpr>>> {
        self.call(operations::get_flight_slots_pprs(&flight.text())?)
            .await
    }

    /// One slot or PPR, with its documents.
    pub async fn slot_ppr(&self, slot: &Id) -> Result<Response<SlotPpr>> {
        self.call(operations::get_slot_ppr(&slot.text())?).await
    }
}
