//! Magento import of 100,000 products (issue 3: under 30 s), against a real MariaDB
//! with Magento's declared schema. Times the library read and, when
//! `target/release/synthgov` exists, the whole `synthgov import magento` command
//! (read + record 100,000+ assets in the registry).
//!
//! Run: `SYNTHGOV_TEST_MARIADB_URL=mysql://root@127.0.0.1:3306/test \
//!       cargo build --release && cargo bench -p synthgov-platform --bench magento_import`

#[path = "../tests/support/magento_db.rs"]
mod magento_db;

use std::time::Instant;

use synthgov_platform::magento::{MagentoOptions, read_database};

const PRODUCTS: usize = 100_000;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` probes with --list
    }
    let Some(server) = magento_db::server_url() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let t = Instant::now();
    let url = rt.block_on(async {
        let (url, pool) = magento_db::fresh_magento_db(&server, "bench").await;
        let luma = magento_db::load_luma(&pool, "ai_generated").await;
        // Grow the catalog to PRODUCTS with Luma descriptions, multi-row inserts.
        let start = luma.len() + 1;
        for chunk in (start..=PRODUCTS).collect::<Vec<_>>().chunks(1000) {
            let mut e = String::from("INSERT INTO catalog_product_entity (entity_id, attribute_set_id, type_id, sku) VALUES ");
            let mut t = String::from("INSERT INTO catalog_product_entity_text (attribute_id, store_id, entity_id, value) VALUES ");
            let mut f = String::from("INSERT INTO catalog_product_entity_int (attribute_id, store_id, entity_id, value) VALUES ");
            for (k, id) in chunk.iter().enumerate() {
                let sep = if k == 0 { "" } else { "," };
                let desc = luma[id % luma.len()].description.replace('\\', "\\\\").replace('\'', "''");
                e.push_str(&format!("{sep}({id},4,'simple','BENCH-{id:06}')"));
                t.push_str(&format!("{sep}({},0,{id},'{desc} #{id}')", magento_db::ATTR_DESCRIPTION));
                f.push_str(&format!("{sep}({},0,{id},{})", magento_db::ATTR_AI, (id % 3 == 0) as i32));
            }
            for s in [e, t, f] {
                sqlx::query(sqlx::AssertSqlSafe(s)).execute(&pool).await.unwrap();
            }
        }
        pool.close().await;
        url
    });
    eprintln!(
        "loaded {PRODUCTS} products in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let cat = read_database(&MagentoOptions {
        url: url.clone(),
        media_dir: None,
        ai_attribute: "ai_generated".into(),
    })
    .unwrap();
    let read = t.elapsed().as_secs_f64();
    println!(
        "magento read: {} products, {} assets in {read:.2} s",
        cat.products,
        cat.assets.len()
    );

    let bin =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/synthgov");
    if bin.exists() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().join("h");
        let run = |args: &[&str]| {
            let st = std::process::Command::new(&bin)
                .arg("--home")
                .arg(&h)
                .args(args)
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(st.success(), "{args:?}");
        };
        run(&["init"]);
        let t = Instant::now();
        run(&["import", "magento", "--db", &url, "--quiet"]);
        println!(
            "synthgov import magento (read + record in the registry): {:.2} s (target < 30 s)",
            t.elapsed().as_secs_f64()
        );
    } else {
        println!("(build target/release/synthgov to time the whole command)");
    }
}
