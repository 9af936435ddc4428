//! How one ledger entry looks to a SIEM: an RFC 5424 syslog message (its MSG the
//! entry's own canonical JSON, so the receiver can hash it back to the leaf), a CEF
//! record inside a syslog message, or an OCSF 1.x event.
//!
//! OCSF mapping (documented in docs/SERVER.md):
//! - `access.denied`, `access.*` -> API Activity (6003), status Failure for denials;
//! - `token.created` / `token.revoked` -> Entity Management (3004), Create / Delete;
//! - `scan.*` -> Scan Activity (6007; `scan.completed` is activity 2, Completed);
//! - anything else -> API Activity (6003), activity Other (99), the event type as the
//!   API operation.
//!
//! The whole entry travels in `unmapped.synthgov` in every case, so nothing is lost.

use serde_json::{Value, json};

/// The syslog severity of an event, from the event catalogue: denials, the kill
/// switch, incidents and tampering are what a SOC wants to see first. Events reported
/// from outside are notices.
pub fn severity(kind: &str, data: &Value) -> u8 {
    synthgov_registry::EventType::from_name(kind).map_or(5, |t| t.severity(data).syslog())
}

/// Facility 13, "log audit" (RFC 5424 table 1).
const FACILITY: u8 = 13;

/// The SD-ID of our structured data: the private enterprise number RFC 5612 reserves
/// for documentation, until synthgov has its own.
const SD_ID: &str = "synthgov@32473";

/// RFC 5424 message, without transport framing.
pub fn rfc5424(hostname: &str, index: u64, leaf: &[u8], ev: &Value) -> Vec<u8> {
    let kind = ev["type"].as_str().unwrap_or("event");
    let pri = FACILITY * 8 + severity(kind, &ev["data"]);
    let time = ev["time"].as_str().filter(|t| !t.is_empty()).unwrap_or("-");
    let mut msg = format!(
        "<{pri}>1 {time} {host} synthgov {pid} {msgid} [{SD_ID} index=\"{index}\" type=\"{ty}\" actor=\"{actor}\"",
        host = header_field(hostname, 255),
        pid = std::process::id(),
        msgid = header_field(kind, 32),
        ty = sd_value(kind),
        actor = sd_value(ev["actor"].as_str().unwrap_or("")),
    );
    if let Some(t) = ev["tenant"].as_str() {
        msg.push_str(&format!(" tenant=\"{}\"", sd_value(t)));
    }
    msg.push_str("] \u{feff}");
    let mut out = msg.into_bytes();
    out.extend_from_slice(leaf);
    out
}

/// The ArcSight CEF dictionary's limits for the keys we fill.
const CEF_CS_MAX: usize = 4000;
const CEF_SUSER_MAX: usize = 1023;

/// `s` cut to `max` characters; a cut value ends with a marker saying how much is
/// left out (the whole entry stays in the ledger at `index`).
fn cef_cut(s: &str, max: usize, index: u64) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_owned();
    }
    let marker = format!("…[cut {} of {n} characters; entry {index}]", n - max);
    let keep = max.saturating_sub(marker.chars().count());
    s.chars().take(keep).collect::<String>() + &marker
}

