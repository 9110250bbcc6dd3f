import { configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CartPriceResponse, Promotion, Sku } from '../../api/types';
import { stores } from '../../test/fixtures';
import { fakeApi, page, renderRoute } from '../../test/render';
import PricePlaygroundPage, { toPriceRequest } from './PricePlaygroundPage';

// antd pages render slowly in jsdom on a busy machine: wait longer than the 1 s default.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  vi.unstubAllGlobals();
});

const skus: Sku[] = [
  { id: 'k1', product_id: 'pr1', code: 'A001', name: '红富士苹果', barcodes: [], unit: 'weight', list_price_fen: 1200, cost_fen: 800, status: 'active', spec: '', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
  { id: 'k2', product_id: 'pr2', code: 'M001', name: '纯牛奶 250ml', barcodes: [], unit: 'each', list_price_fen: 350, cost_fen: 250, status: 'active', spec: '', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
];

const promotions: Promotion[] = [
  {
    id: 'p-mj',
    code: 'MJ',
    name: '满100减10',
    status: 'active',
    effective_status: 'running',
    limits: {},
    usage: { discount_fen: 0, uses: 0 },
    definition: { kind: 'threshold', scope: { all: true }, conditions: {}, threshold: { tiers: [{ spend: 10000, off: 1000 }] } },
    created_at: '',
    updated_at: '',
  },
  {
    id: 'p-half',
    code: 'HALF',
    name: '牛奶第二件半价',
    status: 'active',
    effective_status: 'running',
    limits: {},
    usage: { discount_fen: 0, uses: 0 },
    definition: { kind: 'nth_item', scope: { skus: ['k2'] }, conditions: {}, nth_item: { n: 2, off_bp: 5000 } },
    created_at: '',
    updated_at: '',
  },
  {
    id: 'p-gold',
    code: 'GOLD',
    name: '金卡会员日',
    status: 'active',
    effective_status: 'running',
    limits: {},
    usage: { discount_fen: 0, uses: 0 },
    definition: { kind: 'member_price', scope: { all: true }, conditions: { tiers: ['gold'] }, percent_off: { off_bp: 500 } },
    created_at: '',
    updated_at: '',
  },
];

/** The engine's answer for 1 kg of apples (¥12.00) and 2 milks (¥7.00): 第二件半价 on the milk. */
const priced: CartPriceResponse = {
  lines: [
    { id: 'L1', sku: 'k1', unit: 'weight', qty: 1000, unit_price: 1200, category: 'c2', amount: 1200, discount: 0, net: 1200 },
    {
      id: 'L2',
      sku: 'k2',
      unit: 'each',
      qty: 2,
      unit_price: 350,
      amount: 700,
      discount: 175,
      net: 525,
      allocations: [{ promotion_id: 'p-half', amount: 175 }],
    },
  ],
  subtotal: 1900,
  discount: 175,
  total: 1725,
  applied: [
    {
      promotion_id: 'p-half',
      name: '牛奶第二件半价',
      kind: 'nth_item',
      level: 'item',
      discount: 175,
      lines: [{ line_id: 'L2', amount: 175 }],
      basis: [{ line_id: 'L2', amount: 700 }],
      message: 'every 2nd unit 50% off',
      promotion: promotions[1].definition,
    },
  ],
  rejected: [
    { promotion_id: 'p-mj', code: 'threshold_not_met', missing: 8275, message: 'spend ¥82.75 more on eligible items to save ¥10.00' },
    { promotion_id: 'p-gold', code: 'condition_failed', condition: 'tiers', message: 'not for this customer tier' },
  ],
  hints: [{ promotion_id: 'p-mj', missing: 8275, save: 1000, message: 'add ¥82.75 more to get ¥10.00 off' }],
  combinations: 2,
  truncated: false,
  decomposed: false,
  delivery_fee: 0,
  delivery_discount: 0,
  delivery_net: 0,
  payable: 1725,
  priced_token: 'v1.signed.mac',
  priced_token_expires_at: '2026-03-01T08:15:00Z',
};

async function addSku(label: string) {
  fireEvent.mouseDown(within(screen.getByTestId('cart-add-sku')).getByRole('combobox'));
  fireEvent.click((await screen.findAllByTitle(label, {}, { timeout: 10_000 })).at(-1)!);
}

describe('PricePlaygroundPage', { timeout: 120_000 }, () => {
  it('prices a cart of weighed and counted items and explains the result with hints', async () => {
    const calls = fakeApi({
      'GET /skus': () => page(skus),
      'GET /stores': () => page(stores),
      'GET /promotions': () => page(promotions),
      'GET /products/pr1': () => ({ body: { id: 'pr1', code: 'AP', name: '苹果', category_id: 'c2', unit: 'kg', status: 'active', sku_count: 1, skus: [] } }),
      'GET /products/pr2': () => ({ body: { id: 'pr2', code: 'MK', name: '牛奶', category_id: 'c3', brand_id: 'b1', unit: 'box', status: 'active', sku_count: 1, skus: [] } }),
      'POST /carts/price': () => ({ body: priced }),
      'POST /carts/return-quote': () => ({
        body: { lines: [{ line_id: 'L2', qty: 2, refund: 525 }], adjustments: [], refund: 525 },
      }),
    });
    renderRoute(<PricePlaygroundPage />, { path: '/promotions/playground' });

    await addSku('A001 红富士苹果');
    await waitFor(() => expect(screen.getByTestId('cart-qty-L1')).toHaveProperty('value', '500'));
    expect(within(screen.getByTestId('cart-lines')).getByText('克')).toBeTruthy();
    fireEvent.change(screen.getByTestId('cart-qty-L1'), { target: { value: '1000' } });
    fireEvent.blur(screen.getByTestId('cart-qty-L1'));
    await addSku('M001 纯牛奶 250ml');
    await waitFor(() => expect(screen.getByTestId('cart-qty-L2')).toBeTruthy());
    fireEvent.change(screen.getByTestId('cart-qty-L2'), { target: { value: '2' } });
    fireEvent.blur(screen.getByTestId('cart-qty-L2'));

    fireEvent.click(screen.getByTestId('pg-price'));
    await waitFor(() => expect(calls.some((c) => c.path === '/carts/price')).toBe(true));
    const body = calls.find((c) => c.path === '/carts/price')!.body as { lines: unknown; channel: string };
    expect(body.lines).toEqual([
      { id: 'L1', sku: 'k1', unit: 'weight', qty: 1000, unit_price: 1200, category: 'c2' },
      { id: 'L2', sku: 'k2', unit: 'each', qty: 2, unit_price: 350, category: 'c3', brand: 'b1' },
    ]);
    expect(body.channel).toBe('pos');

    // Totals, the prorated discount on the milk line and the applied promotion's rule.
    expect((await screen.findByTestId('cart-discount')).textContent).toContain('-¥1.75');
    expect(screen.getByTestId('cart-payable').textContent).toContain('¥17.25');
    const lines = within(screen.getByTestId('priced-lines'));
    expect(lines.getByText('1000 克')).toBeTruthy();
    expect(lines.getByText('牛奶第二件半价 -¥1.75')).toBeTruthy();
    expect(within(screen.getByTestId('applied-list')).getByText('第2件5折')).toBeTruthy();
    // The hint, in Chinese, with the amounts in yuan.
    expect(screen.getByTestId('cart-hint').textContent).toBe('再买 ¥82.75，“满100减10”可再省 ¥10.00');
    // Why the others did not apply.
    const rejected = within(screen.getByTestId('rejected-list'));
    expect(rejected.getByText('还差 ¥82.75 达到门槛')).toBeTruthy();
    expect(rejected.getByText('不满足条件：会员等级')).toBeTruthy();
    expect(rejected.getByText('金卡会员日')).toBeTruthy();

    // Return the milk: the quote is asked with the server-signed priced cart, never
    // with amounts the console posts.
    fireEvent.click(within(screen.getByTestId('priced-lines')).getAllByRole('checkbox')[2]);
    fireEvent.click(screen.getByTestId('pg-return'));
    await waitFor(() => expect(screen.getByTestId('pg-refund').textContent).toBe('应退 ¥5.25'));
    const quote = calls.find((c) => c.path === '/carts/return-quote')!.body as Record<string, unknown>;
    expect(quote).toEqual({ priced_token: 'v1.signed.mac', returned: { L2: 2 } });
  });

  it('shows the price API problem', async () => {
    fakeApi({
      'GET /skus': () => page(skus),
      'GET /stores': () => page(stores),
      'GET /promotions': () => page([]),
      'GET /products/pr2': () => ({ status: 404, body: { title: 'Not Found', status: 404 } }),
      'POST /carts/price': () => ({
        status: 422,
        body: { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors: [{ location: 'body.time_zone', message: 'unknown time zone' }] },
      }),
    });
    renderRoute(<PricePlaygroundPage />, { path: '/promotions/playground' });
    await addSku('M001 纯牛奶 250ml');
    await waitFor(() => expect(screen.getByTestId('cart-qty-L1')).toBeTruthy());
    fireEvent.click(screen.getByTestId('pg-price'));
    expect(await screen.findByText('body.time_zone: unknown time zone')).toBeTruthy();
  });
});

describe('toPriceRequest', () => {
  it('takes the region, brand and time zone from the store', () => {
    const req = toPriceRequest([], { store: stores[0], tier: 'gold', segments: [], first_order: false, delivery_fee: 500 });
    expect(req).toMatchObject({ store_id: 's1', region: 'r1', brand: 'b1', time_zone: 'Asia/Shanghai', tier: 'gold', delivery_fee: 500 });
    expect(req.segments).toBeUndefined();
    expect(req.first_order).toBeUndefined();
    expect(typeof req.time).toBe('string');
  });
});
