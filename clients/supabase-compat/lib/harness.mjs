// Test harness: tokens, clients and the database of the pipeline SupabaseClientsIT started.
// Env: TW_URL (http://host:port of the gateway), TW_JWT_SECRET, PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE.
import { createHmac, randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import pg from 'pg';

export const URL = required('TW_URL');
const SECRET = required('TW_JWT_SECRET');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through SupabaseClientsIT (integration-tests)`);
  return value;
}

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function sign(claims, secret = SECRET) {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64(claims);
  const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${mac}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** A project's anon key, as Supabase issues them: role anon, long-lived, no user. */
export const ANON_KEY = sign({ iss: 'supabase', role: 'anon', iat: now(), exp: now() + 10 * 365 * 86400 });

/** A user's access token, as Supabase Auth issues them. */
export function userToken(userId, seconds = 600, secret = SECRET) {
  return sign({ sub: userId, role: 'authenticated', aud: 'authenticated', iat: now(), exp: now() + seconds }, secret);
}

const clients = [];

/**
 * A supabase-js client of the app, unchanged but for URL and key: Node 20 has no global WebSocket,
 * so the transport is `ws`; `token` is the signed-in user's access token (none: anonymous).
 */
export async function supabaseClient(vsn, token, realtime = {}) {
  const client = createClient(URL, ANON_KEY, {
    ...(token ? { accessToken: async () => token } : {}),
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { vsn, transport: WebSocket, timeout: 10000, ...realtime },
  });
  if (token) await client.realtime.setAuth(token);
  clients.push(client);
  return client;
}

export async function closeClients() {
  for (const client of clients.splice(0)) {
    await client.removeAllChannels();
    client.realtime.disconnect();
  }
}

/** The client's WebSocket, to drop it like a network failure would. */
export function socketOf(client) {
  return client.realtime.socketAdapter.getSocket().conn;
}

export const db = new pg.Pool({ max: 4 });

export async function newUser() {
  const id = randomUUID();
  await db.query('INSERT INTO users (id, credits) VALUES ($1, 100)', [id]);
  return id;
}

export async function newJob(userId) {
  const id = randomUUID();
  await db.query("INSERT INTO generation_jobs (id, user_id, kind) VALUES ($1, $2, 'video')", [id, userId]);
  return id;
}

export async function setJob(jobId, progress, status = 'active') {
  await db.query('UPDATE generation_jobs SET progress = $2, status = $3, updated_at = now() WHERE id = $1',
    [jobId, progress, status]);
}

/** Waits until `condition()` holds (polling), or fails after `timeoutMs` with `what`. */
export async function waitFor(what, condition, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Subscribes and records every status the callback gets. */
export function subscribe(channel) {
  const statuses = [];
  channel.subscribe((status, err) => statuses.push({ status, err: err ? String(err.message ?? err) : undefined }));
  return statuses;
}

export const has = (statuses, status) => statuses.some((s) => s.status === status);
