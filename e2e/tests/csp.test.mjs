// The Content-Security-Policy: the built index.html carries a strict one (no
// inline script, nothing from other origins), and using the app — stepping,
// a new seed, another scenario, a sweep — never trips it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { appSuite, tid, waitReady, waitRecorded, waitAttrChange, stepForward, fingerprint } from '../lib/app.mjs';
import { distDir } from '../lib/server.mjs';

const appTest = appSuite();

/** `script-src 'self' …; style-src …` → Map of directive → list of sources. */
function parsePolicy(text) {
  const policy = new Map();
  for (const part of text.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) policy.set(name.toLowerCase(), sources);
  }
  return policy;
}

/** The policy's sources for `directive`, falling back to default-src as browsers do. */
function sourcesOf(policy, directive) {
  return policy.get(directive) ?? policy.get('default-src') ?? [];
}

/** Sources that would let in code or content from elsewhere. */
const LOOSE = /^(\*|https?:|wss?:|data:|blob:|'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|'strict-dynamic')$|^[a-z0-9.-]+\.[a-z]{2,}/i;

appTest('the built index.html has a strict Content-Security-Policy and no inline script', async ({ open }) => {
  const html = readFileSync(path.join(distDir(), 'index.html'), 'utf8');
  const page = await open('s=timers&seed=42');
  const metas = await page
    .locator('meta[http-equiv="Content-Security-Policy" i]')
    .evaluateAll((els) => els.map((el) => ({ content: el.getAttribute('content') })));
  assert.equal(metas.length, 1, `one CSP <meta> in the page (index.html: ${html.slice(0, 300)}…)`);
  const policy = parsePolicy(metas[0].content);

  assert.deepEqual(policy.get('default-src'), ["'self'"], 'default-src is exactly self');
  const scripts = sourcesOf(policy, 'script-src');
  assert.ok(scripts.includes("'self'"), `script-src allows this origin: ${scripts}`);
  assert.ok(scripts.includes("'wasm-unsafe-eval'"), `script-src lets the wasm compile: ${scripts}`);
  for (const directive of ['script-src', 'script-src-elem', 'script-src-attr', 'style-src', 'img-src', 'connect-src', 'font-src']) {
    const loose = sourcesOf(policy, directive).filter((s) => LOOSE.test(s));
    assert.deepEqual(loose, [], `${directive} has no source that lets in inline code or other origins`);
  }
  assert.deepEqual(policy.get('object-src'), ["'none'"], 'no plugins');
  assert.deepEqual(policy.get('base-uri'), ["'none'"], 'no <base>');

  // The policy must come before anything it governs; and no script is inline,
  // neither in the file nor in the DOM the app builds.
  const metaAt = html.search(/<meta[^>]+Content-Security-Policy/i);
  const firstResource = html.search(/<(script|link|style)\b/i);
  assert.ok(metaAt >= 0 && metaAt < firstResource, 'the CSP <meta> precedes every script, style and link');
  const fileScripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  assert.ok(fileScripts.length > 0, 'index.html loads a script');
  for (const [tag, attrs, body] of fileScripts) {
    assert.match(attrs, /\bsrc=/, `a script with a src: ${tag.slice(0, 120)}`);
    assert.equal(body.trim(), '', `no inline code: ${tag.slice(0, 120)}`);
  }
  const inline = await page.evaluate(() =>
    [...document.scripts].filter((s) => !s.src && s.textContent.trim() !== '').map((s) => s.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(inline, [], 'no inline script in the live DOM');
});

appTest('using the app reports no CSP violation', async ({ session, open }) => {
  // Recorded from the first line of every document, before any of its scripts run.
  await session.context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.effectiveDirective}: ${e.blockedURI || '(inline)'} ${e.sample || ''}`.trim());
    });
  });
  const cspConsole = [];
  session.context.on('console', (msg) => {
    if (/content security policy|content-security-policy/i.test(msg.text())) cspConsole.push(`${msg.type()}: ${msg.text()}`);
  });
  const violations = async (page) => page.evaluate(() => window.__cspViolations);

  const page = await open('s=timers&mode=concurrent&seed=42');
  await stepForward(page, 3);
  await page.keyboard.press('End');

  // A new seed.
  const before = await fingerprint(page);
  const seed = page.locator(tid('seed'));
  await seed.fill('7');
  await seed.press('Enter');
  await waitAttrChange(page, 'fingerprint', 'data-hex', before);

  // Another scenario: the zero-window flow, whose channels draw their buffers.
  await page.locator(tid('scenario')).selectOption('flow');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('s') === 'flow');
  await waitReady(page);
  await waitRecorded(page);
  await stepForward(page, 5);
  await page.locator(tid('resource-buffer')).first().waitFor({ state: 'visible' });

  // A short sweep: its progress bar.
  await page.locator(tid('scenario')).selectOption('timers');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('s') === 'timers');
  await waitRecorded(page);
  const limit = page.locator(tid('sweep-limit'));
  await limit.fill('10');
  await limit.press('Tab');
  await page.locator(tid('sweep-start')).click();
  await page.locator(tid('sweep-result')).waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator(tid('sweep-progress')).waitFor({ state: 'visible' });

  assert.deepEqual(await violations(page), [], 'securitypolicyviolation events');
  assert.deepEqual(cspConsole, [], 'console messages about the policy');
});
