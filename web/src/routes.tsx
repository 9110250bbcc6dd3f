import { Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { AppLayout } from './components/AppLayout';

// Every page is its own chunk, loaded when first visited.
const LoginPage = lazy(() => import('./pages/LoginPage'));
const SetupPage = lazy(() => import('./pages/SetupPage'));
const OverviewPage = lazy(() => import('./pages/OverviewPage'));
const StoresPage = lazy(() => import('./pages/StoresPage'));
const StoreDetailPage = lazy(() => import('./pages/StoreDetailPage'));
const BrandsRegionsPage = lazy(() => import('./pages/BrandsRegionsPage'));
const CategoriesPage = lazy(() => import('./pages/CategoriesPage'));
const ProductsPage = lazy(() => import('./pages/ProductsPage'));
const ProductDetailPage = lazy(() => import('./pages/ProductDetailPage'));
const SkuDetailPage = lazy(() => import('./pages/SkuDetailPage'));
const PriceZonesPage = lazy(() => import('./pages/PriceZonesPage'));
const UsersPage = lazy(() => import('./pages/settings/UsersPage'));
const ApiKeysPage = lazy(() => import('./pages/settings/ApiKeysPage'));
const AuditLogPage = lazy(() => import('./pages/settings/AuditLogPage'));
const DomainEventsPage = lazy(() => import('./pages/settings/DomainEventsPage'));
const TouchpointsPage = lazy(() => import('./pages/TouchpointsPage'));
const PromotionsPage = lazy(() => import('./pages/promotions/PromotionsPage'));
const PromotionEditorPage = lazy(() => import('./pages/promotions/PromotionEditorPage'));
const PricePlaygroundPage = lazy(() => import('./pages/promotions/PricePlaygroundPage'));
const SimulationPage = lazy(() => import('./pages/promotions/SimulationPage'));
const CustomersPage = lazy(() => import('./pages/customers/CustomersPage'));
const CustomerPage = lazy(() => import('./pages/customers/CustomerPage'));
const ReviewsPage = lazy(() => import('./pages/customers/ReviewsPage'));
const AccessLogPage = lazy(() => import('./pages/customers/AccessLogPage'));
const EventSchemaPage = lazy(() => import('./pages/customers/EventSchemaPage'));
const InventoryPage = lazy(() => import('./pages/InventoryPage'));
const OrdersPage = lazy(() => import('./pages/orders/OrdersPage'));
const OrderDetailPage = lazy(() => import('./pages/orders/OrderDetailPage'));
const OrderInboxPage = lazy(() => import('./pages/orders/InboxPage'));
const PickListPage = lazy(() => import('./pages/orders/PickListPage'));
const LoyaltyProgramsPage = lazy(() => import('./pages/loyalty/ProgramsPage'));
const GiftCardsPage = lazy(() => import('./pages/loyalty/GiftCardsPage'));
const CouponsPage = lazy(() => import('./pages/loyalty/CouponsPage'));
const LoyaltyReportsPage = lazy(() => import('./pages/loyalty/ReportsPage'));
const AudienceTagsPage = lazy(() => import('./pages/audiences/TagsPage'));
const SegmentBuilderPage = lazy(() => import('./pages/audiences/SegmentBuilderPage'));
const SegmentsPage = lazy(() => import('./pages/audiences/SegmentsPage'));
const SegmentDetailPage = lazy(() => import('./pages/audiences/SegmentDetailPage'));
const ComingSoonPage = lazy(() => import('./pages/ComingSoonPage'));

/** COMING_SOON lists the capabilities that have a placeholder page for now. */
export const COMING_SOON: { path: string; nameKey: string }[] = [
  { path: 'campaigns', nameKey: 'nav.campaigns' },
  { path: 'analytics', nameKey: 'nav.analytics' },
  { path: 'forecast', nameKey: 'nav.forecast' },
];

/** routes is the console's route table. */
export const routes: RouteObject[] = [
  {
    path: '/login',
    element: (
      <Suspense fallback={<Spin fullscreen />}>
        <LoginPage />
      </Suspense>
    ),
  },
  {
    path: '/setup',
    element: (
      <Suspense fallback={<Spin fullscreen />}>
        <SetupPage />
      </Suspense>
    ),
  },
  {
    path: '/',
    element: <AppLayout />,
    children: [
      { index: true, element: <Navigate to="/overview" replace /> },
      { path: 'overview', element: <OverviewPage /> },
      { path: 'org/stores', element: <StoresPage /> },
      { path: 'org/stores/:id', element: <StoreDetailPage /> },
      { path: 'org/brands-regions', element: <BrandsRegionsPage /> },
      { path: 'catalog/categories', element: <CategoriesPage /> },
      { path: 'catalog/products', element: <ProductsPage /> },
      { path: 'catalog/products/:id', element: <ProductDetailPage /> },
      { path: 'catalog/skus/:id', element: <SkuDetailPage /> },
      { path: 'catalog/price-zones', element: <PriceZonesPage /> },
      { path: 'customers', element: <CustomersPage /> },
      { path: 'customers/reviews', element: <ReviewsPage /> },
      { path: 'customers/access-log', element: <AccessLogPage /> },
      { path: 'customers/touchpoints', element: <TouchpointsPage /> },
      { path: 'customers/event-schema', element: <EventSchemaPage /> },
      { path: 'promotions', element: <PromotionsPage /> },
      { path: 'promotions/new', element: <PromotionEditorPage /> },
      { path: 'promotions/playground', element: <PricePlaygroundPage /> },
      { path: 'promotions/simulations', element: <SimulationPage /> },
      { path: 'promotions/:id', element: <PromotionEditorPage /> },
      { path: 'customers/:id', element: <CustomerPage /> },
      { path: 'orders', element: <OrdersPage /> },
      { path: 'orders/inbox', element: <OrderInboxPage /> },
      { path: 'orders/pick-list', element: <PickListPage /> },
      { path: 'orders/:id', element: <OrderDetailPage /> },
      { path: 'inventory', element: <InventoryPage /> },
      { path: 'membership', element: <LoyaltyProgramsPage /> },
      { path: 'membership/gift-cards', element: <GiftCardsPage /> },
      { path: 'membership/reports', element: <LoyaltyReportsPage /> },
      { path: 'coupons', element: <CouponsPage /> },
      { path: 'audiences', element: <Navigate to="/audiences/segments" replace /> },
      { path: 'audiences/tags', element: <AudienceTagsPage /> },
      { path: 'audiences/builder', element: <SegmentBuilderPage /> },
      { path: 'audiences/segments', element: <SegmentsPage /> },
      { path: 'audiences/segments/:id', element: <SegmentDetailPage /> },
      { path: 'audiences/segments/:id/edit', element: <SegmentBuilderPage /> },
      ...COMING_SOON.map(({ path, nameKey }) => ({
        path,
        element: <ComingSoonPage key={path} nameKey={nameKey} capability={path} />,
      })),
      { path: 'settings', element: <Navigate to="/settings/users" replace /> },
      { path: 'settings/users', element: <UsersPage /> },
      { path: 'settings/api-keys', element: <ApiKeysPage /> },
      { path: 'settings/audit-log', element: <AuditLogPage /> },
      { path: 'settings/domain-events', element: <DomainEventsPage /> },
      { path: '*', element: <Navigate to="/overview" replace /> },
    ],
  },
];
