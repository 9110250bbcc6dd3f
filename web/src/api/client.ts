import type { ProblemDetail } from './types';

/** PROBLEM_PREFIX starts every problem `type` the server sends. */
export const PROBLEM_PREFIX = 'urn:oneretail:problem:';

/** ApiError is thrown for every non-2xx response of the API. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem?: ProblemDetail;
  /** retryAfter is the Retry-After header of a 429, in seconds. */
  readonly retryAfter?: number;

  constructor(status: number, message: string, problem?: ProblemDetail, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** problemType is the stable suffix of the problem's `type` ("rate_limited"), or "". */
  get problemType(): string {
    const type = this.problem?.type ?? '';
    return type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : '';
  }

  /** details lists the per-field messages of a validation problem. */
  get details(): string[] {
    return (this.problem?.errors ?? [])
      .map((e) => (e.location ? `${e.location}: ${e.message ?? ''}` : (e.message ?? '')))
      .filter((m) => m !== '');
  }
}

/** isUnauthorized reports whether err is a 401 from the API. */
export function isUnauthorized(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401;
}

/**
 * isPasswordChangeRequired reports whether err is the 403 a session gets while its
 * user must change a password someone else set.
 */
export function isPasswordChangeRequired(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403 && err.problemType === 'password_change_required';
}

export type QueryValue = string | number | boolean | undefined | null;

/** buildQuery renders params as a query string, leaving out empty values. */
export function buildQuery(params?: object): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params) as [string, QueryValue][]) {
    if (v === undefined || v === null || v === '') continue;
    search.set(k, String(v));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  query?: object;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * request calls the API and decodes the JSON answer. The session cookie set
 * by the server at login authenticates the call. A 204 resolves to undefined.
 */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`/api/v1${path}${buildQuery(opts.query)}`, {
    method,
    headers,
    body,
    credentials: 'same-origin',
    signal: opts.signal,
  });
  if (!res.ok) {
    throw await toApiError(res);
  }
  if (res.status === 204) {
    return undefined as T;
  }
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** toApiError reads a failed response (a problem+json body when there is one). */
export async function toApiError(res: Response): Promise<ApiError> {
  let problem: ProblemDetail | undefined;
  const type = res.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      problem = (await res.json()) as ProblemDetail;
    } catch {
      problem = undefined;
    }
  }
  const message = problem?.detail || problem?.title || res.statusText || `HTTP ${res.status}`;
  const retry = Number(res.headers.get('Retry-After') ?? '');
  return new ApiError(res.status, message, problem, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}
