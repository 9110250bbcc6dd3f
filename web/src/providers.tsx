import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, isPasswordChangeRequired, isUnauthorized } from './api';

/**
 * createQueryClient makes the console's query client. Any 401 from the API
 * calls onUnauthorized (the console then goes to /login), and a 403
 * password_change_required calls onPasswordChange (the console then shows the
 * change-password form), except for calls marked with meta.skipAuthRedirect
 * (the login form itself). Client errors (4xx) are not retried.
 */
export function createQueryClient(onUnauthorized: () => void, onPasswordChange: () => void = onUnauthorized): QueryClient {
  const redirect = (err: unknown) => {
    if (isUnauthorized(err)) onUnauthorized();
    else if (isPasswordChangeRequired(err)) onPasswordChange();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: redirect }),
    mutationCache: new MutationCache({
      onError: (err, _vars, _ctx, mutation) => {
        if (!mutation.meta?.skipAuthRedirect) redirect(err);
      },
    }),
    defaultOptions: {
      queries: {
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 10_000,
      },
      mutations: { retry: false },
    },
  });
}

/**
 * prefersReducedMotion reports the user's "reduce motion" setting: the console then
 * opens menus, dialogs and drawers without antd's animations (the browser tests ask
 * for it too, so a click never lands on a menu still sliding in).
 */
function prefersReducedMotion(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Providers wires react-query and antd (theme, locale following i18next). */
export function Providers({ client, children }: { client: QueryClient; children: ReactNode }) {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  dayjs.locale(en ? 'en' : 'zh-cn');
  return (
    <QueryClientProvider client={client}>
      <ConfigProvider locale={en ? enUS : zhCN} theme={{ token: { colorPrimary: '#1677ff', borderRadius: 6, motion: !prefersReducedMotion() } }}>
        <AntApp>{children}</AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
