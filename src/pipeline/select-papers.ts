/** Which of the day's papers digest daily writes: the filters, --limit, and what --max-cost admits. */
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { costOf, type priceOf } from '../llm/cost.js';
import type { LlmFacts } from '../llm/llm-client.js';
import type { DailyOptions } from '../settings/resolve.js';
import type { Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';
import { estimatePaper } from './estimate.js';
import type { TextAccess } from './paper-text.js';

/** --match, --exclude and --authors, then --limit in arXiv order. */
export function selectPapers(
  all: Paper[],
  o: Pick<DailyOptions, 'match' | 'exclude' | 'authors' | 'limit'>,
): { papers: Paper[]; filtered: number } {
  const kept = all.filter((p) => {
    const text = `${p.title}\n${p.abstract}`;
    if (o.match && !o.match.test(text)) return false;
    if (o.exclude && o.exclude.test(text)) return false;
    if (o.authors.length && !p.authors.some((a) => o.authors.some((n) => a.name.toLowerCase().includes(n))))
      return false;
    return true;
  });
  return { papers: o.limit !== undefined ? kept.slice(0, o.limit) : kept, filtered: all.length - kept.length };
}

export interface CostCap {
  maxCost: number;
  price: ReturnType<typeof priceOf>;
  model: string;
  templates: Template[];
  cache: Cache;
  llm: LlmFacts;
  text: TextAccess;
  logger: Logger;
}

/** --max-cost: admits papers in arXiv order while the estimated spend stays under the cap; adds the rest to `skip`. */
export async function applyCostCap(papers: Paper[], skip: Map<number, string>, o: CostCap): Promise<void> {
  if (!o.price) o.logger.warn(`--max-cost: no price known for ${o.model}; add it under "prices" in digest.config.json`);
  const reason = `--max-cost ${o.maxCost}: estimated spend would pass the cap`;
  let planned = 0;
  let over = 0;
  for (const [i, p] of papers.entries()) {
    if (skip.has(i)) continue;
    const est = await estimatePaper(p, o.templates, o.cache, o.llm, o.text);
    const cost = costOf({ promptTokens: est.input, completionTokens: est.output, cachedTokens: 0 }, o.price) ?? 0;
    if (planned + cost > o.maxCost) {
      skip.set(i, reason);
      over++;
    } else planned += cost;
  }
  if (over)
    o.logger.warn(
      `--max-cost $${o.maxCost}: ${over} paper(s) will not be started (estimated spend would pass the cap)`,
    );
}
