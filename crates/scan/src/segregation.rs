//! `synthgov scan segregation`: synthetic rows that crossed into production
//! (SG-SEG-001), and real-looking personal data inside datasets registered as synthetic
//! (SG-SEG-002).
//!
//! Production rows are found by the generation issue's markers and fingerprints
//! ([`synthgov_synth::detect::RowChecker`]), in files (CSV, JSONL, Parquet) and in
//! PostgreSQL (streamed with `COPY ... TO STDOUT`) and MySQL/MariaDB tables (streamed,
//! every column cast to text). One finding per table or file and dataset version,
//! naming the rows' primary keys (the first twenty) and how many there are.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use synthgov_core::finding::{Finding, Location, ScanProblem, Severity};
use synthgov_synth::detect::{KnownVersion, RowChecker};
use synthgov_synth::fingerprint::Keys;
use synthgov_synth::safe;

use crate::rules::Catalog;

const KEYS_SHOWN: usize = 20;

pub struct Inputs<'a> {
    pub keys: &'a Keys,
    pub known: &'a [KnownVersion],
    pub catalog: &'a Catalog,
}

/// Matches of one dataset version in one table or file.
#[derive(Debug, Default)]
struct Tally {
    rows: u64,
    by_marker: u64,
    keys: Vec<String>,
    first_line: Option<u64>,
}

/// Rows checked and what they matched, per known version.
#[derive(Debug, Default)]
pub struct TableScan {
    rows: u64,
    tallies: BTreeMap<usize, Tally>,
}

impl TableScan {
    fn add(&mut self, version: usize, by: &str, key: impl FnOnce() -> String, line: Option<u64>) {
        let t = self.tallies.entry(version).or_default();
        t.rows += 1;
        if by == "marker" {
            t.by_marker += 1;
        }
        if t.keys.len() < KEYS_SHOWN {
            t.keys.push(key());
        }
        if t.first_line.is_none() {
            t.first_line = line;
        }
    }

    fn findings(
        self,
        inp: &Inputs,
        what: &str,
        location: impl Fn(&Tally) -> Location,
        payments_table: bool,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        for (i, t) in &self.tallies {
            let k = &inp.known[*i];
            let more = if t.rows as usize > t.keys.len() {
                format!(" and {} more", t.rows as usize - t.keys.len())
            } else {
                String::new()
            };
            let mut f = inp.catalog.finding(
                "SG-SEG-001",
                format!(
                    "{} synthetic row(s) of dataset {}@{} ({} by marker, {} by fingerprint) in {what}: {}{more}",
                    t.rows,
                    k.dataset,
                    k.version,
                    t.by_marker,
                    t.rows - t.by_marker,
                    t.keys.join(", ")
                ),
                location(t),
                None,
            );
            if payments_table || k.entity == "payments" {
                f.severity = Severity::Critical;
                f.message.push_str(
                    " — synthetic payment transactions in production trip fraud detection",
                );
            }
            out.push(f);
        }
        out
    }
}

fn is_payment_table(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("payment") || n.contains("transaction")
}

/// Result of scanning targets.
#[derive(Debug, Default)]
pub struct SegResult {
    pub findings: Vec<Finding>,
    pub problems: Vec<ScanProblem>,
    pub rows: u64,
}

// ---------------------------------------------------------------- files

/// The data files under a path (itself when a file), sorted.
pub fn data_files(path: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(path)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            matches!(
                p.extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
                Some("csv" | "jsonl" | "ndjson" | "parquet")
            )
        })
        .collect();
    out.sort();
    out
}

/// Receives (headers, line or row number, fields) for each row.
pub type RowFn<'a> = dyn FnMut(&[String], u64, &[String]) + 'a;

/// Rows of a data file, streamed to `each`.
pub fn read_rows(path: &Path, each: &mut RowFn) -> Result<u64, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "jsonl" | "ndjson" => read_jsonl(path, each),
        "parquet" => read_parquet(path, each),
        _ => {
            let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
            read_csv_reader(f, each)
        }
    }
}

/// Rows of a CSV stream (header first); errors name the line.
pub fn read_csv_reader(r: impl Read, each: &mut RowFn) -> Result<u64, String> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(r);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("line 1: {e}"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rec = csv::StringRecord::new();
    let mut fields: Vec<String> = Vec::new();
    let mut n = 0;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(format!("line {line}: {e}"));
            }
        }
        n += 1;
        let line = rec.position().map_or(n + 1, |p| p.line());
        fields.clear();
        fields.extend(rec.iter().map(str::to_owned));
        each(&headers, line, &fields);
    }
    Ok(n)
}

