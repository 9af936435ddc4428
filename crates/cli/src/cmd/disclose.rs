//! `synthgov disclose ...`: rewrite pages (and, later, mark images), record
//! `disclosure.applied`, render what changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use serde_json::{Map, json};
use synthgov_disclose::folder::{self, FolderError, Job, Output};
use synthgov_disclose::image::{self, ImageError, Provenance};
use synthgov_disclose::page::Options;
use synthgov_disclose::signing::Identity;
use synthgov_disclose::{ChangeKind, DiscloseConfig};
use synthgov_registry::Registry;
use synthgov_scan::known::Known;
use synthgov_scan::rules::Catalog;

use super::Ctx;
use super::inventory::actor;
use crate::cli::DiscloseCommand;
use crate::exit::{Exit, Failure};
use crate::output::{Out, sanitize};
use crate::progress;

pub fn run(ctx: &Ctx, cmd: DiscloseCommand, out: &mut Out) -> Result<Exit, Failure> {
    match cmd {
        DiscloseCommand::Html {
            paths,
            out: dir,
            in_place,
            backup_suffix,
            dry_run,
            origin,
            locale,
            max_page_bytes,
            mark_images,
            ext,
            encoding,
        } => {
            let encoding = encoding.as_deref().map(encoding_label).transpose()?;
            let output = match (dir, in_place, dry_run) {
                (_, _, true) => Output::DryRun,
                (Some(d), false, false) => Output::Dir(d),
                (None, true, false) => Output::InPlace { backup_suffix },
                _ => {
                    return Err(Failure::bad_input(anyhow!(
                        "choose one of --out DIR, --in-place, --dry-run"
                    )));
                }
            };
            run_html(
                ctx,
                Job {
                    inputs: paths,
                    output,
                    origin,
                    max_page_bytes,
                    extensions: ext
                        .iter()
                        .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
                        .collect(),
                    encoding,
                },
                locale.as_deref(),
                mark_images,
                out,
            )
        }
        DiscloseCommand::Magento {
            db,
            rest_url,
            token_env,
            ai_attribute,
            disclosure_attribute,
            media_dir,
            apply,
        } => super::writeback::run_magento(
            ctx,
            super::writeback::MagentoArgs {
                db,
                rest_url,
                token_env,
                ai_attribute,
                disclosure_attribute,
                media_dir,
            },
            apply,
            out,
        ),
        DiscloseCommand::Shopify {
            json_file,
            shop,
            api_version,
            graphql_url,
            token_env,
            apply,
        } => {
            let url = match (graphql_url, shop) {
                (Some(u), _) => Some(u),
                (None, Some(s)) => Some(format!(
                    "{}/admin/api/{api_version}/graphql.json",
                    s.trim_end_matches('/')
                )),
                (None, None) => None,
            };
            super::writeback::run_shopify(ctx, &json_file, url, &token_env, apply, out)
        }
        DiscloseCommand::Image {
            input,
            out: dest,
            generator,
        } => run_image(ctx, &input, &dest, generator.as_deref(), out),
    }
}

fn folder_failure(e: FolderError) -> Failure {
    match e {
        FolderError::Missing(_) | FolderError::OutInsideInput { .. } => Failure::bad_input(e),
        FolderError::Read { .. } | FolderError::Write { .. } => Failure::environment(e),
    }
}

/// What `disclose html` did, before rendering.
pub struct HtmlOutcome {
    pub report: folder::Report,
    pub marked: Vec<MarkedImage>,
    pub by_kind: BTreeMap<&'static str, u64>,
    pub errors: usize,
    /// Disclosures that could not be made safely, over all pages.
    pub refused: usize,
    pub changed_pages: usize,
    pub dry_run: bool,
    pub ledger_index: Option<u64>,
}

/// The encoding `--encoding LABEL` names (WHATWG labels: windows-1252, latin1,
/// shift_jis, utf-16le, ...).
pub fn encoding_label(label: &str) -> Result<&'static synthgov_scan::charset::Encoding, Failure> {
    synthgov_scan::charset::for_label(label).ok_or_else(|| {
        Failure::bad_input(anyhow!(
            "--encoding {label:?}: not an encoding label (windows-1252, iso-8859-1, shift_jis, utf-16le, ...)"
        ))
    })
}

