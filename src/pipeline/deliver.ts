/** Where a finished post goes: a file in the output folder (never over one that exists, unless --force). */
import { existsSync } from 'node:fs';
import { refKey, type ArxivRef } from '../arxiv/arxiv-id.js';
import type { ArxivClient } from '../arxiv/arxiv-client.js';
import { localiseFigure } from '../output/figures.js';
import { outputPath, writeAtomic } from '../output/write-file.js';
import { renderJson, renderMarkdown, type PostResult } from '../render/post.js';
import type { Logger } from '../ui/logger.js';

export interface PostFiles {
  dir: string;
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
  o: { output: string | undefined; force: boolean; downloadFigures: boolean; fulltext: { maxBytes: number } },
  ctx: { arxiv: ArxivClient; logger: Logger },
  json = false,
): PostFiles | undefined {
  if (!o.output) return undefined;
  const { force, downloadFigures } = o;
  return {
    dir: o.output,
    json,
    force,
    downloadFigures,
    arxiv: ctx.arxiv,
    maxBytes: o.fulltext.maxBytes,
    logger: ctx.logger,
  };
}

export const postFile = (o: Pick<PostFiles, 'dir' | 'json'>, id: string) =>
  outputPath(o.dir, id, o.json ? 'json' : 'md');

/** The ids whose file is not there yet (all of them with --force); the others are skipped with a line. */
export function notWrittenYet(refs: ArxivRef[], o: Pick<PostFiles, 'dir' | 'json' | 'force' | 'logger'>): ArxivRef[] {
  return refs.filter((r) => {
    const file = postFile(o, r.id);
    if (!o.force && existsSync(file)) {
      o.logger.info(`skip ${refKey(r)}: ${file} exists (use --force to overwrite)`);
      return false;
    }
    return true;
  });
}

/** Writes the post's file atomically; returns its path, or undefined when one appeared meanwhile. */
export async function writePostFile(result: PostResult, o: PostFiles): Promise<string | undefined> {
  if (o.downloadFigures) result = await localiseFigure(result, o.dir, o.arxiv, o.maxBytes, (m) => o.logger.warn(m));
  const file = postFile(o, result.paper.id);
  const content = o.json ? `${renderJson(result)}\n` : renderMarkdown(result);
  if (await writeAtomic(file, content, o.force)) return file;
  o.logger.info(`skip ${result.paper.id}: ${file} appeared meanwhile (use --force to overwrite)`);
  return undefined;
}
