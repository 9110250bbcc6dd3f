// Realistic order API answers shared by the order page tests.
import type { OrderChange, OrderDetail, OrderSummary } from '../../api/orders';

export const summary: OrderSummary = {
  id: 'o-1',
  number: '20261207-3F9A1C2B',
  channel: 'pos',
  currency: 'CNY',
  customer_id: 'c1',
  fulfilment: 'in_store',
  status: 'completed',
  store_id: 's1',
  time_zone: 'Asia/Shanghai',
  placed_at: '2026-12-07T02:05:09Z',
  updated_at: '2026-12-07T02:05:09Z',
  paid_fen: 3550,
  refunded_fen: 0,
  version: 0,
  totals: { subtotal_fen: 4000, discount_fen: 450, delivery_fee_fen: 0, delivery_discount_fen: 0, payable_fen: 3550 },
};

export const summary2: OrderSummary = {
  ...summary,
  id: 'o-2',
  number: '20261206-00AA11BB',
  channel: 'mini_program',
  fulfilment: 'delivery',
  status: 'out_for_delivery',
  store_id: 's2',
  customer_id: undefined,
  placed_at: '2026-12-06T12:00:00Z',
  paid_fen: 1200,
  refunded_fen: 0,
  totals: { subtotal_fen: 1000, discount_fen: 400, delivery_fee_fen: 600, delivery_discount_fen: 0, payable_fen: 1200 },
};

/** detail is a completed till ticket: two lines with promotion shares and a price mismatch. */
export const detail: OrderDetail = {
  ...summary,
  buyer: [],
  lines: [
    {
      id: 'L1',
      sku_id: 'sku-milk',
      sku_code: 'MILK1L',
      name: '牛奶 1L',
      unit: 'each',
      qty: 2,
      returned_qty: 0,
      unit_price_fen: 1500,
      amount_fen: 3000,
      discount_fen: 350,
      net_fen: 2650,
      shares: [
        { promotion_id: 'p-half', discount_fen: 250 },
        { promotion_id: 'p-full', discount_fen: 100 },
      ],
    },
    {
      id: 'L2',
      sku_id: 'sku-bread',
      sku_code: 'BREAD',
      name: '全麦面包',
      unit: 'each',
      qty: 1,
      returned_qty: 0,
      unit_price_fen: 1000,
      amount_fen: 1000,
      discount_fen: 100,
      net_fen: 900,
      shares: [{ promotion_id: 'p-full', discount_fen: 100 }],
    },
  ],
  payments: [{ seq: 1, kind: 'payment', method: 'wechat_pay', amount_fen: 3500, reference: 'WX-0001', at: '2026-12-07T02:05:09Z' }],
  timeline: [
    { seq: 1, kind: 'created', to: 'completed', at: '2026-12-07T02:05:09Z' },
    { seq: 2, kind: 'exception', from: 'completed', to: 'completed', note: 'till stated 3500 fen, server priced 3550 fen', at: '2026-12-07T02:05:10Z' },
  ],
  changes: [],
  exceptions: [
    {
      kind: 'price_mismatch',
      stated_fen: 3500,
      server_fen: 3550,
      detail: 'till stated 3500 fen, server priced 3550 fen',
      created_at: '2026-12-07T02:05:10Z',
    },
  ],
  complaints: [
    {
      id: 'cp-1',
      order_id: 'o-1',
      kind: 'quality',
      description: '牛奶过期',
      status: 'open',
      overdue: true,
      due_at: '2026-12-08T02:05:09Z',
      created_at: '2026-12-07T02:05:09Z',
      updated_at: '2026-12-07T02:05:09Z',
    },
  ],
};

/** preview is what returning one milk would refund. */
export const preview: OrderChange = {
  kind: 'return',
  lines: [{ line_id: 'L1', qty: 1, refund_fen: 1325, restocked: true }],
  refund_fen: 1325,
  claw_back_fen: 0,
  notes: ['满减 kept: the shopper keeps the discount'],
};

export const promotions = [
  { id: 'p-half', name: '第二件半价', status: 'active' },
  { id: 'p-full', name: '满30减5', status: 'active' },
];
