//! Pages in other encodings are scanned like UTF-8 ones: windows-1252 declared by its
//! meta (or by `--encoding`), UTF-16 with a BOM; a page that declares nothing and is
//! not UTF-8 is still read, and is a problem naming why.

use synthgov_registry::registry::AssetRow;
use synthgov_scan::known::Known;
use synthgov_scan::rules::Catalog;
use synthgov_scan::storefront::{Ctx, ImageInfo, MediaSource, scan_page};

const TEXT: &str = "Un thé apaisant à la camomille, cueilli à l'aube – 5 €.";

struct NoMedia;

impl MediaSource for NoMedia {
    fn image(&self, _page: &str, _url: &str) -> Option<std::sync::Arc<ImageInfo>> {
        None
    }
}

fn known() -> Known {
    let mut buf = String::new();
    let sha = hex::encode(synthgov_core::text::normalized_sha256(TEXT, &mut buf));
    Known::from_assets(&[AssetRow {
        uri: "file:///description.txt".into(),
        sha256: Some(sha),
        kind: "text".into(),
        generator: Some("description-llm".into()),
        dataset: None,
        surface: None,
        platform: None,
        ai_generated: true,
        bytes: None,
        attrs: serde_json::Value::Null,
    }])
}

fn rules(ctx: &Ctx, bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let r = scan_page(ctx, "p.html", bytes, &NoMedia);
    (
        r.findings.iter().map(|f| f.rule.clone()).collect(),
        r.problems.iter().map(|p| p.message.clone()).collect(),
    )
}

#[test]
fn legacy_and_utf16_pages_are_decoded_and_undeclared_ones_reported() {
    let known = known();
    let catalog = Catalog::shipped();
    let mut ctx = Ctx::new(&known, &catalog);
    let page = format!(
        "<html><head><meta charset=\"windows-1252\"></head><body><p>{TEXT}</p></body></html>"
    );
    let (cp, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    assert!(std::str::from_utf8(&cp).is_err());
    assert_eq!(rules(&ctx, &cp).0, ["SG-DISC-003"]);

    let mut le = vec![0xff, 0xfe];
    le.extend(
        page.replace("windows-1252", "utf-16")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    assert_eq!(rules(&ctx, &le).0, ["SG-DISC-003"]);

    let bare = format!("<p>{TEXT}</p>");
    let (cp, _, _) = encoding_rs::WINDOWS_1252.encode(&bare);
    // Undeclared and not UTF-8: still read (the text with a replacement character
    // does not match the registered one), and said.
    let (findings, problems) = rules(&ctx, &cp);
    assert!(findings.is_empty());
    assert_eq!(
        problems,
        [
            "not UTF-8 (invalid byte at offset 8) and no charset declared; give --encoding; read with the bad bytes replaced"
        ]
    );
    ctx.encoding = Some(encoding_rs::WINDOWS_1252);
    assert_eq!(rules(&ctx, &cp).0, ["SG-DISC-003"]);
}
