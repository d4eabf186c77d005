/**
 * OpenAI-compatible chat client on the `openai` SDK, with the policies the SDK lacks:
 * our own retries (SDK maxRetries 0, so Retry-After is clamped), an idle timer and a deadline on the
 * body, "no finish_reason" treated as a cut stream, reasoning kept out of the answer, usage read from
 * every place providers put it, and one quality retry for empty / truncated / non-Chinese answers.
 */
import { createHash } from 'node:crypto';
import type OpenAI from 'openai';
import type { Cache } from '../cache/cache.js';
import { DigestError, isAbortError } from '../errors.js';
import { backoff, proxyNote, sleep } from '../net/http.js';
import { classifyError, type Classified } from './llm-errors.js';
import { requestShape, type ProviderPreset } from './providers.js';
import { isMostlyChinese, stripThink, ThinkFilter } from './text-checks.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export interface LlmRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Called with visible (reasoning-free) text as it streams. */
  onDelta?: (text: string) => void;
  /** Called before a retry, so a live preview can say it starts over. */
  onRetry?: (reason: string) => void;
  signal?: AbortSignal;
  /** Skip the "mostly Chinese" check (for templates that write in another language). */
  requireChinese?: boolean;
  /**
   * Where every paid answer is kept, raw, before any check: the same request (same endpoint, model,
   * settings and messages) is then never paid for twice, whatever failed after it.
   */
  cache?: Cache;
  /** A follow-up (a missing question or title): counted apart in the run's summary. */
  followUp?: boolean;
  /** Which paper and template asked (for batch listings and per-paper reasons). */
  label?: string;
}

export interface LlmResult {
  text: string;
  usage: Usage;
  finishReason: string;
  model: string;
  attempts: number;
  /** Taken from the cache of paid answers: no request was made. */
  cached: boolean;
}

interface RawAnswer {
  text: string;
  finishReason: string;
  usage: Usage;
}

export interface LlmClientOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  preset: ProviderPreset;
  stream: boolean;
  idleTimeoutMs: number;
  deadlineMs: number;
  /** Transport retries after the first attempt. */
  retries: number;
  retryBaseMs: number;
  maxRetryAfterMs: number;
  log?: (msg: string) => void;
  /** Injected for tests and for the proxy-aware fetch. */
  createClient: () => Promise<OpenAI>;
}

/** The facts an answer depends on besides its messages: part of every cache key, and of the front matter. */
export interface LlmFacts {
  model: string;
  endpoint: string;
  provider: string;
  extraBody: Record<string, unknown>;
}

/** This run's requests and tokens, for the closing summary. */
export interface LlmTally {
  usage: Usage;
  requests: number;
  /** Follow-up requests (missing questions, titles) and their tokens, part of the totals above. */
  followUps: { requests: number; promptTokens: number; completionTokens: number };
}

/**
 * What the pipeline needs of a model: one request at a time, the facts its cache keys are made of, and
 * the run's tally. `LlmClient` is the real one; tests use a recording fake in-process.
 */
export interface Llm extends LlmTally {
  readonly facts: LlmFacts;
  complete(req: LlmRequest): Promise<LlmResult>;
  /** Embeddings from the provider's /embeddings endpoint (--rank embedding). */
  embed?(inputs: string[], model: string, o: { cache: Cache; signal?: AbortSignal }): Promise<number[][]>;
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

export class LlmClient implements Llm {
  private client: Promise<OpenAI> | undefined;
  usage: Usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
  requests = 0;
  followUps = { requests: 0, promptTokens: 0, completionTokens: 0 };
  /** A rate limit seen by one call holds back every call of the batch until then. */
  private pausedUntil = 0;

  readonly facts: LlmFacts;

  constructor(readonly opts: LlmClientOptions) {
    this.facts = {
      model: opts.model,
      endpoint: opts.baseURL,
      provider: opts.preset.name,
      extraBody: opts.preset.extraBody,
    };
  }

  private sdk(): Promise<OpenAI> {
    this.client ??= this.opts.createClient();
    return this.client;
  }

  /** The SDK client (the Batch API uses it as it is). */
  sdkClient(): Promise<OpenAI> {
    return this.sdk();
  }

  /** Whether the raw cache holds a usable answer for this request (a batch then need not ask for it). */
  async kept(req: LlmRequest): Promise<'usable' | 'unusable' | 'none'> {
    if (!req.cache) return 'none';
    const kept = await req.cache.get<RawAnswer>('answers', this.rawKey(req));
    if (!kept) return 'none';
    const result = { ...kept, text: stripThink(kept.text), model: this.opts.model, attempts: 0, cached: true };
    return qualityProblem(result, req.requireChinese ?? true) ? 'unusable' : 'usable';
  }

