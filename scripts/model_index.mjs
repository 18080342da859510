// Lists the shipped models (assets/models/*.safetensors) for the web app's model picker; file names are
// relative to the index itself, so the same JSON works when web/ and assets/ are copied to a static host.
// Reads only each file's safetensors header (8-byte length + JSON), never the tensors.
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

const MAX_HEADER = 16 << 20; // a header larger than this is not a model we ship

async function readMetadata(file) {
  const fh = await fsp.open(file, 'r');
  try {
    const len = Buffer.alloc(8);
    if ((await fh.read(len, 0, 8, 0)).bytesRead !== 8) return null;
    const n = Number(len.readBigUInt64LE(0));
    if (n <= 0 || n > MAX_HEADER) return null;
    const buf = Buffer.alloc(n);
    if ((await fh.read(buf, 0, n, 8)).bytesRead !== n) return null;
    const header = JSON.parse(buf.toString('utf8'));
    return header.__metadata__ || {};
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

function num(x) {
  const v = Number(x);
  return Number.isFinite(v) ? v : -1;
}

// Default = a Sudoku model (the app's showcase task) with the highest `ptrm.exact_accuracy` metadata,
// falling back to any model; unreadable files are listed as such so the picker can say why.
export async function modelIndex(dir) {
  const names = (await fsp.readdir(dir).catch(() => [])).filter((n) => n.endsWith('.safetensors')).sort();
  const models = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const meta = await readMetadata(file);
    let cfg;
    try { cfg = meta && meta['ptrm.config'] ? JSON.parse(meta['ptrm.config']) : {}; } catch { cfg = {}; }
    const card = name.replace(/\.safetensors$/, '.md');
    models.push({
      file: name,
      name: (meta && meta['ptrm.name']) || name.replace(/\.safetensors$/, ''),
      description: (meta && meta['ptrm.description']) || '',
      task: cfg.task || null,
      board: cfg.board || null,
      exactAccuracy: meta && meta['ptrm.exact_accuracy'] !== undefined ? num(meta['ptrm.exact_accuracy']) : null,
      bytes: (await fsp.stat(file)).size,
      // Content hash: the app and <ptrm-solver> load `file?v=<sha256>`, so a new version of a model is a new URL
      // and never a stale copy from the model cache.
      sha256: crypto.createHash('sha256').update(await fsp.readFile(file)).digest('hex').slice(0, 16),
      card: (await fsp.stat(path.join(dir, card)).catch(() => null)) ? card : null, // relative to index.json
      readable: meta !== null,
    });
  }
  const rank = (m) => [m.readable ? 0 : 1, m.task === 'sudoku' ? 0 : 1, -(m.exactAccuracy ?? -1)];
  const ranked = [...models].sort((a, b) => {
    const ra = rank(a), rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return a.file < b.file ? -1 : 1;
  });
  return { default: ranked.length ? ranked[0].file : null, models: ranked };
}
