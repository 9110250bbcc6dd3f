import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';

dayjs.extend(relativeTime);

/** formatDateTime renders an RFC 3339 instant in local time, or "—". */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = dayjs(value);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm:ss') : value;
}

/** formatNumber renders a number with thousands separators, or "—". */
export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** formatPercent renders a rate (0.125) as a percent with one decimal ("12.5%"), or "—". */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${(rate * 100).toFixed(1)}%`;
}

/** formatRelative renders an RFC 3339 instant as "3 minutes ago" in the current dayjs locale, or "—". */
export function formatRelative(value: string | null | undefined, now?: string | Date): string {
  if (!value) return '—';
  const d = dayjs(value);
  if (!d.isValid()) return value;
  return now === undefined ? d.fromNow() : d.from(dayjs(now));
}
