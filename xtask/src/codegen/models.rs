//! `models.rs`: one type per `components.schemas` entry, in spec order.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::checks::{self, Value};
use super::emit::{doc, doc_paragraph, literal};
use super::names;
use super::optional;
use super::spec::{AdditionalProperties, Schema};
use super::types::{Context, Kind, Ty, reject_property_extensions};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The body of `models.rs` (without the header and unformatted).
pub fn emit(cx: &Context) -> Result<String, String> {
    let mut out = String::new();
    let mut readers = Readers::default();
    let validated = validated(cx);
    let sent_only = optional::sent_only(cx.spec);
    for (name, schema) in cx.spec.components.schemas.iter() {
        let at = format!("components.schemas.{name}");
        let (_, ty, kind) = cx.component(&format!("#/components/schemas/{name}"), &at)?;
        reject_property_extensions(schema, &at)?;
        let rust = ty.owned();
        match kind {
            Kind::External => continue,
            Kind::Struct => {
                let decoded = !sent_only.contains(name);
                emit_struct(cx, &mut out, &mut readers, &rust, schema, decoded, &at)?;
                if validated.contains(name) {
                    emit_validate(cx, &mut out, &validated, &rust, schema, &at)?;
                }
            }
            Kind::StringEnum => emit_string_enum(&mut out, &rust, schema, &at)?,
            Kind::IntEnum => emit_int_enum(&mut out, &rust, schema, &at)?,
            Kind::Alias => {
                let target = cx.ty(schema, &at)?;
                let target = if schema.nullable {
                    Ty::Option(Box::new(target))
                } else {
                    target
                };
                type_doc(&mut out, schema, &format!("The `{name}` type."));
                let _ = writeln!(out, "pub type {rust} = {};\n", target.owned());
            }
        }
    }
    emit_readers(cx, &mut out, &readers)?;
    Ok(out)
}

/// The component structs with checks: a property with bounds, or a property (or array
/// item) that is such a struct. Their `api_core::validate::Validate` runs before a request
/// that carries one is sent.
pub fn validated(cx: &Context) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    loop {
        let before = found.len();
        for (name, schema) in cx.spec.components.schemas.iter() {
            if Kind::of(schema) != Kind::Struct || found.contains(name) {
                continue;
            }
            let checked = schema.x_check.is_some()
                || schema.properties.iter().any(|(_, property)| {
                    checks::has_bounds(property)
                        || checks::is_date(property)
                        || nested(property, &found).is_some()
                });
            if checked {
                found.insert(name.to_owned());
            }
        }
        if found.len() == before {
            return found;
        }
    }
}

/// The validated struct a property holds, itself or as array items: `(name, is an array)`.
fn nested<'a>(property: &'a Schema, validated: &BTreeSet<String>) -> Option<(&'a str, bool)> {
    let (schema, array) = match &property.items {
        Some(items) if property.kind.as_deref() == Some("array") => (items.as_ref(), true),
        _ => (property, false),
    };
    let name = schema.reference.as_deref()?.strip_prefix(SCHEMA_PREFIX)?;
    validated.contains(name).then_some((name, array))
}

