/**
 * The app's real-time state folded from a client's events: credit balance, generation and training
 * jobs, the feed (recent updates, like/comment counts, removed items) and notifications. Framework
 * free: the React hooks read it with `useSyncExternalStore`, a vanilla page with `subscribe()`.
 *
 * State objects are immutable: every change makes a new state object and new objects for the
 * slices it touched, and keeps the others, so a selector can compare by reference.
 *
 * Events carry absolute values (balance after the change, progress reached, counts now), so applying
 * one twice, or after a snapshot that already contains it, leaves the same state.
 */

/**
 * @import {
 *   ConnectionStateName, CreditUpdate, FeedUpdate, GenerationJob, Notification, RealtimeState, Snapshot,
 *   TidewireClient, TidewireEvent, TrainingJob,
 * } from '../types/index.js'
 */

/**
 * `contentType:contentId`, the key of a feed item (as on the feed topic).
 * @param {string} contentType
 * @param {string} contentId
 * @returns {string}
 */
export function contentKey(contentType, contentId) {
  return `${contentType}:${contentId}`;
}

/** @type {RealtimeState['feed']} */
const EMPTY_FEED = Object.freeze({ updates: Object.freeze([]), latestUpdate: null, counts: Object.freeze({}), removed: Object.freeze({}) });

/**
 * @param {ConnectionStateName} connection
 * @returns {RealtimeState}
 */
function initialState(connection) {
  return Object.freeze({
    connection,
    balance: null,
    latestCreditUpdate: null,
    generationJobs: Object.freeze({}),
    trainingJobs: Object.freeze({}),
    feed: EMPTY_FEED,
    notifications: Object.freeze([]),
    unreadCount: 0,
  });
}

const FINISHED = new Set(['completed', 'failed']);

export class RealtimeStore {
  /**
   * @param {TidewireClient | null} client read through its public API only
   * @param {object} [options]
   * @param {number} [options.maxFeedUpdates] feed updates kept, newest first (default 50)
   * @param {number} [options.maxNotifications] notifications kept, newest first (default 50)
   * @param {number} [options.maxJobs] jobs kept per kind; the oldest finished ones go first (default 50)
   */
  constructor(client, { maxFeedUpdates = 50, maxNotifications = 50, maxJobs = 50 } = {}) {
    /** @private */
    this.client = client;
    /** @private */
    this.limits = { maxFeedUpdates, maxNotifications, maxJobs };
    /** @private */
    this.state = initialState(client ? client.state : 'idle');
    /** @private @type {Set<{listener: () => void}>} */
    this.listeners = new Set();
    /** @private */
    this.attachments = 0;
    /** @private @type {(() => void) | undefined} */
    this.detachClient = undefined;
    this.subscribe = this.subscribe.bind(this);
    this.getState = this.getState.bind(this);
  }

