// Tidewire realtime demo: vanilla JS on @tidewire/client (plain ES modules, no bundler).
//
// Demo-only endpoints of `tidewire demo` (they do not exist outside demo mode):
//   GET  /demo/users             → [{ id, name, credits? }]
//   POST /demo/token?user=<id>   → { token, expiresAt }
//   POST /demo/comment?user=<id>&contentType=&contentId=&body= → writes a comment (the comment box)
// URL parameters: ?user=<name|id> picks a user, ?gateway=ws://host:port/v1/realtime overrides the
// WebSocket endpoint (default: this page's host).
//
// Presence and typing (broadcast channels, docs/PROTOCOL.md): the page joins `room:lobby` and tracks
// the user's name there ("who is online", top right); every post shown joins `item:<type>:<id>`,
// where typing in its comment box sends debounced `typing` broadcasts and others' show as
// "… is typing" (the simulator's users type there before they comment). The same rules as the React
// hook `useTypingIndicator`: at most one `typing: true` per 2 s, `typing: false` after 3 s idle or on
// Enter, others shown until their `typing: false` or 5 s after their last `typing: true`.
//
// The page asks for the user's state when it subscribes (initialState: the gateway sends a snapshot
// of the balance and unfinished jobs before any event), so the credits and jobs panels are filled
// at once. It keeps its cursors in memory only: the page keeps no state across a reload, so a reload
// starts afresh with a snapshot rather than resuming from a stored cursor into empty panels;
// "Disconnect for 10 s" resumes from the in-memory cursors and replays what was missed.
import { TidewireClient, RealtimeStore, contentKey } from '@tidewire/client';

