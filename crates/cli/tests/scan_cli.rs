//! `synthgov scan`: the fixture storefront with one page per rule (and a clean one),
//! asserted exactly; SARIF validated against the OASIS schema; the JSON report as a
//! snapshot; the gate's exit codes; the ledger event; bad input.

mod common;

use common::{Env, fixture, path_str, repo, shared, store};
use serde_json::{Value, json};

#[test]
fn fixture_storefront_findings_are_exact() {
    let Some((env, site)) = store() else { return };
    let r = env.run(&[
        "scan",
        "storefront",
        site.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        r.code, 1,
        "high findings fail the default gate: {}",
        r.stderr
    );
    let report = r.json();
    let got: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["location"]["uri"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, u64)> = [
        ("SG-DISC-001", "catalog/disc-001.html", 5),
        ("SG-DISC-002", "catalog/disc-002.html", 5),
        ("SG-DISC-003", "catalog/disc-003.html", 5),
        ("SG-DISC-004", "catalog/disc-004.html", 4),
        ("SG-DISC-005", "catalog/disc-005.html", 5),
        ("SG-DISC-005", "catalog/disc-005.html", 7),
        ("SG-MARK-001", "catalog/mark-001.html", 5),
        ("SG-MARK-002", "catalog/mark-002.html", 3),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c))
    .collect();
    assert_eq!(got, want);
    // The clean page has nothing; the broken page is parsed, and its bad images named.
    assert!(!got.iter().any(|f| f.1 == "index.html"));
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        problems,
        vec![
            "not UTF-8 (invalid byte at offset 108) and no charset declared; give --encoding; read with the bad bytes replaced",
            "img/not-an-image.png: not an image (unrecognised file format)",
            "img/missing.png: image not found in the scanned folder"
        ]
    );
    assert_eq!(report["summary"]["scanned"], 9);
    assert_eq!(
        report["summary"]["by_severity"],
        serde_json::json!({"low": 0, "medium": 4, "high": 4, "critical": 0})
    );
    let sel = report["findings"][0]["location"]["selector"]
        .as_str()
        .unwrap();
    // Anchored at body, so it names this element alone in the browser.
    assert_eq!(sel, "body > div.product.media > img.gallery-main");
    assert!(report["findings"][0]["asset"].as_str().unwrap().len() == 64);
    assert!(
        report["findings"][0]["regulations"][0]
            .as_str()
            .unwrap()
            .starts_with("EU AI Act Art. 50")
    );

    // Snapshot: the same store scanned again gives the same bytes.
    let snapshot = fixture().join("expected-report.json");
    if std::env::var_os("SYNTHGOV_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &r.stdout).unwrap();
    }
    let expected =
        std::fs::read_to_string(&snapshot).expect("run with SYNTHGOV_UPDATE_SNAPSHOTS=1 once");
    assert_eq!(
        r.stdout, expected,
        "JSON report changed; review and update the snapshot"
    );
    let again = env.run(&["scan", "storefront", site.to_str().unwrap(), "--json"]);
    assert_eq!(again.stdout, r.stdout);
}

#[test]
fn sarif_validates_and_the_gate_threshold_is_honoured() {
    let Some((env, site)) = store() else { return };
    let Some(schema) = shared("testdata/sarif/sarif-schema-2.1.0.json") else {
        eprintln!("SKIP: SARIF schema not found");
        return;
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let out = env.dir.path().join("scan.sarif");
    let r = env.run(&[
        "scan",
        "storefront",
        site.to_str().unwrap(),
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
        "--fail-on",
        "critical",
    ]);
    assert_eq!(r.code, 0, "no critical findings: {}", r.stderr);
    assert!(r.stdout.contains("gate passed"), "{}", r.stdout);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "SG-DISC-001" && r["properties"]["regulations"].is_array())
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    let first = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(first["artifactLocation"]["uri"], "catalog/disc-001.html");
    assert_eq!(first["region"]["startLine"], 5);

    // --fail-on medium fails on the medium findings too; low as well.
    for (level, code) in [("high", 1), ("medium", 1), ("low", 1)] {
        let r = env.run(&[
            "scan",
            "storefront",
            site.to_str().unwrap(),
            "--fail-on",
            level,
            "-q",
        ]);
        assert_eq!(r.code, code, "--fail-on {level}");
    }
}

