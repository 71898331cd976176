// The program on screen: the code panel (current line, where each task
// waits, click a line), the playground editor (draft, Run, problems), and
// share links in `#code=` that the stock JavaScript `lz-string` reads and writes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import {
  appSuite,
  tid,
  counter,
  waitReady,
  waitRecorded,
  waitStep,
  stepForward,
  clickAndWaitStep,
  addAxe,
  UPDATE_TIMEOUT_MS,
} from '../lib/app.mjs';

const require = createRequire(import.meta.url);
const lz = require('lz-string');

const appTest = appSuite();

const program = (name) => readFileSync(new URL(`../../playground/tests/programs/${name}.rs`, import.meta.url), 'utf8');
const TIMERS = program('timers');
const DRAFT_KEY = 'wakescope.playground.draft';

/** The 1-based line of `text` holding `needle`. */
const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** Opens `?query#code=<text>` (encoded by the npm package) and waits for the run. */
async function openProgram(ctx, text, query = 'seed=42') {
  const page = await ctx.session.newPage();
  await page.goto(`${ctx.base}/?${query}#code=${lz.compressToEncodedURIComponent(text)}`);
  await waitReady(page);
  await waitRecorded(page);
  return page;
}

/** What the code panel shows: its text, the current line, and the markers (`task@line:name`). */
async function readCode(page) {
  return page.evaluate(() => {
    const panel = document.querySelector('[data-testid="code-panel"]');
    if (!panel) return null;
    const lines = [...panel.querySelectorAll('[data-testid="code-line"]')];
    return {
      text: lines.map((l) => l.querySelector('code').textContent).join('\n'),
      numbers: lines.map((l) => Number(l.getAttribute('data-line'))),
      current: lines.filter((l) => l.getAttribute('aria-current') === 'step').map((l) => Number(l.getAttribute('data-line'))),
      markers: [...panel.querySelectorAll('[data-testid="code-task-marker"]')]
        .map((m) => `${m.getAttribute('data-task')}@${m.getAttribute('data-line')}:${m.textContent.trim()}`)
        .sort(),
    };
  });
}

async function waitCurrentLine(page, line) {
  await page.waitForFunction(
    (n) => document.querySelector(`[data-testid="code-line"][data-line="${n}"]`)?.getAttribute('aria-current') === 'step',
    line,
    { timeout: UPDATE_TIMEOUT_MS },
  );
}

appTest('a link made by the npm lz-string package opens the program at its seed and step', async (ctx) => {
  const page = await openProgram(ctx, TIMERS, 'seed=42&step=6');
  assert.deepEqual(await counter(page).then((c) => c.step), 6);
  const code = await readCode(page);
  assert.ok(code, 'the code panel is shown for a program run');
  assert.equal(code.text, TIMERS, 'the panel shows the program, line for line');
  assert.deepEqual(code.numbers, TIMERS.split('\n').map((_, i) => i + 1));
  assert.equal(await page.locator(tid('run-label')).textContent(), 'playground · seed 42');
  // Step 6: main waits at `timer.await`; the three timers are spawned and
  // the first sleeper was polled (its sleep was handed to `spawn`: marked there).
  const awaitLine = lineOf(TIMERS, 'timer.await');
  const spawnLine = lineOf(TIMERS, 'timers.push(spawn(');
  assert.deepEqual(code.markers, [`0@${awaitLine}:main`]);
  assert.equal(code.current.length, 1, 'one current line');
  // Step on: the sleepers wait at the spawn line, and main stays at its await.
  await stepForward(page, 3);
  const later = await readCode(page);
  assert.deepEqual(later.markers, [`0@${awaitLine}:main`, `1@${spawnLine}:popcorn`]);
  assert.equal(later.current.length, 1);
  // At the end nothing waits.
  const { total } = await counter(page);
  await clickAndWaitStep(page, 'last', total);
  assert.deepEqual((await readCode(page)).markers, []);
  // The run is the program's: completed, at 10 s of virtual time.
  assert.equal(await page.locator(tid('outcome')).getAttribute('data-outcome'), 'completed');
  assert.equal(await page.locator(tid('clock')).getAttribute('data-ns'), '10000000000');
});

