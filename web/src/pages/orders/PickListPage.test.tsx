import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PickListLine } from '../../api/orders';
import { fakeApi, page, renderRoute } from '../../test/render';
import PickListPage, { shelfWalk } from './PickListPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const T = { timeout: 20_000 };

const line = (o: string, id: string, sku: string, toPick: number, extra: Partial<PickListLine> = {}): PickListLine => ({
  order_id: `o-${o}`,
  order_number: `SO-${o}`,
  status: 'allocated',
  line_id: id,
  sku_id: `sku-${sku}`,
  sku_code: sku.toUpperCase(),
  name: `Item ${sku}`,
  unit: 'each',
  qty: toPick,
  to_pick: toPick,
  ...extra,
});

const lines: PickListLine[] = [
  line('1', 'L1', 'milk', 2),
  line('1', 'L2', 'pork', 500, { unit: 'weight', name: '猪里脊' }),
  line('2', 'L1', 'milk', 3, { status: 'picking', substituted_qty: 1, to_pick: 2 }),
  line('2', 'L1-S1', 'oat', 1, { status: 'picking', substitute_for: 'L1' }),
  line('3', 'L1', 'gone', 0, { qty: 1, to_pick: 0 }),
];
const totals = { 'sku-milk': 4, 'sku-pork': 500, 'sku-oat': 1 };

describe('shelfWalk', () => {
  it('totals each SKU over its orders, skips lines with nothing left, largest first', () => {
    expect(shelfWalk(lines, totals)).toEqual([
      { sku_id: 'sku-pork', sku_code: 'PORK', name: '猪里脊', unit: 'weight', qty: 500, orders: 1 },
      { sku_id: 'sku-milk', sku_code: 'MILK', name: 'Item milk', unit: 'each', qty: 4, orders: 2 },
      { sku_id: 'sku-oat', sku_code: 'OAT', name: 'Item oat', unit: 'each', qty: 1, orders: 1 },
    ]);
  });
});

describe('PickListPage', () => {
  it('opens the only location a store manager sees and shows the shelf walk and the lines by order', async () => {
    const calls = fakeApi({
      'GET /stock-locations': () => page([{ id: 'loc-1', code: 'SH001', name: '上海一店', kind: 'store', allow_negative: false, created_at: '' }]),
      'GET /pick-lists': () => ({ body: { lines, totals } }),
    });
    renderRoute(<PickListPage />, { path: '/orders/pick-list' });

    const walk = within(await screen.findByTestId('pick-walk', undefined, T));
    await waitFor(() => expect(walk.getAllByRole('row').length).toBe(4), T); // header + 3 SKUs
    const rows = walk.getAllByRole('row').slice(1).map((r) => r.textContent);
    expect(rows[0]).toContain('500 g');
    expect(rows[1]).toContain('MILK');
    expect(rows[1]).toContain('4');
    expect(calls.find((c) => c.path === '/pick-lists')?.query.get('location_id')).toBe('loc-1');

    const byOrder = within(screen.getByTestId('pick-lines'));
    expect(byOrder.getAllByTestId('pick-order-link').map((a) => a.getAttribute('href'))).toEqual([
      '/orders/o-1',
      '/orders/o-1',
      '/orders/o-2',
      '/orders/o-2',
      '/orders/o-3',
    ]);
    expect(byOrder.getByText('替代 L1')).toBeTruthy();
    expect(byOrder.getAllByText('拣货中').length).toBe(2);
  });

  it('says so when there is nothing to pick', async () => {
    fakeApi({
      'GET /stock-locations': () => page([{ id: 'loc-1', code: 'SH001', name: '上海一店', kind: 'store', allow_negative: false, created_at: '' }]),
      'GET /pick-lists': () => ({ body: { lines: [], totals: {} } }),
    });
    renderRoute(<PickListPage />, { path: '/orders/pick-list' });
    expect(await screen.findByTestId('pick-empty', undefined, T)).toBeTruthy();
  });
});
