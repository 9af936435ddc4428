//! `synthgov import magento|shopify` through the binary: the contract's JSON shape,
//! assets landing in the inventory, re-import adding nothing.

mod common;

#[path = "../../platform/tests/support/magento_db.rs"]
mod magento_db;

use common::{Env, path_str};
use serde_json::Value;
use synthgov_core::text::html_sha256;

fn shopify(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/shopify")
        .join(name)
}

#[test]
fn shopify_csv_exports() {
    let env = Env::new();
    for (file, min_products) in [("apparel.csv", 10), ("jewelery.csv", 10)] {
        let r = env.run(&[
            "import",
            "shopify",
            "--csv",
            path_str(&shopify(file)),
            "--json",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let j = r.json();
        assert!(
            j["products"].as_u64().unwrap() >= min_products,
            "{file}: {j}"
        );
        let assets = j["assets"].as_array().unwrap();
        let first = &assets[0];
        for k in [
            "handle",
            "kind",
            "attribute",
            "store_id",
            "ai_generated",
            "sha256",
            "uri",
        ] {
            assert!(first.get(k).is_some(), "{file}: asset lacks {k}");
        }
        // Nothing in these exports carries synthgov metafields.
        assert!(assets.iter().all(|a| a["ai_generated"] == false));
        assert!(assets.iter().any(|a| a["kind"] == "image" && a["uri"].as_str().unwrap().starts_with("https://")));
    }
    // The description hash is that of the HTML's normalized text.
    let mut rdr = csv::Reader::from_path(shopify("apparel.csv")).unwrap();
    let rec = rdr.records().next().unwrap().unwrap();
    let r = env.run(&[
        "import",
        "shopify",
        "--csv",
        path_str(&shopify("apparel.csv")),
        "--json",
    ]);
    let j = r.json();
    let a = j["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["handle"] == rec[0] && a["kind"] == "text")
        .unwrap();
    assert_eq!(a["sha256"].as_str().unwrap(), html_sha256(&rec[2]));
    assert_eq!(
        j["recorded"]["new"], 0,
        "re-import of an unchanged export adds nothing"
    );

    let inv = env.run(&["inventory", "--json"]).json();
    assert!(
        inv["assets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["platform"] == "shopify")
    );
}

#[test]
fn shopify_csv_metafield_columns_and_bad_rows() {
    let env = Env::new();
    let csv_text = "Handle,Title,Body (HTML),Image Src,AI generated (product.metafields.synthgov.ai_generated)\n\
        calm-tea,Calm Tea,<p>Soothing <b>chamomile</b>.</p>,https://cdn.example/calm.png,true\n\
        calm-tea,,,https://cdn.example/calm-2.png,\n\
        plain-mug,Mug,<p>A mug.</p>,https://cdn.example/mug.png,false\n";
    let f = env.write("p.csv", csv_text.as_bytes());
    let j = env
        .run(&["import", "shopify", "--csv", path_str(&f), "--json"])
        .json();
    assert_eq!(j["products"], 2);
    let ai: Vec<&str> = j["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["ai_generated"] == true)
        .map(|a| a["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        ai,
        [
            "shopify://calm-tea/body_html",
            "https://cdn.example/calm.png",
            "https://cdn.example/calm-2.png"
        ]
    );

    let f = env.write("ragged.csv", b"Handle,Title,Body (HTML)\na,b,c\nd,e\n");
    let r = env.run(&["import", "shopify", "--csv", path_str(&f)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ragged.csv: line 3"), "{}", r.stderr);
    let f = env.write("nohandle.csv", b"Title\nx\n");
    let r = env.run(&["import", "shopify", "--csv", path_str(&f)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no `Handle` column"), "{}", r.stderr);
}

#[test]
fn shopify_admin_api_json_with_metafields() {
    let env = Env::new();
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(shopify("admin-rest-product.json")).unwrap())
            .unwrap();
    v["product"]["metafields"] = serde_json::json!([
        {"namespace": "synthgov", "key": "ai_generated_description", "value": "true", "type": "boolean"},
        {"namespace": "affiliates", "key": "app_key", "value": "x"}
    ]);
    let f = env.write("product.json", v.to_string().as_bytes());
    // The contract's spelling: --json FILE for input, --json for output.
    let r = env.run(&["import", "shopify", "--json", path_str(&f), "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["products"], 1);
    let assets = j["assets"].as_array().unwrap();
    let text = assets.iter().find(|a| a["kind"] == "text").unwrap();
    assert_eq!(text["ai_generated"], true);
    assert_eq!(text["handle"], v["product"]["handle"]);
    assert!(
        assets
            .iter()
            .filter(|a| a["kind"] == "image")
            .all(|a| a["ai_generated"] == false)
    );
}

#[test]
fn magento_database_import_lands_in_the_inventory() {
    let Some(server) = magento_db::server_url() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (url, products) = rt.block_on(async {
        let (url, pool) = magento_db::fresh_magento_db(&server, "cli").await;
        let p = magento_db::load_luma(&pool, "ai_generated").await;
        pool.close().await;
        (url, p)
    });
    let env = Env::new();
    let r = env.run(&["import", "magento", "--db", &url, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["products"], products.len());
    let texts: Vec<&Value> = j["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "text")
        .collect();
    assert_eq!(texts.len(), products.len());
    for p in &products {
        let a = texts.iter().find(|a| a["sku"] == p.sku.as_str()).unwrap();
        assert_eq!(a["ai_generated"], p.ai_generated, "{}", p.sku);
        assert_eq!(a["store_id"], 0);
    }
    let size = env.size();
    let r = env.run(&["import", "magento", "--db", &url, "--json"]);
    assert_eq!(r.json()["recorded"]["new"], 0);
    assert_eq!(env.size(), size, "re-import adds no events");
    let inv = env.run(&["inventory", "--json"]).json();
    let ai = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["platform"] == "magento" && a["kind"] == "text" && a["ai_generated"] == true)
        .count();
    assert_eq!(ai, products.iter().filter(|p| p.ai_generated).count());

    let r = env.run(&["import", "magento", "--db", "mysql://root@127.0.0.1:1/none"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
}
