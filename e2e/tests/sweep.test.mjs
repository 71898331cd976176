// Find a failing seed: the browser's sweep names the seed the CLI names and
// loads it; a sweep with nothing to find runs every seed.

import assert from 'node:assert/strict';

import { appSuite, tid, waitRecorded, waitUrlParam, runCli, UPDATE_TIMEOUT_MS } from '../lib/app.mjs';
import { NATIVE_BUILD_TIMEOUT_MS } from '../lib/native.mjs';

const appTest = appSuite();

/** Waits until the sweep is over; returns `sweep-result`'s seed and text. */
async function sweepResult(page, timeout = 60_000) {
  const result = page.locator(tid('sweep-result'));
  await result.waitFor({ state: 'visible', timeout });
  return { seed: await result.getAttribute('data-seed'), text: (await result.textContent()).trim() };
}

appTest('race: the sweep finds the CLI\'s first failing seed and loads it', async ({ open }) => {
  const native = await runCli(['sweep', 'race', '--seeds', '0..200', '--jobs', '1']);
  const first = native.stdout.match(/the first is seed (\d+)/)?.[1];
  assert.ok(first, `the CLI names a failing seed: ${native.stdout}`);
  assert.equal(first, '12', 'the CLI names seed 12 for the defaults');

  const page = await open('s=race&seed=0');
  await waitRecorded(page);
  const historyBefore = await page.evaluate(() => history.length);
  await page.locator(tid('sweep-start')).click();
  const { seed, text } = await sweepResult(page);
  assert.equal(seed, first, `the browser's first failing seed (${text})`);
  assert.match(text, new RegExp(`^seed ${first} fails: .*counter is 1, expected 2`));
  await waitUrlParam(page, 'seed', first);
  assert.equal(await page.locator(tid('seed')).inputValue(), first);
  assert.equal(await page.evaluate(() => history.length), historyBefore + 1, 'loading the seed pushed a history entry');
  const progress = page.locator(tid('sweep-progress'));
  assert.equal(await progress.getAttribute('data-done'), String(Number(first) + 1));
  assert.equal(await progress.getAttribute('role'), 'progressbar');
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('timers: a sweep of 10 seeds finds nothing and reaches its total', async ({ open }) => {
  const page = await open('s=timers&seed=0');
  await waitRecorded(page);
  const limit = page.locator(tid('sweep-limit'));
  await limit.fill('10');
  await limit.press('Tab');
  await page.locator(tid('sweep-start')).click();
  const { seed, text } = await sweepResult(page);
  assert.equal(seed, '');
  assert.equal(text, 'no failure in seeds 0..9');
  const progress = page.locator(tid('sweep-progress'));
  assert.equal(await progress.getAttribute('data-done'), '10');
  assert.equal(await progress.getAttribute('data-total'), '10');
  assert.equal(await progress.getAttribute('aria-valuenow'), '10');
  assert.equal(new URL(page.url()).searchParams.get('seed'), '0', 'nothing found: the seed stays');
});

appTest('a sweep can be cancelled, and keys typed in the limit are not shortcuts', async ({ open }) => {
  const page = await open('s=timers&seed=0');
  await waitRecorded(page);
  const limit = page.locator(tid('sweep-limit'));
  await limit.focus();
  const step = await page.locator(tid('step-counter')).getAttribute('data-step');
  await limit.press('ArrowRight');
  await limit.press('End');
  assert.equal(await page.locator(tid('step-counter')).getAttribute('data-step'), step, 'arrows in the limit do not step');
  await limit.fill('100000');
  await limit.press('Tab');
  await page.locator(tid('sweep-start')).click();
  await page.locator(tid('sweep-cancel')).click({ timeout: UPDATE_TIMEOUT_MS });
  const { seed, text } = await sweepResult(page);
  assert.equal(seed, '');
  assert.match(text, /^cancelled after \d+ of 100000 seeds$/);
  await page.locator(tid('sweep-start')).waitFor({ state: 'visible' });
});
