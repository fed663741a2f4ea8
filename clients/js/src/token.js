/**
 * The token: asked from the application's source, then read. `sub`, `exp` and `iat` are read from
 * a JWT's payload WITHOUT checking the signature: the client only uses them to know when to ask for
 * a fresh token and whose cursors to load; the gateway verifies. A token that is not a readable JWT
 * has no lifetime: it is never refreshed in-band, and the client relies on reconnecting with a
 * fresh token after the gateway closes with 4001.
 */

/** @import { Timers, TokenSource } from '../types/index.js' */

const LATEST_EPOCH_SECOND = 253402300799; // 9999-12-31T23:59:59Z

/** @typedef {{sub?: string, expMs?: number, iatMs?: number}} Claims */

/**
 * Asks `source` for a token (the string itself, or what the function returns or resolves to),
 * bounded by `timeoutMs`; rejects a blank one.
 * @param {TokenSource} source
 * @param {Timers} timers
 * @param {number} timeoutMs
 * @returns {Promise<string>}
 */
export function fetchToken(source, timers, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = timers.setTimeout(() => reject(new Error(`no token within ${timeoutMs} ms`)), timeoutMs);
    Promise.resolve()
      .then(() => (typeof source === 'function' ? source() : source))
      .then((value) => {
        if (typeof value !== 'string' || value.trim() === '') throw new Error('the token provider returned no token');
        return value;
      })
      .then(resolve, reject)
      .finally(() => timers.clearTimeout(timer));
  });
}

/**
 * @param {unknown} token
 * @returns {Claims} empty when unreadable
 */
export function readClaims(token) {
  if (typeof token !== 'string') return {};
  const parts = token.split('.');
  if (parts.length !== 3) return {};
  let claims;
  try {
    claims = JSON.parse(decodeBase64Url(parts[1]));
  } catch {
    return {};
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return {};
  /** @type {Claims} */
  const out = {};
  if (typeof claims.sub === 'string' && claims.sub.length > 0) out.sub = claims.sub;
  const exp = epochMillis(claims.exp);
  if (exp !== undefined) {
    out.expMs = exp;
    const iat = epochMillis(claims.iat);
    if (iat !== undefined && iat <= exp) out.iatMs = iat;
  }
  return out;
}

/**
 * When to refresh: after `fraction` of the lifetime, from `iat` (or from `obtainedAtMs` when the
 * token has none). Undefined for a token without `exp`.
 */
/**
 * @param {Claims} claims
 * @param {number} obtainedAtMs
 * @param {number} fraction of the lifetime, in (0, 1]
 * @returns {number | undefined}
 */
export function refreshAt(claims, obtainedAtMs, fraction) {
  if (claims.expMs === undefined) return undefined;
  const start = claims.iatMs ?? obtainedAtMs;
  if (start >= claims.expMs) return claims.expMs;
  return start + (claims.expMs - start) * fraction;
}

/**
 * @param {unknown} value
 * @returns {number | undefined}
 */
function epochMillis(value) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > LATEST_EPOCH_SECOND) {
    return undefined;
  }
  return Math.floor(value * 1000);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url → UTF-8 string, without atob/Buffer (React Native has neither everywhere). */
/**
 * @param {string} text
 * @returns {string}
 */
export function decodeBase64Url(text) {
  /** @type {number[]} */
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text.replace(/=+$/, '')) {
    let v = ALPHABET.indexOf(ch === '+' ? '-' : ch === '/' ? '_' : ch);
    if (v < 0) throw new SyntaxError('not base64url');
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return utf8(bytes);
}

/**
 * @param {number[]} bytes
 * @returns {string}
 */
function utf8(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i++];
    let cp;
    if (b < 0x80) cp = b;
    else if (b >= 0xc0 && b < 0xe0) cp = ((b & 0x1f) << 6) | (bytes[i++] & 0x3f);
    else if (b >= 0xe0 && b < 0xf0) cp = ((b & 0x0f) << 12) | ((bytes[i++] & 0x3f) << 6) | (bytes[i++] & 0x3f);
    else cp = ((b & 0x07) << 18) | ((bytes[i++] & 0x3f) << 12) | ((bytes[i++] & 0x3f) << 6) | (bytes[i++] & 0x3f);
    out += String.fromCodePoint(cp);
  }
  return out;
}