#[test]
fn every_scan_is_a_ledger_event_with_the_report_hash() {
    let Some((env, site)) = store() else { return };
    let r = env.run(&["scan", "storefront", site.to_str().unwrap(), "--json"]);
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(r.stdout.as_bytes()))
    };
    let list = env.run(&["ledger", "list", "--json"]).json();
    let ev = list
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["entry"]["type"] == "scan.completed")
        .expect("a scan.completed event");
    let data = &ev["entry"]["data"];
    assert_eq!(data["report_sha256"], digest.as_str());
    assert_eq!(data["findings"], 8);
    assert_eq!(data["passed"], false);
    assert_eq!(env.run(&["verify"]).code, 0);
}

#[test]
fn overrides_in_config_suppress_with_reason_and_are_recorded() {
    let Some((env, site)) = store() else { return };
    let cfg = env.home().join("synthgov.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(
        "\n[scan.rules.SG-DISC-005]\nenabled = false\nreason = \"press photos are licensed, tracked in DAM\"\n\n[scan.rules.SG-DISC-001]\nseverity = \"critical\"\nreason = \"storefront is in the EU\"\n",
    );
    std::fs::write(&cfg, text).unwrap();
    let r = env.run(&["scan", "storefront", site.to_str().unwrap(), "--json"]);
    let report = r.json();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"SG-DISC-005"));
    assert_eq!(report["findings"][0]["severity"], "critical");
    assert_eq!(report["suppressed"].as_array().unwrap().len(), 2);
    assert_eq!(
        report["suppressed"][0]["reason"],
        "press photos are licensed, tracked in DAM"
    );
    let list = env.run(&["ledger", "list", "--json"]);
    assert!(
        list.stdout.contains("press photos are licensed"),
        "suppression recorded in the ledger"
    );

    // A typo'd rule id is bad input, named.
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("\n[scan.rules.SG-DISC-099]\nenabled = false\nreason = \"x\"\n");
    std::fs::write(&cfg, text).unwrap();
    let r = env.run(&["scan", "governance"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("SG-DISC-099"), "{}", r.stderr);
}

