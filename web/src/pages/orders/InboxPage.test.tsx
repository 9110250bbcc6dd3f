import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PlatformAppRequest } from '../../api/orders';
import { fakeApi, page, renderRoute } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { apps, inboxAccepted, inboxRefused } from './fixtures';
import InboxPage, { callbackUrls, parseReason } from './InboxPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const T = { timeout: 20_000 };

/** pick opens the antd Select with the given test id and clicks an option. */
async function pick(testId: string, option: string) {
  fireEvent.mouseDown(within(screen.getByTestId(testId)).getByRole('combobox'));
  const items = await screen.findAllByTitle(option, undefined, T);
  fireEvent.click(items[items.length - 1]);
}

const older = { ...inboxRefused, id: 'in-3', platform: 'meituan', reason: 'replayed: this meituan:MT1001:new notification was imported', payload: undefined };

describe('InboxPage', () => {
  it('lists pushes with platform names, status and reason tags and order links, pages, filters and shows a refused payload', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read', 'customers:pii']) }),
      'GET /order-channel-apps': () => ({ body: apps }),
      'GET /order-inbox': (c) => {
        if (c.query.get('cursor')) return page([older]);
        const all = [inboxAccepted, inboxRefused].filter((e) => !c.query.get('status') || e.status === c.query.get('status'));
        return page(all, c.query.get('status') ? undefined : 'next-1');
      },
    });
    renderRoute(<InboxPage />, { path: '/orders/inbox' });

    const table = within(await screen.findByTestId('inbox-table', undefined, T));
    expect(await table.findByText('美团', undefined, T)).toBeTruthy();
    expect(table.getByText('饿了么')).toBeTruthy();
    expect(table.getAllByTestId('inbox-status').map((e) => e.textContent)).toEqual(['已接收', '已拒绝']);
    expect(table.getByTestId('inbox-reason').textContent).toBe('时间戳过期');
    expect(table.getByText('timestamp: 1765000000000 is more than 5m0s from now')).toBeTruthy();
    expect(table.getByTestId('inbox-order-link').getAttribute('href')).toBe('/orders/o-7');
    // Received times in Beijing time: 02:05:09Z is 10:05:09.
    expect(table.getByText('2026-12-07 10:05:09')).toBeTruthy();
    const text = screen.getByTestId('inbox-table').textContent ?? '';
    for (const raw of ['meituan', 'eleme', 'accepted', 'refused', 'stale']) expect(text).not.toContain(raw);

    // A refused row expands to its payload, as received.
    const expanders = screen.getByTestId('inbox-table').querySelectorAll('button.ant-table-row-expand-icon:not(.ant-table-row-expand-icon-spaced)');
    expect(expanders.length).toBe(1); // only the refused row
    fireEvent.click(expanders[0]);
    const payload = await screen.findByTestId('inbox-payload-in-2', undefined, T);
    expect(payload.querySelector('pre')?.textContent).toBe(inboxRefused.payload);

    fireEvent.click(screen.getByTestId('load-more'));
    await waitFor(() => expect(calls.some((c) => c.path === '/order-inbox' && c.query.get('cursor') === 'next-1')).toBe(true), T);
    expect(await table.findByText('重复推送', undefined, T)).toBeTruthy();

    fireEvent.click(within(screen.getByTestId('inbox-filter')).getByText('已拒绝'));
    await waitFor(() => expect(calls.some((c) => c.path === '/order-inbox' && c.query.get('status') === 'refused')).toBe(true), T);
    await waitFor(() => expect(within(screen.getByTestId('inbox-table')).queryByText('已接收')).toBeNull(), T);
    expect(calls.find((c) => c.path === '/order-inbox')?.query.get('limit')).toBe('50');
  }, 60_000);

  it('tells a reader without customers:pii why a refused payload is not shown, and offers no registration', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read']) }),
      'GET /order-channel-apps': () => ({ body: apps }),
      'GET /order-inbox': () => page([{ ...inboxRefused, payload: undefined }]),
    });
    renderRoute(<InboxPage />, { path: '/orders/inbox' });
    const table = within(await screen.findByTestId('inbox-table', undefined, T));
    expect(await table.findByText('饿了么', undefined, T)).toBeTruthy();
    fireEvent.click(screen.getByTestId('inbox-table').querySelector('button.ant-table-row-expand-icon')!);
    const payload = await screen.findByTestId('inbox-payload-in-2', undefined, T);
    expect(payload.querySelector('pre')).toBeNull();
    expect(payload.textContent).toContain('customers:pii');

    // The apps are listed with their callback URLs, read-only.
    const card = within(screen.getByTestId('channel-apps'));
    expect(await card.findByText('mt-app', undefined, T)).toBeTruthy();
    expect(card.getByText('https://shop.example.cn/api/v1/channel-notifications/meituan/mt-app/cancelled')).toBeTruthy();
    expect(card.getByText(`${window.location.origin}/api/v1/channel-notifications/eleme/el-app`)).toBeTruthy();
    expect(screen.queryByTestId('app-register')).toBeNull();
    expect(screen.queryByTestId('app-replace-mt-app')).toBeNull();
  }, 60_000);

  it('registers a Meituan app with its secret and both callback URLs, and replaces an Eleme one', async () => {
    const saved: { path: string; body: PlatformAppRequest }[] = [];
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read', 'orders:write']) }),
      'GET /order-channel-apps': () => ({ body: saved.length ? [...apps, { ...apps[0], app_id: 'mt-2' }] : apps }),
      'GET /order-inbox': () => page([]),
      'PUT /order-channel-apps/meituan/mt-2': (c) => {
        saved.push({ path: c.path, body: c.body as PlatformAppRequest });
        return { body: { ...apps[0], app_id: 'mt-2' } };
      },
      'PUT /order-channel-apps/eleme/el-app': (c) => {
        saved.push({ path: c.path, body: c.body as PlatformAppRequest });
        return { body: apps[1] };
      },
    });
    renderRoute(<InboxPage />, { path: '/orders/inbox' });
    expect(await within(await screen.findByTestId('inbox-table', undefined, T)).findByText('还没有推送', undefined, T)).toBeTruthy();

    fireEvent.click(await screen.findByTestId('app-register', undefined, T));
    fireEvent.change(await screen.findByTestId('app-id', undefined, T), { target: { value: 'mt-2' } });
    fireEvent.change(screen.getByTestId('app-secret'), { target: { value: 's3cret' } });
    // Without the callback URLs Meituan's signature cannot be checked: the form refuses.
    fireEvent.click(screen.getByTestId('app-submit'));
    expect((await screen.findAllByText('请输入在平台登记的地址', undefined, T)).length).toBe(2);
    expect(saved).toEqual([]);
    fireEvent.change(screen.getByTestId('app-new-order-url'), { target: { value: 'https://shop.example.cn/api/v1/channel-notifications/meituan/mt-2/new' } });
    fireEvent.change(screen.getByTestId('app-cancel-url'), { target: { value: 'https://shop.example.cn/api/v1/channel-notifications/meituan/mt-2/cancelled' } });
    fireEvent.click(screen.getByTestId('app-submit'));
    await waitFor(() => expect(saved.length).toBe(1), T);
    expect(saved[0].body).toEqual({
      secret: 's3cret',
      new_order_url: 'https://shop.example.cn/api/v1/channel-notifications/meituan/mt-2/new',
      cancel_url: 'https://shop.example.cn/api/v1/channel-notifications/meituan/mt-2/cancelled',
    });
    // The list is read again.
    expect(await within(screen.getByTestId('channel-apps')).findByText('mt-2', undefined, T)).toBeTruthy();
    expect(calls.filter((c) => c.path === '/order-channel-apps' && c.method === 'GET').length).toBeGreaterThan(1);

    // Replacing keeps the platform and id and asks for the secret again; Eleme needs no URL.
    fireEvent.click(await screen.findByTestId('app-replace-el-app', undefined, T));
    const id = (await screen.findByTestId('app-id', undefined, T)) as HTMLInputElement;
    expect(id.value).toBe('el-app');
    expect(id.disabled).toBe(true);
    expect(screen.queryByTestId('app-new-order-url')).toBeNull();
    fireEvent.change(screen.getByTestId('app-secret'), { target: { value: 'new-secret' } });
    fireEvent.click(screen.getByTestId('app-submit'));
    await waitFor(() => expect(saved.length).toBe(2), T);
    expect(saved[1]).toEqual({ path: '/order-channel-apps/eleme/el-app', body: { secret: 'new-secret' } });
  }, 60_000);

  it('registers an Eleme app with the secret alone', async () => {
    let body: unknown;
    fakeApi({
      'GET /me': () => ({ body: meWith(['orders:read', 'orders:write']) }),
      'GET /order-channel-apps': () => ({ body: [] }),
      'GET /order-inbox': () => page([]),
      'PUT /order-channel-apps/eleme/el-9': (c) => {
        body = c.body;
        return { body: { ...apps[1], app_id: 'el-9' } };
      },
    });
    renderRoute(<InboxPage />, { path: '/orders/inbox' });
    expect(await within(await screen.findByTestId('channel-apps', undefined, T)).findByText('还没有注册平台应用', undefined, T)).toBeTruthy();
    fireEvent.click(screen.getByTestId('app-register'));
    await pick('app-platform', '饿了么');
    fireEvent.change(await screen.findByTestId('app-id', undefined, T), { target: { value: 'el-9' } });
    fireEvent.change(screen.getByTestId('app-secret'), { target: { value: 'k' } });
    await waitFor(() => expect(screen.getByText(/channel-notifications\/eleme\/el-9/)).toBeTruthy(), T);
    fireEvent.click(screen.getByTestId('app-submit'));
    await waitFor(() => expect(body).toEqual({ secret: 'k' }), T);
  }, 60_000);
});

describe('inbox helpers', () => {
  it('splits a stored reason into its code and message', () => {
    expect(parseReason('stale: timestamp: too old')).toEqual({ code: 'stale', message: 'timestamp: too old' });
    expect(parseReason('replayed')).toEqual({ code: 'replayed', message: '' });
    expect(parseReason('Something odd: here')).toEqual({ message: 'Something odd: here' });
    expect(parseReason(undefined)).toEqual({ message: '' });
  });

  it('names the callback URLs of each platform', () => {
    expect(callbackUrls(apps[0], 'https://x')).toEqual([apps[0].new_order_url, apps[0].cancel_url]);
    expect(callbackUrls({ platform: 'eleme', app_id: 'a b' }, 'https://x')).toEqual(['https://x/api/v1/channel-notifications/eleme/a%20b']);
  });
});
