// Pure helpers of the customer pages: grouping, consent matrix, chart options.
// No React here, so the tests check them directly.
import dayjs from 'dayjs';
import { formatFen } from '../../lib/money';
import type { Consent, CustomerEvent, CustomerIdentifier, IdentifierStrength, IdentityReview } from '../../api/types';

/** IDENTIFIER_GROUPS orders the identifier families shown on the 360 page. */
export const IDENTIFIER_GROUPS = ['contact', 'member', 'wechat', 'apps', 'marketplaces', 'devices', 'other'] as const;
export type IdentifierGroup = (typeof IDENTIFIER_GROUPS)[number];

const GROUP_OF: Record<string, IdentifierGroup> = {
  phone: 'contact',
  email: 'contact',
  masked_phone: 'contact',
  member_card: 'member',
  pos_customer_ref: 'member',
  wechat_unionid: 'wechat',
  wechat_openid: 'wechat',
  app_user_id: 'apps',
  alipay_user_id: 'apps',
  marketplace_buyer_id: 'marketplaces',
  delivery_user_id: 'marketplaces',
  device_id: 'devices',
  cookie_id: 'devices',
};

/** identifierGroup names the family (channel) an identifier type belongs to. */
export function identifierGroup(type: string): IdentifierGroup {
  return GROUP_OF[type] ?? 'other';
}

const STRENGTH_RANK: Record<string, number> = { strong: 0, medium: 1, weak: 2 };

/** STRENGTH_COLORS are the tag and chart colours of the identifier strengths. */
export const STRENGTH_COLORS: Record<IdentifierStrength, string> = {
  strong: '#52c41a',
  medium: '#1677ff',
  weak: '#bfbfbf',
};

/** groupIdentifiers sorts identifiers into families, strongest first inside each. */
export function groupIdentifiers(ids: CustomerIdentifier[]): { group: IdentifierGroup; items: CustomerIdentifier[] }[] {
  return IDENTIFIER_GROUPS.map((group) => ({
    group,
    items: ids
      .filter((i) => identifierGroup(i.type) === group)
      .sort(
        (a, b) =>
          (STRENGTH_RANK[a.strength] ?? 3) - (STRENGTH_RANK[b.strength] ?? 3) ||
          a.type.localeCompare(b.type) ||
          a.value.localeCompare(b.value),
      ),
  })).filter((g) => g.items.length > 0);
}

/** consentKey is the cell of the purpose × channel consent grid. */
export const consentKey = (purpose: string, channel: string) => `${purpose}:${channel}`;

/** consentMatrix indexes the current consents by purpose and channel. */
export function consentMatrix(consents: Consent[] | null | undefined): Map<string, Consent> {
  return new Map((consents ?? []).map((c) => [consentKey(c.purpose, c.channel), c]));
}

/** Activity is events counted per time bucket and series (one stacked bar per bucket). */
export interface Activity {
  buckets: string[];
  series: { name: string; data: number[] }[];
}

/** DAILY_SPAN is the widest span (days) drawn day by day; wider spans go by month. */
export const DAILY_SPAN = 45;

/**
 * activity counts events per local day (per month when they span more than
 * DAILY_SPAN days), split by seriesOf (the channel); empty buckets between the
 * first and the last event are kept so the axis is a true time line.
 */
export function activity(events: CustomerEvent[], seriesOf: (e: CustomerEvent) => string): Activity {
  if (events.length === 0) return { buckets: [], series: [] };
  const times = events.map((e) => dayjs(e.occurred_at)).filter((d) => d.isValid());
  if (times.length === 0) return { buckets: [], series: [] };
  const first = times.reduce((a, b) => (b.isBefore(a) ? b : a));
  const last = times.reduce((a, b) => (b.isAfter(a) ? b : a));
  const unit = last.diff(first, 'day') > DAILY_SPAN ? 'month' : 'day';
  const fmt = unit === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM';
  const buckets: string[] = [];
  for (let d = first.startOf(unit); !d.isAfter(last); d = d.add(1, unit)) buckets.push(d.format(fmt));
  const index = new Map(buckets.map((b, i) => [b, i]));
  const bySeries = new Map<string, number[]>();
  for (const e of events) {
    const d = dayjs(e.occurred_at);
    if (!d.isValid()) continue;
    const name = seriesOf(e);
    const data = bySeries.get(name) ?? new Array<number>(buckets.length).fill(0);
    data[index.get(d.format(fmt))!]++;
    bySeries.set(name, data);
  }
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const series = [...bySeries]
    .map(([name, data]) => ({ name, data }))
    .sort((a, b) => total(b.data) - total(a.data) || a.name.localeCompare(b.name));
  return { buckets, series };
}

/** activityOption draws an Activity as stacked bars with a legend. */
export function activityOption(a: Activity) {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
    xAxis: { type: 'category', data: a.buckets },
    yAxis: { type: 'value', minInterval: 1 },
    series: a.series.map((s) => ({ name: s.name, type: 'bar', stack: 'events', data: s.data, barMaxWidth: 28 })),
  };
}

/**
 * identityGraphOption draws the customer in the middle and one node per
 * identifier around it, coloured by strength and labelled by type; links
 * are thicker for stronger identifiers.
 */
