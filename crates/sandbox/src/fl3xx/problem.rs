//! FL3XX's error answers, Spring-style (`{"status","error","message"[,"errors"],"path"}`):
//! what the handlers refuse, and what the spec's schemas refuse (`common::refusal`).

use api_core::spec::OperationSpec;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::common::wire::json_response;
use crate::schema::{Location, Rule, Spec, Violation};

/// An error answer, before the request path is known to it.
#[derive(Debug, Clone)]
pub(super) struct Problem {
    status: StatusCode,
    message: String,
    errors: Option<Vec<FieldError>>,
}

/// One entry of `errors` in a 422 answer.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FieldError {
    pub(super) field: String,
    pub(super) message: String,
}

impl Problem {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem {
            status,
            message: message.into(),
            errors: None,
        }
    }

    pub(super) fn bad_request(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, message)
    }

    pub(super) fn not_found(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, message)
    }

    /// 422 `Validation failed` with `errors`.
    pub(super) fn invalid(errors: Vec<FieldError>) -> Problem {
        Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: "Validation failed".to_owned(),
            errors: Some(errors),
        }
    }

    /// What the spec's schemas refuse, beside `own`, the handler's answer worked out on
    /// scratch data (`common::refusal`). The handler's own 400 stands (its words for a
    /// parameter or a body it cannot read); a body that does not parse into the documented
    /// type is otherwise 400 `Malformed JSON request body`, a missing or malformed parameter
    /// 400 (the spec's `BadRequest`) naming the first; a
    /// body that parses but fails validation is 422 `Validation failed` (`Unprocessable`)
    /// with the handler's field errors and Bean Validation's message for each other field,
    /// where the operation declares a 422 (400 otherwise).
    pub(super) fn refusing(
        operation: &OperationSpec,
        violations: &[Violation],
        own: Option<Problem>,
    ) -> Problem {
        let own = own.filter(|own| {
            own.status == StatusCode::BAD_REQUEST
                || (own.status == StatusCode::UNPROCESSABLE_ENTITY && own.errors.is_some())
        });
        if let Some(own) = own
            .as_ref()
            .filter(|own| own.status == StatusCode::BAD_REQUEST)
        {
            return own.clone();
        }
        // A body that does not parse, or not into the documented type, is Spring's
        // `HttpMessageNotReadableException`.
        if violations
            .iter()
            .any(|v| v.location == Location::Body && v.field.is_empty())
        {
            return Problem::bad_request("Malformed JSON request body");
        }
        if let Some(first) = violations.iter().find(|v| v.location != Location::Body) {
            return Problem::bad_request(parameter_message(first));
        }
        let declares_422 = Spec::of("fl3xx")
            .and_then(|spec| spec.operation(operation.id))
            .is_some_and(|op| op.responses.get("422").is_some());
        if !declares_422 {
            let first = violations.first().map(parameter_message);
            return Problem::bad_request(first.unwrap_or_default());
        }
        let mut errors = own.and_then(|own| own.errors).unwrap_or_default();
        let named: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        for violation in violations {
            if !named_in(&named, &violation.field) {
                errors.push(FieldError {
                    field: violation.field.clone(),
                    message: bean_validation(violation.rule),
                });
            }
        }
        Problem::invalid(errors)
    }

    /// The Spring-style body `{"status","error","message"[,"errors"],"path"}`.
    pub(super) fn into_response(self, path: &str) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            status: u16,
            error: &'a str,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            errors: Option<&'a [FieldError]>,
            path: &'a str,
        }
        let body = Body {
            status: self.status.as_u16(),
            error: self.status.canonical_reason().unwrap_or(""),
            message: &self.message,
            errors: self.errors.as_deref(),
            path,
        };
        json_response(self.status, &body)
    }
}

/// Whether the handler's errors name `field` (or a part of it, or what holds it).
fn named_in(named: &[String], field: &str) -> bool {
    crate::common::refusal::named(named.iter().map(String::as_str), field)
}

/// A 400's message for one violation: `<name> is required`, `<name> must be ...`.
fn parameter_message(violation: &Violation) -> String {
    let field = if violation.field.is_empty() {
        "body"
    } else {
        &violation.field
    };
    match violation.rule {
        Rule::Required => format!("{field} is required"),
        Rule::Other => format!("{field}: {}", violation.message),
        rule => format!("{field} {}", bean_validation(rule)),
    }
}

/// Bean Validation's default English message for `rule` (Hibernate Validator's).
fn bean_validation(rule: Rule) -> String {
    match rule {
        Rule::Required => "must not be null".to_owned(),
        Rule::Type(kind) => format!("must be of type {kind}"),
        Rule::Enum => "must be one of the documented values".to_owned(),
        Rule::MinLength(n) => format!("size must be at least {n}"),
        Rule::MaxLength(n) => format!("size must be at most {n}"),
        Rule::Minimum(n) => format!("must be greater than or equal to {n}"),
        Rule::Maximum(n) => format!("must be less than or equal to {n}"),
        Rule::Format => "must be a date in ISO 8601 form".to_owned(),
        _ => "is invalid".to_owned(),
    }
}
