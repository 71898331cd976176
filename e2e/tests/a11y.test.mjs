// Accessibility: axe-core finds no violations in the main views.

import assert from 'node:assert/strict';

import { appSuite, tid, counter, clickAndWaitStep, stepForward, addAxe } from '../lib/app.mjs';

const appTest = appSuite();

/** Runs axe on the page; returns its violations, formatted one per node. */
async function audit(page) {
  await addAxe(page);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200), summary: n.failureSummary })),
    }));
  });
  return violations;
}

function format(violations) {
  return violations
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    at ${n.target}\n      ${n.html}\n      ${String(n.summary).replace(/\n/g, '\n      ')}`).join('\n'),
    )
    .join('\n');
}

async function assertNoViolations(page, view) {
  const violations = await audit(page);
  if (violations.length > 0) console.log(`axe violations in ${view}:\n${format(violations)}`);
  assert.equal(violations.length, 0, `axe found ${violations.length} violation(s) in ${view}:\n${format(violations)}`);
}

appTest('axe: the main view has no violations', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  await stepForward(page, 3);
  await assertNoViolations(page, 'the main view (timers concurrent seed 42, step 3)');
});

appTest('axe: the end view with the answer has no violations', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  const { total } = await counter(page);
  await clickAndWaitStep(page, 'last', total);
  await assertNoViolations(page, 'the end view (timers concurrent seed 42, last step)');
});

appTest('axe: the help overlay has no violations', async ({ open }) => {
  const page = await open('s=timers&mode=concurrent&seed=42');
  await page.keyboard.press('?');
  await page.locator(tid('help')).waitFor({ state: 'visible' });
  await assertNoViolations(page, 'the help overlay');
});
