import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Row, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStoreNamesOf } from '../api/hooks';
import { CATALOG_KEYS, manageApi, useCanManage, usePriceZones, useSave, type PriceZone } from '../api/manage';
import { DeleteButton } from '../components/DeleteButton';
import { ErrorAlert } from '../components/ErrorAlert';
import { PriceZoneForm } from './manage/CatalogForms';

/** ZONE_STORES_SHOWN is how many store names a zone's row shows before "+n". */
const ZONE_STORES_SHOWN = 6;

/** PriceZonesPage lists the price zones with their stores; catalog writers create and edit them. */
export default function PriceZonesPage() {
  const { t } = useTranslation();
  const zones = usePriceZones();
  // The rows name the stores they show (the first few of each zone), not every store.
  const storeNames = useStoreNamesOf(useMemo(() => (zones.data ?? []).flatMap((z) => z.store_ids.slice(0, ZONE_STORES_SHOWN)), [zones.data]));
  const can = useCanManage();
  // editing is the zone form: a zone to edit, null for a new zone, undefined when closed.
  const [editing, setEditing] = useState<PriceZone | null | undefined>();
  const remove = useSave((id: string) => manageApi.deletePriceZone(id), CATALOG_KEYS);

  return (
    <>
      <Row justify="space-between" align="middle">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('priceZones.title')}
        </Typography.Title>
        {can.catalog ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="new-price-zone">
            {t('manage.newPriceZone')}
          </Button>
        ) : null}
      </Row>
      <Card size="small">
        {zones.error ? <ErrorAlert error={zones.error} /> : null}
        <Table<PriceZone>
          rowKey="id"
          size="middle"
          loading={zones.isPending}
          dataSource={zones.data}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          data-testid="price-zones-table"
          columns={[
            { title: t('field.code'), dataIndex: 'code', key: 'code' },
            { title: t('field.name'), dataIndex: 'name', key: 'name' },
            {
              title: t('priceZones.stores'),
              key: 'stores',
              render: (_, z) => (
                <Space size={[0, 4]} wrap>
                  {z.store_ids.slice(0, ZONE_STORES_SHOWN).map((s) => (
                    <Tag key={s}>{storeNames.get(s) ?? s}</Tag>
                  ))}
                  {z.store_ids.length > ZONE_STORES_SHOWN ? <Tag>+{z.store_ids.length - ZONE_STORES_SHOWN}</Tag> : null}
                  {z.store_ids.length === 0 ? <Typography.Text type="secondary">{t('priceZones.noStores')}</Typography.Text> : null}
                </Space>
              ),
            },
            ...(can.catalog
              ? [
                  {
                    title: t('common.actions'),
                    key: 'actions',
                    width: 160,
                    render: (_: unknown, z: PriceZone) => (
                      <Space size={0}>
                        <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setEditing(z)} data-testid="edit-price-zone">
                          {t('common.edit')}
                        </Button>
                        <DeleteButton
                          confirm={t('manage.deletePriceZone', { name: z.name })}
                          disabled={z.store_ids.length > 0}
                          onDelete={() => remove.mutateAsync(z.id)}
                          testId="delete-price-zone"
                        />
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <PriceZoneForm open={editing !== undefined} item={editing} onClose={() => setEditing(undefined)} />
    </>
  );
}
