import { configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Category, Sku } from '../../api';
import { brands, storeNamesRoute, stores } from '../../test/fixtures';
import { meWith } from '../customers/fixtures';
import { fakeApi, page, renderRoute } from '../../test/render';
import { CategoryForm, PriceOverrideForm, PriceZoneForm, ProductForm, SkuForm } from './CatalogForms';

// The forms round-trip through antd's validation and the fake API; a busy 2-core machine needs longer than 1 s.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  vi.unstubAllGlobals();
});

const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

async function pick(testId: string, option: string) {
  // A store picker searches the server: open it once its first answer is in.
  await waitFor(() => expect(screen.getByTestId(testId).querySelector('[aria-label="loading"]')).toBeNull());
  fireEvent.mouseDown(within(screen.getByTestId(testId)).getByRole('combobox'));
  const items = await screen.findAllByTitle(option);
  fireEvent.click(items[items.length - 1]);
}

/** itemOf is the form item holding the control with the test id. */
const itemOf = (msg: HTMLElement) => msg.closest('.ant-form-item');

const problem = (errors: { location: string; message: string }[]) => ({
  status: 422,
  body: { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors },
});

const categories: Category[] = [
  { id: 'c1', code: 'FOOD', name: '食品', level: 1, parent_id: null, sort: 0 },
  { id: 'c2', code: 'DAIRY', name: '乳品', level: 2, parent_id: 'c1', sort: 0 },
];

