//! `synthgov disclose` and `verify-media`: the round trip on the fixture storefront
//! (scan finds, disclose fixes, rescan is clean, a second disclose changes no byte),
//! C2PA content credentials checked by the c2pa reader, the c2pa-rs fixtures read
//! correctly, and bad input.

mod common;

use std::path::{Path, PathBuf};

use common::{Env, path_str, shared, store};
use serde_json::Value;

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        out.push((
            e.strip_prefix(dir).unwrap().to_owned(),
            std::fs::read(&e).unwrap(),
        ));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn round_trip_scan_disclose_rescan_is_clean_and_idempotent() {
    let Some((env, site)) = store() else { return };
    // SG-DISC-005's fix is registering the marked images the inventory lacks.
    let r = env.run(&[
        "register",
        path_str(&site.join("img/marked-unregistered.png")),
        path_str(&site.join("img/c2pa.jpg")),
        "--generator",
        "product-image-gan",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let before = env.run(&["scan", "storefront", path_str(&site), "--format", "json"]);
    assert_eq!(before.code, 1, "{}", before.stderr);
    let found = rules(&before.json());
    for id in [
        "SG-DISC-001",
        "SG-DISC-002",
        "SG-DISC-003",
        "SG-DISC-004",
        "SG-MARK-001",
        "SG-MARK-002",
    ] {
        assert!(
            found.iter().any(|r| r == id),
            "before: {id} missing in {found:?}"
        );
    }

    let out = env.dir.path().join("disclosed");
    let r = env.run(&[
        "--json",
        "disclose",
        "html",
        path_str(&site),
        "--out",
        path_str(&out),
        "--mark-images",
    ]);
    // broken.html is not UTF-8: reported, not written, exit 2; the rest is disclosed.
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    let broken = j["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["page"].as_str().unwrap().ends_with("broken.html"))
        .unwrap();
    assert!(
        broken["error"].as_str().unwrap().contains("not UTF-8"),
        "{broken}"
    );
    assert!(!out.join("broken.html").exists());
    assert_eq!(j["summary"]["marked_images"], 1, "{j}");
    assert!(j["ledger_index"].as_u64().is_some());

    let after = env.run(&["scan", "storefront", path_str(&out), "--format", "json"]);
    let left: Vec<String> = rules(&after.json())
        .into_iter()
        .filter(|r| r.starts_with("SG-DISC") || r.starts_with("SG-MARK"))
        .collect();
    assert!(
        left.is_empty(),
        "after disclose: {left:?}\n{}",
        after.stdout
    );
    assert_eq!(after.code, 0, "{}", after.stdout);

    // Again: nothing to do, not one byte different.
    let again = env.dir.path().join("again");
    let r = env.run(&[
        "--json",
        "disclose",
        "html",
        path_str(&out),
        "--out",
        path_str(&again),
        "--mark-images",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["changed_pages"], 0);
    assert_eq!(r.json()["summary"]["marked_images"], 0);
    assert_eq!(files(&out), files(&again));

    // In place, with a backup of each changed page.
    let inplace = env.dir.path().join("inplace");
    common::copy_dir(&site, &inplace);
    std::fs::remove_file(inplace.join("broken.html")).unwrap();
    let r = env.run(&[
        "disclose",
        "html",
        path_str(&inplace),
        "--in-place",
        "--mark-images",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The image was marked in place; its original is kept beside it.
    assert_eq!(
        std::fs::read(inplace.join("img/ai-unmarked.png.orig")).unwrap(),
        std::fs::read(site.join("img/ai-unmarked.png")).unwrap()
    );
    assert_ne!(
        std::fs::read(inplace.join("img/ai-unmarked.png")).unwrap(),
        std::fs::read(site.join("img/ai-unmarked.png")).unwrap()
    );
    let original = std::fs::read(site.join("catalog/disc-001.html")).unwrap();
    assert_eq!(
        std::fs::read(inplace.join("catalog/disc-001.html.orig")).unwrap(),
        original
    );
    assert_eq!(
        std::fs::read(inplace.join("catalog/disc-001.html")).unwrap(),
        std::fs::read(out.join("catalog/disc-001.html")).unwrap()
    );
    assert!(
        !inplace.join("index.html.orig").exists(),
        "unchanged pages get no backup"
    );

    // The ledger has the disclosure.
    let events = env.run(&["ledger", "list", "--json", "--limit", "1000"]);
    assert!(
        events.stdout.contains("disclosure.applied"),
        "{}",
        events.stdout
    );
}

#[test]
fn marked_images_carry_valid_credentials_and_iptc() {
    let env = Env::new();
    let examples = common::repo().join("examples/inventory.yaml");
    assert_eq!(env.run(&["apply", path_str(&examples)]).code, 0);
    let Some(jpeg) = shared("testdata/c2pa/earth_apollo17.jpg") else {
        return;
    };
    let png = common::fixture().join("registered/ai-unmarked.png");
    for (name, src) in [("photo.jpg", jpeg), ("tile.png", png)] {
        let input = env.dir.path().join(name);
        std::fs::copy(&src, &input).unwrap();
        let r = env.run(&[
            "--json",
            "register",
            path_str(&input),
            "--generator",
            "product-image-gan",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let out = env.dir.path().join(format!("marked-{name}"));
        let r = env.run(&[
            "--json",
            "disclose",
            "image",
            path_str(&input),
            "--out",
            path_str(&out),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let m = r.json();
        let index = m["ledger_index"].as_u64().expect("registration entry");

        let v = env.run(&["--json", "verify-media", path_str(&out)]);
        assert_eq!(v.code, 0, "{}", v.stderr);
        let rep = &v.json()["report"];
        assert_eq!(rep["verdict"], "trusted", "{rep}");
        assert_eq!(rep["ai_generated"], true);
        assert_eq!(rep["generator"], "product-image-gan");
        let c = &rep["c2pa"];
        assert_eq!(c["signature_ok"], true, "{c}");
        assert_eq!(c["hashes_ok"], true, "{c}");
        assert_eq!(
            c["digital_source_type"],
            "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        );
        assert_eq!(c["ledger"]["index"], index);
        assert_eq!(c["ledger"]["asset_sha256"], m["asset_sha256"]);
        // The checkpoint in the manifest is this log's, signed, and covers the entry.
        let note = c["ledger"]["checkpoint"].as_str().unwrap();
        let size: u64 = note.lines().nth(1).unwrap().parse().unwrap();
        assert!(size > index);
        let cp = env.write("cp.txt", note.as_bytes());
        let r = env.run(&["verify", "--checkpoint", path_str(&cp)]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        if name.ends_with(".png") {
            // No XMP before: IPTC DigitalSourceType added.
            assert_eq!(rep["iptc_digital_source_type"], "trainedAlgorithmicMedia");
        }
        // Without the store's CA as anchor: valid, only the trust warning.
        let v = common::Env::new().run(&["--json", "verify-media", path_str(&out)]);
        let c = &v.json()["report"]["c2pa"];
        assert_eq!(c["validation_state"], "Valid", "{c}");
        let codes: Vec<&str> = c["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec!["signingCredential.untrusted"]);
        // Registered as a new asset derived from the original.
        let inv = env.run(&["--json", "inventory"]);
        assert!(
            inv.stdout.contains(m["sha256"].as_str().unwrap()),
            "{}",
            inv.stdout
        );
        let l = env.run(&["lineage", m["sha256"].as_str().unwrap(), "--format", "json"]);
        assert_eq!(l.code, 0, "{}", l.stderr);
        let orig = format!("asset:{}", m["asset_sha256"].as_str().unwrap());
        let edges = l.json()["edges"].as_array().unwrap().clone();
        assert!(
            edges
                .iter()
                .any(|e| e["from"] == orig.as_str() && e["relation"] == "marked_as"),
            "{edges:?}"
        );
        assert!(
            edges
                .iter()
                .any(|e| e["from"] == "generator:product-image-gan" && e["to"] == orig.as_str()),
            "the original's lineage reaches the generator: {edges:?}"
        );
        // Marking again is refused: it already carries credentials.
        let r = env.run(&[
            "disclose",
            "image",
            path_str(&out),
            "--out",
            path_str(&env.dir.path().join("x.jpg")),
            "--generator",
            "product-image-gan",
        ]);
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("already carries a C2PA manifest"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn c2pa_fixtures_are_reported_as_what_they_are() {
    let Some(dir) = shared("testdata/c2pa") else {
        return;
    };
    let env = Env::new();
    let check = |name: &str, anchors: bool| {
        let f = dir.join(name);
        let mut args = vec!["--json", "verify-media", path_str(&f)];
        let bundle = dir.join("test_cert_root_bundle.pem");
        if anchors {
            args.extend(["--trust-anchors", path_str(&bundle)]);
        }
        let r = env.run(&args);
        (r.code, r.json()["report"].clone())
    };
    let (code, r) = check("C.jpg", false);
    assert_eq!((code, r["verdict"].as_str()), (0, Some("valid")), "{r}");
    let (code, r) = check("CA.jpg", true);
    assert_eq!((code, r["verdict"].as_str()), (0, Some("trusted")), "{r}");
    let (code, r) = check("XCA.jpg", false);
    assert_eq!((code, r["verdict"].as_str()), (1, Some("invalid")), "{r}");
    assert_eq!(r["c2pa"]["hashes_ok"], false);
    assert!(
        r["c2pa"]["failures"]
            .to_string()
            .contains("assertion.dataHash.mismatch")
    );
    let (_, r) = check("E-sig-CA.jpg", false);
    assert_eq!(r["c2pa"]["signature_ok"], false, "{r}");
    for unmarked in ["no_manifest.jpg", "earth_apollo17.jpg"] {
        let (code, r) = check(unmarked, false);
        assert_eq!((code, r["verdict"].as_str()), (0, Some("unmarked")), "{r}");
        assert_eq!(r["ai_generated"], false);
    }
}

#[test]
fn bad_images_and_outputs_fail_cleanly() {
    let env = Env::new();
    let examples = common::repo().join("examples/inventory.yaml");
    assert_eq!(env.run(&["apply", path_str(&examples)]).code, 0);
    let good = std::fs::read(common::fixture().join("registered/ai-unmarked.png")).unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "truncated.png",
            good[..good.len() - 20].to_vec(),
            "corrupt image",
        ),
        (
            "anim.gif",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
            "unsupported image format",
        ),
        ("text.png", b"hello, not an image".to_vec(), "not an image"),
    ];
    for (name, bytes, msg) in cases {
        let input = env.write(name, &bytes);
        let out = env.dir.path().join(format!("out-{name}"));
        let r = env.run(&[
            "disclose",
            "image",
            path_str(&input),
            "--out",
            path_str(&out),
            "--generator",
            "product-image-gan",
        ]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(msg) && r.stderr.contains(name),
            "{name}: {}",
            r.stderr
        );
        assert!(!out.exists(), "{name}: an output was left behind");
    }
    // Not registered and no --generator.
    let input = env.write("loose.png", &good);
    let r = env.run(&[
        "disclose",
        "image",
        path_str(&input),
        "--out",
        path_str(&env.dir.path().join("o.png")),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not registered as AI-generated"),
        "{}",
        r.stderr
    );

    // An output folder that cannot be written (a file where the folder should be):
    // exit 3, nothing half-written.
    let site = env.dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("p.html"), "<p data-synthetic=\"true\">x</p>").unwrap();
    let blocker = env.write("blocker", b"a file");
    let r = env.run(&[
        "disclose",
        "html",
        path_str(&site),
        "--out",
        path_str(&blocker.join("sub")),
    ]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("cannot write"), "{}", r.stdout);
    // What was attempted is recorded all the same.
    let events = env.run(&["ledger", "list", "--json", "--limit", "1000"]);
    assert!(events.stdout.contains("disclosure.applied"));
    // A read-only folder (meaningful when not root: root writes anyway).
    let ro = env.dir.path().join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), b"").is_err() {
        let r = env.run(&["disclose", "html", path_str(&site), "--out", path_str(&ro)]);
        assert_eq!(r.code, 3, "{}", r.stderr);
        assert_eq!(
            std::fs::read_dir(&ro).unwrap().count(),
            0,
            "partial output left"
        );
    } else {
        eprintln!(
            "note: running as root, the read-only folder case is covered by the file-as-folder case"
        );
    }
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Neither --out nor --in-place: usage error.
    let r = env.run(&["disclose", "html", path_str(&site)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// `disclose html theme --in-place` on a theme folder of real templates (Dawn's
/// main-product.liquid, Magento's attribute.phtml) with marked elements: each template
/// is walked and reported, the disclosure goes in without changing template code,
/// the file keeps its mode, the original is kept; an element that cannot be disclosed
/// safely is refused by name and the command exits 3.
#[test]
fn theme_folders_are_walked_and_unsafe_edits_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (Some(dawn), Some(magento)) = (
        common::shared("testdata/storefront-real/templates/dawn/main-product.liquid"),
        common::shared("testdata/storefront-real/templates/magento/attribute.phtml"),
    ) else {
        return;
    };
    let env = Env::new();
    let theme = env.dir.path().join("theme");
    std::fs::create_dir_all(theme.join("sections")).unwrap();
    std::fs::create_dir_all(theme.join("templates/product/view")).unwrap();
    let liquid = std::fs::read_to_string(dawn).unwrap().replacen(
        "<div class=\"product__description",
        "<div data-synthetic=\"true\" class=\"product__description",
        1,
    );
    let phtml = std::fs::read_to_string(magento).unwrap().replacen(
        "<div class=\"value\"",
        "<div data-synthetic=\"true\" class=\"value\"",
        1,
    );
    let lpath = theme.join("sections/main-product.liquid");
    let ppath = theme.join("templates/product/view/attribute.phtml");
    std::fs::write(&lpath, &liquid).unwrap();
    std::fs::write(&ppath, &phtml).unwrap();
    std::fs::set_permissions(&lpath, std::fs::Permissions::from_mode(0o640)).unwrap();
    let r = env.run(&["--json", "disclose", "html", path_str(&theme), "--in-place"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["summary"]["pages"], 2, "{v}");
    assert_eq!(v["summary"]["changed_pages"], 2, "{v}");
    let out = std::fs::read_to_string(&lpath).unwrap();
    assert!(
        out.contains("data-synthetic=\"true\" class=\"product__description rte quick-add-hidden\"")
    );
    assert!(out.contains("aria-describedby=\"sg-disclosure"));
    assert_eq!(
        std::fs::metadata(&lpath).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let orig = theme.join("sections/main-product.liquid.orig");
    assert_eq!(std::fs::read_to_string(orig).unwrap(), liquid);
    let p = std::fs::read_to_string(&ppath).unwrap();
    assert!(
        p.contains(
            "<?= /* @noEscape */ $_attributeAddAttribute ?> aria-describedby=\"sg-disclosure"
        ),
        "{p}"
    );

    // An element whose only place for a note is inside Liquid: refused, exit 3.
    let bad = theme.join("sections/bad.liquid");
    std::fs::write(
        &bad,
        "<ul>{% for i in list %}<li data-synthetic=\"true\" {% if x %}class=\"a\"{% endif %}>x</li>{% endfor %}</ul>\n<p data-synthetic=\"true\" {{ attrs }}>y</p>{{ tail }}\n<div data-synthetic=\"true\" class=\"{{ c }}\">z</div>\n",
    )
    .unwrap();
    let r = env.run(&["disclose", "html", path_str(&theme), "--dry-run"]);
    assert_eq!(r.code, 0, "a dry run of the disclosed theme: {}", r.stdout);
    let r = env.run(&[
        "disclose",
        "html",
        path_str(&bad),
        "--dry-run",
        "--ext",
        "liquid",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("1 pages, 1 would change"), "{}", r.stdout);
    // `{{ attrs }}` ends the start tag's text: the attribute would go after it,
    // fine; an element left open is refused.
    std::fs::write(
        &bad,
        "<div><a href=\"{{ u }}\" data-synthetic=\"true\">open</div>\n",
    )
    .unwrap();
    let r = env.run(&["disclose", "html", path_str(&bad), "--in-place"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("refused:") && r.stdout.contains("1 refused"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "<div><a href=\"{{ u }}\" data-synthetic=\"true\">open</div>\n",
        "a refused page is left as it was"
    );
}
