// A deadlocked run: the deadlock panel at the last step names the blocked
// tasks, what each waits on, and the cycles the native library reports;
// the verdict and measurement agree with the CLI's.

import assert from 'node:assert/strict';

import { appSuite, tid, counter, clickAndWaitStep, waitRecorded, runCli } from '../lib/app.mjs';
import { NATIVE_BUILD_TIMEOUT_MS } from '../lib/native.mjs';

const appTest = appSuite();

async function goLast(page) {
  await waitRecorded(page);
  const { total } = await counter(page);
  await clickAndWaitStep(page, 'last', total);
}

appTest('flow zero-window: both ends blocked on full channels, as the CLI says', async ({ open }) => {
  const native = await runCli(['run', 'flow', '--mode', 'zero-window', '--seed', '1']);
  const outcome = native.stdout.split('\n').find((l) => l.startsWith('outcome:')) ?? '';
  assert.match(outcome, /deadlock/, `CLI: ${native.stdout}`);
  const nativeCycles = (outcome.match(/; cycle: /g) ?? []).length;

  const page = await open('s=flow&mode=zero-window&seed=1');
  assert.equal(await page.locator(tid('deadlock')).count(), 0, 'the deadlock is revealed at the last step, with the answer');
  await goLast(page);
  const panel = page.locator(tid('deadlock'));
  await panel.waitFor({ state: 'visible' });
  const blocked = await panel.locator('li[data-task]').evaluateAll((els) => els.map((el) => [el.getAttribute('data-task'), el.textContent.replace(/\s+/g, ' ').trim()]));
  assert.deepEqual(blocked.map(([t]) => t), ['0', '1'], 'flow zero-window seed 1: sender #0 and receiver #1 are blocked');
  assert.match(blocked[0][1], /sender #0 waits on channel "data" \(full\)/);
  assert.match(blocked[1][1], /receiver #1 waits on channel "acks" \(full\)/);
  assert.equal(Number(await panel.getAttribute('data-cycles')), nativeCycles, 'the cycles the native library reports');
  const graph = page.locator(tid('waitfor-graph'));
  assert.equal(await graph.locator('[data-kind="task"]').count(), 2, 'both tasks drawn');
  assert.equal(await graph.locator('[data-kind="channel"]').count(), 2, 'both channels drawn');

  const verdict = page.locator(tid('verdict'));
  await verdict.waitFor({ state: 'visible' });
  assert.equal(await verdict.getAttribute('data-pass'), native.stdout.includes('verdict: pass') ? 'true' : 'false');
  const measured = native.stdout.split('\n').find((l) => l.startsWith('measured: '))?.slice('measured: '.length);
  assert.equal((await page.locator(tid('measured')).textContent()).replace(/^Measured: /, ''), measured);
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('a completed run shows no deadlock, and race seed 12 fails its verdict', async ({ open }) => {
  const timers = await open('s=timers&seed=1');
  await goLast(timers);
  await timers.locator(tid('verdict')).waitFor({ state: 'visible' });
  assert.equal(await timers.locator(tid('verdict')).getAttribute('data-pass'), 'true');
  assert.equal(await timers.locator(tid('deadlock')).count(), 0);

  const race = await open('s=race&seed=12');
  await goLast(race);
  const verdict = race.locator(tid('verdict'));
  await verdict.waitFor({ state: 'visible' });
  assert.equal(await verdict.getAttribute('data-pass'), 'false');
  assert.match(await verdict.textContent(), /counter is 1, expected 2/);
});
