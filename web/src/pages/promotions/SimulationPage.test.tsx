import { act, configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BasketSet, Promotion, Simulation } from '../../api/types';
import { fakeApi, page, renderRoute } from '../../test/render';
import { byDayOption, histogramOption, topSkusOption } from './simCharts';
import SimulationPage from './SimulationPage';

// antd pages render slowly in jsdom on a busy machine: wait longer than the 1 s default.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  vi.unstubAllGlobals();
});

/**
 * withCsvUploads lets CSV posts through the fake API (which decodes bodies as JSON):
 * the handler gets the text, and the list of uploaded texts is returned.
 */
function withCsvUploads(answer: (name: string, csv: string) => { status: number; body: unknown }) {
  const inner = globalThis.fetch;
  const uploads: { name: string; csv: string }[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    if (!(input instanceof Request) || input.headers.get('Content-Type') !== 'text/csv') return inner(input, init);
    const url = new URL(input.url);
    const name = url.searchParams.get('name') ?? '';
    const csv = await input.text();
    uploads.push({ name, csv });
    const res = answer(name, csv);
    return new Response(JSON.stringify(res.body), {
      status: res.status,
      headers: { 'Content-Type': res.status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  });
  return uploads;
}

const set: BasketSet = {
  id: 'bs1',
  name: '十月订单',
  orders: 1200,
  lines: 5400,
  first_order_at: '2026-10-01T00:00:00Z',
  last_order_at: '2026-10-31T23:00:00Z',
  created_at: '2026-11-01T00:00:00Z',
};

const promotion: Promotion = {
  id: 'p1',
  code: 'MJ',
  name: '满100减10',
  status: 'draft',
  effective_status: 'draft',
  limits: {},
  usage: { discount_fen: 0, uses: 0 },
  definition: { kind: 'threshold', scope: { all: true }, conditions: {}, threshold: { tiers: [{ spend: 10000, off: 1000 }] } },
  created_at: '',
  updated_at: '',
};

const sim: Simulation = {
  id: 'sim1',
  basket_set_id: 'bs1',
  created_at: '2026-11-01T00:00:00Z',
  other_promotion_ids: [],
  skipped: [],
  orders: 1200,
  affected_orders: 300,
  gross_fen: 9_000_000,
  discount_fen: 300_000,
  margin_before_fen: 2_700_000,
  margin_after_fen: 2_400_000,
  margin_impact_fen: -300_000,
  savings_histogram: [
    { min_fen: 0, max_fen: 1000, orders: 900 },
    { min_fen: 1000, max_fen: 2000, orders: 300 },
  ],
  by_day: [
    { date: '2026-10-01', orders: 40, affected_orders: 10, discount_fen: 10000 },
    { date: '2026-10-02', orders: 38, affected_orders: 9, discount_fen: 9000 },
  ],
  top_skus: [{ sku_id: 'k1', discount_fen: 50000, quantity: 120 }],
};

describe('SimulationPage', { timeout: 120_000 }, () => {
  it('uploads a basket CSV, runs a saved promotion over it and charts the report', async () => {
    const calls = fakeApi({
      'GET /basket-sets': () => page([set]),
      'GET /promotions': () => page([promotion]),
      'POST /promotion-simulations': () => ({ status: 201, body: sim }),
      'GET /skus/k1': () => ({ body: { id: 'k1', product_id: 'pr1', code: 'A1', name: '红富士苹果', barcodes: [], unit: 'weight', list_price_fen: 1200, cost_fen: 800, status: 'active', price_overrides: [] } }),
    });
    const uploads = withCsvUploads((name) => ({
      status: 201,
      body: {
        ...set,
        id: 'bs2',
        name,
        orders: 3,
        lines: 40,
        rejected: 0,
        errors: [],
        match: { checked: true, unmatched_sku_rows: 7, unmatched_category_rows: 0, unmatched_skus: ['6900000000001', 'X9'], unmatched_categories: [] },
      },
    }));
    const { router } = renderRoute(<SimulationPage />, { path: '/promotions/simulations' });

    // Upload: the CSV goes as text/csv with the name in the query.
    const csv = 'order_id,ordered_at,store_id,channel,customer_id,customer_tier,sku_id,category_id,brand_id,quantity,unit_price_fen,unit_cost_fen\no1,2026-11-01T10:00:00Z,s1,pos,c1,,k1,c2,b1,1,1200,800\n';
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File([csv], '十一月订单.csv', { type: 'text/csv' })] } });
    await waitFor(() => expect(uploads).toEqual([{ name: '十一月订单', csv }]));
    expect(await screen.findByText('已上传“十一月订单”：3 单')).toBeTruthy();
    // Rows the catalogue does not know are reported, not passed over.
    expect((await screen.findByTestId('sim-unmatched-skus')).textContent).toContain('7 行的 SKU 在商品库中找不到');
    expect(screen.getByTestId('sim-unmatched-skus').textContent).toContain('6900000000001、X9');

    // Run against the saved promotion over the set just chosen.
    fireEvent.mouseDown(within(screen.getByTestId('sim-promotion')).getByRole('combobox'));
    fireEvent.click((await screen.findAllByTitle('满100减10 (MJ)', {}, { timeout: 10_000 })).at(-1)!);
    fireEvent.click(screen.getByTestId('sim-run'));
    await waitFor(() => expect(calls.some((c) => c.path === '/promotion-simulations')).toBe(true));
    expect(calls.find((c) => c.path === '/promotion-simulations')!.body).toEqual({ basket_set_id: 'bs2', promotion_id: 'p1' });

    // KPIs and charts.
    expect((await screen.findByTestId('sim-kpi-affected')).textContent).toContain('25.0%');
    expect(screen.getByTestId('sim-kpi-discount').textContent).toContain('¥3,000.00');
    expect(screen.getByTestId('sim-kpi-impact').textContent).toContain('-¥3,000.00');
    expect(screen.getByTestId('sim-kpi-impact').textContent).toContain('-11.1%');
    expect(screen.getByTestId('sim-kpi-perOrder').textContent).toContain('¥10.00');
    for (const id of ['chart-sim-histogram', 'chart-sim-by-day', 'chart-sim-top-skus']) {
      await waitFor(() => expect(screen.getByTestId(id).querySelector('svg')).not.toBeNull());
    }
    await waitFor(() => expect(router.state.location.search).toBe('?id=sim1'));
  });

  it('lists the per-row problems of a rejected CSV', async () => {
    fakeApi({
      'GET /basket-sets': () => page([]),
      'GET /promotions': () => page([]),
    });
    withCsvUploads(() => ({
      status: 422,
      body: {
        title: 'Unprocessable Entity',
        status: 422,
        detail: 'the CSV has 2 bad rows',
        errors: [
          { location: 'body[3].quantity', message: 'must be a positive integer' },
          { location: 'body[7].ordered_at', message: 'must be RFC 3339' },
        ],
      },
    }));
    renderRoute(<SimulationPage />, { path: '/promotions/simulations' });
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File(['x'], 'bad.csv', { type: 'text/csv' })] } });
    const alert = within(await screen.findByTestId('sim-upload-error'));
    expect(alert.getByText('the CSV has 2 bad rows')).toBeTruthy();
    expect(alert.getByText('body[3].quantity: must be a positive integer')).toBeTruthy();
    expect(alert.getByText('body[7].ordered_at: must be RFC 3339')).toBeTruthy();
  });

  it('simulates the editor draft it was handed', async () => {
    const calls = fakeApi({
      'GET /basket-sets': () => page([set]),
      'GET /promotions': () => page([]),
      'POST /promotion-simulations': () => ({ status: 201, body: sim }),
    });
    const { router } = renderRoute(<SimulationPage />, { path: '/promotions/simulations' });
    await act(() => router.navigate('/promotions/simulations', { state: { definition: promotion.definition, name: '草稿满减' } }));
    expect(await screen.findByText('使用编辑器中的草稿：草稿满减', {}, { timeout: 10_000 })).toBeTruthy();
    fireEvent.mouseDown(within(screen.getByTestId('sim-set')).getByRole('combobox'));
    fireEvent.click((await screen.findAllByTitle('十月订单（1,200 单）', {}, { timeout: 10_000 })).at(-1)!);
    fireEvent.click(screen.getByTestId('sim-run'));
    await waitFor(() => expect(calls.some((c) => c.path === '/promotion-simulations')).toBe(true));
    expect(calls.find((c) => c.path === '/promotion-simulations')!.body).toEqual({ basket_set_id: 'bs1', definition: promotion.definition });
  });
});

describe('simulation charts', () => {
  it('puts yuan on the axes and the buckets in order', () => {
    const h = histogramOption(sim, '订单数');
    expect(h.xAxis.data).toEqual(['0–10', '10–20']);
    expect(h.series[0].data).toEqual([900, 300]);
    const d = byDayOption(sim, { discount: '优惠', affected: '受影响', orders: '订单' });
    expect(d.xAxis.data).toEqual(['10-01', '10-02']);
    expect(d.series[0].data).toEqual([100, 90]);
    expect(d.series[1].data).toEqual([10, 9]);
    const t = topSkusOption(sim, (id) => (id === 'k1' ? '苹果' : id), '优惠');
    expect(t.yAxis.data).toEqual(['苹果']);
    expect(t.series[0].data).toEqual([500]);
  });
});
