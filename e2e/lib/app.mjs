// Driving the Wakescope app through its `data-testid` hooks.
//
// Everything here reads what a user sees (the test ids and their data
// attributes), never app internals. `readView` takes one consistent snapshot
// of the panels so two views can be compared with a single deepEqual.

import { test, before, after } from 'node:test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { serve, distDir } from './server.mjs';
import { launchBrowser, Session } from './browser.mjs';

/** How long the app may take to load and show its first step. */
export const READY_TIMEOUT_MS = 30_000;
/** How long one UI update (a step, a seed change) may take. */
export const UPDATE_TIMEOUT_MS = 10_000;

/** `[data-testid="id"]`. */
export const tid = (id) => `[data-testid="${id}"]`;

/**
 * Registers a file's shared fixture — the built app served over HTTP and one
 * Chromium — and returns `appTest(name, fn, options)`. Each `appTest` runs in
 * a fresh browser context and fails if any page in it logged a console error,
 * threw, hit an HTTP error or opened a dialog (even when `fn` passed).
 */
export function appSuite() {
  const fixture = { server: null, browser: null };
  before(async () => {
    const dist = distDir();
    fixture.server = await serve(dist);
    fixture.browser = await launchBrowser();
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.close();
  });

  return function appTest(name, fn, options = {}) {
    test(name, options, async (t) => {
      const sessions = [];
      const newSession = async (contextOptions = {}) => {
        const s = await Session.open(fixture.browser, contextOptions);
        sessions.push(s);
        return s;
      };
      const session = await newSession();
      const base = fixture.server.url;
      const ctx = {
        t,
        base,
        session,
        newSession,
        /** Opens `/?query` in a new page of `inSession` and waits until the app is ready. */
        open: async (query = '', inSession = session) => {
          const page = await inSession.newPage();
          await page.goto(appUrl(base, query));
          await waitReady(page);
          return page;
        },
      };
      try {
        await fn(ctx);
      } catch (err) {
        const problems = sessions.flatMap((s) => s.problems);
        if (problems.length > 0 && err instanceof Error) {
          err.message += `\n(the page also reported:\n  - ${problems.join('\n  - ')})`;
        }
        throw err;
      } finally {
        for (const s of sessions) await s.close();
      }
      for (const s of sessions) s.assertClean(`"${name}"`);
    });
  };
}

/** The app URL for a query string given with or without its `?`. */
export function appUrl(base, query = '') {
  const q = query.replace(/^\?/, '');
  return `${base}/${q === '' ? '' : '?' + q}`;
}

/** Waits until the step counter shows a run: numeric `data-step` and `data-total` > 0. */
export async function waitReady(page, timeout = READY_TIMEOUT_MS) {
  try {
    await page.waitForFunction(
      (sel) => {
        const el = document.querySelector(sel);
        if (!el) return false;
        const step = el.getAttribute('data-step');
        const total = el.getAttribute('data-total');
        return /^\d+$/.test(step ?? '') && /^\d+$/.test(total ?? '') && Number(total) > 0;
      },
      tid('step-counter'),
      { timeout },
    );
  } catch (err) {
    const counter = await page
      .locator(tid('step-counter'))
      .evaluate((el) => el.outerHTML)
      .catch(() => '(no step-counter element)');
    throw new Error(`the app did not become ready within ${timeout} ms at ${page.url()}; step-counter: ${counter}`, {
      cause: err,
    });
  }
}

/** How long recording a whole run may take (the largest scenarios record millions of events). */
export const RECORD_TIMEOUT_MS = 180_000;

/**
 * Waits until the run is fully recorded: `outcome`'s `data-outcome` is no
 * longer `running`. Returns the outcome (`completed`, `deadlock`, `limit`).
 */
