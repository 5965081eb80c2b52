//! The checks of a value's documented bounds (`minimum`, `maximum`, `minLength`,
//! `maxLength`, `pattern`), as statements calling `api_core::validate`, for a parameter in
//! `operations.rs` or a model field in `models.rs`.

use std::fmt::Write;

use super::emit::{doc, literal};
use super::pattern;
use super::spec::Schema;
use super::types::Ty;

/// What the value's Rust expression is: `Text` is a `&str` expression, `Integer` an integer
/// expression (by value).
#[derive(Clone, Copy)]
pub enum Value<'a> {
    Text(&'a str),
    Integer(&'a str),
}

/// The check statements (each ending in `?;`) for `schema`'s bounds on `field` (its wire
/// name); pattern constants are appended to `consts`, named `{const_name}_PATTERN`. `secret`
/// keeps the value out of the error.
#[allow(clippy::too_many_arguments)] // Each names one part of the emitted check.
pub fn statements(
    schema: &Schema,
    ty: &Ty,
    field: &str,
    value: Value<'_>,
    const_name: &str,
    secret: bool,
    consts: &mut String,
    at: &str,
) -> Result<Vec<String>, String> {
    reject_unsupported(schema, at)?;
    let mut out = Vec::new();
    let field_literal = literal(field);
    let wrap = |call: String| {
        if secret {
            format!("api_core::validate::secret({call})?;")
        } else {
            format!("{call}?;")
        }
    };
    let numeric = schema.minimum.is_some() || schema.maximum.is_some();
    let textual =
        schema.min_length.is_some() || schema.max_length.is_some() || schema.pattern.is_some();
    if numeric {
        let Value::Integer(expr) = value else {
            return Err(format!(
                "{at}: `minimum`/`maximum` on a `{}` is not supported (integers only)",
                ty.owned()
            ));
        };
        if let (Some(min), Some(max)) = (schema.minimum, schema.maximum)
            && min > max
        {
            return Err(format!("{at}: `minimum: {min}` is above `maximum: {max}`"));
        }
        // An unsigned type already holds a `minimum` of 0 or less.
        let unsigned = matches!(ty, Ty::Int(name) if name.starts_with('u'));
        let minimum = schema.minimum.filter(|&min| !(unsigned && min <= 0));
        if minimum.is_some() || schema.maximum.is_some() {
            out.push(wrap(format!(
                "api_core::validate::range({field_literal}, {expr}, {}, {})",
                option(minimum),
                option(schema.maximum)
            )));
        }
    }
    if textual {
        let Value::Text(expr) = value else {
            return Err(format!(
                "{at}: `minLength`/`maxLength`/`pattern` on a `{}` is not supported (text only)",
                ty.owned()
            ));
        };
        if schema.min_length.is_some() || schema.max_length.is_some() {
            if let (Some(min), Some(max)) = (schema.min_length, schema.max_length)
                && min > max
            {
                return Err(format!(
                    "{at}: `minLength: {min}` is above `maxLength: {max}`"
                ));
            }
            if let (Some(min), Some(max)) = (schema.min_length, schema.max_length) {
                doc(
                    consts,
                    &format!("The `minLength` and `maxLength` of `{field}`."),
                );
                let _ = writeln!(
                    consts,
                    "pub const {const_name}_LENGTHS: std::ops::RangeInclusive<u64> = {min}..={max};\n"
                );
            }
            out.push(wrap(format!(
                "api_core::validate::length({field_literal}, {expr}, {}, {})",
                option(schema.min_length),
                option(schema.max_length)
            )));
        }
        if let Some(source) = &schema.pattern {
            let pieces = pattern::parse(source, at)?;
            let name = format!("{const_name}_PATTERN");
            doc(consts, &format!("The `pattern` of `{field}`: `{source}`."));
            let _ = writeln!(
                consts,
                "pub const {name}: api_core::validate::Pattern = api_core::validate::Pattern {{ \
                 source: {}, meaning: {}, pieces: {} }};\n",
                literal(source),
                literal(&pattern::meaning(&pieces)),
                pattern::rust(&pieces)
            );
            out.push(wrap(format!(
                "api_core::validate::pattern({field_literal}, {expr}, &{name})"
            )));
        }
    }
    Ok(out)
}

/// True when `schema` is a date or date-time, whose text is checked before it is sent.
pub fn is_date(schema: &Schema) -> bool {
    schema.reference.is_none()
        && schema.x_rust_type.is_none()
        && schema.kind.as_deref() == Some("string")
        && matches!(schema.format.as_deref(), Some("date" | "date-time"))
}

/// True when `schema` states a bound that [`statements`] checks.
pub fn has_bounds(schema: &Schema) -> bool {
    schema.minimum.is_some()
        || schema.maximum.is_some()
        || schema.min_length.is_some()
        || schema.max_length.is_some()
        || schema.pattern.is_some()
}

/// Bounds the generator cannot check are errors: a documented bound is never dropped.
pub fn reject_unsupported(schema: &Schema, at: &str) -> Result<(), String> {
    for (key, value) in [
        ("exclusiveMinimum", &schema.exclusive_minimum),
        ("exclusiveMaximum", &schema.exclusive_maximum),
        ("minItems", &schema.min_items),
        ("maxItems", &schema.max_items),
        ("multipleOf", &schema.multiple_of),
    ] {
        if value.is_some() {
            return Err(format!(
                "{at}: `{key}` is not supported by the generator; check it in hand-written code \
                 and say why"
            ));
        }
    }
    Ok(())
}

/// `Some(value)` or `None`, as Rust source.
pub fn option<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("Some({v})"))
}

/// The narrowest integer type for a parameter with both bounds; the unsigned type of the
/// same width for one with `minimum` ≥ 0 alone; else `ty` unchanged.
pub fn narrow(ty: Ty, schema: &Schema) -> Ty {
    let Ty::Int(width) = ty else {
        return ty;
    };
    let (min, max) = match (schema.minimum, schema.maximum) {
        (Some(min), Some(max)) => (min, max),
        (Some(min), None) if min >= 0 => {
            return Ty::Int(if width == "i32" { "u32" } else { "u64" });
        }
        _ => return ty,
    };
    let fits = |low: i128, high: i128| i128::from(min) >= low && i128::from(max) <= high;
    let name = if fits(0, u8::MAX.into()) {
        "u8"
    } else if fits(0, u16::MAX.into()) {
        "u16"
    } else if fits(0, u32::MAX.into()) {
        "u32"
    } else if fits(0, u64::MAX.into()) {
        "u64"
    } else if fits(i8::MIN.into(), i8::MAX.into()) {
        "i8"
    } else if fits(i16::MIN.into(), i16::MAX.into()) {
        "i16"
    } else if fits(i32::MIN.into(), i32::MAX.into()) {
        "i32"
    } else {
        "i64"
    };
    Ty::Int(name)
}
