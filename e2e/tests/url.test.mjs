// The URL is the app's save file: shared links reopen the same view, seeds
// change the run and the history, and no URL — however broken or hostile —
// breaks the app or reaches the page as HTML.

import assert from 'node:assert/strict';

import {
  appSuite,
  tid,
  counter,
  clockNs,
  stepForward,
  readView,
  fingerprint,
  urlParams,
  waitAttrChange,
  waitReady,
  waitUrlParam,
} from '../lib/app.mjs';
import { nativeFingerprint, NATIVE_BUILD_TIMEOUT_MS } from '../lib/native.mjs';

const appTest = appSuite();

const historyLength = (page) => page.evaluate(() => history.length);

appTest('stepping updates the URL in place (no history entries)', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  const before = await historyLength(page);
  const step = await stepForward(page, 4);
  await waitUrlParam(page, 'step', step);
  assert.equal(await historyLength(page), before, 'stepping replaces the history entry instead of pushing');
});

appTest('a shared URL reopens the same view in a new browser', async ({ open, newSession }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  const { total } = await counter(page);
  const k = Math.min(7, total - 1);
  await stepForward(page, k - (await counter(page)).step);
  const view = await readView(page);

  const share = page.locator(tid('share'));
  const raw = await share.getAttribute('data-url');
  assert.ok(raw, 'share has a data-url');
  const shared = new URL(raw, page.url());
  assert.equal(shared.origin, new URL(page.url()).origin, 'the shared URL points at this app');
  const params = Object.fromEntries(shared.searchParams);
  assert.equal(params.s, 'timers');
  assert.equal(params.mode, 'concurrent');
  assert.equal(params.seed, '42');
  assert.equal(params.step, String(k));

  const other = await newSession();
  const reopened = await other.newPage();
  await reopened.goto(shared.href);
  await waitReady(reopened);
  const again = await readView(reopened);
  assert.equal(again.step, String(k), 'same step');
  assert.equal(again.clockNs, view.clockNs, 'same clock');
  assert.equal(again.fingerprint, view.fingerprint, 'same fingerprint');
  assert.deepEqual(again, view, 'timers concurrent seed 42: the whole view survives sharing');
});

appTest('Copy link puts the share URL on the clipboard', async ({ newSession, base }) => {
  const session = await newSession({ permissions: ['clipboard-read', 'clipboard-write'], baseURL: base });
  const page = await session.newPage();
  await page.goto('/?s=timers&mode=concurrent&seed=42&step=9');
  await waitReady(page);
  const share = page.locator(tid('share'));
  await share.click();
  const url = await share.getAttribute('data-url');
  let copied = null;
  for (const deadline = Date.now() + 5_000; copied !== url && Date.now() < deadline; ) {
    await page.waitForTimeout(50);
    copied = await page.evaluate(() => navigator.clipboard.readText());
  }
  assert.equal(copied, url, 'the clipboard holds the share URL');
  assert.equal(Object.fromEntries(new URL(url).searchParams).step, '9', 'the copied link names the step');
});

appTest('?step=17 restores exactly that step', async ({ open }) => {
  const direct = await open('s=timers&mode=concurrent&seed=42&step=17');
  const stepped = await open('s=timers&mode=concurrent&seed=42');
  await stepForward(stepped, 17 - (await counter(stepped)).step);
  assert.deepEqual(await readView(direct), await readView(stepped), 'timers concurrent seed 42 step 17');
  assert.equal(await direct.locator(tid('error')).filter({ visible: true }).count(), 0, 'a valid URL shows no error');
});

appTest(
  'a new seed changes the racy run, adds a history entry, and Back restores the old seed',
  async ({ open }) => {
    const oldSeed = 42;
    const nativeOld = await nativeFingerprint('timers', 'concurrent', oldSeed);
    // Find a seed whose interleaving differs, asking the native library rather than assuming.
    let newSeed = null;
    for (let s = oldSeed + 1; s <= oldSeed + 64 && newSeed === null; s++) {
      if ((await nativeFingerprint('timers', 'concurrent', s)) !== nativeOld) newSeed = s;
    }
    assert.notEqual(newSeed, null, 'some seed in 43..=106 schedules timers concurrent differently from seed 42');
    const nativeNew = await nativeFingerprint('timers', 'concurrent', newSeed);

    const page = await open(`s=timers&mode=concurrent&seed=${oldSeed}`);
    const oldHex = await fingerprint(page);
    assert.equal(oldHex, nativeOld, `timers concurrent seed ${oldSeed}`);
    const before = await historyLength(page);
    // A user reads the page before changing the seed; this also lets any
    // throttled address update of the first view land first.
    await page.waitForTimeout(500);

    const seed = page.locator(tid('seed'));
    await seed.fill(String(newSeed));
    await seed.press('Enter');
    const newHex = await waitAttrChange(page, 'fingerprint', 'data-hex', oldHex);
    assert.equal(newHex, nativeNew, `timers concurrent seed ${newSeed}: fingerprint after changing the seed`);
    await waitUrlParam(page, 'seed', newSeed);
    assert.equal(await historyLength(page), before + 1, 'changing the seed pushes one history entry');

    await page.goBack();
    await waitAttrChange(page, 'fingerprint', 'data-hex', newHex);
    assert.equal(await fingerprint(page), oldHex, `Back restores seed ${oldSeed}'s run`);
    assert.equal(await seed.inputValue(), String(oldSeed), 'Back restores the seed field');
    assert.equal(urlParams(page).seed, String(oldSeed));

    await page.goForward();
    await waitAttrChange(page, 'fingerprint', 'data-hex', oldHex);
    assert.equal(await fingerprint(page), nativeNew, `Forward returns to seed ${newSeed}`);
  },
  { timeout: NATIVE_BUILD_TIMEOUT_MS + 60_000 },
);

