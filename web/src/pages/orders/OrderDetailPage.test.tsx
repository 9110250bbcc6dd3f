import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OrderChangeRequest, OrderDetail } from '../../api/orders';
import { storeNamesRoute, stores } from '../../test/fixtures';
import { fakeApi, page, renderRoute, type FakeCall } from '../../test/render';
import { customer, meWith } from '../customers/fixtures';
import { CustomerOrdersCard } from './CustomerOrdersCard';
import { detail, preview, promotions, routed, summary, summary2 } from './fixtures';
import OrderDetailPage from './OrderDetailPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const T = { timeout: 20_000 };
const READ = ['orders:read', 'org:read', 'promotions:read', 'customers:read'];

function api(scopes: string[], order: OrderDetail, extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /me': () => ({ body: meWith(scopes) }),
    'GET /store-names': storeNamesRoute(stores),
    'GET /promotions': () => page(promotions),
    'GET /customers/c1': () => ({ body: customer }),
    [`GET /orders/${order.id}`]: () => ({ body: order }),
    ...extra,
  });
}

function renderDetail(id = 'o-1') {
  return renderRoute(<OrderDetailPage />, { path: '/orders/:id', url: `/orders/${id}` });
}

describe('OrderDetailPage', () => {
  it('shows the header, each promotion’s share by name, the price mismatch with both figures, and no actions to a reader', async () => {
    api(READ, detail);
    renderDetail();

    expect((await screen.findByTestId('order-number', undefined, T)).textContent).toBe('20261207-3F9A1C2B');
    const header = within(screen.getByTestId('order-header'));
    expect(screen.getByTestId('order-status').textContent).toBe('已完成');
    expect(screen.getByText('门店收银')).toBeTruthy();
    expect(await header.findByText('上海徐汇店', undefined, T)).toBeTruthy();
    expect(screen.getByTestId('order-placed-at').textContent).toBe('2026-12-07 10:05:09');
    const link = screen.getByTestId('order-customer');
    expect(link.getAttribute('href')).toBe('/customers/c1');
    await waitFor(() => expect(link.textContent).toContain('王**'), T);

    const totals = within(screen.getByTestId('order-totals'));
    expect(totals.getByText('¥40.00')).toBeTruthy();
    expect(totals.getByText('-¥4.50')).toBeTruthy();
    expect(totals.getAllByText('¥35.50').length).toBeGreaterThan(0);

    // Shares: promotion names, never ids, each with its amount.
    const l1 = within(await screen.findByTestId('line-shares-L1', undefined, T));
    expect(await l1.findByText('第二件半价', undefined, T)).toBeTruthy();
    expect(l1.getByText('满30减5')).toBeTruthy();
    expect(l1.getByText('-¥2.50')).toBeTruthy();
    expect(l1.getByText('-¥1.00')).toBeTruthy();
    expect(within(screen.getByTestId('line-shares-L2')).getByText('满30减5')).toBeTruthy();
    expect(screen.getByTestId('order-lines').textContent).not.toContain('p-half');

    // The exception keeps both figures, highlighted.
    const mismatch = screen.getByTestId('exception-price-mismatch');
    expect(mismatch.textContent).toContain('价格不一致');
    expect(within(mismatch).getByTestId('exception-stated').textContent).toBe('¥35.00');
    expect(within(mismatch).getByTestId('exception-server').textContent).toBe('¥35.50');
    expect(within(mismatch).getByTestId('exception-stated').querySelector('mark')).toBeTruthy();

    // Payments, timeline, an overdue complaint.
    expect(within(screen.getByTestId('order-payments')).getByText('微信支付')).toBeTruthy();
    expect(within(screen.getByTestId('order-timeline')).getByText('创建')).toBeTruthy();
    const complaint = within(screen.getByTestId('complaint-cp-1'));
    expect(complaint.getByTestId('complaint-overdue').textContent).toBe('已超时');
    expect(complaint.getByText('质量问题')).toBeTruthy();

    // A till ticket has no routing decision: no panel.
    expect(screen.queryByTestId('order-routing')).toBeNull();

    // A reader gets no actions.
    expect(screen.queryByTestId('order-actions')).toBeNull();
    expect(screen.queryByTestId('order-return')).toBeNull();
    expect(screen.queryByTestId('complaint-respond')).toBeNull();
  }, 60_000);

  it('previews a return, then confirms it with the same reference, once per reference', async () => {
    let confirmed: OrderChangeRequest | undefined;
    const calls = api([...READ, 'orders:write'], detail, {
      'POST /orders/o-1/changes/preview': () => ({ body: preview }),
      'POST /orders/o-1/changes': (c: FakeCall) => {
        confirmed = c.body as OrderChangeRequest;
        const change = { ...preview, id: 'ch-1', version: 1, reference: confirmed.reference, created_at: '2026-12-07T05:00:00Z' };
        return {
          body: {
            change,
            order: {
              ...detail,
              version: 1,
              refunded_fen: 1325,
              lines: detail.lines.map((l) => (l.id === 'L1' ? { ...l, returned_qty: 1 } : l)),
              changes: [change],
              payments: [
                ...detail.payments,
                { seq: 2, kind: 'refund', method: 'wechat_pay', amount_fen: 1325, change_id: 'ch-1', at: '2026-12-07T05:00:00Z' },
              ],
            },
          },
        };
      },
    });
    renderDetail();
    fireEvent.click(await screen.findByTestId('order-return', undefined, T));
    const confirm = await screen.findByTestId('change-confirm', undefined, T);
    expect(confirm.hasAttribute('disabled')).toBe(true); // nothing previewed yet

    fireEvent.change(screen.getByTestId('change-qty-L1'), { target: { value: '1' } });
    fireEvent.click(screen.getByTestId('change-preview'));
    const result = await screen.findByTestId('change-preview-result', undefined, T);
    expect(result.textContent).toContain('将退款 ¥13.25');
    expect(within(screen.getByTestId('change-notes')).getByText('满减 kept: the shopper keeps the discount')).toBeTruthy();
    expect(screen.getByTestId('change-refund-L1').textContent).toBe('¥13.25');
    const previewCall = calls.find((c) => c.path === '/orders/o-1/changes/preview')!;
    const sent = previewCall.body as OrderChangeRequest;
    expect(sent).toMatchObject({ kind: 'return', restock: true, lines: [{ line_id: 'L1', qty: 1 }] });
    expect(sent.reference).toMatch(/^ret-/);

    // A double click confirms once, with the previewed reference.
    await waitFor(() => expect(screen.getByTestId('change-confirm').hasAttribute('disabled')).toBe(false), T);
    fireEvent.click(screen.getByTestId('change-confirm'));
    fireEvent.click(screen.getByTestId('change-confirm'));
    await waitFor(() => expect(confirmed).toBeDefined(), T);
    const confirms = calls.filter((c) => c.method === 'POST' && c.path === '/orders/o-1/changes');
    expect(confirms.length).toBe(1);
    expect(confirms.every((c) => (c.body as OrderChangeRequest).reference === sent.reference)).toBe(true);
    expect(confirmed).toEqual(sent);

    // The detail shows the change and the refund.
    const changes = within(screen.getByTestId('order-changes'));
    expect(await changes.findByText('退款 ¥13.25', undefined, T)).toBeTruthy();
    expect(within(screen.getByTestId('order-payments')).getByText('-¥13.25')).toBeTruthy();
  }, 60_000);

  it('pays with the payable prefilled and moves the order on through its statuses', async () => {
    const created: OrderDetail = {
      ...detail,
      id: 'o-9',
      channel: 'mini_program',
      fulfilment: 'delivery',
      status: 'created',
      paid_fen: 0,
      payments: [],
      exceptions: [],
      complaints: [],
    };
    const calls = api([...READ, 'orders:write'], created, {
      'POST /orders/o-9/pay': () => ({ body: { ...created, status: 'paid', paid_fen: 3550 } }),
      'POST /orders/o-9/transitions': (c) => {
        const action = (c.body as { action: string }).action;
        const to = { allocate: 'allocated', start_picking: 'picking', ready: 'ready', dispatch: 'out_for_delivery', complete: 'completed' }[action];
        return { body: { ...created, status: to, paid_fen: 3550 } };
      },
    });
    renderDetail('o-9');
    expect(await screen.findByTestId('order-cancel', undefined, T)).toBeTruthy();
    expect(screen.queryByTestId('order-return')).toBeNull();
    fireEvent.click(screen.getByTestId('order-pay'));
    const amount = (await screen.findByTestId('pay-amount', undefined, T)) as HTMLInputElement;
    expect(amount.value).toBe('35.50');
    fireEvent.click(screen.getByTestId('pay-submit'));
    await waitFor(() => expect(calls.some((c) => c.path === '/orders/o-9/pay')).toBe(true), T);
    expect(calls.find((c) => c.path === '/orders/o-9/pay')?.body).toEqual({ method: 'wechat_pay', amount_fen: 3550 });

    for (const [button, status] of [
      ['order-action-allocate', '已分配'],
      ['order-action-start_picking', '拣货中'],
      ['order-action-ready', '待取/待发'],
    ] as const) {
      fireEvent.click(await screen.findByTestId(button, undefined, T));
      await waitFor(() => expect(screen.getByTestId('order-status').textContent).toBe(status), T);
    }
    // Ready for delivery: dispatch and complete; no cancel once it is ready.
    expect(screen.getByTestId('order-action-dispatch')).toBeTruthy();
    expect(screen.getByTestId('order-action-complete')).toBeTruthy();
    expect(screen.queryByTestId('order-cancel')).toBeNull();
    expect(calls.filter((c) => c.path === '/orders/o-9/transitions').map((c) => (c.body as { action: string }).action)).toEqual([
      'allocate',
      'start_picking',
      'ready',
    ]);
  }, 60_000);

  it('cancels with a reason', async () => {
    const paid: OrderDetail = { ...detail, id: 'o-5', status: 'paid', exceptions: [], complaints: [] };
    const calls = api([...READ, 'orders:write'], paid, {
      'POST /orders/o-5/cancel': () => ({ body: { ...paid, status: 'cancelled', refunded_fen: 3550 } }),
    });
    renderDetail('o-5');
    fireEvent.click(await screen.findByTestId('order-cancel', undefined, T));
    const submit = await screen.findByTestId('cancel-submit', undefined, T);
    expect(submit.hasAttribute('disabled')).toBe(true);
    fireEvent.change(screen.getByTestId('cancel-reason'), { target: { value: '顾客不要了' } });
    fireEvent.click(screen.getByTestId('cancel-submit'));
    await waitFor(() => expect(screen.getByTestId('order-status').textContent).toBe('已取消'), T);
    expect(calls.find((c) => c.path === '/orders/o-5/cancel')?.body).toEqual({ reason: '顾客不要了' });
  }, 60_000);

  it('answers an open complaint', async () => {
    const calls = api([...READ, 'orders:write'], detail, {
      'POST /order-complaints/cp-1': () => ({ body: { ...detail.complaints[0], status: 'responded', resolution: '已换货' } }),
    });
    renderDetail();
    fireEvent.click(await screen.findByTestId('complaint-respond', undefined, T));
    fireEvent.change(await screen.findByTestId('complaint-resolution', undefined, T), { target: { value: '已换货' } });
    fireEvent.click(screen.getByTestId('complaint-answer-submit'));
    await waitFor(() => expect(calls.some((c) => c.path === '/order-complaints/cp-1')).toBe(true), T);
    expect(calls.find((c) => c.path === '/order-complaints/cp-1')?.body).toEqual({ status: 'responded', resolution: '已换货' });
  }, 60_000);
});

