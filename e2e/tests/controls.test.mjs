// The other ways to move through a run: the go-to field, the scrubber and
// the event log. Each must land on exactly the view stepping reaches.

import assert from 'node:assert/strict';

import { appSuite, tid, counter, waitStep, readView, stepForward, waitUrlParam } from '../lib/app.mjs';

const appTest = appSuite();

const QUERY = 's=timers&mode=concurrent&seed=42';

appTest('the go-to field jumps to a step', async ({ open }) => {
  const page = await open(QUERY);
  const goto = page.locator(tid('goto'));
  await goto.fill('10');
  await goto.press('Enter');
  await waitStep(page, 10);
  await waitUrlParam(page, 'step', 10);
  const viaGoto = await readView(page);

  const stepped = await open(QUERY);
  await stepForward(stepped, 10 - (await counter(stepped)).step);
  assert.deepEqual(viaGoto, await readView(stepped), 'timers concurrent seed 42: go-to 10 = stepping to 10');
});

appTest('the scrubber seeks to a step', async ({ open }) => {
  const page = await open(QUERY);
  const { total } = await counter(page);
  const target = Math.floor(total / 2);
  await page.locator(tid('scrubber')).fill(String(target));
  await waitStep(page, target);
  const viaScrubber = await readView(page);

  const stepped = await open(QUERY);
  await stepForward(stepped, target - (await counter(stepped)).step);
  assert.deepEqual(viaScrubber, await readView(stepped), `timers concurrent seed 42: scrubber ${target} = stepping`);
});

appTest('the scrubber follows stepping', async ({ open }) => {
  const page = await open(QUERY);
  const step = await stepForward(page, 6);
  await page.waitForFunction(
    ([sel, v]) => document.querySelector(sel)?.value === v,
    [tid('scrubber'), String(step)],
  );
});
