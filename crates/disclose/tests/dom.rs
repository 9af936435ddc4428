//! The rewrite never breaks a page: parsed by an independent HTML5 tree builder
//! (html5ever, through scraper), the disclosed page is the original DOM plus the
//! additions (notes, the stylesheet, three attributes, `digitalSourceType`), nothing
//! moved or lost. And a second run is byte-identical.

use std::collections::HashMap;
use std::sync::Arc;

use scraper::{ElementRef, Html, Node};
use serde_json::Value;
use sha2::{Digest, Sha256};
use synthgov_core::text::normalized_sha256;
use synthgov_disclose::labels;
use synthgov_disclose::page::{ChangeKind, Options, disclose_page};
use synthgov_registry::registry::AssetRow;
use synthgov_scan::known::Known;
use synthgov_scan::storefront::{ImageInfo, MediaSource};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const DESCRIPTION: &str = "A calming chamomile and mint blend, picked at dawn and dried slowly.";

struct Media(HashMap<String, Arc<ImageInfo>>);

impl MediaSource for Media {
    fn image(&self, _page: &str, url: &str) -> Option<Arc<ImageInfo>> {
        self.0.get(url).cloned()
    }
}

fn asset(bytes_sha: String, kind: &str, generator: &str) -> AssetRow {
    AssetRow {
        uri: format!("file:///{bytes_sha}"),
        sha256: Some(bytes_sha),
        kind: kind.into(),
        generator: Some(generator.into()),
        dataset: None,
        surface: None,
        platform: None,
        ai_generated: true,
        bytes: None,
        attrs: Value::Null,
    }
}

fn setup() -> (Known, Media) {
    let mut ai_png = PNG.to_vec();
    ai_png.extend_from_slice(b"synthetic");
    let sha = hex::encode(Sha256::digest(&ai_png));
    let mut buf = String::new();
    let text_sha = hex::encode(normalized_sha256(DESCRIPTION, &mut buf));
    let known = Known::from_assets(&[
        asset(sha, "image", "product-image-gan"),
        asset(text_sha, "text", "description-llm"),
    ]);
    let mut m = HashMap::new();
    for url in ["ai.png", "/media/ai.png"] {
        m.insert(url.to_string(), Arc::new(ImageInfo::from_bytes(&ai_png)));
    }
    m.insert("real.png".into(), Arc::new(ImageInfo::from_bytes(PNG)));
    (known, Media(m))
}

/// Pages that put synthetic content where a careless insertion would move nodes:
/// inside links, pictures, list items, table cells, paragraphs without end tags,
/// next to existing aria-describedby, in JSON-LD arrays.
fn pages() -> Vec<(&'static str, String)> {
    vec![
        ("plain", format!(
            "<!doctype html><html><head><title>t</title></head><body>\
             <div class=\"gallery\"><img src=\"ai.png\" alt=\"Tea\"></div>\
             <div class=\"description\"><p>{DESCRIPTION}</p></div>\
             <img src=\"real.png\" alt=\"Real\"></body></html>"
        )),
        ("link-picture", "<!doctype html><html><head><title>t</title></head><body>\
             <a href=\"/p/1\" class=\"card\"><picture><source srcset=\"ai.png\"><img src=\"ai.png\" alt=\"x\"></picture><span>Tea</span></a>\
             <button type=\"button\"><img src=\"/media/ai.png\" alt=\"zoom\"></button>\
             </body></html>".into()),
        ("lists-tables", format!(
            "<!doctype html><html><head><title>t</title></head><body>\
             <ul><li><img src=\"ai.png\" alt=\"a\"></li><li>{DESCRIPTION}</li></ul>\
             <table><tr><td><img src=\"ai.png\" alt=\"b\"></td><td>plain</td></tr></table>\
             <dl><dt>Description</dt><dd>{DESCRIPTION}</dd></dl></body></html>"
        )),
        ("omitted-end-tags", format!(
            "<html><head><title>t</title><body>\
             <p>{DESCRIPTION}<p>next paragraph\
             <ul><li><img src=\"ai.png\" alt=\"c\"><li>two</ul>"
        )),
        ("existing-aria", "<!doctype html><html><head><title>t</title></head><body>\
             <p id=\"cap\">Caption</p><img src=\"ai.png\" alt=\"d\" aria-describedby=\"cap\">\
             <div data-synthetic=\"true\"><img src=\"real.png\" alt=\"e\"></div>\
             <div data-synthetic=\"true\" aria-hidden=\"true\"><span>AI-generated</span><img src=\"ai.png\" alt=\"f\"></div>\
             </body></html>".into()),
        ("json-ld", "<!doctype html><html><head><title>t</title>\
             <script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"Product\",\"name\":\"Tea </b>\",\
             \"image\":[\"ai.png\",\"real.png\",{\"@type\":\"ImageObject\",\"contentUrl\":\"/media/ai.png\"}]}</script>\
             </head><body><img src=\"ai.png\" alt=\"g\"></body></html>".into()),
        ("no-head", "<body><img src=\"ai.png\" alt=\"h\"></body>".into()),
        // A closed cookie modal: the note goes inside with the text, and shows
        // whenever the text does.
        ("hidden-container", format!(
            "<!doctype html><html><head><title>t</title></head><body>\
             <div id=\"cookie-modal\" style=\"display: none\"><div class=\"content\"><p>{DESCRIPTION}</p></div></div>\
             <section hidden><figure><img src=\"ai.png\" alt=\"i\"></figure></section></body></html>"
        )),
        // The text spread over a list's items or a row's cells.
        ("text-over-items", {
            let (a, b) = DESCRIPTION.split_at(DESCRIPTION.find(" picked").unwrap());
            format!(
                "<!doctype html><html><head><title>t</title></head><body>\
                 <ul class=\"features\"><li>{a}</li> <li>{}</li></ul>\
                 <table><tr><td>{a}</td> <td>{}</td></tr></table></body></html>",
                b.trim(),
                b.trim()
            )
        }),
    ]
}