/// `impl api_core::validate::Validate` for a struct with checks.
fn emit_validate(
    cx: &Context,
    out: &mut String,
    validated: &BTreeSet<String>,
    rust: &str,
    schema: &Schema,
    at: &str,
) -> Result<(), String> {
    let mut body = String::new();
    let mut consts = String::new();
    for (json, property) in schema.properties.iter() {
        let field_at = format!("{at}.properties.{json}");
        let ident = names::field_ident(json);
        let optional = !schema.required.iter().any(|r| r == json) || property.nullable;
        let statements = if let Some((_, array)) = nested(property, validated) {
            let target = if optional {
                "value".to_owned()
            } else {
                format!("&self.{ident}")
            };
            vec![if array {
                format!(
                    "for item in {target} {{\napi_core::validate::Validate::validate(item)?;\n}}"
                )
            } else {
                format!("api_core::validate::Validate::validate({target})?;")
            }]
        } else if checks::is_date(property) {
            let target = if optional {
                "value".to_owned()
            } else {
                format!("self.{ident}")
            };
            vec![format!("{target}.check({})?;", literal(json))]
        } else if checks::has_bounds(property) {
            let ty = cx.property_ty(property, &field_at)?;
            let (text, integer) = if optional {
                ("value".to_owned(), "*value".to_owned())
            } else {
                (format!("&self.{ident}"), format!("self.{ident}"))
            };
            let expr = match ty {
                Ty::Int(_) => Value::Integer(&integer),
                _ => Value::Text(&text),
            };
            let const_name = format!(
                "{}_{}",
                names::snake_case(rust).to_ascii_uppercase(),
                names::snake_case(json).to_ascii_uppercase()
            );
            checks::statements(
                property,
                &ty,
                json,
                expr,
                &const_name,
                property.x_secret,
                &mut consts,
                &field_at,
            )?
        } else {
            continue;
        };
        if optional {
            let _ = writeln!(
                body,
                "if let Some(value) = &self.{ident} {{\n{}\n}}",
                statements.join("\n")
            );
        } else {
            let _ = writeln!(body, "{}", statements.join("\n"));
        }
    }
    if let Some(check) = &schema.x_check {
        if !names::is_path(check) {
            return Err(format!("{at}: `x-check: {check}` is not a Rust path"));
        }
        let _ = writeln!(body, "{check}(self)?;");
    }
    out.push_str(&consts);
    let _ = writeln!(
        out,
        "impl api_core::validate::Validate for {rust} {{\n\
         fn validate(&self) -> api_core::Result<()> {{\n{body}Ok(())\n}}\n}}\n"
    );
    Ok(())
}

fn type_doc(out: &mut String, schema: &Schema, fallback: &str) {
    match schema.description.as_deref() {
        Some(text) if !text.trim().is_empty() => doc(out, text),
        _ => doc(out, fallback),
    }
}

