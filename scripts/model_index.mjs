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

// The card's machine-readable block (a fenced ```json ptrm-card block, see assets/models/*.md): recommended
// settings, trained range, held-out accuracy. null when the card has none; a malformed block is reported as
// such in the index (cardError) so the picker can say why, never silently dropped.
export function cardSettings(markdown) {
  const m = /```json ptrm-card\n([\s\S]*?)\n```/.exec(markdown);
  if (!m) return { settings: null, error: null };
  try {
    const o = JSON.parse(m[1]);
    if (!o || typeof o !== 'object') throw new Error('not an object');
    return { settings: o, error: null };
  } catch (e) {
    return { settings: null, error: `malformed ptrm-card block: ${e.message}` };
  }
}

// The demo puzzle written by scripts/pick_demo_puzzle.mjs beside the model (<name>.demo.json), or null.
async function readJson(file) {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

function num(x) {
  const v = Number(x);
  return Number.isFinite(v) ? v : -1;
}

// Ranked best first: Sudoku (the app's showcase task), then the larger board (9x9 before 6x6: the harder
// puzzles, where PTRM has something to show), then the highest `ptrm.exact_accuracy` metadata; the default is
// the first. Unreadable files are listed as such so the picker can say why.
export async function modelIndex(dir) {
  const names = (await fsp.readdir(dir).catch(() => [])).filter((n) => n.endsWith('.safetensors')).sort();
  const models = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const meta = await readMetadata(file);
    let cfg;
    try { cfg = meta && meta['ptrm.config'] ? JSON.parse(meta['ptrm.config']) : {}; } catch { cfg = {}; }
    const card = name.replace(/\.safetensors$/, '.md');
    const cardText = await fsp.readFile(path.join(dir, card), 'utf8').catch(() => null);
    const { settings, error: cardError } = cardText ? cardSettings(cardText) : { settings: null, error: null };
    const demo = await readJson(path.join(dir, name.replace(/\.safetensors$/, '.demo.json')));
    const sha256 = crypto.createHash('sha256').update(await fsp.readFile(file)).digest('hex').slice(0, 16);
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
      sha256,
      card: cardText !== null ? card : null, // relative to index.json
      recommended: settings && settings.recommended ? settings.recommended : null,
      trained: settings && settings.trained ? settings.trained : null,
      heldOut: settings && settings.heldOut ? settings.heldOut : null,
      ...(cardError ? { cardError } : {}),
      // Only for the file it was picked for (scripts/pick_demo_puzzle.mjs records its sha256).
      demo: demo && demo.puzzle && demo.model_sha256 === sha256 ? { puzzle: demo.puzzle, settings: demo.settings || null } : null,
      ...(demo && demo.model_sha256 !== sha256
        ? { demoError: 'the demo puzzle was picked for another version of this model: rerun scripts/pick_demo_puzzle.mjs' } : {}),
      readable: meta !== null,
    });
  }
  const rank = (m) => [m.readable ? 0 : 1, m.task === 'sudoku' ? 0 : 1, -(m.board ?? 0), -(m.exactAccuracy ?? -1)];
  const ranked = [...models].sort((a, b) => {
    const ra = rank(a), rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return a.file < b.file ? -1 : 1;
  });
  return { default: ranked.length ? ranked[0].file : null, models: ranked };
}
