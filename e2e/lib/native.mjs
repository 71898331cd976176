// The native library's answer, for comparing with the browser's.
//
// Runs the executor's `fingerprint` example (`executor/examples/fingerprint.rs`)
// from the repository root and parses its single stdout line
// `fingerprint <16 hex digits>`. The first call may compile the example;
// later calls only run it. Results are cached per (scenario, mode, seed).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { REPO_DIR } from './server.mjs';

const execFileAsync = promisify(execFile);

/** Long enough for a cold build of the executor on a small shared machine. */
export const NATIVE_BUILD_TIMEOUT_MS = 15 * 60 * 1000;

const cache = new Map();

/** The `cargo` that runs us (inside `cargo xtask`), else the one on PATH. */
function cargo() {
  return process.env.CARGO || 'cargo';
}

/**
 * The native trace fingerprint of `scenario` in `mode` with `seed`, as 16
 * lowercase hex digits. Rejects with the command, its exit code and stderr.
 */
export function nativeFingerprint(scenario, mode, seed) {
  const key = `${scenario}/${mode}/${seed}`;
  if (!cache.has(key)) cache.set(key, runNative(scenario, mode, String(seed)));
  return cache.get(key);
}

async function runNative(scenario, mode, seed) {
  const args = ['run', '-q', '-p', 'wakescope', '--example', 'fingerprint', '--features', 'scenarios', '--', scenario, mode, seed];
  const shown = `${cargo()} ${args.join(' ')}`;
  let stdout;
  try {
    ({ stdout } = await execFileAsync(cargo(), args, {
      cwd: REPO_DIR,
      timeout: NATIVE_BUILD_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (err) {
    throw new Error(
      `native fingerprint failed (scenario ${scenario}, mode ${mode}, seed ${seed}): \`${shown}\` ` +
        `exited with ${err.code ?? err.signal}\n${String(err.stderr ?? '').trim()}`,
    );
  }
  const match = /^fingerprint ([0-9a-f]{16})$/m.exec(stdout);
  if (!match) {
    throw new Error(
      `native fingerprint (scenario ${scenario}, mode ${mode}, seed ${seed}): ` +
        `\`${shown}\` printed no line \`fingerprint <16 hex>\`; stdout was:\n${stdout}`,
    );
  }
  return match[1];
}
