import { describe, expect, it } from 'vitest';
import { barOption, pieOption, pointSize, scatterOption } from './charts';

describe('chart options', () => {
  it('bar charts turn horizontal when there are many bars', () => {
    const few = barOption([{ name: 'a', value: 1 }]);
    expect(few.xAxis).toMatchObject({ type: 'category', data: ['a'] });
    const many = barOption(Array.from({ length: 9 }, (_, i) => ({ name: `c${i}`, value: i })));
    expect(many.yAxis).toMatchObject({ type: 'category', inverse: true });
    expect(many.series[0].data).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('pie charts keep the data as given', () => {
    const data = [{ name: '上海', value: 3 }];
    expect(pieOption(data).series[0].data).toBe(data);
  });

  it('scatter charts put longitude on x, latitude on y, one series per group', () => {
    const opt = scatterOption(
      [
        { name: '徐汇店', city: '上海', longitude: 121.44, latitude: 31.19, group: 'supermarket', count: 1 },
        { name: '国贸店', city: '北京', longitude: 116.46, latitude: 39.91, group: 'convenience', count: 1 },
        { name: '', city: '上海', longitude: 121.45, latitude: 31.23, group: 'supermarket', count: 12 },
      ],
      (g) => g.toUpperCase(),
      (n) => `${n} 家门店`,
    );
    expect(opt.series.map((s) => s.name)).toEqual(['CONVENIENCE', 'SUPERMARKET']);
    // Each group is drawn aside in its own direction; the data keeps the true position.
    const [x0, y0, ...rest] = opt.series[1].data[0] as number[];
    expect(rest).toEqual(['徐汇店', '上海', 1, 121.44, 31.19]);
    expect(Math.hypot(x0 - 121.44, y0 - 31.19)).toBeCloseTo(0.45);
    const [x1, y1] = opt.series[0].data[0] as number[];
    expect(Math.hypot(x1 - 116.46, y1 - 39.91)).toBeCloseTo(0.45);
    expect(Math.sign(x1 - 116.46)).not.toBe(Math.sign(x0 - 121.44));
    // One group alone is drawn where it is.
    expect(scatterOption([{ name: 'a', city: 'c', longitude: 1, latitude: 2, group: 'g', count: 1 }], String).series[0].data[0].slice(0, 2)).toEqual([1, 2]);
    expect(opt.xAxis.min).toBeLessThan(116.46);
    expect(opt.xAxis.max).toBeGreaterThan(121.45);
    expect(opt.yAxis.min).toBeLessThan(31.19);
    expect(opt.yAxis.max).toBeGreaterThan(39.91);
    const tip = opt.tooltip.formatter({ data: [121.9, 31.19, '徐汇店', '上海', 1, 121.44, 31.19], seriesName: '超市' });
    expect(tip).toContain('徐汇店');
    expect(tip).toContain('上海');
    expect(tip).toContain('121.44, 31.19');
    // A cell of several stores says how many, and its symbol grows with them.
    expect(opt.tooltip.formatter({ data: [121.45, 31.23, '', '上海', 12, 121.45, 31.23], seriesName: '超市' })).toContain('12 家门店');
    expect(opt.series[1].symbolSize([0, 0, '', '', 12])).toBeGreaterThan(opt.series[1].symbolSize([0, 0, '', '', 1]));
    expect(pointSize(1)).toBe(6);
    expect(pointSize(10_000)).toBe(30);
    const evil = opt.tooltip.formatter({ data: [1, 2, '<img src=x onerror=alert(1)>', 'A&B', 1, 1, 2], seriesName: 's' });
    expect(evil).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(evil).toContain('A&#38;B');
    expect(evil).not.toContain('<img');
  });

  it('scatter charts without points default to China', () => {
    const opt = scatterOption([], (g) => g);
    expect(opt.series).toEqual([]);
    expect([opt.xAxis.min, opt.xAxis.max, opt.yAxis.min, opt.yAxis.max]).toEqual([73, 135, 18, 54]);
  });
});
