//! `synthgov scan storefront`: saved pages (a folder) or a live store (see
//! [`crate::crawl`]), checked for undisclosed synthetic content (SG-DISC-001..005),
//! unmarked synthetic images (SG-MARK-001) and product structured data that names a
//! synthetic image without `digitalSourceType` (SG-MARK-002).
//!
//! Content is synthetic when its bytes hash to a registered AI-generated asset, its
//! normalized text hashes to a registered AI-generated text asset, it carries C2PA or
//! IPTC marking, or it is marked `data-synthetic` (`shared/spec/findings.md`).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use sha2::{Digest, Sha256};
use synthgov_core::finding::{Finding, Location, ScanProblem};
use synthgov_core::text::{NormalizedLen, normalized_len_within, normalized_sha256};

use crate::html::{self, Page, Via};
use crate::known::{Known, KnownAsset};
use crate::media::{self, Marking};
use crate::rules::Catalog;

/// What a scan learned about one referenced image.
#[derive(Debug, Clone)]
pub enum ImageInfo {
    /// Not on disk / not fetchable: the message says why.
    Unavailable(String),
    Read {
        sha256: [u8; 32],
        /// None when the bytes are not a known image format.
        format: Option<media::Format>,
        marking: Marking,
    },
}

impl ImageInfo {
    pub fn from_bytes(bytes: &[u8]) -> ImageInfo {
        let format = media::sniff(bytes);
        ImageInfo::Read {
            sha256: Sha256::digest(bytes).into(),
            format,
            marking: format.map(|f| media::marking(f, bytes)).unwrap_or_default(),
        }
    }
}

/// Resolves a page's media URL to what the scan knows about it (read from the folder
/// or fetched from the same origin). `None`: outside the scanned store; not checked.
pub trait MediaSource: Sync {
    fn image(&self, page_uri: &str, url: &str) -> Option<Arc<ImageInfo>>;
}

pub struct Ctx<'a> {
    pub known: &'a Known,
    pub catalog: &'a Catalog,
    pub phrases: Vec<String>,
    /// The encoding of pages that declare none (`--encoding`); `None`: UTF-8.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

impl<'a> Ctx<'a> {
    pub fn new(known: &'a Known, catalog: &'a Catalog) -> Ctx<'a> {
        Ctx {
            known,
            catalog,
            phrases: catalog.phrases(),
            encoding: None,
        }
    }
}

#[derive(Debug, Default)]
pub struct PageResult {
    pub findings: Vec<Finding>,
    pub problems: Vec<ScanProblem>,
    /// The page's `<a href>` targets (for the crawler).
    pub links: Vec<String>,
}

/// A media reference whose bytes could be read.
#[derive(Debug)]
pub struct SeenMedia<'k> {
    pub node: u32,
    pub url: String,
    /// How the page names it: an element shows it, a link preview, or a script's data.
    pub via: Via,
    pub sha256: [u8; 32],
    pub format: Option<media::Format>,
    pub marking: Marking,
    /// The inventory's record of these bytes, if any.
    pub known: Option<&'k KnownAsset>,
}

impl SeenMedia<'_> {
    /// Registered as AI-generated.
    pub fn is_synthetic(&self) -> bool {
        self.known.is_some_and(|a| a.ai_generated)
    }
}

/// An element whose normalized text is a registered AI-generated text (the innermost
/// one of each occurrence).
#[derive(Debug)]
pub struct SeenText<'k> {
    pub node: u32,
    pub sha256: [u8; 32],
    pub generator: &'k str,
}

/// What a page shows that the rules ask about: its media (read and looked up) and its
/// registered AI-generated texts. Shared by the scanner and by `disclose`, so both
/// recognise the same content.
#[derive(Debug, Default)]
pub struct Recognized<'k> {
    pub media: Vec<SeenMedia<'k>>,
    pub texts: Vec<SeenText<'k>>,
    pub problems: Vec<ScanProblem>,
}

impl Recognized<'_> {
    /// The hash of the registered synthetic image at `url` (named by the page's
    /// structured data): one the page shows, else read through `media`.
    pub fn synthetic_url(
        &self,
        known: &Known,
        uri: &str,
        url: &str,
        media: &dyn MediaSource,
    ) -> Option<[u8; 32]> {
        if let Some(m) = self.media.iter().find(|m| m.url == url && m.is_synthetic()) {
            return Some(m.sha256);
        }
        match media.image(uri, url).as_deref() {
            Some(ImageInfo::Read { sha256, .. })
                if known.get(sha256).is_some_and(|a| a.ai_generated) =>
            {
                Some(*sha256)
            }
            _ => None,
        }
    }
}

