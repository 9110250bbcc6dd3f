import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import CouponsPage, { templateRequest } from './CouponsPage';
import { CustomerCoupons } from './CustomerCoupons';

afterEach(() => {
  vi.unstubAllGlobals();
});

const template = {
  id: 'ct1',
  code: 'FIVE',
  name: '满30减5',
  status: 'active',
  promotion_id: 'p1',
  discount: { kind: 'amount_off', scope: { all: true }, conditions: { min_spend: 3000 }, amount_off: { amount: 500 } },
  valid_days: 30,
  per_member_limit: 1,
  total_limit: 1000,
  issued: 12,
  refund_policy: 'keep',
  triggers: [] as string[],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('CouponsPage', () => {
  it('lists templates and issues to a pasted list with progress', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read', 'loyalty:write']) }),
      'GET /coupon-templates': () => page([template]),
      'POST /coupon-templates/ct1/status': () => ({ body: { ...template, status: 'inactive' } }),
      'POST /coupon-templates/ct1/issues': () => ({
        status: 201,
        body: { id: 'i1', template_id: 'ct1', key: 'k', total: 3, done: 3, issued: 2, skipped: 1, status: 'done', created_at: '', updated_at: '' },
      }),
    });
    renderRoute(<CouponsPage />);
    const table = await screen.findByTestId('coupon-templates', undefined, { timeout: 10_000 });
    expect(within(table).getByText('减¥5.00（满¥30.00可用）')).toBeTruthy();
    expect(within(table).getByText('12 / 1000')).toBeTruthy();
    fireEvent.click(screen.getByTestId('coupon-issue-FIVE'));
    fireEvent.change(await screen.findByTestId('coupon-issue-ids'), { target: { value: 'c1\nc2, c3' } });
    fireEvent.click(screen.getByTestId('coupon-issue-send'));
    await screen.findByTestId('coupon-issue-result', undefined, { timeout: 10_000 });
    const post = calls.find((c) => c.method === 'POST');
    expect((post?.body as { customer_ids: string[] }).customer_ids).toEqual(['c1', 'c2', 'c3']);
    expect((post?.body as { key: string }).key).toMatch(/^console-/);
    fireEvent.click(screen.getByTestId('coupon-status-FIVE'));
    await waitFor(() => expect(calls.some((c) => c.path === '/coupon-templates/ct1/status')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.path === '/coupon-templates/ct1/status')?.body).toEqual({ status: 'inactive' });
  }, 60_000);

  it('offers no changes to a reader', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read']) }),
      'GET /coupon-templates': () => page([{ ...template, triggers: ['birthday'] }]),
    });
    renderRoute(<CouponsPage />);
    const table = await screen.findByTestId('coupon-templates', undefined, { timeout: 10_000 });
    expect(within(table).getByText('生日')).toBeTruthy();
    expect(screen.queryByTestId('coupon-template-create')).toBeNull();
    expect(screen.queryByTestId('coupon-issue-FIVE')).toBeNull();
    expect(screen.queryByTestId('coupon-triggers-FIVE')).toBeNull();
  }, 60_000);

  it('sets the events that issue a template', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read', 'loyalty:write']) }),
      'GET /coupon-templates': () => page([template]),
      'PUT /coupon-templates/ct1/triggers': () => ({ body: { ...template, triggers: ['first_order'] } }),
    });
    renderRoute(<CouponsPage />);
    await screen.findByTestId('coupon-templates', undefined, { timeout: 10_000 });
    fireEvent.mouseDown(within(screen.getByTestId('coupon-triggers-FIVE')).getByRole('combobox'));
    fireEvent.click(await screen.findByTitle('首单', undefined, { timeout: 10_000 }));
    await waitFor(() => expect(calls.some((c) => c.path === '/coupon-templates/ct1/triggers')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.path === '/coupon-templates/ct1/triggers')?.body).toEqual({ triggers: ['first_order'] });
  }, 60_000);

  it('builds engine definitions from the form in fen', () => {
    expect(templateRequest({ code: 'A', name: 'a', kind: 'threshold', amount: 10, spend: 100, valid_days: 7, refund_policy: 'return' })).toEqual({
      code: 'A',
      name: 'a',
      discount: { kind: 'threshold', scope: { all: true }, threshold: { tiers: [{ spend: 10000, off: 1000 }] } },
      valid_days: 7,
      per_member_limit: undefined,
      total_limit: undefined,
      refund_policy: 'return',
      triggers: undefined,
    });
    expect(
      templateRequest({ code: 'C', name: 'c', kind: 'amount_off', amount: 20, valid_days: 7, refund_policy: 'keep', triggers: ['birthday'] }).triggers,
    ).toEqual(['birthday']);
    expect(templateRequest({ code: 'B', name: 'b', kind: 'percent_off', percent: 12, cap: 30, spend: 50, valid_days: 1, refund_policy: 'keep' }).discount).toEqual({
      kind: 'percent_off',
      scope: { all: true },
      percent_off: { off_bp: 1200, max_off: 3000 },
      conditions: { min_spend: 5000 },
    });
  });
});

describe('CustomerCoupons', () => {
  it('lists a customer’s coupons with their state', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read']) }),
      'GET /coupon-templates': () => page([template]),
      'GET /coupons': () =>
        page([
          { id: 'c1', template_id: 'ct1', code: 'ABCD-EFGH-JKMNP', customer_id: 'x', status: 'issued', valid_from: '', expires_at: '2026-02-01T00:00:00Z', issued_at: '' },
        ]),
    });
    renderRoute(<CustomerCoupons customerId="x" />);
    const box = await screen.findByTestId('customer-coupons', undefined, { timeout: 10_000 });
    await waitFor(() => expect(within(box).getByText('ABCD-EFGH-JKMNP')).toBeTruthy(), { timeout: 10_000 });
    expect(within(box).getByText('可用')).toBeTruthy();
  }, 60_000);
});
