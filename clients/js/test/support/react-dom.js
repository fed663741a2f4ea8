/**
 * A real React renderer for hook tests: react-dom's concurrent root on happy-dom's DOM. Call
 * `useReactDom()` at the top of a test file; it registers the DOM before the tests and removes it
 * after, and returns the helpers (filled in once `before` ran).
 */
import { before, after } from 'node:test';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import { flush } from './fakes.js';

export function useReactDom() {
  const dom = {
    React: /** @type {any} */ (undefined),
    act: /** @type {any} */ (undefined),
    hooks: /** @type {any} */ (undefined),
    h: (...args) => dom.React.createElement(...args),
    /** Renders `element` into a fresh container; returns it with rerender and unmount. */
    async render(element) {
      const container = document.createElement('div');
      document.body.appendChild(container);
      const root = dom.createRoot(container);
      await dom.act(async () => root.render(element));
      return {
        container,
        text: (id) => container.querySelector(`[data-t="${id}"]`)?.textContent,
        rerender: (next) => dom.act(async () => root.render(next)),
        unmount: () => dom.act(async () => root.unmount()),
      };
    },
    /** Runs server-side actions inside act() so React flushes the resulting renders. */
    async server(fn) {
      await dom.act(async () => {
        fn();
        await flush();
      });
    },
    createRoot: /** @type {any} */ (undefined),
  };
  before(async () => {
    GlobalRegistrator.register();
    globalThis.IS_REACT_ACT_ENVIRONMENT = true;
    dom.React = await import('react');
    dom.act = dom.React.act;
    ({ createRoot: dom.createRoot } = await import('react-dom/client'));
    dom.hooks = await import('../../src/react/index.js');
  });
  after(async () => {
    await GlobalRegistrator.unregister();
  });
  return dom;
}