/// Reads the page's media and finds its registered AI texts.
pub fn recognize<'k>(
    known: &'k Known,
    page: &Page,
    uri: &str,
    media: &dyn MediaSource,
) -> Recognized<'k> {
    let mut out = Recognized::default();
    // Elements first: an image a script or link preview also names is reported where
    // the page shows it, once.
    let mut shown: FxHashSet<[u8; 32]> = FxHashSet::default();
    for via in [Via::Element, Via::Script, Via::Meta] {
        for m in page.media.iter().filter(|m| m.via == via) {
            let Some(info) = media.image(uri, &m.url) else {
                continue;
            };
            match &*info {
                // Scripts and previews name cached sizes and CDN copies the saved
                // folder rarely holds: only an element's missing image is a problem.
                ImageInfo::Unavailable(why) if via == Via::Element => {
                    out.problems.push(ScanProblem {
                        uri: format!("{uri}:{}", page.nodes[m.node as usize].line),
                        message: format!("{}: {why}", m.url),
                    })
                }
                ImageInfo::Unavailable(_) => {}
                ImageInfo::Read {
                    sha256,
                    format,
                    marking,
                } => {
                    let first = shown.insert(*sha256);
                    if via != Via::Element && !first {
                        continue;
                    }
                    out.media.push(SeenMedia {
                        node: m.node,
                        url: m.url.clone(),
                        via,
                        sha256: *sha256,
                        format: *format,
                        marking: marking.clone(),
                        known: known.get(sha256),
                    })
                }
            }
        }
    }
    if known.has_ai_text() {
        let mut buf = String::new();
        // A wrapper's text is the same range as the element it wraps: one match per
        // range, so each occurrence is reported once, at its innermost element.
        let mut reported: FxHashSet<(usize, usize)> = FxHashSet::default();
        // Elements whose text differs only by surrounding white space (wrappers) have
        // the same normalized text: hash each trimmed range once.
        let mut hashed: FxHashMap<(usize, usize), Option<[u8; 32]>> = FxHashMap::default();
        let cap = known.ai_text_len_cap();
        // Children close before parents: visit in closing order so the innermost
        // match is met first.
        for n in closing_order(page) {
            let node = &page.nodes[n as usize];
            if node.text.is_empty() || matches!(&*node.tag, "html" | "head" | "title") {
                continue;
            }
            let raw = page.text_of(n);
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let start =
                node.text.start as usize + (trimmed.as_ptr() as usize - raw.as_ptr() as usize);
            let key = (start, start + trimmed.len());
            let h = *hashed.entry(key).or_insert_with(|| {
                // Most text on a page cannot be a registered text by its length
                // alone; measuring is cheaper than hashing, and an outer element's
                // text is measured only up to the longest registered text.
                let len = match cap {
                    Some(cap) => normalized_len_within(trimmed, cap),
                    None => NormalizedLen::Unknown,
                };
                match len {
                    NormalizedLen::Longer => None,
                    NormalizedLen::Exact(n) if !known.may_be_ai_text(n) => None,
                    _ => Some(normalized_sha256(trimmed, &mut buf)),
                }
            });
            let Some(h) = h else { continue };
            let Some(generator) = known.ai_text(&h) else {
                continue;
            };
            if reported.insert(key) {
                out.texts.push(SeenText {
                    node: n,
                    sha256: h,
                    generator,
                });
            }
        }
    }
    out
}

