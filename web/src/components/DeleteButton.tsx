import { DeleteOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from './ErrorAlert';

/**
 * DeleteButton asks before calling onDelete and says how it went: a toast on
 * success, the API's reason (a 409 names what still uses the item) on failure.
 */
export function DeleteButton({
  confirm,
  onDelete,
  testId,
  size = 'small',
  disabled,
}: {
  confirm: string;
  onDelete: () => Promise<unknown>;
  testId: string;
  size?: 'small' | 'middle';
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <Popconfirm
      title={confirm}
      okText={t('common.delete')}
      okButtonProps={{ danger: true, ...{ 'data-testid': `${testId}-confirm` } }}
      disabled={disabled}
      onConfirm={() =>
        onDelete().then(
          () => void message.success(t('manage.deleted')),
          (err: unknown) => void message.error(errorText(err)),
        )
      }
    >
      <Button size={size} type={size === 'small' ? 'link' : 'default'} danger icon={<DeleteOutlined />} disabled={disabled} data-testid={testId}>
        {t('common.delete')}
      </Button>
    </Popconfirm>
  );
}
