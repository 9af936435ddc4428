// Renders the Shopify theme app extension's block for sample products with liquidjs,
// one HTML page per product, as a storefront would serve it.
// Usage: node render-shopify.mjs EXTENSION_DIR PRODUCTS.json OUT_DIR [--plain]
// --plain renders the products without the block (the control: same content, no
// disclosure), so a test can show the scan tells the two apart.
import { Liquid } from 'liquidjs';
import fs from 'node:fs';
import path from 'node:path';

const [ext, productsFile, outDir, mode] = process.argv.slice(2);
if (!ext || !productsFile || !outDir) {
  console.error('usage: render-shopify.mjs EXTENSION_DIR PRODUCTS.json OUT_DIR [--plain]');
  process.exit(2);
}
const locale = JSON.parse(fs.readFileSync(path.join(ext, 'locales', 'en.default.json'), 'utf8'));
const engine = new Liquid({
  root: [path.join(ext, 'snippets'), path.join(ext, 'blocks')],
  extname: '.liquid',
  strictFilters: true,
});
// Shopify's filters and tags that the extension uses, as Shopify defines them.
engine.registerFilter('t', (key, ...args) => {
  let v = key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), locale);
  if (typeof v !== 'string') return `translation missing: en.${key}`;
  for (const a of args) {
    if (Array.isArray(a)) v = v.replaceAll(`{{ ${a[0]} }}`, String(a[1]));
  }
  return v;
});
engine.registerFilter('image_url', (image) => image.src);
engine.registerFilter('asset_url', (name) => `assets/${name}`);
engine.registerFilter('stylesheet_tag', (url) => `<link rel="stylesheet" href="${url}">`);
engine.registerTag('schema', {
  parse(token, remain) {
    this.tokens = [];
    const stream = this.liquid.parser.parseStream(remain);
    stream.on('tag:endschema', () => stream.stop()).on('template', () => {}).on('end', () => {
      throw new Error('{% schema %} without {% endschema %}');
    });
    stream.start();
  },
  * render() {},
});

const products = JSON.parse(fs.readFileSync(productsFile, 'utf8'));
fs.mkdirSync(path.join(outDir, 'assets'), { recursive: true });
fs.copyFileSync(path.join(ext, 'assets', 'synthgov-disclosure.css'), path.join(outDir, 'assets', 'synthgov-disclosure.css'));
const plain = `{%- for image in product.images -%}<figure><img src="{{ image | image_url: width: 1200 }}" alt="{{ image.alt | escape }}"></figure>{%- endfor -%}<div class="description">{{ product.description }}</div>`;
for (const product of products) {
  const body = mode === '--plain'
    ? await engine.parseAndRender(plain, { product })
    : await engine.renderFile('ai-disclosure', {
      product,
      block: { shopify_attributes: '', settings: { show_description: true, provenance_url: 'https://gov.example/v1/assets/{sha256}' } },
    });
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${product.title}</title></head>\n<body><main>\n<h1>${product.title}</h1>\n${body}\n</main></body></html>\n`;
  fs.writeFileSync(path.join(outDir, `${product.handle}.html`), html);
}
console.log(`rendered ${products.length} products`);
