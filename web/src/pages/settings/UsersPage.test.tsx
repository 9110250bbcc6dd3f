import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute } from '../../test/render';
import UsersPage from './UsersPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const users = [
  { id: 'u1', tenant_id: 't', login: 'admin', name: '管理员', role: 'hq_admin', scope_type: 'tenant', status: 'active', must_change_password: false, created_at: '2025-01-02T03:04:05Z' },
  { id: 'u2', tenant_id: 't', login: 'clerk', name: '店员小王', role: 'associate', scope_type: 'tenant', status: 'active', must_change_password: true, created_at: '2025-01-02T03:04:05Z' },
];

function api(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /users': () => page(users),
    'GET /brands': () => page([]),
    'GET /regions': () => page([]),
    ...extra,
  });
}

describe('UsersPage', () => {
  it('marks users who must still change their password', async () => {
    api();
    renderRoute(<UsersPage />);
    expect(await screen.findByText('店员小王')).toBeTruthy();
    expect(screen.getAllByTestId('user-must-change')).toHaveLength(1);
    expect(screen.getByText('待修改密码')).toBeTruthy();
  });

  it('names the store a store-scoped user is limited to, not its id', async () => {
    const manager = { ...users[1], id: 'u3', login: 'mgr', name: '店长', scope_type: 'store', scope_id: 'store-uuid-1', must_change_password: false };
    fakeApi({
      'GET /users': () => page([manager]),
      'GET /brands': () => page([]),
      'GET /regions': () => page([]),
      'GET /stores/store-uuid-1': () => ({ body: { id: 'store-uuid-1', code: 'SH001', name: '徐汇店' } }),
    });
    renderRoute(<UsersPage />);
    expect(await screen.findByText('徐汇店', undefined, { timeout: 10_000 })).toBeTruthy();
    expect(screen.queryByText('store-uuid-1')).toBeNull();
  });

  it('resets a password as a temporary one the user must change', async () => {
    const calls = api({ 'PATCH /users/u2': () => ({ body: { ...users[1], must_change_password: true } }) });
    renderRoute(<UsersPage />);
    await screen.findByText('店员小王');
    fireEvent.click(screen.getAllByTestId('user-reset-password')[1]);
    expect(await screen.findByText(/用户下次登录时必须修改/)).toBeTruthy();
    fireEvent.change(screen.getByTestId('user-reset-password-input'), { target: { value: 'temporary pass 7' } });
    fireEvent.click(screen.getByTestId('user-reset-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ password: 'temporary pass 7' });
  });

  it('shows the server refusing a reset', async () => {
    api({
      'PATCH /users/u1': () => ({
        status: 403,
        body: { type: 'urn:oneretail:problem:forbidden', status: 403, detail: 'only an hq_admin may change an hq_admin account' },
      }),
    });
    renderRoute(<UsersPage />);
    await screen.findByText('管理员');
    fireEvent.click(screen.getAllByTestId('user-reset-password')[0]);
    fireEvent.change(await screen.findByTestId('user-reset-password-input'), { target: { value: 'temporary pass 7' } });
    fireEvent.click(screen.getByTestId('user-reset-submit'));
    expect(await screen.findByText('only an hq_admin may change an hq_admin account')).toBeTruthy();
  });

  it('disables a user after confirmation', async () => {
    const calls = api({ 'PATCH /users/u2': () => ({ body: { ...users[1], status: 'disabled' } }) });
    renderRoute(<UsersPage />);
    await screen.findByText('店员小王');
    fireEvent.click(screen.getAllByTestId('user-disable')[1]);
    const confirm = await screen.findByRole('tooltip');
    expect(within(confirm).getByText(/其创建的 API 密钥也会暂停/)).toBeTruthy();
    fireEvent.click(within(confirm).getByRole('button', { name: '停 用' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ status: 'disabled' }));
  });

  it('asks new users to choose their own password by default', async () => {
    const calls = api({ 'POST /users': (c) => ({ status: 201, body: { ...users[1], ...(c.body as object) } }) });
    renderRoute(<UsersPage />);
    await screen.findByText('店员小王');
    fireEvent.click(screen.getByTestId('user-create'));
    const form = await screen.findByTestId('user-form');
    const inputs = form.querySelectorAll('input');
    fireEvent.change(inputs[0], { target: { value: 'newbie' } });
    fireEvent.change(inputs[1], { target: { value: '新同事' } });
    fireEvent.change(inputs[2], { target: { value: 'first password 1' } });
    expect((screen.getByTestId('user-must-change-input') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId('user-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ login: 'newbie', must_change_password: true });
  });
});
