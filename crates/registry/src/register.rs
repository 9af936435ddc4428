//! `synthgov register PATH...`: record content files as assets. Files are hashed in
//! parallel (both cores); a directory is walked; unchanged content adds nothing. With
//! `--dataset`, the files' content also defines a dataset version: new content makes a
//! new version linked to the previous one.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::catalogue::EventType;
use crate::error::RegistryError;
use crate::policy::Action;
use crate::registry::{Actor, AssetRow, Change, Registry};
use synthgov_core::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    Image,
    Text,
    Tabular,
    Document,
}

impl AssetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Image => "image",
            AssetKind::Text => "text",
            AssetKind::Tabular => "tabular",
            AssetKind::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Option<AssetKind> {
        Some(match s {
            "image" => AssetKind::Image,
            "text" => AssetKind::Text,
            "tabular" => AssetKind::Tabular,
            "document" => AssetKind::Document,
            _ => return None,
        })
    }

    /// By file extension.
    pub fn guess(path: &Path) -> Option<AssetKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "png" | "jpg" | "jpeg" | "webp" | "gif" | "avif" | "tif" | "tiff" | "svg" => {
                AssetKind::Image
            }
            "txt" | "md" | "html" | "htm" => AssetKind::Text,
            "csv" | "tsv" | "jsonl" | "ndjson" | "json" | "parquet" => AssetKind::Tabular,
            "pdf" | "docx" | "odt" | "rtf" => AssetKind::Document,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct RegisterRequest {
    pub paths: Vec<PathBuf>,
    pub generator: String,
    pub dataset: Option<String>,
    pub surface: Option<String>,
    pub kind: Option<AssetKind>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegisteredAsset {
    pub uri: String,
    pub sha256: String,
    pub kind: AssetKind,
    pub bytes: u64,
    /// new | updated | unchanged
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegisterReport {
    pub files: u64,
    pub bytes: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset_version: Option<Value>,
    pub assets: Vec<RegisteredAsset>,
}

/// Lists the files under `paths` (directories walked, hidden entries skipped), sorted.
/// Refuses a generator or dataset the inventory does not declare; `field` names the
/// option or field as the caller's user wrote it (`--generator`, `generator:`).
pub fn require_declared(
    reg: &Registry,
    generator: Option<&str>,
    dataset: Option<&str>,
    field: impl Fn(&str) -> String,
) -> Result<(), RegistryError> {
    for (kind, id) in [("generator", generator), ("dataset", dataset)] {
        if let Some(id) = id
            && reg.object(kind, id)?.is_none()
        {
            return Err(RegistryError::BadRequest(format!(
                "{} {id:?} is not in the inventory (declare it and run `synthgov apply`)",
                field(kind)
            )));
        }
    }
    Ok(())
}

pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, RegistryError> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| RegistryError::BadRequest(format!("{}: {e}", p.display())))?;
        if meta.is_file() {
            files.push(p.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = entry.map_err(|e| RegistryError::Io {
                path: e.path().map(Path::to_owned).unwrap_or_else(|| p.clone()),
                source: e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("walk failed")),
            })?;
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// SHA-256 of a file's bytes, streamed; `on_bytes` is told as it reads.
pub fn file_sha256(
    path: &Path,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<(String, u64), RegistryError> {
    let io = |source| RegistryError::Io {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        total += n as u64;
        on_bytes(n as u64);
    }
    Ok((hex::encode(h.finalize()), total))
}

/// The asset hash of a file: bytes for binary kinds, normalized text for text.
/// (SHA-256, bytes, for text the normalized text's length).
fn asset_hash(
    path: &Path,
    kind: AssetKind,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<(String, u64, Option<usize>), RegistryError> {
    if kind != AssetKind::Text {
        let (sha, n) = file_sha256(path, on_bytes)?;
        return Ok((sha, n, None));
    }
    let bytes = std::fs::read(path).map_err(|source| RegistryError::Io {
        path: path.to_owned(),
        source,
    })?;
    on_bytes(bytes.len() as u64);
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        RegistryError::BadRequest(format!(
            "{}: a text asset must be UTF-8 (invalid byte at offset {})",
            path.display(),
            e.valid_up_to()
        ))
    })?;
    let is_html = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "htm")
    );
    let plain = if is_html {
        text::html_text(text)
    } else {
        text.to_owned()
    };
    let normalized = text::normalize(&plain);
    let sha = hex::encode(Sha256::digest(normalized.as_bytes()));
    Ok((sha, bytes.len() as u64, Some(normalized.len())))
}

