// Small pieces shared by the customer pages.
import {
  CheckCircleOutlined,
  CloseCircleOutlined,
  EyeInvisibleOutlined,
  EyeOutlined,
  GiftOutlined,
  HeartOutlined,
  LoginOutlined,
  MailOutlined,
  MessageOutlined,
  QuestionCircleOutlined,
  SafetyCertificateOutlined,
  ScanOutlined,
  ShopOutlined,
  ShoppingCartOutlined,
  ShoppingOutlined,
  UserAddOutlined,
} from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { IdentifierStrength } from '../../api/types';

/** MaskedTag says a value is masked because the user lacks customers:pii. */
export function MaskedTag() {
  const { t } = useTranslation();
  return (
    <Tooltip title={t('customers.maskedHint')}>
      <Tag icon={<EyeInvisibleOutlined />} color="default" data-testid="masked-tag">
        {t('customers.masked')}
      </Tag>
    </Tooltip>
  );
}

/** CustomerStatusTag shows "erased" in red and nothing for active customers. */
export function CustomerStatusTag({ status }: { status?: string | null }) {
  const { t } = useTranslation();
  if (!status || status === 'active') return null;
  return <Tag color={status === 'erased' ? 'red' : 'default'}>{t(`customers.statuses.${status}`, { defaultValue: status })}</Tag>;
}

const STRENGTH_TAG: Record<string, string> = { strong: 'green', medium: 'blue', weak: 'default' };

/** StrengthTag shows how strongly an identifier ties to one person. */
export function StrengthTag({ strength }: { strength: IdentifierStrength | string }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t(`customers.strengthHints.${strength}`, { defaultValue: '' })}>
      <Tag color={STRENGTH_TAG[strength] ?? 'default'}>{t(`customers.strengths.${strength}`, { defaultValue: strength })}</Tag>
    </Tooltip>
  );
}

/** CustomerLink links a customer id to its 360 page, shortened for tables. */
export function CustomerLink({ id }: { id: string }) {
  return (
    <Tooltip title={id}>
      <Link to={`/customers/${encodeURIComponent(id)}`} data-testid="customer-link">
        <code>{id.length > 12 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id}</code>
      </Link>
    </Tooltip>
  );
}

const EVENT_ICONS: Record<string, { icon: ReactNode; color: string }> = {
  visit: { icon: <ShopOutlined />, color: 'blue' },
  scan: { icon: <ScanOutlined />, color: 'blue' },
  product_view: { icon: <EyeOutlined />, color: 'gray' },
  add_to_cart: { icon: <ShoppingCartOutlined />, color: 'orange' },
  registration: { icon: <UserAddOutlined />, color: 'green' },
  login: { icon: <LoginOutlined />, color: 'gray' },
  order: { icon: <ShoppingOutlined />, color: 'green' },
  coupon_received: { icon: <GiftOutlined />, color: 'purple' },
  coupon_redeemed: { icon: <GiftOutlined />, color: 'green' },
  message_open: { icon: <MailOutlined />, color: 'blue' },
  message_sent: { icon: <MessageOutlined />, color: 'gray' },
  consent: { icon: <SafetyCertificateOutlined />, color: 'cyan' },
  favorite: { icon: <HeartOutlined />, color: 'red' },
};

/** eventIcon is the timeline dot of an event type; unknown types get a question mark. */
export function eventIcon(type: string): { icon: ReactNode; color: string } {
  return EVENT_ICONS[type] ?? { icon: <QuestionCircleOutlined />, color: 'gray' };
}

/** ConsentMark shows a granted (green tick) or revoked (red cross) consent. */
export function ConsentMark({ granted }: { granted: boolean }) {
  const { t } = useTranslation();
  return granted ? (
    <Tag icon={<CheckCircleOutlined />} color="success">
      {t('customers.consents.granted')}
    </Tag>
  ) : (
    <Tag icon={<CloseCircleOutlined />} color="error">
      {t('customers.consents.revoked')}
    </Tag>
  );
}
