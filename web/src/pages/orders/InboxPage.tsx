import { ArrowLeftOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useHasScope } from '../../api/customers';
import {
  PLATFORMS,
  useChannelApps,
  useOrderInbox,
  useSaveChannelApp,
  type InboxEntry,
  type Platform,
  type PlatformApp,
} from '../../api/orders';
import { CursorTable } from '../../components/CursorTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatInZone, shortId } from './parts';
import { TENANT_ZONE } from './salesChart';

/** INBOX_REASONS are the refusal reasons the order center stores (docs/orders-channels.md). */
export const INBOX_REASONS = [
  'signature',
  'stale',
  'malformed',
  'unsupported',
  'unknown_reference',
  'refused_by_order_center',
  'replayed',
  'unknown_app',
] as const;

/** parseReason splits a stored reason ("stale: timestamp: …") into its code and the server's message. */
export function parseReason(reason: string | undefined): { code?: string; message: string } {
  if (!reason) return { message: '' };
  const i = reason.indexOf(':');
  const head = i < 0 ? reason : reason.slice(0, i);
  if (/^[a-z_]+$/.test(head)) return { code: head, message: i < 0 ? '' : reason.slice(i + 1).trim() };
  return { message: reason };
}

/**
 * callbackUrls are the URLs a platform pushes an app's notifications to: Meituan's
 * as registered (one per event), Eleme's one endpoint on this server.
 */
export function callbackUrls(app: Pick<PlatformApp, 'platform' | 'app_id' | 'new_order_url' | 'cancel_url'>, origin: string): string[] {
  if (app.platform === 'meituan') return [app.new_order_url, app.cancel_url].filter((u): u is string => !!u);
  return [`${origin}/api/v1/channel-notifications/eleme/${encodeURIComponent(app.app_id)}`];
}

type StatusFilter = '' | 'accepted' | 'refused';

/**
 * InboxPage lists what the delivery platforms pushed, newest first: accepted ones
 * with their order, refused ones with the reason and (for customers:pii) the
 * payload; and the platform apps registered, which orders:write may add or replace.
 */
export default function InboxPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [status, setStatus] = useState<StatusFilter>('');
  const list = useOrderInbox(status ? { status } : {});

  const columns: TableColumnsType<InboxEntry> = [
    {
      title: t('orders.inbox.receivedAt'),
      key: 'received',
      render: (_, e) => formatInZone(e.received_at, TENANT_ZONE),
    },
    {
      title: t('orders.inbox.platform'),
      key: 'platform',
      render: (_, e) => t(`orders.channels.${e.platform}`, { defaultValue: e.platform }),
    },
    {
      title: t('orders.inbox.status'),
      key: 'status',
      render: (_, e) => (
        <Tag color={e.status === 'accepted' ? 'green' : 'red'} data-testid="inbox-status">
          {t(`orders.inbox.statuses.${e.status}`, { defaultValue: e.status })}
        </Tag>
      ),
    },
    {
      title: t('orders.inbox.reason'),
      key: 'reason',
      render: (_, e) => {
        const r = parseReason(e.reason);
        if (!r.code && !r.message) return '—';
        return (
          <Space size={4} wrap>
            {r.code ? (
              <Tag color="orange" data-testid="inbox-reason">
                {t(`orders.inbox.reasons.${r.code}`, { defaultValue: r.code })}
              </Tag>
            ) : null}
            <Typography.Text type="secondary">{r.message}</Typography.Text>
          </Space>
        );
      },
    },
    {
      title: t('orders.inbox.order'),
      key: 'order',
      render: (_, e) =>
        e.order_id ? (
          <Link to={`/orders/${encodeURIComponent(e.order_id)}`} data-testid="inbox-order-link" title={e.order_id}>
            {t('orders.inbox.openOrder', { id: shortId(e.order_id) })}
          </Link>
        ) : (
          '—'
        ),
    },
  ];

  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => navigate('/orders')} style={{ paddingLeft: 0, marginBottom: 8 }}>
        {t('orders.backToList')}
      </Button>
      <div style={{ marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('orders.inbox.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('orders.inbox.subtitle')}</Typography.Text>
      </div>
      <Card
        size="small"
        style={{ marginBottom: 16 }}
        title={t('orders.inbox.notifications')}
        extra={
          <Radio.Group
            size="small"
            optionType="button"
            value={status}
            onChange={(e) => setStatus(e.target.value as StatusFilter)}
            options={[
              { value: '', label: t('common.all') },
              { value: 'accepted', label: t('orders.inbox.statuses.accepted') },
              { value: 'refused', label: t('orders.inbox.statuses.refused') },
            ]}
            data-testid="inbox-filter"
          />
        }
      >
        <CursorTable<InboxEntry>
          rowKey="id"
          columns={columns}
          items={list.items}
          isLoading={list.isPending}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          locale={{ emptyText: t('orders.inbox.none') }}
          expandable={{
            rowExpandable: (e) => e.status === 'refused',
            expandedRowRender: (e) => <Payload entry={e} />,
          }}
          data-testid="inbox-table"
        />
      </Card>
      <AppsCard />
    </>
  );
}

/** Payload shows a refused notification as received, or says why it is hidden. */
function Payload({ entry: e }: { entry: InboxEntry }) {
  const { t } = useTranslation();
  return (
    <div data-testid={`inbox-payload-${e.id}`}>
      {e.replay_key ? (
        <div>
          <Typography.Text type="secondary">
            {t('orders.inbox.replayKey')}: {e.replay_key}
          </Typography.Text>
        </div>
      ) : null}
      {e.payload ? (
        <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 320, overflow: 'auto', margin: '4px 0 0' }}>{e.payload}</pre>
      ) : (
        <Typography.Text type="secondary">{t('orders.inbox.payloadHidden')}</Typography.Text>
      )}
    </div>
  );
}

