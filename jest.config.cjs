// Jest runs the Emscripten output as is (no Babel). Node must run with --no-experimental-fetch
// (package.json's test:js sets it): Emscripten 3.1.6 otherwise fetch()es the .wasm path and fails in node.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/js'],
  testMatch: ['**/*.test.js', '**/*.test.cjs', '**/*.test.mjs'],
  moduleFileExtensions: ['js', 'cjs', 'mjs', 'json'],
  transform: {},
};
