import { PlusOutlined, UndoOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Input, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useChangeEventSchema, useEventSchema, useHasScope } from '../../api/customers';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../lib/format';

/** MAX_NAME is the longest property name the server accepts. */
const MAX_NAME = 64;

/** normaliseName is the form the server compares names in (lower case, full-width folded). */
function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .trim()
    .toLowerCase();
}

interface Example {
  property: string;
  sent: string;
  shown: string;
}

/** EXAMPLES show what a reader without customers:pii sees of each kind of value. */
const EXAMPLES: Example[] = [
  { property: 'amount_fen', sent: '1999', shown: '1999' },
  { property: 'receiver_phone', sent: '"+86 138 1234 5678"', shown: '"138****5678"' },
  { property: '收货人', sent: '"王小明"', shown: '"王**"' },
  { property: 'email', sent: '["wang.li@example.com"]', shown: '["w***@example.com"]' },
  { property: 'id_card', sent: '"110101199003071234"', shown: '"110**************4"' },
  { property: 'recipient.phone', sent: '13812345678', shown: '"138****5678"' },
  { property: 'age', sent: '37', shown: '"***"' },
];

/**
 * EventSchemaPage shows the event properties the tenant declares non-personal —
 * the only ones readers without customers:pii see as sent — and lets holders of
 * customers:pii change the list.
 */
export default function EventSchemaPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canEdit = useHasScope('customers:pii');
  const schema = useEventSchema();
  const change = useChangeEventSchema();
  const [draft, setDraft] = useState<string[] | null>(null);
  const [input, setInput] = useState('');
  const [inputError, setInputError] = useState('');

  const names = draft ?? schema.data?.non_personal ?? [];
  const defaults = new Set(schema.data?.defaults ?? []);
  const dirty = draft !== null;

  const add = () => {
    const n = normaliseName(input);
    if (n === '') {
      setInputError(t('customers.eventSchema.nameRequired'));
    } else if ([...n].length > MAX_NAME) {
      setInputError(t('customers.eventSchema.nameTooLong', { max: MAX_NAME }));
    } else if (names.includes(n)) {
      setInputError(t('customers.eventSchema.nameTaken', { name: n }));
    } else {
      setDraft([...names, n].sort());
      setInput('');
      setInputError('');
    }
  };

  const save = (next: string[] | null) =>
    change.mutate(next, {
      onSuccess: () => {
        setDraft(null);
        void message.success(next === null ? t('customers.eventSchema.resetDone') : t('common.saved'));
      },
    });

  const examples: TableColumnsType<Example> = [
    { title: t('customers.eventSchema.property'), dataIndex: 'property', key: 'property', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { title: t('customers.eventSchema.sent'), dataIndex: 'sent', key: 'sent' },
    { title: t('customers.eventSchema.shown'), dataIndex: 'shown', key: 'shown' },
  ];

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('customers.eventSchema.title')}
      </Typography.Title>
      {schema.isError ? <ErrorAlert error={schema.error} /> : null}
      <Card
        loading={schema.isPending}
        style={{ marginBottom: 16 }}
        title={t('customers.eventSchema.declared', { count: names.length })}
        extra={
          schema.data?.customised ? (
            <Tag color="green" data-testid="event-schema-state">
              {t('customers.eventSchema.customised', { at: formatDateTime(schema.data.updated_at) })}
            </Tag>
          ) : (
            <Tag data-testid="event-schema-state">{t('customers.eventSchema.usingDefaults')}</Tag>
          )
        }
      >
        <Typography.Paragraph>{t('customers.eventSchema.intro')}</Typography.Paragraph>
        {change.isError ? <ErrorAlert error={change.error} /> : null}
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('customers.eventSchema.alwaysMasked')} />
        {!canEdit ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('customers.eventSchema.readOnly')} /> : null}
        <div data-testid="event-schema-names" style={{ marginBottom: 12 }}>
          {names.map((n) => (
            <Tag
              key={n}
              color={defaults.has(n) ? 'blue' : 'green'}
              closable={canEdit}
              onClose={(e) => {
                e.preventDefault();
                setDraft(names.filter((x) => x !== n));
              }}
              style={{ marginBottom: 6 }}
              data-testid="event-schema-name"
            >
              {n}
            </Tag>
          ))}
          {names.length === 0 && !schema.isPending ? <Typography.Text type="secondary">{t('customers.eventSchema.none')}</Typography.Text> : null}
        </div>
        <Space size={4} style={{ marginBottom: 16 }}>
          <Tag color="blue">{t('customers.eventSchema.fromDefaults')}</Tag>
          <Tag color="green">{t('customers.eventSchema.added')}</Tag>
        </Space>
        {canEdit ? (
          <>
            <Space.Compact style={{ width: '100%', maxWidth: 480 }}>
              <Input
                value={input}
                placeholder={t('customers.eventSchema.placeholder')}
                onChange={(e) => setInput(e.target.value)}
                onPressEnter={add}
                status={inputError ? 'error' : undefined}
                data-testid="event-schema-input"
              />
              <Button icon={<PlusOutlined />} onClick={add} data-testid="event-schema-add">
                {t('customers.eventSchema.add')}
              </Button>
            </Space.Compact>
            {inputError ? (
              <div>
                <Typography.Text type="danger" data-testid="event-schema-input-error">
                  {inputError}
                </Typography.Text>
              </div>
            ) : null}
            <Space style={{ marginTop: 16 }}>
              <Button type="primary" disabled={!dirty} loading={change.isPending && change.variables !== null} onClick={() => save(names)} data-testid="event-schema-save">
                {t('customers.eventSchema.save')}
              </Button>
              <Button icon={<UndoOutlined />} disabled={!dirty} onClick={() => setDraft(null)} data-testid="event-schema-discard">
                {t('customers.eventSchema.discard')}
              </Button>
              <Popconfirm
                title={t('customers.eventSchema.resetConfirm')}
                onConfirm={() => save(null)}
                okText={t('customers.eventSchema.reset')}
                cancelText={t('common.cancel')}
              >
                <Button danger disabled={!schema.data?.customised} loading={change.isPending && change.variables === null} data-testid="event-schema-reset">
                  {t('customers.eventSchema.reset')}
                </Button>
              </Popconfirm>
            </Space>
          </>
        ) : null}
      </Card>
      <Card title={t('customers.eventSchema.howTitle')} size="small">
        <Table<Example> rowKey="property" size="small" pagination={false} columns={examples} dataSource={EXAMPLES} data-testid="event-schema-examples" />
      </Card>
    </>
  );
}
