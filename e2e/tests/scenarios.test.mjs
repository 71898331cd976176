// Every scenario in the menu, in every mode: it loads without an error,
// records to an end, reveals its answer at the last step, and its browser
// fingerprint equals the native library's for the same scenario, mode and seed.

import assert from 'node:assert/strict';

import { appSuite, tid, counter, waitReady, waitRecorded, fingerprint, clickAndWaitStep, appUrl } from '../lib/app.mjs';
import { nativeFingerprint, NATIVE_BUILD_TIMEOUT_MS } from '../lib/native.mjs';

const appTest = appSuite();

const SEED = 1;

/** `[{ value, label }]` of a `<select>` test id. */
async function options(page, testid) {
  return page.locator(`${tid(testid)} option`).evaluateAll((els) => els.map((o) => ({ value: o.value, label: o.textContent.trim() })));
}

appTest(
  'every scenario and mode runs to its end and matches the native fingerprint',
  async ({ open, base }) => {
    const page = await open(`s=timers&seed=${SEED}`);
    const scenarios = await options(page, 'scenario');
    assert.ok(scenarios.length >= 1, 'the scenario menu lists scenarios');
    assert.ok(scenarios.some((s) => s.value === 'timers'), 'timers is in the menu');

    const failures = [];
    const checked = [];
    for (const scenario of scenarios) {
      await page.goto(appUrl(base, `s=${encodeURIComponent(scenario.value)}&seed=${SEED}`));
      await waitReady(page);
      const modes = await options(page, 'mode');
      for (const mode of modes) {
        const where = `scenario ${scenario.value}, mode ${mode.value}, seed ${SEED}`;
        try {
          await page.goto(appUrl(base, `s=${encodeURIComponent(scenario.value)}&mode=${encodeURIComponent(mode.value)}&seed=${SEED}`));
          await waitReady(page);
          const outcome = await waitRecorded(page);
          assert.ok(['completed', 'deadlock', 'limit'].includes(outcome), `${where}: outcome ${outcome}`);
          assert.equal(await page.locator(tid('error')).count(), 0, `${where}: a valid URL shows no error`);
          assert.equal(await page.locator(tid('scenario')).inputValue(), scenario.value, `${where}: scenario select`);
          assert.equal(await page.locator(tid('mode')).inputValue(), mode.value, `${where}: mode select`);
          const question = (await page.locator(tid('scenario-question')).innerText()).trim();
          assert.ok(question.length > 0, `${where}: the question is shown`);

          const { total } = await counter(page);
          await clickAndWaitStep(page, 'last', total);
          await page.locator(tid('scenario-answer')).waitFor({ state: 'visible', timeout: 5_000 });

          const hex = await fingerprint(page);
          assert.match(hex ?? '', /^[0-9a-f]{16}$/, `${where}: fingerprint is 16 hex digits`);
          const native = await nativeFingerprint(scenario.value, mode.value, SEED);
          assert.equal(hex, native, `${where}: browser vs native fingerprint`);
          checked.push(`${scenario.value}/${mode.value}: ${outcome}, ${total} steps, ${hex}`);
        } catch (err) {
          failures.push(`${where}: ${err.message.split('\n')[0]}`);
        }
      }
    }
    console.log(`# checked:\n#   ${checked.join('\n#   ')}`);
    assert.deepEqual(failures, [], `${failures.length} scenario/mode combination(s) failed:\n  ${failures.join('\n  ')}`);
  },
  { timeout: NATIVE_BUILD_TIMEOUT_MS + 20 * 60_000 },
);

appTest('changing the scenario pushes a history entry and Back returns to the old one', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  const scenarios = await options(page, 'scenario');
  const other = scenarios.find((s) => s.value !== 'timers');
  assert.ok(other, 'the menu has a scenario besides timers');
  const question = await page.locator(tid('scenario-question')).innerText();
  // A user reads the page first; this also lets a throttled address update land.
  await page.waitForTimeout(500);
  const before = await page.evaluate(() => history.length);

  await page.locator(tid('scenario')).selectOption(other.value);
  await page.waitForFunction((id) => new URLSearchParams(location.search).get('s') === id, other.value);
  await waitReady(page);
  assert.equal(await page.evaluate(() => history.length), before + 1, 'one history entry for the new scenario');
  assert.notEqual(await page.locator(tid('scenario-question')).innerText(), question, 'the new scenario asks its own question');

  await page.goBack();
  await page.waitForFunction(() => new URLSearchParams(location.search).get('s') === 'timers');
  await page.waitForFunction((sel) => document.querySelector(sel)?.value === 'timers', tid('scenario'));
  await waitReady(page);
  assert.equal(await page.locator(tid('scenario-question')).innerText(), question, 'Back shows the timers question again');
  assert.equal(new URLSearchParams(new URL(page.url()).search).get('seed'), '42', 'Back restores seed 42');
});
