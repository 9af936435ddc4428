//! Magento 2 / Adobe Commerce: read product content from the store's database.
//!
//! The catalog is EAV: `catalog_product_entity` holds products, `eav_attribute` names
//! attributes (entity type `catalog_product`), and values sit in
//! `catalog_product_entity_<backend_type>` per store view (`store_id` 0 is the default).
//! Gallery images are `catalog_product_entity_media_gallery` rows linked to products
//! through `..._media_gallery_value_to_entity`; a value `/a/b/x.jpg` is the file
//! `pub/media/catalog/product/a/b/x.jpg`. Adobe Commerce links values by `row_id`
//! instead of `entity_id`; both are handled.
//!
//! The store marks AI-generated content with a product attribute (default
//! `ai_generated`), read per store view with the default as fallback.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::mysql::MySqlPoolOptions;
use sqlx::{MySqlPool, Row};
use synthgov_core::text::html_sha256;

use crate::{Catalog, CatalogAsset, PlatformError, truthy};

/// Text attributes whose values are published content.
pub const TEXT_ATTRIBUTES: [&str; 2] = ["description", "short_description"];

#[derive(Debug, Clone)]
pub struct MagentoOptions {
    /// `mysql://USER:PASS@HOST[:PORT]/DB`
    pub url: String,
    /// The store's `pub/media` folder, to hash gallery images.
    pub media_dir: Option<PathBuf>,
    /// The attribute code that marks AI-generated content.
    pub ai_attribute: String,
}

struct Attr {
    id: i64,
    backend: String,
}

/// Reads the catalog. Runs its own small async runtime, so callers stay synchronous.
pub fn read_database(opts: &MagentoOptions) -> Result<Catalog, PlatformError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PlatformError::BadRequest(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(read(opts))
}

/// The URL with any password hidden, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

async fn read(opts: &MagentoOptions) -> Result<Catalog, PlatformError> {
    if !opts.url.starts_with("mysql://") && !opts.url.starts_with("mariadb://") {
        return Err(PlatformError::BadRequest(format!(
            "--db {}: expected mysql://USER:PASS@HOST/DB",
            redact(&opts.url)
        )));
    }
    let url = opts.url.replacen("mariadb://", "mysql://", 1);
    let db_err = |e: sqlx::Error| PlatformError::Database {
        url: redact(&opts.url),
        message: e.to_string(),
    };
    let pool = MySqlPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect(&url)
        .await
        .map_err(db_err)?;
    let result = read_catalog(&pool, opts).await.map_err(db_err);
    pool.close().await;
    result
}