  /** The request's identity in the raw cache, as a short hash (a batch line's custom_id is built from it). */
  requestId(req: LlmRequest): string {
    return createHash('sha256')
      .update(JSON.stringify(this.rawKey(req)))
      .digest('hex')
      .slice(0, 32);
  }

  /** The body a normal, non-streamed call sends: what a batch line carries. */
  batchBody(req: LlmRequest): Record<string, unknown> {
    const { preset, model } = this.opts;
    const shape = requestShape(preset, model, this.opts.baseURL);
    const body: Record<string, unknown> = { model, messages: req.messages, ...preset.extraBody };
    if (req.maxTokens) body[shape.tokenParam] = req.maxTokens;
    if (shape.sampling && req.temperature !== undefined) body['temperature'] = req.temperature;
    return body;
  }

  /** A batch's answer kept as if the request had been sent now: the pipeline then reads it from the cache. */
  async keep(req: LlmRequest, answer: { text: string; finishReason?: string; usage?: Usage }): Promise<void> {
    if (!req.cache) return;
    await req.cache.set('answers', this.rawKey(req), {
      text: answer.text,
      finishReason: answer.finishReason ?? 'stop',
      usage: answer.usage ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
    } satisfies RawAnswer);
  }

  /** What decides a request's answer: never the key. */
  private rawKey(req: LlmRequest): unknown {
    const o = this.opts;
    const messages = createHash('sha256').update(JSON.stringify(req.messages)).digest('hex');
    return {
      v: 1,
      endpoint: o.baseURL,
      model: o.model,
      extra: o.preset.extraBody,
      temperature: req.temperature,
      maxTokens: req.maxTokens,
      messages,
    };
  }

  /**
   * Embeddings of `inputs` from the provider's /embeddings endpoint, each cached by model, endpoint and
   * text. A 404 (no such endpoint or model) is a usage error naming the provider: nothing was spent.
   */
  async embed(inputs: string[], model: string, o: { cache: Cache; signal?: AbortSignal }): Promise<number[][]> {
    const keyOf = (text: string) => ({
      v: 1,
      endpoint: this.opts.baseURL,
      model,
      text: createHash('sha256').update(text).digest('hex'),
    });
    const out: Array<number[] | undefined> = await Promise.all(
      inputs.map((t) => o.cache.get<number[]>('embeddings', keyOf(t))),
    );
    const todo = inputs.flatMap((t, i) => (out[i] ? [] : [i]));
    const client = await this.sdk();
    for (let at = 0; at < todo.length; at += 64) {
      const batch = todo.slice(at, at + 64);
      this.requests++;
      let res: Awaited<ReturnType<OpenAI['embeddings']['create']>>;
      try {
        res = await client.embeddings.create(
          // floats, not the SDK's default base64, which many OpenAI-compatible servers do not speak
          { model, input: batch.map((i) => inputs[i]!), encoding_format: 'float' },
          { maxRetries: 2, timeout: this.opts.idleTimeoutMs, ...(o.signal ? { signal: o.signal } : {}) },
        );
      } catch (err) {
        if (isAbortError(err)) throw err;
        if ((err as { status?: number }).status === 404)
          throw new DigestError(
            'usage',
            `--rank embedding: ${this.opts.preset.label} at ${this.opts.baseURL} has no embeddings endpoint or model "${model}" (404)`,
            {
              hint: 'use --rank lexical, or name an embedding model the endpoint serves with DIGEST_EMBEDDING_MODEL',
            },
          );
        const c: Classified = classifyError(err, { ...this.opts, model });
        throw new DigestError('llm', `embeddings: ${c.message}`, {
          fatal: c.fatal,
          ...(c.hint ? { hint: c.hint } : {}),
        });
      }
      for (const d of res.data) {
        const i = batch[d.index]!;
        out[i] = d.embedding;
        await o.cache.set('embeddings', keyOf(inputs[i]!), d.embedding);
      }
    }
    return out.map((v, i) => {
      if (!v) throw new DigestError('llm', `embeddings: no vector came back for input ${i + 1}`);
      return v;
    });
  }

