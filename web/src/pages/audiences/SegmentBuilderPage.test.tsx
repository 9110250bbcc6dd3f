import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, page, renderRoute, type FakeCall, type FakeHandler } from '../../test/render';
import { meWith } from '../customers/fixtures';
import { portrait, segment, tagLayer, tagVip } from './fixtures';
import SegmentBuilderPage from './SegmentBuilderPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const T = { timeout: 20_000 };

function api(extra: Record<string, FakeHandler> = {}) {
  return fakeApi({
    'GET /me': () => ({ body: meWith(['audiences:read', 'audiences:write', 'catalog:read']) }),
    'GET /audience-tags': () => page([tagVip, tagLayer]),
    'GET /audience-segments': () => page([segment]),
    'GET /categories': () => page([{ id: 'cat1', code: 'infant_formula', name: '婴幼儿奶粉', level: 1 }]),
    'POST /audience-segments/preview': () => ({ body: { count: 400, base: 10000, text: 'orders(30d) >= 1', elapsed_ms: 0.42 } }),
    'POST /audience-segments/preview/portrait': () => ({ body: portrait }),
    ...extra,
  });
}

const previews = (calls: FakeCall[]) => calls.filter((c) => c.method === 'POST' && c.path === '/audience-segments/preview');

async function addCondition(label: string, groupIndex = 0) {
  fireEvent.click(screen.getAllByTestId('add-condition')[groupIndex]);
  const items = await screen.findAllByRole('menuitem', { name: label }, T);
  fireEvent.click(items[items.length - 1]);
}

