//! The one write path, kept: no crate above the registry opens the store or appends
//! to the log itself. The type system does most of this (the CLI, the server and the
//! capability crates only ever see `&Ledger`, which cannot append); this test closes
//! the rest (opening a second, writable store next to the registry's).

use std::path::Path;

/// What only the registry (and the ledger and store crates below it) may call.
const FORBIDDEN: [&str; 11] = [
    "open_parts(",
    "append_in_tx",
    "append_stream(",
    "ledger_mut(",
    "store_mut(",
    "Ledger::new(",
    "Db::open(",
    "SqliteStore::open(",
    "PgStore::open(",
    "AppendTx",
    ".append(&",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_crate_above_the_registry_writes_around_it() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut offences = Vec::new();
    let mut files = 0;
    for krate in [
        "cli", "server", "audit", "scan", "disclose", "synth", "platform",
    ] {
        let mut list = Vec::new();
        rust_files(&crates.join(krate).join("src"), &mut list);
        for f in list {
            files += 1;
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for bad in FORBIDDEN {
                    if code.contains(bad) {
                        offences.push(format!("{}:{}: {bad}", f.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(files > 50, "read only {files} files: wrong folder?");
    assert!(
        offences.is_empty(),
        "writes around Registry::commit:\n{}",
        offences.join("\n")
    );
}