appTest('the random-seed button picks a new seed and records it in the URL and history', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  const before = await historyLength(page);
  await page.locator(tid('seed-random')).click();
  await page.waitForFunction((sel) => document.querySelector(sel)?.value !== '42', tid('seed'));
  const seed = await page.locator(tid('seed')).inputValue();
  assert.match(seed, /^\d+$/, 'the random seed is a whole number');
  await waitUrlParam(page, 'seed', seed);
  assert.equal(await historyLength(page), before + 1, 'a random seed pushes one history entry');
  await waitReady(page);
});

appTest('a bad seed typed into the seed field shows a message and keeps the run', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42&step=5');
  const view = await readView(page);
  const before = await historyLength(page);
  for (const bad of ['abc', '99999999999999999999999', '-1']) {
    const seed = page.locator(tid('seed'));
    await seed.fill(bad);
    await seed.press('Enter');
    await page.locator(tid('error')).filter({ hasText: bad }).first().waitFor({ state: 'visible' });
    const message = await page.locator(tid('error')).first().innerText();
    assert.match(message, /seed/i, `the message for seed ${JSON.stringify(bad)} names the seed`);
    const now = await readView(page);
    assert.equal(now.fingerprint, view.fingerprint, `seed ${JSON.stringify(bad)}: the run is kept`);
    assert.equal(now.step, view.step, `seed ${JSON.stringify(bad)}: the step is kept`);
    assert.equal(urlParams(page).seed, '42', `seed ${JSON.stringify(bad)}: the URL keeps seed 42`);
    assert.equal(await historyLength(page), before, `seed ${JSON.stringify(bad)}: no history entry`);
  }
});

// ---------------------------------------------------------------------------
// Bad URLs: each shows a message, falls back to a working run, injects nothing.

const XSS = '<img src=x onerror=alert(1)>';

const BAD_URLS = [
  { query: 's=nope', mentions: /nope|scenario/i, check: (v) => assert.equal(v.scenario, 'timers', 'falls back to timers') },
  { query: 'seed=abc', mentions: /seed/i, check: (v) => assert.match(v.seed ?? '', /^\d+$/, 'falls back to a numeric seed') },
  {
    query: 'seed=99999999999999999999999',
    mentions: /seed/i,
    check: (v) => {
      assert.match(v.seed ?? '', /^\d+$/, 'falls back to a numeric seed');
      assert.notEqual(v.seed, '99999999999999999999999', 'the out-of-range seed is not kept');
    },
  },
  {
    query: 's=timers&mode=concurrent&seed=42&step=999999',
    mentions: /step/i,
    check: (v) => {
      const step = Number(v.step);
      assert.ok(step >= 0 && step <= Number(v.total), `falls back to a step in range (got ${v.step} of ${v.total})`);
    },
  },
  {
    query: 's=timers&seed=42&step=abc',
    mentions: /step/i,
    check: (v) => assert.ok(Number(v.step) >= 0 && Number(v.step) <= Number(v.total), `a step in range (got ${v.step})`),
  },
  { query: 's=timers&mode=bogus&seed=42', mentions: /mode/i, check: (v) => assert.ok(['concurrent', 'sequential'].includes(v.mode), `a known mode (got ${v.mode})`) },
  { query: 's=timers&seed=42&popcorn_s=-5', mentions: /popcorn/i, check: (v) => assert.equal(v.scenario, 'timers') },
  { query: `s=${XSS}`, mentions: /scenario|not found|unknown/i, check: (v) => assert.equal(v.scenario, 'timers') },
  { query: `s=${encodeURIComponent(XSS)}`, mentions: /scenario|not found|unknown/i, check: (v) => assert.equal(v.scenario, 'timers') },
];

for (const { query, mentions, check } of BAD_URLS) {
  appTest(`bad URL ?${query} shows an error, falls back, injects nothing`, async ({ open, session }) => {
    const page = await open(query);
    const error = page.locator(tid('error'));
    await error.first().waitFor({ state: 'visible' });
    const message = (await error.first().innerText()).trim();
    assert.ok(message.length > 0, 'the error has a message');
    assert.match(message, mentions, `the message says what is wrong: ${JSON.stringify(message)}`);

    const view = await readView(page);
    check(view);

    // Nothing from the URL became markup.
    const injected = await page.evaluate(() => ({
      imgX: document.querySelectorAll('img[src="x"]').length,
      onerror: document.querySelectorAll('[onerror]').length,
      imgToX: [...document.images].filter((img) => /\/x$/.test(img.src)).length,
    }));
    assert.deepEqual(injected, { imgX: 0, onerror: 0, imgToX: 0 }, 'no element was injected from the URL');
    assert.deepEqual(session.dialogs, [], 'no dialog opened');

    // The fallback run works: it steps.
    const { step, total } = await counter(page);
    if (step < total) {
      await page.locator(tid('step-forward')).click();
      await page.waitForFunction(
        ([sel, s]) => document.querySelector(sel)?.getAttribute('data-step') === String(s),
        [tid('step-counter'), step + 1],
      );
    } else {
      await page.locator(tid('step-back')).click();
      await page.waitForFunction(
        ([sel, s]) => document.querySelector(sel)?.getAttribute('data-step') === String(s),
        [tid('step-counter'), step - 1],
      );
    }
    await clockNs(page);
    // Give a late alert() a moment to fire before the context closes.
    await page.waitForTimeout(300);
    assert.deepEqual(session.dialogs, [], 'no dialog opened');
  });
}
