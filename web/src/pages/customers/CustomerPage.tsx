import {
  ArrowLeftOutlined,
  BranchesOutlined,
  CrownOutlined,
  DeleteOutlined,
  DownloadOutlined,
  FileSearchOutlined,
  GiftOutlined,
  TagsOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Avatar,
  Button,
  Card,
  Col,
  Descriptions,
  Input,
  Modal,
  Result,
  Row,
  Space,
  Spin,
  Statistic,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiError } from '../../api';
import { customersApi, useCustomer, useEraseCustomer, useHasScope } from '../../api/customers';
import type { Customer } from '../../api/types';
import { ErrorAlert, errorText } from '../../components/ErrorAlert';
import { formatDateTime, formatNumber, formatRelative } from '../../lib/format';
import { ConsentsCard } from './ConsentsCard';
import { IdentitiesCard } from './IdentitiesCard';
import { CustomerOrdersCard } from '../orders/CustomerOrdersCard';
import { LoyaltyCard } from '../loyalty/LoyaltyCard';
import { StoredValueCard } from '../loyalty/StoredValueCard';
import { shortId } from '../orders/parts';
import { MergeDialog, MergesCard } from './MergesCard';
import { CustomerLink, CustomerStatusTag, MaskedTag } from './parts';
import { TimelineCard } from './TimelineCard';
import { CustomerTagsCard } from '../audiences/CustomerTagsCard';

/**
 * CustomerPage is the 360 view of one customer: a header with the figures that matter, then
 * tabs (profile, activity, orders, loyalty, tags). A tab loads its data when first opened, so
 * opening a customer costs a handful of calls; the open tab is in the URL (?tab=).
 */
