/**
 * Phoenix presence's merge rules, pure (the Java client's `PresenceState`). A state maps a user id
 * (the token's `sub`) to that user's tracked connections `[{ref, meta}]`; a user with no connection
 * is not in the map.
 *
 * @import { PresenceEntry, PresenceMap } from '../types/index.js'
 */

/**
 * @typedef {{state: PresenceMap, joins: PresenceMap, leaves: PresenceMap}} Transition
 *   the state after a change, and the connections that joined and left to get there
 */

/**
 * Replaces `current` with the full state `server` sent (on a join or rejoin): connections whose ref
 * is new joined, connections whose ref is gone left — so a rejoin after a reconnect tells who came
 * and went while the client was away.
 * @param {PresenceMap} current
 * @param {PresenceMap} server
 * @returns {Transition}
 */
export function syncState(current, server) {
  /** @type {Record<string, PresenceEntry[]>} */
  const joins = {};
  /** @type {Record<string, PresenceEntry[]>} */
  const leaves = {};
  const state = copy(server);
  for (const [user, now] of Object.entries(state)) {
    const before = refsOf(current[user]);
    const joined = now.filter((p) => !before.has(p.ref));
    if (joined.length) joins[user] = joined;
  }
  for (const [user, before] of Object.entries(current)) {
    const now = refsOf(state[user]);
    const left = before.filter((p) => !now.has(p.ref));
    if (left.length) leaves[user] = left;
  }
  return { state, joins, leaves };
}

/**
 * Applies a diff: a join replaces the connection with the same ref (a re-track with new meta) or
 * adds it; a leave removes the connection with its ref (unknown refs are ignored, so a diff applied
 * twice changes nothing the second time). The transition names only what changed.
 * @param {PresenceMap} current
 * @param {PresenceMap} joins
 * @param {PresenceMap} leaves
 * @returns {Transition}
 */
export function syncDiff(current, joins, leaves) {
  /** @type {Record<string, PresenceEntry[]>} */
  const next = {};
  for (const [user, list] of Object.entries(current)) next[user] = [...list];
  /** @type {Record<string, PresenceEntry[]>} */
  const joined = {};
  /** @type {Record<string, PresenceEntry[]>} */
  const left = {};
  for (const [user, list] of Object.entries(copy(joins))) {
    const mine = next[user] || (next[user] = []);
    for (const p of list) {
      const at = mine.findIndex((q) => q.ref === p.ref);
      const same = at >= 0 && JSON.stringify(mine[at].meta) === JSON.stringify(p.meta);
      if (at >= 0) mine.splice(at, 1);
      mine.push(p);
      if (!same) (joined[user] || (joined[user] = [])).push(p);
    }
  }
  for (const [user, list] of Object.entries(copy(leaves))) {
    const mine = next[user];
    if (!mine) continue;
    for (const p of list) {
      const at = mine.findIndex((q) => q.ref === p.ref);
      if (at < 0) continue;
      (left[user] || (left[user] = [])).push(mine[at]);
      mine.splice(at, 1);
    }
    if (mine.length === 0) delete next[user];
  }
  return { state: next, joins: joined, leaves: left };
}

/**
 * Reads a presence map from a frame (untrusted): keeps users with a list of entries that have a
 * string ref; a missing or malformed map is empty.
 * @param {unknown} value
 * @returns {Record<string, PresenceEntry[]>}
 */
export function presenceMapOf(value) {
  /** @type {Record<string, PresenceEntry[]>} */
  const out = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [user, list] of Object.entries(value)) {
    if (!Array.isArray(list)) continue;
    const entries = list.filter((p) => p && typeof p.ref === 'string')
      .map((p) => ({ ref: String(p.ref), meta: p.meta && typeof p.meta === 'object' ? p.meta : {} }));
    if (entries.length) out[user] = entries;
  }
  return out;
}

/**
 * @param {PresenceMap} map
 * @returns {Record<string, PresenceEntry[]>}
 */
function copy(map) {
  /** @type {Record<string, PresenceEntry[]>} */
  const out = {};
  for (const [user, list] of Object.entries(map)) if (list.length) out[user] = [...list];
  return out;
}

/**
 * @param {readonly PresenceEntry[] | undefined} list
 * @returns {Set<string>}
 */
function refsOf(list) {
  return new Set((list || []).map((p) => p.ref));
}
