// Create and edit forms of the organisation: brands, regions and stores.
import { useQuery } from '@tanstack/react-query';
import { Alert, AutoComplete, Col, Form, Input, InputNumber, Row, Select } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { STORE_FORMATS, api, type Brand, type Region, type Store } from '../../api';
import { useBrands, useRegions } from '../../api/hooks';
import {
  ORG_KEYS,
  changed,
  manageApi,
  useCanManage,
  useSave,
  type BrandCreate,
  type RegionCreate,
  type StoreCreate,
} from '../../api/manage';
import { FormDrawer } from '../../components/FormDrawer';
import { CITY_CENTRES, farFromCity } from '../../lib/cities';

/** CODE_PATTERN is the API's pattern for the code of a brand, region or store. */
const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** TIME_ZONES are the time zones offered for a store; others may be typed. */
export const TIME_ZONES = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei'];

/** DEFAULT_TIME_ZONE is a new store's time zone. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** OPENING_HOURS is the API's HH:MM-HH:MM form of opening hours. */
const OPENING_HOURS = /^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;

interface EditProps<T> {
  open: boolean;
  onClose: () => void;
  /** The item to edit; absent to create one. */
  item?: T | null;
}

function useCodeRules() {
  const { t } = useTranslation();
  return [
    { required: true, whitespace: true },
    { pattern: CODE_PATTERN, message: t('manage.codePattern') },
    { max: 64 },
  ];
}

/** BrandForm creates or edits a brand; status inactive disables it. */
export function BrandForm({ open, onClose, item }: EditProps<Brand>) {
  const { t } = useTranslation();
  const codeRules = useCodeRules();
  const save = useSave(
    (v: BrandCreate) => (item ? manageApi.updateBrand(item.id, changed<BrandCreate>(item as BrandCreate, v)) : manageApi.createBrand(v)),
    ORG_KEYS,
  );
  return (
    <FormDrawer<BrandCreate>
      open={open}
      onClose={onClose}
      title={item ? t('manage.editBrand', { name: item.name }) : t('manage.newBrand')}
      initialValues={item ? { code: item.code, name: item.name, status: item.status as BrandCreate['status'] } : { status: 'active' }}
      onSubmit={(v) => save.mutateAsync({ ...v, code: v.code.trim(), name: v.name.trim() })}
      testId="brand-form"
    >
      <Form.Item name="code" label={t('field.code')} rules={codeRules}>
        <Input data-testid="brand-code" />
      </Form.Item>
      <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
        <Input data-testid="brand-name" />
      </Form.Item>
      <Form.Item name="status" label={t('field.status')} extra={t('manage.brandStatusHint')}>
        <Select options={['active', 'inactive'].map((s) => ({ value: s, label: t(`status.${s}`) }))} />
      </Form.Item>
    </FormDrawer>
  );
}

/** RegionForm creates or edits a region. */
export function RegionForm({ open, onClose, item }: EditProps<Region>) {
  const { t } = useTranslation();
  const codeRules = useCodeRules();
  const save = useSave(
    (v: RegionCreate) => (item ? manageApi.updateRegion(item.id, changed<RegionCreate>(item, v)) : manageApi.createRegion(v)),
    ORG_KEYS,
  );
  return (
    <FormDrawer<RegionCreate>
      open={open}
      onClose={onClose}
      title={item ? t('manage.editRegion', { name: item.name }) : t('manage.newRegion')}
      initialValues={item ? { code: item.code, name: item.name } : {}}
      onSubmit={(v) => save.mutateAsync({ code: v.code.trim(), name: v.name.trim() })}
      testId="region-form"
    >
      <Form.Item name="code" label={t('field.code')} rules={codeRules}>
        <Input data-testid="region-code" />
      </Form.Item>
      <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
        <Input data-testid="region-name" />
      </Form.Item>
    </FormDrawer>
  );
}

/** storeValues turns a store into the form's values. */
function storeValues(s: Store): Partial<StoreCreate> {
  return {
    brand_id: s.brand_id,
    region_id: s.region_id,
    code: s.code,
    name: s.name,
    format: s.format as StoreCreate['format'],
    city: s.city,
    address: s.address ?? '',
    latitude: s.latitude ?? undefined,
    longitude: s.longitude ?? undefined,
    floor_area_m2: s.floor_area_m2 ?? undefined,
    time_zone: s.time_zone || DEFAULT_TIME_ZONE,
    opening_hours: s.opening_hours ?? '',
    status: s.status as StoreCreate['status'],
  };
}

/** storeBody cleans the form's values: trimmed text, no nulls (an empty number is left unchanged). */
function storeBody(v: StoreCreate): StoreCreate {
  const out = { ...v } as Record<string, unknown>;
  for (const [k, val] of Object.entries(out)) {
    if (val === null || val === undefined) delete out[k];
    else if (typeof val === 'string') out[k] = val.trim();
  }
  return out as unknown as StoreCreate;
}