export async function waitRecorded(page, timeout = RECORD_TIMEOUT_MS) {
  try {
    const handle = await page.waitForFunction(
      (sel) => {
        const v = document.querySelector(sel)?.getAttribute('data-outcome');
        return v && v !== 'running' ? v : false;
      },
      tid('outcome'),
      { timeout, polling: 100 },
    );
    return handle.jsonValue();
  } catch (err) {
    const outcome = await page.locator(tid('outcome')).getAttribute('data-outcome').catch(() => null);
    throw new Error(`the run at ${page.url()} was not recorded within ${timeout} ms (outcome: ${outcome})`, { cause: err });
  }
}

/** `{ step, total }` from the step counter. */
export async function counter(page) {
  return page.locator(tid('step-counter')).evaluate((el) => ({
    step: Number(el.getAttribute('data-step')),
    total: Number(el.getAttribute('data-total')),
  }));
}

/** The current step. */
export async function currentStep(page) {
  return (await counter(page)).step;
}

/** Waits until the step counter shows `step`. */
export async function waitStep(page, step, timeout = UPDATE_TIMEOUT_MS) {
  try {
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.getAttribute('data-step') === String(want),
      [tid('step-counter'), step],
      { timeout },
    );
  } catch (err) {
    throw new Error(`step counter did not reach step ${step}; it shows ${JSON.stringify(await counter(page))}`, {
      cause: err,
    });
  }
}

/** Waits until `testid`'s attribute `attr` differs from `old`; returns the new value. */
export async function waitAttrChange(page, testid, attr, old, timeout = UPDATE_TIMEOUT_MS) {
  const handle = await page.waitForFunction(
    ([sel, a, o]) => {
      const v = document.querySelector(sel)?.getAttribute(a);
      return v != null && v !== o ? v : false;
    },
    [tid(testid), attr, old],
    { timeout },
  );
  return handle.jsonValue();
}

/** Clicks a control and waits until the step counter shows `expected`. */
export async function clickAndWaitStep(page, testid, expected) {
  await page.locator(tid(testid)).click();
  await waitStep(page, expected);
}

/** Clicks `step-forward` `n` times, waiting for each step. */
export async function stepForward(page, n) {
  let { step } = await counter(page);
  for (let i = 0; i < n; i++) await clickAndWaitStep(page, 'step-forward', ++step);
  return step;
}

/** Clicks `step-back` `n` times, waiting for each step. */
export async function stepBack(page, n) {
  let { step } = await counter(page);
  for (let i = 0; i < n; i++) await clickAndWaitStep(page, 'step-back', --step);
  return step;
}

/** The trace fingerprint shown by the app (16 lowercase hex digits expected). */
export async function fingerprint(page) {
  return page.locator(tid('fingerprint')).getAttribute('data-hex');
}

/** The virtual clock in nanoseconds, as a BigInt (ns values exceed 2^53 in long runs). */
export async function clockNs(page) {
  const ns = await page.locator(tid('clock')).getAttribute('data-ns');
  if (!/^\d+$/.test(ns ?? '')) throw new Error(`clock data-ns is not a whole number: ${JSON.stringify(ns)}`);
  return BigInt(ns);
}

/**
 * Waits until the address bar's query has `name=value` (the app may throttle
 * address updates while stepping fast, so the URL can trail the view briefly).
 */
export async function waitUrlParam(page, name, value, timeout = UPDATE_TIMEOUT_MS) {
  try {
    await page.waitForFunction(
      ([n, v]) => new URLSearchParams(location.search).get(n) === v,
      [name, String(value)],
      { timeout },
    );
  } catch (err) {
    throw new Error(`the URL never got ${name}=${value}; it is ${page.url()}`, { cause: err });
  }
}

/** The query parameters of the page's current URL. */
export function urlParams(page) {
  return Object.fromEntries(new URL(page.url()).searchParams);
}

/**
 * One snapshot of everything the view shows about step k: counter, clock,
 * fingerprint, ready queue, armed timers with deadlines, task states, phase,
 * the highlighted event-log entry, and scenario/mode/seed controls.
 */
