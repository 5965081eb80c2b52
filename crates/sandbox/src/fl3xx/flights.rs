//! Flights: the seeded schedule, `GET /api/v2/flights` (filter, paging, sort), and each
//! flight's permits and slots/PPRs.

use serde::Serialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::airports::{AIRPORTS, Airport, Codes};
use super::routes::{Answer, Problem, Query, data, ok};
use super::{Operator, format_time};

/// Tail numbers of the seeded flights, in turn (the v1 fleet).
pub(super) const TAILS: [&str; 3] = ["OE-FXA", "OE-FXB", "9H-ABC"];
/// Hours between the blocks-off times of consecutive flights.
const SPACING_HOURS: i64 = 3;
/// Hours between blocks-off and blocks-on.
const BLOCK_HOURS: i64 = 2;
/// The field the flight filter works on, the only one documented.
const FILTER_FIELD: &str = "blocksOffEstimatedDateTime";
/// Bounds of `limit`, as documented (`specs/fl3xx.yaml`).
const LIMITS: std::ops::RangeInclusive<u8> = crate::generated::fl3xx::LIST_FLIGHTS_PAGE_SIZES;
/// `limit` when absent (our choice: the largest page).
const DEFAULT_LIMIT: usize = *LIMITS.end() as usize;

const FILTER_REQUIRED: &str = "filter is required";
const FILTER_INVALID: &str = "filter must be blocksOffEstimatedDateTime,BTW,<from>,<to> with dates as YYYY-MM-DDTHH:mm:ss.SSSZ";
const FLIGHT_NOT_FOUND: &str = "Flight not found";

/// One flight of an operator.
#[derive(Debug, Clone)]
pub(super) struct Flight {
    pub(super) id: u64,
    pub(super) number: String,
    pub(super) tail: &'static str,
    pub(super) blocks_off: OffsetDateTime,
    pub(super) blocks_on: OffsetDateTime,
    pub(super) departure: &'static Airport,
    pub(super) arrival: &'static Airport,
    updated: OffsetDateTime,
}

impl Flight {
    /// The `n`th flight (0-based) of an operator's schedule starting at `start`.
    pub(super) fn seeded(
        n: usize,
        id: u64,
        start: OffsetDateTime,
        updated: OffsetDateTime,
    ) -> Flight {
        let hours = i64::try_from(n)
            .unwrap_or(i64::MAX / 4)
            .saturating_mul(SPACING_HOURS);
        let blocks_off = start
            .checked_add(time::Duration::hours(hours))
            .unwrap_or(start);
        Flight {
            id,
            number: format!("FLX{}", 100 + n),
            tail: TAILS[n % TAILS.len()],
            blocks_off,
            blocks_on: blocks_off + time::Duration::hours(BLOCK_HOURS),
            departure: &AIRPORTS[n % AIRPORTS.len()],
            arrival: &AIRPORTS[(n + 1) % AIRPORTS.len()],
            updated,
        }
    }

    /// The next flight of a schedule: 3 h after the latest blocks-off of `flights`
    /// (or now when there is none).
    pub(super) fn after(flights: &[Flight], id: u64, now: OffsetDateTime) -> Flight {
        let mut flight = Flight::seeded(flights.len(), id, now, now);
        if let Some(latest) = flights.iter().map(|f| f.blocks_off).max() {
            flight.blocks_off = latest + time::Duration::hours(SPACING_HOURS);
            flight.blocks_on = flight.blocks_off + time::Duration::hours(BLOCK_HOURS);
        }
        flight
    }

    /// Moves both block times by `by`, and marks the flight changed at `now` (always later
    /// than the previous change).
    pub(super) fn shift(&mut self, by: time::Duration, now: OffsetDateTime) {
        self.blocks_off += by;
        self.blocks_on += by;
        self.updated = now.max(self.updated + time::Duration::milliseconds(1));
    }

