//! Writing one row as CSV (RFC 4180) or one JSON object per line, into a reusable
//! buffer, without allocating per field.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    /// Rows are made as CSV text, then typed into Parquet (`parquet_out`).
    Parquet,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// The text form rows are made in.
    pub fn text(self) -> Format {
        if self == Format::Jsonl {
            Format::Jsonl
        } else {
            Format::Csv
        }
    }
}

/// Builds rows into a byte buffer; also keeps the identifying values of the current
/// row for its fingerprint.
pub struct RowBuf {
    pub format: Format,
    pub out: String,
    columns: &'static [&'static str],
    ident_mask: Vec<bool>,
    field: usize,
    /// Identifying values of the current row, separated by 0x1f.
    pub ident: String,
}

impl RowBuf {
    pub fn new(format: Format, columns: &'static [&'static str], identifying: &[&str]) -> RowBuf {
        RowBuf {
            format: format.text(),
            out: String::with_capacity(1 << 20),
            columns,
            ident_mask: columns.iter().map(|c| identifying.contains(c)).collect(),
            field: 0,
            ident: String::new(),
        }
    }

    pub fn header(&mut self, marker: Option<&str>) {
        if self.format == Format::Csv {
            for (i, c) in self.columns.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.out.push_str(c);
            }
            if let Some(m) = marker {
                self.out.push(',');
                self.out.push_str(m);
            }
            self.out.push('\n');
        }
    }

    fn begin_field(&mut self) -> bool {
        let i = self.field;
        self.field += 1;
        match self.format {
            Format::Csv | Format::Parquet => {
                if i > 0 {
                    self.out.push(',');
                }
            }
            Format::Jsonl => {
                self.out.push(if i == 0 { '{' } else { ',' });
                self.out.push('"');
                self.out
                    .push_str(self.columns.get(i).copied().unwrap_or("synthgov_marker"));
                self.out.push_str("\":");
            }
        }
        self.ident_mask.get(i).copied().unwrap_or(false)
    }

    fn note_ident(&mut self, start: usize) {
        if !self.ident.is_empty() {
            self.ident.push('\u{1f}');
        }
        let v = self.out[start..].trim_matches('"').to_owned();
        self.ident.push_str(&v);
    }

    /// A text field.
    pub fn s(&mut self, v: &str) {
        let ident = self.begin_field();
        let start = self.out.len();
        match self.format {
            Format::Csv | Format::Parquet => {
                if v.contains([',', '"', '\n', '\r']) {
                    self.out.push('"');
                    self.out.push_str(&v.replace('"', "\"\""));
                    self.out.push('"');
                } else {
                    self.out.push_str(v);
                }
            }
            Format::Jsonl => {
                self.out.push('"');
                for ch in v.chars() {
                    match ch {
                        '"' => self.out.push_str("\\\""),
                        '\\' => self.out.push_str("\\\\"),
                        c if (c as u32) < 0x20 => {
                            let _ = write!(self.out, "\\u{:04x}", c as u32);
                        }
                        c => self.out.push(c),
                    }
                }
                self.out.push('"');
            }
        }
        if ident {
            self.note_ident(start);
        }
    }

    /// An integer field.
    pub fn i(&mut self, v: u64) {
        let ident = self.begin_field();
        let start = self.out.len();
        let _ = write!(self.out, "{v}");
        if ident {
            self.note_ident(start);
        }
    }

    /// A money amount in cents, written with two decimals.
    pub fn cents(&mut self, v: u64) {
        let ident = self.begin_field();
        let start = self.out.len();
        let _ = write!(self.out, "{}.{:02}", v / 100, v % 100);
        if ident {
            self.note_ident(start);
        }
    }

    /// Ends the row; returns the identifying values.
    pub fn end(&mut self) {
        if self.format == Format::Jsonl {
            self.out.push('}');
        }
        self.out.push('\n');
        self.field = 0;
    }
}
