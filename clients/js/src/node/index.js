/**
 * @tidewire/client/node — what Node.js hosts need beyond the main entry:
 *
 *   import { TidewireClient } from '@tidewire/client';
 *   import { fileCursorStorage } from '@tidewire/client/node';
 *   new TidewireClient({ url, token, storage: fileCursorStorage('tidewire-cursors.json') });
 *
 * (Node.js 20 and 21 have no global WebSocket: install the optional peer dependency `ws`, which
 * the client imports on its first connect.)
 */
export { fileCursorStorage } from './file-storage.js';
