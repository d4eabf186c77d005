/**
 * On-disk cache (JSON files, user-only permissions) for paid work and arXiv metadata.
 * Keys are hashes of what determines the result; an unreadable entry is treated as missing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { redact } from '../ui/redact.js';
import { makeDirs } from '../make-dirs.js';
import { fits } from './shapes.js';

export interface Cache {
  readonly dir: string | undefined;
  get<T>(ns: string, key: unknown): Promise<T | undefined>;
  set(ns: string, key: unknown, value: unknown): Promise<void>;
}

export function hashKey(key: unknown): string {
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 40);
}

export const NO_CACHE: Cache = {
  dir: undefined,
  get: async () => undefined,
  set: async () => undefined,
};

export function createCache(dir: string, onError?: (msg: string) => void): Cache {
  const fileOf = (ns: string, key: unknown) => {
    const h = hashKey(key);
    return path.join(dir, ns, h.slice(0, 2), `${h}.json`);
  };
  let warned = false;
  return {
    dir,
    async get<T>(ns: string, key: unknown) {
      let raw: string;
      try {
        raw = await readFile(fileOf(ns, key), 'utf8');
      } catch {
        return undefined;
      }
      try {
        const entry = JSON.parse(raw) as { key: string; value: T };
        // a different key hashing to the same file, a half-broken file, or an entry that does not have the
        // namespace's shape (edited, damaged, from another version) is a miss: the work is done again
        return entry.key === JSON.stringify(key) && fits(ns, entry.value) ? entry.value : undefined;
      } catch {
        return undefined;
      }
    },
    async set(ns: string, key: unknown, value: unknown) {
      const file = fileOf(ns, key);
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await makeDirs(path.dirname(file), 0o700);
        // a secret echoed by a server into an answer never reaches the disk
        await writeFile(tmp, redact(JSON.stringify({ key: JSON.stringify(key), value })), { mode: 0o600 });
        await rename(tmp, file);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        if (!warned) {
          warned = true;
          onError?.(
            `cache not written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message} in ${dir}); results are still produced`,
          );
        }
      }
    },
  };
}
