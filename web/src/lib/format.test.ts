import { describe, expect, it } from 'vitest';
import { formatPercent } from './format';

describe('formatPercent', () => {
  it('renders a rate as a percent with one decimal', () => {
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(formatPercent(250 / 12750)).toBe('2.0%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(1)).toBe('100.0%');
  });

  it('renders a missing or undefined rate as a dash', () => {
    expect(formatPercent(undefined)).toBe('—');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(0 / 0)).toBe('—');
  });
});
