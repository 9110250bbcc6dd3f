import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, SCOPE_TYPES, api, type CreateUserRequest, type ScopeType, type User } from '../../api';
import { useBrands, useCursorList, useNameLookup, useRegions } from '../../api/hooks';
import { CursorTable } from '../../components/CursorTable';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { StatusTag } from '../../components/StatusTag';
import { formatDateTime } from '../../lib/format';

/**
 * UsersPage lists console users, creates them, resets their passwords (the user
 * must change a reset password at the next sign-in) and disables or enables them.
 */
export default function UsersPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const list = useCursorList('users', {}, api.users);
  const brandNames = useNameLookup(useBrands().data);
  const regionNames = useNameLookup(useRegions().data);

  const scopeName = (u: User) => {
    if (u.scope_type === 'tenant' || !u.scope_id) return '';
    if (u.scope_type === 'brand') return brandNames.get(u.scope_id) ?? u.scope_id;
    if (u.scope_type === 'region') return regionNames.get(u.scope_id) ?? u.scope_id;
    return <StoreName id={u.scope_id} />;
  };

  const setStatus = useMutation({
    mutationFn: ({ id, status }: { id: string; status: 'active' | 'disabled' }) => api.updateUser(id, { status }),
    onSuccess: () => {
      void message.success(t('users.updated'));
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (e) => void message.error(errorText(e)),
  });

  const columns: TableColumnsType<User> = [
    { title: t('users.login'), dataIndex: 'login', key: 'login' },
    { title: t('users.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('users.role'),
      key: 'role',
      render: (_, u) => <Tag color="blue">{t(`roles.${u.role}`, { defaultValue: u.role })}</Tag>,
    },
    {
      title: t('users.scopeType'),
      key: 'scope',
      render: (_, u) => (
        <Space size="small">
          <Tag>{t(`scopeType.${u.scope_type}`, { defaultValue: u.scope_type })}</Tag>
          <span>{scopeName(u)}</span>
        </Space>
      ),
    },
    {
      title: t('field.status'),
      key: 'status',
      render: (_, u) => (
        <Space size={[0, 4]} wrap>
          <StatusTag status={u.status} />
          {u.must_change_password && (
            <Tag color="orange" data-testid="user-must-change">
              {t('users.mustChangeTag')}
            </Tag>
          )}
        </Space>
      ),
    },
    { title: t('field.createdAt'), key: 'created', render: (_, u) => formatDateTime(u.created_at) },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, u) => (
        <Space size="small">
          <Button size="small" onClick={() => setResetting(u)} data-testid="user-reset-password">
            {t('users.resetPassword')}
          </Button>
          {u.status === 'disabled' ? (
            <Button size="small" onClick={() => setStatus.mutate({ id: u.id, status: 'active' })} data-testid="user-enable">
              {t('users.enable')}
            </Button>
          ) : (
            <Popconfirm
              title={t('users.disable')}
              description={t('users.disableConfirm', { name: u.name || u.login })}
              okText={t('users.disable')}
              okButtonProps={{ danger: true }}
              cancelText={t('common.cancel')}
              onConfirm={() => setStatus.mutateAsync({ id: u.id, status: 'disabled' })}
            >
              <Button size="small" danger data-testid="user-disable">
                {t('users.disable')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('users.title')}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="user-create">
          {t('users.create')}
        </Button>
      </Space>
      <Card size="small">
        <CursorTable<User>
          rowKey="id"
          columns={columns}
          items={list.items}
          isLoading={list.isPending}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          data-testid="users-table"
        />
      </Card>
      <CreateUserModal open={creating} onClose={() => setCreating(false)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </>
  );
}

/** ResetPasswordModal sets a temporary password the user must change at the next sign-in. */
function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ password: string }>();
  const reset = useMutation({
    mutationFn: (password: string) => api.updateUser(user?.id ?? '', { password }),
    onSuccess: () => {
      void message.success(t('users.resetDone'));
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      form.resetFields();
      reset.reset();
      onClose();
    },
  });
  return (
    <Modal
      open={user !== null}
      title={t('users.resetTitle', { name: user?.name || user?.login })}
      okText={t('users.resetPassword')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'user-reset-submit' }}
      confirmLoading={reset.isPending}
      onCancel={() => {
        reset.reset();
        form.resetFields();
        onClose();
      }}
      forceRender
    >
      <Typography.Paragraph type="secondary">{t('users.resetHint')}</Typography.Paragraph>
      {reset.error ? <ErrorAlert error={reset.error} /> : null}
      <Form form={form} layout="vertical" onFinish={(v) => reset.mutate(v.password)}>
        <Form.Item
          name="password"
          label={t('users.password')}
          extra={t('users.passwordHint')}
          rules={[{ required: true, min: 10, message: t('users.passwordHint') }]}
        >
          <Input.Password autoComplete="new-password" data-testid="user-reset-password-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function CreateUserModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CreateUserRequest>();
  const scopeType = Form.useWatch('scope_type', form) as ScopeType | undefined;

  const create = useMutation({
    mutationFn: (body: CreateUserRequest) => api.createUser(body),
    onSuccess: () => {
      void message.success(t('users.created'));
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      form.resetFields();
      create.reset();
      onClose();
    },
  });

  const submit = (v: CreateUserRequest) => {
    const body: CreateUserRequest = { ...v, login: v.login.trim(), name: v.name.trim() };
    if (body.scope_type === 'tenant') delete body.scope_id;
    create.mutate(body);
  };

  return (
    <Modal
      open={open}
      title={t('users.create')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'user-submit' }}
      confirmLoading={create.isPending}
      onCancel={() => {
        create.reset();
        onClose();
      }}
      destroyOnHidden
      forceRender
    >
      {create.error ? <ErrorAlert error={create.error} /> : null}
      <Form<CreateUserRequest>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ role: 'associate', scope_type: 'tenant', must_change_password: true }}
        data-testid="user-form"
      >
        <Form.Item
          name="login"
          label={t('users.login')}
          rules={[
            { required: true, whitespace: true, message: t('users.required') },
            { min: 3, message: t('users.loginHint') },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t('users.name')} rules={[{ required: true, whitespace: true, message: t('users.required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('users.password')}
          extra={t('users.passwordHint')}
          rules={[{ required: true, min: 10, message: t('users.passwordHint') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="must_change_password" valuePropName="checked">
          <Checkbox data-testid="user-must-change-input">{t('users.mustChange')}</Checkbox>
        </Form.Item>
        <Form.Item name="role" label={t('users.role')} rules={[{ required: true }]}>
          <Select options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        <Form.Item name="scope_type" label={t('users.scopeType')} rules={[{ required: true }]}>
          <Select
            options={SCOPE_TYPES.map((s) => ({ value: s, label: t(`scopeType.${s}`) }))}
            onChange={() => form.setFieldValue('scope_id', undefined)}
          />
        </Form.Item>
        {scopeType && scopeType !== 'tenant' && (
          <Form.Item name="scope_id" label={t('users.scopeId')} rules={[{ required: true, message: t('users.scopeIdRequired') }]}>
            <ScopePicker scopeType={scopeType} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

/** StoreName shows a store's name (and code) instead of its id; the id only while loading or when the store is gone. */
function StoreName({ id }: { id: string }) {
  const store = useQuery({ queryKey: ['stores', 'one', id], queryFn: () => api.store(id), staleTime: 60_000 });
  if (!store.data) return <span>{id}</span>;
  return (
    <span>
      {store.data.name} <Typography.Text type="secondary">{store.data.code}</Typography.Text>
    </span>
  );
}

/** ScopePicker chooses the brand, region or store a user is limited to. */
function ScopePicker({
  scopeType,
  value,
  onChange,
}: {
  scopeType: Exclude<ScopeType, 'tenant'>;
  value?: string;
  onChange?: (v: string) => void;
}) {
  const brands = useBrands();
  const regions = useRegions();
  const [search, setSearch] = useState('');
  const stores = useQuery({
    queryKey: ['stores', 'pick', search],
    queryFn: () => api.stores({ q: search || undefined, limit: 20 }),
    enabled: scopeType === 'store',
  });

  if (scopeType === 'store') {
    return (
      <Select
        showSearch={{ filterOption: false, onSearch: setSearch }}
        value={value}
        onChange={onChange}
        loading={stores.isFetching}
        options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.code} ${s.name}` }))}
      />
    );
  }
  const items = scopeType === 'brand' ? brands.data : regions.data;
  return (
    <Select
      showSearch={{ optionFilterProp: 'label' }}
      value={value}
      onChange={onChange}
      options={(items ?? []).map((i) => ({ value: i.id, label: `${i.code} ${i.name}` }))}
    />
  );
}
