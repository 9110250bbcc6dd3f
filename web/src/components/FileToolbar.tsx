import { Space } from 'antd';
import { ExportMenu } from './ExportMenu';
import { ImportDialog } from './ImportDialog';

export interface FileToolbarProps {
  /** name tags the buttons and names the files ("skus", "stores"). */
  name: string;
  /** exportPath is the list's export under /api/v1 ("/skus/export"). */
  exportPath: string;
  /** filter holds the list's current filters. */
  filter: object;
  /** importPath is the import under /api/v1 ("/imports/skus"); no import button without it. */
  importPath?: string;
  /** importColumns lists the import file's columns for the dialog's hint. */
  importColumns?: string[];
  /** onImported runs after an import wrote rows. */
  onImported?: () => void;
}

/** FileToolbar is the header toolbar of a list page: Import (when the list has one) and Export. */
export function FileToolbar({ name, exportPath, filter, importPath, importColumns = [], onImported }: FileToolbarProps) {
  return (
    <Space>
      {importPath ? <ImportDialog path={importPath} name={name} columns={importColumns} onImported={onImported} /> : null}
      <ExportMenu path={exportPath} filter={filter} name={name} />
    </Space>
  );
}
