// Cross-origin isolation for static hosts that cannot send headers (GitHub Pages and the like): this service
// worker re-serves same-origin responses with COOP/COEP/CORP added, which makes the page crossOriginIsolated
// and so unlocks SharedArrayBuffer and the threaded engine. app/coi.js registers it only when the page is not
// already isolated, and a `?coi=0` navigation is passed through untouched (the single-thread fallback).
const NO_BODY = new Set([101, 103, 204, 205, 304]);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && url.searchParams.get('coi') === '0') return;
  event.respondWith(fetch(req).then((res) => {
    if (res.type === 'opaque' || res.type === 'opaqueredirect' || NO_BODY.has(res.status)) return res;
    const headers = new Headers(res.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }));
});
