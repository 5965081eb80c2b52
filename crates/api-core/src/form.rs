//! `application/x-www-form-urlencoded` bodies from a struct or map of scalars, written with
//! `form_urlencoded` (which `url` builds anyway) instead of `serde_urlencoded` and the float
//! formatter it brings: the only form bodies are a few flat request structs and the OAuth2
//! token request, and a client's clean build is cheaper without the two crates (issue #24).
//!
//! Fields keep their order; `None` is left out; a string, number, boolean, unit enum variant
//! or newtype of one is one `name=value` pair. A list of `(name, value)` pairs works too.
//! Anything nested deeper (a list, a map, a struct as a value) is an error, as it has no one
//! form encoding.

use std::fmt::{self, Display};

use serde::ser::{
    self, Impossible, Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeTuple,
    Serializer,
};
use url::form_urlencoded;

/// `body` form-encoded.
///
/// # Errors
/// [`FormError`] naming what cannot be a form: a top level that is not a struct or a map, or
/// a field that is not a scalar.
pub(crate) fn to_string<B: Serialize + ?Sized>(body: &B) -> Result<String, FormError> {
    let mut form = Form {
        out: form_urlencoded::Serializer::new(String::new()),
        key: None,
    };
    body.serialize(&mut form)?;
    Ok(form.out.finish())
}

/// Why a value has no form encoding.
#[derive(Debug)]
pub(crate) struct FormError(String);

impl Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormError {}

impl ser::Error for FormError {
    fn custom<T: Display>(msg: T) -> Self {
        FormError(msg.to_string())
    }
}

fn unsupported<T>(what: &str) -> Result<T, FormError> {
    Err(FormError(format!("{what} has no form encoding")))
}

/// Methods of a `Serializer` that refuse their kind of value with `$what`: each name is a
/// `serialize_*` method without its prefix.
macro_rules! refuse {
    ($what:literal: $($kind:ident),* $(,)?) => { $(refuse!(@one $kind $what);)* };
    (@one bool $w:literal) => { fn serialize_bool(self, _: bool) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one i8 $w:literal) => { fn serialize_i8(self, _: i8) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one i16 $w:literal) => { fn serialize_i16(self, _: i16) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one i32 $w:literal) => { fn serialize_i32(self, _: i32) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one i64 $w:literal) => { fn serialize_i64(self, _: i64) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one u8 $w:literal) => { fn serialize_u8(self, _: u8) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one u16 $w:literal) => { fn serialize_u16(self, _: u16) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one u32 $w:literal) => { fn serialize_u32(self, _: u32) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one u64 $w:literal) => { fn serialize_u64(self, _: u64) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one f32 $w:literal) => { fn serialize_f32(self, _: f32) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one f64 $w:literal) => { fn serialize_f64(self, _: f64) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one char $w:literal) => { fn serialize_char(self, _: char) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one str $w:literal) => { fn serialize_str(self, _: &str) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one bytes $w:literal) => { fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one none $w:literal) => { fn serialize_none(self) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one unit $w:literal) => { fn serialize_unit(self) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one unit_struct $w:literal) => { fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one unit_variant $w:literal) => { fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<Self::Ok, FormError> { unsupported($w) } };
    (@one newtype_variant $w:literal) => {
        fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<Self::Ok, FormError> { unsupported($w) }
    };
    (@one seq $w:literal) => { fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, FormError> { unsupported($w) } };
    (@one tuple $w:literal) => { fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, FormError> { unsupported($w) } };
    (@one tuple_struct $w:literal) => { fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, FormError> { unsupported($w) } };
    (@one tuple_variant $w:literal) => {
        fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, FormError> { unsupported($w) }
    };
    (@one map $w:literal) => { fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, FormError> { unsupported($w) } };
    (@one struct $w:literal) => { fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, FormError> { unsupported($w) } };
    (@one struct_variant $w:literal) => {
        fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, FormError> { unsupported($w) }
    };
}

/// The top level: the pairs written so far, and a map's pending key.
struct Form {
    out: form_urlencoded::Serializer<'static, String>,
    key: Option<String>,
}

