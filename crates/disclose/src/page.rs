//! `disclose html`: one page in, the disclosed page out.
//!
//! Two passes over the bytes: the scanner's parse ([`synthgov_scan::html::parse`]) and
//! recognition decide what to change, then a lol_html rewrite applies it. Both passes
//! see the same elements in the same order, so element `i` of the rewrite is node `i`
//! of the parsed page. Untouched bytes pass through unchanged, and a page that needs
//! nothing comes back byte-identical, which makes a second run a no-op.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use lol_html::html_content::{ContentType, Element};
use lol_html::{HtmlRewriter, Settings, element};
use serde_json::{Map, Value};
use synthgov_core::finding::ScanProblem;
use synthgov_scan::html::{self, Page};
use synthgov_scan::known::Known;
use synthgov_scan::storefront::{Disclosure, MediaSource, disclosure, recognize};

use crate::labels::Labels;
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
    /// Always rewrite with a second tokenizer pass instead of splicing at recorded
    /// offsets (the two give the same bytes; tests compare them).
    pub second_pass: bool,
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
    /// What could not be read or fixed (an unreadable image, a disclosure with no safe
    /// place); the rest of the page is still disclosed.
    pub problems: Vec<ScanProblem>,
    /// The changes were spliced in at recorded offsets (no second tokenizer pass).
    pub spliced: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscloseError {
    #[error("not UTF-8 (invalid byte at offset {offset}); convert the page to UTF-8 first")]
    NotUtf8 { offset: usize },
    #[error(transparent)]
    Parse(#[from] html::HtmlError),
    #[error("rewriting failed: {0}")]
    Rewrite(String),
}

/// What to do to one element.
struct Plan {
    asset: Option<String>,
    note_id: String,
    detail_id: String,
}

/// Where a note goes.
#[derive(Clone, Copy)]
enum Place {
    After,
    /// First thing inside (list items and table cells, where a sibling would be
    /// moved by the parser).
    Prepend,
}

pub fn disclose_page(
    known: &Known,
    uri: &str,
    bytes: &[u8],
    media: &dyn MediaSource,
    opts: &Options,
) -> Result<Rewritten, DiscloseError> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(DiscloseError::NotUtf8 {
            offset: e.valid_up_to(),
        });
    }
    let page = html::parse(bytes)?;
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
    let needs = |n: u32| match page.synthetic_scope(n) {
        Some(s) => {
            (disclosure(&page, &hidden, s, opts.phrases) != Disclosure::Visible).then_some(s)
        }
        None => Some(n),
    };
    for m in seen.media.iter().filter(|m| m.is_synthetic()) {
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

    let mut plans: HashMap<u32, Plan> = HashMap::new();
    let mut notes_at: HashMap<u32, (Place, Vec<String>)> = HashMap::new();
    let mut used_ids: HashSet<String> = page.ids.keys().map(|k| k.to_string()).collect();
    for t in targets {
        if plans.contains_key(&t.el) {
            continue;
        }
        let Some((anchor, place)) = placement(&page, bytes, t.el) else {
            out.problems.push(ScanProblem {
                uri: format!("{uri}:{}", page.nodes[t.el as usize].line),
                message: format!(
                    "{}: no place for a disclosure note next to <{}> that the HTML parser keeps; disclose it in the template",
                    page.selector(t.el),
                    page.nodes[t.el as usize].tag
                ),
            });
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
        used_ids.insert(id.clone());
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
        };
        let html = note.html();
        let detail_id = note.detail_id();
        out.changes.push(Change {
            kind: t.kind,
            line: page.nodes[t.el as usize].line,
            selector: page.selector(t.el),
            sha256: sha_hex.clone(),
            generator: t.generator,
        });
        notes_at
            .entry(anchor)
            .or_insert_with(|| (place, Vec::new()))
            .1
            .push(html);
        plans.insert(
            t.el,
            Plan {
                asset: sha_hex,
                note_id: id,
                detail_id,
            },
        );
    }
    // Structured data.
    let mut jsonld: HashMap<u32, String> = HashMap::new();
    for block in &page.jsonld {
        let Ok(mut v) = serde_json::from_str::<Value>(&block.text) else {
            continue; // the scanner reports invalid JSON-LD; nothing safe to change
        };
        let synthetic = |url: &str| seen.synthetic_url(known, uri, url, media).is_some();
        if mark_ld(&mut v, false, &synthetic) {
            let text = serde_json::to_string(&v)
                .map_err(|e| DiscloseError::Rewrite(e.to_string()))?
                // `</script` inside a string would end the element early.
                .replace("</", "<\\/");
            jsonld.insert(block.node, text);
            out.changes.push(Change {
                kind: ChangeKind::JsonLd,
                line: block.line,
                selector: "script[type=\"application/ld+json\"]".into(),
                sha256: None,
                generator: None,
            });
        }
    }

    if plans.is_empty() && jsonld.is_empty() {
        out.html = bytes.to_vec();
        return Ok(out);
    }

    let has_style = page.ids.contains_key(widget::STYLE_ID);
    // Fast path: splice the changes in at the byte offsets the parse recorded; the
    // second tokenizer pass below is for pages where an offset is unknown (an
    // element closed implicitly) or a start tag cannot be rewritten alone.
    if !opts.second_pass
        && let Some(html) = splice(bytes, &page, &plans, &notes_at, &jsonld, !has_style)
    {
        out.html = html;
        out.spliced = true;
        return Ok(out);
    }
    let head = page
        .nodes
        .iter()
        .position(|n| &*n.tag == "head")
        .map(|i| i as u32);
    let style_pending = Cell::new(!has_style && !notes_at.is_empty());
    let counter = Cell::new(0u32);
    let mut output = Vec::with_capacity(bytes.len() + 4096);
    {
        let settings = Settings::new()
            .with_strict(false)
            .append_element_content_handler(element!("*", |el| {
                let i = counter.get();
                counter.set(i + 1);
                apply(
                    el,
                    i,
                    head == Some(i),
                    &plans,
                    &notes_at,
                    &jsonld,
                    &style_pending,
                )
                .map_err(|e| e.into())
            }));
        let mut rw = HtmlRewriter::new(settings, |c: &[u8]| output.extend_from_slice(c));
        rw.write(bytes)
            .map_err(|e| DiscloseError::Rewrite(e.to_string()))?;
        rw.end()
            .map_err(|e| DiscloseError::Rewrite(e.to_string()))?;
    }
    if counter.get() as usize != page.nodes.len() {
        return Err(DiscloseError::Rewrite(format!(
            "internal: the rewrite saw {} elements, the parse {}",
            counter.get(),
            page.nodes.len()
        )));
    }
    out.html = output;
    Ok(out)
}

