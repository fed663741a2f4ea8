/** @import { BroadcastLike, TidewireEvent } from '../types/index.js' */

/**
 * Shares selected events (credit updates by default) with the same user's other tabs over a
 * BroadcastChannel, so a tab whose own socket is down or reconnecting still shows them. Only
 * events this tab read from its own connection are shared (never re-shared), and a received
 * event is accepted only if it names the same user (the token's `sub`) and a shared type.
 */
export class CrossTab {
  /**
   * @param {(name: string) => BroadcastLike} factory opens a BroadcastChannel
   * @param {string} name channel name
   * @param {string[]} types event types shared
   * @param {(error: unknown) => void} onError
   */
  constructor(factory, name, types, onError) {
    this.factory = factory;
    this.name = name;
    this.types = types;
    this.onError = onError;
    /** @type {BroadcastLike | undefined} */
    this.channel = undefined;
  }

  /**
   * Opens the channel; `receive(event)` gets events of `userId()` from other tabs.
   * @param {() => string | undefined} userId
   * @param {(event: TidewireEvent) => void} receive
   */
  open(userId, receive) {
    try {
      this.channel = this.factory(this.name);
      this.channel.onmessage = (message) => {
        const event = accepted(message && message.data, userId(), this.types);
        if (event) receive(event);
      };
    } catch (error) {
      this.channel = undefined;
      this.onError(error);
    }
  }

  /**
   * Shares `event` (read from this tab's own connection) if its type is shared.
   * @param {string | undefined} userId
   * @param {TidewireEvent} event
   */
  share(userId, event) {
    if (!this.channel || userId === undefined || !this.types.includes(event.type)) return;
    try {
      this.channel.postMessage({
        v: 1, sub: userId,
        event: { channel: event.channel, id: event.id, type: event.type, ts: event.ts, data: event.data },
      });
    } catch (error) {
      this.onError(error);
    }
  }

  close() {
    if (!this.channel) return;
    try {
      this.channel.close();
    } catch {
      // already closed
    }
    this.channel = undefined;
  }
}

/**
 * @param {any} message as posted by another tab (untrusted)
 * @param {string | undefined} userId
 * @param {string[]} types
 * @returns {TidewireEvent | undefined}
 */
function accepted(message, userId, types) {
  if (!message || message.v !== 1 || userId === undefined || message.sub !== userId) return undefined;
  const e = message.event;
  if (!e || typeof e.channel !== 'string' || typeof e.id !== 'string' || typeof e.type !== 'string') return undefined;
  if (!types.includes(e.type)) return undefined;
  return { channel: e.channel, id: e.id, type: e.type, ts: e.ts, data: e.data ?? {} };
}
