//! One pass of an HTML page through lol_html's streaming HTML5 tokenizer, keeping what
//! the disclosure rules need: the element tree (tag, id, classes, position among its
//! siblings, line), the document's text in order with each element's range in it, the
//! media an element shows, and the JSON-LD blocks.
//!
//! Why a tree and not only callbacks: disclosure depends on ancestors (an enclosing
//! `data-synthetic`, a hidden ancestor) and on elements later in the page
//! (`aria-describedby` may point forward), so the rules run once the page is read.

use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use lol_html::html_content::{Element, TextChunk, TextType};
use lol_html::{HtmlRewriter, Settings, doc_text, element};

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub struct Node {
    pub parent: u32,
    pub tag: Box<str>,
    pub id: Option<Box<str>>,
    pub class: Option<Box<str>>,
    /// Position among the parent's children of the same tag, from 1.
    pub nth: u32,
    pub line: u64,
    /// This element's text content: a range of [`Page::text`].
    pub text: Range<u32>,
    /// Index of the last node inside this one (itself when it has no children).
    pub last_desc: u32,
    /// `data-synthetic="true"`.
    pub synthetic: bool,
    /// Hidden by its own attributes (`hidden`, `aria-hidden="true"`, inline style).
    pub hidden: bool,
    pub aria_label: Option<Box<str>>,
    /// `aria-describedby` and `aria-labelledby` ids.
    pub refs: Option<Box<str>>,
    /// Byte range of the start tag in the input.
    pub start_tag: Range<usize>,
    /// Byte range of the explicit end tag, when the source has one (not for void
    /// elements, nor for elements the parser closed implicitly).
    pub end_tag: Option<Range<usize>>,
    /// A void element (`img`, `br`, ...): it ends with its start tag.
    pub void: bool,
}

