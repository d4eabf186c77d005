/**
 * Build the `openai` SDK client: undici's fetch with a proxy-aware dispatcher (Node 20's global fetch
 * ignores HTTPS_PROXY), and a fetch wrapper that makes non-OpenAI error bodies readable.
 */
import { getFetch } from '../net/http.js';

export async function createSdk(opts: { apiKey: string; baseURL: string; timeoutMs: number }) {
  const { default: OpenAI } = await import('openai');
  const fetch = await getFetch(opts.timeoutMs);
  const wrapped = async (input: unknown, init?: RequestInit) => {
    const res = await fetch(input as string, init);
    if (res.ok) return res;
    return normaliseErrorResponse(res);
  };
  return new OpenAI({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    maxRetries: 0,
    timeout: opts.timeoutMs,
    fetch: wrapped as never,
  });
}

/** Rewrite `{code, message}`, flat `{object:"error", message}`, HTML and plain-text error bodies into OpenAI's shape. */
export async function normaliseErrorResponse(res: Response): Promise<Response> {
  const textBody = await res.text();
  let payload: unknown;
  try {
    payload = JSON.parse(textBody);
  } catch {
    payload = undefined;
  }
  let error: Record<string, unknown>;
  if (payload && typeof payload === 'object' && 'error' in payload) {
    const e = (payload as { error: unknown }).error;
    error = typeof e === 'string' ? { message: e } : (e as Record<string, unknown>);
  } else if (payload && typeof payload === 'object' && ('message' in payload || 'msg' in payload)) {
    const p = payload as Record<string, unknown>;
    error = {
      message: String(p['message'] ?? p['msg']),
      ...(p['code'] !== undefined ? { code: String(p['code']) } : {}),
    };
  } else {
    const title = /<title>([^<]*)<\/title>/i.exec(textBody)?.[1];
    const plain = (title ?? textBody.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
    error = { message: plain ? plain.slice(0, 200) : `HTTP ${res.status} with an empty body` };
  }
  const headers = new Headers();
  res.headers.forEach((v, k) => {
    if (k !== 'content-length' && k !== 'content-encoding') headers.set(k, v);
  });
  headers.set('content-type', 'application/json');
  return new Response(JSON.stringify({ error }), { status: res.status, statusText: res.statusText, headers });
}
