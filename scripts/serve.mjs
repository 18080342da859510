#!/usr/bin/env node
// Development/production static server for the ptrm web app (zero npm dependencies).
//
//   node scripts/serve.mjs [--port N] [--no-coi] [--no-build] [--root DIR] [--assets DIR]   (PORT env also honoured)
//
// Serves web/ (or --root) at / and the repository's assets/ (or --assets) at /assets/. Every response carries COOP same-origin +
// COEP require-corp so the page is crossOriginIsolated (SharedArrayBuffer → wasm threads). Two ways to get a
// page WITHOUT isolation, used by the single-thread fallback test and to mimic a header-less static host:
//   - `?coi=0` on a document URL drops COOP/COEP for that document only;
//   - `--no-coi` drops them for the whole server (then web/sw.js is what makes the page isolated).
// If web/engine/ lacks the wasm build, scripts/build_wasm.sh is run first (skip with --no-build).
import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { modelIndex } from './model_index.mjs';
import { precacheManifest, precacheScript } from './precache.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultWebRoot = path.join(repo, 'web');
const defaultAssetsRoot = path.join(repo, 'assets');

function parseArgs(argv) {
  const opts = { port: Number(process.env.PORT || 8080), coi: true, build: true, host: '127.0.0.1',
    webRoot: defaultWebRoot, assetsRoot: defaultAssetsRoot };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = Number(argv[++i]);
    else if (a === '--host') opts.host = argv[++i];
    else if (a === '--no-coi') opts.coi = false;
    else if (a === '--no-build') opts.build = false;
    else if (a === '--root') opts.webRoot = path.resolve(argv[++i]);
    else if (a === '--assets') opts.assetsRoot = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a} (use --port N, --host H, --no-coi, --no-build, --root DIR, --assets DIR)`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`bad port ${opts.port}`);
  return opts;
}

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8', '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json',
  '.ts': 'text/plain; charset=utf-8', '.safetensors': 'application/octet-stream',
};

// Maps a URL path to a file under web/ or assets/; null when it would escape those roots.
function resolvePath(urlPath, webRoot, assetsRoot) {
  let rel;
  try { rel = decodeURIComponent(urlPath); } catch { return null; }
  if (rel.includes('\0')) return null;
  const [root, sub] = rel.startsWith('/assets/') ? [assetsRoot, rel.slice('/assets/'.length)] : [webRoot, rel.slice(1)];
  const file = path.resolve(root, sub || 'index.html');
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

function isolationHeaders(coi) {
  // CORP cross-origin + CORS let any other site embed <ptrm-solver> straight from this server: its module scripts,
  // the blob: worker's import of worker.js, the engine and the models are all fetched with CORS (isolated pages
  // also need CORP). Nothing here depends on cookies, so `*` is safe.
  const h = {
    'Cross-Origin-Resource-Policy': 'cross-origin', 'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'Content-Length, ETag',
  };
  if (coi) Object.assign(h, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
  return h;
}

function send(res, status, headers, body) {
  res.writeHead(status, headers);
  res.end(body);
}

async function handle(req, res, opts) {
  const url = new URL(req.url, 'http://localhost');
  const coi = opts.coi && url.searchParams.get('coi') !== '0';
  const base = isolationHeaders(coi);
  if (req.method === 'OPTIONS') {  // CORS preflight (a cross-origin fetch with headers of its own, e.g. Range)
    return send(res, 204, { ...base, 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': '*',
      'Access-Control-Max-Age': '86400', Allow: 'GET, HEAD, OPTIONS' });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, { ...base, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }, 'method not allowed\n');
  }
  const { webRoot, assetsRoot } = opts;
  let file = resolvePath(url.pathname, webRoot, assetsRoot);
  if (!file) return send(res, 403, { ...base, 'Content-Type': 'text/plain' }, 'forbidden\n');
  let st = await fsp.stat(file).catch(() => null);
  if (st && st.isDirectory()) {
    file = path.join(file, 'index.html');
    st = await fsp.stat(file).catch(() => null);
  }
  // The model list and the service worker's precache list are generated unless the deployer wrote them.
  const generated = !st && (url.pathname === '/assets/models/index.json' ? [MIME['.json'], () => generatedIndex(assetsRoot)]
    : url.pathname === '/precache.js' ? [MIME['.js'], () => generatedPrecache(webRoot, assetsRoot)] : null);
  if (generated) {
    const body = await generated[1]();
    return send(res, 200, { ...base, 'Content-Type': generated[0], 'Cache-Control': 'no-cache' },
      req.method === 'HEAD' ? undefined : body);
  }
  if (!st || !st.isFile()) return send(res, 404, { ...base, 'Content-Type': 'text/plain' }, 'not found\n');

  // Revalidate every time (no stale engine after a rebuild), but let unchanged files answer 304.
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const headers = {
    ...base, 'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
    'Cache-Control': 'no-cache', ETag: etag, 'Last-Modified': st.mtime.toUTCString(),
  };
  // A service worker must be allowed to control the whole app even though it lives at /sw.js.
  if (url.pathname === '/sw.js') headers['Service-Worker-Allowed'] = '/';
  if (req.headers['if-none-match'] === etag) return send(res, 304, headers);
  headers['Content-Length'] = st.size;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

async function generatedIndex(assetsRoot) {
  return JSON.stringify(await modelIndex(path.join(assetsRoot, 'models')), null, 1);
}

async function generatedPrecache(webRoot, assetsRoot) {
  const extra = {};
  if (!fs.existsSync(path.join(assetsRoot, 'models', 'index.json'))) {
    extra['assets/models/index.json'] = await generatedIndex(assetsRoot);
  }
  return precacheScript(await precacheManifest(webRoot, assetsRoot, extra));
}

function ensureEngineBuilt(webRoot) {
  if (fs.existsSync(path.join(webRoot, 'engine', 'ptrm.js'))) return;
  const script = path.join(repo, 'scripts', 'build_wasm.sh');
  if (!fs.existsSync(script)) throw new Error('web/engine/ptrm.js is missing and scripts/build_wasm.sh does not exist');
  console.log('web/engine/ is missing: running scripts/build_wasm.sh (first time only, takes minutes)');
  const r = spawnSync('bash', [script], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/build_wasm.sh failed (exit ${r.status})`);
}

// opts: {coi (default true), webRoot (default web/), assetsRoot (default assets/)}.
export function createServer(options = {}) {
  const opts = { coi: true, webRoot: defaultWebRoot, assetsRoot: defaultAssetsRoot, ...options };
  return http.createServer((req, res) => {
    handle(req, res, opts).catch((e) => {
      console.error('serve:', e);
      if (!res.headersSent) send(res, 500, { 'Content-Type': 'text/plain' }, 'internal error\n');
      else res.destroy();
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
    if (opts.build && opts.webRoot === defaultWebRoot) ensureEngineBuilt(defaultWebRoot);
  } catch (e) {
    console.error(`serve: ${e.message}`);
    process.exit(2);
  }
  const server = createServer(opts);
  server.on('error', (e) => { console.error(`serve: ${e.message}`); process.exit(1); });
  server.listen(opts.port, opts.host, () => {
    const { port } = server.address();
    console.log(`ptrm: http://${opts.host === '0.0.0.0' ? 'localhost' : opts.host}:${port}/` +
      (opts.coi ? ' (cross-origin isolated)' : ' (no isolation headers)'));
  });
}
