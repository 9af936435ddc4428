//! The Magento reader against a real MariaDB holding Magento's declared schema and
//! the Luma sample products.

mod support;

use support::magento_db::*;
use synthgov_core::text::html_sha256;
use synthgov_platform::magento::{MagentoOptions, read_database};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn reads_descriptions_gallery_and_ai_flags_per_store_view() {
    let Some(server) = server_url() else { return };
    let rt = rt();
    let (url, products) = rt.block_on(async {
        let (url, pool) = fresh_magento_db(&server, "import").await;
        let products = load_luma(&pool, "ai_generated").await;
        // Store view 1 overrides: product 0 (AI at default) is not AI in view 1 and has
        // its own description; product 1 (not AI at default) is AI in view 1 only.
        for (entity, flag) in [(1i64, 0i32), (2, 1)] {
            sqlx::query("INSERT INTO catalog_product_entity_int (attribute_id, store_id, entity_id, value) VALUES (?, 1, ?, ?)")
                .bind(ATTR_AI).bind(entity).bind(flag).execute(&pool).await.unwrap();
        }
        sqlx::query("INSERT INTO catalog_product_entity_text (attribute_id, store_id, entity_id, value) VALUES (?, 1, 1, '<p>Sporttasche, <b>robust</b>.</p>')")
            .bind(ATTR_DESCRIPTION).execute(&pool).await.unwrap();
        pool.close().await;
        (url, products)
    });
    assert!(
        products.len() >= 40,
        "loaded {} Luma products",
        products.len()
    );

    // Gallery images on disk for all but one product.
    let media = tempfile::tempdir().unwrap();
    let images = std::fs::read_to_string(
        testdata().join("sample-data/CatalogSampleData__SimpleProduct__images_gear_bags.csv"),
    )
    .unwrap();
    let values: Vec<&str> = images
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    for v in &values[1..] {
        let p = synthgov_platform::magento::media_path(media.path(), v);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, format!("image bytes of {v}")).unwrap();
    }

    let cat = read_database(&MagentoOptions {
        url: url.clone(),
        media_dir: Some(media.path().to_owned()),
        ai_attribute: "ai_generated".into(),
    })
    .unwrap();
    assert_eq!(cat.products, products.len() as u64);

    let texts: Vec<_> = cat.assets.iter().filter(|a| a.kind == "text").collect();
    assert_eq!(
        texts.len(),
        products.len() + 1,
        "one description per product plus the store-view override"
    );
    for p in &products {
        let a = texts
            .iter()
            .find(|a| a.product == p.sku && a.store_id == 0)
            .unwrap();
        assert_eq!(a.attribute, "description");
        assert_eq!(
            a.sha256.as_deref(),
            Some(html_sha256(&p.description).as_str()),
            "{}",
            p.sku
        );
        assert_eq!(a.ai_generated, p.ai_generated, "{}", p.sku);
    }
    let view1 = texts.iter().find(|a| a.store_id == 1).unwrap();
    assert_eq!(view1.product, products[0].sku);
    assert!(!view1.ai_generated, "store view 1 says not AI-generated");
    assert_eq!(
        view1.sha256.as_deref(),
        Some(html_sha256("<p>Sporttasche, <b>robust</b>.</p>").as_str())
    );
    assert_eq!(
        view1.uri,
        format!("magento://{}/description?store=1", products[0].sku)
    );

    let gallery: Vec<_> = cat.assets.iter().filter(|a| a.kind == "image").collect();
    assert_eq!(gallery.len(), values.len());
    assert!(
        gallery
            .iter()
            .all(|g| g.attribute == "media_gallery" && g.store_id == 0)
    );
    let hashed = gallery.iter().filter(|g| g.sha256.is_some()).count();
    assert_eq!(hashed, values.len() - 1);
    assert_eq!(cat.warnings.len(), 1, "{:?}", cat.warnings);
    assert!(
        cat.warnings[0].contains(
            values[0]
                .trim_start_matches('/')
                .rsplit('/')
                .next()
                .unwrap()
        )
    );

    // Another attribute code: nothing marked, and a warning says why.
    let cat = read_database(&MagentoOptions {
        url,
        media_dir: None,
        ai_attribute: "made_by_ai".into(),
    })
    .unwrap();
    assert!(cat.assets.iter().all(|a| !a.ai_generated));
    assert!(
        cat.assets
            .iter()
            .filter(|a| a.kind == "image")
            .all(|a| a.sha256.is_none())
    );
    assert!(cat.warnings.iter().any(|w| w.contains("made_by_ai")));
}

#[test]
fn unreachable_database_is_a_clear_error() {
    let err = read_database(&MagentoOptions {
        url: "mysql://root:secret@127.0.0.1:1/magento".into(),
        media_dir: None,
        ai_attribute: "ai_generated".into(),
    })
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("database mysql://root:***@127.0.0.1:1/magento"),
        "{msg}"
    );
    assert!(!msg.contains("secret"));
    let err = read_database(&MagentoOptions {
        url: "postgres://x/y".into(),
        media_dir: None,
        ai_attribute: "a".into(),
    })
    .unwrap_err();
    assert!(err.is_bad_input());
}

#[test]
fn every_shipped_db_schema_translates() {
    let dir = testdata().join("db_schema");
    let mut n = 0;
    for f in std::fs::read_dir(dir).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "xml") {
            n += ddl(&std::fs::read_to_string(&p).unwrap()).len();
        }
    }
    assert_eq!(n, 151);
}
