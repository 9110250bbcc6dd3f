import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Form, Input, InputNumber, Modal, Row, Statistic, Switch, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHasScope } from '../../api/customers';
import {
  storedValueApi,
  useGiftCardBatches,
  useGiftCards,
  useLiability,
  useStoredValueChange,
  type GiftCard,
  type GiftCardBatch,
  type IssuedBatch,
} from '../../api/storedValue';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime, formatNumber } from '../../lib/format';
import { formatFen } from '../../lib/money';

/**
 * GiftCardsPage lists the tenant's gift card batches with the stored-value liability,
 * and with loyalty:write issues a batch: the new cards' codes and PINs are shown once,
 * right after issuing (PINs are never stored).
 */
export default function GiftCardsPage() {
  const { t } = useTranslation();
  const canWrite = useHasScope('loyalty:write');
  const canRead = useHasScope('loyalty:read');
  const batches = useGiftCardBatches();
  const liability = useLiability(canRead);
  const [issuing, setIssuing] = useState(false);
  const [issued, setIssued] = useState<IssuedBatch | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const columns: TableColumnsType<GiftCardBatch> = [
    { title: t('storedValue.batches.name'), dataIndex: 'name', key: 'name' },
    { title: t('storedValue.batches.faceValue'), key: 'face', render: (_, b) => (b.face_value_fen ? formatFen(b.face_value_fen) : t('storedValue.batches.open')) },
    { title: t('storedValue.batches.quantity'), key: 'qty', render: (_, b) => formatNumber(b.quantity) },
    {
      title: t('storedValue.batches.kind'),
      key: 'kind',
      render: (_, b) => <Tag>{b.registered ? t('storedValue.batches.registered') : t('storedValue.batches.anonymous')}</Tag>,
    },
    { title: t('storedValue.batches.createdAt'), key: 'at', render: (_, b) => formatDateTime(b.created_at) },
    ...(canWrite
      ? [
          {
            title: '',
            key: 'cards',
            render: (_: unknown, b: GiftCardBatch) => (
              <Button size="small" onClick={() => setViewing(b.id)} data-testid={`gift-batch-cards-${b.id}`}>
                {t('storedValue.batches.cards')}
              </Button>
            ),
          },
        ]
      : []),
  ];
  const l = liability.data;
  return (
    <>
      <Row justify="space-between" style={{ marginBottom: 16 }}>
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('storedValue.batches.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('storedValue.batches.subtitle')}</Typography.Text>
        </div>
        {canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setIssuing(true)} data-testid="gift-batch-issue">
            {t('storedValue.batches.issue')}
          </Button>
        )}
      </Row>
      {l && (
        <Card size="small" style={{ marginBottom: 16 }} title={t('storedValue.liability.title')} data-testid="stored-value-liability">
          <Row gutter={16}>
            <Col xs={12} md={6}>
              <Statistic title={t('storedValue.liability.total')} value={formatFen(l.total_fen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('storedValue.liability.accounts', { n: l.accounts })} value={formatFen(l.accounts_fen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('storedValue.liability.cardsActive', { n: l.cards_active })} value={formatFen(l.cards_active_fen)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('storedValue.liability.cardsIssued', { n: l.cards_issued })} value={formatFen(l.cards_issued_face_fen)} />
            </Col>
          </Row>
        </Card>
      )}
      {liability.error && <ErrorAlert error={liability.error} />}
      {batches.error && <ErrorAlert error={batches.error} />}
      <Table<GiftCardBatch> rowKey="id" size="small" columns={columns} dataSource={batches.data?.items} loading={batches.isPending} data-testid="gift-batches" />
      {issuing && (
        <IssueModal
          onClose={(b) => {
            setIssuing(false);
            if (b) setIssued(b);
          }}
        />
      )}
      {issued && <CardsModal title={t('storedValue.batches.issuedTitle')} cards={issued.cards} onClose={() => setIssued(null)} once />}
      {viewing && <BatchCardsModal batchId={viewing} onClose={() => setViewing(null)} />}
    </>
  );
}

type IssueValues = { name: string; yuan: number; quantity: number; registered: boolean };

function IssueModal({ onClose }: { onClose: (b?: IssuedBatch) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<IssueValues>();
  const issue = useStoredValueChange((v: IssueValues) =>
    storedValueApi.issue({ name: v.name, face_value_fen: Math.round((v.yuan ?? 0) * 100), quantity: v.quantity, registered: !!v.registered }),
  );
  return (
    <Modal open title={t('storedValue.batches.issue')} onCancel={() => onClose()} onOk={() => form.submit()} confirmLoading={issue.isPending} okButtonProps={{ 'data-testid': 'gift-batch-submit' } as never}>
      <Form form={form} layout="vertical" initialValues={{ quantity: 10, yuan: 100 }} onFinish={(v) => issue.mutate(v, { onSuccess: (b) => onClose(b) })}>
        <Form.Item name="name" label={t('storedValue.batches.name')} rules={[{ required: true, message: t('storedValue.required') }]}>
          <Input maxLength={200} data-testid="gift-batch-name" />
        </Form.Item>
        <Form.Item name="yuan" label={t('storedValue.batches.faceValue')} extra={t('storedValue.batches.capHint')}>
          <InputNumber min={0} precision={2} style={{ width: '100%' }} data-testid="gift-batch-yuan" />
        </Form.Item>
        <Form.Item name="quantity" label={t('storedValue.batches.quantity')} rules={[{ required: true, message: t('storedValue.required') }]}>
          <InputNumber min={1} max={10000} precision={0} style={{ width: '100%' }} data-testid="gift-batch-quantity" />
        </Form.Item>
        <Form.Item name="registered" label={t('storedValue.batches.registered')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
      {issue.error && <ErrorAlert error={issue.error} />}
    </Modal>
  );
}

function BatchCardsModal({ batchId, onClose }: { batchId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const cards = useGiftCards(batchId);
  return <CardsModal title={t('storedValue.batches.cards')} cards={cards.data?.items ?? []} loading={cards.isPending} onClose={onClose} />;
}

function CardsModal({ title, cards, onClose, once, loading }: { title: string; cards: GiftCard[]; onClose: () => void; once?: boolean; loading?: boolean }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<GiftCard> = [
    { title: t('storedValue.cards.code'), key: 'code', render: (_, c) => <Typography.Text code copyable>{c.code}</Typography.Text> },
    ...(once ? [{ title: t('storedValue.cards.pin'), key: 'pin', render: (_: unknown, c: GiftCard) => <Typography.Text code>{c.pin}</Typography.Text> }] : []),
    { title: t('storedValue.cards.status'), key: 'status', render: (_, c) => <Tag>{t(`storedValue.cards.statuses.${c.status}`, { defaultValue: c.status })}</Tag> },
    { title: t('storedValue.balance'), key: 'balance', render: (_, c) => formatFen(c.balance_fen) },
  ];
  return (
    <Modal open width={720} title={title} onCancel={onClose} onOk={onClose} cancelButtonProps={{ style: { display: 'none' } }}>
      {once && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('storedValue.batches.pinsOnce')} />}
      <Table<GiftCard> rowKey="id" size="small" columns={columns} dataSource={cards} loading={loading} pagination={{ pageSize: 20 }} data-testid="gift-cards" />
    </Modal>
  );
}