/// All findings for one page. `uri` names the page in findings.
pub fn scan_page(ctx: &Ctx, uri: &str, bytes: &[u8], media: &dyn MediaSource) -> PageResult {
    let mut out = PageResult::default();
    // Decoded as a browser would (BOM, meta charset, --encoding); a page that does not
    // decode cleanly is still read, with the bad bytes replaced, and is a problem.
    let (decoded, bad) = crate::charset::decode_lossy(bytes, ctx.encoding);
    if let Some(e) = bad {
        out.problems.push(ScanProblem {
            uri: uri.to_owned(),
            message: format!("{e}; read with the bad bytes replaced"),
        });
    }
    let page = match html::parse(&decoded.text) {
        Ok(p) => p,
        Err(e) => {
            out.problems.push(ScanProblem {
                uri: uri.to_owned(),
                message: e.to_string(),
            });
            return out;
        }
    };
    out.links = page.links.clone();
    let hidden = page.hidden_flags();
    let loc = |n: u32| {
        Location::file(
            uri,
            Some(page.nodes[n as usize].line),
            Some(page.selector(n)),
        )
    };
    let hex = |h: &[u8; 32]| hex::encode(h);
    let seen = recognize(ctx.known, &page, uri, media);
    out.problems.extend(seen.problems.iter().cloned());

    for m in &seen.media {
        let scope = page.synthetic_scope(m.node);
        match m.known {
            Some(a) if a.ai_generated => {
                // A link preview has no room for a label; its file's marking is what
                // travels with it.
                if scope.is_none() && m.via != Via::Meta {
                    out.findings.push(ctx.catalog.finding(
                        "SG-DISC-001",
                        format!(
                            "Synthetic image {} (registered, generator {}) shown{} without data-synthetic",
                            m.url,
                            a.generator.as_deref().unwrap_or("unknown"),
                            if m.via == Via::Script { " by the page's gallery or product script" } else { "" },
                        ),
                        loc(m.node),
                        Some(hex(&m.sha256)),
                    ));
                }
                if !m.marking.is_marked() {
                    out.findings.push(ctx.catalog.finding(
                        "SG-MARK-001",
                        format!(
                            "Synthetic image {}{} has no C2PA manifest and no IPTC DigitalSourceType",
                            m.url,
                            if m.via == Via::Meta { " (the page's og:image)" } else { "" },
                        ),
                        loc(m.node),
                        Some(hex(&m.sha256)),
                    ));
                }
            }
            Some(_) => {}
            None => {
                if m.format.is_none() {
                    out.problems.push(ScanProblem {
                        uri: format!("{uri}:{}", page.nodes[m.node as usize].line),
                        message: format!("{}: not an image (unrecognised file format)", m.url),
                    });
                }
                if m.marking.is_marked() || scope.is_some() {
                    let why = if m.marking.c2pa {
                        "carries a C2PA manifest".to_string()
                    } else if let Some(t) = &m.marking.iptc_source_type {
                        format!("carries IPTC DigitalSourceType {t}")
                    } else {
                        "is marked data-synthetic".to_string()
                    };
                    out.findings.push(ctx.catalog.finding(
                        "SG-DISC-005",
                        format!("Image {} {why} but is not in the inventory", m.url),
                        loc(m.node),
                        Some(hex(&m.sha256)),
                    ));
                }
            }
        }
    }

    for t in &seen.texts {
        if page.synthetic_scope(t.node).is_none() {
            out.findings.push(ctx.catalog.finding(
                "SG-DISC-003",
                format!(
                    "AI-generated text (registered, generator {}) published without disclosure",
                    t.generator
                ),
                loc(t.node),
                Some(hex(&t.sha256)),
            ));
        }
    }

    // Disclosures: every outermost data-synthetic element must tell people, visibly.
    for (i, node) in page.nodes.iter().enumerate() {
        let i = i as u32;
        if !node.synthetic || node.parent != u32::MAX && page.synthetic_scope(node.parent).is_some()
        {
            continue;
        }
        match disclosure(&page, &hidden, i, &ctx.phrases) {
            Disclosure::Visible => {}
            Disclosure::Missing => out.findings.push(ctx.catalog.finding(
                "SG-DISC-002",
                "Marked data-synthetic but nothing tells people: no aria-label, no aria-describedby target with text, no visible disclosure text".into(),
                loc(i),
                None,
            )),
            Disclosure::Hidden(by) => out.findings.push(ctx.catalog.finding(
                "SG-DISC-004",
                format!("The disclosure is hidden from people ({by})"),
                loc(i),
                None,
            )),
        }
    }

    // Product structured data.
    for block in &page.jsonld {
        let value: serde_json::Value = match serde_json::from_str(&block.text) {
            Ok(v) => v,
            Err(e) => {
                out.problems.push(ScanProblem {
                    uri: format!("{uri}:{}", block.line),
                    message: format!("JSON-LD block is not valid JSON: {e}"),
                });
                continue;
            }
        };
        let mut images = Vec::new();
        collect_ld_images(&value, false, &mut images);
        for (url, has_type) in images {
            if has_type {
                continue;
            }
            if let Some(sha) = seen.synthetic_url(ctx.known, uri, &url, media) {
                out.findings.push(ctx.catalog.finding(
                    "SG-MARK-002",
                    format!(
                        "Structured data names synthetic image {url} without digitalSourceType"
                    ),
                    Location::file(
                        uri,
                        Some(block.line),
                        Some("script[type=\"application/ld+json\"]".into()),
                    ),
                    Some(hex(&sha)),
                ));
            }
        }
    }
    out
}

