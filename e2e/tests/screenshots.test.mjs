// Screenshots of each main view for a reviewer, in <repo>/target/screenshots/.

import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { appSuite, tid, counter, clickAndWaitStep, stepForward, waitReady, waitRecorded } from '../lib/app.mjs';
import { REPO_DIR } from '../lib/server.mjs';

const appTest = appSuite();
const SHOTS_DIR = path.join(REPO_DIR, 'target', 'screenshots');

/** Saves `name.png`: the whole page, or only the viewport (for fixed overlays). */
async function shoot(page, name, { fullPage = true } = {}) {
  await mkdir(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage, animations: 'disabled' });
  const { size } = await stat(file);
  assert.ok(size > 1000, `${file} looks empty (${size} bytes)`);
  return file;
}

appTest('screenshots: initial, mid-run, end with answer, help overlay, error', async ({ open }) => {
  const query = 's=timers&mode=concurrent&seed=42';
  const page = await open(query);
  await shoot(page, '01-initial');

  const { total } = await counter(page);
  await stepForward(page, Math.floor(total / 2) - (await counter(page)).step);
  await shoot(page, '02-mid-run');

  await clickAndWaitStep(page, 'last', total);
  await page.locator(tid('scenario-answer')).waitFor({ state: 'visible' });
  await shoot(page, '03-end-with-answer');

  await page.keyboard.press('?');
  await page.locator(tid('help')).waitFor({ state: 'visible' });
  await shoot(page, '04-help-overlay', { fullPage: false });

  const bad = await open('s=nope&seed=abc');
  await bad.locator(tid('error')).first().waitFor({ state: 'visible' });
  await shoot(bad, '05-error');

  const sequential = await open('s=timers&mode=sequential&seed=7');
  await clickAndWaitStep(sequential, 'last', (await counter(sequential)).total);
  await shoot(sequential, '06-sequential-end');
});

appTest('screenshots: every scenario and mode at its last step', async ({ open, base }) => {
  const page = await open('s=timers&seed=1');
  const options = (testid) => page.locator(`${tid(testid)} option`).evaluateAll((els) => els.map((o) => o.value));
  const safe = (text) => text.replace(/[^a-z0-9_-]/gi, '_');
  for (const id of await options('scenario')) {
    await page.goto(`${base}/?s=${encodeURIComponent(id)}&seed=1`);
    await waitReady(page);
    for (const mode of await options('mode')) {
      await page.goto(`${base}/?s=${encodeURIComponent(id)}&mode=${encodeURIComponent(mode)}&seed=1`);
      await waitReady(page);
      await waitRecorded(page);
      await clickAndWaitStep(page, 'last', (await counter(page)).total);
      await shoot(page, `scenario-${safe(id)}-${safe(mode)}-end`);
    }
  }
});