/// Entry time as epoch milliseconds, one of the two `rt` forms CEF allows.
fn epoch_ms(ev: &Value) -> Option<i64> {
    let t = ev["time"].as_str()?;
    let t = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// CEF:0 inside an RFC 5424 message (ArcSight's format, read by most SIEMs).
pub fn cef(hostname: &str, index: u64, ev: &Value) -> Vec<u8> {
    let kind = ev["type"].as_str().unwrap_or("event");
    let sev = match severity(kind, &ev["data"]) {
        0..=2 => 10,
        3 | 4 => 7,
        _ => 3,
    };
    let mut ext = format!(
        "externalId={index} suser={}",
        cef_ext(&cef_cut(
            ev["actor"].as_str().unwrap_or(""),
            CEF_SUSER_MAX,
            index
        )),
    );
    if let Some(ms) = epoch_ms(ev) {
        ext.push_str(&format!(" rt={ms}"));
    }
    ext.push_str(&format!(
        " cs1Label=data cs1={}",
        cef_ext(&cef_cut(&ev["data"].to_string(), CEF_CS_MAX, index))
    ));
    if let Some(t) = ev["tenant"].as_str() {
        ext.push_str(&format!(
            " cs2Label=tenant cs2={}",
            cef_ext(&cef_cut(t, CEF_CS_MAX, index))
        ));
    }
    let body = format!(
        "CEF:0|synthgov|synthgov|{}|{}|{}|{sev}|{ext}",
        env!("CARGO_PKG_VERSION"),
        cef_header(kind),
        cef_header(kind),
    );
    let pri = FACILITY * 8 + severity(kind, &ev["data"]);
    let time = ev["time"].as_str().filter(|t| !t.is_empty()).unwrap_or("-");
    format!(
        "<{pri}>1 {time} {} synthgov {} {} - {body}",
        header_field(hostname, 255),
        std::process::id(),
        header_field(kind, 32)
    )
    .into_bytes()
}

/// An RFC 5424 message standing in for an entry too large for the transport (UDP):
/// its index, type, actor and leaf hash, so the SIEM can fetch the entry
/// (`GET /v1/ledger/entries/{index}`) and check it against the hash. `cef` keeps the
/// sink's format. At most `max` octets whatever the entry holds.
pub fn oversize(
    hostname: &str,
    index: u64,
    leaf: &[u8],
    ev: &Value,
    octets: usize,
    max: usize,
    cef: bool,
) -> Vec<u8> {
    let kind = ev["type"].as_str().unwrap_or("event");
    let hash = synthgov_ledger::hash::to_hex(&synthgov_ledger::hash::leaf_hash(leaf));
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let actor = cut(ev["actor"].as_str().unwrap_or(""), 128);
    let note = format!(
        "entry {index} too large for this transport ({octets} octets, limit {max}); fetch GET /v1/ledger/entries/{index} and check leaf hash {hash}"
    );
    let pri = FACILITY * 8 + severity(kind, &ev["data"]);
    let time = ev["time"].as_str().filter(|t| !t.is_empty()).unwrap_or("-");
    let head = format!(
        "<{pri}>1 {time} {} synthgov {} {}",
        header_field(hostname, 255),
        std::process::id(),
        header_field(kind, 32)
    );
    let msg = if cef {
        format!(
            "{head} - CEF:0|synthgov|synthgov|{}|{}|{}|3|externalId={index} suser={} cs1Label=summary cs1={}",
            env!("CARGO_PKG_VERSION"),
            cef_header(&cut(kind, 200)),
            cef_header(&cut(kind, 200)),
            cef_ext(&actor),
            cef_ext(&note)
        )
    } else {
        format!(
            "{head} [{SD_ID} index=\"{index}\" type=\"{}\" actor=\"{}\" leaf_hash=\"{hash}\" octets=\"{octets}\"] {note}",
            sd_value(&cut(kind, 200)),
            sd_value(&actor)
        )
    };
    let mut out = msg.into_bytes();
    out.truncate(max);
    // Never cut inside a UTF-8 sequence.
    while std::str::from_utf8(&out).is_err() {
        out.pop();
    }
    out
}

/// OCSF 1.3 event for one entry.
pub fn ocsf(index: u64, leaf_hash: &str, ev: &Value) -> Value {
    let kind = ev["type"].as_str().unwrap_or("event");
    let time_ms = ev["time"]
        .as_str()
        .and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        })
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or(0);
    let (category_uid, class_uid, activity_id, status_id) = match kind {
        "access.denied" => (6, 6003, 99, 2),
        k if k.starts_with("access.") => (6, 6003, 99, 1),
        "token.created" => (3, 3004, 1, 1),
        "token.revoked" => (3, 3004, 4, 1),
        // Scan Activity: 1 Started, 2 Completed.
        "scan.started" => (6, 6007, 1, 1),
        "scan.completed" => (6, 6007, 2, 1),
        k if k.starts_with("scan.") => (6, 6007, 99, 1),
        _ => (6, 6003, 99, 1),
    };
    let severity_id = match severity(kind, &ev["data"]) {
        0..=2 => 5, // Critical
        3 | 4 => 3, // Medium
        _ => 1,     // Informational
    };
    let mut out = json!({
        "category_uid": category_uid,
        "class_uid": class_uid,
        "activity_id": activity_id,
        "type_uid": class_uid * 100 + activity_id,
        "severity_id": severity_id,
        "status_id": status_id,
        "time": time_ms,
        "message": kind,
        "metadata": {
            "version": "1.3.0",
            "product": {"name": "synthgov", "vendor_name": "synthgov", "version": env!("CARGO_PKG_VERSION")},
            "uid": leaf_hash,
            "sequence": index,
            "log_name": "synthgov-ledger",
        },
        "actor": {"user": {"name": ev["actor"].as_str().unwrap_or("")}},
        "unmapped": {"synthgov": {"index": index, "leaf_hash": leaf_hash, "event": ev}},
    });
    match class_uid {
        6003 => {
            out["api"] = json!({"operation": kind, "service": {"name": "synthgov"}});
            out["src_endpoint"] = json!({"svc_name": "synthgov"});
            if kind == "access.denied" {
                out["status_detail"] = ev["data"]["reason"].clone();
                out["api"]["operation"] = ev["data"]["action"].clone();
            }
        }
        3004 => {
            out["entity"] = json!({"name": ev["data"]["name"].as_str().unwrap_or(""),
                                   "uid": ev["data"]["id"].as_str().unwrap_or(""), "type": "token"});
        }
        6007 => {
            // type_id 99 (Other): synthgov's scanners are none of OCSF's listed types.
            out["scan"] = json!({"name": ev["data"]["scanner"].as_str().unwrap_or(kind),
                                 "type_id": 99, "type": "synthgov"});
        }
        _ => {}
    }
    // `actor` is a class attribute of API Activity; elsewhere it comes with the host
    // profile, which must then be declared.
    if class_uid != 6003 {
        out["metadata"]["profiles"] = json!(["host"]);
    }
    if let Some(t) = ev["tenant"].as_str() {
        out["metadata"]["tenant_uid"] = json!(t);
    }
    out
}