describe('RoutingCard', () => {
  it('shows the decision: summary, each shipment with its kind, distance, window in the store’s zone and line names, and every candidate folded', async () => {
    api(['orders:read', 'org:read', 'inventory:read'], routed, {
      'GET /stock-locations': () => page([{ id: 'loc-far', code: 'JA01', name: '静安店库存', kind: 'store', allow_negative: false }]),
    });
    renderDetail('o-7');
    const panel = await screen.findByTestId('order-routing', undefined, T);
    const card = within(panel);
    expect(card.getByTestId('routing-summary').textContent).toBe(
      'split over 2 locations: no single eligible location has everything; complete by 12-07 14:05',
    );
    expect(card.getAllByTestId('routing-code')[0].textContent).toBe('拆单');
    expect(card.getByText('即时配送')).toBeTruthy();
    // 02:05Z–06:05Z is 10:05–14:05 in Shanghai.
    expect(card.getByTestId('routing-promise').textContent).toBe('2026-12-07 10:05–14:05');
    expect(card.getByText('¥13.00')).toBeTruthy();

    const store = within(card.getByTestId('routing-shipment-loc-xuhui'));
    expect(store.getByText('徐汇店库存')).toBeTruthy();
    expect(store.getByText('门店')).toBeTruthy();
    expect(store.getByTestId('routing-distance').textContent).toBe('1.2 km');
    expect(store.getByTestId('routing-window').textContent).toBe('承诺 2026-12-07 10:05–11:05');
    expect(store.getByTestId('routing-line').textContent).toBe('牛奶 1L × 2');
    const fw = within(card.getByTestId('routing-shipment-loc-fw1'));
    expect(fw.getByText('前置仓')).toBeTruthy();
    expect(fw.getByTestId('routing-distance').textContent).toBe('6.1 km');
    expect(fw.getByTestId('routing-line').textContent).toBe('全麦面包 × 1');
    expect(panel.textContent).not.toContain('sku-milk');
    expect(panel.textContent).not.toContain('front_warehouse');

    // The candidates are folded until asked for.
    expect(card.queryByTestId('routing-candidate-loc-far')).toBeNull();
    fireEvent.click(card.getByText('全部候选位置（3）'));
    const far = within(await card.findByTestId('routing-candidate-loc-far', undefined, T));
    expect(far.getByTestId('routing-message').textContent).toBe('out of radius: 4.2 km > 3 km'); // the server's sentence, as it is
    expect(far.getAllByTestId('routing-code').map((e) => e.textContent)).toEqual(['超出配送半径', '已过截单时间']);
    expect(far.getByText('4.2 km')).toBeTruthy();
    // A candidate that ships nothing is named from the stock locations (inventory:read).
    expect(await far.findByText('静安店库存', undefined, T)).toBeTruthy();
    const member = within(card.getByTestId('routing-candidate-loc-fw1'));
    expect(member.getByText('漕河泾前置仓')).toBeTruthy();
    expect(member.getByText('拆单发货')).toBeTruthy();
  }, 60_000);

  it('shows what is missing when no location can fulfil the order, and an unknown code as it is', async () => {
    const unroutable: OrderDetail = {
      ...routed,
      id: 'o-8',
      routing: {
        fulfillable: false,
        fulfilment: 'pickup',
        code: 'pickup_store_lacks',
        summary: 'the pickup store lacks sku-milk (has 1 of 2)',
        shipments: [],
        candidates: [{ location_id: 'loc-new', kind: 'locker', distance_km: 0, code: 'brand_new_code', message: 'something new' }],
        shortages: [
          { sku_id: 'sku-milk', ordered: 2, available: 1, code: 'pickup_store_lacks', message: 'has 1 of 2', transfer_from: ['loc-fw1'] },
        ],
      },
    };
    api(READ, unroutable);
    renderDetail('o-8');
    const card = within(await screen.findByTestId('order-routing', undefined, T));
    expect(card.getAllByTestId('routing-code')[0].textContent).toBe('自提门店缺货');
    expect(card.getByText('到店自提')).toBeTruthy();
    expect(card.queryByTestId('routing-promise')).toBeNull();
    const shortages = within(card.getByTestId('routing-shortages'));
    expect(shortages.getByText('sku-milk：订购 2，可用 1')).toBeTruthy();
    expect(shortages.getByText('has 1 of 2')).toBeTruthy();
    expect(shortages.getByText('可从以下位置调拨：loc-fw1')).toBeTruthy();
    fireEvent.click(card.getByText('全部候选位置（1）'));
    const cand = within(await card.findByTestId('routing-candidate-loc-new', undefined, T));
    expect(cand.getByText('brand_new_code')).toBeTruthy();
    expect(cand.getByText('locker')).toBeTruthy();
  }, 60_000);
});

