// Keyboard control: ←/→ step, Home/End jump, Space plays and pauses,
// [ and ] change the speed, ? opens help — and none of it fires while the
// user is typing in a text field.

import assert from 'node:assert/strict';

import { appSuite, tid, counter, waitStep, isVisible, speed, readView } from '../lib/app.mjs';

const appTest = appSuite();

const QUERY = 's=timers&mode=concurrent&seed=42';

/** Moves focus to the document body, where global shortcuts apply. */
async function focusBody(page) {
  await page.evaluate(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
}

appTest('arrow keys step, Home and End jump to the first and last step', async ({ open }) => {
  const page = await open(QUERY);
  await focusBody(page);
  const { step: first, total } = await counter(page);
  assert.ok(total >= 3, `timers concurrent seed 42 has at least 3 steps (has ${total})`);

  await page.keyboard.press('ArrowRight');
  await waitStep(page, first + 1);
  await page.keyboard.press('ArrowRight');
  await waitStep(page, first + 2);
  await page.keyboard.press('ArrowLeft');
  await waitStep(page, first + 1);
  await page.keyboard.press('End');
  await waitStep(page, total);
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(200);
  assert.equal((await counter(page)).step, total, 'ArrowRight at the last step stays there');
  await page.keyboard.press('Home');
  await waitStep(page, first);
});

appTest('arrow keys still step after a button was clicked', async ({ open }) => {
  const page = await open(QUERY);
  const { step: first } = await counter(page);
  await page.locator(tid('step-forward')).click();
  await waitStep(page, first + 1);
  await page.keyboard.press('ArrowRight');
  await waitStep(page, first + 2);
  await page.keyboard.press('ArrowLeft');
  await waitStep(page, first + 1);
});

appTest('Space plays and pauses', async ({ open }) => {
  const page = await open(QUERY);
  await focusBody(page);
  const { step: first, total } = await counter(page);

  await page.keyboard.press('Space');
  await page.waitForFunction(
    ([sel, s]) => Number(document.querySelector(sel)?.getAttribute('data-step')) > s,
    [tid('step-counter'), first],
    { timeout: 10_000 },
  );
  await page.keyboard.press('Space');
  // One tick may already be in flight when the pause lands; let it settle.
  await page.waitForTimeout(300);
  const paused = (await counter(page)).step;
  assert.ok(paused < total, `paused before the end (at ${paused} of ${total}), so the pause is what stopped it`);
  await page.waitForTimeout(2_000);
  assert.equal((await counter(page)).step, paused, 'no steps while paused');
});

appTest('Space pauses after Play was clicked (the focused button does not toggle twice)', async ({ open }) => {
  const page = await open(QUERY);
  const { step: first, total } = await counter(page);
  await page.locator(tid('play')).click();
  await page.waitForFunction(
    ([sel, s]) => Number(document.querySelector(sel)?.getAttribute('data-step')) > s,
    [tid('step-counter'), first],
    { timeout: 10_000 },
  );
  await page.keyboard.press('Space');
  await page.waitForTimeout(300);
  const paused = (await counter(page)).step;
  assert.ok(paused < total, `paused before the end (at ${paused} of ${total})`);
  await page.waitForTimeout(2_000);
  assert.equal((await counter(page)).step, paused, 'no steps after Space paused');
});

appTest('] speeds up and [ slows down', async ({ open }) => {
  const page = await open(QUERY);
  await focusBody(page);
  const initial = await speed(page);
  await page.keyboard.press(']');
  const faster = await waitSpeedChange(page, initial);
  assert.ok(faster > initial, `] raised the speed from ${initial} to ${faster}`);
  await page.keyboard.press('[');
  const back = await waitSpeedChange(page, faster);
  assert.equal(back, initial, `[ returned the speed from ${faster} to ${initial}`);
  await page.keyboard.press('[');
  const slower = await waitSpeedChange(page, initial);
  assert.ok(slower < initial, `[ lowered the speed from ${initial} to ${slower}`);
});

async function waitSpeedChange(page, old) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const now = await speed(page);
    if (now !== old) return now;
    if (Date.now() > deadline) throw new Error(`the speed stayed at ${old}`);
    await page.waitForTimeout(50);
  }
}

appTest('? opens the help overlay and Escape closes it', async ({ open }) => {
  const page = await open(QUERY);
  await focusBody(page);
  assert.equal(await isVisible(page, 'help'), false, 'help is closed at first');
  await page.keyboard.press('?');
  await page.locator(tid('help')).waitFor({ state: 'visible' });
  const text = await page.locator(tid('help')).innerText();
  assert.match(text, /space/i, 'help lists the Space shortcut');
  await page.keyboard.press('Escape');
  await page.locator(tid('help')).waitFor({ state: 'hidden' });
});

appTest('while help is open, step keys do nothing; ? closes it again', async ({ open }) => {
  const page = await open(QUERY);
  await focusBody(page);
  const { step } = await counter(page);
  const speedBefore = await speed(page);
  await page.keyboard.press('?');
  await page.locator(tid('help')).waitFor({ state: 'visible' });
  // (Not Space: focus is on the dialog's Close button, which Space rightly activates.)
  for (const key of ['ArrowRight', 'End', ']']) await page.keyboard.press(key);
  await page.waitForTimeout(700);
  assert.equal((await counter(page)).step, step, 'no step behind the open help dialog');
  assert.equal(await speed(page), speedBefore, 'no speed change behind the open help dialog');
  await page.keyboard.press('?');
  await page.locator(tid('help')).waitFor({ state: 'hidden' });
  await page.keyboard.press('ArrowRight');
  await waitStep(page, step + 1);
});

for (const field of ['seed', 'goto']) {
  appTest(`keys typed into the ${field} field do not step, play, change speed or open help`, async ({ open }) => {
    const page = await open(QUERY);
    await focusBody(page);
    const { step: first } = await counter(page);
    for (let i = 1; i <= 3; i++) {
      await page.keyboard.press('ArrowRight');
      await waitStep(page, first + i);
    }
    const view = await readView(page);
    const speedBefore = await speed(page);

    await page.locator(tid(field)).click();
    for (const key of ['ArrowRight', 'ArrowLeft', 'Home', 'End', 'Space', '[', ']', '?']) {
      await page.keyboard.press(key);
    }
    await page.waitForTimeout(1_000);
    assert.equal((await counter(page)).step, first + 3, `no step while typing in the ${field} field`);
    assert.equal(await speed(page), speedBefore, `no speed change while typing in the ${field} field`);
    assert.equal(await isVisible(page, 'help'), false, `no help overlay while typing in the ${field} field`);
    const after = await readView(page);
    assert.equal(after.fingerprint, view.fingerprint, 'the run is unchanged');
  });
}
