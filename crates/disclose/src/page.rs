//! `disclose html`: one page in, the disclosed page out.
//!
//! The scanner's parse ([`synthgov_scan::html::parse`]) and recognition decide what to
//! change; the changes are then spliced into the bytes at the offsets the parse
//! recorded. Nothing else is touched: a start tag is never re-serialized (attributes
//! go in before its `>`, an id is appended inside an existing `aria-describedby`),
//! template code (see [`crate::template`]) is never changed, and a page that needs
//! nothing comes back byte-identical, which makes a second run a no-op. A change that
//! cannot be made that way is refused and reported, never approximated.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde_json::{Map, Value};
use synthgov_core::finding::ScanProblem;
use synthgov_scan::charset;
use synthgov_scan::html::{self, Page, Via};
use synthgov_scan::known::Known;
use synthgov_scan::storefront::{Disclosure, MediaSource, disclosure, recognize};
use synthgov_scan::tree_rules;

use crate::labels::Labels;
use crate::template::{self, Syntax};
use crate::widget::{self, Note};

/// IPTC NewsCodes digital source type for content made by a trained model.
pub const TRAINED_ALGORITHMIC_MEDIA: &str =
    "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

const NONE: u32 = u32::MAX;

pub struct Options<'a> {
    pub labels: &'a Labels,
    /// With `{sha256}`; see [`crate::config::DiscloseConfig::provenance_url`].
    pub provenance_url: &'a str,
    /// The scanner's disclosure phrases (what counts as visible disclosure text).
    pub phrases: &'a [String],
    /// The template language of the page; `None`: from the extension of its uri.
    pub syntax: Option<Syntax>,
    /// The encoding of pages that declare none (`--encoding`); `None`: UTF-8.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A registered synthetic image got data-synthetic and a disclosure.
    Image,
    /// A registered AI-generated text got data-synthetic and a disclosure.
    Text,
    /// An element already marked data-synthetic got the disclosure it lacked.
    Content,
    /// Product structured data now names `digitalSourceType` for synthetic images.
    JsonLd,
}

/// One change, located in the input page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub line: u64,
    pub selector: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
}

