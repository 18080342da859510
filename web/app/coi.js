// Registers the app's service worker (../sw.js: offline cache of the shell and engine, and cross-origin isolation
// where the server sends no COOP/COEP), and makes the page crossOriginIsolated when the server did not: reloads
// once so the worker can add the headers. Resolves to how the page stands: 'isolated', 'disabled' (?coi=0, the
// deliberate single-thread mode), 'unavailable' (no service workers here) or 'failed'.
const FLAG = 'ptrm-coi-reloaded';

export async function ensureIsolation() {
  const disabled = new URLSearchParams(location.search).get('coi') === '0';
  const canRegister = 'serviceWorker' in navigator && window.isSecureContext;
  const registered = canRegister
    ? navigator.serviceWorker.register(new URL('../sw.js', import.meta.url)).then(() => true, () => false)
    : Promise.resolve(false);
  if (self.crossOriginIsolated) {
    sessionStorage.removeItem(FLAG);
    return 'isolated';  // the worker installs in the background: offline from the next visit on
  }
  if (disabled) return 'disabled';
  if (!canRegister) return 'unavailable';
  if (!(await registered)) return 'failed';
  await navigator.serviceWorker.ready;
  // One reload only: if the page is still not isolated afterwards, run single-threaded instead of looping.
  if (sessionStorage.getItem(FLAG)) return 'failed';
  sessionStorage.setItem(FLAG, '1');
  location.reload();
  return new Promise(() => {});
}