    /// The flight as `GET /api/v2/flights` lists it.
    pub(super) fn wire(&self) -> FlightJson<'_> {
        FlightJson {
            flight_id: self.id.to_string(),
            flight_number: &self.number,
            tail_number: self.tail,
            blocks_off_estimated_date_time: format_time(self.blocks_off),
            blocks_on_estimated_date_time: format_time(self.blocks_on),
            departure_airport: self.departure.codes(),
            arrival_airport: self.arrival.codes(),
            workflow: "CHARTER",
            updated_at: format_time(self.updated),
        }
    }

    /// [`wire`](Self::wire) as a JSON value.
    pub(super) fn to_json(&self) -> Value {
        serde_json::to_value(self.wire()).unwrap_or_default()
    }
}

/// A flight on the wire, in a fixed field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FlightJson<'a> {
    flight_id: String,
    flight_number: &'a str,
    tail_number: &'static str,
    blocks_off_estimated_date_time: String,
    blocks_on_estimated_date_time: String,
    departure_airport: Codes,
    arrival_airport: Codes,
    workflow: &'static str,
    updated_at: String,
}

/// A permit or a slot/PPR on the wire.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PermitJson {
    id: String,
    permit_number: &'static str,
    status: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<&'static str>,
    notes: Option<String>,
}

/// `GET /api/v2/flights?filter=blocksOffEstimatedDateTime,BTW,<from>,<to>&limit=&offset=`.
pub(super) fn list(operator: &Operator, query: &Query) -> Answer {
    let filter = query
        .get("filter")
        .ok_or_else(|| Problem::bad_request(FILTER_REQUIRED))?;
    let (from, to) = parse_filter(filter).ok_or_else(|| Problem::bad_request(FILTER_INVALID))?;
    let (limit, offset) = query.page(DEFAULT_LIMIT);
    let mut flights: Vec<&Flight> = operator
        .flights
        .iter()
        .filter(|f| from <= f.blocks_off && f.blocks_off <= to)
        .collect();
    flights.sort_by(|a, b| b.blocks_off.cmp(&a.blocks_off).then(b.id.cmp(&a.id)));
    let page: Vec<FlightJson> = flights
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(Flight::wire)
        .collect();
    ok(&data(page))
}

/// `blocksOffEstimatedDateTime,BTW,<from>,<to>` → the inclusive bounds.
fn parse_filter(filter: &str) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let mut parts = filter.split(',');
    let (Some(field), Some(op), Some(from), Some(to), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if field.trim() != FILTER_FIELD || !op.trim().eq_ignore_ascii_case("BTW") {
        return None;
    }
    Some((parse_time(from)?, parse_time(to)?))
}

/// `YYYY-MM-DDTHH:mm:ss.SSSZ`, or any RFC 3339 date-time (a `+` decoded to a space by form
/// decoding is restored).
pub(super) fn parse_time(value: &str) -> Option<OffsetDateTime> {
    let value = value.trim().replace(' ', "+");
    let documented = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    PrimitiveDateTime::parse(&value, documented)
        .map(PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(&value, &Rfc3339))
        .ok()
}

/// `GET /api/v2/flights/{flightId}/permits`.
pub(super) fn permits(operator: &Operator, flight_id: &str) -> Answer {
    let flight = find(operator, flight_id).ok_or_else(|| Problem::not_found(FLIGHT_NOT_FOUND))?;
    ok(&data(vec![permit(flight.id)]))
}

/// `GET /api/v2/flight-permits/{flightPermitId}`.
pub(super) fn permit_by_id(operator: &Operator, id: &str) -> Answer {
    let flight = id
        .strip_prefix("P-")
        .and_then(|rest| rest.strip_suffix("-1"))
        .and_then(|flight| find(operator, flight))
        .ok_or_else(|| Problem::not_found("Flight permit not found"))?;
    ok(&permit(flight.id))
}

/// `GET /api/v2/flights/{flightId}/slots-pprs`.
pub(super) fn slots(operator: &Operator, flight_id: &str) -> Answer {
    let flight = find(operator, flight_id).ok_or_else(|| Problem::not_found(FLIGHT_NOT_FOUND))?;
    ok(&data(vec![slot(flight.id)]))
}

