//! `disclose html` over files and folders: pages rewritten in parallel, every output
//! written to a temporary file in its folder and renamed into place, so an
//! interrupted or failed run never leaves a half-written page. With `--out DIR` the
//! rest of a folder (images, CSS) is copied beside the pages, so the output is a
//! storefront the scanner can read on its own.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use synthgov_core::finding::ScanProblem;
use synthgov_scan::known::Known;
use synthgov_scan::storefront::{FolderMedia, FolderOptions};

use crate::page::{Change, Options, disclose_page};

/// Where outputs go.
#[derive(Debug, Clone)]
pub enum Output {
    /// A folder mirroring the inputs.
    Dir(PathBuf),
    /// Over the inputs; each changed page's original is kept as `PAGE<suffix>`.
    InPlace { backup_suffix: String },
    /// Nothing written.
    DryRun,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub inputs: Vec<PathBuf>,
    pub output: Output,
    /// The live store's origin, for absolute image URLs (as `scan storefront`).
    pub origin: Option<String>,
    pub max_page_bytes: u64,
    /// The file extensions (lower case, no dot) a folder is walked for; empty: the
    /// defaults ([`crate::template::DEFAULT_EXTENSIONS`]).
    pub extensions: Vec<String>,
    /// The encoding of pages that declare none (`--encoding`); `None`: UTF-8.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct PageOutcome {
    /// The input page.
    pub page: String,
    pub changes: Vec<Change>,
    pub problems: Vec<ScanProblem>,
    /// Disclosures that could not be made safely (left for the template's author).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<ScanProblem>,
    /// Why the page was not disclosed (not UTF-8, too large, unreadable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The error is about reading or writing files (exit 3), not the page (exit 2).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub write_failed: bool,
    /// Where the disclosed page was written (absent when unchanged in place, or dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<PathBuf>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub pages: Vec<PageOutcome>,
    /// Other files copied into the output folder.
    pub copied: u64,
    /// Other files that could not be copied, with why.
    pub not_copied: Vec<String>,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("{0}: no such file or folder")]
    Missing(PathBuf),
    #[error("{out}: the output folder is inside the input {input}")]
    OutInsideInput { out: PathBuf, input: PathBuf },
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One file of the job: where it is read from, the folder its images resolve in,
/// where it goes, and whether it is a page.
struct Item {
    src: PathBuf,
    root: PathBuf,
    rel: String,
    dest: Option<PathBuf>,
    page: bool,
}

fn is_page(p: &Path, extensions: &[String]) -> bool {
    let Some(e) = p.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    let e = e.to_ascii_lowercase();
    if extensions.is_empty() {
        crate::template::DEFAULT_EXTENSIONS.contains(&e.as_str())
    } else {
        extensions.contains(&e)
    }
}

fn items(job: &Job) -> Result<Vec<Item>, FolderError> {
    let mut out = Vec::new();
    let single_dir = job.inputs.len() == 1 && job.inputs[0].is_dir();
    for input in &job.inputs {
        let meta = std::fs::metadata(input).map_err(|_| FolderError::Missing(input.clone()))?;
        let name = input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dest_base = |rel: &str| -> Option<PathBuf> {
            match &job.output {
                Output::Dir(d) if single_dir => Some(d.join(rel)),
                Output::Dir(d) if meta.is_dir() => Some(d.join(&name).join(rel)),
                Output::Dir(d) => Some(d.join(&name)),
                Output::InPlace { .. } => Some(input.join(rel)),
                Output::DryRun => None,
            }
        };
        if meta.is_dir() {
            if let Output::Dir(d) = &job.output
                && let (Ok(o), Ok(i)) = (
                    std::fs::canonicalize(d).or_else(|_| absolute(d)),
                    std::fs::canonicalize(input),
                )
                && o.starts_with(&i)
            {
                return Err(FolderError::OutInsideInput {
                    out: d.clone(),
                    input: input.clone(),
                });
            }
            for entry in walkdir::WalkDir::new(input)
                .follow_links(false)
                .sort_by_file_name()
            {
                let entry = entry.map_err(|e| FolderError::Read {
                    path: input.clone(),
                    source: std::io::Error::other(e),
                })?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(input)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .into_owned();
                let page = is_page(entry.path(), &job.extensions);
                let dest = match &job.output {
                    Output::InPlace { .. } if !page => None,
                    _ => dest_base(&rel),
                };
                out.push(Item {
                    src: entry.path().to_owned(),
                    root: input.clone(),
                    rel,
                    dest,
                    page,
                });
            }
        } else {
            let root = input
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_owned();
            let dest = match &job.output {
                Output::InPlace { .. } => Some(input.clone()),
                _ => dest_base(""),
            };
            out.push(Item {
                src: input.clone(),
                root,
                rel: name,
                dest,
                page: true,
            });
        }
    }
    Ok(out)
}

fn absolute(p: &Path) -> std::io::Result<PathBuf> {
    Ok(std::env::current_dir()?.join(p))
}

/// Total bytes of the pages the job will read (for a progress bar).
pub fn page_bytes(job: &Job) -> Result<u64, FolderError> {
    Ok(items(job)?
        .iter()
        .filter(|i| i.page)
        .map(|i| std::fs::metadata(&i.src).map(|m| m.len()).unwrap_or(0))
        .sum())
}

