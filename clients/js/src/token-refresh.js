import { Advice, adviceForError } from './codes.js';
import { readClaims, refreshAt } from './token.js';

/**
 * @import { Timers } from '../types/index.js'
 * @import { Report } from './client.js'
 * @import { Connection } from './connection.js'
 */

/**
 * The in-band token refresh of one ready connection (the Java client's `Supervisor` does the same
 * with its refresh timer): after `fraction` of the token's lifetime (never sooner than
 * `minDelayMs`), ask for a fresh token and send it with `auth`; `authenticated` schedules the next
 * one. A refused or failed refresh, or the same token again, is tried again halfway to the expiry.
 *
 * The timer may fire late in a background tab, so the connection's heartbeat tick and the host's
 * wake-up call {@link check} too: it compares the (wall-clock) due time.
 *
 * Cancelled when its connection stops being the client's current one; every callback of a fetch
 * still in flight then asks `isCurrent()` first.
 */
export class TokenRefresh {
  /**
   * @param {object} o
   * @param {Connection} o.connection
   * @param {() => Promise<string>} o.fetchToken asks the application for a token
   * @param {() => boolean} o.isCurrent whether `connection` is still the client's
   * @param {Report} o.report
   * @param {Timers} o.timers
   * @param {() => number} o.now wall clock, ms
   * @param {number} o.fraction of the lifetime after which to refresh
   * @param {number} o.minDelayMs
   */
  constructor(o) {
    this.connection = o.connection;
    this.fetchToken = o.fetchToken;
    this.isCurrent = o.isCurrent;
    this.report = o.report;
    this.timers = o.timers;
    this.now = o.now;
    this.fraction = o.fraction;
    this.minDelayMs = o.minDelayMs;
    /** @type {unknown} */
    this.timer = undefined;
    /** @type {number | undefined} when the refresh is due (wall clock); undefined: none planned */
    this.dueAt = undefined;
    /** a token was asked for or sent, and its outcome is not known yet */
    this.refreshing = false;
  }

  /** Plans the refresh of the connection's current token, from its claims (none without `exp`). */
  schedule() {
    this.cancel();
    const conn = this.connection;
    const at = refreshAt(conn.claims, conn.obtainedAt, this.fraction);
    if (at !== undefined) this.refreshIn(at - this.now());
  }

  /** If the refresh is due, asks for a fresh token and sends it with `auth`. */
  check() {
    const conn = this.connection;
    if (!conn.ready || this.refreshing || this.dueAt === undefined) return;
    if (this.now() < this.dueAt) return;
    this.refreshing = true;
    this.dueAt = undefined;
    this.fetchToken().then((token) => {
      if (!this.isCurrent()) return;
      if (token === conn.token) {
        this.refreshing = false;
        this.later();
      } else if (!conn.refresh(token, readClaims(token), this.now())) {
        this.refreshing = false;
      }
    }, (error) => {
      if (!this.isCurrent()) return;
      this.refreshing = false;
      this.report('token_failed', `the token provider failed on refresh: ${error?.message || error}`, { cause: error });
      this.later();
    });
  }

  /** The gateway accepted the token sent: plan the next refresh. */
  accepted() {
    this.refreshing = false;
    this.schedule();
  }

  /**
   * The gateway refused the token sent; tried again later unless the code is terminal.
   * @param {string} code
   * @param {string} message
   */
  refused(code, message) {
    this.refreshing = false;
    this.report('refresh_refused', `token refresh refused: ${code} ${message}`, { code });
    if (adviceForError(code) !== Advice.TERMINAL) this.later();
  }

  /** Stops the timer; nothing is planned until the next {@link schedule}. */
  cancel() {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = undefined;
  }

  /** @param {number} delay */
  refreshIn(delay) {
    const wait = Math.max(delay, this.minDelayMs);
    this.dueAt = this.now() + wait;
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.check(), wait);
  }

  /** Tries again halfway to the current token's expiry, if that is still ahead. */
  later() {
    const expMs = this.connection.claims.expMs;
    if (expMs === undefined) return;
    const left = expMs - this.now();
    if (left > 0) this.refreshIn(left / 2);
  }
}
