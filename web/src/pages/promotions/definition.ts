// Pure helpers of the promotion editor: the form's values are the API's
// definition (fen, basis points, minutes) field for field, so that a server
// error location such as body.definition.threshold.tiers[1].off names the
// form field directly; toRequest only removes what the chosen kind does not use.
import type {
  CreatePromotionRequest,
  Promotion,
  PromotionConditions,
  PromotionDefinition,
  PromotionKind,
  PromotionLimits,
  PromotionScope,
} from '../../api/types';

/** ThresholdMode says whether a 满减 has tiers or repeats ("every ¥100 save ¥10"). */
export type ThresholdMode = 'tiers' | 'repeat';

/** EditorValues are the promotion editor's form values. */
export interface EditorValues {
  code: string;
  name: string;
  threshold_mode: ThresholdMode;
  definition: PromotionDefinition;
  limits: { budget_fen?: number | null; max_uses?: number | null; max_uses_per_customer?: number | null };
}

/** blockOf names the parameter block a kind uses. */
export function blockOf(kind: PromotionKind): keyof PromotionDefinition {
  return kind === 'member_price' ? 'percent_off' : kind;
}

const BLOCKS = [
  'percent_off',
  'amount_off',
  'threshold',
  'nth_item',
  'buy_x_get_y',
  'bundle',
  'gift',
  'tiered_qty',
  'flash_sale',
  'expiry_markdown',
  'delivery_fee',
  'special_price',
  'buy_a_get_b',
] as const;

/** defaultBlock is a sensible starting point for each kind (fen and basis points). */
export function defaultBlock(kind: PromotionKind): Partial<PromotionDefinition> {
  switch (kind) {
    case 'percent_off':
    case 'member_price':
      return { percent_off: { off_bp: 1000 } };
    case 'amount_off':
      return { amount_off: { amount: 500 } };
    case 'threshold':
      return { threshold: { tiers: [{ spend: 10000, off: 1000 }], repeat: { every: 10000, off: 1000 } } };
    case 'nth_item':
      return { nth_item: { n: 2, off_bp: 5000 } };
    case 'buy_x_get_y':
      return { buy_x_get_y: { buy: 2, get: 1 } };
    case 'bundle':
      return { bundle: { components: [{ skus: [], qty: 1 }, { skus: [], qty: 1 }], price: 1000 } };
    case 'gift':
      return { gift: { sku: '', qty: 1, spend: 10000 } };
    case 'tiered_qty':
      return { tiered_qty: { steps: [{ min_qty: 2, off_bp: 1000 }, { min_qty: 3, off_bp: 2000 }] } };
    case 'flash_sale':
      return { flash_sale: { price: 990, per_customer: 2 } };
    case 'expiry_markdown':
      return { expiry_markdown: { within_days: 2, off_bp: 3000 } };
    case 'delivery_fee':
      return { delivery_fee: { spend: 3900, off: 0 } };
    case 'special_price':
      return { special_price: { prices: [{ price: 990 }] } };
    case 'buy_a_get_b':
      return { buy_a_get_b: { buy: 1, reward: {}, get: 1, off_bp: 10000, pick: 'cheapest' } };
  }
}

/** newEditorValues are the values of a new promotion: a 满减 over the whole order. */
export function newEditorValues(kind: PromotionKind = 'threshold'): EditorValues {
  return {
    code: '',
    name: '',
    threshold_mode: 'tiers',
    definition: { kind, scope: { all: true }, conditions: {}, priority: 0, ...defaultBlock(kind) },
    limits: {},
  };
}

