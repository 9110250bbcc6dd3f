import { EditOutlined, InboxOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Col,
  Drawer,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Typography,
  Upload,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  audienceApi,
  fieldErrors,
  useAudienceChange,
  useAudienceTags,
  type AudienceTag,
  type AudienceTagRequest,
  type TagFilter,
  type TagImportReport,
} from '../../api/audiences';
import { useHasScope } from '../../api/customers';
import { CursorTable } from '../../components/CursorTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatNumber } from '../../lib/format';
import { AudienceStatusTag, KindTag } from './parts';

export const KINDS = ['rule', 'computed', 'imported', 'manual'] as const;
export const VALUE_TYPES = ['boolean', 'enum', 'number', 'date'] as const;

/**
 * TagsPage is the tag library: every tag with how many customers hold it, filtered by
 * group, kind and status; with audiences:write it defines, edits and archives tags
 * and imports customers' values from a CSV file.
 */
export default function TagsPage() {
  const { t } = useTranslation();
  const canWrite = useHasScope('audiences:write');
  const [filter, setFilter] = useState<TagFilter>({ status: 'active' });
  const tags = useAudienceTags(filter);
  const [editing, setEditing] = useState<AudienceTag | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const { message } = App.useApp();
  const setStatus = useAudienceChange((v: { id: string; status: 'active' | 'archived' }) => audienceApi.updateTag(v.id, { status: v.status }));
  // Groups seen so far, for the filter; a group not loaded yet can be typed.
  const groups = useMemo(() => [...new Set(tags.items.map((x) => x.group).filter(Boolean))].sort(), [tags.items]);

  const columns: TableColumnsType<AudienceTag> = [
    { title: t('audiences.tag.code'), dataIndex: 'code', key: 'code', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { title: t('audiences.tag.name'), dataIndex: 'name', key: 'name' },
    { title: t('audiences.tag.group'), dataIndex: 'group', key: 'group', render: (v: string) => v || '—' },
    { title: t('audiences.tag.kind'), dataIndex: 'kind', key: 'kind', render: (v: string) => <KindTag kind={v} /> },
    {
      title: t('audiences.tag.valueType'),
      key: 'value_type',
      render: (_, x) =>
        t(`audiences.valueTypes.${x.value_type}`, { defaultValue: x.value_type }) +
        (x.value_type === 'enum' && x.enum_values?.length ? ` (${x.enum_values.length})` : ''),
    },
    { title: t('audiences.tag.customers'), dataIndex: 'customers', key: 'customers', align: 'right', render: (v: number) => formatNumber(v) },
    { title: t('audiences.tag.status'), dataIndex: 'status', key: 'status', render: (v: string) => <AudienceStatusTag status={v} /> },
  ];
  if (canWrite) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_, x) => (
        <Space size="small">
          <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(x)} data-testid={`tag-edit-${x.code}`}>
            {t('audiences.tag.edit')}
          </Button>
          {x.status === 'active' ? (
            <Popconfirm
              title={t('audiences.tag.archiveConfirm', { name: x.name })}
              onConfirm={() =>
                setStatus.mutate({ id: x.id, status: 'archived' }, { onSuccess: () => void message.success(t('audiences.tag.archived')) })
              }
            >
              <Button size="small" danger data-testid={`tag-archive-${x.code}`}>
                {t('audiences.archive')}
              </Button>
            </Popconfirm>
          ) : (
            <Button size="small" onClick={() => setStatus.mutate({ id: x.id, status: 'active' })} data-testid={`tag-restore-${x.code}`}>
              {t('audiences.restore')}
            </Button>
          )}
        </Space>
      ),
    });
  }

  return (
    <>
      <Row justify="space-between" align="middle" style={{ marginBottom: 16 }} gutter={[8, 8]}>
        <Col>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('audiences.tags.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('audiences.tags.subtitle')}</Typography.Text>
        </Col>
        {canWrite && (
          <Col>
            <Space>
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="tag-import-open">
                {t('audiences.import.open')}
              </Button>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="tag-create">
                {t('audiences.tag.create')}
              </Button>
            </Space>
          </Col>
        )}
      </Row>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          showSearch
          style={{ minWidth: 180 }}
          placeholder={t('audiences.tag.group')}
          value={filter.group}
          onChange={(group?: string) => setFilter({ ...filter, group })}
          options={groups.map((g) => ({ value: g, label: g }))}
          data-testid="tag-filter-group"
        />
        <Select
          allowClear
          style={{ minWidth: 140 }}
          placeholder={t('audiences.tag.kind')}
          value={filter.kind}
          onChange={(kind?: TagFilter['kind']) => setFilter({ ...filter, kind })}
          options={KINDS.map((k) => ({ value: k, label: t(`audiences.kinds.${k}`) }))}
          data-testid="tag-filter-kind"
        />
        <Select
          style={{ minWidth: 120 }}
          value={filter.status ?? ''}
          onChange={(status: NonNullable<TagFilter['status']>) => setFilter({ ...filter, status: status || undefined })}
          options={[
            { value: 'active', label: t('audiences.statuses.active') },
            { value: 'archived', label: t('audiences.statuses.archived') },
            { value: '', label: t('common.all') },
          ]}
          data-testid="tag-filter-status"
        />
      </Space>
      {setStatus.error ? <ErrorAlert error={setStatus.error} /> : null}
      <CursorTable<AudienceTag>
        rowKey="id"
        columns={columns}
        items={tags.items}
        isLoading={tags.isPending}
        error={tags.error}
        hasNextPage={tags.hasNextPage}
        isFetchingNextPage={tags.isFetchingNextPage}
        fetchNextPage={tags.fetchNextPage}
        data-testid="tag-table"
        expandable={{
          rowExpandable: (x) => !!(x.expression || x.description || x.enum_values?.length),
          expandedRowRender: (x) => (
            <Space orientation="vertical" size={4}>
              {x.description ? <Typography.Text>{x.description}</Typography.Text> : null}
              {x.expression ? <Typography.Text code>{x.expression}</Typography.Text> : null}
              {x.enum_values?.length ? <Typography.Text type="secondary">{x.enum_values.join(' / ')}</Typography.Text> : null}
            </Space>
          ),
        }}
      />
      {editing && <TagDrawer tag={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      {importing && <ImportModal onClose={() => setImporting(false)} />}
    </>
  );
}

type TagForm = AudienceTagRequest;

/** TagDrawer defines a tag or edits one; the server's field errors land on their fields. */
function TagDrawer({ tag, onClose }: { tag: AudienceTag | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<TagForm>();
  const kind = Form.useWatch('kind', form) ?? tag?.kind;
  const valueType = Form.useWatch('value_type', form) ?? tag?.value_type;
  const save = useAudienceChange((v: TagForm) =>
    tag
      ? audienceApi.updateTag(tag.id, {
          name: v.name,
          group: v.group ?? '',
          description: v.description ?? '',
          ...(tag.value_type === 'enum' ? { enum_values: v.enum_values ?? [] } : {}),
          ...(tag.kind === 'rule' ? { expression: v.expression ?? '' } : {}),
        })
      : audienceApi.createTag({
          ...v,
          value_type: v.kind === 'rule' ? 'boolean' : v.value_type,
          enum_values: v.value_type === 'enum' ? v.enum_values : undefined,
          expression: v.kind === 'rule' ? v.expression : undefined,
        }),
  );
  const submit = (v: TagForm) =>
    save.mutate(v, {
      onSuccess: () => {
        void message.success(t('common.saved'));
        onClose();
      },
      onError: (err) => {
        const byField = fieldErrors(err);
        const known = ['code', 'name', 'group', 'kind', 'value_type', 'enum_values', 'expression', 'description'] as const;
        form.setFields(
          known.filter((f) => byField.has(`body.${f}`)).map((f) => ({ name: f, errors: [byField.get(`body.${f}`) ?? ''] })),
        );
      },
    });
  // An error no field of the form names is shown above it.
  const unplaced = save.error && [...fieldErrors(save.error).keys()].every((l) => !/^body\.(code|name|group|kind|value_type|enum_values|expression|description)/.test(l));
  return (
    <Drawer
      open
      size={520}
      title={tag ? t('audiences.tag.editTitle', { name: tag.name }) : t('audiences.tag.create')}
      onClose={onClose}
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="tag-save">
            {t('audiences.save')}
          </Button>
        </Space>
      }
    >
      {unplaced ? <ErrorAlert error={save.error} /> : null}
      <Form<TagForm>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          tag
            ? { ...tag, kind: tag.kind as TagForm['kind'], value_type: tag.value_type as TagForm['value_type'], enum_values: tag.enum_values ?? [] }
            : { kind: 'manual', value_type: 'boolean' }
        }
      >
        <Form.Item name="code" label={t('audiences.tag.code')} rules={[{ required: true, pattern: /^[A-Za-z][A-Za-z0-9_]*$/, message: t('audiences.tag.codeRule') }]}>
          <Input disabled={!!tag} maxLength={64} data-testid="tag-code" />
        </Form.Item>
        <Form.Item name="name" label={t('audiences.tag.name')} rules={[{ required: true }]}>
          <Input maxLength={200} data-testid="tag-name" />
        </Form.Item>
        <Form.Item name="group" label={t('audiences.tag.group')} extra={t('audiences.tag.groupHint')}>
          <Input maxLength={100} data-testid="tag-group" />
        </Form.Item>
        <Form.Item name="kind" label={t('audiences.tag.kind')} extra={kind ? t(`audiences.kindHints.${kind}`) : null}>
          <Select disabled={!!tag} options={KINDS.map((k) => ({ value: k, label: t(`audiences.kinds.${k}`) }))} data-testid="tag-kind" />
        </Form.Item>
        {kind !== 'rule' && (
          <Form.Item name="value_type" label={t('audiences.tag.valueType')}>
            <Select
              disabled={!!tag}
              options={VALUE_TYPES.map((v) => ({ value: v, label: t(`audiences.valueTypes.${v}`) }))}
              data-testid="tag-value-type"
            />
          </Form.Item>
        )}
        {kind !== 'rule' && valueType === 'enum' && (
          <Form.Item name="enum_values" label={t('audiences.tag.enumValues')} extra={t('audiences.tag.enumHint')} rules={[{ required: true }]}>
            <Select mode="tags" open={false} tokenSeparators={[',', '，']} data-testid="tag-enum-values" />
          </Form.Item>
        )}
        {kind === 'rule' && (
          <Form.Item
            name="expression"
            label={t('audiences.tag.expression')}
            extra={t('audiences.tag.expressionHint')}
            rules={[{ required: true }]}
          >
            <Input.TextArea rows={4} style={{ fontFamily: 'monospace' }} data-testid="tag-expression" />
          </Form.Item>
        )}
        <Form.Item name="description" label={t('audiences.tag.description')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

/** ImportModal uploads a CSV of customer_id, tag, value and shows what the server did row by row. */
function ImportModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const upload = useAudienceChange((f: File) => audienceApi.importTags(f));
  const report: TagImportReport | undefined = upload.data;
  return (
    <Modal
      open
      width={720}
      title={t('audiences.import.title')}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t('common.close')}</Button>
          <Button type="primary" disabled={!file} loading={upload.isPending} onClick={() => file && upload.mutate(file)} data-testid="tag-import-run">
            {t('audiences.import.run')}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('audiences.import.hint')}</Typography.Paragraph>
      <Typography.Paragraph>
        <Typography.Text code>customer_id,tag,value</Typography.Text>
      </Typography.Paragraph>
      <Upload.Dragger
        accept=".csv,text/csv"
        maxCount={1}
        beforeUpload={(f) => {
          setFile(f);
          upload.reset();
          return false;
        }}
        onRemove={() => setFile(null)}
        data-testid="tag-import-file"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('audiences.import.drop')}</p>
      </Upload.Dragger>
      {upload.error ? <ErrorAlert error={upload.error} /> : null}
      {report && (
        <div style={{ marginTop: 16 }} data-testid="tag-import-report">
          <Row gutter={16}>
            <Col span={6}>
              <Statistic title={t('audiences.import.rows')} value={formatNumber(report.rows)} />
            </Col>
            <Col span={6}>
              <Statistic title={t('audiences.import.set')} value={formatNumber(report.set)} />
            </Col>
            <Col span={6}>
              <Statistic title={t('audiences.import.removed')} value={formatNumber(report.removed)} />
            </Col>
            <Col span={6}>
              <Statistic title={t('audiences.import.rejected')} value={formatNumber(report.errors?.length ?? 0)} />
            </Col>
          </Row>
          {(report.errors ?? []).length > 0 ? (
            <Table
              style={{ marginTop: 12 }}
              size="small"
              rowKey={(r) => `${r.line}-${r.field ?? ''}`}
              dataSource={report.errors ?? []}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              columns={[
                { title: t('audiences.import.line'), dataIndex: 'line', key: 'line', width: 80 },
                { title: t('audiences.import.field'), dataIndex: 'field', key: 'field', width: 120, render: (v?: string) => v || '—' },
                { title: t('audiences.import.reason'), dataIndex: 'reason', key: 'reason' },
              ]}
              data-testid="tag-import-errors"
            />
          ) : (
            <Alert style={{ marginTop: 12 }} type="success" showIcon title={t('audiences.import.allGood')} />
          )}
        </div>
      )}
    </Modal>
  );
}
