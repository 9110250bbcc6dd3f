import { BranchesOutlined, CheckCircleOutlined, SplitCellsOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Popconfirm, Progress, Row, Space, Statistic, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHasScope, useResolveReview, useReviewCounts, useReviews } from '../../api/customers';
import type { IdentityReview, ReviewAction, ReviewStatus } from '../../api/types';
import { Chart } from '../../components/Chart';
import { CursorTable } from '../../components/CursorTable';
import { errorText } from '../../components/ErrorAlert';
import { barOption, pieOption } from '../../lib/charts';
import { formatDateTime, formatNumber, formatRelative } from '../../lib/format';
import { kindCounts, reviewKind } from './model';
import { CustomerLink } from './parts';

/**
 * scoreExplanation lists a fuzzy score's terms, whose weights in bits sum to it
 * (score = 1/(1+2^-sum)): "prior -14.5 · name fold +11.5 · …".
 */
export function scoreExplanation(r: IdentityReview): string | undefined {
  if (!r.explanation?.length) return undefined;
  const terms = r.explanation.map((e) => `${[e.comparison, e.level].filter(Boolean).join(' ')} ${e.weight >= 0 ? '+' : ''}${e.weight.toFixed(1)}`);
  const sum = r.explanation.reduce((s, e) => s + e.weight, 0);
  return `${terms.join(' · ')} = ${sum.toFixed(1)} bits`;
}

const KIND_COLORS: Record<string, string> = { fuzzy: 'orange', limit: 'red', cluster: 'volcano', weak: 'gold', other: 'default' };

/** ReviewsPage is the identity review queue: links the resolver would not make alone. */
export default function ReviewsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [status, setStatus] = useState<ReviewStatus>('open');
  const canWrite = useHasScope('customers:write');
  const list = useReviews(status);
  const open = useReviewCounts('open');
  const resolved = useReviewCounts('resolved');
  const resolve = useResolveReview();

  const kindLabel = (k: string) => t(`customers.reviews.kinds.${k}`);
  const count = (n: number | undefined) => (n === undefined ? '—' : formatNumber(n));
  const byKind = kindCounts(open.data?.by_reason ?? []).map((c) => ({ name: kindLabel(c.key), value: c.count }));
  const byBand = (open.data?.by_score_band ?? []).map((c) => ({
    name: c.key === 'none' ? t('customers.reviews.noScore') : c.key === '<0.5' ? '< 0.5' : `≥ ${c.key}`,
    value: c.count,
  }));

  const act = (r: IdentityReview, action: ReviewAction) =>
    resolve.mutate(
      { reviewId: r.id, body: { action } },
      {
        onSuccess: () => void message.success(t(`customers.reviews.done.${action}`)),
        onError: (err) => void message.error(errorText(err)),
      },
    );

  const columns: TableColumnsType<IdentityReview> = [
    {
      title: t('customers.reviews.createdAt'),
      key: 'at',
      render: (_, r) => <Tooltip title={formatDateTime(r.created_at)}>{formatRelative(r.created_at)}</Tooltip>,
    },
    {
      title: t('customers.reviews.kind'),
      key: 'kind',
      render: (_, r) => {
        const k = reviewKind(r);
        return <Tag color={KIND_COLORS[k]}>{kindLabel(k)}</Tag>;
      },
    },
    {
      title: t('customers.reviews.reason'),
      key: 'reason',
      render: (_, r) => (
        <Typography.Text style={{ maxWidth: 360 }} ellipsis={{ tooltip: r.reason }}>
          {r.reason}
        </Typography.Text>
      ),
    },
    {
      title: t('customers.reviews.score'),
      key: 'score',
      render: (_, r) =>
        r.score === null || r.score === undefined ? (
          '—'
        ) : (
          <Tooltip title={scoreExplanation(r)}>
            <Progress percent={Math.round(r.score * 100)} size="small" style={{ width: 100 }} data-testid="review-score" />
          </Tooltip>
        ),
    },
    { title: t('customers.reviews.customer'), key: 'customer', render: (_, r) => <CustomerLink id={r.customer_id} /> },
    {
      title: t('customers.reviews.candidates'),
      key: 'candidates',
      render: (_, r) => (
        <Space size={4} wrap>
          {(r.candidates ?? []).map((c) => (
            <CustomerLink key={c} id={c} />
          ))}
        </Space>
      ),
    },
    ...(status === 'resolved'
      ? [
          {
            title: t('customers.reviews.resolution'),
            key: 'resolution',
            render: (_: unknown, r: IdentityReview) =>
              r.resolution ? <Tag>{t(`customers.reviews.resolutions.${r.resolution}`, { defaultValue: r.resolution })}</Tag> : '—',
          },
          { title: t('customers.reviews.resolvedAt'), key: 'resolvedAt', render: (_: unknown, r: IdentityReview) => formatDateTime(r.resolved_at) },
        ]
      : []),
    ...(status === 'open' && canWrite
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            fixed: 'right' as const,
            render: (_: unknown, r: IdentityReview) => {
              const busy = resolve.isPending && resolve.variables?.reviewId === r.id;
              return (
                <Space>
                  <Popconfirm
                    title={t('customers.reviews.mergeConfirm', { count: (r.candidates ?? []).length })}
                    onConfirm={() => act(r, 'merge')}
                    okText={t('customers.reviews.merge')}
                    cancelText={t('common.cancel')}
                  >
                    <Button size="small" type="primary" icon={<BranchesOutlined />} loading={busy && resolve.variables?.body.action === 'merge'} data-testid="review-merge">
                      {t('customers.reviews.merge')}
                    </Button>
                  </Popconfirm>
                  <Button
                    size="small"
                    icon={<SplitCellsOutlined />}
                    loading={busy && resolve.variables?.body.action === 'separate'}
                    onClick={() => act(r, 'separate')}
                    data-testid="review-separate"
                  >
                    {t('customers.reviews.separate')}
                  </Button>
                </Space>
              );
            },
          },
        ]
      : []),
  ];

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('customers.reviews.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('customers.reviews.intro')}</Typography.Paragraph>

      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" style={{ marginBottom: 16 }}>
            <Row gutter={16}>
              <Col span={12}>
                <Statistic
                  title={t('customers.reviews.open')}
                  value={count(open.data?.total)}
                  styles={{ content: { color: (open.data?.total ?? 0) > 0 ? '#fa8c16' : undefined } }}
                  data-testid="reviews-open-count"
                />
              </Col>
              <Col span={12}>
                <Statistic
                  title={t('customers.reviews.resolved')}
                  value={count(resolved.data?.total)}
                  prefix={<CheckCircleOutlined />}
                  data-testid="reviews-resolved-count"
                />
              </Col>
            </Row>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('customers.reviews.openByKind')} style={{ marginBottom: 16 }}>
            <Chart testId="chart-reviews-kind" height={200} option={pieOption(byKind)} />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('customers.reviews.openByScore')} style={{ marginBottom: 16 }}>
            <Chart testId="chart-reviews-score" height={200} option={barOption(byBand)} />
          </Card>
        </Col>
      </Row>

      <Card size="small">
        <Tabs
          activeKey={status}
          onChange={(k) => setStatus(k as ReviewStatus)}
          items={[
            { key: 'open', label: `${t('customers.reviews.open')} (${count(open.data?.total)})` },
            { key: 'resolved', label: t('customers.reviews.resolved') },
          ]}
          data-testid="reviews-tabs"
        />
        <CursorTable<IdentityReview>
          rowKey="id"
          columns={columns}
          items={list.items}
          isLoading={list.isPending && list.fetchStatus !== 'idle'}
          error={list.error}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
          data-testid="reviews-table"
        />
      </Card>
    </>
  );
}