async fn read_catalog(pool: &MySqlPool, opts: &MagentoOptions) -> Result<Catalog, sqlx::Error> {
    let mut warnings = Vec::new();
    let link = link_column(pool).await?;
    let mut codes: Vec<&str> = TEXT_ATTRIBUTES.to_vec();
    codes.push(&opts.ai_attribute);
    let mut attrs: HashMap<String, Attr> = HashMap::new();
    let rows = sqlx::query(
        "SELECT a.attribute_id, a.attribute_code, a.backend_type FROM eav_attribute a
         JOIN eav_entity_type t ON t.entity_type_id = a.entity_type_id
         WHERE t.entity_type_code = 'catalog_product'",
    )
    .fetch_all(pool)
    .await?;
    for r in rows {
        let code: String = r.try_get("attribute_code")?;
        if codes.contains(&code.as_str()) {
            attrs.insert(
                code,
                Attr {
                    id: r
                        .try_get::<u16, _>("attribute_id")
                        .map(i64::from)
                        .or_else(|_| r.try_get::<i64, _>("attribute_id"))?,
                    backend: r.try_get("backend_type")?,
                },
            );
        }
    }
    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM catalog_product_entity")
        .fetch_one(pool)
        .await?;

    // The AI flag per (sku, store).
    let mut flags: HashMap<(String, u32), bool> = HashMap::new();
    match attrs.get(&opts.ai_attribute) {
        Some(a) => {
            for r in values(pool, &link, a).await? {
                flags.insert((r.0, r.1), truthy(&r.2));
            }
        }
        None => warnings.push(format!(
            "no product attribute `{}`: nothing is marked AI-generated (pass --ai-attribute CODE if the store uses another code)",
            opts.ai_attribute
        )),
    }
    let flag = |sku: &str, store: u32| {
        flags
            .get(&(sku.to_owned(), store))
            .or_else(|| flags.get(&(sku.to_owned(), 0)))
            .copied()
            .unwrap_or(false)
    };

    let mut assets = Vec::new();
    for code in TEXT_ATTRIBUTES {
        let Some(a) = attrs.get(code) else {
            warnings.push(format!("no product attribute `{code}`"));
            continue;
        };
        for (sku, store, value) in values(pool, &link, a).await? {
            if value.trim().is_empty() {
                continue;
            }
            assets.push(CatalogAsset {
                ai_generated: flag(&sku, store),
                sha256: Some(html_sha256(&value)),
                uri: format!("magento://{sku}/{code}?store={store}"),
                disclosure: None,
                product: sku,
                kind: "text",
                attribute: code.to_owned(),
                store_id: store,
                line: None,
            });
        }
    }

    // `link` is one of two fixed column names: the SQL is ours.
    let gallery = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT e.sku, g.value FROM catalog_product_entity_media_gallery g
         JOIN catalog_product_entity_media_gallery_value_to_entity ve ON ve.value_id = g.value_id
         JOIN catalog_product_entity e ON e.{link} = ve.{link}
         WHERE g.media_type = 'image' AND g.disabled = 0
         ORDER BY e.sku, g.value_id"
    )))
    .fetch_all(pool)
    .await?;
    for r in gallery {
        let sku: String = r.try_get("sku")?;
        let value: String = r.try_get("value")?;
        let sha256 = match &opts.media_dir {
            Some(dir) => {
                let path = media_path(dir, &value);
                match hash_file(&path) {
                    Ok(h) => Some(h),
                    Err(e) => {
                        warnings.push(format!("{sku}: gallery image {}: {e}", path.display()));
                        None
                    }
                }
            }
            None => None,
        };
        assets.push(CatalogAsset {
            ai_generated: flag(&sku, 0),
            product: sku,
            kind: "image",
            attribute: "media_gallery".into(),
            store_id: 0,
            sha256,
            uri: value,
            disclosure: None,
            line: None,
        });
    }
    Ok(Catalog {
        products: products as u64,
        assets,
        warnings,
    })
}

/// An admin role and whether it may trigger synthetic generation: it is allowed
/// everything (`Magento_Backend::all`) or synthgov's generate resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRole {
    pub id: i64,
    pub name: String,
    pub users: i64,
    pub all_access: bool,
    pub may_generate: bool,
}

/// The ACL resource synthgov's Magento module guards generation with.
pub const GENERATE_RESOURCE: &str = "Synthgov_Governance::generate";

/// What the scanner asks of a Magento database beyond the catalog.
#[derive(Debug, Clone, Default)]
pub struct ScanFacts {
    /// The disclosure attribute's value per (sku, store view).
    pub disclosures: HashMap<(String, u32), String>,
    pub roles: Vec<AdminRole>,
    pub warnings: Vec<String>,
}

impl ScanFacts {
    /// The disclosure shown for a product in a store view (default view as fallback).
    pub fn disclosure(&self, sku: &str, store: u32) -> Option<&str> {
        self.disclosures
            .get(&(sku.to_owned(), store))
            .or_else(|| self.disclosures.get(&(sku.to_owned(), 0)))
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }
}

/// A runtime for one blocking call: callers stay synchronous.
fn runtime() -> Result<tokio::runtime::Runtime, PlatformError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PlatformError::BadRequest(format!("cannot start the async runtime: {e}")))
}