/// `GET /api/v2/flight-slots-pprs/{slotPprId}`.
pub(super) fn slot_by_id(operator: &Operator, id: &str) -> Answer {
    let flight = id
        .strip_prefix("S-")
        .and_then(|rest| rest.strip_suffix("-1"))
        .and_then(|flight| find(operator, flight))
        .ok_or_else(|| Problem::not_found("Flight slot/PPR not found"))?;
    ok(&slot(flight.id))
}

/// The operator's flight with the id `id` (digits).
pub(super) fn find<'a>(operator: &'a Operator, id: &str) -> Option<&'a Flight> {
    let id: u64 = id.parse().ok()?;
    operator.flights.iter().find(|f| f.id == id)
}

/// The one permit of every flight.
fn permit(flight: u64) -> PermitJson {
    PermitJson {
        id: format!("P-{flight}-1"),
        permit_number: "AT-123",
        status: "OK",
        kind: "LANDING",
        direction: None,
        notes: None,
    }
}

/// The one slot of every flight.
fn slot(flight: u64) -> PermitJson {
    PermitJson {
        id: format!("S-{flight}-1"),
        permit_number: "SLOT-123",
        status: "OK",
        kind: "SLOT",
        direction: Some("ARRIVAL"),
        notes: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn parses_documented_and_rfc3339_times() {
        assert_eq!(
            parse_time("2024-01-15T10:30:00.000Z"),
            Some(datetime!(2024-01-15 10:30:00 UTC))
        );
        assert_eq!(
            parse_time("2024-01-15T12:30:00+02:00"),
            Some(datetime!(2024-01-15 10:30:00 UTC))
        );
        assert_eq!(
            parse_time("2024-01-15T12:30:00 02:00"),
            Some(datetime!(2024-01-15 10:30:00 UTC))
        );
        assert_eq!(parse_time("2024-01-15"), None);
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn parses_the_filter() {
        let from = datetime!(2024-01-15 00:00:00 UTC);
        let to = datetime!(2024-01-16 00:00:00 UTC);
        assert_eq!(
            parse_filter(
                "blocksOffEstimatedDateTime,BTW,2024-01-15T00:00:00.000Z,2024-01-16T00:00:00.000Z"
            ),
            Some((from, to))
        );
        for bad in [
            "blocksOffEstimatedDateTime,EQ,2024-01-15T00:00:00.000Z,2024-01-16T00:00:00.000Z",
            "blocksOnEstimatedDateTime,BTW,2024-01-15T00:00:00.000Z,2024-01-16T00:00:00.000Z",
            "blocksOffEstimatedDateTime,BTW,2024-01-15T00:00:00.000Z",
            "blocksOffEstimatedDateTime,BTW,2024-01-15T00:00:00.000Z,2024-01-16T00:00:00.000Z,x",
            "blocksOffEstimatedDateTime,BTW,2024-01-15,2024-01-16",
        ] {
            assert_eq!(parse_filter(bad), None, "{bad}");
        }
    }

    #[test]
    fn seeded_flights_follow_the_schedule() {
        let start = datetime!(2024-01-15 10:00:00 UTC);
        let first = Flight::seeded(0, 5000, start, start);
        let json = first.to_json();
        assert_eq!(json["flightId"], "5000");
        assert_eq!(json["flightNumber"], "FLX100");
        assert_eq!(json["tailNumber"], "OE-FXA");
        assert_eq!(
            json["blocksOffEstimatedDateTime"],
            "2024-01-15T10:00:00.000Z"
        );
        assert_eq!(
            json["blocksOnEstimatedDateTime"],
            "2024-01-15T12:00:00.000Z"
        );
        assert_eq!(
            json["departureAirport"],
            json!({"icao": "LOWW", "iata": "VIE", "faa": null})
        );
        assert_eq!(
            json["arrivalAirport"],
            json!({"icao": "LMML", "iata": "MLA", "faa": null})
        );
        let flights: Vec<Flight> = (0..4)
            .map(|n| Flight::seeded(n, 5000 + n as u64, start, start))
            .collect();
        let next = Flight::after(&flights, 9000, start);
        assert_eq!(next.number, "FLX104");
        assert_eq!(next.blocks_off, datetime!(2024-01-15 22:00:00 UTC));
        assert_eq!(next.blocks_on, datetime!(2024-01-16 00:00:00 UTC));
    }
}