fn emit_struct(
    cx: &Context,
    out: &mut String,
    readers: &mut Readers,
    rust: &str,
    schema: &Schema,
    decoded: bool,
    at: &str,
) -> Result<(), String> {
    match &schema.additional_properties {
        Some(AdditionalProperties::Schema(_)) => {
            return Err(format!(
                "{at}: an object with both `properties` and an `additionalProperties` schema is \
                 not supported; use `x-keep-unknown: true` to keep unknown fields"
            ));
        }
        Some(AdditionalProperties::Allowed(false)) if schema.x_keep_unknown => {
            return Err(format!(
                "{at}: `x-keep-unknown: true` contradicts `additionalProperties: false`"
            ));
        }
        _ => {}
    }
    for required in &schema.required {
        if schema.properties.get(required).is_none() {
            return Err(format!(
                "{at}: `required` names `{required}`, which is no property"
            ));
        }
    }
    if schema.x_optional.is_some() {
        let uses = schema
            .properties
            .iter()
            .any(|(json, p)| !schema.required.iter().any(|r| r == json) && p.x_optional.is_none());
        if !decoded || !uses {
            return Err(format!(
                "{at}: `x-optional` on a schema that is only sent, or whose optional fields all \
                 give their own reason"
            ));
        }
    }
    let mut fields = String::new();
    // How `FromObject` reads each field, for `x-keep-unknown`.
    let mut reads: Vec<Read> = Vec::new();
    let mut idents = BTreeSet::new();
    // (field, is a secret, is optional), in order, for a hand-written `Debug`.
    let mut debug_fields: Vec<(String, bool, bool)> = Vec::new();
    // Every name a field is read from: the properties' own names, then their aliases.
    let mut wire_names: BTreeSet<&str> = schema.properties.iter().map(|(json, _)| json).collect();
    for (json, property) in schema.properties.iter() {
        let field_at = format!("{at}.properties.{json}");
        let ident = names::field_ident(json);
        if !idents.insert(ident.clone()) || (schema.x_keep_unknown && ident == "extra") {
            return Err(format!("{field_at}: the field name `{ident}` is taken"));
        }
        let required = schema.required.iter().any(|r| r == json);
        checks::reject_unsupported(property, &field_at)?;
        if property.x_deserialize_option_with.is_some() {
            return Err(format!(
                "{field_at}: `x-deserialize-option-with` belongs on the `x-rust-type` schema \
                 the property refers to"
            ));
        }
        let ty = cx.property_ty(property, &field_at)?;
        let optional = !required || property.nullable;
        let ty = if optional {
            Ty::Option(Box::new(ty))
        } else {
            ty
        };
        let aliases = property.x_aliases.as_deref().unwrap_or_default();
        if property.x_aliases.is_some() && aliases.is_empty() {
            return Err(format!("{field_at}: `x-aliases` lists no name"));
        }
        for alias in aliases {
            if alias.is_empty() || !wire_names.insert(alias) {
                return Err(format!(
                    "{field_at}: the alias `{alias}` is empty or already read into a field"
                ));
            }
        }
        match property.description.as_deref() {
            Some(text) if !text.trim().is_empty() => doc(&mut fields, text),
            _ => doc(&mut fields, &format!("The `{json}` field.")),
        }
        if property.x_secret {
            doc_paragraph(&mut fields, "A credential: `Debug` never shows it.");
        }
        if decoded && !required && cx.spec.x_optional_reasons {
            let why = optional::reason(schema, property, &field_at)?;
            doc_paragraph(&mut fields, &format!("Optional: {why}"));
        } else if property.x_optional.is_some() && (required || !decoded) {
            return Err(format!(
                "{field_at}: `x-optional` on a field that is not optional, or of a schema \
                 that is only sent"
            ));
        }
        debug_fields.push((ident.clone(), property.x_secret, optional));
        if !aliases.is_empty() {
            let quoted: Vec<String> = aliases.iter().map(|a| format!("`{a}`")).collect();
            doc_paragraph(
                &mut fields,
                &format!("Also read from {}.", quoted.join(" or ")),
            );
        }
        // With `x-keep-unknown` serde only serializes the struct: `FromObject` reads it.
        let read = !schema.x_keep_unknown;
        let mut serde = Vec::new();
        if names::unraw(&ident) != json {
            serde.push(format!("rename = {}", literal(json)));
        }
        if read {
            serde.extend(aliases.iter().map(|a| format!("alias = {}", literal(a))));
        }
        if !required {
            if read {
                serde.push("default".to_owned());
            }
            serde.push("skip_serializing_if = \"Option::is_none\"".to_owned());
        }
        let custom = custom_serde(property, &field_at)?;
        serde.extend(custom.filter(|c| read || c.starts_with("with ")));
        if !serde.is_empty() {
            let _ = writeln!(fields, "#[serde({})]", serde.join(", "));
        }
        let _ = writeln!(fields, "pub {ident}: {},", ty.owned());
        if schema.x_keep_unknown {
            if ["object", "key"].contains(&ident.as_str()) {
                return Err(format!(
                    "{field_at}: the field name `{ident}` is taken (by the generated reader)"
                ));
            }
            let reader = match (&property.x_deserialize_with, &property.x_serde_with) {
                (Some(path), _) => Some(readers.name(path.clone(), ty.owned())),
                (None, Some(module)) => {
                    Some(readers.name(format!("{module}::deserialize"), ty.owned()))
                }
                (None, None) if required => None,
                (None, None) => cx
                    .option_reader(property, &field_at)?
                    .map(|path| readers.name(path, ty.owned())),
            };
            reads.push(Read {
                ident: ident.clone(),
                names: std::iter::once(json)
                    .chain(aliases.iter().map(String::as_str))
                    .map(literal)
                    .collect(),
                json: literal(json),
                // A missing field is `None` when serde's derive would default it: with
                // `default`, or as a plain `Option` (its `missing_field` reads as `None`).
                defaulted: !required || (property.nullable && reader.is_none()),
                reader,
            });
        }
    }
    if schema.x_keep_unknown {
        doc(
            &mut fields,
            "Fields this version of the crate does not know, kept as received.",
        );
        fields.push_str("#[serde(flatten)]\n");
        fields.push_str("pub extra: serde_json::Map<String, serde_json::Value>,\n");
    }

    type_doc(out, schema, &format!("The `{rust}` object."));
    let default = if schema.required.is_empty() {
        "Default, "
    } else {
        ""
    };
    let redacted = debug_fields.iter().any(|(_, secret, _)| *secret);
    let debug = if redacted { "" } else { "Debug, " };
    let deserialize = if schema.x_keep_unknown {
        ""
    } else {
        ", serde::Deserialize"
    };
    let _ = writeln!(
        out,
        "#[derive({debug}Clone, PartialEq, {default}serde::Serialize{deserialize})]"
    );
    let _ = writeln!(out, "pub struct {rust} {{\n{fields}}}\n");
    if redacted {
        emit_redacted_debug(out, rust, &debug_fields, schema.x_keep_unknown);
    }
    if schema.x_keep_unknown {
        emit_from_object(out, rust, &reads);
    }
    Ok(())
}

