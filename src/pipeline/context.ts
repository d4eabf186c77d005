/** What a run needs, built once from its options: arXiv, the model, the cache, the texts, the templates. */
import { ArxivClient } from '../arxiv/arxiv-client.js';
import { createCache, NO_CACHE, type Cache } from '../cache/cache.js';
import { DigestError } from '../errors.js';
import { createSdk } from '../llm/create-sdk.js';
import { LlmClient, type Llm } from '../llm/llm-client.js';
import { requireKey, type Env, type Settings } from '../settings/resolve.js';
import { templateSet, type Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';
import { loadGlossary } from '../templates/glossary.js';
import { batchPrice, priceOf } from '../llm/cost.js';
import type { BatchMode } from './run-papers.js';
import { createTextAccess, type TextAccess } from './paper-text.js';

/** The process as a command sees it: injected, so commands run the same in tests. */
export interface Io {
  env: Env;
  stdout: (s: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  readStdin: () => Promise<string[]>;
  signal: AbortSignal;
  logger: Logger;
}

export interface RunContext {
  arxiv: ArxivClient;
  /** undefined on a dry run: no key is needed and no call is made. */
  llm: Llm | undefined;
  cache: Cache;
  text: TextAccess;
  /** The per-paper templates of the run (--kind), in order. */
  templates: Template[];
  logger: Logger;
  now: Date;
  signal: AbortSignal;
  /** --batch: how the requests go through the provider's Batch API. */
  batch?: BatchMode;
}

/** Everything that can be wrong with templates or the key is found here, before any request. */
export async function createContext(options: Settings & { dryRun: boolean }, io: Io): Promise<RunContext> {
  const { logger, signal } = io;
  const templates = await loadTemplates(options);
  const glossary = options.writing.glossary;
  if (glossary) loadGlossary(glossary); // a user's glossary with a mistake stops the run before any request
  const batch = batchMode(options);
  const llm = options.dryRun ? undefined : createLlm(options, logger);
  const cache = options.cacheDir ? createCache(options.cacheDir, (m) => logger.warn(m)) : NO_CACHE;
  const arxiv = new ArxivClient({ ...options.arxiv, signal, log: (m) => logger.warn(m) });
  return {
    arxiv,
    llm,
    cache,
    text: createTextAccess(options.fulltext, arxiv, cache, logger, {
      lang: options.writing.lang,
      // read when a prompt or a check first needs it: a warm re-run that writes nothing never parses it
      get terms() {
        return loadGlossary(glossary);
      },
      strict: options.writing.strict,
      cite: options.writing.cite,
    }),
    templates,
    logger,
    now: options.now,
    signal,
    ...(batch ? { batch } : {}),
  };
}

/** --batch on a provider that has a Batch API; refused before any work on one that has none. */
function batchMode(options: Settings): BatchMode | undefined {
  if (!options.batch.on) return undefined;
  const preset = options.llm.preset;
  if (!preset.batch)
    throw new DigestError('usage', `--batch: ${preset.label} has no Batch API`, {
      hint: 'run without --batch (normal requests); OpenAI, Qwen (DashScope), Zhipu, Kimi and SiliconFlow have one',
    });
  const price = batchPrice(priceOf(options.llm.model, options.prices));
  return {
    endpoint: preset.batch.endpoint,
    followUps: options.batch.followUps,
    pollMs: options.batch.pollMs,
    // OpenAI's limits on one input file (50,000 requests, 200 MB), with room to spare
    maxRequests: 50_000,
    maxBytes: 100 * 1024 * 1024,
    ...(price ? { price } : {}),
  };
}

async function loadTemplates(settings: Settings): Promise<Template[]> {
  const set = templateSet(settings.templateDir);
  const list = await Promise.all(settings.templateNames.map((k) => set.get(k)));
  const daily = list.find((t) => t.kind === 'overview' || t.kind === 'listing' || t.kind === 'rank');
  if (daily)
    throw new DigestError(
      'usage',
      `--kind ${daily.name}: ${daily.kind === 'rank' ? 'a rank template ranks the day of digest daily (--rank llm)' : `${daily.kind === 'overview' ? 'an overview' : 'a listing'} template writes the digest page of digest daily`}; it is not a per-paper kind`,
    );
  return list;
}

function createLlm(settings: Settings, logger: Logger): LlmClient {
  const s = settings.llm;
  const apiKey = requireKey(s);
  return new LlmClient({
    ...s,
    apiKey,
    log: (m) => logger.warn(m),
    createClient: () => createSdk({ apiKey, baseURL: s.baseURL, timeoutMs: s.idleTimeoutMs }),
  });
}