describe('OrderDetailPage exchanges', () => {
  it('previews an exchange of a completed order and confirms it with exactly the payment the server asked for', async () => {
    const exPreview = {
      kind: 'exchange' as const,
      lines: [{ line_id: 'L1', qty: 1, refund_fen: 745, restocked: true }],
      added: [{ line_id: 'X1-1', sku_id: 'sku-eggs', sku_code: 'EGGS', qty: 1, unit_price_fen: 2000, amount_fen: 2000 }],
      due_fen: 1255,
      refund_fen: 0,
      claw_back_fen: 0,
      notes: ['returned units worth ¥7.45, new items ¥20.00: the customer pays ¥12.55'],
    };
    let confirmed: OrderChangeRequest | undefined;
    const calls = api([...READ, 'orders:write'], detail, {
      'GET /skus': () => page([{ id: 'sku-eggs', code: 'EGGS', name: '鸡蛋', product_id: 'p', unit: 'each', list_price_fen: 2000, status: 'active' }]),
      'POST /orders/o-1/changes/preview': () => ({ body: exPreview }),
      'POST /orders/o-1/changes': (c: FakeCall) => {
        confirmed = c.body as OrderChangeRequest;
        const change = { ...exPreview, id: 'ch-7', version: 1, reference: confirmed.reference };
        return {
          body: {
            change,
            order: {
              ...detail,
              version: 1,
              lines: [
                ...detail.lines.map((l) => (l.id === 'L1' ? { ...l, returned_qty: 1 } : l)),
                { ...detail.lines[0], id: 'X1-1', sku_id: 'sku-eggs', sku_code: 'EGGS', name: '鸡蛋', qty: 1, exchange_for: 'L1', shares: [] },
              ],
              changes: [change],
            },
          },
        };
      },
    });
    renderDetail();
    fireEvent.click(await screen.findByTestId('order-exchange', undefined, T));
    fireEvent.change(await screen.findByTestId('change-qty-L1', undefined, T), { target: { value: '1' } });
    expect(screen.getByTestId('change-preview').hasAttribute('disabled')).toBe(true); // no item chosen yet
    const picker = within(screen.getByTestId('change-item-sku-0')).getByRole('combobox');
    fireEvent.change(picker, { target: { value: '鸡蛋' } });
    fireEvent.click(await screen.findByText('鸡蛋 · EGGS', undefined, T));
    fireEvent.click(screen.getByTestId('change-preview'));
    expect((await screen.findByTestId('change-preview-result', undefined, T)).textContent).toContain('¥12.55');
    const sent = calls.find((c) => c.path === '/orders/o-1/changes/preview')!.body as OrderChangeRequest;
    expect(sent).toMatchObject({ kind: 'exchange', restock: true, lines: [{ line_id: 'L1', qty: 1 }], items: [{ sku_id: 'sku-eggs', qty: 1 }] });
    expect(sent.payment).toBeUndefined();
    await waitFor(() => expect(screen.getByTestId('change-confirm').hasAttribute('disabled')).toBe(false), T);
    fireEvent.click(screen.getByTestId('change-confirm'));
    await waitFor(() => expect(confirmed).toEqual({ ...sent, payment: { method: 'cash', amount_fen: 1255 } }), T);
    expect(await screen.findByTestId('line-exchange-X1-1', undefined, T)).toBeTruthy();
  }, 60_000);
});