const params = new URLSearchParams(location.search);
const GATEWAY = params.get('gateway')
  || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/realtime`;
const OFFLINE_SECONDS = 10;
const MAX_POSTS = 8;
const AUTO_SHOW = 4;
const LOBBY = 'room:lobby';
const TYPING = { sendEveryMs: 2000, idleMs: 3000, expireMs: 5000 };
const AVATAR_COLORS = ['#0f766e', '#7c3aed', '#db2777', '#ea580c', '#2563eb', '#65a30d'];

const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or strings (always text, never HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(markup) {
  const t = document.createElement('template');
  t.innerHTML = markup; // constant markup only
  return t.content.firstChild;
}

const ICON_VIDEO = '<svg viewBox="0 0 24 24" fill="currentColor"><path d="M8 5.5v13l11-6.5z"/></svg>';
const ICON_IMAGE = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"><rect x="3" y="4" width="18" height="16" rx="3"/><path d="M3 16l5-5 4 4 3-3 6 6"/><circle cx="16" cy="9" r="1.6"/></svg>';

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function ago(ts) {
  if (!ts) return '';
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

const shortId = (id) => (id ? String(id).slice(0, 8) : '');
const fmt = new Intl.NumberFormat();

// ---------------------------------------------------------------------------------------------
// session: one client per picked user

let users = [];
let session = null;

async function fetchToken(userId) {
  const res = await fetch(`/demo/token?user=${encodeURIComponent(userId)}`, { method: 'POST' });
  if (!res.ok) throw new Error(`the token endpoint answered HTTP ${res.status}`);
  const body = await res.json();
  return body.token;
}

function pick(user) {
  if (session && session.user.id === user.id) return;
  if (session) session.teardown();
  $('picker').hidden = true;
  $('dashboard').hidden = false;
  renderUserSwitch(user);
  const url = new URL(location.href);
  url.searchParams.set('user', user.name);
  history.replaceState(null, '', url);
  try {
    localStorage.setItem('tidewire.demo.user', user.id);
  } catch {
    // private mode
  }
  session = createSession(user);
}

function createSession(user) {
  const client = new TidewireClient({
    url: GATEWAY,
    token: () => fetchToken(user.id),
    channels: ['user', 'feed'],
    initialState: true, // balance and running jobs at once, then live events
  });
  const store = new RealtimeStore(client, { maxJobs: 12, maxNotifications: 30, maxFeedUpdates: 60 });
  if (typeof user.credits === 'number') store.setBalance(user.credits);
  const s = {
    user, client, store,
    posts: new Map(), shown: [], pending: [], fresh: new Set(), counts: new Map(),
    arrivals: [], latencies: [], log: [], buckets: new Array(60).fill(0), bucketAt: Math.floor(Date.now() / 1000),
    offlineUntil: undefined, countdown: undefined, catchUp: undefined,
    balanceShown: typeof user.credits === 'number' ? user.credits : undefined, balanceAnim: undefined,
    lastCreditId: undefined, stateKnown: false,
    lobby: client.channel(LOBBY), items: new Map(),
  };
  s.lobby.join().catch(() => {});
  s.lobby.track({ name: user.name }).catch(() => {});
  const offs = [
    store.attach(),
    store.subscribe(scheduleRender),
    client.on('event', (event) => onEvent(s, event)),
    client.on('state', () => scheduleRender()),
    client.on('subscribed', (sub) => logLine(s, 'subscribed', `${sub.channel} · ${sub.recovered ? 'resumed from cursor' : 'live'}`)),
    client.on('snapshot', (snapshot) => {
      s.stateKnown = true;
      const jobs = Array.isArray(snapshot.data.activeJobs) ? snapshot.data.activeJobs.length : 0;
      logLine(s, 'snapshot', `state: ${jobs} unfinished job${jobs === 1 ? '' : 's'}`);
    }),
    s.lobby.onPresence(() => renderOnline(s)),
    client.on('error', (error) => {
      if (error.kind !== 'listener_failed') console.debug('tidewire:', error.kind, error.message);
      else console.error('tidewire:', error.message, error.cause);
    }),
  ];
  s.teardown = () => {
    offs.forEach((off) => off());
    for (const key of [...s.items.keys()]) releaseItem(s, key);
    $('online').hidden = true;
    clearInterval(s.countdown);
    client.close();
    resetDashboard();
  };
  client.connect().catch(() => {});
  scheduleRender();
  return s;
}

function onEvent(s, event) {
  const now = Date.now();
  s.arrivals.push(now);
  const second = Math.floor(now / 1000);
  rollBuckets(s, second);
  s.buckets[s.buckets.length - 1]++;
  const caughtUp = s.catchUp && event.ts !== undefined && event.ts <= s.catchUp.since && !event.fromOtherTab;
  if (caughtUp) {
    s.catchUp.count++;
  } else if (event.ts && !event.fromOtherTab) {
    s.latencies.push(now - event.ts);
    if (s.latencies.length > 50) s.latencies.shift();
  }
  const d = event.data || {};
  switch (event.type) {
    case 'feed.content_published': {
      const key = contentKey(d.contentType, d.contentId);
      const known = s.posts.get(key);
      s.posts.set(key, { ...(known || {}), ...d, key, removed: undefined });
      if (!known || known.removed) {
        s.shown = s.shown.filter((k) => k !== key);
        s.pending = s.pending.filter((k) => k !== key);
        // the first few posts go straight in; after that they wait behind the "new posts" pill
        if (s.shown.length < AUTO_SHOW && s.pending.length === 0) s.shown.unshift(key);
        else s.pending.unshift(key);
        s.fresh.add(key);
        setTimeout(() => { s.fresh.delete(key); scheduleRender(); }, 6000);
      }
      break;
    }
    case 'feed.counts': {
      const key = contentKey(d.contentType, d.contentId);
      s.counts.set(key, { likes: d.likes ?? 0, comments: d.comments ?? 0 });
      break;
    }
    case 'feed.content_removed': {
      const key = contentKey(d.contentType, d.contentId);
      const post = s.posts.get(key);
      if (post) {
        post.removed = d.reason || 'removed';
        setTimeout(() => {
          if (s.posts.get(key) === post && post.removed) {
            s.posts.delete(key);
            s.shown = s.shown.filter((k) => k !== key);
            s.pending = s.pending.filter((k) => k !== key);
            scheduleRender();
          }
        }, 4000);
      }
      break;
    }
    default:
      break;
  }
  logLine(s, event.type, describe(event), caughtUp ? 'caught up' : event.fromOtherTab ? 'other tab' : undefined);
  scheduleRender();
}

function describe(event) {
  const d = event.data || {};
  switch (event.type) {
    case 'generation.progress': return `${d.kind || 'job'} ${shortId(d.jobId)} ${d.status} ${d.progress ?? 0}%`;
    case 'training.progress': return `training ${shortId(d.jobId)} step ${d.step}/${d.totalSteps}`;
    case 'credits.updated': return `${d.delta > 0 ? '+' : ''}${d.delta} → ${d.balance}${d.reason ? ` (${d.reason})` : ''}`;
    case 'notification': return d.title || d.kind;
    case 'feed.content_published': return `${d.contentType} ${shortId(d.contentId)} published`;
    case 'feed.counts': return `${d.contentType} ${shortId(d.contentId)} ♥ ${d.likes} · ✎ ${d.comments}`;
    case 'feed.content_removed': return `${d.contentType} ${shortId(d.contentId)} ${d.reason}`;
    default: return '';
  }
}

function logLine(s, type, what, tag) {
  s.log.unshift({ at: Date.now(), type, what, tag, n: (s.logSeq = (s.logSeq || 0) + 1) });
  if (s.log.length > 14) s.log.length = 14;
  scheduleRender();
}

function rollBuckets(s, second) {
  const gap = Math.min(60, second - s.bucketAt);
  for (let i = 0; i < gap; i++) {
    s.buckets.shift();
    s.buckets.push(0);
  }
  if (gap > 0) s.bucketAt = second;
}

// ---------------------------------------------------------------------------------------------
// disconnect for 10 s: show the offline catch-up

function disconnectForAWhile() {
  const s = session;
  if (!s || s.offlineUntil) return;
  s.client.disconnect();
  s.offlineFrom = Date.now();
  s.offlineUntil = Date.now() + OFFLINE_SECONDS * 1000;
  s.catchUp = undefined;
  const tick = () => {
    if (Date.now() >= s.offlineUntil) backOnline(s);
    scheduleRender();
  };
  s.countdown = setInterval(tick, 250);
  scheduleRender();
}

function backOnline(s) {
  clearInterval(s.countdown);
  s.countdown = undefined;
  s.offlineUntil = undefined;
  s.catchUp = { since: Date.now(), count: 0, offlineSeconds: Math.round((Date.now() - s.offlineFrom) / 1000) };
  s.client.connect().catch(() => {});
}

function reconnectNow() {
  const s = session;
  if (!s) return;
  if (s.offlineUntil) backOnline(s);
  else s.client.reconnect().catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// rendering (batched per animation frame)

let renderQueued = false;

function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  const run = () => {
    renderQueued = false;
    render();
  };
  if (document.hidden) setTimeout(run, 200);
  else requestAnimationFrame(run);
}

function render() {
  const s = session;
  renderStatus(s);
  if (!s) return;
  const state = s.store.getState();
  renderCredits(s, state);
  renderJobs(s, state);
  renderFeed(s);
  renderNotifications(state);
  renderMonitor(s);
}

function renderStatus(s) {
  const status = $('status');
  const state = s ? s.client.state : 'idle';
  const manual = s && s.client.stats().offlineReason === 'manual';
  status.dataset.state = state;
  status.title = manual ? 'disconnected on purpose' : '';
  status.querySelector('.status-text').textContent = state === 'idle' ? 'not connected' : state;
}

function renderCredits(s, state) {
  const box = $('balance');
  const target = state.balance;
  if (typeof target === 'number' && String(target) !== box.dataset.value) {
    const from = typeof s.balanceShown === 'number' ? s.balanceShown : target;
    box.dataset.value = String(target);
    box.classList.remove('up', 'down');
    if (target !== from) {
      void box.offsetWidth;
      box.classList.add(target > from ? 'up' : 'down');
      setTimeout(() => box.classList.remove('up', 'down'), 1400);
    }
    animateNumber(s, from, target);
  } else if (typeof target !== 'number') {
    box.textContent = '—';
  }
  const update = state.latestCreditUpdate;
  const line = $('transaction');
  if (update && update.id !== s.lastCreditId) {
    s.lastCreditId = update.id;
    const plus = update.delta > 0;
    line.replaceChildren(
      el('span', { class: `delta ${plus ? 'plus' : 'minus'}` }, `${plus ? '+' : '−'}${fmt.format(Math.abs(update.delta))}`),
      el('span', { class: 'reason' }, update.reason || 'balance changed'),
      el('time', { class: 'muted small', dataset: { ts: update.ts || Date.now() } }, ago(update.ts)));
    line.classList.remove('flash');
    void line.offsetWidth;
    line.classList.add('flash');
  }
  $('credits-tab').hidden = !(update && update.fromOtherTab);
  for (const t of line.querySelectorAll('time')) t.textContent = ago(Number(t.dataset.ts));
}

function animateNumber(s, from, to) {
  cancelAnimationFrame(s.balanceAnim);
  const box = $('balance');
  const start = performance.now();
  const duration = 700;
  const step = (now) => {
    const t = Math.min(1, (now - start) / duration);
    const eased = 1 - Math.pow(1 - t, 3);
    const value = Math.round(from + (to - from) * eased);
    s.balanceShown = value;
    box.textContent = fmt.format(value);
    if (t < 1 && !document.hidden) s.balanceAnim = requestAnimationFrame(step);
    else {
      s.balanceShown = to;
      box.textContent = fmt.format(to);
    }
  };
  if (document.hidden || from === to) step(start + duration);
  else s.balanceAnim = requestAnimationFrame(step);
}

function renderJobs(s, state) {
  const byRecent = (a, b) => (b.updatedAt || 0) - (a.updatedAt || 0);
  const generations = Object.values(state.generationJobs).sort(byRecent).slice(0, 5);
  const trainings = Object.values(state.trainingJobs).sort(byRecent).slice(0, 3);
  syncList($('generation-jobs'), generations, (j) => j.jobId, () => jobItem(), (li, j) => {
    const label = j.kind === 'video' ? 'Video' : j.kind === 'image' ? 'Image' : 'Generation';
    const status = j.status === 'failed' ? `failed${j.error ? ` · ${j.error}` : ''}` : `${j.status} · ${j.progress ?? 0}%`;
    updateJob(li, j, label, status);
  });
  syncList($('training-jobs'), trainings, (j) => j.jobId, () => jobItem(), (li, j) => {
    const steps = j.totalSteps ? `step ${j.step ?? 0}/${j.totalSteps}` : 'queued';
    const status = j.status === 'completed' ? `ready${j.modelId ? ` · ${j.modelId}` : ''}`
      : j.status === 'failed' ? `failed${j.error ? ` · ${j.error}` : ''}` : `${steps} · ${j.progress ?? 0}%`;
    updateJob(li, j, 'Model', status);
  });
  // the snapshot lists unfinished jobs; until it came, nothing is known yet
  $('generation-empty').hidden = generations.length > 0;
  $('generation-empty').textContent = s.stateKnown ? 'No generation running.' : 'Loading…';
  $('training-empty').hidden = trainings.length > 0;
  $('training-empty').textContent = s.stateKnown ? 'No training running.' : 'Loading…';
  const active = Object.values(state.generationJobs).concat(Object.values(state.trainingJobs))
    .filter((j) => j.status === 'active' || j.status === 'waiting').length;
  $('jobs-count').textContent = active ? `${active} running` : '';
}

function jobItem() {
  const bar = el('span');
  const li = el('li', { class: 'job' },
    el('div', { class: 'job-top' },
      el('span', { class: 'job-name' }, el('span', { class: 'label' }), el('span', { class: 'id' })),
      el('span', { class: 'job-status' })),
    el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, bar));
  return li;
}

function updateJob(li, job, label, status) {
  const progress = Math.max(0, Math.min(100, job.progress ?? 0));
  li.dataset.testid = `job-${job.jobId}`;
  li.dataset.jobId = job.jobId;
  li.dataset.status = job.status;
  li.dataset.progress = String(progress);
  li.querySelector('.label').textContent = label;
  li.querySelector('.id').textContent = shortId(job.jobId);
  li.querySelector('.job-status').textContent = status;
  li.querySelector('.bar').setAttribute('aria-valuenow', String(progress));
  li.querySelector('.bar > span').style.width = `${progress}%`;
}

function renderFeed(s) {
  const pill = $('new-content');
  pill.hidden = s.pending.length === 0;
  pill.textContent = `↑ ${s.pending.length} new post${s.pending.length === 1 ? '' : 's'}`;
  pill.dataset.count = String(s.pending.length);
  if (s.shown.length > MAX_POSTS) s.shown.length = MAX_POSTS;
  const items = s.shown.map((k) => s.posts.get(k)).filter(Boolean);
  syncList($('feed-list'), items, (p) => p.key, (p) => postItem(s, p), (li, p) => updatePost(s, li, p));
  $('feed-empty').hidden = items.length > 0 || s.pending.length > 0;
  const shown = new Set(items.map((p) => p.key));
  for (const key of [...s.items.keys()]) if (!shown.has(key)) releaseItem(s, key);
}

// ---------------------------------------------------------------------------------------------
// presence and typing

function renderOnline(s) {
  const box = $('online');
  const people = Object.entries(s.lobby.presence).map(([userId, conns]) => ({ userId, name: conns[0].meta.name || shortId(userId) }));
  box.hidden = people.length === 0;
  box.dataset.count = String(people.length);
  box.replaceChildren(el('span', { class: 'muted' }, 'Online:'), ...people.map((p) => el('span', {
    class: `who${p.userId === s.user.id ? ' me' : ''}`, 'data-testid': 'online-user', dataset: { userId: p.userId },
  }, p.name)));
}

/** The item channel of a shown post: joined while shown, typing broadcasts in and out. */
function itemOf(s, post) {
  let item = s.items.get(post.key);
  if (item) return item;
  const channel = s.client.channel(`item:${post.contentType}:${post.contentId}`);
  item = { channel, release: channel.hold(), typing: new Map(), lastSent: 0, idle: undefined };
  item.off = channel.onBroadcast('typing', (b) => {
    if (b.payload.typing === false) item.typing.delete(b.from);
    else item.typing.set(b.from, { name: String(b.payload.name || shortId(b.from)), until: Date.now() + TYPING.expireMs });
    scheduleRender();
  });
  s.items.set(post.key, item);
  return item;
}

function releaseItem(s, key) {
  const item = s.items.get(key);
  if (!item) return;
  clearTimeout(item.idle);
  item.off();
  item.release();
  s.items.delete(key);
}

function notifyTyping(s, post) {
  const item = itemOf(s, post);
  const now = Date.now();
  if (now - item.lastSent >= TYPING.sendEveryMs && item.channel.state === 'joined') { // else the next keystroke sends
    item.lastSent = now;
    item.channel.broadcast('typing', { typing: true, name: s.user.name }).catch(() => {});
  }
  clearTimeout(item.idle);
  item.idle = setTimeout(() => stopTyping(s, post), TYPING.idleMs);
}

function stopTyping(s, post) {
  const item = s.items.get(post.key);
  if (!item) return;
  clearTimeout(item.idle);
  if (item.lastSent) item.channel.broadcast('typing', { typing: false }).catch(() => {});
  item.lastSent = 0;
}

async function postComment(s, post, body) {
  const q = new URLSearchParams({ user: s.user.id, contentType: post.contentType, contentId: post.contentId, body });
  const res = await fetch(`/demo/comment?${q}`, { method: 'POST' }).catch((error) => ({ ok: false, status: String(error) }));
  if (!res.ok) logLine(s, 'error', `the comment was not saved (${res.status})`);
}

function typingText(item) {
  const now = Date.now();
  for (const [userId, t] of item.typing) if (t.until <= now) item.typing.delete(userId);
  const names = [...item.typing.values()].map((t) => t.name);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing…`;
}

function showPending() {
  const s = session;
  if (!s) return;
  s.shown = [...s.pending, ...s.shown];
  s.pending = [];
  scheduleRender();
}

function postItem(s, post) {
  const h = hash(post.contentId || post.key);
  const a = h % 360;
  const b = (a + 40 + (h >> 9) % 80) % 360;
  const thumb = el('div', { class: 'thumb', style: `background: linear-gradient(135deg, hsl(${a} 70% 55%), hsl(${b} 75% 45%))` },
    el('span', { class: 'kind' }, post.contentType), svg(post.contentType === 'video' ? ICON_VIDEO : ICON_IMAGE));
  return el('li', { class: 'post', 'data-testid': 'feed-item', dataset: { contentType: post.contentType, contentId: post.contentId } },
    thumb,
    el('div', { class: 'post-body' },
      el('div', { class: 'caption' }),
      el('div', { class: 'post-meta' },
        el('span', { class: 'count likes', title: 'likes' }, '♥ ', el('b', {}, '0')),
        el('span', { class: 'count comments', title: 'comments' }, '✎ ', el('b', {}, '0')),
        el('span', { class: 'removed-label' }),
        el('time', { class: 'muted' })),
      el('div', { class: 'typing', 'data-testid': 'typing', 'aria-live': 'polite' }),
      el('input', {
        class: 'comment-box', 'data-testid': 'comment-input', type: 'text', maxlength: 200,
        placeholder: 'Write a comment… (others see you typing)', 'aria-label': 'comment',
        oninput: () => notifyTyping(s, post),
        onkeydown: (e) => {
          if (e.key !== 'Enter') return;
          const body = e.target.value.trim();
          e.target.value = '';
          stopTyping(s, post);
          if (body) postComment(s, post, body);
        },
      })));
}

