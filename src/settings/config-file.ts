/** digest.config.json: found in the working directory, else the user config folder, or named by --config. */
import { own } from '../own.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { configError, DigestError } from '../errors.js';
import type { Price } from '../llm/cost.js';
import { validateInterests, type InterestsConfig } from '../rank/interests.js';

export interface FileConfig {
  categories?: string[];
  match?: string;
  exclude?: string;
  authors?: string[];
  includeCross?: boolean;
  includeReplaced?: boolean;
  limit?: number;
  /** digest daily: write up only the first N papers; the rest are listed in Chinese. */
  top?: number;
  provider?: string;
  model?: string;
  baseUrl?: string;
  arxivApiUrl?: string;
  arxivRssUrl?: string;
  concurrency?: number;
  output?: string;
  kinds?: string[];
  prompts?: string;
  stream?: boolean;
  cacheDir?: string;
  maxCost?: number;
  prices?: Record<string, Price>;
  /** "full" or "abstract" for every template, or per template name. */
  source?: 'full' | 'abstract' | Record<string, 'full' | 'abstract'>;
  /** The model's context window: a number, or per model name ("default" for the rest). */
  contextTokens?: number | Record<string, number>;
  downloadFigures?: boolean;
  /** The blog engine the files are for: plain, hugo, hexo or jekyll. */
  site?: string;
  /** How post files are named for a blog engine: id, or words (the id and a few words of the title). */
  slug?: string;
  /** digest daily: what the reader cares about; the day is ranked against it. */
  interests?: InterestsConfig;
  /** How the day is ranked against the interests: lexical (default), embedding or none. */
  rank?: string;
  /** --rank embedding: the model of the /embeddings endpoint (default: the provider preset's). */
  embeddingModel?: string;
  /** The Chinese variant written: zh-CN (default), zh-TW or zh-HK. */
  lang?: string;
  /** A glossary file of one's own (YAML, same format as prompts/glossary.yaml), over the built-in one. */
  glossary?: string;
  /** Unsupported figures and names: true re-asks once then marks them （待核实）; "fail" does not write the post. */
  strict?: boolean | 'fail';
  /** With full text: show where each figure came from, as （§4.2，表3）. */
  cite?: boolean;
  /** Send the run's requests through the provider's Batch API (about half the price, answers within hours). */
  batch?: boolean;
  /** --batch: follow-ups in a second batch ("batch", default) or as normal calls ("direct"). */
  batchFollowups?: string;
}

type Kind =
  'string' | 'strings' | 'boolean' | 'int' | 'number' | 'prices' | 'source' | 'context' | 'interests' | 'strict';

const SCHEMA: Record<keyof FileConfig, Kind> = {
  categories: 'strings',
  match: 'string',
  exclude: 'string',
  authors: 'strings',
  includeCross: 'boolean',
  includeReplaced: 'boolean',
  limit: 'int',
  top: 'int',
  provider: 'string',
  model: 'string',
  baseUrl: 'string',
  arxivApiUrl: 'string',
  arxivRssUrl: 'string',
  concurrency: 'int',
  output: 'string',
  kinds: 'strings',
  prompts: 'string',
  stream: 'boolean',
  cacheDir: 'string',
  maxCost: 'number',
  prices: 'prices',
  source: 'source',
  contextTokens: 'context',
  downloadFigures: 'boolean',
  interests: 'interests',
  rank: 'string',
  embeddingModel: 'string',
  site: 'string',
  slug: 'string',
  lang: 'string',
  glossary: 'string',
  strict: 'strict',
  cite: 'boolean',
  batch: 'boolean',
  batchFollowups: 'string',
};

export const CONFIG_FILE_NAME = 'digest.config.json';

export interface LoadedConfig {
  file: string | undefined;
  values: FileConfig;
}