/// Node indices in the order their elements close (children before parents).
fn closing_order(page: &Page) -> Vec<u32> {
    // A node closes after all its descendants; among disjoint nodes, document order:
    // the order of (last descendant, deepest first). Nodes are in document order
    // and a node's descendants are the indexes after it up to `last_desc`, so one
    // pass with a stack of open ancestors gives it without sorting.
    let mut order = Vec::with_capacity(page.nodes.len());
    let mut open: Vec<u32> = Vec::new();
    for n in 0..page.nodes.len() as u32 {
        while let Some(&top) = open.last() {
            if page.nodes[top as usize].last_desc >= n {
                break;
            }
            order.push(top);
            open.pop();
        }
        open.push(n);
    }
    order.extend(open.iter().rev());
    order
}

/// Whether a `data-synthetic` element tells people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    Visible,
    Missing,
    Hidden(&'static str),
}

/// Whether the data-synthetic element `d` (and what it encloses) tells people.
pub fn disclosure(page: &Page, hidden: &[bool], d: u32, phrases: &[String]) -> Disclosure {
    // Hidden from the people who see `d`: hidden by an element that does not also hide
    // `d`. A disclosure inside the same closed cookie modal as the content shows
    // whenever the content does.
    let hidden = |t: u32| {
        if !hidden[t as usize] {
            return false;
        }
        let mut m = t;
        while m != u32::MAX {
            let node = &page.nodes[m as usize];
            if node.hidden && !page.is_within(d, m) {
                return true;
            }
            m = node.parent;
        }
        false
    };
    let mut hidden_by: Option<&'static str> = None;
    let last = page.nodes[d as usize].last_desc;
    let is_media = |n: u32| page.media.iter().any(|m| m.node == n);
    for n in d..=last {
        let node = &page.nodes[n as usize];
        if n != d && !node.synthetic && !is_media(n) {
            continue;
        }
        if node.aria_label.is_some() {
            if hidden(n) {
                hidden_by.get_or_insert("aria-label on a hidden element");
            } else {
                return Disclosure::Visible;
            }
        }
        for id in node.refs.as_deref().unwrap_or("").split_whitespace() {
            let Some(&t) = page.ids.get(id) else {
                continue;
            };
            if page.text_of(t).trim().is_empty() {
                continue;
            }
            if hidden(t) {
                hidden_by.get_or_insert("its aria-describedby target is hidden");
            } else {
                return Disclosure::Visible;
            }
        }
    }
    // Visible text inside the element that says so.
    let range = page.nodes[d as usize].text.clone();
    let mut visible = String::new();
    let mut invisible = String::new();
    for (k, &(start, owner)) in page.segments.iter().enumerate() {
        if start < range.start || start >= range.end {
            continue;
        }
        let end = page
            .segments
            .get(k + 1)
            .map_or(page.text.len() as u32, |s| s.0)
            .min(range.end);
        let t = &page.text[start as usize..end as usize];
        let into = if owner != u32::MAX && hidden(owner) {
            &mut invisible
        } else {
            &mut visible
        };
        into.push_str(t);
        into.push(' ');
    }
    let says = |t: &str| {
        let t = t
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        phrases.iter().any(|p| t.contains(p.as_str()))
    };
    if says(&visible) {
        return Disclosure::Visible;
    }
    if says(&invisible) {
        hidden_by.get_or_insert("the disclosure text is hidden");
    }
    match hidden_by {
        Some(by) => Disclosure::Hidden(by),
        None => Disclosure::Missing,
    }
}

