import { describe, expect, it } from 'vitest';
import type { Promotion } from '../../api/types';
import { editorValuesOf, fieldPath, newEditorValues, rulesOf, toDefinition, toRequest, zhe } from './definition';

describe('promotion definition helpers', () => {
  it('sends a member price with its tier rules and only the caps that are set', () => {
    const v = newEditorValues('special_price');
    v.definition.scope = { skus: ['MILK'] };
    v.definition.special_price = {
      prices: [{ tier: 'gold', price: 1280, off: 0 }, { tier: '', price: 0, off: 100 }],
      max_per_line: 0,
      max_per_customer: 2,
    };
    v.definition.stacks_with_items = false;
    expect(toDefinition(v).special_price).toEqual({ prices: [{ tier: 'gold', price: 1280 }, { off: 100 }], max_per_customer: 2 });
    expect(toDefinition(v).stacks_with_items).toBeUndefined();
    expect(rulesOf(toDefinition(v)).map((r) => r.key)).toEqual(['tierPrice', 'specialOff', 'perCustomer']);
  });

  it('sends buy A get B with its reward scope, and a percent-off delivery fee for some methods', () => {
    const v = newEditorValues('buy_a_get_b');
    v.definition.scope = { categories: ['sweaters'] };
    v.definition.buy_a_get_b = { buy: 1, get: 1, off_bp: 10000, pick: 'dearest', times: 0, reward: { categories: ['tees'], skus: [] } };
    expect(toDefinition(v).buy_a_get_b).toEqual({ buy: 1, get: 1, off_bp: 10000, pick: 'dearest', reward: { categories: ['tees'] } });
    const d = newEditorValues('delivery_fee');
    d.definition.delivery_fee = { spend: 3900, off: 0, off_bp: 5000, methods: ['same_day'] };
    expect(toDefinition(d).delivery_fee).toEqual({ spend: 3900, off_bp: 5000, methods: ['same_day'] });
    expect(rulesOf(toDefinition(d))[0].key).toBe('deliveryPercent');
  });

  it('builds a 满减 definition with tiers and nothing else', () => {
    const v = newEditorValues('threshold');
    v.code = ' MJ-100 ';
    v.name = ' 满100减10 ';
    v.definition.threshold!.tiers = [
      { spend: 10000, off: 1000 },
      { spend: 20000, off: 3000 },
    ];
    v.definition.conditions = { channels: [], min_spend: 0, weekdays: [2], first_order_only: false };
    expect(toRequest(v)).toEqual({
      code: 'MJ-100',
      name: '满100减10',
      definition: {
        kind: 'threshold',
        scope: { all: true },
        conditions: { weekdays: [2] },
        threshold: { tiers: [{ spend: 10000, off: 1000 }, { spend: 20000, off: 3000 }] },
      },
    });
  });

  it('sends repeat instead of tiers in repeat mode, without a zero cap', () => {
    const v = newEditorValues('threshold');
    v.threshold_mode = 'repeat';
    v.definition.threshold!.repeat = { every: 10000, off: 1000, cap: 0 };
    expect(toDefinition(v).threshold).toEqual({ repeat: { every: 10000, off: 1000 } });
  });

  it('keeps only the block of the chosen kind and drops the whole-order scope lists', () => {
    const v = newEditorValues('threshold');
    v.definition.kind = 'member_price';
    v.definition.percent_off = { off_bp: 1200 };
    v.definition.scope = { all: true, skus: ['x'] };
    v.definition.group = ' weekend ';
    v.definition.exclusive = false;
    const d = toDefinition(v);
    expect(d.threshold).toBeUndefined();
    expect(d.percent_off).toEqual({ off_bp: 1200 });
    expect(d.scope).toEqual({ all: true });
    expect(d.group).toBe('weekend');
  });

  it('drops the group of an exclusive promotion and the include lists of a bundle', () => {
    const v = newEditorValues('bundle');
    v.definition.exclusive = true;
    v.definition.group = 'g';
    v.definition.combinable_with_coupons = true;
    v.definition.scope = { all: true, exclude_skus: ['z'] };
    const d = toDefinition(v);
    expect(d.group).toBeUndefined();
    expect(d.combinable_with_coupons).toBeUndefined();
    expect(d.scope).toEqual({ exclude_skus: ['z'] });
  });

  it('sends limits only when set or stored', () => {
    const v = newEditorValues();
    expect(toRequest(v).limits).toBeUndefined();
    v.limits = { budget_fen: 500000 };
    expect(toRequest(v).limits).toEqual({ budget_fen: 500000, max_uses: null, max_uses_per_customer: null });
    v.limits = {};
    expect(toRequest(v, { budget_fen: 1, max_uses: null, max_uses_per_customer: null }).limits).toEqual({
      budget_fen: null,
      max_uses: null,
      max_uses_per_customer: null,
    });
  });

  it('maps problem locations to form fields', () => {
    expect(fieldPath('body.definition.threshold.tiers[1].off')).toEqual(['definition', 'threshold', 'tiers', 1, 'off']);
    expect(fieldPath('body.code')).toEqual(['code']);
    expect(fieldPath('body.limits.budget_fen')).toEqual(['limits', 'budget_fen']);
    expect(fieldPath('body.definition.bundle.components[0].skus')).toEqual(['definition', 'bundle', 'components', 0, 'skus']);
    expect(fieldPath('query.status')).toBeUndefined();
    expect(fieldPath(undefined)).toBeUndefined();
  });

  it('describes rules the Chinese way', () => {
    expect(zhe(1200)).toBe('8.8');
    expect(zhe(5000)).toBe('5');
    const rules = rulesOf({
      kind: 'threshold',
      scope: { all: true },
      conditions: {},
      threshold: { tiers: [{ spend: 10000, off: 1000 }, { spend: 20050, off: 3000 }] },
    });
    expect(rules).toEqual([
      { key: 'tier', values: { spend: '100', off: '10' } },
      { key: 'tier', values: { spend: '200.5', off: '30' } },
    ]);
    expect(rulesOf({ kind: 'nth_item', scope: {}, conditions: {}, nth_item: { n: 2, off_bp: 5000 } })).toEqual([
      { key: 'nthItem', values: { n: 2, disc: '5折' } },
    ]);
  });

  it('reads a stored promotion back into the form with the mode it uses', () => {
    const p: Promotion = {
      id: 'p1',
      code: 'R',
      name: '每满100减10',
      status: 'draft',
      effective_status: 'draft',
      limits: {},
      usage: { discount_fen: 0, uses: 0 },
      definition: { kind: 'threshold', scope: { all: true }, conditions: {}, threshold: { repeat: { every: 10000, off: 1000 } } },
      created_at: '',
      updated_at: '',
    };
    const v = editorValuesOf(p);
    expect(v.threshold_mode).toBe('repeat');
    expect(toDefinition(v)).toEqual(p.definition);
    expect(v.limits).toEqual({ budget_fen: null, max_uses: null, max_uses_per_customer: null });
  });
});
