//! Images a page shows through its scripts rather than its markup: Magento's product
//! gallery and swatches (`<script type="text/x-magento-init">`, rendered by
//! mage/gallery/gallery into the `[data-gallery-role=gallery-placeholder]` element) and
//! Shopify's product JSON (`<script type="application/json">`, or the `| json` output a
//! theme writes into inline JavaScript). A gallery image beyond the first is often
//! nowhere else in the HTML.

use serde_json::Value;

/// What a `<script>` holds, by its `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    LdJson,
    MagentoInit,
    Json,
    JavaScript,
}

impl ScriptKind {
    /// `None`: a type whose content is not read (templates, unknown types).
    pub fn of(kind: Option<&str>) -> Option<ScriptKind> {
        let Some(t) = kind.map(|t| t.trim().to_ascii_lowercase()) else {
            return Some(ScriptKind::JavaScript);
        };
        Some(match t.as_str() {
            "application/ld+json" => ScriptKind::LdJson,
            "text/x-magento-init" => ScriptKind::MagentoInit,
            "application/json" => ScriptKind::Json,
            "" | "module" | "text/javascript" | "application/javascript" => ScriptKind::JavaScript,
            _ => return None,
        })
    }
}

/// An image URL a script's data names, and the CSS selector of the element Magento
/// renders it into (the x-magento-init key), if any.
#[derive(Debug, PartialEq, Eq)]
pub struct ScriptImage {
    pub target: Option<String>,
    pub url: String,
}

/// The image URLs in one script's text.
pub fn images(kind: ScriptKind, text: &str) -> Vec<ScriptImage> {
    let mut out = Vec::new();
    match kind {
        ScriptKind::LdJson => {}
        ScriptKind::MagentoInit => {
            let Ok(Value::Object(init)) = serde_json::from_str::<Value>(text) else {
                return out;
            };
            for (selector, components) in &init {
                let Value::Object(components) = components else {
                    continue;
                };
                let target = (selector != "*").then(|| selector.clone());
                for (name, config) in components {
                    let mut urls = Vec::new();
                    magento_component(name, config, &mut urls);
                    out.extend(urls.into_iter().map(|url| ScriptImage {
                        target: target.clone(),
                        url,
                    }));
                }
            }
        }
        ScriptKind::Json => {
            if let Ok(v) = serde_json::from_str::<Value>(text) {
                let mut urls = Vec::new();
                shopify_product(&v, 0, &mut urls);
                out.extend(
                    urls.into_iter()
                        .map(|url| ScriptImage { target: None, url }),
                );
            }
        }
        ScriptKind::JavaScript => {
            let mut urls = Vec::new();
            for v in embedded_json(text) {
                shopify_product(&v, 0, &mut urls);
            }
            out.extend(
                urls.into_iter()
                    .map(|url| ScriptImage { target: None, url }),
            );
        }
    }
    let mut seen = rustc_hash::FxHashSet::default();
    out.retain(|i| seen.insert(i.url.clone()));
    out
}

/// Gallery `data` (`mage/gallery/gallery` and themes' variants of it) and the per-option
/// images of configurable products (`jsonConfig.images`).
fn magento_component(name: &str, config: &Value, out: &mut Vec<String>) {
    let frames = |v: &Value, out: &mut Vec<String>| {
        for f in v.as_array().into_iter().flatten() {
            for key in ["img", "full", "thumb"] {
                if let Some(u) = f.get(key).and_then(Value::as_str) {
                    out.push(u.to_owned());
                }
            }
        }
    };
    if name.contains("gallery")
        && let Some(data) = config.get("data")
    {
        frames(data, out);
    }
    if let Some(images) = config
        .pointer("/jsonConfig/images")
        .and_then(Value::as_object)
    {
        for v in images.values() {
            frames(v, out);
        }
    }
}

