//! The governance event: one ledger entry before it is encoded.
//!
//! Contract (`shared/spec/ledger.md`, Entries): a JSON object with `type` (dotted
//! string, e.g. `asset.registered`), `time` (RFC 3339 UTC ending in `Z`), `actor`
//! (string) and `data` (object). We add one optional field, `tenant`. The leaf bytes
//! are the RFC 8785 encoding of that object ([`Event::leaf_bytes`]).
//!
//! Validation is strict and names the field: an unknown member is refused rather than
//! dropped, because a typo'd field that vanished would be a lost record.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Longest accepted `type`, `actor` or `tenant`, in bytes.
pub const MAX_NAME_LEN: usize = 256;

/// Members an entry may carry; anything else is refused.
pub const ALLOWED_FIELDS: [&str; 5] = ["type", "time", "actor", "data", "tenant"];

/// A governance event, as stored in the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: String,
    pub time: String,
    pub actor: String,
    pub data: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tenant: Option<String>,
}

/// Why an event was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("field `{field}`: {problem}")]
pub struct EventError {
    pub field: String,
    pub problem: String,
}

fn bad(field: &str, problem: impl Into<String>) -> EventError {
    EventError {
        field: field.to_owned(),
        problem: problem.into(),
    }
}

/// What fills `time` and `actor` when an input line leaves them out.
#[derive(Debug, Clone)]
pub struct EventDefaults {
    pub actor: String,
    pub time: String,
}

impl EventDefaults {
    /// Defaults with the current UTC time.
    pub fn now(actor: impl Into<String>) -> Self {
        EventDefaults {
            actor: actor.into(),
            time: now_rfc3339(),
        }
    }
}

/// The current time as RFC 3339 UTC with a `Z` suffix, microsecond precision.
pub fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let micros = now.microsecond();
    let now = now.replace_nanosecond(micros * 1000).unwrap_or(now);
    now.format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

impl Event {
    /// Builds and validates an event.
    pub fn new(
        kind: impl Into<String>,
        actor: impl Into<String>,
        time: impl Into<String>,
        data: Map<String, Value>,
    ) -> Result<Event, EventError> {
        let event = Event {
            kind: kind.into(),
            time: time.into(),
            actor: actor.into(),
            data,
            tenant: None,
        };
        event.validate()?;
        Ok(event)
    }

    /// Reads an event from a parsed JSON object such as one JSONL line, filling a
    /// missing `time` or `actor` from `defaults`.
    pub fn from_value(value: Value, defaults: &EventDefaults) -> Result<Event, EventError> {
        let Value::Object(mut obj) = value else {
            return Err(bad("(line)", "expected a JSON object"));
        };
        if let Some(unknown) = obj.keys().find(|k| !ALLOWED_FIELDS.contains(&k.as_str())) {
            return Err(bad(
                unknown,
                format!("unknown field (allowed: {})", ALLOWED_FIELDS.join(", ")),
            ));
        }
        let kind = take_string(&mut obj, "type")?.ok_or_else(|| bad("type", "missing"))?;
        let time = take_string(&mut obj, "time")?.unwrap_or_else(|| defaults.time.clone());
        let actor = take_string(&mut obj, "actor")?.unwrap_or_else(|| defaults.actor.clone());
        let tenant = take_string(&mut obj, "tenant")?;
        let data = match obj.remove("data") {
            Some(Value::Object(m)) => m,
            Some(other) => {
                return Err(bad(
                    "data",
                    format!("must be a JSON object, got {}", json_kind(&other)),
                ));
            }
            None => return Err(bad("data", "missing")),
        };
        let event = Event {
            kind,
            time,
            actor,
            data,
            tenant,
        };
        event.validate()?;
        Ok(event)
    }

    /// Checks every field against the contract.
    pub fn validate(&self) -> Result<(), EventError> {
        validate_type(&self.kind)?;
        validate_time(&self.time)?;
        validate_name("actor", &self.actor)?;
        if let Some(t) = &self.tenant {
            validate_name("tenant", t)?;
        }
        Ok(())
    }

