import { Card, Col, Row, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { GraphChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import { useTranslation } from 'react-i18next';
import type { Customer, CustomerIdentifier, IdentifierStrength } from '../../api/types';
import { Chart } from '../../components/Chart';
import { formatDateTime } from '../../lib/format';
import { groupIdentifiers, identityGraphOption, type IdentifierGroup } from './model';
import { MaskedTag, StrengthTag } from './parts';

// The identity graph needs the graph series, which the shared Chart does not register.
echarts.use([GraphChart]);

/** MASKABLE are the identifier types whose values the server masks without customers:pii. */
const MASKABLE = new Set(['phone', 'email']);

interface Row extends CustomerIdentifier {
  key: string;
  group: IdentifierGroup;
  groupSize: number;
  first: boolean;
}

/** IdentitiesCard shows the customer's identifiers as a graph and grouped by channel. */
export function IdentitiesCard({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const typeLabel = (type: string) => t(`customers.identifierTypes.${type}`, { defaultValue: type });
  const groups = groupIdentifiers(customer.identifiers ?? []);
  const rows: Row[] = groups.flatMap((g) =>
    g.items.map((i, n) => ({ ...i, key: `${i.type}:${i.value}`, group: g.group, groupSize: g.items.length, first: n === 0 })),
  );

  const columns: TableColumnsType<Row> = [
    {
      title: t('customers.identifierGroup'),
      key: 'group',
      onCell: (r) => ({ rowSpan: r.first ? r.groupSize : 0 }),
      render: (_, r) => <Tag color="geekblue">{t(`customers.identifierGroups.${r.group}`)}</Tag>,
    },
    { title: t('customers.identifierType'), key: 'type', render: (_, r) => typeLabel(r.type) },
    {
      title: t('customers.identifierValue'),
      key: 'value',
      render: (_, r) => (
        <Space size={4}>
          <Typography.Text copyable={!customer.masked} data-testid="identifier-value">
            {r.value}
          </Typography.Text>
          {customer.masked && MASKABLE.has(r.type) ? <MaskedTag /> : null}
        </Space>
      ),
    },
    { title: t('customers.strength'), key: 'strength', render: (_, r) => <StrengthTag strength={r.strength} /> },
    { title: t('customers.linkedAt'), key: 'at', render: (_, r) => formatDateTime(r.created_at) },
  ];

  const option = identityGraphOption(
    t('customers.graphCenter'),
    customer.identifiers ?? [],
    (i) => `${typeLabel(i.type)}`,
    (s: IdentifierStrength) => t(`customers.strengths.${s}`),
  );

  return (
    <Card size="small" title={t('customers.identities', { count: rows.length })} style={{ marginBottom: 16 }}>
      <Row gutter={16}>
        <Col xs={24} lg={9}>
          <Chart testId="chart-customer-identities" height={260} option={option} />
        </Col>
        <Col xs={24} lg={15}>
          <Table<Row>
            rowKey="key"
            size="small"
            columns={columns}
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid="customer-identities"
          />
        </Col>
      </Row>
    </Card>
  );
}
