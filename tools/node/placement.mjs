// Checks where `disclose html` put its notes, in the browser (Debian's chromium,
// headless, driven by playwright-core), on pages disclosed next to their originals.
//
// Layout, with the page's scripts off (nothing animates between measurements): for
// each note, with every other note taken out (display:none), the note is visible
// whenever its item is, not covered (elementFromPoint at the label's centre is the
// label), and showing it moves its item by at most 4 px.
// Scripts, with the page's scripts on (local files only, no network): no console
// error the original page does not also have, and no note cloned (a slider copying
// its slides copies a note inside one).
//
// Usage: node placement.mjs PAGES.json   (prints one JSON document)
// PAGES.json: [{ "name": "...", "original": "/abs/orig.html", "original_root": "/abs",
//   "disclosed": "/abs/out.html", "disclosed_root": "/abs2" }]   (roots: the site folders,
//   replaced in console messages so the two pages' messages compare)
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const [input] = process.argv.slice(2);
if (!input) {
  console.error('usage: placement.mjs PAGES.json');
  process.exit(2);
}
const pages = JSON.parse(readFileSync(input, 'utf8'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const offline = async (context) => {
  await context.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
  return context;
};
const viewport = { width: 1280, height: 900 };

async function layout(context, file) {
  const page = await context.newPage();
  await page.goto('file://' + file, { waitUntil: 'load', timeout: 30000 });
  // Lazy images would load as each note is scrolled to and move the layout between
  // measurements: load them all first, and the fonts.
  await page.evaluate(async () => {
    const pending = [];
    for (const i of document.images) {
      i.loading = 'eager';
      if (!i.complete) pending.push(new Promise((r) => ['load', 'error'].forEach((e) => i.addEventListener(e, r))));
    }
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 10000))]);
    await document.fonts.ready;
  });
  const notes = await page.evaluate(() => {
    const box = (e) => {
      const r = e.getBoundingClientRect();
      return { x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height };
    };
    const shown = (e) => {
      if (!e.checkVisibility({ checkOpacity: true, visibilityProperty: true })) return false;
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    };
    const name = (e) =>
      e ? e.localName + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '') : 'nothing';
    const all = [...document.querySelectorAll('.synthgov-disclosure')];
    const hide = (n) => n.style.setProperty('display', 'none', 'important');
    all.forEach(hide);
    const out = [];
    for (const note of all) {
      const label = note.querySelector('.synthgov-disclosure__label');
      const id = label.id;
      const items = [...document.querySelectorAll('[aria-describedby]')].filter((e) =>
        e.getAttribute('aria-describedby').split(/\s+/).includes(id),
      );
      const before = items.map(box);
      const itemShown = items.some(shown);
      note.style.removeProperty('display');
      const after = items.map(box);
      const r = {
        id,
        items: items.length,
        item: name(items[0]),
        after: name(note.previousElementSibling) + ' in ' + name(note.parentElement),
        item_visible: itemShown,
        note_visible: shown(label),
        shift: 0,
        covered_by: null,
      };
      before.forEach((b, i) => {
        r.shift = Math.max(r.shift, Math.abs(b.x - after[i].x), Math.abs(b.y - after[i].y));
      });
      if (r.note_visible) {
        label.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
        const lr = label.getBoundingClientRect();
        const hit = document.elementFromPoint(lr.left + lr.width / 2, lr.top + lr.height / 2);
        if (!(hit && (hit === label || label.contains(hit)))) r.covered_by = name(hit);
      }
      hide(note);
      out.push(r);
    }
    return out;
  });
  await page.close();
  return notes;
}

async function scripted(context, file, root) {
  const page = await context.newPage();
  const errors = [];
  // The page's scripts' errors; a file the mirror lacks is not one (which files a
  // page asks for can depend on layout, e.g. lazy images).
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e.message)));
  await page.goto('file://' + file, { waitUntil: 'load', timeout: 30000 }).catch((e) => errors.push('load: ' + e.message));
  // Scroll through the page so what scripts do on scroll (lazy sections, intersection
  // observers) happens on both pages, not only where a note moved content into view.
  await page.evaluate(async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += 600) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 50));
    }
  }).catch(() => {});
  await page.waitForTimeout(1500);
  // Labels by id, with where each first sits (a slider that clones slides clones the
  // notes inside them).
  const labels = await page.evaluate(() => {
    const c = {};
    document.querySelectorAll('.synthgov-disclosure__label').forEach((l) => {
      if (!c[l.id]) {
        const at = [];
        for (let e = l.closest('.synthgov-disclosure').parentElement; e && at.length < 4; e = e.parentElement) {
          at.push(e.localName + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : ''));
        }
        c[l.id] = { n: 0, at: at.join(' < ') };
      }
      c[l.id].n += 1;
    });
    return c;
  });
  await page.close();
  return { errors: errors.map((e) => e.split(root).join('<root>')), labels };
}

const out = [];
try {
  const still = await offline(await browser.newContext({ viewport, javaScriptEnabled: false }));
  const live = await offline(await browser.newContext({ viewport }));
  for (const p of pages) {
    const notes = await layout(still, p.disclosed);
    const before = await scripted(live, p.original, p.original_root);
    const after = await scripted(live, p.disclosed, p.disclosed_root);
    const left = [...before.errors];
    const new_errors = after.errors.filter((e) => {
      const i = left.indexOf(e);
      if (i >= 0) left.splice(i, 1);
      return i < 0;
    });
    const cloned = Object.entries(after.labels)
      .filter(([, l]) => l.n > 1)
      .map(([id, l]) => `${id} (${l.n} copies, in ${l.at})`);
    out.push({ name: p.name, notes, new_errors, cloned });
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
