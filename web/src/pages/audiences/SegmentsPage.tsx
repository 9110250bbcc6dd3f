import { PlusOutlined } from '@ant-design/icons';
import { Button, Col, Row, Select, Space, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSegments, type Segment, type SegmentFilter } from '../../api/audiences';
import { useHasScope } from '../../api/customers';
import { CursorTable } from '../../components/CursorTable';
import { formatDateTime, formatNumber } from '../../lib/format';
import { AudienceStatusTag } from './parts';

/** SegmentsPage lists the saved segments with their current counts. */
export default function SegmentsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const canWrite = useHasScope('audiences:write');
  const [status, setStatus] = useState<NonNullable<SegmentFilter['status']>>('active');
  const list = useSegments({ status: status || undefined });
  const columns: TableColumnsType<Segment> = [
    { title: t('audiences.segment.code'), dataIndex: 'code', key: 'code', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    {
      title: t('audiences.segment.name'),
      key: 'name',
      render: (_, s) => (
        <Link to={`/audiences/segments/${encodeURIComponent(s.id)}`} data-testid={`segment-link-${s.code}`}>
          {s.name}
        </Link>
      ),
    },
    { title: t('audiences.segment.count'), dataIndex: 'count', key: 'count', align: 'right', render: (v: number) => formatNumber(v) },
    { title: t('audiences.segment.countedAt'), dataIndex: 'counted_at', key: 'counted_at', render: (v: string) => formatDateTime(v) },
    { title: t('audiences.segment.status'), dataIndex: 'status', key: 'status', render: (v: string) => <AudienceStatusTag status={v} /> },
  ];
  return (
    <>
      <Row justify="space-between" align="middle" style={{ marginBottom: 16 }} gutter={[8, 8]}>
        <Col>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('audiences.segments.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('audiences.segments.subtitle')}</Typography.Text>
        </Col>
        <Col>
          <Space>
            <Select
              style={{ minWidth: 120 }}
              value={status}
              onChange={setStatus}
              options={[
                { value: 'active', label: t('audiences.statuses.active') },
                { value: 'archived', label: t('audiences.statuses.archived') },
                { value: '', label: t('common.all') },
              ]}
              data-testid="segment-filter-status"
            />
            {canWrite && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/audiences/builder')} data-testid="segment-new">
                {t('audiences.segments.new')}
              </Button>
            )}
          </Space>
        </Col>
      </Row>
      <CursorTable<Segment>
        rowKey="id"
        columns={columns}
        items={list.items}
        isLoading={list.isPending}
        error={list.error}
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={list.fetchNextPage}
        data-testid="segment-table"
      />
    </>
  );
}
