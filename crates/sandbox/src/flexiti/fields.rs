//! Field checks of request bodies and queries, each refusal a `wrong_input` field error in
//! the documented shape.

use super::wire::*;
use serde_json::{Map, Value};

/// Reads and validates the fields of a body or query, collecting every failure.
pub(super) struct Fields<'a> {
    object: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(object: &'a Map<String, Value>) -> Self {
        Fields {
            object,
            errors: Vec::new(),
        }
    }

    /// The value at `name` (dots walk into objects); `null` and blank strings are absent.
    pub(super) fn get(&self, name: &str) -> Option<&'a Value> {
        let mut parts = name.split('.');
        let mut value = self.object.get(parts.next()?)?;
        for part in parts {
            value = value.as_object()?.get(part)?;
        }
        match value {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            value => Some(value),
        }
    }

    /// Adds a failure.
    pub(super) fn fail(&mut self, name: &str, msg: &str) {
        let value = self.get(name).cloned().unwrap_or(Value::Null);
        self.errors.push(FieldError {
            param: name.to_owned(),
            msg: msg.to_owned(),
            value,
        });
    }

    /// The value at `name`; a failure "required" when absent and `required`.
    fn value(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        let value = self.get(name);
        if value.is_none() && required {
            self.fail(name, "required");
        }
        value
    }

    /// A string (a number is taken as its text) of at most `max` characters.
    pub(super) fn string(&mut self, name: &str, required: bool, max: usize) -> Option<String> {
        let text = match self.value(name, required)? {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => {
                self.fail(name, "invalid");
                return None;
            }
        };
        if text.chars().count() > max {
            self.fail(name, &format!("must be at most {max} characters"));
            return None;
        }
        Some(text)
    }

    /// A string of ASCII digits (a number or a string) of at most `max` digits.
    pub(super) fn digits(&mut self, name: &str, required: bool, max: usize) -> Option<String> {
        let text = match self.value(name, required)? {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) if n.is_u64() => n.to_string(),
            _ => String::new(),
        };
        if text.is_empty() || text.len() > max || !text.bytes().all(|b| b.is_ascii_digit()) {
            self.fail(name, "invalid");
            return None;
        }
        Some(text)
    }

    /// A positive integer (a number or a string of digits).
    pub(super) fn integer(&mut self, name: &str, required: bool) -> Option<u64> {
        let value = self.value(name, required)?;
        let number = match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if number.is_none_or(|n| n == 0) {
            self.fail(name, "invalid");
            return None;
        }
        number
    }

    /// An amount of money: more than 0, at most 2 decimals; in cents.
    pub(super) fn amount(&mut self, name: &str, required: bool) -> Option<i64> {
        let value = self.value(name, required)?;
        let cents = match value {
            Value::Number(n) => parse_cents(&n.to_string()),
            Value::String(s) => parse_cents(s.trim()),
            _ => None,
        };
        match cents {
            Some(cents) if cents > 0 => Some(cents),
            _ => {
                self.fail(name, "must be a positive amount with at most 2 decimals");
                None
            }
        }
    }

    /// A boolean: `true`/`false` (also as strings).
    pub(super) fn boolean(&mut self, name: &str, required: bool) -> Option<bool> {
        let value = self.value(name, required)?;
        let flag = match value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.trim() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if flag.is_none() {
            self.fail(name, "invalid");
        }
        flag
    }

    /// One of `choices`, matched case-insensitively; returns the choice as listed.
    pub(super) fn choice(
        &mut self,
        name: &str,
        required: bool,
        choices: &[&'static str],
    ) -> Option<&'static str> {
        let value = self.value(name, required)?;
        let found = value.as_str().and_then(|s| {
            choices
                .iter()
                .copied()
                .find(|c| c.eq_ignore_ascii_case(s.trim()))
        });
        if found.is_none() {
            self.fail(name, &format!("must be one of {}", choices.join(", ")));
        }
        found
    }

    /// A date `YYYY-MM-DD`.
    pub(super) fn date(&mut self, name: &str, required: bool) -> Option<time::Date> {
        let value = self.value(name, required)?;
        let date = value.as_str().and_then(|s| parse_date(s.trim()));
        if date.is_none() {
            self.fail(name, "must be a date YYYY-MM-DD");
        }
        date
    }

    /// 409 `wrong_inputs` with every failure so far.
    pub(super) fn problem(self) -> Problem {
        Problem::wrong_inputs(self.errors)
    }

    /// True when nothing failed so far.
    pub(super) fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok` when nothing failed, else 409 `wrong_inputs` with every failure.
    pub(super) fn finish(self) -> Result<(), Problem> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Problem::wrong_inputs(self.errors))
        }
    }
}
