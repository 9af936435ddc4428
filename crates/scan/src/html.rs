//! One pass of an HTML page through lol_html's streaming HTML5 tokenizer, keeping what
//! the disclosure rules need: the element tree (tag, id, classes, position among its
//! siblings, line), the document's text in order with each element's range in it, the
//! media the page names (elements, link previews, gallery and product scripts), and the
//! JSON-LD blocks.
//!
//! Why a tree and not only callbacks: disclosure depends on ancestors (an enclosing
//! `data-synthetic`, a hidden ancestor) and on elements later in the page
//! (`aria-describedby` may point forward), so the rules run once the page is read. The
//! tree is the one a browser builds (see `tree_rules`), so that a finding's selector
//! names the element in the browser's DOM.

use rustc_hash::{FxHashMap, FxHashSet};
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::ops::Range;
use std::rc::Rc;

use lol_html::html_content::{Element, TextChunk, TextType};
use lol_html::{HtmlRewriter, Settings, doc_comments, doc_text, doctype, element};

use crate::script_media::{self, ScriptKind};
use crate::tree_rules as rules;

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub struct Node {
    pub parent: u32,
    pub tag: Box<str>,
    pub id: Option<Box<str>>,
    pub class: Option<Box<str>>,
    /// Position among the parent's children of the same tag, from 1.
    pub nth: u32,
    /// A later sibling has the same tag, so a selector needs `:nth-of-type` even for
    /// the first.
    pub nth_shared: bool,
    /// Inserted by the parser as a browser would (`tbody` around a bare `tr`, `body`,
    /// the empty `p` of a stray `</p>`): not in the source, so `start_tag` is empty.
    pub implied: bool,
    pub line: u64,
    /// This element's text content: a range of [`Page::text`].
    pub text: Range<u32>,
    /// Index of the last node inside this one (itself when it has no children).
    pub last_desc: u32,
    /// `data-synthetic="true"`.
    pub synthetic: bool,
    /// Hidden by its own attributes (`hidden`, `aria-hidden="true"`, inline style).
    pub hidden: bool,
    /// Taken out of the flow by its inline style (`position: absolute` or `fixed`).
    pub positioned: bool,
    /// Positioned at all by its inline style (`relative`, `sticky` too): what absolutely
    /// positioned layers inside it are laid over.
    pub position_context: bool,
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
    /// Where the element ends in the source: after its end tag, or where the parser
    /// closed it (the start of the tag that implied its end, or the end of input).
    pub end: usize,
}

/// A media reference: `<img src>`, `srcset`, lazy-loading `data-src`, `<video poster>`,
/// `og:image`, or a gallery script's data.
#[derive(Debug, Clone)]
pub struct MediaRef {
    /// The element that shows it; for [`Via::Script`] the element the script renders
    /// into when the page names one, else the script.
    pub node: u32,
    pub url: String,
    pub via: Via,
}

/// How the page refers to an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// An element shows it (`img`, `source`, `video poster`, SVG `image`).
    Element,
    /// `<meta property="og:image">` or `twitter:image`: link previews, not the page.
    Meta,
    /// Data a script renders: Magento's gallery and swatches, Shopify's product JSON.
    Script,
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
    /// Ids more than one element carries: no use in a selector.
    pub dup_ids: FxHashSet<Box<str>>,
    /// Elements inside which a browser's tree differs from this one: a block inside a
    /// misnested formatting element (`<a><div></a>`), which the HTML Standard's adoption
    /// agency moves and this parser does not. Selectors inside may be off.
    pub approximate: Vec<u32>,
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
    positioned: bool,
    position_context: bool,
    aria_label: Option<String>,
    refs: Option<String>,
    kind: Option<String>,
    href: Option<String>,
    /// `<meta property|name>` and `content`.
    meta_name: Option<String>,
    content: Option<String>,
    gallery_placeholder: bool,
    /// (order in [`media_attrs`], is a srcset, value)
    media: Vec<(usize, bool, String)>,
}

struct Frame {
    node: u32,
    /// Per child tag: how many so far and the last one.
    seen: Vec<(Box<str>, u32, u32)>,
}

