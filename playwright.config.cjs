// Playwright with Debian's /usr/bin/chromium: no Playwright-managed browser is ever downloaded
// (`npx playwright install` cannot work here). The server is the app's own (scripts/serve.mjs) so the
// tests see the same COOP/COEP headers as users; it builds the wasm first if web/engine/ lacks it.
const { defineConfig } = require('@playwright/test');

const port = Number(process.env.PTRM_E2E_PORT || 8765);

module.exports = defineConfig({
  testDir: './tests/e2e',
  testMatch: /.*\.spec\.(js|cjs|mjs)$/,
  timeout: 120000,
  workers: 1,                 // 2-core box: wasm threads need the cores more than the tests do
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
             '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: {
    command: `node scripts/serve.mjs --port ${port}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 900000,          // first start may include the wasm build
  },
});