/// An RFC 5424 header field: printable US-ASCII without spaces, at most `max`
/// characters, `-` when empty.
fn header_field(s: &str, max: usize) -> String {
    let v: String = s
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if v.is_empty() { "-".into() } else { v }
}

/// An SD-PARAM value: `"`, `\` and `]` escaped (RFC 5424 6.3.3).
fn sd_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn cef_header(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|")
}

fn cef_ext(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('=', "\\=")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev() -> Value {
        json!({"type": "access.denied", "time": "2026-11-30T10:00:00Z", "actor": "api:ci#tok_1",
               "data": {"action": "generate", "reason": "forbid \"x\"]"}})
    }

    /// Regression: the formatter read `data.name`, the event carries `data.flag`, so
    /// kill-switch flips went out at notice.
    #[test]
    fn a_kill_switch_flip_is_forwarded_at_warning() {
        let flip = json!({"type": "flag.changed", "time": "2026-11-30T10:00:00Z", "actor": "a",
                          "data": {"flag": "generation", "enabled": false}});
        assert_eq!(severity("flag.changed", &flip["data"]), 4);
        let m = String::from_utf8(rfc5424("h", 1, b"{}", &flip)).unwrap();
        assert!(m.starts_with("<108>1 "), "facility 13 * 8 + warning 4: {m}");
        let other = json!({"flag": "audit_banner", "enabled": true});
        assert_eq!(severity("flag.changed", &other), 5);
        // Tampering is critical; outside events are notices.
        assert_eq!(severity("integrity.violation", &json!({})), 2);
        assert_eq!(severity("magento.product_saved", &json!({})), 5);
    }

    #[test]
    fn rfc5424_header_and_escaped_structured_data() {
        let leaf = br#"{"x":1}"#;
        let m = String::from_utf8(rfc5424("shop-1", 7, leaf, &ev())).unwrap();
        // facility 13 * 8 + warning 4
        assert!(
            m.starts_with("<108>1 2026-11-30T10:00:00Z shop-1 synthgov "),
            "{m}"
        );
        assert!(m.contains(" access.denied [synthgov@32473 index=\"7\" type=\"access.denied\" actor=\"api:ci#tok_1\"] \u{feff}{\"x\":1}"), "{m}");
        let notice = json!({"type": "a\"b]", "time": "", "actor": "", "data": {}});
        let m = String::from_utf8(rfc5424("", 1, b"{}", &notice)).unwrap();
        assert!(m.starts_with("<109>1 - - synthgov "), "{m}");
        assert!(m.contains("type=\"a\\\"b\\]\""), "{m}");
    }

    #[test]
    fn cef_escapes_and_maps_severity() {
        let m = String::from_utf8(cef("h", 3, &ev())).unwrap();
        assert!(m.contains("CEF:0|synthgov|synthgov|"), "{m}");
        assert!(
            m.contains("|access.denied|access.denied|7|externalId=3 "),
            "{m}"
        );
        // `\` doubled, as CEF extension values require.
        assert!(
            m.ends_with(r#"cs1={"action":"generate","reason":"forbid \\"x\\"]"}"#),
            "{m}"
        );
        let eq = json!({"type": "t", "time": "", "actor": "a=b", "data": {}});
        assert!(
            String::from_utf8(cef("h", 1, &eq))
                .unwrap()
                .contains("suser=a\\=b ")
        );
    }

    #[test]
    fn ocsf_classes() {
        let d = ocsf(3, "ab", &ev());
        assert_eq!(d["class_uid"], 6003);
        assert_eq!(d["type_uid"], 600399);
        assert_eq!(d["status_id"], 2);
        assert_eq!(d["api"]["operation"], "generate");
        assert_eq!(d["time"], 1_796_032_800_000i64);
        let t = ocsf(
            4,
            "cd",
            &json!({"type": "token.revoked", "time": "2026-11-30T10:00:00Z", "actor": "x", "data": {"id": "tok_1", "name": "ci"}}),
        );
        assert_eq!(
            (t["class_uid"].as_u64(), t["activity_id"].as_u64()),
            (Some(3004), Some(4))
        );
        let o = ocsf(
            5,
            "ef",
            &json!({"type": "magento.product_saved", "time": "x", "actor": "x", "data": {}}),
        );
        assert_eq!(
            (o["class_uid"].as_u64(), o["activity_id"].as_u64()),
            (Some(6003), Some(99))
        );
        assert_eq!(o["unmapped"]["synthgov"]["index"], 5);
    }
}
