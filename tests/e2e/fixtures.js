// Shared Playwright fixtures and helpers for the app's browser tests.
// Every test gets an automatic offline guard: any request to a host other than this machine is aborted and
// fails the test (the app promises to work offline: no CDN, no fonts, no telemetry, nothing at run time).
const base = require('@playwright/test');

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLocal(url) {
  const u = new URL(url);
  return u.protocol === 'data:' || u.protocol === 'blob:' || LOCAL_HOSTS.has(u.hostname);
}

const test = base.test.extend({
  outsideRequests: [async ({ context }, use) => {
    const outside = [];
    context.on('request', (r) => { if (!isLocal(r.url())) outside.push(r.url()); });
    await context.route((url) => !isLocal(url.href), (route) => {
      outside.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    await use(outside);
    base.expect([...new Set(outside)], 'requests that left localhost').toEqual([]);
  }, { auto: true }],
});

function link(params) {
  return '/?' + new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
}

async function waitState(page, states, timeout = 90000) {
  const want = Array.isArray(states) ? states : [states];
  await page.waitForFunction((w) => w.includes(document.documentElement.dataset.state), want, { timeout });
  return page.evaluate(() => document.documentElement.dataset.state);
}

// Records every change of a trajectory card's data-step together with the page state at that moment, so a
// test can prove the boards updated *during* the solve rather than all at the end.
async function recordStepUpdates(page) {
  await page.addInitScript(() => {
    window.__stepLog = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target;
        if (el.dataset && el.dataset.testid === 'traj') {
          window.__stepLog.push({ traj: Number(el.dataset.traj), step: Number(el.dataset.step), state: document.documentElement.dataset.state, t: performance.now() });
        }
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-step'] });
  });
}

// Records every text the #status line shows (the aria-live region), in order, as window.__statusLog.
async function recordStatus(page) {
  await page.addInitScript(() => {
    window.__statusLog = [];
    document.addEventListener('DOMContentLoaded', () => {
      const st = document.getElementById('status');
      new MutationObserver(() => window.__statusLog.push(st.textContent)).observe(st, { childList: true, characterData: true, subtree: true });
    });
  });
}

// The default model's index entry and its demo puzzle (scripts/pick_demo_puzzle.mjs), from the served index.
async function defaultDemo(page) {
  const index = await (await page.request.get('/assets/models/index.json')).json();
  const model = index.models.find((m) => m.file === index.default);
  if (!model || !model.demo) {
    throw new Error(`default model ${index.default} has no demo puzzle: ${(model && model.demoError) || 'run scripts/pick_demo_puzzle.mjs'}`);
  }
  return { index, model, demo: model.demo };
}

// WCAG 2.x contrast ratio of the text of the first element matching each selector against the background it is
// drawn on (its own or the nearest ancestor's opaque-enough background; translucent layers are composited over
// the layers below, down to the page). `sel::after` measures that pseudo-element's text on the element.
async function contrastOf(page, selectors) {
  return page.evaluate((sels) => {
    const parse = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const over = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
    });
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
      }
      return layers.reverse().reduce((acc, c) => over(c, acc), { r: 255, g: 255, b: 255, a: 1 });
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const out = {};
    for (const sel of sels) {
      const [base, pseudo] = sel.split('::');
      const el = document.querySelector(base);
      if (!el) throw new Error(`contrast: nothing matches ${base}`);
      const bg = background(el);
      const fg = over(parse(getComputedStyle(el, pseudo ? `::${pseudo}` : null).color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      out[sel] = (a + 0.05) / (b + 0.05);
    }
    return out;
  }, selectors);
}

// Independent Sudoku check (not the engine's): every row, column and box holds 1..N once, givens kept.
function sudokuSolves(puzzle, answer) {
  const p = puzzle.replace(/\s+/g, ''), a = answer.replace(/\s+/g, '');
  const n = Math.round(Math.sqrt(p.length));
  const [br, bc] = n === 9 ? [3, 3] : [2, 3];
  if (a.length !== n * n || !/^[1-9]+$/.test(a)) return false;
  for (let i = 0; i < n * n; i++) if (p[i] !== '.' && p[i] !== '0' && p[i] !== a[i]) return false;
  const groups = [];
  for (let i = 0; i < n; i++) {
    groups.push([...Array(n).keys()].map((j) => i * n + j), [...Array(n).keys()].map((j) => j * n + i));
  }
  for (let r0 = 0; r0 < n; r0 += br) for (let c0 = 0; c0 < n; c0 += bc) {
    const g = [];
    for (let r = r0; r < r0 + br; r++) for (let c = c0; c < c0 + bc; c++) g.push(r * n + c);
    groups.push(g);
  }
  return groups.every((g) => new Set(g.map((i) => a[i])).size === n && g.every((i) => Number(a[i]) <= n));
}

// Independent maze check: walls, S and G kept, and the 'o' cells plus S and G form a shortest S-G path
// (as many 'o' cells as a BFS over the open cells says, and connected from S to G through path cells only).
function mazeSolves(puzzleText, answerText) {
  const puzzle = puzzleText.replace(/[\r\n]+/g, ''), answer = answerText.replace(/[\r\n]+/g, '');
  const n = Math.round(Math.sqrt(puzzle.length));
  if (answer.length !== puzzle.length) return false;
  for (let i = 0; i < puzzle.length; i++) {
    if (answer[i] === 'o' ? puzzle[i] !== ' ' : answer[i] !== puzzle[i]) return false;
  }
  const dist = (open) => {
    const d = new Array(n * n).fill(-1), s = puzzle.indexOf('S'), queue = [s];
    d[s] = 0;
    for (let h = 0; h < queue.length; h++) {
      const c = queue[h], r = Math.floor(c / n), col = c % n;
      for (const [rr, cc] of [[r - 1, col], [r + 1, col], [r, col - 1], [r, col + 1]]) {
        const nb = rr * n + cc;
        if (rr >= 0 && rr < n && cc >= 0 && cc < n && d[nb] < 0 && open(nb)) { d[nb] = d[c] + 1; queue.push(nb); }
      }
    }
    return d[puzzle.indexOf('G')];
  };
  const shortest = dist((i) => puzzle[i] !== '#');
  const onPath = dist((i) => 'oSG'.includes(answer[i]));
  const cells = [...answer].filter((ch) => ch === 'o').length;
  return shortest > 0 && onPath === shortest && cells === shortest - 1;
}

module.exports = {
  test, expect: base.expect, link, waitState, recordStepUpdates, recordStatus, defaultDemo, contrastOf, sudokuSolves, mazeSolves,
};
