import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IdentityReview } from '../../api/types';
import { fakeApi, page, renderRoute } from '../../test/render';
import { customer, meWith, reviews } from './fixtures';
import ReviewsPage, { scoreExplanation } from './ReviewsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const resolved: IdentityReview = {
  ...reviews[0],
  id: 'r0',
  status: 'resolved',
  resolution: 'separate',
  resolved_at: '2026-11-22T00:00:00Z',
};

describe('ReviewsPage', { timeout: 60_000 }, () => {
  it('lists open reviews with counts, candidates and scores, and resolves them', async () => {
    const open = [...reviews];
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read', 'customers:write']) }),
      'GET /identity-reviews': (c) => page(c.query.get('status') === 'resolved' ? [resolved] : open),
      'GET /identity-review-counts': (c) => {
        const rs = c.query.get('status') === 'resolved' ? [resolved] : open;
        return { body: { total: rs.length, by_reason: rs.map((r) => ({ key: r.reason, count: 1 })), by_score_band: [{ key: 'none', count: rs.length }] } };
      },
      'POST /identity-reviews/r1/resolve': (c) => {
        open.splice(0, 1);
        return { body: { ...reviews[0], status: 'resolved', resolution: (c.body as { action: string }).action } };
      },
      'POST /identity-reviews/r2/resolve': (c) => ({ body: { ...reviews[1], status: 'resolved', resolution: (c.body as { action: string }).action } }),
    });
    renderRoute(<ReviewsPage />, { path: '/customers/reviews' });

    const table = within(await screen.findByTestId('reviews-table'));
    expect(await table.findByText('合并后将有 3 个手机号（最多允许 2 个）')).toBeTruthy();
    expect(table.getByText('超出身份上限')).toBeTruthy();
    expect(table.getByText('相似匹配')).toBeTruthy();
    expect(table.getByTestId('review-score').textContent).toContain('87%');
    // Candidates link to their 360 pages.
    const links = table.getAllByTestId('customer-link').map((a) => a.getAttribute('href'));
    expect(links).toEqual(expect.arrayContaining(['/customers/c1', '/customers/c2', '/customers/c3', '/customers/c4']));
    await waitFor(() => expect(screen.getByTestId('reviews-open-count').textContent).toContain('2'));
    await waitFor(() => expect(screen.getByTestId('chart-reviews-kind').querySelector('svg')).not.toBeNull());

    // Keep separate needs no confirmation.
    fireEvent.click(table.getAllByTestId('review-separate')[1]);
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/identity-reviews/r2/resolve', body: { action: 'separate' } }),
    );

    // Merge asks first.
    fireEvent.click(table.getAllByTestId('review-merge')[0]);
    fireEvent.click(await screen.findByRole('button', { name: '合 并' }));
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'POST')[1]).toMatchObject({ path: '/identity-reviews/r1/resolve', body: { action: 'merge' } }),
    );
    // The queue is read again and the merged review is gone.
    await waitFor(() => expect(table.queryByText('合并后将有 3 个手机号（最多允许 2 个）')).toBeNull());
  });

  it('shows resolved reviews with their resolution, without actions', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read', 'customers:write']) }),
      'GET /identity-reviews': (c) => page(c.query.get('status') === 'resolved' ? [resolved] : reviews),
    });
    renderRoute(<ReviewsPage />, { path: '/customers/reviews' });
    fireEvent.click(await screen.findByRole('tab', { name: '已处理' }));
    const table = within(screen.getByTestId('reviews-table'));
    expect(await table.findByText('保持独立')).toBeTruthy();
    expect(table.queryByTestId('review-merge')).toBeNull();
    expect(calls.some((c) => c.path === '/identity-reviews' && c.query.get('status') === 'resolved' && c.query.get('limit') === '50')).toBe(true);
  });

  it('hides the actions from users without customers:write', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read']) }),
      'GET /identity-reviews': () => page(reviews),
    });
    renderRoute(<ReviewsPage />, { path: '/customers/reviews' });
    const table = within(await screen.findByTestId('reviews-table'));
    expect(await table.findByText('资料相似（得分 0.87）')).toBeTruthy();
    expect(table.queryByTestId('review-merge')).toBeNull();
    expect(table.queryByTestId('review-separate')).toBeNull();
  });
});

