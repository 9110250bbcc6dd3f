import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../i18n';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { portrait, segment, tagVip } from './fixtures';
import SegmentDetailPage from './SegmentDetailPage';
import SegmentsPage from './SegmentsPage';

afterEach(async () => {
  vi.unstubAllGlobals();
  await i18n.changeLanguage('zh-CN');
});

const T = { timeout: 20_000 };
const WRITE = ['audiences:read', 'audiences:write'];
const member = {
  customer_id: '0b9f3c1e-8a51-4d0e-9c39-5a1d2b3c4d5e',
  city: '上海',
  gender: 'female',
  tiers: ['gold'],
  last_order_on: '2026-12-01T00:00:00Z',
  spend_fen: 123456,
};
const snapshot = {
  id: 'snap1',
  segment_id: 's1',
  name: '双十二',
  definition: segment.definition,
  text: segment.text,
  count: 4000,
  taken_at: '2026-12-06T08:00:00Z',
};

describe('SegmentsPage', { timeout: 60_000 }, () => {
  it('lists segments with counts and links to their detail', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(WRITE) }),
      'GET /audience-segments': () => page([segment]),
    });
    const { router } = renderRoute(<SegmentsPage />);
    const table = await screen.findByTestId('segment-table', undefined, T);
    await within(table).findByText('母婴高潜', undefined, T);
    expect(within(table).getByText('4,321')).toBeTruthy();
    expect(within(table).getByText('使用中')).toBeTruthy();
    expect(calls[calls.length - 1].query.get('status')).toBe('active');
    fireEvent.click(screen.getByTestId('segment-link-mums'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/audiences/segments/s1'), T);
  });
});

