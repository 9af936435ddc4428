//! Test support: a real Magento 2 schema in a real MariaDB.
//!
//! Tables are created from Magento's own declarative schemas
//! (`shared/testdata/magento/db_schema/*.xml`) by a small translator of the
//! db_schema.xml vocabulary to MariaDB DDL, and filled with the Luma sample products
//! (`shared/testdata/magento/sample-data`). Each test gets a fresh database.
//!
//! The server comes from `SYNTHGOV_TEST_MARIADB_URL` (set by .ci/run); without it the
//! tests that need it print a notice and skip.

#![allow(dead_code)]

use std::path::PathBuf;

use sqlx::mysql::MySqlPoolOptions;
use sqlx::{Executor, MySqlPool};

pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/magento")
}

/// The server URL without a database, or None (with a notice) when not configured.
pub fn server_url() -> Option<String> {
    let url = synthgov_core::testenv::db_url("SYNTHGOV_TEST_MARIADB_URL")?;
    // Drop the database part: each test creates its own.
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    Some(match rest.find('/') {
        Some(i) => url[..url.len() - rest.len() + i].to_owned(),
        None => url.clone(),
    })
}

/// Translates one db_schema.xml into CREATE TABLE statements.
pub fn ddl(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("db_schema.xml parses");
    let xsi = "http://www.w3.org/2001/XMLSchema-instance";
    let mut out = Vec::new();
    for table in doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("table"))
    {
        if table.attribute("disabled") == Some("true") {
            continue;
        }
        let name = table.attribute("name").expect("table name");
        let mut parts: Vec<String> = Vec::new();
        for c in table.children().filter(|n| n.is_element()) {
            let ty = c.attribute((xsi, "type")).unwrap_or("");
            match c.tag_name().name() {
                "column" => {
                    if c.attribute("disabled") == Some("true") {
                        continue;
                    }
                    parts.push(column(&c, ty));
                }
                "constraint" => {
                    let cols: Vec<String> = c
                        .children()
                        .filter(|n| n.has_tag_name("column"))
                        .map(|n| format!("`{}`", n.attribute("name").unwrap()))
                        .collect();
                    let id = c.attribute("referenceId").unwrap_or("");
                    match ty {
                        "primary" => parts.push(format!("PRIMARY KEY ({})", cols.join(", "))),
                        "unique" => parts.push(format!("UNIQUE KEY `{id}` ({})", cols.join(", "))),
                        "foreign" => {
                            let on_delete = match c.attribute("onDelete").unwrap_or("NO ACTION") {
                                "CASCADE" => "CASCADE",
                                "SET NULL" => "SET NULL",
                                _ => "NO ACTION",
                            };
                            parts.push(format!(
                                "CONSTRAINT `{id}` FOREIGN KEY (`{}`) REFERENCES `{}` (`{}`) ON DELETE {on_delete}",
                                c.attribute("column").unwrap(),
                                c.attribute("referenceTable").unwrap(),
                                c.attribute("referenceColumn").unwrap()
                            ));
                        }
                        _ => {}
                    }
                }
                "index" => {
                    let cols: Vec<String> = c
                        .children()
                        .filter(|n| n.has_tag_name("column"))
                        .map(|n| format!("`{}`", n.attribute("name").unwrap()))
                        .collect();
                    let id = c.attribute("referenceId").unwrap_or("");
                    let kind = if c.attribute("indexType") == Some("fulltext") {
                        "FULLTEXT KEY"
                    } else {
                        "KEY"
                    };
                    parts.push(format!("{kind} `{id}` ({})", cols.join(", ")));
                }
                _ => {}
            }
        }
        let engine = if table.attribute("engine") == Some("memory") {
            "MEMORY"
        } else {
            "InnoDB"
        };
        out.push(format!(
            "CREATE TABLE `{name}` (\n  {}\n) ENGINE={engine} DEFAULT CHARSET=utf8mb4",
            parts.join(",\n  ")
        ));
    }
    out
}

