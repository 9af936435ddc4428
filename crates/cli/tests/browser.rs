//! A disclosed product page in a real browser: Debian's chromium, headless, driven by
//! playwright-core with axe-core injected (tools/node/a11y.mjs). Zero axe
//! violations; the widget opens on hover and on keyboard focus without moving
//! anything; the disclosure is in the accessibility tree.

mod common;

use std::process::Command;

use common::{Env, node_tools, path_str, repo, shared, tool};
use serde_json::Value;

#[test]
fn disclosed_product_page_is_accessible_in_chromium() {
    let Some(tools) = node_tools() else { return };
    if !tool("chromium", Command::new("chromium").arg("--version")) {
        return;
    }
    let Some(photo) = shared("testdata/c2pa/earth_apollo17.jpg") else {
        return;
    };
    let env = Env::new();
    assert_eq!(
        env.run(&["apply", path_str(&repo().join("examples/inventory.yaml"))])
            .code,
        0
    );
    let site = env.dir.path().join("site");
    std::fs::create_dir_all(site.join("media")).unwrap();
    std::fs::copy(
        common::repo().join("crates/cli/tests/fixtures/product-page/index.html"),
        site.join("index.html"),
    )
    .unwrap();
    std::fs::copy(photo, site.join("media/chamomile-mint.jpg")).unwrap();
    let r = env.run(&[
        "register",
        path_str(&site.join("media/chamomile-mint.jpg")),
        "--generator",
        "product-image-gan",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let desc = common::fixture().join("registered/description.html");
    assert_eq!(
        env.run(&[
            "register",
            path_str(&desc),
            "--generator",
            "description-llm"
        ])
        .code,
        0
    );

    // The page as published fails the gate; disclosed, it passes.
    assert_eq!(env.run(&["scan", "storefront", path_str(&site)]).code, 1);
    let out = env.dir.path().join("out");
    let r = env.run(&[
        "disclose",
        "html",
        path_str(&site),
        "--out",
        path_str(&out),
        "--mark-images",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["scan", "storefront", path_str(&out)]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    let shot = std::env::var_os("SYNTHGOV_SCREENSHOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env.dir.path().join("disclosure.png"));
    let o = Command::new("node")
        .arg(tools.join("a11y.mjs"))
        .arg(out.join("index.html"))
        .arg(&shot)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["violations"], serde_json::json!([]), "{v:#}");
    for check in [
        "closed_at_rest",
        "opens_on_hover",
        "no_layout_shift",
        "closes_after_hover",
        "focusable",
        "opens_on_focus",
        "detail_in_tree",
    ] {
        assert_eq!(v[check], true, "{check}: {v:#}");
    }
    let descriptions = v["descriptions"].to_string();
    assert!(
        descriptions.contains("AI-generated image, made by product-image-gan"),
        "{descriptions}"
    );
    assert!(
        descriptions.contains("AI-generated text, made by description-llm"),
        "{descriptions}"
    );
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "no screenshot"
    );

    // The control: the undisclosed page is not accessible as a disclosure (the
    // script finds no widget and says so), so the checks above can fail.
    let o = Command::new("node")
        .arg(tools.join("a11y.mjs"))
        .arg(site.join("index.html"))
        .arg(env.dir.path().join("control.png"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no disclosure widget"));
}

/// Every element of the real Magento and Shopify pages in ../shared (saved from live
/// stores, not written here): the selector synthgov's parser makes for it must match
/// exactly that element in Chromium's DOM (same tag, same text), so a finding's
/// selector can be pasted into devtools.
#[test]
fn finding_selectors_match_one_element_in_chromium() {
    let Some(tools) = node_tools() else { return };
    if !tool("chromium", Command::new("chromium").arg("--version")) {
        return;
    }
    let Some(root) = shared("testdata/storefront-real") else {
        return;
    };
    let mut files: Vec<_> = ["magento", "shopify"]
        .iter()
        .flat_map(|d| walkdir::WalkDir::new(root.join(d)))
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "htm"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "real pages missing under {}",
        root.display()
    );

    let mut input = Vec::new();
    let mut elements = 0;
    let mut approximate = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let decoded = synthgov_scan::charset::decode(&bytes, None).unwrap();
        let html = String::from_utf8(decoded.text.into_owned()).unwrap();
        let page = synthgov_scan::html::parse(html.as_bytes()).unwrap();
        let mut checks = Vec::new();
        let mut in_template = u32::MAX;
        for (i, node) in page.nodes.iter().enumerate() {
            let i = i as u32;
            // Template content is a separate fragment, outside the document's tree.
            if in_template != u32::MAX && page.is_within(i, in_template) {
                continue;
            }
            if &*node.tag == "template" {
                in_template = i;
            }
            // Where the parser says its tree is approximate (a block inside a
            // misnested formatting element): counted, not checked.
            if page
                .approximate
                .iter()
                .any(|&a| a != i && a != u32::MAX && page.is_within(i, a))
            {
                approximate += 1;
                continue;
            }
            let holds_template =
                (i + 1..=node.last_desc).any(|d| &*page.nodes[d as usize].tag == "template");
            let text: Vec<char> = page
                .text_of(i)
                .split_ascii_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .collect();
            let head: String = text.iter().take(24).collect();
            let tail: String = text[text.len().saturating_sub(24)..].iter().collect();
            checks.push(serde_json::json!({
                "sel": page.selector(i),
                "tag": &*node.tag,
                "len": text.len(),
                "head": head,
                "tail": tail,
                "text": !holds_template,
            }));
        }
        elements += checks.len();
        input.push(serde_json::json!({
            "name": f.strip_prefix(&root).unwrap().display().to_string(),
            "html": html,
            "checks": checks,
        }));
    }
    let env = Env::new();
    let file = std::env::var_os("SYNTHGOV_SELECTOR_CHECKS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env.dir.path().join("checks.json"));
    std::fs::write(&file, serde_json::to_vec(&input).unwrap()).unwrap();
    let o = Command::new("node")
        .arg(tools.join("selectors.mjs"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut report = String::new();
    let mut failed = 0;
    for p in v.as_array().unwrap() {
        let fails = p["failures"].as_array().unwrap();
        failed += fails.len();
        report += &format!("{}: {} of {} wrong\n", p["name"], fails.len(), p["checked"]);
        for f in fails.iter().take(8) {
            report += &format!("{}: {} {}\n", p["name"], f["sel"], f["why"]);
        }
    }
    eprintln!(
        "{elements} selectors checked in Chromium on {} pages; {approximate} elements in approximate regions skipped",
        files.len()
    );
    assert!(elements > 10_000, "only {elements} elements checked");
    assert!(
        approximate * 100 < elements,
        "{approximate} elements in approximate regions"
    );
    assert_eq!(
        failed, 0,
        "{failed} of {elements} selectors wrong:\n{report}"
    );
}
