import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { fromWall, inZone, parseTyped, toWall } from './zonedTime';

describe('typed and picked promotion dates in the tenant zone', () => {
  it('reads typed date-times in the zone, whatever the browser zone', () => {
    expect(parseTyped('2026-12-31 20:00', 'Asia/Shanghai', 'start')).toBe('2026-12-31T12:00:00.000Z');
    expect(parseTyped(' 2026/12/31 20:00 ', 'Asia/Shanghai', 'start')).toBe('2026-12-31T12:00:00.000Z');
    expect(parseTyped('20261231 2000', 'Asia/Urumqi', 'start')).toBe('2026-12-31T14:00:00.000Z');
  });

  it('takes a day typed for an end as the whole day, and for a start as its midnight', () => {
    expect(parseTyped('2026-12-31', 'Asia/Shanghai', 'end')).toBe('2026-12-31T16:00:00.000Z');
    expect(parseTyped('2026年12月31日', 'Asia/Shanghai', 'end')).toBe('2026-12-31T16:00:00.000Z');
    expect(parseTyped('2026-12-31', 'Asia/Shanghai', 'start')).toBe('2026-12-30T16:00:00.000Z');
  });

  it('says when a typed value is not understood', () => {
    for (const text of ['tomorrow', '2026-13-01', '2026-02-30 10:00', '31/12/2026', '']) {
      expect(parseTyped(text, 'Asia/Shanghai', 'start'), text).toBeUndefined();
    }
  });

  it('shows an end at midnight as 23:59 of the day it includes, and reads 23:59 back as midnight', () => {
    const end = '2026-12-31T16:00:00.000Z'; // 2027-01-01 00:00 in Shanghai
    const wall = toWall(end, 'Asia/Shanghai', 'end');
    expect(wall.format('YYYY-MM-DD HH:mm')).toBe('2026-12-31 23:59');
    expect(fromWall(wall, 'Asia/Shanghai', 'end')).toBe(end);
    expect(fromWall(dayjs('2026-12-31 18:30', 'YYYY-MM-DD HH:mm'), 'Asia/Shanghai', 'end')).toBe('2026-12-31T10:30:00.000Z');
    expect(inZone(end, 'Asia/Shanghai')).toBe('2027-01-01 00:00');
  });
});