appTest('clicking a line, or Enter on it, goes to the next step at that line and wraps to the start', async (ctx) => {
  const page = await openProgram(ctx, TIMERS, 'seed=1&step=0');
  const spawnLine = lineOf(TIMERS, 'timers.push(spawn(');
  const line = page.locator(`${tid('code-line')}[data-line="${spawnLine}"]`);
  // Every step at that line in turn — the three spawns, and the sleeps that
  // are those tasks' whole futures (they wait where they were spawned) —
  // then back to the first.
  const steps = [];
  for (let i = 0; i < 16; i++) {
    const before = (await counter(page)).step;
    await line.click();
    await page.waitForFunction(
      ([sel, old]) => document.querySelector(sel)?.getAttribute('data-step') !== String(old),
      [tid('step-counter'), before],
      { timeout: UPDATE_TIMEOUT_MS },
    );
    await waitCurrentLine(page, spawnLine);
    const step = (await counter(page)).step;
    if (steps.length > 0 && step === steps[0]) {
      steps.push(step);
      break;
    }
    steps.push(step);
  }
  const round = steps.slice(0, -1);
  assert.ok(round.length >= 3, `at least the three spawns: ${steps}`);
  assert.ok(round.every((s, i) => i === 0 || round[i - 1] < s), `in order: ${steps}`);
  assert.equal(steps[steps.length - 1], steps[0], `wraps to the first: ${steps}`);

  // From the keyboard: the lines are one Tab stop; ↓ moves, Enter jumps.
  const awaitLine = lineOf(TIMERS, 'timer.await');
  await line.focus();
  for (let n = spawnLine; n < awaitLine; n++) await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-line'));
  assert.equal(focused, String(awaitLine));
  await page.keyboard.press('Enter');
  await waitCurrentLine(page, awaitLine);
});

appTest('the playground starts with an example, keeps a draft over a reload, and its link decodes with the npm package', async (ctx) => {
  const page = await ctx.open('s=timers&seed=7');
  await page.locator(tid('playground-open')).click();
  const editor = page.locator(tid('code-editor'));
  await editor.waitFor();
  assert.equal(await editor.inputValue(), TIMERS, 'with no draft, the editor holds the timers example');
  await page.locator(tid('code-panel')).waitFor();
  await waitRecorded(page);

  // An edit is saved as the draft at once.
  const edited = TIMERS.replace('const COOKIES_S: u64 = 10;', 'const COOKIES_S: u64 = 12;').replace(
    'check(now() == Duration::from_secs(COOKIES_S), "they wait together");',
    'check(now() == Duration::from_secs(COOKIES_S), "they wait together");\n    println!("done at {:?}", now());',
  );
  await editor.fill(edited);
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), DRAFT_KEY), edited);

  await page.locator(tid('code-run')).click();
  await page.waitForFunction(() => location.hash.startsWith('#code='), null, { timeout: UPDATE_TIMEOUT_MS });
  await waitRecorded(page);
  assert.equal(await page.locator(tid('clock')).getAttribute('data-ns'), '0');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('seed'), '7', 'the seed on screen is kept');
  assert.equal(lz.decompressFromEncodedURIComponent(url.hash.slice('#code='.length)), edited, 'the npm package reads the link back');
  const share = await page.locator(tid('share')).getAttribute('data-url');
  assert.equal(lz.decompressFromEncodedURIComponent(new URL(share).hash.slice('#code='.length)), edited);
  // The run is the edited program: the last cookie at 12 s, and its print in the log.
  const { total } = await counter(page);
  await clickAndWaitStep(page, 'last', total);
  assert.equal(await page.locator(tid('clock')).getAttribute('data-ns'), '12000000000');
  assert.match(await page.locator(tid('event-log')).textContent(), /done at 12s/);

  // Back: the run before (the example), then the scenario, where the editor closes.
  await page.goBack();
  await page.waitForFunction(
    (want) => [...document.querySelectorAll('[data-testid="code-line"] code')].map((c) => c.textContent).join('\n') === want,
    TIMERS,
    { timeout: UPDATE_TIMEOUT_MS },
  );
  await page.goBack();
  await page.waitForFunction(() => new URLSearchParams(location.search).get('s') === 'timers' && location.hash === '', null, {
    timeout: UPDATE_TIMEOUT_MS,
  });
  await page.locator(tid('code-editor')).waitFor({ state: 'detached' });
  assert.match((await readCode(page)).text, /const BOILER_S: u64 = 5;/, 'the scenario shows its own program again');
  assert.equal(await page.locator(tid('run-label')).textContent(), 'timers · concurrent · seed 7');

  // A reload of the bare page (no link) restores the draft in the editor.
  await page.goto(`${ctx.base}/`);
  await waitReady(page);
  await page.locator(tid('playground-open')).click();
  assert.equal(await page.locator(tid('code-editor')).inputValue(), edited);
});

