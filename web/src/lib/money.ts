/**
 * formatFen renders an amount in integer fen as yuan with two decimals and
 * thousands separators: 123456 → "¥1,234.56", -5 → "-¥0.05". It uses
 * integer arithmetic, so no floating-point rounding creeps in.
 */
export function formatFen(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '—';
  const n = Math.round(fen);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const yuan = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100).toString().padStart(2, '0');
  return `${sign}¥${yuan}.${cents}`;
}

/**
 * marginPercent is the gross margin of a price over its cost, in percent
 * with one decimal ("25.0%"); it is "—" when the price is not positive.
 */
export function marginPercent(priceFen: number | null | undefined, costFen: number | null | undefined): string {
  if (priceFen === null || priceFen === undefined || costFen === null || costFen === undefined) return '—';
  if (priceFen <= 0) return '—';
  const pct = ((priceFen - costFen) * 100) / priceFen;
  return `${pct.toFixed(1)}%`;
}
