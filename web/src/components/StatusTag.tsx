import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const colors: Record<string, string> = {
  active: 'green',
  open: 'green',
  delivered: 'green',
  pending: 'blue',
  planned: 'blue',
  draft: 'default',
  inactive: 'default',
  disabled: 'default',
  suspended: 'orange',
  closed: 'red',
  discontinued: 'red',
  dead: 'red',
};

/** StatusTag shows a status value, translated when the console knows it. */
export function StatusTag({ status, prefix = 'status' }: { status: string | null | undefined; prefix?: string }) {
  const { t } = useTranslation();
  if (!status) return <>—</>;
  return <Tag color={colors[status] ?? 'default'}>{t(`${prefix}.${status}`, { defaultValue: status })}</Tag>;
}
