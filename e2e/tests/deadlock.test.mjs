// A deadlocked run: the deadlock panel at the last step names the blocked
// tasks, what each waits on, and the cycles the native library reports;
// the verdict and measurement agree with the CLI's.

import assert from 'node:assert/strict';

import { appSuite, tid, counter, clickAndWaitStep, waitRecorded, runCli, addAxe } from '../lib/app.mjs';
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
  assert.deepEqual(blocked.map(([t]) => t), ['1', '2'], 'flow zero-window seed 1: sender #1 and receiver #2 are blocked (main #0 has completed)');
  assert.match(blocked[0][1], /sender #1 waits on channel "data" \(full\)/);
  assert.match(blocked[1][1], /receiver #2 waits on channel "acks" \(full\)/);
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

// ---------- Accessibility and screenshots of the new views ----------

import { mkdir } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { REPO_DIR } from '../lib/server.mjs';

const SHOTS_DIR = path.join(REPO_DIR, 'target', 'screenshots');

/** axe violations on the page, one line each. */
async function axeViolations(page) {
  await addAxe(page);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function shoot(page, name) {
  await mkdir(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

appTest('axe is clean and screenshots are saved: deadlock, resources, sweep, import', async ({ open }) => {
  const page = await open('s=flow&mode=zero-window&seed=1');
  await goLast(page);
  await page.locator(tid('deadlock')).waitFor({ state: 'visible' });
  await page.locator(tid('verdict')).waitFor({ state: 'visible' });
  assert.deepEqual(await axeViolations(page), [], 'flow zero-window seed 1, last step');
  await shoot(page, '10-deadlock-and-verdict');

  const mutex = await open('s=mutex&mode=fair&seed=1&step=44');
  await mutex.locator(tid('resources')).waitFor({ state: 'visible' });
  assert.deepEqual(await axeViolations(mutex), [], 'mutex fair seed 1, step 44');
  await shoot(mutex, '11-resources-mutex');

  const race = await open('s=race&seed=0');
  await waitRecorded(race);
  await race.locator(tid('sweep-start')).click();
  await race.locator(tid('sweep-result')).waitFor({ state: 'visible', timeout: 60_000 });
  await race.waitForFunction(() => new URL(location.href).searchParams.get('seed') === '12');
  await goLast(race);
  await race.locator(tid('verdict')).waitFor({ state: 'visible' });
  assert.deepEqual(await axeViolations(race), [], 'race after the sweep');
  await shoot(race, '12-sweep-found-race-seed-12');

  const dir = await mkdtemp(path.join(tmpdir(), 'wakescope-shot-'));
  const out = path.join(dir, 'blocking.jsonl');
  const { code } = await runCli(['run', 'blocking', '--seed', '0', '--format', 'jsonl', '--out', out]);
  assert.equal(code, 0);
  const imported = await open('s=timers&seed=1');
  await imported.locator(tid('import')).setInputFiles(out);
  await imported.locator(tid('import-info')).waitFor({ state: 'visible' });
  const { total } = await counter(imported);
  await clickAndWaitStep(imported, 'last', total);
  assert.deepEqual(await axeViolations(imported), [], 'an imported trace');
  await shoot(imported, '13-imported-blocking-trace');
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });
