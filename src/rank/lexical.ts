/**
 * Ranking the day against the reader's interests with no model and no cost: BM25 (MiniSearch's BM25+)
 * over each paper's title and abstract, queried with the keywords, the description and each example
 * paper. Followed authors and keyword hits come first; a negative keyword drops the paper.
 */
import { createRequire } from 'node:module';
import type MiniSearchType from 'minisearch';
import type { Paper } from '../arxiv/paper.js';
import type { ExamplePaper, Interests } from './interests.js';

export interface Ranked {
  paper: Paper;
  /** 0–1, relative to the day's best match. */
  score: number;
  /** Why it ranks where it does, for the page and the front matter. */
  reason: string;
}

export interface Ranking {
  ranked: Ranked[];
  /** Papers a negative keyword dropped. */
  dropped: Array<{ paper: Paper; reason: string }>;
}

/** Words that say nothing about a topic, in titles and abstracts. */
const STOP = new Set(
  `a about above across after again against all also although among an and any are as at be because been before being
between both but by can could did do does doing done during each either et etc even ever every few for from further
had has have having here how however i if in into is it its itself just less like made make many may more most much
must new no nor not novel of off often on once one only or other our ours out over own paper per present propose
proposed provide rather results same several should show shows significantly since so some such than that the their
them then there these they this those through thus to too two under until up upon us use used uses using various very
via was we well were what when where whether which while who whose why will with within without would yet approach
method methods study work based state art existing task tasks performance further`.split(/\s+/),
);
const processTerm = (term: string) => {
  const t = term.toLowerCase();
  return t.length < 2 || STOP.has(t) || /^\d+$/.test(t) ? null : t;
};

const wordRe = (w: string) =>
  new RegExp(`(^|[^\\p{L}\\p{N}])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'iu');

/** MiniSearch, loaded by the first ranking (a day without interests never ranks, and never loads it). */
let MiniSearch: typeof MiniSearchType | undefined;

export function rankLexical(papers: Paper[], interests: Interests, examples: ExamplePaper[]): Ranking {
  const { kept, dropped } = dropExcluded(papers, interests);
  MiniSearch ??= createRequire(import.meta.url)('minisearch') as typeof MiniSearchType;
  const index = new MiniSearch<{ id: number; title: string; abstract: string }>({
    fields: ['title', 'abstract'],
    processTerm,
  });
  index.addAll(kept.map((p, i) => ({ id: i, title: p.title, abstract: p.abstract })));

  const score = new Map<number, number>();
  const nearest = new Map<number, { example: string; score: number }>();
  const add = (query: string, weight: number, example?: string) => {
    if (!query.trim()) return;
    for (const r of index.search(query, { boost: { title: 2 }, combineWith: 'OR' })) {
      const id = r.id as number;
      score.set(id, (score.get(id) ?? 0) + weight * r.score);
      if (example && r.score > (nearest.get(id)?.score ?? 0)) nearest.set(id, { example, score: r.score });
    }
  };
  add(interests.keywords.join(' '), 2);
  add(interests.description, 1);
  // each example counts in proportion, so a long library does not drown the keywords
  const w = examples.length ? 1 / Math.sqrt(examples.length) : 0;
  for (const e of examples) add(`${e.title} ${e.title} ${e.abstract}`, w, e.title);

  return order(
    kept,
    interests,
    (i) => score.get(i) ?? 0,
    (i) => closeTo(nearest.get(i)?.example),
    dropped,
  );
}

/** Drops what a negative keyword names (before any scoring). */
export function dropExcluded(papers: Paper[], interests: Interests): { kept: Paper[]; dropped: Ranking['dropped'] } {
  const dropped: Ranking['dropped'] = [];
  const kept = papers.filter((p) => {
    const hit = interests.exclude.find((w) => wordRe(w).test(`${p.title}\n${p.abstract}`));
    if (hit) dropped.push({ paper: p, reason: `negative keyword "${hit}"` });
    return !hit;
  });
  return { kept, dropped };
}

export const closeTo = (example: string | undefined) => (example ? `close to "${example}"` : undefined);

/**
 * The ranking from raw scores: followed authors and keyword hits first, then by score (0–1: relative to
 * the day's best, or to `scale` when scores have one), each with its reason.
 */
export function order(
  kept: Paper[],
  interests: Interests,
  rawScore: (i: number) => number,
  why: (i: number) => string | undefined,
  dropped: Ranking['dropped'],
  scale?: number,
): Ranking {
  const best = scale ?? Math.max(1e-9, ...kept.map((_, i) => rawScore(i)));
  const ranked = kept.map((p, i): Ranked & { first: boolean } => {
    const author = p.authors.find((a) => interests.authors.some((n) => a.name.toLowerCase().includes(n.toLowerCase())));
    const keyword = interests.keywords.find((k) => wordRe(k).test(`${p.title}\n${p.abstract}`));
    const s = Math.min(1, Math.max(0, rawScore(i)) / best);
    const near = why(i);
    const reason = author
      ? `author followed: ${author.name}`
      : keyword
        ? `keyword "${keyword}"`
        : near
          ? near
          : s > 0
            ? 'matches the description'
            : 'no match';
    return { paper: p, score: Math.round(s * 1000) / 1000, reason, first: Boolean(author || keyword) };
  });
  ranked.sort((a, b) => Number(b.first) - Number(a.first) || b.score - a.score);
  return { ranked: ranked.map(({ first: _, ...r }) => r), dropped };
}