  /**
   * Starts listening to the client (reference-counted: every attach needs its detach). Returns the
   * detach function. The state is kept while detached.
   * @returns {() => void}
   */
  attach() {
    if (this.attachments++ === 0 && this.client) {
      const offs = [
        this.client.on('event', (event) => this.applyEvent(event)),
        this.client.on('snapshot', (snapshot) => this.applySnapshot(snapshot)),
        this.client.on('state', (state) => this.update({ connection: state })),
      ];
      this.detachClient = () => offs.forEach((off) => off());
      if (this.state.connection !== this.client.state) this.update({ connection: this.client.state });
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.attachments === 0 && this.detachClient) {
        this.detachClient();
        this.detachClient = undefined;
      }
    };
  }

  /** @returns {RealtimeState} */
  getState() {
    return this.state;
  }

  /**
   * Calls `listener()` after every change; returns the unsubscribe function.
   * @param {() => void} listener
   * @returns {() => void}
   */
  subscribe(listener) {
    const entry = { listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /**
   * Sets the balance the app loaded itself (the gateway sends changes, not the starting balance).
   * @param {number} balance
   */
  setBalance(balance) {
    if (typeof balance === 'number' && balance !== this.state.balance) this.update({ balance });
  }

  /** @param {string} id */
  markNotificationRead(id) {
    let changed = false;
    const notifications = this.state.notifications.map((n) => {
      if (n.id !== id || n.read) return n;
      changed = true;
      return Object.freeze({ ...n, read: true });
    });
    if (changed) this.update({ notifications: Object.freeze(notifications), unreadCount: this.state.unreadCount - 1 });
  }

  markAllNotificationsRead() {
    if (this.state.unreadCount === 0) return;
    const notifications = this.state.notifications.map((n) => (n.read ? n : Object.freeze({ ...n, read: true })));
    this.update({ notifications: Object.freeze(notifications), unreadCount: 0 });
  }

  clearNotifications() {
    if (this.state.notifications.length > 0) this.update({ notifications: Object.freeze([]), unreadCount: 0 });
  }

  clearFeedUpdates() {
    const feed = this.state.feed;
    if (feed.updates.length > 0 || feed.latestUpdate) {
      this.update({ feed: Object.freeze({ ...feed, updates: Object.freeze([]), latestUpdate: null }) });
    }
  }

  /**
   * Folds one event (as the client delivers it) into the state.
   * @param {TidewireEvent} event
   */
  applyEvent(event) {
    /** @type {any} as sent: the fields folded are checked one by one */
    const data = event.data || {};
    switch (event.type) {
      case 'generation.progress':
        if (typeof data.jobId === 'string') {
          this.update({ generationJobs: this.putJob(this.state.generationJobs, { ...data, updatedAt: event.ts }) });
        }
        break;
      case 'training.progress':
        if (typeof data.jobId === 'string') {
          this.update({ trainingJobs: this.putJob(this.state.trainingJobs, { ...data, updatedAt: event.ts }) });
        }
        break;
      case 'credits.updated': {
        const update = Object.freeze({ id: event.id, ts: event.ts, ...data, ...(event.fromOtherTab ? { fromOtherTab: true } : {}) });
        this.update({
          balance: typeof data.balance === 'number' ? data.balance : this.state.balance,
          latestCreditUpdate: update,
        });
        break;
      }
      case 'notification': {
        const id = typeof data.id === 'string' ? data.id : event.id;
        if (this.state.notifications.some((n) => n.id === id)) break;
        const notification = Object.freeze({ ...data, id, ts: event.ts, read: false });
        const notifications = [notification, ...this.state.notifications].slice(0, this.limits.maxNotifications);
        this.update({
          notifications: Object.freeze(notifications),
          unreadCount: notifications.reduce((n, x) => n + (x.read ? 0 : 1), 0),
        });
        break;
      }
      case 'feed.content_published':
      case 'feed.counts':
      case 'feed.content_removed':
        this.applyFeed(event, data);
        break;
      default:
        break; // row.<table> and types of a newer gateway: nothing to fold
    }
  }

  /**
   * Replaces balance and active jobs with a snapshot's (sent when the gateway could not resume, and
   * on a fresh subscribe of a client with `initialState`).
   * @param {Snapshot} snapshot
   */
  applySnapshot(snapshot) {
    if (!snapshot || snapshot.channel !== 'user') return;
    const data = snapshot.data || {};
    /** @type {Partial<RealtimeState>} */
    const changes = {};
    if (typeof data.balance === 'number') changes.balance = data.balance;
    /** @type {Record<string, GenerationJob>} */
    const generation = {};
    /** @type {Record<string, TrainingJob>} */
    const training = {};
    for (const job of Array.isArray(data.activeJobs) ? data.activeJobs : []) {
      if (!job || typeof job.jobId !== 'string') continue;
      if (job.kind === 'training') {
        training[job.jobId] = Object.freeze({
          jobId: job.jobId, status: job.status, progress: job.progress, step: job.step,
          totalSteps: job.totalSteps, updatedAt: job.updatedAt,
        });
      } else {
        generation[job.jobId] = Object.freeze({
          jobId: job.jobId, kind: job.generationKind, status: job.status, progress: job.progress,
          updatedAt: job.updatedAt,
        });
      }
    }
    // jobs we thought active but the snapshot does not list have finished meanwhile (outcome unknown
    // here): drop them, keep the finished ones we know, take the active ones from the snapshot
    changes.generationJobs = mergeSnapshotJobs(this.state.generationJobs, generation);
    changes.trainingJobs = mergeSnapshotJobs(this.state.trainingJobs, training);
    this.update(changes);
  }

  // ---- internals ----

  /**
   * @private
   * @param {TidewireEvent} event of a feed.* type
   * @param {any} data the event's, as sent
   */
  applyFeed(event, data) {
    if (typeof data.contentType !== 'string' || typeof data.contentId !== 'string') return;
    const key = contentKey(data.contentType, data.contentId);
    const feed = this.state.feed;
    const update = /** @type {FeedUpdate} */ ( // event.type is a feed.* type: the caller switched on it
      Object.freeze({ id: event.id, type: event.type, ts: event.ts, key, data: Object.freeze({ ...data }) }));
    let counts = feed.counts;
    let removed = feed.removed;
    if (event.type === 'feed.counts') {
      counts = Object.freeze({ ...counts, [key]: Object.freeze({ likes: data.likes ?? 0, comments: data.comments ?? 0 }) });
    } else if (event.type === 'feed.content_removed') {
      removed = Object.freeze({ ...removed, [key]: data.reason ?? 'deleted' });
    } else if (removed[key] !== undefined) {
      const { [key]: _gone, ...rest } = removed;
      removed = Object.freeze(rest);
    }
    const updates = Object.freeze([update, ...feed.updates].slice(0, this.limits.maxFeedUpdates));
    this.update({ feed: Object.freeze({ updates, latestUpdate: update, counts, removed }) });
  }

  /**
   * @private
   * @template {GenerationJob | TrainingJob} J
   * @param {Readonly<Record<string, J>>} jobs
   * @param {J} job
   * @returns {Readonly<Record<string, J>>}
   */
  putJob(jobs, job) {
    const next = { ...jobs, [job.jobId]: Object.freeze(job) };
    const ids = Object.keys(next);
    if (ids.length > this.limits.maxJobs) {
      const finished = ids.filter((id) => FINISHED.has(next[id].status))
        .sort((a, b) => (next[a].updatedAt ?? 0) - (next[b].updatedAt ?? 0));
      for (const id of finished.slice(0, ids.length - this.limits.maxJobs)) delete next[id];
    }
    return Object.freeze(next);
  }

  /**
   * @private
   * @param {Partial<RealtimeState>} changes
   */
  update(changes) {
    this.state = Object.freeze({ ...this.state, ...changes });
    for (const entry of [...this.listeners]) {
      try {
        entry.listener();
      } catch {
        // a failing view must not stop the others
      }
    }
  }
}

/**
 * @template {GenerationJob | TrainingJob} J
 * @param {Readonly<Record<string, J>>} current
 * @param {Record<string, J>} active
 * @returns {Readonly<Record<string, J>>}
 */
function mergeSnapshotJobs(current, active) {
  /** @type {Record<string, J>} */
  const next = {};
  for (const [id, job] of Object.entries(current)) {
    if (FINISHED.has(job.status)) next[id] = job;
  }
  return Object.freeze(Object.assign(next, active));
}
