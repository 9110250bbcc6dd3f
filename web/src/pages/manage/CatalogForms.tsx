// Create and edit forms of the catalog: categories, products, SKUs (with
// barcodes and list price), price zones with their stores, and price overrides.
import { AutoComplete, Col, Form, Input, InputNumber, Radio, Row, Select, TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category, PriceOverride, Product, Sku } from '../../api';
import { useBrands, useCategories } from '../../api/hooks';
import {
  CATALOG_KEYS,
  changed,
  manageApi,
  usePriceZones,
  useSave,
  type CategoryCreate,
  type PriceScopeType,
  type PriceZone,
  type PriceZoneCreate,
  type ProductCreate,
  type SkuCreate,
  type SkuUpdate,
} from '../../api/manage';
import { FormDrawer } from '../../components/FormDrawer';
import { StorePicker, StoresPicker } from '../../components/StorePicker';
import { buildCategoryTree } from '../../lib/tree';
import { MoneyInput } from '../promotions/inputs';

/** CATALOG_CODE is the API's pattern for catalog codes. */
const CATALOG_CODE = /^[A-Za-z0-9._-]+$/;

/** MAX_PRICE_FEN is the API's largest price, ¥10,000,000.00. */
const MAX_PRICE_FEN = 1_000_000_000;

interface EditProps<T> {
  open: boolean;
  onClose: () => void;
  item?: T | null;
}

function useCodeRules() {
  const { t } = useTranslation();
  return [{ required: true, whitespace: true }, { pattern: CATALOG_CODE, message: t('manage.catalogCodePattern') }, { max: 64 }];
}

function useCategoryTree() {
  const categories = useCategories();
  const forest = useMemo(() => buildCategoryTree(categories.data ?? []), [categories.data]);
  return { forest, loading: categories.isPending };
}

const trimmed = <T extends object>(v: T): T =>
  Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined && x !== null)
      .map(([k, x]) => [k, typeof x === 'string' ? x.trim() : x]),
  ) as T;

/** CategoryForm creates a category (under parentId, or a root) or edits one; a new parent moves the subtree. */
export function CategoryForm({ open, onClose, item, parentId }: EditProps<Category> & { parentId?: string }) {
  const { t } = useTranslation();
  const codeRules = useCodeRules();
  const { forest, loading } = useCategoryTree();
  const before = item ? { parent_id: item.parent_id ?? '', code: item.code, name: item.name, sort: item.sort ?? 0 } : {};
  const save = useSave((v: CategoryCreate) => {
    const body = { ...trimmed(v), parent_id: v.parent_id ?? '' };
    if (item) return manageApi.updateCategory(item.id, changed<CategoryCreate>(before, body));
    if (!body.parent_id) delete (body as Partial<CategoryCreate>).parent_id;
    return manageApi.createCategory(body);
  }, CATALOG_KEYS);
  return (
    <FormDrawer<CategoryCreate>
      open={open}
      onClose={onClose}
      title={item ? t('manage.editCategory', { name: item.name }) : t('manage.newCategory')}
      initialValues={item ? { ...before, parent_id: item.parent_id ?? undefined } : { parent_id: parentId, sort: 0 }}
      onSubmit={(v) => save.mutateAsync(v)}
      testId="category-form"
    >
      <Form.Item name="parent_id" label={t('manage.parentCategory')} extra={t('manage.parentHint')}>
        <TreeSelect
          allowClear
          showSearch={{ treeNodeFilterProp: 'title' }}
          treeData={forest}
          fieldNames={{ label: 'title', value: 'key', children: 'children' }}
          loading={loading}
          placeholder={t('manage.rootCategory')}
          data-testid="category-parent"
        />
      </Form.Item>
      <Form.Item name="code" label={t('field.code')} rules={codeRules}>
        <Input data-testid="category-code" />
      </Form.Item>
      <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true }, { max: 100 }]}>
        <Input data-testid="category-name" />
      </Form.Item>
      <Form.Item name="sort" label={t('manage.sort')}>
        <InputNumber<number> precision={0} />
      </Form.Item>
    </FormDrawer>
  );
}