function updatePost(s, li, post) {
  const counts = s.counts.get(post.key) || { likes: 0, comments: 0 };
  li.querySelector('.caption').textContent = post.caption || `Untitled ${post.contentType}`;
  li.querySelector('.caption').title = post.caption || '';
  for (const name of ['likes', 'comments']) {
    const node = li.querySelector(`.${name}`);
    const value = String(counts[name]);
    if (node.dataset.value !== undefined && node.dataset.value !== value) {
      node.classList.remove('bump');
      void node.offsetWidth;
      node.classList.add('bump');
    }
    node.dataset.value = value;
    node.querySelector('b').textContent = fmt.format(counts[name]);
  }
  li.classList.toggle('fresh', s.fresh.has(post.key));
  li.classList.toggle('removed', Boolean(post.removed));
  li.dataset.removed = post.removed || '';
  li.querySelector('.removed-label').textContent = post.removed ? (post.removed === 'private' ? 'made private' : 'deleted') : '';
  li.querySelector('time').textContent = ago(post.createdAt);
  li.querySelector('.typing').textContent = typingText(itemOf(s, post));
}

const NOTE_ICONS = { like: '♥', comment: '✎', generation_completed: '✓', generation_failed: '!', model_ready: '★' };

function renderNotifications(state) {
  const list = state.notifications.slice(0, 20);
  syncList($('notification-list'), list, (n) => n.id, () => el('li', { class: 'note', 'data-testid': 'notification' },
    el('span', { class: 'icon' }), el('div', {}, el('div', { class: 'title' }), el('div', { class: 'body' })), el('time')),
  (li, n) => {
    li.classList.toggle('unread', !n.read);
    li.dataset.kind = n.kind;
    li.querySelector('.icon').textContent = NOTE_ICONS[n.kind] || '•';
    li.querySelector('.title').textContent = n.title || n.kind;
    li.querySelector('.body').textContent = n.body || '';
    li.querySelector('time').textContent = ago(n.ts);
  });
  $('notifications-empty').hidden = list.length > 0;
  const unread = $('unread');
  unread.hidden = state.unreadCount === 0;
  unread.textContent = String(state.unreadCount);
}