#[derive(Debug, Default)]
pub struct Rewritten {
    pub html: Vec<u8>,
    pub changes: Vec<Change>,
    /// What could not be read (an unreadable image); the rest is still disclosed.
    pub problems: Vec<ScanProblem>,
    /// Disclosures that could not be made safely (no place for a note the HTML parser
    /// keeps, an edit inside template code): left for the template's author.
    pub refused: Vec<ScanProblem>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscloseError {
    #[error(transparent)]
    Charset(#[from] synthgov_scan::charset::CharsetError),
    #[error(
        "cannot be written back in {encoding} byte for byte ({why}); convert the page to UTF-8 first"
    )]
    Reencode {
        encoding: &'static str,
        why: &'static str,
    },
    #[error(transparent)]
    Parse(#[from] html::HtmlError),
    #[error("rewriting failed: {0}")]
    Rewrite(String),
}

/// One splice: replace `range` of the input with `text` (an insertion when empty).
/// `order` sorts insertions at the same offset.
struct Edit {
    range: Range<usize>,
    order: u8,
    text: String,
}

/// Where a note goes.
#[derive(Clone, Copy)]
enum Place {
    After,
    /// First thing inside (list items and table cells, where a sibling would be
    /// moved by the parser).
    Prepend,
    /// Last thing inside, where the parser ends an element whose end tag the source
    /// omits (`<p>a<p>b`): the note is inline, so it stays in the paragraph.
    Append,
}

impl Place {
    fn offset(self, n: &html::Node) -> usize {
        match self {
            Place::After => n.end_tag.as_ref().map_or(n.start_tag.end, |e| e.end),
            Place::Prepend => n.start_tag.end,
            Place::Append => n.end,
        }
    }
}

pub fn disclose_page(
    known: &Known,
    uri: &str,
    bytes: &[u8],
    media: &dyn MediaSource,
    opts: &Options,
) -> Result<Rewritten, DiscloseError> {
    // Rewritten as UTF-8 and written back in the page's own encoding; a page that
    // would not come back byte for byte where nothing changed is refused.
    let decoded = charset::decode(bytes, opts.encoding)?;
    if matches!(decoded.text, std::borrow::Cow::Borrowed(_)) && !decoded.bom {
        return disclose_utf8(known, uri, bytes, media, opts);
    }
    let enc = decoded.encoding;
    let text = std::str::from_utf8(&decoded.text).expect("decoded");
    let reencode_err = |why| DiscloseError::Reencode {
        encoding: enc.name(),
        why,
    };
    if charset::encode(text, enc, decoded.bom).as_deref() != Some(bytes) {
        return Err(reencode_err("it does not round-trip"));
    }
    let mut r = disclose_utf8(known, uri, &decoded.text, media, opts)?;
    if r.html != decoded.text.as_ref() {
        let html = std::str::from_utf8(&r.html).expect("UTF-8 in, UTF-8 out");
        r.html = charset::encode(html, enc, decoded.bom)
            .ok_or_else(|| reencode_err("a disclosure text has no bytes in it"))?;
    } else {
        r.html = bytes.to_vec();
    }
    Ok(r)
}

fn disclose_utf8(
    known: &Known,
    uri: &str,
    bytes: &[u8],
    media: &dyn MediaSource,
    opts: &Options,
) -> Result<Rewritten, DiscloseError> {
    let syntax = opts.syntax.unwrap_or_else(|| Syntax::of_path(uri));
    let regions = template::regions(bytes, syntax);
    // Parsed with template code blanked, so the HTML tokenizer sees the markup the
    // template renders around it; offsets are the file's.
    let masked: std::borrow::Cow<[u8]> = if regions.is_empty() {
        bytes.into()
    } else {
        template::mask(bytes, &regions).into()
    };
    let page = html::parse(&masked)?;
    let hidden = page.hidden_flags();
    let seen = recognize(known, &page, uri, media);
    let mut out = Rewritten {
        problems: seen.problems.clone(),
        ..Default::default()
    };

    // Elements to disclose: registered synthetic media and text, then marked elements
    // that do not tell people. Each element once; content already disclosed visibly
    // is left alone.
    struct Target {
        el: u32,
        kind: ChangeKind,
        sha: Option<[u8; 32]>,
        generator: Option<String>,
    }
    let mut targets: Vec<Target> = Vec::new();
    let needs = |n: u32| match page.synthetic_scope(source_element(&page, n)) {
        Some(s) => {
            (disclosure(&page, &hidden, s, opts.phrases) != Disclosure::Visible).then_some(s)
        }
        None => Some(source_element(&page, n)),
    };
    // A link preview (og:image) has no place for a note: its file's marking is the
    // disclosure.
    for m in seen
        .media
        .iter()
        .filter(|m| m.is_synthetic() && m.via != Via::Meta)
    {
        if let Some(el) = needs(m.node) {
            targets.push(Target {
                el,
                kind: ChangeKind::Image,
                sha: Some(m.sha256),
                generator: m.known.and_then(|a| a.generator.clone()),
            });
        }
    }
    for t in &seen.texts {
        if let Some(el) = needs(t.node) {
            targets.push(Target {
                el,
                kind: ChangeKind::Text,
                sha: Some(t.sha256),
                generator: Some(t.generator.to_owned()),
            });
        }
    }
    for (i, node) in page.nodes.iter().enumerate() {
        let i = i as u32;
        let outermost = node.parent == NONE || page.synthetic_scope(node.parent).is_none();
        if node.synthetic
            && outermost
            && disclosure(&page, &hidden, i, opts.phrases) != Disclosure::Visible
        {
            targets.push(Target {
                el: i,
                kind: ChangeKind::Content,
                sha: None,
                generator: None,
            });
        }
    }

    // Elements done, the notes at each anchor, and every edit.
    let mut done: HashSet<u32> = HashSet::new();
    let mut notes_at: HashMap<u32, (Place, Vec<String>)> = HashMap::new();
    let mut edits: Vec<Edit> = Vec::new();
    let mut used_ids: HashSet<String> = page.ids.keys().map(|k| k.to_string()).collect();
    let refuse = |out: &mut Rewritten, el: u32, why: String| {
        out.refused.push(ScanProblem {
            uri: format!("{uri}:{}", page.nodes[el as usize].line),
            message: format!("{}: {why}", page.selector(el)),
        });
    };
    for t in targets {
        if !done.insert(t.el) {
            continue;
        }
        let node = &page.nodes[t.el as usize];
        let Some((anchor, place)) = placement(&page, &masked, t.el) else {
            refuse(
                &mut out,
                t.el,
                format!(
                    "no place for a disclosure note next to <{}> that the HTML parser keeps; disclose it in the template",
                    node.tag
                ),
            );
            continue;
        };
        let sha_hex = t.sha.map(hex::encode);
        let base = match &sha_hex {
            Some(h) => format!("sg-disclosure-{}", &h[..12]),
            None => "sg-disclosure".to_string(),
        };
        let mut id = base.clone();
        let mut k = 1;
        while used_ids.contains(&id) || used_ids.contains(&format!("{id}-detail")) {
            k += 1;
            id = format!("{base}-{k}");
        }
        let (label, what) = match t.kind {
            ChangeKind::Image => (&opts.labels.image, "image"),
            ChangeKind::Text => (&opts.labels.text, "text"),
            _ => (&opts.labels.content, "content"),
        };
        let generator = t
            .generator
            .clone()
            .unwrap_or_else(|| opts.labels.unknown_generator.clone());
        let detail = opts
            .labels
            .detail
            .replace("{label}", label)
            .replace("{generator}", &generator);
        let link = sha_hex
            .as_ref()
            .map(|h| opts.provenance_url.replace("{sha256}", h));
        let note = Note {
            id: &id,
            kind: what,
            label,
            detail: &detail,
            link_text: &opts.labels.provenance,
            link: link.as_deref(),
            badge: &opts.labels.badge,
        };
        let Some(attrs) = attribute_edits(
            &masked,
            node.start_tag.clone(),
            sha_hex.as_deref(),
            &format!("{id} {}", note.detail_id()),
        ) else {
            refuse(
                &mut out,
                t.el,
                format!(
                    "the start tag of <{}> cannot be read; disclose it in the template",
                    node.tag
                ),
            );
            continue;
        };
        let at = place.offset(&page.nodes[anchor as usize]);
        if attrs
            .iter()
            .any(|e| template::touches(&regions, e.range.clone()))
            || template::touches(&regions, at..at)
        {
            refuse(
                &mut out,
                t.el,
                "the disclosure would change template code; disclose it in the template".into(),
            );
            continue;
        }
        used_ids.insert(id.clone());
        out.changes.push(Change {
            kind: t.kind,
            line: node.line,
            selector: page.selector(t.el),
            sha256: sha_hex.clone(),
            generator: t.generator,
        });
        notes_at
            .entry(anchor)
            .or_insert_with(|| (place, Vec::new()))
            .1
            .push(note.html());
        edits.extend(attrs);
    }
    // Structured data.
    for block in &page.jsonld {
        let Ok(mut v) = serde_json::from_str::<Value>(&block.text) else {
            continue; // the scanner reports invalid JSON-LD; nothing safe to change
        };
        let synthetic = |url: &str| seen.synthetic_url(known, uri, url, media).is_some();
        if mark_ld(&mut v, false, &synthetic) {
            let n = &page.nodes[block.node as usize];
            let Some(end) = &n.end_tag else { continue };
            let range = n.start_tag.end..end.start;
            if template::touches(&regions, range.clone()) {
                refuse(
                    &mut out,
                    block.node,
                    "product JSON-LD holds template code; add digitalSourceType in the template"
                        .into(),
                );
                continue;
            }
            let text = serde_json::to_string(&v)
                .map_err(|e| DiscloseError::Rewrite(e.to_string()))?
                // `</script` inside a string would end the element early.
                .replace("</", "<\\/");
            edits.push(Edit {
                range,
                order: 2,
                text,
            });
            out.changes.push(Change {
                kind: ChangeKind::JsonLd,
                line: block.line,
                selector: "script[type=\"application/ld+json\"]".into(),
                sha256: None,
                generator: None,
            });
        }
    }
    if edits.is_empty() && notes_at.is_empty() {
        out.html = bytes.to_vec();
        return Ok(out);
    }

    let mut note_edits: Vec<Edit> = notes_at
        .into_iter()
        .map(|(anchor, (place, notes))| {
            let at = place.offset(&page.nodes[anchor as usize]);
            Edit {
                range: at..at,
                order: 0,
                text: notes.concat(),
            }
        })
        .collect();
    // The widget's stylesheet: last in <head> (first would push a `<meta charset>`
    // out of the 1,024 bytes a browser looks for it in), else before the first note.
    if !note_edits.is_empty() && !page.ids.contains_key(widget::STYLE_ID) {
        let in_head = page
            .nodes
            .iter()
            .find(|n| &*n.tag == "head")
            .map(|h| h.end_tag.as_ref().map_or(h.start_tag.end, |e| e.start));
        match in_head {
            Some(at) if !template::touches(&regions, at..at) => {
                edits.push(Edit {
                    range: at..at,
                    order: 0,
                    text: widget::style(),
                });
            }
            _ => {
                let first = note_edits
                    .iter_mut()
                    .min_by_key(|e| e.range.start)
                    .expect("not empty");
                first.text.insert_str(0, &widget::style());
            }
        }
    }
    edits.extend(note_edits);
    out.html = splice(bytes, edits)
        .ok_or_else(|| DiscloseError::Rewrite("internal: overlapping edits".into()))?;
    Ok(out)
}

/// `n`, or its nearest ancestor the source has a tag for (a `tbody` or `tr` the parser
/// inserted has no start tag to add attributes to).
fn source_element(page: &Page, mut n: u32) -> u32 {
    while page.nodes[n as usize].implied && page.nodes[n as usize].parent != NONE {
        n = page.nodes[n as usize].parent;
    }
    n
}

/// Where the note for element `el` can go without the HTML parser moving it or
/// changing the tree: after the element or after its outermost enclosing link,
/// button, label or picture (a note holds a link, and links do not nest); inside list
/// items and table cells whose parent would not keep a sibling; nowhere for table
/// rows and the document's own structure.
fn placement(page: &Page, bytes: &[u8], el: u32) -> Option<(u32, Place)> {
    let tag = |n: u32| &*page.nodes[n as usize].tag;
    let parent = |n: u32| page.nodes[n as usize].parent;
    let mut anchor = el;
    let mut p = parent(el);
    while p != NONE {
        if matches!(
            tag(p),
            "a" | "button" | "label" | "picture" | "summary" | "svg" | "math" | "select" | "option"
        ) {
            anchor = p;
        }
        p = parent(p);
    }
    let structural = |t: &str| {
        matches!(
            t,
            "ul" | "ol"
                | "menu"
                | "dl"
                | "table"
                | "thead"
                | "tbody"
                | "tfoot"
                | "tr"
                | "colgroup"
                | "select"
                | "optgroup"
                | "datalist"
                | "html"
                | "head"
                | "hgroup"
                | "template"
        )
    };
    // A row or table section (text spread over its cells): after the table.
    if matches!(tag(anchor), "tbody" | "thead" | "tfoot" | "tr") {
        let mut p = parent(anchor);
        while p != NONE && tag(p) != "table" {
            p = parent(p);
        }
        if p == NONE {
            return None;
        }
        anchor = p;
    }
    let own = tag(anchor);
    if matches!(own, "body" | "dt" | "dd" | "td" | "th" | "caption") {
        return Some((anchor, Place::Prepend));
    }
    // A list or table itself (text spread over its items) takes a sibling after it.
    let container = matches!(own, "ul" | "ol" | "menu" | "dl" | "table");
    if (structural(own) && !container)
        || matches!(own, "title" | "meta" | "link" | "script" | "style")
    {
        return None;
    }
    // The note goes after the smallest block that holds the item and is not a list
    // item, a slide or an overlay: there it moves nothing of the item, is not covered
    // by the item's badges or hover layers, and does not become a slide. It never
    // leaves a hidden container the item is in (it shows whenever the item does), nor
    // a cell or a list item's parent the parser would move it out of.
    let slider = slider_root(page, anchor);
    let mut next_to_item = None;
    let mut b = anchor;
    loop {
        let node = &page.nodes[b as usize];
        let t = tag(b);
        let pt = parent(b);
        let parent_keeps = pt == NONE || !structural(tag(pt));
        let place = if closes_itself(node, bytes) {
            Some(Place::After)
        } else if t == "p" && !node.implied {
            Some(Place::Append)
        } else {
            None
        };
        if b == anchor && parent_keeps {
            next_to_item = place.map(|p| (b, p));
        }
        let fits = tree_rules::is_block(t)
            && t != "li"
            && !is_overlay(node)
            && slider.is_none_or(|s| page.is_within(s, b))
            && (pt == NONE || !layered(page, pt));
        if fits
            && parent_keeps
            && let Some(place) = place
        {
            return Some((b, place));
        }
        // A link or other formatting element left open is recreated by the browser
        // around whatever follows, a note included (and a note holds a link).
        if tree_rules::is_formatting(t) && !closes_itself(node, bytes) {
            return None;
        }
        if node.hidden
            || pt == NONE
            || matches!(
                tag(pt),
                "body" | "html" | "td" | "th" | "caption" | "dd" | "dt" | "template"
            )
        {
            break;
        }
        b = pt;
    }
    if next_to_item.is_none() && own == "li" {
        return Some((anchor, Place::Prepend));
    }
    next_to_item
}

/// Where the source closes the element with its own end tag (or it is void). An
/// element left open (`<a>` closed by `</div>`, or never) has no end the HTML parser
/// agrees on, and an open link would swallow a note after it.
fn closes_itself(n: &html::Node, bytes: &[u8]) -> bool {
    n.void
        || n.end_tag.as_ref().is_some_and(|r| {
            let t = bytes.get(r.clone()).unwrap_or_default();
            let name = n.tag.as_bytes();
            t.len() > name.len() + 2
                && t[2..2 + name.len()].eq_ignore_ascii_case(name)
                && !t[2 + name.len()].is_ascii_alphanumeric()
        })
}

fn class_tokens(n: &html::Node) -> impl Iterator<Item = String> + '_ {
    n.class
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_ascii_lowercase)
}

