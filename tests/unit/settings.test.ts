/**
 * One settings resolver for every command: each setting is run through each of its sources
 * (flag > env > config file > preset/default) for each command that reads it.
 */
import { describe, expect, it } from 'vitest';
import { priceOf } from '../../src/llm/cost.js';
import { validateConfig, type FileConfig } from '../../src/settings/config-file.js';
import {
  resolveDailyOptions,
  resolveFetchOptions,
  resolveSettings,
  type DailyFlags,
  type DailyOptions,
  type Settings,
} from '../../src/settings/resolve.js';

type Command = 'fetch' | 'daily' | 'config' | 'prompts';

interface Case {
  name: string;
  commands: Command[];
  flag?: [keyof DailyFlags, string | boolean];
  env?: [string, string];
  file?: Partial<FileConfig>;
  /** The value each source gives (flag, env, config, fallback), as `read` returns it. */
  want: { flag?: unknown; env?: unknown; config?: unknown; fallback: unknown };
  read: (s: DailyOptions) => unknown;
}

const ALL: Command[] = ['fetch', 'daily', 'config'];
const CASES: Case[] = [
  {
    name: 'provider',
    commands: [...ALL, 'prompts'],
    flag: ['provider', 'deepseek'],
    env: ['DIGEST_PROVIDER', 'moonshot'],
    file: { provider: 'qwen' },
    want: { flag: 'deepseek', env: 'moonshot', config: 'qwen', fallback: 'openai' },
    read: (s) => s.llm.preset.name,
  },
  {
    name: 'model',
    commands: ALL,
    flag: ['model', 'm-flag'],
    env: ['DIGEST_MODEL', 'm-env'],
    file: { model: 'm-file' },
    want: { flag: 'm-flag', env: 'm-env', config: 'm-file', fallback: 'gpt-4.1-mini' },
    read: (s) => s.llm.model,
  },
  {
    name: 'base_url',
    commands: ALL,
    flag: ['baseUrl', 'http://flag.test/v1'],
    env: ['OPENAI_BASE_URL', 'http://env.test/v1'],
    file: { baseUrl: 'http://file.test/v1' },
    want: {
      flag: 'http://flag.test/v1',
      env: 'http://env.test/v1',
      config: 'http://file.test/v1',
      fallback: 'https://api.openai.com/v1',
    },
    read: (s) => s.llm.baseURL,
  },
  {
    name: 'arxiv_api_url',
    commands: ALL,
    flag: ['arxivApiUrl', 'http://flag.test/api'],
    env: ['DIGEST_ARXIV_API_URL', 'http://env.test/api'],
    file: { arxivApiUrl: 'http://file.test/api' },
    want: {
      flag: 'http://flag.test/api',
      env: 'http://env.test/api',
      config: 'http://file.test/api',
      fallback: 'https://export.arxiv.org/api/query',
    },
    read: (s) => s.arxiv.apiUrl,
  },
  {
    name: 'arxiv_rss_url',
    commands: ['daily', 'config'],
    flag: ['arxivRssUrl', 'http://flag.test/rss'],
    env: ['DIGEST_ARXIV_RSS_URL', 'http://env.test/rss'],
    file: { arxivRssUrl: 'http://file.test/rss' },
    want: {
      flag: 'http://flag.test/rss',
      env: 'http://env.test/rss',
      config: 'http://file.test/rss',
      fallback: 'https://rss.arxiv.org/rss',
    },
    read: (s) => s.arxiv.rssUrl,
  },
  {
    name: 'concurrency',
    commands: ALL,
    flag: ['concurrency', '7'],
    env: ['DIGEST_CONCURRENCY', '5'],
    file: { concurrency: 3 },
    want: { flag: 7, env: 5, config: 3, fallback: 4 },
    read: (s) => s.concurrency,
  },
  {
    name: 'kinds',
    commands: ALL,
    flag: ['kind', 'post'],
    env: ['DIGEST_KINDS', 'qa'],
    file: { kinds: ['mine'] },
    want: { flag: ['post'], env: ['qa'], config: ['mine'], fallback: ['post', 'qa'] },
    read: (s) => s.templateNames,
  },
  {
    name: 'prompts',
    commands: [...ALL, 'prompts'],
    flag: ['prompts', '/p/flag'],
    env: ['DIGEST_PROMPTS_DIR', '/p/env'],
    file: { prompts: '/p/file' },
    want: { flag: '/p/flag', env: '/p/env', config: '/p/file', fallback: undefined },
    read: (s) => s.templateDir,
  },
  {
    name: 'stream',
    commands: ALL,
    flag: ['stream', false],
    env: ['DIGEST_LLM_STREAM', 'true'],
    file: { stream: false },
    want: { flag: false, env: true, config: false, fallback: true },
    read: (s) => s.llm.stream,
  },
  {
    name: 'source',
    commands: ALL,
    flag: ['source', 'abstract'],
    env: ['DIGEST_SOURCE', 'full'],
    want: { flag: 'abstract', env: 'full', fallback: undefined },
    read: (s) => s.fulltext.override,
  },
  {
    name: 'arxiv_html_url',
    commands: ALL,
    flag: ['arxivHtmlUrl', 'http://flag.test/html'],
    env: ['DIGEST_ARXIV_HTML_URL', 'http://env.test/html'],
    want: { flag: 'http://flag.test/html', env: 'http://env.test/html', fallback: 'https://arxiv.org/html' },
    read: (s) => s.fulltext.htmlUrl,
  },
  {
    name: 'ar5iv_url',
    commands: ALL,
    flag: ['ar5ivUrl', 'http://flag.test/ar5iv'],
    env: ['DIGEST_AR5IV_URL', 'http://env.test/ar5iv'],
    want: {
      flag: 'http://flag.test/ar5iv',
      env: 'http://env.test/ar5iv',
      fallback: 'https://ar5iv.labs.arxiv.org/html',
    },
    read: (s) => s.fulltext.ar5ivUrl,
  },
  {
    name: 'arxiv_pdf_url',
    commands: ALL,
    flag: ['arxivPdfUrl', 'http://flag.test/pdf'],
    env: ['DIGEST_ARXIV_PDF_URL', 'http://env.test/pdf'],
    want: { flag: 'http://flag.test/pdf', env: 'http://env.test/pdf', fallback: 'https://arxiv.org/pdf' },
    read: (s) => s.fulltext.pdfUrl,
  },
  {
    name: 'cache_dir',
    commands: ALL,
    flag: ['cache', false],
    env: ['DIGEST_CACHE_DIR', '/c/env'],
    file: { cacheDir: '/c/file' },
    want: { flag: undefined, env: '/c/env', config: '/c/file', fallback: '/c/default' },
    read: (s) => s.cacheDir,
  },
  {
    name: 'context_tokens',
    commands: ALL,
    env: ['DIGEST_CONTEXT_TOKENS', '64000'],
    file: { contextTokens: 128000 },
    want: { env: 64000, config: 128000, fallback: 32768 },
    read: (s) => s.fulltext.contextTokens,
  },
  {
    name: 'arxiv_delay_ms',
    commands: ALL,
    env: ['DIGEST_ARXIV_DELAY_MS', '250'],
    want: { env: 250, fallback: 3000 },
    read: (s) => s.arxiv.delayMs,
  },
  {
    name: 'arxiv_batch_size',
    commands: ALL,
    env: ['DIGEST_ARXIV_BATCH_SIZE', '20'],
    want: { env: 20, fallback: 50 },
    read: (s) => s.arxiv.batchSize,
  },
  {
    name: 'llm_retries',
    commands: ALL,
    env: ['DIGEST_LLM_RETRIES', '1'],
    want: { env: 1, fallback: 3 },
    read: (s) => s.llm.retries,
  },
  {
    name: 'llm_idle_timeout_ms',
    commands: ALL,
    env: ['DIGEST_LLM_IDLE_TIMEOUT_MS', '5000'],
    want: { env: 5000, fallback: 60_000 },
    read: (s) => s.llm.idleTimeoutMs,
  },
  {
    name: 'download_figures',
    commands: ['fetch', 'daily', 'config'],
    flag: ['downloadFigures', true],
    file: { downloadFigures: true },
    want: { flag: true, config: true, fallback: false },
    read: (s) => s.downloadFigures,
  },
  {
    name: 'categories',
    commands: ['daily', 'config'],
    file: { categories: ['cs.AI', 'cs.LG'] },
    want: { config: ['cs.AI', 'cs.LG'], fallback: ['cs.CL'] },
    read: (s) => s.categories,
  },
  {
    name: 'output',
    commands: ['daily', 'config'],
    flag: ['output', 'out-flag'],
    file: { output: 'out-file' },
    want: { flag: 'out-flag', config: 'out-file', fallback: undefined },
    read: (s) => s.output,
  },
  {
    name: 'max_cost',
    commands: ['daily', 'config'],
    flag: ['maxCost', '0.5'],
    file: { maxCost: 2 },
    want: { flag: 0.5, config: 2, fallback: undefined },
    read: (s) => s.maxCost,
  },
  {
    name: 'site',
    commands: ['fetch', 'daily', 'config'],
    flag: ['site', 'hugo'],
    env: ['DIGEST_SITE', 'jekyll'],
    file: { site: 'hexo' },
    want: { flag: 'hugo', env: 'jekyll', config: 'hexo', fallback: 'plain' },
    read: (s) => s.site,
  },
  {
    name: 'slug',
    commands: ['fetch', 'daily', 'config'],
    flag: ['slug', 'words'],
    env: ['DIGEST_SLUG', 'id'],
    file: { slug: 'words' },
    want: { flag: 'words', env: 'id', config: 'words', fallback: 'id' },
    read: (s) => s.slugStyle,
  },
  {
    name: 'top',
    commands: ['daily', 'config'],
    flag: ['top', '3'],
    file: { top: 7 },
    want: { flag: 3, config: 7, fallback: undefined },
    read: (s) => s.top,
  },
  {
    name: 'rank',
    commands: ['daily', 'config'],
    flag: ['rank', 'none'],
    env: ['DIGEST_RANK', 'lexical'],
    file: { rank: 'none' },
    want: { flag: 'none', env: 'lexical', config: 'none', fallback: 'lexical' },
    read: (s) => s.rank,
  },
  {
    name: 'interests',
    commands: ['daily', 'config'],
    file: { interests: { keywords: ['speech'] } },
    want: { config: ['speech'], fallback: undefined },
    read: (s) => s.interests?.config.keywords,
  },
  {
    name: 'embedding_model',
    commands: ['daily', 'config'],
    env: ['DIGEST_EMBEDDING_MODEL', 'bge-m3'],
    file: { embeddingModel: 'm3e' },
    want: { env: 'bge-m3', config: 'm3e', fallback: 'text-embedding-3-small' },
    read: (s) => s.embeddingModel,
  },
  {
    name: 'limit',
    commands: ['daily'],
    flag: ['limit', '3'],
    file: { limit: 9 },
    want: { flag: 3, config: 9, fallback: undefined },
    read: (s) => s.limit,
  },
  {
    name: 'match',
    commands: ['daily'],
    flag: ['match', 'agent'],
    file: { match: 'speech' },
    want: { flag: 'agent', config: 'speech', fallback: undefined },
    read: (s) => s.match?.source,
  },
  {
    name: 'exclude',
    commands: ['daily'],
    flag: ['exclude', 'survey'],
    file: { exclude: 'benchmark' },
    want: { flag: 'survey', config: 'benchmark', fallback: undefined },
    read: (s) => s.exclude?.source,
  },
  {
    name: 'authors',
    commands: ['daily'],
    flag: ['authors', 'Ada, Grace'],
    file: { authors: ['Alan'] },
    want: { flag: ['ada', 'grace'], config: ['alan'], fallback: [] },
    read: (s) => s.authors,
  },
  {
    name: 'include_cross',
    commands: ['daily'],
    flag: ['includeCross', true],
    file: { includeCross: true },
    want: { flag: true, config: true, fallback: false },
    read: (s) => s.includeCross,
  },
  {
    name: 'include_replaced',
    commands: ['daily'],
    flag: ['includeReplaced', true],
    file: { includeReplaced: true },
    want: { flag: true, config: true, fallback: false },
    read: (s) => s.includeReplaced,
  },
];

