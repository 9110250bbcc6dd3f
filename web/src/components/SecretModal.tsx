import { CopyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Modal, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** IssuedSecret is a new credential whose secret the server shows only once. */
export interface IssuedSecret {
  name: string;
  secret: string;
}

/** SecretModal shows a new key's secret; once closed it is gone for good. */
export function SecretModal({ created, onClose, children }: { created: IssuedSecret | null; onClose: () => void; children?: ReactNode }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      void message.success(t('common.copied'));
    } catch {
      void message.warning(t('common.copyFailed'));
    }
  };
  return (
    <Modal
      open={!!created}
      title={t('apiKeys.secretTitle')}
      onCancel={onClose}
      mask={{ closable: false }}
      keyboard={false}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="api-key-secret-close">
          {t('common.close')}
        </Button>
      }
    >
      {created && (
        <>
          <Alert type="warning" showIcon title={t('apiKeys.secretWarning')} style={{ marginBottom: 16 }} />
          <Typography.Text type="secondary">
            {t('apiKeys.name')}: {created.name}
          </Typography.Text>
          <div style={{ display: 'flex', gap: 8, marginTop: 8, alignItems: 'flex-start' }}>
            <pre
              data-testid="api-key-secret"
              aria-label={t('apiKeys.secretLabel')}
              style={{
                flex: 1,
                margin: 0,
                padding: '5px 11px',
                userSelect: 'all',
                whiteSpace: 'pre-wrap',
                wordBreak: 'break-all',
                background: '#fafafa',
                border: '1px solid #d9d9d9',
                borderRadius: 6,
              }}
            >
              {created.secret}
            </pre>
            <Button icon={<CopyOutlined />} onClick={copy} data-testid="api-key-copy">
              {t('common.copy')}
            </Button>
          </div>
          {children}
        </>
      )}
    </Modal>
  );
}
