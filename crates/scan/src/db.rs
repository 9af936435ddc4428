//! Reading production tables for the segregation scan.
//!
//! PostgreSQL: `COPY ... TO STDOUT (FORMAT csv)` streamed through a channel to a parser
//! thread, so that the network read and the checking overlap on two cores. MySQL and
//! MariaDB: a streamed `SELECT` with every column cast to text.

use std::io::Read;
use std::sync::mpsc::{Receiver, sync_channel};

use futures_util::StreamExt;
use sqlx::{Connection, Row};
use synthgov_synth::detect::RowChecker;

use crate::segregation::{Inputs, SegResult, TableScan, redact_url, table_findings};

fn quote_pg(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn quote_my(ident: &str) -> String {
    format!("`{}`", ident.replace('`', "``"))
}

fn key_of<S: AsRef<str>>(pk: &[usize], headers: &[String], fields: &[S], row: u64) -> String {
    if pk.is_empty() {
        return format!("row {row}");
    }
    pk.iter()
        .map(|&i| {
            format!(
                "{}={}",
                headers[i],
                fields.get(i).map_or("", |f| f.as_ref())
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Bytes arriving on a channel, read as one stream.
struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            match self.rx.recv() {
                Ok(b) => {
                    self.buf = b;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

pub fn scan_postgres(
    rt: &tokio::runtime::Runtime,
    inp: &Inputs,
    url: &str,
    only: &[String],
    into: &mut SegResult,
) -> Result<(), String> {
    let base = redact_url(url);
    let mut conn = rt
        .block_on(sqlx::PgConnection::connect(url))
        .map_err(|e| format!("cannot connect: {e}"))?;
    let tables: Vec<(String, String)> = if only.is_empty() {
        rt.block_on(
            sqlx::query_as::<_, (String, String)>(
                "SELECT table_schema::text, table_name::text FROM information_schema.tables \
                 WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') \
                 ORDER BY 1, 2",
            )
            .fetch_all(&mut conn),
        )
        .map_err(|e| format!("cannot list tables: {e}"))?
    } else {
        only.iter()
            .map(|t| match t.split_once('.') {
                Some((s, n)) => (s.to_owned(), n.to_owned()),
                None => ("public".to_owned(), t.clone()),
            })
            .collect()
    };
    for (schema, table) in tables {
        let name = format!("{schema}.{table}");
        let headers: Vec<String> = rt
            .block_on(
                sqlx::query_scalar::<_, String>(
                    "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                )
                .bind(&schema)
                .bind(&table)
                .fetch_all(&mut conn),
            )
            .map_err(|e| format!("{name}: cannot read columns: {e}"))?;
        if headers.is_empty() {
            into.problems.push(synthgov_core::finding::ScanProblem {
                uri: format!("{base}/{name}"),
                message: "no such table (or no columns)".into(),
            });
            continue;
        }
        let pk_names: Vec<String> = rt
            .block_on(
                sqlx::query_scalar::<_, String>(
                    "SELECT a.attname::text FROM pg_index i \
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                     WHERE i.indrelid = ($1 || '.' || $2)::regclass AND i.indisprimary \
                     ORDER BY array_position(i.indkey::int2[], a.attnum)",
                )
                .bind(quote_pg(&schema))
                .bind(quote_pg(&table))
                .fetch_all(&mut conn),
            )
            .unwrap_or_default();
        let pk: Vec<usize> = pk_names
            .iter()
            .filter_map(|p| headers.iter().position(|h| h == p))
            .collect();
        let cols = headers
            .iter()
            .map(|h| quote_pg(h))
            .collect::<Vec<_>>()
            .join(", ");
        let copy = format!(
            "COPY {}.{} ({cols}) TO STDOUT WITH (FORMAT csv)",
            quote_pg(&schema),
            quote_pg(&table)
        );
        let (tx, rx) = sync_channel::<Vec<u8>>(64);
        let checker = RowChecker::new(inp.keys, inp.known, &headers);
        let (read, scan) = std::thread::scope(|s| {
            let parser = s.spawn(|| {
                let mut scan = TableScan::default();
                let mut rdr = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(ChannelReader {
                        rx,
                        buf: Vec::new(),
                        pos: 0,
                    });
                let mut rec = csv::StringRecord::new();
                let mut n = 0u64;
                while let Ok(true) = rdr.read_record(&mut rec) {
                    n += 1;
                    let fields: Vec<&str> = rec.iter().collect();
                    scan.row(&checker, &fields, || key_of(&pk, &headers, &fields, n));
                }
                scan
            });
            let read = rt.block_on(async {
                let mut stream = conn
                    .copy_out_raw(&copy)
                    .await
                    .map_err(|e| format!("{name}: {e}"))?;
                // PostgreSQL sends one CopyData message per row: batch them, so the
                // parser thread wakes once per 256 KiB rather than once per row.
                let mut batch = Vec::with_capacity(1 << 18);
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(|e| format!("{name}: {e}"))?;
                    batch.extend_from_slice(&chunk);
                    if batch.len() >= 1 << 18 {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(1 << 18));
                        if tx.send(full).is_err() {
                            return Ok(());
                        }
                    }
                }
                if !batch.is_empty() {
                    let _ = tx.send(batch);
                }
                Ok::<(), String>(())
            });
            drop(tx);
            (read, parser.join())
        });
        let scan = scan.map_err(|_| format!("{name}: the row checker failed"))?;
        if let Err(e) = read {
            into.problems.push(synthgov_core::finding::ScanProblem {
                uri: format!("{base}/{name}"),
                message: e,
            });
            continue;
        }
        table_findings(inp, &base, &name, scan, into);
    }
    Ok(())
}

pub fn scan_mysql(
    rt: &tokio::runtime::Runtime,
    inp: &Inputs,
    url: &str,
    only: &[String],
    into: &mut SegResult,
) -> Result<(), String> {
    let base = redact_url(url);
    let url = url.replacen("mariadb://", "mysql://", 1);
    rt.block_on(async {
        let mut conn = sqlx::MySqlConnection::connect(&url)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let tables: Vec<String> = if only.is_empty() {
            sqlx::query_scalar::<_, String>(
                "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1",
            )
            .fetch_all(&mut conn)
            .await
            .map_err(|e| format!("cannot list tables: {e}"))?
        } else {
            only.to_vec()
        };
        for table in tables {
            let headers: Vec<String> = sqlx::query_scalar::<_, String>(
                "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
            )
            .bind(&table)
            .fetch_all(&mut conn)
            .await
            .map_err(|e| format!("{table}: cannot read columns: {e}"))?;
            if headers.is_empty() {
                into.problems.push(synthgov_core::finding::ScanProblem {
                    uri: format!("{base}/{table}"),
                    message: "no such table (or no columns)".into(),
                });
                continue;
            }
            let pk_names: Vec<String> = sqlx::query_scalar::<_, String>(
                "SELECT CAST(column_name AS CHAR) FROM information_schema.key_column_usage \
                 WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = 'PRIMARY' \
                 ORDER BY ordinal_position",
            )
            .bind(&table)
            .fetch_all(&mut conn)
            .await
            .unwrap_or_default();
            let pk: Vec<usize> = pk_names
                .iter()
                .filter_map(|p| headers.iter().position(|h| h == p))
                .collect();
            let cols = headers
                .iter()
                .map(|h| format!("CAST({} AS CHAR)", quote_my(h)))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT {cols} FROM {}", quote_my(&table));
            let checker = RowChecker::new(inp.keys, inp.known, &headers);
            let mut scan = TableScan::default();
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut conn);
            let mut fields: Vec<String> = Vec::with_capacity(headers.len());
            let mut n = 0u64;
            let mut failed = None;
            while let Some(row) = rows.next().await {
                let row = match row {
                    Ok(r) => r,
                    Err(e) => {
                        failed = Some(format!("{table}: {e}"));
                        break;
                    }
                };
                n += 1;
                fields.clear();
                for i in 0..headers.len() {
                    fields.push(
                        row.try_get::<Option<String>, _>(i)
                            .ok()
                            .flatten()
                            .unwrap_or_default(),
                    );
                }
                scan.row(&checker, &fields, || key_of(&pk, &headers, &fields, n));
            }
            drop(rows);
            if let Some(e) = failed {
                into.problems.push(synthgov_core::finding::ScanProblem {
                    uri: format!("{base}/{table}"),
                    message: e,
                });
                continue;
            }
            table_findings(inp, &base, &table, scan, into);
        }
        Ok(())
    })
}
