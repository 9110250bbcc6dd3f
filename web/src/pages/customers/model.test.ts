import { describe, expect, it } from 'vitest';
import { customer, event } from './fixtures';
import { activity, consentMatrix, eventProperty, countBy, groupIdentifiers, identityGraphOption, labelSide, parseCustomerIds, reviewKind } from './model';

describe('groupIdentifiers', () => {
  it('groups by channel family in a fixed order, strongest first', () => {
    const groups = groupIdentifiers([
      { type: 'device_id', value: 'd', strength: 'weak', created_at: '' },
      { type: 'wechat_openid', value: 'o', strength: 'medium', created_at: '' },
      { type: 'wechat_unionid', value: 'u', strength: 'strong', created_at: '' },
      { type: 'phone', value: 'p', strength: 'strong', created_at: '' },
      { type: 'something_new', value: 'x', strength: 'weak', created_at: '' },
    ]);
    expect(groups.map((g) => [g.group, g.items.map((i) => i.value)])).toEqual([
      ['contact', ['p']],
      ['wechat', ['u', 'o']],
      ['devices', ['d']],
      ['other', ['x']],
    ]);
  });
});

describe('activity', () => {
  it('counts per day and series, keeping empty days, largest series first', () => {
    const a = activity(
      [
        event('1', 'visit', '2026-11-01T02:00:00Z'),
        event('2', 'order', '2026-11-03T02:00:00Z'),
        event('3', 'visit', '2026-11-03T05:00:00Z'),
      ],
      (e) => e.type,
    );
    expect(a.buckets).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(a.series).toEqual([
      { name: 'visit', data: [1, 0, 1] },
      { name: 'order', data: [0, 0, 1] },
    ]);
  });

  it('goes by month over long spans and is empty without events', () => {
    const a = activity([event('1', 'visit', '2026-01-15T02:00:00Z'), event('2', 'visit', '2026-04-15T02:00:00Z')], () => 'pos');
    expect(a.buckets).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    expect(a.series).toEqual([{ name: 'pos', data: [1, 0, 0, 1] }]);
    expect(activity([], () => 'x')).toEqual({ buckets: [], series: [] });
  });
});

describe('consentMatrix', () => {
  it('indexes consents by purpose and channel', () => {
    const m = consentMatrix(customer.consents);
    expect(m.get('marketing:sms')?.granted).toBe(true);
    expect(m.get('marketing:wechat')?.granted).toBe(false);
    expect(m.has('marketing:email')).toBe(false);
    expect(consentMatrix(null).size).toBe(0);
  });
});

describe('reviewKind', () => {
  it('classifies the resolver’s reasons', () => {
    expect(reviewKind({ reason: 'x', score: 0.9 })).toBe('fuzzy');
    expect(reviewKind({ reason: 'would hold 3 phone identifiers (at most 2 allowed)', score: null })).toBe('limit');
    expect(reviewKind({ reason: 'would hold 60 identifiers (cluster size limit 50)', score: null })).toBe('cluster');
    expect(reviewKind({ reason: 'weak identifier shared with customer 2, which has stronger keys: not linked' })).toBe('weak');
    expect(reviewKind({ reason: 'no valid identifier' })).toBe('other');
  });
});

describe('parseCustomerIds', () => {
  it('splits pasted ids, drops duplicates, blanks and self', () => {
    expect(parseCustomerIds(' c2, c3\nc2；c1 ，c4 ', 'c1')).toEqual(['c2', 'c3', 'c4']);
  });
});

describe('countBy', () => {
  it('counts largest first', () => {
    expect(countBy(['a', 'b', 'b'], (x) => x)).toEqual([
      { key: 'b', count: 2 },
      { key: 'a', count: 1 },
    ]);
  });
});

describe('identityGraphOption', () => {
  it('puts the customer in the middle and one node per identifier', () => {
    const o = identityGraphOption('顾客', customer.identifiers, (i) => i.type, (s) => s);
    const data = o.series[0].data;
    expect(data[0]).toMatchObject({ id: 'customer', name: '顾客', x: 0, y: 0 });
    expect(data.slice(1).map((n) => n.name)).toEqual(['phone', 'wechat_unionid', 'wechat_openid', 'device_id']);
    expect(o.series[0].links).toHaveLength(4);
  });
});

describe('labelSide', () => {
  it('puts labels above the top nodes and below the others', () => {
    expect(labelSide(-Math.PI / 2)).toBe('top');
    expect(labelSide(0)).toBe('bottom');
    expect(labelSide(Math.PI)).toBe('bottom');
    expect(labelSide(Math.PI / 2)).toBe('bottom');
  });
});

describe('eventProperty', () => {
  // A catalogue-less t: keys the tests name, else the default value.
  const names: Record<string, string> = {
    'customers.propertyNames.amount': '金额',
    'customers.propertyNames.gender': '性别',
    'customers.genders.female': '女',
    'touchpoints.channels.wechat_mini_program': '微信小程序',
    'common.yes': '是',
  };
  const t = (key: string, o?: { defaultValue?: string }) => names[key] ?? o?.defaultValue ?? key;

  it('shows amounts in fen as yuan with two decimals under the name without _fen', () => {
    expect(eventProperty('amount_fen', 22658, t)).toEqual({ label: '金额', text: '¥226.58' });
  });

  it('translates enum values and booleans, and spells nested values out instead of JSON', () => {
    expect(eventProperty('gender', 'female', t).text).toBe('女');
    expect(eventProperty('channel', 'wechat_mini_program', t).text).toBe('微信小程序');
    expect(eventProperty('granted', true, t).text).toBe('是');
    const nested = eventProperty('refund', { amount_fen: 1200, reason: 'damaged' }, t).text;
    expect(nested).toBe('金额: ¥12.00; reason: damaged');
    expect(nested).not.toContain('{');
  });
});
