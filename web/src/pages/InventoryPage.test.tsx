import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../test/render';
import { meWith } from './customers/fixtures';
import InventoryPage from './InventoryPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const store = { id: 'loc-1', code: 'SH001', name: '徐汇店', kind: 'store', store_id: 's1', allow_negative: true, created_at: '2026-01-01T00:00:00Z' };
const sku = { id: 'sku-1', code: 'MILK', name: '牛奶 1L', product_id: 'p', unit: 'each', list_price_fen: 1490, status: 'active' };
const balance = (on_hand: number) => ({ location_id: 'loc-1', sku_id: 'sku-1', on_hand, reserved: 2, safety_stock: 1, available: on_hand - 3 });

describe('InventoryPage', () => {
  it('shows a SKU’s stock at a location and records a receipt', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['inventory:read', 'inventory:write']) }),
      'GET /stock-locations': () => page([store]),
      'GET /skus': () => page([sku]),
      'GET /stock-locations/loc-1/balances/sku-1': () => ({ body: balance(10) }),
      'POST /stock-locations/loc-1/changes': () => ({ body: balance(15) }),
      'GET /stock-locations/loc-1/fulfilment': () => ({ body: { cost_per_order_fen: 0, cost_per_km_fen: 0, load_last_hour: 0 } }),
    });
    renderRoute(<InventoryPage />);
    fireEvent.click(await screen.findByText('徐汇店', undefined, { timeout: 10_000 }));
    const picker = within(await screen.findByTestId('stock-sku-picker')).getByRole('combobox');
    fireEvent.change(picker, { target: { value: '牛奶' } });
    fireEvent.click(await screen.findByText('牛奶 1L · MILK', undefined, { timeout: 10_000 }));
    const shown = await screen.findByTestId('stock-balance', undefined, { timeout: 10_000 });
    expect(within(shown).getByText('10')).toBeTruthy(); // on hand
    expect(within(shown).getByText('7')).toBeTruthy(); // available = 10 - 2 - 1
    fireEvent.change(screen.getByTestId('stock-change-qty'), { target: { value: '5' } });
    fireEvent.click(screen.getByTestId('stock-change-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ kind: 'receipt', qty: 5, sku_id: 'sku-1' });
    expect(await within(screen.getByTestId('stock-balance')).findByText('15')).toBeTruthy();
  }, 60_000);

  it('shows a location’s fulfilment settings with its load and saves them', async () => {
    const settings = { orders_per_hour: 30, cut_off: '21:00', cost_per_order_fen: 300, cost_per_km_fen: 0, load_last_hour: 12 };
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['inventory:read', 'inventory:write']) }),
      'GET /stock-locations': () => page([store]),
      'GET /stock-locations/loc-1/fulfilment': () => ({ body: settings }),
      'PUT /stock-locations/loc-1/fulfilment': () => ({ body: { ...settings, orders_per_hour: 40 } }),
    });
    renderRoute(<InventoryPage />);
    fireEvent.click(await screen.findByText('徐汇店', undefined, { timeout: 10_000 }));
    const card = within(await screen.findByTestId('fulfilment-card', undefined, { timeout: 10_000 }));
    expect(await card.findByText('最近一小时 12 单', undefined, { timeout: 10_000 })).toBeTruthy();
    expect((card.getByTestId('fulfilment-cut-off') as HTMLInputElement).value).toBe('21:00');
    fireEvent.change(card.getByTestId('fulfilment-orders-per-hour'), { target: { value: '40' } });
    fireEvent.click(card.getByTestId('fulfilment-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ orders_per_hour: 40, cut_off: '21:00', cost_per_order_fen: 300, cost_per_km_fen: 0 });
  }, 60_000);

  it('offers no changes to a reader and says when there are no locations', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['inventory:read']) }),
      'GET /stock-locations': () => page([]),
    });
    renderRoute(<InventoryPage />);
    expect(await screen.findByText(/还没有库存地点/, undefined, { timeout: 10_000 })).toBeTruthy();
    expect(screen.queryByTestId('stock-location-create')).toBeNull();
  }, 60_000);
});
