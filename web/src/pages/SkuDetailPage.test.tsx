import { fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, renderRoute } from '../test/render';
import SkuDetailPage from './SkuDetailPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('SkuDetailPage', () => {
  it('shows prices in yuan, the margin, barcodes and overrides', async () => {
    fakeApi({
      'GET /products/p1': () => ({
        body: { id: 'p1', code: 'P001', name: '苹果', category_id: 'c1', unit: 'each', status: 'active', sku_count: 1, skus: [] },
      }),
      'GET /skus/s1': () => ({
        body: {
          id: 's1',
          product_id: 'p1',
          code: 'SKU-001',
          name: '红富士苹果',
          barcodes: ['6901234567892', '6901234567908'],
          unit: 'weight',
          spec: '500g',
          list_price_fen: 1290,
          cost_fen: 860,
          status: 'active',
          price_overrides: [
            { scope_type: 'store', scope_id: 'st1', scope_name: '上海徐汇店', price_fen: 1190 },
            { scope_type: 'price_zone', scope_id: 'z1', scope_name: '一线城市', price_fen: 1390 },
          ],
        },
      }),
    });
    renderRoute(<SkuDetailPage />, { path: '/catalog/skus/:id', url: '/catalog/skus/s1' });
    expect((await screen.findByTestId('sku-list-price')).textContent).toBe('¥12.90');
    expect(screen.getByTestId('sku-cost').textContent).toBe('¥8.60');
    expect(screen.getByTestId('sku-margin').textContent).toBe('33.3%');
    expect(screen.getByText('6901234567908')).toBeTruthy();
    expect(screen.getByText('按重量（克）')).toBeTruthy();
    expect(screen.getByText('上海徐汇店')).toBeTruthy();
    expect(screen.getByText('¥13.90')).toBeTruthy();
    expect(screen.getByText('-¥1.00')).toBeTruthy();
    expect(screen.getByText('价格带')).toBeTruthy();
    expect((await screen.findByRole('link', { name: '苹果' })).getAttribute('href')).toBe('/catalog/products/p1');
  });

  it('summarises the overrides and pages through the rest', async () => {
    const calls = fakeApi({
      'GET /products/p1': () => ({ body: { id: 'p1', code: 'P001', name: '苹果', category_id: 'c1', unit: 'each', status: 'active', sku_count: 1, skus: [] } }),
      'GET /skus/s1': () => ({
        body: {
          id: 's1', product_id: 'p1', code: 'SKU-001', name: '红富士苹果', barcodes: [], unit: 'each', spec: '',
          list_price_fen: 1290, cost_fen: 860, status: 'active',
          price_overrides: [{ scope_type: 'store', scope_id: 'st1', scope_name: '上海徐汇店', price_fen: 1190 }],
          price_overrides_next_cursor: 'c1',
          price_override_summary: { total: 2, price_zones: 0, stores: 2, min_price_fen: 1190, max_price_fen: 1250 },
        },
      }),
      'GET /skus/s1/prices': () => ({ body: { items: [{ scope_type: 'store', scope_id: 'st2', scope_name: '北京朝阳店', price_fen: 1250 }] } }),
    });
    renderRoute(<SkuDetailPage />, { path: '/catalog/skus/:id', url: '/catalog/skus/s1' });
    expect((await screen.findByTestId('override-summary')).textContent).toBe('共 2 个调价：价格带 0 个，门店 2 个；价格 ¥11.90 – ¥12.50');
    expect(screen.queryByText('北京朝阳店')).toBeNull();
    fireEvent.click(screen.getByTestId('load-more'));
    expect(await screen.findByText('北京朝阳店')).toBeTruthy();
    expect(calls.find((c) => c.path === '/skus/s1/prices')?.query.get('cursor')).toBe('c1');
    expect(screen.queryByTestId('load-more')).toBeNull();
  });

  it('shows the problem detail when the SKU is missing', async () => {
    fakeApi({ 'GET /skus/nope': () => ({ status: 404, body: { title: 'Not Found', status: 404, detail: 'sku not found' } }) });
    renderRoute(<SkuDetailPage />, { path: '/catalog/skus/:id', url: '/catalog/skus/nope' });
    expect(await screen.findByText('sku not found')).toBeTruthy();
  });

  it('sends a 401 to the login page', async () => {
    fakeApi({ 'GET /skus/s1': () => ({ status: 401, body: { title: 'Unauthorized', status: 401 } }) });
    const { router } = renderRoute(<SkuDetailPage />, { path: '/catalog/skus/:id', url: '/catalog/skus/s1' });
    expect(await screen.findByText('login page')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/login');
  });
});
