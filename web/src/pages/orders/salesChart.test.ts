import { describe, expect, it } from 'vitest';
import type { DailySalesRow } from '../../api/orders';
import { addDays, bucketSales, localDay, midnight, salesOption, salesRange, weekStart } from './salesChart';

const row = (day: string, channel: string, payable_fen: number, orders = 1, refunded_fen = 0): DailySalesRow => ({
  day,
  channel,
  orders,
  payable_fen,
  refunded_fen,
});

describe('sales range', () => {
  it('asks for whole days in the tenant’s zone, today included', () => {
    // 20:00 UTC on the 6th is already the 7th in Shanghai.
    const now = new Date('2026-12-06T20:00:00Z');
    expect(localDay(now)).toBe('2026-12-07');
    const r = salesRange(90, now);
    expect(r).toEqual({
      first: '2026-09-09',
      last: '2026-12-07',
      from: '2026-09-08T16:00:00.000Z',
      to: '2026-12-07T16:00:00.000Z',
      weekly: false,
    });
    expect((Date.parse(r.to) - Date.parse(r.from)) / 86_400_000).toBe(90);
    expect(salesRange(30, now).weekly).toBe(false);
    expect(salesRange(365, now).weekly).toBe(true);
    expect(salesRange(730, now).first).toBe('2024-12-08');
  });

  it('finds midnight across a daylight saving change and steps days across months and leap days', () => {
    expect(midnight('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(midnight('2026-03-09', 'America/New_York')).toBe('2026-03-09T04:00:00.000Z');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(weekStart('2026-12-07')).toBe('2026-12-07'); // a Monday
    expect(weekStart('2026-12-13')).toBe('2026-12-07'); // the Sunday after
  });
});

describe('bucketSales', () => {
  it('fills every day, orders the channels as the console does and totals the range', () => {
    const s = bucketSales(
      [
        row('2026-12-05', 'meituan', 2000, 1, 500),
        row('2026-12-05', 'pos', 3550, 2),
        row('2026-12-07', 'pos', 1000),
        row('2026-12-01', 'pos', 99_999), // before the range
        row('2026-12-06', 'kiosk', 100), // a channel the console does not know yet
      ],
      { first: '2026-12-05', last: '2026-12-07', weekly: false },
    );
    expect(s.buckets).toEqual(['2026-12-05', '2026-12-06', '2026-12-07']);
    expect(s.channels).toEqual(['pos', 'meituan', 'kiosk']);
    expect(s.payable.pos).toEqual([3550, 0, 1000]);
    expect(s.payable.meituan).toEqual([2000, 0, 0]);
    expect(s.totals).toEqual({ orders: 5, payable_fen: 6650, refunded_fen: 500 });
  });

  it('sums two years into Monday weeks, losing nothing', () => {
    const range = salesRange(730, new Date('2026-12-07T04:00:00Z'));
    const rows: DailySalesRow[] = [];
    for (let d = range.first; d <= range.last; d = addDays(d, 1)) rows.push(row(d, 'pos', 100), row(d, 'eleme', 50));
    const s = bucketSales(rows, range);
    expect(s.buckets.length).toBeGreaterThanOrEqual(104);
    expect(s.buckets.length).toBeLessThanOrEqual(106);
    expect(s.buckets[0]).toBe(range.first);
    expect(s.buckets.slice(1).every((d) => weekStart(d) === d)).toBe(true);
    expect(s.payable.pos[1]).toBe(700); // a whole week
    expect(s.payable.pos.reduce((a, b) => a + b, 0)).toBe(730 * 100);
    expect(s.totals.payable_fen).toBe(730 * 150);
    expect(s.totals.orders).toBe(1460);
  });
});

describe('salesOption', () => {
  it('stacks one area per channel, by name, in yuan, with a ¥ axis and a tooltip in fen-exact yuan', () => {
    const s = bucketSales([row('2026-12-06', 'pos', 3550), row('2026-12-06', 'mini_program', 1205)], {
      first: '2026-12-06',
      last: '2026-12-07',
      weekly: false,
    });
    const names: Record<string, string> = { pos: '门店收银', mini_program: '小程序<b>' };
    const o = salesOption(s, { channelName: (c) => names[c], bucketName: (d) => d, weekly: false });
    expect(o.series.map((x) => x.name)).toEqual(['门店收银', '小程序<b>']);
    expect(o.series.every((x) => x.stack === 'payable' && x.type === 'line' && x.areaStyle)).toBe(true);
    expect(o.series[0].data).toEqual([35.5, 0]);
    expect(o.yAxis.axisLabel.formatter).toBe('¥{value}');
    expect(o.xAxis.axisLabel.formatter('2026-12-06')).toBe('12-06');
    const html = o.tooltip.formatter([
      { axisValue: '2026-12-06', marker: '', seriesName: '门店收银', value: 35.5 },
      { axisValue: '2026-12-06', marker: '', seriesName: '小程序<b>', value: 12.05 },
    ]);
    expect(html).toContain('门店收银: ¥35.50');
    expect(html).toContain('小程序&#60;b&#62;: ¥12.05');
    expect(html).toContain('Σ ¥47.55');
  });
});