// The builder tests click through many antd controls; give them room on a busy machine.
describe('SegmentBuilderPage', { timeout: 120_000 }, () => {
  it('builds nested conditions into the JSON form and counts each change live', async () => {
    const calls = api();
    renderRoute(<SegmentBuilderPage />);
    await screen.findByTestId('builder-root', undefined, T);
    expect(previews(calls)).toHaveLength(0);

    await addCondition('下单次数');
    await waitFor(() => expect(previews(calls)).toHaveLength(1), T);
    expect(previews(calls)[0].body).toEqual({ definition: { op: 'and', conditions: [{ op: '>=', field: 'orders:30d', value: 1 }] } });
    expect((await screen.findByTestId('preview-count', undefined, T)).textContent).toContain('400');
    expect(screen.getByTestId('preview-base').textContent).toContain('10,000');
    expect(screen.getByTestId('preview-base').textContent).toContain('0.42 ms');

    // A nested OR group with spend (yuan in the form, fen in JSON) under a NOT.
    fireEvent.click(screen.getByTestId('add-group'));
    const group = await screen.findByTestId('builder-group', undefined, T);
    fireEvent.click(within(group).getByTestId('group-op').querySelectorAll('label')[1]);
    await addCondition('消费金额', 1);
    await addCondition('距上次下单天数', 1);
    fireEvent.click(within(screen.getByTestId('builder-group')).getByTestId('group-not'));
    await waitFor(
      () =>
        expect(previews(calls).at(-1)?.body).toEqual({
          definition: {
            op: 'and',
            conditions: [
              { op: '>=', field: 'orders:30d', value: 1 },
              {
                op: 'not',
                condition: {
                  op: 'or',
                  conditions: [
                    { op: '>=', field: 'spend_fen:90d', value: 10000 },
                    { op: '>', field: 'days_since:last_order_day', value: 30 },
                  ],
                },
              },
            ],
          },
        }),
      T,
    );
    // The portrait compares the segment with the base, city by city (all 21).
    await screen.findByTestId('portrait-city', undefined, T);
    expect(screen.getByTestId('portrait-gender')).toBeTruthy();
    expect(calls.some((c) => c.path === '/audience-segments/preview/portrait')).toBe(true);

    // The text tab starts from the canonical text of what was built.
    fireEvent.click(screen.getByRole('tab', { name: '文本' }));
    await waitFor(() => expect((screen.getByTestId('segment-text') as HTMLTextAreaElement).value).toBe('orders(30d) >= 1'), T);
  });

  it('shows a 422 on the condition it names and a text error under the text', async () => {
    const calls = api({
      'POST /audience-segments/preview': (call) => {
        const body = call.body as { definition?: { conditions?: unknown[] }; text?: string };
        if (body.text !== undefined) {
          return {
            status: 422,
            body: { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors: [{ location: 'body.text', message: 'column 9: expected a window' }] },
          };
        }
        if ((body.definition?.conditions?.length ?? 0) >= 2) {
          return {
            status: 422,
            body: {
              title: 'Unprocessable Entity',
              status: 422,
              detail: 'validation failed',
              errors: [{ location: 'body.definition', message: 'conditions[1].field: unknown field "events::30d"' }],
            },
          };
        }
        return { body: { count: 7, base: 10, text: 'orders(30d) >= 1', elapsed_ms: 0.1 } };
      },
    });
    renderRoute(<SegmentBuilderPage />);
    await screen.findByTestId('builder-root', undefined, T);
    await addCondition('下单次数');
    await waitFor(() => expect(previews(calls)).toHaveLength(1), T);
    await addCondition('行为事件');
    // The event type is still empty: nothing is sent for it.
    await new Promise((r) => setTimeout(r, 600));
    expect(previews(calls)).toHaveLength(1);
    const event = within(screen.getAllByTestId('builder-cond')[1]).getByTestId('cond-event');
    fireEvent.change(event.querySelector('input') ?? event, { target: { value: 'wechat_open' } });
    const conds = screen.getAllByTestId('builder-cond');
    await waitFor(() => expect(within(conds[1]).getByTestId('node-error').textContent).toBe('unknown field "events::30d"'), T);
    expect(within(conds[0]).queryByTestId('node-error')).toBeNull();

    fireEvent.click(screen.getByRole('tab', { name: '文本' }));
    fireEvent.change(await screen.findByTestId('segment-text', undefined, T), { target: { value: 'orders(3) >= 1' } });
    fireEvent.click(screen.getByTestId('segment-text-apply'));
    await waitFor(() => expect(previews(calls).at(-1)?.body).toEqual({ text: 'orders(3) >= 1' }), T);
    const msg = await screen.findByText('column 9: expected a window', undefined, T);
    expect(msg.closest('.ant-form-item')?.querySelector('[data-testid=segment-text]')).toBeTruthy();
  });

  it('saves as a segment and shows the server’s field error on the code', async () => {
    const calls = api({
      'POST /audience-segments': (call) =>
        (call.body as { code: string }).code === 'taken'
          ? {
              status: 422,
              body: { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors: [{ location: 'body.code', message: 'the code is taken' }] },
            }
          : { status: 201, body: { ...segment, id: 's9' } },
    });
    const { router } = renderRoute(<SegmentBuilderPage />);
    await screen.findByTestId('builder-root', undefined, T);
    await addCondition('下单次数');
    fireEvent.click(screen.getByTestId('segment-save-open'));
    fireEvent.change(await screen.findByTestId('segment-code', undefined, T), { target: { value: 'taken' } });
    fireEvent.change(screen.getByTestId('segment-name'), { target: { value: '活跃客户' } });
    fireEvent.click(screen.getByTestId('segment-save'));
    const msg = await screen.findByText('the code is taken', undefined, T);
    expect(msg.closest('.ant-form-item')?.querySelector('[data-testid=segment-code]')).toBeTruthy();
    const post = calls.find((c) => c.method === 'POST' && c.path === '/audience-segments');
    expect(post?.body).toEqual({
      code: 'taken',
      name: '活跃客户',
      definition: { op: 'and', conditions: [{ op: '>=', field: 'orders:30d', value: 1 }] },
    });
    fireEvent.change(screen.getByTestId('segment-code'), { target: { value: 'active_buyers' } });
    fireEvent.click(screen.getByTestId('segment-save'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/audiences/segments/s9'), T);
  });

  it('opens a saved segment in the builder and saves changes with PATCH', async () => {
    const calls = api({
      'GET /audience-segments/s1': () => ({ body: segment }),
      'PATCH /audience-segments/s1': () => ({ body: segment }),
    });
    renderRoute(<SegmentBuilderPage />, { path: '/audiences/segments/:id/edit', url: '/audiences/segments/s1/edit' });
    await screen.findByText('编辑人群：母婴高潜', undefined, T);
    expect(screen.getAllByTestId('builder-cond')).toHaveLength(2);
    await waitFor(() => expect(previews(calls)[0]?.body).toEqual({ definition: segment.definition }), T);
    fireEvent.click(screen.getByTestId('segment-save-open'));
    expect((await screen.findByTestId('segment-code', undefined, T)).hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByTestId('segment-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true), T);
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      name: '母婴高潜',
      description: '近 90 天买过奶粉',
      definition: segment.definition,
    });
  });
});
