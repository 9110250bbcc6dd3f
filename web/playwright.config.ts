import { defineConfig, devices } from '@playwright/test';

// Browser tests run against the real `oneretail` binary (built to ../bin)
// serving the embedded console and the API on one origin. Set
// ONERETAIL_E2E_URL to test a server that is already running instead.
const externalURL = process.env.ONERETAIL_E2E_URL;
const baseURL = externalURL ?? 'http://127.0.0.1:18080';

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 120_000,
  // Generous: CI has 2 cores and may be busy with other suites.
  expect: { timeout: 30_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    // The console turns antd's animations off for users who ask for less motion: no
    // click lands on a dropdown still sliding in, and pages settle sooner.
    reducedMotion: 'reduce',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1440, height: 900 },
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: externalURL
    ? undefined
    : {
        command: 'sh e2e/serve.sh',
        url: 'http://127.0.0.1:18080/healthz',
        timeout: 180_000,
        reuseExistingServer: false,
        stdout: 'pipe',
        stderr: 'pipe',
        gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      },
});
