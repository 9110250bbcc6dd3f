import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Input, Row, Space, TreeSelect, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCategories } from '../api/hooks';
import { useCanManage } from '../api/manage';
import { FileToolbar } from '../components/FileToolbar';
import { ProductTable } from '../components/ProductTable';
import { buildCategoryTree } from '../lib/tree';
import { ProductForm } from './manage/CatalogForms';

/** SKU_FILE_COLUMNS are the columns of a SKU import or export file. */
const SKU_FILE_COLUMNS = [
  'category_code', 'product_code', 'product_name', 'brand_name', 'sku_code', 'sku_name', 'spec', 'unit',
  'barcode', 'list_price', 'cost', 'status',
];

/** ProductsPage searches products by name, code or barcode, and category. */
export default function ProductsPage() {
  const { t } = useTranslation();
  const categories = useCategories();
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState<string | undefined>();
  const [category, setCategory] = useState<string | undefined>();
  const can = useCanManage();
  const [creating, setCreating] = useState(false);
  const forest = useMemo(() => buildCategoryTree(categories.data ?? []), [categories.data]);

  return (
    <>
      <Row justify="space-between" align="middle">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('products.title')}
        </Typography.Title>
        {can.catalog ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-product">
            {t('manage.newProduct')}
          </Button>
        ) : null}
      </Row>
      <div style={{ marginBottom: 16 }}>
        <FileToolbar
          name="skus"
          exportPath="/skus/export"
          filter={{ q: search, category_id: category }}
          importPath="/imports/skus"
          importColumns={SKU_FILE_COLUMNS}
          onImported={() => void queryClient.invalidateQueries()}
        />
      </div>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Input.Search
            allowClear
            enterButton={t('common.search')}
            placeholder={t('products.searchPlaceholder')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onSearch={(v) => setSearch(v.trim() || undefined)}
            style={{ width: 340 }}
            data-testid="product-search"
          />
          <TreeSelect
            allowClear
            showSearch={{ treeNodeFilterProp: 'title' }}
            placeholder={t('products.anyCategory')}
            style={{ width: 260 }}
            treeData={forest}
            fieldNames={{ label: 'title', value: 'key', children: 'children' }}
            value={category}
            onChange={(v) => setCategory(v)}
            loading={categories.isPending}
            data-testid="product-category"
          />
        </Space>
      </Card>
      <Card size="small">
        <ProductTable filter={{ q: search, category_id: category }} />
      </Card>
      <ProductForm open={creating} categoryId={category} onClose={() => setCreating(false)} />
    </>
  );
}
