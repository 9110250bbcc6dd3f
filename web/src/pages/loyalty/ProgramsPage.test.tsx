import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { LoyaltyCard } from './LoyaltyCard';
import ProgramsPage from './ProgramsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const program = {
  id: 'p1',
  code: 'CLUB',
  name: '会员俱乐部',
  status: 'active',
  brand_ids: [],
  points_per_yuan: 1,
  growth_per_yuan: 1,
  member_days: [{ weekday: 2, multiplier_bp: 20000 }],
  expiry_kind: 'end_of_next_year',
  time_zone: 'Asia/Shanghai',
  auto_enrol: true,
  evaluation: { kind: 'annual', month: 1, day: 1, max_drop: 1, growth_at_period_end: 'reset' },
  action_rules: [
    { action: 'sign_in', growth: 2, points: 5, per_day: 1 },
    { action: 'profile_completed', growth: 50, points: 0, lifetime: 1 },
  ],
  tiers: [{ id: 't1', code: 'GOLD', name: '金卡', threshold: 500, multiplier_bp: 15000, retention_threshold: 300 }],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('ProgramsPage', () => {
  it('shows a program’s rules and tiers and adds a tier', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read', 'loyalty:write']) }),
      'GET /brands': () => page([]),
      'GET /loyalty/programs': () => ({ body: { items: [program] } }),
      'POST /loyalty/programs/p1/tiers': () => ({ status: 201, body: { id: 't2', code: 'PLAT', name: '白金', threshold: 2000, multiplier_bp: 20000 } }),
    });
    renderRoute(<ProgramsPage />);
    const card = await screen.findByTestId('loyalty-program-CLUB', undefined, { timeout: 10_000 });
    expect(within(card).getByText('集团共享（所有品牌）')).toBeTruthy();
    expect(within(card).getByText('周二 2×')).toBeTruthy();
    expect(within(card).getByText('1.5×')).toBeTruthy();
    expect(within(card).getByTestId('loyalty-evaluation').textContent).toBe('每年 1 月 1 日评定 · 每次最多降 1 级 · 清零');
    expect(within(card).getByText('300')).toBeTruthy(); // Gold's retention threshold
    expect(within(card).getByTestId('loyalty-action-rules').textContent).toBe(
      '签到 +2 成长值 · +5 积分（每天最多 1 次）；完善资料 +50 成长值（累计最多 1 次）',
    );
    fireEvent.change(within(card).getByTestId('tier-code'), { target: { value: 'PLAT' } });
    fireEvent.change(within(card).getByTestId('tier-name'), { target: { value: '白金' } });
    fireEvent.change(within(card).getByTestId('tier-threshold'), { target: { value: '2000' } });
    fireEvent.change(within(card).getByTestId('tier-multiplier'), { target: { value: '2' } });
    fireEvent.change(within(card).getByTestId('tier-retention'), { target: { value: '1500' } });
    fireEvent.click(within(card).getByTestId('tier-add'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      code: 'PLAT',
      name: '白金',
      threshold: 2000,
      multiplier_bp: 20000,
      retention_threshold: 1500,
    });
  }, 60_000);

  it('keeps the evaluation settings when a program is saved', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read', 'loyalty:write']) }),
      'GET /brands': () => page([]),
      'GET /loyalty/programs': () => ({ body: { items: [program] } }),
      'PUT /loyalty/programs/p1': () => ({ body: program }),
    });
    renderRoute(<ProgramsPage />);
    const card = await screen.findByTestId('loyalty-program-CLUB', undefined, { timeout: 10_000 });
    fireEvent.click(within(card).getByTestId('loyalty-program-edit'));
    expect((await screen.findByTestId('program-evaluation-month', undefined, { timeout: 10_000 })).getAttribute('value')).toBe('1');
    fireEvent.change(screen.getByTestId('program-evaluation-day'), { target: { value: '15' } });
    fireEvent.change(screen.getByTestId('program-growth-per-order'), { target: { value: '20' } });
    fireEvent.click(screen.getByTestId('loyalty-program-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true), { timeout: 10_000 });
    const put = calls.find((c) => c.method === 'PUT')?.body as { evaluation: unknown; growth_per_order: number; action_rules: unknown };
    expect(put.growth_per_order).toBe(20);
    // A replace carries the whole set-up: the action rules are kept, not dropped.
    expect(put.action_rules).toEqual([
      { action: 'sign_in', growth: 2, points: 5, per_day: 1, lifetime: 0 },
      { action: 'profile_completed', growth: 50, points: 0, per_day: 0, lifetime: 1 },
    ]);
    expect(put.evaluation).toEqual({
      kind: 'annual',
      month: 1,
      day: 15,
      months: 0,
      max_drop: 1,
      growth_at_period_end: 'reset',
    });
  }, 60_000);

  it('offers no changes to a reader', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read']) }),
      'GET /brands': () => page([]),
      'GET /loyalty/programs': () => ({ body: { items: [program] } }),
    });
    renderRoute(<ProgramsPage />);
    await screen.findByTestId('loyalty-program-CLUB', undefined, { timeout: 10_000 });
    expect(screen.queryByTestId('loyalty-program-create')).toBeNull();
    expect(screen.queryByTestId('tier-add')).toBeNull();
  }, 60_000);
});

