import dayjs, { type Dayjs } from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(customParseFormat);
dayjs.extend(utc);
dayjs.extend(timezone);

/** DATE_TIME_FORMATS are the typed date-times understood, besides a date alone. */
const DATE_TIME_FORMATS = ['YYYY-MM-DD HH:mm', 'YYYY-MM-DD HH:mm:ss', 'YYYY-MM-DDTHH:mm', 'YYYY/MM/DD HH:mm', 'YYYY.MM.DD HH:mm', 'YYYYMMDD HHmm'];
/** DATE_FORMATS are the typed dates understood (a whole day). */
const DATE_FORMATS = ['YYYY-MM-DD', 'YYYY/MM/DD', 'YYYY.MM.DD', 'YYYYMMDD', 'YYYY年M月D日'];

/** WALL is how a wall-clock time is written between the picker and the zone. */
const WALL = 'YYYY-MM-DD HH:mm';

/**
 * Role says which end of a window an instant is: a day typed for an end means the
 * whole day, so the window ends (exclusively) at the next day's midnight.
 */
export type Role = 'start' | 'end';

/**
 * parseTyped reads text typed as a date-time in zone and returns the instant (RFC 3339
 * UTC), or undefined when it is not understood. A date alone is the day's midnight for
 * a start and the next day's midnight (the whole day included) for an end.
 */
export function parseTyped(text: string, zone: string, role: Role): string | undefined {
  const v = text.trim();
  for (const f of DATE_TIME_FORMATS) {
    const d = dayjs(v, f, true);
    if (d.isValid()) return dayjs.tz(d.format(WALL), WALL, zone).toISOString();
  }
  for (const f of DATE_FORMATS) {
    const d = dayjs(v, f, true);
    if (d.isValid()) {
      const day = role === 'end' ? d.add(1, 'day') : d;
      return dayjs.tz(day.format('YYYY-MM-DD') + ' 00:00', WALL, zone).toISOString();
    }
  }
  return undefined;
}

/**
 * toWall is the picker's value for an instant: its wall-clock time in zone (the picker
 * works in the browser's zone, which may differ). An end at midnight shows as 23:59 of
 * the day before: the last minute the window includes.
 */
export function toWall(instant: string, zone: string, role: Role): Dayjs {
  let z = dayjs(instant).tz(zone);
  if (role === 'end' && z.hour() === 0 && z.minute() === 0) z = z.subtract(1, 'minute');
  return dayjs(z.format(WALL), WALL);
}

/**
 * fromWall is the instant of a picked wall-clock time in zone. An end picked at 23:59
 * means through the end of that day: midnight after it.
 */
export function fromWall(d: Dayjs, zone: string, role: Role): string {
  let w = d.second(0).millisecond(0);
  if (role === 'end' && w.hour() === 23 && w.minute() === 59) w = w.add(1, 'minute');
  return dayjs.tz(w.format(WALL), WALL, zone).toISOString();
}

/** inZone formats an instant's wall-clock time in zone. */
export function inZone(instant: string, zone: string, format = WALL): string {
  return dayjs(instant).tz(zone).format(format);
}