describe('scoreExplanation', () => {
  it('lists the terms and their sum', () => {
    const r: IdentityReview = {
      id: 'r',
      event_id: 'e',
      customer_id: 'c',
      candidates: [],
      reason: '',
      reasons: [],
      left: 'c',
      right: [],
      score: 0.9,
      status: 'open',
      resolved_at: null,
      resolution: null,
      created_at: '',
      explanation: [
        { comparison: 'prior', level: '', weight: -14.5 },
        { comparison: 'name', level: 'fold', weight: 11.5 },
        { comparison: 'phone', level: '7+ digits equal', weight: 6.2 },
      ],
    };
    expect(scoreExplanation(r)).toBe('prior -14.5 · name fold +11.5 · phone 7+ digits equal +6.2 = 3.2 bits');
    expect(scoreExplanation({ ...r, explanation: null })).toBeUndefined();
  });
});

describe('ReviewsPage work-through', { timeout: 60_000 }, () => {
  it('words reasons from codes in both languages', async () => {
    const { reasonText } = await import('./ReviewsPage');
    const i18n = (await import('../../i18n')).default;
    const r = { code: 'type_limit', type: 'phone', count: 2, limit: 1 };
    expect(reasonText(i18n.getFixedT('zh-CN'), r)).toBe('合并后将有 2 个手机号（最多允许 1 个）');
    expect(reasonText(i18n.getFixedT('en'), r)).toBe('Joining would give 2 Phone identifiers (at most 1 allowed)');
    expect(reasonText(i18n.getFixedT('en'), { code: 'unknown_code' })).toBe('Other reason');
  });

  it('shows both sides with masked profiles and the score parts, and resolves a filtered set in bulk after confirming how many', async () => {
    const fuzzy: IdentityReview = {
      ...reviews[1],
      explanation: [
        { comparison: 'prior', level: '', weight: -12.8 },
        { comparison: 'phone', level: '7+ digits equal', weight: 19.6 },
      ],
    };
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read', 'customers:write', 'org:read']) }),
      'GET /store-names': () => ({ body: { items: [{ id: 's1', name: '上海南京路店' }] } }),
      'GET /identity-reviews': (c) => page(c.query.get('min_score') === '0.95' ? [] : c.query.get('min_score') ? [fuzzy] : [reviews[0], fuzzy]),
      'GET /identity-review-counts': () => ({ body: { total: 2, by_reason: [], by_score_band: [] } }),
      'GET /customers/c3': () => ({ body: { ...customer, id: 'c3', profile: { ...customer.profile, preferred_store_id: 's1' } } }),
      'GET /customers/c4': () => ({ body: { ...customer, id: 'c4' } }),
      'POST /identity-reviews/resolve': (c) => ({
        body: { items: (c.body as { review_ids: string[] }).review_ids.map((id) => ({ review_id: id, outcome: 'resolved' })) },
      }),
    });
    renderRoute(<ReviewsPage />, { path: '/customers/reviews' });
    const table = within(await screen.findByTestId('reviews-table'));
    await table.findByText('资料相似（得分 0.87）');
    // Never the same customer on both sides: right comes from the server's sides.
    fireEvent.click(table.getAllByRole('button', { name: /展开行|Expand row/ })[1]);
    const compare = within(await screen.findByTestId('review-compare'));
    await waitFor(() => expect(compare.getAllByTestId('review-side')).toHaveLength(2));
    expect(await compare.findByText('上海南京路店')).toBeTruthy();
    expect(compare.getAllByText(/138\*\*\*\*/).length).toBeGreaterThan(0);
    expect(within(compare.getByTestId('review-explanation')).getByText('+19.6')).toBeTruthy();
    expect(within(compare.getByTestId('review-explanation')).getByText('7 位以上数字相同')).toBeTruthy();

    // Bulk: score ≥ 0.9 → one review; the confirmation says how many.
    fireEvent.mouseDown(within(screen.getByTestId('reviews-min-score')).getByRole('combobox'));
    fireEvent.click(await screen.findByTitle('得分 ≥ 0.9'));
    fireEvent.click(screen.getByTestId('reviews-bulk-merge'));
    expect((await screen.findAllByText('合并 1 条复核中的顾客？')).length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: '合并 1 条' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/identity-reviews/resolve', body: { action: 'merge', review_ids: ['r2'] } }),
    );
    expect(await screen.findByText('已处理 1 条，0 条此前已处理，0 条无法处理')).toBeTruthy();
  });
});