fn read_jsonl(path: &Path, each: &mut RowFn) -> Result<u64, String> {
    use std::io::BufRead;
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut n = 0;
    for (i, line) in std::io::BufReader::new(f).split(b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let line = line.map_err(|e| format!("line {line_no}: {e}"))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&line)
            .map_err(|e| format!("line {line_no}: malformed JSON: {e}"))?;
        let Some(o) = v.as_object() else {
            return Err(format!("line {line_no}: expected a JSON object"));
        };
        let headers: Vec<String> = o.keys().cloned().collect();
        let fields: Vec<String> = o
            .values()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect();
        n += 1;
        each(&headers, line_no, &fields);
    }
    Ok(n)
}

fn read_parquet(path: &Path, each: &mut RowFn) -> Result<u64, String> {
    use arrow_array::{Array, BooleanArray, Float64Array, Int32Array, Int64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| format!("not a readable Parquet file: {e}"))?
        .with_batch_size(8192)
        .build()
        .map_err(|e| e.to_string())?;
    let mut n = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| format!("row {}: {e}", n + 1))?;
        let headers: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let cols = batch.columns();
        let mut fields = vec![String::new(); cols.len()];
        for r in 0..batch.num_rows() {
            for (c, col) in cols.iter().enumerate() {
                let any = col.as_any();
                fields[c] = if col.is_null(r) {
                    String::new()
                } else if let Some(a) = any.downcast_ref::<StringArray>() {
                    a.value(r).to_owned()
                } else if let Some(a) = any.downcast_ref::<Int64Array>() {
                    a.value(r).to_string()
                } else if let Some(a) = any.downcast_ref::<Int32Array>() {
                    a.value(r).to_string()
                } else if let Some(a) = any.downcast_ref::<Float64Array>() {
                    a.value(r).to_string()
                } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
                    a.value(r).to_string()
                } else {
                    String::new()
                };
            }
            n += 1;
            each(&headers, n, &fields);
        }
    }
    Ok(n)
}

/// SG-SEG-001 for one production file.
pub fn scan_file(inp: &Inputs, path: &Path, uri: &str, into: &mut SegResult) {
    let mut scan = TableScan::default();
    let mut checker: Option<(Vec<String>, RowChecker)> = None;
    let res = read_rows(path, &mut |headers, line, fields| {
        if checker
            .as_ref()
            .is_none_or(|(h, _)| h.as_slice() != headers)
        {
            checker = Some((
                headers.to_vec(),
                RowChecker::new(inp.keys, inp.known, headers),
            ));
        }
        let (_, c) = checker.as_ref().expect("set above");
        scan.rows += 1;
        if let Some((i, by)) = c.check(fields) {
            scan.add(i, by, || format!("line {line}"), Some(line));
        }
    });
    if let Err(e) = res {
        into.problems.push(ScanProblem {
            uri: uri.to_owned(),
            message: e,
        });
    }
    into.rows += scan.rows;
    let payments = is_payment_table(uri);
    into.findings.extend(scan.findings(
        inp,
        &format!("file {uri}"),
        |t| Location::file(uri, t.first_line, None),
        payments,
    ));
}

// ---------------------------------------------------------------- SG-SEG-002

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pii {
    Email,
    Card,
    Phone,
}

/// SG-SEG-002 for one file registered as (part of) a synthetic dataset.
pub fn check_synthetic_file(
    catalog: &Catalog,
    path: &Path,
    uri: &str,
    dataset: &str,
    into: &mut SegResult,
) {
    let mut hits: BTreeMap<(String, Pii), (u64, u64, String)> = BTreeMap::new();
    let res = read_rows(path, &mut |headers, line, fields| {
        for (h, v) in headers.iter().zip(fields) {
            if let Some(kind) = real_looking(h, v) {
                let e = hits
                    .entry((h.clone(), kind))
                    .or_insert((0, line, String::new()));
                e.0 += 1;
                if e.2.is_empty() {
                    e.2 = redact(v);
                }
            }
        }
    });
    match res {
        Ok(n) => into.rows += n,
        Err(e) => into.problems.push(ScanProblem {
            uri: uri.to_owned(),
            message: e,
        }),
    }
    for ((column, kind), (count, line, example)) in hits {
        let what = match kind {
            Pii::Email => "email address(es) at non-reserved domains",
            Pii::Card => "Luhn-valid card number(s) outside processors' test ranges",
            Pii::Phone => "phone number(s) outside the ranges reserved for fiction",
        };
        into.findings.push(catalog.finding(
            "SG-SEG-002",
            format!("Dataset {dataset}: column {column} holds {count} {what} (first: {example})"),
            Location::file(uri, Some(line), None),
            None,
        ));
    }
}

