import { Card, Col, Empty, Input, Row, Spin, Tree, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCategories } from '../api/hooks';
import { ErrorAlert } from '../components/ErrorAlert';
import { ProductTable } from '../components/ProductTable';
import { allKeys, buildCategoryTree, filterTree, findNode } from '../lib/tree';

/** CategoriesPage shows the category tree and the products of a category. */
export default function CategoriesPage() {
  const { t } = useTranslation();
  const categories = useCategories();
  const [term, setTerm] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const [expanded, setExpanded] = useState<string[] | null>(null);

  const forest = useMemo(() => buildCategoryTree(categories.data ?? []), [categories.data]);
  const shown = useMemo(() => filterTree(forest, term), [forest, term]);
  const node = selected ? findNode(forest, selected) : undefined;
  // Searching opens every branch that matched; otherwise the top level is open.
  const expandedKeys = term.trim() ? allKeys(shown) : (expanded ?? forest.map((n) => n.key));

  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('categories.title')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8} xl={6}>
          <Card size="small" title={t('categories.tree')}>
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
          <Card size="small" title={node ? t('categories.productsIn', { name: node.title }) : t('nav.products')}>
            {node ? (
              <ProductTable filter={{ category_id: node.key }} />
            ) : (
              <Empty description={t('categories.selectHint')} />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
