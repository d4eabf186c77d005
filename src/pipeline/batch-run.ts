/**
 * --batch: the run's requests go to the provider's Batch API instead of one by one. The pipeline runs as
 * usual against a model that answers from the cache and, for anything not there yet, writes the request
 * down and defers the paper; the deferred requests go out as one batch per model, and when it is done their
 * answers are kept in the cache exactly as streamed answers are, so the next round (follow-ups: a missing
 * question, a title, a correction) and the final writing read them there. Batch ids, file ids and which
 * request went where are stored the moment the provider accepts them: a later run waits for or collects
 * that batch and never submits the same request twice.
 */
import type { Cache } from '../cache/cache.js';
import { DigestError } from '../errors.js';
import {
  batchResults,
  batchStatus,
  FINAL_STATES,
  submitBatch,
  type BatchRequest,
  type BatchStatus,
} from '../llm/batch-api.js';
import { readUsage, type LlmClient, type Llm, type LlmRequest, type LlmResult, type Usage } from '../llm/llm-client.js';
import { sleep } from '../net/http.js';
import type { Logger } from '../ui/logger.js';

/** A request written down for the next batch: the paper waits for it. */
export class Deferred extends Error {
  constructor() {
    super('waiting for a batch');
  }
}

interface Pending {
  req: LlmRequest;
  id: string;
}

/** What the cache keeps of a submitted batch. */
export interface BatchRecord {
  id: string;
  inputFileId: string;
  model: string;
  endpoint: string;
  baseURL: string;
  submittedAt: string;
  state: string;
  /** custom_id → the paper and template that asked. */
  labels: Record<string, string>;
}

const INDEX = 'index';

/** The model the pipeline talks to in batch mode: cache, or a deferred request. */
export class BatchCollector implements Llm {
  readonly pending = new Map<string, Pending>();
  /** Requests a finished batch did not answer, by request id, with the provider's reason. */
  readonly failures = new Map<string, string>();
  /** Defer what is not cached (true), or ask it directly (follow-ups with --batch-followups direct). */
  collecting = true;
  readonly batchUsage: Usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
  batchRequests = 0;

  constructor(readonly inner: LlmClient) {}

  get facts() {
    return this.inner.facts;
  }
  get usage() {
    return this.inner.usage;
  }
  get requests() {
    return this.inner.requests;
  }
  get followUps() {
    return this.inner.followUps;
  }

  async complete(req: LlmRequest): Promise<LlmResult> {
    const kept = await this.inner.kept(req);
    if (kept === 'usable') return this.inner.complete(req);
    const id = this.inner.requestId(req);
    const failed = this.failures.get(id);
    if (failed) throw new DigestError('llm', `the batch did not answer ${req.label ?? 'a request'}: ${failed}`);
    if (!this.collecting) return this.inner.complete(req);
    this.pending.set(id, { req, id });
    throw new Deferred();
  }
}

export interface BatchRunOptions {
  collector: BatchCollector;
  endpoint: string;
  cache: Cache;
  logger: Logger;
  signal: AbortSignal;
  pollMs: number;
  /** The provider's limits on one input file. */
  maxRequests: number;
  maxBytes: number;
}

