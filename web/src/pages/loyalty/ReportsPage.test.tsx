import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { earnBurnBy, liabilityOption } from './reportCharts';
import ReportsPage from './ReportsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const program = {
  program_id: 'p1',
  program_name: '华联会员',
  balance: 170,
  liability: [
    { month: '2026-04', points: 50, lots: 1 },
    { month: '2026-05', points: 120, lots: 3 },
  ],
  earn_burn: [
    { store_id: '', channel: '', earned: 0, redeemed: 0, reversed: 0, expired: 0, adjusted: 10, entries: 1 },
    { store_id: 's1', channel: 'mini_program', earned: 80, redeemed: 0, reversed: 0, expired: 0, adjusted: 0, entries: 1 },
    { store_id: 's1', channel: 'pos', earned: 50, redeemed: 0, reversed: 0, expired: 0, adjusted: 0, entries: 1 },
    { store_id: 's2', channel: 'mini_program', earned: 0, redeemed: 30, reversed: 0, expired: 0, adjusted: 0, entries: 1 },
  ],
  tiers: [
    { tier_id: 't1', tier_name: '普通', members: 1 },
    { tier_id: 't2', tier_name: '金卡', members: 1 },
  ],
  moves: [{ from_tier_id: 't1', from_tier_name: '普通', to_tier_id: 't2', to_tier_name: '金卡', moves: 1 }],
};

describe('report charts', () => {
  it('folds store × channel rows per channel and charts the months the server summed', () => {
    expect(earnBurnBy(program, 'channel')).toEqual([
      { key: '', earned: 0, redeemed: 0, reversed: 0, expired: 0 },
      { key: 'mini_program', earned: 80, redeemed: 30, reversed: 0, expired: 0 },
      { key: 'pos', earned: 50, redeemed: 0, reversed: 0, expired: 0 },
    ]);
    const o = liabilityOption(program, 'never', 'points');
    expect(o.xAxis.data).toEqual(['2026-04', '2026-05']);
    expect(o.series[0].data).toEqual([50, 120]);
  });
});

describe('ReportsPage', () => {
  it('shows the points report, the coupon funnel and the stored-value liability', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read', 'org:read']) }),
      'GET /store-names': () => ({ body: { items: [{ id: 's1', name: '上海一店' }] } }),
      'GET /loyalty/reports/points': () => ({ body: { at: '2026-05-01T00:00:00Z', from: '2026-02-01T00:00:00Z', to: '2026-05-01T00:00:00Z', programs: [program] } }),
      'GET /loyalty/reports/coupons': () => ({
        body: {
          at: '2026-05-01T00:00:00Z',
          from: '2026-02-01T00:00:00Z',
          to: '2026-05-01T00:00:00Z',
          total: { issued: 7, unused: 2, locked: 2, redeemed: 1, expired: 2, redemption_rate_bp: 1429 },
          templates: [
            {
              template_id: 'a',
              template_code: 'AAA',
              template_name: '满100减15',
              issued: 5,
              unused: 2,
              locked: 2,
              redeemed: 1,
              expired: 0,
              redemption_rate_bp: 2000,
              channels: [{ channel: 'mini_program', locked: 0, redeemed: 1 }],
            },
          ],
        },
      }),
      'GET /loyalty/stored-value/liability': () => ({
        body: { at: '2026-05-01T00:00:00Z', accounts_fen: 100000, accounts: 3, cards_active_fen: 50000, cards_active: 1, cards_issued: 0, cards_issued_face_fen: 0, total_fen: 150000 },
      }),
    });
    renderRoute(<ReportsPage />);
    const liability = await screen.findByTestId('report-liability', undefined, { timeout: 10_000 });
    expect(within(liability).getByText('170')).toBeTruthy();
    expect(within(liability).getByTestId('chart-liability')).toBeTruthy();
    expect(within(screen.getByTestId('report-moves')).getByText('金卡')).toBeTruthy();
    // Stores by name (s2 is not readable: the start of its id), never a raw id.
    await waitFor(() => expect(screen.getByTestId('chart-by-store').textContent).toContain('上海一店'));
    expect(screen.getByTestId('chart-by-store').textContent).toContain('s2');
    expect(screen.getByTestId('chart-by-channel')).toBeTruthy();
    const funnel = await screen.findByTestId('report-funnel', undefined, { timeout: 10_000 });
    expect(within(funnel).getByTestId('report-funnel-total').textContent).toBe('发放 7 张，核销 1 张（14.29%）');
    expect(within(funnel).getByText('20.00%')).toBeTruthy();
    expect(within(funnel).getByText('小程序：锁定 0，核销 1')).toBeTruthy();
    const sv = await screen.findByTestId('report-stored-value', undefined, { timeout: 10_000 });
    expect(within(sv).getByText('¥1,500.00')).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.path === '/loyalty/reports/points' && c.query.get('from'))).toBe(true));
  }, 60_000);
});
