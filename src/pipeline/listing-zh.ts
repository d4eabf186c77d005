/**
 * The cheap tier of digest daily: a Chinese title and a one-sentence summary for the papers that get no
 * post, many papers per call, cached per paper. Papers an answer leaves out are asked again (in a smaller
 * batch, then alone), never dropped; a paper still without one is listed in English.
 */
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { DigestError, errorMessage } from '../errors.js';
import type { Llm } from '../llm/llm-client.js';
import type { PostFolder } from '../output/post-folder.js';
import type { DigestEntry } from '../render/digest-page.js';
import { parseListing, type Listed } from '../render/parse-listing.js';
import { renderString, type Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';
import { entriesInFolder } from './digest-entries.js';

export const LISTING_BATCH = 20;

export interface ListingRun {
  tpl: Template;
  llm: Llm;
  cache: Cache;
  signal: AbortSignal;
  /** The run's shared limit on calls in flight. */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  logger: Logger;
  batchSize?: number;
}

export async function listInChinese(papers: Paper[], o: ListingRun): Promise<Map<string, Listed>> {
  const out = new Map<string, Listed>();
  const keyOf = (p: Paper) => ({
    v: 1,
    kind: 'listing',
    paper: `${p.id}v${p.version}`,
    hash: o.tpl.hash,
    model: o.llm.facts.model,
    endpoint: o.llm.facts.endpoint,
  });
  const todo: Paper[] = [];
  for (const p of papers) {
    const hit = await o.cache.get<Listed>('listing', keyOf(p));
    if (hit) out.set(p.id, hit);
    else todo.push(p);
  }

  const ask = async (batch: Paper[], tries: number): Promise<void> => {
    let found = new Map<string, Listed>();
    try {
      found = await o.limit(() => askOnce(batch, o));
    } catch (err) {
      if (o.signal.aborted || (err instanceof DigestError && err.fatal)) throw err;
      o.logger.warn(`listing of ${batch.length} paper(s): ${errorMessage(err)}`);
    }
    for (const [id, listed] of found) {
      out.set(id, listed);
      await o.cache.set('listing', keyOf(batch.find((p) => p.id === id)!), listed);
    }
    const missing = batch.filter((p) => !found.has(p.id));
    if (missing.length === 0) return;
    if (tries === 0) {
      o.logger.warn(`listing: no Chinese title for ${missing.map((p) => p.id).join(', ')}; listed in English`);
      return;
    }
    o.logger.verbose(`listing: the answer left out ${missing.length} of ${batch.length}; asking for them again`);
    // once more together, then one by one
    if (missing.length > 1 && tries > 1) await ask(missing, tries - 1);
    else await Promise.all(missing.map((p) => ask([p], 0)));
  };
  const size = o.batchSize ?? LISTING_BATCH;
  const batches = Array.from({ length: Math.ceil(todo.length / size) }, (_, i) => todo.slice(i * size, (i + 1) * size));
  await Promise.all(batches.map((b) => ask(b, 2)));
  return out;
}

async function askOnce(batch: Paper[], o: ListingRun): Promise<Map<string, Listed>> {
  const papers = batch
    .map((p, i) => `[${i + 1}] arXiv:${p.id}\n标题：${p.title}\n摘要：${p.abstract.replace(/\s+/g, ' ')}`)
    .join('\n\n');
  const where = `${o.tpl.name} (${o.tpl.file})`;
  const res = await o.llm.complete({
    messages: [
      ...(o.tpl.system ? [{ role: 'system' as const, content: renderString(o.tpl.system, { papers }, where) }] : []),
      { role: 'user' as const, content: renderString(o.tpl.user, { papers }, where) },
    ],
    ...(o.tpl.temperature !== undefined ? { temperature: o.tpl.temperature } : {}),
    ...(o.tpl.maxTokens !== undefined ? { maxTokens: o.tpl.maxTokens } : {}),
    // the answer is JSON around the Chinese; each title is checked for Chinese instead
    requireChinese: false,
    signal: o.signal,
    cache: o.cache,
  });
  return parseListing(
    res.text,
    batch.map((p) => p.id),
  );
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
        summary: zh.get(p.id)?.summary ?? '',
        tags: p.categories,
        link: '',
      },
  );
}