describe('LoyaltyCard', () => {
  it('shows the tier, points, lots and ledger of a member', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read']) }),
      'GET /loyalty/programs': () => ({ body: { items: [program] } }),
      'GET /loyalty/customers/c1': () => ({
        body: {
          items: [
            {
              member: { program_id: 'p1', customer_id: 'c1', growth: 320, source: 'order', enrolled_at: '2026-01-01T00:00:00Z' },
              total: 450,
              available: 300,
              pending: 150,
              expiring: 0,
              next_tier: program.tiers[0],
            },
          ],
        },
      }),
      'GET /loyalty/programs/p1/members/c1/lots': () => ({
        body: { items: [{ id: 'l1', entry_id: 'e1', points: 500, remaining: 300, available_at: '2026-01-08T00:00:00Z', created_at: '2026-01-01T00:00:00Z' }] },
      }),
      'GET /loyalty/programs/p1/members/c1/entries': () =>
        page([{ id: 'e2', kind: 'reverse', points: -50, shortfall: 0, order_id: 'o1', created_at: '2026-01-03T00:00:00Z' }]),
      'GET /loyalty/programs/p1/members/c1/tier-moves': () => ({
        body: { items: [{ from_tier_id: 't0', to_tier_id: 't1', reason: 'upgrade', growth: 520, moved_at: '2026-01-05T00:00:00Z' }] },
      }),
      'GET /loyalty/programs/p1/members/c1/actions': () => ({
        body: {
          items: [
            { id: 'a1', action: 'sign_in', reference: '2026-01-04', day: '2026-01-04', growth: 2, points: 5, replayed: false,
              occurred_at: '2026-01-04T01:00:00Z', created_at: '2026-01-04T01:00:00Z', member: {} },
          ],
        },
      }),
    });
    renderRoute(<LoyaltyCard customerId="c1" />);
    const card = await screen.findByTestId('loyalty-member-CLUB', undefined, { timeout: 10_000 });
    expect(within(card).getByText('再得 180 成长值升至 金卡')).toBeTruthy();
    expect(within(card).getByTestId('loyalty-available').textContent).toContain('300');
    expect(await within(card).findByText('退货冲回', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(within(card).getByText('订单 o1')).toBeTruthy();
    const moves = await within(card).findByTestId('loyalty-tier-moves', undefined, { timeout: 10_000 });
    expect(await within(moves).findByText('升级', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(within(moves).getByText('t0 → 金卡')).toBeTruthy(); // a tier the program no longer has shows its id
    const actions = within(card).getByTestId('loyalty-actions');
    expect(await within(actions).findByText('签到', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(within(actions).getByText('+2 成长值 · +5 积分')).toBeTruthy();
    expect(screen.queryByTestId('loyalty-adjust-open')).toBeNull();
    expect(screen.queryByTestId('loyalty-tier-validity')).toBeNull(); // no tier, nothing to keep
  }, 60_000);

  it('shows until when the tier is valid and the growth needed to keep it', async () => {
    const member = (retention_needed: number) => ({
      member: {
        program_id: 'p1',
        customer_id: 'c1',
        tier_id: 't1',
        growth: 600,
        period_growth: 100,
        valid_until: '2027-01-01T12:00:00Z',
        source: 'order',
        enrolled_at: '2026-01-01T00:00:00Z',
      },
      total: 0,
      available: 0,
      pending: 0,
      expiring: 0,
      tier: program.tiers[0],
      retention_needed,
    });
    fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read']) }),
      'GET /loyalty/programs': () => ({ body: { items: [program] } }),
      'GET /loyalty/customers/c1': () => ({ body: { items: [member(200)] } }),
      'GET /loyalty/programs/p1/members/c1/lots': () => ({ body: { items: [] } }),
      'GET /loyalty/programs/p1/members/c1/entries': () => page([]),
    });
    renderRoute(<LoyaltyCard customerId="c1" />);
    const line = await screen.findByTestId('loyalty-tier-validity', undefined, { timeout: 10_000 });
    expect(line.textContent).toBe('等级有效期至 2027-01-01 · 本期再得 200 成长值可保级 金卡');
  }, 60_000);
});
