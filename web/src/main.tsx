import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import './i18n';
import './index.css';
import { createQueryClient, Providers } from './providers';
import { routes } from './routes';

const router = createBrowserRouter(routes);

/** toLogin sends the console to /login, remembering where it was. */
function toLogin(changePassword: boolean) {
  const { pathname, search } = router.state.location;
  if (pathname === '/login') return;
  queryClient.clear();
  void router.navigate('/login', { replace: true, state: { from: pathname + search, changePassword } });
}

const queryClient = createQueryClient(
  () => toLogin(false),
  () => toLogin(true),
);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Providers client={queryClient}>
      <RouterProvider router={router} />
    </Providers>
  </StrictMode>,
);
