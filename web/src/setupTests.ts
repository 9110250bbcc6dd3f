// jsdom lacks a few browser APIs that antd and ECharts use.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import './i18n';

if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    configurable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
}

if (!('ResizeObserver' in window)) {
  class ResizeObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(window, 'ResizeObserver', { writable: true, configurable: true, value: ResizeObserver });
  Object.defineProperty(globalThis, 'ResizeObserver', { writable: true, configurable: true, value: ResizeObserver });
}

// antd reads computed styles for scrollbars; jsdom does not implement pseudo-elements.
const getComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (elt: Element) => getComputedStyle(elt);

// zrender measures text on a 2D canvas when it can; jsdom has none, and
// zrender falls back to estimates when getContext returns null.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

// jsdom does no layout, so every element is 0×0 and ECharts refuses to draw.
// Give the chart containers (class "or-chart") a size.
for (const [prop, size] of [
  ['clientWidth', 600],
  ['clientHeight', 300],
] as const) {
  const original = Object.getOwnPropertyDescriptor(Element.prototype, prop)!;
  Object.defineProperty(HTMLElement.prototype, prop, {
    configurable: true,
    get(this: HTMLElement) {
      return this.closest('.or-chart') ? size : original.get!.call(this);
    },
  });
}

afterEach(() => {
  cleanup();
});
