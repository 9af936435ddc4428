//! SIEM forwarding against a real rsyslog (Debian's package) on loopback: the
//! collector goes down, 1,000 events are appended, it comes back, and every entry
//! arrives, in order, once. Plus the OCSF file sink and syslog over TLS.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use synthgov_registry::{Actor, Registry};
use synthgov_server::siem::{self, Forwarder, SinkConfig, SinkKind, SyslogFormat};
use synthgov_store::Home;

fn home_in(dir: &Path) -> Home {
    let home = Home::at(dir.join("home"));
    home.init().unwrap();
    home
}

fn sink(name: &str, kind: SinkKind) -> SinkConfig {
    SinkConfig {
        name: name.into(),
        kind,
        address: None,
        format: SyslogFormat::Rfc5424,
        ca: None,
        server_name: None,
        path: None,
        url: None,
        bearer_env: None,
        batch: None,
        max_message: None,
    }
}

fn append(reg: &mut Registry, n: usize, tag: &str) {
    let actor = Actor::new("siem-test");
    for i in 0..n {
        let mut data = Map::new();
        data.insert("n".into(), json!(i));
        data.insert("tag".into(), json!(tag));
        reg.append_external(&actor, "test.siem", data, None)
            .unwrap();
    }
}

fn rsyslogd() -> Option<PathBuf> {
    ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

struct Rsyslog {
    child: Child,
}

impl Rsyslog {
    fn start(dir: &Path, port: u16, out: &Path) -> Rsyslog {
        Rsyslog::start_with(dir, port, out, "")
    }

    /// Also listening on UDP `port` (imudp, RFC 5426), same ruleset; TCP on the same
    /// number is how the test knows rsyslog is up.
    fn start_udp(dir: &Path, port: u16, out: &Path) -> Rsyslog {
        let udp = format!(
            "module(load=\"imudp\")\ninput(type=\"imudp\" port=\"{port}\" address=\"127.0.0.1\" ruleset=\"fwd\")\n"
        );
        Rsyslog::start_with(dir, port, out, &udp)
    }

    fn start_with(dir: &Path, port: u16, out: &Path, extra: &str) -> Rsyslog {
        let conf = dir.join("rsyslog.conf");
        let work = dir.join("rsyslog-work");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(
            &conf,
            format!(
                r#"global(workDirectory="{work}" maxMessageSize="64k")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="fwd") {{ action(type="omfile" file="{out}" template="raw") }}
input(type="imtcp" port="{port}" address="127.0.0.1" ruleset="fwd")
{extra}"#,
                work = work.display(),
                out = out.display()
            ),
        )
        .unwrap();
        let child = Command::new(rsyslogd().unwrap())
            .arg("-n")
            .arg("-f")
            .arg(&conf)
            .arg("-i")
            .arg(dir.join("rsyslog.pid"))
            .spawn()
            .expect("start rsyslogd");
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "rsyslogd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Rsyslog { child }
    }

    fn stop(mut self) {
        // SIGTERM, so rsyslog flushes what it received.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `index` of each message rsyslog wrote, in file order.
fn received(out: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(out).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let at = l.find(" index=\"")? + 8;
            let end = l[at..].find('"')?;
            l[at..at + end].parse().ok()
        })
        .collect()
}

fn wait_for(out: &Path, n: usize, secs: u64) -> Vec<u64> {
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        let got = received(out);
        if got.len() >= n || Instant::now() > until {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn rsyslog_down_then_up_receives_every_entry_in_order_once() {
    if !require_rsyslogd() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = home_in(dir.path());
    let out = dir.path().join("received.log");
    let port = free_port();
    let mut reg = Registry::open(&home).unwrap();
    append(&mut reg, 5, "before");

    let collector = Rsyslog::start(dir.path(), port, &out);
    let mut cfg = sink("rsyslog", SinkKind::SyslogTcp);
    cfg.address = Some(format!("127.0.0.1:{port}"));
    let fwd = Forwarder::open(&home, cfg).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let (h, s) = (home.clone(), stop.clone());
        std::thread::spawn(move || siem::run(h, fwd, s))
    };
    let first = reg.ledger().size().unwrap() as usize;
    assert_eq!(
        wait_for(&out, first, 20),
        (0..first as u64).collect::<Vec<_>>()
    );

    collector.stop();
    append(&mut reg, 1000, "while-down");
    std::thread::sleep(Duration::from_millis(1500)); // the forwarder tries and backs off
    let size = reg.ledger().size().unwrap();
    assert_eq!(
        received(&out).len(),
        first,
        "nothing can arrive while rsyslog is down"
    );

    let collector = Rsyslog::start(dir.path(), port, &out);
    let got = wait_for(&out, size as usize, 30);
    // Give a duplicate, if any were sent, the time to show up.
    std::thread::sleep(Duration::from_millis(500));
    let got_after = received(&out);
    stop.store(true, Ordering::Relaxed);
    thread.join().unwrap();
    collector.stop();
    assert_eq!(got.len(), size as usize, "entries received: {}", got.len());
    assert_eq!(
        got_after,
        (0..size).collect::<Vec<_>>(),
        "every entry once, in log order"
    );
    assert_eq!(
        siem::Cursor::of(&home, "rsyslog")
            .load(reg.ledger().store())
            .unwrap(),
        size
    );

    // The message body is the leaf itself: a SIEM can hash it back to the ledger.
    let text = std::fs::read_to_string(&out).unwrap();
    let line = text.lines().nth(7).unwrap();
    let body = &line[line.find('\u{feff}').unwrap() + 3..];
    assert_eq!(body.as_bytes(), &reg.ledger().entry(7).unwrap().leaf[..]);
}

fn require_rsyslogd() -> bool {
    if rsyslogd().is_none() {
        assert!(
            std::env::var_os("SYNTHGOV_REQUIRE_TOOLS").is_none(),
            "rsyslogd is required (SYNTHGOV_REQUIRE_TOOLS is set): apt-get install rsyslog"
        );
        eprintln!("SKIPPED: rsyslogd not installed (apt-get install rsyslog)");
        return false;
    }
    true
}

/// Over UDP to a real rsyslog: a 70 KB entry in the middle of the log arrives as its
/// summary (index and leaf hash, within 2,048 octets) and every later entry arrives,
/// in order; no datagram rsyslog received is above the limit.
#[test]
fn rsyslog_over_udp_gets_every_entry_around_a_70_kb_one() {
    if !require_rsyslogd() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = home_in(dir.path());
    let out = dir.path().join("received.log");
    let port = free_port();
    let mut reg = Registry::open(&home).unwrap();
    append(&mut reg, 20, "before");
    let actor = Actor::new("siem-test");
    let mut big = Map::new();
    big.insert("blob".into(), json!("z".repeat(70_000)));
    big.insert("name".into(), json!("dépôt & \"quoted\" ü"));
    reg.append_external(&actor, "test.siem", big, None).unwrap();
    let big_index = reg.ledger().size().unwrap() - 1;
    append(&mut reg, 20, "after");
    let size = reg.ledger().size().unwrap();

    let collector = Rsyslog::start_udp(dir.path(), port, &out);
    let mut cfg = sink("rsyslog-udp", SinkKind::SyslogUdp);
    cfg.address = Some(format!("127.0.0.1:{port}"));
    let mut fwd = Forwarder::open(&home, cfg).unwrap();
    assert_eq!(fwd.catch_up(&reg).unwrap(), size);
    let got = wait_for(&out, size as usize, 20);
    collector.stop();
    assert_eq!(got, (0..size).collect::<Vec<_>>(), "every entry, in order");
    let text = std::fs::read_to_string(&out).unwrap();
    for line in text.lines() {
        assert!(line.len() <= 2048, "a {}-octet message", line.len());
    }
    let summary = text
        .lines()
        .find(|l| l.contains(&format!(" index=\"{big_index}\"")))
        .unwrap();
    let leaf = reg.ledger().entry(big_index).unwrap().leaf;
    assert!(
        summary.contains(&synthgov_ledger::hash::to_hex(
            &synthgov_ledger::hash::leaf_hash(&leaf)
        )) && summary.contains("too large"),
        "{summary}"
    );
}

#[test]
fn ocsf_file_sink_maps_classes_and_resumes_from_its_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let home = home_in(dir.path());
    let mut reg = Registry::open(&home).unwrap();
    append(&mut reg, 3, "a");
    let _ = reg.deny(
        &Actor::new("api:x"),
        synthgov_registry::policy::Action::Generate,
        None,
        "auditor-read-only",
    );
    let mut cfg = sink("ocsf", SinkKind::OcsfFile);
    cfg.path = Some("siem/ocsf.jsonl".into());
    cfg.batch = Some(2);
    let mut f = Forwarder::open(&home, cfg.clone()).unwrap();
    let size = reg.ledger().size().unwrap();
    assert_eq!(f.catch_up(&reg).unwrap(), size);
    append(&mut reg, 2, "b");
    // A new forwarder (a restart) starts at the stored cursor, once the first one
    // has handed the sink over.
    f.release(&reg);
    let mut again = Forwarder::open(&home, cfg).unwrap();
    assert_eq!(again.catch_up(&reg).unwrap(), 2);
    assert_eq!(again.next(), size + 2);
    let text = std::fs::read_to_string(home.dir.join("siem/ocsf.jsonl")).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, size + 2);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["metadata"]["sequence"], i as u64);
        assert_eq!(l["metadata"]["version"], "1.3.0");
    }
    let denied = lines
        .iter()
        .find(|l| l["message"] == "access.denied")
        .unwrap();
    assert_eq!(denied["class_uid"], 6003);
    assert_eq!(denied["status_id"], 2);
    assert_eq!(denied["status_detail"], "auditor-read-only");
}

