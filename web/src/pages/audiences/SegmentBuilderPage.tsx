import { ArrowLeftOutlined, SaveOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Modal, Row, Space, Spin, Statistic, Tabs, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api';
import {
  audienceApi,
  fieldErrors,
  useAllAudienceTags,
  useAllSegments,
  useAudienceChange,
  useSegment,
  type ConditionBody,
  type Segment,
} from '../../api/audiences';
import { useHasScope } from '../../api/customers';
import { useCategories } from '../../api/hooks';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatNumber, formatPercent } from '../../lib/format';
import { EditorContext, GroupEditor } from './ConditionEditor';
import { countConds, emptyGroup, fromJSON, nodeForLocation, problemLocation, toJSON, type Group, type JsonCond } from './model';
import { PortraitCharts } from './parts';

/** useDebounced returns value once it has not changed for ms. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

/** PREVIEW_DELAY is how long the builder waits after a change before it counts. */
export const PREVIEW_DELAY = 400;

/**
 * SegmentBuilderPage composes a segment's condition by pointing and clicking (nested
 * AND/OR groups, NOT on anything) or in the text form, counts it live as it changes,
 * draws its portrait against the whole base and saves it. At /audiences/segments/:id/edit
 * it edits a saved segment.
 */
export default function SegmentBuilderPage() {
  const { id } = useParams();
  const existing = useSegment(id ?? '');
  if (id && existing.isPending) return <Spin />;
  if (id && existing.isError) return <ErrorAlert error={existing.error} />;
  return <Builder key={id ?? 'new'} segment={id ? existing.data : undefined} />;
}