fn db_error(url: &str) -> impl Fn(sqlx::Error) -> PlatformError + Copy + '_ {
    move |e| PlatformError::Database {
        url: redact(url),
        message: e.to_string(),
    }
}

/// One connection to the store's database (`mariadb://` accepted as `mysql://`).
async fn connect_one(url: &str) -> Result<MySqlPool, PlatformError> {
    MySqlPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect(&url.replacen("mariadb://", "mysql://", 1))
        .await
        .map_err(db_error(url))
}

/// Reads disclosure labels (attribute `disclosure_attribute`) and admin roles.
pub fn read_scan_facts(url: &str, disclosure_attribute: &str) -> Result<ScanFacts, PlatformError> {
    let db_err = db_error(url);
    runtime()?.block_on(async {
        let pool = connect_one(url).await?;
        let mut facts = ScanFacts::default();
        let link = link_column(&pool).await.map_err(db_err)?;
        let attr = sqlx::query(
            "SELECT a.attribute_id, a.backend_type FROM eav_attribute a
             JOIN eav_entity_type t ON t.entity_type_id = a.entity_type_id
             WHERE t.entity_type_code = 'catalog_product' AND a.attribute_code = ?",
        )
        .bind(disclosure_attribute)
        .fetch_optional(&pool)
        .await
        .map_err(db_err)?;
        match attr {
            Some(r) => {
                let a = Attr {
                    id: r
                        .try_get::<u16, _>("attribute_id")
                        .map(i64::from)
                        .or_else(|_| r.try_get::<i64, _>("attribute_id"))
                        .map_err(db_err)?,
                    backend: r.try_get("backend_type").map_err(db_err)?,
                };
                for (sku, store, v) in values(&pool, &link, &a).await.map_err(db_err)? {
                    facts.disclosures.insert((sku, store), v);
                }
            }
            None => facts.warnings.push(format!(
                "no product attribute `{disclosure_attribute}`: no product shows a disclosure label (pass --disclosure-attribute CODE if the store uses another code)"
            )),
        }
        match admin_roles(&pool).await {
            Ok(r) => facts.roles = r,
            Err(e) => facts.warnings.push(format!("cannot read admin roles: {e}")),
        }
        pool.close().await;
        Ok(facts)
    })
}

async fn admin_roles(pool: &MySqlPool) -> Result<Vec<AdminRole>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CAST(r.role_id AS SIGNED) AS id, CAST(r.role_name AS CHAR) AS name,
                (SELECT COUNT(*) FROM authorization_role u WHERE u.parent_id = r.role_id AND u.role_type = 'U') AS users,
                EXISTS(SELECT 1 FROM authorization_rule a WHERE a.role_id = r.role_id AND a.permission = 'allow'
                       AND a.resource_id = 'Magento_Backend::all') AS all_access,
                EXISTS(SELECT 1 FROM authorization_rule a WHERE a.role_id = r.role_id AND a.permission = 'allow'
                       AND a.resource_id = ?) AS may_generate
         FROM authorization_role r WHERE r.role_type = 'G' ORDER BY r.role_id",
    )
    .bind(GENERATE_RESOURCE)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(AdminRole {
                id: r.try_get("id")?,
                name: r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                users: r.try_get("users")?,
                all_access: r.try_get::<i64, _>("all_access")? != 0,
                may_generate: r.try_get::<i64, _>("may_generate")? != 0,
            })
        })
        .collect()
}

/// `entity_id` (Magento Open Source) or `row_id` (Adobe Commerce with staging).
async fn link_column(pool: &MySqlPool) -> Result<String, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.columns
         WHERE table_schema = DATABASE() AND table_name = 'catalog_product_entity_text' AND column_name = 'row_id'",
    )
    .fetch_one(pool)
    .await?;
    Ok(if n > 0 { "row_id" } else { "entity_id" }.to_owned())
}