/// Whether a value looks like real personal data: judged by the value, with the column
/// name deciding for numbers that could be anything (cards, phones).
fn real_looking(column: &str, value: &str) -> Option<Pii> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let col = column.to_ascii_lowercase();
    if let Some((local, domain)) = v.rsplit_once('@')
        && !local.is_empty()
        && domain.contains('.')
        && !v.contains(char::is_whitespace)
        && !domain.starts_with('.')
        && !safe::is_reserved_email(v)
    {
        return Some(Pii::Email);
    }
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    let only_digits = v
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    let card_column = ["card", "pan", "cc_number", "ccnum"]
        .iter()
        .any(|k| col.contains(k));
    if card_column
        && only_digits
        && (13..=19).contains(&digits.len())
        && safe::luhn_valid(&digits)
        && !safe::is_test_card(&digits)
    {
        return Some(Pii::Card);
    }
    let phone_column = ["phone", "mobile", "telephone", "fax"]
        .iter()
        .any(|k| col.contains(k))
        || col == "tel";
    if phone_column && digits.len() >= 7 && !safe::is_fiction_phone(v) {
        return Some(Pii::Phone);
    }
    None
}

/// Enough of a value to find it, not enough to spread it.
fn redact(v: &str) -> String {
    let chars: Vec<char> = v.trim().chars().collect();
    if chars.len() <= 4 {
        return "****".into();
    }
    let keep = 2.min(chars.len() / 4);
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 2 * keep))
}

// ---------------------------------------------------------------- databases

/// A database URL with the password removed, for locations and messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth_host, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let host = auth_host.rsplit_once('@').map_or(auth_host, |(_, h)| h);
    let path = path.split('?').next().unwrap_or("");
    format!("{scheme}://{host}/{path}")
}

/// Scans tables of a PostgreSQL or MySQL/MariaDB database.
pub fn scan_database(inp: &Inputs, url: &str, tables: &[String], into: &mut SegResult) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            into.problems.push(ScanProblem {
                uri: redact_url(url),
                message: format!("cannot start the async runtime: {e}"),
            });
            return;
        }
    };
    let res = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        crate::db::scan_postgres(&rt, inp, url, tables, into)
    } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        crate::db::scan_mysql(&rt, inp, url, tables, into)
    } else {
        Err("unsupported database URL scheme (postgres:// or mysql://)".to_string())
    };
    if let Err(e) = res {
        into.problems.push(ScanProblem {
            uri: redact_url(url),
            message: e,
        });
    }
}

/// Called by the database readers for each table.
pub(crate) fn table_findings(
    inp: &Inputs,
    base: &str,
    table: &str,
    scan: TableScan,
    into: &mut SegResult,
) {
    into.rows += scan.rows;
    let uri = format!("{}/{table}", base.trim_end_matches('/'));
    let payments = is_payment_table(table);
    into.findings.extend(scan.findings(
        inp,
        &format!("table {table}"),
        |t| {
            let first = t.keys.first().map(|k| format!("#{k}")).unwrap_or_default();
            Location::logical(format!("{uri}{first}"))
        },
        payments,
    ));
}

impl TableScan {
    /// Checks one database row; `key` names it by primary key.
    pub(crate) fn row<S: AsRef<str>>(
        &mut self,
        checker: &RowChecker,
        fields: &[S],
        key: impl FnOnce() -> String,
    ) {
        self.rows += 1;
        if let Some((i, by)) = checker.check(fields) {
            self.add(i, by, key, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_looking_values() {
        assert_eq!(real_looking("email", "jane@gmail.com"), Some(Pii::Email));
        assert_eq!(real_looking("email", "jane@example.com"), None);
        assert_eq!(real_looking("notes", "x@shop.test"), None);
        assert_eq!(
            real_looking("card_number", "4111 1111 1111 1111"),
            None,
            "test card"
        );
        assert_eq!(
            real_looking("card_number", "4539 1488 0343 6467"),
            Some(Pii::Card)
        );
        assert_eq!(
            real_looking("order_id", "4539148803436467"),
            None,
            "not a card column"
        );
        assert_eq!(real_looking("phone", "+1 202 555 0123"), None);
        assert_eq!(real_looking("phone", "+1 202 456 1111"), Some(Pii::Phone));
        assert_eq!(redact("jane@gmail.com"), "ja**********om");
    }

    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.internal:5432/shop?sslmode=require"),
            "postgres://db.internal:5432/shop"
        );
        assert_eq!(
            redact_url("mysql://root@127.0.0.1/test"),
            "mysql://127.0.0.1/test"
        );
    }
}
