//! The most used reads of FL3XX's older API v1 ("external", `/api/external/...`).
//!
//! ```no_run
//! use time::macros::date;
//!
//! # async fn run(operator: fl3xx::OperatorClient) -> fl3xx::Result<()> {
//! let v1 = operator.v1();
//! let flights = v1
//!     .flights(date!(2024 - 01 - 01), date!(2024 - 01 - 31), None, Some("UTC"))
//!     .await?;
//! for flight in flights.iter() {
//!     let crew = v1.v1_flight_crew(&flight.flight_id).send().await?;
//!     println!("{:?}: {} crew", flight.flight_number, crew.crews.len());
//! }
//! # Ok(()) }
//! ```
//!
//! - Each operation is a method of its `operationId` returning a request builder
//!   ([`builders`](crate::builders)): `v1.v1_get_airport("LOWW").send().await`. The flight list
//!   also has [`V1Client::flights`], which checks its documented 6-month window first.
//! - Every call carries the operator's `X-Auth-Token` **alone**: v1 takes no
//!   `X-Api-Client-Id`.
//! - The calls go through the operator connection's own limiter and retry budget, shared with
//!   its v2 calls: after a fair-use 403 on either API, both are held back locally.
//! - Lists are bare JSON arrays (`Vec<T>`). Ids are numbers in v1; [`Id`](crate::Id) reads them as text.
//! - The models are generated from `specs/fl3xx.yaml` (`V1*`); unknown fields are kept in
//!   each model's `extra`. What is INFERRED rather than documented is said on each item.

use std::fmt;

use api_core::{Error, Execute, Operation, Response, Result, Transport};
use serde::de::DeserializeOwned;
use time::{Date, Month, OffsetDateTime};

use crate::checks::not_blank;

#[doc(no_inline)]
pub use crate::generated::models::{
    V1Account, V1Aircraft, V1Airport, V1Crew, V1CrewAssignment, V1Flight, V1FlightCrew,
    V1FlightInclude, V1Gender, V1Link,
};

/// How far `from` may lie before today, and `to` after today, in calendar months: the
/// documented limit of the v1 flight list.
pub const FLIGHT_WINDOW_MONTHS: u8 = 6;

/// The largest account page [`V1Client::v1_list_accounts`] asks for. Our bound, not FL3XX's (which
/// documents only the default, 100): it keeps one answer to a reasonable size. Stated in
/// `specs/fl3xx.yaml`.
pub const MAX_ACCOUNTS_PAGE: u16 = *crate::spec::V1_LIST_ACCOUNTS_PAGE_SIZES.end();

/// The v1 reads of one operator connection, from [`OperatorClient::v1`](crate::OperatorClient::v1).
/// Cheap to clone.
#[derive(Clone)]
pub struct V1Client {
    transport: Transport,
}

impl fmt::Debug for V1Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The transport's `Debug` redacts the token.
        f.debug_struct("V1Client")
            .field("transport", &self.transport)
            .finish()
    }
}

impl V1Client {
    pub(crate) fn new(transport: Transport) -> Self {
        Self { transport }
    }

    /// The underlying v1 transport (token only; the operator's limiter and retry budget).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The flights from `from` to `to`, both days inclusive
    /// (`GET /api/external/flight/flights`, [`V1Client::v1_list_flights`] with its window
    /// checked). `include` defaults to `NON_CANCELED` on the
    /// server; `time_zone` (e.g. `"UTC"`) says in which zone the days are read.
    ///
    /// The window is checked against today (UTC) before anything is sent: FL3XX answers at
    /// most [`FLIGHT_WINDOW_MONTHS`] months back and ahead. For longer periods, call once per
    /// chunk.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `from` when it is after `to` or more than 6 months before
    /// today, `to` when it is more than 6 months after today, or `timeZone` when it is empty.
    pub async fn flights(
        &self,
        from: Date,
        to: Date,
        include: Option<V1FlightInclude>,
        time_zone: Option<&str>,
    ) -> Result<Response<Vec<V1Flight>>> {
        let today = OffsetDateTime::now_utc().date();
        self.flights_as_of(today, from, to, include, time_zone)
            .await
    }

