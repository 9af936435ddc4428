//! Platform write-back: set the disclosure on the store itself. For Magento the
//! product attributes `ai_generated` and `ai_disclosure_text` (REST
//! `PUT /rest/V1/products/{sku}`, or the database in one transaction, see
//! `synthgov_platform::magento::write_disclosures`); for Shopify the `synthgov`
//! metafields through the Admin GraphQL `metafieldsSet` mutation, 12 products (24
//! metafields, under Shopify's 25) per request.
//!
//! Requests are retried with exponential backoff on 429, 5xx and network errors
//! (honouring `Retry-After`). Every item that succeeded is appended to a journal
//! (JSON lines, synced) before the next request, so an interrupted run started again
//! skips what was applied and never sends a change twice; the one window is a crash
//! between a success and its journal line, and the change is then re-sent, which
//! sets the same values again.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

/// One product to disclose.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Magento SKU or Shopify handle.
    pub product: String,
    /// Shopify product GID (`gid://shopify/Product/…`); absent for Magento.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    pub label: String,
    /// Why it needs disclosure (what the scan would report).
    pub reason: String,
}

impl Item {
    fn key(&self) -> &str {
        self.owner_id.as_deref().unwrap_or(&self.product)
    }
}

/// The Magento REST request for one product.
pub fn magento_body(item: &Item, ai_attribute: &str, disclosure_attribute: &str) -> Value {
    json!({
        "product": {
            "sku": item.product,
            "custom_attributes": [
                {"attribute_code": ai_attribute, "value": "1"},
                {"attribute_code": disclosure_attribute, "value": item.label},
            ]
        }
    })
}

pub const METAFIELDS_SET: &str = "mutation synthgovDisclose($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { metafields { id key ownerType } userErrors { field message code } } }";

/// The Shopify GraphQL request for a batch of products.
pub fn shopify_body(items: &[&Item]) -> Value {
    let mut metafields = Vec::new();
    for i in items {
        let owner = i.owner_id.as_deref().unwrap_or_default();
        metafields.push(json!({"ownerId": owner, "namespace": "synthgov", "key": "ai_generated", "type": "boolean", "value": "true"}));
        metafields.push(json!({"ownerId": owner, "namespace": "synthgov", "key": "disclosure", "type": "single_line_text_field", "value": i.label}));
    }
    json!({"query": METAFIELDS_SET, "variables": {"metafields": metafields}})
}

pub const SHOPIFY_BATCH: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum WritebackError {
    #[error("{path}: {source}")]
    Journal {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a journal line: {message}")]
    BadJournal {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("bad store URL {0}")]
    BadUrl(String),
    #[error("{url}: {status}: the token was refused; nothing more was sent ({body})")]
    Unauthorized {
        url: String,
        status: u16,
        body: String,
    },
}

/// What was sent during a run.
#[derive(Debug, Default, Serialize)]
pub struct ApplyReport {
    pub applied: Vec<String>,
    /// Already in the journal: not sent again.
    pub skipped: Vec<String>,
    /// (product, why) for items that failed after retries or were refused.
    pub failed: Vec<(String, String)>,
    pub requests: u64,
    pub retries: u64,
}

/// Applied items, one JSON line each.
pub struct Journal {
    path: PathBuf,
    done: HashSet<String>,
    file: std::fs::File,
}

impl Journal {
    pub fn open(path: &Path) -> Result<Journal, WritebackError> {
        let err = |e| WritebackError::Journal {
            path: path.to_owned(),
            source: e,
        };
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut done = HashSet::new();
        if path.exists() {
            let text = std::fs::read(path).map_err(err)?;
            // A crash mid-write leaves a last line without its newline: that item was
            // not recorded as applied. Cut it off so the next line starts clean.
            let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            if complete < text.len() {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(err)?;
                f.set_len(complete as u64).map_err(err)?;
                f.sync_all().map_err(err)?;
            }
            for (i, line) in text[..complete].split(|&b| b == b'\n').enumerate() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let v: Value =
                    serde_json::from_slice(line).map_err(|e| WritebackError::BadJournal {
                        path: path.to_owned(),
                        line: i + 1,
                        message: e.to_string(),
                    })?;
                let Some(k) = v["key"].as_str() else {
                    return Err(WritebackError::BadJournal {
                        path: path.to_owned(),
                        line: i + 1,
                        message: "no \"key\"".into(),
                    });
                };
                done.insert(k.to_owned());
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(err)?;
        Ok(Journal {
            path: path.to_owned(),
            done,
            file,
        })
    }

    pub fn is_done(&self, key: &str) -> bool {
        self.done.contains(key)
    }

    pub fn done_count(&self) -> usize {
        self.done.len()
    }

    pub fn record(&mut self, key: &str) -> Result<(), WritebackError> {
        let line = format!(
            "{}\n",
            json!({"key": key, "at": time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()})
        );
        let err = |e| WritebackError::Journal {
            path: self.path.clone(),
            source: e,
        };
        self.file.write_all(line.as_bytes()).map_err(err)?;
        self.file.sync_data().map_err(err)?;
        self.done.insert(key.to_owned());
        Ok(())
    }
}

/// Retry policy.
#[derive(Debug, Clone)]
pub struct Retry {
    pub attempts: u32,
    pub base: Duration,
    pub max_wait: Duration,
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 6,
            base: Duration::from_millis(250),
            max_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
        }
    }
}

