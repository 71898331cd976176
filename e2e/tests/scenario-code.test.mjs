// Every run shows its program: a scenario with a program runs that program's
// text (lines lit, tasks marked where they wait), its parameters are the
// `const`s at the top, and "Edit this program" opens it in the editor.

import assert from 'node:assert/strict';

import {
  appSuite,
  tid,
  counter,
  waitRecorded,
  stepForward,
  fingerprint,
  waitAttrChange,
  waitUrlParam,
  runCli,
  UPDATE_TIMEOUT_MS,
} from '../lib/app.mjs';

const appTest = appSuite();

/** The code panel's lines (text), the current line numbers and the markers (`task@line`). */
async function readCode(page) {
  return page.evaluate(() => {
    const panel = document.querySelector('[data-testid="code-panel"]');
    if (!panel) return null;
    const lines = [...panel.querySelectorAll('[data-testid="code-line"]')];
    return {
      lines: lines.map((l) => l.querySelector('code').textContent),
      current: lines.filter((l) => l.getAttribute('aria-current') === 'step').map((l) => Number(l.getAttribute('data-line'))),
      markers: [...panel.querySelectorAll('[data-testid="code-task-marker"]')]
        .map((m) => `${m.getAttribute('data-task')}@${m.getAttribute('data-line')}`)
        .sort(),
      caption: panel.querySelector('[data-testid="code-caption"]')?.textContent ?? '',
    };
  });
}

/** The 1-based number of the first line holding `needle`. */
const lineOf = (code, needle) => code.lines.findIndex((l) => l.includes(needle)) + 1;

appTest('a scenario run shows its program, its parameters as consts, lit as it steps', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=3');
  await waitRecorded(page);
  const code = await readCode(page);
  assert.ok(code, 'the code panel is shown for a scenario run');
  assert.ok(code.lines.some((l) => l.startsWith('const BOILER_S')), 'a line holds `const BOILER_S`');
  assert.ok(code.lines.includes('const BOILER_S: u64 = 5;'), `the default boiler time: ${code.lines.join('\n')}`);
  assert.equal(await page.locator(tid('run-label')).textContent(), 'timers · concurrent · seed 3', 'still the scenario');

  // Stepping lights the current event's line and marks the tasks where they wait.
  const spawnLine = lineOf(code, 'handles.push(spawn(');
  const awaitLine = lineOf(code, 'handle.await');
  // Step 7 (seed 3): main has spawned the three sleepers and waits at its await.
  await stepForward(page, 7 - (await counter(page)).step);
  const waiting = await readCode(page);
  assert.deepEqual(waiting.current, [awaitLine], 'the current event is at the await');
  assert.deepEqual(waiting.markers, [`0@${awaitLine}`], 'main is marked where it waits');
  // Two steps on, popcorn has been polled: it waits where it was spawned.
  await stepForward(page, 2);
  const polled = await readCode(page);
  assert.deepEqual(polled.current, [spawnLine], 'the current line moved to the spawn');
  assert.deepEqual(polled.markers, [`0@${awaitLine}`, `1@${spawnLine}`]);

  // The run is the scenario's: the CLI gives the same fingerprint.
  const cli = await runCli(['run', 'timers', '--mode', 'concurrent', '--seed', '3']);
  assert.equal(cli.code, 0, cli.stderr);
  const said = cli.stdout + cli.stderr;
  assert.ok(said.includes(`fingerprint ${await fingerprint(page)}`), `the CLI names the app's fingerprint: ${said}`);

  // A new boiler time regenerates the program: its const says 7.
  const oldHex = await fingerprint(page);
  const boiler = page.locator(tid('param-boiler_s'));
  await boiler.fill('7');
  await boiler.press('Enter');
  await waitUrlParam(page, 'boiler_s', 7);
  await waitAttrChange(page, 'fingerprint', 'data-hex', oldHex);
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="code-line"] code')].some((c) => c.textContent === 'const BOILER_S: u64 = 7;'),
    null,
    { timeout: UPDATE_TIMEOUT_MS },
  );
  const edited = await readCode(page);
  assert.ok(!edited.lines.includes('const BOILER_S: u64 = 5;'), 'the old const is gone');
});

appTest('Edit this program on a scenario opens the editor with the program text', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=3');
  await waitRecorded(page);
  const code = await readCode(page);
  await page.locator(tid('code-edit')).click();
  const editor = page.locator(tid('code-editor'));
  await editor.waitFor();
  assert.equal((await editor.inputValue()).replace(/\n$/, ''), code.lines.join('\n').replace(/\n$/, ''));
  assert.match(await editor.inputValue(), /const BOILER_S: u64 = 5;/);
});

appTest('the cost scenario shows its program: its consts at the top, each small task marked where it waits', async ({ open }) => {
  // Every registered scenario has a program; the Rust-source listing of one
  // without is covered natively (`app/tests/scenario_programs.rs`).
  const page = await open('s=cost&tasks=3&seed=1');
  await waitRecorded(page);
  const code = await readCode(page);
  assert.ok(code, 'the code panel is shown');
  assert.ok(code.lines.includes('const TASKS: usize = 3;'), `the task count is a const: ${code.lines.slice(0, 14).join('\n')}`);
  assert.ok(code.lines.includes('const POLL_US: u64 = 10;'), 'the default CPU per task');
  assert.ok(lineOf(code, 'const TASKS') < lineOf(code, 'async fn main'), 'the consts come first');
  assert.match(code.caption, /click a line/);
  assert.ok(await page.locator(tid('code-edit')).isEnabled(), 'its program can be edited');

  const spawnLine = lineOf(code, 'spawn("small"');
  const sleepLine = lineOf(code, 'sleep(Duration');
  const workLine = lineOf(code, 'work(Duration');
  // Step 7 (seed 1): main has spawned the three small tasks and finished; none is polled yet.
  await stepForward(page, 7 - (await counter(page)).step);
  const spawned = await readCode(page);
  assert.deepEqual(spawned.current, [spawnLine], 'the current event is at the spawn');
  assert.deepEqual(spawned.markers, [], 'main has finished and no small task has waited yet');
  // Step 16: every small task has armed its timer and waits at its sleep.
  await stepForward(page, 9);
  const sleeping = await readCode(page);
  assert.deepEqual(sleeping.current, [sleepLine], 'the current line moved to the sleep');
  assert.deepEqual(sleeping.markers, [`1@${sleepLine}`, `2@${sleepLine}`, `3@${sleepLine}`]);
  // Step 30: after the wakes, tasks 3 and 2 have done their work; task 1 still waits for its poll.
  await stepForward(page, 14);
  const working = await readCode(page);
  assert.deepEqual(working.current, [workLine], 'the current line is the work');
  assert.deepEqual(working.markers, [`1@${sleepLine}`]);
});

appTest('a million-task run past the interpreter limit is compiled and shows its program unlit', async ({ open }) => {
  const page = await open('s=million&tasks=20001&seed=1');
  await waitRecorded(page);
  const code = await readCode(page);
  assert.ok(code.lines.some((l) => l.includes('20001')), `its const names the task count: ${code.lines.slice(0, 12).join('\n')}`);
  assert.match(code.caption, /compiled equivalent/);
  await stepForward(page, 3);
  assert.deepEqual((await readCode(page)).markers, [], 'no task markers');
  assert.ok(await page.locator(tid('code-edit')).isEnabled(), 'its program can be edited');
  assert.ok((await counter(page)).total > 20001, 'the run recorded');
});
