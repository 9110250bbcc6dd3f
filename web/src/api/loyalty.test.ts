import { describe, expect, it } from 'vitest';
import { tierNamesByCode, type LoyaltyProgram } from './loyalty';

const program = (id: string, tiers: [string, string][]) =>
  ({ id, tiers: tiers.map(([code, name], i) => ({ code, name, threshold: i })) }) as unknown as LoyaltyProgram;

describe('tierNamesByCode', () => {
  it('names every program’s tiers by code, both names where programs disagree', () => {
    const names = tierNamesByCode([
      program('a', [['SILVER', '银卡'], ['GOLD', '金卡']]),
      program('b', [['GOLD', '金卡']]),
      program('c', [['GOLD', '黄金会员']]),
    ]);
    expect(Object.fromEntries(names)).toEqual({ SILVER: '银卡', GOLD: '金卡 / 黄金会员' });
  });
});
