// Load performance of the built app: download size and time to first paint.
//
//   npm run perf                 # serves $WAKESCOPE_DIST (default ../dist)
//   WAKESCOPE_PERF_RUNS=10 npm run perf
//
// Measures, over several cold loads in headless Chromium (a fresh browser
// context each, so nothing is cached):
// - first paint and first contentful paint (`performance.getEntriesByType('paint')`),
// - app ready: the moment the step counter first shows a run (`data-total` > 0),
// - DOMContentLoaded and load,
// - the time to record every scenario's run (seed 1, default mode), and the
//   big runs in BIG_RUNS (a million sleepers at 100,000 and 1,000,000 tasks)
//   with the longest gap between two animation frames while recording,
// and the compressed size of what a visitor downloads (gzip -9 and brotli via
// node:zlib) per file and in total. Prints a table with the budgets and
// writes everything to <repo>/target/perf.json.
//
// This is a benchmark, not a test: a missed budget is reported, and the exit
// code is still 0. Only a missing build or browser is an error (exit 1).

import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync, brotliCompressSync, constants as zlib } from 'node:zlib';
import os from 'node:os';
import { spawnSync } from 'node:child_process';

import { serve, distDir, REPO_DIR } from './lib/server.mjs';
import { launchBrowser, VIEWPORT } from './lib/browser.mjs';

/**
 * Budget: gzip size of the js + wasm + css the page loads, in bytes (450 KiB).
 * The interpreter's worker (`wakescope-worker*`: the playground's parser and
 * interpreter with its own executor) is reported apart: the app starts it
 * when it first runs a program, and it does not hold up the page.
 */
const GZIP_BUDGET_BYTES = 450 * 1024;
/** Budget: median first contentful paint of a cold load, in ms. */
const FIRST_PAINT_BUDGET_MS = 500;
/** Cold loads measured. */
const RUNS = Math.max(1, Number.parseInt(process.env.WAKESCOPE_PERF_RUNS ?? '5', 10) || 5);
/** The view loaded: the first scenario with a fixed seed. */
const QUERY = '?s=timers&mode=concurrent&seed=42';
/** Longest a single load may take before the run is reported as failed. */
const LOAD_TIMEOUT_MS = 60_000;
/** Longest recording one scenario's whole run may take. */
const RECORD_TIMEOUT_MS = 180_000;
/** Big runs recorded after the scenarios, with the longest each may take
 *  (`WAKESCOPE_PERF_BIG=0` skips them). */
const BIG_RUNS = [
  { label: 'million, 100,000 tasks', query: '?s=million&tasks=100000&seed=1', tasks: 100_000, timeoutMs: 300_000 },
  { label: 'million, 1,000,000 tasks', query: '?s=million&tasks=1000000&seed=1', tasks: 1_000_000, timeoutMs: 900_000, seeks: 100 },
];
const BIG = process.env.WAKESCOPE_PERF_BIG !== '0';
/** Set WAKESCOPE_PERF_SEARCH=0 to skip the searches (and the native benchmark they are compared with). */
const SEARCHES = process.env.WAKESCOPE_PERF_SEARCH !== '0';
/** Continuations of each timed "What if from here?". */
const SEARCH_FORK_RUNS = 20_000;
/** Timed repetitions of each search. */
const SEARCH_REPEATS = 3;

/** How long after a run is recorded frame gaps are still watched. */
const AFTER_MS = 1000;

// Runs in the page before any of its scripts: records when the app is ready
// (the step counter shows a run) and when the run is fully recorded (the
// outcome is no longer `running`).
const READY_PROBE = `(() => {
  const check = () => {
    const el = document.querySelector('[data-testid="step-counter"]');
    if (el && Number(el.getAttribute('data-total')) > 0) {
      window.__wakescopeReadyMs ??= performance.now();
    }
    const outcome = document.querySelector('[data-testid="outcome"]')?.getAttribute('data-outcome');
    if (window.__wakescopeReadyMs !== undefined && outcome && outcome !== 'running') {
      window.__wakescopeRecordedMs = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
  // The longest gap between two animation frames until the run is recorded,
  // and in the AFTER_MS after it (the timeline is built then): how long the
  // page was unresponsive at worst.
  window.__wakescopeFrameGapMaxMs = 0;
  window.__wakescopeFrameGapAfterMs = 0;
  window.__wakescopeFrames = 0;
  let last = null;
  const frame = (t) => {
    const recorded = window.__wakescopeRecordedMs;
    if (last !== null && recorded !== undefined && t > recorded) {
      window.__wakescopeFrameGapAfterMs = Math.max(window.__wakescopeFrameGapAfterMs, t - Math.max(last, recorded));
    }
    if (last !== null && window.__wakescopeReadyMs !== undefined && (recorded === undefined || last < recorded)) {
      window.__wakescopeFrameGapMaxMs = Math.max(window.__wakescopeFrameGapMaxMs, t - last);
      window.__wakescopeFrames += 1;
    }
    last = t;
    if (recorded === undefined || t - recorded < ${AFTER_MS}) requestAnimationFrame(frame);
    else window.__wakescopeAfterDone = true;
  };
  requestAnimationFrame(frame);
})();`;

