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

// jsdom computes a style by matching the element against every rule of every
// stylesheet, and antd's CSS-in-JS injects dozens of large ones: a call took about
// 150 ms, and Testing Library calls it for every element a role query looks at
// (is it hidden?). The tests need only what hides an element, so the console's
// tests see an element's inline style, with display "none" for antd's "*-hidden"
// classes (closed dropdowns, tooltips, pickers); pseudo-elements are not styled.
window.getComputedStyle = (elt: Element) => {
  const inline = (elt as HTMLElement).style ?? document.createElement('div').style;
  const hiddenByClass = Array.from(elt.classList ?? []).some((c) => c.endsWith('-hidden'));
  return new Proxy(inline, {
    get(target, prop) {
      if (hiddenByClass && prop === 'display') return 'none';
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

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