/** AppsCard lists the registered platform apps; orders:write registers or replaces one. */
function AppsCard() {
  const { t } = useTranslation();
  const canWrite = useHasScope('orders:write');
  const apps = useChannelApps();
  const [editing, setEditing] = useState<Partial<PlatformApp> | null>(null);
  const origin = typeof window !== 'undefined' ? window.location.origin : '';
  const columns: TableColumnsType<PlatformApp> = [
    {
      title: t('orders.inbox.platform'),
      key: 'platform',
      render: (_, a) => t(`orders.channels.${a.platform}`, { defaultValue: a.platform }),
    },
    { title: t('orders.apps.appId'), dataIndex: 'app_id', key: 'app_id' },
    {
      title: t('orders.apps.callbacks'),
      key: 'callbacks',
      render: (_, a) => (
        <Space orientation="vertical" size={0}>
          {callbackUrls(a, origin).map((u) => (
            <Typography.Text key={u} copyable code style={{ fontSize: 12 }}>
              {u}
            </Typography.Text>
          ))}
        </Space>
      ),
    },
    { title: t('orders.apps.updatedAt'), key: 'updated', render: (_, a) => formatInZone(a.updated_at, TENANT_ZONE) },
    ...(canWrite
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, a: PlatformApp) => (
              <Button size="small" onClick={() => setEditing(a)} data-testid={`app-replace-${a.app_id}`}>
                {t('orders.apps.replace')}
              </Button>
            ),
          },
        ]
      : []),
  ];
  return (
    <Card
      size="small"
      title={t('orders.apps.title')}
      data-testid="channel-apps"
      extra={
        canWrite ? (
          <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})} data-testid="app-register">
            {t('orders.apps.register')}
          </Button>
        ) : null
      }
    >
      {apps.error ? <ErrorAlert error={apps.error} /> : null}
      <Table<PlatformApp>
        rowKey={(a) => `${a.platform}/${a.app_id}`}
        size="small"
        columns={columns}
        dataSource={apps.data ?? []}
        loading={apps.isPending}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('orders.apps.none') }}
      />
      {editing ? <AppDialog initial={editing} origin={origin} onClose={() => setEditing(null)} /> : null}
    </Card>
  );
}