fn is_addition(e: &ElementRef) -> bool {
    let v = e.value();
    v.attr("data-synthgov-disclosure").is_some()
        || v.id() == Some(synthgov_disclose::widget::STYLE_ID)
}

/// The JSON-LD as it was before `digitalSourceType` was added.
fn strip_ld(v: &mut Value) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(strip_ld),
        Value::Object(o) => {
            o.remove("digitalSourceType");
            if o.len() == 2
                && o.get("@type").and_then(Value::as_str) == Some("ImageObject")
                && let Some(Value::String(u)) = o.get("contentUrl")
            {
                *v = Value::String(u.clone());
                return;
            }
            o.values_mut().for_each(strip_ld);
        }
        _ => {}
    }
}

/// A canonical dump of the tree with the additions taken out.
fn dump(node: ego_tree::NodeRef<Node>, out: &mut String, depth: usize, ld: bool) {
    for child in node.children() {
        match child.value() {
            Node::Element(el) => {
                let er = ElementRef::wrap(child).unwrap();
                if is_addition(&er) {
                    continue;
                }
                let mut attrs: Vec<(String, String)> = el
                    .attrs()
                    .filter(|(k, _)| {
                        !matches!(
                            *k,
                            "data-synthetic" | "data-synthetic-asset" | "aria-describedby"
                        )
                    })
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                // aria-describedby: the original ids must still be there, first.
                if let Some(d) = el.attr("aria-describedby") {
                    let kept: Vec<&str> = d
                        .split_whitespace()
                        .filter(|id| !id.starts_with("sg-disclosure"))
                        .collect();
                    if !kept.is_empty() {
                        attrs.push(("aria-describedby".into(), kept.join(" ")));
                    }
                }
                // data-synthetic is only ever added or set to "true" (checked below).
                attrs.sort();
                out.push_str(&format!(
                    "{}<{} {:?}>\n",
                    " ".repeat(depth),
                    el.name(),
                    attrs
                ));
                let is_ld = el.name() == "script" && el.attr("type") == Some("application/ld+json");
                dump(child, out, depth + 1, is_ld);
            }
            Node::Text(t) => {
                if ld {
                    let mut v: Value = serde_json::from_str(t).expect("JSON-LD parses");
                    strip_ld(&mut v);
                    out.push_str(&format!("{}json {}\n", " ".repeat(depth), v));
                } else {
                    out.push_str(&format!("{}text {:?}\n", " ".repeat(depth), &**t));
                }
            }
            Node::Comment(c) => out.push_str(&format!("{}comment {:?}\n", " ".repeat(depth), &**c)),
            _ => {}
        }
    }
}

fn dom(html: &str, strip: bool) -> String {
    let doc = Html::parse_document(html);
    let mut s = String::new();
    dump(doc.tree.root(), &mut s, 0, false);
    if !strip {
        assert!(!s.is_empty());
    }
    s
}

fn opts<'a>(l: &'a labels::Labels, phrases: &'a [String]) -> Options<'a> {
    Options {
        labels: l,
        provenance_url: "https://gov.example/v1/assets/{sha256}",
        phrases,
        syntax: None,
        encoding: None,
    }
}

