/**
 * Write many papers with one shared limit on LLM calls. One paper's failure never loses the others;
 * a fatal error (bad key, no balance) stops calls that have not started.
 */
import { createRequire } from 'node:module';
import pLimit from 'p-limit';
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { DigestError, errorMessage } from '../errors.js';
import { costOf, formatCost, type Price } from '../llm/cost.js';
import { LlmClient, type Llm } from '../llm/llm-client.js';
import type { SinkPart } from '../output/ordered-sink.js';
import type { PostResult } from '../render/post.js';
import type { Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';
import type { Progress } from '../ui/progress.js';
import { redact } from '../ui/redact.js';
import { version } from '../version.js';
import { BatchCollector, Deferred, settleDeferred } from './batch-run.js';
import { composePost } from './compose-post.js';
import type { TextAccess } from './paper-text.js';

export type PaperOutcome =
  { status: 'done'; result: PostResult } | { status: 'failed'; reason: string } | { status: 'skipped'; reason: string };

export interface RunPapersOptions {
  /** In the order they are written; a promise is a paper still arriving (undefined: none, no outcome). */
  papers: Arriving[];
  templates: Template[];
  llm: Llm;
  cache: Cache;
  text: TextAccess;
  concurrency: number;
  now: Date;
  signal: AbortSignal;
  logger: Logger;
  progress: Progress;
  /** Papers not to start (budget); index → reason. */
  skip?: Map<number, string>;
  live?: (i: number) => SinkPart | undefined;
  /** Write or print a finished paper; a throw counts as that paper's failure. */
  deliver: (i: number, result: PostResult) => Promise<void>;
  /** Called once per paper when it is settled, whatever the outcome. */
  settled?: (i: number) => void;
  /** --batch: the requests go through the provider's Batch API (see batch-run.ts). */
  batch?: BatchMode;
}

/** A paper, or its promise: settled when its metadata is in (undefined: not found, or not part of the run). */
export type Arriving = Paper | Promise<Paper | undefined>;

/** How a --batch run submits and waits. */
export interface BatchMode {
  /** The `endpoint` value the provider's batches name. */
  endpoint: string;
  /** Follow-ups (a missing question, a title, a correction) in a second small batch, or as normal calls. */
  followUps: 'batch' | 'direct';
  pollMs: number;
  maxRequests: number;
  maxBytes: number;
  /** The batch price of the model (the closing line's cost), when known. */
  price?: Price;
}

/** Rounds of batches a paper may need (its first requests, then follow-ups of follow-ups). */
const MAX_ROUNDS = 5;

export async function runPapers(o: RunPapersOptions): Promise<PaperOutcome[]> {
  if (o.batch) return runInBatches(o, o.batch);
  const { outcomes } = await runRound(o);
  o.progress.stop();
  return outcomes;
}

/**
 * --batch: rounds of the normal run against a model that defers what is not cached; after each round the
 * deferred requests go out as a batch, and the papers that waited for them run again.
 */
async function runInBatches(o: RunPapersOptions, mode: BatchMode): Promise<PaperOutcome[]> {
  if (!(o.llm instanceof LlmClient)) throw new DigestError('usage', '--batch needs a provider endpoint');
  const collector = new BatchCollector(o.llm);
  const outcomes: PaperOutcome[] = new Array(o.papers.length);
  let todo = o.papers.map((_, i) => i);
  for (let round = 1; todo.length; round++) {
    collector.collecting = round === 1 || mode.followUps === 'batch';
    const at = todo;
    const skip = new Map([...(o.skip ?? [])].flatMap(([i, why]) => (at.includes(i) ? [[at.indexOf(i), why]] : [])));
    const r = await runRound({
      ...o,
      papers: at.map((i) => o.papers[i]!),
      llm: collector,
      skip,
      live: undefined,
      deliver: (j, result) => o.deliver(at[j]!, result),
      settled: (j) => o.settled?.(at[j]!),
    });
    r.outcomes.forEach((x, j) => {
      if (x) outcomes[at[j]!] = x;
    });
    todo = r.deferred.map((j) => at[j]!);
    if (!todo.length) break;
    if (round === MAX_ROUNDS) {
      for (const i of todo)
        outcomes[i] = { status: 'failed', reason: `still waiting for follow-ups after ${round} batches` };
      break;
    }
    await settleDeferred({ ...mode, collector, cache: o.cache, logger: o.logger, signal: o.signal });
  }
  o.progress.stop();
  const u = collector.batchUsage;
  if (collector.batchRequests)
    o.logger.info(
      `batch: ${collector.batchRequests} answer(s) from the Batch API, tokens in ${u.promptTokens}${u.cachedTokens ? ` (cached ${u.cachedTokens})` : ''}, out ${u.completionTokens}, cost ${formatCost(costOf(u, mode.price))} at the batch price`,
    );
  return outcomes;
}

/** One pass over the papers; those that wait for a batch are returned as deferred (no outcome yet). */
async function runRound(o: RunPapersOptions): Promise<{ outcomes: PaperOutcome[]; deferred: number[] }> {
  const deferred: number[] = [];
  const limit = pLimit(o.concurrency);
  // papers start a few at a time, so a big day holds only the papers in flight, not all their prompts
  const paperLimit = pLimit(Math.max(2, o.concurrency * 2));
  let fatal: string | undefined;
  const generator = `arxiv-digest ${version()}`;
  const outcomes: PaperOutcome[] = new Array(o.papers.length);
  let delivered = 0;
  await Promise.all(
    o.papers.map((arriving, i) =>
      paperLimit(async () => {
        // a paper starts as soon as it is here, while those after it may still be on their way
        const paper = await Promise.resolve(arriving).catch((err: unknown) => {
          outcomes[i] = { status: 'failed', reason: redact(errorMessage(err)) };
          return undefined;
        });
        if (!paper) {
          o.settled?.(i);
          return;
        }
        const key = `${paper.id}v${paper.version}`;
        const skipReason = o.skip?.get(i);
        if (skipReason) {
          outcomes[i] = { status: 'skipped', reason: skipReason };
          o.settled?.(i);
          return;
        }
        try {
          o.progress.stage(key, 'queued');
          const result = await composePost(
            paper,
            o.templates,
            {
              llm: o.llm,
              limit,
              signal: o.signal,
              stopped: () => fatal,
              stop: (err) => {
                if (fatal) return;
                fatal = err.message;
                o.logger.error(
                  `${err.message}${err.hint ? ` (${err.hint})` : ''}; stopping: papers not yet started are skipped`,
                );
              },
              onStage: (s) => o.progress.stage(key, s),
              cache: o.cache,
              ...o.text,
              ...(o.batch ? { independentQuestions: true } : {}),
              verbose: (m) => o.logger.verbose(m),
              generator,
              now: o.now,
            },
            o.live?.(i),
          );
          for (const kind of ['figure', 'name'] as const) {
            const claims = result.unverified.filter((u) => u.kind === kind).map((u) => u.claim);
            if (claims.length)
              o.logger.warn(
                `${key}: ${kind}s not found in the text the model was given: ${claims.join(', ')} (check before publishing; listed in front matter as digest.unverified_${kind}s)`,
              );
          }
          if (result.terms?.length)
            o.logger.warn(`${key}: terms: ${result.terms.join('; ')} (digest.terms in front matter)`);
          await o.deliver(i, result);
          outcomes[i] = { status: 'done', result: slim(result) };
          if (++delivered % 50 === 0) collectGarbage();
          const u = result.usage;
          o.logger.info(
            `${key}: ${result.source} text · tokens in ${u.promptTokens}${u.cachedTokens ? ` (cached ${u.cachedTokens})` : ''}, out ${u.completionTokens}${result.cachedCalls ? ` · ${result.cachedCalls} answer(s) from cache` : ''}${result.followUps ? ` · ${result.followUps} follow-up(s)` : ''}`,
          );
          o.progress.done(key, true, result.titleZh || paper.title);
        } catch (err) {
          if (o.signal.aborted) throw err;
          if (err instanceof Deferred) {
            deferred.push(i);
            return;
          }
          const reason = redact(errorMessage(err));
          if (err instanceof DigestError && reason.startsWith('not started:')) {
            outcomes[i] = { status: 'skipped', reason: reason.replace(/^not started: /, '') };
          } else {
            outcomes[i] = { status: 'failed', reason };
            if (!(err instanceof DigestError && err.fatal)) o.logger.error(`${key}: ${reason}`);
          }
          o.progress.done(key, false, outcomes[i]!.status);
        } finally {
          if (!deferred.includes(i)) o.settled?.(i);
        }
      }),
    ),
  );
  return { outcomes, deferred };
}

/** What is kept of a delivered paper for the summary and the digest page: not its texts (the abstract is on the page). */
function slim(r: PostResult): PostResult {
  return {
    ...r,
    explainer: undefined,
    qa: undefined,
    sections: [],
    paper: { ...r.paper, rawAbstract: '' },
  };
}

let gc: (() => void) | undefined | null;

/**
 * A long batch makes garbage much faster than V8 collects it (every streamed chunk is parsed), so the
 * heap, and the process's memory, grows with the batch although little is kept. A full collection every
 * 50 papers keeps a 1,000-paper day near the size of a 50-paper one, for tens of ms each time.
 */
function collectGarbage(): void {
  if (gc === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const req = createRequire(import.meta.url);
      (req('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
      gc = (req('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
