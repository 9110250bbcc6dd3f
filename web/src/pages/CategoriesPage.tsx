import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Input, Row, Space, Spin, Tree, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCategories } from '../api/hooks';
import { CATALOG_KEYS, manageApi, useCanManage, useSave } from '../api/manage';
import { DeleteButton } from '../components/DeleteButton';
import type { Category } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { ProductTable } from '../components/ProductTable';
import { allKeys, buildCategoryTree, filterTree, findNode } from '../lib/tree';
import { CategoryForm, ProductForm } from './manage/CatalogForms';

/** CategoriesPage shows the category tree and the products of a category. */
export default function CategoriesPage() {
  const { t } = useTranslation();
  const categories = useCategories();
  const [term, setTerm] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const can = useCanManage();
  // category is the category form: a category to edit, null for a new one, undefined when closed.
  const [category, setCategory] = useState<Category | null | undefined>();
  const [newProduct, setNewProduct] = useState(false);
  const remove = useSave((id: string) => manageApi.deleteCategory(id), CATALOG_KEYS);

  const forest = useMemo(() => buildCategoryTree(categories.data ?? []), [categories.data]);
  const shown = useMemo(() => filterTree(forest, term), [forest, term]);
  const node = selected ? findNode(forest, selected) : undefined;
  const selectedCategory = categories.data?.find((c) => c.id === selected);
  // Searching opens every branch that matched; otherwise the top level is open.
  const expandedKeys = term.trim() ? allKeys(shown) : (expanded ?? forest.map((n) => n.key));

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('categories.title')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8} xl={6}>
          <Card
            size="small"
            title={t('categories.tree')}
            extra={
              can.catalog ? (
                <Space size={4}>
                  <Button size="small" icon={<PlusOutlined />} onClick={() => setCategory(null)} data-testid="new-category">
                    {t('common.create')}
                  </Button>
                  <Button
                    size="small"
                    icon={<EditOutlined />}
                    disabled={!selectedCategory}
                    onClick={() => setCategory(selectedCategory)}
                    data-testid="edit-category"
                  >
                    {t('common.edit')}
                  </Button>
                  <DeleteButton
                    size="middle"
                    confirm={t('manage.deleteCategory', { name: selectedCategory?.name ?? '' })}
                    disabled={!selectedCategory}
                    onDelete={() => remove.mutateAsync(selected!).then(() => setSelected(undefined))}
                    testId="delete-category"
                  />
                </Space>
              ) : null
            }
          >
            <Input.Search
              allowClear
              placeholder={t('categories.filter')}
              onChange={(e) => setTerm(e.target.value)}
              style={{ marginBottom: 8 }}
            />
            {categories.error ? <ErrorAlert error={categories.error} /> : null}
            {categories.isPending ? (
              <Spin />
            ) : (
              <Tree
                data-testid="category-tree"
                treeData={shown}
                height={640}
                blockNode
                showLine
                expandedKeys={expandedKeys}
                onExpand={(keys) => setExpanded(keys.map(String))}
                selectedKeys={selected ? [selected] : []}
                onSelect={(keys) => setSelected(keys.length ? String(keys[0]) : undefined)}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={16} xl={18}>
          <Card
            size="small"
            title={node ? t('categories.productsIn', { name: node.title }) : t('nav.products')}
            extra={
              can.catalog && node ? (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setNewProduct(true)} data-testid="new-product-in-category">
                  {t('manage.newProduct')}
                </Button>
              ) : null
            }
          >
            {node ? (
              <ProductTable filter={{ category_id: node.key }} />
            ) : (
              <Empty description={t('categories.selectHint')} />
            )}
          </Card>
        </Col>
      </Row>
      <CategoryForm
        open={category !== undefined}
        item={category}
        parentId={category === null ? selected : undefined}
        onClose={() => setCategory(undefined)}
      />
      <ProductForm open={newProduct} categoryId={selected} onClose={() => setNewProduct(false)} />
    </>
  );
}