function renderMonitor(s) {
  const now = Date.now();
  const stats = s.client.stats();
  while (s.arrivals.length && s.arrivals[0] < now - 5000) s.arrivals.shift();
  rollBuckets(s, Math.floor(now / 1000));
  $('m-rate').textContent = (s.arrivals.length / 5).toFixed(1);
  $('m-events').textContent = fmt.format(stats.eventsDelivered);
  $('m-reconnects').textContent = fmt.format(stats.reconnects);
  $('m-dups').textContent = fmt.format(stats.duplicatesDropped);
  const sorted = [...s.latencies].sort((a, b) => a - b);
  $('m-latency').textContent = sorted.length ? `${Math.max(0, sorted[Math.floor(sorted.length / 2)])} ms` : '—';
  $('m-uptime').textContent = stats.connectedSince ? duration(now - stats.connectedSince) : '—';
  $('cursor-user').textContent = stats.cursors.user || '—';
  $('cursor-user').title = stats.cursors.user || '';
  $('cursor-feed').textContent = stats.cursors.feed || '—';
  $('cursor-feed').title = stats.cursors.feed || '';
  $('monitor-user').textContent = `as ${s.user.name}`;
  drawSpark(s.buckets);

  const button = $('disconnect');
  const box = $('catch-up');
  if (s.offlineUntil) {
    const left = Math.max(0, Math.ceil((s.offlineUntil - now) / 1000));
    button.disabled = true;
    button.textContent = `Offline · back in ${left} s`;
    box.hidden = false;
    box.className = 'catch-up waiting';
    box.dataset.count = '0';
    box.textContent = 'Disconnected. Changes keep happening in the database — this page will get every one of them when it reconnects.';
  } else {
    button.disabled = false;
    button.textContent = `Disconnect for ${OFFLINE_SECONDS} s`;
    if (s.catchUp) {
      box.hidden = false;
      box.className = 'catch-up';
      box.dataset.count = String(s.catchUp.count);
      box.textContent = s.client.state === 'connected'
        ? `Back online: caught up on ${s.catchUp.count} event${s.catchUp.count === 1 ? '' : 's'} missed in ${s.catchUp.offlineSeconds} s offline, resumed from the last cursor.`
        : 'Reconnecting and resuming from the last cursor…';
    } else {
      box.hidden = true;
    }
  }
  syncList($('event-log'), s.log, (l) => String(l.n), (l) => el('li', {},
    el('time', { class: 'muted' }, new Date(l.at).toLocaleTimeString([], { hour12: false })),
    el('span', { class: 'type' }, l.type),
    l.tag ? el('span', { class: 'tag' }, l.tag) : null,
    el('span', { class: 'what' }, l.what)), () => {});
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function drawSpark(buckets) {
  const canvas = $('spark');
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 320;
  const height = canvas.clientHeight || 44;
  if (canvas.width !== Math.round(width * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const max = Math.max(4, ...buckets);
  const w = width / buckets.length;
  buckets.forEach((v, i) => {
    const h = (v / max) * (height - 4);
    ctx.fillStyle = i === buckets.length - 1 ? '#0ea5e9' : '#99d5cf';
    ctx.fillRect(i * w + 1, height - h, Math.max(1, w - 2), h);
  });
}

/** Keyed update of a list: reuses elements by key so transitions (progress bars) animate. */
function syncList(list, items, key, create, update) {
  const existing = new Map();
  for (const child of list.children) existing.set(child.dataset.key, child);
  let previous = null;
  for (const item of items) {
    const k = key(item);
    let node = existing.get(k);
    if (node) existing.delete(k);
    else {
      node = create(item);
      node.dataset.key = k;
    }
    update(node, item);
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (node !== expected) list.insertBefore(node, expected);
    previous = node;
  }
  for (const node of existing.values()) node.remove();
}

function resetDashboard() {
  for (const id of ['generation-jobs', 'training-jobs', 'feed-list', 'notification-list', 'event-log']) $(id).replaceChildren();
  $('balance').textContent = '—';
  $('balance').dataset.value = '';
  $('transaction').replaceChildren(el('span', { class: 'muted' }, 'Waiting for the first transaction…'));
  $('catch-up').hidden = true;
}

// ---------------------------------------------------------------------------------------------
// user picker

function avatar(user) {
  return el('span', { class: 'avatar', style: `background:${AVATAR_COLORS[hash(user.id) % AVATAR_COLORS.length]}` }, user.name.slice(0, 1));
}

function renderPicker() {
  const box = $('picker-users');
  box.removeAttribute('aria-busy');
  box.replaceChildren(...users.map((u) => el('button', {
    class: 'user-card', type: 'button', 'data-testid': `user-${u.name}`, onclick: () => pick(u),
  }, avatar(u), el('span', { class: 'name' }, u.name),
  el('span', { class: 'meta' }, typeof u.credits === 'number' ? `${fmt.format(u.credits)} credits` : shortId(u.id)))));
}

function renderUserSwitch(current) {
  const box = $('user-switch');
  box.hidden = false;
  box.replaceChildren(...users.map((u) => el('button', {
    type: 'button', 'aria-pressed': String(u.id === current.id), 'data-testid': `switch-${u.name}`, onclick: () => pick(u),
  }, u.name)));
}

async function start() {
  $('disconnect').addEventListener('click', disconnectForAWhile);
  $('reconnect').addEventListener('click', reconnectNow);
  $('new-content').addEventListener('click', showPending);
  $('mark-read').addEventListener('click', () => session && session.store.markAllNotificationsRead());
  setInterval(() => session && render(), 1000); // clocks ("5s ago"), events/s, uptime
  try {
    const res = await fetch('/demo/users');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    users = await res.json();
  } catch (error) {
    $('picker-users').replaceChildren(el('p', { class: 'muted' },
      `The demo endpoints are not available here (${error.message}). Start the demo with bin/tidewire demo and open the page it serves.`));
    return;
  }
  renderPicker();
  let remembered;
  try {
    remembered = localStorage.getItem('tidewire.demo.user');
  } catch {
    remembered = null;
  }
  const wanted = params.get('user');
  const chosen = users.find((u) => wanted && (u.name === wanted || u.id === wanted))
    || (!wanted && users.find((u) => u.id === remembered));
  if (chosen) pick(chosen);
}

start();
