// Import and export files: uploads with progress, downloads of exports and of an
// import's error report.
import { buildQuery, client, toApiError, ApiError } from './client';
import type { components } from './schema';

/** FileFormat is the format of an export or error report. */
export type FileFormat = 'xlsx' | 'csv';

/** ImportErrorRow is one rejected row of an import. */
export type ImportErrorRow = components['schemas']['ImportErrorRow'];

/** ImportReport is the answer of POST /imports/skus and /imports/stores (the same shape). */
export type ImportReport =
  | components['schemas']['SKUImportReportResponse']
  | components['schemas']['StoreImportReportResponse'];

/** XLSX_TYPE is the media type of an .xlsx workbook. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** contentTypeOf names the media type of an upload from its name (the server also sniffs .xlsx by content). */
export function contentTypeOf(file: File): string {
  return /\.xlsx$/i.test(file.name) ? XLSX_TYPE : 'text/csv';
}

/**
 * uploadImport posts file to path (under /api/v1) and reports upload progress
 * (0..1); it resolves to the import's report and rejects with an ApiError.
 */
export function uploadImport(path: string, file: File, onProgress?: (fraction: number) => void): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', contentTypeOf(file));
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network error'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as ImportReport);
        return;
      }
      const problem = body as { detail?: string; title?: string } | undefined;
      reject(new ApiError(xhr.status, problem?.detail || problem?.title || `HTTP ${xhr.status}`, body as never));
    };
    xhr.send(file);
  });
}

/** saveBlob offers blob to the user as a download named name. */
export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** fileNameOf reads the file name of a Content-Disposition header, else fallback. */
export function fileNameOf(res: Response, fallback: string): string {
  const m = /filename="?([^";]+)"?/.exec(res.headers.get('Content-Disposition') ?? '');
  return m ? m[1] : fallback;
}

/**
 * downloadExport fetches path (under /api/v1) with the list's filters and the file
 * format, and saves the file; it rejects with an ApiError.
 */
export async function downloadExport(path: string, filter: object, format: FileFormat, name: string): Promise<void> {
  const res = await fetch(`/api/v1${path}${buildQuery({ ...filter, file_format: format })}`, {
    credentials: 'same-origin',
    headers: { Accept: 'text/csv, application/problem+json, ' + XLSX_TYPE },
  });
  if (!res.ok) throw await toApiError(res);
  saveBlob(await res.blob(), fileNameOf(res, `${name}.${format}`));
}

/** downloadImportReport renders an import's errors as a file (POST /import-reports) and saves it. */
export async function downloadImportReport(errors: ImportErrorRow[], format: FileFormat, name: string): Promise<void> {
  const { data, response } = await client.POST('/api/v1/import-reports', {
    params: { query: { file_format: format } },
    body: { name, errors },
    headers: { Accept: 'text/csv, application/problem+json, ' + XLSX_TYPE },
    parseAs: 'blob',
  });
  saveBlob(data ?? new Blob(), fileNameOf(response, `${name}.${format}`));
}
