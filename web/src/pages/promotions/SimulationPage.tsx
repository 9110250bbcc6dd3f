import { ExperimentOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, DatePicker, Empty, Form, Input, Radio, Row, Select, Space, Statistic, Typography, Upload } from 'antd';
import { LineChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useSearchParams } from 'react-router';
import { api } from '../../api';
import { ApiError } from '../../api/client';
import { promotionsApi, useAllPromotions, useBasketSets, useSimulation, useUploadBasketSet } from '../../api/promotions';
import type { BasketSetImport, CreateSimulationRequest, PromotionDefinition, Simulation, SkuDetail } from '../../api/types';
import { Chart } from '../../components/Chart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatNumber } from '../../lib/format';
import { formatFen } from '../../lib/money';
import { byDayOption, histogramOption, ratio, topSkusOption } from './simCharts';

// The by-day chart draws lines too; the shared Chart registers bars, pies and scatters.
echarts.use([LineChart]);

/** DraftState is what the editor hands over when it asks to simulate its draft. */
interface DraftState {
  definition?: PromotionDefinition;
  name?: string;
  promotionId?: string;
}

interface RunForm {
  basket_set_id?: string;
  source: 'promotion' | 'draft';
  promotion_id?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

/** readText reads a chosen file as text (FileReader: Blob.text is missing in some environments, jsdom among them). */
function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsText(file);
  });
}

/** SimulationPage uploads basket CSVs, runs a promotion over a basket set and charts the report. */
export default function SimulationPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const location = useLocation();
  const draft = (location.state ?? {}) as DraftState;
  const [params, setParams] = useSearchParams();
  const stored = useSimulation(params.get('id') ?? undefined);
  const sets = useBasketSets();
  const promotions = useAllPromotions();
  const upload = useUploadBasketSet();
  const [form] = Form.useForm<RunForm>();
  const [uploadName, setUploadName] = useState('');
  const [imported, setImported] = useState<BasketSetImport | undefined>();
  const source = Form.useWatch('source', form);
  // A draft handed over by the editor is what the merchandiser wants to simulate.
  useEffect(() => {
    if (draft.definition) form.setFieldValue('source', 'draft');
  }, [draft.definition, form]);

  const run = useMutation({
    mutationFn: (body: CreateSimulationRequest) => promotionsApi.simulate(body),
    onSuccess: (sim) => setParams({ id: sim.id }, { replace: true }),
  });
  const report = run.data ?? stored.data;

  const onUpload = async (file: File) => {
    const csv = await readText(file);
    const name = uploadName.trim() || file.name.replace(/\.csv$/i, '');
    upload.mutate(
      { name, csv },
      {
        onSuccess: (set) => {
          setImported(set);
          void message.success(t('promotions.simulation.uploaded', { name: set.name, orders: formatNumber(set.orders) }));
          form.setFieldValue('basket_set_id', set.id);
        },
      },
    );
    return false;
  };

  const submit = (v: RunForm) => {
    const body: CreateSimulationRequest = { basket_set_id: v.basket_set_id! };
    if (v.source === 'draft' && draft.definition) body.definition = draft.definition;
    else body.promotion_id = v.promotion_id;
    if (v.range?.[0]) body.from = v.range[0].startOf('day').toISOString();
    if (v.range?.[1]) body.to = v.range[1].add(1, 'day').startOf('day').toISOString();
    run.mutate(body);
  };

  const uploadProblems = upload.error instanceof ApiError ? (upload.error.problem?.errors ?? []) : [];

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('promotions.simulation.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('promotions.simulation.intro')}</Typography.Paragraph>
      <Row gutter={16}>
        <Col xs={24} xl={8}>
          <Card size="small" title={t('promotions.simulation.uploadTitle')} style={{ marginBottom: 16 }}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Input
                placeholder={t('promotions.simulation.setName')}
                value={uploadName}
                onChange={(e) => setUploadName(e.target.value)}
                data-testid="sim-upload-name"
              />
              <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={(f) => onUpload(f)} maxCount={1}>
                <Button icon={<UploadOutlined />} loading={upload.isPending} data-testid="sim-upload">
                  {t('promotions.simulation.upload')}
                </Button>
              </Upload>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('promotions.simulation.columns')}
              </Typography.Text>
              {imported && !upload.error ? <ImportSummary imp={imported} /> : null}
              {upload.error ? (
                <Alert
                  type="error"
                  showIcon
                  title={upload.error.message}
                  data-testid="sim-upload-error"
                  description={
                    uploadProblems.length > 0 ? (
                      <ul style={{ margin: 0, paddingLeft: 20, maxHeight: 160, overflow: 'auto' }}>
                        {uploadProblems.slice(0, 20).map((p, i) => (
                          <li key={i}>
                            {p.location ? `${p.location}: ` : ''}
                            {p.message}
                          </li>
                        ))}
                      </ul>
                    ) : null
                  }
                />
              ) : null}
            </Space>
          </Card>
          <Card size="small" title={t('promotions.simulation.runTitle')}>
            <Form<RunForm>
              form={form}
              layout="vertical"
              onFinish={submit}
              initialValues={{ source: draft.definition ? 'draft' : 'promotion', promotion_id: draft.promotionId }}
            >
              <Form.Item name="basket_set_id" label={t('promotions.simulation.basketSet')} rules={[{ required: true, message: t('promotions.editor.required') }]}>
                <Select
                  loading={sets.isPending}
                  options={(sets.data ?? []).map((s) => ({
                    value: s.id,
                    label: t('promotions.simulation.setOption', { name: s.name, orders: formatNumber(s.orders) }),
                  }))}
                  data-testid="sim-set"
                />
              </Form.Item>
              <Form.Item name="source" label={t('promotions.simulation.source')}>
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: 'promotion', label: t('promotions.simulation.savedPromotion') },
                    { value: 'draft', label: t('promotions.simulation.editorDraft'), disabled: !draft.definition },
                  ]}
                />
              </Form.Item>
              {source === 'draft' && draft.definition ? (
                <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('promotions.simulation.usingDraft', { name: draft.name ?? '' })} />
              ) : (
                <Form.Item name="promotion_id" label={t('promotions.simulation.promotion')} rules={[{ required: true, message: t('promotions.editor.required') }]}>
                  <Select
                    showSearch={{ optionFilterProp: 'label' }}
                    loading={promotions.isPending}
                    options={(promotions.data ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.code})` }))}
                    data-testid="sim-promotion"
                  />
                </Form.Item>
              )}
              <Form.Item name="range" label={t('promotions.simulation.range')} extra={t('promotions.simulation.rangeHelp')}>
                <DatePicker.RangePicker style={{ width: '100%' }} allowEmpty={[true, true]} />
              </Form.Item>
              <Button type="primary" htmlType="submit" block size="large" icon={<ExperimentOutlined />} loading={run.isPending} data-testid="sim-run">
                {t('promotions.simulation.run')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={16}>
          {run.error ? <ErrorAlert error={run.error} /> : null}
          {stored.error && !run.data ? <ErrorAlert error={stored.error} /> : null}
          {report ? (
            <SimulationReport sim={report} />
          ) : (
            <Card>
              <Empty description={t('promotions.simulation.noReport')} />
            </Card>
          )}
        </Col>
      </Row>
    </>
  );
}

/**
 * ImportSummary says what an upload left out or could not match in the catalogue,
 * so a file whose codes the catalogue does not know is not taken as fine.
 */
export function ImportSummary({ imp }: { imp: BasketSetImport }) {
  const { t } = useTranslation();
  const m = imp.match;
  const unmatched = (m?.unmatched_sku_rows ?? 0) + (m?.unmatched_category_rows ?? 0);
  if (!imp.rejected && !unmatched) {
    return (
      <Alert type="success" showIcon data-testid="sim-import-summary" title={t('promotions.simulation.allMatched', { lines: formatNumber(imp.lines) })} />
    );
  }
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="sim-import-summary"
      title={t('promotions.simulation.importIssues', { lines: formatNumber(imp.lines) })}
      description={
        <ul style={{ margin: 0, paddingLeft: 20 }}>
          {imp.rejected ? <li>{t('promotions.simulation.rejectedRows', { count: imp.rejected })}</li> : null}
          {m?.unmatched_sku_rows ? (
            <li data-testid="sim-unmatched-skus">
              {t('promotions.simulation.unmatchedSkus', { count: m.unmatched_sku_rows, examples: m.unmatched_skus.slice(0, 5).join('、') })}
            </li>
          ) : null}
          {m?.unmatched_category_rows ? (
            <li>
              {t('promotions.simulation.unmatchedCategories', {
                count: m.unmatched_category_rows,
                examples: m.unmatched_categories.slice(0, 5).join('、'),
              })}
            </li>
          ) : null}
        </ul>
      }
    />
  );
}

/** SimulationReport shows the KPIs and the charts of one simulation. */
export function SimulationReport({ sim }: { sim: Simulation }) {
  const { t } = useTranslation();
  // SKU names for the top-SKU chart: looked up one by one (at most ten).
  const ids = (sim.top_skus ?? []).slice(0, 10).map((s) => s.sku_id);
  const skus = useQuery({
    queryKey: ['skus', 'names', ids],
    queryFn: async () => {
      const found = await Promise.all(ids.map((id) => api.sku(id).catch(() => undefined)));
      return found.filter((s): s is SkuDetail => !!s);
    },
    enabled: ids.length > 0 && (sim.top_skus ?? []).some((s) => !s.name),
  });
  // Reports name their SKUs; older ones are looked up.
  const skuName = (id: string) =>
    sim.top_skus?.find((s) => s.sku_id === id)?.name ?? skus.data?.find((s) => s.id === id)?.name ?? id;
  const impactPct = ratio(-sim.margin_impact_fen, sim.margin_before_fen);
  const kpis = [
    { key: 'orders', title: t('promotions.simulation.orders'), value: formatNumber(sim.orders) },
    {
      key: 'affected',
      title: t('promotions.simulation.affected'),
      value: formatNumber(sim.affected_orders),
      suffix: ratio(sim.affected_orders, sim.orders),
    },
    { key: 'discount', title: t('promotions.simulation.cost'), value: formatFen(sim.discount_fen), color: '#cf1322', suffix: ratio(sim.discount_fen, sim.gross_fen) },
    { key: 'gross', title: t('promotions.simulation.gross'), value: formatFen(sim.gross_fen) },
    { key: 'marginBefore', title: t('promotions.simulation.marginBefore'), value: formatFen(sim.margin_before_fen) },
    { key: 'marginAfter', title: t('promotions.simulation.marginAfter'), value: formatFen(sim.margin_after_fen) },
    {
      key: 'impact',
      title: t('promotions.simulation.impact'),
      value: formatFen(sim.margin_impact_fen),
      color: sim.margin_impact_fen < 0 ? '#cf1322' : '#389e0d',
      suffix: impactPct === '—' ? undefined : `-${impactPct}`,
    },
    {
      key: 'perOrder',
      title: t('promotions.simulation.perOrder'),
      value: sim.affected_orders ? formatFen(Math.round(sim.discount_fen / sim.affected_orders)) : '—',
    },
  ];
  const orders = t('promotions.simulation.orders');
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle" data-testid="sim-report">
      <Row gutter={[12, 12]}>
        {kpis.map((k) => (
          <Col key={k.key} xs={12} md={6}>
            <Card size="small" data-testid={`sim-kpi-${k.key}`}>
              <Statistic
                title={k.title}
                value={k.value}
                styles={k.color ? { content: { color: k.color } } : undefined}
                suffix={k.suffix ? <span style={{ fontSize: 13, color: '#8c8c8c' }}>{k.suffix}</span> : undefined}
              />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('promotions.simulation.histogram')}>
            <Chart testId="chart-sim-histogram" height={260} option={histogramOption(sim, orders)} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('promotions.simulation.topSkus')}>
            <Chart testId="chart-sim-top-skus" height={260} option={topSkusOption(sim, skuName, t('promotions.simulation.cost'))} />
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('promotions.simulation.byDay')}>
        <Chart
          testId="chart-sim-by-day"
          height={300}
          option={byDayOption(sim, {
            discount: t('promotions.simulation.cost'),
            affected: t('promotions.simulation.affected'),
            orders,
          })}
        />
      </Card>
    </Space>
  );
}
