import { Descriptions, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Store } from '../api';
import { useBrands, useNameLookup, useRegions } from '../api/hooks';
import { formatNumber } from '../lib/format';
import { StatusTag } from './StatusTag';

/** StoreDetails lists every field of a store. */
export function StoreDetails({ store, column = 1 }: { store: Store; column?: number }) {
  const { t } = useTranslation();
  const brandNames = useNameLookup(useBrands().data);
  const regionNames = useNameLookup(useRegions().data);
  const coord = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(6));
  return (
    <Descriptions
      bordered
      size="small"
      column={column}
      data-testid="store-details"
      items={[
        { key: 'code', label: t('field.code'), children: store.code },
        { key: 'name', label: t('field.name'), children: store.name },
        { key: 'brand', label: t('field.brand'), children: brandNames.get(store.brand_id) ?? store.brand_id },
        { key: 'region', label: t('field.region'), children: regionNames.get(store.region_id) ?? store.region_id },
        {
          key: 'format',
          label: t('stores.format'),
          children: <Tag>{t(`format.${store.format}`, { defaultValue: store.format })}</Tag>,
        },
        { key: 'city', label: t('stores.city'), children: store.city || '—' },
        { key: 'address', label: t('stores.address'), children: store.address || '—' },
        { key: 'longitude', label: t('stores.longitude'), children: coord(store.longitude) },
        { key: 'latitude', label: t('stores.latitude'), children: coord(store.latitude) },
        { key: 'area', label: t('stores.floorArea'), children: formatNumber(store.floor_area_m2) },
        { key: 'tz', label: t('stores.timeZone'), children: store.time_zone || '—' },
        { key: 'hours', label: t('stores.openingHours'), children: store.opening_hours || '—' },
        { key: 'status', label: t('field.status'), children: <StatusTag status={store.status} /> },
        { key: 'id', label: t('field.id'), children: <code>{store.id}</code> },
      ]}
    />
  );
}
