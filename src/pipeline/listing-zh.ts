/**
 * The cheap tier of digest daily: a Chinese title and a one-sentence summary for the papers that get no
 * post, many papers per call, cached per paper. Papers an answer leaves out are asked again (in a smaller
 * batch, then alone), never dropped; a paper still without one is listed in English.
 */
import type { Paper } from '../arxiv/paper.js';
import type { PostFolder } from '../output/post-folder.js';
import type { DigestEntry } from '../render/digest-page.js';
import { parseListing, type Listed } from '../render/parse-listing.js';
import { askInBatches, type BatchRun } from './ask-in-batches.js';
import { entriesInFolder } from './digest-entries.js';

export type ListingRun = BatchRun;

export function listInChinese(papers: Paper[], o: ListingRun): Promise<Map<string, Listed>> {
  return askInBatches(papers, { kind: 'listing', parse: parseListing, otherwise: 'listed in English' }, o);
}

/** The papers beyond --top: their posts already in the folder, else a Chinese title and summary (or English). */
export async function listTheRest(
  rest: Paper[],
  o: ListingRun & { folder: PostFolder | undefined },
): Promise<DigestEntry[]> {
  if (rest.length === 0) return [];
  const kept = o.folder ? await entriesInFolder(rest, o.folder) : new Map<number, DigestEntry>();
  const zh = await listInChinese(
    rest.filter((_, i) => !kept.has(i)),
    o,
  );
  return rest.map(
    (p, i) =>
      kept.get(i) ?? {
        id: p.id,
        version: p.version,
        titleZh: zh.get(p.id)?.titleZh ?? '',
        titleEn: p.title,
        authors: p.authors.map((a) => a.name),
        abstract: p.abstract,
        summary: zh.get(p.id)?.summary ?? '',
        tags: p.categories,
        link: '',
      },
  );
}