describe('SegmentDetailPage', { timeout: 60_000 }, () => {
  function api(scopes = WRITE) {
    return fakeApi({
      'GET /me': () => ({ body: meWith(scopes) }),
      'GET /audience-tags': () => page([tagVip]),
      'GET /audience-segments/s1': () => ({ body: segment }),
      'GET /audience-segments/s1/counts': () => ({
        body: { items: [{ day: '2026-12-07', count: 4321 }, { day: '2026-12-06', count: 4200 }] },
      }),
      'GET /audience-segments/s1/portrait': () => ({ body: portrait }),
      'GET /audience-segments/s1/members': () => page([member], 'next'),
      'GET /audience-segments/s1/snapshots': () => ({ body: { items: [snapshot] } }),
      'POST /audience-segments/s1/snapshots': () => ({ status: 201, body: { ...snapshot, id: 'snap2', name: '元旦' } }),
      'GET /audience-snapshots/snap1/members': () => page([member]),
      'PATCH /audience-segments/s1': () => ({ body: { ...segment, status: 'archived' } }),
    });
  }

  it('shows the definition, counts, members without personal data, portrait and snapshots', async () => {
    const calls = api();
    renderRoute(<SegmentDetailPage />, { path: '/audiences/segments/:id', url: '/audiences/segments/s1' });
    expect((await screen.findByTestId('segment-title', undefined, T)).textContent).toBe('母婴高潜');
    expect(screen.getByTestId('segment-text').textContent).toContain('bought("infant_formula", 90d)');
    await screen.findByTestId('segment-counts', undefined, T);
    await screen.findByTestId('portrait-city', undefined, T);

    const members = await screen.findByTestId('segment-members', undefined, T);
    await within(members).findByText('¥1,234.56', undefined, T);
    expect(within(members).getByText('女')).toBeTruthy();
    // The customer is a link to the 360 page, labelled without the raw id.
    const link = within(members).getByTestId('customer-link');
    expect(link.getAttribute('href')).toBe(`/customers/${member.customer_id}`);
    expect(link.textContent).not.toContain(member.customer_id);
    expect(screen.getByTestId('load-more')).toBeTruthy();

    // Snapshots, on their tab (read when opened): take one with a name, view one's members.
    expect(calls.some((c) => c.path === '/audience-segments/s1/snapshots')).toBe(false);
    fireEvent.click(screen.getByRole('tab', { name: '快照' }));
    const snaps = await screen.findByTestId('snapshots', undefined, T);
    await within(snaps).findByText('双十二', undefined, T);
    fireEvent.click(screen.getByTestId('snapshot-open'));
    fireEvent.change(await screen.findByTestId('snapshot-name', undefined, T), { target: { value: '元旦' } });
    fireEvent.click(screen.getByTestId('snapshot-save'));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: '元旦' }), T);
    fireEvent.click(within(snaps).getByTestId('snapshot-view'));
    await screen.findByText('快照成员：双十二', undefined, T);
    await waitFor(() => expect(calls.some((c) => c.path === '/audience-snapshots/snap1/members')).toBe(true), T);
  });

  it.each([
    ['zh-CN', '会员等级'],
    ['en', 'Tier'],
  ])('shows members’ loyalty tiers by name, not code (%s)', async (lang, column) => {
    await i18n.changeLanguage(lang);
    const program = (id: string, tiers: { code: string; name: string }[]) => ({
      id,
      code: id,
      name: id,
      status: 'active',
      points_per_yuan: 1,
      growth_per_yuan: 1,
      tiers: tiers.map((x, i) => ({ ...x, id: `${id}-${i}`, threshold: 100 * (i + 1) })),
    });
    fakeApi({
      'GET /me': () => ({ body: meWith([...WRITE, 'loyalty:read']) }),
      'GET /audience-tags': () => page([tagVip]),
      'GET /audience-segments/s1': () => ({ body: segment }),
      'GET /audience-segments/s1/counts': () => ({ body: { items: [] } }),
      'GET /audience-segments/s1/portrait': () => ({
        body: { ...portrait, dimensions: [...(portrait.dimensions ?? []), { field: 'tier', buckets: [{ value: 'GOLD', segment: 40, base: 400, index: 250 }] }] },
      }),
      'GET /audience-segments/s1/members': () => page([{ ...member, tiers: ['GOLD', 'VIP2'] }]),
      'GET /audience-segments/s1/snapshots': () => ({ body: { items: [] } }),
      'GET /loyalty/programs': () => ({
        body: { items: [program('CLUB', [{ code: 'SILVER', name: '银卡' }, { code: 'GOLD', name: '金卡' }]), program('KIDS', [{ code: 'VIP2', name: '亲子会员' }])] },
      }),
    });
    renderRoute(<SegmentDetailPage />, { path: '/audiences/segments/:id', url: '/audiences/segments/s1' });
    const members = await screen.findByTestId('segment-members', undefined, T);
    await within(members).findByText('金卡', undefined, T);
    expect(within(members).getByText('亲子会员')).toBeTruthy();
    expect(within(members).getAllByText(column).length).toBeGreaterThan(0);
    expect(within(members).queryByText('GOLD')).toBeNull();
    expect(within(members).queryByText('VIP2')).toBeNull();
    // The portrait's tier chart names the tier too.
    const tiers = await screen.findByTestId('portrait-tier', undefined, T);
    await waitFor(() => expect(tiers.textContent).toContain('金卡'), T);
    expect(tiers.textContent).not.toContain('GOLD');
  });

  it('shows tier codes to whoever cannot read loyalty', async () => {
    const calls = api(['audiences:read']);
    renderRoute(<SegmentDetailPage />, { path: '/audiences/segments/:id', url: '/audiences/segments/s1' });
    const members = await screen.findByTestId('segment-members', undefined, T);
    await within(members).findByText('gold', undefined, T);
    expect(calls.some((c) => c.path === '/loyalty/programs')).toBe(false);
  });

  it('archives the segment', async () => {
    const calls = api();
    renderRoute(<SegmentDetailPage />, { path: '/audiences/segments/:id', url: '/audiences/segments/s1' });
    fireEvent.click(await screen.findByTestId('segment-archive', undefined, T));
    const confirm = await screen.findAllByRole('button', { name: /确\s*定|OK/ }, T);
    fireEvent.click(confirm[confirm.length - 1]);
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ status: 'archived' }), T);
  });

  it('offers no changes to a reader', async () => {
    api(['audiences:read']);
    renderRoute(<SegmentDetailPage />, { path: '/audiences/segments/:id', url: '/audiences/segments/s1' });
    await screen.findByTestId('segment-title', undefined, T);
    expect(screen.queryByTestId('segment-edit')).toBeNull();
    expect(screen.queryByTestId('snapshot-open')).toBeNull();
    expect(screen.queryByTestId('segment-archive')).toBeNull();
  });
});
