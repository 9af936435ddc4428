//! Any bytes as a page rewritten by `disclose html`, with a registry that knows a
//! synthetic product description and a synthetic image: a rewritten page or an
//! error, never a panic.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use synthgov_disclose::labels::{self, Labels};
use synthgov_disclose::page::{Options, disclose_page};
use synthgov_registry::registry::AssetRow;
use synthgov_scan::known::Known;
use synthgov_scan::storefront::{ImageInfo, MediaSource};

const TEXT: &str = "Ashwagandha and magnesium for calm evenings: 60 vegan capsules.";

struct UrlBytes;

impl MediaSource for UrlBytes {
    fn image(&self, _page: &str, url: &str) -> Option<Arc<ImageInfo>> {
        Some(Arc::new(ImageInfo::from_bytes(url.as_bytes())))
    }
}

fn asset(sha: String, kind: &str, attrs: serde_json::Value) -> AssetRow {
    AssetRow {
        uri: format!("fuzz/{kind}"),
        sha256: Some(sha),
        kind: kind.into(),
        generator: Some("gen".into()),
        dataset: None,
        surface: None,
        platform: None,
        ai_generated: true,
        bytes: None,
        attrs,
    }
}

fn setup() -> &'static (Known, Labels, Vec<String>) {
    static S: OnceLock<(Known, Labels, Vec<String>)> = OnceLock::new();
    S.get_or_init(|| {
        let mut buf = String::new();
        let text_sha = hex(&synthgov_core::text::normalized_sha256(TEXT, &mut buf));
        // The image "ai.png": its bytes are its URL (see UrlBytes).
        let img_sha = synthgov_core::digest::sha256_hex(b"ai.png");
        let known = Known::from_assets(&[
            asset(text_sha, "text", json!({"text_len": TEXT.len()})),
            asset(img_sha, "image", json!({})),
        ]);
        let phrases = synthgov_scan::rules::Catalog::shipped().phrases();
        (known, labels::shipped("en").expect("shipped labels"), phrases)
    })
}

fn hex(b: &[u8; 32]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let (known, l, phrases) = setup();
    let opts = Options {
        labels: l,
        provenance_url: "https://gov.example/v1/assets/{sha256}",
        phrases,
        second_pass: false,
    };
    if let Ok(r) = disclose_page(known, "fuzz.html", data, &UrlBytes, &opts) {
        // A rewritten page is rewritten again without a panic (idempotence is the
        // DOM tests' business).
        let _ = disclose_page(known, "fuzz.html", &r.html, &UrlBytes, &opts);
    }
});
