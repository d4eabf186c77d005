/** digest daily with interests: the day's papers ranked, the ones a negative keyword drops left out. */
import type { ArxivClient } from '../arxiv/arxiv-client.js';
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { codeLinks } from '../render/post.js';
import type { Interests } from '../rank/interests.js';
import { rankEmbedding, type Embed } from '../rank/embedding.js';
import { rankLexical } from '../rank/lexical.js';
import { rankByModel, type ScorePapers } from '../rank/model.js';
import type { Logger } from '../ui/logger.js';
import { fetchPapersCached } from './metadata.js';

export interface DayRanking {
  papers: Paper[];
  /** Score, reason and code links by paper id, for the page and the front matter. */
  extras: Map<string, { rank?: { score: number; reason: string }; code?: string[] }>;
}

export async function rankTheDay(
  papers: Paper[],
  interests: Interests | undefined,
  o: { arxiv: ArxivClient; cache: Cache; logger: Logger; signal: AbortSignal },
  /** --rank embedding: the texts' vectors; --rank llm: the model's scores (else the ranking is lexical). */
  method?: { embed: Embed } | { score: ScorePapers },
): Promise<DayRanking> {
  const extras: DayRanking['extras'] = new Map(
    papers.map((p) => [p.id, codeLinks(p).length ? { code: codeLinks(p) } : {}]),
  );
  if (!interests) return { papers, extras };
  // example papers named by id: their titles and abstracts from arXiv (or the cache)
  const fetched = interests.ids.length
    ? await fetchPapersCached(
        o.arxiv,
        o.cache,
        interests.ids.map((id) => ({ id, version: undefined, input: id })),
      )
    : new Map();
  const examples = [...interests.examples];
  for (const id of interests.ids) {
    const m = fetched.get(id);
    if (m?.ok) examples.push({ title: m.paper.title, abstract: m.paper.abstract, from: id });
    else o.logger.warn(`interests: example paper ${id} not found on arXiv; ranking without it`);
  }
  const { ranked, dropped } =
    method && 'embed' in method
      ? await rankEmbedding(papers, interests, examples, method.embed)
      : method && 'score' in method
        ? await rankByModel(papers, interests, examples, method.score, (m) => o.logger.warn(m))
        : rankLexical(papers, interests, examples);
  if (dropped.length)
    o.logger.info(
      `${dropped.length} paper(s) dropped by a negative keyword: ${dropped.map((d) => d.paper.id).join(', ')}`,
    );
  for (const r of ranked)
    extras.set(r.paper.id, { ...extras.get(r.paper.id), rank: { score: r.score, reason: r.reason } });
  return { papers: ranked.map((r) => r.paper), extras };
}
