/** --download-figures: keep the key figure next to the post (for blogs that host their own images). */
import { makeDirs } from '../make-dirs.js';
import path from 'node:path';
import type { ArxivClient } from '../arxiv/arxiv-client.js';
import { fileStem } from '../arxiv/arxiv-id.js';
import type { PostResult } from '../render/post.js';
import { outputPath, writeAtomic } from './write-file.js';

const TYPES: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/svg+xml': '.svg',
  'image/webp': '.webp',
};

/** Where a downloaded figure goes for a given extension (`.png`…), and how the post links it. */
export type FigurePlace = (ext: string) => { file: string; link: string };

/** Next to the post, named from the id: the plain layout. */
export const besideThePost =
  (dir: string, id: string): FigurePlace =>
  (ext) => {
    const file = outputPath(dir, `${fileStem(id)}-figure`, ext.slice(1));
    return { file, link: `./${path.basename(file)}` };
  };

/** Download the figure and point the post at the local copy; on failure the post keeps arXiv's URL. */
export async function localiseFigure(
  result: PostResult,
  place: FigurePlace,
  arxiv: ArxivClient,
  maxBytes: number,
  warn: (m: string) => void,
): Promise<PostResult> {
  const f = result.figure;
  if (!f) return result;
  try {
    const doc = await arxiv.document(f.src, maxBytes);
    if (!doc) throw new Error('not found');
    const ext =
      TYPES[doc.contentType.split(';')[0]!.trim()] ?? (path.extname(new URL(f.src).pathname).toLowerCase() || '.png');
    if (!/^\.(png|jpe?g|gif|svg|webp)$/.test(ext)) throw new Error(`unexpected type ${doc.contentType}`);
    const { file, link } = place(ext);
    await makeDirs(path.dirname(file));
    await writeAtomic(file, doc.bytes, true);
    return { ...result, figure: { ...f, src: link } };
  } catch (err) {
    warn(`${result.paper.id}: could not download the figure ${f.src} (${(err as Error).message}); linking it instead`);
    return result;
  }
}
