//! The disclosure markup: a visible note ("AI-generated image") that the disclosed
//! element points at with `aria-describedby`, and the widget around it: on hover and
//! on keyboard focus an explanation opens (what was generated, by which generator, a
//! link to the provenance record). CSS only: without JavaScript (or without the
//! stylesheet) it is a plain note. The explanation is positioned over the page, never
//! in the flow, so opening it moves nothing; while closed it is clipped, not
//! `display:none`, so screen readers read it as part of the description.

use html_escape::{encode_double_quoted_attribute, encode_text};

use crate::labels::Badge;

fn icon(svg: &str) -> String {
    format!("<span class=\"synthgov-disclosure__icon\" aria-hidden=\"true\">{svg}</span>")
}

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
    pub badge: &'a crate::labels::Badge,
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
        let text = encode_text(self.label);
        // The icon is decoration (aria-hidden); the text is the accessible label.
        let (class, label) = match self.badge {
            Badge::Text => ("synthgov-disclosure__label", text.into_owned()),
            Badge::Icon(svg) => (
                "synthgov-disclosure__label synthgov-disclosure__label--icon",
                format!(
                    "{}<span class=\"synthgov-disclosure__text\">{text}</span>",
                    icon(svg)
                ),
            ),
            Badge::Both(svg) => (
                "synthgov-disclosure__label",
                format!(
                    "{}<span class=\"synthgov-disclosure__text\">{text}</span>",
                    icon(svg)
                ),
            ),
        };
        format!(
            "<span class=\"synthgov-disclosure\" data-synthgov-disclosure=\"{kind}\">\
<span class=\"{class}\" id=\"{id}\" tabindex=\"0\">{label}</span>\
<span class=\"synthgov-disclosure__detail\" id=\"{id}-detail\">{detail}{link}</span>\
</span>",
            kind = encode_double_quoted_attribute(self.kind),
            id = encode_double_quoted_attribute(self.id),
            detail = encode_text(self.detail),
        )
    }
}