/// Registers the files of `req`. `progress(done_bytes)` may be called from any thread.
pub fn register(
    reg: &mut Registry,
    actor: &Actor,
    req: &RegisterRequest,
    total_bytes_hint: &mut dyn FnMut(u64),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RegisterReport, RegistryError> {
    require_declared(reg, Some(&req.generator), req.dataset.as_deref(), |f| {
        format!("--{f}")
    })?;
    let files = collect_files(&req.paths)?;
    if files.is_empty() {
        return Err(RegistryError::BadRequest(
            "no files found under the given paths".into(),
        ));
    }
    let mut kinds = Vec::with_capacity(files.len());
    let mut total = 0u64;
    for f in &files {
        let kind = match req.kind.or_else(|| AssetKind::guess(f)) {
            Some(k) => k,
            None => {
                return Err(RegistryError::BadRequest(format!(
                    "{}: cannot tell the asset kind from the extension; pass --kind image|text|tabular|document",
                    f.display()
                )));
            }
        };
        kinds.push(kind);
        total += std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
    }
    total_bytes_hint(total);
    let done = AtomicU64::new(0);
    let on_bytes = |n: u64| progress(done.fetch_add(n, Ordering::Relaxed) + n);
    let hashed: Vec<(String, u64, Option<usize>)> = files
        .par_iter()
        .zip(kinds.par_iter())
        .map(|(f, k)| asset_hash(f, *k, &on_bytes))
        .collect::<Result<_, _>>()?;

    let mut changes = Vec::new();
    let mut assets = Vec::new();
    let (mut new, mut updated, mut unchanged) = (0, 0, 0);
    for ((path, kind), (sha, bytes, text_len)) in files.iter().zip(&kinds).zip(&hashed) {
        let abs = std::fs::canonicalize(path).map_err(|source| RegistryError::Io {
            path: path.clone(),
            source,
        })?;
        let uri = format!("file://{}", abs.display());
        let row = AssetRow {
            uri: uri.clone(),
            sha256: Some(sha.clone()),
            kind: kind.as_str().into(),
            generator: Some(req.generator.clone()),
            dataset: req.dataset.clone(),
            surface: req.surface.clone(),
            platform: None,
            ai_generated: true,
            bytes: Some(*bytes),
            // Scanners skip hashing page text of any other length.
            attrs: match text_len {
                Some(n) => json!({ "text_len": n }),
                None => json!({}),
            },
        };
        let status = match reg.asset(&uri)? {
            Some(existing) if existing == row => "unchanged",
            Some(_) => "updated",
            None => "new",
        };
        match status {
            "unchanged" => unchanged += 1,
            "updated" => updated += 1,
            _ => new += 1,
        }
        if status != "unchanged" {
            changes.push(asset_change(&row, status == "updated"));
        }
        assets.push(RegisteredAsset {
            uri,
            sha256: sha.clone(),
            kind: *kind,
            bytes: *bytes,
            status,
        });
    }

    let mut dataset_version = None;
    if let Some(ds) = &req.dataset {
        let content = if hashed.len() == 1 {
            hashed[0].0.clone()
        } else {
            let mut lines: Vec<String> = hashed.iter().map(|(h, _, _)| h.clone()).collect();
            lines.sort();
            hex::encode(Sha256::digest(lines.join("\n").as_bytes()))
        };
        let latest = reg.latest_version(ds)?;
        if latest.as_ref().map(|(_, h)| h) != Some(&content) {
            let version = latest.as_ref().map_or(1, |(v, _)| v + 1);
            let bytes: u64 = hashed.iter().map(|(_, b, _)| b).sum();
            let data = json!({
                "dataset": ds, "version": version, "content_sha256": content,
                "previous_version": latest.as_ref().map(|(v, _)| *v),
                "previous_sha256": latest.as_ref().map(|(_, h)| h.clone()),
                "files": hashed.len(), "bytes": bytes, "generator": req.generator,
            });
            dataset_version = Some(data.clone());
            changes.push(Change::new(
                EventType::DatasetVersionCreated,
                data.as_object().cloned().unwrap_or_default(),
            ));
        }
    }
    if !changes.is_empty() {
        reg.commit(actor, Action::RegisterAsset, changes)?;
    }
    Ok(RegisterReport {
        files: files.len() as u64,
        bytes: hashed.iter().map(|(_, b, _)| b).sum(),
        new,
        updated,
        unchanged,
        dataset_version,
        assets,
    })
}

/// The event and projection for registering (or updating) an asset.
pub fn asset_change(row: &AssetRow, update: bool) -> Change {
    let mut data = Map::new();
    data.insert("uri".into(), json!(row.uri));
    data.insert("sha256".into(), json!(row.sha256));
    data.insert("kind".into(), json!(row.kind));
    data.insert("ai_generated".into(), json!(row.ai_generated));
    for (k, v) in [
        ("generator", &row.generator),
        ("dataset", &row.dataset),
        ("surface", &row.surface),
        ("platform", &row.platform),
    ] {
        if let Some(v) = v {
            data.insert(k.into(), json!(v));
        }
    }
    if let Some(b) = row.bytes {
        data.insert("bytes".into(), json!(b));
    }
    if row.attrs.as_object().is_some_and(|m| !m.is_empty()) {
        data.insert("attrs".into(), row.attrs.clone());
    }
    let kind = if update {
        EventType::AssetUpdated
    } else {
        EventType::AssetRegistered
    };
    Change::new(kind, data)
}

/// An asset reported by an integration or API client: its content hash and what made
/// it, without the file (`POST /v1/assets`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReportedAsset {
    pub sha256: String,
    pub kind: String,
    pub generator: String,
    #[serde(default)]
    pub surface: Option<String>,
    /// Where it is published [default: `sha256:<hash>`].
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default)]
    pub dataset: Option<String>,
}

