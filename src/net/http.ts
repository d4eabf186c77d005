/** One place that builds undici dispatchers, so HTTPS_PROXY / NO_PROXY apply to arXiv and the LLM alike. */
import { EnvHttpProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

export function createDispatcher(opts: { connections?: number; timeoutMs: number }): Dispatcher {
  // EnvHttpProxyAgent reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY (upper or lower case);
  // without them it behaves as a plain Agent.
  return new EnvHttpProxyAgent({
    ...(opts.connections ? { connections: opts.connections } : {}),
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connectTimeout: Math.min(opts.timeoutMs, 30_000),
  });
}

/** Sleep that wakes early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason instanceof Error ? signal.reason : abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

/** Parse Retry-After / retry-after-ms into milliseconds. */
export function retryAfterMs(get: (name: string) => string | null | undefined, now = Date.now()): number | undefined {
  const ms = get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = get('retry-after');
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Number(ra) * 1000;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with ±20 % jitter. */
export function backoff(baseMs: number, attempt: number, capMs: number): number {
  const raw = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}
