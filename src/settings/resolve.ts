/**
 * Effective settings for a run. Precedence: flags > environment > config file > provider preset > defaults.
 * Every value is validated here, before any network call, and its source is kept for `digest config`.
 */
import { own } from '../own.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ArxivClientOptions } from '../arxiv/arxiv-client.js';
import type { Price } from '../llm/cost.js';
import { validateInterests, type InterestsConfig } from '../rank/interests.js';
import { SITE_NAMES, SLUG_STYLES, type SiteName, type SlugStyle } from '../render/site.js';
import type { FileConfig } from './config-file.js';
import { isValidDate } from '../arxiv/schedule.js';
import { CATEGORIES, nearCategories } from '../arxiv/categories.js';
import { usageError } from '../errors.js';
import { maskUserinfo } from '../ui/redact.js';
import type { LlmClientOptions } from '../llm/llm-client.js';
import { PROVIDER_NAMES, PROVIDERS } from '../llm/providers.js';
import { LANGS, type Lang } from '../templates/glossary.js';

export type Env = Record<string, string | undefined>;
export type Source = 'flag' | 'env' | 'config' | 'preset' | 'default';

export interface CommonFlags {
  provider?: string;
  model?: string;
  baseUrl?: string;
  arxivApiUrl?: string;
  arxivRssUrl?: string;
  concurrency?: string;
  kind?: string;
  prompts?: string;
  stream?: boolean;
  cache?: boolean;
  source?: string;
  arxivHtmlUrl?: string;
  ar5ivUrl?: string;
  arxivPdfUrl?: string;
  verbose?: boolean;
  quiet?: boolean;
  config?: string;
  lang?: string;
  glossary?: string;
  strict?: boolean;
  batch?: boolean;
  batchFollowups?: string;
  /** fetch: look plain ids up on arXiv even when the cache knows their version from a recent run. */
  refresh?: boolean;
  /** `--strict=fail` (and `--strict=mark`), rewritten by the CLI so that `--strict ID` never eats the id. */
  strictMode?: string;
  cite?: boolean;
}

/** The client options that come from configuration (the rest is wiring). */
export type ArxivSettings = Omit<ArxivClientOptions, 'signal' | 'log'> & { rssUrl: string; versionTtlMs: number };

export type LlmSettings = Omit<LlmClientOptions, 'apiKey' | 'log' | 'createClient'> & {
  /** undefined when no key is set (allowed for --dry-run). */
  apiKey: string | undefined;
};

export interface FullTextSettings {
  htmlUrl: string;
  ar5ivUrl: string;
  pdfUrl: string;
  maxBytes: number;
  /** --source / DIGEST_SOURCE: one choice for every template. */
  override: 'full' | 'abstract' | undefined;
  /** The config file's per-template (or global) choice. */
  configured: FileConfig['source'];
  contextTokens: number;
}

export interface Settings {
  fulltext: FullTextSettings;
  arxiv: ArxivSettings;
  llm: LlmSettings;
  concurrency: number;
  /** The per-paper templates to run, by name (--kind, DIGEST_KINDS, "kinds"). */
  templateNames: string[];
  /** The user's template folder (--prompts, DIGEST_PROMPTS_DIR, "prompts"): its files win over the built-ins by name. */
  templateDir: string | undefined;
  cacheDir: string | undefined;
  prices: Record<string, Price>;
  now: Date;
  configFile: string | undefined;
  file: FileConfig;
  /** Where each reported value came from. */
  sources: Record<string, Source>;
  writing: WritingSettings;
  batch: BatchSettings;
}

/** --batch: the provider's Batch API instead of one request at a time. */
export interface BatchSettings {
  on: boolean;
  followUps: 'batch' | 'direct';
  /** How often a batch's status is asked for. */
  pollMs: number;
}

/** How the Chinese is written and checked: variant, glossary, what to do with unsupported claims, citations. */
export interface WritingSettings {
  lang: Lang;
  /** The user's glossary file (absolute), over the built-in one. */
  glossary: string | undefined;
  /** off: report; mark: re-ask once, then mark what is left （待核实）; fail: re-ask once, then do not write the post. */
  strict: 'off' | 'mark' | 'fail';
  /** With full text: （§4.2，表3） after each figure found in the paper. */
  cite: boolean;
}

export interface ResolveContext {
  env: Env;
  file?: FileConfig;
  configFile?: string;
  /** Default cache folder (platform convention). */
  defaultCacheDir?: string;
}

