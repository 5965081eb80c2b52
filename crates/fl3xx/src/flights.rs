//! The flight list's filter and page size, built from typed values.

use api_core::date::{to_utc, write_date_time};
use api_core::{Error, Result};
use time::OffsetDateTime;

use crate::spec::LIST_FLIGHTS_PAGE_SIZES;

/// Smallest page the flight list accepts (from `specs/fl3xx.yaml`).
pub const MIN_PAGE_SIZE: u8 = *LIST_FLIGHTS_PAGE_SIZES.start();
/// Largest page the flight list accepts (from `specs/fl3xx.yaml`).
pub const MAX_PAGE_SIZE: u8 = *LIST_FLIGHTS_PAGE_SIZES.end();

/// A range of estimated blocks-off times: the flight list's only documented filter,
/// `blocksOffEstimatedDateTime,BTW,<from>,<to>` (both ends inclusive).
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

    /// The `filter` query value (URL-encoded by the client when sent).
    pub fn filter(&self) -> String {
        // Both ends are in UTC since `new`: written with a `Z`.
        format!(
            "blocksOffEstimatedDateTime,BTW,{},{}",
            write_date_time(self.from),
            write_date_time(self.to)
        )
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