  /** One answer, with transport retries and one quality retry. */
  async complete(req: LlmRequest): Promise<LlmResult> {
    const key = req.cache ? this.rawKey(req) : undefined;
    let first = key ? await req.cache!.get<RawAnswer>('answers', key) : undefined;
    // not in the cache: another run on this machine may be asking the same now; wait for its answer
    const claim = key && !first && req.cache!.claim ? await req.cache!.claim('answers', key, req.signal) : undefined;
    try {
      if (claim) first = await req.cache!.get<RawAnswer>('answers', key);
      return await this.answer(req, key, first);
    } finally {
      await claim?.release();
    }
  }

  private async answer(req: LlmRequest, key: unknown, first: RawAnswer | undefined): Promise<LlmResult> {
    let qualityRetried = false;
    let transportRetries = 0;
    for (let attempt = 1; ; attempt++) {
      let result: LlmResult;
      // an answer paid for earlier is used first; only its quality retry asks the model again
      const kept =
        key && !qualityRetried ? (attempt === 1 ? first : await req.cache!.get<RawAnswer>('answers', key)) : undefined;
      if (kept) {
        result = { ...kept, text: stripThink(kept.text), model: this.opts.model, attempts: 0, cached: true };
        req.onDelta?.(result.text);
        const problem = qualityProblem(result, req.requireChinese ?? true);
        if (!problem) return result;
        qualityRetried = true;
        this.opts.log?.(`the kept answer was ${problem}; asking the model again`);
        req.onRetry?.(problem);
        continue;
      }
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) await sleep(pause, req.signal);
      try {
        result = await this.once(req, attempt);
        if (req.followUp) {
          this.followUps.requests++;
          this.followUps.promptTokens += result.usage.promptTokens;
          this.followUps.completionTokens += result.usage.completionTokens;
        }
        if (key)
          await req.cache!.set('answers', key, {
            text: result.text,
            finishReason: result.finishReason,
            usage: result.usage,
          } satisfies RawAnswer);
      } catch (err) {
        if (req.signal?.aborted) throw err;
        const c: Classified =
          err instanceof RetryableError
            ? { retryable: true, fatal: false, message: err.message }
            : classifyError(err, this.opts);
        // a host that is not there gets one quick second try, then the whole run stops: every call would fail
        if (c.unreachable && transportRetries >= Math.min(1, this.opts.retries)) {
          throw new DigestError('llm', `${c.message}; ${proxyNote()}`, {
            fatal: true,
            hint: 'check --base-url / the provider, the network and the proxy settings',
          });
        }
        if (!c.retryable || transportRetries >= this.opts.retries) {
          throw new DigestError(c.contextTooLong ? 'context' : 'llm', c.message, {
            ...(c.hint ? { hint: c.hint } : {}),
            fatal: c.fatal,
          });
        }
        transportRetries++;
        const wait = c.unreachable
          ? Math.min(1000, this.opts.retryBaseMs)
          : Math.min(
              (err instanceof RetryableError ? err.waitMs : c.waitMs) ??
                backoff(this.opts.retryBaseMs, transportRetries - 1, 30_000),
              this.opts.maxRetryAfterMs,
            );
        if (c.rateLimited) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
        this.opts.log?.(
          `${c.message}; retrying in ${(wait / 1000).toFixed(1)} s (${transportRetries}/${this.opts.retries})`,
        );
        req.onRetry?.(c.message);
        await sleep(wait, req.signal);
        continue;
      }
      const problem = qualityProblem(result, req.requireChinese ?? true);
      if (!problem) return result;
      if (qualityRetried) {
        throw new DigestError('llm', `the model's answer was ${problem} twice (model ${this.opts.model})`, {
          hint: problem === 'cut off at the token limit' ? 'raise max_tokens in the template' : 'try another model',
        });
      }
      qualityRetried = true;
      this.opts.log?.(`the model's answer was ${problem}; asking once more`);
      req.onRetry?.(problem);
    }
  }