function Builder({ segment }: { segment?: Segment }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const canWrite = useHasScope('audiences:write');
  const tags = useAllAudienceTags();
  const segments = useAllSegments();
  const categories = useCategories(useHasScope('catalog:read'));
  const tagTypes = useMemo(() => new Map((tags.data ?? []).map((x) => [x.code, x.value_type])), [tags.data]);
  // A saved definition the builder cannot show opens in the text form.
  const initial = useMemo(() => (segment ? fromJSON(segment.definition as JsonCond, tagTypes) : emptyGroup()), [segment, tagTypes]);
  const [root, setRoot] = useState<Group>(() => initial ?? emptyGroup());
  const [mode, setMode] = useState<'builder' | 'text'>(segment && !initial ? 'text' : 'builder');
  const [text, setText] = useState(segment?.text ?? '');
  const [textApplied, setTextApplied] = useState(segment?.text ?? '');
  const [saving, setSaving] = useState(false);

  const built = useMemo(() => toJSON(root), [root]);
  const body: ConditionBody | null = useMemo(() => {
    if (mode === 'text') return textApplied.trim() ? { text: textApplied } : null;
    return built.definition ? { definition: built.definition } : null;
  }, [mode, textApplied, built]);
  const bodyKey = JSON.stringify(body);
  const debouncedKey = useDebounced(bodyKey, PREVIEW_DELAY);
  const debounced: ConditionBody | null = useMemo(() => JSON.parse(debouncedKey) as ConditionBody | null, [debouncedKey]);

  const preview = useQuery({
    queryKey: ['audience-preview', debouncedKey],
    queryFn: ({ signal }) => audienceApi.preview(debounced!, signal),
    enabled: debounced !== null,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });
  const portrait = useQuery({
    queryKey: ['audience-preview-portrait', debouncedKey],
    queryFn: ({ signal }) => audienceApi.previewPortrait(debounced!, signal),
    enabled: debounced !== null && !preview.isError,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });

  // The server's errors on the builder's nodes, the text, or neither.
  const errors = fieldErrors(debounced !== null ? preview.error : null);
  const nodeErrors = new Map<string, string>();
  const unplaced: string[] = [];
  for (const [rawLoc, rawMsg] of errors) {
    const { location: loc, message: msg } = problemLocation(rawLoc, rawMsg);
    const node = mode === 'builder' ? nodeForLocation(built, loc) : undefined;
    if (node) nodeErrors.set(node, [nodeErrors.get(node), msg].filter(Boolean).join('; '));
    else if (loc !== 'body.text') unplaced.push(msg);
  }
  const textError = mode === 'text' ? errors.get('body.text') : undefined;

  const suggestions = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const d of portrait.data?.dimensions ?? []) m.set(d.field, (d.buckets ?? []).map((b) => b.value).filter(Boolean));
    return m;
  }, [portrait.data]);

  const ctx = {
    tags: tags.data ?? [],
    segments: segments.data ?? [],
    categories: (categories.data ?? []).map((c) => ({ value: c.code, label: `${c.name} (${c.code})` })),
    suggestions,
    errors: nodeErrors,
    selfCode: segment?.code,
  };
  const tagsByCode = useMemo(() => new Map((tags.data ?? []).map((x) => [x.code, x])), [tags.data]);
  const p = preview.data;
  const stale = bodyKey !== debouncedKey || preview.isFetching;

  return (
    <>
      <Row justify="space-between" align="middle" style={{ marginBottom: 16 }} gutter={[8, 8]}>
        <Col>
          <Space align="start">
            {segment ? (
              <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => navigate(`/audiences/segments/${segment.id}`)} style={{ paddingLeft: 0 }}>
                {t('common.back')}
              </Button>
            ) : null}
            <div>
              <Typography.Title level={4} style={{ margin: 0 }}>
                {segment ? t('audiences.builder.editTitle', { name: segment.name }) : t('audiences.builder.title')}
              </Typography.Title>
              <Typography.Text type="secondary">{t('audiences.builder.subtitle')}</Typography.Text>
            </div>
          </Space>
        </Col>
        {canWrite && (
          <Col>
            <Button type="primary" icon={<SaveOutlined />} disabled={body === null} onClick={() => setSaving(true)} data-testid="segment-save-open">
              {segment ? t('audiences.save') : t('audiences.builder.saveAs')}
            </Button>
          </Col>
        )}
      </Row>
      <Row gutter={16}>
        <Col xs={24} xl={16}>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Tabs
              activeKey={mode}
              onChange={(k) => {
                if (k === 'text' && mode === 'builder' && built.definition) {
                  // The text tab starts from what the builder holds, in canonical form.
                  const current = bodyKey === debouncedKey && !preview.isError && !preview.isPlaceholderData ? preview.data : undefined;
                  const start = (s: string) => {
                    setText(s);
                    setTextApplied(s);
                  };
                  if (current) start(current.text);
                  else
                    audienceApi.preview({ definition: built.definition }).then(
                      (r) => start(r.text),
                      () => undefined, // the builder shows what is wrong; the text stays as it was
                    );
                }
                setMode(k as 'builder' | 'text');
              }}
              items={[
                {
                  key: 'builder',
                  label: t('audiences.builder.tabBuilder'),
                  children: (
                    <EditorContext.Provider value={ctx}>
                      {unplaced.length > 0 ? (
                        <Alert type="error" showIcon style={{ marginBottom: 8 }} title={unplaced.join('; ')} data-testid="builder-error" />
                      ) : null}
                      <GroupEditor group={root} onChange={setRoot} />
                      <Typography.Text type="secondary">{t('audiences.builder.conditions', { count: countConds(root) })}</Typography.Text>
                    </EditorContext.Provider>
                  ),
                },
                {
                  key: 'text',
                  label: t('audiences.builder.tabText'),
                  children: (
                    <TextTab
                      text={text}
                      onText={setText}
                      onApply={() => setTextApplied(text)}
                      onBack={() => {
                        setMode('builder');
                      }}
                      error={textError}
                      canonical={mode === 'text' && textApplied.trim() !== '' && !textError ? textApplied : undefined}
                    />
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title={t('audiences.builder.liveCount')} style={{ marginBottom: 16 }} data-testid="live-count">
            {body === null ? (
              <Typography.Text type="secondary">{t('audiences.builder.noCondition')}</Typography.Text>
            ) : (
              <Spin spinning={stale} delay={200}>
                <Row gutter={8}>
                  <Col span={12}>
                    <Statistic title={t('audiences.builder.count')} value={p && !preview.isError ? formatNumber(p.count) : '—'} data-testid="preview-count" />
                  </Col>
                  <Col span={12}>
                    <Statistic
                      title={t('audiences.builder.share')}
                      value={p && !preview.isError ? formatPercent(p.base > 0 ? p.count / p.base : 0) : '—'}
                    />
                  </Col>
                </Row>
                {preview.isError ? (
                  <Typography.Paragraph type="danger" style={{ marginTop: 8, marginBottom: 0 }} data-testid="preview-error">
                    {preview.error instanceof ApiError && preview.error.status === 422 ? t('audiences.builder.fixErrors') : preview.error.message}
                  </Typography.Paragraph>
                ) : null}
                {p && !preview.isError ? (
                  <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }} data-testid="preview-base">
                    <ThunderboltOutlined /> {t('audiences.builder.ofBase', { count: p.count, base: formatNumber(p.base), ms: p.elapsed_ms.toFixed(2) })}
                  </Typography.Paragraph>
                ) : null}
                {p?.text && !preview.isError ? (
                  <Typography.Paragraph code style={{ marginTop: 8, marginBottom: 0, wordBreak: 'break-all' }} data-testid="preview-text">
                    {p.text}
                  </Typography.Paragraph>
                ) : null}
              </Spin>
            )}
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('audiences.portrait.title')} style={{ marginBottom: 16 }}>
        {/* A condition the API rejects is marked in the builder; only other failures show here. */}
        {portrait.error && !(portrait.error instanceof ApiError && portrait.error.status === 422) ? <ErrorAlert error={portrait.error} /> : null}
        {body === null ? (
          <Typography.Text type="secondary">{t('audiences.builder.noCondition')}</Typography.Text>
        ) : (
          <Spin spinning={portrait.isFetching} delay={200}>
            <PortraitCharts portrait={portrait.data} tags={tagsByCode} />
          </Spin>
        )}
      </Card>
      {saving && body && <SaveModal segment={segment} body={body} onClose={() => setSaving(false)} />}
    </>
  );
}

