import { describe, expect, it } from 'vitest';
import { emptyGroup, fromJSON, newCond, nodeForLocation, problemLocation, toJSON, updateNode, type Cond, type Group, type JsonCond } from './model';

const cond = (patch: Partial<Cond> & Pick<Cond, 'type'>): Cond => ({ ...newCond(patch.type), ...patch });

describe('segment builder model', () => {
  it('builds nested AND/OR groups with NOT, spend in fen, and leaves incomplete conditions out', () => {
    const orders = cond({ type: 'orders', window: '90d', op: '>=', values: [3] });
    const spend = cond({ type: 'spend', window: '90d', op: 'between', values: [100, 500.5] });
    const city = cond({ type: 'attr', field: 'city', op: 'in', values: ['上海', '北京'], not: true });
    const blank = cond({ type: 'tag', field: '' });
    const inner: Group = { ...emptyGroup(), op: 'or', children: [spend, blank, city] };
    const seg = cond({ type: 'segment', field: 'vip', not: true });
    const root: Group = { ...emptyGroup(), children: [orders, inner, seg] };
    const built = toJSON(root);
    expect(built.definition).toEqual({
      op: 'and',
      conditions: [
        { op: '>=', field: 'orders:90d', value: 3 },
        {
          op: 'or',
          conditions: [
            { op: 'between', field: 'spend_fen:90d', values: [10000, 50050] },
            { op: 'not', condition: { op: 'in', field: 'city', values: ['上海', '北京'] } },
          ],
        },
        { op: 'not', condition: { op: 'in_segment', segment: 'vip' } },
      ],
    });
    // Paths skip the incomplete condition: the city is conditions[1] of the inner group.
    expect(nodeForLocation(built, 'body.definition.conditions[1].conditions[1].condition.values[0]')).toBe(city.id);
    expect(nodeForLocation(built, 'body.definition.conditions[1].conditions[0].op')).toBe(spend.id);
    expect(nodeForLocation(built, 'body.definition.conditions[2].condition.segment')).toBe(seg.id);
    expect(nodeForLocation(built, 'body.definition')).toBe(root.id);
    expect(nodeForLocation(built, 'body.text')).toBeUndefined();
  });

  it('gives no definition while nothing is complete', () => {
    expect(toJSON({ ...emptyGroup(), children: [cond({ type: 'did', field: '' })] }).definition).toBeNull();
    expect(toJSON(emptyGroup()).definition).toBeNull();
  });

  it('builds behaviour, recency and tag fields by the engine convention', () => {
    const root: Group = {
      ...emptyGroup(),
      children: [
        cond({ type: 'did', field: 'wechat_open', window: '7d', op: '>=', values: [2] }),
        cond({ type: 'recency', op: '>', values: [30] }),
        cond({ type: 'bought', window: '365d', values: ['infant_formula'] }),
        cond({ type: 'tag', field: 'vip', op: 'exists', valueType: 'boolean' }),
        cond({ type: 'tag', field: 'layer', op: 'in', values: ['高价值'], valueType: 'enum' }),
        cond({ type: 'attr', field: 'age', op: '<=', values: [35] }),
      ],
    };
    expect(toJSON(root).definition?.conditions).toEqual([
      { op: '>=', field: 'events:wechat_open:7d', value: 2 },
      { op: '>', field: 'days_since:last_order_day', value: 30 },
      { op: 'in', field: 'bought_category:365d', values: ['infant_formula'] },
      { op: 'exists', field: 'tag:vip' },
      { op: 'in', field: 'tag:layer', values: ['高价值'] },
      { op: '<=', field: 'age', value: 35 },
    ]);
  });

  it('reads the JSON form back into a tree that builds the same JSON', () => {
    const j: JsonCond = {
      op: 'or',
      conditions: [
        { op: 'and', conditions: [{ op: 'in', field: 'tier', values: ['gold'] }, { op: '>=', field: 'spend_fen:30d', value: 12345 }] },
        { op: 'not', condition: { op: '>=', field: 'events:order:30d', value: 1 } },
        { op: 'in', field: 'tag:layer', values: ['x'] },
      ],
    };
    const tree = fromJSON(j)!;
    expect(tree.op).toBe('or');
    const spend = (tree.children[0] as Group).children[1] as Cond;
    expect(spend.values).toEqual([123.45]);
    expect(toJSON(tree).definition).toEqual(j);
    // "= x" on a set reads as "any of x".
    expect(toJSON(fromJSON({ op: '=', field: 'city', value: '上海' })!).definition).toEqual({
      op: 'and',
      conditions: [{ op: 'in', field: 'city', values: ['上海'] }],
    });
    // A field the builder does not offer sends the definition to the text form.
    expect(fromJSON({ op: '>=', field: 'avg_basket_fen:30d', value: 1 })).toBeNull();
  });

  it('finds the part a whole-definition check error names', () => {
    expect(problemLocation('body.definition', 'conditions[1].field: unknown field "tag:nope"')).toEqual({
      location: 'body.definition.conditions[1].field',
      message: 'unknown field "tag:nope"',
    });
    expect(problemLocation('body.definition', 'a segment cannot contain itself')).toEqual({
      location: 'body.definition',
      message: 'a segment cannot contain itself',
    });
    expect(problemLocation('body.text', 'conditions[1]: x').location).toBe('body.text');
  });

  it('replaces and removes nodes by id', () => {
    const a = cond({ type: 'orders' });
    const b = cond({ type: 'recency' });
    const root: Group = { ...emptyGroup(), children: [a, { ...emptyGroup(), children: [b] }] };
    const removed = updateNode(root, b.id, () => null);
    expect((removed.children[1] as Group).children).toEqual([]);
    const negated = updateNode(root, a.id, (n) => ({ ...n, not: true }));
    expect(negated.children[0].not).toBe(true);
  });
});
