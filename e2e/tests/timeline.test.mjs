// The timeline: a canvas with a lane per task, zoom and pan by wheel, drag,
// keys and buttons, hover and click on polls, groups of same-named tasks,
// wake arrows, and a text alternative — driven as a user would, read through
// its hooks and its pixels.

import assert from 'node:assert/strict';

import { appSuite, tid, addAxe, waitRecorded, currentStep, waitStep, UPDATE_TIMEOUT_MS } from '../lib/app.mjs';

const appTest = appSuite();

/** The canvas's layout constants (app/src/panels/timeline.rs). */
const LABEL_WIDTH = 150;
const LANE_HEIGHT = 22;
const SECOND_NS = 1_000_000_000;

/** The timers scenario, the three cooks at once: main, popcorn (3 s), boiler (5 s), cookies (10 s). */
const TIMERS = 's=timers&mode=concurrent&seed=42';

async function canvasOf(page) {
  const canvas = page.locator(tid('timeline-canvas'));
  await canvas.waitFor({ state: 'visible', timeout: UPDATE_TIMEOUT_MS });
  await canvas.scrollIntoViewIfNeeded();
  return canvas;
}

async function windowOf(page) {
  const canvas = await canvasOf(page);
  return {
    from: Number(await canvas.getAttribute('data-view-from-ns')),
    to: Number(await canvas.getAttribute('data-view-to-ns')),
  };
}

/** Waits until the window satisfies `pred`, and returns it. */
async function waitWindow(page, pred, what) {
  const deadline = Date.now() + UPDATE_TIMEOUT_MS;
  let w = await windowOf(page);
  while (!pred(w)) {
    if (Date.now() > deadline) assert.fail(`the window never became ${what}: ${JSON.stringify(w)}`);
    await page.waitForTimeout(20);
    w = await windowOf(page);
  }
  return w;
}

/** The page point of virtual time `ns` on lane `row` (0: the top lane on screen). */
async function pointAt(page, ns, row) {
  const canvas = await canvasOf(page);
  const box = await canvas.boundingBox();
  const w = await windowOf(page);
  const plot = box.width - LABEL_WIDTH;
  return {
    x: box.x + LABEL_WIDTH + ((ns - w.from) / (w.to - w.from)) * plot,
    y: box.y + row * LANE_HEIGHT + LANE_HEIGHT / 2,
  };
}

/** The canvas pixel (CSS coordinates) as [r, g, b]. */
async function pixel(page, x, y) {
  const canvas = await canvasOf(page);
  return canvas.evaluate(
    (c, [x, y]) => {
      const ratio = c.width / c.clientWidth;
      const d = c.getContext('2d').getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
      return [d[0], d[1], d[2]];
    },
    [x, y],
  );
}

/** How many canvas pixels are within `tolerance` of the colour of CSS variable `name`. */
async function pixelsOf(page, name, tolerance = 40) {
  const canvas = await canvasOf(page);
  return canvas.evaluate(
    (c, [name, tolerance]) => {
      const probe = document.createElement('canvas').getContext('2d');
      probe.fillStyle = getComputedStyle(c).getPropertyValue(name).trim();
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) <= tolerance) n += 1;
      }
      return n;
    },
    [name, tolerance],
  );
}

/** The colour of a CSS variable as [r, g, b]. */
async function colourOf(page, name) {
  return page.evaluate((name) => {
    const probe = document.createElement('canvas').getContext('2d');
    probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    probe.fillRect(0, 0, 1, 1);
    return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  }, name);
}

const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 24);

