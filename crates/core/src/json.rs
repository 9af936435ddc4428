//! Strict JSON reading: like `serde_json::from_str::<Value>`, but an object that names
//! the same member twice is an error instead of silently keeping the last one.
//!
//! RFC 8785 §3.1 requires I-JSON input (RFC 7493), which forbids duplicate names; a
//! canonicalizer fed a duplicate would otherwise drop one of the values without a word.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// Parses one JSON text, refusing duplicate object member names.
pub fn from_str_strict(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = de.deserialize_any(StrictValue)?;
    de.end()?;
    Ok(value)
}

struct StrictValue;

/// The largest integer every JSON reader holds exactly (2^53 - 1, RFC 7493 §2.2):
/// canonical JSON (RFC 8785) writes numbers as IEEE doubles, so a larger integer
/// would be recorded as a different number than the one sent.
pub const MAX_EXACT: u64 = (1 << 53) - 1;

fn inexact(v: impl fmt::Display) -> String {
    format!(
        "number {v} is outside the exact integer range ±{MAX_EXACT} (RFC 7493): send it as a string"
    )
}

impl<'de> de::DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        if v.unsigned_abs() > MAX_EXACT {
            return Err(E::custom(inexact(v)));
        }
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        if v > MAX_EXACT {
            return Err(E::custom(inexact(v)));
        }
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        if v.fract() == 0.0 && v.abs() > MAX_EXACT as f64 {
            return Err(E::custom(inexact(v)));
        }
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(StrictValue)?;
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate object member {key:?}"
                )));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_serde_json_accepts() {
        let text = r#"{"a":[1,2.5,-3,null,true,"x"],"b":{"c":{}}}"#;
        assert_eq!(
            from_str_strict(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn refuses_duplicate_members_at_any_depth() {
        let err = from_str_strict(r#"{"a":{"b":1,"b":2}}"#).unwrap_err();
        assert!(
            err.to_string().contains("duplicate object member \"b\""),
            "{err}"
        );
    }

    #[test]
    fn refuses_integers_beyond_the_exact_range() {
        for text in [
            "18446744073709551616",
            "9007199254740993",
            "-9007199254740993",
            "1e300",
        ] {
            let err = from_str_strict(text).unwrap_err();
            assert!(
                err.to_string().contains("exact integer range"),
                "{text}: {err}"
            );
        }
        assert!(from_str_strict("9007199254740991").is_ok());
        assert!(from_str_strict("0.5").is_ok());
        assert!(from_str_strict("1.5e10").is_ok());
    }

    #[test]
    fn refuses_trailing_garbage() {
        assert!(from_str_strict(r#"{"a":1} x"#).is_err());
    }
}
