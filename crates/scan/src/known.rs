//! What the inventory knows about content, as scanners look it up: registered assets by
//! SHA-256 (image bytes; normalized text for text assets).

use std::collections::HashMap;

use synthgov_registry::registry::AssetRow;

#[derive(Debug, Clone)]
pub struct KnownAsset {
    pub uri: String,
    pub kind: String,
    pub ai_generated: bool,
    pub generator: Option<String>,
}

#[derive(Debug, Default)]
pub struct Known {
    by_hash: HashMap<[u8; 32], KnownAsset>,
    /// AI-generated text assets: the set every element's text is checked in, with
    /// their generator.
    ai_text: HashMap<[u8; 32], String>,
    /// The normalized lengths of the AI texts, when every one records it
    /// (`register` does; imports do not): text of another length is not hashed.
    ai_text_lens: Option<std::collections::HashSet<usize>>,
}

impl Known {
    pub fn from_assets(rows: &[AssetRow]) -> Known {
        let mut k = Known {
            ai_text_lens: Some(Default::default()),
            ..Default::default()
        };
        for a in rows {
            let Some(h) = a.sha256.as_deref().and_then(parse_hash) else {
                continue;
            };
            if a.kind == "text" && a.ai_generated {
                k.ai_text
                    .insert(h, a.generator.clone().unwrap_or_else(|| "unknown".into()));
                match a.attrs["text_len"].as_u64() {
                    Some(n) => {
                        if let Some(lens) = &mut k.ai_text_lens {
                            lens.insert(n as usize);
                        }
                    }
                    None => k.ai_text_lens = None,
                }
            }
            // When the same bytes are registered twice, AI-generated wins: a scanner
            // must not call synthetic content ordinary because of a second record.
            let entry = KnownAsset {
                uri: a.uri.clone(),
                kind: a.kind.clone(),
                ai_generated: a.ai_generated,
                generator: a.generator.clone(),
            };
            match k.by_hash.get(&h) {
                Some(prev) if prev.ai_generated => {}
                _ => {
                    k.by_hash.insert(h, entry);
                }
            }
        }
        k
    }

    pub fn get(&self, sha256: &[u8; 32]) -> Option<&KnownAsset> {
        self.by_hash.get(sha256)
    }

    /// The generator of the AI-generated text with this hash.
    pub fn ai_text(&self, sha256: &[u8; 32]) -> Option<&str> {
        self.ai_text.get(sha256).map(String::as_str)
    }

    /// Whether text of this normalized length could be a registered AI text (true
    /// when the lengths are not all known).
    pub fn may_be_ai_text(&self, normalized_len: usize) -> bool {
        self.ai_text_lens
            .as_ref()
            .is_none_or(|l| l.contains(&normalized_len))
    }

    /// The longest registered AI text's normalized length (None when the lengths
    /// are not all known): longer text cannot be one of them.
    pub fn ai_text_len_cap(&self) -> Option<usize> {
        self.ai_text_lens
            .as_ref()
            .map(|l| l.iter().copied().max().unwrap_or(0))
    }

    pub fn has_ai_text(&self) -> bool {
        !self.ai_text.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

fn parse_hash(hex_str: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_str, &mut out).ok()?;
    Some(out)
}
