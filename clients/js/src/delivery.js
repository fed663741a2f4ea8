import { RecentIds } from './recent-ids.js';

/**
 * Hands events to the application once per `(channel, id)` and moves the cursors — the Java
 * client's `Delivery` rules, plus events shared by the user's other tabs:
 *
 * - from the socket: an id seen from the socket before is a duplicate (dropped; the cursor stays,
 *   the duplicate's cursor may lie behind); an id first seen from another tab is not delivered
 *   again but moves the cursor (it came in order on this tab's own stream); anything else is
 *   delivered, then the cursor moves to the event's cursor;
 * - from another tab: delivered once, never moves the cursor (this tab's stream must still
 *   bring it, in order, with everything around it).
 *
 * The cursor moves after the listeners returned, so a cursor persisted by the client never runs
 * ahead of what the application handled.
 */
export class Delivery {
  /**
   * @param {object} o
   * @param {number} o.capacity ids remembered
   * @param {import('./cursors.js').CursorBook} o.cursors
   * @param {(event: object) => void} o.emit calls the application's listeners
   * @param {() => number} o.now
   */
  constructor({ capacity, cursors, emit, now }) {
    this.recent = new RecentIds(capacity);
    this.cursors = cursors;
    this.emit = emit;
    this.now = now;
    this.delivered = 0;
    this.duplicates = 0;
    this.fromPeers = 0;
    this.lastEventAt = undefined;
  }

  /** An event read from this client's own connection; returns whether it was delivered. */
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

  /** An event another tab of the same user received; returns whether it was delivered. */
  peer(event) {
    const key = keyOf(event);
    if (this.recent.get(key) !== undefined) return false;
    this.fromPeers++;
    this.hand({ ...event, cursor: undefined, fromOtherTab: true });
    this.recent.set(key, 'peer');
    return true;
  }

  hand(event) {
    this.delivered++;
    this.lastEventAt = this.now();
    this.emit(event);
  }
}

function keyOf(event) {
  return `${event.channel}\u0000${event.id}`;
}
