// Checks a disclosed page in a real browser (Debian's chromium, headless, driven by
// playwright-core): axe-core violations, the widget opening on hover and on keyboard
// focus without moving anything, and the disclosure in the accessibility tree.
// Usage: node a11y.mjs PAGE.html SCREENSHOT.png   (prints one JSON document)
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const [page_, shot] = process.argv.slice(2);
if (!page_ || !shot) {
  console.error('usage: a11y.mjs PAGE.html SCREENSHOT.png');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const result = {};
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.goto('file://' + path.resolve(page_));
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const axe = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  result.violations = axe;

  page.setDefaultTimeout(5000);
  if ((await page.locator('.synthgov-disclosure').count()) === 0) {
    throw new Error(`no disclosure widget on ${page_}`);
  }
  const widget = page.locator('.synthgov-disclosure').first();
  const label = widget.locator('.synthgov-disclosure__label');
  const detail = widget.locator('.synthgov-disclosure__detail');
  const described = page.locator('[data-synthetic="true"][aria-describedby]').first();
  const box = async (l) => l.boundingBox();
  const open = async () => {
    const b = await box(detail);
    return b !== null && b.width > 20 && b.height > 10;
  };
  result.closed_at_rest = !(await open());
  const before = [await box(described), await box(label)];
  await label.hover();
  result.opens_on_hover = await open();
  await page.screenshot({ path: shot, fullPage: false });
  const after = [await box(described), await box(label)];
  result.no_layout_shift = JSON.stringify(before) === JSON.stringify(after);
  await page.mouse.move(0, 0);
  result.closes_after_hover = !(await open());

  // Keyboard: Tab from the top until the label has focus.
  let focused = false;
  for (let i = 0; i < 30 && !focused; i++) {
    await page.keyboard.press('Tab');
    focused = await label.evaluate((el) => document.activeElement === el);
  }
  result.focusable = focused;
  result.opens_on_focus = focused && (await open());

  // The accessibility tree: the synthetic element's description, and the detail text.
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const name = (n) => (n.name && n.name.value) || '';
  const desc = (n) => (n.description && n.description.value) || '';
  result.descriptions = nodes.filter((n) => desc(n)).map((n) => ({ role: n.role && n.role.value, name: name(n), description: desc(n) }));
  result.detail_text = (await detail.innerText()).trim();
  result.detail_in_tree = nodes.some((n) => !n.ignored && name(n) && result.detail_text.startsWith(name(n).trim().slice(0, 20)));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result, null, 2));
