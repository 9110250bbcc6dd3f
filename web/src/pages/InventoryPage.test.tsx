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
const balance = (on_hand: number) => ({
  location_id: 'loc-1',
  sku_id: 'sku-1',
  on_hand,
  reserved: 2,
  safety_stock: 1,
  available: on_hand - 3,
  batch_qty: 0,
  quota_free: 0,
});
const batch = (code: string, expires_on: string, on_hand: number, expired = false) => ({
  id: `b-${code}`,
  location_id: 'loc-1',
  sku_id: 'sku-1',
  batch_code: code,
  expires_on,
  expires_at: `${expires_on}T16:00:00Z`,
  expired,
  on_hand,
  received_at: '2026-06-01T00:00:00Z',
});
const noQuotas = (on_hand: number) => ({ balance: balance(on_hand), quotas: [], shared_available: on_hand - 3 });

describe('InventoryPage', () => {
  it('shows a SKU’s stock at a location and records a receipt', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['inventory:read', 'inventory:write']) }),
      'GET /stock-locations': () => page([store]),
      'GET /skus': () => page([sku]),
      'GET /stock-locations/loc-1/balances/sku-1': () => ({ body: balance(10) }),
      'GET /stock-locations/loc-1/balances/sku-1/batches': () => ({ body: { balance: balance(10), items: [], untracked: 10 } }),
      'GET /stock-locations/loc-1/balances/sku-1/quotas': () => ({ body: noQuotas(10) }),
      'GET /stock-locations/loc-1/expiring-batches': () => ({ body: { items: [] } }),
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

  it('shows the near-expiry list, a balance’s batches and sets channel quotas', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['inventory:read', 'inventory:write']) }),
      'GET /stock-locations': () => page([store]),
      'GET /skus': () => page([sku]),
      'GET /stock-locations/loc-1/expiring-batches': () => ({ body: { items: [batch('L0617', '2026-06-17', 3, true), batch('L0619', '2026-06-19', 4)] } }),
      'GET /stock-locations/loc-1/balances/sku-1': () => ({ body: { ...balance(10), batch_qty: 7 } }),
      'GET /stock-locations/loc-1/balances/sku-1/batches': () => ({
        body: { balance: { ...balance(10), batch_qty: 7 }, items: [batch('L0617', '2026-06-17', 3, true), batch('L0619', '2026-06-19', 4)], untracked: 3 },
      }),
      'GET /stock-locations/loc-1/balances/sku-1/quotas': () => ({ body: noQuotas(10) }),
      'PUT /stock-locations/loc-1/balances/sku-1/quotas': () => ({
        body: { balance: { ...balance(10), quota_free: 4 }, quotas: [{ channel: 'meituan', quota: 4, used: 0, free: 4 }], shared_available: 3 },
      }),
    });
    renderRoute(<InventoryPage />);
    fireEvent.click(await screen.findByText('徐汇店', undefined, { timeout: 10_000 }));
    const expiring = await screen.findByTestId('stock-expiring', undefined, { timeout: 10_000 });
    expect(await within(expiring).findByText('L0617', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(within(expiring).getByText('已过期')).toBeTruthy();
    const picker = within(await screen.findByTestId('stock-sku-picker')).getByRole('combobox');
    fireEvent.change(picker, { target: { value: '牛奶' } });
    fireEvent.click(await screen.findByText('牛奶 1L · MILK', undefined, { timeout: 10_000 }));
    const batches = await screen.findByTestId('stock-batches', undefined, { timeout: 10_000 });
    expect(within(batches).getByText('L0619')).toBeTruthy();
    expect(screen.getByText('无批次: 3')).toBeTruthy();
    const quotas = await screen.findByTestId('stock-quotas', undefined, { timeout: 10_000 });
    expect(within(quotas).getByText(/共享库存/)).toBeTruthy();
    fireEvent.click(screen.getByTestId('stock-quotas-edit'));
    fireEvent.click(await screen.findByTestId('stock-quota-add'));
    const channel = within(await screen.findByTestId('stock-quota-channel')).getByRole('combobox');
    fireEvent.mouseDown(channel);
    fireEvent.click(await screen.findByText('美团', { selector: '.ant-select-item-option-content' }, { timeout: 10_000 }));
    fireEvent.change(screen.getByTestId('stock-quota-qty'), { target: { value: '4' } });
    fireEvent.click(screen.getByTestId('stock-quotas-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ quotas: [{ channel: 'meituan', quota: 4 }] });
    expect(await within(screen.getByTestId('stock-quotas')).findByText(/共享池.*3/, undefined, { timeout: 10_000 })).toBeTruthy();
  }, 60_000);

  it('lists a location’s stock by page with search, status filter and tags, and opens a balance’s ledger', async () => {
    const row = (sku_id: string, sku_code: string, sku_name: string, on_hand: number, reserved: number) => ({
      location_id: 'loc-1',
      sku_id,
      sku_code,
      sku_name,
      on_hand,
      reserved,
      safety_stock: 0,
      available: on_hand - reserved,
      batch_qty: 0,
      quota_free: 0,
    });
    const bread = row('sku-2', 'BREAD', '吐司', -2, 0);
    const milk = row('sku-1', 'MILK', '牛奶 1L', 10, 2);
    const move = (id: string, kind: string, on_hand_delta: number, reference: string, batches: unknown[] = []) => ({
      id,
      kind,
      on_hand_delta,
      reserved_delta: 0,
      reference,
      actor_id: 'u-1',
      occurred_at: '2026-06-18T02:00:00Z',
      batches,
    });
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['inventory:read']) }),
      'GET /stock-locations': () => page([store]),
      'GET /stock-locations/loc-1/expiring-batches': () => ({ body: { items: [] } }),
      'GET /stock-locations/loc-1/fulfilment': () => ({ body: { cost_per_order_fen: 0, cost_per_km_fen: 0, load_last_hour: 0 } }),
      'GET /stock-locations/loc-1/balances': (c) => {
        if (c.query.get('status') === 'negative' || c.query.get('q') === 'bre') return page([bread]);
        return c.query.get('cursor') === 'p2' ? page([milk]) : page([bread], 'p2');
      },
      'GET /stock-locations/loc-1/balances/sku-1': () => ({ body: balance(10) }),
      'GET /stock-locations/loc-1/balances/sku-1/batches': () => ({ body: { balance: balance(10), items: [], untracked: 10 } }),
      'GET /stock-locations/loc-1/balances/sku-1/quotas': () => ({ body: noQuotas(10) }),
      'GET /stock-locations/loc-1/balances/sku-1/movements': (c) =>
        c.query.get('cursor') === 'm2'
          ? page([move('m-1', 'receipt', 12, 'PO-1', [{ batch_id: 'b', batch_code: 'L1', expires_on: '2026-06-30', qty: 12 }])])
          : page([move('m-2', 'sale', -2, 'T-9')], 'm2'),
    });
    renderRoute(<InventoryPage />);
    fireEvent.click(await screen.findByText('徐汇店', undefined, { timeout: 10_000 }));
    const table = within(await screen.findByTestId('stock-balances', undefined, { timeout: 10_000 }));
    expect(await table.findByText('BREAD', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(table.getByText('负库存')).toBeTruthy(); // on hand -2
    expect(table.getByText('低库存（无可用）')).toBeTruthy(); // available -2
    fireEvent.click(table.getByTestId('load-more'));
    expect(await table.findByText('MILK', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(table.getAllByText('负库存')).toHaveLength(1); // milk has stock
    fireEvent.click(await table.findByText('MILK', undefined, { timeout: 10_000 }));
    const shown = await screen.findByTestId('stock-balance', undefined, { timeout: 10_000 });
    expect(within(shown).getByText('7')).toBeTruthy(); // the existing detail: available
    const ledger = within(await screen.findByTestId('stock-movements', undefined, { timeout: 10_000 }));
    expect(await ledger.findByText('T-9', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(ledger.getByText('门店销售')).toBeTruthy();
    fireEvent.click(ledger.getByTestId('load-more'));
    expect(await ledger.findByText('L1 (2026-06-30) +12', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(ledger.getByText('PO-1')).toBeTruthy();
    fireEvent.change(table.getByPlaceholderText('SKU 编码或名称'), { target: { value: 'bre' } });
    fireEvent.keyDown(table.getByPlaceholderText('SKU 编码或名称'), { key: 'Enter', code: 'Enter', keyCode: 13 });
    await waitFor(() => expect(calls.some((c) => c.path === '/stock-locations/loc-1/balances' && c.query.get('q') === 'bre')).toBe(true), {
      timeout: 10_000,
    });
    await waitFor(() => expect(table.queryByText('MILK')).toBeNull(), { timeout: 10_000 });
  }, 60_000);

  it('asks the server for the chosen status', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['inventory:read']) }),
      'GET /stock-locations': () => page([store]),
      'GET /stock-locations/loc-1/expiring-batches': () => ({ body: { items: [] } }),
      'GET /stock-locations/loc-1/fulfilment': () => ({ body: { cost_per_order_fen: 0, cost_per_km_fen: 0, load_last_hour: 0 } }),
      'GET /stock-locations/loc-1/balances': () => page([]),
    });
    renderRoute(<InventoryPage />);
    fireEvent.click(await screen.findByText('徐汇店', undefined, { timeout: 10_000 }));
    const card = within(await screen.findByTestId('stock-balances', undefined, { timeout: 10_000 }));
    expect(await card.findByText('没有符合条件的库存', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(calls.find((c) => c.path === '/stock-locations/loc-1/balances')?.query.get('status')).toBeNull(); // all is the default
    fireEvent.mouseDown(within(card.getByTestId('stock-balances-status')).getByRole('combobox'));
    fireEvent.click(await screen.findByText('缺货', undefined, { timeout: 10_000 }));
    await waitFor(
      () => expect(calls.some((c) => c.path === '/stock-locations/loc-1/balances' && c.query.get('status') === 'out_of_stock')).toBe(true),
      { timeout: 10_000 },
    );
  }, 60_000);
});
