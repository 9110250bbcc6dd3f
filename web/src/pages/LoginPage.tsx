import { LockOutlined, UserOutlined, GlobalOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { ApiError, api, type LoginRequest } from '../api';
import { currentLanguage, setLanguage } from '../i18n';

/** LoginPage signs a user in; the server sets the session cookie. */
export default function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const from = (location.state as { from?: string } | null)?.from;

  const login = useMutation({
    mutationFn: (body: LoginRequest) => api.login(body),
    meta: { skipAuthRedirect: true },
    onSuccess: () => {
      queryClient.clear();
      navigate(from && from !== '/login' ? from : '/overview', { replace: true });
    },
  });

  let error: string | null = null;
  if (login.error) {
    const e = login.error;
    if (e instanceof ApiError && e.status === 401) error = t('auth.invalid');
    else if (e instanceof ApiError && e.status === 429) error = t('auth.tooMany');
    else error = t('auth.failed', { detail: e.message });
  }

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
      <Card style={{ width: 380 }}>
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
          {t('auth.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          {t('app.subtitle')}
        </Typography.Paragraph>
        {error && (
          <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />
        )}
        <Form<LoginRequest> layout="vertical" onFinish={(v) => login.mutate(v)} requiredMark={false}>
          <Form.Item
            name="login"
            label={t('auth.login')}
            rules={[{ required: true, whitespace: true, message: t('auth.loginRequired') }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-input" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('auth.password')}
            rules={[{ required: true, message: t('auth.passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="password-input" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
            {t('auth.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
