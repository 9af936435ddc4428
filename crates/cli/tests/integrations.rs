//! The store integrations under integrations/: the Magento module (`php -l` clean,
//! its db_schema.xml valid against Magento's own XSD, every XML well-formed, the ACL
//! resource the scanner looks for) and the Shopify theme app extension (rendered
//! with liquidjs on sample products and scanned: no findings, while the same
//! products rendered without it are flagged). Both ship the widget CSS of
//! `disclose html`, byte for byte.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Env, node_tools, path_str, repo, shared, tool};
use serde_json::json;
use sha2::{Digest, Sha256};

fn files_with(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_with(&p, exts));
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn widget_css_is_the_same_everywhere() {
    let css = std::fs::read(repo().join("crates/disclose/assets/disclosure.css")).unwrap();
    for copy in [
        "integrations/magento/Synthgov/Governance/view/frontend/web/css/disclosure.css",
        "integrations/shopify/extensions/synthgov-disclosure/assets/synthgov-disclosure.css",
    ] {
        assert_eq!(
            std::fs::read(repo().join(copy)).unwrap(),
            css,
            "{copy} drifted"
        );
    }
}

#[test]
fn magento_module_lints_and_validates() {
    let module = repo().join("integrations/magento/Synthgov/Governance");
    let acl = std::fs::read_to_string(module.join("etc/acl.xml")).unwrap();
    assert!(acl.contains("id=\"Synthgov_Governance::generate\""));
    let patch = std::fs::read_to_string(module.join("Setup/Patch/Data/AddAiContentAttributes.php"))
        .unwrap();
    assert!(patch.contains("'ai_generated'") && patch.contains("'ai_disclosure_text'"));

    if tool("php", Command::new("php").arg("--version")) {
        let php = files_with(&module, &["php", "phtml"]);
        assert!(php.len() >= 4);
        for f in php {
            let o = Command::new("php").arg("-l").arg(&f).output().unwrap();
            assert!(
                o.status.success(),
                "{}: {}",
                f.display(),
                String::from_utf8_lossy(&o.stdout)
            );
        }
    }
    if !tool("xmllint", Command::new("xmllint").arg("--version")) {
        return;
    }
    for f in files_with(&module, &["xml"]) {
        let o = Command::new("xmllint")
            .arg("--noout")
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let Some(xsd) = shared("testdata/magento/db_schema/xsd") else {
        return;
    };
    // Magento's schema includes its parts by urn:magento:...; a catalog maps them.
    let env = Env::new();
    let catalog = env.write(
        "catalog.xml",
        format!(
            r#"<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <rewriteURI uriStartString="urn:magento:framework:Setup/Declaration/Schema/etc/" rewritePrefix="file://{0}/"/>
  <rewriteSystem systemIdStartString="urn:magento:framework:Setup/Declaration/Schema/etc/" rewritePrefix="file://{0}/"/>
</catalog>"#,
            std::fs::canonicalize(&xsd).unwrap().display()
        )
        .as_bytes(),
    );
    let validate = |f: &Path| {
        Command::new("xmllint")
            .env("XML_CATALOG_FILES", &catalog)
            .args(["--noout", "--schema"])
            .arg(xsd.join("schema.xsd"))
            .arg(f)
            .output()
            .unwrap()
    };
    let o = validate(&module.join("etc/db_schema.xml"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The check can fail: a column type Magento does not know is rejected.
    let bad = env.write(
        "bad_db_schema.xml",
        std::fs::read_to_string(module.join("etc/db_schema.xml"))
            .unwrap()
            .replace("xsi:type=\"varchar\"", "xsi:type=\"string\"")
            .as_bytes(),
    );
    assert!(!validate(&bad).status.success());
}

#[test]
fn shopify_extension_renders_disclosed_products_that_scan_clean() {
    let Some(tools) = node_tools() else { return };
    let fixture = common::fixture();
    let image = std::fs::read(fixture.join("registered/ai-marked.png")).unwrap();
    let description = std::fs::read_to_string(fixture.join("registered/description.html")).unwrap();
    let env = Env::new();
    assert_eq!(
        env.run(&["apply", path_str(&repo().join("examples/inventory.yaml"))])
            .code,
        0
    );
    let r = env.run(&[
        "register",
        path_str(&fixture.join("registered/ai-marked.png")),
        "--generator",
        "product-image-gan",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&[
        "register",
        path_str(&fixture.join("registered/description.html")),
        "--generator",
        "description-llm",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sha = hex::encode(Sha256::digest(&image));
    // Two AI products (titles from the shared Shopify sample CSV when present) and a
    // product without synthgov metafields.
    let titles: Vec<String> = shared("testdata/shopify/apparel.csv")
        .and_then(|p| {
            let mut r = csv::Reader::from_path(p).ok()?;
            Some(
                r.records()
                    .filter_map(|x| x.ok())
                    .filter_map(|x| x.get(1).map(str::to_owned))
                    .filter(|t| !t.is_empty())
                    .take(2)
                    .collect(),
            )
        })
        .unwrap_or_else(|| vec!["Ocean Blue Shirt".into(), "Classic Varsity Top".into()]);
    let mut products = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        products.push(json!({
            "id": i + 1, "handle": format!("ai-{i}"), "title": title,
            "description": description,
            "images": [{"src": "img/ai.png", "alt": title, "width": 2, "height": 2}],
            "metafields": {"synthgov": {
                "ai_generated": {"value": true},
                "generator": {"value": "product-image-gan"},
                "text_generator": {"value": "description-llm"},
                "asset_sha256": {"value": sha},
            }},
        }));
    }
    products.push(json!({
        "id": 99, "handle": "studio", "title": "Studio photo",
        "description": "<p>Photographed in our studio.</p>",
        "images": [{"src": "img/studio.png", "alt": "Studio photo", "width": 2, "height": 2}],
        "metafields": {},
    }));
    let products_file = env.write(
        "products.json",
        serde_json::to_string(&products).unwrap().as_bytes(),
    );
    let studio = std::fs::read(fixture.join("site/img/studio-photo.png")).unwrap();
    let ext = repo().join("integrations/shopify/extensions/synthgov-disclosure");

    let render = |out: &Path, plain: bool| {
        std::fs::create_dir_all(out.join("img")).unwrap();
        std::fs::write(out.join("img/ai.png"), &image).unwrap();
        std::fs::write(out.join("img/studio.png"), &studio).unwrap();
        let mut c = Command::new("node");
        c.arg(tools.join("render-shopify.mjs"))
            .arg(&ext)
            .arg(&products_file)
            .arg(out);
        if plain {
            c.arg("--plain");
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let with = env.dir.path().join("with-extension");
    render(&with, false);
    let page = std::fs::read_to_string(with.join("ai-0.html")).unwrap();
    assert!(
        page.contains("AI-generated image, made by product-image-gan."),
        "{page}"
    );
    assert!(
        page.contains(&format!("https://gov.example/v1/assets/{sha}")),
        "{page}"
    );
    let r = env.run(&[
        "scan",
        "storefront",
        path_str(&with),
        "--format",
        "json",
        "--fail-on",
        "low",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["findings"], json!([]), "{}", r.stdout);
    assert_eq!(r.json()["summary"]["scanned"], 3, "{}", r.stdout);

    let without = env.dir.path().join("plain");
    render(&without, true);
    let r = env.run(&["scan", "storefront", path_str(&without), "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let rules: Vec<String> = r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        rules.iter().filter(|r| *r == "SG-DISC-001").count(),
        2,
        "{rules:?}"
    );
    assert_eq!(
        rules.iter().filter(|r| *r == "SG-DISC-003").count(),
        2,
        "{rules:?}"
    );
}
