/** @import { CursorStorage } from '../types/index.js' */

/**
 * Per channel, the position to resume from — the same rules as the Java client's `Cursors`:
 *
 * - an event handled moves its channel's cursor to the event's cursor (a duplicate does not);
 * - `subscribed` with `recovered: true` keeps the cursor (the replay starts right after it);
 * - `subscribed` with `recovered: false` adopts the reply's cursor (the old one was unusable or
 *   absent; delivery starts there);
 * - a snapshot handled moves the cursor to the snapshot's cursor.
 *
 * Optionally persisted in a storage (`localStorage`, or anything with getItem/setItem/removeItem,
 * synchronous or returning promises, e.g. React Native's AsyncStorage) under one key per user, so a
 * reloaded page resumes where it stopped. Writes go through on every change: a cursor that was not
 * stored could only make the next run see events again, but a stored cursor must never run ahead of
 * what the application handled, and it never does (it is written after the listeners returned).
 */
export class CursorBook {
  /**
   * @param {object} [options]
   * @param {Record<string,string>} [options.initial] cursors the application passed in
   * @param {CursorStorage | null} [options.storage] where to persist, or null
   * @param {string} [options.keyPrefix] storage key prefix; the user id (token `sub`) is appended
   * @param {(error: unknown) => void} [options.onStorageError]
   */
  constructor({ initial = {}, storage = null, keyPrefix = 'tidewire.cursors', onStorageError = () => {} } = {}) {
    this.initial = { ...initial };
    this.byChannel = new Map(Object.entries(initial));
    this.storage = storage;
    this.keyPrefix = keyPrefix;
    this.onStorageError = onStorageError;
    /** @type {string | undefined} the storage key of the current user */
    this.key = undefined;
    /** @type {string | undefined} the user whose cursors are loaded ('' for a token without `sub`) */
    this.loadedFor = undefined;
  }

  /**
   * Switches to the cursors stored for `userId` (once per user; later calls for the same user do
   * nothing). Cursors passed in `initial` win over stored ones. Resolves when loaded.
   * @param {string|undefined} userId
   */
  async useUser(userId) {
    const id = userId ?? '';
    if (this.loadedFor === id) return;
    const switching = this.loadedFor !== undefined;
    this.loadedFor = id;
    this.key = id ? `${this.keyPrefix}:${id}` : this.keyPrefix;
    if (switching) {
      // another user's cursors are useless (the gateway would answer recovered:false)
      this.byChannel = new Map();
    }
    if (!this.storage) return;
    let stored;
    try {
      const raw = await this.storage.getItem(this.key);
      stored = raw ? JSON.parse(raw) : undefined;
    } catch (error) {
      this.onStorageError(error);
      return;
    }
    if (this.loadedFor !== id || !stored || typeof stored !== 'object') return;
    for (const [channel, cursor] of Object.entries(stored)) {
      if (typeof cursor === 'string' && !this.byChannel.has(channel)) this.byChannel.set(channel, cursor);
    }
  }

  /**
   * The cursor to resume `channel` from, or undefined.
   * @param {string} channel
   * @returns {string | undefined}
   */
  get(channel) {
    return this.byChannel.get(channel);
  }

  /**
   * Every channel's cursor, as a plain object.
   * @returns {Record<string, string>}
   */
  all() {
    return Object.fromEntries(this.byChannel);
  }

  /**
   * An event of `channel` was handled.
   * @param {string} channel
   * @param {unknown} cursor the event's, if any
   */
  eventHandled(channel, cursor) {
    if (typeof cursor === 'string') this.set(channel, cursor);
  }

  /**
   * The gateway confirmed a subscription.
   * @param {string} channel
   * @param {boolean} recovered
   * @param {unknown} cursor the reply's
   */
  subscribed(channel, recovered, cursor) {
    if (!recovered && typeof cursor === 'string') this.set(channel, cursor);
  }

  /**
   * A snapshot of `channel` was handled.
   * @param {string} channel
   * @param {unknown} cursor the snapshot's
   */
  snapshotHandled(channel, cursor) {
    if (typeof cursor === 'string') this.set(channel, cursor);
  }

  /**
   * Forgets `channel`'s cursor (e.g. one the gateway refused as malformed).
   * @param {string} channel
   */
  forget(channel) {
    if (this.byChannel.delete(channel)) this.persist();
  }

  /** Forgets every cursor, and the stored ones of the current user. */
  clear() {
    this.byChannel.clear();
    if (this.storage && this.key) {
      try {
        Promise.resolve(this.storage.removeItem(this.key)).catch(this.onStorageError);
      } catch (error) {
        this.onStorageError(error);
      }
    }
  }

  /**
   * @param {string} channel
   * @param {string} cursor
   */
  set(channel, cursor) {
    if (this.byChannel.get(channel) === cursor) return;
    this.byChannel.set(channel, cursor);
    this.persist();
  }

  persist() {
    if (!this.storage || !this.key) return;
    try {
      Promise.resolve(this.storage.setItem(this.key, JSON.stringify(this.all()))).catch(this.onStorageError);
    } catch (error) {
      this.onStorageError(error); // quota exceeded, private mode: keep going in memory
    }
  }
}
