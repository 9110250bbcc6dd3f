// The daily sales chart of the orders page: the range of local days asked for, the
// days (or weeks, for long ranges) summed per channel, and the ECharts option. Pure,
// so the tests check them without a DOM.
import { ORDER_CHANNELS, type DailySalesRow } from '../../api/orders';
import { escapeHtml } from '../../lib/charts';
import { formatFen } from '../../lib/money';

/** TENANT_ZONE is the tenant's time zone: the server cuts sales days in it. */
export const TENANT_ZONE = 'Asia/Shanghai';

/** SALES_PRESETS are the ranges offered, in days ending today. */
export const SALES_PRESETS = [30, 90, 365, 730] as const;
export type SalesPreset = (typeof SALES_PRESETS)[number];

/** WEEKLY_AFTER is the longest range still drawn per day; longer ones are drawn per week. */
export const WEEKLY_AFTER = 120;

const DAY_MS = 86_400_000;

/** localDay is the calendar day (YYYY-MM-DD) an instant falls on in zone. */
export function localDay(at: Date, zone: string = TENANT_ZONE): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** addDays moves a YYYY-MM-DD day by n days. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + n * DAY_MS).toISOString().slice(0, 10);
}

/** zoneOffset is how far zone's wall clock is ahead of UTC at an instant (ms). */
function zoneOffset(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(ms / 1000) * 1000;
}

/** midnight is the instant a local day starts in zone, as RFC 3339. */
export function midnight(day: string, zone: string = TENANT_ZONE): string {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  let at = wall - zoneOffset(wall, zone);
  const again = wall - zoneOffset(at, zone); // the offset may differ across a DST change
  if (again !== at) at = again;
  return new Date(at).toISOString();
}

export interface SalesRange {
  /** first and last are the local days shown (inclusive). */
  first: string;
  last: string;
  /** from and to are the instants asked for: from the first day's start to the day after the last. */
  from: string;
  to: string;
  weekly: boolean;
}

/** salesRange is the last `days` local days up to and including today. */
export function salesRange(days: number, now: Date = new Date(), zone: string = TENANT_ZONE): SalesRange {
  const last = localDay(now, zone);
  const first = addDays(last, -(days - 1));
  return { first, last, from: midnight(first, zone), to: midnight(addDays(last, 1), zone), weekly: days > WEEKLY_AFTER };
}

/** weekStart is the Monday of a day's week. */
export function weekStart(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
}

export interface SalesSeries {
  /** buckets are the days (or the weeks' first days inside the range), oldest first. */
  buckets: string[];
  /** channels present in the rows, in the console's channel order (unknown ones last). */
  channels: string[];
  /** payable is the payable (fen) per channel, one figure per bucket. */
  payable: Record<string, number[]>;
  totals: { orders: number; payable_fen: number; refunded_fen: number };
}

/**
 * bucketSales sums the rows per channel per day of the range (every day present,
 * zero when nothing sold), or per week (Monday first) when range.weekly; rows
 * outside the range are left out.
 */
export function bucketSales(rows: DailySalesRow[], range: Pick<SalesRange, 'first' | 'last' | 'weekly'>): SalesSeries {
  const buckets: string[] = [];
  const index = new Map<string, number>();
  const keyOf = (day: string) => (range.weekly ? weekStart(day) : day);
  for (let day = range.first; day <= range.last; day = addDays(day, 1)) {
    const k = keyOf(day);
    if (!index.has(k)) {
      index.set(k, buckets.length);
      buckets.push(day);
    }
  }
  const known = new Set<string>(ORDER_CHANNELS);
  const seen = new Set<string>();
  const payable: Record<string, number[]> = {};
  const totals = { orders: 0, payable_fen: 0, refunded_fen: 0 };
  for (const r of rows) {
    if (r.day < range.first || r.day > range.last) continue;
    const i = index.get(keyOf(r.day));
    if (i === undefined) continue;
    seen.add(r.channel);
    (payable[r.channel] ??= new Array<number>(buckets.length).fill(0))[i] += r.payable_fen;
    totals.orders += r.orders;
    totals.payable_fen += r.payable_fen;
    totals.refunded_fen += r.refunded_fen;
  }
  const channels = [
    ...ORDER_CHANNELS.filter((c) => seen.has(c)),
    ...[...seen].filter((c) => !known.has(c)).sort(),
  ];
  return { buckets, channels, payable, totals };
}

const COLORS: Record<string, string> = {
  pos: '#1677ff',
  mini_program: '#52c41a',
  app: '#722ed1',
  web: '#13c2c2',
  meituan: '#fadb14',
  eleme: '#2f54eb',
  marketplace: '#fa541c',
};

/**
 * salesOption draws the payable per bucket as areas stacked by channel, in yuan;
 * channelName localizes a channel, bucketName names a bucket (a day, or the week
 * starting on it) in the tooltip.
 */
export function salesOption(s: SalesSeries, opts: { channelName: (c: string) => string; bucketName: (day: string) => string; weekly: boolean }) {
  const many = s.buckets.length > 60;
  return {
    tooltip: {
      trigger: 'axis',
      formatter: (items: { axisValue: string; marker: string; seriesName: string; value: number }[]) => {
        const list = Array.isArray(items) ? items : [items];
        const total = list.reduce((sum, p) => sum + Math.round(Number(p.value) * 100), 0);
        return [
          escapeHtml(opts.bucketName(list[0]?.axisValue ?? '')),
          ...list.map((p) => `${p.marker}${escapeHtml(p.seriesName)}: ${formatFen(Math.round(Number(p.value) * 100))}`),
          `Σ ${formatFen(total)}`,
        ].join('<br/>');
      },
    },
    legend: { type: 'scroll', bottom: 0 },
    // ECharts 6's spelling of containLabel (which needs a legacy module): keep the axis labels inside.
    grid: { left: 8, right: 16, top: 24, bottom: 36, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: s.buckets,
      axisLabel: { formatter: (v: string) => (opts.weekly ? v : v.slice(5)) },
    },
    yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
    series: s.channels.map((c) => ({
      name: opts.channelName(c),
      type: 'line',
      stack: 'payable',
      areaStyle: { opacity: 0.35 },
      showSymbol: !many,
      symbolSize: 4,
      itemStyle: COLORS[c] ? { color: COLORS[c] } : undefined,
      emphasis: { focus: 'series' },
      data: s.payable[c].map((fen) => fen / 100),
    })),
  };
}
