//! The subset of OpenAPI 3.0 that the generator reads, as plain serde structs.
//!
//! Unknown keys (`example`, `servers`, `securitySchemes`, response headers, ...) are ignored.
//! Constructs that would change the generated code but are not supported (`allOf`, `oneOf`,
//! `anyOf`, `not`, request-body references) are read so that they can be rejected with a
//! clear error instead of being silently dropped.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// A YAML mapping kept in document order (a `BTreeMap` would sort it).
#[derive(Debug, Clone)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Ordered<T> {
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for OrderedVisitor<T> {
            type Value = Ordered<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, T)> = Vec::new();
                while let Some(key) = map.next_key::<Key>()? {
                    if entries.iter().any(|(k, _)| *k == key.0) {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate key `{}`",
                            key.0
                        )));
                    }
                    entries.push((key.0, map.next_value()?));
                }
                Ok(Ordered(entries))
            }
        }

        deserializer.deserialize_map(OrderedVisitor(PhantomData))
    }
}

/// A mapping key: YAML reads an unquoted `200:` as a number, OpenAPI means the text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = Key;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or integer key")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
        }

        deserializer.deserialize_any(KeyVisitor)
    }
}

#[derive(Debug, Deserialize)]
pub struct Spec {
    pub openapi: String,
    pub info: Info,
    #[serde(default)]
    pub paths: Ordered<PathItem>,
    #[serde(default)]
    pub components: Components,
    /// `x-optional-reasons: false` turns off the rule that every optional field of a struct
    /// decoded from answers says why (`x-optional`); on unless turned off (the generator's
    /// own test specs turn it off).
    #[serde(rename = "x-optional-reasons", default = "yes")]
    pub x_optional_reasons: bool,
    /// `x-envelope: path`: every success answer is an object whose `content` (of type `T`) is
    /// the operation's answer, decoded as `path<T>`.
    #[serde(rename = "x-envelope")]
    pub x_envelope: Option<String>,
    /// `x-client: path`: the client type the request builders hang off (`builders.rs` is
    /// generated only when it is set).
    #[serde(rename = "x-client")]
    pub x_client: Option<String>,
    /// The default security requirements (alternatives; each maps scheme names to scopes).
    #[serde(default)]
    pub security: Vec<Ordered<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
pub struct Info {
    pub title: String,
    pub version: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    #[serde(default)]
    pub schemas: Ordered<Schema>,
    #[serde(default)]
    pub parameters: Ordered<Parameter>,
    #[serde(default)]
    pub responses: Ordered<Response>,
    #[serde(default)]
    pub security_schemes: Ordered<SecurityScheme>,
}

/// A `components.securitySchemes` entry: its type, and for `oauth2` its flows' token URLs
/// and scopes.
#[derive(Debug, Deserialize)]
pub struct SecurityScheme {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub flows: Ordered<Flow>,
}

/// An OAuth2 flow.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    pub token_url: Option<String>,
    #[serde(default)]
    pub scopes: Ordered<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PathItem {
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    pub get: Option<Operation>,
    pub put: Option<Operation>,
    pub post: Option<Operation>,
    pub delete: Option<Operation>,
    pub options: Option<Operation>,
    pub head: Option<Operation>,
    pub patch: Option<Operation>,
    pub trace: Option<Operation>,
}

impl PathItem {
    /// The operations, in a fixed method order.
    pub fn operations(&self) -> impl Iterator<Item = (&'static str, &Operation)> {
        [
            ("GET", &self.get),
            ("PUT", &self.put),
            ("POST", &self.post),
            ("DELETE", &self.delete),
            ("OPTIONS", &self.options),
            ("HEAD", &self.head),
            ("PATCH", &self.patch),
            ("TRACE", &self.trace),
        ]
        .into_iter()
        .filter_map(|(method, operation)| operation.as_ref().map(|o| (method, o)))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    #[serde(default)]
    pub responses: Ordered<Response>,
    #[serde(rename = "x-idempotency")]
    pub x_idempotency: Option<String>,
    #[serde(rename = "x-empty-response", default)]
    pub x_empty_response: bool,
    #[serde(rename = "x-unconfirmed", default)]
    pub x_unconfirmed: Unconfirmed,
    /// `x-unconfirmed-body: note`: the operation is documented, its optional request body is
    /// our guess: the builder's body setter needs the `unconfirmed` feature.
    #[serde(rename = "x-unconfirmed-body")]
    pub x_unconfirmed_body: Option<String>,
    /// The operation's own security requirements (alternatives), replacing the spec's.
    pub security: Option<Vec<Ordered<Vec<String>>>>,
    /// `x-moves-money: true`: the operation moves money.
    #[serde(rename = "x-moves-money", default)]
    pub x_moves_money: bool,
    /// `x-idempotency-key: header`: the header that carries an idempotency key.
    #[serde(rename = "x-idempotency-key")]
    pub x_idempotency_key: Option<String>,
    /// `x-pagination`: how the operation pages.
    #[serde(rename = "x-pagination")]
    pub x_pagination: Option<XPagination>,
    /// `x-client: path`: this operation's builder hangs off another client type than the
    /// spec's (FL3XX's v1 reads).
    #[serde(rename = "x-client")]
    pub x_client: Option<String>,
}

/// `x-pagination: {style: offset | page-number, size: <param>, position: <param>, first: n}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XPagination {
    pub style: String,
    pub size: String,
    pub position: String,
    /// The first page number (`page-number` only; default 1).
    pub first: Option<u32>,
    /// The page size a builder's `paginate` asks for when the caller sets none (default: the
    /// size parameter's `maximum`).
    #[serde(rename = "per-page")]
    pub per_page: Option<u32>,
}

/// `x-unconfirmed`: `true` when the documentation does not show the path (our guess), or a
/// sentence saying what else it does not show.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Unconfirmed {
    Flag(bool),
    Note(String),
}