const sku: Sku = {
  id: 'k1',
  product_id: 'p1',
  code: 'MILK-1L',
  name: '鲜牛奶 1L',
  barcodes: ['6901234567892'],
  unit: 'each',
  spec: '1L',
  list_price_fen: 1290,
  cost_fen: 900,
  status: 'active',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('CategoryForm', () => {
  it('creates a child of the selected category with POST /categories', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({
      'GET /categories': () => page(categories),
      'POST /categories': (c) => ({ status: 201, body: { id: 'c3', level: 3, ...(c.body as object) } }),
    });
    renderRoute(<CategoryForm open parentId="c2" onClose={onClose} />);
    type('category-code', 'YOGURT');
    type('category-name', '酸奶');
    fireEvent.click(screen.getByTestId('category-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ parent_id: 'c2', code: 'YOGURT', name: '酸奶', sort: 0 });
  });

  it('puts a depth error on the parent field', async () => {
    fakeApi({
      'GET /categories': () => page(categories),
      'PATCH /categories/c2': () => problem([{ location: 'body.parent_id', message: 'the tree would be deeper than 5 levels' }]),
    });
    renderRoute(<CategoryForm open item={categories[1]} onClose={() => {}} />);
    type('category-name', '乳制品');
    fireEvent.click(screen.getByTestId('category-form-submit'));
    const msg = await screen.findByText('the tree would be deeper than 5 levels');
    expect(itemOf(msg)?.querySelector('[data-testid="category-parent"]')).not.toBeNull();
  });
});

describe('ProductForm', () => {
  it('creates a product in the given category', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({
      'GET /categories': () => page(categories),
      'GET /brands': () => page(brands),
      'POST /products': (c) => ({ status: 201, body: { id: 'p9', ...(c.body as object) } }),
    });
    renderRoute(<ProductForm open categoryId="c2" onClose={onClose} />);
    type('product-code', 'P-YOG');
    type('product-name', '原味酸奶');
    fireEvent.click(screen.getByTestId('product-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      category_id: 'c2',
      code: 'P-YOG',
      name: '原味酸奶',
      unit: 'each',
      status: 'active',
    });
  });

  it('edits a product with a PATCH of only what changed', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({
      'GET /categories': () => page(categories),
      'GET /brands': () => page(brands),
      'PATCH /products/p1': (c) => ({ body: { id: 'p1', ...(c.body as object) } }),
    });
    const product = { id: 'p1', code: 'P-MILK', name: '鲜牛奶', category_id: 'c2', unit: 'each' as const, status: 'active' as const, sku_count: 1, brand_name: '', description: '', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
    renderRoute(<ProductForm open item={product} onClose={onClose} />);
    type('product-name', '巴氏鲜牛奶');
    fireEvent.click(screen.getByTestId('product-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: '巴氏鲜牛奶' });
  });

  it('puts a taken code on the code field', async () => {
    fakeApi({
      'GET /categories': () => page(categories),
      'GET /brands': () => page(brands),
      'POST /products': () => problem([{ location: 'body.code', message: 'product code P-YOG exists' }]),
    });
    renderRoute(<ProductForm open categoryId="c2" onClose={() => {}} />);
    type('product-code', 'P-YOG');
    type('product-name', '原味酸奶');
    fireEvent.click(screen.getByTestId('product-form-submit'));
    const msg = await screen.findByText('product code P-YOG exists');
    expect(itemOf(msg)?.querySelector('[data-testid="product-code"]')).not.toBeNull();
  });
});

describe('SkuForm', () => {
  it('creates a SKU with barcodes and prices in fen', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({ 'POST /skus': (c) => ({ status: 201, body: { id: 'k9', ...(c.body as object) } }) });
    renderRoute(<SkuForm open productId="p1" onClose={onClose} />);
    type('sku-code', 'YOG-200');
    type('sku-name', '原味酸奶 200g');
    const barcodes = within(screen.getByTestId('sku-barcodes-input')).getByRole('combobox');
    fireEvent.change(barcodes, { target: { value: '6901234567892' } });
    fireEvent.keyDown(barcodes, { key: 'Enter', code: 'Enter', keyCode: 13 });
    const price = screen.getByTestId('sku-list-price-input');
    fireEvent.change(price, { target: { value: '19.99' } });
    fireEvent.blur(price);
    fireEvent.click(screen.getByTestId('sku-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      product_id: 'p1',
      code: 'YOG-200',
      name: '原味酸奶 200g',
      status: 'active',
      barcodes: ['6901234567892'],
      list_price_fen: 1999,
    });
  });

  it('shows a bad barcode under the barcodes field', async () => {
    const calls = fakeApi({
      'PATCH /skus/k1': () => problem([{ location: 'body.barcodes[1]', message: 'barcode 6901234567890: bad check digit' }]),
    });
    renderRoute(<SkuForm open item={sku} productId="p1" onClose={() => {}} />);
    const barcodes = within(screen.getByTestId('sku-barcodes-input')).getByRole('combobox');
    fireEvent.change(barcodes, { target: { value: '6901234567890' } });
    fireEvent.keyDown(barcodes, { key: 'Enter', code: 'Enter', keyCode: 13 });
    fireEvent.click(screen.getByTestId('sku-form-submit'));
    const msg = await screen.findByText('barcode 6901234567890: bad check digit');
    expect(itemOf(msg)?.querySelector('[data-testid="sku-barcodes-input"]')).not.toBeNull();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ barcodes: ['6901234567892', '6901234567890'] });
  });
});

