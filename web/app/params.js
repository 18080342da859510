// Shareable links: `?task=sudoku&puzzle=…&k=4&sigma=0.3&seed=1&steps=16&noise=z&exit=none&select=bestQ&model=<url>
// &autosolve=1`. Values are passed through as typed, never clamped: the engine's BadOptionsError explains a bad
// value better than a silent fix would. What the link itself gets wrong (an unknown task) is reported by name in
// `problems`; the page never quietly swaps in something else.

// Used only when neither the link nor the model's card gives a value. `exit` is a word of lib/exits.js (EXITS).
export const DEFAULTS = { k: 16, sigma: 0.3, steps: 16, seed: 1, noise: 'z', exit: 'none', select: 'bestQ' };
export const TASKS = ['sudoku', 'maze', 'arc'];
export const SETTINGS = ['k', 'sigma', 'steps', 'seed', 'noise', 'exit', 'select'];

export function readParams(search) {
  const q = new URLSearchParams(search);
  const out = {
    task: q.get('task'),
    puzzle: q.get('puzzle'),
    model: q.get('model'),
    autosolve: q.get('autosolve') === '1',
    problems: [],
  };
  if (out.task !== null && !TASKS.includes(out.task)) {
    out.problems.push(`The link asks for task '${out.task}', which this page does not know (it knows ${TASKS.join(', ')}).`);
    out.task = null;
    out.autosolve = false;
  }
  for (const key of SETTINGS) {
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
  for (const key of SETTINGS) q.set(key, String(s[key]));
  q.set('autosolve', '1');
  const u = new URL(base);
  u.search = q.toString();
  u.hash = '';
  return u.toString();
}