impl Default for Unconfirmed {
    fn default() -> Self {
        Unconfirmed::Flag(false)
    }
}

impl Unconfirmed {
    /// True when the operation is compiled only with the `unconfirmed` feature.
    pub fn is_set(&self) -> bool {
        matches!(self, Unconfirmed::Flag(true) | Unconfirmed::Note(_))
    }

    /// The sentence, when one was given instead of `true`.
    pub fn note(&self) -> Option<&str> {
        match self {
            Unconfirmed::Note(text) => Some(text),
            Unconfirmed::Flag(_) => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Parameter {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "in", default)]
    pub location: String,
    #[serde(default)]
    pub required: bool,
    pub description: Option<String>,
    pub schema: Option<Schema>,
    /// `x-rust-name: ident`: the argument's name, when the parameter's own name makes a poor
    /// one (or the same one as another parameter: a path `client_id` and a query `clientId`).
    #[serde(rename = "x-rust-name")]
    pub x_rust_name: Option<String>,
    /// `x-client-value: method`: the client's `method()` supplies the value (Flexiti's
    /// `client_id` path segment), so the builder does not ask for it. A required parameter's
    /// method returns the argument; an optional one's an `Option` the builder's setter
    /// overrides.
    #[serde(rename = "x-client-value")]
    pub x_client_value: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RequestBody {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub content: Ordered<MediaType>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub content: Ordered<MediaType>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MediaType {
    pub schema: Option<Schema>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Honoured: `int32` and `double` (numbers), `date` and `date-time` (strings). Any other
    /// format is allowed and changes nothing.
    pub format: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub properties: Ordered<Schema>,
    #[serde(default)]
    pub required: Vec<String>,
    pub additional_properties: Option<AdditionalProperties>,
    pub items: Option<Box<Schema>>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<serde_norway::Value>>,
    #[serde(default)]
    pub nullable: bool,
    #[serde(rename = "x-rust-type")]
    pub x_rust_type: Option<String>,
    #[serde(rename = "x-keep-unknown", default)]
    pub x_keep_unknown: bool,
    #[serde(rename = "x-enum-varnames")]
    pub x_enum_varnames: Option<Vec<String>>,
    #[serde(rename = "x-enum-descriptions")]
    pub x_enum_descriptions: Option<Vec<String>>,
    /// On a string enum: the values the API sends but refuses in a request (FL3XX's group
    /// events): a generated `is_answer_only`, and the sandbox's refusal.
    #[serde(rename = "x-answer-only")]
    pub x_answer_only: Option<Vec<String>>,
    /// On a component schema with `x-rust-type`: a function reading an optional value of the
    /// type in one step (`fn(D) -> Result<Option<T>, D::Error>`, `null` as `None`), through
    /// which an `x-keep-unknown` struct reads each property of that type it does not require
    /// (serde's `Option` first looks for `null`, then reads the value: a second look at every
    /// id of a list page).
    #[serde(rename = "x-deserialize-option-with")]
    pub x_deserialize_option_with: Option<String>,
    /// On an object property: `#[serde(deserialize_with = "path")]`.
    #[serde(rename = "x-deserialize-with")]
    pub x_deserialize_with: Option<String>,
    /// On an object property: `#[serde(with = "path")]`.
    #[serde(rename = "x-serde-with")]
    pub x_serde_with: Option<String>,
    /// On an object property: `#[serde(alias = "name")]` for each name, read as well as the
    /// property's own name (for names an older revision of the API used).
    #[serde(rename = "x-aliases")]
    pub x_aliases: Option<Vec<String>>,
    /// On an object property: a credential (a password, a signing key, a login token). The
    /// struct's `Debug` shows `"[redacted]"` in its place.
    #[serde(rename = "x-secret", default)]
    pub x_secret: bool,
    /// On a component struct: `x-check: path`, a hand-written `fn(&Self) -> api_core::Result<()>`
    /// the generated `Validate` runs last (a rule a schema cannot state).
    #[serde(rename = "x-check")]
    pub x_check: Option<String>,
    /// On a property of a struct decoded from answers, or on the struct for all its optional
    /// properties: why the field is an `Option` (the documents do not guarantee it). Required
    /// for every optional field of such a struct; shown in the field's doc.
    #[serde(rename = "x-optional")]
    pub x_optional: Option<String>,
    // Bounds, checked before a request is sent.
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    /// The server's value when a parameter is absent (only integers reach the table).
    pub default: Option<serde_norway::Value>,
    // Read only to be rejected: a bound the generator cannot check must not be dropped.
    pub exclusive_minimum: Option<serde_norway::Value>,
    pub exclusive_maximum: Option<serde_norway::Value>,
    pub min_items: Option<serde_norway::Value>,
    pub max_items: Option<serde_norway::Value>,
    pub multiple_of: Option<serde_norway::Value>,
    // Read only to be rejected: the generator does not support composition.
    pub all_of: Option<serde_norway::Value>,
    pub one_of: Option<serde_norway::Value>,
    pub any_of: Option<serde_norway::Value>,
    pub not: Option<serde_norway::Value>,
}

/// `additionalProperties`: `true`/`false` or a schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AdditionalProperties {
    Allowed(bool),
    Schema(Box<Schema>),
}

fn yes() -> bool {
    true
}
