import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** ProblemDetail is an RFC 9457 application/problem+json body (huma's ErrorModel). */
export type ProblemDetail = Partial<components['schemas']['ErrorModel']>;

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

/**
 * client calls the API with request paths, parameters, bodies and answers checked
 * against the types generated from the server's OpenAPI document (schema.d.ts).
 * The session cookie set by the server at login authenticates the calls; a non-2xx
 * answer is thrown as an ApiError by the middleware, so callers only see data.
 */
export const client = createClient<paths>({
  // A Request needs an absolute URL outside the browser (tests run in jsdom on Node).
  baseUrl: globalThis.location?.origin ?? '',
  headers: { Accept: 'application/json, application/problem+json' },
  credentials: 'same-origin',
  // Empty filter values ('', null) are left out, as the console's forms leave fields empty.
  querySerializer: (query) => buildQuery(query),
  // Read fetch at call time, not when the module loads, so tests can replace it.
  fetch: (req) => globalThis.fetch(req),
});

/** throwProblems turns every non-2xx answer into an ApiError (problem+json body, Retry-After). */
const throwProblems: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await toApiError(response);
    return undefined;
  },
};
client.use(throwProblems);

/**
 * data resolves to a call's decoded answer. Non-2xx answers were thrown by the
 * middleware, so data is the success body here (undefined only for a 204).
 */
export async function data<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  return (await call).data as T;
}

/** done waits for a call whose answer has no body (204). */
export async function done(call: Promise<{ response: Response }>): Promise<void> {
  await call;
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
