import { HistoryOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Drawer, Form, Input, Modal, Radio, Select, Space, Table, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConsentHistory, useRecordConsent } from '../../api/customers';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  type ConsentChannel,
  type ConsentPurpose,
  type ConsentRecord,
  type Customer,
  type RecordConsentRequest,
} from '../../api/types';
import { CursorTable } from '../../components/CursorTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime, formatRelative } from '../../lib/format';
import { consentKey, consentMatrix } from './model';
import { ConsentMark } from './parts';

/** DEFAULT_SOURCE names the console as where a consent change was recorded. */
const DEFAULT_SOURCE = 'console';

interface Cell {
  purpose: ConsentPurpose;
}

/** ConsentsCard shows the purpose × channel consent grid, records changes and lists the history. */
export function ConsentsCard({ customer, canWrite }: { customer: Customer; canWrite: boolean }) {
  const { t } = useTranslation();
  const [recording, setRecording] = useState<{ purpose: ConsentPurpose; channel?: ConsentChannel } | null>(null);
  const [history, setHistory] = useState(false);
  const matrix = consentMatrix(customer.consents);
  const erased = customer.status === 'erased';

  const columns: TableColumnsType<Cell> = [
    {
      title: t('customers.consents.purpose'),
      key: 'purpose',
      fixed: 'left',
      render: (_, r) => <Typography.Text strong>{t(`customers.consents.purposes.${r.purpose}`)}</Typography.Text>,
    },
    ...CONSENT_CHANNELS.map((channel) => ({
      title: t(`customers.consents.channels.${channel}`),
      key: channel,
      render: (_: unknown, r: Cell) => {
        const c = matrix.get(consentKey(r.purpose, channel));
        const cell = c ? (
          <Tooltip
            title={
              <>
                <div>{t('customers.consents.sourceIs', { source: c.source })}</div>
                <div>{formatDateTime(c.updated_at)}</div>
              </>
            }
          >
            <div data-testid={`consent-${r.purpose}-${channel}`}>
              <ConsentMark granted={c.granted} />
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {c.source} · {formatRelative(c.updated_at)}
                </Typography.Text>
              </div>
            </div>
          </Tooltip>
        ) : (
          <Typography.Text type="secondary" data-testid={`consent-${r.purpose}-${channel}`}>
            {t('customers.consents.unknown')}
          </Typography.Text>
        );
        return canWrite && !erased ? (
          <Space orientation="vertical" size={2}>
            {cell}
            <Typography.Link style={{ fontSize: 12 }} onClick={() => setRecording({ purpose: r.purpose, channel })}>
              {t('customers.consents.change')}
            </Typography.Link>
          </Space>
        ) : (
          cell
        );
      },
    })),
  ];

  return (
    <Card
      size="small"
      title={t('customers.consents.title')}
      style={{ marginBottom: 16 }}
      extra={
        <Space>
          <Button size="small" icon={<HistoryOutlined />} onClick={() => setHistory(true)} data-testid="consent-history-open">
            {t('customers.consents.history')}
          </Button>
          {canWrite && !erased ? (
            <Button
              size="small"
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setRecording({ purpose: 'marketing' })}
              data-testid="consent-record-open"
            >
              {t('customers.consents.record')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <Table<Cell>
        rowKey="purpose"
        size="small"
        columns={columns}
        dataSource={CONSENT_PURPOSES.map((purpose) => ({ purpose }))}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="consent-grid"
      />
      <RecordConsentDialog customerId={customer.id} initial={recording} onClose={() => setRecording(null)} />
      <ConsentHistoryDrawer customerId={customer.id} open={history} onClose={() => setHistory(false)} />
    </Card>
  );
}

interface ConsentForm {
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  granted: boolean;
  source: string;
  occurred_at?: Dayjs | null;
}

/** RecordConsentDialog records one consent change (POST consents). */
function RecordConsentDialog({
  customerId,
  initial,
  onClose,
}: {
  customerId: string;
  initial: { purpose: ConsentPurpose; channel?: ConsentChannel } | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ConsentForm>();
  const record = useRecordConsent(customerId);

  const close = () => {
    record.reset();
    onClose();
  };

  const submit = (v: ConsentForm) => {
    const body: RecordConsentRequest = {
      purpose: v.purpose,
      channel: v.channel,
      granted: v.granted,
      source: v.source.trim(),
    };
    if (v.occurred_at) body.occurred_at = v.occurred_at.toISOString();
    record.mutate(body, {
      onSuccess: () => {
        void message.success(t('customers.consents.recorded'));
        close();
      },
    });
  };

  return (
    <Modal
      open={initial !== null}
      title={t('customers.consents.record')}
      onCancel={close}
      onOk={() => form.submit()}
      okText={t('customers.consents.save')}
      okButtonProps={{ loading: record.isPending, 'data-testid': 'consent-submit' }}
      destroyOnHidden
      forceRender
    >
      {record.error ? <ErrorAlert error={record.error} /> : null}
      {initial ? (
        <Form<ConsentForm>
          form={form}
          layout="vertical"
          onFinish={submit}
          initialValues={{ purpose: initial.purpose, channel: initial.channel, granted: true, source: DEFAULT_SOURCE }}
          data-testid="consent-form"
        >
          <Form.Item name="purpose" label={t('customers.consents.purpose')} rules={[{ required: true }]}>
            <Select options={CONSENT_PURPOSES.map((p) => ({ value: p, label: t(`customers.consents.purposes.${p}`) }))} />
          </Form.Item>
          <Form.Item
            name="channel"
            label={t('customers.consents.channel')}
            rules={[{ required: true, message: t('customers.required') }]}
          >
            <Radio.Group
              optionType="button"
              options={CONSENT_CHANNELS.map((c) => ({ value: c, label: t(`customers.consents.channels.${c}`) }))}
              data-testid="consent-channel"
            />
          </Form.Item>
          <Form.Item name="granted" label={t('customers.consents.decision')}>
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              options={[
                { value: true, label: t('customers.consents.grant') },
                { value: false, label: t('customers.consents.revoke') },
              ]}
              data-testid="consent-granted"
            />
          </Form.Item>
          <Form.Item
            name="source"
            label={t('customers.consents.source')}
            extra={t('customers.consents.sourceHint')}
            rules={[
              { required: true, whitespace: true, message: t('customers.required') },
              { max: 100, message: t('customers.consents.sourceHint') },
            ]}
          >
            <Input autoComplete="off" data-testid="consent-source" />
          </Form.Item>
          <Form.Item name="occurred_at" label={t('customers.consents.occurredAt')} extra={t('customers.consents.occurredAtHint')}>
            <DatePicker showTime style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      ) : null}
    </Modal>
  );
}

/** ConsentHistoryDrawer lists every recorded consent change, newest first. */
function ConsentHistoryDrawer({ customerId, open, onClose }: { customerId: string; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const list = useConsentHistory(customerId, open);
  const columns: TableColumnsType<ConsentRecord> = [
    { title: t('customers.consents.occurredAt'), key: 'at', render: (_, r) => formatDateTime(r.occurred_at) },
    {
      title: t('customers.consents.purpose'),
      key: 'purpose',
      render: (_, r) => t(`customers.consents.purposes.${r.purpose}`, { defaultValue: r.purpose }),
    },
    {
      title: t('customers.consents.channel'),
      key: 'channel',
      render: (_, r) => t(`customers.consents.channels.${r.channel}`, { defaultValue: r.channel }),
    },
    { title: t('customers.consents.decision'), key: 'granted', render: (_, r) => <ConsentMark granted={r.granted} /> },
    { title: t('customers.consents.source'), dataIndex: 'source', key: 'source' },
    { title: t('customers.consents.recordedAt'), key: 'rec', render: (_, r) => formatDateTime(r.recorded_at) },
  ];
  return (
    <Drawer open={open} onClose={onClose} size={760} title={t('customers.consents.history')} destroyOnHidden>
      <CursorTable<ConsentRecord>
        rowKey={(r) => `${r.recorded_at}:${r.purpose}:${r.channel}:${r.occurred_at}`}
        columns={columns}
        items={list.items}
        isLoading={list.isPending && list.fetchStatus !== 'idle'}
        error={list.error}
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={list.fetchNextPage}
        data-testid="consent-history"
      />
    </Drawer>
  );
}
