/// <reference types="node" />
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** @import { CursorStorage } from '../../types/index.js' */

/**
 * A cursor storage kept in one JSON file (key → value), for `storage` in Node.js, where there is
 * no localStorage: a process that restarts resumes every channel from its last handled cursor.
 *
 * The file is read once, on first use, and rewritten on every change, one write at a time,
 * through a temporary file and a rename, so a crash leaves the previous or the new content, never
 * a torn file. Meant for one client process per file.
 * @param {string} path the file; created (with its directory) on the first write
 * @returns {CursorStorage}
 */
export function fileCursorStorage(path) {
  if (typeof path !== 'string' || path === '') throw new TypeError('fileCursorStorage needs a file path');
  /** @type {Record<string, string> | undefined} */
  let items;
  /** @type {Promise<unknown>} the last write; writes run one after the other */
  let writes = Promise.resolve();

  async function load() {
    if (!items) {
      try {
        items = JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
        items = {};
      }
    }
    return /** @type {Record<string, string>} */ (items);
  }

  /** @param {(items: Record<string, string>) => void} change */
  function write(change) {
    const task = async () => {
      const current = await load();
      change(current);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(current));
      await rename(temporary, path);
    };
    const done = writes.then(task, task);
    writes = done.catch(() => {}); // a failed write (reported by the client) does not block the next
    return done;
  }

  return {
    async getItem(key) {
      await writes;
      const current = await load();
      return Object.prototype.hasOwnProperty.call(current, key) ? current[key] : null;
    },
    setItem(key, value) {
      return write((current) => { current[key] = value; });
    },
    removeItem(key) {
      return write((current) => { delete current[key]; });
    },
  };
}