impl Form {
    fn pair<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), FormError> {
        if let Some(text) = value.serialize(Scalar)? {
            self.out.append_pair(key, &text);
        }
        Ok(())
    }
}

impl Serializer for &mut Form {
    type Ok = ();
    type Error = FormError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Impossible<(), FormError>;
    type SerializeTupleVariant = Impossible<(), FormError>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), FormError>;

    refuse!("a value that is not a struct, a map or a list of pairs":
        bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, char, str, bytes, unit,
        unit_struct, unit_variant, newtype_variant, tuple_struct, tuple_variant, struct_variant);

    fn serialize_none(self) -> Result<(), FormError> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), FormError> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), FormError> {
        value.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self, FormError> {
        Ok(self)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self, FormError> {
        Ok(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, FormError> {
        Ok(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, FormError> {
        Ok(self)
    }
}

impl SerializeStruct for &mut Form {
    type Ok = ();
    type Error = FormError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), FormError> {
        self.pair(key, value)
    }

    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

impl SerializeMap for &mut Form {
    type Ok = ();
    type Error = FormError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), FormError> {
        self.key = Some(key.serialize(Scalar)?.unwrap_or_default());
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FormError> {
        match self.key.take() {
            Some(key) => self.pair(&key, value),
            None => unsupported("a value without a key"),
        }
    }

    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

/// A list (or array) of `(name, value)` pairs.
impl SerializeSeq for &mut Form {
    type Ok = ();
    type Error = FormError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, pair: &T) -> Result<(), FormError> {
        let (key, value) = pair.serialize(Pair::default())?;
        if let (Some(key), Some(value)) = (key, value) {
            self.out.append_pair(&key, &value);
        }
        Ok(())
    }

    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

impl SerializeTuple for &mut Form {
    type Ok = ();
    type Error = FormError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, pair: &T) -> Result<(), FormError> {
        SerializeSeq::serialize_element(self, pair)
    }

    fn end(self) -> Result<(), FormError> {
        Ok(())
    }
}

/// One element of a list of pairs: a `(name, value)` tuple of scalars.
#[derive(Default)]
struct Pair {
    parts: Vec<Option<String>>,
}

impl Serializer for Pair {
    type Ok = (Option<String>, Option<String>);
    type Error = FormError;
    type SerializeSeq = Impossible<Self::Ok, FormError>;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Impossible<Self::Ok, FormError>;
    type SerializeTupleVariant = Impossible<Self::Ok, FormError>;
    type SerializeMap = Impossible<Self::Ok, FormError>;
    type SerializeStruct = Impossible<Self::Ok, FormError>;
    type SerializeStructVariant = Impossible<Self::Ok, FormError>;

    refuse!("a list element that is not a (name, value) pair":
        bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, char, str, bytes, none, unit,
        unit_struct, unit_variant, newtype_variant, seq, tuple_struct, tuple_variant, map,
        struct, struct_variant);

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, FormError> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok, FormError> {
        value.serialize(self)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self, FormError> {
        if len == 2 {
            Ok(self)
        } else {
            unsupported("a list element that is not a (name, value) pair")
        }
    }
}

impl SerializeTuple for Pair {
    type Ok = (Option<String>, Option<String>);
    type Error = FormError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, part: &T) -> Result<(), FormError> {
        self.parts.push(part.serialize(Scalar)?);
        Ok(())
    }

    fn end(mut self) -> Result<Self::Ok, FormError> {
        let value = self.parts.pop().flatten();
        Ok((self.parts.pop().flatten(), value))
    }
}

/// One field's value as text; `None` for a `None` (the field is left out).
struct Scalar;

impl Serializer for Scalar {
    type Ok = Option<String>;
    type Error = FormError;
    type SerializeSeq = Impossible<Self::Ok, FormError>;
    type SerializeTuple = Impossible<Self::Ok, FormError>;
    type SerializeTupleStruct = Impossible<Self::Ok, FormError>;
    type SerializeTupleVariant = Impossible<Self::Ok, FormError>;
    type SerializeMap = Impossible<Self::Ok, FormError>;
    type SerializeStruct = Impossible<Self::Ok, FormError>;
    type SerializeStructVariant = Impossible<Self::Ok, FormError>;

    refuse!("a nested value (a list, a map, a struct, bytes)":
        bytes, unit, unit_struct, newtype_variant, seq, tuple, tuple_struct, tuple_variant, map,
        struct, struct_variant);

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, FormError> {
        Ok(Some(if v { "true" } else { "false" }.to_owned()))
    }

    fn serialize_i64(self, v: i64) -> Result<Self::Ok, FormError> {
        Ok(Some(itoa::Buffer::new().format(v).to_owned()))
    }

    fn serialize_i8(self, v: i8) -> Result<Self::Ok, FormError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<Self::Ok, FormError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<Self::Ok, FormError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<Self::Ok, FormError> {
        Ok(Some(itoa::Buffer::new().format(v).to_owned()))
    }

    fn serialize_u8(self, v: u8) -> Result<Self::Ok, FormError> {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<Self::Ok, FormError> {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<Self::Ok, FormError> {
        self.serialize_u64(v.into())
    }

    fn serialize_f32(self, v: f32) -> Result<Self::Ok, FormError> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<Self::Ok, FormError> {
        // Rust's shortest round-trip form; a non-finite number means nothing to a server.
        if v.is_finite() {
            Ok(Some(v.to_string()))
        } else {
            unsupported("a number that is not finite")
        }
    }

    fn serialize_char(self, v: char) -> Result<Self::Ok, FormError> {
        Ok(Some(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> Result<Self::Ok, FormError> {
        Ok(Some(v.to_owned()))
    }

    fn serialize_none(self) -> Result<Self::Ok, FormError> {
        Ok(None)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, FormError> {
        value.serialize(self)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, FormError> {
        Ok(Some(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok, FormError> {
        value.serialize(self)
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::to_string;

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Flow {
        ApplyBuy,
    }

    #[derive(Serialize)]
    struct Body<'a> {
        lang: &'a str,
        flow: Flow,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<&'a str>,
        absent: Option<&'a str>,
        guest: bool,
        amount: f64,
        count: u32,
        note: &'a str,
    }

    #[test]
    fn a_struct_is_its_fields_in_order_encoded() {
        let body = Body {
            lang: "fr",
            flow: Flow::ApplyBuy,
            skipped: None,
            absent: None,
            guest: true,
            amount: 1200.5,
            count: 3,
            note: "a&b = ç ",
        };
        assert_eq!(
            to_string(&body).expect("encodes"),
            "lang=fr&flow=apply_buy&guest=true&amount=1200.5&count=3&note=a%26b+%3D+%C3%A7+"
        );
    }

    #[test]
    fn pairs_and_maps_encode_and_nested_values_are_errors() {
        let pairs = [("grant_type", "client_credentials"), ("scope", "a b")];
        assert_eq!(
            to_string(
                &pairs
                    .iter()
                    .copied()
                    .collect::<std::collections::BTreeMap<_, _>>()
            )
            .expect("map"),
            "grant_type=client_credentials&scope=a+b"
        );
        let list = [("name", "Ann Lee"), ("note", "a&b=c")];
        assert_eq!(
            to_string(&list).expect("list"),
            "name=Ann+Lee&note=a%26b%3Dc"
        );
        assert_eq!(
            to_string(&vec![("a", Some("1")), ("b", None)]).expect("vec"),
            "a=1"
        );
        assert_eq!(
            to_string(&[("a", "1", "x")])
                .expect_err("triple")
                .to_string(),
            "a list element that is not a (name, value) pair has no form encoding"
        );
        #[derive(Serialize)]
        struct Nested {
            list: Vec<u8>,
        }
        assert_eq!(
            to_string(&Nested { list: vec![1] })
                .expect_err("nested")
                .to_string(),
            "a nested value (a list, a map, a struct, bytes) has no form encoding"
        );
        assert_eq!(
            to_string(&5).expect_err("scalar").to_string(),
            "a value that is not a struct, a map or a list of pairs has no form encoding"
        );
        assert!(to_string(&f64::NAN).is_err());
    }
}
