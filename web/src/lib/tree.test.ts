import { describe, expect, it } from 'vitest';
import type { Category } from '../api/types';
import { allKeys, buildCategoryTree, descendantIds, filterTree, findNode } from './tree';

const cat = (id: string, parent_id: string | null, name = id, level = 1): Category => ({
  id,
  parent_id,
  code: id.toUpperCase(),
  name,
  level,
  sort: 0,
});

// shape renders a forest as nested [name, children] for easy comparison.
type Shape = [string, Shape[]];
const shape = (forest: ReturnType<typeof buildCategoryTree>): Shape[] => forest.map((n) => [n.title, shape(n.children)]);

describe('buildCategoryTree', () => {
  it('nests children under parents, keeping input order', () => {
    const flat = [
      cat('fresh', null, '生鲜'),
      cat('fruit', 'fresh', '水果', 2),
      cat('grocery', null, '食品'),
      cat('apple', 'fruit', '苹果', 3),
      cat('veg', 'fresh', '蔬菜', 2),
    ];
    expect(shape(buildCategoryTree(flat))).toEqual([
      ['生鲜', [['水果', [['苹果', []]]], ['蔬菜', []]]],
      ['食品', []],
    ]);
  });

  it('works when children come before their parents', () => {
    const flat = [cat('c', 'b'), cat('b', 'a'), cat('a', null)];
    expect(shape(buildCategoryTree(flat))).toEqual([['a', [['b', [['c', []]]]]]]);
  });

  it('makes orphans and empty parent ids roots', () => {
    const flat = [cat('a', ''), cat('b', 'missing'), cat('c', undefined as unknown as null)];
    expect(shape(buildCategoryTree(flat))).toEqual([
      ['a', []],
      ['b', []],
      ['c', []],
    ]);
  });

  it('breaks parent cycles instead of looping', () => {
    const flat = [cat('root', null), cat('x', 'y'), cat('y', 'x'), cat('self', 'self')];
    const forest = buildCategoryTree(flat);
    expect(allKeys(forest).sort()).toEqual(['root', 'self', 'x', 'y']);
    expect(shape(forest)).toEqual([
      ['root', []],
      ['self', []],
      ['x', [['y', []]]],
    ]);
  });

  it('returns an empty forest for no categories', () => {
    expect(buildCategoryTree([])).toEqual([]);
  });
});

describe('tree helpers', () => {
  const forest = buildCategoryTree([
    cat('fresh', null, '生鲜'),
    cat('fruit', 'fresh', '水果'),
    cat('apple', 'fruit', '苹果'),
    cat('grocery', null, '食品'),
    cat('snack', 'grocery', '零食'),
  ]);

  it('finds nodes and their descendants', () => {
    const fresh = findNode(forest, 'fresh');
    expect(fresh?.title).toBe('生鲜');
    expect(descendantIds(fresh!)).toEqual(['fresh', 'fruit', 'apple']);
    expect(findNode(forest, 'nope')).toBeUndefined();
  });

  it('filters by name or code and keeps ancestors', () => {
    expect(shape(filterTree(forest, '苹果'))).toEqual([['生鲜', [['水果', [['苹果', []]]]]]]);
    expect(shape(filterTree(forest, 'snack'))).toEqual([['食品', [['零食', []]]]]);
    expect(filterTree(forest, '  ')).toBe(forest);
    expect(filterTree(forest, 'zzz')).toEqual([]);
  });
});
