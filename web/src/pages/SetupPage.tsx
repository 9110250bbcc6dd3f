import { KeyOutlined, LockOutlined, ShopOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api, type SetupRequest } from '../api';
import { LoginCard, tooManyText } from './LoginPage';

interface SetupValues extends SetupRequest {
  confirm: string;
}

/** FIELDS are the form fields the server may name in a 422 (body.<field>). */
const FIELDS = ['token', 'tenant_name', 'tenant_code', 'admin_login', 'admin_name', 'admin_password'] as const;

/**
 * SetupPage is the first run of an installation without a tenant: the group's
 * name and its first administrator. It needs the setup token `oneretail serve`
 * printed (the link it printed fills it in). Once created, it signs the
 * administrator in.
 */
export default function SetupPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [form] = Form.useForm<SetupValues>();
  const status = useQuery({ queryKey: ['setup'], queryFn: api.setupStatus, retry: false, meta: { skipAuthRedirect: true } });

  const setup = useMutation({
    mutationFn: async (v: SetupValues) => {
      const { confirm: _, ...body } = v;
      const res = await api.setup(body);
      await api.login({ login: res.admin_login, password: body.admin_password });
      return res;
    },
    meta: { skipAuthRedirect: true },
    onSuccess: () => {
      queryClient.clear();
      navigate('/org/brands-regions', { replace: true });
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      const fields = (e.problem?.errors ?? [])
        .map((fe) => ({ name: (fe.location ?? '').replace(/^body\./, ''), errors: [fe.message ?? e.message] }))
        .filter((f) => (FIELDS as readonly string[]).includes(f.name)) as { name: keyof SetupValues; errors: string[] }[];
      if (e.status === 403) fields.push({ name: 'token', errors: [t('setup.badToken')] });
      form.setFields(fields);
    },
  });

  if (status.data && !status.data.needed && !setup.isPending && !setup.isSuccess) {
    return <Navigate to="/login" replace />;
  }

  let error: string | null = null;
  const e = setup.error;
  if (e instanceof ApiError && e.status === 409) error = t('setup.alreadySetUp');
  else if (e instanceof ApiError && e.status === 429) error = tooManyText(e, t);
  else if (e instanceof ApiError && (e.status === 422 || e.status === 403)) error = null;
  else if (e) error = t('setup.failed', { detail: e.message });

  return (
    <LoginCard title={t('setup.title')}>
      <Typography.Paragraph type="secondary" data-testid="setup-intro">
        {t('setup.intro')}
      </Typography.Paragraph>
      {error && (
        <Alert
          type="error"
          showIcon
          title={error}
          style={{ marginBottom: 16 }}
          data-testid="setup-error"
          action={e instanceof ApiError && e.status === 409 ? <Link to="/login">{t('auth.submit')}</Link> : undefined}
        />
      )}
      <Form<SetupValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ token: params.get('token') ?? '' }}
        onFinish={(v) => setup.mutate(v)}
      >
        <Form.Item name="token" label={t('setup.token')} extra={t('setup.tokenHint')} rules={[{ required: true, whitespace: true, message: t('setup.tokenRequired') }]}>
          <Input.Password prefix={<KeyOutlined />} autoComplete="off" data-testid="setup-token" />
        </Form.Item>
        <Form.Item name="tenant_name" label={t('setup.group')} rules={[{ required: true, whitespace: true, message: t('setup.groupRequired') }]}>
          <Input prefix={<ShopOutlined />} placeholder="华联集团" autoFocus data-testid="setup-group" />
        </Form.Item>
        <Form.Item name="admin_login" label={t('setup.adminLogin')} extra={t('setup.adminLoginHint')} rules={[{ required: true, whitespace: true, message: t('auth.loginRequired') }]}>
          <Input prefix={<UserOutlined />} autoComplete="username" data-testid="setup-login" />
        </Form.Item>
        <Form.Item name="admin_password" label={t('auth.password')} extra={t('auth.newPasswordHint')} rules={[{ required: true, min: 10, message: t('auth.newPasswordHint') }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="new-password" data-testid="setup-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('setup.confirmPassword')}
          dependencies={['admin_password']}
          rules={[
            { required: true, message: t('auth.passwordRequired') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('admin_password') ? Promise.resolve() : Promise.reject(new Error(t('setup.passwordsDiffer'))),
            }),
          ]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="new-password" data-testid="setup-confirm" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={setup.isPending} data-testid="setup-submit">
          {t('setup.submit')}
        </Button>
      </Form>
    </LoginCard>
  );
}
