// Checks the test harness itself (static server, browser launch, problem
// collection) against a trivial page, so an app failure is never a harness bug.
// Needs no built app.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'node:http';

import { serve, resolveRequestPath } from '../lib/server.mjs';
import { launchBrowser, Session } from '../lib/browser.mjs';

// The smallest valid wasm module: magic number and version.
const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let root;
let server;
let browser;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'wakescope-harness-'));
  await mkdir(path.join(root, 'sub'));
  await writeFile(
    path.join(root, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>harness</title>
     <link rel="stylesheet" href="/style.css"></head><body>
     <p data-testid="step-counter" data-step="0" data-total="0">starting</p>
     <script type="module" src="/app.js"></script></body></html>`,
  );
  await writeFile(path.join(root, 'style.css'), 'p { color: #111; }');
  await writeFile(
    path.join(root, 'app.js'),
    `const { instance } = await WebAssembly.instantiateStreaming(fetch('/empty.wasm'));
     const p = document.querySelector('[data-testid=step-counter]');
     p.dataset.total = '7'; p.textContent = 'ready ' + location.search;
     if (location.search.includes('boom')) { console.error('boom'); setTimeout(() => { throw new Error('kaboom'); }); }`,
  );
  await writeFile(path.join(root, 'empty.wasm'), EMPTY_WASM);
  await writeFile(path.join(root, 'sub', 'x.txt'), 'x');
  await writeFile(path.join(path.dirname(root), 'wakescope-harness-secret.txt'), 'secret');
  server = await serve(root);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await rm(path.join(path.dirname(root), 'wakescope-harness-secret.txt'), { force: true });
  await rm(root, { recursive: true, force: true });
});

test('server: index.html for /, MIME types, 404 for missing files', async () => {
  const cases = [
    ['/', 200, 'text/html; charset=utf-8'],
    ['/?s=timers&seed=42', 200, 'text/html; charset=utf-8'],
    ['/index.html', 200, 'text/html; charset=utf-8'],
    ['/app.js', 200, 'text/javascript; charset=utf-8'],
    ['/style.css', 200, 'text/css; charset=utf-8'],
    ['/empty.wasm', 200, 'application/wasm'],
    ['/sub/x.txt', 200, 'text/plain; charset=utf-8'],
    ['/missing.js', 404, 'text/plain; charset=utf-8'],
    ['/sub', 404, 'text/plain; charset=utf-8'],
  ];
  for (const [p, status, type] of cases) {
    const res = await fetch(server.url + p);
    assert.equal(res.status, status, `status of ${p}`);
    assert.equal(res.headers.get('content-type'), type, `content-type of ${p}`);
    await res.arrayBuffer();
  }
  const wasm = Buffer.from(await (await fetch(server.url + '/empty.wasm')).arrayBuffer());
  assert.deepEqual(wasm, EMPTY_WASM);
});

test('server: never serves outside its root', async () => {
  const outside = '/../wakescope-harness-secret.txt';
  assert.equal(resolveRequestPath(root, outside), path.join(root, 'wakescope-harness-secret.txt'));
  assert.equal(resolveRequestPath(root, '/%2e%2e/wakescope-harness-secret.txt'), path.join(root, 'wakescope-harness-secret.txt'));
  assert.equal(resolveRequestPath(root, '/a%00b'), null);
  assert.equal(resolveRequestPath(root, '/%E0%A4%A'), null);
  assert.equal(resolveRequestPath(root, '/..%5c..%5csecret'), null);
  // A raw request line with `..` (fetch() would normalise it away).
  const status = await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/../wakescope-harness-secret.txt' }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 404);
});

test('browser: loads a page with wasm and sees test ids', async () => {
  const session = await Session.open(browser);
  try {
    const page = await session.newPage();
    await page.goto(server.url + '/?s=timers');
    await page.waitForSelector('[data-testid=step-counter][data-total="7"]');
    assert.equal(await page.textContent('[data-testid=step-counter]'), 'ready ?s=timers');
    session.assertClean('harness page');
  } finally {
    await session.close();
  }
});

test('browser: console errors, page errors and HTTP errors are collected', async () => {
  const session = await Session.open(browser);
  try {
    const page = await session.newPage();
    await page.goto(server.url + '/?boom');
    await page.waitForSelector('[data-testid=step-counter][data-total="7"]');
    await page.evaluate(() => fetch('/nope.js').catch(() => {}));
    await page.waitForTimeout(200);
    const text = session.problems.join('\n');
    assert.match(text, /console\.error: boom/);
    assert.match(text, /pageerror: .*kaboom/);
    assert.match(text, /http 404: .*\/nope\.js/);
    assert.throws(() => session.assertClean('harness page'), /reported \d+ problem/);
  } finally {
    await session.close();
  }
});
