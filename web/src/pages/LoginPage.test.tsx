import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, renderRoute } from '../test/render';
import LoginPage from './LoginPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

async function submit(login: string, password: string) {
  fireEvent.change(screen.getByTestId('login-input'), { target: { value: login } });
  fireEvent.change(screen.getByTestId('password-input'), { target: { value: password } });
  fireEvent.click(screen.getByTestId('login-submit'));
}

describe('LoginPage', () => {
  it('shows an error on 401', async () => {
    fakeApi({ 'POST /auth/login': () => ({ status: 401, body: { title: 'Unauthorized', status: 401, detail: 'bad credentials' } }) });
    const { router } = renderRoute(<LoginPage />, { path: '/login' });
    await submit('admin', 'wrong');
    expect(await screen.findByTestId('login-error')).toHaveProperty('textContent', '登录名或密码错误');
    expect(router.state.location.pathname).toBe('/login');
  });

  it('shows "too many attempts" on 429', async () => {
    fakeApi({ 'POST /auth/login': () => ({ status: 429, body: { title: 'Too Many Requests', status: 429 } }) });
    renderRoute(<LoginPage />, { path: '/login' });
    await submit('admin', 'again');
    expect((await screen.findByTestId('login-error')).textContent).toContain('尝试次数过多');
  });

  it('goes to the overview after a successful login', async () => {
    const calls = fakeApi({
      'POST /auth/login': () => ({
        body: { token: 't', expires_at: '2030-01-01T00:00:00Z', user: { id: 'u1', login: 'admin', name: '管理员', role: 'hq_admin' } },
      }),
    });
    const { router } = renderRoute(<LoginPage />, { path: '/login' });
    await submit('admin', 'secret-pass');
    await waitFor(() => expect(router.state.location.pathname).toBe('/overview'));
    expect(calls[0].body).toEqual({ login: 'admin', password: 'secret-pass' });
  });

  it('requires both fields', async () => {
    const calls = fakeApi({});
    renderRoute(<LoginPage />, { path: '/login' });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(await screen.findByText('请输入登录名')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });
});
