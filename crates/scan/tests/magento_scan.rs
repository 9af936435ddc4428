//! `scan magento` against a real MariaDB holding Magento's declared schema and the Luma
//! sample products (the import tests' loader): AI-marked products without a disclosure
//! label, admin roles that may trigger generation, transport settings in env.php.

#[path = "../../platform/tests/support/magento_db.rs"]
mod magento_db;

use std::collections::BTreeSet;

use magento_db::*;
use synthgov_scan::known::Known;
use synthgov_scan::platform::{MagentoScan, scan_magento};
use synthgov_scan::rules::Catalog;

const ATTR_DISCLOSURE: i64 = 201;

#[test]
fn ai_products_without_disclosure_roles_and_env() {
    let Some(server) = server_url() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (url, products) = rt.block_on(async {
        let (url, pool) = fresh_magento_db(&server, "scan").await;
        let products = load_luma(&pool, "ai_generated").await;
        sqlx::query("INSERT INTO eav_attribute (attribute_id, entity_type_id, attribute_code, backend_type, frontend_input, is_required, is_user_defined) VALUES (?, 4, 'ai_disclosure_text', 'varchar', 'text', 0, 1)")
            .bind(ATTR_DISCLOSURE).execute(&pool).await.unwrap();
        // The first AI-marked product shows a label; the others do not.
        let first_ai = products.iter().position(|p| p.ai_generated).unwrap() as i64 + 1;
        sqlx::query("INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) VALUES (?, 0, ?, 'AI-generated description')")
            .bind(ATTR_DISCLOSURE).bind(first_ai).execute(&pool).await.unwrap();
        for s in [
            "INSERT INTO authorization_role (role_id, parent_id, tree_level, sort_order, role_type, user_id, user_type, role_name) VALUES
               (1, 0, 1, 1, 'G', 0, '2', 'Administrators'),
               (2, 1, 2, 0, 'U', 1, '2', 'admin'),
               (3, 0, 1, 1, 'G', 0, '2', 'Catalog editors'),
               (4, 3, 2, 0, 'U', 2, '2', 'editor'),
               (5, 0, 1, 1, 'G', 0, '2', 'AI studio'),
               (6, 5, 2, 0, 'U', 3, '2', 'ml-ops'),
               (7, 5, 2, 0, 'U', 4, '2', 'ml-ops-2')",
            "INSERT INTO authorization_rule (role_id, resource_id, privileges, permission) VALUES
               (1, 'Magento_Backend::all', NULL, 'allow'),
               (3, 'Magento_Backend::all', NULL, 'deny'),
               (3, 'Magento_Catalog::products', NULL, 'allow'),
               (5, 'Synthgov_Governance::generate', NULL, 'allow')",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(s)).execute(&pool).await.unwrap();
        }
        pool.close().await;
        (url, products)
    });
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("env.php");
    std::fs::write(
        &env,
        "<?php\nreturn [\n  'synthgov' => [\n    'endpoint' => 'http://governance.internal/api',\n    'http' => ['verify_peer' => false],\n  ],\n];\n",
    )
    .unwrap();
    let catalog = Catalog::shipped();
    let r = scan_magento(
        &catalog,
        &Known::default(),
        &MagentoScan {
            db: Some(url),
            ai_attribute: "ai_generated".into(),
            disclosure_attribute: "ai_disclosure_text".into(),
            media_dir: None,
            env: Some(env),
        },
    )
    .unwrap();
    assert_eq!(r.scanned, products.len() as u64 + 1);

    let ai: Vec<&Product> = products.iter().filter(|p| p.ai_generated).collect();
    assert!(ai.len() >= 10, "{} AI products", ai.len());
    let undisclosed: BTreeSet<String> = ai[1..]
        .iter()
        .filter(|p| !p.description.trim().is_empty())
        .map(|p| format!("magento://{}/description?store=0", p.sku))
        .collect();
    let got: BTreeSet<String> = r
        .findings
        .iter()
        .filter(|f| f.rule == "SG-DISC-003" && f.location.uri.contains("/description?"))
        .map(|f| f.location.uri.clone())
        .collect();
    assert_eq!(got, undisclosed);
    assert!(r.findings.iter().all(|f| {
        !f.location
            .uri
            .contains(&format!("magento://{}/", ai[0].sku))
    }));

    let roles: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.rule == "SG-ACL-001")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        roles,
        vec![
            "Admin role Administrators (1 user(s)) is allowed everything (Magento_Backend::all)",
            "Admin role AI studio (2 user(s)) is allowed Synthgov_Governance::generate",
        ]
    );
    let tls: Vec<(&str, u64)> = r
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("SG-TLS"))
        .map(|f| (f.rule.as_str(), f.location.line.unwrap()))
        .collect();
    assert_eq!(tls, vec![("SG-TLS-001", 4), ("SG-TLS-002", 5)]);
}