export default function CustomerPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { id = '' } = useParams();
  // Back returns to where the user came from, or to the search when the page was opened directly.
  const back = () => (location.key !== 'default' ? navigate(-1) : navigate('/customers'));
  const customer = useCustomer(id);
  const canWrite = useHasScope('customers:write');
  const canExport = useHasScope('customers:pii');
  const canErase = useHasScope('customers:erase');
  const canReadAccessLog = useHasScope('privacy:read');
  const canReadOrders = useHasScope('orders:read');
  const canReadLoyalty = useHasScope('loyalty:read');
  const canReadTags = useHasScope('audiences:read');
  const canWriteTags = useHasScope('audiences:write');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'profile';
  const openTab = (key: string) =>
    setParams(
      (p) => {
        if (key === 'profile') p.delete('tab');
        else p.set('tab', key);
        return p;
      },
      { replace: true },
    );
  const [merging, setMerging] = useState(false);
  const [erasing, setErasing] = useState(false);

  if (customer.isPending) {
    return (
      <div style={{ textAlign: 'center', padding: 80 }}>
        <Spin />
      </div>
    );
  }
  if (customer.isError) {
    const notFound = customer.error instanceof ApiError && customer.error.status === 404;
    return notFound ? (
      <Result
        status="404"
        title={t('common.notFound')}
        extra={<Button onClick={() => navigate('/customers')}>{t('customers.backToSearch')}</Button>}
      />
    ) : (
      <ErrorAlert error={customer.error} />
    );
  }

  const c = customer.data;
  const erased = c.status === 'erased';
  const name = c.profile?.name || t('customers.unnamed');

  return (
    <>
      <Space style={{ marginBottom: 8 }}>
        <Button type="link" icon={<ArrowLeftOutlined />} onClick={back} style={{ paddingLeft: 0 }}>
          {t('common.back')}
        </Button>
      </Space>

      <Card size="small" style={{ marginBottom: 16 }}>
        <Row gutter={[16, 16]} align="middle">
          <Col flex="auto">
            <Space size="middle" align="center">
              <Avatar size={56} icon={<UserOutlined />} style={{ background: erased ? '#bfbfbf' : '#fa8c16' }} />
              <div>
                <Space size={8} align="center">
                  <Typography.Title level={4} style={{ margin: 0 }} data-testid="customer-name">
                    {name}
                  </Typography.Title>
                  <CustomerStatusTag status={c.status} />
                  {c.status === 'active' ? <Tag color="green">{t('customers.statuses.active')}</Tag> : null}
                  {c.masked ? <MaskedTag /> : null}
                </Space>
                <div>
                  {/* The id is a reference to copy, not something to read: its first
                      characters, the whole id on hover and in the copy. */}
                  <Typography.Text type="secondary" copyable={{ text: c.id }} title={c.id} data-testid="customer-id">
                    ID {shortId(c.id)}…
                  </Typography.Text>
                </div>
              </div>
            </Space>
          </Col>
          <Col>
            <Space wrap>
              {canWrite && !erased ? (
                <Button icon={<BranchesOutlined />} onClick={() => setMerging(true)} data-testid="merge-open">
                  {t('customers.merge.open')}
                </Button>
              ) : null}
              {canReadAccessLog ? (
                <Tooltip title={t('customers.access.openHint')}>
                  <Link to={`/customers/access-log?customer_id=${encodeURIComponent(c.id)}`} data-testid="access-log-link">
                    <Button icon={<FileSearchOutlined />}>{t('customers.access.open')}</Button>
                  </Link>
                </Tooltip>
              ) : null}
              {canExport ? <ExportButton customerId={c.id} /> : null}
              {canErase && !erased ? (
                <Button danger icon={<DeleteOutlined />} onClick={() => setErasing(true)} data-testid="erase-open">
                  {t('customers.erase.open')}
                </Button>
              ) : null}
            </Space>
          </Col>
        </Row>
        {c.merged_from ? (
          <Alert
            style={{ marginTop: 12 }}
            type="info"
            showIcon
            data-testid="merged-from"
            title={
              <span>
                {t('customers.mergedFrom', { id: c.merged_from })} <CustomerLink id={c.id} />
              </span>
            }
          />
        ) : null}
        {erased ? (
          <Alert style={{ marginTop: 12 }} type="warning" showIcon title={t('customers.erase.erasedNote')} />
        ) : null}
        <Row gutter={16} style={{ marginTop: 16 }}>
          <Col xs={12} md={6}>
            <Statistic title={t('customers.eventCount')} value={formatNumber(c.event_count)} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('customers.identitiesCount')} value={c.identifiers?.length ?? 0} />
          </Col>
          <Col xs={12} md={6}>
            <Tooltip title={formatDateTime(c.first_seen_at)}>
              <div>
                <Statistic title={t('customers.firstSeen')} value={formatRelative(c.first_seen_at)} />
              </div>
            </Tooltip>
          </Col>
          <Col xs={12} md={6}>
            <Tooltip title={formatDateTime(c.last_seen_at)}>
              <div>
                <Statistic title={t('customers.lastSeen')} value={formatRelative(c.last_seen_at)} />
              </div>
            </Tooltip>
          </Col>
        </Row>
      </Card>

      <Tabs
        activeKey={tab}
        onChange={openTab}
        destroyOnHidden={false}
        data-testid="customer-tabs"
        items={[
          {
            key: 'profile',
            label: t('customers.tabs.profile'),
            children: (
              <>
                <Row gutter={16}>
                  <Col xs={24} xl={8}>
                    <ProfileCard customer={c} />
                  </Col>
                  <Col xs={24} xl={16}>
                    <IdentitiesCard customer={c} />
                  </Col>
                </Row>
                <ConsentsCard customer={c} canWrite={canWrite} />
                <Row gutter={16}>
                  <Col xs={24} xl={16}>
                    <MergesCard customer={c} canWrite={canWrite} />
                  </Col>
                  <Col xs={24} xl={8}>
                    <SlotsCard customer={c} hide={canReadTags ? ['tags'] : []} />
                  </Col>
                </Row>
              </>
            ),
          },
          { key: 'activity', label: t('customers.tabs.activity'), children: <TimelineCard customerId={c.id} /> },
          ...(canReadOrders ? [{ key: 'orders', label: t('customers.tabs.orders'), children: <CustomerOrdersCard customerId={c.id} /> }] : []),
          ...(canReadLoyalty && !erased
            ? [
                {
                  key: 'loyalty',
                  label: t('customers.tabs.loyalty'),
                  children: (
                    <>
                      <LoyaltyCard customerId={c.id} />
                      <StoredValueCard customerId={c.id} />
                    </>
                  ),
                },
              ]
            : []),
          ...(canReadTags && !erased
            ? [{ key: 'tags', label: t('customers.tabs.tags'), children: <CustomerTagsCard customerId={c.id} canWrite={canWriteTags} /> }]
            : []),
        ]}
      />

      {canWrite ? <MergeDialog customer={c} open={merging} onClose={() => setMerging(false)} /> : null}
      {canErase ? <EraseDialog customer={c} open={erasing} onClose={() => setErasing(false)} /> : null}
    </>
  );
}

