// Checks finding selectors against the browser's own DOM (Debian's chromium, headless,
// driven by playwright-core). For each page the input lists selectors synthgov's parser
// made, with the element's tag and a digest of its text; each must match exactly one
// element, of that tag, with that text.
//
// Scripts are blocked by a Content-Security-Policy header rather than by turning
// JavaScript off: with JavaScript off the parser reads <noscript> as markup, which a
// shopper's browser (and synthgov) does not, and the page's own scripts would move
// elements around.
//
// Usage: node selectors.mjs CHECKS.json   (prints one JSON document)
// CHECKS.json: [{ "name": "...", "html": "...", "checks": [
//   { "sel": "...", "tag": "div", "len": 12, "head": "...", "tail": "...", "text": true }] }]
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const [input] = process.argv.slice(2);
if (!input) {
  console.error('usage: selectors.mjs CHECKS.json');
  process.exit(2);
}
const pages = JSON.parse(readFileSync(input, 'utf8'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const out = [];
try {
  const context = await browser.newContext();
  for (const p of pages) {
    const page = await context.newPage();
    const url = 'http://synthgov.test/page.html';
    await page.route('**/*', (route) =>
      route.request().url() === url
        ? route.fulfill({
            status: 200,
            headers: {
              'content-type': 'text/html; charset=utf-8',
              'content-security-policy': "script-src 'none'",
            },
            body: p.html,
          })
        : route.abort(),
    );
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const result = await page.evaluate((checks) => {
      // Text as synthgov keeps it: not scripts, styles or other raw text, whitespace
      // runs (ASCII) collapsed, compared by code points.
      const RAW = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'IFRAME', 'NOEMBED', 'NOFRAMES', 'XMP', 'PLAINTEXT']);
      const textOf = (el) => {
        let s = '';
        const walk = (n) => {
          for (const c of n.childNodes) {
            if (c.nodeType === Node.TEXT_NODE) s += c.data;
            else if (c.nodeType === Node.ELEMENT_NODE && !RAW.has(c.tagName)) walk(c);
          }
        };
        if (!RAW.has(el.tagName)) walk(el);
        return [...s.replace(/[\t\n\f\r ]+/g, ' ').replace(/^ | $/g, '')];
      };
      const failures = [];
      for (const c of checks) {
        let found;
        try {
          found = document.querySelectorAll(c.sel);
        } catch (e) {
          failures.push({ sel: c.sel, why: 'invalid selector: ' + e.message });
          continue;
        }
        if (found.length !== 1) {
          failures.push({ sel: c.sel, why: `matches ${found.length} elements` });
          continue;
        }
        const el = found[0];
        if (el.localName !== c.tag) {
          failures.push({ sel: c.sel, why: `is <${el.localName}>, synthgov saw <${c.tag}>` });
          continue;
        }
        if (c.text) {
          const t = textOf(el);
          const head = t.slice(0, 24).join('');
          const tail = t.slice(-24).join('');
          if (t.length !== c.len || head !== c.head || tail !== c.tail) {
            failures.push({
              sel: c.sel,
              why: `text differs: browser ${t.length} chars "${head}"…"${tail}", synthgov ${c.len} "${c.head}"…"${c.tail}"`,
            });
          }
        }
      }
      return { checked: checks.length, failures };
    }, p.checks);
    out.push({ name: p.name, ...result });
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