/// Discloses every page of the job. Per-page problems are in the report; an error
/// here means nothing trustworthy could be written (a missing input, an output
/// folder that cannot be written).
pub fn disclose_paths(
    known: &Known,
    opts: &Options,
    job: &Job,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Report, FolderError> {
    let items = items(job)?;
    let fopts = FolderOptions {
        max_page_bytes: job.max_page_bytes,
        origin: job.origin.clone(),
        encoding: job.encoding,
    };
    // One media cache per root folder.
    let mut roots: Vec<PathBuf> = items.iter().map(|i| i.root.clone()).collect();
    roots.sort();
    roots.dedup();
    let medias: Vec<(PathBuf, FolderMedia)> = roots
        .into_iter()
        .map(|r| {
            let m = FolderMedia::new(&r, &fopts);
            (r, m)
        })
        .collect();
    let media_for = |root: &Path| {
        &medias
            .iter()
            .find(|(r, _)| r == root)
            .expect("every root has a media cache")
            .1
    };

    enum Done {
        Page(PageOutcome),
        Copied,
        NotCopied(String),
    }
    let results: Vec<Done> = items
        .par_iter()
        .map(|item| {
            if !item.page {
                return match &item.dest {
                    Some(dest) => match copy_file(&item.src, dest) {
                        Ok(()) => Done::Copied,
                        Err(e) => Done::NotCopied(e.to_string()),
                    },
                    None => Done::Copied,
                };
            }
            let mut outcome = PageOutcome {
                page: item.src.to_string_lossy().into_owned(),
                ..Default::default()
            };
            let len = std::fs::metadata(&item.src).map(|m| m.len()).unwrap_or(0);
            if len > job.max_page_bytes {
                outcome.error = Some(format!(
                    "{len} bytes: larger than the page limit of {} bytes (--max-page-bytes); not disclosed",
                    job.max_page_bytes
                ));
                progress(len);
                return Done::Page(outcome);
            }
            let bytes = match std::fs::read(&item.src) {
                Ok(b) => b,
                Err(e) => {
                    outcome.error = Some(format!("cannot read: {e}"));
                    outcome.write_failed = true;
                    return Done::Page(outcome);
                }
            };
            progress(bytes.len() as u64);
            let uri = item.rel.replace('\\', "/");
            match disclose_page(known, &uri, &bytes, media_for(&item.root), opts) {
                Err(e) => outcome.error = Some(e.to_string()),
                Ok(r) => {
                    outcome.changes = r.changes;
                    outcome.problems = r.problems;
                    outcome.refused = r.refused;
                    if let Some(dest) = &item.dest
                        && let Err(e) = write_page(job, item, dest, &bytes, &r.html)
                    {
                        outcome.error = Some(e.to_string());
                        outcome.write_failed = true;
                    } else if item.dest.is_some()
                        && (r.html != bytes || !matches!(job.output, Output::InPlace { .. }))
                    {
                        outcome.written = item.dest.clone();
                    }
                }
            }
            Done::Page(outcome)
        })
        .collect();
    let mut report = Report::default();
    for r in results {
        match r {
            Done::Page(p) => report.pages.push(p),
            Done::Copied => report.copied += 1,
            Done::NotCopied(e) => report.not_copied.push(e),
        }
    }
    report.bytes = items
        .iter()
        .filter(|i| i.page)
        .map(|i| std::fs::metadata(&i.src).map(|m| m.len()).unwrap_or(0))
        .sum();
    Ok(report)
}

/// Writes a disclosed page: in place only when it changed, after keeping the
/// original (the first backup is the original; a later run does not replace it).
fn write_page(
    job: &Job,
    item: &Item,
    dest: &Path,
    original: &[u8],
    html: &[u8],
) -> Result<(), FolderError> {
    if let Output::InPlace { backup_suffix } = &job.output {
        if html == original {
            return Ok(());
        }
        let mut b = item.src.clone().into_os_string();
        b.push(backup_suffix);
        let backup = PathBuf::from(b);
        if !backup.exists() {
            write_atomic(&backup, original)?;
        }
    }
    write_atomic(dest, html)
}

/// Writes `bytes` to a temporary file beside `dest` and renames it over `dest`, so a
/// reader sees the old file or the new one, never a part. No fsync per file: at
/// 10,000 pages it cost a tenth of the run, and the originals are never touched
/// (in place, the backup is written before the page is replaced).
/// The file keeps the mode of the one it replaces (a new one gets 0666 less the
/// umask), so a web server running as another user can still read a rewritten theme.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), FolderError> {
    let werr = |e: std::io::Error| FolderError::Write {
        path: dest.to_owned(),
        source: e,
    };
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(werr)?;
    synthgov_core::fsutil::write_atomic(dest, bytes, false).map_err(werr)
}

fn copy_file(src: &Path, dest: &Path) -> Result<(), FolderError> {
    let bytes = std::fs::read(src).map_err(|e| FolderError::Read {
        path: src.to_owned(),
        source: e,
    })?;
    write_atomic(dest, &bytes)
}

/// Images under `root` (JPEG or PNG) whose bytes are a registered AI-generated asset
/// and that carry no C2PA or IPTC marking: what SG-MARK-001 reports, to be marked.
pub fn unmarked_synthetic_images(
    root: &Path,
    known: &Known,
) -> Result<Vec<(PathBuf, [u8; 32])>, FolderError> {
    use sha2::{Digest, Sha256};
    use synthgov_scan::media;
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.map_err(|e| FolderError::Read {
            path: root.to_owned(),
            source: std::io::Error::other(e),
        })?;
        if !entry.file_type().is_file() || is_page(entry.path(), &[]) {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(|e| FolderError::Read {
            path: entry.path().to_owned(),
            source: e,
        })?;
        let Some(format @ (media::Format::Jpeg | media::Format::Png)) = media::sniff(&bytes) else {
            continue;
        };
        let sha: [u8; 32] = Sha256::digest(&bytes).into();
        if known.get(&sha).is_some_and(|a| a.ai_generated)
            && !media::marking(format, &bytes).is_marked()
        {
            out.push((entry.path().to_owned(), sha));
        }
    }
    Ok(out)
}