/** editorValuesOf turns a stored promotion into form values, with defaults for the other blocks. */
export function editorValuesOf(p: Promotion): EditorValues {
  const def = p.definition;
  const kind = def.kind;
  const base = defaultBlock(kind);
  return {
    code: p.code,
    name: p.name,
    threshold_mode: def.threshold?.repeat ? 'repeat' : 'tiers',
    definition: {
      ...base,
      ...def,
      threshold: def.threshold
        ? { tiers: def.threshold.tiers ?? base.threshold?.tiers, repeat: def.threshold.repeat ?? base.threshold?.repeat }
        : undefined,
      scope: def.scope ?? {},
      conditions: def.conditions ?? {},
    },
    limits: {
      budget_fen: p.limits?.budget_fen ?? null,
      max_uses: p.limits?.max_uses ?? null,
      max_uses_per_customer: p.limits?.max_uses_per_customer ?? null,
    },
  };
}

/** isEmpty reports values that mean "no condition": empty strings and lists, false, 0, null. */
function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === false || v === 0 || (Array.isArray(v) && v.length === 0);
}

function compact<T extends object>(o: T | undefined): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (!isEmpty(v)) out[k] = v;
  return out as T;
}

function cleanScope(s: PromotionScope | undefined, kind: PromotionKind): PromotionScope {
  const scope = compact(s);
  // A bundle's scope is its components and a flash sale is per SKU: only what they allow stays.
  if (kind === 'bundle') {
    delete scope.all;
    delete scope.skus;
    delete scope.categories;
    delete scope.brands;
  } else if (scope.all) {
    delete scope.skus;
    delete scope.categories;
    delete scope.brands;
  }
  return scope;
}

function cleanConditions(c: PromotionConditions | undefined): PromotionConditions {
  return compact(c);
}

/** toDefinition builds the definition to send from the form's values. */
export function toDefinition(values: EditorValues): PromotionDefinition {
  const d = values.definition;
  const kind = d.kind;
  const def: PromotionDefinition = {
    kind,
    scope: cleanScope(d.scope, kind),
    conditions: cleanConditions(d.conditions),
  };
  if (d.level) def.level = d.level;
  if (d.priority) def.priority = d.priority;
  if (d.group?.trim() && !d.exclusive) def.group = d.group.trim();
  if (d.exclusive) def.exclusive = true;
  if (d.combinable_with_coupons && !d.exclusive) def.combinable_with_coupons = true;
  if (d.coupon_code?.trim()) def.coupon_code = d.coupon_code.trim();
  if (kind === 'threshold' && d.return_policy) def.return_policy = d.return_policy;

  const block = blockOf(kind);
  for (const name of BLOCKS) {
    if (name !== block) continue;
    const v = d[name];
    if (v === undefined) continue;
    (def as unknown as Record<string, unknown>)[name] = structuredClone(v);
  }
  if (def.threshold) {
    const t = def.threshold;
    if (values.threshold_mode === 'repeat') {
      def.threshold = { repeat: compact(t.repeat) as { every: number; off: number; cap?: number } };
    } else {
      def.threshold = { tiers: t.tiers ?? [] };
    }
  }
  if (def.nth_item && !def.nth_item.mix_skus) delete def.nth_item.mix_skus;
  if (def.bundle && !def.bundle.max) delete def.bundle.max;
  if (def.flash_sale && !def.flash_sale.per_customer) delete def.flash_sale.per_customer;
  if (def.delivery_fee) {
    const f = def.delivery_fee;
    if (!f.off) delete f.off;
    if (!f.off_bp) delete f.off_bp;
    if (!f.methods?.length) delete f.methods;
  }
  if (def.special_price) {
    const sp = def.special_price;
    sp.prices = (sp.prices ?? []).map((r) => compact(r));
    for (const k of ['max_per_line', 'max_per_order', 'max_per_customer'] as const) if (!sp[k]) delete sp[k];
  }
  if (def.buy_a_get_b) {
    const b = def.buy_a_get_b;
    b.reward = compact(b.reward);
    if (!b.times) delete b.times;
    if (!b.pick) delete b.pick;
  }
  if (!def.stacks_with_items) delete def.stacks_with_items;
  return def;
}