const CONFIG_FILE = '/project/digest.config.json';

/** Resolves as the command does (`digest config` shows a daily run's settings; `digest prompts` the shared ones). */
function resolveAs(
  cmd: Command,
  flags: DailyFlags,
  env: Record<string, string>,
  file: FileConfig,
): Partial<DailyOptions> & Settings {
  const ctx = { env, file, configFile: CONFIG_FILE, defaultCacheDir: '/c/default' };
  if (cmd === 'fetch') return resolveFetchOptions(flags, ctx) as Partial<DailyOptions> & Settings;
  if (cmd === 'prompts') return resolveSettings(flags, ctx);
  return resolveDailyOptions(flags, [], ctx);
}

describe('every setting through every source, for every command that reads it', () => {
  for (const c of CASES) {
    for (const cmd of c.commands) {
      it(`${c.name} in digest ${cmd}`, () => {
        const levels = (['flag', 'env', 'config'] as const).filter((l) =>
          l === 'flag' ? c.flag : l === 'env' ? c.env : c.file,
        );
        // all sources present, then drop the strongest one at a time
        for (let drop = 0; drop <= levels.length; drop++) {
          const present = levels.slice(drop);
          const flags: DailyFlags = {};
          const env: Record<string, string> = {};
          let file: FileConfig = {};
          if (present.includes('flag')) (flags as Record<string, unknown>)[c.flag![0]] = c.flag![1];
          if (present.includes('env')) env[c.env![0]] = c.env![1];
          if (present.includes('config')) file = { ...c.file };
          const winner = present[0] ?? 'fallback';
          const got = c.read(resolveAs(cmd, flags, env, file) as DailyOptions);
          expect(got, `${c.name} from ${winner} (sources: ${present.join(', ') || 'none'})`).toEqual(c.want[winner]);
        }
      });
    }
  }

  it('a flag of digest fetch outranks the config file, and the config file the default: --download-figures', () => {
    const ctx = { env: {}, file: { downloadFigures: true }, configFile: CONFIG_FILE };
    expect(resolveFetchOptions({}, ctx).downloadFigures).toBe(true);
    expect(resolveFetchOptions({}, { env: {} }).downloadFigures).toBe(false);
  });

  it('the config file\'s "output" is digest daily\'s folder; digest fetch still prints to stdout', () => {
    const ctx = { env: {}, file: { output: 'posts' }, configFile: CONFIG_FILE };
    expect(resolveDailyOptions({}, [], ctx).output).toBe('posts');
    expect(resolveFetchOptions({}, ctx).output).toBeUndefined();
  });

  it("category arguments replace the config file's list; each source is named in sources", () => {
    const ctx = {
      env: { DIGEST_MODEL: 'm-env' },
      file: { categories: ['cs.AI'], concurrency: 3 },
      configFile: CONFIG_FILE,
    };
    const o = resolveDailyOptions({ provider: 'openai' }, ['cs.CV', 'cs.CV'], ctx);
    expect(o.categories).toEqual(['cs.CV']);
    expect(o.sources).toMatchObject({
      categories: 'flag',
      provider: 'flag',
      model: 'env',
      concurrency: 'config',
      limit: 'default',
    });
  });

  it('a bad value names its source: the flag, or the config file', () => {
    expect(() => resolveDailyOptions({ match: '(' }, [], { env: {} })).toThrow(
      /--match "\(": not a valid regular expression/,
    );
    expect(() => resolveDailyOptions({}, [], { env: {}, file: { match: '(' }, configFile: CONFIG_FILE })).toThrow(
      /digest\.config\.json: match "\(": not a valid regular expression/,
    );
    expect(() => resolveDailyOptions({ maxCost: 'lots' }, [], { env: {} })).toThrow(
      /--max-cost lots: expected an amount in US dollars/,
    );
    expect(() => resolveFetchOptions({ output: '' }, { env: {} })).toThrow(/-o: empty folder name/);
  });
});

