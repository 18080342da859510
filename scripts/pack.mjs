#!/usr/bin/env node
// Builds the npm package of ptrm: assembles dist/package/ from the sources and the built engine, then `npm pack`s
// it into dist/ptrm-<version>.tgz (nothing is published). The root package.json stays the private dev harness.
//
//   node scripts/pack.mjs [--no-tarball]          (npm run pack; needs scripts/build_wasm.sh to have run)
//   node scripts/pack.mjs --site DEST             the app as a static site for any host (no server headers needed):
//                                                 web/ + built engine, assets/ inside, index.json and precache.js
//
// Layout (the same relative layout as web/, so the element finds the engine and the default models):
//   engine/   ptrm.js (the API, package entry) engine.js worker.js errors.js ptrm.d.ts
//             ptrm-st.{js,wasm} (SIMD128) ptrm-mt.{js,wasm,worker.js} (SIMD128 + threads)
//   lib/      ptrm-solver.js (<ptrm-solver>) + ptrm-solver.d.ts and the modules it imports
//   assets/   models/*.safetensors + cards + index.json (the element's default model), puzzles/*.txt
//   README.md the README's "Embed" section
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelIndex } from './model_index.mjs';
import { precacheManifest, precacheScript } from './precache.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(repo, 'dist');
const out = path.join(dist, 'package');

const ENGINE_SOURCES = ['ptrm.js', 'engine.js', 'worker.js', 'errors.js', 'ptrm.d.ts'];            // wasm/
const ENGINE_BUILT = ['ptrm-st.js', 'ptrm-st.wasm', 'ptrm-mt.js', 'ptrm-mt.wasm', 'ptrm-mt.worker.js']; // web/engine/

function die(msg) {
  console.error(`pack: ${msg}`);
  process.exit(1);
}

// The relative imports of a module (static and literal dynamic ones), resolved to files.
function localImports(file) {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm)]
    .map((m) => m[1] || m[2]);
  return specs.map((s) => path.resolve(path.dirname(file), s));
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