/** TextTab edits the text form; the preview answers with the canonical text or the error. */
function TextTab({
  text,
  onText,
  onApply,
  onBack,
  error,
  canonical,
}: {
  text: string;
  onText: (s: string) => void;
  onApply: () => void;
  onBack: () => void;
  error?: string;
  canonical?: string;
}) {
  const { t } = useTranslation();
  return (
    <Form layout="vertical">
      <Form.Item label={t('audiences.builder.textLabel')} validateStatus={error ? 'error' : undefined} help={error} extra={t('audiences.builder.textHint')}>
        <Input.TextArea
          rows={6}
          value={text}
          onChange={(e) => onText(e.target.value)}
          style={{ fontFamily: 'monospace' }}
          placeholder={'tier in ("gold") and city = "上海" and orders(90d) >= 2'}
          data-testid="segment-text"
        />
      </Form.Item>
      <Space wrap>
        <Button type="primary" onClick={onApply} data-testid="segment-text-apply">
          {t('audiences.builder.applyText')}
        </Button>
        <Button onClick={onBack}>{t('audiences.builder.backToBuilder')}</Button>
        {canonical ? <Typography.Text type="secondary">{t('audiences.builder.textNote')}</Typography.Text> : null}
      </Space>
    </Form>
  );
}

/** SaveModal saves the condition as a new segment (code, name, description) or into the segment edited. */
function SaveModal({ segment, body, onClose }: { segment?: Segment; body: ConditionBody; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ code: string; name: string; description?: string }>();
  const save = useAudienceChange((v: { code: string; name: string; description?: string }) =>
    segment
      ? audienceApi.updateSegment(segment.id, { name: v.name, description: v.description ?? '', ...body })
      : audienceApi.createSegment({ code: v.code, name: v.name, description: v.description, ...body }),
  );
  const placed = ['code', 'name', 'description'] as const;
  const errs = fieldErrors(save.error);
  const unplaced = save.error && ![...errs.keys()].some((l) => placed.some((f) => l === `body.${f}`));
  return (
    <Modal
      open
      title={segment ? t('audiences.save') : t('audiences.builder.saveAs')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'segment-save' } as Record<string, string>}
    >
      {unplaced ? <ErrorAlert error={save.error} /> : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={segment ? { code: segment.code, name: segment.name, description: segment.description } : {}}
        onFinish={(v) =>
          save.mutate(v, {
            onSuccess: (s) => {
              void message.success(t('common.saved'));
              navigate(`/audiences/segments/${s.id}`);
            },
            onError: (err) => {
              const byField = fieldErrors(err);
              form.setFields(placed.filter((f) => byField.has(`body.${f}`)).map((f) => ({ name: f, errors: [byField.get(`body.${f}`) ?? ''] })));
            },
          })
        }
      >
        <Form.Item name="code" label={t('audiences.segment.code')} rules={[{ required: true }]} extra={t('audiences.segment.codeHint')}>
          <Input disabled={!!segment} maxLength={64} data-testid="segment-code" />
        </Form.Item>
        <Form.Item name="name" label={t('audiences.segment.name')} rules={[{ required: true }]}>
          <Input maxLength={200} data-testid="segment-name" />
        </Form.Item>
        <Form.Item name="description" label={t('audiences.segment.description')}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