/// Discloses pages (and marks images) and records `disclosure.applied`.
pub fn apply_html(
    ctx: &Ctx,
    job: &Job,
    locale: Option<&str>,
    mark_images: bool,
    progress_bar: bool,
) -> Result<HtmlOutcome, Failure> {
    let config = ctx.home.config()?;
    let dc = DiscloseConfig::from_table(config.disclose.as_ref()).map_err(Failure::bad_input)?;
    let mut labels = dc.labels(locale).map_err(Failure::bad_input)?;
    labels.badge = dc.badge(ctx.home.dir()).map_err(Failure::bad_input)?;
    let phrases = Catalog::shipped().phrases();
    let opts = Options {
        labels: &labels,
        provenance_url: dc.provenance_url(),
        phrases: &phrases,
        syntax: None,
        encoding: job.encoding,
    };
    let mut reg = Registry::open(&ctx.home)?;
    let known = Known::from_assets(&reg.assets()?);

    let total = folder::page_bytes(job).map_err(folder_failure)?;
    let bar = progress::bar(Some(total), "bytes", ctx.quiet || !progress_bar);
    bar.set_message("pages");
    let report =
        folder::disclose_paths(&known, &opts, job, &|n| bar.inc(n)).map_err(folder_failure)?;
    bar.finish_and_clear();

    // Images: in the output folder (or in place), after the pages, so the pages name
    // the registered originals and the marked copies are registered as derived.
    let mut marked = Vec::new();
    if mark_images {
        let roots: Vec<PathBuf> = match &job.output {
            Output::Dir(d) => vec![d.clone()],
            Output::InPlace { .. } => job.inputs.iter().filter(|p| p.is_dir()).cloned().collect(),
            Output::DryRun => vec![],
        };
        let mut marker = Marker::new(ctx, &dc)?;
        for root in roots {
            for (path, _) in
                folder::unmarked_synthetic_images(&root, &known).map_err(folder_failure)?
            {
                // In place, the original image is kept beside it, as pages are.
                if let Output::InPlace { backup_suffix } = &job.output {
                    let mut b = path.clone().into_os_string();
                    b.push(backup_suffix);
                    let backup = PathBuf::from(b);
                    if !backup.exists() {
                        let original = std::fs::read(&path).map_err(|e| {
                            Failure::environment(anyhow!("{}: {e}", path.display()))
                        })?;
                        folder::write_atomic(&backup, &original).map_err(folder_failure)?;
                    }
                }
                let m = marker.mark(&mut reg, &path, &path, None)?;
                marked.push(m);
            }
        }
    }

    let mut by_kind: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut assets: Vec<&str> = Vec::new();
    for p in &report.pages {
        for c in &p.changes {
            let k = match c.kind {
                ChangeKind::Image => "image",
                ChangeKind::Text => "text",
                ChangeKind::Content => "content",
                ChangeKind::JsonLd => "json_ld",
            };
            *by_kind.entry(k).or_default() += 1;
            if let Some(s) = c.sha256.as_deref() {
                assets.push(s);
            }
        }
    }
    assets.sort_unstable();
    assets.dedup();
    let errors = report.pages.iter().filter(|p| p.error.is_some()).count();
    let refused: usize = report.pages.iter().map(|p| p.refused.len()).sum();
    let changed_pages = report
        .pages
        .iter()
        .filter(|p| !p.changes.is_empty())
        .count();
    let dry_run = matches!(job.output, Output::DryRun);

    let mut receipt = None;
    if !dry_run {
        let mut data = Map::new();
        data.insert(
            "inputs".into(),
            json!(
                job.inputs
                    .iter()
                    .map(|p| p.to_string_lossy())
                    .collect::<Vec<_>>()
            ),
        );
        data.insert(
            "output".into(),
            match &job.output {
                Output::Dir(d) => json!(d.to_string_lossy()),
                _ => json!("in-place"),
            },
        );
        data.insert("pages".into(), json!(report.pages.len()));
        data.insert("changed_pages".into(), json!(changed_pages));
        data.insert("changes".into(), json!(by_kind));
        data.insert("refused".into(), json!(refused));
        data.insert("assets".into(), json!(assets));
        data.insert("marked_images".into(), json!(marked.len()));
        data.insert(
            "locale".into(),
            json!(locale.or(dc.locale.as_deref()).unwrap_or("en")),
        );
        receipt = Some(reg.record(
            &actor(),
            synthgov_registry::policy::Action::RegisterAsset,
            synthgov_registry::EventType::DisclosureApplied,
            data,
        )?);
    }

    Ok(HtmlOutcome {
        report,
        marked,
        by_kind,
        errors,
        refused,
        changed_pages,
        dry_run,
        ledger_index: receipt.map(|r| r.first_index),
    })
}