export async function readView(page) {
  return page.evaluate(() => {
    const q = (id) => document.querySelector(`[data-testid="${id}"]`);
    const attr = (id, name) => q(id)?.getAttribute(name) ?? null;
    const within = (id, sel) => [...(q(id)?.querySelectorAll(sel) ?? [])];
    const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const log = q('event-log');
    const current =
      log?.querySelector('[aria-current]:not([aria-current="false"])') ??
      log?.querySelector('[data-current="true"], .current, .is-current') ??
      null;
    return {
      step: attr('step-counter', 'data-step'),
      total: attr('step-counter', 'data-total'),
      clockNs: attr('clock', 'data-ns'),
      fingerprint: attr('fingerprint', 'data-hex'),
      phase: attr('phase', 'data-phase'),
      scenario: q('scenario')?.value ?? null,
      mode: q('mode')?.value ?? null,
      seed: q('seed')?.value ?? null,
      readyQueue: within('ready-queue', '[data-task]').map((el) => el.getAttribute('data-task')),
      timers: within('timers', '[data-task]').map(
        (el) => `${el.getAttribute('data-task')}@${el.getAttribute('data-deadline-ns')}`,
      ),
      tasks: [...document.querySelectorAll('[data-testid="task-row"]')].map(
        (el) => `${el.getAttribute('data-task')}:${el.getAttribute('data-state')}`,
      ),
      currentEvent: current ? text(current) : null,
    };
  });
}

/** Whether an element is in the layout and not hidden (Playwright's notion of visible). */
export async function isVisible(page, testid) {
  return page.locator(tid(testid)).first().isVisible();
}

/**
 * The playback speed as a number: `data-speed`, else the control's value,
 * else the first number in its text (e.g. "2×" → 2, "½×" is not expected).
 */
export async function speed(page) {
  const raw = await page.locator(tid('speed')).evaluate((el) => {
    return (
      el.getAttribute('data-speed') ??
      ('value' in el && el.value !== '' ? el.value : null) ??
      el.textContent
    );
  });
  const m = /(\d+(?:\.\d+)?)/.exec(String(raw));
  if (!m) throw new Error(`cannot read a speed from the speed control: ${JSON.stringify(raw)}`);
  return Number(m[1]);
}

/**
 * Runs the Wakescope CLI (`cargo run -q -p wakescope-cli -- ...args`) from the
 * repository root; resolves `{ code, stdout, stderr }` whatever its exit code
 * (a sweep that finds a failure exits 1).
 */
export async function runCli(args, timeout = 15 * 60 * 1000) {
  const { execFile } = await import('node:child_process');
  const { REPO_DIR } = await import('./server.mjs');
  const cargo = process.env.CARGO || 'cargo';
  return new Promise((resolve, reject) => {
    execFile(
      cargo,
      ['run', '-q', '-p', 'wakescope-cli', '--', ...args],
      { cwd: REPO_DIR, timeout, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(new Error(`${cargo} run -p wakescope-cli -- ${args.join(' ')}: ${err.message}\n${stderr}`));
        else resolve({ code: err ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/** The resources panel as `{ id, kind, buffered, closed, holders: [task], waiters: [task] }` per resource. */
export async function readResources(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="resources"] [data-resource]')].map((el) => ({
      id: Number(el.getAttribute('data-resource')),
      kind: el.getAttribute('data-kind'),
      buffered: Number(el.getAttribute('data-buffered')),
      closed: el.getAttribute('data-closed') === 'true',
      holders: [...el.querySelectorAll('[data-testid="resource-holders"] [data-task]')].map((t) => Number(t.getAttribute('data-task'))),
      waiters: [...el.querySelectorAll('[data-testid="resource-waiters"] [data-task]')].map((t) => Number(t.getAttribute('data-task'))),
    })),
  );
}

/** axe-core's source, read once. */
let axeSource = null;

/**
 * Loads axe-core into the page as `window.axe`. Not through a <script> tag
 * (playwright's `addScriptTag` writes an inline one, which the app's
 * Content-Security-Policy refuses): evaluated through the DevTools protocol,
 * which the policy does not govern, so the audit runs under the real policy.
 */
export async function addAxe(page) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
}
