//! Crew qualifications (`/api/v2/external/crew-qualifications…`) and qualification types
//! (`/api/v2/external/qualification-types`, and one type at both its 2.0.0 and 2.4.0 paths).

use serde_json::{Map, Value, json};

use super::Operator;
use super::routes::{Answer, FieldError, Problem, Query, Req, data, no_content, ok};

/// The crew member the seeded qualifications belong to.
const SEEDED_CREW: &str = "77";
/// The optional fields of a qualification, in the documented order.
const OPTIONAL: [&str; 9] = [
    "licenseNumber",
    "issuingAuthority",
    "country",
    "issueDate",
    "expiryDate",
    "trainingStartDate",
    "notes",
    "isPilotInCommand",
    "baseMonth",
];
const DATES: [&str; 3] = ["issueDate", "expiryDate", "trainingStartDate"];
const MONTHS: [&str; 12] = [
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
];

const FILTER_REQUIRED: &str = "filter is required";
const FILTER_INVALID: &str = "filter must be crewId,EQ,<id>";
const NOT_FOUND: &str = "Crew qualification not found";
const TYPE_NOT_FOUND: &str = "Qualification type not found";
const REQUIRED: &str = "must not be null";
const UNKNOWN_TYPE: &str = "unknown qualification type";
const DATE: &str = "must be a date YYYY-MM-DD";
const MONTH: &str = "must be a month name such as JANUARY";
const BOOLEAN: &str = "must be a boolean";
const STRING: &str = "must be a string";

/// Two qualifications of crew member 77, with ids from `next`: the first carries
/// `qualificationTypeId` (2.4.0), the second the 2.0.0 name `qualificationId`, as a record
/// stored before the rename would.
pub(super) fn seed(next: &mut u64) -> Vec<Map<String, Value>> {
    let mut id = || {
        let id = next.to_string();
        *next += 1;
        id
    };
    let first = json!({
        "id": id(),
        "crewId": SEEDED_CREW,
        "qualificationTypeId": "1",
        "licenseNumber": "AT.FCL.12345",
        "issuingAuthority": "Austro Control",
        "country": "AUT",
        "issueDate": "2023-03-01",
        "expiryDate": "2028-03-01",
        "trainingStartDate": null,
        "notes": null,
        "isPilotInCommand": true,
        "baseMonth": "MARCH",
    });
    let second = json!({
        "id": id(),
        "crewId": SEEDED_CREW,
        "qualificationId": "2",
        "licenseNumber": null,
        "issuingAuthority": "Austro Control",
        "country": "AUT",
        "issueDate": "2025-01-15",
        "expiryDate": "2026-01-15",
        "trainingStartDate": "2024-12-01",
        "notes": "Class 1",
        "isPilotInCommand": false,
        "baseMonth": "JANUARY",
    });
    [first, second]
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(fields) => Some(fields),
            _ => None,
        })
        .collect()
}

/// The qualification types (the same for every operator).
fn all_types() -> [Value; 2] {
    [
        json!({
            "id": "1",
            "name": "Airline Transport Pilot Licence",
            "abbreviation": "ATPL",
            "type": "PILOT_COMMERCIAL",
            "trainingType": "LICENSE",
            "appliesTo": "FLIGHT_DECK",
            "warning": null,
            "notes": null,
            "parentId": null,
            "isActive": true,
            "isVisibleOnRoster": true,
            "validity": {"unit": "YEARS", "value": 5},
        }),
        json!({
            "id": "2",
            "name": "Medical Class 1",
            "abbreviation": "MED1",
            "type": "MEDICAL_EU",
            "trainingType": "NONE",
            "appliesTo": "FLIGHT_DECK",
            "warning": null,
            "notes": null,
            "parentId": null,
            "isActive": true,
            "isVisibleOnRoster": true,
            "validity": {"unit": "MONTHS", "value": 12},
        }),
    ]
}

