// The app's service worker (app/coi.js registers it). Two jobs:
// 1. Offline and instant reloads: the app shell and the engine (every file listed in precache.js, made by
//    scripts/precache.mjs with a content hash each) are cached at install and served from the cache. A changed
//    file changes precache.js, which the browser compares on every update check: the new worker caches the new
//    version under a new name and deletes the old cache. The model list is network-first (new models show up),
//    with the cached copy offline. Models themselves are cached by the engine's loader (wasm/ptrm.js).
// 2. Cross-origin isolation on static hosts that cannot send headers (GitHub Pages and the like): responses are
//    re-served with COOP/COEP/CORP added, which makes the page crossOriginIsolated and so unlocks
//    SharedArrayBuffer and the threaded engine. A `?coi=0` navigation is passed through untouched (the
//    single-thread fallback).
try {
  importScripts('precache.js');
} catch {
  self.PTRM_PRECACHE = null;  // no list (an old static copy): isolation only, nothing kept offline
}
const MANIFEST = self.PTRM_PRECACHE || { version: 'none', files: [] };
const PREFIX = 'ptrm-shell-';
const CACHE = PREFIX + MANIFEST.version;
const SCOPE = new URL(self.registration.scope);
const NETWORK_FIRST = new Set(['assets/models/index.json']);
const NO_BODY = new Set([101, 103, 204, 205, 304]);

// Scope-relative path of a same-origin URL ('' for the scope itself), or null outside the scope.
function inScope(url) {
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return null;
  return url.pathname.slice(SCOPE.pathname.length);
}
const PRECACHED = new Set(MANIFEST.files.map((f) => f.url));
const cacheKey = (rel) => new URL(rel === '' ? 'index.html' : rel, SCOPE).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    if (MANIFEST.files.length) {
      const cache = await caches.open(CACHE);
      // cache: 'no-cache' revalidates with the server, so the HTTP cache cannot hand us an older file.
      await cache.addAll(MANIFEST.files.map((f) => new Request(cacheKey(f.url), { cache: 'no-cache' })));
    }
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

function isolated(res) {
  if (res.type === 'opaque' || res.type === 'opaqueredirect' || NO_BODY.has(res.status)) return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  if (!headers.has('Cross-Origin-Resource-Policy')) headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

async function fromCache(key) {
  const cache = await caches.open(CACHE);
  return cache.match(key);
}

async function respond(req, rel) {
  const key = cacheKey(rel);
  if (NETWORK_FIRST.has(rel)) {
    try {
      const res = await fetch(req);
      if (res.ok) (await caches.open(CACHE)).put(key, res.clone()).catch(() => {});
      return res;
    } catch (e) {
      const hit = await fromCache(key);
      if (hit) return hit;
      throw e;
    }
  }
  if (PRECACHED.has(rel === '' ? 'index.html' : rel)) {
    const hit = await fromCache(key);
    if (hit) return hit;
  }
  return fetch(req);
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  const rel = inScope(url);
  if (rel === null) return;
  if (req.mode === 'navigate' && url.searchParams.get('coi') === '0') return;
  event.respondWith(respond(req, rel).then(isolated));
});
