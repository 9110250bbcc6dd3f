import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Space, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_SCOPES, api, type ApiKey, type CreateApiKeyRequest, type CreatedApiKey } from '../../api';
import { useCursorList } from '../../api/hooks';
import { CursorTable } from '../../components/CursorTable';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { SecretModal } from '../../components/SecretModal';
import { formatDateTime } from '../../lib/format';

/** creatorText names who made a key: the user's name and login, the creating key, or the platform. */
function creatorText(k: ApiKey, t: TFunction): string {
  const c = k.created_by;
  switch (c?.kind) {
    case 'user':
      return c.name && c.login ? `${c.name} (${c.login})` : c.login || c.name || c.id;
    case 'api_key':
      return t('apiKeys.creatorKey', { name: c.name || c.id });
    case 'system':
      return t('apiKeys.creatorSystem');
  }
  return t('apiKeys.creatorUnknown');
}

/**
 * ApiKeysPage lists API keys with their creator, last use and scopes — the ones a
 * key may not use now, because its creator no longer holds them, struck through —
 * creates keys (showing the secret once) and revokes them.
 */
export default function ApiKeysPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const list = useCursorList('api-keys', {}, api.apiKeys);

  const revoke = useMutation({
    mutationFn: (id: string) => api.revokeApiKey(id),
    onSuccess: () => {
      void message.success(t('apiKeys.revokedOk'));
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
    onError: (e) => void message.error(errorText(e)),
  });

  const columns: TableColumnsType<ApiKey> = [
    { title: t('apiKeys.name'), dataIndex: 'name', key: 'name' },
    { title: t('apiKeys.prefix'), dataIndex: 'prefix', key: 'prefix', render: (v: string) => <code>{v}…</code> },
    { title: t('apiKeys.createdBy'), key: 'creator', render: (_, k) => <span data-testid="api-key-creator">{creatorText(k, t)}</span> },
    {
      title: t('apiKeys.scopes'),
      key: 'scopes',
      render: (_, k) => {
        const suspended = new Set(k.suspended_scopes ?? []);
        const reason = k.suspended_reason ? t(`apiKeys.reasons.${k.suspended_reason}`) : '';
        return (
          <Space size={[0, 4]} wrap>
            {(k.scopes ?? []).map((s) =>
              suspended.has(s) ? (
                <Tooltip key={s} title={t('apiKeys.suspendedScopes', { reason })}>
                  <Tag color="red" style={{ textDecoration: 'line-through' }} data-testid="api-key-suspended-scope">
                    {s}
                  </Tag>
                </Tooltip>
              ) : (
                <Tag key={s}>{s}</Tag>
              ),
            )}
          </Space>
        );
      },
    },
    { title: t('apiKeys.createdAt'), key: 'created', render: (_, k) => formatDateTime(k.created_at) },
    {
      title: t('apiKeys.lastUsedAt'),
      key: 'used',
      render: (_, k) => (k.last_used_at ? formatDateTime(k.last_used_at) : t('apiKeys.never')),
    },
    {
      title: t('field.status'),
      key: 'status',
      render: (_, k) => {
        if (k.revoked_at) {
          return (
            <Tag color="red" title={formatDateTime(k.revoked_at)}>
              {t('apiKeys.revoked')}
            </Tag>
          );
        }
        const suspended = k.suspended_scopes?.length ?? 0;
        if (suspended > 0) {
          const all = (k.effective_scopes?.length ?? 0) === 0;
          return (
            <Tooltip title={k.suspended_reason ? t(`apiKeys.reasons.${k.suspended_reason}`) : undefined}>
              <Tag color={all ? 'red' : 'orange'} data-testid="api-key-suspended">
                {all ? t('apiKeys.suspended') : t('apiKeys.partlySuspended')}
              </Tag>
            </Tooltip>
          );
        }
        return <Tag color="green">{t('apiKeys.active')}</Tag>;
      },
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, k) =>
        !k.revoked_at && (
          <Popconfirm
            title={t('apiKeys.revoke')}
            description={t('apiKeys.revokeConfirm', { name: k.name })}
            okText={t('apiKeys.revoke')}
            okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')}
            onConfirm={() => revoke.mutateAsync(k.id)}
          >
            <Button danger size="small" data-testid="api-key-revoke">
              {t('apiKeys.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('apiKeys.title')}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="api-key-create">
          {t('apiKeys.create')}
        </Button>
      </Space>
      <Card size="small">
        <CursorTable<ApiKey>
          rowKey="id"
          columns={columns}
          items={list.items}
          isLoading={list.isPending}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          data-testid="api-keys-table"
        />
      </Card>
      <CreateKeyModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreating(false);
          setCreated(k);
        }}
      />
      <SecretModal created={created} onClose={() => setCreated(null)} />
    </>
  );
}

function CreateKeyModal({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (k: CreatedApiKey) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CreateApiKeyRequest>();
  const create = useMutation({
    mutationFn: (body: CreateApiKeyRequest) => api.createApiKey(body),
    onSuccess: (k) => {
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
      form.resetFields();
      create.reset();
      onCreated(k);
    },
  });
  return (
    <Modal
      open={open}
      title={t('apiKeys.create')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'api-key-submit' }}
      confirmLoading={create.isPending}
      onCancel={() => {
        create.reset();
        onClose();
      }}
      forceRender
    >
      {create.error ? <ErrorAlert error={create.error} /> : null}
      <Form<CreateApiKeyRequest>
        form={form}
        layout="vertical"
        onFinish={(v) => create.mutate({ name: v.name.trim(), scopes: v.scopes })}
        initialValues={{ scopes: [] }}
      >
        <Form.Item name="name" label={t('apiKeys.name')} rules={[{ required: true, whitespace: true, message: t('apiKeys.nameRequired') }]}>
          <Input autoComplete="off" data-testid="api-key-name" />
        </Form.Item>
        <Form.Item
          name="scopes"
          label={t('apiKeys.scopes')}
          rules={[{ required: true, type: 'array', min: 1, message: t('apiKeys.scopesRequired') }]}
        >
          <Checkbox.Group style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', rowGap: 8 }}>
            {API_SCOPES.map((s) => (
              <Checkbox key={s} value={s}>
                <code>{s}</code>
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
      </Form>
    </Modal>
  );
}