async function main() {
  let dist;
  try {
    dist = distDir();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
  const sizes = await measureSizes(dist);
  const server = await serve(dist);
  const browser = await launchBrowser();
  const version = browser.version();
  const loads = [];
  const recordings = [];
  const bigRuns = [];
  let searches = [];
  try {
    for (let i = 0; i < RUNS; i++) loads.push(await coldLoad(browser, server.url + '/' + QUERY));
    for (const id of await scenarioIds(browser, server.url + '/' + QUERY)) {
      recordings.push({ scenario: id, ...(await recordRun(browser, `${server.url}/?s=${encodeURIComponent(id)}&seed=1`)) });
    }
    if (BIG) {
      for (const big of BIG_RUNS) {
        console.error(`recording ${big.label}…`);
        const page = await recordRun(browser, server.url + '/' + big.query, big.timeoutMs, big.seeks ?? 0);
        // The same scenario and seed recorded natively, right after, on the same machine.
        console.error(`recording ${big.label} natively…`);
        bigRuns.push({ run: big.label, query: big.query, ...page, native: nativeRecord(big.tasks) });
      }
    }
    if (SEARCHES) searches = await measureSearches(browser, server.url);
  } finally {
    await browser.close();
    await server.close();
  }
  const native = SEARCHES ? nativeSearches() : [];

  const metrics = ['firstPaintMs', 'firstContentfulPaintMs', 'appReadyMs', 'domContentLoadedMs', 'loadMs'];
  const summary = Object.fromEntries(metrics.map((m) => [m, stats(loads.map((l) => l[m]))]));
  const fcp = summary.firstContentfulPaintMs.median;
  const budgets = {
    gzipBytes: { budget: GZIP_BUDGET_BYTES, actual: sizes.totals.page.gzip, pass: sizes.totals.page.gzip <= GZIP_BUDGET_BYTES },
    firstContentfulPaintMs: { budget: FIRST_PAINT_BUDGET_MS, actual: fcp, pass: fcp !== null && fcp <= FIRST_PAINT_BUDGET_MS },
  };

  printReport(dist, sizes, loads, summary, budgets, version);
  printRecordings(recordings);
  printBigRuns(bigRuns);
  printSearches(searches, native);
  const report = {
    date: new Date().toISOString(),
    dist,
    query: QUERY,
    runs: RUNS,
    chromium: version,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    viewport: VIEWPORT,
    sizes,
    loads,
    summary,
    recordings,
    bigRuns,
    searches,
    nativeSearches: native,
    budgets,
  };
  const out = path.join(REPO_DIR, 'target', 'perf.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), out) || out}`);
}

/**
 * The page's searches, timed in the page from the click to the result
 * (median of SEARCH_REPEATS after one warm-up that starts the searcher's
 * worker): continuations per second of "What if from here?" and of Bisect.
 */
async function measureSearches(browser, base) {
  const order = await readFile(path.join(REPO_DIR, 'cli/tests/programs/order.rs'), 'utf8');
  const lz = (await import('lz-string')).default;
  const targets = [
    { program: 'race racy (tasks=2)', url: `${base}/?s=race&seed=12&step=0` },
    { program: 'order.rs interpreted', url: `${base}/?seed=12&step=0#code=${lz.compressToEncodedURIComponent(order)}` },
  ];
  const results = [];
  for (const target of targets) {
    console.error(`searching around ${target.program}…`);
    const context = await browser.newContext({ viewport: VIEWPORT });
    try {
      const page = await context.newPage();
      await page.goto(target.url, { timeout: LOAD_TIMEOUT_MS });
      await page.locator('[data-testid="why"]').waitFor({ timeout: RECORD_TIMEOUT_MS });
      const runs = page.locator('[data-testid="fork-runs"]');
      await runs.fill(String(SEARCH_FORK_RUNS));
      await runs.press('Tab');
      for (const search of ['fork', 'bisect']) {
        const times = [];
        let made = null;
        for (let i = 0; i <= SEARCH_REPEATS; i++) {
          const { ms, runs: n } = await page.evaluate(async (button) => {
            const start = performance.now();
            document.querySelector(`[data-testid="${button}"]`).click();
            for (;;) {
              await new Promise((resolve) => requestAnimationFrame(resolve));
              const result = document.querySelector('[data-testid="search-result"]');
              if (result) return { ms: performance.now() - start, runs: Number(result.getAttribute('data-runs')) };
            }
          }, search);
          if (i > 0) times.push(ms);
          made = n;
        }
        const median = stats(times).median;
        results.push({ program: target.program, search, runs: made, ms: median, perSecond: made / (median / 1000) });
      }
    } finally {
      await context.close();
    }
  }
  return results;
}

/** Seeks to `count` steps of the recorded run spread over it in a fixed
 *  pseudo-random order, through the scrubber: each is the time the page's
 *  input handler takes (the seek and the rebuilt panels), before the frame
 *  draws. Returns p50, p95 and the longest, in ms. */
async function measureSeeks(page, count) {
  const times = await page.evaluate(async (count) => {
    const scrubber = document.querySelector('[data-testid="scrubber"]');
    const total = Number(scrubber.max);
    let x = 12345;
    const out = [];
    for (let i = 0; i < count; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const k = Math.floor((x / 2147483648) * (total + 1));
      scrubber.value = String(k);
      const start = performance.now();
      scrubber.dispatchEvent(new Event('input', { bubbles: true }));
      out.push(performance.now() - start);
      await new Promise((r) => requestAnimationFrame(() => r()));
    }
    return out;
  }, count);
  times.sort((a, b) => a - b);
  const at = (q) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))]);
  return { count: times.length, p50: at(0.5), p95: at(0.95), max: round(times[times.length - 1]) };
}

