//! The disclosure markup: a visible note ("AI-generated image") that the disclosed
//! element points at with `aria-describedby`, and the widget around it: on hover and
//! on keyboard focus an explanation opens (what was generated, by which generator, a
//! link to the provenance record). CSS only: without JavaScript (or without the
//! stylesheet) it is a plain note. The explanation is positioned over the page, never
//! in the flow, so opening it moves nothing; while closed it is clipped, not
//! `display:none`, so screen readers read it as part of the description.

use html_escape::{encode_double_quoted_attribute, encode_text};

/// `id` of the injected stylesheet; its presence makes injection idempotent.
pub const STYLE_ID: &str = "synthgov-disclosure-style";

/// The widget's stylesheet. The Magento module and the Shopify theme extension ship
/// the same file (a test keeps them identical).
pub const CSS: &str = include_str!("../assets/disclosure.css");

/// The stylesheet element, injected once per page.
pub fn style() -> String {
    format!("<style id=\"{STYLE_ID}\">{}</style>", CSS.replace('\n', ""))
}

/// One disclosure note.
pub struct Note<'a> {
    /// The id the disclosed element's `aria-describedby` names (the label); the
    /// explanation's id is this with `-detail`.
    pub id: &'a str,
    /// `image`, `text` or `content`.
    pub kind: &'a str,
    pub label: &'a str,
    pub detail: &'a str,
    pub link_text: &'a str,
    pub link: Option<&'a str>,
}

impl Note<'_> {
    pub fn detail_id(&self) -> String {
        format!("{}-detail", self.id)
    }

    pub fn html(&self) -> String {
        let link = match self.link {
            Some(href) => format!(
                " <a href=\"{}\">{}</a>",
                encode_double_quoted_attribute(href),
                encode_text(self.link_text)
            ),
            None => String::new(),
        };
        format!(
            "<span class=\"synthgov-disclosure\" data-synthgov-disclosure=\"{kind}\">\
<span class=\"synthgov-disclosure__label\" id=\"{id}\" tabindex=\"0\">{label}</span>\
<span class=\"synthgov-disclosure__detail\" id=\"{id}-detail\">{detail}{link}</span>\
</span>",
            kind = encode_double_quoted_attribute(self.kind),
            id = encode_double_quoted_attribute(self.id),
            label = encode_text(self.label),
            detail = encode_text(self.detail),
        )
    }
}