/// How the generated `FromObject` reads one field.
struct Read {
    ident: String,
    /// The field's name and aliases, as Rust literals.
    names: Vec<String>,
    /// The field's name, as a Rust literal (for errors).
    json: String,
    defaulted: bool,
    /// The `ReadWith` type of its `x-deserialize-with` / `x-serde-with`, if any.
    reader: Option<String>,
}

/// The `ReadWith` types of a file: one per function and field type, named after the function.
#[derive(Default)]
struct Readers {
    by_function: std::collections::BTreeMap<(String, String), String>,
}

impl Readers {
    fn name(&mut self, path: String, ty: String) -> String {
        let taken = self.by_function.len();
        let base = path
            .rsplit("::")
            .find(|s| !["deserialize", "deserialize_option"].contains(s))
            .unwrap_or("field");
        let name = format!("Read{}", names::upper_camel_case(base));
        let unique = if self.by_function.values().any(|n| *n == name) {
            format!("{name}{taken}")
        } else {
            name
        };
        self.by_function.entry((path, ty)).or_insert(unique).clone()
    }
}

/// `Deserialize` for an `x-keep-unknown` struct: a loop over the object's keys through
/// `api_core::FromObject` instead of `#[serde(flatten)]`, which buffers every unknown field in
/// serde's private `Content` and reads each object through a second map reader.
fn emit_from_object(out: &mut String, rust: &str, reads: &[Read]) {
    let _ = writeln!(
        out,
        "impl<'de> serde::Deserialize<'de> for {rust} {{\n\
         fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{\n\
         api_core::from_object(deserializer)\n}}\n}}\n"
    );
    let _ = writeln!(out, "impl<'de> api_core::FromObject<'de> for {rust} {{");
    let _ = writeln!(
        out,
        "const EXPECTING: &'static str = {};\n",
        literal(&format!("struct {rust}"))
    );
    out.push_str(
        "fn from_object<A: serde::de::MapAccess<'de>>(\n\
         mut object: api_core::Object<'de, A>,\n\
         ) -> Result<Self, A::Error> {\n",
    );
    for read in reads {
        let _ = writeln!(out, "let mut {} = None;", read.ident);
    }
    out.push_str("while let Some(key) = object.next_key()? {\n");
    if reads.is_empty() {
        out.push_str("object.keep(key)?;\n}\n");
    } else {
        out.push_str("match &*key {\n");
        for read in reads {
            let value = match &read.reader {
                Some(reader) => format!("value_with::<{reader}>"),
                None => "value".to_owned(),
            };
            let _ = writeln!(
                out,
                "{} => object.{value}(&mut {}, {})?,",
                read.names.join(" | "),
                read.ident,
                read.json
            );
        }
        out.push_str("_ => object.keep(key)?,\n}\n}\n");
    }
    out.push_str("Ok(Self {\n");
    for read in reads {
        let ident = &read.ident;
        if read.defaulted {
            let _ = writeln!(out, "{ident}: {ident}.unwrap_or_default(),");
        } else {
            let _ = writeln!(out, "{ident}: object.required({ident}, {})?,", read.json);
        }
    }
    out.push_str("extra: object.into_extra(),\n})\n}\n}\n\n");
}

