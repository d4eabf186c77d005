/** Atomic, no-clobber writes into the output folder. Names come only from the canonical id. */
import { randomBytes } from 'node:crypto';
import { link, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileStem } from '../arxiv/arxiv-id.js';
import { DigestError } from '../errors.js';
import { makeDirs } from '../make-dirs.js';

export function outputPath(dir: string, id: string, ext: string): string {
  const file = path.join(path.resolve(dir), `${fileStem(id)}.${ext}`);
  if (path.dirname(file) !== path.resolve(dir))
    throw new DigestError('output', `refusing to write outside ${dir}: ${file}`);
  return file;
}

/** The output folder, made if missing and proven writable (a file created and removed) before any request. */
export async function ensureDir(dir: string): Promise<void> {
  const why = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  try {
    await makeDirs(dir);
  } catch (err) {
    throw new DigestError('output', `cannot create output folder ${dir} (${why(err)})`, {
      hint: 'pass -o a folder you can write to',
    });
  }
  const probe = path.join(path.resolve(dir), `.digest-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    throw new DigestError('output', `cannot write to output folder ${dir} (${why(err)})`, {
      hint: 'check its permissions, or pass -o a folder you can write to',
    });
  }
  await unlink(probe).catch(() => undefined);
}

/**
 * Write to a temp file in the same folder, then link (no overwrite) or rename (with force) into place.
 * Returns false when the file exists and force is off.
 */
export async function writeAtomic(file: string, content: string | Buffer, force: boolean): Promise<boolean> {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(tmp, content, { mode: 0o644, flag: 'wx' });
    if (force) {
      await rename(tmp, file);
      return true;
    }
    try {
      await link(tmp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  } catch (err) {
    throw new DigestError(
      'output',
      `cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
