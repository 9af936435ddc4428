//! Prometheus text exposition of a few counters; the ledger size is read at scrape.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    denied: AtomicU64,
    appended: AtomicU64,
}

impl Metrics {
    pub fn request(&self, method: &str, status: u16) {
        let mut m = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *m.entry((method.to_owned(), status)).or_default() += 1;
    }
    pub fn denied(&self) {
        self.denied.fetch_add(1, Ordering::Relaxed);
    }
    pub fn appended(&self, n: u64) {
        self.appended.fetch_add(n, Ordering::Relaxed);
    }

    pub fn render(&self, ledger_size: u64) -> String {
        let mut s = String::new();
        s.push_str(
            "# HELP synthgov_http_requests_total HTTP requests answered, by method and status.\n",
        );
        s.push_str("# TYPE synthgov_http_requests_total counter\n");
        for ((method, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let _ = writeln!(
                s,
                "synthgov_http_requests_total{{method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            s,
            "# HELP synthgov_access_denied_total Requests denied by policy.\n# TYPE synthgov_access_denied_total counter\nsynthgov_access_denied_total {}",
            self.denied.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP synthgov_events_appended_total Events appended through POST /v1/events.\n# TYPE synthgov_events_appended_total counter\nsynthgov_events_appended_total {}",
            self.appended.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP synthgov_ledger_entries Entries in the ledger.\n# TYPE synthgov_ledger_entries gauge\nsynthgov_ledger_entries {ledger_size}"
        );
        s
    }
}
