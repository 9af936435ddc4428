//! Full verification of a stored log (`synthgov verify`).
//!
//! Trusts nothing in the store: every leaf hash is recomputed from the stored bytes,
//! the whole tree is rebuilt with a [`CompactRange`] and compared with the hashes kept
//! beside each record, every saved checkpoint's signature is checked with the ledger
//! key and its root compared with the rebuilt tree at its size, and an auditor's own
//! checkpoint, if given, must be a prefix of today's log. The first failure is named
//! by entry index: what was changed, removed, reordered or inserted.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;
use crate::error::LedgerError;
use crate::hash::{EMPTY_HASH, Hash, leaf_hash, split_hashes, to_hex};
use crate::log::Ledger;
use crate::merkle::{CompactRange, verify_consistency};
use crate::storage::{EntryRow, LedgerStore};

/// Rows read per batch.
const BATCH: usize = 16 * 1024;

/// One thing that does not hold.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The first entry index the problem concerns, when it concerns entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// The tree size of the checkpoint concerned, when it concerns a checkpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_size: Option<u64>,
    pub message: String,
}

/// What `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub tree_size: u64,
    pub root_hash: String,
    pub entries_checked: u64,
    pub checkpoints_checked: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_index: Option<u64>,
    pub problems: Vec<Problem>,
}

/// A checkpoint whose root must match the rebuilt tree at its size.
struct Target {
    size: u64,
    root: Hash,
    label: String,
}

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

/// Verifies the whole log. `auditor` is a checkpoint kept from earlier (already
/// opened, so its signature holds). `progress` is told how many entries are done.
pub fn verify<S: LedgerStore + ?Sized>(
    ledger: &Ledger<S>,
    auditor: Option<&Checkpoint>,
    progress: &mut dyn FnMut(u64),
) -> Result<VerifyReport, LedgerError> {
    verify_visiting(ledger, auditor, progress, &mut |_| {})
}

/// [`verify`], showing `visit` every entry whose hashes checked out, in index order,
/// in the same pass (the registry replays its projections this way).
pub fn verify_visiting<S: LedgerStore + ?Sized>(
    ledger: &Ledger<S>,
    auditor: Option<&Checkpoint>,
    progress: &mut dyn FnMut(u64),
    visit: &mut dyn FnMut(&EntryRow),
) -> Result<VerifyReport, LedgerError> {
    let store = ledger.store();
    let mut problems: Vec<Problem> = Vec::new();
    let mut targets: Vec<Target> = Vec::new();
    let mut checkpoints_checked = 0;

    for cp in store.checkpoints()? {
        checkpoints_checked += 1;
        match ledger.open_checkpoint(cp.note.as_bytes()) {
            Ok(opened) if opened.size == cp.size => targets.push(Target {
                size: opened.size,
                root: opened.root,
                label: format!("saved checkpoint #{} (size {})", cp.id, cp.size),
            }),
            Ok(opened) => problems.push(Problem {
                index: None,
                checkpoint_size: Some(cp.size),
                message: format!(
                    "saved checkpoint #{} is filed under size {} but signs size {}",
                    cp.id, cp.size, opened.size
                ),
            }),
            Err(e) => problems.push(Problem {
                index: None,
                checkpoint_size: Some(cp.size),
                message: format!("saved checkpoint #{} (size {}): {e}", cp.id, cp.size),
            }),
        }
    }
    if let Some(a) = auditor {
        targets.push(Target {
            size: a.size,
            root: a.root,
            label: format!("the given checkpoint (size {})", a.size),
        });
    }
    targets.sort_by_key(|t| t.size);

    let mut range = CompactRange::new();
    let mut next_target = 0;
    let mut entry_problem: Option<Problem> = None;
    let check_targets = |range: &CompactRange, next_target: &mut usize| -> Option<Problem> {
        while let Some(t) = targets.get(*next_target) {
            if t.size != range.size() {
                break;
            }
            *next_target += 1;
            if t.root != range.root() {
                let start = targets[..*next_target - 1]
                    .iter()
                    .rev()
                    .find(|p| p.size < t.size)
                    .map_or(0, |p| p.size);
                return Some(Problem {
                    index: Some(start),
                    checkpoint_size: Some(t.size),
                    message: format!(
                        "entries {start}..{} do not match {}: its root is {}, the entries give {}",
                        t.size,
                        t.label,
                        to_hex(&t.root),
                        to_hex(&range.root())
                    ),
                });
            }
        }
        None
    };
    if let Some(p) = check_targets(&range, &mut next_target) {
        entry_problem = Some(p);
    }

    store.scan(BATCH, &mut |rows: Vec<EntryRow>| {
        if entry_problem.is_some() {
            return false;
        }
        let checked: Vec<(Hash, Result<(), String>)> = rows
            .par_iter()
            .map(|row| (leaf_hash(&row.leaf), check_type(row)))
            .collect();
        for (row, (lh, type_check)) in rows.iter().zip(checked) {
            let expected = range.size();
            if let Some(p) = check_row(row, expected, lh, type_check, &mut range) {
                entry_problem = Some(p);
                return false;
            }
            visit(row);
            if let Some(p) = check_targets(&range, &mut next_target) {
                entry_problem = Some(p);
                return false;
            }
        }
        progress(range.size());
        true
    })?;

    let size = range.size();
    if entry_problem.is_none()
        && let Some(t) = targets.iter().find(|t| t.size > size)
    {
        entry_problem = Some(Problem {
            index: Some(size),
            checkpoint_size: Some(t.size),
            message: format!(
                "the log ends at {size} entries but {} covers {}: entries {size}..{} are missing",
                t.label, t.size, t.size
            ),
        });
    }
    if let (None, Some(a)) = (&entry_problem, auditor)
        && a.size > 0
    {
        // The rebuilt tree matched the auditor's root at its size; show it with the
        // proof an outside verifier would check, from the stored hashes.
        let proof = ledger.consistency(a.size, None)?;
        if let Err(e) =
            verify_consistency(a.size, proof.new_size, a.root, proof.new_root, &proof.proof)
        {
            entry_problem = Some(Problem {
                index: None,
                checkpoint_size: Some(a.size),
                message: format!("consistency proof from the given checkpoint fails: {e}"),
            });
        }
    }
    let first_bad_index = entry_problem.as_ref().and_then(|p| p.index);
    if let Some(p) = entry_problem {
        problems.insert(0, p);
    }
    let root = if size == 0 { EMPTY_HASH } else { range.root() };
    Ok(VerifyReport {
        ok: problems.is_empty(),
        tree_size: size,
        root_hash: to_hex(&root),
        entries_checked: size,
        checkpoints_checked,
        first_bad_index,
        problems,
    })
}

