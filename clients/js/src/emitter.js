/** @import { ClientEvents } from '../types/index.js' */

/**
 * Named listener sets. A listener that throws does not stop the others; `onListenerError` hears
 * about it (except for `error` listeners, so that a throwing error listener cannot loop).
 */
export class Emitter {
  /** @param {(name: string, error: unknown) => void} onListenerError */
  constructor(onListenerError = () => {}) {
    /** @type {Map<string, Set<{listener: (value: any) => void}>>} */
    this.listeners = new Map();
    this.onListenerError = onListenerError;
  }

  /**
   * Adds `listener` for `name`; returns the function that removes it (idempotent).
   * @template {keyof ClientEvents} K
   * @param {K} name
   * @param {(value: ClientEvents[K]) => void} listener
   * @returns {() => void}
   */
  on(name, listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    // wrap, so the same function added twice is called twice and removed once per handle
    const entry = { listener };
    set.add(entry);
    return () => set.delete(entry);
  }

  /**
   * Calls every listener of `name` with `value`, in the order they were added.
   * @template {keyof ClientEvents} K
   * @param {K} name
   * @param {ClientEvents[K]} value
   */
  emit(name, value) {
    const set = this.listeners.get(name);
    if (!set || set.size === 0) return;
    for (const entry of [...set]) {
      if (!set.has(entry)) continue; // removed by an earlier listener of this emit
      try {
        entry.listener(value);
      } catch (error) {
        if (name !== 'error') this.onListenerError(name, error);
      }
    }
  }
}
