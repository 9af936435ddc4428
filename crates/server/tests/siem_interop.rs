//! What synthgov sends to SIEMs, checked by the field's own parsers
//! (tests/interop/siem_check.py: the OCSF 1.3.0 schema from PyPI ocsf-json-schema,
//! syslog-rfc5424-parser, pycef and cefevent in strict mode), for every event type of
//! the catalogue and for hostile outside events (spaces, non-ASCII, `&`, quotes,
//! `|`, `=`, newlines, a 70 KB entry); and a UDP sink that meets a 70 KB entry in the
//! middle of the log delivers it as a summary and every later entry.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use synthgov_ledger::hash::{leaf_hash, to_hex};
use synthgov_registry::{Actor, EventType, Registry};
use synthgov_server::siem::{Forwarder, SinkConfig, SinkKind, SyslogFormat, format};
use synthgov_store::Home;

const HOSTILE: &str = "dépôt name & \"quoted\" | pipe = eq\nnew line ] bracket \\ back ü";

fn checker() -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/siem_check.py");
    let ok = Command::new("python3")
        .args([
            "-c",
            "import ocsf_json_schema, jsonschema, pycef, cefevent, syslog_rfc5424_parser",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(script)
    } else {
        synthgov_core::testenv::missing(
            "python3 with ocsf-json-schema, jsonschema, pycef, cefevent, syslog-rfc5424-parser",
            "pip install ocsf-json-schema jsonschema pycef cefevent syslog-rfc5424-parser (.ci/run does)",
        )
    }
}

fn refused(script: &Path, args: &[&str]) -> bool {
    !Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap()
        .status
        .success()
}

fn run_checker(script: &Path, args: &[&str]) {
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the reference parsers refuse our output:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A plausible data object for each catalogue type (what the formatter maps from).
fn data_for(t: EventType) -> Value {
    match t {
        EventType::FlagChanged => {
            json!({"flag": "generation", "enabled": false, "reason": HOSTILE})
        }
        EventType::TokenCreated | EventType::TokenRevoked => {
            json!({"id": "tok_1", "name": HOSTILE, "role": "engineer"})
        }
        EventType::ScanCompleted => {
            json!({"scanner": "storefront", "findings": 3, "target": HOSTILE})
        }
        EventType::AccessDenied => {
            json!({"action": "generate", "reason": HOSTILE, "principal": "tok_2"})
        }
        _ => json!({"id": "x-1", "note": HOSTILE}),
    }
}

fn event(kind: &str, data: Value, actor: &str) -> Value {
    json!({"type": kind, "time": "2026-12-01T10:00:00.123456Z", "actor": actor, "tenant": "eu shop", "data": data})
}

#[test]
fn every_catalogue_type_and_hostile_events_pass_the_reference_parsers() {
    let Some(script) = checker() else { return };
    let mut events: Vec<Value> = EventType::ALL
        .iter()
        .map(|t| event(t.name(), data_for(*t), "api:ci#tok_1"))
        .collect();
    events.push(event(
        "ext.asset_reported",
        json!({"name": HOSTILE}),
        HOSTILE,
    ));
    events.push(event(
        "magento.product_saved",
        json!({"blob": "x".repeat(70_000)}),
        "svc",
    ));
    let dir = tempfile::tempdir().unwrap();
    let mut ocsf = String::new();
    let (mut syslog, mut cef) = (Vec::new(), Vec::new());
    for (i, ev) in events.iter().enumerate() {
        let leaf = synthgov_core::canonical::to_canonical_vec(ev).unwrap();
        let hash = to_hex(&leaf_hash(&leaf));
        ocsf.push_str(&serde_json::to_string(&format::ocsf(i as u64, &hash, ev)).unwrap());
        ocsf.push('\n');
        syslog
            .push(String::from_utf8(format::rfc5424("host.example", i as u64, &leaf, ev)).unwrap());
        cef.push(String::from_utf8(format::cef("host.example", i as u64, ev)).unwrap());
    }
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("ocsf.jsonl"), ocsf).unwrap();
    std::fs::write(p("syslog.json"), serde_json::to_vec(&syslog).unwrap()).unwrap();
    std::fs::write(p("cef.json"), serde_json::to_vec(&cef).unwrap()).unwrap();
    // The checkers can fail: a scan event without type_id, a cs1 over the limit.
    let mut bad = format::ocsf(
        0,
        "00",
        &event("scan.completed", json!({"scanner": "s"}), "a"),
    );
    bad["scan"].as_object_mut().unwrap().remove("type_id");
    std::fs::write(p("bad.jsonl"), format!("{bad}\n")).unwrap();
    std::fs::write(
        p("bad-cef.json"),
        serde_json::to_vec(&[format!(
            "<109>1 - h s 1 x - CEF:0|s|s|1|a|a|3|cs1Label=data cs1={}",
            "x".repeat(5000)
        )])
        .unwrap(),
    )
    .unwrap();
    assert!(refused(
        &script,
        &["--ocsf", p("bad.jsonl").to_str().unwrap()]
    ));
    assert!(refused(
        &script,
        &["--cef", p("bad-cef.json").to_str().unwrap()]
    ));
    run_checker(
        &script,
        &[
            "--ocsf",
            p("ocsf.jsonl").to_str().unwrap(),
            "--syslog",
            p("syslog.json").to_str().unwrap(),
            "--cef",
            p("cef.json").to_str().unwrap(),
        ],
    );
}

fn udp_sink(address: &str, format: SyslogFormat) -> SinkConfig {
    SinkConfig {
        name: format!("udp-{format:?}"),
        kind: SinkKind::SyslogUdp,
        address: Some(address.into()),
        format,
        ca: None,
        server_name: None,
        path: None,
        url: None,
        bearer_env: None,
        batch: None,
        max_message: None,
    }
}

