import { BranchesOutlined, SearchOutlined } from '@ant-design/icons';
import { App, Button, Card, Empty, Input, List, Modal, Popconfirm, Space, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useCustomerMerges, useCustomerSearch, useMergeCustomers, useUnmerge } from '../../api/customers';
import type { Customer, CustomerMerge } from '../../api/types';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { formatDateTime, formatRelative } from '../../lib/format';
import { parseCustomerIds } from './model';
import { CustomerLink } from './parts';

const KIND_COLORS: Record<string, string> = { auto: 'blue', manual: 'purple', fuzzy: 'orange' };

/** MergesCard lists the merges the customer took part in, with Unmerge for the ones into it. */
export function MergesCard({ customer, canWrite }: { customer: Customer; canWrite: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const merges = useCustomerMerges(customer.id);
  const unmerge = useUnmerge(customer.id);
  const items = merges.data?.items ?? [];

  const undo = (m: CustomerMerge) =>
    unmerge.mutate(m.absorbed_id, {
      onSuccess: (res) => void message.success(t('customers.merges.unmerged', { id: res.restored.id })),
      onError: (err) => void message.error(errorText(err)),
    });

  return (
    <Card size="small" title={t('customers.merges.title')} style={{ marginBottom: 16 }} data-testid="customer-merges">
      {merges.error ? <ErrorAlert error={merges.error} /> : null}
      {items.length === 0 && !merges.isPending ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customers.merges.none')} />
      ) : (
        <List<CustomerMerge>
          size="small"
          loading={merges.isPending}
          dataSource={items}
          renderItem={(m) => {
            const into = m.survivor_id === customer.id;
            const other = into ? m.absorbed_id : m.survivor_id;
            const canUndo = canWrite && into && !m.undone_at;
            return (
              <List.Item
                data-testid="merge-item"
                actions={
                  canUndo
                    ? [
                        <Popconfirm
                          key="unmerge"
                          title={t('customers.merges.unmergeConfirm')}
                          onConfirm={() => undo(m)}
                          okText={t('customers.merges.unmerge')}
                          cancelText={t('common.cancel')}
                        >
                          <Button size="small" danger loading={unmerge.isPending && unmerge.variables === m.absorbed_id} data-testid="unmerge">
                            {t('customers.merges.unmerge')}
                          </Button>
                        </Popconfirm>,
                      ]
                    : []
                }
              >
                <Space orientation="vertical" size={0}>
                  <Space size={4} wrap>
                    <Tag color={KIND_COLORS[m.kind] ?? 'default'}>{t(`customers.merges.kinds.${m.kind}`, { defaultValue: m.kind })}</Tag>
                    <span>{into ? t('customers.merges.absorbed') : t('customers.merges.mergedInto')}</span>
                    <CustomerLink id={other} />
                    {m.undone_at ? <Tag>{t('customers.merges.undone')}</Tag> : null}
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    <Tooltip title={formatDateTime(m.created_at)}>{formatRelative(m.created_at)}</Tooltip>
                    {m.reason ? ` · ${m.reason}` : ''}
                  </Typography.Text>
                </Space>
              </List.Item>
            );
          }}
        />
      )}
    </Card>
  );
}

/** MergeDialog merges other customers (typed, pasted or searched) into the customer. */
export function MergeDialog({ customer, open, onClose }: { customer: Customer; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const merge = useMergeCustomers(customer.id);
  const [ids, setIds] = useState<string[]>([]);
  const [typed, setTyped] = useState('');
  const [note, setNote] = useState('');
  const [q, setQ] = useState('');
  const search = useCustomerSearch(q);
  const found = (search.data?.items ?? []).filter((c) => c.id !== customer.id);

  const add = (more: string[]) => setIds((cur) => [...new Set([...cur, ...more.filter((i) => i !== customer.id)])]);
  const close = () => {
    merge.reset();
    setIds([]);
    setTyped('');
    setNote('');
    setQ('');
    onClose();
  };
  // Ids still in the text box count too, so "type and press merge" works.
  const all = [...new Set([...ids, ...parseCustomerIds(typed, customer.id)])];

  const submit = () =>
    merge.mutate(
      { customer_ids: all, ...(note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: (survivor) => {
          void message.success(t('customers.merge.done', { count: all.length }));
          close();
          if (survivor.id !== customer.id) navigate(`/customers/${encodeURIComponent(survivor.id)}`);
        },
      },
    );

  return (
    <Modal
      open={open}
      title={
        <Space>
          <BranchesOutlined />
          {t('customers.merge.title')}
        </Space>
      }
      onCancel={close}
      onOk={submit}
      okText={t('customers.merge.submit', { count: all.length })}
      okButtonProps={{ disabled: all.length === 0, loading: merge.isPending, 'data-testid': 'merge-submit' }}
      width={640}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('customers.merge.hint')}</Typography.Paragraph>
      {merge.error ? <ErrorAlert error={merge.error} title={t('customers.merge.failed')} /> : null}
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Input.TextArea
          rows={2}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder={t('customers.merge.idsPlaceholder')}
          data-testid="merge-ids"
        />
        <Input.Search
          allowClear
          placeholder={t('customers.searchPlaceholder')}
          enterButton={<SearchOutlined />}
          loading={search.isFetching}
          onSearch={(v) => setQ(v.trim())}
          data-testid="merge-search"
        />
        {search.error ? <ErrorAlert error={search.error} /> : null}
        {q && found.length === 0 && !search.isFetching ? <Typography.Text type="secondary">{t('customers.noResults')}</Typography.Text> : null}
        {found.length > 0 ? (
          <List
            size="small"
            bordered
            dataSource={found}
            renderItem={(c) => (
              <List.Item
                actions={[
                  <Button key="add" size="small" disabled={all.includes(c.id)} onClick={() => add([c.id])} data-testid="merge-add">
                    {all.includes(c.id) ? t('customers.merge.added') : t('customers.merge.add')}
                  </Button>,
                ]}
              >
                <Space>
                  <span>{c.name || t('customers.unnamed')}</span>
                  <Typography.Text type="secondary">{c.phone || '—'}</Typography.Text>
                  <Typography.Text type="secondary" code>
                    {c.id}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        ) : null}
        {ids.length > 0 ? (
          <div data-testid="merge-selected">
            {ids.map((id) => (
              <Tag key={id} closable onClose={() => setIds((cur) => cur.filter((x) => x !== id))}>
                {id}
              </Tag>
            ))}
          </div>
        ) : null}
        <Input
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t('customers.merge.note')}
          maxLength={500}
          data-testid="merge-note"
        />
      </Space>
    </Modal>
  );
}