/// Laid over other content: positioned by its inline style, or named as themes name
/// badges and hover layers (`product-label`, `sale-badge`, `hover-overlay`, ...).
fn is_overlay(n: &html::Node) -> bool {
    n.positioned
        || class_tokens(n).any(|c| {
            [
                "overlay", "ovrly", "badge", "sticker", "ribbon", "hover", "onsale",
            ]
            .iter()
            .any(|k| c.contains(k))
                || c == "label"
                || c.ends_with("-label")
                || c.starts_with("label-")
        })
}

/// A container positioned by its inline style with overlay layers inside: a note in
/// it would sit under them (a hover effect's `position:relative` box whose `.overlay`
/// covers it).
fn layered(page: &Page, p: u32) -> bool {
    let node = &page.nodes[p as usize];
    node.position_context
        && (p + 1..=node.last_desc).any(|d| {
            let n = &page.nodes[d as usize];
            n.positioned || is_overlay(n)
        })
}

/// The outermost slider around `n` (Swiper, Slick, Owl, Splide, Glide, Flickity,
/// Bootstrap carousels and themes' own `*-slider`): its script treats every child of
/// its track as a slide and clones slides, so a note goes after the whole slider.
fn slider_root(page: &Page, n: u32) -> Option<u32> {
    const NAMES: [&str; 9] = [
        "swiper",
        "slick",
        "owl-",
        "carousel",
        "splide",
        "glide",
        "flickity",
        "slider",
        "slideshow",
    ];
    // Up to 12 levels from the item (a slide's card nests deep), and 3 past the last
    // slider-named element (the wrappers between track and slider).
    let mut found = None;
    let (mut depth, mut since) = (0, 0);
    let mut m = n;
    while m != NONE && depth < 12 && (found.is_none() || since < 3) {
        let node = &page.nodes[m as usize];
        if matches!(&*node.tag, "body" | "html") {
            break;
        }
        let slide = class_tokens(node)
            .any(|c| NAMES.iter().any(|k| c.contains(k)) || c == "slide" || c.ends_with("-slide"));
        if slide {
            found = Some(m);
            since = 0;
        } else {
            since += 1;
        }
        depth += 1;
        m = node.parent;
    }
    found
}

