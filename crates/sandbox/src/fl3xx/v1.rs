//! API v1 ("external", `/api/external/...`): the reads `specs/fl3xx.yaml` describes (flights
//! in a date window, one flight and its crew, the crew, the fleet, one airport, the customer
//! accounts), over the operator's own data. Lists are bare arrays and ids numbers, as v1
//! writes them.
//!
//! What the documentation does not show (the flight crew's shape, account and crew data, the
//! order of lists) is the sandbox's choice; errors are the v2 Spring-style bodies.

use serde_json::{Value, json};
use time::{Date, Month, OffsetDateTime};

use super::airports::{self, Airport};
use super::flights::{self, Flight, TAILS};
use super::routes::{Answer, Problem, Query, ok};
use super::{Operator, format_time};

/// How far the flight window reaches back and ahead, in calendar months (documented).
const WINDOW_MONTHS: i32 = 6;
/// `limit` of the account list when absent (documented: the spec's `default`).
fn default_limit() -> usize {
    crate::generated::fl3xx::V1_LIST_ACCOUNTS
        .parameter("limit")
        .and_then(|limit| limit.default)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(usize::from(*LIMITS.end()))
}
/// Bounds of `limit` (`specs/fl3xx.yaml`: ours, the documents give none).
const LIMITS: std::ops::RangeInclusive<u16> = crate::generated::fl3xx::V1_LIST_ACCOUNTS_PAGE_SIZES;

const FROM_INVALID: &str = "from is required, as YYYY-MM-DD";
const TO_INVALID: &str = "to is required, as YYYY-MM-DD";
const WINDOW_ORDER: &str = "from must be on or before to";
const FROM_TOO_EARLY: &str = "from must be at most 6 months in the past";
const TO_TOO_LATE: &str = "to must be at most 6 months in the future";
const INCLUDE_INVALID: &str = "include must be NON_CANCELED or ALL";
const TIME_ZONE_INVALID: &str = "timeZone must be UTC in the sandbox";
const SINCE_INVALID: &str = "modifiedSince must be a date-time such as 2024-01-15T10:30:00.000Z";
const FLIGHT_NOT_FOUND: &str = "Flight not found";
const CREW_NOT_FOUND: &str = "Crew member not found";
const AIRPORT_NOT_FOUND: &str = "Airport not found";

/// The v1 endpoints, with their path parameters (percent-decoded). All answer GET only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Route {
    Flights,
    Flight(String),
    FlightCrew(String),
    Crew,
    CrewMember(String),
    Aircraft,
    Airport(String),
    Accounts,
}

/// Answers a v1 GET of `operator`.
pub(super) fn answer(
    operator: &Operator,
    route: &Route,
    query: &Query,
    now: OffsetDateTime,
) -> Answer {
    match route {
        Route::Flights => list_flights(operator, query, now),
        Route::Flight(id) => ok(&flight_json(flight(operator, id)?, now)),
        Route::FlightCrew(id) => ok(&json!({ "crews": flight_crew(flight(operator, id)?) })),
        Route::Crew => {
            let listed = modified_since(operator, query)?;
            ok(&CREW
                .iter()
                .filter(|_| listed)
                .map(crew_json)
                .collect::<Vec<_>>())
        }
        Route::CrewMember(reference) => CREW
            .iter()
            .find(|c| c.pilot_id.to_string() == *reference || c.personnel_number == reference)
            .map_or_else(
                || Err(Problem::not_found(CREW_NOT_FOUND)),
                |c| ok(&crew_json(c)),
            ),
        Route::Aircraft => {
            let listed = modified_since(operator, query)?;
            ok(&TAILS
                .iter()
                .filter(|_| listed)
                .map(|t| aircraft_json(t))
                .collect::<Vec<_>>())
        }
        Route::Airport(code) => airports::find(code).map_or_else(
            || Err(Problem::not_found(AIRPORT_NOT_FOUND)),
            |a| ok(&airport_json(a)),
        ),
        Route::Accounts => list_accounts(query),
    }
}

// ---------------------------------------------------------------------------------------
// Flights