/// A media reference: `<img src>`, `srcset`, lazy-loading `data-src`, `<video poster>`.
#[derive(Debug, Clone)]
pub struct MediaRef {
    pub node: u32,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct JsonLd {
    /// The `<script>` element.
    pub node: u32,
    pub line: u64,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Page {
    pub nodes: Vec<Node>,
    /// Decoded text of the document (not scripts or styles), in document order.
    pub text: String,
    /// Where each run of text starts in [`Page::text`], and the element it belongs to.
    pub segments: Vec<(u32, u32)>,
    pub media: Vec<MediaRef>,
    /// `<a href>` targets, for the crawler.
    pub links: Vec<String>,
    pub jsonld: Vec<JsonLd>,
    pub ids: FxHashMap<Box<str>, u32>,
}

#[derive(Debug, thiserror::Error)]
#[error("not parseable as HTML: {0}")]
pub struct HtmlError(String);

/// The attributes the rules read, gathered in one pass.
#[derive(Default)]
struct Attrs {
    id: Option<String>,
    class: Option<String>,
    synthetic: bool,
    hidden: bool,
    aria_label: Option<String>,
    refs: Option<String>,
    kind: Option<String>,
    href: Option<String>,
    /// (order in [`media_attrs`], is a srcset, value)
    media: Vec<(usize, bool, String)>,
}

struct Frame {
    node: u32,
    seen: Vec<(Box<str>, u32)>,
}

struct State {
    page: Page,
    stack: Vec<Frame>,
    root_seen: Vec<(Box<str>, u32)>,
    line_pos: usize,
    line: u64,
    pending: String,
    script: Option<(u64, String)>,
}

impl State {
    fn line_at(&mut self, input: &[u8], offset: usize) -> u64 {
        let offset = offset.min(input.len());
        if offset >= self.line_pos {
            self.line += memchr::memchr_iter(b'\n', &input[self.line_pos..offset]).count() as u64;
            self.line_pos = offset;
        }
        self.line
    }

    fn open(&mut self, input: &[u8], el: &Element) -> (u32, bool) {
        let line = self.line_at(input, el.source_location().bytes().start);
        let tag: Box<str> = el.tag_name().into();
        let seen = match self.stack.last_mut() {
            Some(f) => &mut f.seen,
            None => &mut self.root_seen,
        };
        let nth = match seen.iter_mut().find(|(t, _)| *t == tag) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                seen.push((tag.clone(), 1));
                1
            }
        };
        let idx = self.page.nodes.len() as u32;
        // One pass over the attributes: a page has thousands of elements and each
        // lookup by name would rescan (and reallocate) them.
        let mut a = Attrs::default();
        let media_names = media_attrs(&tag);
        for at in el.attributes() {
            let name = at.name();
            match name.as_str() {
                "id" => a.id = Some(at.value()),
                "class" => a.class = Some(at.value()),
                "data-synthetic" => a.synthetic = at.value().trim().eq_ignore_ascii_case("true"),
                "hidden" => a.hidden = true,
                "aria-hidden" => a.hidden |= at.value().trim().eq_ignore_ascii_case("true"),
                "style" => a.hidden |= style_hides(&at.value()),
                "aria-label" => a.aria_label = Some(at.value()),
                "aria-describedby" | "aria-labelledby" => {
                    let v = at.value();
                    a.refs = Some(match a.refs.take() {
                        Some(prev) => format!("{prev} {v}"),
                        None => v,
                    });
                }
                "type" => a.kind = Some(at.value()),
                "href" if &*tag == "a" => a.href = Some(at.value()),
                n if media_names.contains(&n) => a.media.push((
                    media_names.iter().position(|m| *m == n).unwrap_or(0),
                    n.ends_with("srcset"),
                    at.value(),
                )),
                _ => {}
            }
        }
        a.media.sort_by_key(|m| m.0);
        let id: Option<Box<str>> = a.id.filter(|s| !s.is_empty()).map(Box::from);
        if let Some(id) = &id {
            self.page.ids.entry(id.clone()).or_insert(idx);
        }
        for (_, srcset, v) in &a.media {
            if *srcset {
                for cand in v.split(',') {
                    if let Some(url) = cand.split_whitespace().next() {
                        self.push_media(idx, url);
                    }
                }
            } else {
                self.push_media(idx, v);
            }
        }
        if let Some(href) = a.href {
            self.page.links.push(href);
        }
        let synthetic = a.synthetic;
        let hidden = a.hidden;
        let refs = a.refs.map(Box::from);
        let start = self.page.text.len() as u32;
        self.page.nodes.push(Node {
            parent: self.stack.last().map_or(NONE, |f| f.node),
            tag,
            id,
            class: a.class.filter(|s| !s.trim().is_empty()).map(Box::from),
            nth,
            line: line + 1,
            text: start..start,
            last_desc: idx,
            synthetic,
            hidden,
            aria_label: a.aria_label.filter(|s| !s.trim().is_empty()).map(Box::from),
            refs,
            start_tag: el.source_location().bytes(),
            end_tag: None,
            void: !el.can_have_content(),
        });
        if &*self.page.nodes[idx as usize].tag == "script"
            && a.kind
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
        {
            self.script = Some((line + 1, String::new()));
        }
        let open = el.can_have_content();
        if open {
            self.stack.push(Frame {
                node: idx,
                seen: Vec::new(),
            });
        }
        (idx, open)
    }

    fn push_media(&mut self, node: u32, url: &str) {
        let url = url.trim();
        if !url.is_empty() {
            self.page.media.push(MediaRef {
                node,
                url: url.to_owned(),
            });
        }
    }

    /// Closes `idx` and anything left open inside it (implicitly closed elements).
    fn close(&mut self, idx: u32) {
        if !self.stack.iter().any(|f| f.node == idx) {
            return;
        }
        while let Some(f) = self.stack.pop() {
            self.finish(f.node);
            if f.node == idx {
                break;
            }
        }
    }

    fn finish(&mut self, idx: u32) {
        let end = self.page.text.len() as u32;
        let last = self.page.nodes.len() as u32 - 1;
        let n = &mut self.page.nodes[idx as usize];
        n.text.end = end;
        n.last_desc = last;
        if &*n.tag == "script"
            && let Some((line, text)) = self.script.take()
        {
            self.page.jsonld.push(JsonLd {
                node: idx,
                line,
                text,
            });
        }
    }

