import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import GiftCardsPage from './GiftCardsPage';
import { StoredValueCard } from './StoredValueCard';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('StoredValueCard', () => {
  it('shows the balance, the ledger and the paid membership, and adjusts with a reason', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read', 'loyalty:write']) }),
      'GET /loyalty/customers/c1/stored-value': () => ({
        body: {
          customer_id: 'c1',
          account_id: 'a1',
          balance_fen: 12345,
          entries: { items: [{ id: 'e1', kind: 'rebate', amount_fen: 300, balance_fen: 12345, order_id: 'o1', created_at: '2026-01-03T00:00:00Z' }] },
        },
      }),
      'GET /loyalty/customers/c1/membership': () => ({
        body: {
          customer_id: 'c1',
          active: { id: 'm1', plan_id: 'p1', starts_at: '2026-01-01T00:00:00Z', ends_at: '2027-01-01T00:00:00Z', fee_fen: 9900, method: 'cash', created_at: '2026-01-01T00:00:00Z' },
          plan: { id: 'p1', code: 'PLUS', name: 'PLUS 会员', period: 'year', fee_fen: 9900, rebate_bp: 200, rebate_cap_fen: 50000 },
          periods: [{ id: 'm1', plan_id: 'p1', starts_at: '2026-01-01T00:00:00Z', ends_at: '2027-01-01T00:00:00Z', fee_fen: 9900, method: 'cash', created_at: '2026-01-01T00:00:00Z' }],
          rebated_fen: 300,
        },
      }),
      'POST /loyalty/customers/c1/stored-value/adjustments': () => ({ status: 201, body: { id: 'e2', kind: 'adjust', amount_fen: -500, balance_fen: 11845, created_at: '2026-01-04T00:00:00Z' } }),
    });
    renderRoute(<StoredValueCard customerId="c1" />);
    const card = await screen.findByTestId('customer-stored-value', undefined, { timeout: 10_000 });
    await waitFor(() => expect(within(card).getByTestId('stored-value-balance').textContent).toContain('¥123.45'), { timeout: 10_000 });
    expect(await within(card).findByText('付费会员返利', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(within(card).getByText('PLUS 会员')).toBeTruthy();
    expect(within(card).getByText('¥3.00 / 上限 ¥500.00')).toBeTruthy();
    fireEvent.click(within(card).getByTestId('stored-value-adjust-open'));
    fireEvent.change(within(card).getByTestId('stored-value-adjust-yuan'), { target: { value: '-5' } });
    fireEvent.change(within(card).getByTestId('stored-value-adjust-reason'), { target: { value: '补偿冲回' } });
    fireEvent.click(within(card).getByTestId('stored-value-adjust-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true), { timeout: 10_000 });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ amount_fen: -500, reason: '补偿冲回' });
  }, 60_000);
});

describe('GiftCardsPage', () => {
  it('lists batches with the liability and shows a new batch’s PINs once', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['loyalty:read', 'loyalty:write']) }),
      'GET /loyalty/gift-card-batches': () => ({
        body: { items: [{ id: 'b1', name: '春节卡', face_value_fen: 50000, quantity: 100, registered: false, created_at: '2026-01-01T00:00:00Z' }] },
      }),
      'GET /loyalty/stored-value/liability': () => ({
        body: { at: '2026-01-05T00:00:00Z', accounts_fen: 100000, accounts: 3, cards_active_fen: 50000, cards_active: 1, cards_issued: 99, cards_issued_face_fen: 4950000, total_fen: 150000 },
      }),
      'POST /loyalty/gift-card-batches': () => ({
        status: 201,
        body: {
          batch: { id: 'b2', name: '员工卡', face_value_fen: 10000, quantity: 1, registered: false, created_at: '2026-01-05T00:00:00Z' },
          cards: [{ id: 'g1', batch_id: 'b2', code: '0123456789ABCDEFG', pin: '123456', status: 'issued', balance_fen: 0 }],
        },
      }),
      'GET /loyalty/gift-card-batches/b1/cards': () => page([]),
    });
    renderRoute(<GiftCardsPage />);
    expect(await screen.findByText('春节卡', undefined, { timeout: 10_000 })).toBeTruthy();
    const liability = await screen.findByTestId('stored-value-liability', undefined, { timeout: 10_000 });
    expect(within(liability).getByText('¥1,500.00')).toBeTruthy();
    fireEvent.click(screen.getByTestId('gift-batch-issue'));
    fireEvent.change(await screen.findByTestId('gift-batch-name'), { target: { value: '员工卡' } });
    fireEvent.change(screen.getByTestId('gift-batch-quantity'), { target: { value: '1' } });
    fireEvent.click(screen.getByTestId('gift-batch-submit'));
    expect(await screen.findByText('123456', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: '员工卡', face_value_fen: 10000, quantity: 1, registered: false });
  }, 60_000);
});
