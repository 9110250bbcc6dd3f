import { LockOutlined, UserOutlined, GlobalOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, api, type ChangePasswordRequest, type LoginRequest } from '../api';
import { currentLanguage, setLanguage } from '../i18n';

/** LoginState is what other pages pass to /login. */
interface LoginState {
  from?: string;
  /** changePassword opens the change-password form for a session that must change it. */
  changePassword?: boolean;
}

/** waitText words a wait in seconds: "45 秒", "2 分 30 秒", "10 分钟". */
export function waitText(seconds: number, t: TFunction): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return t('auth.waitSeconds', { count: s });
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? t('auth.waitMinutes', { minutes }) : t('auth.waitMinutesSeconds', { minutes, seconds: rest });
}

/** tooManyText is the message of a 429: how long to wait when the server said. */
export function tooManyText(e: ApiError, t: TFunction): string {
  return e.retryAfter ? t('auth.tooManyWait', { wait: waitText(e.retryAfter, t) }) : t('auth.tooMany');
}

/**
 * LoginPage signs a user in (the server sets the session cookie). When an
 * administrator set the user's password, it then asks for a new one before the
 * console opens; other pages send such sessions here too.
 */
export default function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const state = location.state as LoginState | null;
  const from = state?.from;
  const [changing, setChanging] = useState(state?.changePassword === true);
  // The password just typed at login is the current one for the change form.
  const [typed, setTyped] = useState<string | undefined>();

  const enter = () => {
    queryClient.clear();
    navigate(from && from !== '/login' ? from : '/overview', { replace: true });
  };

  const login = useMutation({
    mutationFn: (body: LoginRequest) => api.login(body),
    meta: { skipAuthRedirect: true },
    onSuccess: (res, body) => {
      if (res.user.must_change_password) {
        setTyped(body.password);
        setChanging(true);
        return;
      }
      enter();
    },
  });

  // An installation without a tenant has nobody to sign in: its first-run page comes first.
  const setup = useQuery({ queryKey: ['setup'], queryFn: api.setupStatus, retry: false, meta: { skipAuthRedirect: true } });
  if (setup.data?.needed) return <Navigate to="/setup" replace />;

  let error: string | null = null;
  if (login.error) {
    const e = login.error;
    if (e instanceof ApiError && e.status === 401) error = t('auth.invalid');
    else if (e instanceof ApiError && e.status === 429) error = tooManyText(e, t);
    else error = t('auth.failed', { detail: e.message });
  }

  return (
    <LoginCard title={changing ? t('auth.changeTitle') : t('auth.title')}>
      {changing ? (
        <ChangePasswordForm
          current={typed}
          onDone={enter}
          onSignedOut={() => {
            setTyped(undefined);
            setChanging(false);
            login.reset();
          }}
        />
      ) : (
        <>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
          <Form<LoginRequest> layout="vertical" onFinish={(v) => login.mutate(v)} requiredMark={false}>
            <Form.Item
              name="login"
              label={t('auth.login')}
              rules={[{ required: true, whitespace: true, message: t('auth.loginRequired') }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-input" />
            </Form.Item>
            <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="password-input" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
              {t('auth.submit')}
            </Button>
          </Form>
        </>
      )}
    </LoginCard>
  );
}

/** LoginCard is the centred card with the language switch (the first-run page uses it too). */
export function LoginCard({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  const lang = currentLanguage();
  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(135deg, #e6f4ff 0%, #f5f5f5 100%)',
      }}
    >
      <Card style={{ width: 400 }}>
        <div style={{ display: 'flex', justifyContent: 'flex-end' }}>
          <Button
            type="text"
            size="small"
            icon={<GlobalOutlined />}
            data-testid="lang-switch"
            onClick={() => void setLanguage(lang === 'en' ? 'zh-CN' : 'en')}
          >
            {t('lang.switchTo')}
          </Button>
        </div>
        <Typography.Title level={3} style={{ textAlign: 'center', marginTop: 0 }}>
          {title}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          {t('app.subtitle')}
        </Typography.Paragraph>
        {children}
      </Card>
    </div>
  );
}

interface ChangeValues {
  current_password?: string;
  new_password: string;
  confirm: string;
}

/**
 * ChangePasswordForm replaces a password an administrator set. current is the
 * password typed at login, if any; otherwise the form asks for it.
 */
function ChangePasswordForm({
  current,
  onDone,
  onSignedOut,
}: {
  current?: string;
  onDone: () => void;
  onSignedOut: () => void;
}) {
  const { t } = useTranslation();
  const change = useMutation({
    mutationFn: (body: ChangePasswordRequest) => api.changePassword(body),
    meta: { skipAuthRedirect: true },
    onSuccess: onDone,
  });
  const signOut = useMutation({
    mutationFn: () => api.logout().catch(() => undefined),
    meta: { skipAuthRedirect: true },
    onSettled: onSignedOut,
  });

  let error: string | null = null;
  const e = change.error;
  if (e instanceof ApiError && e.status === 429) error = tooManyText(e, t);
  else if (e instanceof ApiError && e.status === 401) error = t('auth.invalid');
  else if (e instanceof ApiError && e.status === 422) {
    const field = e.problem?.errors?.[0]?.location;
    error = field === 'body.current_password' ? t('auth.currentWrong') : t('auth.newRejected', { detail: e.details.join('; ') || e.message });
  } else if (e) error = t('auth.failed', { detail: e.message });

  return (
    <>
      <Alert type="info" showIcon title={t('auth.changeHint')} style={{ marginBottom: 16 }} data-testid="change-password-hint" />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="change-password-error" />}
      <Form<ChangeValues>
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => change.mutate({ current_password: current ?? v.current_password ?? '', new_password: v.new_password })}
      >
        {current === undefined && (
          <Form.Item
            name="current_password"
            label={t('auth.currentPassword')}
            rules={[{ required: true, message: t('auth.passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="current-password-input" />
          </Form.Item>
        )}
        <Form.Item
          name="new_password"
          label={t('auth.newPassword')}
          extra={t('auth.newPasswordHint')}
          rules={[{ required: true, min: 10, message: t('auth.newPasswordHint') }]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="new-password" autoFocus data-testid="new-password-input" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('auth.confirmPassword')}
          dependencies={['new_password']}
          rules={[
            { required: true, message: t('auth.passwordRequired') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('new_password') ? Promise.resolve() : Promise.reject(new Error(t('auth.passwordsDiffer'))),
            }),
          ]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="new-password" data-testid="confirm-password-input" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={change.isPending} data-testid="change-password-submit">
          {t('auth.changeSubmit')}
        </Button>
        <Button type="link" block onClick={() => signOut.mutate()} loading={signOut.isPending} data-testid="change-password-signout">
          {t('auth.signOut')}
        </Button>
      </Form>
    </>
  );
}