struct State {
    page: Page,
    stack: Vec<Frame>,
    root_seen: Vec<(Box<str>, u32, u32)>,
    line_pos: usize,
    line: u64,
    pending: String,
    /// The `<script>` being read: its line, what it holds, its text so far.
    script: Option<(u64, ScriptKind, String)>,
    /// Scripts other than JSON-LD whose data may name images.
    scripts: Vec<(u32, ScriptKind, String)>,
    /// Magento's `[data-gallery-role=gallery-placeholder]`, where its gallery renders.
    gallery_placeholder: Option<u32>,
    quirks: bool,
    /// The list of active formatting elements (§13.2.4.3); `NONE` is a marker.
    afe: Vec<u32>,
    /// The document's `html`, `head` and `body` once they exist.
    doc: [Option<u32>; 3],
    /// Open `<svg>` elements, for SVG tag-name case.
    svg_open: u32,
    /// How far the input has been read: tokens lol_html reported, and the end tags
    /// between them (see [`State::catch_up`]).
    scanned: usize,
    /// The offset elements closed now end at: the token being handled.
    closing_at: usize,
    /// Reused for end-tag names.
    end_name: String,
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

    fn top_tag(&self) -> &str {
        self.stack
            .last()
            .map_or("", |f| &self.page.nodes[f.node as usize].tag)
    }

    fn tag_at(&self, pos: usize) -> &str {
        &self.page.nodes[self.stack[pos].node as usize].tag
    }

    /// The topmost open element `want` accepts, unless a `boundary` element comes
    /// first ("has an element in scope").
    fn in_scope(
        &self,
        want: impl Fn(&str) -> bool,
        boundary: impl Fn(&str) -> bool,
    ) -> Option<usize> {
        for pos in (0..self.stack.len()).rev() {
            let t = self.tag_at(pos);
            if want(t) {
                return Some(pos);
            }
            if boundary(t) {
                return None;
            }
        }
        None
    }

    fn pop(&mut self) {
        if let Some(f) = self.stack.pop() {
            self.finish(f.node);
        }
    }

    /// Pops the element at stack position `pos` and everything above it.
    fn pop_through(&mut self, pos: usize) {
        while self.stack.len() > pos {
            self.pop();
        }
    }

    fn close_p(&mut self) {
        let button = |t: &str| rules::is_scope_boundary(t) || t == "button";
        if let Some(pos) = self.in_scope(|t| t == "p", button) {
            self.pop_through(pos);
        }
    }

    /// Closes what the start tag `tag` implicitly ends and opens what it implies, as
    /// the HTML Standard's "in head", "in body" and "in table" modes do.
    /// Returns the existing element a second `<html>`, `<head>` or `<body>` merges into
    /// (the browser adds its attributes there and makes no element).
    fn before_open(&mut self, tag: &str, at: usize, line: u64) -> Option<u32> {
        if let Some(slot) = Self::doc_slot(tag)
            && let Some(existing) = self.doc[slot]
        {
            return Some(existing);
        }
        if self.top_tag() == "head" && !rules::belongs_in_head(tag) {
            self.pop();
        }
        if self.top_tag() == "html" {
            let in_head = rules::belongs_in_head(tag);
            if self.doc[1].is_none() && in_head {
                self.push_implied("head", at, line);
            } else if self.doc[2].is_none() && !in_head && tag != "head" && tag != "body" {
                self.push_implied("body", at, line);
            }
        }
        if rules::is_table_part(tag) {
            self.table_part(tag, at, line);
            return None;
        }
        match tag {
            "li" | "dd" | "dt" => {
                let item = |t: &str| match tag {
                    "li" => t == "li",
                    _ => t == "dd" || t == "dt",
                };
                for pos in (0..self.stack.len()).rev() {
                    let t = self.tag_at(pos);
                    if item(t) {
                        self.pop_through(pos);
                        break;
                    }
                    if rules::is_special(t) && !matches!(t, "address" | "div" | "p") {
                        break;
                    }
                }
            }
            "button" => {
                if let Some(pos) = self.in_scope(|t| t == "button", rules::is_scope_boundary) {
                    self.pop_through(pos);
                }
            }
            "option" if self.top_tag() == "option" => self.pop(),
            "optgroup" => {
                if self.top_tag() == "option" {
                    self.pop();
                }
                if self.top_tag() == "optgroup" {
                    self.pop();
                }
            }
            // A link inside a link: the adoption agency ends the first.
            "a" => {
                self.adoption("a", None);
            }
            _ => {}
        }
        if rules::closes_p(tag) || (tag == "table" && !self.quirks) {
            self.close_p();
        }
        if rules::is_heading(tag) && rules::is_heading(self.top_tag()) {
            self.pop();
        }
        None
    }

    /// Index into `doc` for the elements a document has one of.
    fn doc_slot(tag: &str) -> Option<usize> {
        match tag {
            "html" => Some(0),
            "head" => Some(1),
            "body" => Some(2),
            _ => None,
        }
    }

