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

/** MENU_PAGES are every page of the console's menu. */
export const MENU_PAGES = [
  '/overview',
  '/org/stores',
  '/org/brands-regions',
  '/catalog/categories',
  '/catalog/products',
  '/catalog/price-zones',
  '/customers',
  '/customers/reviews',
  '/customers/access-log',
  '/customers/touchpoints',
  '/customers/touchpoints?view=maturity',
  '/customers/event-schema',
  '/membership',
  '/coupons',
  '/membership/gift-cards',
  '/membership/reports',
  '/audiences/tags',
  '/audiences/builder',
  '/audiences/segments',
  '/promotions',
  '/promotions/playground',
  '/promotions/simulations',
  '/orders',
  '/orders/inbox',
  '/orders/pick-list',
  '/inventory',
  '/settings/users',
  '/settings/api-keys',
  '/settings/audit-log',
  '/settings/domain-events',
];

/** firstID returns the id of the first item the list endpoint answers. */
async function firstID(page: Page, url: string): Promise<string> {
  const res = await page.request.get(url);
  expect(res.status(), `${url}: ${await res.text()}`).toBe(200);
  const { items } = (await res.json()) as { items: { id: string }[] };
  expect(items.length, `${url}: the demo holds none`).toBeGreaterThan(0);
  return items[0].id;
}

/** detailPages are a customer's 360 view and a segment's detail page of the demo. */
export async function detailPages(page: Page): Promise<string[]> {
  const customer = await firstID(page, '/api/v1/customers/list?limit=1');
  const segment = await firstID(page, '/api/v1/audience-segments?limit=1');
  return [`/customers/${customer}`, `/audiences/segments/${segment}`];
}
