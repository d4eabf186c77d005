/** Paper metadata through the cache: ids known at a version are never fetched twice. */
import type { ArxivClient, FetchOutcome } from '../arxiv/arxiv-client.js';
import { refKey, type ArxivRef } from '../arxiv/arxiv-id.js';
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { DigestError, errorMessage } from '../errors.js';

/**
 * One promise per ref, in the refs' order, settled as soon as that paper's batch is answered (cached ones
 * at once): a run starts writing the first papers while arXiv's polite queue still holds the others.
 * `done` settles when every request is over (the promises never reject: a failure is an outcome).
 */
export function fetchPapersArriving(
  arxiv: ArxivClient,
  cache: Cache,
  refs: ArxivRef[],
): { arriving: Promise<FetchOutcome>[]; done: Promise<void> } {
  const settle = new Map<string, (o: FetchOutcome) => void>();
  const arriving = refs.map((r) => new Promise<FetchOutcome>((resolve) => settle.set(refKey(r), resolve)));
  const done = (async () => {
    // the cache is read for all refs at once (a warm day is hundreds of small files), then settled in order
    const hits = await Promise.all(
      refs.map(async (r) => {
        const version = r.version ?? (await recentVersion(cache, r.id, arxiv.versionTtlMs));
        return version !== undefined ? cache.get<Paper>('meta', `${r.id}v${version}`) : undefined;
      }),
    );
    const ask: ArxivRef[] = [];
    refs.forEach((r, i) => {
      const hit = hits[i];
      if (hit) settle.get(refKey(r))!({ ok: true, paper: hit });
      else ask.push(r);
    });
    if (!ask.length) return;
    let fetched: Map<string, FetchOutcome>;
    const keeping: Promise<void>[] = [];
    try {
      fetched = await arxiv.fetchPapers(ask, (key, paper) => {
        keeping.push(cache.set('meta', `${paper.id}v${paper.version}`, paper));
        if (key === paper.id) keeping.push(cache.set('latest', paper.id, { version: paper.version, at: Date.now() }));
        settle.get(key)!({ ok: true, paper });
      });
    } catch (err) {
      const error = err instanceof DigestError ? err : new DigestError('arxiv', errorMessage(err));
      for (const r of ask) settle.get(refKey(r))!({ ok: false, error });
      throw err;
    } finally {
      await Promise.allSettled(keeping);
    }
    for (const [k, o] of fetched) if (!o.ok) settle.get(k)!(o);
  })();
  return { arriving, done };
}

export async function fetchPapersCached(
  arxiv: ArxivClient,
  cache: Cache,
  refs: ArxivRef[],
): Promise<Map<string, FetchOutcome>> {
  const { arriving, done } = fetchPapersArriving(arxiv, cache, refs);
  await done;
  const outcomes = await Promise.all(arriving);
  return new Map(refs.map((r, i) => [refKey(r), outcomes[i]!]));
}

/** The version a plain id had when it was looked up less than `ttlMs` ago (the wall clock, not SOURCE_DATE_EPOCH). */
async function recentVersion(cache: Cache, id: string, ttlMs: number): Promise<number | undefined> {
  if (ttlMs <= 0) return undefined;
  const seen = await cache.get<{ version: unknown; at: unknown }>('latest', id);
  if (!seen || typeof seen.version !== 'number' || typeof seen.at !== 'number') return undefined;
  const age = Date.now() - seen.at;
  return age >= 0 && age < ttlMs ? seen.version : undefined;
}