fn apply(
    el: &mut Element,
    i: u32,
    is_head: bool,
    plans: &HashMap<u32, Plan>,
    notes_at: &HashMap<u32, (Place, Vec<String>)>,
    jsonld: &HashMap<u32, String>,
    style_pending: &Cell<bool>,
) -> Result<(), lol_html::errors::AttributeNameError> {
    if is_head && style_pending.get() {
        el.prepend(&widget::style(), ContentType::Html);
        style_pending.set(false);
    }
    if let Some(p) = plans.get(&i) {
        set_attributes(el, p)?;
    }
    if let Some((place, notes)) = notes_at.get(&i) {
        let mut html = String::new();
        if style_pending.get() {
            // No <head>: the stylesheet goes before the first note.
            html.push_str(&widget::style());
            style_pending.set(false);
        }
        for n in notes {
            html.push_str(n);
        }
        match place {
            Place::After => el.after(&html, ContentType::Html),
            Place::Prepend => el.prepend(&html, ContentType::Html),
        }
    }
    if let Some(text) = jsonld.get(&i) {
        el.set_inner_content(text, ContentType::Html);
    }
    Ok(())
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
    let own = tag(anchor);
    if matches!(own, "body" | "li" | "dt" | "dd" | "td" | "th" | "caption") {
        return Some((anchor, Place::Prepend));
    }
    if structural(own) || matches!(own, "title" | "meta" | "link" | "script" | "style") {
        return None;
    }
    let pt = parent(anchor);
    if pt != NONE && structural(tag(pt)) {
        return None;
    }
    // After it: only where the source closes it with its own end tag (or it is
    // void). An element left open (`<a>` closed by `</div>`, or never) has no end
    // the HTML parser agrees on, and an open link would swallow the note.
    let n = &page.nodes[anchor as usize];
    let closes_itself = n.void
        || n.end_tag.as_ref().is_some_and(|r| {
            let t = bytes.get(r.clone()).unwrap_or_default();
            let name = n.tag.as_bytes();
            t.len() > name.len() + 2
                && t[2..2 + name.len()].eq_ignore_ascii_case(name)
                && !t[2 + name.len()].is_ascii_alphanumeric()
        });
    closes_itself.then_some((anchor, Place::After))
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

/// Marks the element: `data-synthetic`, the asset hash, and `aria-describedby` to the
/// note (after any ids it already names).
fn set_attributes(el: &mut Element, p: &Plan) -> Result<(), lol_html::errors::AttributeNameError> {
    if !el
        .get_attribute("data-synthetic")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        el.set_attribute("data-synthetic", "true")?;
    }
    if let Some(a) = &p.asset
        && !el.has_attribute("data-synthetic-asset")
    {
        el.set_attribute("data-synthetic-asset", a)?;
    }
    let refs = match el.get_attribute("aria-describedby") {
        Some(prev) if !prev.trim().is_empty() => {
            format!("{} {} {}", prev.trim(), p.note_id, p.detail_id)
        }
        _ => format!("{} {}", p.note_id, p.detail_id),
    };
    el.set_attribute("aria-describedby", &refs)
}