/**
 * StoreForm creates or edits a store. The city is picked from the cities in
 * use and a table of Chinese city centres, or typed; coordinates far from a
 * known city's centre are warned about, not refused.
 */
export function StoreForm({ open, onClose, item }: EditProps<Store>) {
  const { t } = useTranslation();
  const codeRules = useCodeRules();
  const can = useCanManage();
  const brands = useBrands();
  const regions = useRegions();
  const summary = useQuery({ queryKey: ['store-summary'], queryFn: api.storeSummary, enabled: open });
  const [form] = Form.useForm<StoreCreate>();
  const city = Form.useWatch('city', form);
  const lat = Form.useWatch('latitude', form);
  const lon = Form.useWatch('longitude', form);
  const far = farFromCity(city, lat, lon);
  const locked = !!item && !can.storeStructure;

  const cities = useMemo(() => {
    const names = new Set([...(summary.data?.by_city ?? []).map((c) => c.key), ...Object.keys(CITY_CENTRES)]);
    return [...names].sort((a, b) => a.localeCompare(b, 'zh-CN')).map((c) => ({ value: c }));
  }, [summary.data]);

  const save = useSave((v: StoreCreate) => {
    const body = storeBody(v);
    return item ? manageApi.updateStore(item.id, changed<StoreCreate>(storeValues(item), body)) : manageApi.createStore(body);
  }, ORG_KEYS);

  return (
    <FormDrawer<StoreCreate>
      open={open}
      onClose={onClose}
      form={form}
      title={item ? t('manage.editStore', { name: item.name }) : t('manage.newStore')}
      initialValues={item ? storeValues(item) : { time_zone: DEFAULT_TIME_ZONE, status: 'open', format: 'supermarket' }}
      onSubmit={(v) => save.mutateAsync(v)}
      testId="store-form"
    >
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="code" label={t('field.code')} rules={codeRules}>
            <Input disabled={locked} data-testid="store-code" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
            <Input data-testid="store-name" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="brand_id" label={t('field.brand')} rules={[{ required: true }]}>
            <Select
              disabled={locked}
              showSearch={{ optionFilterProp: 'label' }}
              loading={brands.isPending}
              options={(brands.data ?? []).map((b) => ({ value: b.id, label: b.name }))}
              data-testid="store-brand"
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="region_id" label={t('field.region')} rules={[{ required: true }]}>
            <Select
              disabled={locked}
              showSearch={{ optionFilterProp: 'label' }}
              loading={regions.isPending}
              options={(regions.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
              data-testid="store-region"
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="format" label={t('stores.format')} rules={[{ required: true }]}>
            <Select options={STORE_FORMATS.map((f) => ({ value: f, label: t(`format.${f}`) }))} data-testid="store-format" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="status" label={t('field.status')}>
            <Select options={['open', 'planned', 'closed'].map((s) => ({ value: s, label: t(`status.${s}`) }))} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="city" label={t('stores.city')} rules={[{ required: true, whitespace: true }, { max: 100 }]}>
            <AutoComplete
              options={cities}
              showSearch={{
                filterOption: (input, option) => String(option?.value ?? '').includes(input.trim()),
              }}
              placeholder={t('manage.cityHint')}
              data-testid="store-city"
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="floor_area_m2" label={t('stores.floorArea')}>
            <InputNumber<number> min={1} max={10_000_000} precision={0} style={{ width: '100%' }} data-testid="store-area" />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="address" label={t('stores.address')} rules={[{ max: 500 }]}>
            <Input data-testid="store-address" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="latitude" label={t('stores.latitude')}>
            <InputNumber<number> min={-90} max={90} precision={6} style={{ width: '100%' }} data-testid="store-latitude" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="longitude" label={t('stores.longitude')}>
            <InputNumber<number> min={-180} max={180} precision={6} style={{ width: '100%' }} data-testid="store-longitude" />
          </Form.Item>
        </Col>
        {far !== undefined ? (
          <Col span={24}>
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              title={t('manage.farFromCity', { city, km: far })}
              data-testid="store-far-warning"
            />
          </Col>
        ) : null}
        <Col span={12}>
          <Form.Item
            name="opening_hours"
            label={t('stores.openingHours')}
            rules={[{ pattern: OPENING_HOURS, message: t('manage.openingHoursPattern') }]}
          >
            <Input placeholder="08:00-22:00" data-testid="store-hours" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="time_zone" label={t('stores.timeZone')} rules={[{ max: 64 }]}>
            <AutoComplete options={TIME_ZONES.map((z) => ({ value: z }))} data-testid="store-time-zone" />
          </Form.Item>
        </Col>
      </Row>
    </FormDrawer>
  );
}
