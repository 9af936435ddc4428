//! Shopify catalogs: the product CSV export and Admin API product JSON.
//!
//! AI-generated content is marked with metafields in the `synthgov` namespace:
//! `ai_generated` (the product's description and images), optionally refined by
//! `ai_generated_description` and `ai_generated_images`. In a CSV export a metafield
//! is a column headed `<Label> (product.metafields.synthgov.<key>)`.
//!
//! A CSV has one row per variant or extra image; the product's fields sit on its
//! first row. Images are URLs on Shopify's CDN, so their `sha256` is `None`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use synthgov_core::text::html_sha256;

use crate::{Catalog, CatalogAsset, PlatformError, truthy};

/// The synthgov marks of one product.
#[derive(Debug, Default, Clone)]
struct Marks {
    all: Option<bool>,
    description: Option<bool>,
    images: Option<bool>,
    disclosure: Option<String>,
}

impl Marks {
    fn set(&mut self, key: &str, value: &str) {
        let v = Some(truthy(value));
        match key {
            "ai_generated" => self.all = v,
            "ai_generated_description" => self.description = v,
            "ai_generated_images" => self.images = v,
            "disclosure" if !value.trim().is_empty() => {
                self.disclosure = Some(value.trim().to_owned())
            }
            _ => {}
        }
    }
    fn description(&self) -> bool {
        self.description.or(self.all).unwrap_or(false)
    }
    fn images(&self) -> bool {
        self.images.or(self.all).unwrap_or(false)
    }
}

fn text_asset(
    handle: &str,
    attribute: &str,
    html: &str,
    marks: &Marks,
    line: Option<u64>,
) -> CatalogAsset {
    CatalogAsset {
        product: handle.to_owned(),
        kind: "text",
        attribute: attribute.to_owned(),
        store_id: 0,
        ai_generated: marks.description(),
        sha256: Some(html_sha256(html)),
        uri: format!("shopify://{handle}/{attribute}"),
        disclosure: marks.disclosure.clone(),
        line,
    }
}

fn image_asset(handle: &str, src: &str, marks: &Marks, line: Option<u64>) -> CatalogAsset {
    CatalogAsset {
        product: handle.to_owned(),
        kind: "image",
        attribute: "image".into(),
        store_id: 0,
        ai_generated: marks.images(),
        sha256: None,
        uri: src.to_owned(),
        disclosure: marks.disclosure.clone(),
        line,
    }
}

/// Reads a Shopify product CSV export.
pub fn read_csv(path: &Path) -> Result<Catalog, PlatformError> {
    let file = path.display().to_string();
    let bad = |line: Option<u64>, message: String| PlatformError::BadFile {
        file: file.clone(),
        line,
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| bad(None, e.to_string()))?;
    let headers = rdr
        .headers()
        .map_err(|e| bad(Some(1), e.to_string()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let handle_col = col("Handle").ok_or_else(|| {
        bad(
            Some(1),
            "no `Handle` column: is this a Shopify product CSV?".into(),
        )
    })?;
    let body_col = col("Body (HTML)");
    let image_col = col("Image Src");
    let variant_image_col = col("Variant Image");
    let meta_cols: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let inner = h.rsplit_once('(')?.1.strip_suffix(')')?;
            let key = inner.strip_prefix("product.metafields.synthgov.")?;
            Some((i, key.to_owned()))
        })
        .collect();

    // Rows grouped by handle, in file order.
    let mut order: Vec<String> = Vec::new();
    let mut bodies: BTreeMap<String, String> = BTreeMap::new();
    let mut marks: BTreeMap<String, Marks> = BTreeMap::new();
    let mut images: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    // The row where a handle first appears: where its findings point.
    let mut first_line: BTreeMap<String, u64> = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i as u64 + 2, |p| p.line());
        let rec = rec.map_err(|e| bad(Some(line), e.to_string()))?;
        let handle = rec.get(handle_col).unwrap_or("").trim().to_owned();
        if handle.is_empty() {
            return Err(bad(Some(line), "field `Handle`: empty".into()));
        }
        if !marks.contains_key(&handle) {
            order.push(handle.clone());
            first_line.insert(handle.clone(), line);
            marks.insert(handle.clone(), Marks::default());
        }
        if let Some(body) = body_col
            .and_then(|c| rec.get(c))
            .filter(|b| !b.trim().is_empty())
        {
            bodies
                .entry(handle.clone())
                .or_insert_with(|| body.to_owned());
        }
        for (c, key) in &meta_cols {
            if let Some(v) = rec.get(*c).filter(|v| !v.trim().is_empty()) {
                marks.get_mut(&handle).expect("inserted").set(key, v);
            }
        }
        for c in [image_col, variant_image_col].into_iter().flatten() {
            if let Some(src) = rec.get(c).map(str::trim).filter(|s| !s.is_empty()) {
                let list = images.entry(handle.clone()).or_default();
                if !list.iter().any(|(s, _)| s == src) {
                    list.push((src.to_owned(), line));
                }
            }
        }
    }
    let mut assets = Vec::new();
    for handle in &order {
        let m = &marks[handle];
        let line = first_line.get(handle).copied();
        if let Some(body) = bodies.get(handle) {
            assets.push(text_asset(handle, "body_html", body, m, line));
        }
        for (src, line) in images.get(handle).into_iter().flatten() {
            assets.push(image_asset(handle, src, m, Some(*line)));
        }
    }
    Ok(Catalog {
        products: order.len() as u64,
        assets,
        warnings: Vec::new(),
    })
}

