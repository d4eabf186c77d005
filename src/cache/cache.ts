/**
 * On-disk cache (JSON files, user-only permissions) for paid work and arXiv metadata.
 * Keys are hashes of what determines the result; an unreadable entry is treated as missing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { redact } from '../ui/redact.js';
import { makeDirs } from '../make-dirs.js';
import { fits } from './shapes.js';

export interface Cache {
  readonly dir: string | undefined;
  get<T>(ns: string, key: unknown): Promise<T | undefined>;
  set(ns: string, key: unknown, value: unknown): Promise<void>;
  /**
   * The right to do the work of one entry: while another run on this machine holds it, wait (until it
   * releases it, its entry appears, or it is gone); so runs started together share one paid answer.
   */
  claim?(ns: string, key: unknown, signal?: AbortSignal): Promise<{ release(): Promise<void> }>;
}

/** A claim older than this is taken over, whoever holds it (a request never runs this long). */
const CLAIM_STALE_MS = 15 * 60_000;
const CLAIM_POLL_MS = 150;
const NOTHING_HELD = { release: async () => undefined };

function alive(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
    async claim(ns: string, key: unknown, signal?: AbortSignal) {
      const entry = fileOf(ns, key);
      const file = `${entry}.lock`;
      try {
        await makeDirs(path.dirname(file), 0o700);
      } catch {
        return NOTHING_HELD; // no cache folder: nothing to share
      }
      for (;;) {
        // the claim appears whole or not at all (written aside, then linked into place): another run never
        // reads a half-written claim and takes it for a dead one
        const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          await writeFile(tmp, JSON.stringify({ pid: process.pid, at: Date.now() }), { mode: 0o600 });
          await link(tmp, file);
          return { release: () => unlink(file).catch(() => undefined) };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return NOTHING_HELD;
        } finally {
          await unlink(tmp).catch(() => undefined);
        }
        const holder = await readFile(file, 'utf8')
          .then((t) => JSON.parse(t) as { pid?: unknown; at?: unknown })
          .catch(() => undefined);
        const held = holder && alive(holder.pid) && Date.now() - Number(holder.at) < CLAIM_STALE_MS;
        if (!held) {
          // its run died (or the file is damaged): take the claim over
          await unlink(file).catch(() => undefined);
          continue;
        }
        await delay(CLAIM_POLL_MS, undefined, signal ? { signal } : undefined);
        if (
          await readFile(entry).then(
            () => true,
            () => false,
          )
        )
          return NOTHING_HELD; // the other run has the answer: read it
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