/** ProductForm creates or edits a product; status inactive or discontinued takes it off sale. */
export function ProductForm({ open, onClose, item, categoryId }: EditProps<Product> & { categoryId?: string }) {
  const { t } = useTranslation();
  const codeRules = useCodeRules();
  const { forest, loading } = useCategoryTree();
  const brands = useBrands();
  const initial: Partial<ProductCreate> = item
    ? {
        category_id: item.category_id,
        code: item.code,
        name: item.name,
        brand_name: item.brand_name ?? '',
        unit: item.unit as ProductCreate['unit'],
        status: item.status as ProductCreate['status'],
        description: item.description ?? '',
      }
    : { category_id: categoryId, unit: 'each', status: 'active' };
  const save = useSave((v: ProductCreate) => {
    const body = trimmed(v);
    return item ? manageApi.updateProduct(item.id, changed<ProductCreate>(initial, body)) : manageApi.createProduct(body);
  }, CATALOG_KEYS);
  return (
    <FormDrawer<ProductCreate>
      open={open}
      onClose={onClose}
      title={item ? t('manage.editProduct', { name: item.name }) : t('manage.newProduct')}
      initialValues={initial}
      onSubmit={(v) => save.mutateAsync(v)}
      testId="product-form"
    >
      <Form.Item name="category_id" label={t('field.category')} rules={[{ required: true }]}>
        <TreeSelect
          showSearch={{ treeNodeFilterProp: 'title' }}
          treeData={forest}
          fieldNames={{ label: 'title', value: 'key', children: 'children' }}
          loading={loading}
          data-testid="product-category-select"
        />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="code" label={t('field.code')} rules={codeRules}>
            <Input data-testid="product-code" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
            <Input data-testid="product-name" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="brand_name" label={t('field.brand')} rules={[{ max: 100 }]}>
            <AutoComplete options={(brands.data ?? []).map((b) => ({ value: b.name }))} data-testid="product-brand" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="unit" label={t('field.unit')}>
            <Select options={['each', 'weight'].map((u) => ({ value: u, label: t(`unit.${u}`) }))} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="status" label={t('field.status')}>
            <Select options={['active', 'inactive', 'discontinued'].map((s) => ({ value: s, label: t(`status.${s}`) }))} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="description" label={t('products.description')} rules={[{ max: 4000 }]}>
        <Input.TextArea rows={3} />
      </Form.Item>
    </FormDrawer>
  );
}

/** SkuValues are the SKU form's values: the create request without the product. */
type SkuValues = Omit<SkuCreate, 'product_id'>;

/** SkuForm creates a SKU of a product or edits one: barcodes, list price (¥) and cost. */
export function SkuForm({ open, onClose, item, productId }: EditProps<Sku> & { productId: string }) {
  const { t } = useTranslation();
  const codeRules = useCodeRules();
  const before: Partial<SkuValues> = item
    ? {
        code: item.code,
        name: item.name,
        spec: item.spec ?? '',
        unit: item.unit,
        barcodes: item.barcodes ?? [],
        list_price_fen: item.list_price_fen,
        cost_fen: item.cost_fen,
        status: item.status as SkuCreate['status'],
      }
    : {};
  const save = useSave((v: SkuValues) => {
    const body = { ...trimmed(v), barcodes: (v.barcodes ?? []).map((b) => b.trim()).filter(Boolean) };
    return item ? manageApi.updateSku(item.id, changed<SkuValues>(before, body) as SkuUpdate) : manageApi.createSku({ ...body, product_id: productId });
  }, CATALOG_KEYS);
  return (
    <FormDrawer<SkuValues>
      open={open}
      onClose={onClose}
      title={item ? t('manage.editSku', { name: item.name }) : t('manage.newSku')}
      initialValues={item ? before : { status: 'active', barcodes: [] }}
      onSubmit={(v) => save.mutateAsync(v)}
      testId="sku-form"
    >
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="code" label={t('field.code')} rules={codeRules}>
            <Input data-testid="sku-code" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
            <Input data-testid="sku-name" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="spec" label={t('skus.spec')} rules={[{ max: 64 }]}>
            <Input placeholder="500ml" data-testid="sku-spec" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="unit" label={t('field.unit')} extra={item ? undefined : t('manage.skuUnitHint')}>
            <Select allowClear options={['each', 'weight'].map((u) => ({ value: u, label: t(`unit.${u}`) }))} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="barcodes" label={t('skus.barcodes')} extra={t('manage.barcodesHint')}>
        <Select mode="tags" tokenSeparators={[',', ' ', '，']} open={false} suffixIcon={null} data-testid="sku-barcodes-input" />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item
            name="list_price_fen"
            label={t('skus.listPrice')}
            rules={[{ required: true, message: t('manage.priceRequired') }, { type: 'number', min: 1, max: MAX_PRICE_FEN, message: t('manage.priceRange') }]}
          >
            <MoneyInput nullable data-testid="sku-list-price-input" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="cost_fen" label={t('skus.cost')} rules={[{ type: 'number', min: 0, max: MAX_PRICE_FEN }]}>
            <MoneyInput nullable data-testid="sku-cost-input" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="status" label={t('field.status')}>
            <Select options={['active', 'inactive', 'discontinued'].map((s) => ({ value: s, label: t(`status.${s}`) }))} />
          </Form.Item>
        </Col>
      </Row>
    </FormDrawer>
  );
}