/// Shopify's product object: `featured_image`, `images`, `media[].src` (and
/// `preview_image.src`), at any depth (variants carry their own `featured_image`).
fn shopify_product(v: &Value, depth: u32, out: &mut Vec<String>) {
    if depth > 16 {
        return;
    }
    let src = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("src")
                .and_then(Value::as_str)
                .or_else(|| o.get("preview_image")?.get("src")?.as_str())
                .map(str::to_owned),
            _ => None,
        }
    };
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("featured_image", v) => out.extend(src(v)),
                    ("images" | "media", Value::Array(items)) => {
                        out.extend(items.iter().filter_map(src));
                    }
                    _ => {}
                }
                if matches!(v, Value::Object(_) | Value::Array(_)) {
                    shopify_product(v, depth + 1, out);
                }
            }
        }
        Value::Array(items) => {
            for i in items {
                shopify_product(i, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// JSON values of the image keys inside JavaScript (`var meta = {...}`,
/// `product: {{ product | json }}`), each parsed where it starts: the JSON is exact
/// even when the script around it is not JSON.
fn embedded_json(js: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for key in ["\"featured_image\":", "\"images\":", "\"media\":"] {
        for at in memchr::memmem::find_iter(js.as_bytes(), key.as_bytes()) {
            let rest = js[at + key.len()..].trim_start();
            let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
            if let Some(Ok(v)) = values.next() {
                let name = &key[1..key.len() - 2];
                out.push(Value::Object([(name.to_owned(), v)].into_iter().collect()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magento_gallery_and_swatch_images_with_their_target() {
        let init = r##"{"[data-gallery-role=gallery-placeholder]": {"mage/gallery/gallery": {
            "data": [{"thumb": "https:\/\/s\/t\/a.jpg", "img": "https:\/\/s\/i\/a.jpg", "full": "https:\/\/s\/f\/a.jpg"}]}},
            "#product_addtocart_form": {"configurable": {"jsonConfig": {"images": {"12": [{"img": "/b.jpg"}]}}}}}"##;
        let got = images(ScriptKind::MagentoInit, init);
        let urls: Vec<_> = got.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://s/i/a.jpg",
                "https://s/f/a.jpg",
                "https://s/t/a.jpg",
                "/b.jpg"
            ]
        );
        assert_eq!(
            got[0].target.as_deref(),
            Some("[data-gallery-role=gallery-placeholder]")
        );
        assert_eq!(got[3].target.as_deref(), Some("#product_addtocart_form"));
    }

    #[test]
    fn shopify_product_json_in_json_scripts_and_in_javascript() {
        let json = r#"{"product": {"featured_image": "//s/p/1.jpg", "images": ["//s/p/1.jpg", "//s/p/2.jpg"],
            "media": [{"src": "//s/p/3.jpg"}, {"preview_image": {"src": "//s/p/4.jpg"}}],
            "variants": [{"featured_image": {"src": "//s/p/5.jpg"}}]}}"#;
        let urls = |k, t| images(k, t).into_iter().map(|i| i.url).collect::<Vec<_>>();
        let all = [
            "//s/p/1.jpg",
            "//s/p/2.jpg",
            "//s/p/3.jpg",
            "//s/p/4.jpg",
            "//s/p/5.jpg",
        ];
        let mut got = urls(ScriptKind::Json, json);
        got.sort();
        assert_eq!(got, all);
        let js = format!(
            "new Shopify.OptionSelectors('x', {{ product: {json}, onVariantSelected: f }});"
        );
        let mut got = urls(ScriptKind::JavaScript, &js);
        got.sort();
        assert_eq!(got, all);
        assert!(
            urls(
                ScriptKind::JavaScript,
                "var images = [1,2]; x = {\"images\": "
            )
            .is_empty()
        );
    }

    #[test]
    fn script_types() {
        assert_eq!(ScriptKind::of(None), Some(ScriptKind::JavaScript));
        assert_eq!(
            ScriptKind::of(Some(" Text/X-Magento-Init ")),
            Some(ScriptKind::MagentoInit)
        );
        assert_eq!(ScriptKind::of(Some("text/template")), None);
    }
}