fn check_type(row: &EntryRow) -> Result<(), String> {
    match serde_json::from_slice::<TypeOnly>(&row.leaf) {
        Ok(t) if t.kind == row.kind => Ok(()),
        Ok(t) => Err(format!(
            "its type column says {:?} but the entry says {:?}",
            row.kind, t.kind
        )),
        Err(e) => Err(format!("its bytes are not a JSON event: {e}")),
    }
}

fn check_row(
    row: &EntryRow,
    expected: u64,
    lh: Hash,
    type_check: Result<(), String>,
    range: &mut CompactRange,
) -> Option<Problem> {
    let at = |index: u64, message: String| {
        Some(Problem {
            index: Some(index),
            checkpoint_size: None,
            message,
        })
    };
    if row.index > expected {
        return at(
            expected,
            format!(
                "entry {expected} is missing (the next stored entry is {})",
                row.index
            ),
        );
    }
    if row.index < expected {
        return at(row.index, format!("entry {} is stored twice", row.index));
    }
    let Some(stored) = split_hashes(&row.hashes) else {
        return at(
            expected,
            format!("entry {expected}: stored hashes are damaged"),
        );
    };
    if stored.first() != Some(&lh) {
        return at(
            expected,
            format!(
                "entry {expected} was changed after it was appended: its bytes hash to {}, the log recorded {}",
                to_hex(&lh),
                stored.first().map(to_hex).unwrap_or_default()
            ),
        );
    }
    if let Err(why) = type_check {
        return at(expected, format!("entry {expected}: {why}"));
    }
    let completed = range.push(lh);
    if stored.len() != completed.len() {
        return at(
            expected,
            format!(
                "entry {expected} carries {} stored hashes where its position needs {} (entries were inserted or removed)",
                stored.len(),
                completed.len()
            ),
        );
    }
    if let Some(level) = (0..completed.len()).find(|&l| stored.get(l) != Some(&completed[l])) {
        let start = expected + 1 - (1u64 << level);
        return at(
            start,
            format!(
                "entries {start}..={expected} do not match the tree hash the log recorded when entry {expected} was appended (one of them was changed, removed or inserted)"
            ),
        );
    }
    None
}
