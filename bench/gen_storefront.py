#!/usr/bin/env python3
"""Writes N saved Magento-Luma-like product pages of about SIZE_KB each (header, mega
menu, breadcrumbs, gallery, description, JSON-LD, reviews, footer, inline scripts), a
pool of product images, and the generated descriptions/images to register.

Every 4th product uses an AI-generated image, every 3rd an AI-generated description;
about half of those are disclosed. Deterministic (seeded)."""
import os, random, sys, struct, zlib, json

n = int(sys.argv[1]); size_kb = int(sys.argv[2]); out = sys.argv[3]
rng = random.Random(7)
site = os.path.join(out, "site"); reg = os.path.join(out, "registered")
os.makedirs(os.path.join(site, "media"), exist_ok=True); os.makedirs(reg, exist_ok=True)

def png(seed):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    w = h = 32
    r = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(r.randrange(256) for _ in range(w * 3)) for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

IMAGES = 400
for i in range(IMAGES):
    b = png(i)
    open(os.path.join(site, "media", f"p{i}.png"), "wb").write(b)
    if i % 4 == 0:
        open(os.path.join(reg, f"p{i}.png"), "wb").write(b)

WORDS = ("organic gentle daily blend vitamin support natural formula herbal capsule sleep "
         "energy immune balance calm focus recovery hydration fiber protein clean vegan "
         "sourced tested premium soothing refreshing botanical extract mineral").split()

def sentence(k):
    return " ".join(rng.choice(WORDS) for _ in range(k)).capitalize() + "."

menu = "".join(
    f'<li class="level0 nav-{i} category-item level-top parent"><a href="/c/{i}.html" class="level-top"><span>{sentence(2)}</span></a>'
    + '<ul class="level0 submenu">' + "".join(f'<li class="level1 nav-{i}-{j} category-item"><a href="/c/{i}/{j}.html"><span>{sentence(2)}</span></a></li>' for j in range(12)) + "</ul></li>"
    for i in range(14))
style = "<style>" + "".join(f".c{i}{{margin:{i}px;padding:{i%7}px;color:#{i:06x}}}" for i in range(400)) + "</style>"
script = "<script>var config = " + json.dumps({f"k{i}": sentence(4) for i in range(60)}) + ";</script>"

written = 0
for p in range(n):
    img = rng.randrange(IMAGES)
    ai_img = img % 4 == 0
    ai_text = p % 3 == 0
    desc = "<p>" + " ".join(sentence(rng.randrange(8, 20)) for _ in range(6)) + "</p><ul>" + "".join(f"<li>{sentence(4)}</li>" for _ in range(5)) + "</ul>"
    if ai_text:
        open(os.path.join(reg, f"desc{p}.html"), "w").write(desc)
    disclose = p % 2 == 0
    figure = (f'<figure class="gallery" data-synthetic="true" aria-label="AI-generated image"><img class="gallery-placeholder__image" src="../media/p{img}.png" alt="x"></figure>'
              if ai_img and disclose else f'<div class="gallery-placeholder"><img class="gallery-placeholder__image" src="../media/p{img}.png" alt="x"></div>')
    description = (f'<div class="product attribute description" data-synthetic="true"><p class="note">AI-generated description</p><div class="value">{desc}</div></div>'
                   if ai_text and disclose else f'<div class="product attribute description"><div class="value">{desc}</div></div>')
    ld = json.dumps({"@context": "https://schema.org", "@type": "Product", "name": sentence(3), "sku": f"SKU-{p}", "image": f"../media/p{img}.png",
                     "offers": {"@type": "Offer", "price": rng.randrange(5, 90), "priceCurrency": "EUR"}})
    reviews = "".join(f'<li class="item review-item"><div class="review-title">{sentence(4)}</div><div class="review-content">{sentence(25)}</div><div class="review-details"><p class="review-author"><strong class="review-details-value">{sentence(1)}</strong></p></div></li>' for _ in range(12))
    body = (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{sentence(4)}</title>\n{style}\n{script}\n'
            f'<script type="application/ld+json">{ld}</script>\n</head>\n<body class="catalog-product-view page-layout-1column">\n'
            f'<header class="page-header"><div class="panel wrapper"><ul class="header links"><li><a href="/customer/account/">Account</a></li></ul></div></header>\n'
            f'<nav class="navigation"><ul>{menu}</ul></nav>\n<main id="maincontent" class="page-main"><div class="columns"><div class="column main">\n'
            f'<div class="product media">{figure}</div>\n<div class="product-info-main"><h1 class="page-title"><span class="base">{sentence(3)}</span></h1></div>\n'
            f'{description}\n<div id="product-review-container"><ol class="items review-items">{reviews}</ol></div>\n</div></div></main>\n')
    filler = []
    while len(body) + sum(map(len, filler)) < size_kb * 1024 - 200:
        filler.append(f'<div class="block widget c{rng.randrange(400)}"><a href="/p/{rng.randrange(n)}.html">{sentence(6)}</a><span class="price">{rng.randrange(5,90)}.00</span></div>\n')
    page = body + "<footer class=\"page-footer\">" + "".join(filler) + "</footer>\n</body>\n</html>\n"
    d = os.path.join(site, f"p{p // 1000}")
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, f"{p}.html"), "w").write(page)
    written += len(page)
print(f"{n} pages, {written} bytes of HTML, {IMAGES} images", file=sys.stderr)
