import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, renderRoute } from '../test/render';
import LoginPage from './LoginPage';
import SetupPage from './SetupPage';

afterEach(() => vi.unstubAllGlobals());

function fill(testId: string, value: string) {
  fireEvent.change(screen.getByTestId(testId), { target: { value } });
}

function fillForm(password = 'correct horse battery') {
  fill('setup-group', '华联集团');
  fill('setup-login', 'wang');
  fill('setup-password', password);
  fill('setup-confirm', password);
  fireEvent.click(screen.getByTestId('setup-submit'));
}

describe('SetupPage', () => {
  it('creates the group with the token of the link, signs the admin in and opens the organisation', async () => {
    const calls = fakeApi({
      'GET /setup': () => ({ body: { needed: true } }),
      'POST /setup': () => ({ status: 201, body: { tenant_code: 'main', tenant_name: '华联集团', admin_login: 'wang' } }),
      'POST /auth/login': () => ({ body: { token: 't', expires_at: '2030-01-01T00:00:00Z', user: { id: 'u1', login: 'wang', role: 'hq_admin' } } }),
    });
    const { router } = renderRoute(<SetupPage />, { path: '/setup', url: '/setup?token=tok123' });
    await screen.findByTestId('setup-intro');
    fillForm();
    await waitFor(() => expect(router.state.location.pathname).toBe('/org/brands-regions'));
    expect(calls.find((c) => c.method === 'POST' && c.path === '/setup')?.body).toEqual({
      token: 'tok123',
      tenant_name: '华联集团',
      admin_login: 'wang',
      admin_password: 'correct horse battery',
    });
    expect(calls.find((c) => c.path === '/auth/login')?.body).toEqual({ login: 'wang', password: 'correct horse battery' });
  });

  it("shows the server's complaint on the field it names, and a wrong token on the token", async () => {
    let answer = 422;
    fakeApi({
      'GET /setup': () => ({ body: { needed: true } }),
      'POST /setup': () =>
        answer === 422
          ? {
              status: 422,
              body: { status: 422, detail: 'invalid', errors: [{ location: 'body.admin_password', message: 'admin_password is a commonly used password' }] },
            }
          : { status: 403, body: { status: 403, detail: 'the setup token is wrong or spent' } },
    });
    renderRoute(<SetupPage />, { path: '/setup', url: '/setup?token=tok' });
    await screen.findByTestId('setup-intro');
    fillForm('admin12345x');
    expect(await screen.findByText('admin_password is a commonly used password', {}, { timeout: 5000 })).toBeTruthy();
    answer = 403;
    fireEvent.click(screen.getByTestId('setup-submit'));
    expect(await screen.findByText(/初始化令牌错误或已被使用/, {}, { timeout: 5000 })).toBeTruthy();
  });

  it('sends an installation that is set up to the login page, and the login page sends an empty one here', async () => {
    fakeApi({ 'GET /setup': () => ({ body: { needed: false } }) });
    const set = renderRoute(<SetupPage />, { path: '/setup' });
    await waitFor(() => expect(set.router.state.location.pathname).toBe('/login'));
    set.unmount();

    fakeApi({ 'GET /setup': () => ({ body: { needed: true } }) });
    const empty = renderRoute(<LoginPage />, { path: '/login' });
    await waitFor(() => expect(empty.router.state.location.pathname).toBe('/setup'));
  });
});
