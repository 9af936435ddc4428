//! Real theme templates (../shared/testdata/storefront-real/templates: Shopify's Dawn,
//! Magento_Catalog .phtml, Luma CMS content) with elements whose start tags hold
//! template code marked `data-synthetic`: `disclose html` only inserts (every input
//! byte is kept, in order), never touches template code (the regions of the output
//! are those of the input, byte for byte), refuses rather than skips (each marked
//! element is disclosed or refused), is idempotent, and the rendered template
//! (liquidjs for Liquid, php for .phtml, with fixed variables) is the rendering of
//! the original plus the added markup.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use synthgov_disclose::labels;
use synthgov_disclose::page::{ChangeKind, Options, Rewritten, disclose_page};
use synthgov_disclose::template::{self, Syntax};
use synthgov_scan::known::Known;
use synthgov_scan::storefront::{ImageInfo, MediaSource};

struct NoMedia;

impl MediaSource for NoMedia {
    fn image(&self, _page: &str, _url: &str) -> Option<Arc<ImageInfo>> {
        None
    }
}

fn shared(rel: &str) -> Option<PathBuf> {
    synthgov_core::testenv::shared(env!("CARGO_MANIFEST_DIR"), rel)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `data-synthetic="true"` added after the tag name of the `k`-th start tag of a
/// content element whose start tag holds template code (one at a time, so no marked
/// element hides inside another). Returns the template and whether there was one.
fn mark(src: &str, syntax: Syntax, k: usize) -> (String, usize) {
    let regions = template::regions(src.as_bytes(), syntax);
    let masked = template::mask(src.as_bytes(), &regions);
    let m = String::from_utf8(masked).unwrap();
    let mut at = Vec::new();
    let mut i = 0;
    while let Some(k) = m[i..].find('<') {
        let start = i + k;
        i = start + 1;
        let name: String = m[start + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !matches!(
            name.as_str(),
            "div" | "p" | "span" | "a" | "h1" | "h2" | "h3" | "section" | "strong"
        ) {
            continue;
        }
        let Some(end) = m[start..].find('>') else {
            break;
        };
        let tag = start..start + end + 1;
        if regions
            .iter()
            .any(|r| r.start > tag.start && r.start < tag.end)
        {
            at.push(start + 1 + name.len());
        }
        if at.len() > k {
            break;
        }
    }
    let at: Vec<usize> = at.get(k).copied().into_iter().collect();
    let mut out = src.to_owned();
    for &p in at.iter().rev() {
        out.insert_str(p, " data-synthetic=\"true\"");
    }
    (out, at.len())
}

fn disclose(uri: &str, src: &str) -> Rewritten {
    let l = labels::shipped("en").unwrap();
    let phrases = synthgov_scan::rules::Catalog::shipped().phrases();
    let opts = Options {
        labels: &l,
        provenance_url: "https://gov.example/v1/assets/{sha256}",
        phrases: &phrases,
        syntax: None,
        encoding: None,
    };
    disclose_page(&Known::default(), uri, src.as_bytes(), &NoMedia, &opts).unwrap()
}

/// Whether `small` is `big` with bytes only inserted.
fn only_inserted(small: &[u8], big: &[u8]) -> bool {
    let mut it = big.iter();
    small.iter().all(|b| it.any(|c| c == b))
}

fn region_texts(src: &str, syntax: Syntax) -> Vec<String> {
    template::regions(src.as_bytes(), syntax)
        .into_iter()
        .map(|r| src[r].to_owned())
        .collect()
}

/// Every check that needs no renderer; returns the disclosed template.
fn check(uri: &str, src: &str, marked: usize) -> String {
    let syntax = Syntax::of_path(uri);
    let r = disclose(uri, src);
    let out = String::from_utf8(r.html.clone()).unwrap();
    let content = r
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Content)
        .count();
    // Nested marked elements share their outermost one's note.
    assert!(
        content + r.refused.len() <= marked,
        "{uri}: {content} disclosed, {:?} refused, of {marked}",
        r.refused
    );
    if marked > 0 {
        assert!(content > 0, "{uri}: nothing disclosed: {:?}", r.refused);
    }
    // These templates hold no element a note cannot follow: a refusal here means
    // template code was read as markup.
    assert!(r.refused.is_empty(), "{uri}: refused {:?}", r.refused);
    assert!(
        only_inserted(src.as_bytes(), &r.html),
        "{uri}: bytes changed"
    );
    assert_eq!(
        region_texts(src, syntax),
        region_texts(&out, syntax),
        "{uri}: template code changed"
    );
    let again = disclose(uri, &out);
    assert!(again.changes.is_empty(), "{uri}: {:?}", again.changes);
    // What was refused is refused again: reported on every run, never dropped.
    assert_eq!(again.refused.len(), r.refused.len(), "{uri}");
    assert_eq!(again.html, r.html, "{uri}: a second run changed it");
    out
}

fn render(tool: &mut Command, file: &Path) -> String {
    let o = tool.arg(file).output().unwrap();
    assert!(
        o.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn renders_the_same(dir: &Path, name: &str, before: &str, after: &str, tool: &dyn Fn() -> Command) {
    let (b, a) = (
        dir.join(format!("before-{name}")),
        dir.join(format!("after-{name}")),
    );
    std::fs::write(&b, before).unwrap();
    std::fs::write(&a, after).unwrap();
    let (rb, ra) = (render(&mut tool(), &b), render(&mut tool(), &a));
    assert!(
        only_inserted(rb.as_bytes(), ra.as_bytes()),
        "{name}: the rendering changed beyond the additions:\n{rb}\n---\n{ra}"
    );
    assert!(
        ra.contains("sg-disclosure"),
        "{name}: no note rendered:\n{ra}"
    );
}

#[test]
fn liquid_templates_keep_their_code_and_render_the_same() {
    let Some(dawn) = shared("testdata/storefront-real/templates/dawn") else {
        return;
    };
    let node_dir = repo().join("tools/node");
    let has_node = node_dir.join("node_modules/liquidjs").exists()
        && Command::new("node").arg("--version").output().is_ok();
    if !has_node {
        synthgov_core::testenv::missing::<()>(
            "node with tools/node/node_modules (liquidjs)",
            "npm ci --prefix tools/node (.ci/run does)",
        );
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["main-product.liquid", "card-product.liquid"] {
        let src = std::fs::read_to_string(dawn.join(name)).unwrap();
        let mut tried = 0;
        for k in 0..12 {
            let (marked_src, n) = mark(&src, Syntax::Liquid, k);
            if n == 0 {
                break;
            }
            tried += 1;
            check(name, &marked_src, n);
        }
        assert!(
            tried >= 3,
            "{name}: {tried} elements with Liquid in their start tags"
        );
        // Rendered, with the product description marked (its start tag holds Liquid).
        if name == "main-product.liquid" {
            let at = src.find("<div class=\"product__description").unwrap();
            let mut marked_src = src.clone();
            marked_src.insert_str(at + 4, " data-synthetic=\"true\"");
            let out = check(name, &marked_src, 1);
            if has_node {
                let script = node_dir.join("render-liquid.mjs");
                renders_the_same(dir.path(), name, &marked_src, &out, &|| {
                    let mut c = Command::new("node");
                    c.arg(&script);
                    c
                });
            }
        }
    }
}

#[test]
fn phtml_templates_keep_their_code_and_render_the_same() {
    let Some(dir) = shared("testdata/storefront-real/templates/magento") else {
        return;
    };
    let has_php = Command::new("php").arg("--version").output().is_ok();
    if !has_php {
        synthgov_core::testenv::missing::<()>(
            "php (php-cli)",
            "apt-get install php-cli (.ci/run does)",
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let script = repo().join("tests/interop/render-phtml.php");
    for name in ["attribute.phtml", "description.phtml"] {
        let src = std::fs::read_to_string(dir.join(name)).unwrap();
        let mut tried = 0;
        for k in 0..5 {
            let (marked_src, n) = mark(&src, Syntax::Php, k);
            let out = check(name, &marked_src, n);
            if n == 0 {
                // No (more) elements: nothing to disclose, byte-identical.
                assert_eq!(out, marked_src, "{name}");
                break;
            }
            tried += 1;
            assert!(
                out.contains("<?= /* @noEscape */ $_attributeAddAttribute ?>"),
                "{name}: the PHP in the start tag changed:\n{out}"
            );
            if has_php {
                renders_the_same(tmp.path(), name, &marked_src, &out, &|| {
                    let mut c = Command::new("php");
                    c.arg(&script);
                    c
                });
            }
        }
        if name == "attribute.phtml" {
            // `<div class="product attribute <?= … ?>">` and `<div class="value" <?= … ?>>`.
            assert_eq!(tried, 2, "{name}");
        }
    }
}

#[test]
fn cms_directives_stay_byte_identical() {
    let Some(dir) = shared("testdata/storefront-real/templates/magento-cms") else {
        return;
    };
    let mut pages = 0;
    let mut marked_total = 0;
    for name in [
        "CmsSampleData__pages.csv",
        "CmsSampleData__pages_static_blocks.csv",
    ] {
        let mut rdr = csv::Reader::from_path(dir.join(name)).unwrap();
        let col = rdr
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "content")
            .unwrap();
        for (i, rec) in rdr.records().enumerate() {
            let content = rec.unwrap()[col].to_owned();
            let uri = format!("{name}-{i}.html");
            for k in 0..4 {
                let (marked_src, n) = mark(&content, Syntax::Html, k);
                if n == 0 {
                    break;
                }
                let out = check(&uri, &marked_src, n);
                for d in region_texts(&content, Syntax::Html) {
                    assert!(out.contains(&d), "{uri}: {d} changed");
                }
                marked_total += n;
            }
            pages += 1;
        }
    }
    assert!(
        pages >= 5 && marked_total >= 3,
        "{pages} pages, {marked_total} marked"
    );
}