  private async once(req: LlmRequest, attempt: number): Promise<LlmResult> {
    const client = await this.sdk();
    const { model } = this.opts;
    const body = this.batchBody(req);

    const ac = new AbortController();
    let why: 'idle' | 'deadline' | undefined;
    const onParentAbort = () => ac.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onParentAbort, { once: true });
    const deadline = setTimeout(() => {
      why = 'deadline';
      ac.abort();
    }, this.opts.deadlineMs);
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        why = 'idle';
        ac.abort();
      }, this.opts.idleTimeoutMs);
    };
    this.requests++;
    try {
      touch();
      const reqOpts = {
        signal: ac.signal,
        maxRetries: 0,
        timeout: this.opts.idleTimeoutMs,
        headers: { 'x-digest-attempt': String(attempt) },
      };
      const out = this.opts.stream
        ? await this.streamed(
            client,
            { ...body, stream: true, stream_options: { include_usage: true } },
            reqOpts,
            touch,
            req.onDelta,
          )
        : await this.unary(client, body, reqOpts);
      if (why === 'idle') throw new RetryableError(`no data from the model for ${this.opts.idleTimeoutMs / 1000} s`);
      if (why === 'deadline')
        throw new RetryableError(`the model did not finish within ${this.opts.deadlineMs / 1000} s`);
      if (req.signal?.aborted)
        throw req.signal.reason instanceof Error ? req.signal.reason : new DOMException('aborted', 'AbortError');
      if (!out.finishReason) throw new RetryableError('the stream ended before the model finished (no finish_reason)');
      this.usage.promptTokens += out.usage.promptTokens;
      this.usage.completionTokens += out.usage.completionTokens;
      this.usage.cachedTokens += out.usage.cachedTokens;
      return { ...out, text: stripThink(out.text), model, attempts: attempt, cached: false };
    } catch (err) {
      if (why === 'idle' && !(err instanceof RetryableError))
        throw new RetryableError(`no data from the model for ${this.opts.idleTimeoutMs / 1000} s`);
      if (why === 'deadline' && !(err instanceof RetryableError))
        throw new RetryableError(`the model did not finish within ${this.opts.deadlineMs / 1000} s`);
      if (isAbortError(err) && req.signal?.aborted) throw err;
      throw err;
    } finally {
      clearTimeout(deadline);
      clearTimeout(idle);
      req.signal?.removeEventListener('abort', onParentAbort);
    }
  }

  private async streamed(
    client: OpenAI,
    body: Record<string, unknown>,
    reqOpts: object,
    touch: () => void,
    onDelta?: (t: string) => void,
  ) {
    const stream = (await client.chat.completions.create(body as never, reqOpts)) as unknown as AsyncIterable<
      Record<string, unknown>
    >;
    const filter = new ThinkFilter();
    let text = '';
    let finishReason = '';
    let usage: Usage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
    for await (const chunk of stream) {
      touch();
      const choice = (chunk['choices'] as Array<Record<string, unknown>> | undefined)?.[0];
      const u =
        readUsage(chunk['usage']) ??
        readUsage(choice?.['usage']) ??
        readUsage((chunk['x_groq'] as Record<string, unknown> | undefined)?.['usage']);
      if (u) usage = u;
      if (!choice) continue;
      const delta = choice['delta'] as Record<string, unknown> | undefined;
      const content = delta?.['content'];
      if (typeof content === 'string' && content) {
        text += content;
        const visible = filter.push(content);
        if (visible) onDelta?.(visible);
      }
      const fr = choice['finish_reason'];
      if (typeof fr === 'string' && fr) finishReason = fr;
    }
    const tail = filter.end();
    if (tail) onDelta?.(tail);
    return { text, finishReason, usage };
  }

  private async unary(client: OpenAI, body: Record<string, unknown>, reqOpts: object) {
    const res = (await client.chat.completions.create(body as never, reqOpts)) as unknown;
    if (typeof res === 'string' || res === null || typeof res !== 'object') {
      throw new RetryableError('the server answered with something that is not a chat completion');
    }
    const r = res as Record<string, unknown>;
    const choice = (r['choices'] as Array<Record<string, unknown>> | undefined)?.[0];
    const message = choice?.['message'] as Record<string, unknown> | undefined;
    const text = typeof message?.['content'] === 'string' ? (message['content'] as string) : '';
    return {
      text,
      finishReason: typeof choice?.['finish_reason'] === 'string' ? (choice['finish_reason'] as string) : '',
      usage: readUsage(r['usage']) ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
    };
  }
}

export function readUsage(u: unknown): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const o = u as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const details = o['prompt_tokens_details'] as Record<string, unknown> | undefined;
  return {
    promptTokens: num(o['prompt_tokens']),
    completionTokens: num(o['completion_tokens']),
    cachedTokens: num(details?.['cached_tokens']) || num(o['prompt_cache_hit_tokens']) || num(o['cached_tokens']),
  };
}

function qualityProblem(r: LlmResult, requireChinese: boolean): string | undefined {
  if (!r.text.trim()) return 'empty';
  if (r.finishReason === 'length') return 'cut off at the token limit';
  if (r.finishReason === 'content_filter') return 'blocked by the provider\u2019s content filter';
  if (requireChinese && !isMostlyChinese(r.text)) return 'not in Chinese';
  return undefined;
}
