import { describe, expect, it } from 'vitest';
import { NEAR_CITY_KM, cityCentre, distanceKm, farFromCity } from './cities';

describe('cities', () => {
  it('finds a centre with or without 市', () => {
    expect(cityCentre('上海')).toEqual([31.23, 121.47]);
    expect(cityCentre(' 上海市 ')).toEqual([31.23, 121.47]);
    expect(cityCentre('不存在')).toBeUndefined();
  });

  it('measures great-circle distances', () => {
    // Shanghai to Beijing is about 1,070 km.
    const d = distanceKm(31.23, 121.47, 39.9, 116.4);
    expect(d).toBeGreaterThan(1040);
    expect(d).toBeLessThan(1100);
    expect(distanceKm(30, 120, 30, 120)).toBe(0);
  });

  it('warns only for known cities and far coordinates', () => {
    expect(farFromCity('上海', 31.19, 121.44)).toBeUndefined();
    expect(farFromCity('上海', 39.9, 116.4)).toBeGreaterThan(1000);
    expect(farFromCity('某县', 39.9, 116.4)).toBeUndefined();
    expect(farFromCity('上海', null, 116.4)).toBeUndefined();
    // The threshold: a point just inside stays quiet.
    const inside = 31.23 + (NEAR_CITY_KM - 5) / 111.2;
    expect(farFromCity('上海', inside, 121.47)).toBeUndefined();
  });
});
