// A tiny static file server for the built app (Trunk's `dist/`).
//
// It binds 127.0.0.1 on an ephemeral port, serves `index.html` for `/`,
// sends the MIME types a browser insists on (`application/wasm` is required
// by `WebAssembly.instantiateStreaming`), ignores the query string (the app
// reads it, the server does not) and never serves anything outside the root.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Extension → Content-Type. Anything else is `application/octet-stream`. */
export const MIME_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
});

/** The e2e/ directory. */
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root (parent of e2e/). */
export const REPO_DIR = path.resolve(E2E_DIR, '..');

/**
 * The built app to test: `$WAKESCOPE_DIST`, else `../dist` relative to e2e/.
 * Throws a message that says how to build it when it is missing.
 */
export function distDir() {
  const fromEnv = process.env.WAKESCOPE_DIST;
  const dir = path.resolve(fromEnv && fromEnv.trim() !== '' ? fromEnv : path.join(REPO_DIR, 'dist'));
  const index = path.join(dir, 'index.html');
  if (!existsSync(index) || !statSync(index).isFile()) {
    throw new Error(
      `Wakescope e2e: no built app at ${dir} (missing index.html).\n` +
        (fromEnv ? '  WAKESCOPE_DIST points there.\n' : '  WAKESCOPE_DIST is unset, so ../dist was tried.\n') +
        '  Build it with `trunk build --release` at the repository root (or run `cargo xtask test`),\n' +
        '  or set WAKESCOPE_DIST to the absolute path of a dist/ directory.',
    );
  }
  return dir;
}

/**
 * Maps a request path to a file under `root`, or null when it would leave
 * `root` (`..`, encoded slashes, NUL bytes).
 */
export function resolveRequestPath(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded === '/' || decoded === '') decoded = '/index.html';
  const file = path.resolve(root, '.' + path.posix.normalize(decoded));
  const rootWithSep = root.endsWith(path.sep) ? root : root + path.sep;
  if (!file.startsWith(rootWithSep)) return null;
  return file;
}

/**
 * Starts serving `root`. Resolves to `{ url, port, close(), requests }` where
 * `url` has no trailing slash and `requests` lists every `{method, path, status}`.
 */
export async function serve(root) {
  const absRoot = path.resolve(root);
  const requests = [];
  const server = createServer(async (req, res) => {
    const urlPath = new URL(req.url, 'http://127.0.0.1').pathname;
    const entry = { method: req.method, path: urlPath, status: 0 };
    requests.push(entry);
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      entry.status = status;
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    const file = resolveRequestPath(absRoot, urlPath);
    if (file === null) return send(403, 'forbidden\n');
    try {
      const info = await stat(file);
      if (!info.isFile()) return send(404, 'not found\n');
      const body = await readFile(file);
      const type = MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      return send(200, body, type);
    } catch {
      return send(404, 'not found\n');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
