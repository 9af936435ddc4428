//! `synthgov verify-pack`: checks a pack offline, with nothing but its files and a
//! verifier key: the manifest signature, every file's hash, no file missing or added,
//! the checkpoint signature, every inclusion proof, and that every ledger entry the
//! reports cite is proved.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use synthgov_ledger::Hash;

use crate::manifest;
use crate::proofs::{self, Proofs};

/// With the live store at hand (`verify-pack --live`): the pack must be signed with
/// the store's key, and its checkpoint must be a prefix of today's log (a consistency
/// proof from the store, checked here). Adds what does not hold to `o.problems`;
/// returns today's log size when the check ran. `store` names the store in messages.
pub fn check_live(
    o: &mut Outcome,
    reg: &synthgov_registry::Registry,
    store: &str,
) -> Result<Option<u64>, crate::PackError> {
    let vkey = reg.ledger().identity().vkey()?;
    if vkey != o.key {
        o.problems.push(format!(
            "--live: the pack is signed with {}, the store at {store} with {vkey}",
            o.key
        ));
        return Ok(None);
    }
    let (Some(size), Some(root)) = (o.tree_size, o.root) else {
        return Ok(None);
    };
    let now = reg.ledger().size()?;
    if size > now {
        o.problems.push(format!(
            "--live: the pack's checkpoint has {size} entries, today's log only {now}"
        ));
        return Ok(None);
    }
    let c = reg.ledger().consistency(size, Some(now))?;
    let ok = c.old_root == root
        && synthgov_ledger::merkle::verify_consistency(size, now, root, c.new_root, &c.proof)
            .is_ok();
    if !ok {
        o.problems.push(format!(
            "--live: the pack's checkpoint (size {size}) is not consistent with today's log (size {now}): the log was rewritten"
        ));
    }
    Ok(Some(now))
}

/// Where the verifier key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// `--key`: pinned by the auditor.
    Given,
    /// `ledger/key` inside the pack: proves integrity, not who made it.
    Pack,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub key: String,
    pub key_source: KeySource,
    pub origin: Option<String>,
    pub files: usize,
    pub entries: usize,
    pub tree_size: Option<u64>,
    #[serde(skip)]
    pub root: Option<Hash>,
    /// Each thing that does not hold, naming the file or entry.
    pub problems: Vec<String>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

pub const SPECIAL: [&str; 1] = ["MANIFEST"];

fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Every regular file under `dir`, as a `/`-separated relative path.
fn files_under(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            e.path()
                .strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

/// Verifies the pack in `dir`. `key` pins the verifier key; without it the pack's own
/// `ledger/key` is used (say so to the user: that checks integrity, not origin).
pub fn verify_pack(dir: &Path, key: Option<&str>) -> Outcome {
    let mut problems = Vec::new();
    let (key, key_source) = match key {
        Some(k) => (k.trim().to_owned(), KeySource::Given),
        None => match std::fs::read_to_string(dir.join("ledger/key")) {
            Ok(k) => (k.trim().to_owned(), KeySource::Pack),
            Err(e) => {
                problems.push(format!("ledger/key: {e} (pass --key)"));
                (String::new(), KeySource::Pack)
            }
        },
    };
    let mut out = Outcome {
        key: key.clone(),
        key_source,
        origin: None,
        files: 0,
        entries: 0,
        tree_size: None,
        root: None,
        problems: Vec::new(),
    };
    let text = match std::fs::read(dir.join("MANIFEST")) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!("MANIFEST: {e}"));
            out.problems = problems;
            return out;
        }
    };
    let m = match manifest::open(&text, &key) {
        Ok(m) => m,
        Err(e) => {
            problems.push(format!("MANIFEST: {e}"));
            out.problems = problems;
            return out;
        }
    };
    out.origin = Some(m.origin.clone());
    out.files = m.files.len();

    let listed: BTreeMap<&str, &str> = m
        .files
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    for (path, want) in &listed {
        match sha256_file(&dir.join(path)) {
            Ok(got) if got == *want => {}
            Ok(got) => problems.push(format!(
                "{path}: SHA-256 {got} does not match the manifest's {want}"
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("{path}: listed in the manifest but missing"))
            }
            Err(e) => problems.push(format!("{path}: {e}")),
        }
    }
    for path in files_under(dir) {
        if !listed.contains_key(path.as_str()) && !SPECIAL.contains(&path.as_str()) {
            problems.push(format!("{path}: not listed in the manifest (added?)"));
        }
    }

    // The checkpoint, with the same key and the manifest's origin.
    let cp = match std::fs::read(dir.join("ledger/checkpoint")) {
        Ok(t) => match synthgov_ledger::checkpoint::open(&t, &key, &m.origin) {
            Ok(cp) => Some(cp),
            Err(e) => {
                problems.push(format!("ledger/checkpoint: {e}"));
                None
            }
        },
        Err(e) => {
            problems.push(format!("ledger/checkpoint: {e}"));
            None
        }
    };
    let proofs: Option<Proofs> = match std::fs::read(dir.join("ledger/proofs.json")) {
        Ok(b) => match serde_json::from_slice(&b) {
            Ok(p) => Some(p),
            Err(e) => {
                problems.push(format!("ledger/proofs.json: line {}: {e}", e.line()));
                None
            }
        },
        Err(e) => {
            problems.push(format!("ledger/proofs.json: {e}"));
            None
        }
    };
    if let (Some(cp), Some(p)) = (&cp, &proofs) {
        out.tree_size = Some(cp.size);
        out.root = Some(cp.root);
        out.entries = p.entries.len();
        problems.extend(
            proofs::check(p, cp.size, cp.root)
                .into_iter()
                .map(|m| format!("ledger/proofs.json: {m}")),
        );
        let proved: BTreeSet<u64> = p.entries.iter().map(|e| e.index).collect();
        for doc in ["inventory.json", "findings.json"] {
            let Ok(bytes) = std::fs::read(dir.join(doc)) else {
                continue; // reported above if listed
            };
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                problems.push(format!("{doc}: not JSON"));
                continue;
            };
            let mut cited = BTreeSet::new();
            collect_ledger_indices(&v, &mut cited);
            for i in cited.difference(&proved) {
                problems.push(format!(
                    "{doc}: cites ledger entry {i}, which ledger/proofs.json does not prove"
                ));
            }
        }
    }
    out.problems = problems;
    out
}

/// Every `"ledger_index": N` anywhere in a document.
fn collect_ledger_indices(v: &serde_json::Value, out: &mut BTreeSet<u64>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                if k == "ledger_index"
                    && let Some(i) = v.as_u64()
                {
                    out.insert(i);
                } else {
                    collect_ledger_indices(v, out);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_ledger_indices(x, out)),
        _ => {}
    }
}

/// Unpacks a `.zip` pack into `into` (refusing paths that leave it); returns the
/// pack's folder inside.
pub fn unzip(zip_path: &Path, into: &Path) -> Result<PathBuf, String> {
    let f = std::fs::File::open(zip_path).map_err(|e| format!("{}: {e}", zip_path.display()))?;
    let mut z = zip::ZipArchive::new(f).map_err(|e| format!("{}: {e}", zip_path.display()))?;
    z.extract(into)
        .map_err(|e| format!("{}: {e}", zip_path.display()))?;
    // The archive holds one top folder (the pack's name); accept a flat one too.
    let entries: Vec<PathBuf> = std::fs::read_dir(into)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    match entries.as_slice() {
        [one] if one.is_dir() => Ok(one.clone()),
        _ => Ok(into.to_path_buf()),
    }
}
