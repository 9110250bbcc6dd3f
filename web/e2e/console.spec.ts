import { expect, test } from '@playwright/test';
import { loginViaApi, loginViaForm, tableRows } from './helpers';

test.describe('login', () => {
  test('a wrong password shows an error', async ({ page }) => {
    await loginViaForm(page, 'not-the-password');
    await expect(page.getByTestId('login-error')).toBeVisible();
    await expect(page.getByTestId('login-error')).toContainText('登录名或密码错误');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('the right password opens the console', async ({ page }) => {
    await loginViaForm(page);
    await expect(page).toHaveURL(/\/overview$/);
    await expect(page.getByTestId('current-user')).not.toBeEmpty();
    await expect(page.getByTestId('current-role')).toHaveText('总部管理员');
    await expect(page.getByRole('menuitem', { name: '门店' })).toBeVisible();
    await expect(page.getByTestId('stat-stores')).toContainText(/\d/);
  });

  test('pages need a session', async ({ page }) => {
    await page.goto('/org/stores');
    await expect(page).toHaveURL(/\/login$/);
  });
});

test.describe('signed in', () => {
  test.beforeEach(async ({ page }) => {
    await loginViaApi(page);
  });

  test('stores page shows a table and charts', async ({ page }) => {
    await page.goto('/org/stores');
    await expect(tableRows(page, 'stores-table').first()).toBeVisible();
    expect(await tableRows(page, 'stores-table').count()).toBeGreaterThan(0);
    for (const id of ['chart-stores-format', 'chart-stores-city', 'chart-stores-map']) {
      await expect(page.getByTestId(id).locator('svg').first()).toBeVisible();
    }
    // The location chart has one point (an SVG path) per store at least.
    await expect(page.getByTestId('chart-stores-map').locator('svg path').first()).toBeAttached();

    await page.getByTestId('store-link').first().click();
    await expect(page.getByTestId('store-details')).toBeVisible();
  });

  test('the language switch shows English menu labels and is remembered', async ({ page }) => {
    await page.goto('/overview');
    await expect(page.getByRole('menuitem', { name: '门店' })).toBeVisible();
    await page.getByTestId('lang-switch').click();
    await expect(page.getByRole('menuitem', { name: 'Stores' })).toBeVisible();
    await expect(page.getByRole('menuitem', { name: 'Overview' })).toBeVisible();
    await expect(page.getByText('Catalogue', { exact: true })).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('oneretail.lang'))).toBe('en');
    await page.reload();
    await expect(page.getByRole('menuitem', { name: 'Stores' })).toBeVisible();
  });

  test('categories tree shows 生鲜 and product search finds rows', async ({ page }) => {
    await page.goto('/catalog/categories');
    const fresh = page.getByTestId('category-tree').getByText('生鲜', { exact: true });
    await expect(fresh).toBeVisible();
    await fresh.click();
    await expect(page.getByText('“生鲜”下的商品')).toBeVisible();

    await page.goto('/catalog/products');
    const first = page.getByTestId('product-link').first();
    await expect(first).toBeVisible();
    const name = (await first.textContent())!.trim();
    const search = page.getByPlaceholder('按名称、编码或条码搜索');
    await search.fill(name);
    const searched = page.waitForResponse((r) => r.url().includes('/api/v1/products?') && new URL(r.url()).searchParams.get('q') === name);
    await search.press('Enter');
    expect((await searched).status()).toBe(200);
    await expect(tableRows(page, 'products-table').first()).toBeVisible();
    await expect(page.getByTestId('product-link').filter({ hasText: name }).first()).toBeVisible();
  });

  test('SKU detail shows a price in yuan', async ({ page }) => {
    await page.goto('/catalog/products');
    await page.getByTestId('product-link').first().click();
    await expect(page).toHaveURL(/\/catalog\/products\/[^/]+$/);
    await page.getByTestId('sku-link').first().click();
    await expect(page).toHaveURL(/\/catalog\/skus\/[^/]+$/);
    await expect(page.getByTestId('sku-list-price')).toHaveText(/^¥\d[\d,]*\.\d{2}$/);
    await expect(page.getByTestId('sku-margin')).toBeVisible();
  });

  test('a new API key shows its secret once', async ({ page }) => {
    const name = `e2e-${Date.now()}`;
    await page.goto('/settings/api-keys');
    await page.getByTestId('api-key-create').click();
    await page.getByTestId('api-key-name').fill(name);
    await page.getByRole('checkbox', { name: 'catalog:read' }).check();
    await page.getByTestId('api-key-submit').click();

    const secretBox = page.getByTestId('api-key-secret');
    await expect(secretBox).toHaveText(/^or_live_\S+$/);
    const secret = (await secretBox.textContent())!.trim();
    await expect(page.getByText(/唯一一次显示/)).toBeVisible();

    // The modal may still be animating in when the first click lands (seen once in
    // CI on a loaded machine): click until it is gone.
    await expect(async () => {
      await page.getByTestId('api-key-secret-close').click({ timeout: 2_000 });
      await expect(secretBox).toHaveCount(0, { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await expect(tableRows(page, 'api-keys-table').filter({ hasText: name })).toHaveCount(1);
    await expect(page.getByText(secret)).toHaveCount(0);
    await page.reload();
    await expect(tableRows(page, 'api-keys-table').filter({ hasText: name })).toHaveCount(1);
    expect(await page.content()).not.toContain(secret);
  });

  test('a new touchpoint appears in the touchpoints table', async ({ page }) => {
    // Unique per attempt, so a retry against the same database does not meet a 409.
    const code = `POS-E2E-${Date.now().toString(36).toUpperCase()}`;
    await page.goto('/overview');
    // The touchpoints page sits under 顾客 in the menu.
    await page.getByRole('menuitem', { name: '触点' }).click();
    await expect(page).toHaveURL(/\/customers\/touchpoints$/);
    await expect(page.locator('.ant-layout-content h4').first()).toHaveText('触点');
    await expect(page.getByTestId('chart-touchpoints-channel').locator('svg').first()).toBeVisible();

    await page.getByTestId('touchpoint-create').click();
    await page.getByTestId('touchpoint-code').fill(code);
    await page.getByTestId('touchpoint-name').fill('E2E 收银台');
    // Type (线下), channel (POS 收银) and status (启用) keep their defaults.
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/touchpoints');
    await page.getByTestId('touchpoint-submit').click();
    const res = await created;
    expect(res.status(), await res.text()).toBe(201);

    // The demo has more touchpoints than a page holds: find the new one by its code.
    await page.getByTestId('touchpoint-search').locator('input').fill(code);
    await page.getByTestId('touchpoint-search').locator('input').press('Enter');
    const row = tableRows(page, 'touchpoints-table').filter({ hasText: code });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('E2E 收银台');
    await expect(row).toContainText('从未上报');
  });

  test('logout returns to the login page', async ({ page }) => {
    await page.goto('/overview');
    await page.getByTestId('logout').click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto('/overview');
    await expect(page).toHaveURL(/\/login$/);
  });
});

test.describe('promotions', () => {
  test.beforeEach(async ({ page }) => {
    await loginViaApi(page);
  });

  /** numberInput finds the <input> of an InputNumber whose test id sits on it or on its wrapper. */
  function numberInput(page: import('@playwright/test').Page, testId: string) {
    return page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();
  }

  test('a 满减 created in the editor and activated from the list takes its discount in the playground', async ({ page }) => {
    // A long flow over four pages: more time on a busy machine.
    test.slow();
    // Unique per attempt; the stacking group keeps a retry's twin from doubling the discount.
    const code = `MJ-E2E-${Date.now().toString(36).toUpperCase()}`;
    const name = `满100减10 ${code}`;
    await page.goto('/overview');
    await page.getByRole('menuitem', { name: '活动与日历' }).click();
    await expect(page).toHaveURL(/\/promotions$/);
    await expect(page.locator('.ant-layout-content h4').first()).toHaveText('促销活动');

    await page.getByTestId('promotion-create').click();
    await expect(page).toHaveURL(/\/promotions\/new$/);
    await page.getByTestId('promotion-code').fill(code);
    await page.getByTestId('promotion-name').fill(name);
    // 满减 is the default kind with one tier (满100减10); add 满200减30.
    await page.getByTestId('tier-add').click();
    await numberInput(page, 'tier-1-spend').fill('200');
    await numberInput(page, 'tier-1-off').fill('30');
    await page.locator('#definition_group').fill('e2e-order');
    await expect(page.getByTestId('editor-summary')).toContainText('满100减10 · 满200减30');

    const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/promotions');
    await page.getByTestId('editor-save').click();
    const res = await created;
    expect(res.status(), await res.text()).toBe(201);
    const body = await res.json();
    expect(body.definition.threshold.tiers).toEqual([
      { spend: 10000, off: 1000 },
      { spend: 20000, off: 3000 },
    ]);
    await expect(page).toHaveURL(new RegExp(`/promotions/${body.id}$`));

    // Activate from the list.
    await page.getByRole('menuitem', { name: '活动与日历' }).click();
    const row = tableRows(page, 'promotions-table').filter({ hasText: code });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('草稿');
    await expect(row).toContainText('满100减10 · 满200减30');
    await row.getByTestId('promotion-activate').click();
    await expect(row).toContainText('进行中');

    // Price a ¥120 cart: ¥10 off, and a hint to add ¥80 for ¥20 more.
    await page.getByRole('menuitem', { name: '算价试算' }).click();
    await expect(page).toHaveURL(/\/promotions\/playground$/);
    // A SKU outside the demo's running promotions (生鲜, 乳品): household goods (日用百货, 19),
    // found by its code so no other promotion changes the cart's figures.
    const categories = (await (await page.request.get('/api/v1/categories')).json()) as { items: { id: string; code: string }[] };
    const household = categories.items.find((c) => c.code === '19');
    expect(household, 'the demo category 19').toBeTruthy();
    const skus = await page.request.get(`/api/v1/skus?category_id=${household!.id}&status=active&limit=1`);
    const skuCode = ((await skus.json()) as { items: { code: string }[] }).items[0].code;
    await page.getByTestId('cart-add-sku').click();
    await page.keyboard.type(skuCode);
    const option = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: skuCode }).first();
    await expect(option).toBeVisible();
    await option.click();
    const line = page.getByTestId('cart-lines').locator('tbody tr.ant-table-row').first();
    await expect(line).toBeVisible();
    const weighed = (await line.textContent())?.includes('克');
    await numberInput(page, 'cart-qty-L1').fill(weighed ? '1000' : '1');
    await numberInput(page, 'cart-price-L1').fill('120');
    await numberInput(page, 'cart-price-L1').blur();

    const priced = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/carts/price');
    await page.getByTestId('pg-price').click();
    expect((await priced).status()).toBe(200);
    await expect(page.getByTestId('cart-discount')).toContainText('-¥10.00');
    await expect(page.getByTestId('cart-payable')).toContainText('¥110.00');
    // On a retry against the same database an earlier twin of the same group may be the one applied.
    const twin = /满100减10 MJ-E2E-/;
    await expect(page.getByTestId('applied-list')).toContainText(twin);
    await expect(page.getByTestId('applied-list')).toContainText('满100减10 · 满200减30');
    await expect(page.getByTestId('priced-lines')).toContainText(/满100减10 MJ-E2E-\S+ -¥10\.00/);
    const hint = page.getByTestId('cart-hint').filter({ hasText: twin }).first();
    await expect(hint).toContainText('再买 ¥80.00');
    await expect(hint).toContainText('可再省 ¥20.00');

    // A return of the only line claws nothing back by default and refunds the net.
    const pick = page.getByTestId('priced-lines').locator('tbody tr.ant-table-row').first().getByRole('checkbox');
    await pick.check({ force: true });
    await expect(pick).toBeChecked();
    await page.getByTestId('pg-return').click();
    await expect(page.getByTestId('pg-refund')).toContainText('¥110.00');
  });

  test('the calendar shows the windows of an active promotion this month', async ({ page }) => {
    const code = `CAL-E2E-${Date.now().toString(36).toUpperCase()}`;
    const start = new Date();
    start.setDate(1);
    start.setHours(0, 0, 0, 0);
    const create = await page.request.post('/api/v1/promotions', {
      data: {
        code,
        name: `会员日 ${code}`,
        definition: {
          kind: 'percent_off',
          scope: { all: true },
          conditions: { start: start.toISOString(), weekdays: [2] },
          percent_off: { off_bp: 1200 },
        },
      },
    });
    expect(create.status(), await create.text()).toBe(201);
    const { id } = await create.json();
    expect((await page.request.post(`/api/v1/promotions/${id}/activate`)).status()).toBe(200);

    await page.goto('/promotions?view=calendar');
    const row = page.getByTestId('calendar-row').filter({ hasText: `会员日 ${code}` });
    await expect(row).toHaveCount(1);
    // Every Tuesday of the month is its own bar.
    expect(await row.getByTestId('calendar-bar').count()).toBeGreaterThanOrEqual(4);
  });

  test('a basket CSV simulated against a promotion shows the report with charts', async ({ page }) => {
    const code = `SIM-E2E-${Date.now().toString(36).toUpperCase()}`;
    const create = await page.request.post('/api/v1/promotions', {
      data: {
        code,
        name: `满100减10 ${code}`,
        definition: { kind: 'threshold', scope: { all: true }, conditions: {}, threshold: { tiers: [{ spend: 10000, off: 1000 }] } },
      },
    });
    expect(create.status(), await create.text()).toBe(201);
    const header = 'order_id,ordered_at,store_id,channel,customer_id,customer_tier,sku_id,category_id,brand_id,quantity,unit_price_fen,unit_cost_fen';
    const rows = [
      'o1,2026-11-02T10:00:00Z,s1,pos,c1,gold,k1,cat1,b1,2,6000,4000',
      'o2,2026-11-03T10:00:00Z,s1,pos,c2,,k2,cat1,b1,1,3000,2000',
    ];
    await page.goto('/promotions/simulations');
    await page.getByTestId('sim-upload-name').fill(`E2E ${code}`);
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('sim-upload').click();
    await (await chooser).setFiles({ name: 'baskets.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...rows].join('\n')) });
    await expect(page.getByText(`已上传“E2E ${code}”`)).toBeVisible();
    // The demo has promotions of its own: search the list for this one.
    await page.getByTestId('sim-promotion').click();
    await page.keyboard.type(code);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: code }).click();
    await page.getByTestId('sim-run').click();
    await expect(page.getByTestId('sim-kpi-orders')).toContainText('2');
    await expect(page.getByTestId('sim-kpi-affected')).toContainText('1');
    await expect(page.getByTestId('sim-kpi-discount')).toContainText('¥10.00');
    for (const id of ['chart-sim-histogram', 'chart-sim-by-day', 'chart-sim-top-skus']) {
      await expect(page.getByTestId(id).locator('svg').first()).toBeVisible();
    }
  });
});

test.describe('customers', () => {
  test.beforeEach(async ({ page }) => {
    await loginViaApi(page);
  });

  /**
   * sendEvents registers a touchpoint, creates an events:ingest API key (both
   * through the admin session) and sends a registration and an order for a new
   * phone through POST /api/v1/events, as a mini program would. It returns the
   * phone, the unionid and the customer id the resolver gave them.
   */
  async function sendEvents(page: import('@playwright/test').Page) {
    const run = Date.now().toString(36).toUpperCase();
    const phone = `139${String(Date.now()).slice(-8)}`;
    const unionid = `oE2E-union-${run}`;
    const code = `MINI-E2E-${run}`;

    const tp = await page.request.post('/api/v1/touchpoints', {
      data: { code, name: 'E2E 会员小程序', type: 'online', channel: 'wechat_mini_program' },
    });
    expect(tp.status(), await tp.text()).toBe(201);
    const key = await page.request.post('/api/v1/api-keys', { data: { name: `e2e-ingest-${run}`, scopes: ['events:ingest'] } });
    expect(key.status(), await key.text()).toBe(201);
    const { secret } = (await key.json()) as { secret: string };

    const now = Date.now();
    const sent = await page.request.post('/api/v1/events', {
      headers: { Authorization: `Bearer ${secret}` },
      data: {
        touchpoint: code,
        events: [
          {
            id: `e2e-${run}-1`,
            type: 'registration',
            occurred_at: new Date(now - 3_600_000).toISOString(),
            identifiers: { phone, wechat_unionid: unionid },
            properties: { name: '王小明', city: '上海' },
          },
          {
            id: `e2e-${run}-2`,
            type: 'order',
            occurred_at: new Date(now - 60_000).toISOString(),
            identifiers: { wechat_unionid: unionid },
            properties: { amount: 128 },
          },
        ],
      },
    });
    expect(sent.status(), await sent.text()).toBe(200);
    expect(await sent.json()).toMatchObject({ accepted: 2, duplicates: 0 });

    const found = await page.request.get(`/api/v1/customers?identifier=${encodeURIComponent(`phone:${phone}`)}`);
    expect(found.status(), await found.text()).toBe(200);
    const { id } = (await found.json()) as { id: string };
    return { phone, unionid, id };
  }

  test('events sent through the API show on the 360 page', async ({ page }) => {
    const { unionid, id } = await sendEvents(page);
    await page.goto(`/customers/${id}`);
    await expect(page.getByTestId('customer-id')).toHaveAttribute('title', id);

    // Both identifiers, grouped by channel, with their strength.
    const identities = page.getByTestId('customer-identities');
    await expect(identities).toContainText('手机/邮箱');
    await expect(identities).toContainText('微信');
    await expect(identities.getByTestId('identifier-value').filter({ hasText: unionid })).toHaveCount(1);
    await expect(page.getByTestId('chart-customer-identities').locator('svg').first()).toBeVisible();

    // The timeline, on the activity tab, shows both events, newest first, with the
    // touchpoint's channel.
    await page.getByRole('tab', { name: '动态' }).click();
    await expect(page).toHaveURL(/\?tab=activity$/);
    const events = page.getByTestId('timeline-event');
    await expect(events).toHaveCount(2);
    await expect(events.nth(0)).toContainText('下单');
    await expect(events.nth(0)).toContainText('微信小程序');
    await expect(events.nth(1)).toContainText('注册');
    await expect(page.getByTestId('chart-customer-activity').locator('svg').first()).toBeVisible();
  });

  test('the customer search finds the customer by phone and opens the 360 page', async ({ page }) => {
    const { phone, unionid, id } = await sendEvents(page);
    await page.goto('/overview');
    await page.getByRole('menuitem', { name: '顾客查询' }).click();
    await expect(page).toHaveURL(/\/customers$/);

    await page.getByTestId('customer-search').locator('input').fill(phone);
    await page.getByTestId('customer-search').locator('input').press('Enter');
    const row = tableRows(page, 'customer-results');
    await expect(row).toHaveCount(1);
    // The admin holds customers:pii, so the phone is shown in full (normalised).
    await expect(row).toContainText(phone.slice(-4));
    await row.getByTestId('customer-result-name').click();

    await expect(page).toHaveURL(new RegExp(`/customers/${id}$`));
    await expect(page.getByTestId('customer-identities').getByTestId('identifier-value').filter({ hasText: unionid })).toHaveCount(1);
    await page.getByRole('tab', { name: '动态' }).click();
    await expect(page.getByTestId('timeline-event')).toHaveCount(2);
  });
});