describe('PriceZoneForm', () => {
  it('creates a zone, then sets its stores', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['org:read', 'catalog:write']) }),
      'GET /stores': () => page(stores),
      'GET /store-names': storeNamesRoute(stores),
      'POST /price-zones': (c) => ({ status: 201, body: { id: 'z1', store_ids: [], ...(c.body as object) } }),
      'PUT /price-zones/z1/stores': (c) => ({ body: { id: 'z1', code: 'EAST', name: '华东价', ...(c.body as object) } }),
    });
    renderRoute(<PriceZoneForm open onClose={onClose} />);
    type('price-zone-code', 'EAST');
    type('price-zone-name', '华东价');
    await pick('price-zone-stores', '上海徐汇店 · SH001');
    fireEvent.click(screen.getByTestId('price-zone-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ code: 'EAST', name: '华东价' });
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ store_ids: ['s1'] });
  });

  it('names the stores a zone holds and searches the server for more', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['org:read', 'catalog:write']) }),
      // The first 20 stores of the chain do not hold the zone's store.
      'GET /stores': (c) => page(c.query.get('q') ? stores.filter((s) => s.name.includes(c.query.get('q')!)) : [stores[0]]),
      'GET /store-names': storeNamesRoute(stores),
    });
    renderRoute(<PriceZoneForm open item={{ id: 'z1', code: 'NORTH', name: '华北价', store_ids: ['s2'], created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }} onClose={() => {}} />);
    expect(await screen.findByText('北京国贸店')).toBeTruthy();
    fireEvent.mouseDown(within(screen.getByTestId('price-zone-stores')).getByRole('combobox'));
    fireEvent.change(within(screen.getByTestId('price-zone-stores')).getByRole('combobox'), { target: { value: '上海' } });
    await waitFor(() => expect(calls.some((c) => c.path === '/stores' && c.query.get('q') === '上海' && c.query.get('limit') === '20')).toBe(true));
    expect(calls.filter((c) => c.path === '/store-names').every((c) => c.query.get('ids') === 's2')).toBe(true);
  });

  it('puts a 422 on the code field', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['org:read', 'catalog:write']) }),
      'GET /stores': () => page(stores),
      'GET /store-names': storeNamesRoute(stores),
      'POST /price-zones': () => problem([{ location: 'body.code', message: 'price zone code EAST exists' }]),
    });
    renderRoute(<PriceZoneForm open onClose={() => {}} />);
    type('price-zone-code', 'EAST');
    type('price-zone-name', '华东价');
    fireEvent.click(screen.getByTestId('price-zone-form-submit'));
    const msg = await screen.findByText('price zone code EAST exists');
    expect(itemOf(msg)?.querySelector('[data-testid="price-zone-code"]')).not.toBeNull();
  });
});

describe('PriceOverrideForm', () => {
  it('sets a store price with PUT /skus/{id}/prices/store/{store}', async () => {
    const onClose = vi.fn();
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['org:read', 'catalog:write']) }),
      'GET /stores': () => page(stores),
      'GET /store-names': storeNamesRoute(stores),
      'GET /price-zones': () => page([]),
      'PUT /skus/k1/prices/store/s2': () => ({ body: { scope_type: 'store', scope_id: 's2', scope_name: '北京国贸店', price_fen: 1190 } }),
    });
    renderRoute(<PriceOverrideForm open sku={sku} onClose={onClose} />);
    fireEvent.click(screen.getByLabelText('门店'));
    await pick('price-override-scope', '北京国贸店 · BJ001');
    const price = screen.getByTestId('price-override-price');
    fireEvent.change(price, { target: { value: '11.90' } });
    fireEvent.blur(price);
    fireEvent.click(screen.getByTestId('price-override-form-submit'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ price_fen: 1190 });
  });

  it('puts a price error on the price field', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['org:read', 'catalog:write']) }),
      'GET /stores': () => page(stores),
      'GET /store-names': storeNamesRoute(stores),
      'GET /price-zones': () => page([{ id: 'z1', code: 'EAST', name: '华东价', store_ids: [] }]),
      'PUT /skus/k1/prices/price_zone/z1': () => problem([{ location: 'body.price_fen', message: 'price must be at most 1000000000' }]),
    });
    renderRoute(
      <PriceOverrideForm open sku={sku} item={{ scope_type: 'price_zone', scope_id: 'z1', scope_name: '华东价', price_fen: 1100, updated_at: '2026-01-01T00:00:00Z' }} onClose={() => {}} />,
    );
    fireEvent.click(screen.getByTestId('price-override-form-submit'));
    const msg = await screen.findByText('price must be at most 1000000000');
    expect(itemOf(msg)?.querySelector('[data-testid="price-override-price"]')).not.toBeNull();
  });
});
