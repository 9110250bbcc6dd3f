import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRouter, RouterProvider } from 'react-router';
import i18n, { LANG_KEY } from '../i18n';
import { createQueryClient, Providers } from '../providers';
import { fakeApi } from '../test/render';
import { AppLayout } from './AppLayout';

afterEach(async () => {
  vi.unstubAllGlobals();
  window.localStorage.clear();
  await i18n.changeLanguage('zh-CN');
});

function renderShell() {
  const router = createMemoryRouter(
    [
      { path: '/', element: <AppLayout />, children: [{ path: 'overview', element: <div>overview body</div> }] },
      { path: '/login', element: <div>login page</div> },
    ],
    { initialEntries: ['/overview'] },
  );
  const client = createQueryClient(() => void router.navigate('/login'));
  client.setDefaultOptions({ queries: { retry: false } });
  render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return router;
}

const me = {
  id: 'u1',
  tenant_id: 't1',
  login: 'admin',
  name: '系统管理员',
  role: 'hq_admin',
  scope_type: 'tenant',
  scopes: [],
};

describe('AppLayout', () => {
  it('shows the user, the Chinese menu and switches to English', async () => {
    fakeApi({ 'GET /me': () => ({ body: me }) });
    renderShell();
    expect(await screen.findByTestId('current-user')).toHaveProperty('textContent', '系统管理员');
    expect(screen.getByTestId('current-role').textContent).toBe('总部管理员');
    expect(screen.getByText('门店')).toBeTruthy();
    expect(screen.getByText('预测与补货')).toBeTruthy();
    expect(screen.getByText('overview body')).toBeTruthy();

    fireEvent.click(screen.getByTestId('lang-switch'));
    expect(await screen.findByText('Stores')).toBeTruthy();
    expect(screen.getByText('Forecast & replenishment')).toBeTruthy();
    expect(window.localStorage.getItem(LANG_KEY)).toBe('en');
  });

  it('sends a session that must change its password to the change form', async () => {
    fakeApi({ 'GET /me': () => ({ body: { ...me, must_change_password: true } }) });
    const router = renderShell();
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.state).toEqual({ from: '/overview', changePassword: true });
  });

  it('goes to the login page when the session is missing', async () => {
    fakeApi({ 'GET /me': () => ({ status: 401, body: { title: 'Unauthorized', status: 401 } }) });
    renderShell();
    expect(await screen.findByText('login page')).toBeTruthy();
  });

  it('logs out and returns to the login page', async () => {
    const calls = fakeApi({ 'GET /me': () => ({ body: me }), 'POST /auth/logout': () => ({ status: 204 }) });
    const router = renderShell();
    fireEvent.click(await screen.findByTestId('logout'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(calls.some((c) => c.method === 'POST' && c.path === '/auth/logout')).toBe(true);
  });
});