/// Two servers on one store both run a forwarder for the same sink: one holds the
/// lease and sends, the other waits; every entry reaches the sink once, in order.
/// When the holder stops, the other takes over from the shared cursor.
#[test]
fn two_forwarders_on_one_store_send_each_entry_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = home_in(dir.path());
    let mut reg = Registry::open(&home).unwrap();
    let mut cfg = sink("shared", SinkKind::OcsfFile);
    cfg.path = Some("siem/shared.jsonl".into());
    cfg.batch = Some(7);
    let stop_a = Arc::new(AtomicBool::new(false));
    let stop_b = Arc::new(AtomicBool::new(false));
    let a = siem::spawn_all(&home, vec![cfg.clone()], &stop_a).unwrap();
    let b = siem::spawn_all(&home, vec![cfg.clone()], &stop_b).unwrap();
    append(&mut reg, 300, "shared");
    let out = home.dir.join("siem/shared.jsonl");
    let lines = |want: usize| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            let seq: Vec<u64> = text
                .lines()
                .map(|l| {
                    serde_json::from_str::<Value>(l).unwrap()["metadata"]["sequence"]
                        .as_u64()
                        .unwrap()
                })
                .collect();
            if seq.len() >= want || Instant::now() > deadline {
                return seq;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let size = reg.ledger().size().unwrap();
    let seq = lines(size as usize);
    assert_eq!(
        seq,
        (0..size).collect::<Vec<_>>(),
        "each entry once, in order"
    );

    // The holder stops (whichever it is); the other carries on from the cursor.
    stop_a.store(true, Ordering::Relaxed);
    a.into_iter().for_each(|h| h.join().unwrap());
    append(&mut reg, 50, "after");
    let size = reg.ledger().size().unwrap();
    let seq = lines(size as usize);
    std::thread::sleep(Duration::from_millis(300));
    stop_b.store(true, Ordering::Relaxed);
    b.into_iter().for_each(|h| h.join().unwrap());
    assert_eq!(
        seq,
        (0..size).collect::<Vec<_>>(),
        "each entry once, in order"
    );
    assert_eq!(
        lines(0).len() as u64,
        size,
        "no duplicate after the handover"
    );
}