    /// [`V1Client::flights`], with the 6-month window checked against `today` instead of the
    /// clock (for replays and tests; the server still applies its own limit).
    ///
    /// # Errors
    /// As [`V1Client::flights`].
    pub async fn flights_as_of(
        &self,
        today: Date,
        from: Date,
        to: Date,
        include: Option<V1FlightInclude>,
        time_zone: Option<&str>,
    ) -> Result<Response<Vec<V1Flight>>> {
        check_flight_window(today, from, to)?;
        let mut list = self.v1_list_flights(from, to);
        if let Some(zone) = time_zone {
            not_blank("timeZone", zone)?;
            list = list.time_zone(zone);
        }
        if let Some(include) = include {
            list = list.include(include);
        }
        list.send().await
    }
}

/// The v1 calls go through the operator's v1 transport: `X-Auth-Token` alone, the
/// connection's limiter and retry budget.
impl Execute for V1Client {
    fn execute<T: DeserializeOwned + Send + 'static>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> + Send {
        self.transport.execute(operation)
    }
}

/// `date` moved by `months` calendar months, the day clamped to the target month's length
/// (31 August - 6 months = 28 or 29 February); saturating at the supported range.
fn add_months(date: Date, months: i32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let year = index.div_euclid(12);
    let month = u8::try_from(index.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::January);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(if months < 0 {
        Date::MIN
    } else {
        Date::MAX
    })
}

/// The documented window of the v1 flight list: `from` ≤ `to`, `from` at most 6 months
/// before `today`, `to` at most 6 months after it.
fn check_flight_window(today: Date, from: Date, to: Date) -> Result<()> {
    let months = i32::from(FLIGHT_WINDOW_MONTHS);
    if from > to {
        return Err(Error::invalid_input(
            "from",
            format!("{from} is after `to` ({to})"),
        ));
    }
    let earliest = add_months(today, -months);
    if from < earliest {
        return Err(Error::invalid_input(
            "from",
            format!(
                "{from} is more than {FLIGHT_WINDOW_MONTHS} months before today ({today}); the \
                 earliest day is {earliest}"
            ),
        ));
    }
    let latest = add_months(today, months);
    if to > latest {
        return Err(Error::invalid_input(
            "to",
            format!(
                "{to} is more than {FLIGHT_WINDOW_MONTHS} months after today ({today}); the \
                 latest day is {latest}"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_are_calendar_months_clamped_to_the_month_end() {
        assert_eq!(add_months(date!(2024 - 08 - 31), -6), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2023 - 08 - 31), -6), date!(2023 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 08 - 31), 6), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 15), -6), date!(2023 - 07 - 15));
        assert_eq!(add_months(date!(2024 - 12 - 01), 1), date!(2025 - 01 - 01));
        assert_eq!(add_months(Date::MAX, 6), Date::MAX);
        assert_eq!(add_months(Date::MIN, -6), Date::MIN);
    }

    #[test]
    fn the_window_is_six_months_each_way() {
        let today = date!(2024 - 08 - 31);
        assert!(check_flight_window(today, date!(2024 - 02 - 29), date!(2025 - 02 - 28)).is_ok());
        assert!(check_flight_window(today, today, today).is_ok());
        let err = check_flight_window(today, date!(2024 - 02 - 28), today).expect_err("early");
        assert_eq!(
            err.to_string(),
            "invalid `from`: 2024-02-28 is more than 6 months before today (2024-08-31); the \
             earliest day is 2024-02-29"
        );
        let err = check_flight_window(today, today, date!(2025 - 03 - 01)).expect_err("late");
        assert_eq!(
            err.to_string(),
            "invalid `to`: 2025-03-01 is more than 6 months after today (2024-08-31); the latest \
             day is 2025-02-28"
        );
        let err = check_flight_window(today, date!(2024 - 08 - 02), date!(2024 - 08 - 01))
            .expect_err("reversed");
        assert_eq!(
            err.to_string(),
            "invalid `from`: 2024-08-02 is after `to` (2024-08-01)"
        );
    }
}
