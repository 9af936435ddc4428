//! `disclose shopify` and `disclose magento`: platform write-back. The HTTP paths run
//! against a local server that checks every request's method, path, headers and body
//! (Shopify's and Magento's APIs cannot run here); the Magento database path runs on
//! the real MariaDB with Magento's tables. Dry run by default, retries on 429/5xx,
//! and a journal that makes an interrupted run resume without resending anything.

mod common;

#[path = "../../platform/tests/support/magento_db.rs"]
mod magento_db;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::{Env, path_str};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Script = dyn Fn(usize, &Request) -> (u16, Vec<(&'static str, String)>, String) + Send + Sync;

/// A one-request-per-connection HTTP/1.1 server on loopback that records requests
/// and answers as `script` says (request number from 0).
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start(script: Box<Script>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("").to_owned();
                let path = parts.next().unwrap_or("").to_owned();
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap();
                    headers.push((k.trim().to_owned(), v.trim().to_owned()));
                }
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                let req = Request {
                    method,
                    path,
                    headers,
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                };
                let (status, extra, text) = script(n, &req);
                log.lock().unwrap().push(req);
                let mut resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                    text.len()
                );
                for (k, v) in extra {
                    resp.push_str(&format!("{k}: {v}\r\n"));
                }
                resp.push_str("\r\n");
                resp.push_str(&text);
                let _ = stream.write_all(resp.as_bytes());
            }
        });
        Server { url, seen }
    }

    fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

fn ok_graphql() -> String {
    json!({"data": {"metafieldsSet": {"metafields": [], "userErrors": []}}}).to_string()
}

/// 14 products marked AI-generated without a disclosure, one with, one real.
fn shopify_export(env: &Env) -> std::path::PathBuf {
    let mut products = Vec::new();
    for i in 0..14 {
        products.push(json!({
            "id": 1000 + i, "handle": format!("ai-{i}"), "body_html": format!("<p>Generated copy {i}.</p>"),
            "images": [], "metafields": [{"namespace": "synthgov", "key": "ai_generated", "value": "true"}],
        }));
    }
    products.push(json!({"id": 2000, "handle": "disclosed", "body_html": "<p>x</p>", "images": [], "metafields": [
        {"namespace": "synthgov", "key": "ai_generated", "value": "true"},
        {"namespace": "synthgov", "key": "disclosure", "value": "AI-generated content"}]}));
    products.push(json!({"id": 3000, "handle": "real", "body_html": "<p>Photographed.</p>", "images": [], "metafields": []}));
    env.write(
        "products.json",
        json!({"products": products}).to_string().as_bytes(),
    )
}

/// The same arguments against another server (`--shop URL`).
fn with_shop<'a>(args: &[&'a str], url: &'a str) -> Vec<&'a str> {
    let at = args.iter().position(|a| *a == "--shop").unwrap() + 1;
    let mut v = args.to_vec();
    v[at] = url;
    v
}

fn run_with_token(env: &Env, var: &str, args: &[&str]) -> common::Run {
    let mut c = env.command(args);
    c.env(var, "tok_test_123");
    c.stdin(std::process::Stdio::null());
    common::to_run(c.output().unwrap())
}

