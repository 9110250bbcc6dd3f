import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../../test/render';
import CustomersPage from './CustomersPage';
import { meWith, summaries } from './fixtures';
import type { CustomerListItem } from '../../api/types';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CustomersPage', () => {
  it('searches by phone, shows masked values as sent and opens the 360 page', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read']) }),
      'GET /customers/search': (c) => ({ body: { items: c.query.get('q') === '13800138000' ? [summaries[0]] : [] } }),
      'GET /customers/list': () => ({ body: { items: [], total: 0, total_exact: true } }),
      'GET /stores': () => page([]),
    });
    const { router } = renderRoute(<CustomersPage />, { path: '/customers' });
    expect(await screen.findByText('没有符合筛选条件的顾客')).toBeTruthy();
    // Nothing is asked before the user searches.
    expect(calls.filter((c) => c.path === '/customers/search')).toHaveLength(0);

    const box = within(screen.getByTestId('customer-search')).getByRole('searchbox');
    fireEvent.change(box, { target: { value: ' 13800138000 ' } });
    fireEvent.keyDown(box, { key: 'Enter', code: 'Enter', keyCode: 13 });

    const table = within(await screen.findByTestId('customer-results'));
    expect(await table.findByText('138****8000')).toBeTruthy();
    expect(table.getByText('王**')).toBeTruthy();
    expect(table.getByText('上海')).toBeTruthy();
    expect(table.getByText('微信小程序')).toBeTruthy();
    expect(table.getByText('42')).toBeTruthy();
    expect(table.getAllByTestId('masked-tag')).toHaveLength(1);
    expect(screen.getByText('找到 1 位顾客')).toBeTruthy();
    const search = calls.find((c) => c.path === '/customers/search')!;
    expect(search.query.get('q')).toBe('13800138000');
    expect(search.query.get('limit')).toBe('50');
    // The query is kept in the URL so "back" returns to the results.
    expect(router.state.location.search).toBe('?q=13800138000');

    fireEvent.click(table.getByTestId('customer-result-name'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/customers/c1'));
  });

  it('says when nothing matches and shows the server problem', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read']) }),
      'GET /customers/search': (c) =>
        c.query.get('q') === 'x'
          ? { status: 422, body: { title: 'Unprocessable Entity', status: 422, detail: 'q is not a phone, card, unionid, e-mail or name' } }
          : { body: { items: [] } },
    });
    renderRoute(<CustomersPage />, { path: '/customers', url: '/customers?q=nobody' });
    expect(await screen.findByText('没有找到匹配的顾客')).toBeTruthy();

    const box = within(screen.getByTestId('customer-search')).getByRole('searchbox');
    fireEvent.change(box, { target: { value: 'x' } });
    fireEvent.keyDown(box, { key: 'Enter', code: 'Enter', keyCode: 13 });
    expect(await screen.findByText('q is not a phone, card, unionid, e-mail or name')).toBeTruthy();
    expect(calls.filter((c) => c.path === '/customers/search').map((c) => c.query.get('q'))).toEqual(['nobody', 'x']);
  });

  it('exports the identity map as CSV page after page and shows the cursor', async () => {
    let allowed = true;
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read', 'identity_map:read']) }),
      'GET /identity-map': (c) => {
        if (!allowed) return { status: 403, body: { title: 'Forbidden', status: 403, detail: 'forbidden' } };
        const first = !c.query.get('cursor');
        return {
          text: first ? 'type,seq,customer_id\nreset,3,\nidentifier,3,c1\n' : 'type,seq,customer_id\nevent,3,c1\n',
          contentType: 'text/csv; charset=utf-8',
          headers: { 'X-Next-Cursor': first ? 'cur-1' : 'cur-2', 'X-More': first ? 'true' : 'false' },
        };
      },
    });
    const blobs: Blob[] = [];
    const createObjectURL = vi.fn((b: Blob) => {
      blobs.push(b);
      return 'blob:x';
    });
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    renderRoute(<CustomersPage />, { path: '/customers' });
    fireEvent.click(await screen.findByTestId('identity-map-export'));
    expect(await screen.findByText('已导出 3 条记录')).toBeTruthy();
    expect(screen.getByText('cur-2')).toBeTruthy();
    const pages = calls.filter((c) => c.path === '/identity-map');
    expect(pages.map((c) => [c.query.get('format'), c.query.get('cursor')])).toEqual([
      ['csv', null],
      ['csv', 'cur-1'],
    ]);
    // One header row, the records of both pages.
    const text = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.readAsText(blobs[0]);
    });
    expect(text).toBe('type,seq,customer_id\nreset,3,\nidentifier,3,c1\nevent,3,c1\n');

    allowed = false;
    fireEvent.click(screen.getByTestId('identity-map-export'));
    expect(await screen.findByText('没有导出权限（需要 identity_map:read）')).toBeTruthy();
  });

  it('hides the identity map export without identity_map:read', async () => {
    fakeApi({ 'GET /me': () => ({ body: meWith(['customers:read']) }) });
    renderRoute(<CustomersPage />, { path: '/customers' });
    expect(await screen.findByText('全部顾客')).toBeTruthy();
    expect(screen.queryByTestId('identity-map-export')).toBeNull();
  });

  it('lists customers with filters in the URL, store names and masked values, and opens the 360', async () => {
    const items: CustomerListItem[] = [
      { ...summaries[0], preferred_store_id: 's1', registered_at: '2026-10-01T02:00:00Z', identifier_count: 3 },
      { ...summaries[1], preferred_store_id: 's2', registered_at: null, identifier_count: 1 },
    ];
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read', 'org:read']) }),
      'GET /store-names': () => ({ body: { items: [{ id: 's1', name: '上海南京路店' }, { id: 's2', name: '北京国贸店' }] } }),
      'GET /stores': () =>
        page([
          { id: 's1', code: 'SH1', name: '上海南京路店', brand_id: 'b', region_id: 'r', format: 'hypermarket', city: '上海', status: 'active' },
          { id: 's2', code: 'BJ1', name: '北京国贸店', brand_id: 'b', region_id: 'r', format: 'hypermarket', city: '北京', status: 'active' },
        ]),
      'GET /customers/list': (c) => {
        const min = Number(c.query.get('min_identifiers') ?? 0);
        const shown = items.filter((i) => i.identifier_count >= min);
        return { body: { items: shown, total: shown.length, total_exact: true } };
      },
    });
    const { router } = renderRoute(<CustomersPage />, { path: '/customers', url: '/customers?store=s1' });
    const table = within(await screen.findByTestId('customer-list'));
    expect(await table.findByText('上海南京路店')).toBeTruthy();
    expect(await table.findByText('北京国贸店')).toBeTruthy();
    expect(table.getByText('138****8000')).toBeTruthy();
    expect(table.getAllByTestId('masked-tag')).toHaveLength(2);
    expect(screen.getByTestId('customer-list-total').textContent).toBe('共 2 位顾客');
    // The store filter from the URL reaches the server.
    expect(calls.find((c) => c.path === '/customers/list')!.query.get('store_id')).toBe('s1');

    // A filter is kept in the URL and asked of the server.
    fireEvent.change(screen.getByTestId('customer-list-min'), { target: { value: '2' } });
    await waitFor(() => expect(router.state.location.search).toContain('min=2'));
    await waitFor(() => expect(calls.some((c) => c.path === '/customers/list' && c.query.get('min_identifiers') === '2')).toBe(true));
    await waitFor(() => expect(screen.getByTestId('customer-list-total').textContent).toBe('共 1 位顾客'));

    fireEvent.click(within(screen.getByTestId('customer-list')).getByText('138****8000'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/customers/c1'));
  });

  it('marks a capped total as at least', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['customers:read']) }),
      'GET /stores': () => page([]),
      'GET /customers/list': () => ({ body: { items: [], total: 10000, total_exact: false } }),
    });
    renderRoute(<CustomersPage />, { path: '/customers' });
    await waitFor(() => expect(screen.getByTestId('customer-list-total').textContent).toBe('至少 10,000 位顾客'));
  });
});
