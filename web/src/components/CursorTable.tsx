import { Button, Space, Table, Typography } from 'antd';
import type { TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './ErrorAlert';

export interface CursorTableProps<T> extends Omit<TableProps<T>, 'dataSource' | 'pagination' | 'loading'> {
  items: T[];
  isLoading: boolean;
  error: unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/**
 * CursorTable is an antd Table over a cursor-paginated list: every loaded
 * page is shown and a "load more" button fetches the next one.
 */
export function CursorTable<T extends object>({
  items,
  isLoading,
  error,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  ...table
}: CursorTableProps<T>) {
  const { t } = useTranslation();
  return (
    <>
      {error ? <ErrorAlert error={error} /> : null}
      <Table<T> size="middle" scroll={{ x: 'max-content' }} {...table} dataSource={items} loading={isLoading} pagination={false} />
      <Space style={{ marginTop: 12, width: '100%', justifyContent: 'center' }}>
        {hasNextPage ? (
          <Button onClick={() => fetchNextPage()} loading={isFetchingNextPage} data-testid="load-more">
            {t('common.loadMore')}
          </Button>
        ) : (
          items.length > 0 && <Typography.Text type="secondary">{t('common.allLoaded')}</Typography.Text>
        )}
        {items.length > 0 && <Typography.Text type="secondary">{t('common.loaded', { count: items.length })}</Typography.Text>}
      </Space>
    </>
  );
}
