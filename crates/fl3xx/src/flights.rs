//! The list filters, built from typed values and checked where a schema cannot: the
//! flight list's window (its ends in order) and the crew qualification list's crew.

use std::fmt;

use api_core::date::{to_utc, write_date_time};
use api_core::{Error, Result};
use time::OffsetDateTime;

use crate::Id;

use crate::spec::LIST_FLIGHTS_PAGE_SIZES;

/// Smallest page the flight list accepts (from `specs/fl3xx.yaml`).
pub const MIN_PAGE_SIZE: u8 = *LIST_FLIGHTS_PAGE_SIZES.start();
/// Largest page the flight list accepts (from `specs/fl3xx.yaml`).
pub const MAX_PAGE_SIZE: u8 = *LIST_FLIGHTS_PAGE_SIZES.end();

/// A range of estimated blocks-off times: the flight list's only documented filter,
/// `blocksOffEstimatedDateTime,BTW,<from>,<to>` (both ends inclusive). Its `Display` is the
/// filter, so a window is what [`OperatorClient::list_flights`](crate::OperatorClient::list_flights)
/// takes.
///
/// ```
/// use time::macros::datetime;
/// let window = fl3xx::FlightWindow::new(datetime!(2024-01-15 00:00 UTC), datetime!(2024-01-16 12:30 +01:00))?;
/// assert_eq!(
///     window.filter(),
///     "blocksOffEstimatedDateTime,BTW,2024-01-15T00:00:00.000Z,2024-01-16T11:30:00.000Z"
/// );
/// # Ok::<(), fl3xx::Error>(())
/// ```
///
/// ```no_run
/// # async fn run(operator: fl3xx::OperatorClient, window: fl3xx::FlightWindow) -> fl3xx::Result<()> {
/// use futures_util::TryStreamExt;
/// // One page of 20, then every flight (50 a page).
/// let page = operator.list_flights(window).limit(20).offset(40).send().await?;
/// let all: Vec<fl3xx::Flight> = operator.list_flights(window).paginate().try_collect().await?;
/// # let _ = (page, all); Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlightWindow {
    from: OffsetDateTime,
    to: OffsetDateTime,
}

impl FlightWindow {
    /// Flights whose estimated blocks-off time is within `[from, to]`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `from` is after `to`, or either has no date in UTC (an
    /// instant at the very edge of `time`'s range with an offset).
    pub fn new(from: OffsetDateTime, to: OffsetDateTime) -> Result<Self> {
        // Kept in UTC, the form the filter is written in.
        let (from, to) = (to_utc(from, "filter")?, to_utc(to, "filter")?);
        if from > to {
            return Err(Error::invalid_input(
                "filter",
                format!("the window starts ({from}) after it ends ({to})"),
            ));
        }
        Ok(Self { from, to })
    }

    /// The start.
    pub fn from(&self) -> OffsetDateTime {
        self.from
    }

    /// The end.
    pub fn to(&self) -> OffsetDateTime {
        self.to
    }

    /// The `filter` query value (URL-encoded by the client when sent); also its `Display`.
    pub fn filter(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for FlightWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Both ends are in UTC since `new`: written with a `Z`.
        write!(
            f,
            "blocksOffEstimatedDateTime,BTW,{},{}",
            write_date_time(self.from),
            write_date_time(self.to)
        )
    }
}

/// One crew member's qualifications: the crew qualification list's filter,
/// `crewId,EQ,<crew>`. Its `Display` is the filter, so it is what
/// [`OperatorClient::list_crew_qualifications`](crate::OperatorClient::list_crew_qualifications)
/// takes.
///
/// ```
/// let crew = fl3xx::CrewFilter::new(&fl3xx::Id::from("77"))?;
/// assert_eq!(crew.to_string(), "crewId,EQ,77");
/// assert!(fl3xx::CrewFilter::new(&fl3xx::Id::from("77,isActive,EQ,false")).is_err());
/// # Ok::<(), fl3xx::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrewFilter {
    crew: String,
}

impl CrewFilter {
    /// The qualifications of `crew`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `crewId` when the id is blank, or holds a `,` (which
    /// would add terms to the filter expression).
    pub fn new(crew: &Id) -> Result<Self> {
        let crew = crew.to_string();
        crate::checks::not_blank("crewId", &crew)?;
        if crew.contains(',') {
            return Err(Error::invalid_input("crewId", "must not contain ','"));
        }
        Ok(Self { crew })
    }
}

impl fmt::Display for CrewFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "crewId,EQ,{}", self.crew)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn windows_and_page_sizes() {
        let w = FlightWindow::new(
            datetime!(2024-01-15 10:30:00.123456 UTC),
            datetime!(2024-01-15 10:30:00.123456 UTC),
        )
        .expect("a single instant is a valid window");
        assert_eq!(
            w.filter(),
            "blocksOffEstimatedDateTime,BTW,2024-01-15T10:30:00.123Z,2024-01-15T10:30:00.123Z"
        );
        let err = FlightWindow::new(
            datetime!(2024-01-16 0:00 UTC),
            datetime!(2024-01-15 0:00 UTC),
        )
        .expect_err("reversed");
        assert!(
            err.to_string()
                .starts_with("invalid `filter`: the window starts")
        );
    }

    /// The last day of `time`'s range two hours west of UTC has no date in UTC: a typed
    /// refusal, not a panic.
    #[test]
    fn an_instant_without_a_utc_date_is_invalid_input() {
        let edge = time::Date::MAX
            .with_hms(23, 0, 0)
            .expect("a time")
            .assume_offset(time::UtcOffset::from_hms(-2, 0, 0).expect("an offset"));
        let err = FlightWindow::new(datetime!(2024-01-15 0:00 UTC), edge).expect_err("edge");
        assert!(
            err.to_string().starts_with("invalid `filter`: ")
                && err.to_string().ends_with("has no date in UTC"),
            "{err}"
        );
    }
}