interface AppForm {
  platform: Platform;
  app_id: string;
  secret: string;
  new_order_url?: string;
  cancel_url?: string;
}

/** AppDialog registers an app, or replaces one (same platform and app id): the secret is asked again, never shown. */
function AppDialog({ initial, origin, onClose }: { initial: Partial<PlatformApp>; origin: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const save = useSaveChannelApp();
  const [form] = Form.useForm<AppForm>();
  const platform = Form.useWatch('platform', form) ?? initial.platform ?? 'meituan';
  const appId = Form.useWatch('app_id', form) ?? initial.app_id ?? '';
  const replacing = !!initial.app_id;
  const endpoint = (event: string) =>
    `${origin}/api/v1/channel-notifications/meituan/${appId ? encodeURIComponent(appId) : '{app_id}'}/${event}`;
  return (
    <Modal
      open
      title={replacing ? t('orders.apps.replaceTitle', { app: initial.app_id }) : t('orders.apps.register')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('orders.apps.save')}
      okButtonProps={{ 'data-testid': 'app-submit' }}
      confirmLoading={save.isPending}
    >
      <Form<AppForm>
        form={form}
        layout="vertical"
        initialValues={{
          platform: initial.platform ?? 'meituan',
          app_id: initial.app_id,
          new_order_url: initial.new_order_url,
          cancel_url: initial.cancel_url,
        }}
        onFinish={(v) =>
          save.mutate(
            {
              platform: v.platform,
              appId: v.app_id.trim(),
              body:
                v.platform === 'meituan'
                  ? { secret: v.secret, new_order_url: v.new_order_url?.trim() || undefined, cancel_url: v.cancel_url?.trim() || undefined }
                  : { secret: v.secret },
            },
            {
              onSuccess: () => {
                void message.success(t('orders.apps.saved'));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="platform" label={t('orders.inbox.platform')} rules={[{ required: true }]}>
          <Select
            disabled={replacing}
            options={PLATFORMS.map((p) => ({ value: p, label: t(`orders.channels.${p}`) }))}
            data-testid="app-platform"
          />
        </Form.Item>
        <Form.Item
          name="app_id"
          label={t('orders.apps.appId')}
          rules={[
            { required: true, whitespace: true, message: t('orders.apps.appIdRequired') },
            { max: 64 },
          ]}
        >
          <Input disabled={replacing} maxLength={64} data-testid="app-id" />
        </Form.Item>
        <Form.Item
          name="secret"
          label={t('orders.apps.secret')}
          extra={t('orders.apps.secretHelp')}
          rules={[{ required: true, message: t('orders.apps.secretRequired') }]}
        >
          <Input.Password maxLength={200} autoComplete="new-password" data-testid="app-secret" />
        </Form.Item>
        {platform === 'meituan' ? (
          <>
            <Form.Item
              name="new_order_url"
              label={t('orders.apps.newOrderUrl')}
              extra={t('orders.apps.urlHelp')}
              rules={[{ required: true, message: t('orders.apps.urlRequired') }, { type: 'url' }, { max: 500 }]}
            >
              <Input placeholder={endpoint('new')} data-testid="app-new-order-url" />
            </Form.Item>
            <Form.Item
              name="cancel_url"
              label={t('orders.apps.cancelUrl')}
              rules={[{ required: true, message: t('orders.apps.urlRequired') }, { type: 'url' }, { max: 500 }]}
            >
              <Input placeholder={endpoint('cancelled')} data-testid="app-cancel-url" />
            </Form.Item>
          </>
        ) : (
          <Typography.Paragraph type="secondary">
            {t('orders.apps.elemeHelp', {
              url: appId ? callbackUrls({ platform: 'eleme', app_id: appId }, origin)[0] : `${origin}/api/v1/channel-notifications/eleme/{app_id}`,
            })}
          </Typography.Paragraph>
        )}
        {save.error ? <ErrorAlert error={save.error} /> : null}
      </Form>
    </Modal>
  );
}
