// Realistic order API answers shared by the order page tests.
import type { InboxEntry, OrderChange, OrderDetail, OrderSummary, PlatformApp } from '../../api/orders';

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
      substituted_qty: 0,
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
      substituted_qty: 0,
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

/**
 * routed is a delivery order split over a store and a front warehouse: the routing
 * decision as internal/order/routing marshals it (docs/routing.md).
 */
export const routed: OrderDetail = {
  ...detail,
  id: 'o-7',
  number: '20261207-77AA0001',
  channel: 'mini_program',
  fulfilment: 'delivery',
  status: 'paid',
  exceptions: [],
  complaints: [],
  routing: {
    fulfillable: true,
    fulfilment: 'delivery',
    code: 'split',
    summary: 'split over 2 locations: no single eligible location has everything; complete by 12-07 14:05',
    shipments: [
      {
        location_id: 'loc-xuhui',
        location_name: '徐汇店库存',
        kind: 'store',
        distance_km: 1.234,
        lines: [{ line_id: 'L1', sku_id: 'sku-milk', qty: 2 }],
        from: '2026-12-07T02:05:09Z',
        to: '2026-12-07T03:05:09Z',
        cost: 500,
      },
      {
        location_id: 'loc-fw1',
        location_name: '漕河泾前置仓',
        kind: 'front_warehouse',
        distance_km: 6.06,
        lines: [{ line_id: 'L2', sku_id: 'sku-bread', qty: 1 }],
        from: '2026-12-07T03:05:09Z',
        to: '2026-12-07T06:05:09Z',
        cost: 800,
      },
    ],
    cost: 1300,
    from: '2026-12-07T02:05:09Z',
    to: '2026-12-07T06:05:09Z',
    search: 'exact',
    candidates: [
      { location_id: 'loc-fw1', kind: 'front_warehouse', distance_km: 6.06, code: 'split_member', message: 'ships sku-bread×1' },
      {
        location_id: 'loc-far',
        kind: 'store',
        distance_km: 4.2,
        code: 'out_of_radius',
        message: 'out of radius: 4.2 km > 3 km',
        details: [
          { code: 'out_of_radius', message: 'out of radius: 4.2 km > 3 km' },
          { code: 'past_cut_off', message: 'past cut-off 21:00; promise starts at next opening 12-08 08:00' },
        ],
      },
      { location_id: 'loc-xuhui', kind: 'store', distance_km: 1.234, code: 'split_member', message: 'ships sku-milk×2' },
    ],
  },
};

/** inbox holds an accepted Meituan push and a refused Eleme one (its payload shown to customers:pii). */
export const inboxAccepted: InboxEntry = {
  id: 'in-1',
  platform: 'meituan',
  status: 'accepted',
  order_id: 'o-7',
  replay_key: 'meituan:MT1001:new',
  received_at: '2026-12-07T02:05:09Z',
};

export const inboxRefused: InboxEntry = {
  id: 'in-2',
  platform: 'eleme',
  status: 'refused',
  reason: 'stale: timestamp: 1765000000000 is more than 5m0s from now',
  payload: '{"requestId":"r-1","type":"10","appId":"el-app","message":"{\\"id\\":\\"E1\\"}"}',
  received_at: '2026-12-07T01:00:00Z',
};

export const apps: PlatformApp[] = [
  {
    platform: 'meituan',
    app_id: 'mt-app',
    new_order_url: 'https://shop.example.cn/api/v1/channel-notifications/meituan/mt-app/new',
    cancel_url: 'https://shop.example.cn/api/v1/channel-notifications/meituan/mt-app/cancelled',
    created_at: '2026-12-01T00:00:00Z',
    updated_at: '2026-12-01T00:00:00Z',
  },
  { platform: 'eleme', app_id: 'el-app', created_at: '2026-12-02T00:00:00Z', updated_at: '2026-12-02T00:00:00Z' },
];
