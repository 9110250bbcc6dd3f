// Helpers for component tests: a fake API behind fetch and the providers.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { createQueryClient, Providers } from '../providers';

export interface FakeCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type FakeHandler = (call: FakeCall) => {
  status?: number;
  body?: unknown;
  /** text is sent as the body as it is (CSV, NDJSON) instead of body as JSON. */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
};

/**
 * fakeApi replaces fetch with handlers keyed by "METHOD /path" (the path
 * after /api/v1, without the query). Unknown routes answer 404 problems.
 * It returns the list of calls made.
 */
export function fakeApi(handlers: Record<string, FakeHandler>): FakeCall[] {
  const calls: FakeCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      // The typed client (openapi-fetch) sends a Request; other callers a URL and init.
      const req = input instanceof Request ? input : undefined;
      const url = new URL(req ? req.url : String(input), 'http://localhost');
      const path = url.pathname.replace(/^\/api\/v1/, '');
      const method = (req?.method ?? init?.method ?? 'GET').toUpperCase();
      const call: FakeCall = { method, path, query: url.searchParams, body: undefined };
      // Recorded before the body is read, so calls keep the order fetch was called in.
      calls.push(call);
      const text = req ? await req.clone().text() : init?.body ? String(init.body) : '';
      call.body = text ? JSON.parse(text) : undefined;
      const handler = handlers[`${method} ${path}`];
      const res = handler
        ? handler(call)
        : { status: 404, body: { title: 'Not Found', status: 404, detail: `no route ${method} ${path}` }, contentType: 'application/problem+json' };
      const status = res.status ?? 200;
      if (status === 204) return new Response(null, { status });
      return new Response(res.text ?? JSON.stringify(res.body ?? {}), {
        status,
        headers: {
          'Content-Type': res.contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json'),
          ...res.headers,
        },
      });
    }),
  );
  return calls;
}

/**
 * renderRoute renders element at path inside the console's providers; state is
 * the router location state the page starts with.
 */
export function renderRoute(element: ReactElement, opts: { path?: string; url?: string; state?: unknown } = {}) {
  const path = opts.path ?? '/';
  const router = createMemoryRouter(
    [
      { path, element },
      { path: '/login', element: <div>login page</div> },
      { path: '*', element: <div>elsewhere</div> },
    ],
    { initialEntries: [opts.state === undefined ? (opts.url ?? path) : { pathname: opts.url ?? path, state: opts.state }] },
  );
  const client = createQueryClient(() => void router.navigate('/login'));
  client.setDefaultOptions({ queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } });
  const result = render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return { ...result, router, client };
}

/** page wraps items as one page of a cursor-paginated list. */
export function page<T>(items: T[], next_cursor?: string) {
  return { body: next_cursor ? { items, next_cursor } : { items } };
}
