// Why did it fail? The searches around the run on screen — shrink, "what if
// from here?", bisect — run in the searcher's worker and agree with the
// CLI's; what they find opens on click, through `schedule=` in the address.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { appSuite, tid, addAxe, waitReady, waitRecorded, waitStep, waitUrlParam, runCli, UPDATE_TIMEOUT_MS } from '../lib/app.mjs';
import { NATIVE_BUILD_TIMEOUT_MS } from '../lib/native.mjs';

const require = createRequire(import.meta.url);
const lz = require('lz-string');

const appTest = appSuite();

/** How long a search may take in the page. */
const SEARCH_TIMEOUT_MS = 120_000;

const ORDER = readFileSync(new URL('../../cli/tests/programs/order.rs', import.meta.url), 'utf8');

/** Waits for the search's result and reads it. */
async function searchResult(page, kind) {
  const result = page.locator(tid('search-result'));
  await result.waitFor({ state: 'visible', timeout: SEARCH_TIMEOUT_MS });
  assert.equal(await result.getAttribute('data-kind'), kind, `a ${kind} result: ${await result.textContent()}`);
  return result;
}

/** Goes to the last step and reads the scenario's verdict there. */
async function verdictAtEnd(page) {
  await page.locator(tid('last')).click();
  const verdict = page.locator(tid('verdict'));
  await verdict.waitFor({ state: 'visible', timeout: UPDATE_TIMEOUT_MS });
  return { pass: await verdict.getAttribute('data-pass'), text: (await verdict.textContent()).trim() };
}

/** Waits until the run on screen is known to fail (its Shrink button shows). */
async function waitFailing(page) {
  await page.locator(tid('shrink')).waitFor({ state: 'visible', timeout: UPDATE_TIMEOUT_MS });
}