    /// `tr`, `td` and the other table parts: an open cell or row ends, and a bare row or
    /// cell gets the `tbody` and `tr` the browser inserts.
    fn table_part(&mut self, tag: &str, at: usize, line: u64) {
        let cell = |t: &str| t == "td" || t == "th";
        if let Some(pos) = self.in_scope(cell, rules::is_table_scope_boundary) {
            self.pop_through(pos);
        }
        if self.top_tag() == "caption" && tag != "caption" {
            self.pop();
        }
        if self.top_tag() == "colgroup" && tag != "col" {
            self.pop();
        }
        match tag {
            "td" | "th" => {
                if self.top_tag() == "table" {
                    self.push_implied("tbody", at, line);
                }
                if rules::is_table_section(self.top_tag()) {
                    self.push_implied("tr", at, line);
                }
            }
            "tr" => {
                if self.top_tag() == "tr" {
                    self.pop();
                }
                if self.top_tag() == "table" {
                    self.push_implied("tbody", at, line);
                }
            }
            "col" => {
                if self.top_tag() == "table" {
                    self.push_implied("colgroup", at, line);
                }
            }
            _ => {
                if self.top_tag() == "tr" {
                    self.pop();
                }
                if rules::is_table_section(self.top_tag()) {
                    self.pop();
                }
            }
        }
    }

    /// Position of a new child `idx` with `tag` among its siblings of that tag.
    fn nth_of_type(&mut self, tag: &str, idx: u32) -> u32 {
        let seen = match self.stack.last_mut() {
            Some(f) => &mut f.seen,
            None => &mut self.root_seen,
        };
        match seen.iter_mut().find(|(t, _, _)| &**t == tag) {
            Some((_, n, last)) => {
                *n += 1;
                let prev = std::mem::replace(last, idx);
                let n = *n;
                self.page.nodes[prev as usize].nth_shared = true;
                n
            }
            None => {
                seen.push((tag.into(), 1, idx));
                1
            }
        }
    }

    /// An element the parser inserts though the source has no tag for it.
    fn push_implied(&mut self, tag: &'static str, at: usize, line: u64) {
        self.push_element(tag.into(), None, None, at, line);
    }

    fn push_element(
        &mut self,
        tag: Box<str>,
        id: Option<Box<str>>,
        class: Option<Box<str>>,
        at: usize,
        line: u64,
    ) -> u32 {
        let idx = self.page.nodes.len() as u32;
        if let Some(slot) = Self::doc_slot(&tag) {
            self.doc[slot] = Some(idx);
        }
        let nth = self.nth_of_type(&tag, idx);
        let start = self.page.text.len() as u32;
        self.page.nodes.push(Node {
            parent: self.stack.last().map_or(NONE, |f| f.node),
            tag,
            id,
            class,
            nth,
            nth_shared: false,
            implied: true,
            line: line + 1,
            text: start..start,
            last_desc: idx,
            synthetic: false,
            hidden: false,
            positioned: false,
            position_context: false,
            aria_label: None,
            refs: None,
            start_tag: at..at,
            end_tag: None,
            void: false,
            end: at,
        });
        self.stack.push(Frame {
            node: idx,
            seen: Vec::new(),
        });
        idx
    }

    fn on_stack(&self, node: u32) -> Option<usize> {
        self.stack.iter().rposition(|f| f.node == node)
    }

    /// Formatting elements left open (`<b>` ended by `</p>`) are recreated around the
    /// content that follows (§13.2.4.3 "reconstruct the active formatting elements").
    fn reconstruct(&mut self, at: usize, line: u64) {
        let Some(&last) = self.afe.last() else { return };
        if last == NONE || self.on_stack(last).is_some() {
            return;
        }
        let mut first = self.afe.len() - 1;
        while first > 0
            && self.afe[first - 1] != NONE
            && self.on_stack(self.afe[first - 1]).is_none()
        {
            first -= 1;
        }
        for k in first..self.afe.len() {
            let orig = &self.page.nodes[self.afe[k] as usize];
            let (tag, id, class) = (orig.tag.clone(), orig.id.clone(), orig.class.clone());
            if let Some(id) = &id {
                self.page.dup_ids.insert(id.clone());
            }
            self.afe[k] = self.push_element(tag, id, class, at, line);
        }
    }

    /// The end of formatting element `name` (its end tag, or a second `<a>`): the
    /// adoption agency (§13.2.6.4.7) where no block sits inside the element, which is
    /// exact; with a block inside, the element is closed there as lol_html does and the
    /// region recorded in `Page::approximate`. False when `name` is not an active
    /// formatting element (the ordinary end-tag rule applies).
    fn adoption(&mut self, name: &str, range: Option<Range<usize>>) -> bool {
        let Some(k) = self
            .afe
            .iter()
            .rposition(|&n| n == NONE || &*self.page.nodes[n as usize].tag == name)
            .filter(|&k| self.afe[k] != NONE)
        else {
            return false;
        };
        let node = self.afe[k];
        let Some(pos) = self.on_stack(node) else {
            self.afe.remove(k);
            return true;
        };
        if (pos + 1..self.stack.len()).any(|p| rules::is_scope_boundary(self.tag_at(p))) {
            return true; // not in scope: the end tag is ignored
        }
        let block_inside = (pos + 1..self.stack.len()).any(|p| rules::is_special(self.tag_at(p)));
        if block_inside {
            let parent = self.page.nodes[node as usize].parent;
            if parent != NONE {
                self.page.approximate.push(parent);
            }
        } else if let Some(r) = range {
            self.page.nodes[node as usize].end_tag = Some(r);
        }
        self.afe.remove(k);
        self.pop_through(pos);
        true
    }

    fn open(&mut self, input: &[u8], el: &Element) {
        let at = el.source_location().bytes().start;
        self.closing_at = at;
        let line = self.line_at(input, at);
        let lower = el.tag_name();
        let tag: Box<str> = match (self.svg_open > 0)
            .then(|| rules::svg_tag_name(&lower))
            .flatten()
        {
            Some(t) => t.into(),
            None => lower.into(),
        };
        if self.before_open(&tag, at, line).is_some() {
            return; // a second <html>, <head> or <body>: merged, no new element
        }
        if rules::reconstructs(&tag) {
            self.reconstruct(at, line);
        }
        let idx = self.page.nodes.len() as u32;
        if let Some(slot) = Self::doc_slot(&tag) {
            self.doc[slot] = Some(idx);
        }
        let nth = self.nth_of_type(&tag, idx);
        // One pass over the attributes: a page has thousands of elements and each
        // lookup by name would rescan (and reallocate) them.
        let mut a = Attrs::default();
        let media_names = media_attrs(&tag);
        for at in el.attributes() {
            let name = at.name();
            match name.as_str() {
                // A repeated attribute: the browser keeps the first.
                "id" if a.id.is_none() => a.id = Some(at.value()),
                "class" if a.class.is_none() => a.class = Some(at.value()),
                "data-synthetic" => a.synthetic = at.value().trim().eq_ignore_ascii_case("true"),
                "hidden" => a.hidden = true,
                "aria-hidden" => a.hidden |= at.value().trim().eq_ignore_ascii_case("true"),
                "style" => {
                    let v = at.value();
                    a.hidden |= style_hides(&v);
                    let p = style_position(&v);
                    a.positioned = matches!(p.as_deref(), Some("absolute" | "fixed"));
                    a.position_context = p.is_some_and(|p| p != "static");
                }
                "aria-label" if a.aria_label.is_none() => a.aria_label = Some(at.value()),
                "aria-describedby" | "aria-labelledby" => {
                    let v = at.value();
                    a.refs = Some(match a.refs.take() {
                        Some(prev) => format!("{prev} {v}"),
                        None => v,
                    });
                }
                "type" if a.kind.is_none() => a.kind = Some(at.value()),
                "href" if &*tag == "a" && a.href.is_none() => a.href = Some(at.value()),
                "property" | "name" if &*tag == "meta" => a.meta_name = Some(at.value()),
                "content" if &*tag == "meta" => a.content = Some(at.value()),
                "data-gallery-role" => a.gallery_placeholder = at.value() == "gallery-placeholder",
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
            // The first keeps the entry, as `getElementById` answers.
            match self.page.ids.entry(id.clone()) {
                Entry::Occupied(_) => {
                    self.page.dup_ids.insert(id.clone());
                }
                Entry::Vacant(v) => {
                    v.insert(idx);
                }
            }
        }
        for (_, srcset, v) in &a.media {
            if *srcset {
                for cand in v.split(',') {
                    if let Some(url) = cand.split_whitespace().next() {
                        self.push_media(idx, url, Via::Element);
                    }
                }
            } else {
                self.push_media(idx, v, Via::Element);
            }
        }
        if let (Some(name), Some(content)) = (&a.meta_name, &a.content)
            && matches!(
                name.trim().to_ascii_lowercase().as_str(),
                "og:image"
                    | "og:image:url"
                    | "og:image:secure_url"
                    | "twitter:image"
                    | "twitter:image:src"
            )
        {
            self.push_media(idx, content, Via::Meta);
        }
        if a.gallery_placeholder && self.gallery_placeholder.is_none() {
            self.gallery_placeholder = Some(idx);
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
            nth_shared: false,
            implied: false,
            line: line + 1,
            text: start..start,
            last_desc: idx,
            synthetic,
            hidden,
            positioned: a.positioned,
            position_context: a.position_context,
            aria_label: a.aria_label.filter(|s| !s.trim().is_empty()).map(Box::from),
            refs,
            start_tag: el.source_location().bytes(),
            end_tag: None,
            void: !el.can_have_content(),
            end: el.source_location().bytes().end,
        });
        if &*self.page.nodes[idx as usize].tag == "script"
            && let Some(kind) = ScriptKind::of(a.kind.as_deref())
        {
            self.script = Some((line + 1, kind, String::new()));
        }
        let open = el.can_have_content();
        if open {
            let tag = &*self.page.nodes[idx as usize].tag;
            if tag == "svg" {
                self.svg_open += 1;
            }
            if rules::is_formatting(tag) {
                self.afe.push(idx);
            } else if rules::is_formatting_marker(tag) {
                self.afe.push(NONE);
            }
            self.stack.push(Frame {
                node: idx,
                seen: Vec::new(),
            });
        }
    }

    fn push_media(&mut self, node: u32, url: &str, via: Via) {
        let url = url.trim();
        if !url.is_empty() {
            self.page.media.push(MediaRef {
                node,
                url: url.to_owned(),
                via,
            });
        }
    }

    /// The images scripts name, once the page is read (a gallery's placeholder may
    /// come after its script).
    fn script_media(&mut self) {
        for (node, kind, text) in std::mem::take(&mut self.scripts) {
            for img in script_media::images(kind, &text) {
                let target = match img.target.as_deref().map(str::trim) {
                    Some("[data-gallery-role=gallery-placeholder]")
                    | Some("[data-gallery-role=\"gallery-placeholder\"]") => {
                        self.gallery_placeholder
                    }
                    Some(sel) => sel
                        .strip_prefix('#')
                        .and_then(|id| self.page.ids.get(id).copied()),
                    None => None,
                };
                self.push_media(target.unwrap_or(node), &img.url, Via::Script);
            }
        }
    }

    /// Applies the end tags between the last token lol_html reported and `upto`, the
    /// start of the next one.
    ///
    /// Why end tags are found here and not through lol_html's end-tag handlers: those
    /// fire by lol_html's own matching of end tags to open elements, which ignores the
    /// HTML Standard's implied ends, and an end tag that matches nothing in lol_html's
    /// view (`</b>` after `</span>` closed the `<b>`) is never reported at all. Every
    /// other token (start tags, text, comments, the doctype) is reported with its byte
    /// range, so the bytes between two of them hold only end tags.
    fn catch_up(&mut self, input: &[u8], upto: usize) {
        let upto = upto.min(input.len());
        if upto <= self.scanned {
            return;
        }
        let mut i = self.scanned;
        self.scanned = upto;
        while let Some(p) = memchr::memchr(b'<', &input[i..upto]) {
            let at = i + p;
            let rest = &input[at..upto];
            let skip_to = |from: usize, end: &[u8]| {
                memchr::memmem::find(&input[from..upto], end).map_or(upto, |e| from + e + end.len())
            };
            if rest.starts_with(b"<![CDATA[") {
                i = skip_to(at + 9, b"]]>");
                continue;
            }
            if rest.len() > 2 && rest[1] == b'/' && rest[2].is_ascii_alphabetic() {
                let name_end = rest[2..]
                    .iter()
                    .position(|b| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
                    .map_or(rest.len(), |n| n + 2);
                // One buffer for every end tag's name: this runs for each end tag.
                let mut name = std::mem::take(&mut self.end_name);
                name.clear();
                name.push_str(&String::from_utf8_lossy(&rest[2..name_end]));
                name.make_ascii_lowercase();
                let end = skip_to(at + name_end, b">");
                self.flush_text();
                self.line_at(input, at);
                self.closing_at = at;
                self.end_tag(&name, at..end);
                self.end_name = name;
                i = end;
                continue;
            }
            i = at + 1;
        }
    }

    /// Marks a reported token's bytes as read.
    fn read_through(&mut self, end: usize) {
        self.scanned = self.scanned.max(end);
    }

    /// Applies end tag `name` (§13.2.6.4.7 "in body", the end-tag rules); whether it
    /// closed something.
    fn end_tag(&mut self, name: &str, range: Range<usize>) -> bool {
        let found = match name {
            // `</body>` switches the parser's mode and pops nothing: what follows still
            // goes into the body.
            "body" | "html" => {
                if let Some(pos) = self.in_scope(|t| t == name, |_| false) {
                    let node = self.stack[pos].node as usize;
                    self.page.nodes[node].end_tag = Some(range);
                }
                return true;
            }
            "p" => {
                let button = |t: &str| rules::is_scope_boundary(t) || t == "button";
                let found = self.in_scope(|t| t == "p", button);
                if found.is_none() {
                    // A `</p>` with no open paragraph makes an empty one.
                    self.push_implied("p", range.start, self.line);
                    self.pop();
                    return true;
                }
                found
            }
            "li" => self.in_scope(
                |t| t == "li",
                |t| rules::is_scope_boundary(t) || t == "ul" || t == "ol",
            ),
            "table" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" | "caption" => {
                self.in_scope(|t| t == name, rules::is_table_scope_boundary)
            }
            n if rules::is_formatting(n) && self.adoption(n, Some(range.clone())) => {
                return true;
            }
            n if rules::is_special(n) => self.in_scope(|t| t == n, rules::is_scope_boundary),
            // Any other end tag: the nearest open element of that name, unless a
            // special element comes first (SVG names compare without case).
            n => self.in_scope(|t| t.eq_ignore_ascii_case(n), rules::is_special),
        };
        let Some(pos) = found else { return false };
        let node = self.stack[pos].node as usize;
        self.page.nodes[node].end_tag = Some(range);
        self.pop_through(pos);
        true
    }