/** Picks flag > env > config > fallback and remembers which one won. */
export class Resolver {
  constructor(
    readonly env: Env,
    readonly file: FileConfig,
    readonly configFile: string | undefined,
    readonly sources: Record<string, Source> = {},
  ) {}

  pick<T>(
    name: string,
    opts: {
      flag?: string | undefined;
      flagName?: string;
      envName?: string;
      file?: T | undefined;
      fallback: T;
      fallbackSource?: Source;
      parse: (raw: string, label: string) => T;
    },
  ): T {
    if (opts.flag !== undefined) {
      this.sources[name] = 'flag';
      return opts.parse(opts.flag, `${opts.flagName ?? `--${name}`} ${shown(opts.flag)}`);
    }
    const e = opts.envName ? this.env[opts.envName] : undefined;
    if (e !== undefined && e !== '') {
      this.sources[name] = 'env';
      return opts.parse(e, `${opts.envName}=${shown(e)}`);
    }
    if (opts.file !== undefined) {
      this.sources[name] = 'config';
      return opts.file;
    }
    this.sources[name] = opts.fallbackSource ?? 'default';
    return opts.fallback;
  }
}

/**
 * A value as a message shows it: as given, or JSON-quoted when it holds a line break or another control
 * character, so the message stays one line and prints no terminal escapes.
 */
function shown(v: string): string {
  return /[\u0000-\u001f\u007f]/.test(v) ? JSON.stringify(v) : v;
}

export function intParser(min: number, max: number) {
  return (raw: string, label: string): number => {
    const t = raw.trim();
    if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max)
      throw usageError(`${label}: expected a whole number from ${min} to ${max}`);
    return Number(t);
  };
}

