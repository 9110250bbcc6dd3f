import { describe, expect, it } from 'vitest';
import { formatFen, marginPercent } from './money';

describe('formatFen', () => {
  it.each([
    { name: 'zero', fen: 0, want: '¥0.00' },
    { name: 'one fen', fen: 1, want: '¥0.01' },
    { name: 'ten fen', fen: 10, want: '¥0.10' },
    { name: 'whole yuan', fen: 1200, want: '¥12.00' },
    { name: 'typical price', fen: 1999, want: '¥19.99' },
    { name: 'thousands', fen: 123456, want: '¥1,234.56' },
    { name: 'millions', fen: 123456789, want: '¥1,234,567.89' },
    { name: 'negative', fen: -5, want: '-¥0.05' },
    { name: 'negative large', fen: -250000, want: '-¥2,500.00' },
    { name: 'no float drift', fen: 29, want: '¥0.29' },
  ])('$name', ({ fen, want }) => {
    expect(formatFen(fen)).toBe(want);
  });

  it('renders missing amounts as a dash', () => {
    expect(formatFen(undefined)).toBe('—');
    expect(formatFen(null)).toBe('—');
    expect(formatFen(Number.NaN)).toBe('—');
  });
});

describe('marginPercent', () => {
  it.each([
    { name: 'quarter', price: 1000, cost: 750, want: '25.0%' },
    { name: 'rounded', price: 300, cost: 200, want: '33.3%' },
    { name: 'loss', price: 100, cost: 150, want: '-50.0%' },
    { name: 'free cost', price: 999, cost: 0, want: '100.0%' },
    { name: 'zero price', price: 0, cost: 10, want: '—' },
  ])('$name', ({ price, cost, want }) => {
    expect(marginPercent(price, cost)).toBe(want);
  });
});