/// (sku, store_id, value as text) for one attribute.
async fn values(
    pool: &MySqlPool,
    link: &str,
    a: &Attr,
) -> Result<Vec<(String, u32, String)>, sqlx::Error> {
    let table = match a.backend.as_str() {
        "varchar" | "text" | "int" | "decimal" | "datetime" => {
            format!("catalog_product_entity_{}", a.backend)
        }
        _ => return Ok(Vec::new()),
    };
    // `table` and `link` come from fixed lists above: the SQL is ours.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT e.sku, v.store_id, CAST(v.value AS CHAR) AS value FROM {table} v
         JOIN catalog_product_entity e ON e.{link} = v.{link}
         WHERE v.attribute_id = ? ORDER BY e.sku, v.store_id"
    )))
    .bind(a.id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let store: u32 = r
                .try_get::<u16, _>("store_id")
                .map(u32::from)
                .or_else(|_| r.try_get::<u32, _>("store_id"))?;
            let value: Option<String> = r.try_get("value")?;
            Ok((r.try_get("sku")?, store, value.unwrap_or_default()))
        })
        .collect()
}

/// `pub/media/catalog/product` + the gallery value, refusing `..` escapes.
pub fn media_path(media_dir: &Path, value: &str) -> PathBuf {
    let mut p = media_dir.join("catalog").join("product");
    for part in value
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
    {
        p.push(part);
    }
    p
}

fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

/// Sets, for each product (by SKU), the AI marker attribute to 1 and the disclosure
/// attribute to its label, in the default store view, in one transaction: either
/// every product is disclosed or none is. Products whose SKU is not in the catalog
/// are returned, not written. Returns (written, missing SKUs).
pub fn write_disclosures(
    url: &str,
    ai_attribute: &str,
    disclosure_attribute: &str,
    items: &[(String, String)],
) -> Result<(u64, Vec<String>), PlatformError> {
    let db_err = db_error(url);
    runtime()?.block_on(async {
        let pool = connect_one(url).await?;
        let link = link_column(&pool).await.map_err(db_err)?;
        let mut attrs = Vec::new();
        for code in [ai_attribute, disclosure_attribute] {
            let row = sqlx::query(
                "SELECT CAST(a.attribute_id AS SIGNED) AS id, CAST(a.backend_type AS CHAR) AS backend FROM eav_attribute a
                 JOIN eav_entity_type t ON t.entity_type_id = a.entity_type_id
                 WHERE t.entity_type_code = 'catalog_product' AND a.attribute_code = ?",
            )
            .bind(code)
            .fetch_optional(&pool)
            .await
            .map_err(db_err)?
            .ok_or_else(|| {
                PlatformError::BadRequest(format!(
                    "the store has no product attribute `{code}`: install the Synthgov_Governance module (its data patch adds ai_generated and ai_disclosure_text) or pass the codes the store uses"
                ))
            })?;
            let backend: String = row.try_get("backend").map_err(db_err)?;
            if !matches!(backend.as_str(), "int" | "varchar" | "text") {
                return Err(PlatformError::BadRequest(format!(
                    "attribute `{code}` is stored as {backend}; expected int, varchar or text"
                )));
            }
            attrs.push((row.try_get::<i64, _>("id").map_err(db_err)?, backend));
        }
        let mut tx = pool.begin().await.map_err(db_err)?;
        let (mut written, mut missing) = (0u64, Vec::new());
        for (sku, label) in items {
            let id: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT CAST({link} AS SIGNED) FROM catalog_product_entity WHERE sku = ?"
            )))
            .bind(sku)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            let Some(id) = id else {
                missing.push(sku.clone());
                continue;
            };
            for ((attr, backend), value) in attrs.iter().zip(["1", label.as_str()]) {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO catalog_product_entity_{backend} (attribute_id, store_id, {link}, value)
                     VALUES (?, 0, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)"
                )))
                .bind(attr)
                .bind(id)
                .bind(value)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
            written += 1;
        }
        tx.commit().await.map_err(db_err)?;
        pool.close().await;
        Ok((written, missing))
    })
}
