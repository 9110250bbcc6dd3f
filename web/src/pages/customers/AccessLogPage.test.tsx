import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CustomerAccess } from '../../api/types';
import { fakeApi, page, renderRoute } from '../../test/render';
import AccessLogPage from './AccessLogPage';
import { meWith } from './fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
});

const entries: CustomerAccess[] = [
  {
    id: 'a3',
    at: '2026-11-20T03:04:07Z',
    principal_kind: 'user',
    principal_id: 'u-assoc',
    principal_name: 'zhang.san',
    customer_id: 'c1',
    action: 'search_hit',
    shown: 'masked',
    matched: 'phone',
    request_id: 'req-1',
    client_ip: '10.1.2.3',
  },
  {
    id: 'a2',
    at: '2026-11-20T03:04:06Z',
    principal_kind: 'user',
    principal_id: 'u-admin',
    principal_name: 'admin',
    customer_id: 'c1',
    action: 'export',
    shown: 'full',
  },
  {
    id: 'a1',
    at: '2026-11-20T03:04:05Z',
    principal_kind: 'api_key',
    principal_id: 'k-crm',
    principal_name: 'CRM sync',
    customer_id: 'c2',
    action: 'erase',
    shown: 'none',
  },
];

describe('AccessLogPage', { timeout: 60_000 }, () => {
  it('lists who read which customer, with counts and charts, and filters by reader', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['privacy:read']) }),
      'GET /customer-access-log': (c) => page(c.query.get('principal_id') === 'u-assoc' ? [entries[0]] : entries),
    });
    renderRoute(<AccessLogPage />, { path: '/customers/access-log' });

    const table = within(await screen.findByTestId('access-table'));
    expect(await table.findByText('zhang.san')).toBeTruthy();
    expect(table.getByText('搜索命中')).toBeTruthy();
    expect(table.getByText('手机号')).toBeTruthy(); // what the search matched, never the query
    expect(table.getByText('已脱敏')).toBeTruthy();
    expect(table.getByText('明文')).toBeTruthy();
    expect(table.getByText('删除个人信息')).toBeTruthy();
    expect(table.getByText('API 密钥')).toBeTruthy();
    expect(table.getAllByTestId('customer-link').map((a) => a.getAttribute('href'))).toEqual(['/customers/c1', '/customers/c1', '/customers/c2']);
    await waitFor(() => expect(screen.getByTestId('chart-access-action').querySelector('svg')).not.toBeNull());
    expect(screen.getByText('明文查看').closest('.ant-statistic')?.textContent).toContain('1');

    // A reader's name filters the log to that reader, in the URL and the request.
    fireEvent.click(table.getAllByTestId('access-principal')[0]);
    await waitFor(() =>
      expect(calls.some((c) => c.path === '/customer-access-log' && c.query.get('principal_id') === 'u-assoc')).toBe(true),
    );
    await waitFor(() => expect(table.queryByText('CRM sync')).toBeNull());
  });

  it('reads the customer filter from the URL and sends the chosen action', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['privacy:read']) }),
      'GET /customer-access-log': () => page(entries.slice(0, 2)),
    });
    renderRoute(<AccessLogPage />, { path: '/customers/access-log', url: '/customers/access-log?customer_id=c1' });
    await within(await screen.findByTestId('access-table')).findByText('zhang.san');
    expect(calls.find((c) => c.path === '/customer-access-log')?.query.get('customer_id')).toBe('c1');
    expect((screen.getByTestId('access-filter-customer').querySelector('input') ?? screen.getByTestId('access-filter-customer')).getAttribute('value')).toBe('c1');

    fireEvent.mouseDown(within(screen.getByTestId('access-filter-action')).getByRole('combobox'));
    fireEvent.click(await screen.findByTitle('导出'));
    fireEvent.click(screen.getByTestId('access-apply'));
    await waitFor(() =>
      expect(
        calls.some((c) => c.path === '/customer-access-log' && c.query.get('action') === 'export' && c.query.get('customer_id') === 'c1'),
      ).toBe(true),
    );
  });

  it('says so when the user may not read the log', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read']) }),
      'GET /customer-access-log': () => ({
        status: 403,
        body: { title: 'Forbidden', status: 403, detail: 'reading the customer access log needs privacy:read over the whole tenant' },
      }),
    });
    renderRoute(<AccessLogPage />, { path: '/customers/access-log' });
    expect(await screen.findByText(/privacy:read/)).toBeTruthy();
  });
});