/// Adds `digitalSourceType` for synthetic images named by Product / ImageObject nodes
/// (the nodes the scanner's SG-MARK-002 reads); image URLs given as plain strings
/// become ImageObjects. Returns whether anything changed.
fn mark_ld(v: &mut Value, in_product: bool, synthetic: &dyn Fn(&str) -> bool) -> bool {
    match v {
        Value::Array(items) => {
            let mut changed = false;
            for i in items {
                changed |= mark_ld(i, in_product, synthetic);
            }
            changed
        }
        Value::Object(o) => {
            let types: Vec<String> = match o.get("@type") {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => vec![],
            };
            let is = |t: &str| types.iter().any(|x| x.trim_start_matches("schema:") == t);
            let mut changed = false;
            if is("ImageObject") && o.get("digitalSourceType").is_none_or(Value::is_null) {
                let named = ["contentUrl", "url"]
                    .iter()
                    .filter_map(|k| o.get(*k).and_then(Value::as_str))
                    .any(synthetic);
                if named {
                    o.insert(
                        "digitalSourceType".into(),
                        Value::String(TRAINED_ALGORITHMIC_MEDIA.into()),
                    );
                    changed = true;
                }
            }
            let product = is("Product") || is("ProductGroup");
            for (k, child) in o.iter_mut() {
                if (product || in_product) && k == "image" {
                    match child {
                        Value::String(u) if synthetic(u) => {
                            *child = image_object(u);
                            changed = true;
                        }
                        Value::Array(a) => {
                            for item in a.iter_mut() {
                                match item {
                                    Value::String(u) if synthetic(u) => {
                                        *item = image_object(u);
                                        changed = true;
                                    }
                                    Value::String(_) => {}
                                    other => changed |= mark_ld(other, true, synthetic),
                                }
                            }
                        }
                        other => changed |= mark_ld(other, true, synthetic),
                    }
                } else if k != "@context" {
                    changed |= mark_ld(child, product, synthetic);
                }
            }
            changed
        }
        _ => false,
    }
}

