import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Empty, Form, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { audienceApi, useAllAudienceTags, useAudienceChange, useCustomerTags, type AudienceTag, type CustomerTag } from '../../api/audiences';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../lib/format';

/** sourceLabel names what wrote a value ("user:<id>" → set by a person) without showing ids. */
export function sourceLabel(t: (k: string, o?: Record<string, unknown>) => string, source: string): string {
  const kind = source.split(':')[0];
  return t(`audiences.sources.${kind}`, { defaultValue: kind });
}

/**
 * CustomerTagsCard lists a customer's tag values on the 360 page; with audiences:write
 * it sets and removes the values of manual and imported tags.
 */
export function CustomerTagsCard({ customerId, canWrite }: { customerId: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const tags = useCustomerTags(customerId);
  const library = useAllAudienceTags(canWrite);
  const [adding, setAdding] = useState(false);
  const remove = useAudienceChange((code: string) => audienceApi.removeCustomerTag(customerId, code));
  const settable = (code: string) => {
    const kind = library.data?.find((x) => x.code === code)?.kind;
    return kind === 'manual' || kind === 'imported';
  };
  const display = (v: CustomerTag) => (v.value_type === 'boolean' ? '' : v.value);
  return (
    <Card
      size="small"
      title={t('audiences.customer.title')}
      style={{ marginBottom: 16 }}
      data-testid="customer-tags"
      extra={
        canWrite ? (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="customer-tag-add">
            {t('audiences.customer.add')}
          </Button>
        ) : null
      }
    >
      {tags.error ? <ErrorAlert error={tags.error} /> : null}
      {remove.error ? <ErrorAlert error={remove.error} /> : null}
      {tags.isPending ? null : (tags.data ?? []).length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('audiences.customer.none')} />
      ) : (
        <Table<CustomerTag>
          size="small"
          rowKey="tag_id"
          pagination={false}
          dataSource={tags.data}
          columns={[
            {
              title: t('audiences.tag.name'),
              key: 'tag',
              render: (_, v) => (
                <Tooltip title={v.tag_code}>
                  <Tag color="blue">
                    {v.tag_name}
                    {display(v) ? `: ${display(v)}` : ''}
                  </Tag>
                </Tooltip>
              ),
            },
            { title: t('audiences.customer.source'), key: 'source', render: (_, v) => sourceLabel(t, v.source) },
            { title: t('audiences.customer.updatedAt'), key: 'at', render: (_, v) => formatDateTime(v.updated_at) },
            ...(canWrite
              ? [
                  {
                    key: 'remove',
                    render: (_: unknown, v: CustomerTag) =>
                      settable(v.tag_code) ? (
                        <Popconfirm
                          title={t('audiences.customer.removeConfirm', { name: v.tag_name })}
                          onConfirm={() => remove.mutate(v.tag_code, { onSuccess: () => void message.success(t('audiences.customer.removed')) })}
                        >
                          <Button size="small" type="link" danger data-testid={`customer-tag-remove-${v.tag_code}`}>
                            {t('audiences.customer.remove')}
                          </Button>
                        </Popconfirm>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      )}
      {adding && (
        <SetTagModal
          customerId={customerId}
          tags={(library.data ?? []).filter((x) => x.kind === 'manual' || x.kind === 'imported')}
          onClose={() => setAdding(false)}
        />
      )}
    </Card>
  );
}

/** SetTagModal sets a manual or imported tag's value, picked by the tag's type. */
function SetTagModal({ customerId, tags, onClose }: { customerId: string; tags: AudienceTag[]; onClose: () => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState<string>();
  const [value, setValue] = useState<string>();
  const tag = tags.find((x) => x.code === code);
  const save = useAudienceChange((v: { code: string; value: string }) => audienceApi.setCustomerTag(customerId, v.code, v.value));
  const ready = !!tag && (tag.value_type === 'boolean' || !!value);
  let picker = null;
  switch (tag?.value_type) {
    case 'enum':
      picker = <Select value={value} onChange={setValue} options={(tag.enum_values ?? []).map((v) => ({ value: v, label: v }))} data-testid="customer-tag-value" />;
      break;
    case 'number':
      picker = <InputNumber style={{ width: '100%' }} value={value === undefined ? undefined : Number(value)} onChange={(v) => setValue(v === null ? undefined : String(v))} data-testid="customer-tag-value" />;
      break;
    case 'date':
      picker = (
        <DatePicker style={{ width: '100%' }} value={value ? dayjs(value) : null} onChange={(d) => setValue(d ? d.format('YYYY-MM-DD') : undefined)} data-testid="customer-tag-value" />
      );
      break;
  }
  return (
    <Modal
      open
      title={t('audiences.customer.add')}
      onCancel={onClose}
      okButtonProps={{ disabled: !ready, 'data-testid': 'customer-tag-save' } as { disabled: boolean }}
      confirmLoading={save.isPending}
      onOk={() => tag && save.mutate({ code: tag.code, value: tag.value_type === 'boolean' ? 'true' : (value ?? '') }, { onSuccess: onClose })}
    >
      {save.error ? <ErrorAlert error={save.error} /> : null}
      {tags.length === 0 ? (
        <Typography.Text type="secondary">{t('audiences.customer.noSettable')}</Typography.Text>
      ) : (
        <Form layout="vertical">
          <Form.Item label={t('audiences.customer.tag')}>
            <Select
              showSearch
              optionFilterProp="label"
              value={code}
              onChange={(c: string) => {
                setCode(c);
                setValue(undefined);
              }}
              options={tags.map((x) => ({ value: x.code, label: x.group ? `${x.group} · ${x.name}` : x.name }))}
              data-testid="customer-tag-pick"
            />
          </Form.Item>
          {picker ? <Form.Item label={t('audiences.customer.value')}>{picker}</Form.Item> : null}
          {tag?.value_type === 'boolean' ? (
            <Space>
              <Typography.Text type="secondary">{t('audiences.customer.booleanHint')}</Typography.Text>
            </Space>
          ) : null}
        </Form>
      )}
    </Modal>
  );
}
