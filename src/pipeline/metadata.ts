/** Paper metadata through the cache: ids known at a version are never fetched twice. */
import type { ArxivClient, FetchOutcome } from '../arxiv/arxiv-client.js';
import { refKey, type ArxivRef } from '../arxiv/arxiv-id.js';
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';

export async function fetchPapersCached(
  arxiv: ArxivClient,
  cache: Cache,
  refs: ArxivRef[],
): Promise<Map<string, FetchOutcome>> {
  const out = new Map<string, FetchOutcome>();
  const ask: ArxivRef[] = [];
  for (const r of refs) {
    const hit = r.version !== undefined ? await cache.get<Paper>('meta', `${r.id}v${r.version}`) : undefined;
    if (hit) out.set(refKey(r), { ok: true, paper: hit });
    else ask.push(r);
  }
  if (ask.length) {
    const fetched = await arxiv.fetchPapers(ask);
    for (const [k, o] of fetched) {
      out.set(k, o);
      if (o.ok) await cache.set('meta', `${o.paper.id}v${o.paper.version}`, o.paper);
    }
  }
  return out;
}
