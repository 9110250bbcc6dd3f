import { ArrowLeftOutlined, EditOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Row, Skeleton, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api } from '../api';
import { useCanManage } from '../api/manage';
import { ErrorAlert } from '../components/ErrorAlert';
import { StoreDetails } from '../components/StoreDetails';
import { StoreForm } from './manage/OrgForms';

/** StoreDetailPage shows one store on its own page (/org/stores/:id). */
export default function StoreDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const store = useQuery({ queryKey: ['stores', 'detail', id], queryFn: () => api.store(id) });
  const can = useCanManage();
  const [editing, setEditing] = useState(false);
  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => navigate('/org/stores')} style={{ paddingLeft: 0 }}>
        {t('nav.stores')}
      </Button>
      <Row justify="space-between" align="middle">
        <Typography.Title level={4} style={{ marginTop: 8 }}>
          {t('stores.detail')}
          {store.data ? ` · ${store.data.name}` : ''}
        </Typography.Title>
        {can.stores && store.data ? (
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="edit-store">
            {t('common.edit')}
          </Button>
        ) : null}
      </Row>
      {store.error ? <ErrorAlert error={store.error} /> : null}
      {store.data ? <StoreForm open={editing} item={store.data} onClose={() => setEditing(false)} /> : null}
      <Card>{store.isPending ? <Skeleton active /> : store.data && <StoreDetails store={store.data} column={2} />}</Card>
    </>
  );
}
