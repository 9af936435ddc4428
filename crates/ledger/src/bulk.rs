//! Bulk input for `ledger append --jsonl`: one JSON object per line, each with `type`
//! and `data` (optional `actor`, `time`, `tenant`). Blank lines are skipped.
//!
//! Lines are read in chunks and validated, canonicalized and hashed in parallel
//! (rayon); the caller appends the chunks inside one transaction, so a bad line
//! anywhere means nothing is appended. Errors name the 1-based line number.

use std::io::BufRead;

use rayon::prelude::*;
use synthgov_core::event::{Event, EventDefaults};

use crate::error::LedgerError;
use crate::log::PreparedEntry;

/// Lines per parallel chunk: large enough to keep both cores busy, small enough that
/// memory stays bounded whatever the input size.
pub const CHUNK_LINES: usize = 16 * 1024;

/// Longest accepted line, so a file without newlines cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Says why a type may not be appended (`None`: it may).
pub type TypeCheck = fn(&str) -> Option<String>;

/// Reads JSONL in chunks of prepared entries.
pub struct JsonlReader<R> {
    input: R,
    defaults: EventDefaults,
    refuse: Option<TypeCheck>,
    line_no: u64,
    bytes_read: u64,
    done: bool,
}

impl<R: BufRead> JsonlReader<R> {
    pub fn new(input: R, defaults: EventDefaults) -> Self {
        JsonlReader {
            input,
            defaults,
            refuse: None,
            line_no: 0,
            bytes_read: 0,
            done: false,
        }
    }

    /// Refuses lines whose type `check` refuses, naming the line.
    pub fn refusing(mut self, check: TypeCheck) -> Self {
        self.refuse = Some(check);
        self
    }

    /// Bytes consumed so far, for progress.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next chunk of entries, `None` at the end of input.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<PreparedEntry>>, LedgerError> {
        if self.done {
            return Ok(None);
        }
        let mut lines: Vec<(u64, Vec<u8>)> = Vec::with_capacity(CHUNK_LINES);
        while lines.len() < CHUNK_LINES {
            let mut buf = Vec::new();
            let mut limited = std::io::Read::take(&mut self.input, MAX_LINE_BYTES as u64 + 1);
            let n = limited
                .read_until(b'\n', &mut buf)
                .map_err(LedgerError::Input)?;
            if n == 0 {
                self.done = true;
                break;
            }
            self.line_no += 1;
            self.bytes_read += n as u64;
            if buf.len() > MAX_LINE_BYTES {
                return Err(LedgerError::BadLine {
                    line: self.line_no,
                    problem: format!("line is longer than {MAX_LINE_BYTES} bytes"),
                });
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            lines.push((self.line_no, buf));
        }
        if lines.is_empty() {
            return Ok(None);
        }
        let defaults = &self.defaults;
        let refuse = self.refuse;
        let prepare = |line: u64, bytes: &[u8]| -> Result<PreparedEntry, LedgerError> {
            let entry = prepare_line(line, bytes, defaults)?;
            if let Some(problem) = refuse.and_then(|check| check(entry.kind())) {
                return Err(LedgerError::Refused {
                    line,
                    kind: entry.kind().to_owned(),
                    problem,
                });
            }
            Ok(entry)
        };
        let prepared: Result<Vec<PreparedEntry>, LedgerError> = lines
            .par_iter()
            .map(|(line, bytes)| prepare(*line, bytes))
            .collect();
        // rayon reports some failing line, not necessarily the first: find the first.
        match prepared {
            Ok(p) => Ok(Some(p)),
            Err(_) => Err(lines
                .iter()
                .find_map(|(line, bytes)| prepare(*line, bytes).err())
                .expect("a line failed")),
        }
    }
}

/// Validates one input line and turns it into leaf bytes.
pub fn prepare_line(
    line: u64,
    bytes: &[u8],
    defaults: &EventDefaults,
) -> Result<PreparedEntry, LedgerError> {
    let bad = |problem: String| LedgerError::BadLine { line, problem };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| bad(format!("not UTF-8 (byte {})", e.valid_up_to() + 1)))?;
    let value = synthgov_core::json::from_str_strict(text.trim_end())
        .map_err(|e| bad(format!("malformed JSON: {e}")))?;
    let event = Event::from_value(value, defaults).map_err(|e| bad(e.to_string()))?;
    Ok(PreparedEntry::from_event(&event))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> EventDefaults {
        EventDefaults {
            actor: "cli:test".into(),
            time: "2026-11-23T10:00:00Z".into(),
        }
    }

    #[test]
    fn reads_chunks_and_skips_blank_lines() {
        let input = "{\"type\":\"a.b\",\"data\":{}}\n\n  \n{\"type\":\"a.c\",\"data\":{\"x\":1}}";
        let mut r = JsonlReader::new(input.as_bytes(), defaults());
        let chunk = r.next_chunk().unwrap().unwrap();
        assert_eq!(chunk.len(), 2);
        assert_eq!(chunk[1].kind(), "a.c");
        assert!(r.next_chunk().unwrap().is_none());
    }

    #[test]
    fn names_the_first_bad_line() {
        let mut input = String::new();
        for i in 0..100 {
            if i == 41 || i == 90 {
                input.push_str("{\"type\":\"a.b\",\"data\":\"oops\"}\n");
            } else {
                input.push_str("{\"type\":\"a.b\",\"data\":{}}\n");
            }
        }
        let err = JsonlReader::new(input.as_bytes(), defaults())
            .next_chunk()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("line 42: field `data`"),
            "{err}"
        );
    }

    #[test]
    fn malformed_json_and_non_utf8_name_the_line() {
        let err = JsonlReader::new(
            &b"{\"type\":\"a.b\",\"data\":{}}\n{\"type\":"[..],
            defaults(),
        )
        .next_chunk()
        .unwrap_err();
        assert!(
            err.to_string().starts_with("line 2: malformed JSON"),
            "{err}"
        );
        let err = JsonlReader::new(&b"\xff\n"[..], defaults())
            .next_chunk()
            .unwrap_err();
        assert!(err.to_string().starts_with("line 1: not UTF-8"), "{err}");
    }
}