appTest('every task has a lane; hovering a poll names it and clicking it jumps to its step', async ({ open }) => {
  const page = await open(TIMERS);
  await waitRecorded(page);
  const canvas = await canvasOf(page);
  assert.equal(await canvas.getAttribute('data-lanes'), '4');
  assert.deepEqual(await windowOf(page), { from: 0, to: 10 * SECOND_NS }, 'the whole run at first');

  // Popcorn (lane 1) is polled again when its 3 s timer fires.
  const at = await pointAt(page, 3 * SECOND_NS, 1);
  await page.mouse.move(at.x, at.y);
  const tooltip = page.locator(tid('timeline-tooltip'));
  await tooltip.waitFor({ state: 'visible', timeout: UPDATE_TIMEOUT_MS });
  const text = await tooltip.textContent();
  const m = /^popcorn #1: poll at 3 s \(step (\d+)\), returned Ready/.exec(text);
  assert.ok(m, `the tooltip names the poll: ${text}`);
  await page.mouse.click(at.x, at.y);
  await waitStep(page, Number(m[1]));
  assert.match(await page.locator(tid('timeline-lanes')).textContent(), /popcorn #1: polled at 3 s/);

  // Clicking where no poll is seeks to that time instead.
  const empty = await pointAt(page, 7 * SECOND_NS, 1);
  await page.mouse.click(empty.x, empty.y);
  await page.waitForFunction(
    (sel) => /Cursor at 5 s of 10 s/.test(document.querySelector(sel).textContent),
    tid('timeline'),
    { timeout: UPDATE_TIMEOUT_MS },
  );
});

appTest('polls are drawn where the trace has them, coloured by how they ended', async ({ open }) => {
  const page = await open(TIMERS);
  await waitRecorded(page);
  await page.locator(tid('last')).click();
  await page.waitForFunction((sel) => /Cursor at 10 s/.test(document.querySelector(sel).textContent), tid('timeline'));
  const box = await (await canvasOf(page)).boundingBox();
  const x = (ns) => LABEL_WIDTH + Math.floor((ns / (10 * SECOND_NS)) * (box.width - LABEL_WIDTH));
  const ready = await colourOf(page, '--ok');
  const pending = await colourOf(page, '--poll');
  // Popcorn: pending at 0 s, ready at 3 s; boiler: ready at 5 s.
  assert.ok(near(await pixel(page, x(3 * SECOND_NS), LANE_HEIGHT * 1.5), ready), 'popcorn ends at 3 s');
  assert.ok(near(await pixel(page, x(0) + 1, LANE_HEIGHT * 1.5), pending), 'popcorn first waits');
  assert.ok(near(await pixel(page, x(5 * SECOND_NS), LANE_HEIGHT * 2.5), ready), 'boiler ends at 5 s');
  // Nothing polls popcorn at 6 s.
  assert.ok(!near(await pixel(page, x(6 * SECOND_NS), LANE_HEIGHT * 1.5 - 7), ready));
  assert.match(
    await page.locator(tid('timeline-lanes')).textContent(),
    /Lanes 1 to 4 of 4.*main #0: ended at 10 s; popcorn #1: ended at 3 s; boiler #2: ended at 5 s; cookies #3: ended at 10 s/,
  );
});

appTest('buttons and keys zoom, pan and fit; the arrows pan instead of stepping while the timeline has focus', async ({ open }) => {
  const page = await open(TIMERS);
  await waitRecorded(page);
  const end = 10 * SECOND_NS;
  await page.locator(tid('timeline-zoom-in')).click();
  let w = await waitWindow(page, (w) => w.to - w.from === end / 2, 'half the run');
  assert.deepEqual(w, { from: end / 4, to: (3 * end) / 4 }, 'zoomed about the middle');
  await page.locator(tid('timeline-zoom-in')).click();
  w = await waitWindow(page, (w) => w.to - w.from === end / 4, 'a quarter of the run');

  const step = await currentStep(page);
  await page.locator('.timeline-plot').focus();
  await page.keyboard.press('ArrowRight');
  w = await waitWindow(page, (w) => w.from > (3 * end) / 8, 'panned right');
  assert.equal(w.to - w.from, end / 4, 'panning keeps the width');
  assert.equal(await currentStep(page), step, 'the arrow panned the timeline, not the run');
  await page.keyboard.press('-');
  await waitWindow(page, (w) => w.to - w.from === end / 2, 'zoomed out by the key');
  await page.keyboard.press('+');
  await waitWindow(page, (w) => w.to - w.from === end / 4, 'zoomed in by the key');
  await page.locator(tid('timeline-fit')).click();
  await waitWindow(page, (w) => w.from === 0 && w.to === end, 'the whole run again');
  await page.locator(tid('timeline-zoom-out')).click();
  assert.deepEqual(await windowOf(page), { from: 0, to: end }, 'nothing to zoom out to');
});

appTest('the wheel zooms about the pointer, shift+wheel and a drag pan', async ({ open }) => {
  const page = await open(TIMERS);
  await waitRecorded(page);
  const end = 10 * SECOND_NS;
  const at = await pointAt(page, 2 * SECOND_NS, 0);
  await page.mouse.move(at.x, at.y);
  await page.mouse.wheel(0, -400);
  let w = await waitWindow(page, (w) => w.to - w.from < end / 1.5, 'zoomed in');
  const box = await (await canvasOf(page)).boundingBox();
  const anchor = w.from + ((at.x - box.x - LABEL_WIDTH) / (box.width - LABEL_WIDTH)) * (w.to - w.from);
  assert.ok(Math.abs(anchor - 2 * SECOND_NS) < SECOND_NS / 50, `2 s stays under the pointer (${anchor})`);

  const before = w;
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 200);
  await page.keyboard.up('Shift');
  w = await waitWindow(page, (w) => w.from > before.from, 'panned by shift+wheel');
  assert.equal(w.to - w.from, before.to - before.from);

  const dragged = w;
  const start = await pointAt(page, (w.from + w.to) / 2, 1);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 120, start.y, { steps: 6 });
  await page.mouse.up();
  w = await waitWindow(page, (w) => w.from < dragged.from, 'dragged to earlier');
  assert.equal(w.to - w.from, dragged.to - dragged.from);
});