#[test]
fn a_70_kb_entry_never_stalls_a_udp_sink() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    home.init().unwrap();
    let mut reg = Registry::open(&home).unwrap();
    let actor = Actor::new("udp-test");
    let add = |reg: &mut Registry, data: Value| {
        let Value::Object(m) = data else {
            unreachable!()
        };
        reg.append_external(&actor, "ext.udp_test", m, None)
            .unwrap();
    };
    for i in 0..3 {
        add(&mut reg, json!({"i": i}));
    }
    add(
        &mut reg,
        json!({"blob": "y".repeat(70_000), "name": HOSTILE}),
    );
    for i in 3..6 {
        add(&mut reg, json!({"i": i}));
    }
    let size = reg.ledger().size().unwrap();
    let mut received = Vec::new();
    for format in [SyslogFormat::Rfc5424, SyslogFormat::Cef] {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let addr = socket.local_addr().unwrap().to_string();
        let mut fwd = Forwarder::open(&home, udp_sink(&addr, format)).unwrap();
        assert_eq!(
            fwd.catch_up(&reg).unwrap(),
            size,
            "{format:?}: every entry sent"
        );
        let mut got = Vec::new();
        let mut buf = vec![0u8; 65_536];
        for _ in 0..size {
            let n = socket.recv(&mut buf).expect("a datagram for every entry");
            assert!(
                n <= 2048,
                "{format:?}: a {n}-octet datagram, above RFC 5426's 2,048"
            );
            got.push(String::from_utf8(buf[..n].to_vec()).unwrap());
        }
        let big = got
            .iter()
            .find(|m| m.contains("too large"))
            .expect("the summary");
        let entry = reg.ledger().entry(size - 4).unwrap();
        assert!(big.contains(&to_hex(&entry.leaf_hash)), "{big}");
        assert!(got.last().unwrap().contains("udp_test"));
        received.push((format, got));
    }
    if let Some(script) = checker() {
        for (format, got) in received {
            let f = dir.path().join(format!("{format:?}.json"));
            std::fs::write(&f, serde_json::to_vec(&got).unwrap()).unwrap();
            let flag = if format == SyslogFormat::Cef {
                "--cef"
            } else {
                "--syslog"
            };
            run_checker(
                &script,
                &[flag, f.to_str().unwrap(), "--max-octets", "2048"],
            );
        }
    }
}

/// A one-thread HTTP collector: answers the first request 503 (the sink must retry
/// it) and every later one 200, keeping each body and its Authorization header.
fn http_collector() -> (String, std::sync::mpsc::Receiver<(String, Vec<u8>)>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/ocsf", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for (n, conn) in listener.incoming().enumerate() {
            let Ok(mut conn) = conn else { return };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let (mut length, mut auth) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(": ") {
                    match k.to_ascii_lowercase().as_str() {
                        "content-length" => length = v.parse().unwrap(),
                        "authorization" => auth = v.to_owned(),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            let status = if n == 0 {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            if n > 0 && tx.send((auth, body)).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

/// The OCSF HTTP sink: each POST is a JSON array of OCSF 1.3.0 events that the schema
/// accepts, hostile and 70 KB entries included; a refused batch is sent again, with
/// the bearer token, and every entry arrives once.
#[test]
fn ocsf_http_batches_pass_the_schema() {
    let Some(script) = checker() else { return };
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    home.init().unwrap();
    let mut reg = Registry::open(&home).unwrap();
    let actor = Actor::new(HOSTILE);
    for i in 0..25 {
        let data = if i == 12 {
            json!({"blob": "b".repeat(70_000), "name": HOSTILE})
        } else {
            json!({"i": i, "name": HOSTILE})
        };
        let Value::Object(m) = data else {
            unreachable!()
        };
        reg.append_external(&actor, "ext.asset_reported", m, None)
            .unwrap();
    }
    let size = reg.ledger().size().unwrap();
    let (url, rx) = http_collector();
    // The token comes from a variable cargo and nextest set for every test process
    // (setting one here would race the other tests' threads).
    let cfg = SinkConfig {
        name: "ocsf-http".into(),
        kind: SinkKind::OcsfHttp,
        address: None,
        format: SyslogFormat::Rfc5424,
        ca: None,
        server_name: None,
        path: None,
        url: Some(url),
        bearer_env: Some("CARGO_PKG_NAME".into()),
        batch: Some(10),
        max_message: None,
    };
    let mut fwd = Forwarder::open(&home, cfg).unwrap();
    assert!(
        fwd.catch_up(&reg).is_err(),
        "the collector refused the first batch"
    );
    assert_eq!(
        fwd.catch_up(&reg).unwrap(),
        size,
        "the rest, from the cursor"
    );
    let mut lines = String::new();
    let mut uids = Vec::new();
    while let Ok((auth, body)) = rx.recv_timeout(Duration::from_millis(500)) {
        assert_eq!(auth, concat!("Bearer ", env!("CARGO_PKG_NAME")));
        let batch: Vec<Value> = serde_json::from_slice(&body).expect("a JSON array");
        assert!(batch.len() <= 10, "batch of {}", batch.len());
        for ev in batch {
            uids.push(ev["metadata"]["sequence"].as_u64().unwrap_or(u64::MAX));
            lines.push_str(&ev.to_string());
            lines.push('\n');
        }
    }
    assert_eq!(uids.len() as u64, size, "every entry once: {uids:?}");
    let f = dir.path().join("http.jsonl");
    std::fs::write(&f, lines).unwrap();
    run_checker(&script, &["--ocsf", f.to_str().unwrap()]);
}
