// ESLint (flat config) for the JavaScript of ptrm: the engine's JS API (wasm/), the app and the element (web/),
// the scripts and the JS tests. `npx eslint .` (scripts/lint.sh, the lint stage of scripts/test.sh).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['web/engine/**', 'build*/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      eqeqeq: ['error', 'always'],
      'no-shadow-restricted-names': 'error',
    },
  },
  // The engine API runs in pages, workers and node.
  { files: ['wasm/**/*.js'], languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } } },
  { files: ['wasm/pool.pre.js'], languageOptions: { sourceType: 'script', globals: { Module: 'writable' } } },
  { files: ['web/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['web/sw.js'], languageOptions: { sourceType: 'script', globals: globals.serviceworker } },
  { files: ['scripts/**/*.mjs', '**/*.cjs'], languageOptions: { globals: globals.node } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  { files: ['tests/js/**/*.js'], languageOptions: { globals: { ...globals.node, ...globals.jest } } },
  {
    files: ['tests/e2e/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node, ...globals.browser } },
  },
];