fn image_object(url: &str) -> Value {
    let mut m = Map::new();
    m.insert("@type".into(), Value::String("ImageObject".into()));
    m.insert("contentUrl".into(), Value::String(url.into()));
    m.insert(
        "digitalSourceType".into(),
        Value::String(TRAINED_ALGORITHMIC_MEDIA.into()),
    );
    Value::Object(m)
}

/// One attribute of a start tag, as offsets into the page.
struct Attr {
    name: String,
    name_end: usize,
    /// The value without its quotes.
    value: Option<Range<usize>>,
    quoted: bool,
}

/// The attributes of the start tag at `tag` (the HTML tokenizer's rules, on the masked
/// bytes), and where new attributes go: before `/>` or `>`. `None` when the range is
/// not one start tag.
fn attributes(b: &[u8], tag: Range<usize>) -> Option<(Vec<Attr>, usize)> {
    let t = b.get(tag.clone())?;
    if t.len() < 3 || t[0] != b'<' || *t.last()? != b'>' {
        return None;
    }
    let end = tag.end - 1;
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    let mut i = tag.start + 1;
    while i < end && !ws(b[i]) && b[i] != b'/' {
        i += 1;
    }
    let mut attrs = Vec::new();
    let mut slash = None;
    loop {
        while i < end && (ws(b[i]) || b[i] == b'/') {
            slash = (b[i] == b'/').then_some(i);
            i += 1;
        }
        if i >= end {
            break;
        }
        slash = None;
        let from = i;
        i += 1; // a name may start with `=`
        while i < end && !ws(b[i]) && !matches!(b[i], b'/' | b'=') {
            i += 1;
        }
        let name = String::from_utf8_lossy(&b[from..i]).to_ascii_lowercase();
        let name_end = i;
        let mut j = i;
        while j < end && ws(b[j]) {
            j += 1;
        }
        let (mut value, mut quoted) = (None, false);
        if j < end && b[j] == b'=' {
            j += 1;
            while j < end && ws(b[j]) {
                j += 1;
            }
            if j < end && matches!(b[j], b'"' | b'\'') {
                let q = b[j];
                let close = j + 1 + b[j + 1..end].iter().position(|&c| c == q)?;
                value = Some(j + 1..close);
                quoted = true;
                i = close + 1;
            } else {
                let from = j;
                while j < end && !ws(b[j]) {
                    j += 1;
                }
                value = Some(from..j);
                i = j;
            }
        }
        attrs.push(Attr {
            name,
            name_end,
            value,
            quoted,
        });
    }
    Some((attrs, slash.unwrap_or(end)))
}

