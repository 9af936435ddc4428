// Renders one theme template with liquidjs, Shopify's tags that need a store (render,
// form, style, javascript, schema, section) reduced to their content or nothing, so a
// test can compare a template before and after `disclose html`.
// Usage: node render-liquid.mjs TEMPLATE.liquid   (the rendered HTML on stdout)
import { Liquid } from 'liquidjs';
import fs from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: render-liquid.mjs TEMPLATE.liquid');
  process.exit(2);
}
const engine = new Liquid({ strictFilters: false, strictVariables: false });
// Blocks rendered as their content.
for (const [tag, end] of [['form', 'endform'], ['style', 'endstyle'], ['javascript', 'endjavascript']]) {
  engine.registerTag(tag, {
    parse(token, remain) {
      this.tpls = [];
      const stream = this.liquid.parser.parseStream(remain);
      stream.on(`tag:${end}`, () => stream.stop()).on('template', (t) => this.tpls.push(t)).on('end', () => {
        throw new Error(`{% ${tag} %} without {% ${end} %}`);
      });
      stream.start();
    },
    * render(ctx, emitter) {
      yield this.liquid.renderer.renderTemplates(this.tpls, ctx, emitter);
    },
  });
}
// Blocks and tags that render nothing here.
engine.registerTag('schema', {
  parse(token, remain) {
    const stream = this.liquid.parser.parseStream(remain);
    stream.on('tag:endschema', () => stream.stop()).on('template', () => {}).on('end', () => {
      throw new Error('{% schema %} without {% endschema %}');
    });
    stream.start();
  },
  * render() {},
});
for (const tag of ['render', 'section', 'sections', 'include']) {
  engine.registerTag(tag, { parse() {}, * render() {} });
}
const product = {
  title: 'Tea', description: '<p>A calming blend.</p>', media: [], images: [], variants: [],
  options_with_values: [], selected_or_first_available_variant: { id: 1, price: 1200 },
};
// A block of each kind main-product.liquid renders, with settings that show them.
const blocks = ['title', 'text', 'description', 'sku', 'price', 'inventory', 'collapsible_tab', 'popup', 'share', 'custom_liquid', 'rating']
  .map((type, i) => ({ type, id: `b${i}`, shopify_attributes: '', settings: { text: 'Free shipping', heading: 'Care', content: '<p>Wash cold.</p>', text_style: 'subtitle', custom_liquid: '<b>x</b>', show_description: true } }));
const section = { id: 'main', settings: { padding_top: 36, padding_bottom: 12 }, blocks };
const out = await engine.parseAndRender(fs.readFileSync(file, 'utf8'), {
  product, section, card_product: product, settings: {}, block: { settings: {} },
});
process.stdout.write(out);
