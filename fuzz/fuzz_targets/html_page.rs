//! Any bytes as a saved page: the scanner must return findings or problems, never panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use synthgov_scan::known::Known;
use synthgov_scan::rules::Catalog;
use synthgov_scan::storefront::{Ctx, ImageInfo, MediaSource, scan_page};

/// Every referenced image is "read" as the URL's own bytes, so the image paths run too.
struct UrlBytes;

impl MediaSource for UrlBytes {
    fn image(&self, _page: &str, url: &str) -> Option<Arc<ImageInfo>> {
        Some(Arc::new(ImageInfo::from_bytes(url.as_bytes())))
    }
}

fuzz_target!(|data: &[u8]| {
    let known = Known::default();
    let catalog = Catalog::shipped();
    let ctx = Ctx::new(&known, &catalog);
    let _ = scan_page(&ctx, "fuzz.html", data, &UrlBytes);
});
