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
}

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
