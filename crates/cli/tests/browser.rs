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
    // SYNTHGOV_SELECTOR_CHECKS=FILE keeps the input, to rerun selectors.mjs on it by hand.
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

/// The real Magento and Shopify pages in ../shared (a thumbnail slider and sale badges
/// on Phuler, hover overlays on Yummi's product grid, Leon Paul's closed cookie modal),
/// with their images and some of their texts registered as AI-generated and then
/// disclosed in place: in Chromium every note is visible when its item is, is not
/// covered, moves its item by at most 4 px, is not cloned by the page's scripts, and
/// the scripts log no error the original does not.
#[test]
fn notes_on_real_themes_are_visible_uncovered_and_move_nothing_in_chromium() {
    use synthgov_scan::html::Via;
    use synthgov_scan::storefront::{FolderMedia, FolderOptions};
    let Some(tools) = node_tools() else { return };
    if !tool("chromium", Command::new("chromium").arg("--version")) {
        return;
    }
    let Some(real) = shared("testdata/storefront-real") else {
        return;
    };
    let sites: [(&str, &[&str], Option<&str>); 4] = [
        (
            "magento/leonpaul",
            &["index.html", "2-pin-foil-socket.html"],
            Some("https://www.leonpaul.com"),
        ),
        (
            "shopify/phuler",
            &[
                "phuler.myshopify.com/index.html",
                "phuler.myshopify.com/products/carry-bag-of-leather.html",
            ],
            None,
        ),
        (
            "shopify/yummi",
            &[
                "yummi-theme.myshopify.com/index.html",
                "yummi-theme.myshopify.com/pages/faqs.html",
            ],
            None,
        ),
        (
            "magento",
            &["sweetmarias-product.html", "oraimo-ke-product.html"],
            None,
        ),
    ];
    let env = Env::new();
    assert_eq!(
        env.run(&["apply", path_str(&repo().join("examples/inventory.yaml"))])
            .code,
        0
    );
    let texts = env.dir.path().join("texts");
    std::fs::create_dir_all(&texts).unwrap();
    let mut list = Vec::new();
    let mut registered = (0, 0);
    for (k, (root, pages, origin)) in sites.iter().enumerate() {
        let copy = env.dir.path().join(format!("site{k}"));
        common::copy_dir(&real.join(root), &copy);
        let media = FolderMedia::new(
            &copy,
            &FolderOptions {
                origin: origin.map(str::to_owned),
                ..FolderOptions::default()
            },
        );
        let mut images = std::collections::BTreeSet::new();
        for rel in *pages {
            let html = std::fs::read(copy.join(rel)).unwrap();
            let page = synthgov_scan::html::parse(&html).unwrap();
            // Every image an element shows that the folder holds (a slider's, a
            // badge's neighbour, a hover overlay's)...
            for m in page.media.iter().filter(|m| m.via == Via::Element) {
                if let Some(p) = media.resolve(rel, &m.url).filter(|p| p.is_file()) {
                    images.insert(p);
                }
            }
            // ...and a spread of texts: elements whose own text (no child element's)
            // is a sentence or two and appears once on the page.
            let norm = |n: u32| {
                page.text_of(n)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let mut count = std::collections::HashMap::new();
            for n in 0..page.nodes.len() as u32 {
                *count.entry(norm(n)).or_insert(0) += 1;
            }
            let own_text = |n: u32| {
                let r = &page.nodes[n as usize].text;
                page.segments
                    .iter()
                    .filter(|(s, _)| *s >= r.start && *s < r.end)
                    .all(|&(_, o)| o == n)
            };
            let candidates: Vec<u32> = (0..page.nodes.len() as u32)
                .filter(|&n| {
                    let t = norm(n);
                    matches!(
                        &*page.nodes[n as usize].tag,
                        "p" | "h1"
                            | "h2"
                            | "h3"
                            | "li"
                            | "span"
                            | "a"
                            | "div"
                            | "td"
                            | "dd"
                            | "strong"
                    ) && (40..=300).contains(&t.chars().count())
                        && count[&t] == 1
                        && own_text(n)
                })
                .collect();
            let step = candidates.len().div_ceil(6).max(1);
            for (i, &n) in candidates.iter().step_by(step).enumerate() {
                let f = texts.join(format!("{k}-{}-{i}.txt", rel.replace('/', "_")));
                std::fs::write(&f, norm(n)).unwrap();
                registered.1 += 1;
            }
        }
        registered.0 += images.len();
        if !images.is_empty() {
            let mut args = vec!["register"];
            args.extend(images.iter().map(|p| path_str(p)));
            args.extend(["--generator", "product-image-gan"]);
            let r = env.run(&args);
            assert_eq!(r.code, 0, "{}", r.stderr);
        }
        list.push((copy, *root, *pages, *origin));
    }
    let r = env.run(&[
        "register",
        path_str(&texts),
        "--generator",
        "description-llm",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut input = Vec::new();
    for (copy, root, pages, origin) in &list {
        let mut args = vec!["--json", "disclose", "html", path_str(copy), "--in-place"];
        if let Some(o) = origin {
            args.extend(["--origin", o]);
        }
        let r = env.run(&args);
        assert!(r.code == 0 || r.code == 3, "{}\n{}", r.stdout, r.stderr);
        for rel in *pages {
            input.push(serde_json::json!({
                "name": format!("{root}/{rel}"),
                "original": real.join(root).join(rel).canonicalize().unwrap(),
                "original_root": real.join(root).canonicalize().unwrap(),
                "disclosed": copy.join(rel),
                "disclosed_root": copy,
            }));
        }
    }
    let file = env.dir.path().join("pages.json");
    std::fs::write(&file, serde_json::to_vec(&input).unwrap()).unwrap();
    let o = Command::new("node")
        .arg(tools.join("placement.mjs"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (mut bad, mut scripts) = (Vec::new(), Vec::new());
    let (mut notes, mut visible) = (0, 0);
    for p in v.as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        for n in p["notes"].as_array().unwrap() {
            notes += 1;
            let why = if n["items"] == 0 {
                Some("no item points at it".to_string())
            } else if n["item_visible"] == true && n["note_visible"] != true {
                Some("hidden while its item shows".into())
            } else if n["item_visible"] == true && !n["covered_by"].is_null() {
                Some(format!("covered by {}", n["covered_by"]))
            } else if n["shift"].as_f64().unwrap() > 4.0 {
                Some(format!("moves its item {} px", n["shift"]))
            } else {
                None
            };
            visible += usize::from(n["note_visible"] == true);
            if let Some(why) = why {
                bad.push(format!(
                    "{name}: {} ({} after {}): {why}",
                    n["id"], n["item"], n["after"]
                ));
            }
        }
        for e in p["new_errors"].as_array().unwrap() {
            scripts.push(format!("{name}: new console error: {e}"));
        }
        for c in p["cloned"].as_array().unwrap() {
            scripts.push(format!("{name}: note {c} cloned by the page's scripts"));
        }
    }
    eprintln!(
        "{} images and {} texts registered; {notes} notes on {} pages, {visible} visible",
        registered.0,
        registered.1,
        input.len()
    );
    assert!(notes >= 200, "only {notes} notes");
    assert!(scripts.is_empty(), "{}", scripts.join("\n"));
    // Not yet zero (issue 15, item 2): notes in flex headers and banners shift their
    // item, and Yummi's product tiles and client carousel lay content over the note
    // where no inline style or class name says so. The bound keeps what is fixed
    // fixed; every remaining case is printed.
    eprintln!(
        "{} of {notes} notes misplaced:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(
        bad.len() <= 26,
        "{} of {notes}:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
