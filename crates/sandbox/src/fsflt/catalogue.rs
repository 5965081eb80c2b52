//! The licence catalogue, currencies, amounts and dates.

use serde::Serialize;
use serde_json::Value;
use time::{Date, Month};

/// One licence the reseller can assign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    /// The licence code, e.g. `"CL-Q-A005-M1"`.
    pub(super) code: &'static str,
    /// The licence name (in English whatever the `lang`).
    pub(super) name: &'static str,
    /// The duration in months.
    pub(super) months: u32,
    /// The version, a string on the wire.
    pub(super) version: &'static str,
    /// The quantity, human text.
    pub(super) quantity: &'static str,
    /// The points, in hundredths.
    pub(super) points_hundredths: u64,
    /// The price in euro cents.
    pub(super) eur_cents: u64,
}

/// Every licence code of the sandbox, in listing order (the first two are the documented
/// examples).
pub(super) const CATALOGUE: [Entry; 3] = [
    Entry {
        code: "CL-Q-A005-M1",
        name: "Business filter license",
        months: 1,
        version: "0",
        quantity: "5 users",
        points_hundredths: 50,
        eur_cents: 500,
    },
    Entry {
        code: "CL-Q-A010-M1",
        name: "Business filter license",
        months: 1,
        version: "0",
        quantity: "10 users",
        points_hundredths: 100,
        eur_cents: 1000,
    },
    Entry {
        code: "CL-Q-A005-M12",
        name: "Business filter license",
        months: 12,
        version: "0",
        quantity: "5 users",
        points_hundredths: 500,
        eur_cents: 5500,
    },
];

/// The catalogue entry with this code.
pub(super) fn entry(code: &str) -> Option<&'static Entry> {
    CATALOGUE.iter().find(|e| e.code == code)
}

/// A currency the sandbox knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Currency {
    /// The default.
    #[default]
    Eur,
    /// Euro amounts × 1.1, rounded to the cent.
    Usd,
}

impl Currency {
    /// A currency code, case-insensitively.
    pub(super) fn parse(code: &str) -> Option<Currency> {
        if code.eq_ignore_ascii_case("EUR") {
            Some(Currency::Eur)
        } else if code.eq_ignore_ascii_case("USD") {
            Some(Currency::Usd)
        } else {
            None
        }
    }

    /// The upper-case code.
    pub(super) fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Usd => "USD",
        }
    }

    /// The currency's name, as the `directory/currencies` list gives it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Currency::Eur => "Euro",
            Currency::Usd => "US dollar",
        }
    }

    /// A price in euro cents, converted to this currency's cents (half up).
    pub(super) fn cents(self, eur_cents: u64) -> u64 {
        match self {
            Currency::Eur => eur_cents,
            Currency::Usd => (eur_cents * 11 + 5) / 10,
        }
    }
}

/// A JSON number from hundredths: an integer when whole (`5`), else a decimal (`0.5`).
pub(super) fn hundredths(value: u64) -> Value {
    if value.is_multiple_of(100) {
        Value::from(value / 100)
    } else {
        Value::from(value as f64 / 100.0)
    }
}

/// One entry of the `licenses/available` list, in the documented key order.
#[derive(Debug, Serialize)]
pub(super) struct Available {
    license_code: &'static str,
    license_name: &'static str,
    license_duration_months: String,
    license_version: &'static str,
    license_quantity: &'static str,
    license_points: Value,
    license_amount: Value,
    license_amount_currency: &'static str,
}

impl Available {
    pub(super) fn new(entry: &Entry, currency: Currency) -> Self {
        Self {
            license_code: entry.code,
            license_name: entry.name,
            license_duration_months: entry.months.to_string(),
            license_version: entry.version,
            license_quantity: entry.quantity,
            license_points: hundredths(entry.points_hundredths),
            license_amount: hundredths(currency.cents(entry.eur_cents)),
            license_amount_currency: currency.code(),
        }
    }
}

/// `YYYY-MM-DD`.
pub(super) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `date` plus `months` calendar months; a day past the end of the target month becomes its
/// last day (31 January + 1 month = 28 or 29 February).
pub(super) fn add_months(date: Date, months: u32) -> Date {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month()) - 1);
    let index = index + i64::from(months);
    let (Ok(year), Ok(month)) = (
        i32::try_from(index.div_euclid(12)),
        u8::try_from(index.rem_euclid(12) + 1),
    ) else {
        return date;
    };
    let Ok(month) = Month::try_from(month) else {
        return date;
    };
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// `date` plus `days` days (unchanged at the end of the supported range).
pub(super) fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(time::Duration::days(days)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::date;

    use super::*;

    #[test]
    fn converts_amounts() {
        assert_eq!(Currency::Usd.cents(500), 550);
        assert_eq!(Currency::Usd.cents(1000), 1100);
        assert_eq!(Currency::Usd.cents(5500), 6050);
        assert_eq!(Currency::Usd.cents(5), 6);
        assert_eq!(Currency::Eur.cents(5500), 5500);
        assert_eq!(hundredths(50), json!(0.5));
        assert_eq!(hundredths(1100), json!(11));
        assert_eq!(hundredths(6050), json!(60.5));
        assert_eq!(Currency::parse("usd"), Some(Currency::Usd));
        assert_eq!(Currency::parse("GBP"), None);
    }

    #[test]
    fn lists_entries_with_the_documented_types() {
        let listed = serde_json::to_value(Available::new(&CATALOGUE[0], Currency::Eur));
        assert_eq!(
            listed.ok(),
            Some(json!({
                "license_code": "CL-Q-A005-M1",
                "license_name": "Business filter license",
                "license_duration_months": "1",
                "license_version": "0",
                "license_quantity": "5 users",
                "license_points": 0.5,
                "license_amount": 5,
                "license_amount_currency": "EUR"
            }))
        );
    }

    #[test]
    fn adds_calendar_months() {
        assert_eq!(add_months(date!(2024 - 01 - 18), 1), date!(2024 - 02 - 18));
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2023 - 01 - 31), 1), date!(2023 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 12 - 05), 1), date!(2025 - 01 - 05));
        assert_eq!(add_months(date!(2024 - 03 - 31), 12), date!(2025 - 03 - 31));
        assert_eq!(add_days(date!(2021 - 12 - 29), 14), date!(2022 - 01 - 12));
        assert_eq!(format_date(date!(2022 - 01 - 02)), "2022-01-02");
    }
}