enum Outcome {
    Ok(Value),
    /// Refused for this item (a 4xx other than 401/403/429, or a GraphQL user error).
    Refused(String),
}

/// Sends one JSON request with retries.
fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: &Value,
    retry: &Retry,
    report: &mut ApplyReport,
) -> Result<Outcome, WritebackError> {
    let payload = body.to_string();
    let mut attempt = 0;
    loop {
        attempt += 1;
        report.requests += 1;
        let mut req = match method {
            "PUT" => agent.put(url),
            _ => agent.post(url),
        };
        req = req
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let (status, retry_after, text) = match req.send(payload.as_bytes()) {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                let text = resp.body_mut().read_to_string().unwrap_or_default();
                (Some(status), retry_after, text)
            }
            Err(e) => (None, None, e.to_string()),
        };
        let transient = match status {
            None => true,
            Some(s) => s == 429 || s >= 500,
        };
        if let Some(s @ (401 | 403)) = status {
            return Err(WritebackError::Unauthorized {
                url: url.to_owned(),
                status: s,
                body: text.chars().take(200).collect(),
            });
        }
        if let Some(s) = status
            && (200..300).contains(&s)
        {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            // Shopify reports throttling inside a 200.
            let throttled = v["errors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["extensions"]["code"] == "THROTTLED"));
            if !throttled {
                return Ok(Outcome::Ok(v));
            }
        } else if !transient {
            return Ok(Outcome::Refused(format!(
                "HTTP {}: {}",
                status.unwrap_or(0),
                text.chars().take(300).collect::<String>()
            )));
        }
        if attempt >= retry.attempts {
            return Ok(Outcome::Refused(format!(
                "gave up after {attempt} attempts: {}",
                match status {
                    Some(s) => format!("HTTP {s}"),
                    None => text,
                }
            )));
        }
        report.retries += 1;
        let backoff = retry.base * 2u32.saturating_pow(attempt - 1);
        let wait = retry_after
            .map(Duration::from_secs)
            .unwrap_or(backoff)
            .min(retry.max_wait);
        std::thread::sleep(wait);
    }
}

fn agent(retry: &Retry) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(retry.timeout))
        .http_status_as_error(false)
        .build()
        .new_agent()
}