/// One `api_core::ReadWith` type per `x-deserialize-with` / `x-serde-with` function (and
/// field type) that an `x-keep-unknown` struct reads with.
fn emit_readers(cx: &Context, out: &mut String, readers: &Readers) -> Result<(), String> {
    for ((path, ty), name) in &readers.by_function {
        if cx
            .spec
            .components
            .schemas
            .iter()
            .any(|(schema, _)| names::upper_camel_case(schema) == *name)
        {
            return Err(format!(
                "components.schemas: the generated reader `{name}` (for `{path}`) has the name of a schema"
            ));
        }
        doc(
            out,
            &format!("`{path}`, as `api_core::Object::value_with` calls it."),
        );
        let _ = writeln!(
            out,
            "enum {name} {{}}\n\n\
             impl<'de> api_core::ReadWith<'de> for {name} {{\n\
             type Value = {ty};\n\n\
             fn read<D: serde::Deserializer<'de>>(deserializer: D) -> Result<{ty}, D::Error> {{\n\
             {path}(deserializer)\n}}\n}}\n"
        );
    }
    Ok(())
}

/// `Debug` for a struct with `x-secret` fields: every field as derived, but each secret as
/// `"[redacted]"` (`Some("[redacted]")` when it is optional and set).
fn emit_redacted_debug(out: &mut String, rust: &str, fields: &[(String, bool, bool)], extra: bool) {
    let _ = writeln!(out, "impl std::fmt::Debug for {rust} {{");
    out.push_str("fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n");
    let _ = writeln!(out, "f.debug_struct({})", literal(rust));
    for (ident, secret, optional) in fields {
        let name = literal(names::unraw(ident));
        let value = match (secret, optional) {
            (false, _) => format!("&self.{ident}"),
            (true, false) => "&\"[redacted]\"".to_owned(),
            (true, true) => format!("&self.{ident}.as_ref().map(|_| \"[redacted]\")"),
        };
        let _ = writeln!(out, ".field({name}, {value})");
    }
    if extra {
        out.push_str(".field(\"extra\", &self.extra)\n");
    }
    out.push_str(".finish()\n}\n}\n\n");
}

/// The `deserialize_with` / `with` attribute of a property's `x-deserialize-with` /
/// `x-serde-with`, if any.
fn custom_serde(property: &Schema, at: &str) -> Result<Option<String>, String> {
    let attribute = match (&property.x_deserialize_with, &property.x_serde_with) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(format!(
                "{at}: `x-deserialize-with` and `x-serde-with` cannot be combined (a `with` \
                 module has its own `deserialize`)"
            ));
        }
        (Some(path), None) => ("x-deserialize-with", "deserialize_with", path),
        (None, Some(path)) => ("x-serde-with", "with", path),
    };
    let (key, serde_key, path) = attribute;
    if !names::is_path(path) {
        return Err(format!(
            "{at}: `{key}: {path}` is not a Rust path (such as `api_core::lenient::u64`)"
        ));
    }
    Ok(Some(format!("{serde_key} = {}", literal(path))))
}

