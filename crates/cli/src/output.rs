//! Printing. Everything the user asked for goes to stdout through [`Out`]; a closed
//! pipe (`synthgov ledger list | head`) ends the program quietly with success.

use std::io::{self, Write};

use serde::Serialize;

pub struct Out {
    stdout: io::BufWriter<io::Stdout>,
}

impl Out {
    pub fn new() -> Out {
        Out {
            stdout: io::BufWriter::new(io::stdout()),
        }
    }

    /// Writes text as is.
    pub fn text(&mut self, s: &str) -> io::Result<()> {
        self.stdout.write_all(s.as_bytes())
    }

    /// Writes one line.
    pub fn line(&mut self, s: &str) -> io::Result<()> {
        self.stdout.write_all(s.as_bytes())?;
        self.stdout.write_all(b"\n")
    }

    /// Writes one JSON document and a newline.
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut self.stdout, value)?;
        self.stdout.write_all(b"\n")
    }

    /// Writes one compact JSON document and a newline (contract outputs).
    pub fn json_line<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.stdout, value)?;
        self.stdout.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.stdout.flush()
    }
}

/// True for the error a closed pipe gives.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Escapes control and bidi characters before untrusted text reaches a terminal.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
