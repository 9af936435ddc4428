//! Crawling a live store from a base URL: same origin only, robots.txt honoured (as
//! agent `synthgov`), bounded pages and depth, a fixed number of requests in flight,
//! timeouts, size limits, and redirects followed at most ten times. Each page goes
//! through the same [`scan_page`] as a saved page; its images are fetched from the
//! same origin once each.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use synthgov_core::finding::ScanProblem;
use ureq::ResponseExt;
use url::Url;

use crate::storefront::{Ctx, ImageInfo, MediaSource, PageResult, scan_page};

pub const USER_AGENT: &str = concat!(
    "synthgov/",
    env!("CARGO_PKG_VERSION"),
    " (+compliance scanner)"
);

#[derive(Debug, Clone)]
pub struct CrawlOptions {
    pub max_pages: usize,
    pub max_depth: usize,
    pub concurrency: usize,
    pub timeout: Duration,
    pub max_page_bytes: u64,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            max_pages: 500,
            max_depth: 5,
            concurrency: 4,
            timeout: Duration::from_secs(20),
            max_page_bytes: 64 << 20,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("{0}: not an http(s) base URL")]
    BadUrl(String),
}

struct Fetcher {
    agent: ureq::Agent,
    origin: url::Origin,
    robots: Option<String>,
    max_bytes: u64,
}

enum Fetched {
    Page { url: Url, bytes: Vec<u8> },
    Skipped(String),
    Failed(String),
}

impl Fetcher {
    fn allowed(&self, url: &Url) -> bool {
        match &self.robots {
            None => true,
            Some(body) => {
                let mut m = robotstxt::DefaultMatcher::default();
                m.one_agent_allowed_by_robots(body, "synthgov", url.as_str())
            }
        }
    }

    fn get(&self, url: &Url, limit: u64) -> Result<(Url, String, Vec<u8>), String> {
        let mut resp = self.agent.get(url.as_str()).call().map_err(|e| match e {
            ureq::Error::TooManyRedirects => {
                "redirects more than 10 times (a redirect loop?)".to_string()
            }
            ureq::Error::Timeout(_) => "timed out".to_string(),
            other => other.to_string(),
        })?;
        let final_url = Url::parse(&resp.get_uri().to_string()).unwrap_or_else(|_| url.clone());
        if resp.status().as_u16() >= 400 {
            return Err(format!("HTTP {}", resp.status()));
        }
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(n) => format!("larger than the {n}-byte limit"),
                other => other.to_string(),
            })?;
        Ok((final_url, ctype, bytes))
    }

    fn page(&self, url: &Url) -> Fetched {
        if !self.allowed(url) {
            return Fetched::Skipped("disallowed by robots.txt".into());
        }
        match self.get(url, self.max_bytes) {
            Err(e) => Fetched::Failed(e),
            Ok((final_url, _, _)) if final_url.origin() != self.origin => {
                Fetched::Skipped(format!(
                    "redirects to another origin ({})",
                    final_url.origin().ascii_serialization()
                ))
            }
            Ok((_, ctype, _)) if !ctype.is_empty() && !ctype.contains("html") => {
                Fetched::Skipped(format!("not HTML ({ctype})"))
            }
            Ok((final_url, _, bytes)) => Fetched::Page {
                url: final_url,
                bytes,
            },
        }
    }
}

/// Same-origin images, fetched once each.
struct WebMedia<'a> {
    fetcher: &'a Fetcher,
    cache: Mutex<HashMap<String, Arc<ImageInfo>>>,
}

impl MediaSource for WebMedia<'_> {
    fn image(&self, page_uri: &str, url: &str) -> Option<Arc<ImageInfo>> {
        let base = Url::parse(page_uri).ok()?;
        let mut u = base.join(url).ok()?;
        if u.origin() != self.fetcher.origin {
            return None;
        }
        u.set_fragment(None);
        if let Some(hit) = self.cache.lock().ok()?.get(u.as_str()) {
            return Some(hit.clone());
        }
        let info = match self.fetcher.get(&u, 512 << 20) {
            Ok((_, _, bytes)) => ImageInfo::from_bytes(&bytes),
            Err(e) => ImageInfo::Unavailable(e),
        };
        let info = Arc::new(info);
        self.cache.lock().ok()?.insert(u.to_string(), info.clone());
        Some(info)
    }
}