/// Magento REST: one PUT per product.
#[allow(clippy::too_many_arguments)]
pub fn apply_magento_rest(
    base_url: &str,
    token: &str,
    items: &[Item],
    ai_attribute: &str,
    disclosure_attribute: &str,
    journal: &mut Journal,
    retry: &Retry,
    progress: &dyn Fn(u64),
) -> Result<ApplyReport, WritebackError> {
    let agent = agent(retry);
    let mut report = ApplyReport::default();
    let base = base_url.trim_end_matches('/');
    for item in items {
        if journal.is_done(item.key()) {
            report.skipped.push(item.product.clone());
            progress(1);
            continue;
        }
        // The SKU is one path segment, percent-encoded ("/" and spaces included).
        let mut u = url::Url::parse(&format!("{base}/rest/V1/products"))
            .map_err(|e| WritebackError::BadUrl(format!("{base_url}: {e}")))?;
        u.path_segments_mut()
            .map_err(|_| WritebackError::BadUrl(format!("{base_url}: not an http(s) URL")))?
            .push(&item.product);
        let url = u.to_string();
        let body = magento_body(item, ai_attribute, disclosure_attribute);
        let auth = [("Authorization", format!("Bearer {token}"))];
        match send(&agent, "PUT", &url, &auth, &body, retry, &mut report)? {
            Outcome::Ok(_) => {
                journal.record(item.key())?;
                report.applied.push(item.product.clone());
            }
            Outcome::Refused(why) => report.failed.push((item.product.clone(), why)),
        }
        progress(1);
    }
    Ok(report)
}

/// Shopify Admin GraphQL: `metafieldsSet` in batches.
pub fn apply_shopify(
    graphql_url: &str,
    token: &str,
    items: &[Item],
    journal: &mut Journal,
    retry: &Retry,
    progress: &dyn Fn(u64),
) -> Result<ApplyReport, WritebackError> {
    let agent = agent(retry);
    let mut report = ApplyReport::default();
    let mut pending: Vec<&Item> = Vec::new();
    for item in items {
        if journal.is_done(item.key()) {
            report.skipped.push(item.product.clone());
            progress(1);
        } else if item.owner_id.is_none() {
            report
                .failed
                .push((item.product.clone(), "no product id in the export".into()));
            progress(1);
        } else {
            pending.push(item);
        }
    }
    for batch in pending.chunks(SHOPIFY_BATCH) {
        let body = shopify_body(batch);
        let auth = [("X-Shopify-Access-Token", token.to_owned())];
        match send(
            &agent,
            "POST",
            graphql_url,
            &auth,
            &body,
            retry,
            &mut report,
        )? {
            Outcome::Ok(v) => {
                let errors = v["data"]["metafieldsSet"]["userErrors"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let top = v["errors"].as_array().cloned().unwrap_or_default();
                if errors.is_empty() && top.is_empty() && !v["data"]["metafieldsSet"].is_null() {
                    for i in batch {
                        journal.record(i.key())?;
                        report.applied.push(i.product.clone());
                    }
                } else {
                    // metafieldsSet is atomic: a user error means none of the batch was set.
                    let why = format!(
                        "GraphQL errors: {}",
                        json!(if top.is_empty() { errors } else { top })
                    );
                    for i in batch {
                        report.failed.push((i.product.clone(), why.clone()));
                    }
                }
            }
            Outcome::Refused(why) => {
                for i in batch {
                    report.failed.push((i.product.clone(), why.clone()));
                }
            }
        }
        progress(batch.len() as u64);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_survives_a_torn_last_line_and_refuses_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.jsonl");
        {
            let mut j = Journal::open(&p).unwrap();
            j.record("a").unwrap();
            j.record("b").unwrap();
        }
        // A crash while writing "c".
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"{\"key\":\"c\",\"at").unwrap();
        drop(f);
        let mut j = Journal::open(&p).unwrap();
        assert!(j.is_done("a") && j.is_done("b") && !j.is_done("c"));
        j.record("c").unwrap();
        drop(j);
        let j = Journal::open(&p).unwrap();
        assert_eq!(j.done_count(), 3);
        assert_eq!(std::fs::read_to_string(&p).unwrap().lines().count(), 3);

        std::fs::write(&p, "{\"key\":\"a\"}\nnot json\n").unwrap();
        let e = Journal::open(&p).err().unwrap();
        assert!(e.to_string().contains(":2: not a journal line"), "{e}");
    }
}