/** Submit what was deferred (or find the batch it is already in), wait for every batch, keep the answers. */
export async function settleDeferred(o: BatchRunOptions): Promise<void> {
  const { collector, cache, logger } = o;
  // in the order of the papers and templates, whatever order the run reached them in: the same work makes the same file
  const todo = [...collector.pending.values()].sort((a, b) => (a.req.label ?? '').localeCompare(b.req.label ?? ''));
  collector.pending.clear();
  if (!todo.length) return;
  const client = await collector.inner.sdkClient();
  const facts = collector.facts;
  // requests already in a batch submitted earlier (a run stopped while it waited) are not sent again
  const waiting = new Map<string, Pending[]>();
  const fresh: Pending[] = [];
  for (const p of todo) {
    const at = await cache.get<{ batch: string }>('batch-requests', p.id);
    const rec = at && (await cache.get<BatchRecord>('batches', at.batch));
    if (rec && !FINAL_STATES.includes(rec.state as never)) waiting.set(rec.id, [...(waiting.get(rec.id) ?? []), p]);
    else fresh.push(p);
  }
  for (const [id, ps] of waiting) logger.info(`batch ${id}: ${ps.length} request(s) already submitted; waiting for it`);
  for (const chunk of chunks(fresh, (p) => JSON.stringify(collector.inner.batchBody(p.req)).length + 200, o)) {
    const lines: BatchRequest[] = chunk.map((p) => ({ custom_id: p.id, body: collector.inner.batchBody(p.req) }));
    const { batchId, inputFileId } = await submitBatch(client, lines, {
      endpoint: o.endpoint,
      metadata: { tool: 'arxiv-digest' },
    });
    const record: BatchRecord = {
      id: batchId,
      inputFileId,
      model: facts.model,
      endpoint: o.endpoint,
      baseURL: facts.endpoint,
      submittedAt: new Date().toISOString(),
      state: 'validating',
      labels: Object.fromEntries(chunk.map((p) => [p.id, p.req.label ?? ''])),
    };
    // kept before anything else can go wrong: the next run finds this batch instead of paying again
    await cache.set('batches', batchId, record);
    for (const p of chunk) await cache.set('batch-requests', p.id, { batch: batchId });
    const index = (await cache.get<string[]>('batches', INDEX)) ?? [];
    await cache.set('batches', INDEX, [...index.filter((x) => x !== batchId), batchId]);
    logger.info(`batch ${batchId}: submitted ${chunk.length} request(s) for ${facts.model}`);
    waiting.set(batchId, chunk);
  }
  await Promise.all(
    [...waiting].map(async ([id, ps]) => {
      const final = await waitFor(client, id, o);
      const record = await cache.get<BatchRecord>('batches', id);
      if (record) await cache.set('batches', id, { ...record, state: final.state });
      const results = await batchResults(
        client,
        final,
        ps.map((p) => p.id),
      );
      for (const p of ps) {
        const a = results.answers.get(p.id);
        if (a) {
          const usage = readUsage(a.usage) ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
          await collector.inner.keep(p.req, { text: a.text, usage });
          collector.batchRequests++;
          collector.batchUsage.promptTokens += usage.promptTokens;
          collector.batchUsage.completionTokens += usage.completionTokens;
          collector.batchUsage.cachedTokens += usage.cachedTokens;
        } else collector.failures.set(p.id, results.failures.get(p.id) ?? 'no answer');
      }
    }),
  );
}

async function waitFor(client: Awaited<ReturnType<LlmClient['sdkClient']>>, id: string, o: BatchRunOptions) {
  const started = Date.now();
  let last = '';
  for (;;) {
    const s: BatchStatus = await batchStatus(client, id);
    const line = `${s.state} ${s.completed + s.failed}/${s.total}`;
    if (line !== last) {
      const elapsed = Math.round((Date.now() - started) / 1000);
      o.logger.info(
        `batch ${id}: ${s.state}${s.total ? `, ${s.completed + s.failed} of ${s.total} done` : ''} (${elapsed} s)${s.reason ? `: ${s.reason}` : ''}`,
      );
      last = line;
    }
    if (FINAL_STATES.includes(s.state)) return s;
    await sleep(o.pollMs, o.signal);
  }
}

/** Requests split into files the provider accepts (line and size limits). */
function chunks(items: Pending[], size: (p: Pending) => number, o: BatchRunOptions): Pending[][] {
  const out: Pending[][] = [];
  let cur: Pending[] = [];
  let bytes = 0;
  for (const p of items) {
    const b = size(p);
    if (cur.length && (cur.length >= o.maxRequests || bytes + b > o.maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(p);
    bytes += b;
  }
  if (cur.length) out.push(cur);
  return out;
}
