// Trace import: a trace exported by the CLI opens in the page with the same
// fingerprint and end time; a malformed or too-large file is refused with a
// message naming the problem, and the view stays as it was.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { appSuite, tid, counter, clickAndWaitStep, readView, waitRecorded, waitUrlParam, runCli, UPDATE_TIMEOUT_MS } from '../lib/app.mjs';
import { NATIVE_BUILD_TIMEOUT_MS } from '../lib/native.mjs';

const appTest = appSuite();

async function exportTrace(dir, args, name) {
  const out = path.join(dir, name);
  const { code, stderr } = await runCli(['run', ...args, '--format', 'jsonl', '--out', out]);
  assert.equal(code, 0, `wakescope run ${args.join(' ')}: ${stderr}`);
  const hex = stderr.match(/fingerprint ([0-9a-f]{16})/)?.[1];
  assert.ok(hex, `the CLI prints the fingerprint on stderr: ${stderr}`);
  return { file: out, hex };
}

async function waitImported(page) {
  await page.locator(tid('import-info')).waitFor({ state: 'visible', timeout: UPDATE_TIMEOUT_MS });
}

appTest('a CLI trace imports with the CLI fingerprint and end time; the address is kept', async ({ open }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'wakescope-import-'));
  const { file, hex } = await exportTrace(dir, ['timers', '--mode', 'sequential', '--seed', '7'], 't.jsonl');
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  const last = JSON.parse(lines.at(-1));
  assert.equal(last.kind, 'ended');

  const page = await open('s=flow&mode=flowing&seed=3');
  await waitRecorded(page);
  const urlBefore = page.url();
  await page.locator(tid('import')).setInputFiles(file);
  await waitImported(page);
  assert.equal(await page.locator(tid('fingerprint')).getAttribute('data-hex'), hex, 'the browser fingerprint equals the CLI one');
  const { total } = await counter(page);
  assert.equal(total, lines.length - 1, 'one step per event');
  await clickAndWaitStep(page, 'last', total);
  assert.equal(await page.locator(tid('clock')).getAttribute('data-ns'), String(last.t_ns), "the last step's clock is the trace's end");
  assert.equal(await page.locator(tid('outcome')).getAttribute('data-outcome'), 'completed');
  assert.equal(page.url(), urlBefore, 'an import leaves the address alone');
  assert.match(await page.locator(tid('share-note')).textContent(), /cannot be shared by link/);
  assert.match(await page.locator(tid('import-info')).textContent(), /timers, seed 7/);
  assert.equal(await page.locator(tid('verdict')).count(), 0, 'no verdict for an import');

  await page.locator(tid('import-leave')).click();
  await page.locator(tid('import-info')).waitFor({ state: 'detached' });
  await waitRecorded(page);
  assert.equal((await readView(page)).scenario, 'flow', 'back to the scenario the address names');
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('a malformed trace names the line and keeps the view', async ({ open }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'wakescope-import-'));
  const { file } = await exportTrace(dir, ['timers', '--seed', '1'], 'good.jsonl');
  const lines = (await readFile(file, 'utf8')).trim().split('\n');

  const page = await open('s=timers&seed=1&step=5');
  await waitRecorded(page);
  // The address settles on the step once it is recorded (written throttled).
  await waitUrlParam(page, 'step', '5');
  const before = await readView(page);
  const urlBefore = page.url();

  // A line cut short: line 8 of the file (header is line 1).
  const cut = [...lines];
  cut[7] = cut[7].slice(0, 12);
  const truncated = path.join(dir, 'truncated.jsonl');
  await writeFile(truncated, cut.join('\n') + '\n');
  await page.locator(tid('import')).setInputFiles(truncated);
  const error = page.locator(tid('error'));
  await error.waitFor({ state: 'visible' });
  const message = await error.textContent();
  assert.match(message, /truncated\.jsonl: line 8: /, `the error names the file and line: ${message}`);
  assert.deepEqual(await readView(page), before, 'the view is unchanged');
  assert.equal(page.url(), urlBefore);
  assert.equal(await page.locator(tid('import-info')).count(), 0);

  // A bad seq on line 5.
  const reseq = [...lines];
  const e = JSON.parse(reseq[4]);
  e.seq = 999;
  reseq[4] = JSON.stringify(e);
  const badSeq = path.join(dir, 'bad-seq.jsonl');
  await writeFile(badSeq, reseq.join('\n') + '\n');
  await page.locator(tid('import')).setInputFiles(badSeq);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('bad-seq.jsonl'), tid('error'));
  assert.match(await error.textContent(), /bad-seq\.jsonl: line 5: /);
  assert.deepEqual(await readView(page), before, 'the view is unchanged');
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('a file over the size limit is refused before it is read', async ({ open }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'wakescope-import-'));
  const big = path.join(dir, 'big.jsonl');
  await writeFile(big, Buffer.alloc(64 * 1024 * 1024 + 1, 0x20));
  const page = await open('s=timers&seed=1');
  await waitRecorded(page);
  const before = await readView(page);
  await page.locator(tid('import')).setInputFiles(big);
  const error = page.locator(tid('error'));
  await error.waitFor({ state: 'visible' });
  assert.match(await error.textContent(), /big\.jsonl: the file is 64\.0 MiB; the page opens traces of at most 64 MiB/);
  assert.deepEqual(await readView(page), before, 'the view is unchanged');
});

appTest('dragging a file over the page shows the drop hint; dropping it imports it', async ({ open }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'wakescope-import-'));
  const { file, hex } = await exportTrace(dir, ['mutex', '--seed', '2'], 'm.jsonl');
  const text = await readFile(file, 'utf8');
  const page = await open('s=timers&seed=1');
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['x'], 'x.jsonl'));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.locator(tid('drop-hint')).waitFor({ state: 'visible' });
  await page.evaluate(() => window.dispatchEvent(new DragEvent('dragleave', { bubbles: true })));
  await page.locator(tid('drop-hint')).waitFor({ state: 'detached' });
  await page.evaluate((body) => {
    const dt = new DataTransfer();
    dt.items.add(new File([body], 'm.jsonl', { type: 'application/x-ndjson' }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await waitImported(page);
  assert.equal(await page.locator(tid('fingerprint')).getAttribute('data-hex'), hex, 'the dropped trace has the CLI fingerprint');
  assert.equal(await page.locator(tid('resources')).count(), 1, 'the mutex shows in the resources panel');
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });
