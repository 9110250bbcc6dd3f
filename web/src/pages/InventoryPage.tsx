import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Col, Empty, Form, Input, InputNumber, Modal, Row, Select, Space, Statistic, Switch, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useHasScope } from '../api/customers';
import { useCursorList } from '../api/hooks';
import {
  BALANCE_STATUSES,
  STOCK_CHANGE_KINDS,
  inventoryApi,
  type BalanceStatus,
  type StockBalanceRow,
  type StockMovement,
  useCreateStockLocation,
  useExpiringBatches,
  useLocationFulfilment,
  useRecordStockChange,
  useSetLocationFulfilment,
  useSetStockQuotas,
  useStockBalance,
  useStockBatches,
  useStockQuotas,
  type LocationFulfilmentSettings,
  type StockBatch,
  type StockChangeRequest,
  type StockQuotaSetting,
  type StockLocation,
  type StockLocationCreateRequest,
} from '../api/inventory';
import { CursorTable } from '../components/CursorTable';
import { ErrorAlert } from '../components/ErrorAlert';

/**
 * InventoryPage lists the stock locations the user may see; for a chosen location
 * and SKU it shows on hand, reserved, safety stock and available, and records
 * receipts, counts, adjustments and write-offs (with inventory:write).
 */
export default function InventoryPage() {
  const { t } = useTranslation();
  const canWrite = useHasScope('inventory:write');
  const list = useCursorList('stock-locations', {}, inventoryApi.locations);
  const [selected, setSelected] = useState<StockLocation | null>(null);
  const [creating, setCreating] = useState(false);

  const columns: TableColumnsType<StockLocation> = [
    { title: t('inventory.code'), dataIndex: 'code', key: 'code' },
    { title: t('inventory.name'), dataIndex: 'name', key: 'name' },
    { title: t('inventory.kind'), key: 'kind', render: (_, l) => <Tag>{t(`inventory.kinds.${l.kind}`)}</Tag> },
    {
      title: t('inventory.allowNegative'),
      key: 'neg',
      render: (_, l) => (l.allow_negative ? t('inventory.yes') : t('inventory.no')),
    },
  ];

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <div>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('inventory.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('inventory.subtitle')}</Typography.Text>
        </div>
        {canWrite && (
          <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="stock-location-create">
            {t('inventory.addLocation')}
          </Button>
        )}
      </Space>
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('inventory.locations')}>
            {!list.isPending && list.items.length === 0 && !list.error ? (
              <Empty description={t('inventory.noLocations')} />
            ) : (
              <CursorTable<StockLocation>
                rowKey="id"
                columns={columns}
                items={list.items}
                isLoading={list.isPending}
                error={list.error}
                hasNextPage={list.hasNextPage}
                isFetchingNextPage={list.isFetchingNextPage}
                fetchNextPage={list.fetchNextPage}
                onRow={(l) => ({ onClick: () => setSelected(l), style: { cursor: 'pointer' } })}
                rowClassName={(l) => (l.id === selected?.id ? 'ant-table-row-selected' : '')}
                data-testid="stock-locations-table"
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          {selected ? (
            <Space orientation="vertical" style={{ width: '100%' }}>
              <StockPanel location={selected} canWrite={canWrite} />
              <FulfilmentCard key={selected.id} location={selected} canWrite={canWrite} />
            </Space>
          ) : (
            <Card size="small">
              <Empty description={t('inventory.pickLocation')} />
            </Card>
          )}
        </Col>
      </Row>
      {creating && <CreateLocationModal onClose={() => setCreating(false)} />}
    </>
  );
}

/** StockPanel shows a SKU's stock at one location and records changes there. */
function StockPanel({ location, canWrite }: { location: StockLocation; canWrite: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [skuId, setSkuId] = useState<string>();
  const balance = useStockBalance(location.id, skuId);
  const record = useRecordStockChange(location.id);
  const [form] = Form.useForm<Omit<StockChangeRequest, 'sku_id'>>();
  const kind = Form.useWatch('kind', form);

  const submit = (v: Omit<StockChangeRequest, 'sku_id'>) => {
    // Only a receipt names a batch; an empty field is no batch.
    const body: StockChangeRequest = { ...v, sku_id: skuId! };
    if (v.kind !== 'receipt' || !v.batch_code) delete body.batch_code;
    if (v.kind !== 'receipt' || !v.expires_on) delete body.expires_on;
    record.mutate(body, {
      onSuccess: () => {
        void message.success(t('inventory.recorded'));
        form.resetFields(['qty', 'reference', 'reason', 'batch_code', 'expires_on']);
      },
    });
  };

  return (
    <Card size="small" title={`${location.name} · ${location.code}`} data-testid="stock-panel">
      <Space direction="vertical" style={{ width: '100%' }}>
        <ExpiringList locationId={location.id} />
        <BalanceList locationId={location.id} selected={skuId} onPick={setSkuId} />
        <SkuPicker value={skuId} onChange={setSkuId} />
        {balance.error && <ErrorAlert error={balance.error} />}
        {balance.data && (
          <Row gutter={16} data-testid="stock-balance">
            <Col span={6}>
              <Statistic title={t('inventory.onHand')} value={balance.data.on_hand} />
            </Col>
            <Col span={6}>
              <Statistic title={t('inventory.reserved')} value={balance.data.reserved} />
            </Col>
            <Col span={6}>
              <Statistic title={t('inventory.safetyStock')} value={balance.data.safety_stock} />
            </Col>
            <Col span={6}>
              <Statistic title={t('inventory.available')} value={balance.data.available} />
            </Col>
          </Row>
        )}
        {skuId && <MovementTable locationId={location.id} skuId={skuId} />}
        {skuId && <BatchTable locationId={location.id} skuId={skuId} />}
        {skuId && <QuotaCard locationId={location.id} skuId={skuId} canWrite={canWrite} />}
        {canWrite && skuId && (
          <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'receipt' }}>
            <Row gutter={8}>
              <Col span={12}>
                <Form.Item name="kind" label={t('inventory.change')} rules={[{ required: true }]}>
                  <Select
                    options={STOCK_CHANGE_KINDS.map((k) => ({ value: k, label: t(`inventory.kinds.${k}`) }))}
                    data-testid="stock-change-kind"
                  />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="qty" label={t('inventory.qty')} rules={[{ required: true, message: t('inventory.qtyRequired') }]}>
                  <InputNumber style={{ width: '100%' }} precision={0} data-testid="stock-change-qty" />
                </Form.Item>
              </Col>
            </Row>
            {kind === 'receipt' && (
              <Row gutter={8}>
                <Col span={12}>
                  <Form.Item name="expires_on" label={t('inventory.expiresOn')} extra={t('inventory.expiresOnHelp')}>
                    <Input type="date" data-testid="stock-change-expires-on" />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="batch_code" label={t('inventory.batchCode')}>
                    <Input maxLength={64} data-testid="stock-change-batch-code" />
                  </Form.Item>
                </Col>
              </Row>
            )}
            <Form.Item name="reference" label={t('inventory.reference')}>
              <Input maxLength={128} />
            </Form.Item>
            <Form.Item name="reason" label={t('inventory.reason')}>
              <Input maxLength={500} />
            </Form.Item>
            {record.error && <ErrorAlert error={record.error} />}
            <Button type="primary" htmlType="submit" loading={record.isPending} data-testid="stock-change-submit">
              {t('inventory.record')}
            </Button>
          </Form>
        )}
      </Space>
    </Card>
  );
}

