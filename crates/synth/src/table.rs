//! Reading a tabular sample (CSV) into typed columns, strictly: an empty file, a
//! ragged row, a non-UTF-8 byte or a column whose values change type is an error
//! naming the file, line and column.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColType {
    Numerical,
    Datetime,
    Categorical,
    Boolean,
    Id,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ctype: ColType,
    /// Raw text; `None` for an empty cell.
    pub raw: Vec<Option<String>>,
    /// Numeric value for numerical and datetime (seconds since the epoch) columns.
    pub num: Vec<Option<f64>>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    pub columns: Vec<Column>,
    pub rows: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}{}{}: {message}", line.map(|l| format!(": line {l}")).unwrap_or_default(), column.as_ref().map(|c| format!(", column {c:?}")).unwrap_or_default())]
pub struct TableError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The datetime layouts a sample may use (strftime names, as SDMetrics metadata
/// writes them); times without a zone are UTC. A fitted model writes its datetimes
/// back in the layout its sample used.
pub const DATETIME_FORMATS: [&str; 8] = [
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y",
];

fn layout(f: &str) -> Option<&'static [time::format_description::BorrowedFormatItem<'static>]> {
    use time::macros::format_description as fd;
    Some(match f {
        "%Y-%m-%d" => fd!("[year]-[month]-[day]"),
        "%Y-%m-%dT%H:%M:%SZ" => fd!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
        "%Y-%m-%d %H:%M:%S" => fd!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        "%Y-%m-%dT%H:%M:%S" => fd!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        "%Y-%m-%d %H:%M" => fd!("[year]-[month]-[day] [hour]:[minute]"),
        "%m/%d/%Y" => fd!("[month]/[day]/[year]"),
        "%m/%d/%Y %H:%M" => fd!("[month]/[day]/[year] [hour]:[minute]"),
        "%d.%m.%Y" => fd!("[day].[month].[year]"),
        _ => return None,
    })
}

/// Seconds since the epoch of `s` in the layout `format` (one of
/// [`DATETIME_FORMATS`]).
pub fn parse_datetime_as(s: &str, format: &str) -> Option<f64> {
    let items = layout(format)?;
    let s = s.trim();
    if format.contains("%H") {
        time::PrimitiveDateTime::parse(s, items)
            .ok()
            .map(|t| t.assume_utc().unix_timestamp() as f64)
    } else {
        Date::parse(s, items)
            .ok()
            .map(|d| (d.to_julian_day() as f64 - 2_440_588.0) * 86_400.0)
    }
}

/// `t` (seconds since the epoch, UTC) in the layout `format`.
pub fn format_datetime(t: i64, format: &str) -> Option<String> {
    let items = layout(format)?;
    let dt = OffsetDateTime::from_unix_timestamp(t).ok()?;
    dt.format(items).ok()
}

/// The first layout of [`DATETIME_FORMATS`] that reads every one of `values`.
pub fn datetime_format<'a>(
    mut values: impl Iterator<Item = &'a str> + Clone,
) -> Option<&'static str> {
    let first = values.clone().next()?;
    DATETIME_FORMATS.into_iter().find(|f| {
        parse_datetime_as(first, f).is_some() && values.all(|v| parse_datetime_as(v, f).is_some())
    })
}

/// Seconds since the epoch of `YYYY-MM-DD`, RFC 3339 or another layout of
/// [`DATETIME_FORMATS`].
pub fn parse_datetime(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.len() == 10
        && let Some(v) = parse_datetime_as(s, "%Y-%m-%d")
    {
        return Some(v);
    }
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp() as f64)
        .or_else(|| {
            DATETIME_FORMATS[2..]
                .iter()
                .find_map(|f| parse_datetime_as(s, f))
        })
}

fn parse_num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The most columns `fit` and `quality` take: their pair statistics and the copula's
/// correlation matrix grow with the square of the column count (1,000 columns: an
/// 8 MB matrix; 100,000 would be 80 GB).
pub const MAX_COLUMNS: usize = 1_000;

/// Reads a CSV. `types` fixes column types by name (SDMetrics metadata, or a fitted
/// model); other columns are inferred.
pub fn read_csv(path: &Path, types: &BTreeMap<String, ColType>) -> Result<Table, TableError> {
    read_csv_head(path, types, usize::MAX)
}

