import { expect, type Page } from '@playwright/test';

/**
 * ADMIN is the demo administrator that e2e/serve.sh creates; against a server
 * already running (ONERETAIL_E2E_URL), ONERETAIL_E2E_PASSWORD is its password.
 */
export const ADMIN = { login: 'admin', password: process.env.ONERETAIL_E2E_PASSWORD ?? 'e2e-admin-pass' };

/** loginViaApi signs in through the API; the session cookie lands in the page's context. */
export async function loginViaApi(page: Page): Promise<void> {
  const res = await page.request.post('/api/v1/auth/login', { data: ADMIN });
  expect(res.status(), await res.text()).toBe(200);
}

/** loginViaForm signs in through the login page. */
export async function loginViaForm(page: Page, password = ADMIN.password): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-input').fill(ADMIN.login);
  await page.getByTestId('password-input').fill(password);
  await page.getByTestId('login-submit').click();
}

/** tableRows finds the data rows of the antd table with the given test id. */
export function tableRows(page: Page, testId: string) {
  return page.getByTestId(testId).locator('tbody tr.ant-table-row');
}
