// Makes the page crossOriginIsolated when the server did not: registers ../sw.js and reloads once so the
// worker can add the headers. Resolves to how the page stands: 'isolated', 'disabled' (?coi=0, the
// deliberate single-thread mode), 'unavailable' (no service workers here) or 'failed'.
const FLAG = 'ptrm-coi-reloaded';

export async function ensureIsolation() {
  if (self.crossOriginIsolated) {
    sessionStorage.removeItem(FLAG);
    return 'isolated';
  }
  if (new URLSearchParams(location.search).get('coi') === '0') return 'disabled';
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return 'unavailable';
  try {
    await navigator.serviceWorker.register(new URL('../sw.js', import.meta.url));
    await navigator.serviceWorker.ready;
  } catch {
    return 'failed';
  }
  // One reload only: if the page is still not isolated afterwards, run single-threaded instead of looping.
  if (sessionStorage.getItem(FLAG)) return 'failed';
  sessionStorage.setItem(FLAG, '1');
  location.reload();
  return new Promise(() => {});
}
