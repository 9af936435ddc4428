//! The HTTP API against a real server on loopback: roles and denials, tokens, the
//! kill switch, tenants, events, and the tlog tiles followed by a client written
//! here from the C2SP spec. Every test runs twice: on a SQLite store in a temp
//! folder, and on a fresh PostgreSQL schema (SYNTHGOV_TEST_POSTGRES_URL, set by
//! .ci/run; skipped with a notice without it).

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use synthgov_registry::policy::Policies;
use synthgov_registry::tokens::{self, CreateToken};
use synthgov_registry::{Actor, Registry};
use synthgov_store::Home;

struct Server {
    base: String,
    home: Home,
    admin: String,
    agent: ureq::Agent,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The PostgreSQL test database's URL with a fresh schema, or None with a notice.
fn fresh_postgres() -> Option<String> {
    let url = synthgov_core::testenv::db_url("SYNTHGOV_TEST_POSTGRES_URL")?;
    Some(synthgov_store::postgres::new_schema(&url, "sg_api").unwrap())
}

/// Runs `$body(server)` as the tests `$body::sqlite` and `$body::postgresql`.
macro_rules! on_both_stores {
    ($body:ident) => {
        mod $body {
            #[test]
            fn sqlite() {
                super::$body(super::start(None));
            }

            #[test]
            fn postgresql() {
                if let Some(url) = super::fresh_postgres() {
                    super::$body(super::start(Some(url)));
                }
            }
        }
    };
}

fn start(database: Option<String>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let home = Home {
        dir: dir.path().join("home"),
        database,
    };
    home.init().unwrap();
    let admin = token(&home, "admin", "test-admin", None);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let h = home.clone();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            synthgov_server::serve(
                synthgov_server::Config {
                    home: h,
                    policies: Policies::default_set(),
                    readers: 2,
                    siem: Vec::new(),
                },
                listener,
                async {
                    let _ = rx.await;
                },
            )
            .await
            .unwrap();
        });
    });
    let addr = addr_rx.recv().unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        // A fresh connection per request: the server may close one after answering
        // before reading a body (a 401 or 413), and a pooled connection it closed
        // would fail the next request on the client side.
        .max_idle_connections(0)
        .build()
        .into();
    Server {
        base: format!("http://{addr}"),
        home,
        admin,
        agent,
        stop: Some(tx),
        thread: Some(thread),
        _dir: dir,
    }
}

fn token(home: &Home, role: &str, name: &str, tenant: Option<&str>) -> String {
    let mut reg = Registry::open(home).unwrap();
    tokens::create(
        &mut reg,
        &Actor::new("test"),
        &CreateToken {
            role,
            name,
            tenant,
            expires_at: None,
        },
    )
    .unwrap()
    .token
}

