/**
 * @tidewire/client — a browser / React Native client for the Tidewire WebSocket protocol v1.
 *
 *   import { TidewireClient, RealtimeStore } from '@tidewire/client';
 *   import { TidewireProvider, useCreditUpdates } from '@tidewire/client/react';
 */
export { TidewireClient } from './client.js';
export { ConnectionState } from './connection-state.js';
export { withToken } from './settings.js';
export { RealtimeStore, contentKey } from './store.js';
export { Backoff } from './backoff.js';
export { Advice, ERROR_CODES, CLOSE_CODES, adviceForClose, adviceForError } from './codes.js';
export { readClaims } from './token.js';
