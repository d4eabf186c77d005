/**
 * `mkdir -p` that fails fast. Node's own recursive mkdir spins forever on some paths (under /proc, it keeps
 * retrying a parent it cannot create); here each missing folder is made once, from the top down, and the
 * first that cannot be made is the error.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

const made = new Set<string>();

export async function makeDirs(dir: string, mode?: number): Promise<void> {
  const abs = path.resolve(dir);
  if (made.has(abs)) return;
  const missing: string[] = [];
  for (let cur = abs; ;) {
    try {
      if (!(await stat(cur)).isDirectory())
        throw Object.assign(new Error(`${cur} is not a folder`), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(cur);
      const up = path.dirname(cur);
      if (up === cur) break;
      cur = up;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, mode === undefined ? undefined : { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  made.add(abs);
}