impl Server {
    fn call(
        &self,
        method: &str,
        path: &str,
        tok: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Vec<u8>) {
        let url = format!("{}{path}", self.base);
        let auth = tok.map(|t| format!("Bearer {t}"));
        let resp = match (method, body) {
            ("GET", _) => {
                let mut r = self.agent.get(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            ("DELETE", _) => {
                let mut r = self.agent.delete(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            (m, b) => {
                let mut r = if m == "PUT" {
                    self.agent.put(&url)
                } else {
                    self.agent.post(&url)
                };
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.header("Content-Type", "application/json")
                    .send(b.map(|v| v.to_string()).unwrap_or_default())
            }
        }
        .unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.into_body().read_to_vec().unwrap();
        (status, bytes)
    }

    fn json(
        &self,
        method: &str,
        path: &str,
        tok: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let (s, b) = self.call(method, path, tok, body);
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    fn entries(&self, prefix: &str) -> Vec<Value> {
        let reg = Registry::open(&self.home).unwrap();
        reg.ledger()
            .list(&synthgov_ledger::ListQuery {
                type_prefix: Some(prefix.into()),
                from: 0,
                limit: u64::MAX,
            })
            .unwrap()
            .into_iter()
            .map(|(_, e)| e)
            .collect()
    }
}

on_both_stores!(tokens_roles_and_every_denial_is_recorded);

fn tokens_roles_and_every_denial_is_recorded(s: Server) {
    let (st, body) = s.json("GET", "/v1/flags", None, None);
    assert_eq!(st, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(s.json("GET", "/v1/flags", Some("sgt_nope"), None).0, 401);
    assert_eq!(
        s.json("GET", "/healthz", None, None).1,
        json!({"status": "ok"})
    );

    let auditor = token(&s.home, "auditor", "ext-auditor", None);
    assert_eq!(s.json("GET", "/v1/inventory", Some(&auditor), None).0, 200);
    assert_eq!(
        s.json("GET", "/v1/ledger/checkpoint", Some(&auditor), None)
            .0,
        200
    );
    let (st, body) = s.json(
        "PUT",
        "/v1/flags/generation",
        Some(&auditor),
        Some(json!({"enabled": false})),
    );
    assert_eq!(st, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let denied = s.entries("access.denied");
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["data"]["action"], "set_flag");
    assert_eq!(denied[0]["data"]["role"], "auditor");
    assert!(
        denied[0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("api:ext-auditor#tok_")
    );

    // Tokens through the API: created by an admin only; revoked ones stop working.
    let (st, _) = s.json(
        "POST",
        "/v1/tokens",
        Some(&auditor),
        Some(json!({"role": "admin", "name": "escalate"})),
    );
    assert_eq!(st, 403);
    let (st, t) = s.json(
        "POST",
        "/v1/tokens",
        Some(&s.admin),
        Some(json!({"role": "engineer", "name": "ci"})),
    );
    assert_eq!(st, 201, "{t}");
    let eng = t["token"].as_str().unwrap().to_owned();
    assert_eq!(
        s.json("GET", "/v1/whoami", Some(&eng), None).1["role"],
        "engineer"
    );
    let id = t["id"].as_str().unwrap();
    assert_eq!(
        s.json("DELETE", &format!("/v1/tokens/{id}"), Some(&s.admin), None)
            .0,
        200
    );
    // The server trusts a cached token for at most a second.
    std::thread::sleep(Duration::from_millis(1100));
    let (st, body) = s.json("GET", "/v1/whoami", Some(&eng), None);
    assert_eq!(
        (st, body["error"]["message"].as_str()),
        (401, Some("the token was revoked"))
    );
    assert_eq!(s.entries("token.revoked").len(), 1);
    // No secret in the ledger.
    let all = serde_json::to_string(&s.entries("token")).unwrap();
    assert!(!all.contains(&eng[4..]));
}

on_both_stores!(kill_switch_refuses_generation_and_writes_no_dataset);

fn kill_switch_refuses_generation_and_writes_no_dataset(s: Server) {
    let eng = token(&s.home, "engineer", "data-eng", None);
    let compliance = token(&s.home, "compliance", "dpo", None);
    let req = json!({"entity": "customers", "rows": 50, "seed": 7});
    // An engineer may not flip the switch; compliance may.
    assert_eq!(
        s.json(
            "PUT",
            "/v1/flags/generation",
            Some(&eng),
            Some(json!({"enabled": false}))
        )
        .0,
        403
    );
    let (st, f) = s.json(
        "PUT",
        "/v1/flags/generation",
        Some(&compliance),
        Some(json!({"enabled": false, "reason": "audit demonstration"})),
    );
    assert_eq!((st, &f["enabled"]), (200, &json!(false)), "{f}");
    assert_eq!(
        s.json("GET", "/v1/flags/generation", Some(&eng), None).1,
        json!({"name": "generation", "enabled": false})
    );
    // Polling the flag: an ETag, 304 while unchanged, a new tag once it changes.
    let poll = |etag: Option<&str>| {
        let mut r = s
            .agent
            .get(format!("{}/v1/flags/generation", s.base))
            .header("Authorization", format!("Bearer {eng}"));
        if let Some(t) = etag {
            r = r.header("If-None-Match", t);
        }
        let resp = r.call().unwrap();
        let tag = resp.headers()["etag"].to_str().unwrap().to_owned();
        (resp.status().as_u16(), tag)
    };
    let (st, off_tag) = poll(None);
    assert_eq!(st, 200);
    assert_eq!(poll(Some(&off_tag)), (304, off_tag.clone()));
    assert_eq!(poll(Some(&format!("W/{off_tag}, \"other\""))).0, 304);
    assert_eq!(poll(Some("\"stale\"")).0, 200);
    let (st, body) = s.json("POST", "/v1/generate", Some(&eng), Some(req.clone()));
    assert_eq!(st, 423, "{body}");
    assert_eq!(body["error"]["code"], "generation_disabled");
    assert!(s.entries("dataset.version_created").is_empty());
    assert_eq!(s.entries("generation.refused").len(), 1);
    let generated = s.home.dir.join("generated");
    let files = std::fs::read_dir(&generated)
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(files, 0, "no output file while the switch is off");

    s.json(
        "PUT",
        "/v1/flags/generation",
        Some(&compliance),
        Some(json!({"enabled": true})),
    );
    let (st, on_tag) = poll(Some(&off_tag));
    assert_eq!(st, 200, "the flag changed: the old tag no longer matches");
    assert_ne!(on_tag, off_tag);
    let (st, body) = s.json("POST", "/v1/generate", Some(&eng), Some(req));
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["rows"], 50);
    assert_eq!(s.entries("dataset.version_created").len(), 1);
    // Bad requests name the field.
    let (st, body) = s.json(
        "POST",
        "/v1/generate",
        Some(&eng),
        Some(json!({"entity": "unicorns", "rows": 5})),
    );
    assert_eq!(st, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("entity")
    );
    let (st, _) = s.json(
        "POST",
        "/v1/generate",
        Some(&eng),
        Some(json!({"rows": 5, "colour": 1})),
    );
    assert_eq!(st, 400);
    // The CLI's locales, by name; an unknown one is named back.
    let (st, body) = s.json(
        "POST",
        "/v1/generate",
        Some(&eng),
        Some(json!({"entity": "customers", "rows": 5, "locale": "de_DE"})),
    );
    assert_eq!(st, 201, "{body}");
    let out = std::fs::read_to_string(body["out"].as_str().unwrap()).unwrap();
    assert!(out.lines().skip(1).all(|l| l.contains(",DE,")), "{out}");
    let (st, body) = s.json(
        "POST",
        "/v1/generate",
        Some(&eng),
        Some(json!({"entity": "customers", "rows": 5, "locale": "xx_XX"})),
    );
    assert_eq!(st, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("locale"),
        "{body}"
    );
}

on_both_stores!(tenants_see_and_touch_only_their_records);

fn tenants_see_and_touch_only_their_records(s: Server) {
    apply_example_inventory(&s.home);
    let eu = token(&s.home, "service", "magento-eu", Some("eu"));
    let us = token(&s.home, "service", "magento-us", Some("us"));
    let sha = "ab".repeat(32);
    let asset = json!({"sha256": sha, "kind": "image", "generator": "product-image-gan", "surface": "pdp", "uri": "https://eu.example/media/a.jpg"});
    let (st, body) = s.json("POST", "/v1/assets", Some(&eu), Some(asset.clone()));
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["status"], "new");
    let path = format!("/v1/assets/{sha}");
    let (st, body) = s.json("GET", &path, Some(&eu), None);
    assert_eq!(st, 200);
    assert_eq!(
        body["assets"][0]["lineage"]["generator"]["id"],
        "product-image-gan"
    );
    assert!(body["assets"][0]["ledger_index"].is_u64());
    assert_eq!(s.json("GET", &path, Some(&us), None).0, 404);
    assert_eq!(s.json("GET", &path, Some(&s.admin), None).0, 200);
    // Another tenant cannot overwrite it.
    let (st, _) = s.json("POST", "/v1/assets", Some(&us), Some(asset));
    assert_eq!(st, 403);
    // Tenant tokens read the shared records but not the store-wide ledger.
    assert_eq!(s.json("GET", "/v1/flags", Some(&us), None).0, 200);
    assert_eq!(
        s.json("GET", "/v1/ledger/entries/0", Some(&us), None).0,
        403
    );
    let inv = s.json("GET", "/v1/inventory", Some(&us), None).1;
    assert_eq!(inv["assets"], json!([]));
    // Their events carry their tenant.
    let (st, _) = s.json(
        "POST",
        "/v1/events",
        Some(&eu),
        Some(json!({"type": "magento.product_saved", "data": {"sku": "MH01"}})),
    );
    assert_eq!(st, 201);
    assert_eq!(
        s.entries("magento.product_saved")[0]["data"]["tenant"],
        "eu"
    );
}

on_both_stores!(events_are_acknowledged_only_once_durable_and_prove);

fn events_are_acknowledged_only_once_durable_and_prove(s: Server) {
    let s = Arc::new(s);
    let svc = token(&s.home, "service", "shopify-app", None);
    let before = Registry::open(&s.home).unwrap().ledger().size().unwrap();
    let mut handles = Vec::new();
    for t in 0..4 {
        let s = s.clone();
        let svc = svc.clone();
        handles.push(std::thread::spawn(move || {
            (0..25)
                .map(|i| {
                    let (st, b) = s.json(
                        "POST",
                        "/v1/events",
                        Some(&svc),
                        Some(json!({"type": "shopify.order_synced", "data": {"t": t, "i": i}})),
                    );
                    assert_eq!(st, 201, "{b}");
                    b["index"].as_u64().unwrap()
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut indexes: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    indexes.sort();
    indexes.dedup();
    assert_eq!(indexes.len(), 100);
    let reg = Registry::open(&s.home).unwrap();
    assert_eq!(reg.ledger().size().unwrap(), before + 100);
    let report = synthgov_ledger::verify(reg.ledger(), None, &mut |_| {}).unwrap();
    assert!(report.ok, "{report:?}");

    let (st, p) = s.json(
        "GET",
        &format!("/v1/ledger/proof?index={}", indexes[10]),
        Some(&svc),
        None,
    );
    assert_eq!(st, 200);
    assert_eq!(p["index"].as_u64(), Some(indexes[10]));
    let (st, e) = s.json("GET", "/v1/ledger/entries/999999", Some(&svc), None);
    assert_eq!((st, &e["error"]["code"]), (404, &json!("not_found")));

    // Refused input never reaches the log.
    let size = reg.ledger().size().unwrap();
    for bad in [
        json!({"type": "flag.changed", "data": {"flag": "generation", "enabled": false}}),
        json!({"type": "", "data": {}}),
        json!({"type": "x.y", "data": {}, "extra": 1}),
        json!(["not", "an", "object"]),
    ] {
        let (st, b) = s.json("POST", "/v1/events", Some(&svc), Some(bad.clone()));
        assert_eq!(st, 400, "{bad} -> {b}");
        assert!(b["error"]["message"].is_string());
    }
    let (st, _) = s.call("POST", "/v1/events", Some(&svc), None);
    assert_eq!(st, 400);
    // Only the refusal of the reserved type is recorded (`ingest.refused`).
    assert_eq!(reg.ledger().size().unwrap(), size + 1);
    let last = reg.ledger().entry(size).unwrap();
    let last: Value = serde_json::from_slice(&last.leaf).unwrap();
    assert_eq!(last["type"], "ingest.refused");
    assert_eq!(last["data"]["type"], "flag.changed");
    // A body over the limit is refused whole: 413, or the connection closed while
    // the client was still sending the rest (both are refusals; which one the client
    // sees is a race).
    let big = json!({"type": "shopify.big", "data": {"x": "a".repeat(2 << 20)}});
    let sent = s
        .agent
        .post(&format!("{}/v1/events", s.base))
        .header("Authorization", &format!("Bearer {svc}"))
        .header("Content-Type", "application/json")
        .send(big.to_string());
    match sent {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        Err(ureq::Error::Io(e)) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::UnexpectedEof
            ),
            "{e}"
        ),
        Err(e) => panic!("{e}"),
    }
    assert_eq!(reg.ledger().size().unwrap(), size + 1, "only the refusal");
}

on_both_stores!(openapi_lists_every_endpoint_of_the_contract);

fn openapi_lists_every_endpoint_of_the_contract(s: Server) {
    let (st, doc) = s.json("GET", "/openapi.json", None, None);
    assert_eq!(st, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for (method, path) in [
        ("get", "/healthz"),
        ("get", "/metrics"),
        ("get", "/v1/inventory"),
        ("get", "/v1/assets/{sha256}"),
        ("post", "/v1/assets"),
        ("post", "/v1/events"),
        ("post", "/v1/generate"),
        ("get", "/v1/flags"),
        ("put", "/v1/flags/{name}"),
        ("get", "/v1/findings"),
        ("get", "/v1/ledger/checkpoint"),
        ("get", "/v1/ledger/entries/{index}"),
        ("get", "/v1/ledger/proof"),
        ("get", "/v1/ledger/consistency"),
        ("post", "/v1/tokens"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    let (st, m) = s.call("GET", "/metrics", Some(&s.admin), None);
    assert_eq!(st, 200);
    assert!(
        String::from_utf8(m)
            .unwrap()
            .contains("synthgov_ledger_entries")
    );
    let (st, f) = s.json("GET", "/v1/findings", Some(&s.admin), None);
    assert_eq!(st, 200, "{f}");
    assert!(f["governance"]["findings"].is_array());
}

// ---- a tlog-tiles client, from https://c2sp.org/tlog-tiles and RFC 9162 ----

fn leaf_hash(entry: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

fn node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

/// RFC 9162 MTH over leaf hashes.
fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - (n - 1).leading_zeros() - 1);
            node(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// `tile/<L>/<N>[.p/<W>]`, N in groups of three digits, all but the last prefixed x.
fn tile_path(level: &str, n: u64, w: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    let mut rest = n / 1000;
    while rest > 0 {
        groups.push(format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.reverse();
    let p = if w == 256 {
        String::new()
    } else {
        format!(".p/{w}")
    };
    format!("/tlog/tile/{level}/{}{p}", groups.join("/"))
}

on_both_stores!(a_tile_client_written_from_the_spec_follows_the_log);

fn a_tile_client_written_from_the_spec_follows_the_log(s: Server) {
    {
        let mut reg = Registry::open(&s.home).unwrap();
        let a = Actor::new("t");
        for i in 0..600 {
            let mut d = serde_json::Map::new();
            d.insert("i".into(), json!(i));
            reg.append_external(&a, "magento.test", d, None).unwrap();
        }
    }
    let (st, cp) = s.call("GET", "/tlog/checkpoint", None, None);
    assert_eq!(st, 200);
    let cp = String::from_utf8(cp).unwrap();
    let lines: Vec<&str> = cp.lines().collect();
    let size: u64 = lines[1].parse().unwrap();
    let root = B64.decode(lines[2]).unwrap();
    assert!(size > 600);

    // Level 0: every leaf hash, from full tiles and the last partial one.
    let mut leaves = Vec::new();
    let mut entries = Vec::new();
    for n in 0..size.div_ceil(256) {
        let w = (size - n * 256).min(256);
        let (st, tile) = s.call("GET", &tile_path("0", n, w), None, None);
        assert_eq!(st, 200, "{}", tile_path("0", n, w));
        assert_eq!(tile.len() as u64, w * 32);
        leaves.extend(tile.chunks(32).map(|c| <[u8; 32]>::try_from(c).unwrap()));
        let (st, bundle) = s.call("GET", &tile_path("entries", n, w), None, None);
        assert_eq!(st, 200);
        let mut rest = &bundle[..];
        while !rest.is_empty() {
            let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
            entries.push(rest[2..2 + len].to_vec());
            rest = &rest[2 + len..];
        }
    }
    assert_eq!(entries.len() as u64, size);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(
            leaf_hash(e),
            leaves[i],
            "entry {i} does not hash to its tile leaf"
        );
    }
    assert_eq!(
        mth(&leaves).to_vec(),
        root,
        "tiles do not rebuild the checkpoint root"
    );

    // Level 1: the root of each complete 256-leaf subtree.
    let full = size / 256;
    let (st, l1) = s.call("GET", &tile_path("1", 0, full), None, None);
    assert_eq!(st, 200);
    for j in 0..full as usize {
        assert_eq!(
            &l1[j * 32..j * 32 + 32],
            &mth(&leaves[j * 256..j * 256 + 256])[..]
        );
    }
    // Beyond the tree, or spelled non-canonically: 404.
    assert_eq!(
        s.call("GET", &tile_path("0", full + 1, 256), None, None).0,
        404
    );
    assert_eq!(s.call("GET", "/tlog/tile/0/x000/000", None, None).0, 404);
    assert_eq!(s.call("GET", &tile_path("1", 0, 256), None, None).0, 404);
}

on_both_stores!(the_role_matrix_of_the_contract);

/// api.md's role table, endpoint by endpoint: no token and a bad token get 401;
/// each role gets its 2xx or 403; every 403 adds exactly one `access.denied`.
fn the_role_matrix_of_the_contract(s: Server) {
    const ROLES: [&str; 5] = ["admin", "compliance", "engineer", "service", "auditor"];
    let toks: Vec<(&str, String)> = ROLES
        .iter()
        .map(|r| (*r, token(&s.home, r, &format!("matrix-{r}"), None)))
        .collect();
    // An asset every role can look up, and a ledger to prove against.
    apply_example_inventory(&s.home);
    let sha = "ab".repeat(32);
    let (st, b) = s.json(
        "POST",
        "/v1/assets",
        Some(&s.admin),
        Some(json!({"sha256": sha, "kind": "image", "generator": "product-image-gan", "uri": "matrix://seed"})),
    );
    assert_eq!(st, 201, "{b}");

    type Body = fn(&str) -> Option<Value>;
    // (method, path, body for a role, roles allowed, success status)
    let any: &[&str] = &ROLES;
    let cases: Vec<(&str, String, Body, &[&str], u16)> = vec![
        ("GET", "/metrics".into(), |_| None, any, 200),
        ("GET", "/v1/inventory".into(), |_| None, any, 200),
        ("GET", format!("/v1/assets/{sha}"), |_| None, any, 200),
        (
            "POST",
            "/v1/assets".into(),
            |r| {
                let sha = format!("{:0>64}", hex_of(r));
                Some(
                    json!({"sha256": sha, "kind": "text", "generator": "description-llm", "uri": format!("matrix://{r}")}),
                )
            },
            &["admin", "compliance", "engineer", "service"],
            201,
        ),
        (
            "POST",
            "/v1/events".into(),
            |r| Some(json!({"type": "magento.matrix", "data": {"role": r}})),
            &["admin", "service"],
            201,
        ),
        (
            "POST",
            "/v1/generate".into(),
            |_| Some(json!({"entity": "customers", "rows": 5, "seed": 1})),
            &["admin", "engineer"],
            201,
        ),
        ("GET", "/v1/flags".into(), |_| None, any, 200),
        ("GET", "/v1/flags/generation".into(), |_| None, any, 200),
        (
            "PUT",
            "/v1/flags/audit_mode".into(),
            |_| Some(json!({"enabled": true, "reason": "matrix"})),
            &["admin", "compliance"],
            200,
        ),
        ("GET", "/v1/findings".into(), |_| None, any, 200),
        ("GET", "/v1/ledger/checkpoint".into(), |_| None, any, 200),
        ("GET", "/v1/ledger/entries/0".into(), |_| None, any, 200),
        ("GET", "/v1/ledger/proof?index=0".into(), |_| None, any, 200),
        (
            "GET",
            "/v1/ledger/consistency?old=1".into(),
            |_| None,
            any,
            200,
        ),
        (
            "POST",
            "/v1/tokens".into(),
            |r| Some(json!({"role": "auditor", "name": format!("made-by-{r}")})),
            &["admin"],
            201,
        ),
    ];
    let mut denials = s.entries("access.denied").len();
    for (method, path, body, allowed, ok) in &cases {
        for bad in [None, Some("sgt_not-a-token")] {
            let (st, b) = s.json(method, path, bad, body("none"));
            assert_eq!(st, 401, "{method} {path} with {bad:?}: {b}");
        }
        for (role, tok) in &toks {
            let (st, b) = s.json(method, path, Some(tok), body(role));
            if allowed.contains(role) {
                assert_eq!(st, *ok, "{method} {path} as {role}: {b}");
            } else {
                assert_eq!(st, 403, "{method} {path} as {role}: {b}");
                assert_eq!(b["error"]["code"], "forbidden");
                let now = s.entries("access.denied");
                assert_eq!(
                    now.len(),
                    denials + 1,
                    "{method} {path} as {role}: one denial event"
                );
                assert_eq!(now[denials]["data"]["role"], *role);
                denials += 1;
            }
        }
    }
    // The unauthenticated endpoints.
    for path in ["/healthz", "/openapi.json", "/tlog/checkpoint"] {
        assert_eq!(s.call("GET", path, None, None).0, 200, "{path}");
    }
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The example store's inventory: generators to register against.
fn apply_example_inventory(home: &Home) {
    let mut reg = Registry::open(home).unwrap();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/inventory.yaml");
    let text = std::fs::read_to_string(file).unwrap();
    let rules = synthgov_registry::classify::RuleSet::load(None).unwrap();
    let inv = synthgov_registry::parse::parse_inventory(file, &text, &rules.use_cases()).unwrap();
    synthgov_registry::apply::apply(&mut reg, &Actor::new("t"), &inv, false, false).unwrap();
}

/// Classification v2 over HTTP: anyone reads it (judged on `as_of`), compliance
/// assesses and approves, an engineer is refused both (403, `access.denied`), and the
/// refusals of the library (approval of an out-of-date assessment) are 400.
fn assessments_need_the_compliance_role(s: Server) {
    apply_example_inventory(&s.home);
    let engineer = token(&s.home, "engineer", "eng", None);
    let compliance = token(&s.home, "compliance", "ana", None);
    let (st, v) = s.json(
        "GET",
        "/v1/classification?system=patient-triage&as_of=2027-12-02",
        Some(&engineer),
        None,
    );
    assert_eq!(st, 200, "{v}");
    let art9 = v[0]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["citation"] == "EU AI Act Art. 9")
        .unwrap()
        .clone();
    assert_eq!(
        (art9["applies_from"].as_str(), art9["in_force"].as_bool()),
        (Some("2027-12-02"), Some(true))
    );
    assert_eq!(
        s.json(
            "GET",
            "/v1/classification?as_of=someday",
            Some(&engineer),
            None
        )
        .0,
        400
    );
    assert_eq!(
        s.json(
            "GET",
            "/v1/classification?system=nope",
            Some(&engineer),
            None
        )
        .0,
        404
    );

    let body = json!({"answers": {"people_affected": 4000}});
    let path = "/v1/systems/patient-triage/assessments";
    assert_eq!(
        s.json("POST", path, Some(&engineer), Some(body.clone())).0,
        403
    );
    let (st, v) = s.json("POST", path, Some(&compliance), Some(body));
    assert_eq!(st, 201, "{v}");
    assert_eq!(
        v["assessment"]["assessor"],
        json!(format!(
            "api:ana#{}",
            v["assessment"]["assessor"]
                .as_str()
                .unwrap()
                .split('#')
                .nth(1)
                .unwrap()
        ))
    );
    let bad = json!({"answers": {"profilng": true}});
    let (st, v) = s.json("POST", path, Some(&compliance), Some(bad));
    assert_eq!(st, 400, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("profilng"),
        "{v}"
    );

    let approval = "/v1/systems/patient-triage/approval";
    let reason = json!({"reason": "risk file reviewed"});
    assert_eq!(
        s.json("POST", approval, Some(&engineer), Some(reason.clone()))
            .0,
        403
    );
    let (st, v) = s.json("POST", approval, Some(&compliance), Some(reason.clone()));
    assert_eq!(st, 201, "{v}");
    let (_, c) = s.json(
        "GET",
        "/v1/classification?system=patient-triage",
        Some(&engineer),
        None,
    );
    assert_eq!(c[0]["assessment"]["current"], true, "{c}");
    assert_eq!(s.entries("assessment").len(), 2);
    let denied = s.entries("access.denied");
    assert!(
        denied
            .iter()
            .filter(|e| e["data"]["action"] == "assess" || e["data"]["action"] == "approve")
            .count()
            >= 2,
        "{denied:?}"
    );
    // Approving again with nothing recorded since is fine; approving a system that was
    // never assessed is a 400 naming what to do.
    let (st, v) = s.json(
        "POST",
        "/v1/systems/checkout-fraud/approval",
        Some(&compliance),
        Some(reason),
    );
    assert_eq!(st, 400, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("synthgov assess"),
        "{v}"
    );
}
on_both_stores!(incidents_are_listed_with_their_clocks);

/// `GET /v1/incidents` gives what `synthgov incident list --json` gives: the open
/// incidents with their regulatory clocks judged now.
fn incidents_are_listed_with_their_clocks(s: Server) {
    {
        let mut reg = Registry::open(&s.home).unwrap();
        let (rules, dates) = synthgov_registry::classify::RuleSet::load_home(&s.home).unwrap();
        synthgov_registry::incident::open(
            &mut reg,
            &synthgov_registry::incident::IncidentRules::shipped(),
            (&rules, &dates),
            &Actor::new("t"),
            synthgov_registry::incident::Facts {
                kind: "personal_data_breach".into(),
                title: "export of customer rows".into(),
                detected_at: Some("2026-01-05T09:00:00Z".into()),
                jurisdictions: vec!["EU".into()],
                personal_data: true,
                affected: 1200,
                ..Default::default()
            },
        )
        .unwrap();
    }
    assert_eq!(s.json("GET", "/v1/incidents", None, None).0, 401);
    let auditor = token(&s.home, "auditor", "ext-auditor", None);
    let (st, v) = s.json("GET", "/v1/incidents", Some(&auditor), None);
    assert_eq!(st, 200, "{v}");
    let list = v["incidents"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{v}");
    assert_eq!(list[0]["kind"], "personal_data_breach");
    // GDPR Art. 33's 72 hours ran out long ago.
    assert!(!list[0]["clocks"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(
        (&list[0]["overdue"], &v["overdue"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(
        s.json("GET", "/v1/incidents?all=true", Some(&auditor), None)
            .0,
        200
    );
    assert_eq!(
        s.json("GET", "/v1/incidents?colour=1", Some(&auditor), None)
            .0,
        400
    );
}

on_both_stores!(assessments_need_the_compliance_role);
