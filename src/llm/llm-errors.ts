/** Map SDK / network errors to one readable line, and decide: retry, fail this paper, or stop the batch. */
import { APIError } from 'openai';
import { retryAfterMs, unreachableCode } from '../net/http.js';
import type { ProviderPreset } from './providers.js';

export interface Classified {
  retryable: boolean;
  /** Retrying any paper is pointless (bad key, no money): stop the whole run. */
  fatal: boolean;
  message: string;
  hint?: string;
  waitMs?: number;
  /** A 429: the whole batch should slow down, not just this call. */
  rateLimited?: boolean;
  /** The prompt is longer than the model's context. */
  contextTooLong?: boolean;
  /** The host is plainly not there (refused, no such name, TLS or proxy failure): the error code. */
  unreachable?: string;
}

interface Ctx {
  baseURL: string;
  model: string;
  preset: ProviderPreset;
}

const MODERATION =
  /content exists risk|data_inspection_failed|inappropriate content|sensitive|content[_ ]filter|moderation/i;
const QUOTA =
  /insufficient_quota|credit_balance_exhausted|insufficient balance|insufficient credits|余额不足|arrearage|exceeded your current quota/i;
const CONTEXT =
  /context[_ ]length|maximum context|context size|too many tokens|exceed_context_size|prompt is too long/i;
const NO_MODEL = /model[_ ]not[_ ]found|model not exist|does not exist|no such model|not found, try pulling/i;

export function classifyError(err: unknown, ctx: Ctx): Classified {
  const where = `${ctx.baseURL} (model ${ctx.model})`;
  // the SDK's APIConnectionError is an APIError without a status: look for "not there" first
  const unreachable = unreachableCode(err);
  if (unreachable)
    return {
      retryable: true,
      fatal: false,
      unreachable,
      message: `cannot reach the LLM endpoint ${hostOf(ctx.baseURL)} (${unreachable})`,
    };
  if (err instanceof APIError) {
    const status = err.status;
    const raw = apiMessage(err);
    const code = String(err.code ?? (err.error as { code?: unknown } | undefined)?.code ?? '');
    const all = `${raw} ${code} ${err.type ?? ''}`;
    const waitMs = err.headers ? retryAfterMs((n) => err.headers?.get(n)) : undefined;
    const base = { ...(waitMs !== undefined ? { waitMs } : {}) };
    if (status === 401) {
      return {
        retryable: false,
        fatal: true,
        message: `the LLM endpoint rejected the API key (401) at ${ctx.baseURL}`,
        hint: `check ${ctx.preset.keyEnv}`,
      };
    }
    if (status === 402 || QUOTA.test(all) || code === '1113') {
      return {
        retryable: false,
        fatal: true,
        message: `the LLM account has no balance or quota left (${status ?? 'stream'}: ${raw})`,
        hint: 'top up the account or switch provider',
      };
    }
    if (MODERATION.test(all)) {
      return {
        retryable: false,
        fatal: false,
        message: `the provider refused this paper (content moderation: ${raw})`,
      };
    }
    if (status === 404 || (status === 400 && NO_MODEL.test(all))) {
      return {
        retryable: false,
        fatal: true,
        message: `model "${ctx.model}" was not found at ${ctx.baseURL} (${status}: ${raw})`,
        hint: 'set --model or DIGEST_MODEL to a model this endpoint serves',
      };
    }
    if (status === 400 && CONTEXT.test(all)) {
      return {
        retryable: false,
        fatal: false,
        contextTooLong: true,
        message: `the paper is too long for the model's context (${raw})`,
      };
    }
    if (status === 403) {
      return { retryable: false, fatal: true, message: `the LLM endpoint refused access (403) at ${where}: ${raw}` };
    }
    if (status === undefined) {
      // an error event inside a 200 stream
      return { retryable: true, fatal: false, message: `the model stream reported an error: ${raw}`, ...base };
    }
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      return {
        retryable: true,
        fatal: false,
        message: `the LLM endpoint answered ${status}: ${raw}`,
        rateLimited: status === 429,
        ...base,
      };
    }
    return { retryable: false, fatal: false, message: `the LLM endpoint answered ${status} at ${where}: ${raw}` };
  }
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? err.message;
    if (err.name === 'APIConnectionTimeoutError')
      return { retryable: true, fatal: false, message: `the LLM endpoint did not answer in time (${ctx.baseURL})` };
    if (
      err.name === 'APIConnectionError' ||
      err.name === 'TypeError' ||
      /terminated|socket|ECONN|EPIPE|UND_ERR/i.test(`${err.message} ${detail}`)
    ) {
      return { retryable: true, fatal: false, message: `connection to ${ctx.baseURL} failed (${detail})` };
    }
    return { retryable: false, fatal: false, message: err.message };
  }
  return { retryable: false, fatal: false, message: String(err) };
}

function apiMessage(err: APIError): string {
  const e = err.error as { message?: unknown } | string | undefined;
  let msg = typeof e === 'string' ? e : typeof e?.message === 'string' ? e.message : err.message;
  msg = msg.replace(/^\d{3}\s+/, '');
  msg = msg.replace(/\s+/g, ' ').trim();
  return msg.length > 300 ? `${msg.slice(0, 297)}...` : msg || 'no details';
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
