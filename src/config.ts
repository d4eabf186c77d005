/**
 * Effective settings for a run. Precedence: flags > environment > provider preset > built-in defaults.
 * Every value is validated here, before any network call.
 */
import { configError, usageError } from './errors.js';
import type { ArxivClientOptions } from './arxiv/arxiv-client.js';
import type { LlmClientOptions } from './llm/llm-client.js';
import { PROVIDER_NAMES, PROVIDERS } from './llm/providers.js';

export type Env = Record<string, string | undefined>;

export interface CommonFlags {
  provider?: string;
  model?: string;
  baseUrl?: string;
  arxivApiUrl?: string;
  concurrency?: string;
  kind?: string;
  prompts?: string;
  stream?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** The client options that come from configuration (the rest is wiring). */
export type ArxivSettings = Omit<ArxivClientOptions, 'signal' | 'log'>;

export type LlmSettings = Omit<LlmClientOptions, 'apiKey' | 'log' | 'createClient'> & {
  /** undefined when no key is set (allowed for --dry-run). */
  apiKey: string | undefined;
};

export interface Settings {
  arxiv: ArxivSettings;
  llm: LlmSettings;
  concurrency: number;
  kinds: string[];
  promptsDir: string | undefined;
  now: Date;
}

function intSetting(name: string, raw: string | undefined, def: number, min: number, max: number, isFlag = false): number {
  if (raw === undefined || raw === '') return def;
  const label = isFlag ? name : `${name}=${raw}`;
  if (!/^\d+$/.test(raw.trim())) throw usageError(`${isFlag ? `${name} ${raw}` : label}: expected a whole number from ${min} to ${max}`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw usageError(`${isFlag ? `${name} ${raw}` : label}: expected a whole number from ${min} to ${max}`);
  return n;
}

function urlSetting(name: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usageError(`${name} "${raw}": not a URL (expected http:// or https://…)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usageError(`${name} "${raw}": only http and https URLs are accepted`);
  return raw.replace(/\/+$/, '');
}

export function resolveArxiv(flags: CommonFlags, env: Env): ArxivSettings {
  const apiUrl = flags.arxivApiUrl
    ? urlSetting('--arxiv-api-url', flags.arxivApiUrl)
    : env['DIGEST_ARXIV_API_URL']
      ? urlSetting('DIGEST_ARXIV_API_URL', env['DIGEST_ARXIV_API_URL'])
      : 'https://export.arxiv.org/api/query';
  return {
    apiUrl,
    delayMs: intSetting('DIGEST_ARXIV_DELAY_MS', env['DIGEST_ARXIV_DELAY_MS'], 3000, 0, 600_000),
    timeoutMs: intSetting('DIGEST_ARXIV_TIMEOUT_MS', env['DIGEST_ARXIV_TIMEOUT_MS'], 60_000, 100, 3_600_000),
    retries: intSetting('DIGEST_ARXIV_RETRIES', env['DIGEST_ARXIV_RETRIES'], 4, 0, 20),
    retryBaseMs: intSetting('DIGEST_ARXIV_RETRY_BASE_MS', env['DIGEST_ARXIV_RETRY_BASE_MS'], 10_000, 0, 600_000),
    batchSize: intSetting('DIGEST_ARXIV_BATCH_SIZE', env['DIGEST_ARXIV_BATCH_SIZE'], 50, 1, 200),
  };
}

export function resolveLlm(flags: CommonFlags, env: Env): LlmSettings {
  const providerName = (flags.provider ?? env['DIGEST_PROVIDER'] ?? 'openai').trim().toLowerCase();
  const preset = PROVIDERS[providerName];
  if (!preset) {
    throw usageError(`${flags.provider !== undefined ? '--provider' : 'DIGEST_PROVIDER'} "${providerName}": unknown provider (accepted: ${PROVIDER_NAMES.join(', ')})`);
  }
  // OPENAI_BASE_URL / OPENAI_API_KEY belong to the openai preset (and any server that speaks its API);
  // other presets read their own key variable, so a key is never sent to another vendor by accident.
  let baseURL = preset.baseURL;
  if (flags.baseUrl) baseURL = urlSetting('--base-url', flags.baseUrl);
  else if (preset.name === 'openai' && env['OPENAI_BASE_URL']) baseURL = urlSetting('OPENAI_BASE_URL', env['OPENAI_BASE_URL']);
  const model = (flags.model ?? env['DIGEST_MODEL'] ?? preset.model).trim();
  if (!model) throw usageError('--model: empty model name');
  const apiKey = env[preset.keyEnv]?.trim() || preset.placeholderKey;
  const stream = flags.stream === false ? false : !/^(0|false|no|off)$/i.test(env['DIGEST_LLM_STREAM'] ?? '');
  return {
    preset,
    baseURL,
    model,
    apiKey,
    stream,
    idleTimeoutMs: intSetting('DIGEST_LLM_IDLE_TIMEOUT_MS', env['DIGEST_LLM_IDLE_TIMEOUT_MS'], 60_000, 100, 3_600_000),
    deadlineMs: intSetting('DIGEST_LLM_DEADLINE_MS', env['DIGEST_LLM_DEADLINE_MS'], 600_000, 1000, 7_200_000),
    retries: intSetting('DIGEST_LLM_RETRIES', env['DIGEST_LLM_RETRIES'], 3, 0, 20),
    retryBaseMs: intSetting('DIGEST_LLM_RETRY_BASE_MS', env['DIGEST_LLM_RETRY_BASE_MS'], 1000, 0, 600_000),
    maxRetryAfterMs: intSetting('DIGEST_LLM_MAX_RETRY_AFTER_MS', env['DIGEST_LLM_MAX_RETRY_AFTER_MS'], 60_000, 0, 3_600_000),
  };
}

export function requireKey(llm: LlmSettings): string {
  if (llm.apiKey) return llm.apiKey;
  const other = llm.preset.name === 'openai' ? ' (or pick another provider with --provider, e.g. --provider deepseek and DEEPSEEK_API_KEY)' : '';
  throw configError(`no API key for ${llm.preset.label}: set ${llm.preset.keyEnv}${other}; --dry-run works without one`);
}

export function resolveSettings(flags: CommonFlags, env: Env): Settings {
  const kindsRaw = flags.kind ?? env['DIGEST_KINDS'] ?? 'post,qa';
  const kinds = [...new Set(kindsRaw.split(',').map((k) => k.trim()).filter(Boolean))];
  if (kinds.length === 0) throw usageError(`--kind "${kindsRaw}": name at least one template (e.g. post,qa)`);
  for (const k of kinds) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(k)) throw usageError(`--kind "${k}": template names use letters, digits, - and _`);
  }
  const epoch = env['SOURCE_DATE_EPOCH'];
  let now = new Date();
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw usageError(`SOURCE_DATE_EPOCH=${epoch}: expected seconds since 1970`);
    now = new Date(Number(epoch) * 1000);
  }
  return {
    arxiv: resolveArxiv(flags, env),
    llm: resolveLlm(flags, env),
    concurrency: intSetting('--concurrency', flags.concurrency ?? env['DIGEST_CONCURRENCY'], 4, 1, 64, flags.concurrency !== undefined),
    kinds,
    promptsDir: flags.prompts ?? env['DIGEST_PROMPTS_DIR'],
    now,
  };
}