fn run_html(
    ctx: &Ctx,
    job: Job,
    locale: Option<&str>,
    mark_images: bool,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let HtmlOutcome {
        report,
        marked,
        by_kind,
        errors,
        refused,
        changed_pages,
        dry_run,
        ledger_index,
    } = apply_html(ctx, &job, locale, mark_images, true)?;
    if ctx.json {
        out.json(&json!({
            "pages": report.pages,
            "summary": {
                "pages": report.pages.len(),
                "changed_pages": changed_pages,
                "changes": by_kind,
                "errors": errors,
                "refused": refused,
                "copied_files": report.copied,
                "bytes": report.bytes,
                "dry_run": dry_run,
                "marked_images": marked.len(),
            },
            "marked_images": marked,
            "ledger_index": ledger_index,
        }))?;
    } else {
        for p in &report.pages {
            for c in &p.changes {
                out.line(&format!(
                    "{}:{}  {}  {:?}{}",
                    sanitize(&p.page),
                    c.line,
                    sanitize(&c.selector),
                    c.kind,
                    c.sha256
                        .as_deref()
                        .map(|s| format!("  {}", &s[..12]))
                        .unwrap_or_default()
                ))?;
            }
            for pr in &p.problems {
                out.line(&format!(
                    "note: {}: {}",
                    sanitize(&pr.uri),
                    sanitize(&pr.message)
                ))?;
            }
            for pr in &p.refused {
                out.line(&format!(
                    "refused: {}: {}",
                    sanitize(&pr.uri),
                    sanitize(&pr.message)
                ))?;
            }
            if let Some(e) = &p.error {
                out.line(&format!("error: {}: {}", sanitize(&p.page), sanitize(e)))?;
            }
        }
        for m in &marked {
            out.line(&format!(
                "{}  marked (C2PA{}), registered as {}",
                sanitize(&m.output),
                if m.xmp_added { " + IPTC XMP" } else { "" },
                &m.sha256[..12]
            ))?;
        }
        for e in &report.not_copied {
            out.line(&format!("error: not copied: {}", sanitize(e)))?;
        }
        let verb = if dry_run { "would change" } else { "changed" };
        out.line(&format!(
            "{} pages, {changed_pages} {verb} ({}), {errors} not disclosed, {refused} refused{}",
            report.pages.len(),
            if by_kind.is_empty() {
                "nothing to disclose".to_string()
            } else {
                by_kind
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            match ledger_index {
                Some(i) => format!("; ledger entry {i}"),
                None => String::new(),
            }
        ))?;
    }
    // Files that could not be read or written are the environment's fault (3); pages
    // that are not UTF-8 or too large are the input's (2). Either way the rest was
    // disclosed and recorded.
    // A disclosure refused as unsafe (template code, no place for a note) is left
    // undone: 3, as a file that could not be written, so CI never takes it for done.
    if !report.not_copied.is_empty() || report.pages.iter().any(|p| p.write_failed) || refused > 0 {
        return Ok(Exit::Environment);
    }
    if errors > 0 {
        return Ok(Exit::BadInput);
    }
    Ok(Exit::Ok)
}

/// One image marked and registered.
#[derive(Debug, serde::Serialize)]
pub struct MarkedImage {
    pub input: String,
    pub output: String,
    /// The original's hash (the registered asset the credentials describe).
    pub asset_sha256: String,
    /// The marked file's hash (registered as a new asset).
    pub sha256: String,
    pub generator: String,
    pub ledger_index: Option<u64>,
    pub checkpoint_size: u64,
    pub xmp_added: bool,
}

/// Marks images with one signing identity and one checkpoint per run.
struct Marker {
    chain: Vec<u8>,
    key: Vec<u8>,
    origin: String,
    checkpoint: Option<(u64, String)>,
}

fn image_failure(path: &Path, e: ImageError) -> Failure {
    let msg = anyhow!("{}: {e}", path.display());
    match e {
        ImageError::C2pa(_) => Failure::environment(msg),
        _ => Failure::bad_input(msg),
    }
}

impl Marker {
    fn new(ctx: &Ctx, dc: &DiscloseConfig) -> Result<Marker, Failure> {
        let identity: Identity = dc.identity(ctx.home.dir()).map_err(Failure::bad_input)?;
        let (chain, key) = identity.read().map_err(|e| {
            Failure::environment(anyhow!(
                "{e} (run `synthgov init` to make the local C2PA certificate, or set signing_chain and signing_key in [disclose])"
            ))
        })?;
        Ok(Marker {
            chain,
            key,
            origin: ctx.home.config()?.ledger.origin,
            checkpoint: None,
        })
    }

    fn mark(
        &mut self,
        reg: &mut Registry,
        input: &Path,
        output: &Path,
        generator: Option<&str>,
    ) -> Result<MarkedImage, Failure> {
        use sha2::{Digest, Sha256};
        let bytes = std::fs::read(input)
            .map_err(|e| Failure::bad_input(anyhow!("{}: {e}", input.display())))?;
        let sha = hex::encode(Sha256::digest(&bytes));
        let registered = reg
            .assets_by_hash_indexed(&sha)?
            .into_iter()
            .find(|(a, _)| a.ai_generated);
        let generator = match (generator, &registered) {
            (Some(g), _) => g.to_owned(),
            (None, Some((a, _))) => a.generator.clone().unwrap_or_else(|| "unknown".into()),
            (None, None) => {
                return Err(Failure::bad_input(anyhow!(
                    "{}: not registered as AI-generated (sha256 {sha}); register it with `synthgov register FILE --generator ID` or pass --generator",
                    input.display()
                )));
            }
        };
        let ledger_index = registered.as_ref().map(|(_, index)| *index);
        if self.checkpoint.is_none() {
            let cp = reg.checkpoint()?;
            self.checkpoint = Some((cp.size, cp.note));
        }
        let (size, note) = self.checkpoint.clone().expect("set above");
        let marked = image::mark_image(
            &bytes,
            &self.chain,
            &self.key,
            &Provenance {
                generator: generator.clone(),
                asset_sha256: sha.clone(),
                ledger_index,
                checkpoint: Some(note),
                origin: self.origin.clone(),
            },
        )
        .map_err(|e| image_failure(input, e))?;
        folder::write_atomic(output, &marked.bytes).map_err(folder_failure)?;
        let new_sha = hex::encode(Sha256::digest(&marked.bytes));
        let abs = std::fs::canonicalize(output)
            .map_err(|e| Failure::environment(anyhow!("{}: {e}", output.display())))?;
        let uri = format!("file://{}", abs.display());
        let row = synthgov_registry::registry::AssetRow {
            uri: uri.clone(),
            sha256: Some(new_sha.clone()),
            kind: "image".into(),
            generator: Some(generator.clone()),
            dataset: registered.as_ref().and_then(|(a, _)| a.dataset.clone()),
            surface: registered.as_ref().and_then(|(a, _)| a.surface.clone()),
            platform: None,
            ai_generated: true,
            bytes: Some(marked.bytes.len() as u64),
            attrs: json!({
                "derived_from": {
                    "sha256": sha,
                    "uri": registered.as_ref().map(|(a, _)| a.uri.clone()),
                },
                "marking": if marked.xmp_added { json!(["c2pa", "iptc-xmp"]) } else { json!(["c2pa"]) },
            }),
        };
        let update = reg.asset(&uri)?.is_some();
        reg.commit(
            &actor(),
            synthgov_registry::policy::Action::RegisterAsset,
            vec![synthgov_registry::register::asset_change(&row, update)],
        )?;
        Ok(MarkedImage {
            input: input.to_string_lossy().into_owned(),
            output: output.to_string_lossy().into_owned(),
            asset_sha256: sha,
            sha256: new_sha,
            generator,
            ledger_index,
            checkpoint_size: size,
            xmp_added: marked.xmp_added,
        })
    }
}

fn run_image(
    ctx: &Ctx,
    input: &Path,
    dest: &Path,
    generator: Option<&str>,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let config = ctx.home.config()?;
    let dc = DiscloseConfig::from_table(config.disclose.as_ref()).map_err(Failure::bad_input)?;
    let mut reg = Registry::open(&ctx.home)?;
    let mut marker = Marker::new(ctx, &dc)?;
    let m = marker.mark(&mut reg, input, dest, generator)?;
    if ctx.json {
        out.json(&m)?;
    } else {
        out.line(&format!(
            "{}: C2PA manifest (c2pa.created, trainedAlgorithmicMedia, softwareAgent {}){}; ledger entry {} under checkpoint {}",
            sanitize(&m.output),
            sanitize(&m.generator),
            if m.xmp_added { " and IPTC DigitalSourceType in XMP" } else { "; existing XMP kept" },
            m.ledger_index.map_or("none".into(), |i| i.to_string()),
            m.checkpoint_size,
        ))?;
        out.line(&format!(
            "registered as {} (derived from {})",
            m.sha256, m.asset_sha256
        ))?;
    }
    Ok(Exit::Ok)
}

pub fn run_verify_media(
    ctx: &Ctx,
    file: &Path,
    anchors: Option<&Path>,
    out: &mut Out,
) -> Result<Exit, Failure> {
    let bytes =
        std::fs::read(file).map_err(|e| Failure::bad_input(anyhow!("{}: {e}", file.display())))?;
    // Trust anchors: the given file, else the store's local CA when there is a home.
    let mut pem = String::new();
    if let Some(a) = anchors {
        pem = std::fs::read_to_string(a)
            .map_err(|e| Failure::bad_input(anyhow!("{}: {e}", a.display())))?;
    } else if let Ok(config) = ctx.home.config() {
        let dc =
            DiscloseConfig::from_table(config.disclose.as_ref()).map_err(Failure::bad_input)?;
        if let Some(p) = &dc.trust_anchors {
            pem = std::fs::read_to_string(ctx.home.dir().join(p))
                .map_err(|e| Failure::bad_input(anyhow!("{}: {e}", p.display())))?;
        } else if let Ok(id) = dc.identity(ctx.home.dir())
            && let Some(ca) = id.trust_anchor()
        {
            pem = ca;
        }
    }
    let report = image::verify_media(&bytes, (!pem.is_empty()).then_some(pem.as_str()))
        .map_err(|e| image_failure(file, e))?;
    if ctx.json {
        out.json(&json!({ "file": file.to_string_lossy(), "report": report }))?;
    } else {
        out.line(&format!(
            "{}: {}",
            sanitize(&file.to_string_lossy()),
            report.verdict
        ))?;
        out.line(&format!(
            "  AI-generated: {}{}",
            if report.ai_generated { "yes" } else { "no" },
            report
                .generator
                .as_deref()
                .map(|g| format!(" (by {})", sanitize(g)))
                .unwrap_or_default()
        ))?;
        if let Some(t) = &report.iptc_digital_source_type {
            out.line(&format!("  IPTC DigitalSourceType: {}", sanitize(t)))?;
        }
        if let Some(c) = &report.c2pa {
            out.line(&format!(
                "  C2PA: {} (signature {}, hashes {}, {})",
                c.validation_state,
                if c.signature_ok { "ok" } else { "BAD" },
                if c.hashes_ok { "ok" } else { "BAD" },
                if c.trusted {
                    "trusted signer"
                } else {
                    "signer not in the trust list"
                }
            ))?;
            if let Some(s) = &c.signer {
                out.line(&format!("  signed by: {}", sanitize(s)))?;
            }
            for f in &c.failures {
                out.line(&format!("  failure: {}", sanitize(&f.code)))?;
            }
            if let Some(e) = &c.error {
                out.line(&format!("  error: {}", sanitize(e)))?;
            }
        }
    }
    Ok(if report.verdict == "invalid" {
        Exit::CheckFailed
    } else {
        Exit::Ok
    })
}
