// Maps an RFC 9457 validation problem onto an antd form: each error whose
// location names a body field ("body.code", "body.barcodes[1]") is shown
// under that field.
import type { FormInstance } from 'antd';
import { ApiError } from '../api/client';

/**
 * fieldOfLocation turns a problem location into the body field it names:
 * "body.code" → "code", "body.barcodes[1]" → "barcodes", "body.a.b" → "a".
 * Other locations (path, query, header, the body as a whole) name no field.
 */
export function fieldOfLocation(location: string | undefined): string | undefined {
  const m = /^body\.([A-Za-z_][A-Za-z0-9_]*)/.exec(location ?? '');
  return m?.[1];
}

/**
 * problemFieldErrors groups a problem's messages by the body field they name;
 * messages without a field are left out. rename maps a body field to the form
 * field that edits it when their names differ.
 */
export function problemFieldErrors(err: unknown, rename: Record<string, string> = {}): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!(err instanceof ApiError)) return out;
  for (const e of err.problem?.errors ?? []) {
    const field = fieldOfLocation(e.location);
    if (!field) continue;
    const name = rename[field] ?? field;
    out.set(name, [...(out.get(name) ?? []), e.message || err.message]);
  }
  return out;
}

/**
 * applyProblem shows err's per-field messages under the fields of form that
 * they name and reports how many of the problem's errors found no field there
 * (the caller shows those, and any error that is no problem, in an alert).
 * A form field counts when it is rendered (registered with the form).
 */
export function applyProblem(form: FormInstance, err: unknown, rename: Record<string, string> = {}): { placed: number; unplaced: number } {
  if (!(err instanceof ApiError)) return { placed: 0, unplaced: 1 };
  const registered = new Set(form.getFieldsError().map((f) => String(f.name[0])));
  const byField = problemFieldErrors(err, rename);
  const fields = [...byField].filter(([name]) => registered.has(name));
  form.setFields(fields.map(([name, errors]) => ({ name, errors })));
  const placed = fields.reduce((n, [, errors]) => n + errors.length, 0);
  const total = err.problem?.errors?.length ?? 0;
  return { placed, unplaced: Math.max(total - placed, total === 0 ? 1 : 0) };
}