/// Image URLs named by schema.org Product / ImageObject nodes, with whether each is
/// described by an ImageObject that gives `digitalSourceType`.
pub fn collect_ld_images(v: &serde_json::Value, in_product: bool, out: &mut Vec<(String, bool)>) {
    use serde_json::Value;
    match v {
        Value::Array(items) => {
            for i in items {
                collect_ld_images(i, in_product, out);
            }
        }
        Value::Object(o) => {
            let types: Vec<&str> = match o.get("@type") {
                Some(Value::String(s)) => vec![s.as_str()],
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let is = |t: &str| types.iter().any(|x| x.trim_start_matches("schema:") == t);
            if is("ImageObject") {
                let has = o.get("digitalSourceType").is_some_and(|d| !d.is_null());
                for key in ["contentUrl", "url"] {
                    if let Some(Value::String(u)) = o.get(key) {
                        out.push((u.clone(), has));
                    }
                }
            }
            let product = is("Product") || is("ProductGroup");
            for (k, child) in o {
                if (product || in_product) && k == "image" {
                    match child {
                        Value::String(u) => out.push((u.clone(), false)),
                        Value::Array(a) => {
                            for item in a {
                                if let Value::String(u) = item {
                                    out.push((u.clone(), false));
                                } else {
                                    collect_ld_images(item, true, out);
                                }
                            }
                        }
                        other => collect_ld_images(other, true, out),
                    }
                } else if k != "@context" {
                    collect_ld_images(child, product, out);
                }
            }
        }
        _ => {}
    }
}

/// Options for a folder of saved pages.
#[derive(Debug, Clone)]
pub struct FolderOptions {
    /// Pages larger than this are not parsed (reported as a problem).
    pub max_page_bytes: u64,
    /// The live store's origin (`https://shop.example`): absolute URLs on it are read
    /// from the folder.
    pub origin: Option<String>,
    /// The encoding of pages that declare none (`--encoding`); `None`: UTF-8.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

impl Default for FolderOptions {
    fn default() -> Self {
        FolderOptions {
            max_page_bytes: 64 << 20,
            origin: None,
            encoding: None,
        }
    }
}

/// Images read from the scanned folder, each file hashed once however many pages
/// show it.
pub struct FolderMedia {
    root: PathBuf,
    origin: Option<String>,
    cache: Mutex<HashMap<PathBuf, Arc<ImageInfo>>>,
    max_bytes: u64,
}

impl FolderMedia {
    pub fn new(root: &Path, opts: &FolderOptions) -> FolderMedia {
        FolderMedia {
            root: root.to_owned(),
            origin: opts
                .origin
                .as_ref()
                .map(|o| o.trim_end_matches('/').to_owned()),
            cache: Mutex::new(HashMap::new()),
            max_bytes: 512 << 20,
        }
    }

    /// The file a URL on page `page_uri` points at, inside the root; None when it is
    /// elsewhere (another host, a data: URL, outside the folder).
    pub fn resolve(&self, page_uri: &str, url: &str) -> Option<PathBuf> {
        let url = url.split(['#', '?']).next()?.trim();
        let rel: String = if let Some(rest) = url.strip_prefix("//") {
            let origin = self.origin.as_deref()?;
            let host = origin.split_once("://").map_or(origin, |x| x.1);
            rest.strip_prefix(host)?.trim_start_matches('/').to_owned()
        } else if url.contains("://") || url.starts_with("data:") || url.starts_with("blob:") {
            let origin = self.origin.as_deref()?;
            url.strip_prefix(origin)?.trim_start_matches('/').to_owned()
        } else if let Some(abs) = url.strip_prefix('/') {
            abs.to_owned()
        } else {
            let dir = Path::new(page_uri).parent().unwrap_or(Path::new(""));
            format!("{}/{url}", dir.to_string_lossy())
        };
        let mut clean = PathBuf::new();
        for c in Path::new(&percent_decode(&rel)).components() {
            match c {
                Component::Normal(p) => clean.push(p),
                Component::ParentDir if !clean.pop() => return None,
                _ => {}
            }
        }
        Some(self.root.join(clean))
    }
}

impl MediaSource for FolderMedia {
    fn image(&self, page_uri: &str, url: &str) -> Option<Arc<ImageInfo>> {
        let path = self.resolve(page_uri, url)?;
        if let Some(hit) = self.cache.lock().ok()?.get(&path) {
            return Some(hit.clone());
        }
        let info = Arc::new(read_image(&path, self.max_bytes));
        self.cache.lock().ok()?.insert(path, info.clone());
        Some(info)
    }
}

fn read_image(path: &Path, max: u64) -> ImageInfo {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return ImageInfo::Unavailable("image not found in the scanned folder".into());
        }
        Err(e) => return ImageInfo::Unavailable(e.to_string()),
        Ok(m) if m.is_dir() => return ImageInfo::Unavailable("is a directory".into()),
        Ok(m) if m.len() > max => {
            return ImageInfo::Unavailable(format!(
                "{} bytes: larger than the {max}-byte limit",
                m.len()
            ));
        }
        Ok(_) => {}
    }
    match std::fs::read(path) {
        Ok(b) => ImageInfo::from_bytes(&b),
        Err(e) => ImageInfo::Unavailable(e.to_string()),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(hi), Some(lo)) = (
                (b[i + 1] as char).to_digit(16),
                (b[i + 2] as char).to_digit(16),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The HTML pages under `root`, sorted, as (path relative to root with `/`, path).
pub fn pages(root: &Path) -> Result<Vec<(String, PathBuf)>, std::io::Error> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = entry.map_err(std::io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let ext = entry
            .path()
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        if !matches!(ext.to_ascii_lowercase().as_str(), "html" | "htm" | "xhtml") {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.push((rel, entry.path().to_owned()));
    }
    out.sort();
    Ok(out)
}

/// Scans every page under `root` in parallel. `progress` gets bytes read per page.
pub fn scan_folder(
    ctx: &Ctx,
    root: &Path,
    opts: &FolderOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(PageResult, u64), std::io::Error> {
    let pages = pages(root)?;
    let media = FolderMedia::new(root, opts);
    let results: Vec<PageResult> = pages
        .par_iter()
        .map(|(uri, path)| {
            let r = scan_file(ctx, uri, path, opts.max_page_bytes, &media);
            progress(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0));
            r
        })
        .collect();
    let mut all = PageResult::default();
    for r in results {
        all.findings.extend(r.findings);
        all.problems.extend(r.problems);
    }
    Ok((all, pages.len() as u64))
}

fn scan_file(ctx: &Ctx, uri: &str, path: &Path, max: u64, media: &dyn MediaSource) -> PageResult {
    let problem = |message: String| PageResult {
        problems: vec![ScanProblem {
            uri: uri.to_owned(),
            message,
        }],
        ..Default::default()
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > max => {
            return problem(format!(
                "{} bytes: larger than the page limit of {max} bytes (--max-page-bytes); not parsed",
                m.len()
            ));
        }
        Err(e) => return problem(e.to_string()),
        Ok(_) => {}
    }
    match std::fs::read(path) {
        Ok(bytes) => scan_page(ctx, uri, &bytes, media),
        Err(e) => problem(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_order_is_last_descendant_then_deepest_first() {
        let page = html::parse(
            b"<html><body><div><p>a<b>b</b></p><p>c</p></div><ul><li>x<li>y</ul><img src=z></body></html>",
        )
        .unwrap();
        let mut by_sort: Vec<u32> = (0..page.nodes.len() as u32).collect();
        by_sort.sort_by_key(|&n| (page.nodes[n as usize].last_desc, std::cmp::Reverse(n)));
        assert_eq!(closing_order(&page), by_sort);
        assert_eq!(closing_order(&page).len(), page.nodes.len());
    }

    #[test]
    fn urls_resolve_inside_the_folder_only() {
        let m = FolderMedia::new(
            Path::new("/site"),
            &FolderOptions {
                origin: Some("https://shop.example".into()),
                ..Default::default()
            },
        );
        let r = |u: &str| m.resolve("catalog/p/1.html", u);
        assert_eq!(
            r("img/a.jpg"),
            Some(PathBuf::from("/site/catalog/p/img/a.jpg"))
        );
        assert_eq!(
            r("../../media/a%20b.jpg?v=2"),
            Some(PathBuf::from("/site/media/a b.jpg"))
        );
        assert_eq!(r("/media/x.png"), Some(PathBuf::from("/site/media/x.png")));
        assert_eq!(
            r("https://shop.example/media/x.png"),
            Some(PathBuf::from("/site/media/x.png"))
        );
        assert_eq!(
            r("//shop.example/media/x.png"),
            Some(PathBuf::from("/site/media/x.png"))
        );
        assert_eq!(r("https://cdn.other/x.png"), None);
        assert_eq!(r("../../../../etc/passwd"), None);
        assert_eq!(r("data:image/png;base64,AAAA"), None);
    }

    #[test]
    fn json_ld_images() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"@context":"https://schema.org","@graph":[{"@type":"Product","image":["a.jpg",{"@type":"ImageObject","contentUrl":"b.jpg","digitalSourceType":"https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"}]},{"@type":"ImageObject","url":"c.jpg"}]}"#,
        )
        .unwrap();
        let mut out = Vec::new();
        collect_ld_images(&v, false, &mut out);
        out.sort();
        assert_eq!(
            out,
            vec![
                ("a.jpg".into(), false),
                ("b.jpg".into(), true),
                ("c.jpg".into(), false)
            ]
        );
    }
}
