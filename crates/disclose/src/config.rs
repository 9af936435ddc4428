//! `[disclose]` in synthgov.toml.

use serde::Deserialize;

use crate::labels::{self, Badge, Labels};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscloseConfig {
    /// BCP 47 locale of the shipped texts (default `en`).
    pub locale: Option<String>,
    pub image_label: Option<String>,
    pub text_label: Option<String>,
    pub content_label: Option<String>,
    /// With `{label}` and `{generator}`.
    pub detail: Option<String>,
    pub provenance_text: Option<String>,
    /// Where the widget links for an asset's provenance record; `{sha256}` is
    /// replaced. Point it at the synthgov server's public asset endpoint.
    pub provenance_url: Option<String>,
    /// A C2PA signing certificate chain (PEM, end-entity first) from a C2PA-trusted
    /// CA, instead of the local CA `synthgov init` makes; relative to the home.
    pub signing_chain: Option<std::path::PathBuf>,
    /// Its private key (PKCS#8 PEM, Ed25519).
    pub signing_key: Option<std::path::PathBuf>,
    /// How the label shows: `text` (default), `icon` or `both`.
    pub label_style: Option<String>,
    /// The icon's SVG file, relative to the home (e.g. the EU common AI icon of the
    /// Code of Practice); without it a plain "AI" mark.
    pub icon: Option<std::path::PathBuf>,
    /// Extra trust anchors (PEM) for `verify-media`.
    pub trust_anchors: Option<std::path::PathBuf>,
}

pub const DEFAULT_PROVENANCE_URL: &str = "/synthgov/v1/assets/{sha256}";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("synthgov.toml [disclose]: {0}")]
    Invalid(String),
}

impl DiscloseConfig {
    pub fn from_table(t: Option<&toml::Table>) -> Result<DiscloseConfig, ConfigError> {
        match t {
            None => Ok(DiscloseConfig::default()),
            Some(t) => t
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_owned())),
        }
    }

    /// The texts to use: the locale's shipped texts with the configured overrides.
    pub fn labels(&self, locale_override: Option<&str>) -> Result<Labels, ConfigError> {
        let locale = locale_override.or(self.locale.as_deref()).unwrap_or("en");
        let all_set = self.image_label.is_some()
            && self.text_label.is_some()
            && self.content_label.is_some()
            && self.detail.is_some()
            && self.provenance_text.is_some();
        let mut l = match labels::shipped(locale) {
            Some(l) => l,
            // Every text given: the locale needs nothing shipped.
            None if all_set => labels::shipped("en").expect("English is shipped"),
            None => {
                return Err(ConfigError::Invalid(format!(
                    "no shipped disclosure texts for locale {locale:?} (shipped: {}); set image_label, text_label, content_label, detail and provenance_text",
                    labels::LOCALES.join(", ")
                )));
            }
        };
        let set = |dst: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *dst = v.clone();
            }
        };
        set(&mut l.image, &self.image_label);
        set(&mut l.text, &self.text_label);
        set(&mut l.content, &self.content_label);
        set(&mut l.detail, &self.detail);
        set(&mut l.provenance, &self.provenance_text);
        for (field, v) in [
            ("image_label", &l.image),
            ("text_label", &l.text),
            ("content_label", &l.content),
        ] {
            if v.trim().is_empty() {
                return Err(ConfigError::Invalid(format!("{field} is empty")));
            }
        }
        Ok(l)
    }

    /// The signing identity: the configured chain, else the local CA's signer.
    pub fn identity(
        &self,
        home: &std::path::Path,
    ) -> Result<crate::signing::Identity, ConfigError> {
        let keys = home.join("keys");
        match (&self.signing_chain, &self.signing_key) {
            (None, None) => Ok(crate::signing::Identity::local(&keys)),
            (Some(c), Some(k)) => Ok(crate::signing::Identity {
                chain: home.join(c),
                key: home.join(k),
                ca: None,
            }),
            _ => Err(ConfigError::Invalid(
                "signing_chain and signing_key go together".into(),
            )),
        }
    }

    /// The label style with its icon read and checked.
    pub fn badge(&self, home: &std::path::Path) -> Result<Badge, ConfigError> {
        let style = self.label_style.as_deref().unwrap_or("text");
        if style == "text" {
            if let Some(p) = &self.icon {
                return Err(ConfigError::Invalid(format!(
                    "icon {} is set but label_style is \"text\"; set label_style = \"icon\" or \"both\"",
                    p.display()
                )));
            }
            return Ok(Badge::Text);
        }
        let svg = match &self.icon {
            None => labels::DEFAULT_ICON.to_owned(),
            Some(p) => {
                let path = home.join(p);
                let raw = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::Invalid(format!("icon {}: {e}", path.display())))?;
                inline_svg(&raw).map_err(|why| {
                    ConfigError::Invalid(format!("icon {}: {why}", path.display()))
                })?
            }
        };
        match style {
            "icon" => Ok(Badge::Icon(svg)),
            "both" => Ok(Badge::Both(svg)),
            other => Err(ConfigError::Invalid(format!(
                "label_style {other:?}: expected \"text\", \"icon\" or \"both\""
            ))),
        }
    }

    pub fn provenance_url(&self) -> &str {
        self.provenance_url
            .as_deref()
            .unwrap_or(DEFAULT_PROVENANCE_URL)
    }
}

