import { InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Alert, Button, Dropdown, Modal, Progress, Space, Statistic, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { downloadImportReport, uploadImport, type FileFormat, type ImportReport } from '../api/files';
import { ErrorAlert } from './ErrorAlert';

export interface ImportDialogProps {
  /** path of the import under /api/v1, e.g. "/imports/skus". */
  path: string;
  /** name tags the button and names the error report ("skus" → skus-errors.xlsx). */
  name: string;
  /** columns lists the file's columns for the hint. */
  columns: string[];
  /** onImported runs after an import that wrote rows (to refresh the list). */
  onImported?: () => void;
}

/**
 * ImportDialog is an "Import" button with a dialog: pick a .csv or .xlsx file,
 * watch the upload, then read the counts and the rejected rows and download them
 * as an error report.
 */
export function ImportDialog({ path, name, columns, onImported }: ImportDialogProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reset = () => {
    setProgress(null);
    setReport(null);
    setError(null);
  };
  const start = async (file: File) => {
    reset();
    setProgress(0);
    try {
      const r = await uploadImport(path, file, setProgress);
      setReport(r);
      if (r.created + r.updated > 0) onImported?.();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  const download = async (format: FileFormat) => {
    if (!report) return;
    try {
      await downloadImportReport(report.errors, format, `${name}-errors`);
    } catch (err) {
      void message.error(`${t('files.exportFailed')}: ${(err as Error).message}`);
    }
  };

  return (
    <>
      <Button icon={<UploadOutlined />} onClick={() => setOpen(true)} data-testid={`import-${name}`}>
        {t('files.import')}
      </Button>
      <Modal
        open={open}
        title={t('files.importTitle')}
        width={720}
        onCancel={() => {
          setOpen(false);
          reset();
        }}
        footer={null}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">
          {t('files.importHint')} <Typography.Text code>{columns.join(', ')}</Typography.Text>
        </Typography.Paragraph>
        <Upload.Dragger
          accept=".csv,.xlsx"
          multiple={false}
          showUploadList={false}
          disabled={progress !== null}
          beforeUpload={(file) => {
            void start(file);
            return false;
          }}
          data-testid={`import-${name}-file`}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{t('files.dropHere')}</p>
        </Upload.Dragger>
        {progress !== null ? (
          <div style={{ marginTop: 16 }}>
            <Typography.Text>{t('files.uploading')}</Typography.Text>
            <Progress percent={Math.round(progress * 100)} data-testid="import-progress" />
          </div>
        ) : null}
        {error ? (
          <div style={{ marginTop: 16 }}>
            <ErrorAlert error={error} />
          </div>
        ) : null}
        {report ? (
          <div style={{ marginTop: 16 }} data-testid="import-result">
            <Space size="large" wrap>
              <Statistic title={t('files.rows')} value={report.rows} />
              <Statistic title={t('files.created')} value={report.created} valueStyle={{ color: '#3f8600' }} />
              <Statistic title={t('files.updated')} value={report.updated} />
              <Statistic title={t('files.failed')} value={report.failed} valueStyle={report.failed ? { color: '#cf1322' } : undefined} />
            </Space>
            {report.canceled ? <Alert style={{ marginTop: 12 }} type="warning" message={t('files.canceled')} /> : null}
            {report.errors.length > 0 ? (
              <>
                <Space style={{ display: 'flex', margin: '16px 0 8px' }}>
                  <Typography.Text strong>{t('files.errors')}</Typography.Text>
                  <Dropdown
                    trigger={['click']}
                    menu={{
                      items: [
                        { key: 'xlsx', label: <span data-testid="error-report-xlsx">{t('files.excel')}</span> },
                        { key: 'csv', label: <span data-testid="error-report-csv">{t('files.csv')}</span> },
                      ],
                      onClick: ({ key }) => void download(key as FileFormat),
                    }}
                  >
                    <Button size="small" data-testid="error-report">
                      {t('files.downloadErrors')}
                    </Button>
                  </Dropdown>
                </Space>
                <Table
                  size="small"
                  rowKey={(e) => `${e.line}-${e.field}`}
                  dataSource={report.errors}
                  pagination={{ pageSize: 10, hideOnSinglePage: true }}
                  columns={[
                    { title: t('files.line'), dataIndex: 'line', width: 80 },
                    { title: t('files.field'), dataIndex: 'field', width: 160 },
                    { title: t('files.reason'), dataIndex: 'reason' },
                  ]}
                  data-testid="import-errors"
                />
              </>
            ) : (
              <Alert style={{ marginTop: 12 }} type="success" message={t('files.noErrors')} />
            )}
          </div>
        ) : null}
      </Modal>
    </>
  );
}
