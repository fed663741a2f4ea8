/** @typedef {'socket' | 'peer'} Origin where an event was first seen: this tab's socket, or another tab */

/**
 * A bounded LRU map of recently handled event keys (`channel` + id) to where the event came from
 * (`'socket'` or `'peer'`, another tab). A key looked up or set again becomes the most recent; when
 * full, setting a new key evicts the least recent. Used to drop duplicates: the gateway delivers at
 * least once, and a replay may resend events around a reconnect.
 */
export class RecentIds {
  /** @param {number} capacity how many keys to remember, >= 1 */
  constructor(capacity) {
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, was ${capacity}`);
    this.capacity = capacity;
    /** @type {Map<string, Origin>} in use order, the least recent first */
    this.map = new Map();
  }

  /**
   * The origin remembered for `key`, or undefined; a hit makes it the most recent.
   * @param {string} key
   * @returns {Origin | undefined}
   */
  get(key) {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  /**
   * Remembers `key` (as the most recent) with `origin`.
   * @param {string} key
   * @param {Origin} origin
   */
  set(key, origin) {
    this.map.delete(key);
    this.map.set(key, origin);
    if (this.map.size > this.capacity) {
      this.map.delete(/** @type {string} */ (this.map.keys().next().value));
    }
  }

  get size() {
    return this.map.size;
  }
}