/// [`read_csv`] of at most the first `limit` rows (memory bounded however long the
/// file is).
pub fn read_csv_head(
    path: &Path,
    types: &BTreeMap<String, ColType>,
    limit: usize,
) -> Result<Table, TableError> {
    let file = path.display().to_string();
    let err = |line: Option<u64>, column: Option<String>, message: String| TableError {
        file: file.clone(),
        line,
        column,
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| err(None, None, e.to_string()))?;
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) if !(h.is_empty() || h.len() == 1 && h[0].is_empty()) => {
            h.iter().map(|s| s.trim().to_owned()).collect()
        }
        Ok(_) => return Err(err(Some(1), None, "empty file: no header".into())),
        Err(e) => return Err(err(Some(1), None, csv_problem(&e, &[]))),
    };
    if headers.len() > MAX_COLUMNS {
        return Err(err(
            Some(1),
            None,
            format!(
                "{} columns; at most {MAX_COLUMNS} are supported (the dependence between columns grows with the square of their number)",
                headers.len()
            ),
        ));
    }
    let mut raw: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
    let mut lines: Vec<u64> = Vec::new();
    let mut rec = csv::StringRecord::new();
    while lines.len() < limit {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(err(
                    e.position().map(|p| p.line()),
                    None,
                    csv_problem(&e, &headers),
                ));
            }
        }
        lines.push(rec.position().map_or(0, |p| p.line()));
        for (i, v) in rec.iter().enumerate() {
            raw[i].push(if v.trim().is_empty() {
                None
            } else {
                Some(v.to_owned())
            });
        }
    }
    let rows = lines.len();
    if rows == 0 {
        return Err(err(Some(2), None, "no data rows".into()));
    }
    let mut columns = Vec::with_capacity(headers.len());
    for (name, values) in headers.into_iter().zip(raw) {
        let ctype = match types.get(&name) {
            Some(t) => *t,
            None => infer(&name, &values),
        };
        let mut num = vec![None; values.len()];
        if matches!(ctype, ColType::Numerical | ColType::Datetime) {
            let parse = if ctype == ColType::Numerical {
                parse_num
            } else {
                parse_datetime
            };
            let mut first_ok: Option<usize> = None;
            for (i, v) in values.iter().enumerate() {
                let Some(v) = v else { continue };
                match parse(v) {
                    Some(x) => {
                        num[i] = Some(x);
                        first_ok.get_or_insert(i);
                    }
                    None => {
                        let kind = if ctype == ColType::Numerical {
                            "numbers"
                        } else {
                            "dates"
                        };
                        let since = first_ok
                            .map(|f| {
                                format!(
                                    " (line {} holds {:?})",
                                    lines[f],
                                    values[f].as_deref().unwrap_or("")
                                )
                            })
                            .unwrap_or_default();
                        return Err(err(
                            Some(lines[i]),
                            Some(name.clone()),
                            format!("mixed types: {v:?} in a column of {kind}{since}"),
                        ));
                    }
                }
            }
        }
        columns.push(Column {
            name,
            ctype,
            raw: values,
            num,
        });
    }
    Ok(Table {
        file,
        columns,
        rows,
    })
}

fn csv_problem(e: &csv::Error, headers: &[String]) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "not UTF-8 in column {:?}",
            headers
                .get(err.field())
                .cloned()
                .unwrap_or_else(|| format!("#{}", err.field() + 1))
        ),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, the header has {expected_len}"),
        _ => e.to_string(),
    }
}

/// Type from the values: boolean, numerical, datetime, an id (unique integers in a
/// column named `id` or `*_id`), else categorical. Codes that only look like numbers
/// stay categorical: a column named like a postcode, ZIP or phone number, or one
/// where a value keeps a leading zero ("02134" is not 2134).
pub fn infer(name: &str, values: &[Option<String>]) -> ColType {
    let present: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
    if present.is_empty() {
        return ColType::Categorical;
    }
    let lname = name.to_ascii_lowercase();
    if ["postcode", "postal", "zip", "phone"]
        .iter()
        .any(|k| lname.contains(k))
    {
        return ColType::Categorical;
    }
    let leading_zero = |v: &&str| {
        let t = v.trim();
        t.len() > 1
            && t.starts_with('0')
            && t.as_bytes()[1].is_ascii_digit()
            && parse_num(t).is_some()
    };
    if present.iter().any(leading_zero) {
        return ColType::Categorical;
    }
    if present.iter().all(|v| parse_bool(v).is_some()) {
        return ColType::Boolean;
    }
    // The type is set by the first value; a later value of another type is reported
    // as mixed types by the reader.
    let first = present[0];
    if parse_num(first).is_some() {
        if lname == "id" || lname.ends_with("_id") {
            let mut ints: Vec<&str> = present.clone();
            ints.sort_unstable();
            ints.dedup();
            if ints.len() == present.len() {
                return ColType::Id;
            }
        }
        return ColType::Numerical;
    }
    if parse_datetime(first).is_some() {
        return ColType::Datetime;
    }
    ColType::Categorical
}

/// Column types from an SDMetrics single-table metadata document.
pub fn types_from_sdmetrics_metadata(v: &serde_json::Value) -> BTreeMap<String, ColType> {
    let table = v["tables"]
        .as_object()
        .and_then(|t| t.values().next())
        .unwrap_or(v);
    let pk = table["primary_key"].as_str().unwrap_or("");
    let mut out = BTreeMap::new();
    for (name, c) in table["columns"].as_object().into_iter().flatten() {
        let t = match c["sdtype"].as_str().unwrap_or("") {
            "numerical" => ColType::Numerical,
            "datetime" => ColType::Datetime,
            "boolean" => ColType::Boolean,
            "id" => ColType::Id,
            _ if name == pk => ColType::Id,
            _ => ColType::Categorical,
        };
        out.insert(name.clone(), t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(vs: &[&str]) -> Vec<Option<String>> {
        vs.iter().map(|v| Some(v.to_string())).collect()
    }

    #[test]
    fn codes_that_look_like_numbers_stay_categorical() {
        assert_eq!(infer("amount", &col(&["12", "3.5"])), ColType::Numerical);
        assert_eq!(
            infer("zip", &col(&["92377", "10001"])),
            ColType::Categorical
        );
        assert_eq!(
            infer("shipping_postcode", &col(&["92377", "M5V 5A5"])),
            ColType::Categorical
        );
        assert_eq!(
            infer("code", &col(&["12345", "02134"])),
            ColType::Categorical
        );
        assert_eq!(infer("ratio", &col(&["0.5", "0.25"])), ColType::Numerical);
        // A date with a leading zero is still a date.
        assert_eq!(
            infer("day", &col(&["01/02/2020", "12/31/2021"])),
            ColType::Datetime
        );
    }
}