/** FulfilmentForm is the form's view of the settings: costs in yuan, not fen. */
interface FulfilmentForm {
  orders_per_hour?: number | null;
  cut_off?: string;
  radius_km?: number | null;
  cost_per_order?: number | null;
  cost_per_km?: number | null;
}

const toYuan = (fen?: number) => (fen ? fen / 100 : undefined);
const toFen = (yuan?: number | null) => (yuan ? Math.round(yuan * 100) : 0);

/**
 * FulfilmentCard shows and sets how a location takes online orders: the most orders
 * per hour (with the orders counted now), the cut-off, a delivery radius and the
 * costs routing weighs (docs/routing.md, "Location settings"). Empty fields are the
 * defaults: unlimited, no cut-off, the radius of the location's kind, no cost.
 */
function FulfilmentCard({ location, canWrite }: { location: StockLocation; canWrite: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const current = useLocationFulfilment(location.id);
  const save = useSetLocationFulfilment(location.id);
  const [form] = Form.useForm<FulfilmentForm>();
  const f = current.data;

  const submit = (v: FulfilmentForm) => {
    const body: LocationFulfilmentSettings = {
      orders_per_hour: v.orders_per_hour ?? undefined,
      cut_off: v.cut_off?.trim() || undefined,
      radius_km: v.radius_km ?? undefined,
      cost_per_order_fen: toFen(v.cost_per_order),
      cost_per_km_fen: toFen(v.cost_per_km),
    };
    save.mutate(body, { onSuccess: () => void message.success(t('inventory.fulfilment.saved')) });
  };

  return (
    <Card size="small" title={t('inventory.fulfilment.title')} data-testid="fulfilment-card">
      {current.error && <ErrorAlert error={current.error} />}
      {f && (
        <Form
          form={form}
          layout="vertical"
          disabled={!canWrite}
          onFinish={submit}
          initialValues={{
            orders_per_hour: f.orders_per_hour,
            cut_off: f.cut_off,
            radius_km: f.radius_km,
            cost_per_order: toYuan(f.cost_per_order_fen),
            cost_per_km: toYuan(f.cost_per_km_fen),
          }}
        >
          <Typography.Paragraph type="secondary">{t('inventory.fulfilment.help')}</Typography.Paragraph>
          <Row gutter={8}>
            <Col span={12}>
              <Form.Item
                name="orders_per_hour"
                label={t('inventory.fulfilment.ordersPerHour')}
                extra={t('inventory.fulfilment.load', { count: f.load_last_hour })}
              >
                <InputNumber min={0} max={100000} precision={0} style={{ width: '100%' }} placeholder={t('inventory.fulfilment.unlimited')} data-testid="fulfilment-orders-per-hour" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item
                name="cut_off"
                label={t('inventory.fulfilment.cutOff')}
                extra={t('inventory.fulfilment.cutOffHelp')}
                rules={[{ pattern: /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, message: t('inventory.fulfilment.cutOffFormat') }]}
              >
                <Input maxLength={5} placeholder="21:00" data-testid="fulfilment-cut-off" />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={8}>
            <Col span={8}>
              <Form.Item name="radius_km" label={t('inventory.fulfilment.radius')} extra={t('inventory.fulfilment.radiusHelp')}>
                <InputNumber min={0.01} max={20000} step={0.5} style={{ width: '100%' }} suffix="km" data-testid="fulfilment-radius" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="cost_per_order" label={t('inventory.fulfilment.costPerOrder')}>
                <InputNumber min={0} precision={2} style={{ width: '100%' }} prefix="¥" data-testid="fulfilment-cost-order" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="cost_per_km" label={t('inventory.fulfilment.costPerKm')}>
                <InputNumber min={0} precision={2} style={{ width: '100%' }} prefix="¥" data-testid="fulfilment-cost-km" />
              </Form.Item>
            </Col>
          </Row>
          {save.error && <ErrorAlert error={save.error} />}
          {canWrite && (
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="fulfilment-save">
              {t('inventory.fulfilment.save')}
            </Button>
          )}
        </Form>
      )}
    </Card>
  );
}

/** batchColumns show batches (lots) soonest to expire first. */
function useBatchColumns(withSku: boolean): TableColumnsType<StockBatch> {
  const { t } = useTranslation();
  return [
    ...(withSku
      ? [
          {
            title: t('inventory.sku'),
            key: 'sku',
            render: (_: unknown, b: StockBatch) => (
              <Space size={4} wrap>
                <Typography.Text code>{b.sku_code}</Typography.Text>
                {b.sku_name}
              </Space>
            ),
          },
        ]
      : []),
    { title: t('inventory.batchCode'), dataIndex: 'batch_code', key: 'code' },
    {
      title: t('inventory.expiresOn'),
      key: 'expires',
      render: (_, b) => (
        <Space>
          {b.expires_on}
          {b.expired && <Tag color="red">{t('inventory.expired')}</Tag>}
        </Space>
      ),
    },
    { title: t('inventory.onHand'), dataIndex: 'on_hand', key: 'on_hand', align: 'right' },
  ];
}

/** ExpiringList is the location's near-expiry (临期) list. */
function ExpiringList({ locationId }: { locationId: string }) {
  const { t } = useTranslation();
  const [days, setDays] = useState(3);
  const list = useExpiringBatches(locationId, days);
  const columns = useBatchColumns(true);
  return (
    <Card
      size="small"
      type="inner"
      title={t('inventory.expiring')}
      extra={
        <Select
          size="small"
          value={days}
          onChange={setDays}
          options={[0, 1, 3, 7].map((d) => ({ value: d, label: d === 0 ? t('inventory.withinToday') : t('inventory.withinDays', { n: d }) }))}
          data-testid="stock-expiring-days"
        />
      }
    >
      {list.error && <ErrorAlert error={list.error} />}
      <Table<StockBatch>
        size="small"
        rowKey="id"
        pagination={false}
        loading={list.isPending}
        columns={columns}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t('inventory.noneExpiring') }}
        data-testid="stock-expiring"
      />
    </Card>
  );
}