/// The outcome of [`register_reported`].
#[derive(Debug, Clone, Serialize)]
pub struct ReportedResult {
    pub uri: String,
    /// new | updated | unchanged
    pub status: &'static str,
    /// The entry that recorded the asset (the earlier one when unchanged).
    pub ledger_index: Option<u64>,
}

/// Registers (or updates) a reported asset, bound to `tenant` when given.
pub fn register_reported(
    reg: &mut Registry,
    actor: &Actor,
    req: &ReportedAsset,
    tenant: Option<&str>,
) -> Result<ReportedResult, RegistryError> {
    let sha = req.sha256.to_ascii_lowercase();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RegistryError::BadRequest(
            "sha256: expected 64 hex digits".into(),
        ));
    }
    let kind = AssetKind::parse(&req.kind).ok_or_else(|| {
        RegistryError::BadRequest(format!(
            "kind: {:?} is not one of image, text, tabular, document",
            req.kind
        ))
    })?;
    require_declared(reg, Some(&req.generator), req.dataset.as_deref(), |f| {
        format!("{f}:")
    })?;
    let uri = match &req.uri {
        Some(u) if u.trim().is_empty() || u.len() > 2048 => {
            return Err(RegistryError::BadRequest(
                "uri: must be 1 to 2048 characters".into(),
            ));
        }
        Some(u) => u.clone(),
        None => format!("sha256:{sha}"),
    };
    let mut attrs = Map::new();
    if let Some(t) = tenant {
        attrs.insert("tenant".into(), json!(t));
    }
    let row = AssetRow {
        uri: uri.clone(),
        sha256: Some(sha),
        kind: kind.as_str().into(),
        generator: Some(req.generator.clone()),
        dataset: req.dataset.clone(),
        surface: req.surface.clone(),
        platform: None,
        ai_generated: true,
        bytes: None,
        attrs: Value::Object(attrs),
    };
    let existing = reg.asset(&uri)?;
    if let Some(e) = &existing {
        let owner = e.attrs["tenant"].as_str();
        if tenant.is_some() && owner != tenant {
            // Another tenant's record (or a store-wide one): not this caller's to change.
            let reason = format!("{uri} belongs to another tenant");
            return Err(reg.deny(actor, Action::RegisterAsset, tenant, &reason));
        }
    }
    let status = match &existing {
        Some(e) if *e == row => "unchanged",
        Some(_) => "updated",
        None => "new",
    };
    let ledger_index = if status == "unchanged" {
        reg.asset_ledger_index(&uri)?
    } else {
        let receipt = reg.commit(
            actor,
            Action::RegisterAsset,
            vec![asset_change(&row, status == "updated")],
        )?;
        Some(receipt.first_index)
    };
    Ok(ReportedResult {
        uri,
        status,
        ledger_index,
    })
}