/// An SVG file as markup to put inside every page: its `<svg>` root element, byte
/// for byte, without the XML declaration or comments around it. It goes into the
/// store's pages, so it is parsed (roxmltree, entities resolved) and anything that
/// runs or reaches beyond the icon is refused: script, style (an inline SVG's style
/// applies to the whole page), foreignObject, iframe, links, `on*` attributes and
/// `javascript:` or `data:` references.
pub fn inline_svg(raw: &str) -> Result<String, String> {
    let doc = roxmltree::Document::parse(raw).map_err(|e| format!("not XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(format!(
            "the root element is <{}>, not <svg>",
            root.tag_name().name()
        ));
    }
    for n in root.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name().to_ascii_lowercase();
        if ["script", "style", "foreignobject", "iframe", "a"].contains(&name.as_str()) {
            return Err(format!("it holds <{name}>; the icon must only draw"));
        }
        for a in n.attributes() {
            let v = a.value().trim().to_ascii_lowercase();
            if a.name().to_ascii_lowercase().starts_with("on")
                || v.starts_with("javascript:")
                || v.starts_with("data:")
            {
                return Err(format!(
                    "attribute {}=\"{}\" on <{name}>; the icon must only draw",
                    a.name(),
                    a.value()
                ));
            }
        }
    }
    Ok(raw[root.range()].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_that_run_are_refused() {
        let ok = "<?xml version=\"1.0\"?>\n<!-- EU -->\n<svg viewBox=\"0 0 1 1\">\n <rect width=\"1\"/></svg>\n";
        assert_eq!(
            inline_svg(ok).unwrap(),
            "<svg viewBox=\"0 0 1 1\">\n <rect width=\"1\"/></svg>"
        );
        assert_eq!(
            inline_svg(labels::DEFAULT_ICON).unwrap(),
            labels::DEFAULT_ICON
        );
        for bad in [
            "<svg onload=\"alert(1)\"></svg>",
            "<svg><rect\nONclick = \"x\"/></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<svg><a href=\"javascript:x\">a</a></svg>",
            "<svg><image href=\"&#x6A;avascript:x\"/></svg>",
            "<svg><style>body{display:none}</style></svg>",
            "<svg><foreignObject/></svg>",
            "<png/>",
            "<?xml version=\"1.0\"",
        ] {
            assert!(inline_svg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn label_style_is_checked() {
        let home = std::path::Path::new("/nonexistent");
        let c = |style: Option<&str>, icon: Option<&str>| DiscloseConfig {
            label_style: style.map(Into::into),
            icon: icon.map(Into::into),
            ..DiscloseConfig::default()
        };
        assert_eq!(c(None, None).badge(home).unwrap(), Badge::Text);
        assert_eq!(
            c(Some("both"), None).badge(home).unwrap(),
            Badge::Both(labels::DEFAULT_ICON.into())
        );
        assert!(c(Some("icons"), None).badge(home).is_err());
        assert!(c(None, Some("eu.svg")).badge(home).is_err());
        let e = c(Some("icon"), Some("eu.svg")).badge(home).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/eu.svg"), "{e}");
    }
}