/** toLimits returns the limits to send, or undefined when none is set and none was stored. */
export function toLimits(values: EditorValues, stored?: PromotionLimits): PromotionLimits | undefined {
  const l = values.limits ?? {};
  const limits: PromotionLimits = {
    budget_fen: l.budget_fen ?? null,
    max_uses: l.max_uses ?? null,
    max_uses_per_customer: l.max_uses_per_customer ?? null,
  };
  const anySet = Object.values(limits).some((v) => v !== null);
  return anySet || stored ? limits : undefined;
}

/** toRequest builds the create or update body from the form's values. */
export function toRequest(values: EditorValues, stored?: PromotionLimits): CreatePromotionRequest {
  const body: CreatePromotionRequest = {
    code: values.code.trim(),
    name: values.name.trim(),
    definition: toDefinition(values),
  };
  const limits = toLimits(values, stored);
  if (limits) body.limits = limits;
  return body;
}

export type FieldPath = (string | number)[];

/**
 * fieldPath maps a problem location to the form field it names:
 * "body.definition.threshold.tiers[1].off" → ["definition", "threshold", "tiers", 1, "off"].
 * Locations under "body.definition.threshold.repeat" stay as they are too.
 */
export function fieldPath(location: string | undefined): FieldPath | undefined {
  if (!location?.startsWith('body.')) return undefined;
  const rest = location.slice('body.'.length);
  if (!rest) return undefined;
  const path: FieldPath = [];
  for (const part of rest.split('.')) {
    const m = /^([a-z_]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    path.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) path.push(Number(idx[1]));
  }
  return path;
}

/** yuan renders fen as a short yuan amount without trailing zeros: 10000 → "100", 2350 → "23.5". */
export function yuan(fen: number | undefined | null): string {
  if (fen === undefined || fen === null) return '?';
  return String(Math.round(fen) / 100);
}

/** zhe renders a percent off in basis points as a Chinese 折 figure: 1200 → "8.8", 5000 → "5". */
export function zhe(offBP: number | undefined | null): string {
  if (offBP === undefined || offBP === null) return '?';
  return String(Math.round((10000 - offBP) / 10) / 100);
}

/** percentOf renders basis points as a percent: 1250 → "12.5". */
export function percentOf(bp: number | undefined | null): string {
  if (bp === undefined || bp === null) return '?';
  return String(bp / 100);
}

/** Rule is one translated phrase describing a promotion: a key under promotions.rule and its values. */
export interface Rule {
  key: string;
  values: Record<string, string | number>;
}

/** DiscountText renders a percent off in basis points in the reader's terms: "8.8折" or "12% off". */
export type DiscountText = (offBP: number | undefined) => string;

/** zhDiscount is the Chinese way of saying a percent off: 1200 → "8.8折". */
export const zhDiscount: DiscountText = (bp) => `${zhe(bp)}折`;