export async function loadConfigFile(
  explicit: string | undefined,
  cwd: string,
  userConfigDir: string,
): Promise<LoadedConfig> {
  const candidates = explicit
    ? [path.resolve(cwd, explicit)]
    : [path.join(cwd, CONFIG_FILE_NAME), path.join(userConfigDir, CONFIG_FILE_NAME)];
  for (const file of candidates) {
    let raw: string;
    try {
      const bytes = await readFile(file);
      try {
        raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw configError(`${file}: not UTF-8 text (save it as UTF-8)`);
      }
    } catch (err) {
      if (err instanceof DigestError) throw err;
      if (explicit)
        throw configError(`--config ${explicit}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    return { file, values: validateConfig(raw, file) };
  }
  return { file: undefined, values: {} };
}

export function validateConfig(raw: string, file: string): FileConfig {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    // V8 quotes the start of the text, line breaks and all: the message must stay one line
    const why = (err as Error).message.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    throw configError(`${file}: not valid JSON (${why})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw configError(`${file}: must be a JSON object`);
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (k === '$schema' || k.startsWith('//')) continue;
    const kind = own<Kind>(SCHEMA, k);
    if (!kind)
      throw configError(`${file}: unknown key ${JSON.stringify(k)} (known: ${Object.keys(SCHEMA).join(', ')})`);
    const bad = (want: string) => configError(`${file}: "${k}" must be ${want}, not ${JSON.stringify(v)}`);
    switch (kind) {
      case 'string':
        if (typeof v !== 'string' || !v.trim()) throw bad('a non-empty string');
        break;
      case 'strings':
        if (!Array.isArray(v) || !v.length || !v.every((x) => typeof x === 'string' && x.trim()))
          throw bad('a list of one or more non-empty strings');
        break;
      case 'boolean':
        if (typeof v !== 'boolean') throw bad('true or false');
        break;
      case 'int':
        if (!Number.isInteger(v) || (v as number) < 1) throw bad('a whole number of at least 1');
        break;
      case 'number':
        if (typeof v !== 'number' || !(v >= 0)) throw bad('a number of at least 0');
        break;
      case 'source': {
        const ok = (x: unknown) => x === 'full' || x === 'abstract';
        if (!(ok(v) || (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(ok))))
          throw bad('"full", "abstract", or an object of template name → "full" | "abstract"');
        break;
      }
      case 'context': {
        const ok = (x: unknown) => Number.isInteger(x) && (x as number) >= 1024;
        if (!(ok(v) || (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(ok))))
          throw bad('a whole number of tokens (at least 1024), or an object of model name → tokens');
        break;
      }
      case 'interests':
        validateInterests(v, file);
        break;
      case 'strict':
        if (v !== true && v !== false && v !== 'fail') throw bad('true, false or "fail"');
        break;
      case 'prices':
        if (!v || typeof v !== 'object' || Array.isArray(v))
          throw bad('an object of model → {input, output[, cachedInput]} in USD per million tokens');
        for (const [model, p] of Object.entries(v as Record<string, unknown>)) {
          const price = p as Record<string, unknown>;
          const okNum = (x: unknown) => typeof x === 'number' && x >= 0;
          if (
            !price ||
            typeof price !== 'object' ||
            !okNum(price['input']) ||
            !okNum(price['output']) ||
            (price['cachedInput'] !== undefined && !okNum(price['cachedInput'])) ||
            (price['batch'] !== undefined &&
              !(
                price['batch'] &&
                typeof price['batch'] === 'object' &&
                okNum((price['batch'] as Record<string, unknown>)['input']) &&
                okNum((price['batch'] as Record<string, unknown>)['output'])
              ))
          ) {
            throw configError(
              `${file}: prices.${JSON.stringify(model)} must be {"input": n, "output": n} (USD per million tokens; optional "cachedInput": n, "batch": {"input": n, "output": n})`,
            );
          }
        }
        break;
    }
    out[k] = v;
  }
  return out as FileConfig;
}