/** Zoom levels the timeline's frame time is measured at: zoom-in presses from the whole run. */
const TIMELINE_ZOOMS = [
  { label: 'whole run', presses: 0 },
  { label: '1/1,024 of it', presses: 10 },
  { label: 'narrowest (100 ns)', presses: 40 },
];
/** Frames drawn per zoom level (each after one pan key). */
const TIMELINE_FRAMES = 20;

/**
 * The timeline's draw time (`data-frame-ms` of its canvas: the time spent
 * drawing one frame) at each of TIMELINE_ZOOMS, with the run's groups closed
 * and then opened: TIMELINE_FRAMES frames each, redrawn by a resize event.
 * Returns per level and grouping the median and the longest.
 */
async function measureTimelineFrames(page) {
  return page.evaluate(
    async ([zooms, frames]) => {
      const q = (id) => document.querySelector(`[data-testid="${id}"]`);
      const canvas = q('timeline-canvas');
      if (!canvas) return null;
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
      const out = [];
      for (const opened of [false, true]) {
        for (const group of document.querySelectorAll('[data-testid="timeline-group"]')) {
          if ((group.getAttribute('aria-expanded') === 'true') !== opened) group.click();
        }
        for (const zoom of zooms) {
          q('timeline-fit').click();
          for (let i = 0; i < zoom.presses; i++) q('timeline-zoom-in').click();
          const times = [];
          for (let i = 0; i < frames; i++) {
            // A resize redraws the canvas as it stands.
            window.dispatchEvent(new Event('resize'));
            await frame();
            times.push(Number(canvas.getAttribute('data-frame-ms')));
          }
          times.sort((a, b) => a - b);
          out.push({ zoom: zoom.label, groups: opened ? 'open' : 'closed', medianMs: times[Math.floor(times.length / 2)], maxMs: times[times.length - 1], span: `${canvas.getAttribute('data-view-from-ns')}..${canvas.getAttribute('data-view-to-ns')}` });
        }
      }
      return out;
    },
    [TIMELINE_ZOOMS, TIMELINE_FRAMES],
  );
}

/** The million scenario with `tasks` sleepers, seed 1, recorded natively as
 *  the page records it (the benchmark's `record-million` case, in release):
 *  its wall time and its longest single advance. */