describe('OrderDetailPage substitutions', () => {
  it('previews a substitution while picking, shows what the customer pays, and confirms it once', async () => {
    const picking: OrderDetail = { ...detail, status: 'picking', fulfilment: 'pickup' };
    const subPreview = {
      kind: 'substitution' as const,
      lines: [
        {
          line_id: 'L1',
          qty: 1,
          refund_fen: 525,
          restocked: true,
          substitute_line_id: 'L1-S1',
          substitute_sku_id: 'sku-bread',
          substitute_qty: 1,
          substitute_amount_fen: 800,
          substitute_net_fen: 800,
        },
      ],
      refund_fen: 525,
      claw_back_fen: 0,
      notes: ['L1: 1 of MILK1L replaced by 1 of BREAD at ¥8.00; the customer pays ¥8.00'],
    };
    let confirmed: OrderChangeRequest | undefined;
    const calls = api([...READ, 'orders:write'], picking, {
      'GET /skus': () => page([{ id: 'sku-bread', code: 'BREAD', name: '面包', product_id: 'p', unit: 'each', list_price_fen: 800, status: 'active' }]),
      'POST /orders/o-1/changes/preview': () => ({ body: subPreview }),
      'POST /orders/o-1/changes': (c: FakeCall) => {
        confirmed = c.body as OrderChangeRequest;
        const change = { ...subPreview, id: 'ch-9', version: 1, reference: confirmed.reference };
        return {
          body: {
            change,
            order: {
              ...picking,
              version: 1,
              lines: [
                ...picking.lines.map((l) => (l.id === 'L1' ? { ...l, substituted_qty: 1 } : l)),
                { ...picking.lines[0], id: 'L1-S1', sku_id: 'sku-bread', sku_code: 'BREAD', name: '面包', qty: 1, substitute_for: 'L1', shares: [] },
              ],
              changes: [change],
            },
          },
        };
      },
    });
    renderDetail();
    fireEvent.click(await screen.findByTestId('order-substitute', undefined, T));
    expect((await screen.findByTestId('change-preview', undefined, T)).hasAttribute('disabled')).toBe(true);
    fireEvent.change(screen.getByTestId('change-qty-L1'), { target: { value: '1' } });
    expect(screen.getByTestId('change-preview').hasAttribute('disabled')).toBe(true); // no substitute chosen yet
    const picker = within(screen.getByTestId('change-sub-sku-L1')).getByRole('combobox');
    fireEvent.change(picker, { target: { value: '面包' } });
    fireEvent.click(await screen.findByText('面包 · BREAD', undefined, T));
    fireEvent.click(screen.getByTestId('change-preview'));
    expect((await screen.findByTestId('change-pays-L1', undefined, T)).textContent).toBe('¥8.00');
    expect(screen.getByTestId('change-refund-L1').textContent).toBe('¥5.25');
    const sent = calls.find((c) => c.path === '/orders/o-1/changes/preview')!.body as OrderChangeRequest;
    expect(sent).toMatchObject({ kind: 'substitution', lines: [{ line_id: 'L1', qty: 1, substitute_sku_id: 'sku-bread' }] });
    expect(sent.reference).toMatch(/^sub-/);
    await waitFor(() => expect(screen.getByTestId('change-confirm').hasAttribute('disabled')).toBe(false), T);
    fireEvent.click(screen.getByTestId('change-confirm'));
    await waitFor(() => expect(confirmed).toEqual(sent), T);
    expect(await screen.findByTestId('line-substitute-L1-S1', undefined, T)).toBeTruthy();
    expect(screen.getByTestId('line-substituted-L1').textContent).toContain('已替换');
  }, 60_000);
});

describe('CustomerOrdersCard', () => {
  it('lists the customer’s orders, each linking to its detail', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read', 'org:read']) }),
      'GET /store-names': storeNamesRoute(stores),
      'GET /orders': () => page([summary, { ...summary2, customer_id: 'c1' }]),
    });
    renderRoute(<CustomerOrdersCard customerId="c1" />, { path: '/customers/c1' });
    const card = within(await screen.findByTestId('customer-orders', undefined, T));
    const link = await card.findByText('20261207-3F9A1C2B', undefined, T);
    expect(link.closest('a')?.getAttribute('href')).toBe('/orders/o-1');
    expect(card.getByText('配送中')).toBeTruthy();
    expect(await card.findByText('上海徐汇店', undefined, T)).toBeTruthy();
    expect(calls.find((c) => c.path === '/orders')?.query.get('customer_id')).toBe('c1');
  }, 60_000);
});