/// The start tag `tag` with the plan's attributes, rewritten on its own.
fn rewrite_start_tag(tag: &str, p: &Plan) -> Option<String> {
    let out = lol_html::rewrite_str(
        tag,
        Settings::new().append_element_content_handler(element!("*", |el| {
            set_attributes(el, p)?;
            Ok(())
        })),
    )
    .ok()?;
    (out.starts_with('<') && out.ends_with('>') && out != tag).then_some(out)
}

/// The changes spliced into `bytes` at the offsets the parse recorded, or None when
/// an offset is unknown or edits would overlap (the caller then rewrites with a
/// second tokenizer pass).
fn splice(
    bytes: &[u8],
    page: &Page,
    plans: &HashMap<u32, Plan>,
    notes_at: &HashMap<u32, (Place, Vec<String>)>,
    jsonld: &HashMap<u32, String>,
    need_style: bool,
) -> Option<Vec<u8>> {
    // (position, order at that position, end of the replaced range, text)
    let mut edits: Vec<(usize, u8, usize, String)> = Vec::new();
    let node = |n: u32| &page.nodes[n as usize];
    let mut style_done = !need_style || notes_at.is_empty();
    if !style_done && let Some(h) = page.nodes.iter().position(|n| &*n.tag == "head") {
        let at = page.nodes[h].start_tag.end;
        edits.push((at, 0, at, widget::style()));
        style_done = true;
    }
    for (&el, plan) in plans {
        let r = node(el).start_tag.clone();
        let tag = std::str::from_utf8(bytes.get(r.clone())?).ok()?;
        edits.push((r.start, 1, r.end, rewrite_start_tag(tag, plan)?));
    }
    for (&anchor, (place, notes)) in notes_at {
        let n = node(anchor);
        let at = match place {
            Place::After => match (&n.end_tag, n.void) {
                (Some(e), _) => e.end,
                (None, true) => n.start_tag.end,
                (None, false) => return None,
            },
            Place::Prepend => n.start_tag.end,
        };
        edits.push((at, 0, at, notes.concat()));
    }
    for (&script, text) in jsonld {
        let n = node(script);
        let (from, to) = (n.start_tag.end, n.end_tag.as_ref()?.start);
        edits.push((from, 2, to, text.clone()));
    }
    edits.sort_by_key(|e| (e.0, e.1));
    if !style_done {
        // No <head>: the stylesheet goes before the first note.
        let first = edits.iter_mut().find(|e| e.1 == 0 && e.0 == e.2)?;
        first.3.insert_str(0, &widget::style());
    }
    let mut out = Vec::with_capacity(bytes.len() + edits.iter().map(|e| e.3.len()).sum::<usize>());
    let mut cursor = 0;
    for (at, _, end, text) in edits {
        if at < cursor || end < at || end > bytes.len() {
            return None;
        }
        out.extend_from_slice(&bytes[cursor..at]);
        out.extend_from_slice(text.as_bytes());
        cursor = end;
    }
    out.extend_from_slice(&bytes[cursor..]);
    Some(out)
}
