import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';

/** ErrorAlert shows an API problem's detail and its per-field messages. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof ApiError ? error.details : [];
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      title={title ?? t('common.error')}
      description={
        <>
          <div>{message}</div>
          {details.length > 0 && (
            <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
              {details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </>
      }
    />
  );
}

/** errorText renders an error for a toast: the detail and field messages. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return [error.message, ...error.details].join('; ');
  return error instanceof Error ? error.message : String(error);
}
