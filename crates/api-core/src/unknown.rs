//! Objects and lists that keep what a model does not know: an object's unknown fields
//! without `#[serde(flatten)]` ([`FromObject`]), a list envelope's other fields ([`List`]).
//!
//! `flatten` makes serde's derive buffer every unknown field in its private `Content` and
//! read each object through a second, generic map reader. The code generator instead writes
//! each such model's `Deserialize` as a loop over the object's keys ([`FromObject`]): a
//! known key is read into its field (as derived code would: defaults, duplicates and missing
//! fields give serde's own errors), any other goes straight into `extra`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A model read from a JSON object key by key, keeping unknown fields (generated code).
///
/// ```
/// use api_core::{FromObject, Object};
/// use serde::de::MapAccess;
///
/// #[derive(Debug, PartialEq)]
/// pub struct Airport {
///     pub icao: String,
///     pub iata: Option<String>,
///     pub extra: serde_json::Map<String, serde_json::Value>,
/// }
///
/// impl<'de> FromObject<'de> for Airport {
///     const EXPECTING: &'static str = "struct Airport";
///
///     fn from_object<A: MapAccess<'de>>(mut object: Object<'de, A>) -> Result<Self, A::Error> {
///         let (mut icao, mut iata) = (None, None);
///         while let Some(key) = object.next_key()? {
///             match &*key {
///                 "icao" => object.value(&mut icao, "icao")?,
///                 "iata" => object.value(&mut iata, "iata")?,
///                 _ => object.keep(key)?,
///             }
///         }
///         Ok(Self {
///             icao: object.required(icao, "icao")?,
///             iata: iata.unwrap_or_default(),
///             extra: object.into_extra(),
///         })
///     }
/// }
///
/// impl<'de> serde::Deserialize<'de> for Airport {
///     fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
///         api_core::from_object(deserializer)
///     }
/// }
///
/// let airport: Airport = serde_json::from_str(r#"{"icao":"LOWW","elevation":600,"faa":null}"#)?;
/// assert_eq!((airport.icao.as_str(), airport.iata), ("LOWW", None));
/// assert_eq!(serde_json::Value::Object(airport.extra), serde_json::json!({"elevation":600,"faa":null}));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait FromObject<'de>: Sized {
    /// What the value is, for a type error: `struct Name`, as serde's derive says it.
    const EXPECTING: &'static str;

    /// Reads every entry of `object`, then builds the value.
    fn from_object<A: MapAccess<'de>>(object: Object<'de, A>) -> Result<Self, A::Error>;
}

/// Reads a [`FromObject`] model: a JSON object (an array is a type error, as it was with
/// `flatten`).
#[inline]
pub fn from_object<'de, T: FromObject<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: FromObject<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(T::EXPECTING)
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_object(Object {
            map,
            extra: Map::new(),
            marker: PhantomData,
        })
    }
}

/// The entries of one JSON object, for [`FromObject::from_object`].
pub struct Object<'de, A> {
    map: A,
    extra: Map<String, Value>,
    marker: PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>> Object<'de, A> {
    /// The next key (borrowed from the input when it holds no escape), or `None` at the end.
    #[inline]
    pub fn next_key(&mut self) -> Result<Option<Cow<'de, str>>, A::Error> {
        self.map.next_key_seed(Key)
    }

    /// Reads the value of the known field `name` into `slot`; a field given twice is an
    /// error (`duplicate field`), as in derived code.
    #[inline]
    pub fn value<T: Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(A::Error::duplicate_field(name));
        }
        *slot = Some(self.map.next_value()?);
        Ok(())
    }

    /// [`Object::value`] through `R` (a field's `deserialize_with` function).
    #[inline]
    pub fn value_with<R: ReadWith<'de>>(
        &mut self,
        slot: &mut Option<R::Value>,
        name: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(A::Error::duplicate_field(name));
        }
        *slot = Some(self.map.next_value_seed(With::<R>(PhantomData))?);
        Ok(())
    }

    /// Keeps the value of an unknown field in `extra`, as received; a name given twice keeps
    /// its last value.
    #[inline(never)]
    pub fn keep(&mut self, key: Cow<'de, str>) -> Result<(), A::Error> {
        let value: Value = self.map.next_value()?;
        self.extra.insert(key.into_owned(), value);
        Ok(())
    }

    /// The value of a required field, or serde's `missing field` error.
    #[inline]
    pub fn required<T>(&self, slot: Option<T>, name: &'static str) -> Result<T, A::Error> {
        slot.ok_or_else(|| A::Error::missing_field(name))
    }

    /// The unknown fields, once every entry is read.
    #[inline]
    pub fn into_extra(self) -> Map<String, Value> {
        self.extra
    }
}