#[test]
fn disclosed_pages_keep_the_original_dom() {
    let (known, media) = setup();
    let l = labels::shipped("en").unwrap();
    let phrases = synthgov_scan::rules::Catalog::shipped().phrases();
    for (name, html) in pages() {
        let r = disclose_page(&known, name, html.as_bytes(), &media, &opts(&l, &phrases)).unwrap();
        let out = String::from_utf8(r.html.clone()).unwrap();
        assert!(!r.changes.is_empty(), "{name}: nothing disclosed");
        if matches!(name, "hidden-container" | "text-over-items") {
            assert_eq!(r.changes.len(), 2, "{name}: {:?}\n{out}", r.changes);
        }
        assert!(r.refused.is_empty(), "{name}: {:?}", r.refused);
        assert_eq!(
            dom(&html, true),
            dom(&out, true),
            "{name}: the DOM changed:\n{out}"
        );
        // What was marked stays marked.
        let marked = scraper::Selector::parse("[data-synthetic]").unwrap();
        let before = Html::parse_document(&html)
            .select(&marked)
            .filter(|e| e.value().attr("data-synthetic") == Some("true"))
            .count();
        let after = Html::parse_document(&out)
            .select(&marked)
            .filter(|e| e.value().attr("data-synthetic") == Some("true"))
            .count();
        assert!(after >= before, "{name}: a data-synthetic mark was lost");
        // Every note the page points at exists, with text.
        let doc = Html::parse_document(&out);
        let sel = scraper::Selector::parse("[aria-describedby]").unwrap();
        for el in doc.select(&sel) {
            for id in el
                .value()
                .attr("aria-describedby")
                .unwrap()
                .split_whitespace()
            {
                let target = scraper::Selector::parse(&format!("[id=\"{id}\"]")).unwrap();
                let t = doc.select(&target).next();
                assert!(
                    t.is_some(),
                    "{name}: aria-describedby {id} points nowhere:\n{out}"
                );
            }
        }
        // Idempotent.
        let again = disclose_page(&known, name, &r.html, &media, &opts(&l, &phrases)).unwrap();
        assert!(
            again.changes.is_empty(),
            "{name}: second run changed {:?}",
            again.changes
        );
        assert_eq!(again.html, r.html, "{name}: second run not byte-identical");
    }
}

