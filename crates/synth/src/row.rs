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
/// row for its fingerprints.
pub struct RowBuf {
    pub format: Format,
    pub out: String,
    columns: &'static [&'static str],
    /// For each column, its place among the identifying columns.
    role: Vec<Option<usize>>,
    field: usize,
    /// The current row's identifying values, in the order the identifying columns
    /// were given (empty for a column not written yet).
    pub ident: Vec<String>,
}

impl RowBuf {
    pub fn new(format: Format, columns: &'static [&'static str], identifying: &[&str]) -> RowBuf {
        RowBuf {
            format: format.text(),
            out: String::with_capacity(1 << 20),
            columns,
            role: columns
                .iter()
                .map(|c| identifying.iter().position(|i| i == c))
                .collect(),
            field: 0,
            ident: vec![String::new(); identifying.len()],
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

    fn begin_field(&mut self) -> Option<usize> {
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
        self.role.get(i).copied().flatten()
    }

    fn note_ident(&mut self, start: usize, role: usize) {
        let slot = &mut self.ident[role];
        slot.clear();
        slot.push_str(&self.out[start..]);
    }

    /// A text field.
    pub fn s(&mut self, v: &str) {
        let ident = self.begin_field();
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
        if let Some(role) = ident {
            let slot = &mut self.ident[role];
            slot.clear();
            slot.push_str(v);
        }
    }

    /// An integer field.
    pub fn i(&mut self, v: u64) {
        let ident = self.begin_field();
        let start = self.out.len();
        let _ = write!(self.out, "{v}");
        if let Some(role) = ident {
            self.note_ident(start, role);
        }
    }

    /// A money amount in cents, written with two decimals.
    pub fn cents(&mut self, v: u64) {
        let ident = self.begin_field();
        let start = self.out.len();
        let _ = write!(self.out, "{}.{:02}", v / 100, v % 100);
        if let Some(role) = ident {
            self.note_ident(start, role);
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
