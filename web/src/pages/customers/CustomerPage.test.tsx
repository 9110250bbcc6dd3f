import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Customer, Touchpoint } from '../../api/types';
import { fakeApi, page, renderRoute, type FakeHandler } from '../../test/render';
import CustomerPage from './CustomerPage';
import { customer, event, meWith } from './fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
});

const touchpoint: Touchpoint = {
  id: 'tp1',
  code: 'MINI',
  name: '会员小程序',
  type: 'online',
  channel: 'wechat_mini_program',
  status: 'active',
  health: { events_today: 0, rejected_today: 0 },
  created_at: '2026-01-02T03:04:05Z',
  updated_at: '2026-01-02T03:04:05Z',
};

const page1 = [
  event('e1', 'order', '2026-11-20T03:04:05Z', { amount: 128, store_code: 'SH001' }),
  event('e2', 'visit', '2026-11-19T03:04:05Z'),
];
const page2 = [event('e3', 'registration', '2026-10-01T02:00:00Z', { name: '王**' })];

const ALL = ['customers:read', 'customers:write', 'customers:pii', 'customers:erase', 'touchpoints:read'];

/** api fakes the customer endpoints; extra handlers override them. */
function api(scopes: string[], extra: Record<string, FakeHandler> = {}, c: Customer = customer) {
  return fakeApi({
    'GET /me': () => ({ body: meWith(scopes) }),
    'GET /customers/c1': () => ({ body: c }),
    'GET /customers/c1/events': (call) =>
      call.query.get('limit') === '20'
        ? call.query.get('cursor') === 'p2'
          ? page(page2)
          : page(page1, 'p2')
        : page([...page1, ...page2]),
    'GET /customers/c1/merges': () => ({ body: { items: [] } }),
    'GET /touchpoints': () => page([touchpoint]),
    ...extra,
  });
}

function render(url = '/customers/c1') {
  return renderRoute(<CustomerPage />, { path: '/customers/:id', url });
}

