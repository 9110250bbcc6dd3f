// ECharts options of the simulation report; pure, so the tests check them without a DOM.
import type { Simulation } from '../../api/types';
import { formatPercent } from '../../lib/format';

const yuanOf = (fen: number) => Math.round(fen) / 100;

/** histogramOption draws how many orders saved how much (one bar per savings bucket). */
export function histogramOption(sim: Pick<Simulation, 'savings_histogram'>, ordersLabel: string) {
  const buckets = sim.savings_histogram ?? [];
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      name: '¥',
      data: buckets.map((b) => (b.max_fen === null ? `≥${yuanOf(b.min_fen)}` : `${yuanOf(b.min_fen)}–${yuanOf(b.max_fen)}`)),
      axisLabel: { interval: 0, rotate: buckets.length > 8 ? 30 : 0 },
    },
    yAxis: { type: 'value', minInterval: 1, name: ordersLabel },
    series: [
      {
        type: 'bar',
        name: ordersLabel,
        data: buckets.map((b) => b.orders),
        barMaxWidth: 40,
        itemStyle: { color: '#fa8c16', borderRadius: [4, 4, 0, 0] },
        label: { show: buckets.length <= 12, position: 'top' },
      },
    ],
  };
}

/** byDayOption draws the discount (bars, yuan) and the affected orders (line) per day. */
export function byDayOption(sim: Pick<Simulation, 'by_day'>, labels: { discount: string; affected: string; orders: string }) {
  const days = sim.by_day ?? [];
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 8, right: 8, top: 32, bottom: 32, containLabel: true },
    xAxis: { type: 'category', data: days.map((d) => d.date.slice(5)) },
    yAxis: [
      { type: 'value', name: labels.discount, axisLabel: { formatter: '¥{value}' } },
      { type: 'value', name: labels.orders, minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      {
        type: 'bar',
        name: labels.discount,
        data: days.map((d) => yuanOf(d.discount_fen)),
        itemStyle: { color: '#f5222d', borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 24,
      },
      {
        type: 'line',
        name: labels.affected,
        yAxisIndex: 1,
        smooth: true,
        data: days.map((d) => d.affected_orders),
        itemStyle: { color: '#1677ff' },
      },
      {
        type: 'line',
        name: labels.orders,
        yAxisIndex: 1,
        smooth: true,
        data: days.map((d) => d.orders),
        lineStyle: { type: 'dashed' },
        itemStyle: { color: '#8c8c8c' },
      },
    ],
  };
}

/** topSkusOption draws the SKUs that take most of the discount, largest on top. */
export function topSkusOption(sim: Pick<Simulation, 'top_skus'>, name: (skuId: string) => string, discountLabel: string) {
  const top = (sim.top_skus ?? []).slice(0, 10);
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
    yAxis: { type: 'category', inverse: true, data: top.map((s) => name(s.sku_id)), axisLabel: { width: 120, overflow: 'truncate' } },
    series: [
      {
        type: 'bar',
        name: discountLabel,
        data: top.map((s) => yuanOf(s.discount_fen)),
        itemStyle: { color: '#eb2f96', borderRadius: [0, 4, 4, 0] },
        label: { show: true, position: 'right', formatter: '¥{c}' },
        barMaxWidth: 22,
      },
    ],
  };
}

/** ratio renders part/whole as a percent with one decimal, or "—". */
export function ratio(part: number, whole: number): string {
  return whole ? formatPercent(part / whole) : '—';
}
