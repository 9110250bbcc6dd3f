import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import dayjs from 'dayjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storeNamesRoute, stores } from '../../test/fixtures';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { summary, summary2 } from './fixtures';
import OrdersPage, { toFilter } from './OrdersPage';
import { addDays, localDay } from './salesChart';

afterEach(() => {
  vi.unstubAllGlobals();
});

const T = { timeout: 20_000 };

/** pick opens the antd Select with the given test id and clicks an option. */
async function pick(testId: string, option: string) {
  fireEvent.mouseDown(within(screen.getByTestId(testId)).getByRole('combobox'));
  const items = await screen.findAllByTitle(option, undefined, T);
  fireEvent.click(items[items.length - 1]);
}

const older = { ...summary, id: 'o-3', number: '20261101-0000FFFF', placed_at: '2026-11-01T02:00:00Z' };

describe('OrdersPage', () => {
  it('lists orders with names and yuan, never raw enums or ids, and filters by store, status and channel', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read', 'org:read']) }),
      'GET /stores': () => page(stores),
      'GET /store-names': storeNamesRoute(stores),
      'GET /orders': (c) =>
        page(
          (c.query.get('cursor') ? [older] : [summary, summary2]).filter(
            (o) =>
              (!c.query.get('status') || o.status === c.query.get('status')) &&
              (!c.query.get('store_id') || o.store_id === c.query.get('store_id')) &&
              (!c.query.get('channel') || o.channel === c.query.get('channel')),
          ),
          c.query.get('cursor') ? undefined : 'next-1',
        ),
    });
    renderRoute(<OrdersPage />, { path: '/orders' });

    const table = within(await screen.findByTestId('orders-table', undefined, T));
    expect(await table.findByText('20261207-3F9A1C2B', undefined, T)).toBeTruthy();
    expect(await table.findByText('上海徐汇店', undefined, T)).toBeTruthy(); // store name, not s1
    expect(table.getByText('北京国贸店')).toBeTruthy();
    expect(table.getByText('门店收银')).toBeTruthy();
    expect(table.getByText('小程序')).toBeTruthy();
    expect(table.getByText('已完成')).toBeTruthy();
    expect(table.getByText('配送中')).toBeTruthy();
    expect(table.getByText('即时配送')).toBeTruthy();
    expect(table.getAllByText('¥35.50').length).toBeGreaterThan(0);
    expect(table.getByText('匿名')).toBeTruthy();
    // Local time in the store's zone: 02:05:09Z is 10:05:09 in Shanghai.
    expect(table.getByText('2026-12-07 10:05:09')).toBeTruthy();
    const text = screen.getByTestId('orders-table').textContent ?? '';
    for (const raw of ['o-1', 's1', 'pos', 'completed', 'out_for_delivery', 'mini_program']) expect(text).not.toContain(raw);
    expect(table.getAllByTestId('order-link')[0].getAttribute('href')).toBe('/orders/o-1');

    // Cursor paging: "load more" asks for the next page with the cursor.
    fireEvent.click(screen.getByTestId('load-more'));
    await waitFor(() => expect(calls.some((c) => c.path === '/orders' && c.query.get('cursor') === 'next-1')).toBe(true), T);
    expect(await table.findByText('20261101-0000FFFF', undefined, T)).toBeTruthy();

    await pick('orders-filter-status', '已完成');
    await pick('orders-filter-store', '上海徐汇店 · SH001');
    await pick('orders-filter-channel', '门店收银');
    fireEvent.click(screen.getByTestId('orders-search'));
    await waitFor(
      () =>
        expect(
          calls.some(
            (c) =>
              c.path === '/orders' &&
              c.query.get('status') === 'completed' &&
              c.query.get('store_id') === 's1' &&
              c.query.get('channel') === 'pos' &&
              c.query.get('limit') === '50',
          ),
        ).toBe(true),
      T,
    );
    await waitFor(() => expect(within(screen.getByTestId('orders-table')).queryByText('20261206-00AA11BB')).toBeNull(), T);
    expect(within(screen.getByTestId('orders-table')).getByText('20261207-3F9A1C2B')).toBeTruthy();
  }, 60_000);

  it('turns the chosen days into a from/to range of whole local days', () => {
    const f = toFilter({ range: [dayjs('2026-12-01T15:00:00'), dayjs('2026-12-07T09:00:00')], status: undefined });
    expect(f.from).toBe(dayjs('2026-12-01T00:00:00').toISOString());
    expect(f.to).toBe(dayjs('2026-12-08T00:00:00').toISOString());
    expect(toFilter({})).toEqual({ store_id: undefined, status: undefined, channel: undefined, from: undefined, to: undefined });
  });

  it('reads its filter from the link it was opened with, and drops the customer on request', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read']) }),
      'GET /orders': () => page([summary]),
    });
    renderRoute(<OrdersPage />, { path: '/orders', url: '/orders?customer_id=c1&status=completed' });
    expect(await within(await screen.findByTestId('orders-table', undefined, T)).findByText('20261207-3F9A1C2B', undefined, T)).toBeTruthy();
    const first = calls.find((c) => c.path === '/orders')!;
    expect(first.query.get('customer_id')).toBe('c1');
    expect(first.query.get('status')).toBe('completed');
    expect(within(screen.getByTestId('orders-filter-status')).getByText('已完成')).toBeTruthy();
    // Without org:read no store name can be read: the store shows as a short id.
    expect(within(screen.getByTestId('orders-table')).getByText('s1')).toBeTruthy();

    const tag = screen.getByTestId('orders-filter-customer');
    fireEvent.click(tag.querySelector('.ant-tag-close-icon')!);
    await waitFor(
      () => expect(calls.some((c) => c.path === '/orders' && !c.query.get('customer_id') && c.query.get('status') === 'completed')).toBe(true),
      T,
    );
    fireEvent.click(screen.getByTestId('orders-reset'));
    await waitFor(() => expect(calls.some((c) => c.path === '/orders' && !c.query.get('status'))).toBe(true), T);
  }, 60_000);

  it('charts payable per day by channel over the last 90 days, totals the range, and follows the preset and store', async () => {
    const today = localDay(new Date());
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read', 'org:read']) }),
      'GET /stores': () => page(stores),
      'GET /orders': () => page([summary]),
      'GET /order-daily-sales': () => ({
        body: {
          days: [
            { day: addDays(today, -1), channel: 'pos', orders: 3, payable_fen: 10650, refunded_fen: 0 },
            { day: addDays(today, -1), channel: 'meituan', orders: 1, payable_fen: 2000, refunded_fen: 500 },
            { day: today, channel: 'pos', orders: 2, payable_fen: 7100, refunded_fen: 0 },
          ],
        },
      }),
    });
    renderRoute(<OrdersPage />, { path: '/orders' });

    const card = await screen.findByTestId('orders-sales', undefined, T);
    await waitFor(() => expect(screen.getByTestId('chart-orders-sales').querySelector('svg')).not.toBeNull(), T);
    const totals = screen.getByTestId('sales-totals').textContent ?? '';
    expect(totals).toContain('6 单');
    expect(totals).toContain('¥197.50');
    expect(totals).toContain('退款 ¥5.00');
    expect(totals).toContain(`至 ${today}`);
    // The legend names the channels in Chinese.
    await waitFor(() => expect(screen.getByTestId('chart-orders-sales').textContent).toContain('门店收银'), T);
    const svg = screen.getByTestId('chart-orders-sales').textContent ?? '';
    expect(svg).toContain('美团');
    expect(svg).not.toContain('meituan');
    expect(within(card).getByText('各渠道每日应付金额')).toBeTruthy();

    const first = calls.find((c) => c.path === '/order-daily-sales')!;
    const span = (c: typeof first) => (Date.parse(c.query.get('to')!) - Date.parse(c.query.get('from')!)) / 86_400_000;
    expect(span(first)).toBe(90);
    expect(first.query.get('store_id')).toBeNull();

    // Two years: asked for 730 days and summed per week.
    fireEvent.click(within(card).getByText('2 年'));
    await waitFor(() => expect(calls.some((c) => c.path === '/order-daily-sales' && span(c) === 730)).toBe(true), T);
    expect(await within(card).findByText('各渠道每周应付金额（周一起）', undefined, T)).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('sales-totals').textContent).toContain('6 单'), T);

    // The list's store filter narrows the chart too.
    await pick('orders-filter-store', '上海徐汇店 · SH001');
    fireEvent.click(screen.getByTestId('orders-search'));
    await waitFor(() => expect(calls.some((c) => c.path === '/order-daily-sales' && c.query.get('store_id') === 's1' && span(c) === 730)).toBe(true), T);
  }, 60_000);

  it('says so when nothing sold, and links the channel inbox', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read']) }),
      'GET /orders': () => page([]),
      'GET /order-daily-sales': () => ({ body: { days: [] } }),
    });
    const { router } = renderRoute(<OrdersPage />, { path: '/orders' });
    expect(await within(await screen.findByTestId('orders-sales', undefined, T)).findByText('该时间段内没有销售', undefined, T)).toBeTruthy();
    expect(screen.getByTestId('sales-totals').textContent).toContain('0 单');
    expect(screen.queryByTestId('chart-orders-sales')).toBeNull();
    fireEvent.click(await screen.findByTestId('orders-inbox-link', undefined, T));
    await waitFor(() => expect(router.state.location.pathname).toBe('/orders/inbox'), T);
  }, 60_000);
});