    /// The leaf bytes: RFC 8785 canonical JSON of the entry.
    pub fn leaf_bytes(&self) -> Vec<u8> {
        // Serializing a struct of strings and a serde_json map cannot fail.
        crate::canonical::to_canonical_vec(self).expect("event serializes")
    }

    /// Reads back stored leaf bytes.
    pub fn from_leaf_bytes(bytes: &[u8]) -> Result<Event, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

fn take_string(obj: &mut Map<String, Value>, field: &str) -> Result<Option<String>, EventError> {
    match obj.remove(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(bad(
            field,
            format!("must be a string, got {}", json_kind(&other)),
        )),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `type`: two or more dot-separated segments of `[a-z0-9_-]`, each starting with a
/// letter, e.g. `generation.completed`.
pub fn validate_type(kind: &str) -> Result<(), EventError> {
    if kind.is_empty() {
        return Err(bad("type", "must not be empty"));
    }
    if kind.len() > MAX_NAME_LEN {
        return Err(bad("type", format!("longer than {MAX_NAME_LEN} bytes")));
    }
    let segments: Vec<&str> = kind.split('.').collect();
    let well_formed = segments.len() >= 2
        && segments.iter().all(|s| {
            s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        });
    if !well_formed {
        return Err(bad(
            "type",
            format!(
                "{kind:?} is not a dotted lowercase name like \"asset.registered\" \
                 (segments of a-z, 0-9, _ or -, each starting with a letter)"
            ),
        ));
    }
    Ok(())
}

/// `time`: RFC 3339 in UTC, written with `Z`.
pub fn validate_time(time: &str) -> Result<(), EventError> {
    if !time.ends_with('Z') {
        return Err(bad(
            "time",
            format!("{time:?} must be RFC 3339 UTC ending in Z, e.g. 2026-11-23T09:30:00Z"),
        ));
    }
    OffsetDateTime::parse(time, &Rfc3339)
        .map(|_| ())
        .map_err(|e| bad("time", format!("{time:?} is not RFC 3339: {e}")))
}

fn validate_name(field: &str, value: &str) -> Result<(), EventError> {
    if value.trim().is_empty() {
        return Err(bad(field, "must not be empty"));
    }
    if value.len() > MAX_NAME_LEN {
        return Err(bad(field, format!("longer than {MAX_NAME_LEN} bytes")));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(field, "must not contain control characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defaults() -> EventDefaults {
        EventDefaults {
            actor: "cli:test".into(),
            time: "2026-11-23T10:00:00Z".into(),
        }
    }

    #[test]
    fn fills_defaults_and_encodes_canonically() {
        let e = Event::from_value(
            json!({"type": "asset.registered", "data": {"b": 2, "a": 1}}),
            &defaults(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(e.leaf_bytes()).unwrap(),
            r#"{"actor":"cli:test","data":{"a":1,"b":2},"time":"2026-11-23T10:00:00Z","type":"asset.registered"}"#
        );
        assert_eq!(Event::from_leaf_bytes(&e.leaf_bytes()).unwrap(), e);
    }

    #[test]
    fn refusals_name_the_field() {
        let cases = [
            (json!({"data": {}}), "type"),
            (json!({"type": "x.y", "data": [1]}), "data"),
            (json!({"type": "x.y"}), "data"),
            (
                json!({"type": "x.y", "data": {}, "time": "2026-11-23T10:00:00+01:00"}),
                "time",
            ),
            (
                json!({"type": "x.y", "data": {}, "time": "yesterday"}),
                "time",
            ),
            (json!({"type": "Asset", "data": {}}), "type"),
            (json!({"type": 7, "data": {}}), "type"),
            (json!({"type": "x.y", "data": {}, "actor": ""}), "actor"),
            (json!({"type": "x.y", "data": {}, "dta": {}}), "dta"),
        ];
        for (input, field) in cases {
            let err = Event::from_value(input.clone(), &defaults()).unwrap_err();
            assert_eq!(err.field, field, "{input}: {err}");
        }
    }

    #[test]
    fn now_is_valid() {
        validate_time(&now_rfc3339()).unwrap();
    }
}
