import { RecentIds } from './recent-ids.js';

/**
 * @import { TidewireEvent } from '../types/index.js'
 * @import { Frame } from './connection.js'
 * @import { CursorBook } from './cursors.js'
 * @import { Emitter } from './emitter.js'
 */

/**
 * Hands what the connection read to the application and moves the cursors — the Java client's
 * `Delivery` rules, plus events shared by the user's other tabs. Events go out once per
 * `(channel, id)`:
 *
 * - from the socket: an id seen from the socket before is a duplicate (dropped; the cursor stays,
 *   the duplicate's cursor may lie behind); an id first seen from another tab is not delivered
 *   again but moves the cursor (it came in order on this tab's own stream); anything else is
 *   delivered, then the cursor moves to the event's cursor, then it is shared with other tabs;
 * - from another tab: delivered once, never moves the cursor (this tab's stream must still
 *   bring it, in order, with everything around it).
 *
 * The cursor moves after the listeners returned (for snapshots too), so a cursor persisted by the
 * client never runs ahead of what the application handled.
 */
export class Delivery {
  /**
   * @param {object} o
   * @param {number} o.capacity ids remembered
   * @param {CursorBook} o.cursors
   * @param {Emitter} o.emitter the application's listeners
   * @param {(event: TidewireEvent) => void} o.share passes an event read from the socket to the other tabs
   * @param {() => number} o.now
   */
  constructor({ capacity, cursors, emitter, share, now }) {
    this.recent = new RecentIds(capacity);
    this.cursors = cursors;
    this.emitter = emitter;
    this.share = share;
    this.now = now;
    this.delivered = 0;
    this.duplicates = 0;
    this.fromPeers = 0;
    this.snapshots = 0;
    /** @type {number | undefined} */
    this.lastEventAt = undefined;
  }

  /**
   * An `event` frame (with a string channel, id and type) read from this client's own connection.
   * @param {Frame} frame
   */
  event(frame) {
    /** @type {TidewireEvent} */
    const event = {
      channel: frame.channel, id: frame.id, type: frame.type, cursor: frame.cursor,
      ts: typeof frame.ts === 'number' ? frame.ts : undefined, data: frame.data ?? {},
    };
    if (this.socket(event)) this.share(event);
  }

  /**
   * A `snapshot` frame: the application gets it, then the channel's cursor moves to it.
   * @param {Frame} frame
   */
  snapshot(frame) {
    const channel = typeof frame.channel === 'string' ? frame.channel : 'user';
    this.snapshots++;
    this.emitter.emit('snapshot', { channel, cursor: frame.cursor, data: frame.data ?? {} });
    this.cursors.snapshotHandled(channel, frame.cursor);
  }

  /**
   * A `subscribed` frame: the cursor (`recovered: false` adopts the reply's), then the application.
   * @param {Frame} frame
   */
  subscribed(frame) {
    const recovered = frame.recovered === true;
    this.cursors.subscribed(frame.channel, recovered, frame.cursor);
    this.emitter.emit('subscribed', { channel: frame.channel, recovered, cursor: frame.cursor });
  }

  /**
   * An event read from this client's own connection; returns whether it was delivered.
   * @param {TidewireEvent} event
   * @returns {boolean}
   */
  socket(event) {
    const key = keyOf(event);
    const seen = this.recent.get(key);
    if (seen === 'socket') {
      this.duplicates++;
      return false;
    }
    if (seen === 'peer') {
      this.recent.set(key, 'socket');
      this.cursors.eventHandled(event.channel, event.cursor);
      return false;
    }
    this.hand(event);
    this.recent.set(key, 'socket');
    this.cursors.eventHandled(event.channel, event.cursor);
    return true;
  }

  /**
   * An event another tab of the same user received; returns whether it was delivered.
   * @param {TidewireEvent} event
   * @returns {boolean}
   */
  peer(event) {
    const key = keyOf(event);
    if (this.recent.get(key) !== undefined) return false;
    this.fromPeers++;
    this.hand({ ...event, cursor: undefined, fromOtherTab: true });
    this.recent.set(key, 'peer');
    return true;
  }

  /** @param {TidewireEvent} event */
  hand(event) {
    this.delivered++;
    this.lastEventAt = this.now();
    this.emitter.emit('event', event);
  }
}

/**
 * @param {TidewireEvent} event
 * @returns {string}
 */
function keyOf(event) {
  return `${event.channel}\u0000${event.id}`;
}