/** BatchTable shows a balance's batches and what is in none. */
function BatchTable({ locationId, skuId }: { locationId: string; skuId: string }) {
  const { t } = useTranslation();
  const batches = useStockBatches(locationId, skuId);
  const columns = useBatchColumns(false);
  if (batches.error) return <ErrorAlert error={batches.error} />;
  if (!batches.data || (batches.data.items.length === 0 && batches.data.untracked === batches.data.balance.on_hand)) return null;
  return (
    <Card size="small" type="inner" title={t('inventory.batches')} extra={`${t('inventory.untracked')}: ${batches.data.untracked}`}>
      <Table<StockBatch>
        size="small"
        rowKey="id"
        pagination={false}
        columns={columns}
        dataSource={batches.data.items}
        data-testid="stock-batches"
      />
    </Card>
  );
}

/** QuotaCard shows and sets the channel quotas of a balance. */
function QuotaCard({ locationId, skuId, canWrite }: { locationId: string; skuId: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const quotas = useStockQuotas(locationId, skuId);
  const save = useSetStockQuotas(locationId, skuId);
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<{ quotas: StockQuotaSetting[] }>();
  if (quotas.error) return <ErrorAlert error={quotas.error} />;
  if (!quotas.data) return null;
  const a = quotas.data;
  return (
    <Card
      size="small"
      type="inner"
      title={t('inventory.quotas')}
      extra={
        canWrite &&
        !editing && (
          <Button size="small" onClick={() => setEditing(true)} data-testid="stock-quotas-edit">
            {t('inventory.editQuotas')}
          </Button>
        )
      }
      data-testid="stock-quotas"
    >
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {a.quotas.length === 0 ? t('inventory.sharedOnly') : t('inventory.sharedAvailable', { n: a.shared_available })}
      </Typography.Paragraph>
      {!editing && a.quotas.length > 0 && (
        <Table
          size="small"
          rowKey="channel"
          pagination={false}
          dataSource={a.quotas}
          columns={[
            { title: t('inventory.channel'), dataIndex: 'channel', key: 'channel', render: (c: string) => t(`orders.channels.${c}`, { defaultValue: c }) },
            { title: t('inventory.quota'), dataIndex: 'quota', key: 'quota', align: 'right' },
            { title: t('inventory.quotaUsed'), dataIndex: 'used', key: 'used', align: 'right' },
            { title: t('inventory.quotaFree'), dataIndex: 'free', key: 'free', align: 'right' },
          ]}
        />
      )}
      {editing && (
        <Form
          form={form}
          initialValues={{ quotas: a.quotas.filter((q) => q.quota > 0).map((q) => ({ channel: q.channel, quota: q.quota })) }}
          onFinish={(v) =>
            save.mutate(v.quotas ?? [], {
              onSuccess: () => {
                void message.success(t('inventory.recorded'));
                setEditing(false);
              },
            })
          }
        >
          <Form.List name="quotas">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} align="baseline">
                    <Form.Item name={[f.name, 'channel']} rules={[{ required: true, pattern: /^[a-z0-9_]{1,32}$/, message: t('inventory.channelRequired') }]}>
                      <Select
                        style={{ width: 160 }}
                        placeholder={t('inventory.channel')}
                        options={['meituan', 'eleme', 'mini_program', 'app', 'web', 'marketplace'].map((c) => ({
                          value: c,
                          label: t(`orders.channels.${c}`, { defaultValue: c }),
                        }))}
                        data-testid="stock-quota-channel"
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'quota']} rules={[{ required: true, message: t('inventory.qtyRequired') }]}>
                      <InputNumber min={0} precision={0} placeholder={t('inventory.quota')} data-testid="stock-quota-qty" />
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(f.name)} />
                  </Space>
                ))}
                <Space>
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add()} data-testid="stock-quota-add">
                    {t('inventory.addQuota')}
                  </Button>
                  <Button size="small" onClick={() => setEditing(false)}>
                    {t('inventory.cancel')}
                  </Button>
                  <Button size="small" type="primary" htmlType="submit" loading={save.isPending} data-testid="stock-quotas-save">
                    {t('inventory.save')}
                  </Button>
                </Space>
              </>
            )}
          </Form.List>
          {save.error && <ErrorAlert error={save.error} />}
        </Form>
      )}
    </Card>
  );
}

