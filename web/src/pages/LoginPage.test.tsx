import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, renderRoute } from '../test/render';
import i18n from '../i18n';
import LoginPage, { waitText } from './LoginPage';

afterEach(async () => {
  vi.unstubAllGlobals();
  await i18n.changeLanguage('zh-CN');
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
    expect(calls.find((c) => c.path === '/auth/login')?.body).toEqual({ login: 'admin', password: 'secret-pass' });
  });

  it('says how long to wait on 429, in Chinese and English', async () => {
    fakeApi({
      'POST /auth/login': () => ({
        status: 429,
        headers: { 'Retry-After': '150' },
        body: { type: 'urn:oneretail:problem:rate_limited', status: 429, detail: 'too many failed logins for this login name; try again in 150 s' },
      }),
    });
    renderRoute(<LoginPage />, { path: '/login' });
    await submit('admin', 'again and again');
    expect((await screen.findByTestId('login-error')).textContent).toBe('尝试次数过多，请在 2 分 30 秒后重试');

    await i18n.changeLanguage('en');
    expect(await screen.findByText('Too many attempts. Try again in 2 min 30 s.')).toBeTruthy();
  });

  it('words short and round waits', () => {
    const t = i18n.getFixedT('zh-CN');
    expect(waitText(1, t)).toBe('1 秒');
    expect(waitText(59.2, t)).toBe('1 分钟');
    expect(waitText(600, t)).toBe('10 分钟');
    expect(waitText(61, i18n.getFixedT('en'))).toBe('1 min 1 s');
  });

  it('asks for a new password when an administrator set it, then opens the console', async () => {
    const calls = fakeApi({
      'POST /auth/login': () => ({
        body: {
          token: 't',
          expires_at: '2030-01-01T00:00:00Z',
          user: { id: 'u1', login: 'clerk', name: '店员', role: 'associate', must_change_password: true },
        },
      }),
      'POST /me/password': () => ({ status: 204 }),
    });
    const { router } = renderRoute(<LoginPage />, { path: '/login' });
    await submit('clerk', 'temporary pass 7');
    expect(await screen.findByTestId('change-password-hint')).toBeTruthy();
    expect(screen.getByText('请修改密码')).toBeTruthy();
    expect(screen.queryByTestId('current-password-input')).toBeNull();
    expect(router.state.location.pathname).toBe('/login');

    fireEvent.change(screen.getByTestId('new-password-input'), { target: { value: 'my own secret 2025' } });
    fireEvent.change(screen.getByTestId('confirm-password-input'), { target: { value: 'my own secret 2024' } });
    fireEvent.click(screen.getByTestId('change-password-submit'));
    expect(await screen.findByText('两次输入的新密码不一致')).toBeTruthy();
    expect(calls.filter((c) => c.path === '/me/password')).toHaveLength(0);

    fireEvent.change(screen.getByTestId('confirm-password-input'), { target: { value: 'my own secret 2025' } });
    fireEvent.click(screen.getByTestId('change-password-submit'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/overview'));
    expect(calls.find((c) => c.path === '/me/password')?.body).toEqual({
      current_password: 'temporary pass 7',
      new_password: 'my own secret 2025',
    });
  });

  it('asks for the current password when sent by another page, and shows a refusal', async () => {
    fakeApi({
      'POST /me/password': (c) =>
        (c.body as { current_password: string }).current_password === 'wrong one'
          ? {
              status: 422,
              body: {
                type: 'urn:oneretail:problem:invalid',
                status: 422,
                detail: 'current_password is not your current password',
                errors: [{ message: 'current_password is not your current password', location: 'body.current_password' }],
              },
            }
          : {
              status: 422,
              body: {
                type: 'urn:oneretail:problem:invalid',
                status: 422,
                detail: 'new_password is too common',
                errors: [{ message: 'new_password is too common', location: 'body.new_password' }],
              },
            },
    });
    renderRoute(<LoginPage />, { path: '/login', state: { changePassword: true, from: '/org/stores' } });
    fireEvent.change(await screen.findByTestId('current-password-input'), { target: { value: 'wrong one' } });
    fireEvent.change(screen.getByTestId('new-password-input'), { target: { value: 'woaini1314' } });
    fireEvent.change(screen.getByTestId('confirm-password-input'), { target: { value: 'woaini1314' } });
    fireEvent.click(screen.getByTestId('change-password-submit'));
    expect((await screen.findByTestId('change-password-error')).textContent).toBe('当前密码不正确');

    fireEvent.change(screen.getByTestId('current-password-input'), { target: { value: 'temporary pass 7' } });
    fireEvent.click(screen.getByTestId('change-password-submit'));
    await waitFor(() => expect(screen.getByTestId('change-password-error').textContent).toContain('新密码不符合要求'));
  });

  it('requires both fields', async () => {
    const calls = fakeApi({});
    renderRoute(<LoginPage />, { path: '/login' });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(await screen.findByText('请输入登录名')).toBeTruthy();
    expect(calls.filter((c) => c.path !== '/setup')).toHaveLength(0);
  });
});
