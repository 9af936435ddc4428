// The dashboard in a real browser (Debian's chromium, headless, playwright-core):
// sign in with a token, see the inventory, flip the kill switch, see the flag
// change; axe-core on the signed-in page before and after. Prints one JSON document.
// Usage: node dashboard.mjs BASE_URL TOKEN SCREENSHOT.png
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [base, token, shot] = process.argv.slice(2);
if (!base || !token || !shot) {
  console.error('usage: dashboard.mjs BASE_URL TOKEN SCREENSHOT.png');
  process.exit(2);
}
const axe = async (page) => {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const result = {};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10000);
  page.on('dialog', (d) => { result.confirm_asked = d.message(); d.accept(); });
  await page.goto(base + '/');
  result.login_violations = await axe(page);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inventory' }).waitFor();
  result.signed_in = true;
  result.generators = await page.locator('#inventory table').first().locator('tbody tr').count();
  result.assets_text = (await page.locator('#inventory p').first().innerText()).trim();
  result.generation_before = (await page.locator('#generation-state').innerText()).trim();
  result.violations = await axe(page);

  await page.getByLabel('Reason (recorded in the ledger)').fill('audit demonstration');
  await page.getByRole('button', { name: 'Turn generation off' }).click();
  await page.locator('#notice').waitFor();
  result.notice = (await page.locator('#notice').innerText()).trim();
  result.generation_after = (await page.locator('#generation-state').innerText()).trim();
  result.violations_after = await axe(page);
  await page.screenshot({ path: shot, fullPage: false });

  await page.getByRole('button', { name: 'Verify the ledger' }).click();
  await page.locator('#notice').waitFor();
  result.verify_notice = (await page.locator('#notice').innerText()).trim();
} finally {
  await browser.close();
}
console.log(JSON.stringify(result, null, 2));