/// `GET /api/v2/external/crew-qualifications?filter=crewId,EQ,<id>&limit=&offset=`.
pub(super) fn list(operator: &Operator, query: &Query) -> Answer {
    let filter = query
        .get("filter")
        .ok_or_else(|| Problem::bad_request(FILTER_REQUIRED))?;
    let crew = match filter.splitn(3, ',').collect::<Vec<_>>().as_slice() {
        [field, op, id] if field.trim() == "crewId" && op.trim().eq_ignore_ascii_case("EQ") => {
            id.trim().to_owned()
        }
        _ => return Err(Problem::bad_request(FILTER_INVALID)),
    };
    let items: Vec<Value> = operator
        .qualifications
        .iter()
        .filter(|q| q.get("crewId").and_then(Value::as_str) == Some(crew.as_str()))
        .map(|q| Value::Object(q.clone()))
        .collect();
    ok(&data(page(items, query)?))
}

/// `GET /api/v2/external/crew-qualifications/{id}`.
pub(super) fn get(operator: &Operator, id: &str) -> Answer {
    let index = position(operator, id)?;
    ok(&operator.qualifications[index])
}

/// `POST /api/v2/external/crew-qualifications`: `crewId` and `qualificationTypeId` (or the
/// 2.0.0 `qualificationId`) required → 200 with the stored object.
pub(super) fn create(operator: &mut Operator, next: &mut u64, req: &Req) -> Answer {
    let fields = req.json_object()?;
    let mut errors = Vec::new();
    let crew = id_field(&fields, &["crewId"], &mut errors);
    let kind = id_field(
        &fields,
        &["qualificationTypeId", "qualificationId"],
        &mut errors,
    );
    validate_optional(&fields, &mut errors);
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let (Some(crew), Some(kind)) = (crew, kind) else {
        return Err(Problem::invalid(errors));
    };
    let mut stored = Map::new();
    stored.insert("id".to_owned(), Value::String(next.to_string()));
    *next += 1;
    stored.insert("crewId".to_owned(), Value::String(crew));
    stored.insert("qualificationTypeId".to_owned(), Value::String(kind));
    for name in OPTIONAL {
        let value = fields.get(name).cloned().unwrap_or(Value::Null);
        stored.insert(name.to_owned(), value);
    }
    operator.qualifications.push(stored.clone());
    ok(&stored)
}

/// `PATCH /api/v2/external/crew-qualifications/{id}`: the fields sent replace the stored
/// ones (`qualificationId` is stored as `qualificationTypeId`).
pub(super) fn patch(operator: &mut Operator, id: &str, req: &Req) -> Answer {
    let fields = req.json_object()?;
    let index = position(operator, id)?;
    let mut errors = Vec::new();
    let crew = fields
        .contains_key("crewId")
        .then(|| id_field(&fields, &["crewId"], &mut errors))
        .flatten();
    let kind = ["qualificationTypeId", "qualificationId"]
        .iter()
        .any(|name| fields.contains_key(*name))
        .then(|| {
            id_field(
                &fields,
                &["qualificationTypeId", "qualificationId"],
                &mut errors,
            )
        })
        .flatten();
    validate_optional(&fields, &mut errors);
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let stored = &mut operator.qualifications[index];
    if let Some(crew) = crew {
        stored.insert("crewId".to_owned(), Value::String(crew));
    }
    if let Some(kind) = kind {
        stored.remove("qualificationId");
        stored.insert("qualificationTypeId".to_owned(), Value::String(kind));
    }
    for name in OPTIONAL {
        if let Some(value) = fields.get(name) {
            stored.insert(name.to_owned(), value.clone());
        }
    }
    ok(&*stored)
}

/// `DELETE /api/v2/external/crew-qualifications/{id}` → 204.
pub(super) fn delete(operator: &mut Operator, id: &str) -> Answer {
    let index = position(operator, id)?;
    operator.qualifications.remove(index);
    no_content()
}