#[test]
fn bad_input_is_named_and_never_panics() {
    let env = Env::new();
    // Not a folder.
    let r = env.run(&["scan", "storefront", "/nonexistent/site"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/site"), "{}", r.stderr);
    // A 2 GB page (sparse) is skipped with its cause; the rest of the site is scanned.
    let site = env.dir.path().join("big");
    std::fs::create_dir_all(&site).unwrap();
    let f = std::fs::File::create(site.join("huge.html")).unwrap();
    f.set_len(2 << 30).unwrap();
    std::fs::write(site.join("ok.html"), "<p>fine</p>").unwrap();
    std::fs::write(
        site.join("binary.html"),
        [0u8, 159, 146, 150, 255, 0, 60, 60, 62],
    )
    .unwrap();
    let r = env.run(&["scan", "storefront", site.to_str().unwrap(), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["summary"]["scanned"], 3);
    let problem = |uri: &str| {
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["uri"] == uri)
            .map(|p| p["message"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let msg = problem("huge.html");
    assert!(msg.contains("larger than the page limit"), "{msg}");
    // A binary file named .html is read, and said not to be text.
    assert!(problem("binary.html").contains("not UTF-8"), "{report}");
    // An unreachable database is a problem in the report, not a crash.
    let r = env.run(&[
        "scan",
        "segregation",
        "postgres://nobody@127.0.0.1:1/x",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert!(
        report["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{report}"
    );
    assert_eq!(report["problems"][0]["uri"], "postgres://127.0.0.1:1/x");
}

#[test]
fn rules_lists_the_catalog() {
    let env = Env::new();
    let r = env.run(&["rules", "--json"]);
    assert_eq!(r.code, 0);
    let rules = r.json();
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in ["SG-DISC-001", "SG-SEG-001", "SG-TLS-002", "SG-GOV-007"] {
        assert!(ids.contains(&id), "{id}");
    }
    assert!(!rules[0]["regulations"].as_array().unwrap().is_empty());
}

/// SARIF for GitHub code scanning, checked by Microsoft's sarif-multitool with the
/// Sarif and Gh rule kinds (tools/node): a scanned folder with spaces, `&` and
/// non-ASCII in its path and a page's name, inside a repository root; URIs
/// percent-encoded relative to a declared SRCROOT; a fingerprint on every result
/// that survives the page moving down a line.
#[test]
fn sarif_for_github_passes_sarif_multitool() {
    let Some((env, site)) = store() else { return };
    let repo = env.dir.path().join("repo");
    let deep = repo.join("deep/space name & ü");
    std::fs::create_dir_all(&deep).unwrap();
    let site2 = deep.join("site");
    std::fs::rename(&site, &site2).unwrap();
    std::fs::rename(
        site2.join("catalog/disc-001.html"),
        site2.join("catalog/disc 001 & ü.html"),
    )
    .unwrap();
    let scan = |out: &std::path::Path| {
        let r = env.run(&[
            "scan",
            "storefront",
            site2.to_str().unwrap(),
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
            "--fail-on",
            "critical",
            "--repo-root",
            repo.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
        v
    };
    let out = env.dir.path().join("gh.sarif");
    let sarif = scan(&out);
    let run = &sarif["runs"][0];
    let root = run["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with("/repo/"),
        "{root}"
    );
    let results = run["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.contains(
            &"deep/space%20name%20%26%20%C3%BC/site/catalog/disc%20001%20%26%20%C3%BC.html"
        ),
        "{uris:?}"
    );
    for r in results {
        assert!(
            r["partialFingerprints"]["synthgovFinding/v1"].is_string(),
            "{r}"
        );
    }
    // A line inserted above the finding moves it, its fingerprint stays.
    let page = site2.join("catalog/disc-002.html");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("<!-- moved -->\n{text}")).unwrap();
    let moved = scan(&env.dir.path().join("moved.sarif"));
    let find = |s: &Value| {
        s["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "SG-DISC-002")
            .unwrap()
            .clone()
    };
    let (a, b) = (find(&sarif), find(&moved));
    assert_ne!(
        a["locations"][0]["physicalLocation"]["region"]["startLine"],
        b["locations"][0]["physicalLocation"]["region"]["startLine"]
    );
    assert_eq!(a["partialFingerprints"], b["partialFingerprints"]);
    if let Some(problems) = common::sarif_multitool(&out) {
        assert!(problems.is_empty(), "sarif-multitool: {problems:#?}");
    }
}

/// A real Shopify export (../shared apparel.csv) with two products marked AI-generated
/// through the synthgov metafield column, one renamed with a hostile handle, in a
/// folder with spaces, `&` and `ü`: every result is placed in the export at the
/// product's row (the product as a logical location beside it), the fingerprints hold
/// when rows move, and sarif-multitool (Sarif and GitHub rules) finds nothing; the
/// same for the Admin API JSON form.
#[test]
fn shopify_export_sarif_points_at_rows_and_passes_sarif_multitool() {
    let Some(apparel) = shared("testdata/shopify/apparel.csv") else {
        return;
    };
    let env = Env::new();
    let repo = env.dir.path().join("repo");
    let dir = repo.join("exports/space name & ü");
    std::fs::create_dir_all(&dir).unwrap();
    let mut rows: Vec<Vec<String>> = csv::Reader::from_path(&apparel)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let mut header: Vec<String> = csv::Reader::from_path(&apparel)
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    header.push("AI generated (product.metafields.synthgov.ai_generated)".into());
    let handles: Vec<String> = {
        let mut seen = Vec::new();
        for r in &rows {
            if !seen.contains(&r[0]) {
                seen.push(r[0].clone());
            }
        }
        seen
    };
    let (first, second) = (handles[1].clone(), handles[4].clone());
    let hostile = "ai-tee & ü \"quoted\"";
    for r in rows.iter_mut() {
        let marked = r[0] == first || r[0] == second;
        if r[0] == second {
            r[0] = hostile.into();
        }
        r.push(if marked { "true".into() } else { String::new() });
    }
    let write = |name: &str, rows: &[Vec<String>]| {
        let path = dir.join(name);
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(&header).unwrap();
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
        path
    };
    let export = write("products & ü.csv", &rows);
    let scan = |file: &std::path::Path, flag: &str, out: &std::path::Path| -> Value {
        let r = env.run(&[
            "scan",
            "shopify",
            flag,
            file.to_str().unwrap(),
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
            "--repo-root",
            repo.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(!r.stderr.contains("no file"), "{}", r.stderr);
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
    };
    let out = env.dir.path().join("shopify.sarif");
    let sarif = scan(&export, "--csv", &out);
    let results = sarif["runs"][0]["results"].as_array().unwrap().clone();
    assert!(results.len() >= 2, "{results:?}");
    // The CSV line of each handle's first row (records can span lines: the csv
    // crate's own positions).
    let line_of = |handle: &str| -> u64 {
        let mut rdr = csv::Reader::from_path(&export).unwrap();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            if &rec[0] == handle {
                return rec.position().unwrap().line();
            }
        }
        panic!("{handle} not in the export")
    };
    for r in &results {
        let loc = &r["locations"][0];
        let phys = &loc["physicalLocation"];
        assert_eq!(
            phys["artifactLocation"]["uri"],
            "exports/space%20name%20%26%20%C3%BC/products%20%26%20%C3%BC.csv",
            "{r}"
        );
        assert_eq!(phys["artifactLocation"]["uriBaseId"], "SRCROOT");
        let object = loc["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        let handle = if object.contains(hostile) {
            hostile
        } else {
            first.as_str()
        };
        assert!(
            object.starts_with(&format!("shopify://{handle}/")),
            "{object}"
        );
        assert_eq!(phys["region"]["startLine"], line_of(handle), "{r}");
    }
    if let Some(problems) = common::sarif_multitool(&out) {
        assert!(problems.is_empty(), "sarif-multitool: {problems:#?}");
    }
    // Rows moved (the marked products last): the lines change, the fingerprints stay.
    let mut moved = rows.clone();
    moved.sort_by_key(|r| r.last().is_some_and(|m| m == "true"));
    write("products & ü.csv", &moved);
    let again = scan(&export, "--csv", &env.dir.path().join("moved.sarif"));
    let prints = |s: &Value| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = s["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["synthgovFinding/v1"].to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"].to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (a, b) = (prints(&sarif), prints(&again));
    assert_eq!(
        a.iter().map(|p| &p.0).collect::<Vec<_>>(),
        b.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    assert_ne!(a, b, "the lines moved");

    // The Admin API JSON form: the line of each product's handle.
    let json_export = dir.join("products & ü.json");
    let body = json!({"products": [
        {"id": 1, "handle": "plain", "body_html": "<p>Real.</p>", "images": [], "metafields": []},
        {"id": 2, "handle": hostile, "body_html": "<p>Generated.</p>",
         "images": [{"src": "https://cdn.shopify.com/s/files/1/tee.jpg"}],
         "metafields": [{"namespace": "synthgov", "key": "ai_generated", "value": "true"}]},
    ]});
    std::fs::write(&json_export, serde_json::to_string_pretty(&body).unwrap()).unwrap();
    let text = std::fs::read_to_string(&json_export).unwrap();
    let want = text
        .lines()
        .position(|l| l.contains("\"handle\": \"ai-tee"))
        .unwrap() as u64
        + 1;
    let out = env.dir.path().join("shopify-json.sarif");
    let sarif = scan(&json_export, "--json-file", &out);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{results:?}");
    for r in results {
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            want
        );
    }
    if let Some(problems) = common::sarif_multitool(&out) {
        assert!(problems.is_empty(), "sarif-multitool: {problems:#?}");
    }
}

/// `scan all`: a scanner that cannot run (a Magento database nobody listens for)
/// becomes a problem of the report, the other scanners still run, the run is
/// recorded, and the gate fails.
#[test]
fn scan_all_reports_a_failed_scanner_and_runs_the_rest() {
    let Some((env, site)) = store() else { return };
    let cfg = env.home().join("synthgov.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "\n[scan]\nstorefront = [{:?}]\ngovernance = true\n\n[scan.magento]\ndb = \"mysql://root:s3cret@127.0.0.1:1/magento\"\n",
        site.to_str().unwrap()
    ));
    std::fs::write(&cfg, text).unwrap();
    let r = env.run(&["scan", "all", "--json", "--fail-on", "critical"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("magento"), "{}", r.stderr);
    let report = r.json();
    let problems = report["problems"].as_array().unwrap();
    let failed: Vec<&serde_json::Value> = problems
        .iter()
        .filter(|p| p["uri"] == "synthgov:scanner/magento")
        .collect();
    assert_eq!(failed.len(), 1, "{problems:?}");
    assert!(!failed[0]["message"].as_str().unwrap().contains("s3cret"));
    // The storefront was still scanned.
    assert!(
        report["summary"]["findings"].as_u64().unwrap() >= 8,
        "{report}"
    );
    let list = env
        .run(&["ledger", "list", "--type", "scan.completed", "--json"])
        .json();
    let data = &list.as_array().unwrap().last().unwrap()["entry"]["data"];
    assert_eq!(data["scanner"], "all");
    assert_eq!(data["failed_scanners"], serde_json::json!(["magento"]));
    assert_eq!(data["passed"], false);
    assert!(!data.to_string().contains("s3cret"));
}

/// A real Magento page (Sweet Maria's, saved from the live store): its second gallery
/// image is named only by the gallery JSON in `text/x-magento-init`, and its og:image
/// is a cache size named nowhere else. Both are recognised once their files are in the
/// folder: the gallery image where the gallery renders, the preview by its marking.
#[test]
fn magento_gallery_json_and_og_image_are_recognised() {
    let Some(page) = common::shared("testdata/storefront-real/magento/sweetmarias-product.html")
    else {
        return;
    };
    let env = Env::new();
    assert_eq!(
        env.run(&["apply", path_str(&repo().join("examples/inventory.yaml"))])
            .code,
        0
    );
    let site = env.dir.path().join("site");
    let product = site.join("media/catalog/product/cache/image");
    let cache = "beff4985b56e3afdbeabfc89641a4582/p/a";
    let gallery = product.join(format!(
        "1338x576/{cache}/papua-new-guinea-sweetmarias-4.jpg"
    ));
    let preview = product.join(format!(
        "265x265/{cache}/papua-new-guinea-sweetmarias-2.jpg"
    ));
    for (file, from) in [
        (&gallery, "ai-unmarked.png"),
        (&preview, "studio-photo.png"),
    ] {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::copy(fixture().join("site/img").join(from), file).unwrap();
        let r = env.run(&[
            "register",
            path_str(file),
            "--generator",
            "product-image-gan",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    std::fs::copy(page, site.join("product.html")).unwrap();
    let r = env.run(&[
        "scan",
        "storefront",
        path_str(&site),
        "--origin",
        "https://sweet-marias-live-sweetmarias.netdna-ssl.com",
        "--json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    let findings: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
                f["location"]["selector"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let about = |name: &'static str| -> Vec<&(String, String, String)> {
        findings.iter().filter(|f| f.1.contains(name)).collect()
    };
    let gallery_findings = about("sweetmarias-4.jpg");
    assert_eq!(gallery_findings.len(), 2, "{findings:#?}");
    let disc = gallery_findings
        .iter()
        .find(|f| f.0 == "SG-DISC-001")
        .unwrap();
    assert!(disc.1.contains("gallery or product script"), "{disc:?}");
    assert!(
        disc.2
            .ends_with("div.gallery-placeholder._block-content-loading"),
        "reported where the gallery renders: {disc:?}"
    );
    assert!(gallery_findings.iter().any(|f| f.0 == "SG-MARK-001"));
    let preview_findings = about("265x265");
    assert_eq!(preview_findings.len(), 1, "{findings:#?}");
    assert_eq!(preview_findings[0].0, "SG-MARK-001");
    assert!(preview_findings[0].1.contains("(the page's og:image)"));
}
