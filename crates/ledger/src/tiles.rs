//! The log as C2SP tlog-tiles (<https://c2sp.org/tlog-tiles>): hash tiles
//! `tile/<L>/<N>[.p/<W>]` and entry bundles `tile/entries/<N>[.p/<W>]`, tile height 8.
//! Tiles are read from the same stored hashes the proofs use, so a tile client and
//! `ledger prove` see one tree.

use tlog_tiles::tile::Tile;

use crate::error::LedgerError;
use crate::log::Ledger;
use crate::storage::{LedgerStore, ListQuery};

/// Hashes per tile (2^8).
pub const TILE_WIDTH: u64 = 256;
const HEIGHT: u8 = 8;

/// A tile path, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TilePath {
    Hash { level: u8, index: u64, width: u32 },
    Entries { index: u64, width: u32 },
}

/// Parses the part of a tile URL after `tile/`, e.g. `0/x001/234.p/17` or
/// `entries/005`. Returns `None` for anything the spec does not allow (including
/// non-canonical spellings, so that every tile has exactly one URL).
pub fn parse(path: &str) -> Option<TilePath> {
    let (level, rest) = path.split_once('/')?;
    let (rest, width) = match rest.split_once(".p/") {
        Some((n, w)) => {
            let w: u32 = w.parse().ok()?;
            if !(1..TILE_WIDTH as u32).contains(&w) || w.to_string() != rest[n.len() + 3..] {
                return None;
            }
            (n, w)
        }
        None => (rest, TILE_WIDTH as u32),
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let mut index: u64 = 0;
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let digits = if last { *p } else { p.strip_prefix('x')? };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        index = index
            .checked_mul(1000)?
            .checked_add(digits.parse::<u64>().ok()?)?;
    }
    let t = if level == "entries" {
        TilePath::Entries { index, width }
    } else {
        let level: u8 = level.parse().ok()?;
        if level > 7 {
            return None;
        }
        TilePath::Hash {
            level,
            index,
            width,
        }
    };
    // Canonical form only: `x001/234`, never `x000/234` or `001/234` as a lone group.
    (path == display(t)).then_some(t)
}

/// The URL path (after `tile/`) of a tile.
pub fn display(t: TilePath) -> String {
    let (l, index, width) = match t {
        TilePath::Hash {
            level,
            index,
            width,
        } => (level.to_string(), index, width),
        TilePath::Entries { index, width } => ("entries".to_string(), index, width),
    };
    let mut n = format!("{:03}", index % 1000);
    let mut rest = index / 1000;
    while rest > 0 {
        n = format!("x{:03}/{n}", rest % 1000);
        rest /= 1000;
    }
    if width as u64 == TILE_WIDTH {
        format!("{l}/{n}")
    } else {
        format!("{l}/{n}.p/{width}")
    }
}

impl<S: LedgerStore + ?Sized> Ledger<S> {
    /// The bytes of a hash tile or entry bundle of the current tree. `NotFound`-like
    /// requests (a tile the tree does not have yet) are [`LedgerError::BadRequest`].
    pub fn tile(&self, t: TilePath) -> Result<Vec<u8>, LedgerError> {
        let size = self.size()?;
        match t {
            TilePath::Hash {
                level,
                index,
                width,
            } => {
                // The tile's last hash covers the leaves before (index*256 + width) << 8L.
                let end = (index * TILE_WIDTH + u64::from(width))
                    .checked_mul(1u64 << (u32::from(HEIGHT) * u32::from(level)));
                if end.is_none_or(|e| e > size) {
                    return Err(absent(t, size));
                }
                let tile = Tile::new(HEIGHT, level, index, width, false);
                self.read_tile(&tile)
            }
            TilePath::Entries { index, width } => {
                let from = index * TILE_WIDTH;
                if from + u64::from(width) > size {
                    return Err(absent(t, size));
                }
                let rows = self.store().list(&ListQuery {
                    type_prefix: None,
                    from,
                    limit: u64::from(width),
                })?;
                let mut out = Vec::new();
                for (i, leaf) in rows {
                    let len = u16::try_from(leaf.len()).map_err(|_| {
                        LedgerError::Internal(format!(
                            "entry {i} is {} bytes, more than an entry bundle can hold (65535)",
                            leaf.len()
                        ))
                    })?;
                    out.extend_from_slice(&len.to_be_bytes());
                    out.extend_from_slice(&leaf);
                }
                Ok(out)
            }
        }
    }
}

fn absent(t: TilePath, size: u64) -> LedgerError {
    LedgerError::BadRequest(format!(
        "tile/{} is not in the tree of size {size}",
        display(t)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_print_canonically() {
        for (p, t) in [
            (
                "0/000",
                TilePath::Hash {
                    level: 0,
                    index: 0,
                    width: 256,
                },
            ),
            (
                "1/x001/234",
                TilePath::Hash {
                    level: 1,
                    index: 1234,
                    width: 256,
                },
            ),
            (
                "0/005.p/17",
                TilePath::Hash {
                    level: 0,
                    index: 5,
                    width: 17,
                },
            ),
            (
                "entries/x002/x000/007.p/255",
                TilePath::Entries {
                    index: 2_000_007,
                    width: 255,
                },
            ),
        ] {
            assert_eq!(parse(p), Some(t), "{p}");
            assert_eq!(display(t), p);
        }
        for bad in [
            "0/5",
            "0/x000/005",
            "0/005.p/256",
            "0/005.p/0",
            "0/005.p/017",
            "8/000",
            "entries/000/",
            "a/000",
            "0/-01",
            "00/000",
            "0/x1000/000",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