/// `GET flight/flights?from&to[&include][&timeZone]`: the flights whose estimated blocks-off
/// day (UTC) lies in the window, oldest first. The sandbox has no cancelled flights, so
/// `include` changes nothing; the only zone it reads days in is `UTC`.
fn list_flights(operator: &Operator, query: &Query, now: OffsetDateTime) -> Answer {
    let from = query
        .get("from")
        .and_then(parse_day)
        .ok_or_else(|| Problem::bad_request(FROM_INVALID))?;
    let to = query
        .get("to")
        .and_then(parse_day)
        .ok_or_else(|| Problem::bad_request(TO_INVALID))?;
    if from > to {
        return Err(Problem::bad_request(WINDOW_ORDER));
    }
    let today = now.date();
    if from < add_months(today, -WINDOW_MONTHS) {
        return Err(Problem::bad_request(FROM_TOO_EARLY));
    }
    if to > add_months(today, WINDOW_MONTHS) {
        return Err(Problem::bad_request(TO_TOO_LATE));
    }
    if query
        .get("include")
        .is_some_and(|i| !["NON_CANCELED", "ALL"].contains(&i))
    {
        return Err(Problem::bad_request(INCLUDE_INVALID));
    }
    if query.get("timeZone").is_some_and(|z| z != "UTC") {
        return Err(Problem::bad_request(TIME_ZONE_INVALID));
    }
    let mut listed: Vec<&Flight> = operator
        .flights
        .iter()
        .filter(|f| (from..=to).contains(&f.blocks_off.date()))
        .collect();
    listed.sort_by_key(|f| (f.blocks_off, f.id));
    let body: Vec<Value> = listed.into_iter().map(|f| flight_json(f, now)).collect();
    ok(&body)
}

/// The operator's flight `id`, or 404.
fn flight<'a>(operator: &'a Operator, id: &str) -> Result<&'a Flight, Problem> {
    flights::find(operator, id).ok_or_else(|| Problem::not_found(FLIGHT_NOT_FOUND))
}

/// A flight as v1 writes it (`V1Flight`): ids as numbers, airports as ICAO codes, times
/// `YYYY-MM-DDTHH:mm:ss.SSSZ`.
fn flight_json(flight: &Flight, now: OffsetDateTime) -> Value {
    let account = &ACCOUNTS[usize::try_from(flight.id % 3).unwrap_or(0)];
    let status = if now < flight.blocks_off {
        "Scheduled"
    } else if now < flight.blocks_on {
        "Off Block"
    } else {
        "On Block"
    };
    json!({
        "flightId": flight.id,
        "accountId": account.id,
        "accountName": account.name,
        "accountReference": account.number,
        "bookingIdentifier": format!("B-{}", flight.id),
        "flightNumber": flight.number,
        "registrationNumber": flight.tail,
        "aircraftCategory": aircraft(flight.tail).category,
        "airportFrom": flight.departure.icao,
        "airportTo": flight.arrival.icao,
        "blockOffEstUTC": format_time(flight.blocks_off),
        "blockOnEstUTC": format_time(flight.blocks_on),
        "flightStatus": status,
        "postFlightClosed": false,
        "workflowCustomName": "Charter",
        "paxReferences": [],
    })
}

/// The captain and first officer of a flight, from the roster in turn.
fn flight_crew(flight: &Flight) -> Vec<Value> {
    let first = usize::try_from(flight.id % 3).unwrap_or(0);
    [(first, "CMD"), ((first + 1) % CREW.len(), "FO")]
        .into_iter()
        .map(|(i, role)| {
            let c = &CREW[i];
            json!({
                "pilotId": c.pilot_id,
                "personnelNumber": c.personnel_number,
                "firstName": c.first_name,
                "lastName": c.last_name,
                "trigram": c.trigram,
                "role": role,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Crew, fleet, airports, accounts

/// One crew member of every operator's roster.
struct CrewMember {
    pilot_id: u64,
    personnel_number: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    trigram: &'static str,
    gender: &'static str,
    job_title: &'static str,
}

/// The roster; 77 is the crew member the seeded qualifications belong to.
const CREW: [CrewMember; 3] = [
    CrewMember {
        pilot_id: 77,
        personnel_number: "P-077",
        first_name: "Anna",
        last_name: "Berger",
        trigram: "ABE",
        gender: "FEMALE",
        job_title: "Captain",
    },
    CrewMember {
        pilot_id: 78,
        personnel_number: "P-078",
        first_name: "Lukas",
        last_name: "Huber",
        trigram: "LHU",
        gender: "MALE",
        job_title: "First Officer",
    },
    CrewMember {
        pilot_id: 79,
        personnel_number: "P-079",
        first_name: "Maria",
        last_name: "Camilleri",
        trigram: "MCA",
        gender: "FEMALE",
        job_title: "First Officer",
    },
];

fn crew_json(c: &CrewMember) -> Value {
    json!({
        "pilotId": c.pilot_id,
        "personnelNumber": c.personnel_number,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "trigram": c.trigram,
        "email": format!("{}@crew.example", c.trigram.to_ascii_lowercase()),
        "status": "ACTIVE",
        "gender": c.gender,
        "jobTitle": c.job_title,
        "roles": {"Staff": ["Pilot"]},
        "pilotOnAircraft": TAILS,
    })
}

/// One aircraft of the fleet (the seeded flights' tails).
struct Aircraft {
    tail: &'static str,
    seats: u32,
    kind: &'static str,
    model: &'static str,
    category: &'static str,
    homebase: &'static str,
}

const FLEET: [Aircraft; 3] = [
    Aircraft {
        tail: "OE-FXA",
        seats: 8,
        kind: "C56X",
        model: "Citation XLS+",
        category: "MIDSIZE_JET",
        homebase: "LOWW",
    },
    Aircraft {
        tail: "OE-FXB",
        seats: 13,
        kind: "GLEX",
        model: "Global Express",
        category: "HEAVY_JET",
        homebase: "LOWW",
    },
    Aircraft {
        tail: "9H-ABC",
        seats: 16,
        kind: "GL7T",
        model: "Global 7500",
        category: "ULTRA_LONG_RANGE_JET",
        homebase: "LMML",
    },
];

/// The fleet entry of `tail` (every seeded tail has one).
fn aircraft(tail: &str) -> &'static Aircraft {
    FLEET.iter().find(|a| a.tail == tail).unwrap_or(&FLEET[0])
}

fn aircraft_json(tail: &str) -> Value {
    let a = aircraft(tail);
    let href = |rest: &str| format!("/api/external/aircraft/{}{rest}", a.tail);
    json!({
        "tailNumber": a.tail,
        "numberOfSeats": a.seats,
        "type": a.kind,
        "model": a.model,
        "typeName": a.model,
        "homebase": a.homebase,
        "category": a.category,
        "flightNumberToken": a.tail.replace('-', ""),
        "links": [
            {"rel": "self", "href": href("")},
            {"rel": "schedule", "href": href("/schedule")},
        ],
    })
}

fn airport_json(a: &Airport) -> Value {
    json!({
        "id": a.id.parse::<u64>().unwrap_or_default(),
        "name": a.name,
        "icao": a.icao,
        "iata": a.iata,
        "faa": a.faa,
        "city": a.served_city,
        "country": a.country,
        "timeZone": a.timezone,
        "latitude": a.latitude,
        "longitude": a.longitude,
    })
}

/// One customer account of every operator.
struct Account {
    id: u64,
    number: &'static str,
    name: &'static str,
    email: &'static str,
}

const ACCOUNTS: [Account; 3] = [
    Account {
        id: 9001,
        number: "ACC-9001",
        name: "Alpine Charter GmbH",
        email: "ops@alpine.example",
    },
    Account {
        id: 9002,
        number: "ACC-9002",
        name: "Mediterranean Jets Ltd",
        email: "ops@medjets.example",
    },
    Account {
        id: 9003,
        number: "ACC-9003",
        name: "Hudson Executive LLC",
        email: "ops@hudson.example",
    },
];

/// `GET user/account?limit&offset`: one page of the accounts, by id.
fn list_accounts(query: &Query) -> Answer {
    let (limit, offset) = query.page(default_limit());
    let page: Vec<Value> = ACCOUNTS
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| {
            json!({
                "accountid": a.id,
                "internalId": a.id,
                "accountNumber": a.number,
                "name": a.name,
                "email": a.email,
            })
        })
        .collect();
    ok(&page)
}

// ---------------------------------------------------------------------------------------
// Helpers

/// Whether the seeded crew and fleet are listed for `modifiedSince`: they changed when the
/// sandbox started, so only an instant before that lists them. 400 for a malformed one.
fn modified_since(operator: &Operator, query: &Query) -> Result<bool, Problem> {
    match query.get("modifiedSince") {
        None => Ok(true),
        Some(since) => flights::parse_time(since)
            .map(|since| since < operator.seeded)
            .ok_or_else(|| Problem::bad_request(SINCE_INVALID)),
    }
}

/// `YYYY-MM-DD`.
fn parse_day(text: &str) -> Option<Date> {
    Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// `date` moved by `months` calendar months, the day clamped to the target month's length.
fn add_months(date: Date, months: i32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let Some(month) = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
    else {
        return date;
    };
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(add_months(date!(2024 - 08 - 31), -6), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2024 - 08 - 31), 6), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 15), -6), date!(2023 - 07 - 15));
        assert_eq!(parse_day("2024-01-31"), Some(date!(2024 - 01 - 31)));
        assert_eq!(parse_day("2024-1-31"), None);
    }
}