/** SkuPicker finds a SKU by name, code or barcode. */
function SkuPicker({ value, onChange }: { value?: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const skus = useQuery({ queryKey: ['skus', 'pick', q], queryFn: () => api.skus({ q, limit: 20 }), enabled: q.length > 0 });
  return (
    <Select
      showSearch
      value={value}
      placeholder={t('inventory.pickSku')}
      filterOption={false}
      onSearch={setQ}
      onChange={onChange}
      loading={skus.isFetching}
      notFoundContent={q ? t('inventory.noSku') : null}
      options={(skus.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} · ${s.code}` }))}
      style={{ width: '100%' }}
      data-testid="stock-sku-picker"
    />
  );
}

/** StockTags marks a balance that went negative or has nothing left to reserve online. */
export function StockTags({ b }: { b: Pick<StockBalanceRow, 'on_hand' | 'available'> }) {
  const { t } = useTranslation();
  return (
    <Space size={4}>
      {b.on_hand < 0 && <Tag color="red">{t('inventory.status.negative')}</Tag>}
      {b.available <= 0 && <Tag color="orange">{t('inventory.status.low')}</Tag>}
    </Space>
  );
}

/**
 * BalanceList is a location's stock, a page at a time by SKU code, searchable by SKU
 * and filtered by status; picking a row opens that balance below.
 */
function BalanceList({ locationId, selected, onPick }: { locationId: string; selected?: string; onPick: (skuId: string) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<BalanceStatus>('all');
  const list = useCursorList('stock-balances', { locationId, q, status }, inventoryApi.balances, { pageSize: 20 });
  const columns: TableColumnsType<StockBalanceRow> = [
    { title: t('inventory.skuCode'), dataIndex: 'sku_code', key: 'code' },
    { title: t('inventory.skuName'), dataIndex: 'sku_name', key: 'name' },
    { title: t('inventory.onHand'), dataIndex: 'on_hand', key: 'on_hand', align: 'right' },
    { title: t('inventory.reserved'), dataIndex: 'reserved', key: 'reserved', align: 'right' },
    { title: t('inventory.available'), dataIndex: 'available', key: 'available', align: 'right' },
    { title: '', key: 'tags', render: (_, b) => <StockTags b={b} /> },
  ];
  return (
    <Card size="small" type="inner" title={t('inventory.balances')} data-testid="stock-balances">
      <Space style={{ marginBottom: 8 }} wrap>
        <Input.Search allowClear placeholder={t('inventory.searchSku')} onSearch={(v) => setQ(v.trim())} data-testid="stock-balances-search" style={{ width: 220 }} />
        <Select<BalanceStatus>
          value={status}
          onChange={setStatus}
          options={BALANCE_STATUSES.map((s) => ({ value: s, label: t(`inventory.status.${s}`) }))}
          style={{ width: 160 }}
          data-testid="stock-balances-status"
        />
      </Space>
      <CursorTable<StockBalanceRow>
        rowKey="sku_id"
        size="small"
        columns={columns}
        items={list.items}
        isLoading={list.isPending}
        error={list.error}
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={list.fetchNextPage}
        locale={{ emptyText: t('inventory.noBalances') }}
        onRow={(b) => ({ onClick: () => onPick(b.sku_id), style: { cursor: 'pointer' } })}
        rowClassName={(b) => (b.sku_id === selected ? 'ant-table-row-selected' : '')}
        data-testid="stock-balances-table"
      />
    </Card>
  );
}

/** MovementTable is the ledger of one balance, newest first, a page at a time. */
function MovementTable({ locationId, skuId }: { locationId: string; skuId: string }) {
  const { t } = useTranslation();
  const list = useCursorList('stock-movements', { locationId, skuId }, inventoryApi.movements, { pageSize: 20 });
  const signed = (n: number) => (n > 0 ? `+${n}` : n === 0 ? '' : String(n));
  const columns: TableColumnsType<StockMovement> = [
    { title: t('inventory.occurredAt'), key: 'at', render: (_, m) => new Date(m.occurred_at).toLocaleString() },
    { title: t('inventory.movementKind'), key: 'kind', render: (_, m) => <Tag>{t(`inventory.movementKinds.${m.kind}`)}</Tag> },
    { title: t('inventory.onHand'), key: 'on_hand', align: 'right', render: (_, m) => signed(m.on_hand_delta) },
    { title: t('inventory.reserved'), key: 'reserved', align: 'right', render: (_, m) => signed(m.reserved_delta) },
    { title: t('inventory.referenceShort'), dataIndex: 'reference', key: 'reference' },
    { title: t('inventory.reason'), dataIndex: 'reason', key: 'reason' },
    { title: t('inventory.actor'), dataIndex: 'actor_id', key: 'actor' },
    {
      title: t('inventory.batchCode'),
      key: 'batches',
      render: (_, m) => m.batches.map((b) => `${b.batch_code} (${b.expires_on}) ${signed(b.qty)}`).join(', '),
    },
  ];
  return (
    <Card size="small" type="inner" title={t('inventory.movements')} data-testid="stock-movements">
      <CursorTable<StockMovement>
        rowKey="id"
        size="small"
        columns={columns}
        items={list.items}
        isLoading={list.isPending}
        error={list.error}
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={list.fetchNextPage}
        locale={{ emptyText: t('inventory.noMovements') }}
        data-testid="stock-movements-table"
      />
    </Card>
  );
}

/** CreateLocationModal adds a store, front warehouse or warehouse location. */
function CreateLocationModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateStockLocation();
  const [form] = Form.useForm<StockLocationCreateRequest>();
  const kind = Form.useWatch('kind', form);
  const [storeQ, setStoreQ] = useState('');
  const stores = useQuery({ queryKey: ['stores', 'pick', storeQ], queryFn: () => api.stores({ q: storeQ, limit: 20 }) });
  return (
    <Modal
      open
      title={t('inventory.addLocation')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ kind: 'store', allow_negative: true }}
        onFinish={(v) => create.mutate(v, { onSuccess: onClose })}
      >
        <Form.Item name="kind" label={t('inventory.kind')} rules={[{ required: true }]}>
          <Select options={(['store', 'front_warehouse', 'warehouse'] as const).map((k) => ({ value: k, label: t(`inventory.kinds.${k}`) }))} />
        </Form.Item>
        {kind === 'store' && (
          <Form.Item name="store_id" label={t('inventory.store')} rules={[{ required: true, message: t('inventory.storeRequired') }]}>
            <Select
              showSearch
              filterOption={false}
              onSearch={setStoreQ}
              options={(stores.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} · ${s.code}` }))}
            />
          </Form.Item>
        )}
        <Form.Item name="code" label={t('inventory.code')} rules={[{ required: true }]}>
          <Input maxLength={64} data-testid="stock-location-code" />
        </Form.Item>
        <Form.Item name="name" label={t('inventory.name')} rules={[{ required: true }]}>
          <Input maxLength={200} data-testid="stock-location-name" />
        </Form.Item>
        <Form.Item name="allow_negative" label={t('inventory.allowNegative')} valuePropName="checked" extra={t('inventory.allowNegativeHelp')}>
          <Switch />
        </Form.Item>
        {create.error && <ErrorAlert error={create.error} />}
      </Form>
    </Modal>
  );
}