/// Crawls from `base` and scans every page reached. `page_done` is called per page.
pub fn crawl(
    ctx: &Ctx,
    base: &str,
    opts: &CrawlOptions,
    page_done: &(dyn Fn() + Sync),
) -> Result<(PageResult, u64), CrawlError> {
    let start = Url::parse(base).map_err(|_| CrawlError::BadUrl(base.to_owned()))?;
    if !matches!(start.scheme(), "http" | "https") {
        return Err(CrawlError::BadUrl(base.to_owned()));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .max_redirects(10)
        .user_agent(USER_AGENT)
        .http_status_as_error(false)
        .build()
        .into();
    let mut fetcher = Fetcher {
        agent,
        origin: start.origin(),
        robots: None,
        max_bytes: opts.max_page_bytes,
    };
    if let Ok(robots_url) = start.join("/robots.txt")
        && let Ok((_, _, body)) = fetcher.get(&robots_url, 512 << 10)
    {
        fetcher.robots = Some(String::from_utf8_lossy(&body).into_owned());
    }
    let media = WebMedia {
        fetcher: &fetcher,
        cache: Mutex::new(HashMap::new()),
    };
    let mut all = PageResult::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<(Url, usize)> = VecDeque::new();
    let mut start = start;
    start.set_fragment(None);
    seen.insert(start.to_string());
    queue.push_back((start, 0));
    let mut pages = 0u64;
    let workers = opts.concurrency.max(1);
    while !queue.is_empty() && (pages as usize) < opts.max_pages {
        let room = opts.max_pages - pages as usize;
        let batch: Vec<(Url, usize)> = (0..workers.min(room))
            .filter_map(|_| queue.pop_front())
            .collect();
        let results: Vec<(Url, usize, Fetched, Option<PageResult>)> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .into_iter()
                .map(|(url, depth)| {
                    let at = url.clone();
                    let fetcher = &fetcher;
                    let media = &media;
                    let handle = s.spawn(move || {
                        let fetched = fetcher.page(&url);
                        let scanned = match &fetched {
                            Fetched::Page { url, bytes } => {
                                Some(scan_page(ctx, url.as_str(), bytes, media))
                            }
                            _ => None,
                        };
                        (url, depth, fetched, scanned)
                    });
                    (at, depth, handle)
                })
                .collect();
            // A page whose scan panicked is a problem of the run, never silently
            // dropped.
            handles
                .into_iter()
                .map(|(at, depth, h)| {
                    h.join().unwrap_or_else(|panic| {
                        let why = synthgov_core::panic::message(panic.as_ref());
                        (
                            at,
                            depth,
                            Fetched::Failed(format!(
                                "internal error while scanning this page: {why}"
                            )),
                            None,
                        )
                    })
                })
                .collect()
        });
        for (url, depth, fetched, scanned) in results {
            match fetched {
                Fetched::Failed(msg) | Fetched::Skipped(msg) => {
                    all.problems.push(ScanProblem {
                        uri: url.to_string(),
                        message: msg,
                    });
                    continue;
                }
                Fetched::Page { url: final_url, .. } => {
                    pages += 1;
                    page_done();
                    let Some(r) = scanned else { continue };
                    all.findings.extend(r.findings);
                    all.problems.extend(r.problems);
                    if depth >= opts.max_depth {
                        continue;
                    }
                    for href in r.links {
                        let Ok(mut next) = final_url.join(&href) else {
                            continue;
                        };
                        next.set_fragment(None);
                        if next.origin() != fetcher.origin || !seen.insert(next.to_string()) {
                            continue;
                        }
                        queue.push_back((next, depth + 1));
                    }
                }
            }
        }
    }
    Ok((all, pages))
}
