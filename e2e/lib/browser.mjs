// Headless Chromium through playwright-core, with the system browser.
//
// No browser is downloaded: `playwright-core` drives /usr/bin/chromium (or
// $WAKESCOPE_CHROMIUM). Playwright gives every launch a fresh temporary
// profile (user data dir) and removes it on close; every test gets its own
// browser context, so no cookies, storage or cache leak between tests.
//
// Every page opened through a `Session` records page errors, console errors,
// failed requests, HTTP errors and dialogs, so a test can assert none happened.

import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

/** The Chromium binary. */
export const CHROMIUM_PATH = process.env.WAKESCOPE_CHROMIUM || '/usr/bin/chromium';

/** Flags for a quiet, offline, deterministic headless Chromium. */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);

/** One viewport for every test and screenshot, so screenshots are comparable. */
export const VIEWPORT = Object.freeze({ width: 1280, height: 800 });

/** Chromium asks for /favicon.ico on its own; the app not having one is not an error. */
function isImplicitFavicon(url) {
  try {
    return new URL(url).pathname === '/favicon.ico';
  } catch {
    return false;
  }
}

/** The first `n` lines of `text` (a stack trace is enough to locate the error). */
function firstLines(text, n) {
  const lines = String(text).split('\n');
  return lines.length <= n ? text : [...lines.slice(0, n), `    … ${lines.length - n} more line(s)`].join('\n');
}

/** Launches headless Chromium with a fresh temporary profile. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Wakescope e2e: no Chromium at ${CHROMIUM_PATH}. ` +
        'Install it with `apt-get install chromium`, or set WAKESCOPE_CHROMIUM to a Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
}

/**
 * A browser context whose pages report problems. `problems` lists strings
 * like `pageerror: …`, `console.error: …`, `http 404: /x.js`, `dialog: alert(1)`.
 */
export class Session {
  /** @param {import('playwright-core').Browser} browser */
  static async open(browser, options = {}) {
    const context = await browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      reducedMotion: 'reduce',
      ...options,
    });
    return new Session(context);
  }

  constructor(context) {
    this.context = context;
    this.problems = [];
    /** Every dialog (alert, confirm, prompt) any page opened. */
    this.dialogs = [];
    context.on('page', (page) => this.#watch(page));
  }

  #watch(page) {
    page.on('pageerror', (err) => this.problems.push(`pageerror: ${firstLines(err.stack || err.message || String(err), 4)}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        const loc = msg.location();
        if (loc && loc.url && isImplicitFavicon(loc.url)) return;
        const where = loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
        this.problems.push(`console.error: ${msg.text()}${where}`);
      }
    });
    page.on('requestfailed', (req) => {
      // A request cancelled because the page navigated away (a new goto in the
      // test) or was closed is not a failure of the app.
      const failure = req.failure()?.errorText ?? 'failed';
      if (failure.includes('ERR_ABORTED')) return;
      this.problems.push(`requestfailed: ${req.url()} (${failure})`);
    });
    page.on('response', (res) => {
      if (res.status() < 400) return;
      if (isImplicitFavicon(res.url())) return;
      this.problems.push(`http ${res.status()}: ${res.url()}`);
    });
    page.on('dialog', async (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      this.problems.push(`dialog ${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss().catch(() => {});
    });
  }

  /** A new page in this context. */
  async newPage() {
    return this.context.newPage();
  }

  /** Throws (with every problem listed) if any page reported one. */
  assertClean(what = 'the page') {
    if (this.problems.length > 0) {
      throw new Error(`${what} reported ${this.problems.length} problem(s):\n  - ${this.problems.join('\n  - ')}`);
    }
  }

  async close() {
    await this.context.close().catch(() => {});
  }
}
