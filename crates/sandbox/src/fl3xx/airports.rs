//! The airport table: `GET /api/v2/airports/{airportCode}`, and the airports of the seeded
//! flights.

use serde::Serialize;

/// One airport of the table.
#[derive(Debug)]
pub(super) struct Airport {
    pub(super) id: &'static str,
    pub(super) name: &'static str,
    pub(super) icao: &'static str,
    pub(super) iata: &'static str,
    pub(super) faa: Option<&'static str>,
    pub(super) served_city: &'static str,
    /// ISO 3166-1 alpha-2 (the v1 airport's `country`).
    pub(super) country: &'static str,
    pub(super) timezone: &'static str,
    pub(super) latitude: f64,
    pub(super) longitude: f64,
}

/// Every airport the sandbox knows.
pub(super) const AIRPORTS: [Airport; 4] = [
    Airport {
        id: "1",
        name: "Vienna International Airport",
        icao: "LOWW",
        iata: "VIE",
        faa: None,
        served_city: "Vienna",
        country: "AT",
        timezone: "Europe/Vienna",
        latitude: 48.110_278,
        longitude: 16.569_722,
    },
    Airport {
        id: "2",
        name: "Malta International Airport",
        icao: "LMML",
        iata: "MLA",
        faa: None,
        served_city: "Luqa",
        country: "MT",
        timezone: "Europe/Malta",
        latitude: 35.857_497,
        longitude: 14.477_500,
    },
    Airport {
        id: "3",
        name: "London Heathrow Airport",
        icao: "EGLL",
        iata: "LHR",
        faa: None,
        served_city: "London",
        country: "GB",
        timezone: "Europe/London",
        latitude: 51.477_500,
        longitude: -0.461_389,
    },
    Airport {
        id: "4",
        name: "Teterboro Airport",
        icao: "KTEB",
        iata: "TEB",
        faa: Some("TEB"),
        served_city: "Teterboro",
        country: "US",
        timezone: "America/New_York",
        latitude: 40.850_103,
        longitude: -74.060_837,
    },
];

/// The airport whose id, ICAO, IATA or FAA code is `code` (case-insensitively).
pub(super) fn find(code: &str) -> Option<&'static Airport> {
    AIRPORTS.iter().find(|a| {
        [Some(a.id), Some(a.icao), Some(a.iata), a.faa]
            .into_iter()
            .flatten()
            .any(|c| c.eq_ignore_ascii_case(code))
    })
}

/// An airport as `GET /api/v2/airports/{code}` answers it, in the documented field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AirportJson {
    id: &'static str,
    name: &'static str,
    icao: &'static str,
    iata: &'static str,
    faa: Option<&'static str>,
    local_identifier: Option<&'static str>,
    served_city: &'static str,
    timezone: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    latitude: f64,
    longitude: f64,
}

/// An airport as a flight shows it: its codes.
#[derive(Serialize)]
pub(super) struct Codes {
    icao: &'static str,
    iata: &'static str,
    faa: Option<&'static str>,
}

impl Airport {
    /// The answer of `GET /api/v2/airports/{code}`.
    pub(super) fn wire(&self) -> AirportJson {
        AirportJson {
            id: self.id,
            name: self.name,
            icao: self.icao,
            iata: self.iata,
            faa: self.faa,
            local_identifier: None,
            served_city: self.served_city,
            timezone: self.timezone,
            location: Location {
                latitude: self.latitude,
                longitude: self.longitude,
            },
        }
    }

    /// The airport as a flight shows it.
    pub(super) fn codes(&self) -> Codes {
        Codes {
            icao: self.icao,
            iata: self.iata,
            faa: self.faa,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_any_code() {
        for code in ["LOWW", "vie", "1", "Loww"] {
            assert_eq!(find(code).map(|a| a.icao), Some("LOWW"), "{code}");
        }
        for code in ["KTEB", "teb"] {
            assert_eq!(find(code).map(|a| a.icao), Some("KTEB"), "{code}");
        }
        assert_eq!(find("LMML").map(|a| a.iata), Some("MLA"));
        assert!(find("EGSK").is_none());
        assert!(find("").is_none());
    }
}
