// Shareable links: `?task=sudoku&puzzle=…&k=4&sigma=0.3&seed=1&steps=16&noise=z&exit=none&model=<url>&autosolve=1`.
// Values are passed through as typed, never clamped: the engine's BadOptionsError explains a bad value better
// than a silent fix would.

export const DEFAULTS = { k: 8, sigma: 0.3, steps: 16, seed: 1, noise: 'z', exit: 'none' };
export const EXITS = ['none', 'haltOnQ', 'trajectory', 'solve'];

export function readParams(search) {
  const q = new URLSearchParams(search);
  const out = {
    task: q.get('task'),
    puzzle: q.get('puzzle'),
    model: q.get('model'),
    autosolve: q.get('autosolve') === '1',
  };
  for (const key of ['k', 'sigma', 'steps', 'seed', 'noise', 'exit']) {
    const v = q.get(key);
    if (v !== null && v !== '') out[key] = v;
  }
  return out;
}

export function shareUrl(base, s) {
  const q = new URLSearchParams();
  q.set('task', s.task);
  if (s.model) q.set('model', s.model);
  q.set('puzzle', s.puzzle);
  for (const key of ['k', 'sigma', 'steps', 'seed', 'noise', 'exit']) q.set(key, String(s[key]));
  q.set('autosolve', '1');
  const u = new URL(base);
  u.search = q.toString();
  u.hash = '';
  return u.toString();
}
