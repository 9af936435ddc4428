//! The parts of the HTML Standard's tree construction (§13.2.6) that decide where an
//! element goes, as tables over tag names. lol_html tokenizes but builds no tree, so
//! without these `<p>a<p>b` would nest the second paragraph in the first and a finding's
//! selector would name an element the browser never built.
//!
//! Covered: implied end tags of `p`, `li`, `dd`/`dt`, headings, `option`/`optgroup`,
//! buttons and table parts; implied `tbody`, `tr`, `colgroup`, `head`, `body`; a second
//! `<body>` merged into the first; `head` closed by body content; formatting elements
//! left open and reconstructed where the next content goes; SVG tag-name case. Not
//! covered (rare on storefronts): the adoption agency moving a block out of a misnested
//! formatting element (detected and recorded in `Page::approximate`), foster parenting
//! of content misplaced in tables, and `<select>` content.

/// Formatting elements (§13.2.4.3): left open, the browser recreates them around what
/// follows.
pub fn is_formatting(tag: &str) -> bool {
    matches!(
        tag,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Elements that fence the list of formatting elements (a cell does not inherit the
/// table's open `<b>`).
pub fn is_formatting_marker(tag: &str) -> bool {
    matches!(
        tag,
        "applet" | "object" | "marquee" | "template" | "td" | "th" | "caption"
    )
}

/// Start tags before which the parser reconstructs the open formatting elements: the
/// inline ones, not blocks.
pub fn reconstructs(tag: &str) -> bool {
    !is_special(tag)
        || matches!(
            tag,
            "img"
                | "input"
                | "br"
                | "button"
                | "embed"
                | "area"
                | "wbr"
                | "keygen"
                | "applet"
                | "object"
                | "marquee"
                | "select"
        )
}

/// Block-level by default (the HTML Standard's rendering section): content after one
/// starts on the line below it. Not the same set as [`closes_p`], which is about the
/// parser.
pub fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "fieldset"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "search"
            | "section"
            | "table"
            | "ul"
            | "li"
    )
}

/// Start tags that close an open `p` in button scope (§13.2.6.4.7, "in body").
pub fn closes_p(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "pre"
            | "listing"
            | "form"
            | "plaintext"
            | "hr"
            | "xmp"
            | "li"
            | "dd"
            | "dt"
    ) || is_heading(tag)
}

pub fn is_heading(tag: &str) -> bool {
    matches!(tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// The "special" category (§13.2.4.2): a `li` or `dd` start tag looks for an open item
/// to close only up to the first of these (other than address, div and p).
pub fn is_special(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "bgsound"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "iframe"
            | "img"
            | "input"
            | "keygen"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "meta"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "param"
            | "plaintext"
            | "pre"
            | "script"
            | "search"
            | "section"
            | "select"
            | "source"
            | "style"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
            | "wbr"
            | "xmp"
            | "foreignObject"
    ) || is_heading(tag)
}

/// Where "has an element in scope" stops looking (§13.2.4.2).
pub fn is_scope_boundary(tag: &str) -> bool {
    matches!(
        tag,
        "applet"
            | "caption"
            | "html"
            | "table"
            | "td"
            | "th"
            | "marquee"
            | "object"
            | "template"
            | "foreignObject"
            | "mi"
            | "mo"
            | "mn"
            | "ms"
            | "mtext"
            | "annotation-xml"
    )
}

/// "Table scope": where a table part looks for an open cell or row.
pub fn is_table_scope_boundary(tag: &str) -> bool {
    matches!(tag, "html" | "table" | "template")
}

pub fn is_table_section(tag: &str) -> bool {
    matches!(tag, "tbody" | "thead" | "tfoot")
}

/// Start tags that the "in table" modes handle (and that end an open cell).
pub fn is_table_part(tag: &str) -> bool {
    matches!(
        tag,
        "caption" | "colgroup" | "col" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th"
    )
}

/// Elements the parser keeps in `<head>`; anything else there closes the head.
pub fn belongs_in_head(tag: &str) -> bool {
    matches!(
        tag,
        "base"
            | "basefont"
            | "bgsound"
            | "link"
            | "meta"
            | "noframes"
            | "script"
            | "style"
            | "template"
            | "title"
            | "noscript"
    )
}

/// The SVG element names whose case the parser restores (§13.2.6.5); CSS type selectors
/// match SVG elements case-sensitively, so `lineargradient` would match nothing.
pub fn svg_tag_name(lower: &str) -> Option<&'static str> {
    const NAMES: &[&str] = &[
        "altGlyph",
        "altGlyphDef",
        "altGlyphItem",
        "animateColor",
        "animateMotion",
        "animateTransform",
        "clipPath",
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feConvolveMatrix",
        "feDiffuseLighting",
        "feDisplacementMap",
        "feDistantLight",
        "feDropShadow",
        "feFlood",
        "feFuncA",
        "feFuncB",
        "feFuncG",
        "feFuncR",
        "feGaussianBlur",
        "feImage",
        "feMerge",
        "feMergeNode",
        "feMorphology",
        "feOffset",
        "fePointLight",
        "feSpecularLighting",
        "feSpotLight",
        "feTile",
        "feTurbulence",
        "foreignObject",
        "glyphRef",
        "linearGradient",
        "radialGradient",
        "textPath",
    ];
    NAMES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(lower))
        .copied()
}

/// Whether a doctype puts the document in quirks mode, where `<table>` does not close
/// an open `p`. Approximates §13.2.6.4.1: no doctype, a name other than `html`, or an
/// HTML 3/4 transitional public id without a system id.
pub fn is_quirks(name: Option<&str>, public: Option<&str>, system: Option<&str>) -> bool {
    if !name.is_some_and(|n| n.eq_ignore_ascii_case("html")) {
        return true;
    }
    let Some(public) = public.map(str::to_ascii_lowercase) else {
        return false;
    };
    let legacy = [
        "-//w3c//dtd html 3",
        "-//ietf//dtd html",
        "-//w3o//dtd w3 html",
    ];
    if legacy.iter().any(|p| public.starts_with(p)) {
        return true;
    }
    system.is_none()
        && (public.starts_with("-//w3c//dtd html 4.01 transitional//")
            || public.starts_with("-//w3c//dtd html 4.01 frameset//"))
}
