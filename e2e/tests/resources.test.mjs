// The resources panel: channels and mutexes at given steps, checked against
// the native trace the CLI writes (`wakescope run <s> --format jsonl`).

import assert from 'node:assert/strict';

import { appSuite, appUrl, tid, counter, clickAndWaitStep, waitRecorded, waitStep, readResources, runCli } from '../lib/app.mjs';
import { NATIVE_BUILD_TIMEOUT_MS } from '../lib/native.mjs';

const appTest = appSuite();

/** The resources after the first `k` events of a JSONL trace, folded the simple way. */
function foldResources(lines, k) {
  const out = [];
  for (const e of lines.slice(0, k)) {
    if (e.kind === 'resource_created') {
      if (e.resource_kind !== 'mailbox') out[e.resource] = { id: e.resource, kind: e.resource_kind.replace('_', '-'), buffered: 0, closed: false, holders: [], waiters: [] };
    } else if (e.kind === 'resource' && out[e.resource]) {
      const r = out[e.resource];
      const leave = () => (r.waiters = r.waiters.filter((t) => t !== e.task));
      switch (e.op) {
        case 'send': r.buffered += 1; leave(); break;
        case 'recv': r.buffered = Math.max(0, r.buffered - 1); leave(); break;
        case 'lock': case 'acquire': r.holders.push(e.task); leave(); break;
        case 'unlock': case 'release': r.holders.splice(r.holders.indexOf(e.task), 1); break;
        case 'gave_up': leave(); break;
        case 'notify': r.waiters.shift(); break;
        case 'closed': r.closed = true; break;
        default: if (e.op.startsWith('blocked_on') && !r.waiters.includes(e.task)) r.waiters.push(e.task);
      }
    }
  }
  return out.filter(Boolean);
}

async function nativeEvents(args) {
  const { code, stdout, stderr } = await runCli(['run', ...args, '--format', 'jsonl']);
  assert.equal(code, 0, `wakescope run ${args.join(' ')}: ${stderr}`);
  return stdout.trim().split('\n').slice(1).map((l) => JSON.parse(l));
}

appTest('a fair mutex: holder and waiters in arrival order, and the hand-over', async ({ open }) => {
  const page = await open('s=mutex&mode=fair&seed=1&step=36');
  await waitStep(page, 36);
  assert.deepEqual(await readResources(page), [
    { id: 0, kind: 'fair-mutex', buffered: 0, closed: false, holders: [1], waiters: [3, 4, 2] },
  ], 'mutex fair seed 1 step 36: the hog (#1) holds the lock, three waiters wait in arrival order');
  const later = await open('s=mutex&mode=fair&seed=1&step=44');
  await waitStep(later, 44);
  const [lock] = await readResources(later);
  assert.deepEqual([lock.holders, lock.waiters], [[3], [4, 2, 1]], 'mutex fair seed 1 step 44: the unlock handed the lock to the first waiter, and the hog queues behind the others');
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('flow: the channels along the run equal the native trace folded', async ({ open, base }) => {
  const events = await nativeEvents(['flow', '--mode', 'flowing', '--seed', '1']);
  const page = await open('s=flow&mode=flowing&seed=1');
  await waitRecorded(page);
  const { total } = await counter(page);
  assert.equal(total, events.length, 'flow flowing seed 1: as many steps as native events');
  const every = Math.max(1, Math.floor(total / 12));
  for (const k of [...Array(Math.floor(total / every) + 1).keys()].map((i) => i * every).concat([total])) {
    await page.goto(appUrl(base, `s=flow&mode=flowing&seed=1&step=${k}`));
    await waitStep(page, k);
    const want = foldResources(events, k);
    if (want.length === 0) continue;
    assert.deepEqual(await readResources(page), want, `flow flowing seed 1 at step ${k}`);
  }
}, { timeout: NATIVE_BUILD_TIMEOUT_MS });

appTest('zero window: the data channel fills to its capacity; sender and receiver both wait', async ({ open }) => {
  const page = await open('s=flow&mode=zero-window&seed=1&step=15');
  await waitStep(page, 15);
  // `main` (#0) creates `data` (resource 0) and spawns the sender (#1); the
  // sender creates `acks` (resource 1), spawns the receiver and fills `data`:
  // at step 15 its poll has ended waiting on the full window, and the
  // receiver (#2) is about to take its first poll.
  const [data, acks] = await readResources(page);
  assert.deepEqual(data, { id: 0, kind: 'channel', buffered: 4, closed: false, holders: [], waiters: [1] });
  assert.deepEqual(acks, { id: 1, kind: 'channel', buffered: 0, closed: false, holders: [], waiters: [] });
  const text = await page.locator(`${tid('resources')} [data-resource="0"]`).textContent();
  assert.match(text, /data/);
  assert.match(text, /4 \/ 4 messages/);
});

appTest('no resources panel for a scenario without resources', async ({ open }) => {
  const page = await open('s=timers&seed=1');
  await waitRecorded(page);
  assert.equal(await page.locator(tid('resources')).count(), 0, 'timers: no resources panel');
});

appTest('a long poll is marked in the tasks table', async ({ open }) => {
  const page = await open('s=blocking&seed=0');
  await waitRecorded(page);
  const { total } = await counter(page);
  await clickAndWaitStep(page, 'last', total);
  const badges = page.locator(tid('long-poll'));
  assert.ok((await badges.count()) >= 1, 'blocking: a task is marked as having blocked the executor');
  assert.match(await badges.first().textContent(), /blocked the executor/);
  await page.locator(tid('timeline')).waitFor({ state: 'visible' });
  assert.ok((await page.locator(tid('long-poll-mark')).count()) >= 1, 'blocking: the long poll is marked on the timeline');
});
