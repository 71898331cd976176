// The three kitchen timers, stepped through in the browser: the run's end
// state, stepping back and forth, and agreement with the native library.

import assert from 'node:assert/strict';

import {
  appSuite,
  tid,
  counter,
  clockNs,
  stepForward,
  stepBack,
  readView,
  fingerprint,
  clickAndWaitStep,
  waitAttrChange,
  isVisible,
  waitUrlParam,
} from '../lib/app.mjs';
import { nativeFingerprint, NATIVE_BUILD_TIMEOUT_MS } from '../lib/native.mjs';

const appTest = appSuite();

const SECOND_NS = 1_000_000_000n;

/** Presses `last` and returns the counter there. */
async function goLast(page) {
  const { total } = await counter(page);
  await clickAndWaitStep(page, 'last', total);
  return counter(page);
}

appTest('concurrent timers end at 10 s, sequential at 18 s (from the URL)', async ({ open }) => {
  for (const [mode, endNs] of [
    ['concurrent', 10n * SECOND_NS],
    ['sequential', 18n * SECOND_NS],
  ]) {
    const page = await open(`s=timers&mode=${mode}&seed=42`);
    assert.equal(await clockNs(page), 0n, `timers ${mode} seed 42: clock at the first step`);
    const { step, total } = await goLast(page);
    assert.equal(step, total, `timers ${mode} seed 42: last shows the final step`);
    assert.equal(await clockNs(page), endNs, `timers ${mode} seed 42: clock at the last step`);
    assert.equal(
      await page.locator(tid('outcome')).getAttribute('data-outcome'),
      'completed',
      `timers ${mode} seed 42: every task finished`,
    );
    await page.close();
  }
});

appTest('switching the mode select from concurrent to sequential reruns to 18 s', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  const before = await fingerprint(page);
  await page.locator(tid('mode')).selectOption('sequential');
  await waitAttrChange(page, 'fingerprint', 'data-hex', before);
  assert.equal(await page.locator(tid('mode')).inputValue(), 'sequential');
  await goLast(page);
  assert.equal(await clockNs(page), 18n * SECOND_NS, 'timers sequential seed 42 (via select): clock at the last step');
  await waitUrlParam(page, 'mode', 'sequential');
});

appTest('timer durations from the URL: concurrent ends at the longest, sequential at the sum', async ({ open }) => {
  for (const [mode, endNs] of [
    ['concurrent', 5n * SECOND_NS],
    ['sequential', 10n * SECOND_NS],
  ]) {
    const page = await open(`s=timers&mode=${mode}&seed=42&popcorn_s=3&boiler_s=5&cookies_s=2`);
    await goLast(page);
    assert.equal(await clockNs(page), endNs, `timers ${mode} seed 42 cookies_s=2: clock at the last step`);
    await page.close();
  }
});

appTest('editing a timer in the setup reruns, adds a history entry, and Back restores it', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  // A user reads the page first; this also lets a throttled address update land.
  await page.waitForTimeout(500);
  const before = await page.evaluate(() => history.length);
  const oldHex = await fingerprint(page);
  const cookies = page.locator(tid('param-cookies_s'));
  await cookies.fill('2');
  await cookies.press('Enter');
  await waitUrlParam(page, 'cookies_s', 2);
  await waitAttrChange(page, 'fingerprint', 'data-hex', oldHex);
  assert.equal(await page.evaluate(() => history.length), before + 1, 'one history entry for the new parameter');
  await goLast(page);
  assert.equal(await clockNs(page), 5n * SECOND_NS, 'timers concurrent seed 42 cookies_s=2: the boiler (5 s) is now the longest');

  await page.goBack();
  await waitUrlParam(page, 'cookies_s', 10);
  await page.waitForFunction(([sel, hex]) => document.querySelector(sel)?.getAttribute('data-hex') === hex, [
    tid('fingerprint'),
    oldHex,
  ]);
  assert.equal(await cookies.inputValue(), '10', 'Back restores the cookies field');
  await goLast(page);
  assert.equal(await clockNs(page), 10n * SECOND_NS, 'Back restores the 10 s run');
});

appTest('step forward 5 then back 2 shows exactly the view of forward 3', async ({ open }) => {
  const query = 's=timers&mode=concurrent&seed=42';
  const a = await open(query);
  const start = (await counter(a)).step;
  await stepForward(a, 5);
  await stepBack(a, 2);
  const viaBack = await readView(a);

  const b = await open(query);
  assert.equal((await counter(b)).step, start, 'a fresh load starts at the same step');
  await stepForward(b, 3);
  const direct = await readView(b);

  assert.equal(viaBack.step, String(start + 3));
  assert.deepEqual(viaBack, direct, 'timers concurrent seed 42: view at step start+3 depends on how it was reached');
  // The snapshot must actually contain the panels, or the comparison proves nothing.
  assert.notEqual(direct.clockNs, null, 'clock panel present');
  assert.notEqual(direct.fingerprint, null, 'fingerprint present');
  assert.notEqual(direct.phase, null, 'phase present');
  assert.ok(direct.tasks.length > 0, 'task rows present at step 3');
  assert.notEqual(direct.currentEvent, null, 'event log highlights the current entry');
});

appTest('step-back at the first step and step-forward at the last do nothing', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  const { step: first, total } = await counter(page);
  const back = page.locator(tid('step-back'));
  if (await back.isEnabled()) {
    await back.click();
    await page.waitForTimeout(200);
  }
  assert.equal((await counter(page)).step, first, 'no step before the first');
  await clickAndWaitStep(page, 'last', total);
  const fwd = page.locator(tid('step-forward'));
  if (await fwd.isEnabled()) {
    await fwd.click();
    await page.waitForTimeout(200);
  }
  assert.equal((await counter(page)).step, total, 'no step past the last');
  await clickAndWaitStep(page, 'first', first);
});

appTest('the answer is revealed at the last step, not before', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  assert.ok(await isVisible(page, 'scenario-question'), 'the question is shown from the start');
  const question = (await page.locator(tid('scenario-question')).innerText()).trim();
  assert.ok(question.length > 0, 'the question has text');
  assert.equal(await isVisible(page, 'scenario-answer'), false, 'no answer at the first step');
  await goLast(page);
  await page.locator(tid('scenario-answer')).waitFor({ state: 'visible' });
  assert.match(await page.locator(tid('scenario-answer')).innerText(), /10/, 'the answer names the 10 s');
  await stepBack(page, 1);
  await page.locator(tid('scenario-answer')).waitFor({ state: 'hidden' });
});

appTest(
  'browser fingerprints equal the native library (concurrent seed 42, sequential seed 7)',
  async ({ open }) => {
    for (const [mode, seed] of [
      ['concurrent', 42],
      ['sequential', 7],
    ]) {
      const native = await nativeFingerprint('timers', mode, seed);
      assert.match(native, /^[0-9a-f]{16}$/);
      const page = await open(`s=timers&mode=${mode}&seed=${seed}`);
      assert.equal(await fingerprint(page), native, `timers ${mode} seed ${seed}: browser vs native fingerprint`);
      // The fingerprint is of the whole run: it does not change while stepping.
      const { total } = await counter(page);
      await clickAndWaitStep(page, 'last', total);
      assert.equal(await fingerprint(page), native, `timers ${mode} seed ${seed}: fingerprint at the last step`);
      await page.close();
    }
  },
  { timeout: NATIVE_BUILD_TIMEOUT_MS + 60_000 },
);
