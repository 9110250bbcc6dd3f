import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { brands, categories } from '../test/fixtures';
import { fakeApi, page, renderRoute } from '../test/render';
import CategoriesPage from './CategoriesPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CategoriesPage', () => {
  it('shows the tree and the products of the selected category', async () => {
    const calls = fakeApi({
      'GET /categories': () => page(categories),
      'GET /brands': () => page(brands),
      'GET /products': (c) =>
        page(
          c.query.get('category_id') === 'c1'
            ? [{ id: 'p1', code: 'P001', name: '红富士苹果', category_id: 'c2', brand_id: null, unit: 'each', status: 'active', sku_count: 2 }]
            : [],
        ),
    });
    renderRoute(<CategoriesPage />);
    expect(await screen.findByText('生鲜')).toBeTruthy();
    expect(screen.getByText('水果')).toBeTruthy();
    expect(calls.find((c) => c.path === '/categories')?.query.get('limit')).toBe('1000');

    fireEvent.click(screen.getByText('生鲜'));
    expect(await screen.findByText('红富士苹果')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByText('水果').length).toBeGreaterThan(1));
  });
});
