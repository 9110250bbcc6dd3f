import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { StoreDetails } from '../components/StoreDetails';

/** StoreDetailPage shows one store on its own page (/org/stores/:id). */
export default function StoreDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const store = useQuery({ queryKey: ['stores', 'detail', id], queryFn: () => api.store(id) });
  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={() => navigate('/org/stores')} style={{ paddingLeft: 0 }}>
        {t('nav.stores')}
      </Button>
      <Typography.Title level={4} style={{ marginTop: 8 }}>
        {t('stores.detail')}
        {store.data ? ` · ${store.data.name}` : ''}
      </Typography.Title>
      {store.error ? <ErrorAlert error={store.error} /> : null}
      <Card>{store.isPending ? <Skeleton active /> : store.data && <StoreDetails store={store.data} column={2} />}</Card>
    </>
  );
}