    fn text(&mut self, t: &TextChunk) {
        match t.text_type() {
            TextType::Data | TextType::RCData => {
                self.pending.push_str(t.as_str());
                if t.last_in_text_node() {
                    self.flush_text();
                }
            }
            TextType::ScriptData => {
                if let Some((_, s)) = &mut self.script {
                    s.push_str(t.as_str());
                }
            }
            _ => {}
        }
    }

    fn flush_text(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let owner = self.stack.last().map_or(NONE, |f| f.node);
        let start = self.page.text.len() as u32;
        if self.pending.contains('&') {
            let decoded = html_escape::decode_html_entities(&self.pending);
            self.page.text.push_str(&decoded);
        } else {
            self.page.text.push_str(&self.pending);
        }
        self.pending.clear();
        self.page.segments.push((start, owner));
    }
}

/// Which attributes of an element name media it shows.
fn media_attrs(tag: &str) -> &'static [&'static str] {
    match tag {
        "img" => &["src", "data-src", "srcset", "data-srcset"],
        "source" => &["src", "srcset"],
        "video" => &["src", "poster"],
        "audio" => &["src"],
        "image" => &["href", "xlink:href"],
        _ => &[],
    }
}

/// Inline `display:none` or `visibility:hidden` (declarations compared without spaces,
/// case-insensitively; later declarations win as in CSS).
pub fn style_hides(style: &str) -> bool {
    let mut display_none = false;
    let mut vis_hidden = false;
    for decl in style.split(';') {
        let Some((k, v)) = decl.split_once(':') else {
            continue;
        };
        let k = k.trim().to_ascii_lowercase();
        let v: String = v
            .trim()
            .trim_end_matches("!important")
            .trim()
            .to_ascii_lowercase();
        match k.as_str() {
            "display" => display_none = v == "none",
            "visibility" => vis_hidden = v == "hidden" || v == "collapse",
            _ => {}
        }
    }
    display_none || vis_hidden
}

/// Parses a page. Malformed HTML is parsed the way browsers would; only a failure of the
/// tokenizer itself (e.g. its memory limit) is an error.
pub fn parse(input: &[u8]) -> Result<Page, HtmlError> {
    let state = Rc::new(RefCell::new(State {
        page: Page::default(),
        stack: Vec::new(),
        root_seen: Vec::new(),
        line_pos: 0,
        line: 0,
        pending: String::new(),
        script: None,
    }));
    {
        let on_el = state.clone();
        let on_text = state.clone();
        let settings = Settings::new()
            .with_strict(false)
            .append_element_content_handler(element!("*", move |el| {
                let (idx, open) = {
                    let mut s = on_el.borrow_mut();
                    s.flush_text();
                    s.open(input, el)
                };
                if open && let Some(handlers) = el.end_tag_handlers() {
                    let st = on_el.clone();
                    handlers.push(Box::new(move |end| {
                        let mut s = st.borrow_mut();
                        s.flush_text();
                        s.page.nodes[idx as usize].end_tag = Some(end.source_location().bytes());
                        s.close(idx);
                        Ok(())
                    }));
                }
                Ok(())
            }))
            .append_document_content_handler(doc_text!(move |t| {
                on_text.borrow_mut().text(t);
                Ok(())
            }));
        let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
        rewriter
            .write(input)
            .map_err(|e| HtmlError(e.to_string()))?;
        rewriter.end().map_err(|e| HtmlError(e.to_string()))?;
    }
    let mut s = Rc::try_unwrap(state)
        .map_err(|_| HtmlError("internal: parser state still shared".into()))?
        .into_inner();
    s.flush_text();
    while let Some(f) = s.stack.pop() {
        s.finish(f.node);
    }
    Ok(s.page)
}

impl Page {
    /// The element's text content.
    pub fn text_of(&self, n: u32) -> &str {
        let r = &self.nodes[n as usize].text;
        &self.text[r.start as usize..r.end as usize]
    }