appTest('race seed 12: Shrink finds what the CLI finds, and its run fails the same check', async ({ open }) => {
  const native = await runCli(['shrink', 'race', '--seed', '12']);
  const schedule = native.stdout.match(/schedule (s:\S*)/)?.[1];
  assert.equal(schedule, 's:', `the CLI's shrunk schedule: ${native.stdout}`);

  const page = await open('s=race&seed=12');
  await waitRecorded(page);
  await waitFailing(page);
  await page.locator(tid('shrink')).click();
  const result = await searchResult(page, 'shrunk');
  assert.equal(await result.getAttribute('data-deviations'), '0');
  assert.equal(await result.getAttribute('data-minimal'), 'true');
  assert.equal((await page.locator(tid('shrunk-schedule')).textContent()).trim(), schedule);
  assert.match(await result.textContent(), /itself fails this way/);

  await page.locator(tid('open-shrunk')).click();
  await waitUrlParam(page, 'schedule', schedule);
  await waitRecorded(page);
  assert.match(await page.locator(tid('run-schedule')).textContent(), /schedule s:/);
  assert.match((await verdictAtEnd(page)).text, /counter is 1, expected 2/);
  assert.equal(await page.locator(tid('search-result')).getAttribute('data-kind'), 'shrunk', 'the result stays beside the shrunk run');
  // A run that follows a schedule cannot be shrunk again: the button says why.
  assert.ok(await page.locator(tid('shrink')).isDisabled());
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('an order violation in the playground shrinks to its one deviation, in words, and replays', async ({ session, base }) => {
  const native = await runCli(['shrink', 'cli/tests/programs/order.rs', '--seed', '0']);
  const schedule = native.stdout.match(/schedule (s:\S*)/)?.[1];
  const words = native.stdout.match(/^ {2}(at step \d+ .*)$/m)?.[1];
  assert.ok(schedule && words, `the CLI's shrink: ${native.stdout}`);

  const page = await session.newPage();
  await page.goto(`${base}/?seed=0#code=${lz.compressToEncodedURIComponent(ORDER)}`);
  await waitReady(page);
  await waitRecorded(page);
  assert.equal(await page.locator(tid('outcome')).getAttribute('data-outcome'), 'panicked');
  await page.locator(tid('shrink')).click();
  const result = await searchResult(page, 'shrunk');
  assert.equal(await result.getAttribute('data-deviations'), '1');
  assert.equal((await page.locator(tid('shrunk-schedule')).textContent()).trim(), schedule);
  const deviation = page.locator(tid('deviation'));
  assert.equal(await deviation.count(), 1);
  assert.ok((await deviation.textContent()).includes(words), `the deviation in words: ${await deviation.textContent()}`);
  const step = Number(await deviation.getAttribute('data-step'));

  await page.locator(tid('open-shrunk')).click();
  await waitUrlParam(page, 'schedule', schedule);
  await waitRecorded(page);
  await waitStep(page, step);
  assert.equal(await page.locator(tid('outcome')).getAttribute('data-outcome'), 'panicked', 'the shrunk run fails the same way');
  assert.ok(new URL(page.url()).hash.startsWith('#code='), 'the program stays in the link');
  // The link opens the same run in a new page.
  const again = await session.newPage();
  await again.goto(page.url());
  await waitReady(again);
  await waitRecorded(again);
  assert.equal(await again.locator(tid('fingerprint')).getAttribute('data-hex'), await page.locator(tid('fingerprint')).getAttribute('data-hex'));
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('What if from here? counts the continuations the CLI counts, and each ending opens', async ({ open }) => {
  const native = await runCli(['fork', 'race', '--seed', '12', '--at', '0', '--runs', '50']);
  const failed = native.stdout.match(/: (\d+) failed/)?.[1];
  const firstFailing = native.stdout.match(/failed with .* schedule (s:\S*)/)?.[1];
  assert.ok(failed && firstFailing, `the CLI's fork: ${native.stdout}`);

  const page = await open('s=race&seed=12&step=0');
  await waitRecorded(page);
  await waitStep(page, 0);
  const runs = page.locator(tid('fork-runs'));
  await runs.fill('50');
  await runs.press('Tab');
  await page.locator(tid('fork')).click();
  const result = await searchResult(page, 'forked');
  assert.equal(await result.getAttribute('data-runs'), '50');
  assert.equal(await result.getAttribute('data-failures'), failed);
  const endings = await page.locator(tid('ending')).evaluateAll((rows) =>
    rows.map((r) => ({ failed: r.getAttribute('data-failed'), runs: Number(r.getAttribute('data-runs')) })),
  );
  assert.equal(endings.reduce((sum, e) => sum + e.runs, 0), 50, 'the endings add up to the runs');
  assert.equal(endings.filter((e) => e.failed === 'true').reduce((sum, e) => sum + e.runs, 0), Number(failed));

  const failing = page.locator(`${tid('ending')}[data-failed="true"] ${tid('open-ending')}`).first();
  await failing.click();
  await waitUrlParam(page, 'schedule', firstFailing);
  await waitRecorded(page);
  const verdict = await verdictAtEnd(page);
  assert.equal(verdict.pass, 'false', verdict.text);
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('Bisect marks the step from which race seed 12 was sure to fail, as the CLI says', async ({ open }) => {
  const native = await runCli(['bisect', 'race', '--seed', '12']);
  const inevitable = native.stdout.match(/inevitable from step (\d+)/)?.[1];
  assert.ok(inevitable, `the CLI's bisect: ${native.stdout}`);

  const page = await open('s=race&seed=12');
  await waitRecorded(page);
  await waitFailing(page);
  await page.locator(tid('bisect')).click();
  const result = await searchResult(page, 'bisected');
  assert.equal(await result.getAttribute('data-inevitable-step'), inevitable);
  const points = await page.locator(`${tid('bisect-chart')} circle`).evaluateAll((cs) =>
    cs.map((c) => ({ step: Number(c.getAttribute('data-step')), p: Number(c.getAttribute('data-p')) })),
  );
  assert.ok(points.length >= 2, 'the chart has its points');
  assert.equal(points.at(-1).p, 1, 'the last point fails surely');
  assert.ok(points[0].p < 1, 'the first does not');
  assert.equal(await page.locator(tid('inevitable-mark')).getAttribute('data-step'), inevitable);
  assert.equal(await page.locator(tid('timeline-inevitable')).count(), 1);

  await page.locator(tid('inevitable-jump')).click();
  await waitStep(page, Number(inevitable));
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('a search can be cancelled, and the next one runs; a passing run has nothing to shrink', async ({ open }) => {
  const page = await open('s=race&seed=12&step=0');
  await waitRecorded(page);
  const runs = page.locator(tid('fork-runs'));
  await runs.fill('100000');
  await runs.press('Tab');
  await page.locator(tid('fork')).click();
  await page.locator(tid('search-progress')).waitFor({ state: 'visible', timeout: UPDATE_TIMEOUT_MS });
  await page.locator(tid('search-cancel')).click();
  assert.match(await page.locator(tid('search-stopped')).textContent(), /^cancelled/);

  await runs.fill('20');
  await runs.press('Tab');
  await page.locator(tid('fork')).click();
  const result = await searchResult(page, 'forked');
  assert.equal(await result.getAttribute('data-runs'), '20');

  // A bad count is a sentence, and the last good one stays.
  await runs.fill('0');
  await runs.press('Tab');
  assert.match(await page.locator(tid('error')).textContent(), /continuations: `0` is not a whole number in 1\.\.=100000; using 20/);
  assert.equal(await runs.inputValue(), '20');

  const passing = await open('s=timers&seed=0');
  await waitRecorded(passing);
  assert.equal((await verdictAtEnd(passing)).pass, 'true');
  assert.equal(await passing.locator(tid('shrink')).count(), 0, 'no Shrink on a passing run');
  await passing.locator(tid('fork')).click();
  const forked = await searchResult(passing, 'forked');
  assert.match(await forked.textContent(), /This run passes/);
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('axe: the Why panel with a shrink, a fork, a bisection and a comparison has no violations', async ({ open }) => {
  const page = await open('s=race&seed=12');
  await waitRecorded(page);
  await waitFailing(page);
  await page.locator(tid('vs')).fill('seed:13');
  for (const [button, kind] of [['shrink', 'shrunk'], ['fork', 'forked'], ['bisect', 'bisected'], ['compare', 'compared']]) {
    await page.locator(tid(button)).click();
    await searchResult(page, kind);
    await addAxe(page);
    const violations = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const result = await axe.run(document.querySelector('[data-testid="why"]'), { resultTypes: ['violations'] });
      return result.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    assert.deepEqual(violations, [], `after ${button}`);
  }
});

appTest('Compare: vs= in the address shows the first divergence the CLI names, and both runs at the cursor', async ({ open }) => {
  const native = await runCli(['diff', 'race', '--seed', '12', '--vs', 'seed:13']);
  const summary = native.stdout.match(/^first divergence: (step (\d+): .*)$/m) ?? native.stdout.match(/^(step (\d+): .*)$/m);
  assert.ok(summary, `the CLI's diff: ${native.stdout}`);
  const divergence = Number(summary[2]);

  const page = await open('s=race&seed=12&vs=seed:13');
  await waitRecorded(page);
  const result = await searchResult(page, 'compared');
  assert.equal(await result.getAttribute('data-same'), 'false');
  assert.equal(await result.getAttribute('data-divergence-step'), String(divergence));
  assert.ok((await result.textContent()).includes(summary[1]), `the page says what the CLI says: ${summary[1]}`);
  assert.equal(await page.locator(tid('vs')).inputValue(), 'seed:13');

  await page.locator(tid('divergence-jump')).click();
  await waitStep(page, divergence + 1);
  const rows = await page.locator(tid('compare-row')).evaluateAll((rs) =>
    Object.fromEntries(rs.map((r) => [r.getAttribute('data-what'), r.getAttribute('data-differs')])),
  );
  assert.equal(rows.step, 'false', 'both at the same step');
  assert.equal(rows.event, 'true', 'the event just applied differs');
  const before = page.locator(tid('step-back'));
  await before.click();
  await waitStep(page, divergence);
  const same = await page.locator(`${tid('compare-row')}[data-what="event"]`).getAttribute('data-differs');
  assert.equal(same, 'false', 'one step earlier the runs agree');
  await waitUrlParam(page, 'vs', 'seed:13');
  const shared = new URL(await page.locator(tid('share')).getAttribute('data-url'));
  assert.equal(shared.searchParams.get('vs'), 'seed:13', 'the share link keeps the comparison');

  // Typed in the field: a bad one is a sentence; the same run is the same.
  await page.locator(tid('vs')).fill('colour:red');
  await page.locator(tid('compare')).click();
  assert.match(await page.locator(tid('error')).textContent(), /vs=`colour:red` is not a run to compare with/);
  await page.locator(tid('vs')).fill('seed:12');
  await page.locator(tid('compare')).click();
  await page.locator(`${tid('search-result')}[data-same="true"]`).waitFor({ timeout: SEARCH_TIMEOUT_MS });
  await waitUrlParam(page, 'vs', 'seed:12');
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });
