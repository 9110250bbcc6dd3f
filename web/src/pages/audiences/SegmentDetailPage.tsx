import { ArrowLeftOutlined, CameraOutlined, EditOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Drawer, Empty, Form, Input, Modal, Popconfirm, Result, Row, Space, Spin, Table, Tabs, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api';
import {
  audienceApi,
  useAllAudienceTags,
  useAudienceChange,
  useSegment,
  type Segment,
  type SegmentCount,
  type SegmentMember,
  type Snapshot,
} from '../../api/audiences';
import { useHasScope } from '../../api/customers';
import { useCursorList } from '../../api/hooks';
import { tierNamesByCode, useLoyaltyPrograms } from '../../api/loyalty';
import type { PageParams } from '../../api/types';
import { Chart } from '../../components/Chart';
import { CursorTable } from '../../components/CursorTable';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime, formatNumber } from '../../lib/format';
import { formatFen } from '../../lib/money';
import { CustomerLink } from '../customers/parts';
import { AudienceStatusTag, PortraitCharts, valueLabel } from './parts';

/** countsOption draws a segment's count per day, oldest first. */
export function countsOption(items: SegmentCount[], name: string) {
  const days = items.slice().reverse();
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name, type: 'bar', data: days.map((d) => d.count), barMaxWidth: 24 }],
  };
}

/**
 * SegmentDetailPage shows a segment: its definition, its count over time, its members
 * (ids only, linked to the 360 page), its portrait and its snapshots; with
 * audiences:write it edits, archives and snapshots it.
 */
export default function SegmentDetailPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const segment = useSegment(id);
  if (segment.isPending) return <Spin />;
  if (segment.isError) {
    return segment.error instanceof ApiError && segment.error.status === 404 ? (
      <Result status="404" title={t('common.notFound')} extra={<Button onClick={() => navigate('/audiences/segments')}>{t('common.back')}</Button>} />
    ) : (
      <ErrorAlert error={segment.error} />
    );
  }
  return <Detail segment={segment.data} />;
}

