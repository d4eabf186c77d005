/**
 * A polite arXiv export-API client: batched id_list requests, one connection, requests spaced by
 * at least `delayMs`, retries with backoff on 429/5xx/timeouts/garbage, and "empty for a real id"
 * retried before an id is called not found.
 */
import { DigestError, isAbortError } from '../errors.js';
import { backoff, getFetch, proxyNote, retryAfterMs, sleep, unreachableCode } from '../net/http.js';
import { userAgent } from '../version.js';
import { refKey, type ArxivRef } from './arxiv-id.js';
import { FeedFormatError, parseAtom, type AtomResult } from './parse-atom.js';
import type { Paper } from './paper.js';

export interface ArxivClientOptions {
  apiUrl: string;
  delayMs: number;
  timeoutMs: number;
  /** Extra attempts after the first, per request. */
  retries: number;
  /** Base of the exponential backoff when the server gives no Retry-After. */
  retryBaseMs: number;
  batchSize: number;
  /** How long an unversioned id's version, once looked up, is trusted from the cache (0: always ask). */
  versionTtlMs?: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
}

interface Sent {
  status: number;
  bytes: Buffer;
  tooLarge: boolean;
  contentType: string;
  retryAfterMs: number | undefined;
}

type Decision<T> = { done: T } | { retry: string; waitMs?: number | undefined } | { fail: DigestError };

export type FetchOutcome = { ok: true; paper: Paper } | { ok: false; error: DigestError };

/** A host that is plainly not there (refused, no such name, TLS or proxy failure): not asked again this run. */
export class HostDownError extends DigestError {
  /** True for the request that found it down (so it is reported once), false for the ones after. */
  constructor(
    message: string,
    readonly fresh: boolean,
  ) {
    super('unreachable', message, {
      hint: 'check the network, the proxy settings and the arXiv URLs (digest config shows them)',
    });
  }
}

/**
 * Serialises requests (one connection's worth at a time) and starts each one at least delayMs after
 * the previous one finished, so arXiv sees them spaced by the delay whatever the network adds.
 */
class PoliteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private lastEnd = -Infinity;
  constructor(private readonly delayMs: number) {}

  /** `skip`: when true by the time this request's turn comes, it runs at once (it will not reach arXiv). */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal, skip?: () => boolean): Promise<T> {
    const next = this.tail.then(async () => {
      if (skip?.()) return fn();
      // timers may fire a millisecond early: loop until the spacing really holds
      for (
        let wait = this.lastEnd + this.delayMs - Date.now();
        wait > 0;
        wait = this.lastEnd + this.delayMs - Date.now()
      ) {
        await sleep(wait, signal);
      }
      try {
        const out = await fn();
        this.lastEnd = Date.now();
        return out;
      } catch (err) {
        // a request that never reached arXiv (refused, no such name) does not count for the spacing
        if (!unreachableCode(err) && !(err instanceof HostDownError)) this.lastEnd = Date.now();
        throw err;
      }
    });
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class ArxivClient {
  private readonly queue: PoliteQueue;
  /** Number of HTTP requests sent (for --verbose and tests). */
  requests = 0;
  /** When each request started (ms since epoch), to check the spacing. */
  readonly startTimes: number[] = [];
  /** Hosts (origins) found not there in this run, with the reason: no request goes to them again. */
  private readonly down = new Map<string, string>();

  constructor(private readonly opts: ArxivClientOptions) {
    this.queue = new PoliteQueue(opts.delayMs);
  }

  /** How long an unversioned id's version, once looked up, is trusted from the cache (0: always ask). */
  get versionTtlMs(): number {
    return this.opts.versionTtlMs ?? 0;
  }

  /** Fetch metadata for many refs in as few requests as possible; results keyed by refKey(ref). */
  /** `found` hears of each paper as soon as its batch is answered (a run can start on it while the rest wait). */
  async fetchPapers(refs: ArxivRef[], found?: (key: string, paper: Paper) => void): Promise<Map<string, FetchOutcome>> {
    const out = new Map<string, FetchOutcome>();
    const wanted = new Map<string, ArxivRef>();
    for (const r of refs) wanted.set(refKey(r), r);
    let pending = [...wanted.values()];
    // First pass plus one re-ask for ids that came back missing (arXiv sometimes answers empty under load).
    for (let round = 0; round < 2 && pending.length > 0; round++) {
      if (round > 0) this.opts.log?.(`arXiv returned no entry for ${pending.map(refKey).join(', ')}; asking again`);
      const missing: ArxivRef[] = [];
      for (let i = 0; i < pending.length; i += this.opts.batchSize) {
        const batch = pending.slice(i, i + this.opts.batchSize);
        const papers = await this.queryIdList(batch);
        for (const ref of batch) {
          const hit = papers.find((p) => p.id === ref.id && (ref.version === undefined || p.version === ref.version));
          if (hit) {
            out.set(refKey(ref), { ok: true, paper: hit });
            found?.(refKey(ref), hit);
          } else missing.push(ref);
        }
      }
      pending = missing;
    }
    for (const ref of pending) {
      out.set(refKey(ref), {
        ok: false,
        error: new DigestError('not-found', `${refKey(ref)}: not found on arXiv`, {
          hint:
            ref.version === undefined
              ? 'check the id on https://arxiv.org'
              : `check that version v${ref.version} exists`,
        }),
      });
    }
    return out;
  }

  private async queryIdList(batch: ArxivRef[]): Promise<Paper[]> {
    const url = new URL(this.opts.apiUrl);
    url.searchParams.set('id_list', batch.map(refKey).join(','));
    url.searchParams.set('start', '0');
    url.searchParams.set('max_results', String(batch.length));
    const parsed = await this.get(url.toString(), readAtom);
    if (parsed.errors.length > 0) {
      throw new DigestError('arxiv', `arXiv rejected the request: ${parsed.errors.join('; ')}`);
    }
    return parsed.papers;
  }

  /** One page of an API search (search_query), for listings by date. */
  async search(query: string, start: number, max: number): Promise<{ papers: Paper[]; total: number }> {
    const url = new URL(this.opts.apiUrl);
    url.searchParams.set('search_query', query);
    url.searchParams.set('start', String(start));
    url.searchParams.set('max_results', String(max));
    url.searchParams.set('sortBy', 'submittedDate');
    url.searchParams.set('sortOrder', 'ascending');
    const parsed = await this.get(url.toString(), readAtom);
    if (parsed.errors.length > 0)
      throw new DigestError('arxiv', `arXiv rejected the search: ${parsed.errors.join('; ')}`);
    return { papers: parsed.papers, total: parsed.totalResults ?? parsed.papers.length };
  }

  /** An RSS/Atom listing feed, fetched under the same politeness rules. */
  async feed(url: string): Promise<string> {
    return this.get<string>(url, (body) =>
      /<(rss|feed)[\s>]/.test(body) ? { value: body } : { problem: 'not an RSS feed' },
    );
  }

  /**
   * A document (HTML or PDF) for the full text: undefined when arXiv has none (404/410), retried like
   * the API on 429/5xx/network errors, refused past `maxBytes`.
   */
  async document(url: string, maxBytes: number): Promise<{ bytes: Buffer; contentType: string } | undefined> {
    return this.withRetries(url, maxBytes, (res) => {
      if (res.tooLarge)
        return {
          fail: new DigestError(
            'arxiv',
            `${url} is larger than ${Math.round(maxBytes / 1e6)} MB (DIGEST_FULLTEXT_MAX_BYTES)`,
          ),
        };
      if (res.status === 200) return { done: { bytes: res.bytes, contentType: res.contentType } };
      if (res.status === 404 || res.status === 410) return { done: undefined };
      if (throttled(res.status))
        return { retry: `arXiv answered HTTP ${res.status} for ${url}`, waitMs: res.retryAfterMs };
      return { fail: new DigestError('arxiv', `arXiv answered HTTP ${res.status} for ${url}`) };
    });
  }

  /**
   * GET with politeness, retries and content sniffing; `read` turns a 200 body into its value, or says
   * what is wrong with it (a broken feed is asked again). The body is read once: a feed is not parsed
   * once to check it and again to use it.
   */
  private async get<T>(url: string, read: (body: string) => Read<T>): Promise<T> {
    return this.withRetries<T>(url, undefined, (res): Decision<T> => {
      const body = res.bytes.toString('utf8');
      if (res.status === 200 || (res.status === 400 && /<feed[\s>]/.test(body))) {
        const r = read(body);
        if ('value' in r) return { done: r.value };
        const bad = r.problem;
        return {
          retry: /<(feed|rss)[\s>]/.test(body)
            ? `arXiv sent a broken feed (${bad})`
            : `arXiv answered HTTP ${res.status} with ${describeBody(body, res.contentType)} instead of a feed`,
        };
      }
      if (throttled(res.status)) {
        return {
          retry: `arXiv answered HTTP ${res.status}${body.trim() ? ` (${oneLine(body)})` : ''}`,
          waitMs: res.retryAfterMs,
        };
      }
      return {
        fail: new DigestError(
          'arxiv',
          `arXiv answered HTTP ${res.status} for ${url}${body.trim() ? `: ${oneLine(body)}` : ''}`,
        ),
      };
    });
  }

  /** Whether a host already failed as "not there" in this run (full-text sources are skipped at once). */
  isDown(url: string): boolean {
    return this.down.has(new URL(url).origin);
  }

  private async withRetries<T>(
    url: string,
    maxBytes: number | undefined,
    decide: (res: Sent) => Decision<T>,
  ): Promise<T> {
    const { retries, retryBaseMs, signal } = this.opts;
    const { origin, host } = new URL(url);
    const gone = (fresh: boolean) =>
      new HostDownError(`cannot reach ${host} (${this.down.get(origin)}); ${proxyNote()}`, fresh);
    if (this.down.has(origin)) throw gone(false);
    // requests already queued when the host was found down fail at their turn, without a request or a wait
    const sendOrFail = () => (this.down.has(origin) ? Promise.reject(gone(false)) : this.send(url, maxBytes));
    let lastError = '';
    let waited = 0;
    let quickRetried = false;
    for (let attempt = 0; attempt <= retries; attempt++) {
      let waitMs: number | undefined;
      try {
        const d = decide(await this.queue.run(sendOrFail, signal, () => this.down.has(origin)));
        if ('done' in d) return d.done;
        if ('fail' in d) throw d.fail;
        lastError = d.retry;
        waitMs = d.waitMs;
      } catch (err) {
        if (err instanceof DigestError || isAbortError(err) || signal?.aborted) throw err;
        // a host that is plainly not there gets one quick second try, then it is down for the whole run
        const code = unreachableCode(err);
        if (code) {
          if (quickRetried || retries === 0) {
            this.down.set(origin, code);
            throw gone(true);
          }
          quickRetried = true;
          attempt--; // the quick try is not one of the patient ones
          await sleep(Math.min(1000, retryBaseMs), signal);
          continue;
        }
        lastError = `could not reach arXiv at ${origin}: ${networkMessage(err)}`;
      }
      if (attempt < retries) {
        const delay = Math.min(waitMs ?? backoff(retryBaseMs, attempt, 300_000), 300_000);
        this.opts.log?.(`${lastError}; retrying in ${(delay / 1000).toFixed(1)} s (${attempt + 1}/${retries})`);
        waited += delay;
        await sleep(delay, signal);
      }
    }
    // throttling can last hours: say how long we waited, and that nothing done so far is lost
    throw new DigestError(
      'arxiv',
      `${lastError} (gave up after ${retries + 1} attempts, ${duration(waited)} of waiting); a re-run resumes from the cache`,
      {
        hint: 'arXiv may be throttling or overloaded; try again later or raise DIGEST_ARXIV_RETRIES',
      },
    );
  }

  private async send(url: string, maxBytes?: number): Promise<Sent> {
    this.requests++;
    this.startTimes.push(Date.now());
    const fetch = await getFetch(this.opts.timeoutMs);
    // one deadline for headers and body; the run's signal (Ctrl-C) aborts too
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, timeout]) : timeout;
    try {
      const res = await fetch(url, {
        headers: {
          'user-agent': userAgent(),
          accept: 'application/atom+xml, application/xml;q=0.9, text/html;q=0.8, */*;q=0.1',
        },
        signal,
      });
      const chunks: Uint8Array[] = [];
      let size = 0;
      let tooLarge = false;
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (maxBytes !== undefined && size > maxBytes) {
            tooLarge = true;
            await reader.cancel().catch(() => undefined);
            break;
          }
          chunks.push(value);
        }
      }
      return {
        status: res.status,
        bytes: Buffer.concat(chunks),
        tooLarge,
        contentType: res.headers.get('content-type') ?? '',
        retryAfterMs: retryAfterMs((n) => res.headers.get(n)),
      };
    } catch (err) {
      if (timeout.aborted && !this.opts.signal?.aborted) {
        const e = new Error('timed out');
        (e as { code?: string }).code = 'ETIMEDOUT';
        throw e;
      }
      throw err;
    }
  }
}

/** 429, 503 and the like, and the 406 arXiv's export API has answered while throttling since September 2026. */
function throttled(status: number): boolean {
  return status === 429 || status === 406 || status >= 500;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function oneLine(s: string): string {
  const t = s
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
}

function describeBody(body: string, contentType: string): string {
  if (!body.trim()) return 'an empty body';
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  if (title) return `an HTML page ("${oneLine(title)}")`;
  return `${contentType || 'text'} ("${oneLine(body)}")`;
}

function networkMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timed out';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? code ?? err.message;
}

type Read<T> = { value: T } | { problem: string };

function readAtom(body: string): Read<AtomResult> {
  if (!/<feed[\s>]/.test(body)) return { problem: 'not an Atom feed' };
  try {
    return { value: parseAtom(body) };
  } catch (err) {
    if (err instanceof FeedFormatError) return { problem: err.message };
    throw err;
  }
}