/** rulesOf describes a definition in short phrases ("满100减10", "第2件5折"), for tables and the summary. */
export function rulesOf(def: PromotionDefinition | undefined, disc: DiscountText = zhDiscount): Rule[] {
  if (!def) return [];
  switch (def.kind) {
    case 'percent_off':
    case 'member_price':
      return [{ key: def.kind === 'member_price' ? 'memberPrice' : 'percentOff', values: { disc: disc(def.percent_off?.off_bp) } }];
    case 'amount_off':
      return [{ key: 'amountOff', values: { off: yuan(def.amount_off?.amount) } }];
    case 'threshold': {
      const r = def.threshold?.repeat;
      if (r) {
        const rules: Rule[] = [{ key: 'repeat', values: { every: yuan(r.every), off: yuan(r.off) } }];
        if (r.cap) rules.push({ key: 'cap', values: { cap: yuan(r.cap) } });
        return rules;
      }
      return (def.threshold?.tiers ?? []).map((t) => ({ key: 'tier', values: { spend: yuan(t.spend), off: yuan(t.off) } }));
    }
    case 'nth_item':
      return [{ key: 'nthItem', values: { n: def.nth_item?.n ?? '?', disc: disc(def.nth_item?.off_bp) } }];
    case 'buy_x_get_y':
      return [{ key: 'buyXGetY', values: { buy: def.buy_x_get_y?.buy ?? '?', get: def.buy_x_get_y?.get ?? '?' } }];
    case 'bundle':
      return [
        {
          key: 'bundle',
          values: { units: (def.bundle?.components ?? []).reduce((n, c) => n + (c.qty || 0), 0), price: yuan(def.bundle?.price) },
        },
      ];
    case 'gift':
      return [{ key: 'gift', values: { spend: yuan(def.gift?.spend), qty: def.gift?.qty ?? '?' } }];
    case 'tiered_qty':
      return (def.tiered_qty?.steps ?? []).map((s) => ({ key: 'qtyStep', values: { qty: s.min_qty, disc: disc(s.off_bp) } }));
    case 'flash_sale':
      return [
        { key: 'flashSale', values: { price: yuan(def.flash_sale?.price) } },
        ...(def.flash_sale?.per_customer ? [{ key: 'perCustomer', values: { n: def.flash_sale.per_customer } }] : []),
      ];
    case 'expiry_markdown':
      return [{ key: 'expiry', values: { days: def.expiry_markdown?.within_days ?? '?', disc: disc(def.expiry_markdown?.off_bp) } }];
    case 'delivery_fee':
      return [
        def.delivery_fee?.off
          ? { key: 'deliveryOff', values: { spend: yuan(def.delivery_fee.spend), off: yuan(def.delivery_fee.off) } }
          : def.delivery_fee?.off_bp
            ? { key: 'deliveryPercent', values: { spend: yuan(def.delivery_fee.spend), disc: disc(def.delivery_fee.off_bp) } }
            : { key: 'deliveryFree', values: { spend: yuan(def.delivery_fee?.spend) } },
      ];
    case 'special_price': {
      const sp = def.special_price;
      const rules: Rule[] = (sp?.prices ?? []).map((r): Rule =>
        r.tier
          ? r.off
            ? { key: 'tierOff', values: { tier: r.tier, off: yuan(r.off) } }
            : { key: 'tierPrice', values: { tier: r.tier, price: yuan(r.price) } }
          : r.off
            ? { key: 'specialOff', values: { off: yuan(r.off) } }
            : { key: 'specialPrice', values: { price: yuan(r.price) } },
      );
      if (sp?.max_per_customer) rules.push({ key: 'perCustomer', values: { n: sp.max_per_customer } });
      return rules;
    }
    case 'buy_a_get_b':
      return [
        { key: 'buyAGetB', values: { buy: def.buy_a_get_b?.buy ?? '?', get: def.buy_a_get_b?.get ?? '?', disc: disc(def.buy_a_get_b?.off_bp) } },
      ];
  }
  return [];
}

/** KIND_COLORS gives each promotion kind a colour (tags, calendar bars, legends). */
export const KIND_COLORS: Record<string, string> = {
  threshold: '#f5222d',
  percent_off: '#fa8c16',
  amount_off: '#faad14',
  tiered_qty: '#a0d911',
  nth_item: '#52c41a',
  buy_x_get_y: '#13c2c2',
  bundle: '#1677ff',
  gift: '#eb2f96',
  member_price: '#722ed1',
  flash_sale: '#f759ab',
  expiry_markdown: '#8c8c8c',
  delivery_fee: '#2f54eb',
  special_price: '#cf1322',
  buy_a_get_b: '#08979c',
};

/** isRecurring reports a definition limited to some weekdays or hours of the day. */
export function isRecurring(def: PromotionDefinition | undefined): boolean {
  const c = def?.conditions;
  return !!c && ((c.weekdays?.length ?? 0) > 0 || !!c.daily_from || !!c.daily_to);
}

/** minutesLabel renders minutes after midnight as HH:mm. */
export function minutesLabel(m: number | undefined): string {
  const v = m ?? 0;
  return `${String(Math.floor(v / 60)).padStart(2, '0')}:${String(v % 60).padStart(2, '0')}`;
}