appTest('a program that does not parse shows its place and message, and the last good run stays', async (ctx) => {
  const page = await openProgram(ctx, TIMERS, 'seed=3');
  const fingerprint = await page.locator(tid('fingerprint')).getAttribute('data-hex');
  const address = page.url();
  await page.locator(tid('code-edit')).click();
  const editor = page.locator(tid('code-editor'));
  assert.equal(await editor.inputValue(), TIMERS, 'Edit this program puts the program in the editor');
  await editor.fill('use wakescope::spawn;\n\nasync fn main() {\n    let x = ;\n}\n');
  await page.locator(tid('code-run')).click();
  const error = page.locator(tid('code-error')).first();
  await error.waitFor();
  assert.equal(await error.getAttribute('data-line'), '4');
  assert.equal(await error.getAttribute('data-column'), '13');
  assert.match(await error.textContent(), /line 4, column 13/);
  assert.equal(await page.locator(tid('fingerprint')).getAttribute('data-hex'), fingerprint, 'the last good run stays');
  assert.equal(page.url(), address, 'and so does its address');
  assert.equal((await readCode(page)).text, TIMERS, 'the code panel shows the program that ran');

  // A construct the playground does not run is refused at its place too.
  await editor.fill('async fn main() {\n    struct Point;\n}\n');
  await page.locator(tid('code-run')).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="code-error"]')?.getAttribute('data-line') === '2');
});

appTest('a corrupt or cut-short link says so and leaves the draft untouched', async (ctx) => {
  const page = await ctx.open('');
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [DRAFT_KEY, 'async fn main() {}\n// my draft\n']);
  const good = lz.compressToEncodedURIComponent(TIMERS);
  for (const hash of [good.slice(0, Math.floor(good.length / 2)), '@@not-a-link@@', '']) {
    await page.goto(`${ctx.base}/?seed=5#code=${hash}`);
    await waitReady(page);
    const error = page.locator(tid('error'));
    await error.waitFor();
    assert.match(await error.textContent(), /damaged or cut short|holds no program/, `#code=${hash}`);
    assert.match((await readCode(page)).text, /const BOILER_S/, 'the scenario is shown with its own program');
    assert.equal(await page.locator(tid('playground-open')).getAttribute('aria-pressed'), 'false', 'no playground program is shown');
    assert.equal(await page.evaluate((k) => localStorage.getItem(k), DRAFT_KEY), 'async fn main() {}\n// my draft\n');
  }
  await page.locator(tid('playground-open')).click();
  assert.equal(await page.locator(tid('code-editor')).inputValue(), 'async fn main() {}\n// my draft\n');
});

appTest('an endless loop stops at the per-poll limit: the page keeps working and the task shows as panicked', async (ctx) => {
  const spin = [
    'use wakescope::{spawn, yield_now};',
    '',
    'async fn main() {',
    '    let spinner = spawn("spinner", async {',
    '        let mut n: u64 = 0;',
    '        loop {',
    '            n += 1;',
    '        }',
    '    });',
    '    yield_now().await;',
    '    let _ = spinner.await;',
    '}',
    '',
  ].join('\n');
  const page = await openProgram(ctx, spin, 'seed=0');
  // The page answers: stepping works.
  await stepForward(page, 2);
  const { total } = await counter(page);
  await clickAndWaitStep(page, 'last', total);
  const row = page.locator(`${tid('task-row')}[data-state="panicked"]`);
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /spinner/);
  const log = await page.locator(tid('event-log')).textContent();
  assert.match(log, /spinner/);
  assert.match(log, /statements|limit/i, 'the limit message is in the log');
  assert.match(log, /main\.rs:6/, 'at the loop\'s line');
});

