// The app's pure modules, run in the browser exactly as shipped.
const { test, expect } = require('./fixtures');

test('PCA recovers a planted 2-D structure and keeps axis signs stable', async ({ page }) => {
  await page.goto('/styles.css'); // any same-origin document will do: nothing else should boot
  const r = await page.evaluate(async () => {
    const { pca2, project } = await import('/app/pca.js');
    let s = 7;
    const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
    const d = 32, a = Array.from({ length: d }, rnd), b = Array.from({ length: d }, rnd);
    const norm = (v) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
    const u = norm(a);
    const bo = b.map((x, i) => x - u.reduce((acc, ui, j) => acc + ui * b[j], 0) * u[i]);
    const v = norm(bo);
    const pts = Array.from({ length: 400 }, () => { const p = rnd() * 10, q = rnd() * 4; return u.map((ui, i) => p * ui + q * v[i] + rnd() * 0.01 + 3); });
    const first = pca2(pts);
    const dot = (x, y) => x.reduce((acc, xi, i) => acc + xi * y[i], 0);
    const again = pca2(pts.slice(0, 399), first.axes);
    return {
      align1: Math.abs(dot(first.axes[0], u)), align2: Math.abs(dot(first.axes[1], v)),
      orth: Math.abs(dot(first.axes[0], first.axes[1])), explained: first.explained,
      ratio: first.variance[0] / first.variance[1],
      stable: dot(first.axes[0], again.axes[0]) > 0.99 && dot(first.axes[1], again.axes[1]) > 0.99,
      centred: Math.abs(pts.reduce((acc, x) => acc + project(first, x)[0], 0)) < 1e-6,
      tooFew: pca2([pts[0]]),
    };
  });
  expect(r.align1).toBeGreaterThan(0.999);
  expect(r.align2).toBeGreaterThan(0.999);
  expect(r.orth).toBeLessThan(1e-9);
  expect(r.explained).toBeGreaterThan(0.99);
  expect(r.ratio).toBeGreaterThan(4);
  expect(r.stable).toBe(true);
  expect(r.centred).toBe(true);
  expect(r.tooFew).toBeNull();
});

test('conflict marking finds repeated digits, changed givens and broken maze paths', async ({ page }) => {
  await page.goto('/styles.css'); // any same-origin document will do: nothing else should boot
  const r = await page.evaluate(async () => {
    const { conflicts, parseCells } = await import('/lib/tasks.js');
    const sol = '123456456123231564564231312645645312';
    const good = [...sol];
    const bad = [...sol]; bad[0] = '2';
    const puzzle = [...('1' + '.'.repeat(35))];
    const maze = parseCells('maze', 5, '#####\n#S  #\n#   #\n#  G#\n#####');
    const path = parseCells('maze', 5, '#####\n#Soo#\n#  o#\n#  G#\n#####');
    const onWall = parseCells('maze', 5, '####o\n#Soo#\n#  o#\n#  G#\n#####');
    const dead = parseCells('maze', 5, '#####\n#So #\n#   #\n#  G#\n#####');
    return {
      good: conflicts('sudoku', 6, good, puzzle).size,
      bad: [...conflicts('sudoku', 6, bad, puzzle)].sort((x, y) => x - y),
      maze: conflicts('maze', 5, path, maze).size,
      wall: conflicts('maze', 5, onWall, maze).has(4),
      dead: [...conflicts('maze', 5, dead, maze)],
      reject: parseCells('sudoku', 6, '7'.repeat(36)),
    };
  });
  expect(r.good).toBe(0);
  expect(r.bad).toContain(0);
  expect(r.bad).toContain(1);
  expect(r.maze).toBe(0);
  expect(r.wall).toBe(true);
  expect(r.dead).toEqual([7]);
  expect(r.reject).toBeNull();
});