/// The edits that mark an element: `data-synthetic="true"`, the asset hash, and
/// `refs` (the note's ids) in `aria-describedby`, after any ids it already names.
/// Existing bytes are kept; only values are extended or set.
fn attribute_edits(
    masked: &[u8],
    tag: Range<usize>,
    asset: Option<&str>,
    refs: &str,
) -> Option<Vec<Edit>> {
    let (attrs, at) = attributes(masked, tag)?;
    let get = |n: &str| attrs.iter().find(|a| a.name == n);
    let text = |r: &Range<usize>| String::from_utf8_lossy(&masked[r.clone()]).into_owned();
    let mut edits = Vec::new();
    let mut add = String::new();
    // Sets an existing attribute's value (or gives a bare one a value).
    let set = |a: &Attr, v: &str, edits: &mut Vec<Edit>| match (&a.value, a.quoted) {
        (Some(r), true) => edits.push(Edit {
            range: r.clone(),
            order: 1,
            text: v.to_owned(),
        }),
        (Some(r), false) => edits.push(Edit {
            range: r.clone(),
            order: 1,
            text: format!("\"{v}\""),
        }),
        (None, _) => edits.push(Edit {
            range: a.name_end..a.name_end,
            order: 1,
            text: format!("=\"{v}\""),
        }),
    };
    match get("data-synthetic") {
        Some(a)
            if a.value
                .as_ref()
                .is_some_and(|r| text(r).trim().eq_ignore_ascii_case("true")) => {}
        Some(a) => set(a, "true", &mut edits),
        None => add.push_str(" data-synthetic=\"true\""),
    }
    if let Some(h) = asset
        && get("data-synthetic-asset").is_none()
    {
        add.push_str(&format!(" data-synthetic-asset=\"{h}\""));
    }
    match get("aria-describedby") {
        Some(Attr {
            value: Some(r),
            quoted: true,
            ..
        }) if !text(r).trim().is_empty() => {
            // After the last id, inside the quotes.
            let end = r.start + text(r).trim_end().len();
            edits.push(Edit {
                range: end..end,
                order: 1,
                text: format!(" {refs}"),
            });
        }
        Some(a @ Attr { value: Some(r), .. }) if !text(r).trim().is_empty() => {
            let v = format!("{} {refs}", text(r).trim());
            set(a, &v, &mut edits);
        }
        Some(a) => set(a, refs, &mut edits),
        None => add.push_str(&format!(" aria-describedby=\"{refs}\"")),
    }
    if !add.is_empty() {
        // Before `/>`, the slash keeps a space after the new attributes.
        if masked[at] == b'/' {
            add.push(' ');
        }
        edits.push(Edit {
            range: at..at,
            order: 1,
            text: add,
        });
    }
    Some(edits)
}

/// `edits` spliced into `bytes`; `None` if two overlap.
fn splice(bytes: &[u8], mut edits: Vec<Edit>) -> Option<Vec<u8>> {
    edits.sort_by_key(|e| (e.range.start, e.order));
    let extra: usize = edits.iter().map(|e| e.text.len()).sum();
    let mut out = Vec::with_capacity(bytes.len() + extra);
    let mut cursor = 0;
    for e in edits {
        if e.range.start < cursor || e.range.end > bytes.len() {
            return None;
        }
        out.extend_from_slice(&bytes[cursor..e.range.start]);
        out.extend_from_slice(e.text.as_bytes());
        cursor = e.range.end;
    }
    out.extend_from_slice(&bytes[cursor..]);
    Some(out)
}