/// The variants of an enum: `(name, wire value as Rust source, doc)`.
fn variants(
    schema: &Schema,
    at: &str,
    value_source: impl Fn(&serde_norway::Value) -> Option<(String, String)>,
) -> Result<Vec<(String, String, String)>, String> {
    let values = schema.enum_values.as_deref().unwrap_or_default();
    if values.is_empty() {
        return Err(format!("{at}: `enum` is empty"));
    }
    for (key, list) in [
        ("x-enum-varnames", &schema.x_enum_varnames),
        ("x-enum-descriptions", &schema.x_enum_descriptions),
    ] {
        if let Some(list) = list
            && list.len() != values.len()
        {
            return Err(format!(
                "{at}: `{key}` has {} entries for {} enum values",
                list.len(),
                values.len()
            ));
        }
    }
    let mut seen = BTreeSet::new();
    let mut seen_values = BTreeSet::new();
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let (source, readable) = value_source(value)
            .ok_or_else(|| format!("{at}: enum value `{value:?}` has the wrong type"))?;
        if !seen_values.insert(source.clone()) {
            return Err(format!("{at}: the enum value {source} is listed twice"));
        }
        let name = match &schema.x_enum_varnames {
            Some(names) => names[i].clone(),
            None => names::upper_camel_case(&readable),
        };
        if !names::is_identifier(&name) || name == "Unknown" || name == "Self" {
            return Err(format!("{at}: `{name}` cannot be a variant name"));
        }
        if !seen.insert(name.clone()) {
            return Err(format!(
                "{at}: two values are named `{name}`; name them with `x-enum-varnames`"
            ));
        }
        let doc = match schema.x_enum_descriptions.as_ref().map(|d| d[i].trim()) {
            Some(text) if !text.is_empty() => format!("`{readable}`: {text}"),
            _ => format!("`{readable}`"),
        };
        out.push((name, source, doc));
    }
    Ok(out)
}

