import { Button, Card, Input, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type AuditEvent, type AuditFilter } from '../../api';
import { useCursorList } from '../../api/hooks';
import { CursorTable } from '../../components/CursorTable';
import { ExportMenu } from '../../components/ExportMenu';
import { formatDateTime } from '../../lib/format';

type Filter = Omit<AuditFilter, 'limit' | 'cursor'>;

/**
 * auditAction reads an action code ("promotion.activate", "coupon.template.create") as
 * its verb and resource in the user's language ("启用 · 促销"); unknown parts stay as
 * they are.
 */
export function auditAction(action: string, t: (k: string, o?: { defaultValue?: string }) => string): string {
  const at = action.lastIndexOf('.');
  if (at < 0) return t(`audit.verbs.${action}`, { defaultValue: action });
  const resource = action.slice(0, at).replace(/\./g, '_');
  const verb = action.slice(at + 1);
  return `${t(`audit.verbs.${verb}`, { defaultValue: verb })} · ${t(`audit.resources.${resource}`, { defaultValue: resource })}`;
}

/** AuditLogPage lists who changed what, newest first, with filters. */
export default function AuditLogPage() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Filter>({});
  const [filter, setFilter] = useState<Filter>({});
  const list = useCursorList('audit-events', filter, api.auditEvents);

  const apply = () =>
    setFilter({ resource_type: draft.resource_type?.trim() || undefined, actor_id: draft.actor_id?.trim() || undefined });

  const columns: TableColumnsType<AuditEvent> = [
    { title: t('audit.at'), key: 'at', render: (_, e) => formatDateTime(e.at) },
    {
      title: t('audit.actor'),
      key: 'actor',
      render: (_, e) => (
        <Space size="small">
          <Tag>{t(`audit.actorTypes.${e.actor_type}`, { defaultValue: e.actor_type })}</Tag>
          <span title={e.actor_id}>{e.actor_name || e.actor_id}</span>
        </Space>
      ),
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      key: 'action',
      render: (v: string) => (
        <Tag color="geekblue" title={v}>
          {auditAction(v, t)}
        </Tag>
      ),
    },
    {
      title: t('audit.resourceType'),
      dataIndex: 'resource_type',
      key: 'rtype',
      render: (v: string) => t(`audit.resources.${v}`, { defaultValue: v }),
    },
    { title: t('audit.resourceId'), dataIndex: 'resource_id', key: 'rid', render: (v: string) => <code>{v}</code> },
  ];

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('audit.title')}
      </Typography.Title>
      <div style={{ marginBottom: 16 }}>
        <ExportMenu path="/audit-events/export" filter={filter} name="audit-events" />
      </div>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Input
            allowClear
            placeholder={t('audit.resourceType')}
            value={draft.resource_type}
            onChange={(e) => setDraft({ ...draft, resource_type: e.target.value })}
            onPressEnter={apply}
            style={{ width: 200 }}
          />
          <Input
            allowClear
            placeholder={t('audit.actorId')}
            value={draft.actor_id}
            onChange={(e) => setDraft({ ...draft, actor_id: e.target.value })}
            onPressEnter={apply}
            style={{ width: 280 }}
          />
          <Button type="primary" onClick={apply}>
            {t('common.search')}
          </Button>
          <Button
            onClick={() => {
              setDraft({});
              setFilter({});
            }}
          >
            {t('common.reset')}
          </Button>
        </Space>
      </Card>
      <Card size="small">
        <CursorTable<AuditEvent>
          rowKey="id"
          columns={columns}
          items={list.items}
          isLoading={list.isPending}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          expandable={{
            rowExpandable: (e) => typeof e.changes === 'object' && e.changes !== null && Object.keys(e.changes).length > 0,
            expandedRowRender: (e) => (
              <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify(e.changes, null, 2)}</pre>
            ),
          }}
          data-testid="audit-table"
        />
      </Card>
    </>
  );
}
