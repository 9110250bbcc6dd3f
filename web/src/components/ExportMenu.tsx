import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Dropdown } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { downloadExport, type FileFormat } from '../api/files';

export interface ExportMenuProps {
  /** path of the export under /api/v1, e.g. "/stores/export". */
  path: string;
  /** filter holds the list's current filters; empty values are left out. */
  filter: object;
  /** name is the file name without extension when the server names none. */
  name: string;
}

/** ExportMenu is an "Export" dropdown (Excel / CSV) that downloads the list with its current filters. */
export function ExportMenu({ path, filter, name }: ExportMenuProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async (format: FileFormat) => {
    setBusy(true);
    try {
      await downloadExport(path, filter, format, name);
    } catch (err) {
      void message.error(`${t('files.exportFailed')}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          { key: 'xlsx', label: <span data-testid={`export-${name}-xlsx`}>{t('files.excel')}</span> },
          { key: 'csv', label: <span data-testid={`export-${name}-csv`}>{t('files.csv')}</span> },
        ],
        onClick: ({ key }) => void run(key as FileFormat),
      }}
    >
      <Button icon={<DownloadOutlined />} loading={busy} data-testid={`export-${name}`}>
        {t('files.export')}
      </Button>
    </Dropdown>
  );
}