/// `GET /api/v2/external/qualification-types?limit=&offset=`.
pub(super) fn types(query: &Query) -> Answer {
    ok(&data(page(all_types().to_vec(), query)?))
}

/// `GET /api/v2/qualification-types/{id}` (2.4.0) and
/// `GET /api/v2/external/qualification-types/{id}` (2.0.0).
pub(super) fn type_by_id(id: &str) -> Answer {
    let found = all_types()
        .into_iter()
        .find(|t| t["id"] == id)
        .ok_or_else(|| Problem::not_found(TYPE_NOT_FOUND))?;
    ok(&found)
}

fn position(operator: &Operator, id: &str) -> Result<usize, Problem> {
    operator
        .qualifications
        .iter()
        .position(|q| q.get("id").and_then(Value::as_str) == Some(id))
        .ok_or_else(|| Problem::not_found(NOT_FOUND))
}

/// `items` after the optional `offset` (default 0), at most the optional `limit` of them.
fn page(items: Vec<Value>, query: &Query) -> Result<Vec<Value>, Problem> {
    let (limit, offset) = query.page(usize::MAX);
    Ok(items.into_iter().skip(offset).take(limit).collect())
}

/// The first of `names` present, as a string id (numbers accepted); an error under the
/// first name when none is. Type ids must name a known type.
fn id_field(
    fields: &Map<String, Value>,
    names: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = names.iter().find_map(|name| match fields.get(*name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    });
    let field = names[0].to_owned();
    match value {
        None => {
            errors.push(FieldError {
                field,
                message: REQUIRED.into(),
            });
            None
        }
        Some(id)
            if field == "qualificationTypeId"
                && !all_types().iter().any(|t| t["id"] == id.as_str()) =>
        {
            errors.push(FieldError {
                field,
                message: UNKNOWN_TYPE.into(),
            });
            None
        }
        Some(id) => Some(id),
    }
}

/// Checks the optional fields that are present and not null.
fn validate_optional(fields: &Map<String, Value>, errors: &mut Vec<FieldError>) {
    for name in OPTIONAL {
        let Some(value) = fields.get(name).filter(|v| !v.is_null()) else {
            continue;
        };
        let message = if DATES.contains(&name) {
            value.as_str().is_none_or(|s| !is_date(s)).then_some(DATE)
        } else if name == "baseMonth" {
            value
                .as_str()
                .is_none_or(|s| !MONTHS.contains(&s))
                .then_some(MONTH)
        } else if name == "isPilotInCommand" {
            (!value.is_boolean()).then_some(BOOLEAN)
        } else {
            (!value.is_string()).then_some(STRING)
        };
        if let Some(message) = message {
            errors.push(FieldError {
                field: name.to_owned(),
                message: message.into(),
            });
        }
    }
}

/// True for a valid `YYYY-MM-DD` date.
fn is_date(value: &str) -> bool {
    time::Date::parse(
        value,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_both_type_id_names() {
        let mut next = 101;
        let seeded = seed(&mut next);
        assert_eq!(next, 103);
        assert_eq!(seeded[0]["id"], "101");
        assert_eq!(seeded[0]["qualificationTypeId"], "1");
        assert_eq!(seeded[1]["id"], "102");
        assert_eq!(seeded[1]["qualificationId"], "2");
        assert!(!seeded[1].contains_key("qualificationTypeId"));
    }

    #[test]
    fn validates_optional_fields() {
        let Value::Object(fields) = json!({
            "issueDate": "2024-02-30",
            "expiryDate": "2025-01-01",
            "baseMonth": "march",
            "isPilotInCommand": "yes",
            "country": 5,
            "notes": null
        }) else {
            panic!("an object")
        };
        let mut errors = Vec::new();
        validate_optional(&fields, &mut errors);
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("country", STRING),
                ("issueDate", DATE),
                ("isPilotInCommand", BOOLEAN),
                ("baseMonth", MONTH),
            ]
        );
    }
}