/// A key that cannot be borrowed (it holds an escape): rare. Out of line, so that serde_json's
/// key reader stays small enough to be inlined into each model's loop (measured: 4% of the
/// instructions decoding a page of FL3XX flights).
#[cold]
#[inline(never)]
fn owned(name: &str) -> String {
    name.to_owned()
}

/// A field's `deserialize_with` function as a type, for [`Object::value_with`].
pub trait ReadWith<'de> {
    /// What the function reads.
    type Value;

    /// Calls the function.
    fn read<D: Deserializer<'de>>(deserializer: D) -> Result<Self::Value, D::Error>;
}

struct With<R>(PhantomData<fn() -> R>);

impl<'de, R: ReadWith<'de>> DeserializeSeed<'de> for With<R> {
    type Value = R::Value;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<R::Value, D::Error> {
        R::read(deserializer)
    }
}

/// An object's key, borrowed from the input when it can be.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("field identifier")
    }

    #[inline]
    fn visit_borrowed_str<E: serde::de::Error>(self, name: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(name))
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(owned(name)))
    }

    fn visit_string<E: serde::de::Error>(self, name: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(name))
    }
}

/// Where a provider's list answers keep their items when they come in an object: the keys,
/// any of which may hold the array.
///
/// A provider names its keys once, in a type, so that each list answer's type says how it
/// decodes: `fl3xx::List<T>` is `List<T, fl3xx::DataKey>`.
pub trait ListKeys {
    /// The keys that may hold the items.
    const KEYS: &'static [&'static str];
}

/// The items of a list answer whose envelope a provider documents loosely: a bare array, or
/// an object with the array under one of `K`'s [keys](ListKeys::KEYS) (an object with none of
/// them is an empty list). Every other top-level field (totals, page numbers) is kept in
/// `extra`, as received.
///
/// A visitor rather than an untagged enum, so that a bad item keeps its error message.
///
/// ```
/// use api_core::{List, ListKeys};
///
/// struct Data;
/// impl ListKeys for Data {
///     const KEYS: &'static [&'static str] = &["data", "items"];
/// }
///
/// let page: List<u8, Data> = serde_json::from_str(r#"{"items": [1, 2], "total": 2}"#)?;
/// assert_eq!((&page[..], page.extra["total"].clone()), (&[1, 2][..], 2.into()));
/// let bare: List<u8, Data> = serde_json::from_str("[3]")?;
/// assert_eq!(bare.into_vec(), [3]);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub struct List<T, K> {
    /// The items.
    pub items: Vec<T>,
    /// The envelope's other top-level fields (empty for a bare array).
    pub extra: Map<String, Value>,
    keys: PhantomData<fn() -> K>,
}

impl<T, K> List<T, K> {
    /// A list of `items` with no other fields (a test's answer, a page put together by hand).
    pub fn new(items: Vec<T>) -> Self {
        Self::with_extra(items, Map::new())
    }

    /// A list of `items` with the envelope's other fields.
    pub fn with_extra(items: Vec<T>, extra: Map<String, Value>) -> Self {
        Self {
            items,
            extra,
            keys: PhantomData,
        }
    }

    /// The items.
    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

// Not derived: the derives would ask the same of `K`, a marker.
impl<T: fmt::Debug, K> fmt::Debug for List<T, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("items", &self.items)
            .field("extra", &self.extra)
            .finish()
    }
}

impl<T: Clone, K> Clone for List<T, K> {
    fn clone(&self) -> Self {
        Self::with_extra(self.items.clone(), self.extra.clone())
    }
}

impl<T: PartialEq, K> PartialEq for List<T, K> {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items && self.extra == other.extra
    }
}

impl<T, K> Default for List<T, K> {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl<T, K> Deref for List<T, K> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T, K> IntoIterator for List<T, K> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T, K> IntoIterator for &'a List<T, K> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// As the provider writes it: the items under the first of `K`'s keys, then the other fields
/// (a bare array when `K` has no key), so that what is written decodes to the same list.
impl<T: serde::Serialize, K: ListKeys> serde::Serialize for List<T, K> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let Some(key) = K::KEYS.first() else {
            return self.items.serialize(serializer);
        };
        let mut map = serializer.serialize_map(Some(self.extra.len().saturating_add(1)))?;
        map.serialize_entry(key, &self.items)?;
        for (name, value) in &self.extra {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>, K: ListKeys> Deserialize<'de> for List<T, K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

struct ListVisitor<T, K>(PhantomData<fn() -> (T, K)>);

impl<'de, T: Deserialize<'de>, K: ListKeys> Visitor<'de> for ListVisitor<T, K> {
    type Value = List<T, K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list: an array, or an object with the array under ")?;
        for (i, key) in K::KEYS.iter().enumerate() {
            if i > 0 {
                f.write_str(" or ")?;
            }
            write!(f, "`{key}`")?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The hint is the server's: bounded, so that it cannot reserve more than a page holds.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(List::new(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        let mut extra = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if K::KEYS.contains(&key.as_str()) {
                items = map.next_value()?;
            } else {
                extra.insert(key, map.next_value()?);
            }
        }
        Ok(List::with_extra(items, extra))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_body;
    use crate::error::Error;
    use reqwest::StatusCode;
    use serde::Deserialize;
    use serde_json::json;