/// The line of `"handle": "<handle>"` in an export, searching on from `from` (products
/// come in file order). `None` when the file spells the handle with other escapes.
fn line_of_handle(text: &str, handle: &str, from: &mut usize) -> Option<u64> {
    let quoted = serde_json::to_string(handle).ok()?;
    let rest = &text[*from..];
    let mut at = 0;
    while let Some(i) = rest[at..].find(&quoted) {
        let pos = at + i;
        let before = rest[..pos].trim_end();
        if before.ends_with(':')
            && before[..before.len() - 1]
                .trim_end()
                .ends_with("\"handle\"")
        {
            *from += pos + quoted.len();
            return Some(text[..*from].matches('\n').count() as u64 + 1);
        }
        at = pos + quoted.len();
    }
    None
}

/// Reads Admin API product JSON: `{"products": [...]}` or `{"product": {...}}`, each
/// with optional `metafields`.
pub fn read_json(path: &Path) -> Result<Catalog, PlatformError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| PlatformError::Io {
        path: file.clone(),
        source,
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| PlatformError::BadFile {
        file: file.clone(),
        line: Some(e.line() as u64),
        message: format!("malformed JSON: {e}"),
    })?;
    let products: Vec<&Value> = match (&v["products"], &v["product"]) {
        (Value::Array(list), _) => list.iter().collect(),
        (_, p @ Value::Object(_)) => vec![p],
        _ => {
            return Err(PlatformError::BadFile {
                file,
                line: None,
                message:
                    "expected {\"products\": [...]} or {\"product\": {...}} (Shopify Admin API)"
                        .into(),
            });
        }
    };
    let mut assets = Vec::new();
    let mut from = 0;
    for (i, p) in products.iter().enumerate() {
        let handle = p["handle"].as_str().ok_or_else(|| PlatformError::BadFile {
            file: file.clone(),
            line: None,
            message: format!("products[{i}]: field `handle` missing"),
        })?;
        let mut m = Marks::default();
        for mf in p["metafields"].as_array().into_iter().flatten() {
            if mf["namespace"] == "synthgov" {
                let value = match &mf["value"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                m.set(mf["key"].as_str().unwrap_or(""), &value);
            }
        }
        let line = line_of_handle(&text, handle, &mut from);
        if let Some(body) = p["body_html"].as_str().filter(|b| !b.trim().is_empty()) {
            assets.push(text_asset(handle, "body_html", body, &m, line));
        }
        for img in p["images"].as_array().into_iter().flatten() {
            if let Some(src) = img["src"].as_str() {
                assets.push(image_asset(handle, src, &m, line));
            }
        }
    }
    Ok(Catalog {
        products: products.len() as u64,
        assets,
        warnings: Vec::new(),
    })
}
