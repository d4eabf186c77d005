/**
 * Network plumbing shared by arXiv and the LLM. Without a proxy, Node's own fetch is used; with
 * HTTP(S)_PROXY set (Node 20's fetch ignores it), undici's fetch and EnvHttpProxyAgent are loaded,
 * which also honour NO_PROXY. Loading undici only then keeps a plain run ~20 MB smaller.
 */

export function proxyConfigured(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env['HTTPS_PROXY'] || env['https_proxy'] || env['HTTP_PROXY'] || env['http_proxy']);
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

let proxied: Promise<FetchLike> | undefined;

let direct: Promise<FetchLike> | undefined;

/**
 * The fetch to use: undici's through EnvHttpProxyAgent when a proxy is configured, else one on node:http
 * (node-fetch.ts: the built-in fetch's WebAssembly HTTP parser costs ~30 MB of compiler memory).
 */
export function getFetch(timeoutMs: number): Promise<FetchLike> {
  if (!proxyConfigured()) return (direct ??= import('./node-fetch.js').then((m) => m.nodeFetch as FetchLike));
  proxied ??= import('undici').then(({ fetch, EnvHttpProxyAgent }) => {
    const dispatcher = new EnvHttpProxyAgent({
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: Math.min(timeoutMs, 30_000),
    });
    return ((input: string, init?: RequestInit) =>
      fetch(input, { ...(init as object), dispatcher } as never)) as unknown as FetchLike;
  });
  return proxied;
}

/** Sleep that wakes early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : abortError());
    const t = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
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

/** Error codes that mean the host is not there, as opposed to a host that is there but struggling. */
const UNREACHABLE =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ERR_TLS_\w+|CERT_\w+|UNABLE_TO_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO|ERR_SSL_\w+|UND_ERR_CONNECT_TIMEOUT)$/;

/** The first "host not there" code anywhere in an error's cause chain (fetch nests it, sometimes in an AggregateError). */
export function unreachableCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 6) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown; message?: unknown };
  if (typeof e.code === 'string' && UNREACHABLE.test(e.code)) return e.code;
  if (typeof e.message === 'string' && /Proxy response \(\d+\) !== 200|proxy.*(refused|failed)/i.test(e.message))
    return 'proxy error';
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const code = unreachableCode(inner, depth + 1);
    if (code) return code;
  }
  return undefined;
}

/** Which proxy variables were set (user:password masked), for a "cannot reach" message. */
export function proxyNote(env: Record<string, string | undefined> = process.env): string {
  const set = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].filter((k) => env[k]);
  if (!set.length) return 'no proxy is set (HTTPS_PROXY / HTTP_PROXY are unset)';
  return `through ${set.map((k) => `${k}=${env[k]!.replace(/\/\/[^/@\s]*@/, '//***@')}`).join(', ')}`;
}