export function urlParser(raw: string, label: string): string {
  const name = label.replace(/[ =].*$/, ''); // the flag, env var or config key, without the value
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usageError(`${name} ${JSON.stringify(maskUserinfo(raw))}: not a URL (expected http:// or https://…)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw usageError(`${name} ${JSON.stringify(maskUserinfo(raw))}: only http and https URLs are accepted`);
  if (u.username || u.password)
    throw usageError(
      `${name} ${JSON.stringify(maskUserinfo(raw))}: a user name or password in the URL is not accepted (it would be printed and is not sent)`,
      'give the key in its env var (OPENAI_API_KEY, …); a proxy that needs a login goes in HTTPS_PROXY',
    );
  return raw.replace(/\/+$/, '');
}

const str = (raw: string) => raw.trim();
const envInt = (r: Resolver, name: string, envName: string, def: number, min: number, max: number) =>
  r.pick(name, { envName, fallback: def, parse: intParser(min, max) });

export function resolveArxiv(flags: CommonFlags, r: Resolver): ArxivSettings {
  const f = r.file;
  return {
    apiUrl: r.pick('arxiv_api_url', {
      flag: flags.arxivApiUrl,
      flagName: '--arxiv-api-url',
      envName: 'DIGEST_ARXIV_API_URL',
      file: f.arxivApiUrl && urlParser(f.arxivApiUrl, 'arxivApiUrl'),
      fallback: 'https://export.arxiv.org/api/query',
      parse: urlParser,
    }),
    rssUrl: r.pick('arxiv_rss_url', {
      flag: flags.arxivRssUrl,
      flagName: '--arxiv-rss-url',
      envName: 'DIGEST_ARXIV_RSS_URL',
      file: f.arxivRssUrl && urlParser(f.arxivRssUrl, 'arxivRssUrl'),
      fallback: 'https://rss.arxiv.org/rss',
      parse: urlParser,
    }),
    delayMs: envInt(r, 'arxiv_delay_ms', 'DIGEST_ARXIV_DELAY_MS', 3000, 0, 600_000),
    timeoutMs: envInt(r, 'arxiv_timeout_ms', 'DIGEST_ARXIV_TIMEOUT_MS', 60_000, 100, 3_600_000),
    retries: envInt(r, 'arxiv_retries', 'DIGEST_ARXIV_RETRIES', 4, 0, 20),
    retryBaseMs: envInt(r, 'arxiv_retry_base_ms', 'DIGEST_ARXIV_RETRY_BASE_MS', 10_000, 0, 600_000),
    batchSize: envInt(r, 'arxiv_batch_size', 'DIGEST_ARXIV_BATCH_SIZE', 50, 1, 200),
    // a plain id (2404.16418) is served at the version looked up within this time; fetch --refresh asks again
    versionTtlMs: flags.refresh
      ? 0
      : envInt(r, 'version_ttl_minutes', 'DIGEST_VERSION_TTL_MINUTES', 360, 0, 43_200) * 60_000,
  };
}

export function resolveLlm(flags: CommonFlags, r: Resolver): LlmSettings {
  const f = r.file;
  const providerName = r
    .pick('provider', {
      flag: flags.provider,
      envName: 'DIGEST_PROVIDER',
      file: f.provider,
      fallback: 'openai',
      parse: (s) => s.trim().toLowerCase(),
    })
    .toLowerCase();
  const preset = own(PROVIDERS, providerName);
  if (!preset) {
    const where = {
      flag: '--provider',
      env: 'DIGEST_PROVIDER',
      config: `${r.configFile}: provider`,
      preset: 'provider',
      default: 'provider',
    }[r.sources['provider']!];
    throw usageError(
      `${where} ${JSON.stringify(providerName)}: unknown provider (accepted: ${PROVIDER_NAMES.join(', ')})`,
    );
  }
  // OPENAI_BASE_URL belongs to the openai preset (and any server that speaks its API);
  // other presets read their own key variable, so a key is never sent to another vendor by accident.
  const baseURL = r.pick('base_url', {
    flag: flags.baseUrl,
    flagName: '--base-url',
    ...(preset.name === 'openai' ? { envName: 'OPENAI_BASE_URL' } : {}),
    file: f.baseUrl && urlParser(f.baseUrl, 'baseUrl'),
    fallback: preset.baseURL,
    fallbackSource: 'preset',
    parse: urlParser,
  });
  const model = r.pick('model', {
    flag: flags.model,
    envName: 'DIGEST_MODEL',
    file: f.model,
    fallback: preset.model,
    fallbackSource: 'preset',
    parse: str,
  });
  if (!model) throw usageError('--model: empty model name');
  const apiKey = r.env[preset.keyEnv]?.trim() || preset.placeholderKey;
  r.sources['api_key'] = r.env[preset.keyEnv]?.trim() ? 'env' : 'preset';
  const stream = r.pick('stream', {
    flag: flags.stream === false ? 'false' : undefined,
    flagName: '--no-stream',
    envName: 'DIGEST_LLM_STREAM',
    file: f.stream,
    fallback: true,
    parse: onOff,
  });
  return {
    preset,
    baseURL,
    model,
    apiKey,
    stream,
    idleTimeoutMs: envInt(r, 'llm_idle_timeout_ms', 'DIGEST_LLM_IDLE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    deadlineMs: envInt(r, 'llm_deadline_ms', 'DIGEST_LLM_DEADLINE_MS', 600_000, 1000, 7_200_000),
    retries: envInt(r, 'llm_retries', 'DIGEST_LLM_RETRIES', 3, 0, 20),
    retryBaseMs: envInt(r, 'llm_retry_base_ms', 'DIGEST_LLM_RETRY_BASE_MS', 1000, 0, 600_000),
    maxRetryAfterMs: envInt(r, 'llm_max_retry_after_ms', 'DIGEST_LLM_MAX_RETRY_AFTER_MS', 60_000, 0, 3_600_000),
  };
}

export function requireKey(llm: LlmSettings): string {
  if (llm.apiKey) return llm.apiKey;
  const other =
    llm.preset.name === 'openai'
      ? ' (or pick another provider with --provider, e.g. --provider deepseek and DEEPSEEK_API_KEY)'
      : '';
  throw usageError(`no API key for ${llm.preset.label}: set ${llm.preset.keyEnv}${other}; --dry-run works without one`);
}

export function resolveSettings(flags: CommonFlags, ctx: ResolveContext): Settings {
  const r = new Resolver(ctx.env, ctx.file ?? {}, ctx.configFile);
  const f = r.file;
  const kinds = r.pick('kinds', {
    flag: flags.kind,
    flagName: '--kind',
    envName: 'DIGEST_KINDS',
    file: f.kinds,
    fallback: ['post', 'qa'],
    parse: (raw, label) => {
      const list = [
        ...new Set(
          raw
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean),
        ),
      ];
      if (list.length === 0) throw usageError(`${label}: name at least one template (e.g. post,qa)`);
      return list;
    },
  });
  for (const k of kinds) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(k))
      throw usageError(`--kind ${JSON.stringify(k)}: template names use letters, digits, - and _`);
  }
  const epoch = ctx.env['SOURCE_DATE_EPOCH'];
  let now = new Date();
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw usageError(`SOURCE_DATE_EPOCH=${epoch}: expected seconds since 1970`);
    now = new Date(Number(epoch) * 1000);
  }
  const cacheDir =
    flags.cache === false
      ? undefined
      : r.pick('cache_dir', {
          envName: 'DIGEST_CACHE_DIR',
          file: f.cacheDir,
          fallback: ctx.defaultCacheDir ?? '',
          parse: (s) => path.resolve(s),
        }) || undefined;
  if (flags.cache === false) r.sources['cache_dir'] = 'flag';
  const llm = resolveLlm(flags, r);
  return {
    fulltext: resolveFullText(flags, r, llm.model),
    arxiv: resolveArxiv(flags, r),
    llm,
    concurrency: r.pick('concurrency', {
      flag: flags.concurrency,
      envName: 'DIGEST_CONCURRENCY',
      file:
        f.concurrency !== undefined
          ? intParser(1, 64)(String(f.concurrency), `${ctx.configFile}: concurrency`)
          : undefined,
      fallback: 4,
      parse: intParser(1, 64),
    }),
    templateNames: kinds,
    templateDir: r.pick<string | undefined>('prompts', {
      flag: flags.prompts,
      envName: 'DIGEST_PROMPTS_DIR',
      file: f.prompts,
      fallback: undefined,
      parse: str,
    }),
    cacheDir,
    prices: f.prices ?? {},
    now,
    configFile: ctx.configFile,
    file: f,
    writing: resolveWriting(flags, r, ctx.configFile),
    batch: {
      on: r.pick('batch', {
        flag: flagOn(flags.batch),
        envName: 'DIGEST_BATCH',
        file: f.batch,
        fallback: false,
        parse: onOff,
      }),
      followUps: r.pick('batch_followups', {
        flag: flags.batchFollowups,
        flagName: '--batch-followups',
        file:
          f.batchFollowups === undefined
            ? undefined
            : oneOf('follow-up mode', ['batch', 'direct'] as const)(
                f.batchFollowups,
                `${ctx.configFile}: batchFollowups`,
              ),
        fallback: 'batch',
        parse: oneOf('follow-up mode', ['batch', 'direct'] as const),
      }),
      pollMs: envInt(r, 'batch_poll_ms', 'DIGEST_BATCH_POLL_MS', 30_000, 10, 3_600_000),
    },
    sources: r.sources,
  };
}

function resolveWriting(flags: CommonFlags, r: Resolver, configFile: string | undefined): WritingSettings {
  const f = r.file;
  const lang = (raw: string, label: string): Lang => {
    const hit = LANGS.find((l) => l.toLowerCase() === raw.trim().toLowerCase());
    if (!hit) throw usageError(`${label}: unknown Chinese variant (accepted: ${LANGS.join(', ')})`);
    return hit;
  };
  const strict = (raw: string, label: string): WritingSettings['strict'] => {
    const v = raw.trim().toLowerCase();
    if (/^(1|true|yes|on|mark)$/.test(v)) return 'mark';
    if (/^(0|false|no|off)$/.test(v)) return 'off';
    if (v === 'fail') return 'fail';
    throw usageError(`${label}: expected --strict or --strict=fail (env DIGEST_STRICT: on, off or fail)`);
  };
  const base = configFile ? path.dirname(configFile) : process.cwd();
  return {
    lang: r.pick('lang', {
      flag: flags.lang,
      envName: 'DIGEST_LANG',
      file: f.lang === undefined ? undefined : lang(f.lang, `${configFile}: lang`),
      fallback: 'zh-CN',
      parse: lang,
    }),
    glossary: r.pick<string | undefined>('glossary', {
      flag: flags.glossary,
      envName: 'DIGEST_GLOSSARY',
      file: f.glossary === undefined ? undefined : path.resolve(base, f.glossary),
      fallback: undefined,
      parse: (raw, label) => {
        if (!raw.trim()) throw usageError(`${label}: empty file name`);
        return path.resolve(raw.trim());
      },
    }),
    strict: r.pick('strict', {
      flag: flags.strictMode ?? (flags.strict ? 'mark' : undefined),
      flagName: '--strict',
      envName: 'DIGEST_STRICT',
      file: f.strict === undefined ? undefined : f.strict === 'fail' ? 'fail' : f.strict ? 'mark' : 'off',
      fallback: 'off',
      parse: strict,
    }),
    cite: r.pick('cite', {
      flag: flagOn(flags.cite),
      flagName: '--cite',
      envName: 'DIGEST_CITE',
      file: f.cite,
      fallback: false,
      parse: onOff,
    }),
  };
}

function resolveFullText(flags: CommonFlags, r: Resolver, model: string): FullTextSettings {
  const f = r.file;
  const source = (raw: string, label: string): 'full' | 'abstract' => {
    const v = raw.trim();
    if (v !== 'full' && v !== 'abstract') throw usageError(`${label}: expected full or abstract`);
    return v;
  };
  const ctxFile = f.contextTokens;
  const fileContext =
    typeof ctxFile === 'number' ? ctxFile : ctxFile ? (own(ctxFile, model) ?? own(ctxFile, 'default')) : undefined;
  return {
    htmlUrl: r.pick('arxiv_html_url', {
      flag: flags.arxivHtmlUrl,
      flagName: '--arxiv-html-url',
      envName: 'DIGEST_ARXIV_HTML_URL',
      fallback: 'https://arxiv.org/html',
      parse: urlParser,
    }),
    ar5ivUrl: r.pick('ar5iv_url', {
      flag: flags.ar5ivUrl,
      flagName: '--ar5iv-url',
      envName: 'DIGEST_AR5IV_URL',
      fallback: 'https://ar5iv.labs.arxiv.org/html',
      parse: urlParser,
    }),
    pdfUrl: r.pick('arxiv_pdf_url', {
      flag: flags.arxivPdfUrl,
      flagName: '--arxiv-pdf-url',
      envName: 'DIGEST_ARXIV_PDF_URL',
      fallback: 'https://arxiv.org/pdf',
      parse: urlParser,
    }),
    maxBytes: r.pick('fulltext_max_bytes', {
      envName: 'DIGEST_FULLTEXT_MAX_BYTES',
      fallback: 20_000_000,
      parse: intParser(1000, 1_000_000_000),
    }),
    override: r.pick<'full' | 'abstract' | undefined>('source', {
      flag: flags.source,
      flagName: '--source',
      envName: 'DIGEST_SOURCE',
      fallback: undefined,
      parse: source,
    }),
    configured: f.source,
    contextTokens: r.pick('context_tokens', {
      envName: 'DIGEST_CONTEXT_TOKENS',
      file: fileContext,
      fallback: 32_768,
      parse: intParser(1024, 10_000_000),
    }),
  };
}

/** `digest fetch`'s own flags, as commander hands them over. */
export interface FetchFlags extends CommonFlags {
  output?: string;
  force?: boolean;
  json?: boolean;
  dryRun?: boolean;
  downloadFigures?: boolean;
  site?: string;
  slug?: string;
}

/** `digest daily`'s own flags, as commander hands them over. */
export interface DailyFlags extends CommonFlags {
  date?: string;
  limit?: string;
  match?: string;
  exclude?: string;
  authors?: string;
  includeCross?: boolean;
  includeReplaced?: boolean;
  output?: string;
  force?: boolean;
  dryRun?: boolean;
  maxCost?: string;
  top?: string;
  rank?: string;
  /** A JSON file holding an "interests" object (replaces the config file's). */
  interests?: string;
  downloadFigures?: boolean;
  site?: string;
  slug?: string;
}

/** What one output run needs besides the shared settings. */
interface RunOutput {
  /** The folder the files go to; undefined = stdout. */
  output: string | undefined;
  force: boolean;
  dryRun: boolean;
  downloadFigures: boolean;
  /** The blog engine the files are for (file names, front matter, links, Markdown it renders as written). */
  site: SiteName;
  slugStyle: SlugStyle;
  verbose: boolean;
  quiet: boolean;
}

export interface FetchOptions extends Settings, RunOutput {
  json: boolean;
}

export interface DailyOptions extends Settings, RunOutput {
  categories: string[];
  /** An announcement date (YYYY-MM-DD) instead of the latest. */
  date: string | undefined;
  limit: number | undefined;
  match: RegExp | undefined;
  exclude: RegExp | undefined;
  /** Lower-case name fragments; a paper with any of them among its authors is kept. */
  authors: string[];
  includeCross: boolean;
  includeReplaced: boolean;
  maxCost: number | undefined;
  /** Write up the first N papers; the others get a Chinese title and summary on the digest page. */
  top: number | undefined;
  /** The reader's interests, and the folder their example files are relative to. */
  interests: { config: InterestsConfig; baseDir: string } | undefined;
  rank: 'lexical' | 'embedding' | 'llm' | 'none';
  /** --rank embedding: the model of the provider's /embeddings endpoint (undefined: the provider has none). */
  embeddingModel: string | undefined;
}

export const CATEGORY = /^[a-z]+(-[a-z]+)?(\.[A-Za-z]+(-[A-Za-z]+)?)?$/;

function regexParser(flag: string) {
  return (src: string): RegExp => {
    try {
      return new RegExp(src, 'i');
    } catch (err) {
      throw usageError(`${flag} ${JSON.stringify(src)}: not a valid regular expression (${(err as Error).message})`);
    }
  };
}

const flagOn = (v: boolean | undefined) => (v === undefined ? undefined : String(v));

/** on/off, true/false, yes/no, 1/0; anything else is refused by name (DIGEST_LLM_STREAM=maybe). */
function onOff(raw: string, label: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw.trim())) return true;
  if (/^(0|false|no|off)$/i.test(raw.trim())) return false;
  throw usageError(`${label}: expected on or off (or true/false, yes/no, 1/0)`);
}
const boolean = (raw: string) => raw === 'true';

function runOutput(flags: FetchFlags | DailyFlags, r: Resolver, fileOutput: string | undefined): RunOutput {
  const output = r.pick<string | undefined>('output', {
    flag: flags.output,
    flagName: '-o',
    file: fileOutput,
    fallback: undefined,
    parse: (s) => s,
  });
  if (output === '') throw usageError('-o: empty folder name');
  return {
    output,
    force: flags.force === true,
    dryRun: flags.dryRun === true,
    downloadFigures: r.pick('download_figures', {
      flag: flagOn(flags.downloadFigures),
      flagName: '--download-figures',
      file: r.file.downloadFigures,
      fallback: false,
      parse: boolean,
    }),
    site: r.pick('site', {
      flag: flags.site,
      envName: 'DIGEST_SITE',
      file: r.file.site === undefined ? undefined : oneOf('site', SITE_NAMES)(r.file.site, `${r.configFile}: site`),
      fallback: 'plain',
      parse: oneOf('site', SITE_NAMES),
    }),
    slugStyle: r.pick('slug', {
      flag: flags.slug,
      envName: 'DIGEST_SLUG',
      file: r.file.slug === undefined ? undefined : oneOf('slug', SLUG_STYLES)(r.file.slug, `${r.configFile}: slug`),
      fallback: 'id',
      parse: oneOf('slug', SLUG_STYLES),
    }),
    verbose: flags.verbose === true,
    quiet: flags.quiet === true,
  };
}

/** A parser that accepts one of a few names, and says which when it does not. */
function oneOf<T extends string>(what: string, names: readonly T[]) {
  return (raw: string, label: string): T => {
    const v = raw.trim().toLowerCase();
    if (!(names as readonly string[]).includes(v))
      throw usageError(`${label}: unknown ${what} (accepted: ${names.join(', ')})`);
    return v as T;
  };
}

export function resolveFetchOptions(flags: FetchFlags, ctx: ResolveContext): FetchOptions {
  const settings = resolveSettings(flags, ctx);
  const r = new Resolver(ctx.env, settings.file, ctx.configFile, settings.sources);
  // the config file's "output" is digest daily's folder: fetch prints to stdout unless -o says otherwise
  return { ...settings, ...runOutput(flags, r, undefined), json: flags.json === true };
}

export function resolveDailyOptions(flags: DailyFlags, args: string[], ctx: ResolveContext): DailyOptions {
  const settings = resolveSettings(flags, ctx);
  const r = new Resolver(ctx.env, settings.file, ctx.configFile, settings.sources);
  const f = settings.file;
  const categories = [
    ...new Set(
      r.pick('categories', {
        flag: args.length ? args.join(' ') : undefined,
        flagName: 'category',
        file: f.categories,
        fallback: ['cs.CL'],
        parse: () => args,
      }),
    ),
  ];
  for (const c of categories) {
    if (!CATEGORY.test(c))
      throw usageError(
        `category ${JSON.stringify(c)}: expected an arXiv category such as cs.CL, math.AP or astro-ph.GA`,
      );
    if (!CATEGORIES.has(c)) {
      const near = nearCategories(c);
      throw usageError(
        `category ${JSON.stringify(c)}: arXiv has no such category${near.length ? ` (${c.split('.')[0]} has ${near.join(', ')}${near.length === 12 ? ', …' : ''})` : ''}`,
        'see https://arxiv.org/category_taxonomy',
      );
    }
  }
  if (flags.date !== undefined && !isValidDate(flags.date))
    throw usageError(`--date ${JSON.stringify(flags.date)}: expected a calendar date as YYYY-MM-DD`);
  const pattern = (name: 'match' | 'exclude') => {
    const parse = regexParser(`--${name}`);
    return r.pick<RegExp | undefined>(name, {
      flag: flags[name],
      file: f[name] === undefined ? undefined : regexParser(`${ctx.configFile}: ${name}`)(f[name]),
      fallback: undefined,
      parse,
    });
  };
  const match = pattern('match');
  const exclude = pattern('exclude');
  const authors = r
    .pick('authors', {
      flag: flags.authors,
      file: f.authors,
      fallback: [] as string[],
      parse: (s, label) => {
        const names = s.split(',').filter((a) => a.trim());
        if (!names.length) throw usageError(`${label}: name at least one author (e.g. "Hinton,LeCun")`);
        return names;
      },
    })
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  const limit = r.pick<number | undefined>('limit', {
    flag: flags.limit,
    // the file's number gets the flag's range too: "limit": 1e6 is not a day
    file: f.limit === undefined ? undefined : intParser(1, 100_000)(String(f.limit), `${ctx.configFile}: limit`),
    fallback: undefined,
    parse: intParser(1, 100_000),
  });
  const maxCost = r.pick<number | undefined>('max_cost', {
    flag: flags.maxCost,
    flagName: '--max-cost',
    file: f.maxCost,
    fallback: undefined,
    parse: (raw, label) => {
      if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw usageError(`${label}: expected an amount in US dollars, e.g. 0.50`);
      return Number(raw);
    },
  });
  return {
    ...settings,
    ...runOutput(flags, r, f.output),
    categories,
    date: flags.date,
    limit,
    match,
    exclude,
    authors,
    includeCross: r.pick('include_cross', {
      flag: flagOn(flags.includeCross),
      flagName: '--include-cross',
      file: f.includeCross,
      fallback: false,
      parse: boolean,
    }),
    includeReplaced: r.pick('include_replaced', {
      flag: flagOn(flags.includeReplaced),
      flagName: '--include-replaced',
      file: f.includeReplaced,
      fallback: false,
      parse: boolean,
    }),
    maxCost,
    top: r.pick<number | undefined>('top', {
      flag: flags.top,
      file: f.top,
      fallback: undefined,
      parse: intParser(0, 100_000),
    }),
    interests: r.pick<DailyOptions['interests']>('interests', {
      flag: flags.interests,
      file: f.interests && { config: f.interests, baseDir: path.dirname(ctx.configFile ?? path.resolve('x')) },
      fallback: undefined,
      parse: readInterestsFile,
    }),
    rank: r.pick('rank', {
      flag: flags.rank,
      envName: 'DIGEST_RANK',
      file: f.rank === undefined ? undefined : oneOf('rank', RANKS)(f.rank, `${ctx.configFile}: rank`),
      fallback: 'lexical',
      parse: oneOf('rank', RANKS),
    }),
    embeddingModel: r.pick<string | undefined>('embedding_model', {
      envName: 'DIGEST_EMBEDDING_MODEL',
      file: f.embeddingModel,
      fallback: settings.llm.preset.embeddingModel,
      fallbackSource: 'preset',
      parse: str,
    }),
  };
}

const RANKS = ['lexical', 'embedding', 'llm', 'none'] as const;

/** --interests FILE: a JSON file of the same shape as the config file's "interests". */
function readInterestsFile(raw: string, label: string): DailyOptions['interests'] {
  const file = path.resolve(raw);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`${label}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw usageError(`${label}: not valid JSON (${(err as Error).message})`);
  }
  const inner = (data as Record<string, unknown> | null)?.['interests'] ?? data;
  return { config: validateInterests(inner, file), baseDir: path.dirname(file) };
}
