//! The disclosure texts shipped per locale. A store overrides any of them in
//! `[disclose]` of synthgov.toml; the scanner's `disclosure_phrases` cover each
//! shipped label so a rescan recognises them as disclosures.

/// Texts of one disclosure, already chosen for a locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The visible note next to an image ("AI-generated image").
    pub image: String,
    /// Next to a text block ("AI-generated text").
    pub text: String,
    /// Next to other content marked `data-synthetic` ("AI-generated content").
    pub content: String,
    /// The widget's explanation; `{label}` is the note's label, `{generator}` the
    /// generator id.
    pub detail: String,
    /// The provenance link's text.
    pub provenance: String,
    /// When the generator is not known.
    pub unknown_generator: String,
    /// How the label shows: text, icon, or both.
    pub badge: Badge,
}

/// How a note's label shows (`label_style` in `[disclose]`). The label's text is in
/// the page in every style, since it is what `aria-describedby` reads and what a
/// rescan recognises; `icon` only hides it visually.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Badge {
    #[default]
    Text,
    /// The icon alone; the text stays for screen readers.
    Icon(String),
    /// The icon, then the text.
    Both(String),
}

impl Badge {
    /// The icon's markup, when the style shows one.
    pub fn icon(&self) -> Option<&str> {
        match self {
            Badge::Text => None,
            Badge::Icon(svg) | Badge::Both(svg) => Some(svg),
        }
    }
}

/// The icon shown when the store configures none: a plain "AI" mark in a rounded
/// square. It is a stand-in, not the EU common icon of the Code of Practice; a store
/// that has the Commission's artwork sets `icon` to its SVG file.
pub const DEFAULT_ICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\" width=\"24\" height=\"24\" focusable=\"false\"><rect x=\"1\" y=\"1\" width=\"22\" height=\"22\" rx=\"5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/><text x=\"12\" y=\"16.5\" text-anchor=\"middle\" font-family=\"Arial,Helvetica,sans-serif\" font-size=\"12\" font-weight=\"700\" fill=\"currentColor\">AI</text></svg>";

/// Locales with shipped texts.
pub const LOCALES: [&str; 4] = ["en", "de", "fr", "es"];

/// The shipped texts for `locale` (a BCP 47 tag; the primary language decides), or
/// None when there are none for it.
pub fn shipped(locale: &str) -> Option<Labels> {
    let lang = locale
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let t = |a: &str, b: &str, c: &str, d: &str, e: &str, f: &str| Labels {
        image: a.into(),
        text: b.into(),
        content: c.into(),
        detail: d.into(),
        provenance: e.into(),
        unknown_generator: f.into(),
        badge: Badge::Text,
    };
    Some(match lang.as_str() {
        "en" => t(
            "AI-generated image",
            "AI-generated text",
            "AI-generated content",
            "{label}, made by {generator}.",
            "Provenance record",
            "an AI model",
        ),
        "de" => t(
            "KI-generiertes Bild",
            "KI-generierter Text",
            "KI-generierter Inhalt",
            "{label}, erzeugt von {generator}.",
            "Herkunftsnachweis",
            "einem KI-Modell",
        ),
        "fr" => t(
            "Image générée par IA",
            "Texte généré par IA",
            "Contenu généré par IA",
            "{label}, produit par {generator}.",
            "Preuve de provenance",
            "un modèle d'IA",
        ),
        "es" => t(
            "Imagen generada por IA",
            "Texto generado por IA",
            "Contenido generado por IA",
            "{label}, producido por {generator}.",
            "Registro de procedencia",
            "un modelo de IA",
        ),
        _ => return None,
    })
}
