/**
 * `npm run eval:rank`: how well the ranking finds a reader's topic on a real day. For each topic (a small
 * category, its papers the "relevant" ones), the interests are a handful of that topic's papers from one
 * recorded day (2026-05-19); the ranking is judged on the other day (2026-06-02, all 715 papers):
 * precision@10 and nDCG@10, against arXiv order as the baseline. Categories are a fair proxy for topic.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Paper } from '../../src/arxiv/paper.js';
import type { Interests } from '../../src/rank/interests.js';
import { rankEmbedding, type Embed } from '../../src/rank/embedding.js';
import { rankLexical } from '../../src/rank/lexical.js';
import { ROOT } from '../fakes/root.js';

interface Row {
  id: string;
  categories: string[];
  authors: string[];
  title: string;
  summary: string;
}
const day = (d: string) =>
  readFileSync(path.join(ROOT, `fixtures/real-days/${d}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
const asPaper = (r: Row): Paper => ({
  id: r.id,
  version: 1,
  title: r.title,
  rawTitle: r.title,
  authors: r.authors.map((name) => ({ name, affiliations: [] })),
  abstract: r.summary,
  rawAbstract: r.summary,
  published: '',
  updated: '',
  primaryCategory: r.categories[0]!,
  categories: r.categories,
  comment: '',
  journalRef: '',
  dois: [],
  links: { abs: '', pdf: '' },
});

/** A real embeddings endpoint, when given (EVAL_EMBEDDING_URL, _MODEL, _KEY): the build machine has none. */
const EMBED_URL = process.env['EVAL_EMBEDDING_URL'];
const embed: Embed | undefined = EMBED_URL
  ? async (texts) => {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += 64) {
        const res = await fetch(`${EMBED_URL.replace(/\/+$/, '')}/embeddings`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${process.env['EVAL_EMBEDDING_KEY'] ?? ''}`,
          },
          body: JSON.stringify({
            model: process.env['EVAL_EMBEDDING_MODEL'] ?? 'text-embedding-3-small',
            input: texts.slice(i, i + 64),
            encoding_format: 'float',
          }),
        });
        if (!res.ok) throw new Error(`embeddings: ${res.status} ${await res.text()}`);
        const body = (await res.json()) as { data: Array<{ index: number; embedding: number[] }> };
        for (const d of body.data) out[i + d.index] = d.embedding;
      }
      return out;
    }
  : undefined;

const K = 10;
function metrics(order: Paper[], topic: string): { p: number; ndcg: number } {
  const rel = order.slice(0, K).map((p) => (p.primaryCategory === topic ? 1 : 0));
  const dcg = rel.reduce((a: number, r, i) => a + r / Math.log2(i + 2), 0);
  const total = order.filter((p) => p.primaryCategory === topic).length;
  const ideal = Array.from({ length: Math.min(K, total) }, (_, i) => 1 / Math.log2(i + 2)).reduce((a, b) => a + b, 0);
  return { p: rel.reduce((a: number, b) => a + b, 0) / K, ndcg: ideal ? dcg / ideal : 0 };
}

const train = day('2026-05-19');
const test = day('2026-06-02').map(asPaper);
const TOPICS = ['cs.GT', 'cs.IT', 'cs.GR', 'cs.CE', 'cs.CL'];
const EXAMPLES = Number(process.env['EVAL_EXAMPLES'] ?? 5);
const none: Interests = { description: '', keywords: [], exclude: [], authors: [], ids: [], examples: [] };

console.log(
  `ranking evaluation: interests = ${EXAMPLES} papers of the topic from 2026-05-19; judged on 2026-06-02 (${test.length} papers)\n`,
);
console.log('topic   relevant  method    P@10   nDCG@10');
const sums = { arxiv: { p: 0, ndcg: 0 }, lexical: { p: 0, ndcg: 0 }, embedding: { p: 0, ndcg: 0 } };
for (const topic of TOPICS) {
  const examples = train
    .filter((r) => r.categories[0] === topic)
    .slice(0, EXAMPLES)
    .map((r) => ({ title: r.title, abstract: r.summary, from: r.id }));
  const relevant = test.filter((p) => p.primaryCategory === topic).length;
  const base = metrics(test, topic);
  const lex = metrics(
    rankLexical(test, none, examples).ranked.map((r) => r.paper),
    topic,
  );
  const emb = embed
    ? metrics(
        (await rankEmbedding(test, none, examples, embed)).ranked.map((r) => r.paper),
        topic,
      )
    : undefined;
  for (const [name, m] of [
    ['arXiv order', base],
    ['lexical', lex],
    ...(emb ? [['embedding', emb] as const] : []),
  ] as const) {
    console.log(
      `${topic.padEnd(7)} ${String(relevant).padStart(8)}  ${name.padEnd(8)}  ${m.p.toFixed(2)}   ${m.ndcg.toFixed(2)}`,
    );
  }
  sums.arxiv.p += base.p;
  sums.arxiv.ndcg += base.ndcg;
  sums.lexical.p += lex.p;
  sums.lexical.ndcg += lex.ndcg;
  sums.embedding.p += emb?.p ?? 0;
  sums.embedding.ndcg += emb?.ndcg ?? 0;
}
const n = TOPICS.length;
console.log(
  `\nmean over ${n} topics: arXiv order P@10 ${(sums.arxiv.p / n).toFixed(2)}, nDCG@10 ${(sums.arxiv.ndcg / n).toFixed(2)}; lexical P@10 ${(sums.lexical.p / n).toFixed(2)}, nDCG@10 ${(sums.lexical.ndcg / n).toFixed(2)}`,
);
console.log(
  embed
    ? `embedding P@10 ${(sums.embedding.p / n).toFixed(2)}, nDCG@10 ${(sums.embedding.ndcg / n).toFixed(2)}`
    : 'embedding: not measured (no endpoint; set EVAL_EMBEDDING_URL, EVAL_EMBEDDING_MODEL and EVAL_EMBEDDING_KEY to measure it)',
);
