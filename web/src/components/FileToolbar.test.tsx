import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { createQueryClient, Providers } from '../providers';
import { fakeApi } from '../test/render';
import { FileToolbar } from './FileToolbar';

/**
 * stubUpload answers the upload's XMLHttpRequest with status and body after reporting
 * half of it sent; it returns the URLs posted to. (A stub of the global rather than a
 * module mock: the tests share modules, so a module mock would not reach the
 * component once another test file has loaded it.)
 */
function stubUpload(status: number, body: unknown): string[] {
  const urls: string[] = [];
  class FakeUpload {
    status = 0;
    responseText = '';
    withCredentials = false;
    upload: { onprogress?: (e: { lengthComputable: boolean; loaded: number; total: number }) => void } = {};
    onload?: () => void;
    onerror?: () => void;
    private url = '';
    open(_method: string, url: string) {
      this.url = url;
    }
    setRequestHeader() {}
    send() {
      urls.push(this.url);
      this.upload.onprogress?.({ lengthComputable: true, loaded: 1, total: 2 });
      setTimeout(() => {
        this.status = status;
        this.responseText = JSON.stringify(body);
        this.onload?.();
      }, 0);
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeUpload);
  return urls;
}

function renderToolbar(onImported = vi.fn()) {
  const client = createQueryClient(() => {});
  render(
    <Providers client={client}>
      <FileToolbar
        name="skus"
        exportPath="/skus/export"
        filter={{ q: '可乐', category_id: 'c1', status: undefined }}
        importPath="/imports/skus"
        importColumns={['sku_code', 'sku_name']}
        onImported={onImported}
      />
    </Providers>,
  );
  return onImported;
}

beforeEach(async () => {
  await i18n.changeLanguage('en');
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await i18n.changeLanguage('zh-CN');
});

describe('FileToolbar', () => {
  it('exports with the current filters and the chosen format', async () => {
    const calls = fakeApi({
      'GET /skus/export': () => ({ text: 'x', contentType: 'text/csv', headers: { 'Content-Disposition': 'attachment; filename=skus.csv' } }),
    });
    const saved: string[] = [];
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    renderToolbar();
    fireEvent.click(screen.getByTestId('export-skus'));
    fireEvent.click(await screen.findByTestId('export-skus-csv'));
    await waitFor(() => expect(saved).toEqual(['skus.csv']));
    click.mockRestore();
    const call = calls.find((c) => c.path === '/skus/export')!;
    expect(call.query.get('file_format')).toBe('csv');
    expect(call.query.get('q')).toBe('可乐');
    expect(call.query.get('category_id')).toBe('c1');
    expect(call.query.has('status')).toBe(false);
  });

  it('imports a file, shows counts and errors, and downloads the error report', async () => {
    const report = {
      rows: 3,
      created: 1,
      updated: 1,
      failed: 1,
      processed: 3,
      canceled: false,
      errors: [{ line: 3, field: 'list_price', reason: '"4.505" has more than 2 decimals' }],
    };
    const uploads = stubUpload(200, report);
    const calls = fakeApi({
      'POST /import-reports': () => ({ text: 'line,field,reason', contentType: 'text/csv' }),
    });
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const onImported = renderToolbar();
    fireEvent.click(screen.getByTestId('import-skus'));
    expect(await screen.findByText(/sku_code, sku_name/)).toBeTruthy();
    const input = document.querySelector('input[type=file]') as HTMLInputElement;
    const file = new File(['sku_code\n'], 'skus.csv', { type: 'text/csv' });
    fireEvent.change(input, { target: { files: [file] } });
    await screen.findByTestId('import-result');
    expect(uploads).toEqual(['/api/v1/imports/skus']);
    expect(onImported).toHaveBeenCalled();
    expect(screen.getByText('"4.505" has more than 2 decimals')).toBeTruthy();
    expect(screen.getByText('list_price')).toBeTruthy();
    fireEvent.click(screen.getByTestId('error-report'));
    fireEvent.click(await screen.findByTestId('error-report-xlsx'));
    await waitFor(() => expect(calls.some((c) => c.path === '/import-reports')).toBe(true));
    const call = calls.find((c) => c.path === '/import-reports')!;
    expect(call.query.get('file_format')).toBe('xlsx');
    expect(call.body).toEqual({ name: 'skus-errors', errors: report.errors });
    await waitFor(() => expect(click).toHaveBeenCalled());
    click.mockRestore();
  });

  it('shows a refused import as an error', async () => {
    stubUpload(422, { title: 'Unprocessable Entity', status: 422, detail: 'the header row lacks required columns: sku_code' });
    const onImported = renderToolbar();
    fireEvent.click(screen.getByTestId('import-skus'));
    const input = (await waitFor(() => document.querySelector('input[type=file]'))) as HTMLInputElement;
    fireEvent.change(input, { target: { files: [new File(['x'], 'x.csv')] } });
    expect(await screen.findByText(/lacks required columns/)).toBeTruthy();
    expect(onImported).not.toHaveBeenCalled();
  });
});
