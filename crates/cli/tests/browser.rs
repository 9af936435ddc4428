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