function Detail({ segment: s }: { segment: Segment }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const canWrite = useHasScope('audiences:write');
  const [snapshotting, setSnapshotting] = useState(false);
  const [viewing, setViewing] = useState<Snapshot | null>(null);
  const tags = useAllAudienceTags();
  const tagsByCode = useMemo(() => new Map((tags.data ?? []).map((x) => [x.code, x])), [tags.data]);
  const counts = useQuery({ queryKey: ['audience-segments', s.id, 'counts'], queryFn: () => audienceApi.counts(s.id) });
  const portrait = useQuery({ queryKey: ['audience-segments', s.id, 'portrait'], queryFn: () => audienceApi.portrait(s.id) });
  const setStatus = useAudienceChange((status: 'active' | 'archived') => audienceApi.updateSegment(s.id, { status }));
  const countItems = counts.data?.items ?? [];

  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => navigate('/audiences/segments')} style={{ paddingLeft: 0, marginBottom: 8 }}>
        {t('common.back')}
      </Button>
      <Row justify="space-between" align="middle" style={{ marginBottom: 16 }} gutter={[8, 8]}>
        <Col>
          <Space align="center">
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="segment-title">
              {s.name}
            </Typography.Title>
            <Typography.Text code>{s.code}</Typography.Text>
            <AudienceStatusTag status={s.status} />
          </Space>
          <div>
            <Typography.Text type="secondary">
              {t('audiences.segment.countLine', { count: s.count, formatted: formatNumber(s.count), at: formatDateTime(s.counted_at) })}
            </Typography.Text>
          </div>
        </Col>
        {canWrite && (
          <Col>
            <Space wrap>
              <Button icon={<EditOutlined />} onClick={() => navigate(`/audiences/segments/${s.id}/edit`)} data-testid="segment-edit">
                {t('audiences.segment.edit')}
              </Button>
              <Button icon={<CameraOutlined />} onClick={() => setSnapshotting(true)} disabled={s.status !== 'active'} data-testid="snapshot-open">
                {t('audiences.snapshot.take')}
              </Button>
              {s.status === 'active' ? (
                <Popconfirm
                  title={t('audiences.segment.archiveConfirm', { name: s.name })}
                  onConfirm={() => setStatus.mutate('archived', { onSuccess: () => void message.success(t('audiences.segment.archived')) })}
                >
                  <Button danger loading={setStatus.isPending} data-testid="segment-archive">
                    {t('audiences.archive')}
                  </Button>
                </Popconfirm>
              ) : (
                <Button loading={setStatus.isPending} onClick={() => setStatus.mutate('active')} data-testid="segment-restore">
                  {t('audiences.restore')}
                </Button>
              )}
            </Space>
          </Col>
        )}
      </Row>
      {setStatus.error ? <ErrorAlert error={setStatus.error} /> : null}
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('audiences.segment.definition')} style={{ marginBottom: 16 }}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('audiences.segment.description')}>{s.description || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('audiences.segment.updatedAt')}>{formatDateTime(s.updated_at)}</Descriptions.Item>
            </Descriptions>
            <Typography.Paragraph code copyable style={{ marginTop: 8, marginBottom: 0, wordBreak: 'break-all' }} data-testid="segment-text">
              {s.text}
            </Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('audiences.segment.countOverTime')} style={{ marginBottom: 16 }}>
            {counts.error ? <ErrorAlert error={counts.error} /> : null}
            {countItems.length === 0 ? (
              <Empty description={t('common.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
            ) : (
              <Chart testId="segment-counts" height={200} option={countsOption(countItems, t('audiences.segment.count'))} />
            )}
          </Card>
        </Col>
      </Row>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Tabs
          size="small"
          items={[
            {
              key: 'members',
              label: t('audiences.segment.members'),
              children: (
                <>
                  <Typography.Paragraph type="secondary">{t('audiences.segment.membersHint')}</Typography.Paragraph>
                  <MembersTable listKey={`audience-segments-${s.id}-members`} fetchPage={(p) => audienceApi.members(s.id, p)} />
                </>
              ),
            },
            // Snapshots are read when their tab is opened: the page opens in a handful of calls.
            { key: 'snapshots', label: t('audiences.snapshot.title'), children: <SnapshotsTable segmentId={s.id} onView={setViewing} /> },
          ]}
        />
      </Card>
      <Card size="small" title={t('audiences.portrait.title')} style={{ marginBottom: 16 }}>
        {portrait.error ? <ErrorAlert error={portrait.error} /> : null}
        {portrait.isPending ? <Spin /> : <PortraitCharts portrait={portrait.data} tags={tagsByCode} />}
      </Card>
      {snapshotting && <SnapshotModal segment={s} onClose={() => setSnapshotting(false)} />}
      <Drawer
        open={viewing !== null}
        onClose={() => setViewing(null)}
        size={900}
        destroyOnHidden
        title={viewing ? t('audiences.snapshot.membersTitle', { name: viewing.name || formatDateTime(viewing.taken_at) }) : ''}
      >
        {viewing ? (
          <>
            <Typography.Paragraph code style={{ wordBreak: 'break-all' }}>
              {viewing.text}
            </Typography.Paragraph>
            <MembersTable listKey={`audience-snapshot-${viewing.id}-members`} fetchPage={(p) => audienceApi.snapshotMembers(viewing.id, p)} />
          </>
        ) : null}
      </Drawer>
    </>
  );
}

/** MembersTable pages through members: ids linked to the 360 page, and no personal data. */
function MembersTable({ listKey, fetchPage }: { listKey: string; fetchPage: (p: PageParams) => Promise<{ items: SegmentMember[]; next_cursor?: string }> }) {
  const { t } = useTranslation();
  const list = useCursorList(listKey, {}, fetchPage, { pageSize: 20 });
  const programs = useLoyaltyPrograms(useHasScope('loyalty:read'));
  // Members carry tier codes: show their names where loyalty is readable.
  const tierNames = useMemo(() => tierNamesByCode(programs.data?.items ?? []), [programs.data]);
  const columns: TableColumnsType<SegmentMember> = [
    { title: t('audiences.member.customer'), key: 'customer', render: (_, m) => <CustomerLink id={m.customer_id} /> },
    { title: t('audiences.fields.city'), dataIndex: 'city', key: 'city', render: (v?: string) => v || '—' },
    { title: t('audiences.fields.gender'), dataIndex: 'gender', key: 'gender', render: (v?: string) => (v ? valueLabel(t, 'gender', v) : '—') },
    {
      title: t('audiences.fields.tier'),
      key: 'tiers',
      render: (_, m) => (m.tiers?.length ? m.tiers.map((x, i) => <Tag key={i}>{tierNames.get(x) ?? x}</Tag>) : '—'),
    },
    { title: t('audiences.member.lastOrder'), dataIndex: 'last_order_on', key: 'last', render: (v?: string) => (v ? v.slice(0, 10) : '—') },
    { title: t('audiences.member.spend'), dataIndex: 'spend_fen', key: 'spend', align: 'right', render: (v: number) => formatFen(v) },
  ];
  return (
    <CursorTable<SegmentMember>
      rowKey="customer_id"
      columns={columns}
      items={list.items}
      isLoading={list.isPending}
      error={list.error}
      hasNextPage={list.hasNextPage}
      isFetchingNextPage={list.isFetchingNextPage}
      fetchNextPage={list.fetchNextPage}
      data-testid="segment-members"
    />
  );
}

/** SnapshotModal freezes the segment's members under a name. */
function SnapshotModal({ segment, onClose }: { segment: Segment; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [name, setName] = useState('');
  const take = useAudienceChange((n: string) => audienceApi.takeSnapshot(segment.id, n));
  return (
    <Modal
      open
      title={t('audiences.snapshot.take')}
      onCancel={onClose}
      confirmLoading={take.isPending}
      okButtonProps={{ 'data-testid': 'snapshot-save' } as Record<string, string>}
      onOk={() =>
        take.mutate(name, {
          onSuccess: (x) => {
            void message.success(t('audiences.snapshot.taken', { count: x.count, formatted: formatNumber(x.count) }));
            onClose();
          },
        })
      }
    >
      {take.error ? <ErrorAlert error={take.error} /> : null}
      <Form layout="vertical">
        <Form.Item label={t('audiences.snapshot.name')} extra={t('audiences.snapshot.nameHint')}>
          <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} data-testid="snapshot-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** SnapshotsTable lists a segment's saved snapshots; onView opens one's members. */
function SnapshotsTable({ segmentId, onView }: { segmentId: string; onView: (s: Snapshot) => void }) {
  const { t } = useTranslation();
  const snapshots = useQuery({ queryKey: ['audience-segments', segmentId, 'snapshots'], queryFn: () => audienceApi.snapshots(segmentId) });
  return (
    <>
      {snapshots.error ? <ErrorAlert error={snapshots.error} /> : null}
      <Table<Snapshot>
        size="small"
        rowKey="id"
        loading={snapshots.isPending}
        dataSource={snapshots.data?.items ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: t('audiences.snapshot.none') }}
        data-testid="snapshots"
        columns={[
          { title: t('audiences.snapshot.name'), dataIndex: 'name', key: 'name', render: (v: string) => v || '—' },
          { title: t('audiences.segment.count'), dataIndex: 'count', key: 'count', align: 'right', render: (v: number) => formatNumber(v) },
          { title: t('audiences.snapshot.takenAt'), dataIndex: 'taken_at', key: 'taken_at', render: (v: string) => formatDateTime(v) },
          {
            key: 'view',
            render: (_, x) => (
              <Button size="small" onClick={() => onView(x)} data-testid="snapshot-view">
                {t('audiences.snapshot.view')}
              </Button>
            ),
          },
        ]}
      />
    </>
  );
}
