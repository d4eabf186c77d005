/**
 * A recorded announcement day (2026-06-02, the 189 cs.CL papers) served by the fake arXiv as the
 * latest feed, with a fresh cache per test: the tests that run `digest daily` on real volume share it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach } from 'vitest';
import { rssFeed, syntheticEntry, type FeedItem } from '../fakes/fake-arxiv.js';
import { ROOT } from '../fakes/root.js';
import { tempDir } from './cli.js';
import type { Servers } from './servers.js';

export interface DayPaper {
  id: string;
  categories: string[];
  authors: string[];
  title: string;
  summary: string;
}

export const REAL_DAY: DayPaper[] = readFileSync(path.join(ROOT, 'fixtures/real-days/2026-06-02-cs.CL.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as DayPaper);

const TUE_MORNING = String(Date.parse('2026-11-17T15:00:00Z') / 1000);

/** Serves the day before each test; returns the environment for a run (a fresh cache folder each test). */
export function useRealDay(s: Servers): (extra?: Record<string, string>) => ReturnType<Servers['env']> {
  let cacheDir = '';
  beforeEach(() => {
    cacheDir = tempDir('digest-cache-');
    const items: FeedItem[] = REAL_DAY.map((p) => ({ ...p, version: 1, abstract: p.summary, announceType: 'new' }));
    s.arxiv.rss = (cats) => rssFeed(cats, 'Tue, 17 Nov 2026 00:00:00 -0500', items);
    s.arxiv.add(
      ...REAL_DAY.map((p) =>
        syntheticEntry(p.id, p.title, p.summary, { categories: p.categories, authors: p.authors }),
      ),
    );
  });
  return (extra: Record<string, string> = {}) =>
    s.env({
      DIGEST_ARXIV_RSS_URL: s.arxiv.url.replace('/api/query', '/rss'),
      DIGEST_CACHE_DIR: cacheDir,
      SOURCE_DATE_EPOCH: TUE_MORNING,
      ...extra,
    });
}
