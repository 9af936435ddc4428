//! `scan shopify`: products the export marks AI-generated (metafield
//! `synthgov.ai_generated`) need a disclosure label (`synthgov.disclosure`).

use synthgov_scan::known::Known;
use synthgov_scan::platform::scan_shopify;
use synthgov_scan::rules::Catalog;

#[test]
fn marked_products_without_disclosure_label() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("products_export.csv");
    std::fs::write(
        &csv,
        "Handle,Title,Body (HTML),Image Src,AI generated (product.metafields.synthgov.ai_generated),AI label (product.metafields.synthgov.disclosure)\n\
         linen-shirt,Linen shirt,<p>Breezy linen.</p>,https://cdn.shopify.com/s/files/1/linen.jpg,true,\n\
         silk-scarf,Silk scarf,<p>Hand-rolled silk.</p>,https://cdn.shopify.com/s/files/1/silk.jpg,true,AI-generated description and photo\n\
         wool-hat,Wool hat,<p>Warm.</p>,https://cdn.shopify.com/s/files/1/hat.jpg,false,\n",
    )
    .unwrap();
    let r = scan_shopify(&Catalog::shipped(), &Known::default(), &csv, true).unwrap();
    assert_eq!(r.scanned, 3);
    // In the export at the product's row, the product object as the selector.
    let file = csv.display().to_string();
    let got: Vec<(&str, &str, Option<u64>, Option<&str>)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.location.uri.as_str(),
                f.location.line,
                f.location.selector.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "SG-DISC-003",
                file.as_str(),
                Some(2),
                Some("shopify://linen-shirt/body_html")
            ),
            (
                "SG-DISC-001",
                file.as_str(),
                Some(2),
                Some("shopify://linen-shirt/image?src=https://cdn.shopify.com/s/files/1/linen.jpg")
            ),
        ]
    );
}