#[test]
fn shopify_metafields_batched_retried_and_resumed() {
    let env = Env::new();
    let export = shopify_export(&env);

    // Dry run: the plan, no request.
    let r = env.run(&[
        "--json",
        "disclose",
        "shopify",
        "--json-file",
        path_str(&export),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan = r.json()["plan"].as_array().unwrap().clone();
    assert_eq!(plan.len(), 14);
    assert_eq!(plan[0]["owner_id"], "gid://shopify/Product/1000");

    // Run 1: throttled once (429), first batch succeeds, second batch keeps failing.
    let server = Server::start(Box::new(|n, _| match n {
        0 => (429, vec![("Retry-After", "0".into())], "{}".into()),
        1 => (200, vec![], ok_graphql()),
        _ => (503, vec![], "{\"errors\":\"unavailable\"}".into()),
    }));
    let journal = env.dir.path().join("journal.jsonl");
    let args = [
        "--json",
        "disclose",
        "shopify",
        "--json-file",
        path_str(&export),
        "--shop",
        &server.url,
        "--apply",
        "--journal",
        path_str(&journal),
        "--attempts",
        "2",
    ];
    let r = run_with_token(&env, "SYNTHGOV_SHOPIFY_TOKEN", &args);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let rep = &r.json()["report"];
    assert_eq!(rep["applied"].as_array().unwrap().len(), 12, "{rep}");
    assert_eq!(rep["failed"].as_array().unwrap().len(), 2, "{rep}");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4, "429, 200, 503, 503");
    for q in &reqs {
        assert_eq!(q.method, "POST");
        assert_eq!(q.path, "/admin/api/2025-01/graphql.json");
        assert_eq!(q.header("X-Shopify-Access-Token"), Some("tok_test_123"));
        assert!(
            q.header("Content-Type")
                .unwrap()
                .starts_with("application/json")
        );
        assert!(q.body["query"].as_str().unwrap().contains("metafieldsSet("));
    }
    let first = reqs[1].body["variables"]["metafields"].as_array().unwrap();
    assert_eq!(first.len(), 24, "12 products x 2 metafields");
    assert_eq!(
        first[0],
        json!({"ownerId": "gid://shopify/Product/1000", "namespace": "synthgov", "key": "ai_generated", "type": "boolean", "value": "true"})
    );
    assert_eq!(
        first[1],
        json!({"ownerId": "gid://shopify/Product/1000", "namespace": "synthgov", "key": "disclosure", "type": "single_line_text_field", "value": "AI-generated content"})
    );
    assert_eq!(
        reqs[0].body, reqs[1].body,
        "the retry resends the same batch"
    );
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap().lines().count(),
        12
    );

    // Run 2: the service is back; only the two left are sent.
    let server = Server::start(Box::new(|_, _| (200, vec![], ok_graphql())));
    let args2 = with_shop(&args, &server.url);
    let r = run_with_token(&env, "SYNTHGOV_SHOPIFY_TOKEN", &args2);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let owners: Vec<&str> = reqs[0].body["variables"]["metafields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ownerId"].as_str().unwrap())
        .collect();
    assert_eq!(
        owners,
        [
            "gid://shopify/Product/1012",
            "gid://shopify/Product/1012",
            "gid://shopify/Product/1013",
            "gid://shopify/Product/1013"
        ]
    );
    assert_eq!(r.json()["report"]["skipped"].as_array().unwrap().len(), 12);

    // Run 3: nothing left; no request at all.
    let server = Server::start(Box::new(|_, _| (500, vec![], "{}".into())));
    let args3 = with_shop(&args, &server.url);
    let r = run_with_token(&env, "SYNTHGOV_SHOPIFY_TOKEN", &args3);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(server.requests().is_empty());

    // A refused token stops at once and journals nothing; no token is a usage error.
    let env2 = Env::new();
    let server = Server::start(Box::new(|_, _| {
        (401, vec![], "{\"errors\":\"[API] Invalid API key\"}".into())
    }));
    let j2 = env2.dir.path().join("j.jsonl");
    let r = run_with_token(
        &env2,
        "SYNTHGOV_SHOPIFY_TOKEN",
        &[
            "disclose",
            "shopify",
            "--json-file",
            path_str(&export),
            "--shop",
            &server.url,
            "--apply",
            "--journal",
            path_str(&j2),
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("token was refused"), "{}", r.stderr);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(std::fs::read_to_string(&j2).unwrap_or_default(), "");
    let r = env2.run(&[
        "disclose",
        "shopify",
        "--json-file",
        path_str(&export),
        "--shop",
        &server.url,
        "--apply",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("SYNTHGOV_SHOPIFY_TOKEN"), "{}", r.stderr);

    let events = env.run(&["ledger", "list", "--json", "--limit", "1000"]);
    assert_eq!(
        events.stdout.matches("disclosure.platform_applied").count(),
        3,
        "{}",
        events.stdout
    );
}

#[test]
fn magento_rest_and_database_write_back() {
    let Some(server_url) = magento_db::server_url() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (db, ai_skus) = rt.block_on(async {
        let (url, pool) = magento_db::fresh_magento_db(&server_url, "writeback").await;
        let products = magento_db::load_luma(&pool, "ai_generated").await;
        sqlx::query("INSERT INTO eav_attribute (attribute_id, entity_type_id, attribute_code, backend_type, frontend_input, is_required, is_user_defined) VALUES (201, 4, 'ai_disclosure_text', 'varchar', 'text', 0, 1)")
            .execute(&pool).await.unwrap();
        pool.close().await;
        let skus: Vec<String> = products.iter().filter(|p| p.ai_generated).map(|p| p.sku.clone()).collect();
        (url, skus)
    });
    assert!(ai_skus.len() >= 3);
    let env = Env::new();
    let r = env.run(&["--json", "disclose", "magento", "--db", &db]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan: Vec<String> = r.json()["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["product"].as_str().unwrap().to_owned())
        .collect();
    let mut want = ai_skus.clone();
    want.sort();
    let mut got = plan.clone();
    got.sort();
    assert_eq!(got, want);

    // REST: one PUT per SKU, the second answered 503 once.
    let server = Server::start(Box::new(|n, _| {
        if n == 1 {
            (503, vec![], "{}".into())
        } else {
            (200, vec![], "{}".into())
        }
    }));
    let r = run_with_token(
        &env,
        "SYNTHGOV_MAGENTO_TOKEN",
        &[
            "--json",
            "disclose",
            "magento",
            "--db",
            &db,
            "--rest-url",
            &server.url,
            "--apply",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), plan.len() + 1);
    assert_eq!(
        reqs[1].body, reqs[2].body,
        "the 503 is retried with the same body"
    );
    for q in &reqs {
        assert_eq!(q.method, "PUT");
        assert_eq!(q.header("Authorization"), Some("Bearer tok_test_123"));
        let sku = q.body["product"]["sku"].as_str().unwrap();
        let encoded: String = url::form_urlencoded::byte_serialize(sku.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        assert_eq!(q.path, format!("/rest/V1/products/{encoded}"));
        assert_eq!(
            q.body["product"]["custom_attributes"],
            json!([{"attribute_code": "ai_generated", "value": "1"}, {"attribute_code": "ai_disclosure_text", "value": "AI-generated content"}])
        );
    }
    // Again: the journal has them all; nothing is sent.
    let server2 = Server::start(Box::new(|_, _| (200, vec![], "{}".into())));
    let r = run_with_token(
        &env,
        "SYNTHGOV_MAGENTO_TOKEN",
        &[
            "disclose",
            "magento",
            "--db",
            &db,
            "--rest-url",
            &server2.url,
            "--apply",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(server2.requests().is_empty());

    // The database path: one transaction; afterwards the plan is empty.
    let r = env.run(&[
        "--json",
        "disclose",
        "magento",
        "--db",
        &db,
        "--apply",
        "--label",
        "Created with AI",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.json()["report"]["applied"].as_array().unwrap().len(),
        plan.len()
    );
    let r = env.run(&["--json", "disclose", "magento", "--db", &db]);
    assert_eq!(r.json()["plan"], json!([]), "{}", r.stdout);
    let labels: Vec<String> = rt.block_on(async {
        let pool = sqlx::MySqlPool::connect(&db).await.unwrap();
        sqlx::query_scalar("SELECT CAST(value AS CHAR) FROM catalog_product_entity_varchar WHERE attribute_id = 201 AND store_id = 0")
            .fetch_all(&pool).await.unwrap()
    });
    assert_eq!(labels.len(), plan.len());
    assert!(labels.iter().all(|l| l == "Created with AI"));
}

/// `scan magento --format sarif` on the real MariaDB with Magento's tables and the Luma
/// catalog, plus an env.php in a folder with spaces and `ü`: sarif-multitool (Sarif
/// and GitHub rules) finds nothing; the env.php settings are placed at their lines;
/// database rows are logical locations, and the CLI warns that GitHub code scanning
/// would refuse such a file.
#[test]
fn magento_scan_sarif_passes_sarif_multitool() {
    let Some(server_url) = magento_db::server_url() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(async {
        let (url, pool) = magento_db::fresh_magento_db(&server_url, "sarif").await;
        magento_db::load_luma(&pool, "ai_generated").await;
        pool.close().await;
        url
    });
    let env = Env::new();
    let etc = env.dir.path().join("repo/app dir ü/etc");
    std::fs::create_dir_all(&etc).unwrap();
    let env_php = etc.join("env.php");
    std::fs::write(
        &env_php,
        "<?php\nreturn [\n  'synthgov' => [\n    'endpoint' => 'http://governance.internal/api',\n    'http' => ['verify_peer' => false],\n  ],\n];\n",
    )
    .unwrap();
    let out = env.dir.path().join("magento.sarif");
    let r = env.run(&[
        "scan",
        "magento",
        "--db",
        &db,
        "--env",
        path_str(&env_php),
        "--format",
        "sarif",
        "--output",
        path_str(&out),
        "--repo-root",
        path_str(&env.dir.path().join("repo")),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("GitHub code scanning rejects such a file"),
        "{}",
        r.stderr
    );
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "SG-DISC-003"));
    let tls: Vec<(&str, &Value)> = results
        .iter()
        .filter(|r| r["ruleId"].as_str().unwrap().starts_with("SG-TLS"))
        .map(|r| {
            let phys = &r["locations"][0]["physicalLocation"];
            assert_eq!(
                phys["artifactLocation"]["uri"], "app%20dir%20%C3%BC/etc/env.php",
                "{r}"
            );
            (r["ruleId"].as_str().unwrap(), &phys["region"]["startLine"])
        })
        .collect();
    assert_eq!(
        tls,
        vec![("SG-TLS-001", &json!(4)), ("SG-TLS-002", &json!(5))]
    );
    for r in results {
        assert!(r["partialFingerprints"]["synthgovFinding/v1"].is_string());
    }
    if let Some(problems) = common::sarif_multitool(&out) {
        assert!(problems.is_empty(), "sarif-multitool: {problems:#?}");
    }
}
