//! Partner fuel prices: `GET/PUT/DELETE /api/v2/partners/airports/{code}/fuel-prices`,
//! `PUT /api/v2/partners/airport-fuel-prices/{id}` and
//! `DELETE /api/v2/partners/airport-fuel-prices`.

use serde_json::{Map, Value};

use super::Operator;
use super::airports;
use super::routes::{Answer, FieldError, Problem, Req, data, no_content, ok};

const BLANK: &str = "must not be blank";
const CURRENCY: &str = "must be EUR or USD";
const UNIT: &str = "must be LITER or GALLON_USA";
const NUMBER: &str = "must be a number";
const AIRPORT_NOT_FOUND: &str = "Airport not found";
const FUEL_PRICE_NOT_FOUND: &str = "Fuel price not found";
const IDS_REQUIRED: &str = "ids is required";
const IDS_INVALID: &str = "ids must be an array of fuel price ids";

/// One stored fuel price.
#[derive(Debug, Clone)]
pub(super) struct FuelPrice {
    id: String,
    /// The ICAO code of its airport.
    airport: &'static str,
    /// The fields as sent (without `id`).
    fields: Map<String, Value>,
}

impl FuelPrice {
    /// `{"id": …, …fields}`.
    fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("id".to_owned(), Value::String(self.id.clone()));
        object.extend(self.fields.clone());
        Value::Object(object)
    }
}

/// `GET /api/v2/partners/airports/{code}/fuel-prices`.
pub(super) fn list(operator: &Operator, code: &str) -> Answer {
    let airport = airport(code)?;
    let prices = operator
        .fuel_prices
        .iter()
        .filter(|p| p.airport == airport)
        .map(FuelPrice::to_json)
        .collect();
    ok(&data(prices))
}

/// `PUT /api/v2/partners/airports/{code}/fuel-prices`: one object, as the spec documents
/// (an array is refused before this runs), answered with the stored object under a new id.
pub(super) fn put(operator: &mut Operator, next: &mut u64, code: &str, req: &Req) -> Answer {
    let mut fields = req.json_object()?;
    let mut errors = Vec::new();
    validate(&fields, "", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let airport = airport(code)?;
    fields.remove("id");
    let price = FuelPrice {
        id: format!("FP-{next}"),
        airport,
        fields,
    };
    *next += 1;
    let json = price.to_json();
    operator.fuel_prices.push(price);
    ok(&json)
}

/// `DELETE /api/v2/partners/airports/{code}/fuel-prices`: every price at that airport.
pub(super) fn delete_airport(operator: &mut Operator, code: &str) -> Answer {
    let airport = airport(code)?;
    operator.fuel_prices.retain(|p| p.airport != airport);
    no_content()
}

/// `PUT /api/v2/partners/airport-fuel-prices/{id}`: replaces the fields of one price.
pub(super) fn update(operator: &mut Operator, id: &str, req: &Req) -> Answer {
    let mut fields = req.json_object()?;
    let mut errors = Vec::new();
    validate(&fields, "", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let price = operator
        .fuel_prices
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(|| Problem::not_found(FUEL_PRICE_NOT_FOUND))?;
    fields.remove("id");
    price.fields = fields;
    ok(&price.to_json())
}

/// `DELETE /api/v2/partners/airport-fuel-prices` with `{"ids":[…]}` (or `?ids=a,b`):
/// removes those of the ids that exist.
pub(super) fn delete_many(operator: &mut Operator, req: &Req) -> Answer {
    let ids: Vec<String> = if req.has_body() {
        let fields = req.json_object()?;
        let ids = fields
            .get("ids")
            .ok_or_else(|| Problem::bad_request(IDS_REQUIRED))?;
        let Value::Array(ids) = ids else {
            return Err(Problem::bad_request(IDS_INVALID));
        };
        ids.iter()
            .map(|id| match id {
                Value::String(id) => Some(id.clone()),
                Value::Number(id) => Some(id.to_string()),
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or_else(|| Problem::bad_request(IDS_INVALID))?
    } else {
        let ids: Vec<String> = req
            .query
            .all("ids")
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect();
        if ids.is_empty() {
            return Err(Problem::bad_request(IDS_REQUIRED));
        }
        ids
    };
    operator.fuel_prices.retain(|p| !ids.contains(&p.id));
    no_content()
}

/// The ICAO code of a known airport; 404 otherwise.
fn airport(code: &str) -> Result<&'static str, Problem> {
    airports::find(code)
        .map(|a| a.icao)
        .ok_or_else(|| Problem::not_found(AIRPORT_NOT_FOUND))
}

/// Adds the failures of one FuelPrice object to `errors`, fields prefixed with `prefix`.
fn validate(fields: &Map<String, Value>, prefix: &str, errors: &mut Vec<FieldError>) {
    let mut fail = |field: &str, message: &str| {
        errors.push(FieldError {
            field: format!("{prefix}{field}"),
            message: message.into(),
        });
    };
    for field in ["fboName", "contractorName"] {
        let filled = fields
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty());
        if !filled {
            fail(field, BLANK);
        }
    }
    let one_of = |field: &str, allowed: &[&str]| {
        fields
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|v| allowed.contains(&v))
    };
    if !one_of("currency", &["EUR", "USD"]) {
        fail("currency", CURRENCY);
    }
    if !one_of("unit", &["LITER", "GALLON_USA"]) {
        fail("unit", UNIT);
    }
    for field in ["volumeFrom", "volumeTo"] {
        if fields
            .get(field)
            .is_some_and(|v| !v.is_null() && !v.is_number())
        {
            fail(field, NUMBER);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors_of(value: Value) -> Vec<(String, String)> {
        let Value::Object(fields) = value else {
            panic!("an object")
        };
        let mut errors = Vec::new();
        validate(&fields, "", &mut errors);
        errors.into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn validates_required_fields_and_enums() {
        assert!(
            errors_of(json!({"fboName":"A","contractorName":"B","currency":"EUR","unit":"LITER","volumeFrom":0,"volumeTo":null}))
                .is_empty()
        );
        assert_eq!(
            errors_of(json!({"fboName":" ","currency":"eur","unit":"GALLON","volumeTo":"5"})),
            [
                ("fboName".to_owned(), BLANK.to_owned()),
                ("contractorName".to_owned(), BLANK.to_owned()),
                ("currency".to_owned(), CURRENCY.to_owned()),
                ("unit".to_owned(), UNIT.to_owned()),
                ("volumeTo".to_owned(), NUMBER.to_owned()),
            ]
        );
    }
}
