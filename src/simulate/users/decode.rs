//! Decoding a user's JSON or YAML into a record, translating Graph's property names.

use super::record::{Pool, UserRecord, name_hash, provisioning_name};
use crate::eval::Value;
use crate::eval::value::{bool_text, is_boolean_attribute, parse_bool};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

// ------------------------------------------------------------------------------------ serde

/// A map key, borrowed from the input when it has no escapes.
pub(super) struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An attribute value as read: null, a value, or an object (flattened or kept as JSON text by
/// the record, depending on the property).
pub(super) enum Raw {
    Null,
    Value(Value),
    Object(serde_json::Map<String, serde_json::Value>),
}

/// Reads one attribute value; the name decides whether text is a boolean.
pub(super) struct RawSeed<'a, 'p> {
    pub(super) name: &'a str,
    pub(super) pool: &'p mut Pool,
}

impl<'de> DeserializeSeed<'de> for RawSeed<'_, '_> {
    type Value = Raw;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RawSeed<'_, '_> {
    type Value = Raw;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attribute value")
    }
    #[inline]
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Bool(b)))
    }
    #[inline]
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Int(n)))
    }
    #[inline]
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Raw, E> {
        Ok(Raw::Value(match i64::try_from(n) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(n.to_string()),
        }))
    }
    #[inline]
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Raw, E> {
        Ok(Raw::Value(Value::Str(n.to_string())))
    }
    #[inline]
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Raw, E> {
        if is_boolean_attribute(self.name)
            && let Ok(b) = parse_bool(s)
        {
            return Ok(Raw::Value(Value::Bool(b)));
        }
        Ok(Raw::Value(Value::Str(self.pool.string(s))))
    }
    #[inline]
    fn visit_string<E: de::Error>(self, s: String) -> Result<Raw, E> {
        if is_boolean_attribute(self.name)
            && let Ok(b) = parse_bool(&s)
        {
            return Ok(Raw::Value(Value::Bool(b)));
        }
        Ok(Raw::Value(Value::Str(s)))
    }
    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(self)
    }
    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(item) = seq.next_element_seed(ElemSeed(&mut *self.pool))? {
            if let Some(text) = item {
                values.push(text);
            }
        }
        Ok(Raw::Value(Value::Multi(values)))
    }
    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Raw, A::Error> {
        let object = serde_json::Map::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Raw::Object(object))
    }
}

/// One element of a multi-valued attribute as text (`None` for null, skipped).
pub(super) struct ElemSeed<'p>(&'p mut Pool);

impl<'de> DeserializeSeed<'de> for ElemSeed<'_> {
    type Value = Option<String>;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ElemSeed<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text, number, boolean or object in a list")
    }
    #[inline]
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Option<String>, E> {
        Ok(Some(bool_text(b).to_string()))
    }
    #[inline]
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Option<String>, E> {
        Ok(Some(n.to_string()))
    }
    #[inline]
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Option<String>, E> {
        Ok(Some(n.to_string()))
    }
    #[inline]
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Option<String>, E> {
        Ok(Some(n.to_string()))
    }
    #[inline]
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<String>, E> {
        Ok(Some(self.0.string(s)))
    }
    #[inline]
    fn visit_string<E: de::Error>(self, s: String) -> Result<Option<String>, E> {
        Ok(Some(s))
    }
    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<String>, A::Error> {
        let v = serde_json::Map::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(serde_json::Value::Object(v).to_string()))
    }
    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Option<String>, A::Error> {
        Err(de::Error::custom("a list may not contain lists"))
    }
}

pub(super) fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(bool_text(*b).to_string()),
        other => Some(other.to_string()),
    }
}

impl<'de> Deserialize<'de> for UserRecord {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RecordSeed(&mut Pool::default()).deserialize(d)
    }
}

/// Reads one user, taking its memory from a pool.
pub struct RecordSeed<'p>(pub &'p mut Pool);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = UserRecord;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<UserRecord, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = UserRecord;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a user object")
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UserRecord, A::Error> {
        let pool = self.0;
        let (names, attrs) = pool.attrs();
        let mut rec = UserRecord {
            names,
            attrs,
            ..UserRecord::default()
        };
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let key: &str = &key;
            if key.starts_with('@') {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match key {
                "value" => {
                    let v: serde_json::Value = map.next_value()?;
                    match v {
                        serde_json::Value::Array(items) => {
                            rec.page = Some(Box::new(
                                items
                                    .iter()
                                    .map(|u| UserRecord::deserialize(u).map_err(|e| e.to_string()))
                                    .collect(),
                            ));
                        }
                        other => {
                            if let Ok(v) = Value::from_json("value", &other) {
                                rec.set("value", v);
                            }
                        }
                    }
                    continue;
                }
                "deletedDateTime" => {
                    let raw = map.next_value_seed(RawSeed {
                        name: key,
                        pool: &mut *pool,
                    })?;
                    rec.deleted |= !matches!(raw, Raw::Null);
                    continue;
                }
                "IsSoftDeleted" | "isSoftDeleted" => {
                    if let Raw::Value(v) = map.next_value_seed(RawSeed {
                        name: "IsSoftDeleted",
                        pool: &mut *pool,
                    })? {
                        rec.deleted |= matches!(v.to_bool(), Ok(Some(true)));
                    }
                    continue;
                }
                "assigned" => {
                    if let Raw::Value(v) = map.next_value_seed(RawSeed {
                        name: "IsSoftDeleted",
                        pool: &mut *pool,
                    })? {
                        rec.assigned = v.to_bool().ok().flatten();
                    }
                    continue;
                }
                _ => {}
            }
            let name = provisioning_name(key);
            let hash = name_hash(name);
            if !pool.wants(hash)
                && !matches!(key, "onPremisesExtensionAttributes" | "employeeOrgData")
            {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let raw = map.next_value_seed(RawSeed {
                name,
                pool: &mut *pool,
            })?;
            match raw {
                Raw::Null => {}
                Raw::Value(v) => {
                    let v = match (key, v) {
                        ("businessPhones", Value::Multi(mut phones)) => {
                            if phones.is_empty() {
                                continue;
                            }
                            Value::Str(phones.swap_remove(0))
                        }
                        (_, v) => v,
                    };
                    if name == "accountEnabled" {
                        rec.account_enabled = v.to_bool().ok().flatten();
                    }
                    rec.push(name, hash, v);
                }
                Raw::Object(object) => match key {
                    "onPremisesExtensionAttributes" => {
                        for (k, v) in &object {
                            if let Some(text) = json_text(v) {
                                rec.set(k, Value::Str(text));
                            }
                        }
                    }
                    "employeeOrgData" => {
                        for (k, v) in &object {
                            if let Some(text) = json_text(v) {
                                rec.set(&format!("employeeOrgData.{k}"), Value::Str(text));
                            }
                        }
                    }
                    "manager" => {
                        if let Some(id) = object.get("id").and_then(json_text) {
                            rec.set("manager", Value::Str(id));
                        }
                    }
                    _ => {
                        let text = serde_json::Value::Object(object).to_string();
                        rec.set(name, Value::Str(text));
                    }
                },
            }
        }
        Ok(rec)
    }
}
