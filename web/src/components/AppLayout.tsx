import {
  AimOutlined,
  ApartmentOutlined,
  ApiOutlined,
  AppstoreOutlined,
  AuditOutlined,
  BarChartOutlined,
  CalculatorOutlined,
  CalendarOutlined,
  ClusterOutlined,
  CrownOutlined,
  DashboardOutlined,
  DollarOutlined,
  ExperimentOutlined,
  FileSearchOutlined,
  FilterOutlined,
  EyeInvisibleOutlined,
  FileTextOutlined,
  GiftOutlined,
  GlobalOutlined,
  IdcardOutlined,
  InboxOutlined,
  KeyOutlined,
  LineChartOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  NotificationOutlined,
  PercentageOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  ShopOutlined,
  ShoppingOutlined,
  TagOutlined,
  TagsOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UsergroupAddOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Layout, Menu, Result, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { Suspense, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { api, isUnauthorized } from '../api';
import { useMe } from '../api/hooks';
import { currentLanguage, setLanguage } from '../i18n';
import { ErrorAlert } from './ErrorAlert';

interface NavItem {
  key: string;
  label: string;
  icon: ReactNode;
  children?: NavItem[];
  /** scope, when set, is what a user needs to see the entry. */
  scope?: string;
}

/** NAV lists the console's sections; keys are route paths (or group ids). */
const NAV: NavItem[] = [
  { key: '/overview', label: 'nav.overview', icon: <DashboardOutlined /> },
  {
    key: 'org',
    label: 'nav.org',
    icon: <ApartmentOutlined />,
    children: [
      { key: '/org/stores', label: 'nav.stores', icon: <ShopOutlined /> },
      { key: '/org/brands-regions', label: 'nav.brandsRegions', icon: <TagsOutlined /> },
    ],
  },
  {
    key: 'catalog',
    label: 'nav.catalog',
    icon: <AppstoreOutlined />,
    children: [
      { key: '/catalog/categories', label: 'nav.categories', icon: <ClusterOutlined /> },
      { key: '/catalog/products', label: 'nav.products', icon: <ShoppingOutlined /> },
      { key: '/catalog/price-zones', label: 'nav.priceZones', icon: <DollarOutlined /> },
    ],
  },
  {
    key: 'customers',
    label: 'nav.customers',
    icon: <TeamOutlined />,
    children: [
      { key: '/customers', label: 'customers.nav.search', icon: <IdcardOutlined /> },
      { key: '/customers/reviews', label: 'customers.nav.reviews', icon: <SafetyCertificateOutlined /> },
      { key: '/customers/access-log', label: 'customers.nav.accessLog', icon: <FileSearchOutlined /> },
      { key: '/customers/touchpoints', label: 'nav.touchpoints', icon: <ApiOutlined /> },
      { key: '/customers/event-schema', label: 'customers.nav.eventSchema', icon: <EyeInvisibleOutlined /> },
    ],
  },
  {
    key: 'membership',
    label: 'nav.membership',
    icon: <CrownOutlined />,
    children: [
      { key: '/membership', label: 'nav.loyaltyPrograms', icon: <CrownOutlined /> },
      { key: '/coupons', label: 'nav.coupons', icon: <TagOutlined /> },
      { key: '/membership/gift-cards', label: 'storedValue.batches.title', icon: <GiftOutlined /> },
      { key: '/membership/reports', label: 'loyaltyReports.nav', icon: <BarChartOutlined /> },
    ],
  },
  {
    key: 'audiences',
    label: 'nav.audiences',
    icon: <AimOutlined />,
    scope: 'audiences:read',
    children: [
      { key: '/audiences/tags', label: 'audiences.nav.tags', icon: <TagsOutlined /> },
      { key: '/audiences/builder', label: 'audiences.nav.builder', icon: <FilterOutlined /> },
      { key: '/audiences/segments', label: 'audiences.nav.segments', icon: <UsergroupAddOutlined /> },
    ],
  },
  {
    key: 'promotions',
    label: 'nav.promotions',
    icon: <PercentageOutlined />,
    children: [
      { key: '/promotions', label: 'promotions.nav.list', icon: <CalendarOutlined /> },
      { key: '/promotions/playground', label: 'promotions.nav.playground', icon: <CalculatorOutlined /> },
      { key: '/promotions/simulations', label: 'promotions.nav.simulations', icon: <ExperimentOutlined /> },
    ],
  },
  { key: '/campaigns', label: 'nav.campaigns', icon: <NotificationOutlined /> },
  { key: '/orders', label: 'nav.orders', icon: <FileTextOutlined /> },
  { key: '/inventory', label: 'nav.inventory', icon: <InboxOutlined /> },
  { key: '/analytics', label: 'nav.analytics', icon: <BarChartOutlined /> },
  { key: '/forecast', label: 'nav.forecast', icon: <LineChartOutlined /> },
  {
    key: 'settings',
    label: 'nav.settings',
    icon: <SettingOutlined />,
    children: [
      { key: '/settings/users', label: 'nav.users', icon: <UserOutlined /> },
      { key: '/settings/api-keys', label: 'nav.apiKeys', icon: <KeyOutlined /> },
      { key: '/settings/audit-log', label: 'nav.auditLog', icon: <AuditOutlined /> },
      { key: '/settings/domain-events', label: 'nav.domainEvents', icon: <ThunderboltOutlined /> },
    ],
  },
];

/** selectedKey maps a path to the menu entry it belongs to. */
function selectedKey(pathname: string): string {
  if (pathname.startsWith('/catalog/skus')) return '/catalog/products';
  const leaves = NAV.flatMap((n) => n.children ?? [n]);
  const hit = leaves
    .filter((n) => pathname === n.key || pathname.startsWith(`${n.key}/`))
    .sort((a, b) => b.key.length - a.key.length)[0];
  return hit?.key ?? '/overview';
}

/** AppLayout is the signed-in shell: menu, header and the current page. */
export function AppLayout() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const [collapsed, setCollapsed] = useState(false);
  const [loggingOut, setLoggingOut] = useState(false);

  if (me.isPending) {
    return <Spin size="large" fullscreen />;
  }
  if (me.isError) {
    if (isUnauthorized(me.error)) {
      return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
    }
    return (
      <Result
        status="error"
        title={t('common.error')}
        extra={<Button onClick={() => me.refetch()}>{t('common.refresh')}</Button>}
      >
        <ErrorAlert error={me.error} />
      </Result>
    );
  }

  if (me.data.must_change_password) {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search, changePassword: true }} />;
  }

  const scopes = me.data.scopes ?? [];
  const items: MenuProps['items'] = NAV.filter((n) => !n.scope || scopes.includes(n.scope)).map((n) => ({
    key: n.key,
    icon: n.icon,
    label: t(n.label),
    children: n.children?.map((c) => ({ key: c.key, icon: c.icon, label: t(c.label) })),
  }));

  const logout = async () => {
    setLoggingOut(true);
    try {
      await api.logout();
    } catch {
      // The session may already be gone; the console signs out regardless.
    } finally {
      queryClient.clear();
      setLoggingOut(false);
      navigate('/login', { replace: true });
    }
  };

  const lang = currentLanguage();
  const user = me.data;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider collapsible collapsed={collapsed} trigger={null} width={256} theme="dark">
        {/* The sider stretches with the page, so its dark background runs the page's
            whole height; the menu inside stays in view while the page scrolls. */}
        <div style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}>
          <div
            style={{
              height: 56,
              display: 'flex',
              alignItems: 'center',
              justifyContent: 'center',
              color: '#fff',
              fontWeight: 600,
              fontSize: collapsed ? 14 : 18,
              whiteSpace: 'nowrap',
            }}
          >
            {collapsed ? 'OR' : t('app.name')}
          </div>
          <Menu
            theme="dark"
            mode="inline"
            items={items}
            selectedKeys={[selectedKey(location.pathname)]}
            defaultOpenKeys={['org', 'catalog', 'customers', 'membership', 'audiences', 'promotions', 'settings']}
            onClick={({ key }) => navigate(key)}
            data-testid="nav-menu"
          />
        </div>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 16px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Space>
            <Tooltip title={collapsed ? t('header.expand') : t('header.collapse')}>
              <Button
                type="text"
                aria-label={collapsed ? t('header.expand') : t('header.collapse')}
                icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                onClick={() => setCollapsed(!collapsed)}
              />
            </Tooltip>
            <Typography.Text type="secondary">{t('app.subtitle')}</Typography.Text>
          </Space>
          <Space size="middle">
            <Space size="small">
              <UserOutlined />
              <span data-testid="current-user">{user.name || user.login}</span>
              <Tag color="blue" data-testid="current-role">
                {t(`roles.${user.role}`, { defaultValue: user.role })}
              </Tag>
            </Space>
            <Tooltip title={t('lang.switchTitle')}>
              <Button
                icon={<GlobalOutlined />}
                data-testid="lang-switch"
                onClick={() => void setLanguage(lang === 'en' ? 'zh-CN' : 'en')}
              >
                {t('lang.switchTo')}
              </Button>
            </Tooltip>
            <Button icon={<LogoutOutlined />} onClick={logout} loading={loggingOut} data-testid="logout">
              {t('header.logout')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 16 }}>
          <Suspense
            fallback={
              <div style={{ textAlign: 'center', padding: 80 }}>
                <Spin />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