    fn finish(&mut self, idx: u32) {
        let end = self.page.text.len() as u32;
        let last = self.page.nodes.len() as u32 - 1;
        let n = &mut self.page.nodes[idx as usize];
        n.text.end = end;
        n.last_desc = last;
        n.end = n.end_tag.as_ref().map_or(self.closing_at, |r| r.end);
        if &*n.tag == "svg" && !n.void {
            self.svg_open = self.svg_open.saturating_sub(1);
        }
        if rules::is_formatting_marker(&n.tag) {
            while let Some(e) = self.afe.pop() {
                if e == NONE {
                    break;
                }
            }
        }
        if &*n.tag == "script"
            && let Some((line, kind, text)) = self.script.take()
        {
            if kind == ScriptKind::LdJson {
                self.page.jsonld.push(JsonLd {
                    node: idx,
                    line,
                    text,
                });
            } else if !text.trim().is_empty() {
                self.scripts.push((idx, kind, text));
            }
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
                if let Some((_, _, s)) = &mut self.script {
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
        // Text in the body goes inside the formatting elements still open (tables put
        // stray text elsewhere, which is not followed here).
        if !self.afe.is_empty()
            && !matches!(
                self.top_tag(),
                "html" | "head" | "table" | "tbody" | "thead" | "tfoot" | "tr"
            )
        {
            self.reconstruct(self.line_pos, self.line);
        }
        let owner = self.stack.last().map_or(NONE, |f| f.node);
        let start = self.page.text.len() as u32;
        if self.pending.contains('&') {
            let decoded = html_escape::decode_html_entities(&self.pending);
            self.page
                .text
                .push_str(&c1_references(&self.pending, decoded));
        } else {
            self.page.text.push_str(&self.pending);
        }
        self.pending.clear();
        self.page.segments.push((start, owner));
    }
}

/// `&#128;` is `€` in a browser: numeric references to C1 controls are read as
/// windows-1252 (HTML Standard §13.2.5.80), which html_escape leaves as U+0080.
fn c1_references<'a>(
    source: &str,
    decoded: std::borrow::Cow<'a, str>,
) -> std::borrow::Cow<'a, str> {
    if !source.contains("&#") || !decoded.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)) {
        return decoded;
    }
    decoded
        .chars()
        .map(|c| match c {
            '\u{80}'..='\u{9f}' => {
                let byte = [c as u8];
                let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
                s.chars().next().unwrap_or(c)
            }
            c => c,
        })
        .collect::<String>()
        .into()
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

