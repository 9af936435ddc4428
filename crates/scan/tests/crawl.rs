//! Crawling a live store: a small HTTP/1.1 server on 127.0.0.1 serves the fixture
//! storefront, a robots.txt, a redirect loop and links off the origin.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use synthgov_registry::registry::AssetRow;
use synthgov_scan::crawl::{CrawlOptions, crawl};
use synthgov_scan::known::Known;
use synthgov_scan::rules::Catalog;
use synthgov_scan::storefront::Ctx;

fn site() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/fixtures/storefront/site")
}

/// Serves `root` until the process ends; returns the base URL.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let root = root.clone();
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut rd = BufReader::new(s.try_clone().unwrap());
                if rd.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if rd.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, ctype, body, extra): (&str, &str, Vec<u8>, String) = match path.as_str() {
                    "/robots.txt" => ("200 OK", "text/plain", b"User-agent: *\nDisallow: /private/\n".to_vec(), String::new()),
                    "/" => (
                        "200 OK",
                        "text/html",
                        b"<html><body><a href=\"/index.html\">home</a> <a href=\"catalog/disc-001.html\">1</a> <a href=\"/catalog/disc-003.html#x\">3</a> <a href=\"/private/secret.html\">p</a> <a href=\"/loop\">loop</a> <a href=\"https://elsewhere.example/\">out</a></body></html>".to_vec(),
                        String::new(),
                    ),
                    "/loop" => ("302 Found", "text/html", Vec::new(), "Location: /loop\r\n".into()),
                    p => match std::fs::read(root.join(p.trim_start_matches('/'))) {
                        Ok(b) => {
                            let ct = if p.ends_with(".png") { "image/png" } else { "text/html" };
                            ("200 OK", ct, b, String::new())
                        }
                        Err(_) => ("404 Not Found", "text/plain", b"nope".to_vec(), String::new()),
                    },
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(&body);
            });
        }
    });
    base
}

fn known() -> Known {
    let reg =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/fixtures/storefront/registered");
    let row = |name: &str, sha: String, kind: &str| AssetRow {
        uri: format!("file:///{name}"),
        sha256: Some(sha),
        kind: kind.into(),
        generator: Some("gen".into()),
        dataset: None,
        surface: None,
        platform: None,
        ai_generated: true,
        bytes: None,
        attrs: serde_json::Value::Null,
    };
    let img = |n: &str| hex::encode(Sha256::digest(std::fs::read(reg.join(n)).unwrap()));
    let text = synthgov_core::text::html_sha256(
        &std::fs::read_to_string(reg.join("description.html")).unwrap(),
    );
    Known::from_assets(&[
        row("ai-marked.png", img("ai-marked.png"), "image"),
        row("ai-unmarked.png", img("ai-unmarked.png"), "image"),
        row("description.html", text, "text"),
    ])
}

#[test]
fn crawls_same_origin_honours_robots_and_survives_redirect_loops() {
    let base = serve(site());
    let known = known();
    let catalog = Catalog::shipped();
    let ctx = Ctx::new(&known, &catalog);
    let opts = CrawlOptions {
        max_pages: 50,
        max_depth: 3,
        concurrency: 3,
        timeout: Duration::from_secs(10),
        max_page_bytes: 1 << 20,
    };
    let (r, pages) = crawl(&ctx, &format!("{base}/"), &opts, &|| {}).unwrap();
    // "/", index.html, disc-001, disc-003.
    assert_eq!(pages, 4, "{:#?}", r.problems);
    let mut got: Vec<(String, String, u64)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.location.uri.replace(&base, ""),
                f.location.line.unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("SG-DISC-001".into(), "/catalog/disc-001.html".into(), 5),
            ("SG-DISC-003".into(), "/catalog/disc-003.html".into(), 5),
        ]
    );
    let problems: Vec<(String, String)> = r
        .problems
        .iter()
        .map(|p| (p.uri.replace(&base, ""), p.message.clone()))
        .collect();
    assert!(
        problems.contains(&(
            "/private/secret.html".into(),
            "disallowed by robots.txt".into()
        )),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|(u, m)| u == "/loop" && m.contains("redirect")),
        "{problems:#?}"
    );
    assert!(
        !problems.iter().any(|(u, _)| u.contains("elsewhere")),
        "other origins are not fetched"
    );
}

#[test]
fn a_bad_base_url_is_an_error() {
    let known = Known::default();
    let catalog = Catalog::shipped();
    let ctx = Ctx::new(&known, &catalog);
    assert!(crawl(&ctx, "ftp://x/", &CrawlOptions::default(), &|| {}).is_err());
    assert!(crawl(&ctx, "not a url", &CrawlOptions::default(), &|| {}).is_err());
}
