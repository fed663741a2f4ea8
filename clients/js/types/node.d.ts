// Types of @tidewire/client/node.
import type { CursorStorage } from './index.js';

/**
 * A cursor storage in one JSON file, for the `storage` option in Node.js (which has no
 * localStorage): written atomically (temporary file + rename), one write at a time.
 */
export declare function fileCursorStorage(path: string): CursorStorage;