/// The inline `position` (the last declaration wins), lower-cased.
fn style_position(style: &str) -> Option<String> {
    let mut out = None;
    for decl in style.split(';') {
        if let Some((k, v)) = decl.split_once(':')
            && k.trim().eq_ignore_ascii_case("position")
        {
            out = Some(
                v.trim()
                    .trim_end_matches("!important")
                    .trim()
                    .to_ascii_lowercase(),
            );
        }
    }
    out
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
        scripts: Vec::new(),
        gallery_placeholder: None,
        quirks: true,
        doc: [None; 3],
        afe: Vec::new(),
        svg_open: 0,
        scanned: 0,
        closing_at: 0,
        end_name: String::new(),
    }));
    {
        let on_el = state.clone();
        let on_text = state.clone();
        let on_comment = state.clone();
        let on_doctype = state.clone();
        let settings = Settings::new()
            .with_strict(false)
            .append_element_content_handler(element!("*", move |el| {
                let mut s = on_el.borrow_mut();
                let at = el.source_location().bytes();
                s.catch_up(input, at.start);
                s.flush_text();
                s.open(input, el);
                s.read_through(at.end);
                Ok(())
            }))
            .append_document_content_handler(doc_text!(move |t| {
                let mut s = on_text.borrow_mut();
                let at = t.source_location().bytes();
                s.catch_up(input, at.start);
                s.text(t);
                s.read_through(at.end);
                Ok(())
            }))
            .append_document_content_handler(doc_comments!(move |c| {
                let mut s = on_comment.borrow_mut();
                let at = c.source_location().bytes();
                s.catch_up(input, at.start);
                s.read_through(at.end);
                Ok(())
            }))
            .append_document_content_handler(doctype!(move |d| {
                let quirks = rules::is_quirks(
                    d.name().as_deref(),
                    d.public_id().as_deref(),
                    d.system_id().as_deref(),
                );
                let mut s = on_doctype.borrow_mut();
                s.quirks = quirks;
                let at = d.source_location().bytes();
                s.read_through(at.end);
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
    s.catch_up(input, input.len());
    s.flush_text();
    s.closing_at = input.len();
    while let Some(f) = s.stack.pop() {
        s.finish(f.node);
    }
    s.script_media();
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

    /// A CSS selector that matches this element alone in the browser's DOM: the path of
    /// `tag.class:nth-of-type(k)` steps from the nearest ancestor with an id no other
    /// element has, or from `body` (`html` for the head).
    pub fn selector(&self, mut n: u32) -> String {
        let mut steps = Vec::new();
        loop {
            if n == NONE {
                // A fragment without <body>: the browser puts it in one.
                steps.push("body".to_string());
                break;
            }
            let node = &self.nodes[n as usize];
            if matches!(&*node.tag, "html" | "body") {
                steps.push(node.tag.to_string());
                break;
            }
            if let Some(id) = node
                .id
                .as_deref()
                .filter(|id| is_css_ident(id) && !self.dup_ids.contains(*id))
            {
                steps.push(format!("{}#{id}", node.tag));
                break;
            }
            let mut step = css_escape(&node.tag);
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
            if node.nth > 1 || node.nth_shared {
                step.push_str(&format!(":nth-of-type({})", node.nth));
            }
            steps.push(step);
            n = node.parent;
        }
        steps.reverse();
        steps.join(" > ")
    }
}

/// A name as a CSS identifier (`o:p` from Word's HTML becomes `o\:p`), as
/// `CSS.escape` does for the characters tag names hold.
fn css_escape(s: &str) -> String {
    if is_css_ident(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_digit() && i == 0 {
            out.push_str(&format!("\\{:x} ", c as u32));
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '-' || !c.is_ascii() {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
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
            "body > div.product.media > img.gallery-main:nth-of-type(1)"
        );
        assert_eq!(
            p.selector(p.media[1].node),
            "body > div.product.media > img:nth-of-type(2)"
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

    /// The tree as `parent>child` paths of tag#id, for comparing with a browser's.
    fn paths(p: &Page) -> Vec<String> {
        (0..p.nodes.len() as u32)
            .filter(|&n| p.nodes[n as usize].id.is_some())
            .map(|n| {
                let mut steps = Vec::new();
                let mut m = n;
                while m != NONE {
                    let node = &p.nodes[m as usize];
                    steps.push(match &node.id {
                        Some(id) => format!("{}#{id}", node.tag),
                        None => node.tag.to_string(),
                    });
                    m = node.parent;
                }
                if steps.last().is_some_and(|s| s != "html") {
                    steps.push("body".into()); // a fragment: the browser wraps it
                }
                steps.reverse();
                steps.join(">")
            })
            .collect()
    }

    // Each expectation is what Chromium's parser builds (checked in devtools).
    #[test]
    fn implied_end_tags_follow_the_html_standard() {
        let cases: &[(&str, &[&str])] = &[
            (
                "<div id=d><p id=a>a<p id=b>b</p>c</div>",
                &["body>div#d", "body>div#d>p#a", "body>div#d>p#b"],
            ),
            (
                "<ul id=u><li id=x>x<li id=y>y</ul>",
                &["body>ul#u", "body>ul#u>li#x", "body>ul#u>li#y"],
            ),
            (
                "<p id=a>a<div id=d>b</div>c</p><p id=z>",
                &["body>p#a", "body>div#d", "body>p#z"],
            ),
            (
                "<table id=t><tr id=r><td id=a>a<td id=b>b<tr id=s><td id=c>c</table>",
                &[
                    "body>table#t",
                    "body>table#t>tbody>tr#r",
                    "body>table#t>tbody>tr#r>td#a",
                    "body>table#t>tbody>tr#r>td#b",
                    "body>table#t>tbody>tr#s",
                    "body>table#t>tbody>tr#s>td#c",
                ],
            ),
            (
                "<dl id=l><dt id=t>t<dd id=d>d<dt id=u>u</dl>",
                &[
                    "body>dl#l",
                    "body>dl#l>dt#t",
                    "body>dl#l>dd#d",
                    "body>dl#l>dt#u",
                ],
            ),
            (
                "<!doctype html><html><head><title id=t>x</title></head><body><div id=d></div></body><script id=s></script></html>",
                &["html>head>title#t", "html>body>div#d", "html>body>script#s"],
            ),
            (
                "<html><head><meta id=m><div id=d>x</div>",
                &["html>head>meta#m", "html>body>div#d"],
            ),
            (
                "<ul><li id=a>a<ul><li id=b>b</ul><li id=c>c</ul>",
                &["body>ul>li#a", "body>ul>li#a>ul>li#b", "body>ul>li#c"],
            ),
            (
                "<select><option id=a>a<option id=b>b<optgroup id=g><option id=c>c</select>",
                &[
                    "body>select>option#a",
                    "body>select>option#b",
                    "body>select>optgroup#g",
                    "body>select>optgroup#g>option#c",
                ],
            ),
            (
                "<svg id=s><linearGradient id=g></linearGradient></svg>",
                &["body>svg#s", "body>svg#s>linearGradient#g"],
            ),
            ("<h2 id=a>a<h3 id=b>b</h3>", &["body>h2#a", "body>h3#b"]),
            // A formatting element ended by `</p>` is recreated around what follows.
            (
                "<p id=a><b>x</p>\n<p id=q>y</p>",
                &["body>p#a", "body>b>p#q"],
            ),
            (
                "<div id=d><span><b>x</span>y</b></div><i id=i>z</i>",
                &["body>div#d", "body>i#i"],
            ),
            // HTTrack's <meta> before <head>: the head is implied and the tag ignored.
            (
                "<!doctype html><html><meta id=m><head><title id=t>t</title></head><body id=b><p id=p>",
                &[
                    "html>head>meta#m",
                    "html>head>title#t",
                    "html>body#b",
                    "html>body#b>p#p",
                ],
            ),
        ];
        for (html, want) in cases {
            assert_eq!(&paths(&page(html)), want, "{html}");
        }
    }

    #[test]
    fn stray_p_end_tag_makes_an_empty_paragraph_that_counts_for_nth_of_type() {
        let p = page("<div><p>a<div>b</div>c</p><p id=x>x</p><p id=x>y</p></div>");
        let x = p.ids["x"];
        // p(a), the empty p of `</p>`, then the two x: the first x is the third p.
        assert_eq!(p.selector(x), "body > div > p:nth-of-type(3)");
        assert!(p.dup_ids.contains("x"));
    }

    #[test]
    fn selectors_are_anchored_and_numbered_when_siblings_share_a_tag() {
        let p = page(
            "<main><section><p id=a>a</p></section><section><p>b</p><p>c</p></section></main>",
        );
        let b = p
            .segments
            .iter()
            .find(|(s, _)| p.text[*s as usize..].starts_with('b'))
            .unwrap()
            .1;
        assert_eq!(
            p.selector(b),
            "body > main > section:nth-of-type(2) > p:nth-of-type(1)"
        );
        assert_eq!(p.selector(p.ids["a"]), "p#a");
    }

    #[test]
    fn a_block_inside_a_misnested_link_is_recorded_as_approximate() {
        let p = page("<div id=w><a href=x>a<div>b</a>c</div>");
        assert_eq!(p.approximate, vec![p.ids["w"]]);
        assert!(
            page("<div><a href=x>a</a><b>c</b></div>")
                .approximate
                .is_empty()
        );
    }

    #[test]
    fn numeric_references_to_c1_controls_are_windows_1252() {
        let p = page("<p id=p>&#128; 5 &#x93;q&#148; &#129;</p>");
        assert_eq!(p.text_of(p.ids["p"]), "€ 5 “q” \u{81}");
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