#[test]
fn syslog_over_tls_verifies_the_collector_and_frames_messages() {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let dir = tempfile::tempdir().unwrap();
    let home = home_in(dir.path());
    let mut reg = Registry::open(&home).unwrap();
    append(&mut reg, 3, "tls");

    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["siem.test".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    std::fs::write(home.dir.join("siem-ca.pem"), cert.pem()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_cfg = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let size = reg.ledger().size().unwrap();
    let cfg2 = server_cfg.clone();
    let server = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let conn = rustls::ServerConnection::new(server_cfg).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, sock);
        let mut frames = Vec::new();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while (frames.len() as u64) < size {
            let n = tls.read(&mut chunk).unwrap();
            assert!(n > 0, "connection closed early");
            buf.extend_from_slice(&chunk[..n]);
            // RFC 6587 octet counting: "LEN SP MSG".
            while let Some(sp) = buf.iter().position(|b| *b == b' ') {
                let len: usize = std::str::from_utf8(&buf[..sp]).unwrap().parse().unwrap();
                if buf.len() < sp + 1 + len {
                    break;
                }
                frames.push(String::from_utf8(buf[sp + 1..sp + 1 + len].to_vec()).unwrap());
                buf.drain(..sp + 1 + len);
            }
        }
        frames
    });
    let mut cfg = sink("tls", SinkKind::SyslogTls);
    cfg.address = Some(format!("127.0.0.1:{port}"));
    cfg.server_name = Some("siem.test".into());
    cfg.ca = Some("siem-ca.pem".into());
    let mut f = Forwarder::open(&home, cfg.clone()).unwrap();
    assert_eq!(f.catch_up(&reg).unwrap(), size);
    let frames = server.join().unwrap();
    for (i, m) in frames.iter().enumerate() {
        assert!(m.starts_with("<109>1 "), "{m}");
        assert!(m.contains(&format!(" index=\"{i}\" ")), "{m}");
    }

    // A collector whose certificate does not match the name is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    cfg.address = Some(format!(
        "127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    ));
    cfg.server_name = Some("other.test".into());
    cfg.name = "tls-wrong".into();
    let mut wrong = Forwarder::open(&home, cfg).unwrap();
    let t = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let mut tls = rustls::StreamOwned::new(rustls::ServerConnection::new(cfg2).unwrap(), sock);
        let _ = tls.read(&mut [0u8; 1]); // the client aborts the handshake
    });
    let err = wrong.catch_up(&reg).unwrap_err().to_string();
    assert!(
        err.contains("tls-wrong") && err.contains("certificate"),
        "{err}"
    );
    assert_eq!(wrong.next(), 0, "nothing counted as delivered");
    t.join().unwrap();
}