// The README's "## Embed" section, for the package's own README.
function embedSection() {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const m = readme.match(/^## Embed\n[\s\S]*?(?=^## |(?![\s\S]))/m);
  if (!m) die('README.md has no "## Embed" section');
  return m[0].replace(/^## Embed/, '## Use it');
}

export async function assemble() {
  const rootPkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  fs.rmSync(out, { recursive: true, force: true });

  for (const f of ENGINE_SOURCES) copy(path.join(repo, 'wasm', f), path.join(out, 'engine', f));
  const missing = ENGINE_BUILT.filter((f) => !fs.existsSync(path.join(repo, 'web', 'engine', f)));
  if (missing.length) die(`engine build missing (${missing.join(', ')}): run scripts/build_wasm.sh first`);
  for (const f of ENGINE_BUILT) copy(path.join(repo, 'web', 'engine', f), path.join(out, 'engine', f));
  // node reads .js files of this "type": "module" package as ES modules; the Emscripten outputs are CommonJS, so
  // they get .cjs twins that wasm/engine.js loads under node (browsers fetch the .js files).
  for (const f of ENGINE_BUILT.filter((n) => n.endsWith('.js'))) {
    copy(path.join(repo, 'web', 'engine', f), path.join(out, 'engine', f.replace(/\.js$/, '.cjs')));
  }

  // The element and everything it imports from web/lib (it may import only web/lib and the engine).
  const libRoot = path.join(repo, 'web', 'lib');
  const todo = [path.join(libRoot, 'ptrm-solver.js')];
  const seen = new Set();
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const rel = path.relative(libRoot, file);
    if (rel.startsWith('..')) {
      const engineRel = path.relative(path.join(repo, 'web', 'engine'), file);
      if (!engineRel.startsWith('..') && fs.existsSync(path.join(out, 'engine', engineRel))) continue;
      die(`web/lib/${path.relative(libRoot, [...seen][0])} pulls in ${path.relative(repo, file)}, which is not part of the package`);
    }
    if (!fs.existsSync(file)) die(`missing import ${path.relative(repo, file)}`);
    copy(file, path.join(out, 'lib', rel));
    todo.push(...localImports(file));
  }
  copy(path.join(libRoot, 'ptrm-solver.d.ts'), path.join(out, 'lib', 'ptrm-solver.d.ts'));

  // Shipped models (the element's default) and the bundled puzzle sets.
  const models = path.join(repo, 'assets', 'models');
  for (const f of fs.readdirSync(models)) {
    if (/\.(safetensors|md)$/.test(f)) copy(path.join(models, f), path.join(out, 'assets', 'models', f));
  }
  fs.writeFileSync(path.join(out, 'assets', 'models', 'index.json'),
    JSON.stringify(await modelIndex(path.join(out, 'assets', 'models')), null, 1) + '\n');
  const puzzles = path.join(repo, 'assets', 'puzzles');
  for (const f of fs.readdirSync(puzzles)) if (f.endsWith('.txt')) copy(path.join(puzzles, f), path.join(out, 'assets', 'puzzles', f));

  const pkg = {
    name: 'ptrm',
    version: rootPkg.version,
    description: rootPkg.description,
    type: 'module',
    main: './engine/ptrm.js',
    module: './engine/ptrm.js',
    types: './engine/ptrm.d.ts',
    exports: {
      '.': { types: './engine/ptrm.d.ts', default: './engine/ptrm.js' },
      './element': { types: './lib/ptrm-solver.d.ts', default: './lib/ptrm-solver.js' },
      './engine/*': './engine/*',
      './lib/*': './lib/*',
      './assets/*': './assets/*',
      './package.json': './package.json',
    },
    // Importing the element registers <ptrm-solver>.
    sideEffects: ['./lib/ptrm-solver.js'],
    files: ['engine/', 'lib/', 'assets/', 'README.md'],
    engines: { node: '>=18' },
    keywords: ['trm', 'ptrm', 'webassembly', 'wasm', 'sudoku', 'maze', 'arc', 'recursive-reasoning'],
  };
  if (rootPkg.license) pkg.license = rootPkg.license;
  fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'README.md'), `# ptrm ${pkg.version}\n\n${rootPkg.description}.\n\n${embedSection()}`);
  return { dir: out, pkg };
}

// The app as a self-contained static folder: what `npm start` serves, with the generated files written out.
export async function site(dest) {
  if (!fs.existsSync(path.join(repo, 'web', 'engine', 'ptrm-mt.wasm'))) die('engine build missing: run scripts/build_wasm.sh first');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(path.join(repo, 'web'), dest, { recursive: true });
  for (const sub of ['models', 'puzzles']) {
    fs.cpSync(path.join(repo, 'assets', sub), path.join(dest, 'assets', sub), { recursive: true, filter: (f) => !f.endsWith('.eval.json') });
  }
  const models = path.join(dest, 'assets', 'models');
  fs.writeFileSync(path.join(models, 'index.json'), JSON.stringify(await modelIndex(models), null, 1) + '\n');
  fs.writeFileSync(path.join(dest, 'precache.js'), precacheScript(await precacheManifest(dest, path.join(dest, 'assets'))));
}

// dist/package → dist/ptrm-<version>.tgz; returns the tarball's path.
export function tarball() {
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dist], { cwd: out, encoding: 'utf8' }).trim().split('\n').pop();
  return path.join(dist, name);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--site');
  if (at > 0) {
    if (!process.argv[at + 1]) die('--site needs a destination folder');
    const dest = path.resolve(process.argv[at + 1]);
    await site(dest);
    console.log(`pack: static site in ${dest}`);
    process.exit(0);
  }
  const { pkg } = await assemble();
  console.log(`pack: assembled ${path.relative(repo, out)}/ (${pkg.name}@${pkg.version})`);
  if (!process.argv.includes('--no-tarball')) console.log(`pack: ${path.relative(repo, tarball())}`);
}
