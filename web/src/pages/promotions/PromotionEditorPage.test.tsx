import { configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CartPriceResponse, Promotion } from '../../api/types';
import { brands, categories, regions, stores } from '../../test/fixtures';
import { fakeApi, page, renderRoute, type FakeHandler } from '../../test/render';
import PromotionEditorPage from './PromotionEditorPage';

// antd pages render slowly in jsdom on a busy machine: wait longer than the 1 s default.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  vi.unstubAllGlobals();
});

const common: Record<string, FakeHandler> = {
  'GET /brands': () => page(brands),
  'GET /regions': () => page(regions),
  'GET /categories': () => page(categories),
  'GET /stores': () => page(stores),
  'GET /skus': () => page([]),
  'GET /promotions': () => page([]),
};

/** typeInto replaces an input's text and leaves the field, as a user does. */
function typeInto(input: HTMLElement, value: string) {
  fireEvent.focus(input);
  fireEvent.change(input, { target: { value } });
  fireEvent.blur(input);
}

/** moneyInput finds the <input> of a MoneyInput by its test id. */
function moneyInput(testId: string): HTMLInputElement {
  const el = screen.getByTestId(testId);
  return (el.tagName === 'INPUT' ? el : el.querySelector('input')) as HTMLInputElement;
}

function saved(body: { code: string; name: string; definition: Promotion['definition'] }): Promotion {
  return {
    id: 'p1',
    status: 'draft',
    effective_status: 'draft',
    limits: {},
    usage: { discount_fen: 0, uses: 0 },
    created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z', ...body };
}

// The editor is a large antd form: slow to render in jsdom on a busy machine.
describe('PromotionEditorPage', { timeout: 120_000 }, () => {
  it('creates a 满减 promotion with two tiers and sends exactly that definition', async () => {
    const calls = fakeApi({
      ...common,
      'POST /promotions': (c) => ({ status: 201, body: saved(c.body as never) }),
    });
    const { router } = renderRoute(<PromotionEditorPage />, { path: '/promotions/new' });

    typeInto(await screen.findByTestId('promotion-code'), 'MJ-WEEKEND');
    typeInto(screen.getByTestId('promotion-name'), '周末满减');
    fireEvent.click(screen.getByTestId('tier-add'));
    await waitFor(() => expect(screen.getAllByTestId('threshold-tier')).toHaveLength(2));
    typeInto(moneyInput('tier-1-spend'), '200');
    typeInto(moneyInput('tier-1-off'), '30');
    // The summary speaks the merchandiser's language.
    await waitFor(() => expect(screen.getByTestId('editor-summary').textContent).toContain('满100减10 · 满200减30'));

    fireEvent.click(screen.getByTestId('editor-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/promotions')).toBe(true));
    const post = calls.find((c) => c.method === 'POST' && c.path === '/promotions')!;
    expect(post.body).toEqual({
      code: 'MJ-WEEKEND',
      name: '周末满减',
      definition: {
        kind: 'threshold',
        scope: { all: true },
        conditions: {},
        threshold: {
          tiers: [
            { spend: 10000, off: 1000 },
            { spend: 20000, off: 3000 },
          ],
        },
      },
    });
    await waitFor(() => expect(router.state.location.pathname).toBe('/promotions/p1'));
  });

  it('reads typed dates in the tenant zone, an end day as the whole day, and says when a typed date is not understood', async () => {
    const calls = fakeApi({
      ...common,
      'GET /pricing-settings': () => ({ body: { item_stacking: 'one_per_unit', time_zone: 'Asia/Shanghai' } }),
      'POST /promotions': (c) => ({ status: 201, body: saved(c.body as never) }),
    });
    renderRoute(<PromotionEditorPage />, { path: '/promotions/new' });
    typeInto(await screen.findByTestId('promotion-code'), 'NEWYEAR');
    typeInto(screen.getByTestId('promotion-name'), '跨年满减');
    const dateInput = (testId: string) => screen.getByTestId(testId).querySelector('input') ?? (screen.getByTestId(testId) as HTMLInputElement);

    typeInto(dateInput('cond-start'), '下周一');
    await waitFor(() => expect(screen.getByTestId('cond-start-help').textContent).toContain('无法识别“下周一”'));
    typeInto(dateInput('cond-start'), '2026-12-24 18:00');
    await waitFor(() => expect(screen.getByTestId('cond-start-help').textContent).toBe('从 2026-12-24 18:00（Asia/Shanghai）起生效'));
    typeInto(dateInput('cond-end'), '2026-12-31');
    await waitFor(() => expect(screen.getByTestId('cond-end-help').textContent).toContain('到 2027-01-01 00:00（Asia/Shanghai）结束'));

    fireEvent.click(screen.getByTestId('editor-save'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/promotions')).toBe(true));
    const post = calls.find((c) => c.method === 'POST' && c.path === '/promotions')!;
    const conditions = (post.body as { definition: Promotion['definition'] }).definition.conditions;
    expect(conditions).toMatchObject({ start: '2026-12-24T10:00:00.000Z', end: '2026-12-31T16:00:00.000Z' });
  });

  it('shows a server validation error under the field it names', async () => {
    fakeApi({
      ...common,
      'POST /promotions': () => ({
        status: 422,
        body: {
          title: 'Unprocessable Entity',
          status: 422,
          detail: 'validation failed',
          errors: [{ location: 'body.definition.threshold.tiers[1].off', message: 'a higher tier must save more than tier 0' }],
        },
      }),
    });
    renderRoute(<PromotionEditorPage />, { path: '/promotions/new' });
    typeInto(await screen.findByTestId('promotion-code'), 'BAD');
    typeInto(screen.getByTestId('promotion-name'), '错误的满减');
    fireEvent.click(screen.getByTestId('tier-add'));
    await waitFor(() => expect(screen.getAllByTestId('threshold-tier')).toHaveLength(2));
    typeInto(moneyInput('tier-1-spend'), '200');
    typeInto(moneyInput('tier-1-off'), '5');
    fireEvent.click(screen.getByTestId('editor-save'));

    const tier = (await screen.findAllByTestId('threshold-tier'))[1];
    await waitFor(() => expect(within(tier).getByText('a higher tier must save more than tier 0')).toBeTruthy());
    // Only that field is marked, not the first tier.
    expect(within(screen.getAllByTestId('threshold-tier')[0]).queryByText('a higher tier must save more than tier 0')).toBeNull();
  });

  it('edits a stored promotion and previews a sample cart against it', async () => {
    const stored: Promotion = {
      ...saved({
        code: 'MJ',
        name: '满100减10',
        definition: { kind: 'threshold', scope: { all: true }, conditions: {}, threshold: { tiers: [{ spend: 10000, off: 1000 }] } },
      }),
      limits: { budget_fen: 100000, max_uses: null, max_uses_per_customer: null },
    };
    const priced: CartPriceResponse = {
      lines: [{ id: 'L1', sku: 'k1', unit: 'each', qty: 2, unit_price: 6000, amount: 12000, discount: 1000, net: 11000, allocations: [{ promotion_id: 'p1', amount: 1000 }] }],
      subtotal: 12000,
      discount: 1000,
      total: 11000,
      applied: [{ promotion_id: 'p1', name: '满100减10', kind: 'threshold', level: 'order', discount: 1000, lines: [{ line_id: 'L1', amount: 1000 }], basis: [], message: 'spent ¥120.00', promotion: {} }],
      rejected: [],
      hints: [],
      combinations: 1,
      truncated: false,
      decomposed: false,
      delivery_fee: 0,
      delivery_discount: 0,
      delivery_net: 0,
      payable: 11000,
    };
    const calls = fakeApi({
      ...common,
      'GET /promotions/p1': () => ({ body: stored }),
      'PATCH /promotions/p1': (c) => ({ body: { ...stored, ...(c.body as object) } }),
      'GET /skus': () =>
        page([{ id: 'k1', product_id: 'pr1', code: 'A1', name: '苹果礼盒', barcodes: [], unit: 'each', list_price_fen: 6000, cost_fen: 4000, status: 'active' }]),
      'GET /products/pr1': () => ({ body: { id: 'pr1', code: 'P', name: '苹果', category_id: 'c2', brand_id: 'b1', unit: 'box', status: 'active', sku_count: 1, skus: [] } }),
      'POST /promotions/p1/preview': () => ({ body: priced }),
    });
    renderRoute(<PromotionEditorPage />, { path: '/promotions/:id', url: '/promotions/p1' });
    expect(await screen.findByDisplayValue('满100减10')).toBeTruthy();
    expect(moneyInput('limit-budget').value).toBe('1000.00');

    const add = within(screen.getByTestId('cart-add-sku')).getByRole('combobox');
    fireEvent.mouseDown(add);
    fireEvent.click((await screen.findAllByTitle('A1 苹果礼盒', {}, { timeout: 10_000 })).at(-1)!);
    await waitFor(() => expect(within(screen.getByTestId('cart-lines')).getByText('A1 苹果礼盒')).toBeTruthy());
    typeInto(screen.getByTestId('cart-qty-L1'), '2');

    fireEvent.click(screen.getByTestId('preview-run'));
    await waitFor(() => expect(screen.getByTestId('cart-discount').textContent).toContain('-¥10.00'));
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect((patch.body as { limits: unknown }).limits).toEqual({ budget_fen: 100000, max_uses: null, max_uses_per_customer: null });
    const preview = calls.find((c) => c.path === '/promotions/p1/preview')!;
    expect((preview.body as { lines: unknown }).lines).toEqual([
      { id: 'L1', sku: 'k1', unit: 'each', qty: 2, unit_price: 6000, category: 'c2', brand: 'b1' },
    ]);
  });
});
