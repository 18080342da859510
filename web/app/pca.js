// 2-D PCA of the latent summaries (32 floats per trajectory step) for the live projection view.
// Exact eigen-decomposition of the d×d covariance by cyclic Jacobi rotations: d is small (32), so this costs
// well under a millisecond and, unlike power iteration, does not stall when the top eigenvalues are close.

function jacobiEigen(a, d) {
  // a: row-major symmetric d×d (overwritten). Returns {values, vectors (column j = eigenvector j)}.
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off < 1e-22) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) { // rotate columns p, q
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) { // rotate rows p, q
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors: v };
}

// points: array of equal-length numeric arrays. prev: the basis of the previous call, used to keep each
// axis's sign stable so the picture does not mirror itself between frames as points stream in.
// Returns {mean, axes: [Float64Array, Float64Array], variance: [λ1, λ2], explained} or null for < 2 points.
export function pca2(points, prev = null) {
  if (!points.length) return null;
  const d = points[0].length, n = points.length;
  if (n < 2 || d < 2) return null;
  const mean = new Float64Array(d);
  for (const x of points) for (let j = 0; j < d; j++) mean[j] += x[j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (const x of points) {
    for (let j = 0; j < d; j++) c[j] = x[j] - mean[j];
    for (let i = 0; i < d; i++) {
      const ci = c[i];
      for (let j = i; j < d; j++) cov[i * d + j] += ci * c[j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) {
    cov[i * d + j] /= n - 1;
    cov[j * d + i] = cov[i * d + j];
  }
  let total = 0;
  for (let i = 0; i < d; i++) total += cov[i * d + i];
  const { values, vectors } = jacobiEigen(cov, d);
  const order = [...values.keys()].sort((i, j) => values[j] - values[i]);
  const axes = order.slice(0, 2).map((col, k) => {
    const axis = new Float64Array(d);
    for (let i = 0; i < d; i++) axis[i] = vectors[i * d + col];
    let dot = 0;
    if (prev) for (let i = 0; i < d; i++) dot += axis[i] * prev[k][i];
    else for (let i = 0; i < d; i++) dot += axis[i]; // first frame: any fixed convention
    if (dot < 0) for (let i = 0; i < d; i++) axis[i] = -axis[i];
    return axis;
  });
  const variance = order.slice(0, 2).map((i) => Math.max(0, values[i]));
  return { mean, axes, variance, explained: total > 0 ? (variance[0] + variance[1]) / total : 0 };
}

export function project(p, x) {
  let u = 0, v = 0;
  for (let i = 0; i < p.mean.length; i++) {
    const c = x[i] - p.mean[i];
    u += c * p.axes[0][i];
    v += c * p.axes[1][i];
  }
  return [u, v];
}