/** ProfileCard shows the profile the events told us, masked without customers:pii. */
function ProfileCard({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const p = customer.profile ?? {};
  const store = useQuery({
    queryKey: ['stores', 'one', p.preferred_store_id],
    queryFn: () => api.store(p.preferred_store_id!),
    enabled: !!p.preferred_store_id,
  });
  const dash = (v: string | null | undefined) => v || '—';
  return (
    <Card size="small" title={t('customers.profile')} style={{ marginBottom: 16 }}>
      <Descriptions column={1} size="small" data-testid="customer-profile">
        <Descriptions.Item label={t('customers.name')}>{dash(p.name)}</Descriptions.Item>
        <Descriptions.Item label={t('customers.gender')}>
          {p.gender ? t(`customers.genders.${p.gender}`, { defaultValue: p.gender }) : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('customers.birthday')}>{dash(p.birthday)}</Descriptions.Item>
        <Descriptions.Item label={t('customers.city')}>{dash(p.city)}</Descriptions.Item>
        <Descriptions.Item label={t('customers.address')}>{dash(p.address)}</Descriptions.Item>
        <Descriptions.Item label={t('customers.preferredStore')}>
          {p.preferred_store_id ? (
            <Link to={`/org/stores/${encodeURIComponent(p.preferred_store_id)}`}>{store.data?.name ?? p.preferred_store_id}</Link>
          ) : (
            '—'
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('customers.registrationChannel')}>
          {p.registration_channel ? t(`touchpoints.channels.${p.registration_channel}`, { defaultValue: p.registration_channel }) : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('customers.registeredAt')}>{formatDateTime(p.registered_at)}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

// Orders have their own section (CustomerOrdersCard); the other slots wait for their capability.
const SLOTS: { key: 'points' | 'coupons' | 'tags' | 'associate'; icon: ReactNode }[] = [
  { key: 'points', icon: <CrownOutlined /> },
  { key: 'coupons', icon: <GiftOutlined /> },
  { key: 'tags', icon: <TagsOutlined /> },
  { key: 'associate', icon: <UserOutlined /> },
];

/** SlotsCard holds the places later capabilities fill (points, coupons, tags, associate); hide leaves out those that have their own card. */
function SlotsCard({ customer, hide }: { customer: Customer; hide: string[] }) {
  const { t } = useTranslation();
  const slots = customer.slots ?? {};
  return (
    <Card size="small" title={t('customers.slots.title')} style={{ marginBottom: 16 }} data-testid="customer-slots">
      <Space orientation="vertical" style={{ width: '100%' }}>
        {SLOTS.filter(({ key }) => !hide.includes(key)).map(({ key, icon }) => {
          const v = slots[key];
          const empty = v === null || v === undefined || (Array.isArray(v) && v.length === 0);
          return (
            <Space key={key} align="start">
              <Avatar size="small" icon={icon} style={{ background: empty ? '#d9d9d9' : '#1677ff' }} />
              <div>
                <Typography.Text strong>{t(`customers.slots.${key}`)}</Typography.Text>
                <div>
                  {empty ? (
                    <Typography.Text type="secondary">{t(`customers.slots.${key}ComingWith`)}</Typography.Text>
                  ) : Array.isArray(v) ? (
                    v.map((tag) => <Tag key={String(tag)}>{String(tag)}</Tag>)
                  ) : (
                    <Typography.Text code>{JSON.stringify(v)}</Typography.Text>
                  )}
                </div>
              </div>
            </Space>
          );
        })}
      </Space>
    </Card>
  );
}

/** download saves data as a pretty-printed JSON file. */
function download(data: unknown, filename: string) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** ExportButton downloads everything held on the customer (customers:pii). */
function ExportButton({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      download(await customersApi.export(customerId), `customer-${customerId}.json`);
      void message.success(t('customers.export.done'));
    } catch (err) {
      const forbidden = err instanceof ApiError && err.status === 403;
      void message.error(forbidden ? t('customers.export.forbidden') : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Tooltip title={t('customers.export.hint')}>
      <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void run()} data-testid="export">
        {t('customers.export.open')}
      </Button>
    </Tooltip>
  );
}

/** EraseDialog erases the customer's personal data once the user types the confirmation word. */
function EraseDialog({ customer, open, onClose }: { customer: Customer; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const erase = useEraseCustomer(customer.id);
  const [typed, setTyped] = useState('');
  const word = t('customers.erase.word');
  const close = () => {
    erase.reset();
    setTyped('');
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('customers.erase.title')}
      onCancel={close}
      onOk={() =>
        erase.mutate(undefined, {
          onSuccess: () => {
            void message.success(t('customers.erase.done'));
            close();
          },
        })
      }
      okText={t('customers.erase.submit')}
      okButtonProps={{ danger: true, disabled: typed.trim() !== word, loading: erase.isPending, 'data-testid': 'erase-submit' }}
      destroyOnHidden
    >
      <Alert type="error" showIcon style={{ marginBottom: 12 }} title={t('customers.erase.warning')} />
      {erase.error ? (
        <ErrorAlert
          error={erase.error}
          title={erase.error instanceof ApiError && erase.error.status === 403 ? t('customers.erase.forbidden') : undefined}
        />
      ) : null}
      <Typography.Paragraph>{t('customers.erase.typeToConfirm', { word })}</Typography.Paragraph>
      <Input value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={word} data-testid="erase-confirm" />
    </Modal>
  );
}
