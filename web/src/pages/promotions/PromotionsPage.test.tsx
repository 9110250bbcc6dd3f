import { configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import dayjs from 'dayjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CalendarItem, Promotion } from '../../api/types';
import { fakeApi, page, renderRoute } from '../../test/render';
import { barsOf } from './PromotionCalendar';
import PromotionsPage, { usagePercent } from './PromotionsPage';

// antd pages render slowly in jsdom on a busy machine: wait longer than the 1 s default.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  vi.unstubAllGlobals();
});

const promotions: Promotion[] = [
  {
    id: 'p1',
    code: 'MJ-100',
    name: '周末满减',
    status: 'active',
    effective_status: 'scheduled',
    definition: {
      kind: 'threshold',
      priority: 10,
      group: 'order',
      scope: { all: true },
      conditions: { weekdays: [6, 0] },
      threshold: { tiers: [{ spend: 10000, off: 1000 }, { spend: 20000, off: 3000 }] },
    },
    limits: { budget_fen: 1000000, max_uses: 1000, max_uses_per_customer: null },
    usage: { discount_fen: 950000, uses: 250 },
    starts_at: '2026-11-01T00:00:00Z',
    created_at: '2026-10-01T00:00:00Z',
    updated_at: '2026-10-01T00:00:00Z',
  },
  {
    id: 'p2',
    code: 'HALF',
    name: '第二件半价',
    status: 'draft',
    limits: {},
    usage: { discount_fen: 0, uses: 0 },
    effective_status: 'draft',
    definition: { kind: 'nth_item', scope: { categories: ['c2'] }, conditions: {}, nth_item: { n: 2, off_bp: 5000 } },
    created_at: '2026-10-01T00:00:00Z',
    updated_at: '2026-10-01T00:00:00Z',
  },
];

describe('PromotionsPage', { timeout: 120_000 }, () => {
  it('lists promotions with their rules, recurrence and usage against the limits, and activates a draft', async () => {
    const calls = fakeApi({
      'GET /promotions': (c) =>
        page(promotions.filter((p) => !c.query.get('effective_status') || p.effective_status === c.query.get('effective_status'))),
      'POST /promotions/p2/activate': () => ({ body: { ...promotions[1], status: 'active' } }),
    });
    renderRoute(<PromotionsPage />, { path: '/promotions' });

    const table = within(await screen.findByTestId('promotions-table'));
    expect(await table.findByText('周末满减')).toBeTruthy();
    expect(table.getByText('满100减10 · 满200减30')).toBeTruthy();
    expect(table.getByText('第2件5折')).toBeTruthy();
    expect(table.getByText('周六·周日')).toBeTruthy(); // recurring on weekends
    expect(table.getByText('P10')).toBeTruthy();
    // Activated with a start still ahead: shown as scheduled, not running.
    expect(table.getAllByTestId('promotion-status')[0].textContent).toBe('未开始');
    expect(table.getByText('order')).toBeTruthy();
    // ¥9,500 of a ¥10,000 budget: 95%, shown in red.
    const usage = table.getAllByTestId('promotion-usage')[0];
    expect(usage.textContent).toContain('¥9,500.00 / ¥10,000.00');
    expect(usage.querySelector('.ant-progress-status-exception')).not.toBeNull();

    fireEvent.click(table.getByTestId('promotion-activate'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/promotions/p2/activate')).toBe(true));
    expect(await screen.findByText('“第二件半价”已启用')).toBeTruthy();

    fireEvent.click(within(screen.getByTestId('promotion-filter-status')).getByText('草稿'));
    await waitFor(() => expect(calls.some((c) => c.path === '/promotions' && c.query.get('effective_status') === 'draft')).toBe(true));
    await waitFor(() => expect(screen.queryByText('周末满减')).toBeNull());
    fireEvent.click(within(screen.getByTestId('promotion-filter-status')).getByText('未开始'));
    await waitFor(() => expect(calls.some((c) => c.path === '/promotions' && c.query.get('effective_status') === 'scheduled')).toBe(true));
    expect(await screen.findByText('周末满减')).toBeTruthy();
  });

  it('draws the calendar of the month with every window of a recurring promotion', async () => {
    const month = dayjs().startOf('month');
    const item: CalendarItem = {
      promotion_id: 'p1',
      code: 'MJ-100',
      name: '周末满减',
      type: 'threshold',
      status: 'active',
      priority: 10,
      stacking_group: 'order',
      windows: [1, 8, 15].map((d) => ({
        start: month.add(d, 'day').toISOString(),
        end: month.add(d + 1, 'day').toISOString(),
      })),
    };
    const calls = fakeApi({
      'GET /promotions': () => page(promotions),
      'GET /promotions/calendar': () => ({ body: { items: [item] } }),
    });
    renderRoute(<PromotionsPage />, { path: '/promotions', url: '/promotions?view=calendar' });

    const calendar = within(await screen.findByTestId('promotion-calendar'));
    await waitFor(() => expect(calendar.getAllByTestId('calendar-bar')).toHaveLength(3));
    expect(calendar.getByText('周末满减')).toBeTruthy();
    const call = calls.find((c) => c.path === '/promotions/calendar')!;
    expect(dayjs(call.query.get('from')!).valueOf()).toBe(month.valueOf());
    expect(dayjs(call.query.get('to')!).valueOf()).toBe(month.add(1, 'month').valueOf());

    fireEvent.click(screen.getByRole('button', { name: '下个月' }));
    await waitFor(() =>
      expect(calls.some((c) => c.path === '/promotions/calendar' && dayjs(c.query.get('from')!).valueOf() === month.add(1, 'month').valueOf())).toBe(true),
    );
  });
});

describe('calendar and usage helpers', () => {
  it('clips windows to the month and places them in percent', () => {
    const from = dayjs('2026-11-01T00:00:00Z');
    const to = dayjs('2026-12-01T00:00:00Z');
    const bars = barsOf(
      {
        windows: [
          { start: '2026-10-30T00:00:00Z', end: '2026-11-04T00:00:00Z' },
          { start: '2026-11-16T00:00:00Z', end: '2026-11-16T01:00:00Z' },
          { start: '2026-12-02T00:00:00Z', end: '2026-12-03T00:00:00Z' },
        ],
      },
      from,
      to,
    );
    expect(bars).toHaveLength(2);
    expect(bars[0].left).toBe(0);
    expect(bars[0].width).toBeCloseTo(10, 5);
    expect(bars[1].left).toBeCloseTo(50, 5);
    expect(bars[1].width).toBe(0.35); // an hour stays visible
  });

  it('measures usage against a limit', () => {
    expect(usagePercent(250, 1000)).toBe(25);
    expect(usagePercent(2000, 1000)).toBe(100);
    expect(usagePercent(5, null)).toBeUndefined();
  });
});
