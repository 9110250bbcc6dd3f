// Chart options of the loyalty reports page: pure functions of the server's figures,
// so the page only draws what the server summed.
import type { CouponFunnel, PointsReport } from '../../api/loyalty';

type Program = PointsReport['programs'][number];

/** liabilityOption charts outstanding points by expiry month (the never-expiring last). */
export function liabilityOption(p: Program, neverLabel: string, pointsLabel: string) {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 60, right: 20, top: 20, bottom: 40 },
    xAxis: { type: 'category', data: p.liability.map((l) => l.month || neverLabel) },
    yAxis: { type: 'value' },
    series: [{ name: pointsLabel, type: 'bar', data: p.liability.map((l) => l.points) }],
  };
}

export interface EarnBurnTotals {
  key: string;
  earned: number;
  redeemed: number;
  reversed: number;
  expired: number;
}

/** earnBurnBy folds the server's store × channel rows to one row per store or per channel. */
export function earnBurnBy(p: Program, by: 'store_id' | 'channel'): EarnBurnTotals[] {
  const out = new Map<string, EarnBurnTotals>();
  for (const r of p.earn_burn) {
    const key = r[by];
    const t = out.get(key) ?? { key, earned: 0, redeemed: 0, reversed: 0, expired: 0 };
    t.earned += r.earned;
    t.redeemed += r.redeemed;
    t.reversed += r.reversed;
    t.expired += r.expired;
    out.set(key, t);
  }
  return [...out.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** earnBurnOption charts earned against redeemed points per store or channel. */
export function earnBurnOption(rows: EarnBurnTotals[], name: (key: string) => string, labels: { earned: string; redeemed: string }) {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 60, right: 20, top: 30, bottom: 40 },
    xAxis: { type: 'category', data: rows.map((r) => name(r.key)) },
    yAxis: { type: 'value' },
    series: [
      { name: labels.earned, type: 'bar', data: rows.map((r) => r.earned) },
      { name: labels.redeemed, type: 'bar', data: rows.map((r) => r.redeemed) },
    ],
  };
}

/** tiersOption is a pie of members per tier. */
export function tiersOption(p: Program, noTier: string) {
  return {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['35%', '65%'],
        data: p.tiers.map((t) => ({ name: t.tier_name || noTier, value: t.members })),
      },
    ],
  };
}

/** funnelOption stacks each template's coupons by where they stand. */
export function funnelOption(f: CouponFunnel, labels: Record<'unused' | 'locked' | 'redeemed' | 'expired', string>) {
  const keys = ['redeemed', 'locked', 'unused', 'expired'] as const;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 60, right: 20, top: 30, bottom: 40 },
    xAxis: { type: 'category', data: f.templates.map((t) => t.template_name) },
    yAxis: { type: 'value' },
    series: keys.map((k) => ({ name: labels[k], type: 'bar', stack: 'coupons', data: f.templates.map((t) => t[k]) })),
  };
}