    /// A model as the codegen writes it.
    #[derive(Debug, Clone, PartialEq)]
    struct Kept {
        id: u64,
        name: Option<String>,
        count: Option<u64>,
        nested: Option<Box<Kept>>,
        extra: Map<String, Value>,
    }

    /// `lenient::option_u64` as the codegen passes it to `value_with`.
    enum OptionU64 {}

    impl<'de> ReadWith<'de> for OptionU64 {
        type Value = Option<u64>;

        fn read<D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
            crate::lenient::option_u64(deserializer)
        }
    }

    impl<'de> FromObject<'de> for Kept {
        const EXPECTING: &'static str = "struct Kept";

        fn from_object<A: MapAccess<'de>>(mut object: Object<'de, A>) -> Result<Self, A::Error> {
            let (mut id, mut name, mut count, mut nested) = (None, None, None, None);
            while let Some(key) = object.next_key()? {
                match &*key {
                    "theId" => object.value(&mut id, "theId")?,
                    "name" | "title" => object.value(&mut name, "name")?,
                    "count" => object.value_with::<OptionU64>(&mut count, "count")?,
                    "nested" => object.value(&mut nested, "nested")?,
                    _ => object.keep(key)?,
                }
            }
            Ok(Self {
                id: object.required(id, "theId")?,
                name: name.unwrap_or_default(),
                count: count.unwrap_or_default(),
                nested: nested.unwrap_or_default(),
                extra: object.into_extra(),
            })
        }
    }

    impl<'de> Deserialize<'de> for Kept {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            from_object(deserializer)
        }
    }

    /// The same model with `#[serde(flatten)]`, as models were decoded before.
    #[derive(Debug, Deserialize)]
    struct Flattened {
        #[serde(rename = "theId")]
        id: u64,
        #[serde(alias = "title", default)]
        name: Option<String>,
        #[serde(default, deserialize_with = "crate::lenient::option_u64")]
        count: Option<u64>,
        #[serde(default)]
        nested: Option<Box<Flattened>>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    }

    impl From<Flattened> for Kept {
        fn from(f: Flattened) -> Self {
            Self {
                id: f.id,
                name: f.name,
                count: f.count,
                nested: f.nested.map(|n| Box::new(Kept::from(*n))),
                extra: f.extra,
            }
        }
    }

    fn kept(body: &str) -> Result<Kept, String> {
        serde_json::from_str(body).map_err(|e| e.to_string())
    }

    /// The path and message `Transport` reports for a body that fails.
    fn failure<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> (String, String) {
        match decode_body::<T>("p", "op", StatusCode::OK, body.as_bytes(), false) {
            Err(Error::Decode(e)) => (e.path, e.message),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn known_fields_decode_and_unknown_ones_are_kept_as_received() {
        let body = r#"{"theId":7,"count":"12","big":18446744073709551615,"neg":-3,"real":0.5,
            "object":{"a":[1,{"b":null}]},"none":null,"text":"x","flag":true}"#;
        let model = kept(body).expect("decodes");
        assert_eq!(
            (model.id, model.name, model.count, model.nested),
            (7, None, Some(12), None)
        );
        assert_eq!(
            Value::Object(model.extra),
            json!({"big": 18446744073709551615u64, "neg": -3, "real": 0.5,
                   "object": {"a": [1, {"b": null}]}, "none": null, "text": "x", "flag": true})
        );
    }

    #[test]
    fn aliases_defaults_and_nested_models() {
        let model =
            kept(r#"{"title":"t","theId":1,"nested":{"theId":2,"x":[]},"y":{}}"#).expect("decodes");
        assert_eq!(model.name.as_deref(), Some("t"));
        assert_eq!(model.count, None);
        let nested = model.nested.expect("nested");
        assert_eq!(
            (nested.id, Value::Object(nested.extra)),
            (2, json!({"x": []}))
        );
        assert_eq!(Value::Object(model.extra), json!({"y": {}}));
    }

    #[test]
    fn a_key_is_matched_after_unescaping_and_the_last_of_two_unknown_values_wins() {
        let model = kept(r#"{"the\u0049d":3,"u":1,"\u0075":2}"#).expect("decodes");
        assert_eq!((model.id, Value::Object(model.extra)), (3, json!({"u": 2})));
        // `extra` is not a field name on the wire: an `extra` key is one more unknown field.
        let model = kept(r#"{"theId":3,"extra":{"a":1}}"#).expect("decodes");
        assert_eq!(Value::Object(model.extra), json!({"extra": {"a": 1}}));
    }

    #[test]
    fn decodes_from_a_value_too() {
        let value = json!({"theId": 4, "name": null, "k": null});
        let model = Kept::deserialize(value).expect("decodes");
        assert_eq!(
            (model.id, model.name, Value::Object(model.extra)),
            (4, None, json!({"k": null}))
        );
    }

    #[test]
    fn decodes_and_fails_exactly_as_flatten_did() {
        for body in [
            r#"{"theId":1}"#,
            r#"{"theId":1,"title":"a","z":{"q":[null]},"count":null}"#,
            r#"{"theId":1,"u":1,"u":2}"#,
            r#"{"theId":1,"nested":{"theId":2,"w":0.25}}"#,
            r#"{"name":"no id"}"#,
            r#"{"theId":1,"theId":2}"#,
            r#"{"theId":1,"name":"a","title":"b"}"#,
            r#"{"theId":"1"}"#,
            r#"{"theId":1,"count":"x"}"#,
            r#"{"theId":1,"nested":{"theId":-2}}"#,
            r#"[1,"a",null,null]"#,
            r#"{"theId":1,"u":}"#,
            "null",
        ] {
            let flattened = serde_json::from_str::<Flattened>(body)
                .map(Kept::from)
                .map_err(|e| e.to_string().replace("Flattened", "Kept"));
            assert_eq!(kept(body), flattened, "{body}");
        }
    }

    #[test]
    fn a_failing_field_is_named_by_its_path() {
        let body =
            r#"{"items":[{"theId":1},{"theId":2,"u":{"deep":[1,2]},"nested":{"theId":"x"}}]}"#;
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Page {
            items: Vec<Kept>,
        }
        let (path, message) = failure::<Page>(body);
        assert_eq!(path, "items[1].nested.theId");
        assert!(
            message.starts_with("invalid type: string \"x\", expected u64"),
            "{message}"
        );
        let (path, message) = failure::<Kept>(r#"{"theId":1,"count":"-1"}"#);
        assert_eq!(path, "count");
        assert!(message.contains("expected a whole number"), "{message}");
        let (path, message) = failure::<Kept>(r#"{"u":1}"#);
        assert_eq!(
            (path.as_str(), message.as_str()),
            (".", "missing field `theId` at line 1 column 7")
        );
    }

    struct Data;
    impl ListKeys for Data {
        const KEYS: &'static [&'static str] = &["data", "results"];
    }

    fn list(json: &str) -> serde_json::Result<List<u8, Data>> {
        serde_json::from_str(json)
    }

    #[test]
    fn a_list_bare_wrapped_and_empty() {
        let l = list(r#"{"results":[1,2],"total":2}"#).expect("wrapped");
        assert_eq!((&l[..], l.extra["total"].clone()), (&[1, 2][..], 2.into()));
        let l = list(r#"{"data":[3]}"#).expect("the other key");
        assert_eq!((l.items, l.extra.is_empty()), (vec![3], true));
        let l = list("[4]").expect("bare");
        assert_eq!(l, List::new(vec![4]));
        let l = list(r#"{"items":[5]}"#).expect("an unknown key is extra");
        assert_eq!((l.items.is_empty(), l.extra.len()), (true, 1));
        let l = list("{}").expect("empty");
        assert_eq!(l, List::default());
    }

    #[test]
    fn a_list_writes_what_it_reads() {
        let l = list(r#"{"results":[1,2],"total":2}"#).expect("wrapped");
        let written = serde_json::to_string(&l).expect("written");
        assert_eq!(written, r#"{"data":[1,2],"total":2}"#);
        assert_eq!(list(&written).expect("read back"), l);

        struct Bare;
        impl ListKeys for Bare {
            const KEYS: &'static [&'static str] = &[];
        }
        let bare: List<u8, Bare> = serde_json::from_str("[7]").expect("bare");
        assert_eq!(serde_json::to_string(&bare).expect("written"), "[7]");
    }

    #[test]
    fn a_bad_item_or_scalar_is_not_a_list() {
        let error = list(r#"{"data":[1,"x"]}"#).expect_err("a bad item");
        assert!(error.to_string().contains("expected u8"), "{error}");
        let error = list("7").expect_err("a number");
        assert!(error.to_string().contains("`data` or `results`"), "{error}");
    }
}
