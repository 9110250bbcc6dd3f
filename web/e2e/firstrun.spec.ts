import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The first run of an installation without a tenant (issue 16): this spec starts its
// own server on an empty database, beside the demo server of the other specs.
const BIN = process.env.ONERETAIL_BIN ?? '../bin/oneretail';
const PORT = 18091;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = 'e2e-first-run-token';

let server: ChildProcess | undefined;
let dir = '';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

test.beforeAll(async () => {
  test.skip(!executable(BIN), `${BIN} is missing; run 'make build' first`);
  dir = mkdtempSync(join(tmpdir(), 'oneretail-firstrun-'));
  server = spawn(BIN, ['serve', '--addr', `127.0.0.1:${PORT}`, '--db', join(dir, 'empty.db'), '--setup-token', TOKEN, '--log-level', 'warn'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the first-run server did not start');
});

test.afterAll(() => {
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an empty installation opens the first-run page; the printed link creates the group and signs its admin in', async ({ page }) => {
  // Without a tenant the login page sends you to the first-run page.
  await page.goto(`${BASE}/login`);
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByTestId('setup-intro')).toContainText('尚未创建集团');

  // A wrong token is refused on the token field.
  await page.getByTestId('setup-token').fill('not-the-token');
  await page.getByTestId('setup-group').fill('华联集团');
  await page.getByTestId('setup-login').fill('wang');
  await page.getByTestId('setup-password').fill('correct horse battery');
  await page.getByTestId('setup-confirm').fill('correct horse battery');
  await page.getByTestId('setup-submit').click();
  await expect(page.getByText(/初始化令牌错误或已被使用/)).toBeVisible();

  // The link serve printed fills the token in.
  await page.goto(`${BASE}/setup?token=${TOKEN}`);
  await page.getByTestId('setup-group').fill('华联集团');
  await page.getByTestId('setup-login').fill('wang');
  await page.getByTestId('setup-password').fill('correct horse battery');
  await page.getByTestId('setup-confirm').fill('correct horse battery');
  await page.getByTestId('setup-submit').click();
  await expect(page).toHaveURL(/\/org\/brands-regions$/);
  await expect(page.getByTestId('current-user')).toHaveText('wang');
  await expect(page.getByTestId('current-role')).toHaveText('总部管理员');

  // The page is closed from now on.
  await page.goto(`${BASE}/setup?token=${TOKEN}`);
  await expect(page).not.toHaveURL(/\/setup/);
  const again = await page.request.post(`${BASE}/api/v1/setup`, {
    data: { token: TOKEN, tenant_name: 'Other', admin_login: 'li', admin_password: 'correct horse battery' },
  });
  expect(again.status()).toBe(403);
});