describe('names every JavaScript object has are not settings', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('config key "%s" is refused by name', (key) => {
    expect(() => validateConfig(`{"${key}": {"provider": "deepseek"}}`, 'digest.config.json')).toThrow(
      `digest.config.json: unknown key "${key}"`,
    );
  });
  it('a provider or model named like one is unknown, not a function', () => {
    expect(() => resolveAs('fetch', { provider: 'constructor' }, {}, {})).toThrow(/constructor/);
    expect(priceOf('toString', {})).toBeUndefined();
    expect(priceOf('constructor', { constructor: { input: 1, output: 2 } } as never)).toEqual({ input: 1, output: 2 });
  });
});

describe('a login written into a URL is masked wherever text is shown', () => {
  it('user:password@ and user@ in any URL of a line become ***@', async () => {
    const { redact } = await import('../../src/ui/redact.js');
    expect(redact('proxy http://bob:pr0xyS3cret@10.0.0.1:3128 and https://tok@mirror.example/api, mail a@b.org')).toBe(
      'proxy http://***@10.0.0.1:3128 and https://***@mirror.example/api, mail a@b.org',
    );
  });
});

describe('a value with a line break still makes a one-line error', () => {
  it.each([
    ['--provider', { provider: 'a\nb' }],
    ['--base-url', { baseUrl: 'not a\nurl' }],
  ])('%s', (_flag, flags) => {
    let message = '';
    try {
      resolveAs('fetch', flags as never, {}, {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/\\n/);
    expect(message).not.toContain('\n');
  });
});