appTest('axe: the code panel and the editor have no violations', async (ctx) => {
  const page = await openProgram(ctx, TIMERS, 'seed=42&step=9');
  await page.locator(tid('code-edit')).click();
  await page.locator(tid('code-editor')).waitFor();
  await addAxe(page);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, []);
});

appTest('a program over the size limit gets a message instead of a link, and its text is kept', async (ctx) => {
  const page = await ctx.open('');
  await page.locator(tid('playground-open')).click();
  await waitRecorded(page);
  const big = `${TIMERS}\n${'// padding to go over the limit\n'.repeat(600)}`;
  await page.locator(tid('code-editor')).fill(big);
  await page.locator(tid('code-run')).click();
  const error = page.locator(tid('code-error')).first();
  await error.waitFor();
  assert.match(await error.textContent(), /16384/);
  assert.equal(await page.locator(tid('code-editor')).inputValue(), big, 'the text is kept');
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), DRAFT_KEY), big, 'and saved as the draft');
});

appTest('a link to a program that does not parse opens it in the editor with its problem, and runs the scenario', async (ctx) => {
  const broken = 'async fn main() {\n    let x = ;\n}\n';
  const page = await ctx.session.newPage();
  await page.goto(`${ctx.base}/?seed=2#code=${lz.compressToEncodedURIComponent(broken)}`);
  await waitReady(page);
  assert.match(await page.locator(tid('error')).textContent(), /does not run \(line 2, column 13/);
  assert.equal(await page.locator(tid('code-editor')).inputValue(), broken, 'the program is in the editor');
  assert.equal(await page.locator(tid('code-error')).first().getAttribute('data-line'), '2');
  assert.equal(await page.locator(tid('run-label')).textContent(), 'timers · concurrent · seed 2');
});

appTest('the interpreter loads only when a program runs, and its run is the one the page shows', async (ctx) => {
  const fetched = [];
  // A compiled scenario (too many tasks to interpret) does not start the interpreter's worker.
  const page = await ctx.session.newPage();
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`${ctx.base}/?s=million&tasks=20001&seed=3`);
  await waitReady(page);
  await waitRecorded(page);
  assert.equal(fetched.filter((p) => p.includes('wakescope-worker')).length, 0, `fetched: ${fetched.join(', ')}`);
  const workers = () => page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('wakescope-worker')).length);
  assert.equal(await workers(), 0);

  // Running a program starts it; the run arrives, lit, with the program's output.
  await page.locator(tid('playground-open')).click();
  await page.waitForFunction(() => location.hash.startsWith('#code='), null, { timeout: UPDATE_TIMEOUT_MS });
  assert.equal(await waitRecorded(page), 'completed');
  assert.ok(fetched.some((p) => p.endsWith('wakescope-worker_bg.wasm')), `fetched: ${fetched.join(', ')}`);
  const { total } = await counter(page);
  assert.ok(total > 10, `${total} steps`);
  await clickAndWaitStep(page, 'last', total);
  assert.equal(await page.locator(tid('clock')).getAttribute('data-ns'), '10000000000', 'the cookies are done at 10 s');
  assert.ok((await page.locator(tid('code-task-marker')).count()) === 0, 'at the end no task waits');

  // A second program reuses the worker: nothing more is fetched.
  const before = fetched.filter((p) => p.includes('wakescope-worker')).length;
  await page.locator(tid('code-editor')).fill(TIMERS.replace('const COOKIES_S: u64 = 10;', 'const COOKIES_S: u64 = 11;'));
  await page.locator(tid('code-run')).click();
  await waitRecorded(page);
  const { total: total2 } = await counter(page);
  await clickAndWaitStep(page, 'last', total2);
  assert.equal(await page.locator(tid('clock')).getAttribute('data-ns'), '11000000000');
  assert.equal(fetched.filter((p) => p.includes('wakescope-worker')).length, before, 'the worker is started once');
});