export function identityGraphOption(
  center: string,
  ids: CustomerIdentifier[],
  label: (i: CustomerIdentifier) => string,
  strengthLabel: (s: IdentifierStrength) => string,
) {
  const ordered = groupIdentifiers(ids).flatMap((g) => g.items);
  const r = 100;
  const nodes = [
    {
      id: 'customer',
      name: center,
      x: 0,
      y: 0,
      symbolSize: 46,
      itemStyle: { color: '#fa8c16' },
      label: { show: true, position: 'inside', color: '#fff', fontWeight: 'bold' },
    },
    ...ordered.map((i, n) => {
      const angle = (2 * Math.PI * n) / Math.max(ordered.length, 1) - Math.PI / 2;
      return {
        id: `i${n}`,
        name: label(i),
        value: strengthLabel(i.strength),
        x: Math.round(r * Math.cos(angle)),
        y: Math.round(r * Math.sin(angle)),
        symbolSize: i.strength === 'strong' ? 26 : i.strength === 'medium' ? 20 : 14,
        itemStyle: { color: STRENGTH_COLORS[i.strength] ?? STRENGTH_COLORS.weak },
        label: { show: true, position: labelSide(angle), formatter: '{b}' },
      };
    }),
  ];
  const links = ordered.map((i, n) => ({
    source: 'customer',
    target: `i${n}`,
    lineStyle: { width: i.strength === 'strong' ? 3 : i.strength === 'medium' ? 2 : 1, opacity: 0.7 },
  }));
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c}' },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        // The nodes fill the view by default; zooming out leaves room for the labels.
        zoom: 0.6,
        data: nodes,
        links,
        lineStyle: { color: '#8c8c8c' },
      },
    ],
  };
}

/**
 * labelSide puts a node's label above the nodes in the upper part of the circle
 * and below the others: never across a link, and centred under the node so that
 * side labels stay inside a narrow chart.
 */
export function labelSide(angle: number): 'top' | 'bottom' {
  return Math.sin(angle) < -0.5 ? 'top' : 'bottom';
}

/** ReviewKind is a review's reason in a few words, for counts and colours. */
export type ReviewKind = 'fuzzy' | 'limit' | 'cluster' | 'weak' | 'other';

/** reviewKind classifies a review by the rule that sent it to a person. */
export function reviewKind(r: Pick<IdentityReview, 'reason'> & Pick<Partial<IdentityReview>, 'score' | 'reasons'>): ReviewKind {
  if (r.score !== null && r.score !== undefined) return 'fuzzy';
  const code = r.reasons?.[0]?.code;
  if (code) {
    if (code === 'fuzzy_match' || code === 'conflicting_types') return 'fuzzy';
    if (code === 'cluster_size' || code === 'identifier_not_added_cluster_size') return 'cluster';
    if (code === 'type_limit' || code === 'identifier_not_added_type_limit') return 'limit';
    if (code === 'weak_shared') return 'weak';
    return 'other';
  }
  const reason = r.reason.toLowerCase();
  if (reason.includes('cluster')) return 'cluster';
  if (reason.includes('allowed') || reason.includes('limit')) return 'limit';
  if (reason.includes('weak')) return 'weak';
  return 'other';
}

/**
 * kindCounts sums server counts by reason into review kinds, largest first: a reason
 * that starts with "fuzzy" is a fuzzy review, the others are classified as reviewKind does.
 */
export function kindCounts(byReason: { key: string; count: number }[]): { key: ReviewKind; count: number }[] {
  const m = new Map<ReviewKind, number>();
  for (const c of byReason) {
    const k = reviewKind({ reason: c.key, score: c.key.toLowerCase().startsWith('fuzzy') ? 1 : null });
    m.set(k, (m.get(k) ?? 0) + c.count);
  }
  return [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** countBy counts items per key, largest first. */
export function countBy<T>(items: T[], keyOf: (t: T) => string): { key: string; count: number }[] {
  const m = new Map<string, number>();
  for (const i of items) m.set(keyOf(i), (m.get(keyOf(i)) ?? 0) + 1);
  return [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** parseCustomerIds splits pasted text (spaces, commas, new lines) into distinct ids, leaving out self. */
export function parseCustomerIds(text: string, self: string): string[] {
  return [...new Set(text.split(/[\s,，;；]+/).map((s) => s.trim()).filter((s) => s !== '' && s !== self))];
}

/** Translate is the part of i18next's t that eventProperty needs. */
type Translate = (key: string, options?: { defaultValue?: string }) => string;

/**
 * eventProperty renders one event property as a person reads it: its name translated,
 * amounts in fen (…_fen) as ¥ with two decimals, known enums (gender, channel) and
 * yes/no translated, nested values as "name: value" pairs — never raw JSON or fen.
 */
export function eventProperty(key: string, v: unknown, t: Translate): { label: string; text: string } {
  const money = key.endsWith('_fen');
  const base = money ? key.slice(0, -'_fen'.length) : key;
  const label = t(`customers.propertyNames.${base}`, { defaultValue: t(`customers.propertyNames.${key}`, { defaultValue: base }) });
  return { label, text: propertyValue(base, v, money, t) };
}

function propertyValue(key: string, v: unknown, money: boolean, t: Translate): string {
  if (v === null || v === undefined || v === '') return '—';
  if (money && typeof v === 'number') return formatFen(v);
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no', { defaultValue: String(v) });
  if (typeof v === 'string') {
    if (key === 'gender') return t(`customers.genders.${v}`, { defaultValue: v });
    if (key === 'channel') return t(`touchpoints.channels.${v}`, { defaultValue: t(`orders.channels.${v}`, { defaultValue: v }) });
    return v;
  }
  if (typeof v === 'number') return v.toLocaleString();
  if (Array.isArray(v)) return v.map((x) => propertyValue(key, x, money, t)).join('、');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => {
        const p = eventProperty(k, x, t);
        return `${p.label}: ${p.text}`;
      })
      .join('; ');
  }
  return String(v);
}
