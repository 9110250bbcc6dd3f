import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { CouponGuard, ruleRequest } from './CouponGuard';

afterEach(() => {
  vi.unstubAllGlobals();
});

const template = {
  id: 'ct1',
  code: 'FIVE',
  name: '满30减5',
  status: 'active',
  promotion_id: 'p1',
  discount: { kind: 'amount_off' },
  valid_days: 30,
  per_member_limit: 1,
  total_limit: 0,
  issued: 12,
  refund_policy: 'keep',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

const flag = {
  id: 'f1',
  template_id: 'ct1',
  rule_id: 'r1',
  dimension: 'device',
  value_hash: 'AbCdEfGhIjKlMnOp',
  customer_id: 'cust-9',
  coupon_id: 'cp1',
  customers: 4,
  threshold: 3,
  window_seconds: 86400,
  status: 'open',
  created_at: '2026-03-02T02:00:00Z',
};

const rule = {
  id: 'r1',
  template_id: '',
  dimension: 'device',
  window_seconds: 86400,
  threshold: 3,
  action: 'flag',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('CouponGuard', () => {
  it('lists open flags, confirms one, pages on, and saves a rule', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read', 'loyalty:write']) }),
      'GET /coupon-templates': () => page([template]),
      'GET /coupon-velocity-flags': (c) => (c.query.get('cursor') ? page([]) : page([flag], 'f1')),
      'POST /coupon-velocity-flags/f1/review': () => ({ body: { ...flag, status: 'confirmed' } }),
      'GET /coupon-velocity-rules': () => ({ body: { items: [rule] } }),
      'PUT /coupon-velocity-rules': (c) => ({ body: { ...rule, id: 'r2', ...(c.body as object) } }),
    });
    renderRoute(<CouponGuard />);
    const flags = await screen.findByTestId('velocity-flags', undefined, { timeout: 10_000 });
    await within(flags).findByText('cust-9', undefined, { timeout: 10_000 });
    expect(within(flags).getByText('FIVE · 满30减5')).toBeTruthy();
    expect(within(flags).getByText('AbCdEfGhIj')).toBeTruthy();
    expect(calls.find((c) => c.path === '/coupon-velocity-flags')?.query.get('status')).toBe('open');
    const rules = screen.getByTestId('velocity-rules');
    await within(rules).findByText('24 小时内超过 3 个客户', undefined, { timeout: 10_000 });
    expect(within(rules).getByText('所有模板（默认）')).toBeTruthy();

    fireEvent.click(screen.getByTestId('flag-confirm-f1'));
    await waitFor(() => expect(calls.some((c) => c.path === '/coupon-velocity-flags/f1/review')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.path === '/coupon-velocity-flags/f1/review')?.body).toEqual({ status: 'confirmed' });

    fireEvent.click(screen.getByTestId('flag-next'));
    await waitFor(() => expect(calls.some((c) => c.path === '/coupon-velocity-flags' && c.query.get('cursor') === 'f1')).toBe(true), {
      timeout: 10_000,
    });

    fireEvent.change(screen.getByTestId('rule-threshold'), { target: { value: '5' } });
    fireEvent.click(screen.getByTestId('rule-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ dimension: 'device', window_seconds: 86400, threshold: 5, action: 'flag' });
  }, 60_000);

  it('offers no review or rule changes to a reader', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read']) }),
      'GET /coupon-templates': () => page([template]),
      'GET /coupon-velocity-flags': () => page([flag]),
      'GET /coupon-velocity-rules': () => ({ body: { items: [rule] } }),
    });
    renderRoute(<CouponGuard />);
    const flags = await screen.findByTestId('velocity-flags', undefined, { timeout: 10_000 });
    await within(flags).findByText('cust-9', undefined, { timeout: 10_000 });
    expect(screen.queryByTestId('flag-confirm-f1')).toBeNull();
    expect(screen.queryByTestId('rule-save')).toBeNull();
  }, 60_000);

  it('converts the rule form to whole seconds', () => {
    expect(ruleRequest({ template_id: '', dimension: 'phone', window_hours: 1.5, threshold: 2, action: 'block' })).toEqual({
      template_id: undefined,
      dimension: 'phone',
      window_seconds: 5400,
      threshold: 2,
      action: 'block',
    });
  });
});
