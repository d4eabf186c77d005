/** digest daily --dry-run: the plan, and the tokens and cost it would take, without downloading anything. */
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import type { PaperText } from '../fulltext/types.js';
import { costOf, estimateTokens, formatCost, type Price } from '../llm/cost.js';
import type { LlmFacts } from '../llm/llm-client.js';
import type { Template } from '../templates/template.js';
import { llmCacheKey, writingKey } from './compose-post.js';
import { batchMessages, inBatches, PAPERS_PER_CALL } from './ask-in-batches.js';
import { buildMessages, promptWriting, qaMode } from './messages.js';
import type { TextAccess } from './paper-text.js';

/**
 * Rough per-paper plan without downloading anything: abstract prompts are counted, full-text prompts
 * are assumed to fill their budget (at most 16k tokens); one-by-one Q&A re-sends the paper per question.
 */
export async function estimatePaper(
  p: Paper,
  templates: Template[],
  cache: Cache,
  llm: LlmFacts | undefined,
  text: TextAccess,
) {
  let input = 0;
  let output = 0;
  let calls = 0;
  for (const t of templates) {
    const source = text.sourceFor(t);
    const known =
      source === 'full'
        ? ((await cache.get<{ source: PaperText['source'] }>('fulltext', `${p.id}v${p.version}`))?.source ?? 'html')
        : 'abstract';
    const mode = qaMode(t, known);
    if (
      llm &&
      (await cache.get(
        'llm',
        llmCacheKey(p, t, llm, {
          source: known,
          mode,
          contextTokens: text.contextTokens,
          ...writingKey(promptWriting(p, text.writing)),
        }),
      ))
    )
      continue;
    const answer = Math.round(Math.min(t.maxTokens ?? 4096, 4096) * 0.4);
    const w = promptWriting(p, text.writing);
    const base = buildMessages(p, t, w ? { writing: w } : {}).messages.reduce(
      (a, m) => a + estimateTokens(m.content) + 4,
      3,
    );
    const paperTokens =
      source === 'full' ? Math.min(16_000, Math.max(0, text.contextTokens - (t.maxTokens ?? 4096) - 2000)) : 0;
    const requests = mode === 'one-by-one' ? t.questions.length : 1;
    calls += requests;
    input += (base + paperTokens) * requests + (requests > 1 ? (answer * requests * (requests - 1)) / 2 : 0);
    output += answer * requests;
  }
  return { input, output, calls };
}

/** What answers about a batch of papers are like, per paper (for the output estimate). */
const ITEM = {
  listing: `{"id": "2606.00001", "title_zh": "${'中'.repeat(24)}", "summary": "${'中'.repeat(50)}"},`,
  rank: `{"id": "2606.00001", "score": 7, "reason": "${'中'.repeat(30)}"},`,
};

/** The calls of a many-papers-per-call step (listing, ranking): the real prompts counted, answers guessed. */
export function estimateBatches(tpl: Template, papers: Paper[], vars: Record<string, string> = {}) {
  const batches = inBatches(papers, PAPERS_PER_CALL);
  const perPaper = estimateTokens(tpl.kind === 'rank' ? ITEM.rank : ITEM.listing);
  let input = 0;
  for (const b of batches) input += batchMessages(tpl, b, vars).reduce((a, m) => a + estimateTokens(m.content) + 4, 3);
  return { calls: batches.length, input, output: papers.length * perPaper };
}

export interface Plan {
  papers: Paper[];
  /** Papers beyond --top, listed in Chinese PAPERS_PER_CALL to a call (no template: not listed). */
  listing: { tpl: Template | undefined; papers: Paper[] };
  /** --rank llm: the day's papers scored by the model. */
  ranking: { tpl: Template; papers: Paper[]; interests: string } | undefined;
  /** The day's ranking, shown beside each paper. */
  extras: Map<string, { rank?: { score: number; reason: string } }>;
  templates: Template[];
  date: string;
  categories: string[];
  cache: Cache;
  /** The model's facts (for answers already cached); undefined when there is no key. */
  llm: LlmFacts | undefined;
  model: string;
  price: Price | undefined;
  text: TextAccess;
  /** --batch: the price is the batch price, and the line says so. */
  batch?: boolean;
}

export async function printPlan(o: Plan, out: (s: string) => void): Promise<void> {
  out(
    `# ${o.date} · ${o.categories.join(' ')} · ${o.papers.length} paper(s) (dry run: nothing is written, no LLM call)\n\n`,
  );
  let input = 0;
  let output = 0;
  let calls = 0;
  for (const [i, p] of o.papers.entries()) {
    const rank = o.extras.get(p.id)?.rank;
    out(`${i + 1}. ${p.id}v${p.version}  ${p.title}${rank ? `  [${rank.score.toFixed(2)}: ${rank.reason}]` : ''}\n`);
    const e = await estimatePaper(p, o.templates, o.cache, o.llm, o.text);
    input += e.input;
    output += e.output;
    calls += e.calls;
  }
  const steps = [
    ...(o.ranking
      ? [
          {
            e: estimateBatches(o.ranking.tpl, o.ranking.papers, { interests: o.ranking.interests }),
            what: `${o.ranking.papers.length} paper(s) ranked by the model (--rank llm)`,
            tpl: o.ranking.tpl.name,
          },
        ]
      : []),
    ...(o.listing.tpl && o.listing.papers.length
      ? [
          {
            e: estimateBatches(o.listing.tpl, o.listing.papers),
            what: `${o.listing.papers.length} paper(s) beyond --top, listed in Chinese`,
            tpl: o.listing.tpl.name,
          },
        ]
      : []),
  ];
  if (steps.length) out('\n');
  for (const { e, what } of steps) {
    out(`+ ${what}: ${e.calls} call(s), about ${e.input} input and ${e.output} output tokens\n`);
    input += e.input;
    output += e.output;
    calls += e.calls;
  }
  const total = costOf({ promptTokens: input, completionTokens: output, cachedTokens: 0 }, o.price);
  out(
    `\nestimate: ${calls} LLM call(s) + 1 overview for ${[...o.templates.map((t) => t.name), ...steps.map((x) => x.tpl)].join(', ')}; about ${input} input and ${output} output tokens; cost ${formatCost(total)} with ${o.model}${o.batch ? ' at the batch price' : ''}\n`,
  );
}
