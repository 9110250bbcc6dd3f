import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute, type FakeCall } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { tagLayer, tagNote, tagVip } from './fixtures';
import TagsPage from './TagsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const T = { timeout: 20_000 };
const WRITE = ['audiences:read', 'audiences:write'];

async function pick(testId: string, option: string) {
  fireEvent.mouseDown(within(screen.getByTestId(testId)).getByRole('combobox'));
  const items = await screen.findAllByTitle(option, undefined, T);
  fireEvent.click(items[items.length - 1]);
}

const lists = (calls: FakeCall[]) => calls.filter((c) => c.method === 'GET' && c.path === '/audience-tags');

describe('TagsPage', { timeout: 60_000 }, () => {
  it('lists tags with translated kinds and types and filters by kind', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(WRITE) }),
      'GET /audience-tags': (call) => page(call.query.get('kind') === 'imported' ? [tagLayer] : [tagVip, tagLayer, tagNote]),
    });
    renderRoute(<TagsPage />);
    const table = await screen.findByTestId('tag-table', undefined, T);
    await within(table).findByText('高价值会员', undefined, T);
    expect(within(table).getByText('规则标签')).toBeTruthy();
    expect(within(table).getByText('枚举 (3)')).toBeTruthy();
    expect(within(table).getByText('1,234')).toBeTruthy();
    expect(lists(calls)[0].query.get('status')).toBe('active');

    await pick('tag-filter-kind', '导入标签');
    await waitFor(() => expect(lists(calls).at(-1)?.query.get('kind')).toBe('imported'), T);
    await waitFor(() => expect(within(table).queryByText('高价值会员')).toBeNull(), T);
  });

  it('creates a rule tag and shows the 422 on the expression field', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(WRITE) }),
      'GET /audience-tags': () => page([tagVip]),
      'POST /audience-tags': () => ({
        status: 422,
        body: {
          title: 'Unprocessable Entity',
          status: 422,
          detail: 'validation failed',
          errors: [{ location: 'body.expression', message: 'column 8: expected a window' }],
        },
      }),
    });
    renderRoute(<TagsPage />);
    fireEvent.click(await screen.findByTestId('tag-create', undefined, T));
    fireEvent.change(await screen.findByTestId('tag-code', undefined, T), { target: { value: 'loyal' } });
    fireEvent.change(screen.getByTestId('tag-name'), { target: { value: '忠诚客户' } });
    await pick('tag-kind', '规则标签');
    fireEvent.change(await screen.findByTestId('tag-expression', undefined, T), { target: { value: 'orders(9) >= 3' } });
    fireEvent.click(screen.getByTestId('tag-save'));
    const msg = await screen.findByText('column 8: expected a window', undefined, T);
    expect(msg.closest('.ant-form-item')?.querySelector('[data-testid=tag-expression]')).toBeTruthy();
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({ code: 'loyal', name: '忠诚客户', kind: 'rule', value_type: 'boolean', expression: 'orders(9) >= 3' });
    expect((post?.body as { enum_values?: unknown }).enum_values).toBeUndefined();
  });

  it('archives a tag', async () => {
    const calls = fakeApi({
      'GET /me': () => ({ body: meWith(WRITE) }),
      'GET /audience-tags': () => page([tagNote]),
      'PATCH /audience-tags/t3': () => ({ body: { ...tagNote, status: 'archived' } }),
    });
    renderRoute(<TagsPage />);
    fireEvent.click(await screen.findByTestId('tag-archive-note', undefined, T));
    const confirm = await screen.findAllByRole('button', { name: /确\s*定|OK/ }, T);
    fireEvent.click(confirm[confirm.length - 1]);
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ status: 'archived' }), T);
  });

  it('imports a CSV and lists the rejected rows', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(WRITE) }),
      'GET /audience-tags': () => page([tagLayer]),
    });
    // The fake API decodes JSON bodies; the import sends the file's bytes, so it is answered here.
    const fake = globalThis.fetch;
    const sent: { type: string | null; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        if (input instanceof Request && input.url.endsWith('/audience-tags/imports')) {
          sent.push({ type: input.headers.get('Content-Type'), body: await input.text() });
          return new Response(
            JSON.stringify({ rows: 3, set: 1, removed: 1, errors: [{ line: 4, field: 'tag', reason: 'no tag has the code "nope"' }] }),
            { status: 200, headers: { 'Content-Type': 'application/json' } },
          );
        }
        return fake(input, init);
      }),
    );
    renderRoute(<TagsPage />);
    fireEvent.click(await screen.findByTestId('tag-import-open', undefined, T));
    const input = (await screen.findByTestId('tag-import-file', undefined, T)).closest('.ant-upload-wrapper')?.querySelector('input[type=file]') as HTMLInputElement;
    const file = new File(['customer_id,tag,value\nc1,layer,新客\n'], 'tags.csv', { type: 'text/csv' });
    fireEvent.change(input, { target: { files: [file] } });
    await waitFor(() => expect(screen.getByTestId('tag-import-run').hasAttribute('disabled')).toBe(false), T);
    fireEvent.click(screen.getByTestId('tag-import-run'));
    const report = await screen.findByTestId('tag-import-report', undefined, T);
    expect(within(report).getByText('no tag has the code "nope"')).toBeTruthy();
    expect(within(report).getByText('4')).toBeTruthy();
    expect(sent[0].type).toBe('text/csv');
    expect(sent[0].body).toBe('customer_id,tag,value\nc1,layer,新客\n');
  });

  it('offers no changes to a reader', async () => {
    fakeApi({
      'GET /me': () => ({ body: meWith(['audiences:read']) }),
      'GET /audience-tags': () => page([tagVip]),
    });
    renderRoute(<TagsPage />);
    await screen.findByText('高价值会员', undefined, T);
    expect(screen.queryByTestId('tag-create')).toBeNull();
    expect(screen.queryByTestId('tag-import-open')).toBeNull();
    expect(screen.queryByTestId('tag-archive-vip')).toBeNull();
  });
});