function nativeRecord(tasks) {
  const run = spawnSync('cargo', ['run', '-q', '--release', '--manifest-path', 'bench/Cargo.toml', '--', '--case', 'record-million', String(tasks)], {
    cwd: REPO_DIR,
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    console.error(`the native recording failed: ${run.stderr}`);
    return null;
  }
  const wallNs = Number(run.stdout.trim().split(/\s+/)[0]);
  const longest = run.stderr.match(/longest advance ([\d.]+) ms/);
  const holds = run.stderr.match(/holds (\d+) bytes/);
  return { recordMs: round(wallNs / 1e6), longestAdvanceMs: longest ? Number(longest[1]) : null, heldBytes: holds ? Number(holds[1]) : null };
}

/** The same searches natively, from the `search` case of the benchmark binary (built in release). */
function nativeSearches() {
  console.error('running the native search benchmark (cargo run --release --manifest-path bench/Cargo.toml -- search)…');
  const run = spawnSync('cargo', ['run', '-q', '--release', '--manifest-path', 'bench/Cargo.toml', '--', 'search'], {
    cwd: REPO_DIR,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    console.error(`the native benchmark failed: ${run.stderr}`);
    return [];
  }
  const rows = [];
  for (const line of run.stdout.split('\n')) {
    const m = line.match(/^\| `?([^|`]+?)`?(?: racy \(tasks=2[^|]*\)| interpreted)? \| (fork|bisection)[^|]*\| ([\d,]+) \| [^|]+\| ([\d,]+) \/s \|$/);
    if (m) rows.push({ program: m[1], search: m[2] === 'fork' ? 'fork' : 'bisect', runs: Number(m[3].replaceAll(',', '')), perSecond: Number(m[4].replaceAll(',', '')) });
  }
  return rows;
}

function printSearches(searches, native) {
  if (searches.length === 0) return;
  console.log(`\nSearches in the page (continuations per second, median of ${SEARCH_REPEATS}, click to result) vs natively`);
  const rows = [['program', 'search', 'runs', 'page', 'page runs/s', 'native runs/s', 'page / native']];
  for (const s of searches) {
    const key = s.program.split(' ')[0];
    const n = native.find((r) => r.program.startsWith(key.replace('.rs', '')) && r.search === s.search);
    rows.push([
      s.program,
      s.search,
      s.runs,
      ms(s.ms),
      Math.round(s.perSecond).toLocaleString('en'),
      n ? n.perSecond.toLocaleString('en') : '—',
      n ? `${(s.perSecond / n.perSecond).toFixed(2)}×` : '—',
    ]);
  }
  printTable(rows);
}

/** Every file under `dir`, relative paths, sorted. */
async function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Raw, gzip -9 and brotli (quality 11) sizes per file, and totals by kind. */
async function measureSizes(dist) {
  const files = [];
  for (const rel of await listFiles(dist)) {
    const body = await readFile(path.join(dist, rel));
    files.push({
      file: rel,
      kind: kindOf(rel),
      raw: body.length,
      gzip: gzipSync(body, { level: zlib.Z_BEST_COMPRESSION }).length,
      brotli: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
  const sum = (pred) =>
    files.filter(pred).reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }), {
      raw: 0,
      gzip: 0,
      brotli: 0,
    });
  return {
    files,
    totals: {
      wasm: sum((f) => f.kind === 'wasm'),
      js: sum((f) => f.kind === 'js'),
      css: sum((f) => f.kind === 'css'),
      shipped: sum((f) => ['wasm', 'js', 'css'].includes(f.kind)),
      page: sum((f) => ['wasm', 'js', 'css'].includes(f.kind) && !isWorker(f.file)),
      worker: sum((f) => isWorker(f.file)),
      all: sum(() => true),
    },
  };
}

/** True for the interpreter's worker files, which the page does not load itself. */
function isWorker(file) {
  return path.basename(file).startsWith('wakescope-worker');
}

function kindOf(file) {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.wasm') return 'wasm';
  if (ext === '.js' || ext === '.mjs') return 'js';
  if (ext === '.css') return 'css';
  if (ext === '.html') return 'html';
  return 'other';
}

/** One load in a fresh context (empty cache); times in ms since navigation start. */
async function coldLoad(browser, url) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e.message || e)));
    await page.addInitScript(READY_PROBE);
    await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
    let ready = true;
    try {
      await page.waitForFunction(() => typeof window.__wakescopeReadyMs === 'number', null, { timeout: LOAD_TIMEOUT_MS });
    } catch {
      ready = false;
    }
    // Let the frame after "ready" be painted so its paint entries exist.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const t = await page.evaluate(() => {
      const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
      const nav = performance.getEntriesByType('navigation')[0];
      const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
      return {
        firstPaintMs: paint['first-paint'] ?? null,
        firstContentfulPaintMs: paint['first-contentful-paint'] ?? null,
        appReadyMs: window.__wakescopeReadyMs ?? null,
        domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : null,
        loadMs: nav ? nav.loadEventEnd : null,
        wasmFetchMs: wasm ? wasm.responseEnd - wasm.startTime : null,
      };
    });
    return { ...t, ready, errors };
  } finally {
    await context.close();
  }
}

/** The scenario ids in the app's menu. */
async function scenarioIds(browser, url) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(url, { timeout: LOAD_TIMEOUT_MS });
    await page.waitForSelector('[data-testid="scenario"] option', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    return await page.locator('[data-testid="scenario"] option').evaluateAll((els) => els.map((o) => o.value));
  } finally {
    await context.close();
  }
}

/** One load of a scenario (default mode): when it was ready and when fully recorded. */
async function recordRun(browser, url, timeoutMs = RECORD_TIMEOUT_MS, seeks = 0) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.addInitScript(READY_PROBE);
    await page.goto(url, { timeout: LOAD_TIMEOUT_MS });
    try {
      await page.waitForFunction(() => typeof window.__wakescopeRecordedMs === 'number', null, {
        timeout: timeoutMs,
        polling: 250,
      });
    } catch {
      const steps = await page
        .evaluate(() => Number(document.querySelector('[data-testid="step-counter"]')?.getAttribute('data-total')))
        .catch(() => null);
      return { mode: null, steps, outcome: 'not recorded in time', readyMs: null, recordedMs: null, frameGapMaxMs: null };
    }
    await page.waitForFunction(() => window.__wakescopeAfterDone === true, null, { timeout: 60_000, polling: 100 }).catch(() => {});
    const seekMs = seeks > 0 ? await measureSeeks(page, seeks) : null;
    const timelineMs = seeks > 0 ? await measureTimelineFrames(page) : null;
    const result = await page.evaluate(() => ({
      mode: document.querySelector('[data-testid="mode"]')?.value ?? null,
      steps: Number(document.querySelector('[data-testid="step-counter"]')?.getAttribute('data-total')),
      outcome: document.querySelector('[data-testid="outcome"]')?.getAttribute('data-outcome'),
      readyMs: Math.round(window.__wakescopeReadyMs * 10) / 10,
      recordedMs: Math.round(window.__wakescopeRecordedMs * 10) / 10,
      frameGapMaxMs: Math.round(window.__wakescopeFrameGapMaxMs * 10) / 10,
      frameGapAfterMs: Math.round(window.__wakescopeFrameGapAfterMs * 10) / 10,
      frames: window.__wakescopeFrames,
      indexBytes: Number(document.querySelector('[data-testid="timeline-canvas"]')?.getAttribute('data-index-bytes') ?? NaN),
    }));
    return { ...result, seekMs, timelineMs };
  } finally {
    await context.close();
  }
}

function printRecordings(recordings) {
  if (recordings.length === 0) return;
  console.log('\nRecording each scenario (seed 1, default mode; ms since navigation start)');
  const rows = [['scenario', 'mode', 'steps', 'outcome', 'ready', 'recorded']];
  for (const r of recordings) {
    rows.push([r.scenario, r.mode ?? '—', r.steps ?? '—', r.outcome ?? '—', ms(r.readyMs), ms(r.recordedMs)]);
  }
  printTable(rows);
}

function printBigRuns(runs) {
  if (runs.length === 0) return;
  console.log(`\nBig runs (seed 1; ms since navigation start; longest gap between animation frames while recording and in the ${AFTER_MS} ms after; the same run recorded natively right after)`);
  const rows = [['run', 'steps', 'outcome', 'ready', 'recorded', 'record time', 'native', 'page / native', 'longest frame gap', 'gap after']];
  for (const r of runs) {
    const took = r.recordedMs !== null && r.readyMs !== null ? r.recordedMs - r.readyMs : null;
    const native = r.native?.recordMs ?? null;
    const ratio = took !== null && native ? `${(took / native).toFixed(2)}×` : '—';
    rows.push([r.run, r.steps ?? '—', r.outcome ?? '—', ms(r.readyMs), ms(r.recordedMs), ms(took), ms(native), ratio, ms(r.frameGapMaxMs ?? null), ms(r.frameGapAfterMs ?? null)]);
  }
  printTable(rows);
  for (const r of runs.filter((r) => r.seekMs)) {
    console.log(`\nSeeks in ${r.run}: ${r.seekMs.count} through the scrubber, p50 ${ms(r.seekMs.p50)}, p95 ${ms(r.seekMs.p95)}, longest ${ms(r.seekMs.max)}`);
  }
  for (const r of runs.filter((r) => r.steps && r.native?.heldBytes)) {
    const perEvent = (bytes) => `${(bytes / r.steps).toFixed(1)} B/event`;
    const index = Number.isFinite(r.indexBytes) ? r.indexBytes : 0;
    console.log(
      `\nMemory of ${r.run}: trace and snapshots ${perEvent(r.native.heldBytes)} (native, 64-bit), timeline index ${perEvent(index)} (page), together ${perEvent(r.native.heldBytes + index)}`,
    );
  }
  for (const r of runs.filter((r) => r.timelineMs)) {
    console.log(`\nTimeline frames in ${r.run} (canvas draw time, ${TIMELINE_FRAMES} frames per row)`);
    const rows = [['zoom', 'groups', 'window (ns)', 'median', 'longest']];
    for (const t of r.timelineMs) rows.push([t.zoom, t.groups, t.span, `${t.medianMs.toFixed(2)} ms`, `${t.maxMs.toFixed(2)} ms`]);
    printTable(rows);
  }
}

function stats(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return { median: null, min: null, max: null, n: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median: round(median), min: round(v[0]), max: round(v[v.length - 1]), n: v.length };
}

const round = (x) => Math.round(x * 10) / 10;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (x) => (x === null ? '—' : `${x.toFixed(1)} ms`);

function printReport(dist, sizes, loads, summary, budgets, version) {
  console.log(`Wakescope load performance — ${dist}`);
  console.log(`Chromium ${version}, ${RUNS} cold load(s) of /${QUERY}, ${os.cpus().length} CPU(s)\n`);

  console.log('Download size');
  const rows = [['file', 'raw', 'gzip -9', 'brotli']];
  for (const f of sizes.files) rows.push([f.file, kib(f.raw), kib(f.gzip), kib(f.brotli)]);
  for (const [name, t] of Object.entries(sizes.totals)) {
    const labels = {
      shipped: 'total js+wasm+css',
      page: 'js+wasm+css the page loads',
      worker: "the interpreter's worker",
    };
    const label = labels[name] ?? `total ${name}`;
    rows.push([label, kib(t.raw), kib(t.gzip), kib(t.brotli)]);
  }
  printTable(rows);

  console.log('\nTiming (ms since navigation start)');
  const trows = [['metric', 'median', 'min', 'max']];
  const names = {
    firstPaintMs: 'first paint',
    firstContentfulPaintMs: 'first contentful paint',
    appReadyMs: 'app ready (step counter)',
    domContentLoadedMs: 'DOMContentLoaded',
    loadMs: 'load',
  };
  for (const [key, label] of Object.entries(names)) {
    const s = summary[key];
    trows.push([label, ms(s.median), ms(s.min), ms(s.max)]);
  }
  printTable(trows);
  const notReady = loads.filter((l) => !l.ready).length;
  if (notReady > 0) console.log(`\n! ${notReady} of ${loads.length} load(s) never showed the step counter`);
  const errs = loads.flatMap((l) => l.errors);
  if (errs.length > 0) console.log(`! page errors during loads:\n  ${errs.join('\n  ')}`);

  console.log('\nBudgets');
  const g = budgets.gzipBytes;
  const f = budgets.firstContentfulPaintMs;
  printTable([
    ['budget', 'limit', 'actual', 'result'],
    ['gzip js+wasm+css the page loads', kib(g.budget), kib(g.actual), g.pass ? 'pass' : 'FAIL'],
    ['first contentful paint (median)', ms(f.budget), ms(f.actual), f.pass ? 'pass' : 'FAIL'],
  ]);
}

function printTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const [n, r] of rows.entries()) {
    console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

await main();