fn column(c: &roxmltree::Node, ty: &str) -> String {
    let name = c.attribute("name").unwrap();
    let unsigned = if c.attribute("unsigned") == Some("true") {
        " UNSIGNED"
    } else {
        ""
    };
    let sql_type = match ty {
        "int" | "smallint" | "bigint" | "tinyint" => format!("{}{unsigned}", ty.to_uppercase()),
        "boolean" => "TINYINT(1)".into(),
        "decimal" => format!(
            "DECIMAL({},{}){unsigned}",
            c.attribute("precision").unwrap_or("10"),
            c.attribute("scale").unwrap_or("0")
        ),
        "float" | "double" => ty.to_uppercase(),
        "varchar" | "varbinary" => format!(
            "{}({})",
            ty.to_uppercase(),
            c.attribute("length").unwrap_or("255")
        ),
        "text" | "mediumtext" | "longtext" | "blob" | "mediumblob" | "longblob" | "date"
        | "datetime" | "timestamp" | "json" => ty.to_uppercase(),
        other => panic!("db_schema column type {other:?} not translated"),
    };
    let mut s = format!("`{name}` {sql_type}");
    let nullable = c.attribute("nullable") != Some("false");
    if !nullable {
        s.push_str(" NOT NULL");
    } else if ty == "timestamp" {
        s.push_str(" NULL");
    }
    if c.attribute("identity") == Some("true") {
        s.push_str(" AUTO_INCREMENT");
    }
    if let Some(d) = c.attribute("default") {
        let numeric = matches!(
            ty,
            "int" | "smallint" | "bigint" | "tinyint" | "boolean" | "decimal" | "float" | "double"
        );
        if d.eq_ignore_ascii_case("CURRENT_TIMESTAMP") {
            s.push_str(" DEFAULT CURRENT_TIMESTAMP");
        } else if d.eq_ignore_ascii_case("null") {
            s.push_str(" DEFAULT NULL");
        } else if numeric
            || (matches!(ty, "timestamp" | "datetime") && d.chars().all(|c| c.is_ascii_digit()))
        {
            s.push_str(&format!(
                " DEFAULT {}",
                if d == "true" {
                    "1"
                } else if d == "false" {
                    "0"
                } else {
                    d
                }
            ));
        } else if !matches!(
            ty,
            "text" | "mediumtext" | "longtext" | "blob" | "mediumblob" | "longblob"
        ) {
            s.push_str(&format!(" DEFAULT '{}'", d.replace('\'', "''")));
        }
    }
    if c.attribute("on_update") == Some("true") {
        s.push_str(" ON UPDATE CURRENT_TIMESTAMP");
    }
    s
}

/// A fresh database with every table of the shipped db_schema files.
pub async fn fresh_magento_db(server: &str, tag: &str) -> (String, MySqlPool) {
    let admin = MySqlPoolOptions::new()
        .max_connections(1)
        .connect(server)
        .await
        .expect("MariaDB reachable");
    let db = format!("sg_{tag}_{}_{}", std::process::id(), rand_suffix());
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE `{db}` CHARACTER SET utf8mb4"
        )))
        .await
        .unwrap();
    admin.close().await;
    let url = format!("{server}/{db}");
    let pool = MySqlPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("SET FOREIGN_KEY_CHECKS = 0").await?;
                // Magento inserts id 0 (admin website, store) as itself.
                conn.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')")
                    .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
        .unwrap();
    let dir = testdata().join("db_schema");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    let mut tables = 0;
    for f in files {
        for stmt in ddl(&std::fs::read_to_string(&f).unwrap()) {
            pool.execute(sqlx::AssertSqlSafe(stmt.clone()))
                .await
                .unwrap_or_else(|e| panic!("{}: {e}\n{stmt}", f.display()));
            tables += 1;
        }
    }
    assert!(tables >= 150, "created {tables} tables");
    (url, pool)
}

fn rand_suffix() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    format!("{:x}", t.as_nanos() & 0xffff_ffff)
}

/// One Luma product as loaded.
#[derive(Debug, Clone)]
pub struct Product {
    pub sku: String,
    pub description: String,
    pub ai_generated: bool,
}

pub const ATTR_NAME: i64 = 73;
pub const ATTR_DESCRIPTION: i64 = 75;
pub const ATTR_SHORT_DESCRIPTION: i64 = 76;
pub const ATTR_MEDIA_GALLERY: i64 = 90;
pub const ATTR_AI: i64 = 200;

