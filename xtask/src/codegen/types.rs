//! Schemas to Rust types.

use std::collections::BTreeMap;

use super::names;
use super::spec::{AdditionalProperties, Schema, Spec};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Names the generated code relies on: a component may not take one of them.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Idempotency",
    "Method",
    "Operation",
    "Option",
    "Request",
    "Result",
    "Self",
    "String",
    "Vec",
];

/// A Rust type, known well enough to spell it owned (a field) or borrowed (an argument).
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    /// `i32` or `i64`.
    Int(&'static str),
    F64,
    Bool,
    Vec(Box<Ty>),
    /// `std::collections::BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// A free-form object.
    JsonMap,
    /// A schema without a type.
    JsonValue,
    Option(Box<Ty>),
    /// A generated model; `copy` for integer enums, passed by value.
    Model {
        name: String,
        copy: bool,
    },
    /// An `x-rust-type` path, written by hand.
    External(String),
    /// `type: string, format: date`: `api_core::date::Date` (a `time::Date` argument in a
    /// query).
    Date,
    /// `type: string, format: date-time`: `api_core::date::DateTime` (a
    /// `time::OffsetDateTime` argument in a query).
    DateTime,
}

impl Ty {
    /// The type of a field or a response.
    pub fn owned(&self) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Int(name) => (*name).into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Vec(item) => format!("Vec<{}>", item.owned()),
            Ty::Map(value) => format!("std::collections::BTreeMap<String, {}>", value.owned()),
            Ty::JsonMap => "serde_json::Map<String, serde_json::Value>".into(),
            Ty::JsonValue => "serde_json::Value".into(),
            Ty::Option(inner) => format!("Option<{}>", inner.owned()),
            Ty::Model { name, .. } => name.clone(),
            Ty::External(path) => path.clone(),
            Ty::Date => "api_core::date::Date".into(),
            Ty::DateTime => "api_core::date::DateTime".into(),
        }
    }

    /// The type of a function argument: by value for small `Copy` types, else borrowed.
    pub fn argument(&self) -> String {
        match self {
            Ty::Int(_) | Ty::F64 | Ty::Bool | Ty::Model { copy: true, .. } => self.owned(),
            Ty::String => "&str".into(),
            Ty::Vec(item) => format!("&[{}]", item.owned()),
            Ty::Option(inner) => format!("Option<{}>", inner.argument()),
            _ => format!("&{}", self.owned()),
        }
    }

    /// True when the spelling names an item of `models.rs`.
    pub fn uses_models(&self) -> bool {
        match self {
            Ty::Model { .. } => true,
            Ty::Vec(inner) | Ty::Map(inner) | Ty::Option(inner) => inner.uses_models(),
            _ => false,
        }
    }
}

/// What a component schema becomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Struct,
    StringEnum,
    IntEnum,
    /// `pub type Name = ...;`
    Alias,
    /// `x-rust-type`: nothing is generated.
    External,
}

impl Kind {
    pub fn of(schema: &Schema) -> Kind {
        if schema.x_rust_type.is_some() {
            Kind::External
        } else if schema.enum_values.is_some() && schema.kind.as_deref() == Some("integer") {
            Kind::IntEnum
        } else if schema.enum_values.is_some() {
            Kind::StringEnum
        } else if schema.reference.is_none()
            && matches!(schema.kind.as_deref(), Some("object") | None)
            && (!schema.properties.0.is_empty() || schema.x_keep_unknown)
        {
            Kind::Struct
        } else {
            Kind::Alias
        }
    }
}

/// The component schemas by name, with the Rust type each one is referred to by.
pub struct Context<'a> {
    pub spec: &'a Spec,
    components: BTreeMap<&'a str, (Ty, Kind)>,
}

impl<'a> Context<'a> {
    pub fn new(spec: &'a Spec) -> Result<Self, String> {
        let mut components = BTreeMap::new();
        let mut taken: BTreeMap<String, &str> = BTreeMap::new();
        for (name, schema) in spec.components.schemas.iter() {
            if schema.x_deserialize_option_with.is_some() && schema.x_rust_type.is_none() {
                return Err(format!(
                    "components.schemas.{name}: `x-deserialize-option-with` reads a hand-written \
                     type: it needs `x-rust-type`"
                ));
            }
            let kind = Kind::of(schema);
            let ty = match &schema.x_rust_type {
                Some(path) => Ty::External(path.clone()),
                None => {
                    let rust = names::type_name(name);
                    if RESERVED_TYPE_NAMES.contains(&rust.as_str()) {
                        return Err(format!(
                            "components.schemas.{name}: `{rust}` is a name the generated code \
                             uses; rename the schema"
                        ));
                    }
                    if let Some(other) = taken.insert(rust.clone(), name) {
                        return Err(format!(
                            "components.schemas.{name}: its Rust name `{rust}` is also the \
                             name of `{other}`"
                        ));
                    }
                    Ty::Model {
                        name: rust,
                        copy: kind == Kind::IntEnum,
                    }
                }
            };
            components.insert(name, (ty, kind));
        }
        Ok(Self { spec, components })
    }

    /// True when a generated model is named `rust` (a builder of that name would hide it).
    pub fn has_model(&self, rust: &str) -> bool {
        self.components
            .values()
            .any(|(ty, _)| matches!(ty, Ty::Model { name, .. } if name == rust))
    }

    /// The component a `$ref` points at.
    pub fn component(&self, reference: &str, at: &str) -> Result<(&'a str, &Ty, Kind), String> {
        let name = reference.strip_prefix(SCHEMA_PREFIX).ok_or_else(|| {
            format!("{at}: `$ref: {reference}` is not supported (only `{SCHEMA_PREFIX}...`)")
        })?;
        let (key, (ty, kind)) = self
            .components
            .get_key_value(name)
            .ok_or_else(|| format!("{at}: `$ref: {reference}` names no schema"))?;
        Ok((key, ty, *kind))
    }