/** PriceZoneValues are the zone form's values: code, name and the zone's stores. */
type PriceZoneValues = PriceZoneCreate & { store_ids: string[] };

/** PriceZoneForm creates or edits a price zone and sets its stores (a store listed leaves its previous zone). */
export function PriceZoneForm({ open, onClose, item }: EditProps<PriceZone>) {
  const { t } = useTranslation();
  const codeRules = useCodeRules();
  const save = useSave(async (v: PriceZoneValues) => {
    const { store_ids: storeIds, ...rest } = v;
    const body = trimmed(rest);
    const zone = item ? await manageApi.updatePriceZone(item.id, changed<PriceZoneCreate>(item, body)) : await manageApi.createPriceZone(body);
    const before = item?.store_ids ?? [];
    const same = before.length === storeIds.length && before.every((s) => storeIds.includes(s));
    return same ? zone : manageApi.setPriceZoneStores(zone.id, storeIds);
  }, CATALOG_KEYS);
  return (
    <FormDrawer<PriceZoneValues>
      open={open}
      onClose={onClose}
      title={item ? t('manage.editPriceZone', { name: item.name }) : t('manage.newPriceZone')}
      initialValues={item ? { code: item.code, name: item.name, store_ids: item.store_ids } : { store_ids: [] }}
      onSubmit={(v) => save.mutateAsync({ ...v, store_ids: v.store_ids ?? [] })}
      testId="price-zone-form"
    >
      <Form.Item name="code" label={t('field.code')} rules={codeRules}>
        <Input data-testid="price-zone-code" />
      </Form.Item>
      <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true }, { max: 100 }]}>
        <Input data-testid="price-zone-name" />
      </Form.Item>
      <Form.Item name="store_ids" label={t('priceZones.stores')} extra={t('manage.zoneStoresHint')}>
        <StoresPicker placeholder={t('manage.zoneStoresSearch')} testId="price-zone-stores" />
      </Form.Item>
    </FormDrawer>
  );
}

interface OverrideValues {
  scope_type: PriceScopeType;
  scope_id: string;
  price_fen: number;
}

/** PriceOverrideForm sets a SKU's price in a store or a price zone (item: the override to change). */
export function PriceOverrideForm({ open, onClose, item, sku }: EditProps<PriceOverride> & { sku: Sku }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<OverrideValues>();
  const scopeType = Form.useWatch('scope_type', form) ?? item?.scope_type ?? 'price_zone';
  const zones = usePriceZones();
  const save = useSave(
    (v: OverrideValues) => manageApi.setPrice(sku.id, v.scope_type, v.scope_id, v.price_fen),
    [['skus'], ['products']],
  );
  return (
    <FormDrawer<OverrideValues>
      open={open}
      onClose={onClose}
      form={form}
      title={t('manage.setPrice', { name: sku.name })}
      initialValues={item ? { ...item } : { scope_type: 'price_zone', price_fen: sku.list_price_fen }}
      onSubmit={(v) => save.mutateAsync(v)}
      testId="price-override-form"
    >
      <Form.Item name="scope_type" label={t('skus.scopeType')}>
        <Radio.Group
          disabled={!!item}
          onChange={() => form.setFieldValue('scope_id', undefined)}
          options={(['price_zone', 'store'] as const).map((s) => ({ value: s, label: t(`skus.scopeTypes.${s}`) }))}
        />
      </Form.Item>
      <Form.Item name="scope_id" label={t('skus.scope')} rules={[{ required: true }]}>
        {scopeType === 'store' ? (
          <StorePicker disabled={!!item} placeholder={t('manage.storeSearch')} testId="price-override-scope" />
        ) : (
          <Select
            disabled={!!item}
            showSearch={{ optionFilterProp: 'label' }}
            loading={zones.isPending}
            options={(zones.data ?? []).map((z) => ({ value: z.id, label: `${z.name} (${z.code})` }))}
            data-testid="price-override-scope"
          />
        )}
      </Form.Item>
      <Form.Item
        name="price_fen"
        label={t('skus.price')}
        rules={[{ required: true, message: t('manage.priceRequired') }, { type: 'number', min: 1, max: MAX_PRICE_FEN, message: t('manage.priceRange') }]}
      >
        <MoneyInput nullable data-testid="price-override-price" />
      </Form.Item>
    </FormDrawer>
  );
}
