import { expect, test, type Page } from '@playwright/test';
import { loginViaForm, tableRows } from './helpers';

// Issue 16: an hq_admin builds a brand, a region, a store and a small catalogue
// (category, product, SKU) through the console's forms and reads them back.

/** pick opens the antd Select with the given test id and clicks the option titled option. */
async function pick(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:visible').getByTitle(option, { exact: true }).click();
}

test('an admin creates a brand, region, store, category, product and SKU through the forms', async ({ page }) => {
  // Six forms and their lists: longer than the default 2 minutes on a busy 2-core machine.
  test.setTimeout(360_000);
  // A suffix keeps the codes unique when the spec runs against a server that is already running.
  const n = Date.now().toString(36).toUpperCase();
  const brand = `测试品牌${n}`;
  const region = `测试区域${n}`;
  const store = `测试门店${n}`;
  const category = `测试类目${n}`;
  const product = `测试商品${n}`;
  const sku = `测试SKU${n}`;

  await loginViaForm(page);
  await expect(page).toHaveURL(/\/overview$/);

  // Brand and region.
  await page.goto('/org/brands-regions');
  await page.getByTestId('new-brand').click();
  await page.getByTestId('brand-code').fill(`B${n}`);
  await page.getByTestId('brand-name').fill(brand);
  await page.getByTestId('brand-form-submit').click();
  await expect(page.getByTestId('brand-form')).toBeHidden();
  await expect(page.getByTestId('brands-table')).toContainText(brand);

  await page.getByTestId('new-region').click();
  await page.getByTestId('region-code').fill(`R${n}`);
  await page.getByTestId('region-name').fill(region);
  await page.getByTestId('region-form-submit').click();
  await expect(page.getByTestId('region-form')).toBeHidden();
  await expect(page.getByTestId('regions-table')).toContainText(region);

  // A store in the new brand and region; coordinates in Beijing for 上海 warn, Shanghai's do not.
  await page.goto('/org/stores');
  await page.getByTestId('new-store').click();
  await page.getByTestId('store-code').fill(`S${n}`);
  await page.getByTestId('store-name').fill(store);
  await pick(page, 'store-brand', brand);
  await pick(page, 'store-region', region);
  await page.getByTestId('store-city').locator('input').fill('上海');
  await page.getByTestId('store-latitude').fill('39.9');
  await page.getByTestId('store-longitude').fill('116.4');
  await expect(page.getByTestId('store-far-warning')).toBeVisible();
  await page.getByTestId('store-latitude').fill('31.2304');
  await page.getByTestId('store-longitude').fill('121.4737');
  await expect(page.getByTestId('store-far-warning')).toBeHidden();
  await page.getByTestId('store-area').fill('1800');
  await page.getByTestId('store-hours').fill('08:00-22:00');
  await page.getByTestId('store-form-submit').click();
  await expect(page.getByTestId('store-form')).toBeHidden();

  await page.getByTestId('store-search').locator('input').fill(`S${n}`);
  await page.getByTestId('store-search').locator('input').press('Enter');
  const row = tableRows(page, 'stores-table').filter({ hasText: store });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(brand);
  await expect(row).toContainText(region);
  await row.getByTestId('store-link').click();
  await expect(page.getByTestId('store-details')).toContainText('08:00-22:00');
  await expect(page.getByTestId('store-details')).toContainText('Asia/Shanghai');

  // A root category, a product in it and a SKU with a barcode and a list price.
  await page.goto('/catalog/categories');
  await page.getByTestId('new-category').click();
  await page.getByTestId('category-code').fill(`C${n}`);
  await page.getByTestId('category-name').fill(category);
  await page.getByTestId('category-form-submit').click();
  await expect(page.getByTestId('category-form')).toBeHidden();
  await page.getByPlaceholder('筛选类目').fill(category);
  await page.getByTestId('category-tree').getByText(category, { exact: true }).click();

  await page.getByTestId('new-product-in-category').click();
  await page.getByTestId('product-code').fill(`P${n}`);
  await page.getByTestId('product-name').fill(product);
  await page.getByTestId('product-form-submit').click();
  await expect(page.getByTestId('product-form')).toBeHidden();
  await expect(page.getByTestId('products-table')).toContainText(product);
  await page.getByTestId('products-table').getByText(product).click();

  await expect(page).toHaveURL(/\/catalog\/products\//);
  await page.getByTestId('new-sku').click();
  await page.getByTestId('sku-code').fill(`K${n}`);
  await page.getByTestId('sku-name').fill(sku);
  await page.getByTestId('sku-spec').fill('500g');
  const barcodes = page.getByTestId('sku-barcodes-input').locator('input');
  await barcodes.fill('6901234567892');
  await barcodes.press('Enter');
  await page.getByTestId('sku-list-price-input').fill('19.90');
  await page.getByTestId('sku-form-submit').click();
  await expect(page.getByTestId('sku-form')).toBeHidden();
  await expect(page.getByTestId('skus-table')).toContainText(sku);

  await page.getByTestId('skus-table').getByText(sku).click();
  await expect(page).toHaveURL(/\/catalog\/skus\//);
  await expect(page.getByTestId('sku-list-price')).toHaveText('¥19.90');
  await expect(page.getByTestId('sku-barcodes')).toContainText('6901234567892');

  // The products list finds the new product by its code.
  await page.goto('/catalog/products');
  await page.getByTestId('product-search').locator('input').fill(`P${n}`);
  await page.getByTestId('product-search').locator('input').press('Enter');
  await expect(tableRows(page, 'products-table').filter({ hasText: product })).toHaveCount(1);
});

test('a taken brand code is shown on the code field', async ({ page }) => {
  await loginViaForm(page);
  await expect(page).toHaveURL(/\/overview$/);
  await page.goto('/org/brands-regions');
  const taken = (await tableRows(page, 'brands-table').first().locator('td').first().textContent())?.trim() ?? '';
  expect(taken).not.toBe('');
  await page.getByTestId('new-brand').click();
  await page.getByTestId('brand-code').fill(taken);
  await page.getByTestId('brand-name').fill('重复编码');
  await page.getByTestId('brand-form-submit').click();
  const item = page.locator('.ant-form-item').filter({ has: page.getByTestId('brand-code') });
  await expect(item.locator('.ant-form-item-explain-error')).toBeVisible();
  await expect(page.getByTestId('brand-form')).toBeVisible();
});
