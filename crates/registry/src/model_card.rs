//! Generator model cards in the Hugging Face format: YAML front matter between `---`
//! lines, then Markdown. `apply` reads the card a generator names, checks its shape,
//! and records its SHA-256 with the declaration, so a changed card is a recorded
//! change.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::RegistryError;
use crate::model::Inventory;

/// Checks a card's shape; returns its SHA-256.
pub fn check_card(name: &str, text: &str) -> Result<String, RegistryError> {
    let bad = |line: Option<usize>, m: &str| RegistryError::bad_file(name, line, m.to_owned());
    let body = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| {
            bad(
                Some(1),
                "a Hugging Face model card starts with YAML front matter between `---` lines",
            )
        })?;
    let end = body
        .find("\n---\n")
        .or_else(|| body.find("\n---\r\n"))
        .or_else(|| body.strip_suffix("\n---").map(|b| b.len()))
        .ok_or_else(|| bad(None, "the YAML front matter is not closed by a `---` line"))?;
    let front = &body[..end];
    let value: serde_norway::Value = serde_norway::from_str(front).map_err(|e| {
        bad(
            e.location().map(|l| l.line() + 1),
            &format!("front matter: {e}"),
        )
    })?;
    if !value.is_mapping() {
        return Err(bad(
            Some(2),
            "front matter must be a YAML mapping (license, tags, ...)",
        ));
    }
    Ok(hex::encode(Sha256::digest(text.as_bytes())))
}

/// Reads the model card of every generator that names one (relative to `base`) and
/// records its hash in the declaration.
pub fn attach_cards(inv: &mut Inventory, base: &Path) -> Result<(), RegistryError> {
    for g in &mut inv.generators {
        let Some(card) = &g.model_card else { continue };
        let path = base.join(card);
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            RegistryError::BadRequest(format!("generator {:?}: model_card {name}: {e}", g.id))
        })?;
        g.model_card_sha256 = Some(check_card(&name, &text)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_shape() {
        assert!(
            check_card(
                "c.md",
                "---\nlicense: apache-2.0\ntags: [synthetic]\n---\n# Card\n"
            )
            .is_ok()
        );
        assert!(check_card("c.md", "# no front matter\n").is_err());
        assert!(check_card("c.md", "---\nlicense: x\n# never closed\n").is_err());
        assert!(check_card("c.md", "---\n- a list\n---\n").is_err());
    }
}