    /// Hidden by itself or an ancestor, for every node (parents come before children).
    pub fn hidden_flags(&self) -> Vec<bool> {
        let mut out = Vec::with_capacity(self.nodes.len());
        for n in &self.nodes {
            let inherited = n.parent != NONE && out[n.parent as usize];
            out.push(n.hidden || inherited);
        }
        out
    }

    /// The element itself or its nearest ancestor with `data-synthetic="true"`.
    pub fn synthetic_scope(&self, mut n: u32) -> Option<u32> {
        while n != NONE {
            if self.nodes[n as usize].synthetic {
                return Some(n);
            }
            n = self.nodes[n as usize].parent;
        }
        None
    }

    pub fn is_within(&self, n: u32, ancestor: u32) -> bool {
        n >= ancestor && n <= self.nodes[ancestor as usize].last_desc
    }

    /// A CSS selector for the element: the path of `tag.class:nth-of-type(k)` steps
    /// from the nearest ancestor with an id (or from the body).
    pub fn selector(&self, mut n: u32) -> String {
        let mut steps = Vec::new();
        while n != NONE {
            let node = &self.nodes[n as usize];
            if matches!(&*node.tag, "html" | "body") {
                break;
            }
            if let Some(id) = node.id.as_deref().filter(|id| is_css_ident(id)) {
                steps.push(format!("{}#{id}", node.tag));
                break;
            }
            let mut step = node.tag.to_string();
            for c in node
                .class
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .filter(|c| is_css_ident(c))
                .take(2)
            {
                step.push('.');
                step.push_str(c);
            }
            if node.nth > 1 {
                step.push_str(&format!(":nth-of-type({})", node.nth));
            }
            steps.push(step);
            n = node.parent;
        }
        if steps.is_empty() {
            return "body".into();
        }
        steps.reverse();
        steps.join(" > ")
    }
}

fn is_css_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Page {
        parse(html.as_bytes()).unwrap()
    }

    #[test]
    fn tree_text_lines_and_selectors() {
        let p = page(
            "<!doctype html>\n<html><body>\n<div class=\"product media\">\n<img class=\"gallery-main\" src=\"a.jpg\">\n<img src=\"b.jpg\">\n</div>\n<p id=\"d\">Caf&eacute; &amp; tea</p>\n</body></html>",
        );
        let imgs: Vec<_> = p
            .media
            .iter()
            .map(|m| (m.url.as_str(), p.nodes[m.node as usize].line))
            .collect();
        assert_eq!(imgs, vec![("a.jpg", 4), ("b.jpg", 5)]);
        assert_eq!(
            p.selector(p.media[0].node),
            "div.product.media > img.gallery-main"
        );
        assert_eq!(
            p.selector(p.media[1].node),
            "div.product.media > img:nth-of-type(2)"
        );
        let d = p.ids["d"];
        assert_eq!(p.text_of(d), "Café & tea");
        assert_eq!(p.selector(d), "p#d");
    }

    #[test]
    fn hidden_is_inherited_and_implicit_closes_are_handled() {
        let p = page(
            "<div style=\"color:red; DISPLAY : none\"><span id=s>x</span></div><ul><li id=a>one<li id=b>two</ul><p id=c>after",
        );
        let h = p.hidden_flags();
        assert!(h[p.ids["s"] as usize]);
        assert!(!h[p.ids["a"] as usize]);
        assert_eq!(p.text_of(p.ids["c"]), "after");
        assert!(p.text_of(p.ids["a"]).starts_with("one"));
    }

    #[test]
    fn json_ld_blocks_are_kept_with_their_line() {
        let p = page(
            "<html>\n<head>\n<script type=\"application/ld+json\">{\"@type\":\"Product\"}</script><script>var x='<b>'</script></head></html>",
        );
        assert_eq!(p.jsonld.len(), 1);
        assert_eq!(p.jsonld[0].line, 3);
        assert_eq!(p.jsonld[0].text, "{\"@type\":\"Product\"}");
    }

    #[test]
    fn garbage_does_not_panic() {
        for input in [
            &b"\xff\xfe<\x00<<img src=>>"[..],
            b"<div",
            b"</p></p><",
            b"<svg><image href=x.png/></svg>",
        ] {
            let _ = parse(input);
        }
    }
}