#[test]
fn what_is_recognised_gets_disclosed() {
    let (known, media) = setup();
    let l = labels::shipped("de").unwrap();
    let phrases = synthgov_scan::rules::Catalog::shipped().phrases();
    let html = &pages()[0].1;
    let r = disclose_page(&known, "p", html.as_bytes(), &media, &opts(&l, &phrases)).unwrap();
    let kinds: Vec<ChangeKind> = r.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, vec![ChangeKind::Image, ChangeKind::Text]);
    let out = String::from_utf8(r.html).unwrap();
    assert!(out.contains(">KI-generiertes Bild<"), "{out}");
    assert!(
        out.contains("KI-generiertes Bild, erzeugt von product-image-gan."),
        "{out}"
    );
    assert!(out.contains("https://gov.example/v1/assets/"), "{out}");
    // The real image is untouched.
    assert!(out.contains("<img src=\"real.png\" alt=\"Real\">"), "{out}");
    // JSON-LD: synthetic entries typed, the real one left a string.
    let r = disclose_page(
        &known,
        "p",
        pages()[5].1.as_bytes(),
        &media,
        &opts(&l, &phrases),
    )
    .unwrap();
    let out = String::from_utf8(r.html).unwrap();
    let start = out.find("ld+json\">").unwrap() + 9;
    let end = out[start..].find("</script>").unwrap() + start;
    let v: Value = serde_json::from_str(&out[start..end]).unwrap();
    let images = v["image"].as_array().unwrap();
    assert_eq!(
        images[0]["digitalSourceType"],
        "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    );
    assert_eq!(images[1], "real.png");
    assert_eq!(
        images[2]["digitalSourceType"],
        "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    );
    assert!(
        out.contains("Tea <\\/b>"),
        "a closing tag in JSON stays escaped: {out}"
    );
}

#[test]
fn an_element_left_open_gets_no_note_but_is_refused() {
    let (known, media) = setup();
    let l = labels::shipped("en").unwrap();
    let phrases = synthgov_scan::rules::Catalog::shipped().phrases();
    for (name, html) in [
        (
            "unclosed",
            "<body><div><a href=\"/p\"><img src=\"ai.png\" alt=\"u\"></div><p>after</p></body>",
        ),
        (
            "truncated",
            "<body><main><a href=\"/p\"><img src=\"ai.png\" alt=\"v\">",
        ),
    ] {
        let r = disclose_page(&known, name, html.as_bytes(), &media, &opts(&l, &phrases)).unwrap();
        assert!(r.changes.is_empty(), "{name}: {:?}", r.changes);
        assert_eq!(r.html, html.as_bytes(), "{name}: changed");
        assert!(
            r.refused
                .iter()
                .any(|p| p.message.contains("no place for a disclosure note")),
            "{name}: {:?}",
            r.refused
        );
    }
}

#[test]
fn non_utf8_is_refused() {
    let (known, media) = setup();
    let l = labels::shipped("en").unwrap();
    let e = disclose_page(&known, "p", b"<p>caf\xe9</p>", &media, &opts(&l, &[])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "not UTF-8 (invalid byte at offset 6) and no charset declared; give --encoding"
    );
}

/// A windows-1252 page (declared by its meta, or by the user) and a UTF-16 page with a
/// BOM are disclosed and written back in their own encoding; the disclosure text
/// comes out in it too, and everything else byte for byte.
#[test]
fn legacy_and_utf16_pages_are_written_back_in_their_encoding() {
    let (known, media) = setup();
    let l = labels::shipped("fr").unwrap();
    let phrases = synthgov_scan::rules::Catalog::shipped().phrases();
    let page = format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body><h1>Th\u{e9} \u{2013} 5 \u{20ac}</h1><div><p>{DESCRIPTION}</p></div></body></html>"
    );
    let (cp, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    let r = disclose_page(&known, "p.html", &cp, &media, &opts(&l, &phrases)).unwrap();
    assert_eq!(r.changes.len(), 1, "{:?}", r.changes);
    let (back, _, bad) = encoding_rs::WINDOWS_1252.decode(&r.html);
    assert!(!bad);
    assert!(
        back.contains("Th\u{e9} \u{2013} 5 \u{20ac}") && back.contains("data-synthetic=\"true\"")
    );
    assert!(
        back.contains("G\u{e9}n\u{e9}r") || back.contains("IA"),
        "{back}"
    );
    assert!(std::str::from_utf8(&r.html).is_err(), "still windows-1252");
    let again = disclose_page(&known, "p.html", &r.html, &media, &opts(&l, &phrases)).unwrap();
    assert_eq!(again.html, r.html, "idempotent");

    let plain = page.replace(
        " http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"",
        "",
    );
    let (cp, _, _) = encoding_rs::WINDOWS_1252.encode(&plain);
    assert!(disclose_page(&known, "p.html", &cp, &media, &opts(&l, &phrases)).is_err());
    let user = Options {
        encoding: Some(encoding_rs::WINDOWS_1252),
        ..opts(&l, &phrases)
    };
    let r = disclose_page(&known, "p.html", &cp, &media, &user).unwrap();
    assert_eq!(r.changes.len(), 1);

    let mut le = vec![0xff, 0xfe];
    le.extend(plain.encode_utf16().flat_map(u16::to_le_bytes));
    let r = disclose_page(&known, "p.html", &le, &media, &opts(&l, &phrases)).unwrap();
    assert_eq!(r.changes.len(), 1);
    assert_eq!(&r.html[..2], b"\xff\xfe");
    let units: Vec<u16> = r.html[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let back = String::from_utf16(&units).unwrap();
    assert!(back.contains("data-synthetic=\"true\"") && back.contains("5 \u{20ac}"));
}

#[test]
fn icon_labels_keep_the_text_and_stay_idempotent() {
    let (known, media) = setup();
    let phrases = synthgov_scan::rules::Catalog::shipped().phrases();
    let icon = labels::DEFAULT_ICON.to_string();
    for (badge, class) in [
        (
            labels::Badge::Icon(icon.clone()),
            "synthgov-disclosure__label synthgov-disclosure__label--icon",
        ),
        (
            labels::Badge::Both(icon.clone()),
            "synthgov-disclosure__label",
        ),
    ] {
        let mut l = labels::shipped("de").unwrap();
        l.badge = badge.clone();
        for (name, html) in pages() {
            let r =
                disclose_page(&known, name, html.as_bytes(), &media, &opts(&l, &phrases)).unwrap();
            assert!(!r.changes.is_empty(), "{name}: nothing disclosed");
            let out = String::from_utf8(r.html.clone()).unwrap();
            assert_eq!(dom(&html, true), dom(&out, true), "{name} {badge:?}");
            let doc = Html::parse_document(&out);
            let sel = scraper::Selector::parse(".synthgov-disclosure__label").unwrap();
            let mut n = 0;
            for label in doc.select(&sel) {
                n += 1;
                assert_eq!(label.value().attr("class"), Some(class));
                let icon = label.first_child().and_then(ElementRef::wrap).unwrap();
                assert_eq!(icon.value().attr("aria-hidden"), Some("true"));
                let text: String = label
                    .children()
                    .skip(1)
                    .filter_map(ElementRef::wrap)
                    .flat_map(|e| e.text())
                    .collect();
                assert!(text.starts_with("KI-generiert"), "{name}: {text:?}");
            }
            assert!(n > 0, "{name}: no label");
            // The rescan inside disclose finds every item disclosed.
            let again = disclose_page(&known, name, &r.html, &media, &opts(&l, &phrases)).unwrap();
            assert!(
                again.changes.is_empty(),
                "{name} {badge:?}: {:?}",
                again.changes
            );
            assert_eq!(again.html, r.html, "{name}: second run not byte-identical");
        }
    }
}