    /// The one-step reader of an optional property's type, if it has one: the typed dates'
    /// (`Date::deserialize_option`, `DateTime::deserialize_option`) and a `$ref` to an
    /// `x-rust-type` schema's `x-deserialize-option-with`. A property with a reader of its
    /// own (`x-deserialize-with`, `x-serde-with`) never asks.
    pub fn option_reader(&self, property: &Schema, at: &str) -> Result<Option<String>, String> {
        if let Some(reference) = &property.reference {
            let (name, _, _) = self.component(reference, at)?;
            let path = self
                .spec
                .components
                .schemas
                .iter()
                .find(|(schema, _)| *schema == name)
                .and_then(|(_, schema)| schema.x_deserialize_option_with.clone());
            return Ok(path);
        }
        Ok(match self.property_ty(property, at)? {
            Ty::Date => Some("api_core::date::Date::deserialize_option".to_owned()),
            Ty::DateTime => Some("api_core::date::DateTime::deserialize_option".to_owned()),
            _ => None,
        })
    }

    /// The Rust type of `schema` found at `at` (a dotted location, for errors). `nullable`
    /// is left to the caller at field level; nested nullable schemas become `Option`.
    /// The property-only extensions (`x-deserialize-with`, `x-serde-with`, `x-aliases`) are
    /// errors here: object properties go through [`Context::property_ty`].
    pub fn ty(&self, schema: &Schema, at: &str) -> Result<Ty, String> {
        reject_property_extensions(schema, at)?;
        self.resolve(schema, at)
    }

    /// The Rust type of an object property, which may carry `x-deserialize-with`,
    /// `x-serde-with` or `x-aliases` (the caller emits them).
    pub fn property_ty(&self, schema: &Schema, at: &str) -> Result<Ty, String> {
        self.resolve(schema, at)
    }

    fn resolve(&self, schema: &Schema, at: &str) -> Result<Ty, String> {
        // A hand-written type reads the value: a composition beside it describes the wire for
        // other readers of the spec (another generator, a validator) and changes nothing here.
        if let Some(path) = &schema.x_rust_type {
            return Ok(Ty::External(path.clone()));
        }
        for (key, value) in [
            ("allOf", &schema.all_of),
            ("oneOf", &schema.one_of),
            ("anyOf", &schema.any_of),
            ("not", &schema.not),
        ] {
            if value.is_some() {
                return Err(format!(
                    "{at}: `{key}` is not supported by the generator; describe the type \
                     directly or point it at a hand-written type with `x-rust-type`"
                ));
            }
        }
        if let Some(reference) = &schema.reference {
            let (_, ty, _) = self.component(reference, at)?;
            return Ok(ty.clone());
        }
        if schema.enum_values.is_some() {
            return Err(format!(
                "{at}: inline enums are not supported; move the enum to components.schemas \
                 and `$ref` it"
            ));
        }
        let format = schema.format.as_deref();
        let ty = match schema.kind.as_deref() {
            // The two formats with a type of their own; any other `format` (OpenAPI allows
            // any) leaves the text a `String`.
            Some("string") => match format {
                Some("date") => Ty::Date,
                Some("date-time") => Ty::DateTime,
                _ => Ty::String,
            },
            Some("integer") => match format {
                Some("int32") => Ty::Int("i32"),
                _ => Ty::Int("i64"),
            },
            Some("number") => match format {
                Some("double") => Ty::F64,
                _ => {
                    return Err(format!(
                        "{at}: `type: number` needs `format: double` or an `x-rust-type` \
                         (money must never become f64)"
                    ));
                }
            },
            Some("boolean") => Ty::Bool,
            Some("array") => {
                let items = schema
                    .items
                    .as_deref()
                    .ok_or_else(|| format!("{at}: an array needs `items`"))?;
                Ty::Vec(Box::new(self.nested(items, &format!("{at}.items"))?))
            }
            Some("object") => {
                if !schema.properties.0.is_empty() {
                    return Err(format!(
                        "{at}: inline objects with properties are not supported; move the \
                         object to components.schemas and `$ref` it"
                    ));
                }
                match &schema.additional_properties {
                    Some(AdditionalProperties::Schema(values)) => Ty::Map(Box::new(
                        self.nested(values, &format!("{at}.additionalProperties"))?,
                    )),
                    _ => Ty::JsonMap,
                }
            }
            None => Ty::JsonValue,
            Some(other) => return Err(format!("{at}: unknown `type: {other}`")),
        };
        Ok(ty)
    }

    /// An array item or a map value: `nullable` makes it an `Option`.
    fn nested(&self, schema: &Schema, at: &str) -> Result<Ty, String> {
        let ty = self.ty(schema, at)?;
        Ok(if schema.nullable {
            Ty::Option(Box::new(ty))
        } else {
            ty
        })
    }
}

/// Fails when `schema` (found at `at`, not an object property) carries an extension that
/// only object properties support.
pub fn reject_property_extensions(schema: &Schema, at: &str) -> Result<(), String> {
    for (key, value) in [
        ("x-deserialize-with", &schema.x_deserialize_with),
        ("x-serde-with", &schema.x_serde_with),
    ] {
        if value.is_some() {
            return Err(format!(
                "{at}: `{key}` is only supported on the properties of an object"
            ));
        }
    }
    if schema.x_aliases.is_some() {
        return Err(format!(
            "{at}: `x-aliases` is only supported on the properties of an object"
        ));
    }
    Ok(())
}