fn emit_string_enum(out: &mut String, rust: &str, schema: &Schema, at: &str) -> Result<(), String> {
    let variants = variants(schema, at, |value| {
        value.as_str().map(|s| (literal(s), s.to_owned()))
    })?;
    type_doc(out, schema, &format!("The `{rust}` values."));
    doc_paragraph(
        out,
        "A value this version of the crate does not know decodes as `Unknown`, never as an error.",
    );
    out.push_str("#[derive(Debug, Clone, PartialEq, Eq, Hash)]\n");
    let _ = writeln!(out, "pub enum {rust} {{");
    for (name, _, text) in &variants {
        doc(out, text);
        let _ = writeln!(out, "{name},");
    }
    doc(
        out,
        "A value this version of the crate does not know, kept as received.",
    );
    out.push_str("Unknown(String),\n}\n\n");

    let _ = writeln!(out, "impl {rust} {{");
    doc(out, "The value as sent on the wire.");
    out.push_str("pub fn as_str(&self) -> &str {\nmatch self {\n");
    for (name, value, _) in &variants {
        let _ = writeln!(out, "Self::{name} => {value},");
    }
    out.push_str("Self::Unknown(value) => value,\n}\n}\n");
    if let Some(answer_only) = &schema.x_answer_only {
        emit_answer_only(out, &variants, answer_only, at)?;
    }
    out.push_str("}\n\n");

    let _ = writeln!(out, "impl From<&str> for {rust} {{");
    out.push_str("fn from(value: &str) -> Self {\nmatch value {\n");
    for (name, value, _) in &variants {
        let _ = writeln!(out, "{value} => Self::{name},");
    }
    out.push_str("other => Self::Unknown(other.to_owned()),\n}\n}\n}\n\n");

    let _ = writeln!(out, "impl std::fmt::Display for {rust} {{");
    out.push_str(
        "fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n\
         f.write_str(self.as_str())\n}\n}\n\n",
    );
    let _ = writeln!(out, "impl serde::Serialize for {rust} {{");
    out.push_str(
        "fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n\
         serializer.serialize_str(self.as_str())\n}\n}\n\n",
    );
    let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {rust} {{");
    out.push_str(
        "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n\
         let value = <String as serde::Deserialize>::deserialize(deserializer)?;\n\
         Ok(Self::from(value.as_str()))\n}\n}\n\n",
    );
    Ok(())
}

/// `is_answer_only`: whether the value is one of `x-answer-only`'s, which the API sends but
/// refuses in a request.
fn emit_answer_only(
    out: &mut String,
    variants: &[(String, String, String)],
    answer_only: &[String],
    at: &str,
) -> Result<(), String> {
    out.push('\n');
    let mut names = Vec::new();
    for value in answer_only {
        let wire = literal(value);
        let (name, _, _) = variants
            .iter()
            .find(|(_, source, _)| *source == wire)
            .ok_or_else(|| format!("{at}: `x-answer-only` names `{value}`, not an enum value"))?;
        names.push(format!("Self::{name}"));
    }
    if names.is_empty() {
        return Err(format!("{at}: `x-answer-only` is empty"));
    }
    doc(
        out,
        "Whether the API only sends this value and refuses it in a request (the spec's \
         `x-answer-only`). `Unknown` is not: a value the crate does not know yet is sent as \
         given.",
    );
    let _ = writeln!(
        out,
        "pub fn is_answer_only(&self) -> bool {{\nmatches!(self, {})\n}}",
        names.join(" | ")
    );
    Ok(())
}

fn emit_int_enum(out: &mut String, rust: &str, schema: &Schema, at: &str) -> Result<(), String> {
    if schema.x_enum_varnames.is_none() {
        return Err(format!(
            "{at}: an integer enum needs `x-enum-varnames` (one name per value)"
        ));
    }
    let variants = variants(schema, at, |value| {
        value.as_i64().map(|n| (n.to_string(), n.to_string()))
    })?;
    type_doc(out, schema, &format!("The `{rust}` values."));
    doc_paragraph(
        out,
        "A code this version of the crate does not know decodes as `Unknown`, never as an error.",
    );
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n");
    let _ = writeln!(out, "pub enum {rust} {{");
    for (name, _, text) in &variants {
        doc(out, text);
        let _ = writeln!(out, "{name},");
    }
    doc(
        out,
        "A code this version of the crate does not know, kept as received.",
    );
    out.push_str("Unknown(i64),\n}\n\n");

    let _ = writeln!(out, "impl {rust} {{");
    doc(out, "The code as sent on the wire.");
    out.push_str("pub fn code(&self) -> i64 {\nmatch self {\n");
    for (name, value, _) in &variants {
        let _ = writeln!(out, "Self::{name} => {value},");
    }
    out.push_str("Self::Unknown(code) => *code,\n}\n}\n}\n\n");

    let _ = writeln!(out, "impl From<i64> for {rust} {{");
    out.push_str("fn from(code: i64) -> Self {\nmatch code {\n");
    for (name, value, _) in &variants {
        let _ = writeln!(out, "{value} => Self::{name},");
    }
    out.push_str("other => Self::Unknown(other),\n}\n}\n}\n\n");

    let _ = writeln!(out, "impl std::fmt::Display for {rust} {{");
    out.push_str(
        "fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n\
         write!(f, \"{}\", self.code())\n}\n}\n\n",
    );
    let _ = writeln!(out, "impl serde::Serialize for {rust} {{");
    out.push_str(
        "fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n\
         serializer.serialize_i64(self.code())\n}\n}\n\n",
    );
    let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {rust} {{");
    out.push_str(
        "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n\
         let code = <i64 as serde::Deserialize>::deserialize(deserializer)?;\n\
         Ok(Self::from(code))\n}\n}\n\n",
    );
    Ok(())
}