appTest('tasks of one name share a group row that opens, and the lanes scroll', async ({ open }) => {
  const page = await open('s=million&tasks=2000&seed=1');
  await waitRecorded(page);
  const group = page.locator(tid('timeline-group'));
  assert.equal(await group.count(), 1);
  assert.equal(await group.getAttribute('data-name'), 'sleeper');
  assert.equal(await group.getAttribute('data-count'), '2000');
  assert.equal(await group.getAttribute('aria-expanded'), 'false');
  const canvas = await canvasOf(page);
  assert.equal(await canvas.getAttribute('data-lanes'), '2', 'main and the group');
  const lanes = page.locator(tid('timeline-lanes'));
  assert.match(await lanes.textContent(), /group sleeper × 2,000 \(closed\)/);

  // The group's row counts its polls under the pointer.
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + LABEL_WIDTH + 2, box.y + LANE_HEIGHT * 1.5);
  const tooltip = page.locator(tid('timeline-tooltip'));
  await tooltip.waitFor({ state: 'visible', timeout: UPDATE_TIMEOUT_MS });
  assert.match(await tooltip.textContent(), /^sleeper × 2,000: [\d,]+ polls between/);

  await group.click();
  assert.equal(await group.getAttribute('aria-expanded'), 'true');
  await page.waitForFunction((sel) => document.querySelector(sel).getAttribute('data-lanes') === '2002', tid('timeline-canvas'));
  await page.locator('.timeline-plot').focus();
  await page.keyboard.press('PageDown');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((sel) => Number(document.querySelector(sel).getAttribute('data-first-row')) > 0, tid('timeline-canvas'));
  assert.match(await lanes.textContent(), /sleeper #\d+:/, 'the open group lists its tasks');
  await page.locator(tid('timeline-group')).click();
  await page.waitForFunction((sel) => document.querySelector(sel).getAttribute('data-lanes') === '2', tid('timeline-canvas'));
});

appTest('the current poll gets the arrow from its waker; the toggle draws every visible one', async ({ open }) => {
  const page = await open(TIMERS);
  await waitRecorded(page);
  // At popcorn's poll at 3 s the arrow comes from its timer.
  const at = await pointAt(page, 3 * SECOND_NS, 1);
  await page.mouse.click(at.x, at.y);
  await page.mouse.move(0, 0);
  await page.waitForFunction((sel) => /Cursor at 3 s/.test(document.querySelector(sel).textContent), tid('timeline'));
  const arrows = page.locator(tid('timeline-arrows'));
  assert.equal(await arrows.getAttribute('aria-pressed'), 'false');
  const one = await pixelsOf(page, '--accent');
  await arrows.click();
  assert.equal(await arrows.getAttribute('aria-pressed'), 'true');
  await page.waitForTimeout(100);
  const all = await pixelsOf(page, '--accent');
  assert.ok(all > one + 40, `every poll's arrow adds to the one drawn (${one} → ${all} accent pixels)`);
  await arrows.click();
  await page.waitForTimeout(100);
  assert.equal(await pixelsOf(page, '--accent'), one);
});

appTest('the timeline is keyboard-reachable and axe-clean', async ({ open }) => {
  const page = await open(TIMERS);
  await waitRecorded(page);
  const plot = page.locator('.timeline-plot');
  assert.equal(await plot.getAttribute('tabindex'), '0');
  assert.equal(await plot.getAttribute('aria-describedby'), 'timeline-lanes');
  const violations = async (p) => {
    await addAxe(p);
    const result = await p.evaluate(async () => window.axe.run(document.querySelector('.timeline-panel')));
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`);
  };
  assert.deepEqual(await violations(page), []);
  // With a group, closed and open, and a tooltip showing.
  const grouped = await open('s=million&tasks=2000&seed=1');
  await waitRecorded(grouped);
  assert.deepEqual(await violations(grouped), []);
  await grouped.locator(tid('timeline-group')).click();
  const at = await pointAt(grouped, 0, 2);
  await grouped.mouse.move(at.x + 1, at.y);
  assert.deepEqual(await violations(grouped), []);
});
