//! Template code in theme files: the byte ranges `disclose html` must never change.
//!
//! A theme template is HTML with another language inside it: Liquid `{{ }}` / `{% %}`
//! (Shopify), PHP `<?php ?>` / `<?= ?>` (Magento .phtml), Twig or Jinja, Handlebars,
//! and Magento's CMS directives `{{store url="…"}}` in page content. The HTML
//! tokenizer reads that code as markup (a quote inside `{{ }}` ends an attribute, the
//! `>` of `?>` ends a start tag), so the page is parsed with each region blanked to
//! spaces (newlines kept, so offsets and lines stay those of the file), and every edit
//! is checked against the regions before it is made.

use std::ops::Range;

/// The template languages a file may hold, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `.html`, `.htm`, `.xhtml`: Magento CMS directives `{{…}}` only.
    Html,
    /// `.liquid`: `{{ }}`, `{% %}`.
    Liquid,
    /// `.phtml`, `.php`: `<?php ?>`, `<?= ?>`, `<? ?>`; and `{{ }}`.
    Php,
    /// `.twig`, `.jinja`, `.j2`, `.njk`: `{{ }}`, `{% %}`, `{# #}`.
    Twig,
    /// `.hbs`, `.handlebars`, `.mustache`: `{{ }}`, `{{{ }}}`.
    Handlebars,
}

/// The extensions `disclose html` walks a folder for by default.
pub const DEFAULT_EXTENSIONS: &[&str] = &[
    "html",
    "htm",
    "xhtml",
    "liquid",
    "phtml",
    "twig",
    "hbs",
    "handlebars",
];

impl Syntax {
    /// The syntax of a file by its extension; an unknown extension is plain HTML.
    pub fn of_path(path: &str) -> Syntax {
        let ext = path
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "liquid" => Syntax::Liquid,
            "phtml" | "php" => Syntax::Php,
            "twig" | "jinja" | "jinja2" | "j2" | "njk" => Syntax::Twig,
            "hbs" | "handlebars" | "mustache" => Syntax::Handlebars,
            _ => Syntax::Html,
        }
    }

    /// (opening, closing) delimiters, longest first where one opens another.
    fn delimiters(self) -> &'static [(&'static [u8], &'static [u8])] {
        match self {
            Syntax::Html => &[(b"{{", b"}}")],
            Syntax::Liquid => &[(b"{{", b"}}"), (b"{%", b"%}")],
            Syntax::Php => &[(b"<?", b"?>"), (b"{{", b"}}")],
            Syntax::Twig => &[(b"{{", b"}}"), (b"{%", b"%}"), (b"{#", b"#}")],
            Syntax::Handlebars => &[(b"{{{", b"}}}"), (b"{{", b"}}")],
        }
    }
}

/// The template regions of `bytes`, in order, not overlapping. PHP left open runs to
/// the end of the file (PHP allows it); another unclosed opener is left as text.
pub fn regions(bytes: &[u8], syntax: Syntax) -> Vec<Range<usize>> {
    let delims = syntax.delimiters();
    let php = syntax == Syntax::Php;
    let mut out = Vec::new();
    let mut i = 0;
    // memchr to the next possible opener: this runs over every byte of every page.
    while let Some(k) = if php {
        memchr::memchr2(b'{', b'<', &bytes[i..])
    } else {
        memchr::memchr(b'{', &bytes[i..])
    } {
        i += k;
        let Some((open, close)) = delims.iter().find(|(o, _)| bytes[i..].starts_with(o)) else {
            i += 1;
            continue;
        };
        let from = i + open.len();
        match find(&bytes[from..], close) {
            Some(at) => {
                let end = from + at + close.len();
                out.push(i..end);
                i = end;
            }
            None if *open == b"<?" => {
                out.push(i..bytes.len());
                break;
            }
            None => i += open.len(),
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// `bytes` with every region blanked: each byte a space, line breaks kept.
pub fn mask(bytes: &[u8], regions: &[Range<usize>]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for r in regions {
        for b in &mut out[r.clone()] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    out
}

/// Whether an insertion at `at` or a replacement of `range` would change template code:
/// it falls strictly inside a region or overlaps one.
pub fn touches(regions: &[Range<usize>], range: Range<usize>) -> bool {
    // Regions are sorted: the first one that ends after the edit starts.
    let k = regions.partition_point(|r| r.end <= range.start);
    regions.get(k).is_some_and(|r| {
        if range.is_empty() {
            r.start < range.start && range.start < r.end
        } else {
            r.start < range.end && range.start < r.end
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, s: Syntax) -> Vec<&str> {
        regions(src.as_bytes(), s)
            .into_iter()
            .map(|r| &src[r])
            .collect()
    }

    #[test]
    fn each_language_has_its_regions() {
        let liquid = r#"<div class="{{ 'a' | append: " small" }}">{% if x %}y{% endif %}</div>"#;
        assert_eq!(
            texts(liquid, Syntax::Liquid),
            [
                r#"{{ 'a' | append: " small" }}"#,
                "{% if x %}",
                "{% endif %}"
            ]
        );
        let php = "<dd <?= /* @noEscape */ $x ?>>v</dd><?php echo 1;";
        assert_eq!(
            texts(php, Syntax::Php),
            ["<?= /* @noEscape */ $x ?>", "<?php echo 1;"]
        );
        let cms = r#"<a href="{{store url="contact"}}">{{widget type="x"}}</a> {{ open"#;
        assert_eq!(
            texts(cms, Syntax::Html),
            [r#"{{store url="contact"}}"#, r#"{{widget type="x"}}"#]
        );
        assert_eq!(
            texts("{{{raw}}} {{x}}", Syntax::Handlebars),
            ["{{{raw}}}", "{{x}}"]
        );
        assert_eq!(texts("{# c #}{{x}}", Syntax::Twig), ["{# c #}", "{{x}}"]);
        // PHP is not Liquid: `{%` in a .phtml is text.
        assert!(texts("{% x %}", Syntax::Php).is_empty());
    }

    #[test]
    fn masking_keeps_offsets_and_lines() {
        let src = "<p a=\"{{ x\n \" }}\">t</p>";
        let r = regions(src.as_bytes(), Syntax::Liquid);
        let m = mask(src.as_bytes(), &r);
        assert_eq!(m.len(), src.len());
        assert_eq!(
            std::str::from_utf8(&m).unwrap(),
            "<p a=\"    \n     \">t</p>"
        );
        assert!(touches(&r, 8..8));
        assert!(!touches(&r, 6..6), "at a region's start is outside it");
        assert!(!touches(&r, 17..17), "at its end too");
        assert!(touches(&r, 0..7));
        assert!(!touches(&r, 0..6));
    }

    #[test]
    fn extensions_name_the_syntax() {
        assert_eq!(
            Syntax::of_path("sections/main-product.liquid"),
            Syntax::Liquid
        );
        assert_eq!(Syntax::of_path("view/attribute.PHTML"), Syntax::Php);
        assert_eq!(Syntax::of_path("a/b.html"), Syntax::Html);
        assert_eq!(Syntax::of_path("noext"), Syntax::Html);
    }
}