/// Loads the Luma "Gear" simple products: every third one marked AI-generated at the
/// default scope; returns them in load order. Gallery images from the bags image list.
pub async fn load_luma(pool: &MySqlPool, ai_code: &str) -> Vec<Product> {
    let q = |s: &str| sqlx::query(sqlx::AssertSqlSafe(s.to_owned()));
    for s in [
        "INSERT INTO store_website (website_id, code, name, sort_order, default_group_id, is_default) VALUES (0,'admin','Admin',0,0,0),(1,'base','Main Website',0,1,1)",
        "INSERT INTO store_group (group_id, website_id, name, root_category_id, default_store_id, code) VALUES (0,0,'Default',0,0,'default'),(1,1,'Main Website Store',2,1,'main_website_store')",
        "INSERT INTO store (store_id, code, website_id, group_id, name, sort_order, is_active) VALUES (0,'admin',0,0,'Admin',0,1),(1,'default',1,1,'Default Store View',0,1),(2,'de',1,1,'German Store View',1,1)",
        "INSERT INTO eav_entity_type (entity_type_id, entity_type_code, entity_model, attribute_model, entity_table, default_attribute_set_id) VALUES (4,'catalog_product','Magento\\Catalog\\Model\\ResourceModel\\Product','Magento\\Catalog\\Model\\ResourceModel\\Eav\\Attribute','catalog_product_entity',4)",
        "INSERT INTO eav_attribute_set (attribute_set_id, entity_type_id, attribute_set_name, sort_order) VALUES (4,4,'Default',1)",
    ] {
        q(s).execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    let mut attrs = vec![
        (ATTR_NAME, "name", "varchar", "text"),
        (ATTR_DESCRIPTION, "description", "text", "textarea"),
        (
            ATTR_SHORT_DESCRIPTION,
            "short_description",
            "text",
            "textarea",
        ),
        (ATTR_MEDIA_GALLERY, "media_gallery", "static", "gallery"),
    ];
    attrs.push((ATTR_AI, ai_code, "int", "boolean"));
    for (id, code, backend, input) in attrs {
        sqlx::query("INSERT INTO eav_attribute (attribute_id, entity_type_id, attribute_code, backend_type, frontend_input, is_required, is_user_defined) VALUES (?, 4, ?, ?, ?, 0, 1)")
            .bind(id).bind(code).bind(backend).bind(input)
            .execute(pool).await.unwrap();
    }
    let dir = testdata().join("sample-data");
    let mut products = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("CatalogSampleData__SimpleProduct__products_")
        })
        .collect();
    files.sort();
    for f in files {
        let mut rdr = csv::Reader::from_path(&f).unwrap();
        let h = rdr.headers().unwrap().clone();
        let sku_i = h.iter().position(|c| c == "sku").unwrap();
        let desc_i = h.iter().position(|c| c == "description").unwrap();
        for r in rdr.records() {
            let r = r.unwrap();
            products.push(Product {
                sku: r[sku_i].to_owned(),
                description: r[desc_i].to_owned(),
                ai_generated: products.len() % 3 == 0,
            });
        }
    }
    for (i, p) in products.iter().enumerate() {
        let id = i as i64 + 1;
        sqlx::query("INSERT INTO catalog_product_entity (entity_id, attribute_set_id, type_id, sku) VALUES (?, 4, 'simple', ?)")
            .bind(id).bind(&p.sku).execute(pool).await.unwrap();
        sqlx::query("INSERT INTO catalog_product_entity_text (attribute_id, store_id, entity_id, value) VALUES (?, 0, ?, ?)")
            .bind(ATTR_DESCRIPTION).bind(id).bind(&p.description).execute(pool).await.unwrap();
        sqlx::query("INSERT INTO catalog_product_entity_int (attribute_id, store_id, entity_id, value) VALUES (?, 0, ?, ?)")
            .bind(ATTR_AI).bind(id).bind(p.ai_generated as i32).execute(pool).await.unwrap();
    }
    let mut rdr =
        csv::Reader::from_path(dir.join("CatalogSampleData__SimpleProduct__images_gear_bags.csv"))
            .unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        let Some(i) = products.iter().position(|p| p.sku == r[0]) else {
            continue;
        };
        let res = sqlx::query("INSERT INTO catalog_product_entity_media_gallery (attribute_id, value, media_type, disabled) VALUES (?, ?, 'image', 0)")
            .bind(ATTR_MEDIA_GALLERY).bind(&r[1]).execute(pool).await.unwrap();
        sqlx::query("INSERT INTO catalog_product_entity_media_gallery_value_to_entity (value_id, entity_id) VALUES (?, ?)")
            .bind(res.last_insert_id() as i64).bind(i as i64 + 1).execute(pool).await.unwrap();
    }
    products
}