// The 360 page is large; give each test room on a busy machine.
describe('CustomerPage', { timeout: 60_000 }, () => {
  it('shows the profile, identities by channel, the consent grid and pages through the timeline', async () => {
    const calls = api(ALL);
    render();
    expect((await screen.findByTestId('customer-name')).textContent).toBe('王**');
    expect(screen.getByTestId('customer-id').textContent).toContain('c1');
    expect(screen.getByTestId('customer-id').getAttribute('title')).toBe('c1');

    const profile = within(screen.getByTestId('customer-profile'));
    expect(profile.getByText('女')).toBeTruthy();
    expect(profile.getByText('1990-**-**')).toBeTruthy();
    expect(profile.getByText('上海市****')).toBeTruthy();
    expect(profile.getByText('微信小程序')).toBeTruthy();

    // Identities grouped by channel, strongest first, with strength tags; masked phone tagged.
    const ids = within(screen.getByTestId('customer-identities'));
    expect(ids.getByText('手机/邮箱')).toBeTruthy();
    expect(ids.getByText('微信')).toBeTruthy();
    expect(ids.getByText('设备')).toBeTruthy();
    expect(ids.getAllByTestId('identifier-value').map((e) => e.textContent)).toEqual([
      '138****8000',
      'oU-union-1',
      'oP-open-1',
      'dev-77',
    ]);
    expect(ids.getAllByText('强')).toHaveLength(2);
    expect(ids.getByText('中')).toBeTruthy();
    expect(ids.getByText('弱')).toBeTruthy();
    expect(ids.getAllByTestId('masked-tag')).toHaveLength(1);

    // Consent grid: purpose × channel.
    expect(screen.getByTestId('consent-marketing-sms').textContent).toContain('已同意');
    expect(screen.getByTestId('consent-marketing-sms').textContent).toContain('POS-SH001-01');
    expect(screen.getByTestId('consent-marketing-wechat').textContent).toContain('已拒绝');
    expect(screen.getByTestId('consent-marketing-email').textContent).toBe('未表态');

    // Slots say which capability fills them.
    expect(within(screen.getByTestId('customer-slots')).getByText('会员积分功能上线后显示')).toBeTruthy();

    // The activity tab loads its events only when opened.
    expect(calls.some((c) => c.path === '/customers/c1/events')).toBe(false);
    fireEvent.click(screen.getByRole('tab', { name: '动态' }));

    // Timeline: first page, then the next one by cursor.
    const timeline = within(await screen.findByTestId('customer-timeline'));
    expect(await timeline.findByText('下单')).toBeTruthy();
    expect(timeline.getByText('金额: 128')).toBeTruthy();
    expect(timeline.getByText('门店: SH001')).toBeTruthy();
    expect(timeline.getAllByText('会员小程序').length).toBeGreaterThan(0);
    expect(timeline.queryByText('注册')).toBeNull();
    fireEvent.click(timeline.getByTestId('timeline-more'));
    expect(await timeline.findByText('注册')).toBeTruthy();
    expect(calls.some((c) => c.path === '/customers/c1/events' && c.query.get('cursor') === 'p2')).toBe(true);
    expect(timeline.getAllByTestId('timeline-event')).toHaveLength(3);

    // Charts: activity by channel and the identity graph.
    await waitFor(() => expect(screen.getByTestId('chart-customer-activity').querySelector('svg')).not.toBeNull());
    await waitFor(() => expect(screen.getByTestId('chart-customer-identities').querySelector('svg')).not.toBeNull());
  });

  it('says when the opened id was merged into another customer', async () => {
    api(['customers:read'], {}, { ...customer, merged_from: 'c0' });
    render();
    expect((await screen.findByTestId('merged-from')).textContent).toContain('c0');
  });

  it('records a consent with the right body', async () => {
    const calls = api(ALL, {
      'POST /customers/c1/consents': () => ({ body: { items: customer.consents } }),
      'GET /customers/c1/consents/history': () =>
        page([
          {
            purpose: 'marketing',
            channel: 'sms',
            granted: true,
            source: 'POS-SH001-01',
            occurred_at: '2026-10-05T02:00:00Z',
            recorded_at: '2026-10-05T02:00:01Z',
          },
        ]),
    });
    render();
    fireEvent.click(await screen.findByTestId('consent-record-open'));
    const dialog = within(await screen.findByTestId('consent-form'));
    fireEvent.click(dialog.getByText('邮件'));
    fireEvent.click(dialog.getByText('拒绝 / 撤回'));
    fireEvent.change(dialog.getByTestId('consent-source'), { target: { value: ' 门店柜台 ' } });
    fireEvent.click(screen.getByTestId('consent-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: '/customers/c1/consents',
      body: { purpose: 'marketing', channel: 'email', granted: false, source: '门店柜台' },
    });
    // The customer is read again after the change.
    await waitFor(() => expect(calls.filter((c) => c.path === '/customers/c1').length).toBeGreaterThan(1));

    fireEvent.click(screen.getByTestId('consent-history-open'));
    const history = within(await screen.findByTestId('consent-history'));
    expect(await history.findByText('POS-SH001-01')).toBeTruthy();
  });

  it('shows the 409 detail when a merge breaks a limit', async () => {
    const calls = api(ALL, {
      'POST /customers/c1/merge': () => ({
        status: 409,
        body: { title: 'Conflict', status: 409, detail: 'merge would give customer c1 3 phone identifiers (at most 2 allowed)' },
      }),
    });
    render();
    fireEvent.click(await screen.findByTestId('merge-open'));
    fireEvent.change(await screen.findByTestId('merge-ids'), { target: { value: 'c2, c3\nc1' } });
    fireEvent.change(screen.getByTestId('merge-note'), { target: { value: '同一手机号' } });
    fireEvent.click(screen.getByTestId('merge-submit'));
    expect(await screen.findByText('merge would give customer c1 3 phone identifiers (at most 2 allowed)')).toBeTruthy();
    expect(screen.getByText('无法合并')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: '/customers/c1/merge',
      body: { customer_ids: ['c2', 'c3'], note: '同一手机号' },
    });
  });

  it('unmerges a customer merged into this one', async () => {
    const calls = api(ALL, {
      'GET /customers/c1/merges': () => ({
        body: {
          items: [
            { id: 'm1', survivor_id: 'c1', absorbed_id: 'c9', kind: 'auto', reason: 'same phone', created_at: '2026-11-01T00:00:00Z' },
            { id: 'm0', survivor_id: 'c1', absorbed_id: 'c8', kind: 'manual', created_at: '2026-10-01T00:00:00Z', undone_at: '2026-10-02T00:00:00Z' },
          ],
        },
      }),
      'POST /customers/c1/unmerge': () => ({ body: { survivor: customer, restored: { ...customer, id: 'c9' } } }),
    });
    render();
    const merges = within(await screen.findByTestId('customer-merges'));
    expect(await merges.findByText('自动')).toBeTruthy();
    expect(merges.getByText('已拆分')).toBeTruthy();
    // Only the merge not yet undone can be undone.
    expect(merges.getAllByTestId('unmerge')).toHaveLength(1);
    fireEvent.click(merges.getByTestId('unmerge'));
    const confirm = await screen.findAllByRole('button', { name: '拆 分' });
    fireEvent.click(confirm[confirm.length - 1]);
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/customers/c1/unmerge', body: { customer_id: 'c9' } }),
    );
  });

  it('offers merge, export and erase only to users holding the scopes', async () => {
    const calls = api(['customers:read']);
    render();
    expect(await screen.findByTestId('customer-name')).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.path === '/me')).toBe(true));
    expect(screen.queryByTestId('merge-open')).toBeNull();
    expect(screen.queryByTestId('export')).toBeNull();
    expect(screen.queryByTestId('erase-open')).toBeNull();
    expect(screen.queryByTestId('consent-record-open')).toBeNull();
    // Without touchpoints:read the activity chart is split by event type; no touchpoint call.
    expect(calls.some((c) => c.path === '/touchpoints')).toBe(false);
  });

  it('lists the customer’s orders with orders:read', async () => {
    const order = {
      id: 'o-1',
      number: '20261207-3F9A1C2B',
      channel: 'pos',
      currency: 'CNY',
      customer_id: 'c1',
      fulfilment: 'in_store',
      status: 'completed',
      time_zone: 'Asia/Shanghai',
      placed_at: '2026-12-07T02:05:09Z',
      updated_at: '2026-12-07T02:05:09Z',
      paid_fen: 3550,
      refunded_fen: 0,
      version: 0,
      totals: { subtotal_fen: 4000, discount_fen: 450, delivery_fee_fen: 0, delivery_discount_fen: 0, payable_fen: 3550 },
    };
    const calls = api(['customers:read', 'orders:read'], { 'GET /orders': () => page([order]) });
    render();
    fireEvent.click(await screen.findByRole('tab', { name: '订单' }));
    const orders = within(await screen.findByTestId('customer-orders', undefined, { timeout: 20_000 }));
    const link = await orders.findByText('20261207-3F9A1C2B', undefined, { timeout: 20_000 });
    expect(link.closest('a')?.getAttribute('href')).toBe('/orders/o-1');
    expect(orders.getByText('¥35.50')).toBeTruthy();
    expect(calls.find((c) => c.path === '/orders')?.query.get('customer_id')).toBe('c1');
  });

  it('has no orders section without orders:read', async () => {
    const calls = api(['customers:read']);
    render();
    expect(await screen.findByTestId('customer-name')).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.path === '/me')).toBe(true));
    expect(screen.queryByTestId('customer-orders')).toBeNull();
    expect(calls.some((c) => c.path === '/orders')).toBe(false);
  });

  it('exports as JSON and reports a 403', async () => {
    let allowed = true;
    const calls = api(ALL, {
      'GET /customers/c1/export': () =>
        allowed ? { body: { id: 'c1', identifiers: [] } } : { status: 403, body: { title: 'Forbidden', status: 403, detail: 'forbidden' } },
    });
    const createObjectURL = vi.fn(() => 'blob:x');
    const revokeObjectURL = vi.fn();
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL }));
    render();
    fireEvent.click(await screen.findByTestId('export'));
    await waitFor(() => expect(createObjectURL).toHaveBeenCalledTimes(1));
    expect(calls.some((c) => c.path === '/customers/c1/export')).toBe(true);

    expect(await screen.findByText('已导出')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('export').classList.contains('ant-btn-loading')).toBe(false));

    allowed = false;
    fireEvent.click(screen.getByTestId('export'));
    expect(await screen.findByText('没有导出权限（需要 customers:pii）')).toBeTruthy();
  });

  it('erases only after the confirmation word is typed', async () => {
    const calls = api(ALL, {
      'POST /customers/c1/erase': () => ({ body: { id: 'c1', status: 'erased', erased_at: '2026-11-23T00:00:00Z' } }),
    });
    render();
    fireEvent.click(await screen.findByTestId('erase-open'));
    const submit = await screen.findByTestId('erase-submit');
    expect(submit.hasAttribute('disabled')).toBe(true);
    fireEvent.change(screen.getByTestId('erase-confirm'), { target: { value: '删除' } });
    expect(submit.hasAttribute('disabled')).toBe(false);
    fireEvent.click(submit);
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/customers/c1/erase')).toBe(true));
  });

  it('shows not found for an unknown id', async () => {
    api(ALL);
    render('/customers/nobody');
    expect(await screen.findByText('未找到该记录')).toBeTruthy();
  });
});
