/** Where a finished post goes: a file in the output folder (never over one that exists, unless --force). */
import { makeDirs } from '../make-dirs.js';
import path from 'node:path';
import { refKey, type ArxivRef } from '../arxiv/arxiv-id.js';
import type { ArxivClient } from '../arxiv/arxiv-client.js';
import { localiseFigure } from '../output/figures.js';
import { PostFolder } from '../output/post-folder.js';
import { writeAtomic } from '../output/write-file.js';
import { renderJson, renderMarkdown, type PostResult } from '../render/post.js';
import type { SiteName, SlugStyle } from '../render/site.js';
import type { Logger } from '../ui/logger.js';

export interface PostFiles {
  folder: PostFolder;
  json: boolean;
  force: boolean;
  downloadFigures: boolean;
  /** For the figure download. */
  arxiv: ArxivClient;
  maxBytes: number;
  logger: Logger;
}

/** The post files of a run with -o (undefined without: posts go to stdout, or only onto the digest page). */
export function postFilesOf(
  o: {
    output: string | undefined;
    force: boolean;
    downloadFigures: boolean;
    site: SiteName;
    slugStyle: SlugStyle;
    fulltext: { maxBytes: number };
  },
  ctx: { arxiv: ArxivClient; logger: Logger },
  /** The day Jekyll's file names start with. */
  date: string,
  json = false,
): PostFiles | undefined {
  if (!o.output) return undefined;
  return {
    folder: new PostFolder(
      o.output,
      o.site,
      o.slugStyle,
      date,
      json ? 'json' : 'md',
      o.site === 'hugo' && o.downloadFigures,
    ),
    json,
    force: o.force,
    downloadFigures: o.downloadFigures,
    arxiv: ctx.arxiv,
    maxBytes: o.fulltext.maxBytes,
    logger: ctx.logger,
  };
}

/** The ids whose post is not in the folder yet (all of them with --force); the others are skipped with a line. */
export function notWrittenYet(refs: ArxivRef[], o: PostFiles): ArxivRef[] {
  return refs.filter((r) => {
    const file = o.folder.existing(r.id);
    if (!o.force && file) {
      o.logger.info(`skip ${refKey(r)}: ${file} exists (use --force to overwrite)`);
      return false;
    }
    return true;
  });
}

/** Writes the post's file atomically; returns its path, or undefined when one appeared meanwhile. */
export async function writePostFile(result: PostResult, o: PostFiles): Promise<string | undefined> {
  const { file, slug } = o.folder.fileFor(result.paper);
  const place = o.downloadFigures ? o.folder.figurePlace(file, slug, result.paper.id) : undefined;
  if (place) result = await localiseFigure(result, place, o.arxiv, o.maxBytes, (m) => o.logger.warn(m));
  // a Hugo page bundle is a folder of its own (the folder itself was made before the run)
  await makeDirs(path.dirname(file));
  const content = o.json ? `${renderJson(result)}\n` : renderMarkdown(result, { site: o.folder.site, slug });
  if (await writeAtomic(file, content, o.force)) {
    o.folder.added(result.paper.id, file);
    return file;
  }
  o.logger.info(`skip ${result.paper.id}: ${file} appeared meanwhile (use --force to overwrite)`);
  return undefined;
}
